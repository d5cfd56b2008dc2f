//! RAM users of RAM 2015-05-01: the users themselves (`CreateUser`, `GetUser`, `ListUsers`, `DeleteUser`), their
//! access keys (`CreateAccessKey`, `ListAccessKeys`, `DeleteAccessKey`), which sign requests as the user, and their
//! policy attachments (`AttachPolicyToUser`, `DetachPolicyFromUser`, `ListPoliciesForUser`). Also the users and
//! custom policies an `--accounts FILE` declares, put into the store on start.

use super::accounts::Account;
use super::auth::{Caller, STS_KEY_PREFIX};
use super::custom_policies::{
    CustomPolicy, attached_policy_body, check_policy_document, check_policy_exists, insert_policy,
};
use super::error::ApiError;
use super::params::Params;
use super::ram::{
    RamCall, RamHandler, check_date, check_policy_name, check_policy_type, marker_page,
    max_items_param, policy_name_param, policy_type_param,
};
use super::store::{AccountRoles, Attachment, Store, format_date};
use super::sts::random_text;
use crate::ram::role_rules::check_policy_count;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use rand::Rng as _;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::fmt;

/// Users one account may hold (RAM's limits page: 1000, adjustable).
pub const MAX_USERS: usize = 1000;
/// Access keys one user may hold at once.
pub const MAX_ACCESS_KEYS_PER_USER: usize = 2;
/// Longest user name.
const MAX_USER_NAME_CHARS: usize = 64;
/// Longest `DisplayName` and `Comments`.
const MAX_DISPLAY_NAME_CHARS: usize = 128;
const MAX_COMMENTS_CHARS: usize = 128;

/// One RAM user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// The numeric user id.
    pub user_id: String,
    /// The user name (the `<name>` of `acs:ram::<uid>:user/<name>`).
    pub user_name: String,
    /// The display name, possibly empty.
    #[serde(default)]
    pub display_name: String,
    /// The comments, possibly empty.
    #[serde(default)]
    pub comments: String,
    /// `CreateDate`, formatted.
    pub create_date: String,
    /// `UpdateDate`, formatted.
    pub update_date: String,
    /// The user's access keys, in creation order.
    #[serde(default)]
    pub access_keys: Vec<AccessKey>,
    /// Attached policies, in attachment order.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// An access key of a RAM user: requests signed with it act as the user.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKey {
    /// The access key id.
    pub access_key_id: String,
    /// The access key secret, shown once by `CreateAccessKey`.
    pub access_key_secret: String,
    /// `Active` (the emulator serves no `UpdateAccessKey`, so keys stay active).
    pub status: String,
    /// `CreateDate`, formatted.
    pub create_date: String,
}

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessKey")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"<redacted>")
            .field("status", &self.status)
            .field("create_date", &self.create_date)
            .finish()
    }
}

/// The user actions, dispatched beside [`super::ram::RAM_ACTIONS`].
pub const USER_ACTIONS: &[(&str, RamHandler)] = &[
    ("CreateUser", RamHandler::Write(create_user)),
    ("GetUser", RamHandler::Read(get_user)),
    ("ListUsers", RamHandler::Read(list_users)),
    ("DeleteUser", RamHandler::Write(delete_user)),
    ("CreateAccessKey", RamHandler::Write(create_access_key)),
    ("ListAccessKeys", RamHandler::Read(list_access_keys)),
    ("DeleteAccessKey", RamHandler::Write(delete_access_key)),
    (
        "AttachPolicyToUser",
        RamHandler::Write(attach_policy_to_user),
    ),
    (
        "DetachPolicyFromUser",
        RamHandler::Write(detach_policy_from_user),
    ),
    (
        "ListPoliciesForUser",
        RamHandler::Read(list_policies_for_user),
    ),
];

/// `acs:ram::<uid>:user/<name>`.
pub fn user_arn(owner: &str, user_name: &str) -> String {
    format!("acs:ram::{owner}:user/{user_name}")
}

/// The user and account an access key id belongs to, among every account's users.
pub fn find_access_key<'a>(
    store: &'a Store,
    access_key_id: &str,
) -> Option<(&'a str, &'a User, &'a AccessKey)> {
    store.accounts.iter().find_map(|(uid, account)| {
        account.users.values().find_map(|user| {
            user.access_keys
                .iter()
                .find(|k| k.access_key_id == access_key_id)
                .map(|key| (uid.as_str(), user, key))
        })
    })
}

