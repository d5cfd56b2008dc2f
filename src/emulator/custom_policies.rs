//! Permission policies of RAM 2015-05-01: an account's custom policies (`CreatePolicy`, `GetPolicy`,
//! `DeletePolicy`, `ListPolicies`) beside the system policies of the catalog, and the one lookup every attachment
//! goes through, so a role or a user can only carry a policy that exists.
//!
//! A custom policy has one version, `v1`, its default: the emulator serves no `CreatePolicyVersion`.

use super::error::ApiError;
use super::policy_catalog::{SYSTEM_POLICIES, find_system_policy};
use super::ram::{RamCall, RamHandler, check_date, check_description};
use super::store::{AccountRoles, Attachment, Store, format_date};
use crate::ram::permission_policy::{
    MALFORMED_POLICY_DOCUMENT, MAX_DOCUMENT_CHARS, PermissionPolicy, PolicyDocumentError,
};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::{Arc, OnceLock};

/// Custom policies one account may hold (RAM's limits page: 1500, adjustable).
pub const MAX_CUSTOM_POLICIES: usize = 1500;
/// The version id of every custom policy (no versions are added after creation).
const CUSTOM_DEFAULT_VERSION: &str = "v1";
/// The creation and update date `GetPolicy` and `ListPolicies` report for every catalog policy (the catalog has
/// no dates).
pub const CATALOG_DATE: &str = "2015-01-23T12:33:18Z";

/// A custom policy of one account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomPolicy {
    /// The policy name.
    pub policy_name: String,
    /// The description, possibly empty.
    pub description: String,
    /// The policy document, as given to `CreatePolicy`.
    pub document: String,
    /// `CreateDate`, formatted.
    pub create_date: String,
    /// `UpdateDate`, formatted.
    pub update_date: String,
    /// `document` parsed, on first use (see [`CustomPolicy::policy`]); never saved.
    #[serde(skip)]
    pub parsed: ParsedDocument,
}

impl CustomPolicy {
    /// The document as a policy; `None` when it does not parse (`CreatePolicy` and the accounts file accept only
    /// documents that do). Parsed once, on first use: authorization reads the caller's policies on every request,
    /// and a custom policy's document never changes after `CreatePolicy`.
    pub fn policy(&self) -> Option<&PermissionPolicy> {
        self.parsed
            .0
            .get_or_init(|| PermissionPolicy::parse(&self.document).ok())
            .as_ref()
    }
}

/// The parsed form of a [`CustomPolicy`]'s document, shared by the copies of the store a request works on (so
/// it is parsed once however often the store is copied). Not part of the policy's value: it equals any other, and
/// shows as `..` in debug output.
#[derive(Clone, Default)]
pub struct ParsedDocument(Arc<OnceLock<Option<PermissionPolicy>>>);

impl PartialEq for ParsedDocument {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for ParsedDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("..")
    }
}

/// The policy actions, dispatched beside [`super::ram::RAM_ACTIONS`].
pub const POLICY_ACTIONS: &[(&str, RamHandler)] = &[
    ("CreatePolicy", RamHandler::Write(create_policy)),
    ("GetPolicy", RamHandler::Read(get_policy)),
    ("DeletePolicy", RamHandler::Write(delete_policy)),
    ("ListPolicies", RamHandler::Read(list_policies)),
];

/// What `ListPoliciesFor*` shows of an attached policy: its description and default version.
pub fn policy_summary(account: Option<&AccountRoles>, attachment: &Attachment) -> (String, String) {
    if attachment.policy_type == "Custom" {
        let custom = account.and_then(|a| a.policies.get(&attachment.policy_name));
        return (
            custom.map(|p| p.description.clone()).unwrap_or_default(),
            CUSTOM_DEFAULT_VERSION.to_owned(),
        );
    }
    let system = find_system_policy(&attachment.policy_name);
    (
        system.map_or("", |p| p.description).to_owned(),
        system.map_or("v1", |p| p.default_version).to_owned(),
    )
}

/// The body of one attached policy in `ListPoliciesForRole` and `ListPoliciesForUser`.
pub fn attached_policy_body(account: Option<&AccountRoles>, attachment: &Attachment) -> Value {
    let (description, default_version) = policy_summary(account, attachment);
    json!({
        "PolicyName": attachment.policy_name,
        "PolicyType": attachment.policy_type,
        "Description": description,
        "DefaultVersion": default_version,
        "AttachDate": attachment.attach_date,
    })
}

/// Checks that the policy `policy_type`/`policy_name` exists for `account`: a catalog policy for `System`, one of
/// the account's own for `Custom`. `EntityNotExist.Policy` otherwise, as RAM answers an attachment of an unknown
/// policy.
pub fn check_policy_exists(
    account: Option<&AccountRoles>,
    policy_type: &str,
    policy_name: &str,
) -> Result<(), ApiError> {
    let exists = match policy_type {
        "System" => find_system_policy(policy_name).is_some(),
        "Custom" => account.is_some_and(|a| a.policies.contains_key(policy_name)),
        _ => false,
    };
    if exists {
        Ok(())
    } else {
        Err(policy_not_found(policy_name))
    }
}