// ---- parameter rules -------------------------------------------------------------------------------------

/// Checks a user name: 1 to 64 characters, each a letter, digit, `.`, `@`, `_` or `-`.
pub fn check_user_name(value: &str) -> Result<(), ApiError> {
    if value.is_empty() {
        return Err(ApiError::missing("UserName"));
    }
    if value.chars().count() > MAX_USER_NAME_CHARS {
        return Err(ApiError::invalid(
            "UserName.Length",
            format!(
                "The parameter - \"UserName\" is beyond the length limit {MAX_USER_NAME_CHARS}."
            ),
        ));
    }
    if !value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'@' | b'_' | b'-'))
    {
        return Err(ApiError::invalid(
            "UserName.InvalidChars",
            "The parameter - \"UserName\" contains invalid chars.",
        ));
    }
    Ok(())
}

fn user_name_param(params: &Params) -> Result<&str, ApiError> {
    let name = params.required("UserName")?;
    check_user_name(name)?;
    Ok(name)
}

/// An optional free-text parameter of 1 to `max` characters.
fn text_param<'p>(params: &'p Params, name: &str, max: usize) -> Result<Option<&'p str>, ApiError> {
    match params.get(name) {
        Some(value) if value.is_empty() || value.chars().count() > max => Err(ApiError::invalid(
            &format!("{name}.Length"),
            format!("The parameter - \"{name}\" must be 1 to {max} characters."),
        )),
        value => Ok(value),
    }
}

/// The user a key action names: `UserName`, or the calling user itself when it is left out (as RAM does for a
/// RAM user managing its own keys).
fn key_owner_param<'p>(call: &RamCall<'p>) -> Result<&'p str, ApiError> {
    let own = match call.caller {
        Caller::User { user_name, .. } => Some(user_name.as_str()),
        _ => None,
    };
    match (call.params.optional("UserName"), own) {
        (Some(name), _) => {
            check_user_name(name)?;
            Ok(name)
        }
        (None, Some(own)) => Ok(own),
        (None, None) => Err(ApiError::missing("UserName")),
    }
}

fn user_not_found(name: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "EntityNotExist.User",
        format!("The user does not exist: {name}."),
    )
}

fn user<'a>(account: Option<&'a AccountRoles>, name: &str) -> Result<&'a User, ApiError> {
    account
        .and_then(|a| a.users.get(name))
        .ok_or_else(|| user_not_found(name))
}

fn user_mut<'a>(account: &'a mut AccountRoles, name: &str) -> Result<&'a mut User, ApiError> {
    account
        .users
        .get_mut(name)
        .ok_or_else(|| user_not_found(name))
}

// ---- stored users ----------------------------------------------------------------------------------------

/// Checks a user of `account`, stored under `key`, with the rules the API applies when it writes one.
pub fn check_stored_user(account: &AccountRoles, key: &str, user: &User) -> Result<(), ApiError> {
    check_user_name(&user.user_name)?;
    if key != user.user_name {
        return Err(ApiError::invalid(
            "UserName",
            format!("The user is stored under the different name \"{key}\"."),
        ));
    }
    if user.user_id.is_empty() || !user.user_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid(
            "UserId",
            "The user id must be digits only.",
        ));
    }
    check_date("CreateDate", &user.create_date)?;
    check_date("UpdateDate", &user.update_date)?;
    if user.access_keys.len() > MAX_ACCESS_KEYS_PER_USER {
        return Err(too_many_keys());
    }
    for key in &user.access_keys {
        check_access_key_id(&key.access_key_id)?;
        if key.access_key_secret.is_empty() {
            return Err(ApiError::invalid(
                "AccessKeySecret",
                "An access key secret must not be empty.",
            ));
        }
        check_date("CreateDate", &key.create_date)?;
    }
    for (i, attachment) in user.attachments.iter().enumerate() {
        check_policy_type(&attachment.policy_type)?;
        check_policy_name(&attachment.policy_name)?;
        check_policy_exists(
            Some(account),
            &attachment.policy_type,
            &attachment.policy_name,
        )?;
        check_date("AttachDate", &attachment.attach_date)?;
        let same = |a: &Attachment| {
            a.policy_name == attachment.policy_name && a.policy_type == attachment.policy_type
        };
        if user.attachments[..i].iter().any(same) {
            return Err(already_attached());
        }
    }
    Ok(())
}

/// A key id must not look like STS credentials, which are told apart by their prefix.
fn check_access_key_id(id: &str) -> Result<(), ApiError> {
    if id.is_empty() || id.starts_with(STS_KEY_PREFIX) {
        return Err(ApiError::invalid(
            "AccessKeyId",
            format!("An access key id must be non-empty and not start with \"{STS_KEY_PREFIX}\"."),
        ));
    }
    Ok(())
}

// ---- identities declared by the accounts file -------------------------------------------------------------

/// Puts the custom policies and users each account of `accounts` declares into `store`, with the API's rules.
/// What the store already holds under a declared name (loaded from a state file) is kept as it is. The error
/// names the account and the entity.
pub fn seed_declared(
    store: &mut Store,
    accounts: &[Account],
    now: DateTime<Utc>,
) -> Result<(), String> {
    let date = format_date(now);
    for account in accounts {
        let target = store.account_mut(&account.account_id);
        for policy in &account.policies {
            let name = &policy.name;
            let fail = |e: ApiError| {
                format!(
                    "account {:?}: policy {name:?}: {}: {}",
                    account.name, e.code, e.message
                )
            };
            if target.policies.contains_key(name) {
                continue;
            }
            check_policy_name(name).map_err(fail)?;
            let document = policy.document_text();
            check_policy_document(&document, "PolicyDocument").map_err(fail)?;
            insert_policy(
                target,
                CustomPolicy {
                    policy_name: name.clone(),
                    description: policy.description.clone(),
                    document,
                    create_date: date.clone(),
                    update_date: date.clone(),
                    parsed: Default::default(),
                },
            )
            .map_err(fail)?;
        }
        for declared in &account.users {
            let name = &declared.name;
            let fail = |e: ApiError| {
                format!(
                    "account {:?}: user {name:?}: {}: {}",
                    account.name, e.code, e.message
                )
            };
            if target.users.contains_key(name) {
                continue;
            }
            check_user_name(name).map_err(fail)?;
            check_access_key_id(&declared.access_key_id).map_err(fail)?;
            let mut user = new_user(name, &date);
            user.access_keys.push(AccessKey {
                access_key_id: declared.access_key_id.clone(),
                access_key_secret: declared.access_key_secret.clone(),
                status: "Active".into(),
                create_date: date.clone(),
            });
            let attachments = declared
                .system_policies
                .iter()
                .map(|p| ("System", p))
                .chain(declared.custom_policies.iter().map(|p| ("Custom", p)));
            for (policy_type, policy_name) in attachments {
                attach(target, &mut user, policy_type, policy_name, &date).map_err(fail)?;
            }
            insert_user(target, user).map_err(fail)?;
        }
    }
    Ok(())
}

// ---- actions ---------------------------------------------------------------------------------------------

fn new_user(name: &str, date: &str) -> User {
    User {
        user_id: new_user_id(),
        user_name: name.to_owned(),
        display_name: String::new(),
        comments: String::new(),
        create_date: date.to_owned(),
        update_date: date.to_owned(),
        access_keys: Vec::new(),
        attachments: Vec::new(),
    }
}

fn new_user_id() -> String {
    let mut rng = rand::rng();
    // Numeric, 16 digits, never starting with 0, like real user ids.
    let mut id = String::from("2");
    for _ in 0..15 {
        id.push(char::from(b'0' + rng.random_range(0..10u8)));
    }
    id
}

fn insert_user(account: &mut AccountRoles, user: User) -> Result<(), ApiError> {
    if account.users.contains_key(&user.user_name) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "EntityAlreadyExists.User",
            "The user does already EXIST.",
        ));
    }
    if account.users.len() >= MAX_USERS {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "LimitExceeded.User",
            format!("The count of users beyond the current limits ({MAX_USERS})."),
        ));
    }
    account.users.insert(user.user_name.clone(), user);
    Ok(())
}