/// 404 `EntityNotExist.Policy`.
pub fn policy_not_found(policy_name: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "EntityNotExist.Policy",
        format!("The policy does not exist: {policy_name}."),
    )
}

/// Validates a permission policy document with RAM's grammar ([`PermissionPolicy::parse`]): too long is
/// `InvalidParameter.<parameter>.Length`, anything else RAM cannot read `MalformedPolicyDocument`, with the
/// parser's explanation.
pub fn check_policy_document(document: &str, parameter: &str) -> Result<(), ApiError> {
    match PermissionPolicy::parse(document) {
        Ok(_) => Ok(()),
        Err(e @ PolicyDocumentError::TooLong { .. }) => Err(ApiError::invalid(
            &format!("{parameter}.Length"),
            format!(
                "The parameter - \"{parameter}\" is beyond the length limit {MAX_DOCUMENT_CHARS}: {e}."
            ),
        )),
        Err(e) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            MALFORMED_POLICY_DOCUMENT,
            format!("{e}."),
        )),
    }
}

/// Checks a custom policy of account `owner`, stored under `key`, with the rules `CreatePolicy` applies.
pub fn check_stored_policy(key: &str, policy: &CustomPolicy) -> Result<(), ApiError> {
    super::ram::check_policy_name(&policy.policy_name)?;
    if key != policy.policy_name {
        return Err(ApiError::invalid(
            "PolicyName",
            format!("The policy is stored under the different name \"{key}\"."),
        ));
    }
    check_description(&policy.description, "Description")?;
    check_policy_document(&policy.document, "PolicyDocument")?;
    check_date("CreateDate", &policy.create_date)?;
    check_date("UpdateDate", &policy.update_date)
}

/// How many roles and users of `account` carry the policy.
fn attachment_count(account: Option<&AccountRoles>, policy_type: &str, policy_name: &str) -> usize {
    let Some(account) = account else {
        return 0;
    };
    let same = |a: &&Attachment| a.policy_type == policy_type && a.policy_name == policy_name;
    let on_roles = account
        .roles
        .values()
        .flat_map(|r| &r.attachments)
        .filter(same)
        .count();
    let on_users = account
        .users
        .values()
        .flat_map(|u| &u.attachments)
        .filter(same)
        .count();
    on_roles + on_users
}

/// Inserts `policy` into `account`, as `CreatePolicy` and a declared policy of the accounts file do.
pub fn insert_policy(account: &mut AccountRoles, policy: CustomPolicy) -> Result<(), ApiError> {
    if account.policies.contains_key(&policy.policy_name) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "EntityAlreadyExists.Policy",
            "The policy already exists.",
        ));
    }
    if account.policies.len() >= MAX_CUSTOM_POLICIES {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "LimitExceeded.Policy",
            format!("The count of policies beyond the current limits ({MAX_CUSTOM_POLICIES})."),
        ));
    }
    account.policies.insert(policy.policy_name.clone(), policy);
    Ok(())
}

fn create_policy(call: &RamCall<'_>, store: &mut Store) -> Result<Value, ApiError> {
    let params = call.params;
    let name = super::ram::policy_name_param(params)?;
    let document = params.required("PolicyDocument")?;
    check_policy_document(document, "PolicyDocument")?;
    let description = super::ram::description_param(params, "Description")?.unwrap_or_default();
    let now = format_date(call.now);
    let policy = CustomPolicy {
        policy_name: name.to_owned(),
        description: description.to_owned(),
        document: document.to_owned(),
        create_date: now.clone(),
        update_date: now,
        parsed: ParsedDocument::default(),
    };
    let body = json!({
        "Policy": {
            "PolicyName": policy.policy_name,
            "PolicyType": "Custom",
            "Description": policy.description,
            "DefaultVersion": CUSTOM_DEFAULT_VERSION,
            "CreateDate": policy.create_date,
        }
    });
    insert_policy(store.account_mut(call.account_id), policy)?;
    Ok(body)
}

/// `GetPolicy`: a catalog policy (`System`) or one of the account's custom policies, with the default version's
/// document (for system policies, those that grant RAM and STS permissions: the catalog models no others).
fn get_policy(call: &RamCall<'_>, store: &Store) -> Result<Value, ApiError> {
    let policy_type = super::ram::policy_type_param(call.params)?;
    let policy_name = super::ram::policy_name_param(call.params)?;
    let account = store.account(call.account_id);
    check_policy_exists(account, policy_type, policy_name)?;
    let attachments = attachment_count(account, policy_type, policy_name);
    let (description, version, created, updated, document) = match policy_type {
        "Custom" => {
            let Some(policy) = account.and_then(|a| a.policies.get(policy_name)) else {
                return Err(policy_not_found(policy_name));
            };
            (
                policy.description.as_str(),
                CUSTOM_DEFAULT_VERSION,
                policy.create_date.as_str(),
                policy.update_date.as_str(),
                Some(policy.document.as_str()),
            )
        }
        _ => {
            let Some(policy) = find_system_policy(policy_name) else {
                return Err(policy_not_found(policy_name));
            };
            (
                policy.description,
                policy.default_version,
                CATALOG_DATE,
                CATALOG_DATE,
                policy.document(),
            )
        }
    };
    let mut body = json!({
        "Policy": {
            "PolicyName": policy_name,
            "PolicyType": policy_type,
            "Description": description,
            "DefaultVersion": version,
            "CreateDate": created,
            "UpdateDate": updated,
            "AttachmentCount": attachments,
        },
        "DefaultPolicyVersion": {
            "VersionId": version,
            "IsDefaultVersion": true,
            "CreateDate": updated,
        },
    });
    if let Some(document) = document {
        body["Policy"]["PolicyDocument"] = Value::String(document.to_owned());
        body["DefaultPolicyVersion"]["PolicyDocument"] = Value::String(document.to_owned());
    }
    Ok(body)
}

fn delete_policy(call: &RamCall<'_>, store: &mut Store) -> Result<Value, ApiError> {
    let policy_name = super::ram::policy_name_param(call.params)?;
    let account = store.account_mut(call.account_id);
    if !account.policies.contains_key(policy_name) {
        return Err(policy_not_found(policy_name));
    }
    let carries = |attachments: &[Attachment]| {
        attachments
            .iter()
            .any(|a| a.policy_type == "Custom" && a.policy_name == policy_name)
    };
    if account.users.values().any(|u| carries(&u.attachments)) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "DeleteConflict.Policy.User",
            "The policy CAN NOT be deleted while it is attached to a user.",
        ));
    }
    if account.roles.values().any(|r| carries(&r.attachments)) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "DeleteConflict.Policy.Role",
            "The policy CAN NOT be deleted while it is attached to a role.",
        ));
    }
    account.policies.remove(policy_name);
    Ok(json!({}))
}

/// `ListPolicies`: the catalog's system policies, then the account's custom ones, each by name; `PolicyType`
/// selects one kind, `Marker`/`MaxItems` page through them.
fn list_policies(call: &RamCall<'_>, store: &Store) -> Result<Value, ApiError> {
    let params = call.params;
    let wanted = params.optional("PolicyType");
    if let Some(kind) = wanted {
        super::ram::check_policy_type(kind)?;
    }
    let max_items = super::ram::max_items_param(params)?;
    let account = store.account(call.account_id);
    let mut system: Vec<_> = SYSTEM_POLICIES.iter().collect();
    system.sort_by_key(|p| p.name);
    let mut items: Vec<Value> = Vec::new();
    if wanted.is_none_or(|k| k == "System") {
        items.extend(system.iter().map(|p| {
            json!({
                "PolicyName": p.name,
                "PolicyType": "System",
                "Description": p.description,
                "DefaultVersion": p.default_version,
                "CreateDate": CATALOG_DATE,
                "UpdateDate": CATALOG_DATE,
                "AttachmentCount": attachment_count(account, "System", p.name),
            })
        }));
    }
    if wanted.is_none_or(|k| k == "Custom") {
        items.extend(
            account
                .into_iter()
                .flat_map(|a| a.policies.values())
                .map(|p| {
                    json!({
                        "PolicyName": p.policy_name,
                        "PolicyType": "Custom",
                        "Description": p.description,
                        "DefaultVersion": CUSTOM_DEFAULT_VERSION,
                        "CreateDate": p.create_date,
                        "UpdateDate": p.update_date,
                        "AttachmentCount": attachment_count(account, "Custom", &p.policy_name),
                    })
                }),
        );
    }
    super::ram::marker_page(
        params,
        &items,
        max_items,
        ("Policies", "Policy"),
        Value::clone,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_need_version_statements_effect_action_and_resource() {
        let ok = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"ram:Get*","Resource":"*"}]}"#;
        check_policy_document(ok, "PolicyDocument").unwrap();
        for bad in [
            "not json",
            r#"{"Version":"2","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
            r#"{"Version":"1","Statement":[]}"#,
            r#"{"Version":"1","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}"#,
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Resource":"*"}]}"#,
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"*"}]}"#,
        ] {
            let err = check_policy_document(bad, "PolicyDocument").unwrap_err();
            assert_eq!(err.code, "MalformedPolicyDocument", "{bad}");
        }
        let long = format!("{{\"Version\":\"1\",\"x\":\"{}\"}}", "a".repeat(6200));
        assert_eq!(
            check_policy_document(&long, "PolicyDocument")
                .unwrap_err()
                .code,
            "InvalidParameter.PolicyDocument.Length"
        );
    }
}