fn user_body(user: &User) -> Value {
    json!({
        "UserId": user.user_id,
        "UserName": user.user_name,
        "DisplayName": user.display_name,
        "Comments": user.comments,
        "CreateDate": user.create_date,
        "UpdateDate": user.update_date,
    })
}

fn create_user(call: &RamCall<'_>, store: &mut Store) -> Result<Value, ApiError> {
    let params = call.params;
    let name = user_name_param(params)?;
    let display_name = text_param(params, "DisplayName", MAX_DISPLAY_NAME_CHARS)?;
    let comments = text_param(params, "Comments", MAX_COMMENTS_CHARS)?;
    let mut user = new_user(name, &format_date(call.now));
    user.display_name = display_name.unwrap_or_default().to_owned();
    user.comments = comments.unwrap_or_default().to_owned();
    let mut body = user_body(&user);
    if let Some(fields) = body.as_object_mut() {
        // CreateUser answers without UpdateDate.
        fields.remove("UpdateDate");
    }
    insert_user(store.account_mut(call.account_id), user)?;
    Ok(json!({ "User": body }))
}

fn get_user(call: &RamCall<'_>, store: &Store) -> Result<Value, ApiError> {
    let name = user_name_param(call.params)?;
    let user = user(store.account(call.account_id), name)?;
    Ok(json!({ "User": user_body(user) }))
}

/// `ListUsers`: by name, `Marker`/`MaxItems` paging.
fn list_users(call: &RamCall<'_>, store: &Store) -> Result<Value, ApiError> {
    let max_items = max_items_param(call.params)?;
    let users: Vec<&User> = store
        .account(call.account_id)
        .map(|a| a.users.values().collect())
        .unwrap_or_default();
    marker_page(call.params, &users, max_items, ("Users", "User"), |u| {
        user_body(u)
    })
}

fn delete_user(call: &RamCall<'_>, store: &mut Store) -> Result<Value, ApiError> {
    let name = user_name_param(call.params)?;
    let account = store.account_mut(call.account_id);
    let user = user_mut(account, name)?;
    if !user.access_keys.is_empty() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "DeleteConflict.User.AccessKey",
            "The user CAN NOT has any access key while deleting the user.",
        ));
    }
    if !user.attachments.is_empty() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "DeleteConflict.User.Policy",
            "The user CAN NOT has any attached policy while deleting the user.",
        ));
    }
    account.users.remove(name);
    Ok(json!({}))
}

fn too_many_keys() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "LimitExceeded.User.AccessKey",
        format!(
            "The count of access keys of the user beyond the current limits ({MAX_ACCESS_KEYS_PER_USER})."
        ),
    )
}

fn create_access_key(call: &RamCall<'_>, store: &mut Store) -> Result<Value, ApiError> {
    let name = key_owner_param(call)?;
    let user = user_mut(store.account_mut(call.account_id), name)?;
    if user.access_keys.len() >= MAX_ACCESS_KEYS_PER_USER {
        return Err(too_many_keys());
    }
    // `LTAI5t` and 18 more characters, the length and prefix of today's real keys.
    let key = AccessKey {
        access_key_id: format!("LTAI5t{}", random_text(18)),
        access_key_secret: random_text(30),
        status: "Active".into(),
        create_date: format_date(call.now),
    };
    let body = json!({
        "AccessKey": {
            "AccessKeyId": key.access_key_id,
            "AccessKeySecret": key.access_key_secret,
            "Status": key.status,
            "CreateDate": key.create_date,
        }
    });
    user.access_keys.push(key);
    Ok(body)
}

fn list_access_keys(call: &RamCall<'_>, store: &Store) -> Result<Value, ApiError> {
    let name = key_owner_param(call)?;
    let user = user(store.account(call.account_id), name)?;
    let keys: Vec<Value> = user
        .access_keys
        .iter()
        .map(|k| {
            json!({"AccessKeyId": k.access_key_id, "Status": k.status, "CreateDate": k.create_date})
        })
        .collect();
    Ok(json!({ "AccessKeys": { "AccessKey": keys } }))
}

fn delete_access_key(call: &RamCall<'_>, store: &mut Store) -> Result<Value, ApiError> {
    let key_id = call.params.required("UserAccessKeyId")?;
    let name = key_owner_param(call)?;
    let user = user_mut(store.account_mut(call.account_id), name)?;
    let before = user.access_keys.len();
    user.access_keys.retain(|k| k.access_key_id != key_id);
    if user.access_keys.len() == before {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "EntityNotExist.User.AccessKey",
            "The access key does not exist.",
        ));
    }
    Ok(json!({}))
}

fn already_attached() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "EntityAlreadyExists.User.Policy",
        "The policy is already attached to the user.",
    )
}

/// Attaches a policy to `user` (not yet or already in `account`), with the API's checks.
fn attach(
    account: &AccountRoles,
    user: &mut User,
    policy_type: &str,
    policy_name: &str,
    date: &str,
) -> Result<(), ApiError> {
    check_policy_type(policy_type)?;
    check_policy_name(policy_name)?;
    check_policy_exists(Some(account), policy_type, policy_name)?;
    if user
        .attachments
        .iter()
        .any(|a| a.policy_name == policy_name && a.policy_type == policy_type)
    {
        return Err(already_attached());
    }
    let attached = user
        .attachments
        .iter()
        .filter(|a| a.policy_type == policy_type)
        .count();
    // RAM's per-user figures are the per-role ones (20 system, 10 custom).
    if check_policy_count(policy_type, attached + 1).is_err() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "LimitExceeded.User.Policy",
            format!(
                "The count of {} policies attached to the user beyond the current limits ({attached}).",
                policy_type.to_ascii_lowercase()
            ),
        ));
    }
    user.attachments.push(Attachment {
        policy_name: policy_name.to_owned(),
        policy_type: policy_type.to_owned(),
        attach_date: date.to_owned(),
        visible_after_ms: None,
    });
    Ok(())
}

fn attach_policy_to_user(call: &RamCall<'_>, store: &mut Store) -> Result<Value, ApiError> {
    let params = call.params;
    let policy_type = policy_type_param(params)?;
    let policy_name = policy_name_param(params)?;
    let name = user_name_param(params)?;
    let account = store.account_mut(call.account_id);
    let mut user = user(Some(account), name)?.clone();
    attach(
        account,
        &mut user,
        policy_type,
        policy_name,
        &format_date(call.now),
    )?;
    account.users.insert(name.to_owned(), user);
    Ok(json!({}))
}

fn detach_policy_from_user(call: &RamCall<'_>, store: &mut Store) -> Result<Value, ApiError> {
    let params = call.params;
    let policy_type = policy_type_param(params)?;
    let policy_name = policy_name_param(params)?;
    let name = user_name_param(params)?;
    let user = user_mut(store.account_mut(call.account_id), name)?;
    let before = user.attachments.len();
    user.attachments
        .retain(|a| !(a.policy_name == policy_name && a.policy_type == policy_type));
    if user.attachments.len() == before {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "EntityNotExist.User.Policy",
            "The policy is not attached to the user.",
        ));
    }
    Ok(json!({}))
}

fn list_policies_for_user(call: &RamCall<'_>, store: &Store) -> Result<Value, ApiError> {
    let name = user_name_param(call.params)?;
    let account = store.account(call.account_id);
    let user = user(account, name)?;
    let policies: Vec<Value> = user
        .attachments
        .iter()
        .map(|a| attached_policy_body(account, a))
        .collect();
    Ok(json!({ "Policies": { "Policy": policies } }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_allow_underscore_and_at() {
        check_user_name("terraform_ci@example.com").unwrap();
        check_user_name("a.b-c").unwrap();
        assert_eq!(
            check_user_name("a b").unwrap_err().code,
            "InvalidParameter.UserName.InvalidChars"
        );
        assert_eq!(
            check_user_name(&"a".repeat(65)).unwrap_err().code,
            "InvalidParameter.UserName.Length"
        );
    }

    #[test]
    fn access_key_debug_hides_the_secret() {
        let key = AccessKey {
            access_key_id: "LTAI5tX".into(),
            access_key_secret: "very-secret".into(),
            status: "Active".into(),
            create_date: "2026-01-01T00:00:00Z".into(),
        };
        assert!(!format!("{key:?}").contains("very-secret"));
    }
}
