//! The RAM actions (API version 2015-05-01) on roles, their policy attachments and tags: parameter rules,
//! error codes and response shapes as the real service has them.

use super::auth::Caller;
use super::custom_policies::{attached_policy_body, check_policy_exists};
use super::error::ApiError;
use super::params::Params;
use super::store::{Attachment, DATE_FORMAT, Role, Store, format_date, is_visible};
use super::trust_policy;
use crate::ram::role_rules::{check_policy_count, reserved_tag_key_text};
use axum::http::StatusCode;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use rand::Rng as _;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Tags one resource may carry.
pub const MAX_TAGS_PER_RESOURCE: usize = 20;
/// Resources one tag call may name.
const MAX_RESOURCE_NAMES: usize = 50;
/// Longest description accepted.
const MAX_DESCRIPTION_CHARS: usize = 1024;
/// Allowed `MaxSessionDuration` range, in seconds.
const SESSION_DURATION_RANGE: std::ops::RangeInclusive<i64> = 3600..=43200;
/// `MaxSessionDuration` when none is given.
const DEFAULT_MAX_SESSION_DURATION: i64 = 3600;

/// One RAM call as the handlers see it: parameters, the caller's account and the clock.
#[derive(Debug)]
pub struct RamCall<'a> {
    /// The request parameters.
    pub params: &'a Params,
    /// The account the caller belongs to; roles are read and written there.
    pub account_id: &'a str,
    /// Who signed the request.
    pub caller: &'a Caller,
    /// The time of the request.
    pub now: DateTime<Utc>,
    /// Milliseconds during which a new role or attachment stays invisible to reads (and a new role to writes naming it).
    pub consistency_delay_ms: u64,
    /// Roles one account may hold (`--role-quota`).
    pub role_quota: usize,
}

impl RamCall<'_> {
    fn now_ms(&self) -> i64 {
        self.now.timestamp_millis()
    }

    fn visible_after_ms(&self) -> Option<i64> {
        let delay = i64::try_from(self.consistency_delay_ms).unwrap_or(i64::MAX);
        (delay > 0).then(|| self.now_ms().saturating_add(delay))
    }
}

/// An action that reads the store.
pub type ReadAction = fn(&RamCall<'_>, &Store) -> Result<Value, ApiError>;
/// An action that changes the store; on error it leaves the store as it was.
pub type WriteAction = fn(&RamCall<'_>, &mut Store) -> Result<Value, ApiError>;

/// How an action touches the store.
#[derive(Debug, Clone, Copy)]
pub enum RamHandler {
    /// Reads only.
    Read(ReadAction),
    /// Changes the store (counted as a write and persisted).
    Write(WriteAction),
}

/// The RAM actions the emulator serves.
pub const RAM_ACTIONS: &[(&str, RamHandler)] = &[
    ("CreateRole", RamHandler::Write(create_role)),
    ("GetRole", RamHandler::Read(get_role)),
    ("UpdateRole", RamHandler::Write(update_role)),
    ("DeleteRole", RamHandler::Write(delete_role)),
    ("ListRoles", RamHandler::Read(list_roles)),
    (
        "AttachPolicyToRole",
        RamHandler::Write(attach_policy_to_role),
    ),
    (
        "DetachPolicyFromRole",
        RamHandler::Write(detach_policy_from_role),
    ),
    (
        "ListPoliciesForRole",
        RamHandler::Read(list_policies_for_role),
    ),
    ("TagResources", RamHandler::Write(tag_resources)),
    ("UntagResources", RamHandler::Write(untag_resources)),
    ("ListTagResources", RamHandler::Read(list_tag_resources)),
];

/// The handler of RAM action `name`: a role action, a user action or a policy action.
pub fn find_action(name: &str) -> Option<RamHandler> {
    RAM_ACTIONS
        .iter()
        .chain(super::users::USER_ACTIONS)
        .chain(super::custom_policies::POLICY_ACTIONS)
        .find(|(action, _)| *action == name)
        .map(|(_, handler)| *handler)
}

// ---- parameter rules -------------------------------------------------------------------------------------

fn role_name_param<'p>(params: &'p Params, name: &str) -> Result<&'p str, ApiError> {
    let value = params.required(name)?;
    check_role_name(value, name)?;
    Ok(value)
}

fn check_role_name(value: &str, name: &str) -> Result<(), ApiError> {
    if value.is_empty() {
        return Err(ApiError::missing(name));
    }
    if value.chars().count() > 64 {
        return Err(ApiError::invalid(
            &format!("{name}.Length"),
            format!("The parameter - \"{name}\" is beyond the length limit 64."),
        ));
    }
    if !value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    {
        return Err(ApiError::invalid(
            &format!("{name}.InvalidChars"),
            format!("The parameter - \"{name}\" contains invalid chars."),
        ));
    }
    Ok(())
}

pub(super) fn description_param<'p>(
    params: &'p Params,
    name: &str,
) -> Result<Option<&'p str>, ApiError> {
    let value = params.get(name);
    if let Some(value) = value {
        // The API reference allows 1 to 1024 characters: a description cannot be cleared with an empty one. (A
        // stored role without a description has an empty one, so only parameters are held to this.)
        if value.is_empty() {
            return Err(ApiError::invalid(
                "Description.Length",
                format!(
                    "The parameter - \"{name}\" must be 1 to {MAX_DESCRIPTION_CHARS} characters."
                ),
            ));
        }
        check_description(value, name)?;
    }
    Ok(value)
}

pub(super) fn check_description(value: &str, name: &str) -> Result<(), ApiError> {
    if value.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(ApiError::invalid(
            "Description.Length",
            format!(
                "The parameter - \"{name}\" is beyond the length limit {MAX_DESCRIPTION_CHARS}."
            ),
        ));
    }
    Ok(())
}

fn session_duration_param(params: &Params, name: &str) -> Result<Option<i64>, ApiError> {
    let value = params.optional_int(name)?;
    if let Some(value) = value {
        check_session_duration(value, name)?;
    }
    Ok(value)
}

fn check_session_duration(value: i64, name: &str) -> Result<(), ApiError> {
    if !SESSION_DURATION_RANGE.contains(&value) {
        return Err(ApiError::invalid(
            "MaxSessionDuration",
            format!("The parameter - \"{name}\" must be between 3600 and 43200."),
        ));
    }
    Ok(())
}

fn policy_document_param(
    params: &Params,
    name: &str,
    owner: &str,
    required: bool,
) -> Result<Option<String>, ApiError> {
    let value = if required {
        Some(params.required(name)?)
    } else {
        params.optional(name)
    };
    value
        .map(|document| trust_policy::normalize(document, name, owner))
        .transpose()
}

pub(super) fn policy_type_param(params: &Params) -> Result<&str, ApiError> {
    let kind = params.required("PolicyType")?;
    check_policy_type(kind)?;
    Ok(kind)
}

pub(super) fn check_policy_type(kind: &str) -> Result<(), ApiError> {
    match kind {
        "System" | "Custom" => Ok(()),
        _ => Err(ApiError::invalid(
            "PolicyType",
            "The parameter - \"PolicyType\" is incorrect.",
        )),
    }
}

pub(super) fn policy_name_param(params: &Params) -> Result<&str, ApiError> {
    let name = params.required("PolicyName")?;
    check_policy_name(name)?;
    Ok(name)
}

pub(super) fn check_policy_name(name: &str) -> Result<(), ApiError> {
    if name.is_empty() {
        return Err(ApiError::missing("PolicyName"));
    }
    if name.chars().count() > 128 {
        return Err(ApiError::invalid(
            "PolicyName.Length",
            "The parameter - \"PolicyName\" is beyond the length limit 128.",
        ));
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(ApiError::invalid(
            "PolicyName.InvalidChars",
            "The parameter - \"PolicyName\" contains invalid chars.",
        ));
    }
    Ok(())
}

/// One element of a `Tag` JSON parameter.
#[derive(Debug, Deserialize)]
struct TagParam {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "Value", default)]
    value: Option<String>,
}

fn tags_param(params: &Params, required: bool) -> Result<Vec<(String, String)>, ApiError> {
    let tags: Option<Vec<TagParam>> = params.optional_json("Tag")?;
    let tags = match tags {
        Some(tags) => tags,
        None if required => return Err(ApiError::missing("Tag")),
        None => return Ok(Vec::new()),
    };
    check_tag_count(tags.len())?;
    tags.into_iter()
        .map(|tag| {
            let value = tag.value.unwrap_or_default();
            check_tag(&tag.key, &value)?;
            Ok((tag.key, value))
        })
        .collect()
}

fn check_tag_count(count: usize) -> Result<(), ApiError> {
    if count > MAX_TAGS_PER_RESOURCE {
        return Err(ApiError::invalid(
            "Tag.Count",
            format!("At most {MAX_TAGS_PER_RESOURCE} tags may be given."),
        ));
    }
    Ok(())
}

fn check_tag(key: &str, value: &str) -> Result<(), ApiError> {
    check_tag_key(key)?;
    if value.chars().count() > 256 {
        return Err(ApiError::invalid(
            "Tag.Value",
            "The tag value is beyond the length limit 256.",
        ));
    }
    Ok(())
}

fn check_tag_key(key: &str) -> Result<(), ApiError> {
    if key.is_empty() || key.chars().count() > 128 {
        return Err(ApiError::invalid(
            "Tag.Key",
            "The tag key must be 1 to 128 characters long.",
        ));
    }
    // The provider's plan-time check and RAM's refusal are one rule, kept with the domain's role rules.
    if reserved_tag_key_text(key).is_some() {
        return Err(ApiError::invalid(
            "Tag.Key",
            "The tag key must not start with aliyun or acs:, nor contain http:// or https://.",
        ));
    }
    Ok(())
}

fn resource_names_param(params: &Params, required: bool) -> Result<Option<Vec<String>>, ApiError> {
    let names: Option<Vec<String>> = params.optional_json("ResourceNames")?;
    match names {
        None if required => Err(ApiError::missing("ResourceNames")),
        Some(names) if names.is_empty() || names.len() > MAX_RESOURCE_NAMES => {
            Err(ApiError::invalid(
                "ResourceNames",
                format!(
                    "The parameter - \"ResourceNames\" must name 1 to {MAX_RESOURCE_NAMES} resources."
                ),
            ))
        }
        names => Ok(names),
    }
}

/// Only roles carry tags here: tags on custom policies are not emulated, so `policy` names nothing.
fn resource_type_param(params: &Params) -> Result<(), ApiError> {
    match params.required("ResourceType")? {
        "role" => Ok(()),
        "policy" => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "EntityNotExist.Policy",
            "The policy does not exist.",
        )),
        _ => Err(ApiError::invalid(
            "ResourceType",
            "The parameter - \"ResourceType\" must be role or policy.",
        )),
    }
}

/// `MaxItems` of the `List*` actions paged by `Marker`: 1 to 1000, 100 when left out.
pub(super) fn max_items_param(params: &Params) -> Result<i64, ApiError> {
    let max_items = params.optional_int("MaxItems")?.unwrap_or(100);
    if !(1..=1000).contains(&max_items) {
        return Err(ApiError::invalid(
            "MaxItems",
            "The parameter - \"MaxItems\" must be between 1 and 1000.",
        ));
    }
    Ok(max_items)
}

/// The position a `Marker` or `NextToken` points at (0 without one).
pub(super) fn page_token(value: Option<&str>, name: &str) -> Result<u64, ApiError> {
    let Some(token) = value else {
        return Ok(0);
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("page:")?.parse().ok())
        .ok_or_else(|| ApiError::invalid(name, format!("The parameter - \"{name}\" is invalid.")))
}

pub(super) fn encode_page_token(position: u64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("page:{position}"))
}

/// One `Marker`/`MaxItems` page of `items`, as RAM's `List*` actions answer it: `{"IsTruncated": .., outer:
/// {inner: [..]}}`, with a `Marker` when more follow. `max_items` is the caller's, already checked (its bounds
/// differ by action); the `Marker` is read here.
pub(super) fn marker_page<T>(
    params: &Params,
    items: &[T],
    max_items: i64,
    (outer, inner): (&str, &str),
    render: impl Fn(&T) -> Value,
) -> Result<Value, ApiError> {
    let start =
        usize::try_from(page_token(params.optional("Marker"), "Marker")?).unwrap_or(usize::MAX);
    let end = items
        .len()
        .min(start.saturating_add(usize::try_from(max_items).unwrap_or(usize::MAX)));
    let page: Vec<Value> = items
        .get(start..end)
        .unwrap_or_default()
        .iter()
        .map(render)
        .collect();
    let truncated = end < items.len();
    let mut body = serde_json::Map::new();
    body.insert("IsTruncated".to_owned(), Value::Bool(truncated));
    body.insert(outer.to_owned(), json!({ inner: page }));
    if truncated {
        body.insert(
            "Marker".to_owned(),
            Value::String(encode_page_token(end as u64)),
        );
    }
    Ok(Value::Object(body))
}

// ---- stored roles ----------------------------------------------------------------------------------------

/// Checks a role of account `owner`, stored under `key`, with the rules the API applies when it writes one, so a
/// hand-edited state file cannot hold what the API would never have stored. The error's code names the rule.
pub fn check_stored_role(owner: &str, key: &str, role: &Role) -> Result<(), ApiError> {
    check_role_name(&role.role_name, "RoleName")?;
    if key != role.role_name {
        return Err(ApiError::invalid(
            "RoleName",
            format!("The role is stored under the different name \"{key}\"."),
        ));
    }
    if role.role_id.is_empty() || !role.role_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid(
            "RoleId",
            "The role id must be digits only.",
        ));
    }
    check_description(&role.description, "Description")?;
    trust_policy::normalize(&role.trust_policy, "AssumeRolePolicyDocument", owner)?;
    check_session_duration(role.max_session_duration, "MaxSessionDuration")?;
    for (name, date) in [
        ("CreateDate", &role.create_date),
        ("UpdateDate", &role.update_date),
    ] {
        check_date(name, date)?;
    }
    check_tag_count(role.tags.len())?;
    for (key, value) in &role.tags {
        check_tag(key, value)?;
    }
    for (i, attachment) in role.attachments.iter().enumerate() {
        check_policy_type(&attachment.policy_type)?;
        check_policy_name(&attachment.policy_name)?;
        check_date("AttachDate", &attachment.attach_date)?;
        let same = |a: &Attachment| {
            a.policy_name == attachment.policy_name && a.policy_type == attachment.policy_type
        };
        if role.attachments[..i].iter().any(same) {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "EntityAlreadyExists.Role.Policy",
                format!("The policy {} is attached twice.", attachment.policy_name),
            ));
        }
    }
    for policy_type in ["System", "Custom"] {
        let count = role
            .attachments
            .iter()
            .filter(|a| a.policy_type == policy_type)
            .count();
        check_policy_count(policy_type, count).map_err(|e| {
            ApiError::new(
                StatusCode::CONFLICT,
                "LimitExceeded.Role.Policy",
                format!("The role carries too many policies: {e}."),
            )
        })?;
    }
    Ok(())
}

pub(super) fn check_date(name: &str, value: &str) -> Result<(), ApiError> {
    match chrono::NaiveDateTime::parse_from_str(value, DATE_FORMAT) {
        Ok(_) => Ok(()),
        Err(_) => Err(ApiError::invalid(
            name,
            format!("\"{value}\" is not a date of the form YYYY-MM-DDThh:mm:ssZ."),
        )),
    }
}

// ---- response shapes -------------------------------------------------------------------------------------

fn role_body(role: &Role, owner: &str) -> Value {
    json!({
        "RoleId": role.role_id,
        "RoleName": role.role_name,
        "Arn": role.arn(owner),
        "Description": role.description,
        "AssumeRolePolicyDocument": role.trust_policy,
        "MaxSessionDuration": role.max_session_duration,
        "CreateDate": role.create_date,
        "UpdateDate": role.update_date,
        "AllowConsoleLogin": role.allow_console_login,
    })
}

fn tags_body(tags: &BTreeMap<String, String>) -> Value {
    let tags: Vec<Value> = tags
        .iter()
        .map(|(k, v)| json!({"TagKey": k, "TagValue": v}))
        .collect();
    json!({ "Tag": tags })
}

fn new_role_id() -> String {
    let mut rng = rand::rng();
    // Numeric, 19 digits, never starting with 0, like real role ids.
    let mut id = String::from("3");
    for _ in 0..18 {
        id.push(char::from(b'0' + rng.random_range(0..10u8)));
    }
    id
}

// ---- actions ---------------------------------------------------------------------------------------------

/// The role a write names. Inside the consistency window a new role is as unknown to writes as to reads: RAM
/// answers `EntityNotExist.Role` to an AttachPolicyToRole sent right after CreateRole (alicloud provider PR #3945).
fn writable_role<'a>(
    call: &RamCall<'_>,
    store: &'a mut Store,
    name: &str,
) -> Result<&'a mut Role, ApiError> {
    let now_ms = call.now_ms();
    store
        .account_mut(call.account_id)
        .roles
        .get_mut(name)
        .filter(|r| r.is_visible(now_ms))
        .ok_or_else(|| ApiError::role_not_found(name))
}

fn create_role(call: &RamCall<'_>, store: &mut Store) -> Result<Value, ApiError> {
    let params = call.params;
    let name = role_name_param(params, "RoleName")?;
    let trust_policy =
        policy_document_param(params, "AssumeRolePolicyDocument", call.account_id, true)?
            .unwrap_or_default();
    let description = description_param(params, "Description")?.unwrap_or_default();
    let max_session_duration = session_duration_param(params, "MaxSessionDuration")?
        .unwrap_or(DEFAULT_MAX_SESSION_DURATION);
    let allow_console_login = params.optional_bool("AllowConsoleLogin")?.unwrap_or(false);
    let tags = tags_param(params, false)?;

    let seq = store.next_role_seq;
    let account = store.account_mut(call.account_id);
    if account.roles.contains_key(name) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "EntityAlreadyExists.Role",
            "The role does already EXIST.",
        ));
    }
    if account.roles.len() >= call.role_quota {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "LimitExceeded.Role",
            format!(
                "The count of roles beyond the current limits ({}).",
                call.role_quota
            ),
        ));
    }
    let now = format_date(call.now);
    let role = Role {
        role_id: new_role_id(),
        role_name: name.to_owned(),
        description: description.to_owned(),
        trust_policy,
        max_session_duration,
        allow_console_login,
        create_date: now.clone(),
        update_date: now,
        tags: tags.into_iter().collect(),
        attachments: Vec::new(),
        seq,
        visible_after_ms: call.visible_after_ms(),
    };
    let mut body = role_body(&role, call.account_id);
    if let Some(fields) = body.as_object_mut() {
        // CreateRole answers without UpdateDate.
        fields.remove("UpdateDate");
    }
    account.roles.insert(role.role_name.clone(), role);
    store.next_role_seq = seq + 1;
    Ok(json!({ "Role": body }))
}

fn get_role(call: &RamCall<'_>, store: &Store) -> Result<Value, ApiError> {
    let name = role_name_param(call.params, "RoleName")?;
    let role = store
        .visible_role(call.account_id, name, call.now_ms())
        .ok_or_else(|| ApiError::role_not_found(name))?;
    let mut body = role_body(role, call.account_id);
    if let Some(fields) = body.as_object_mut() {
        fields.insert("IsServiceLinkedRole".into(), Value::Bool(false));
    }
    Ok(json!({ "Role": body }))
}

fn update_role(call: &RamCall<'_>, store: &mut Store) -> Result<Value, ApiError> {
    let params = call.params;
    let name = role_name_param(params, "RoleName")?;
    let trust_policy = policy_document_param(
        params,
        "NewAssumeRolePolicyDocument",
        call.account_id,
        false,
    )?;
    let description = description_param(params, "NewDescription")?;
    let max_session_duration = session_duration_param(params, "NewMaxSessionDuration")?;
    let allow_console_login = params.optional_bool("NewAllowConsoleLogin")?;
    let role = writable_role(call, store, name)?;
    if let Some(trust_policy) = trust_policy {
        role.trust_policy = trust_policy;
    }
    if let Some(description) = description {
        role.description = description.to_owned();
    }
    if let Some(duration) = max_session_duration {
        role.max_session_duration = duration;
    }
    if let Some(allow) = allow_console_login {
        role.allow_console_login = allow;
    }
    role.update_date = format_date(call.now);
    Ok(json!({ "Role": role_body(role, call.account_id) }))
}

fn delete_role(call: &RamCall<'_>, store: &mut Store) -> Result<Value, ApiError> {
    let name = role_name_param(call.params, "RoleName")?;
    let role = writable_role(call, store, name)?;
    if !role.attachments.is_empty() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "DeleteConflict.Role.Policy",
            "The role CAN NOT has any attached policy while deleting the role.",
        ));
    }
    store.account_mut(call.account_id).roles.remove(name);
    Ok(json!({}))
}

fn list_roles(call: &RamCall<'_>, store: &Store) -> Result<Value, ApiError> {
    let params = call.params;
    let max_items = max_items_param(params)?;
    let start = page_token(params.optional("Marker"), "Marker")?;
    let wanted_tags = tags_param(params, false)?;
    let now_ms = call.now_ms();
    let mut roles: Vec<&Role> = store
        .account(call.account_id)
        .map(|a| a.roles.values().filter(|r| r.is_visible(now_ms)).collect())
        .unwrap_or_default();
    roles.retain(|r| {
        wanted_tags
            .iter()
            .all(|(k, v)| r.tags.get(k).is_some_and(|have| have == v))
    });
    roles.sort_by_key(|r| r.seq);
    let from = roles.partition_point(|r| r.seq < start);
    let page: Vec<&Role> = roles[from..]
        .iter()
        .take(max_items as usize)
        .copied()
        .collect();
    let next = roles.get(from + page.len());
    let items: Vec<Value> = page
        .iter()
        .map(|r| {
            let mut body = role_body(r, call.account_id);
            if let Some(fields) = body.as_object_mut() {
                // The list never carries trust policies.
                fields.remove("AssumeRolePolicyDocument");
                fields.insert("Tags".into(), tags_body(&r.tags));
            }
            body
        })
        .collect();
    let mut body = json!({ "IsTruncated": next.is_some(), "Roles": { "Role": items } });
    if let (Some(next), Some(fields)) = (next, body.as_object_mut()) {
        fields.insert("Marker".into(), Value::String(encode_page_token(next.seq)));
    }
    Ok(body)
}

fn attach_policy_to_role(call: &RamCall<'_>, store: &mut Store) -> Result<Value, ApiError> {
    let params = call.params;
    let policy_type = policy_type_param(params)?;
    let policy_name = policy_name_param(params)?;
    let role_name = role_name_param(params, "RoleName")?;
    check_policy_exists(store.account(call.account_id), policy_type, policy_name)?;
    let role = writable_role(call, store, role_name)?;
    if role
        .attachments
        .iter()
        .any(|a| a.policy_name == policy_name && a.policy_type == policy_type)
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "EntityAlreadyExists.Role.Policy",
            "The policy is already attached to the role.",
        ));
    }
    let attached = role
        .attachments
        .iter()
        .filter(|a| a.policy_type == policy_type)
        .count();
    if check_policy_count(policy_type, attached + 1).is_err() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "LimitExceeded.Role.Policy",
            format!(
                "The count of {} policies attached to the role beyond the current limits ({attached}).",
                policy_type.to_ascii_lowercase()
            ),
        ));
    }
    role.attachments.push(Attachment {
        policy_name: policy_name.to_owned(),
        policy_type: policy_type.to_owned(),
        attach_date: format_date(call.now),
        visible_after_ms: call.visible_after_ms(),
    });
    Ok(json!({}))
}

fn detach_policy_from_role(call: &RamCall<'_>, store: &mut Store) -> Result<Value, ApiError> {
    let params = call.params;
    let policy_type = policy_type_param(params)?;
    let policy_name = policy_name_param(params)?;
    let role_name = role_name_param(params, "RoleName")?;
    let role = writable_role(call, store, role_name)?;
    let before = role.attachments.len();
    role.attachments
        .retain(|a| !(a.policy_name == policy_name && a.policy_type == policy_type));
    if role.attachments.len() == before {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "EntityNotExist.Role.Policy",
            "The policy is not attached to the role.",
        ));
    }
    Ok(json!({}))
}

fn list_policies_for_role(call: &RamCall<'_>, store: &Store) -> Result<Value, ApiError> {
    let role_name = role_name_param(call.params, "RoleName")?;
    let now_ms = call.now_ms();
    let role = store
        .visible_role(call.account_id, role_name, now_ms)
        .ok_or_else(|| ApiError::role_not_found(role_name))?;
    let account = store.account(call.account_id);
    let policies: Vec<Value> = role
        .attachments
        .iter()
        .filter(|a| is_visible(a.visible_after_ms, now_ms))
        .map(|a| attached_policy_body(account, a))
        .collect();
    Ok(json!({ "Policies": { "Policy": policies } }))
}

fn tag_resources(call: &RamCall<'_>, store: &mut Store) -> Result<Value, ApiError> {
    resource_type_param(call.params)?;
    let names = resource_names_param(call.params, true)?.unwrap_or_default();
    let tags = tags_param(call.params, true)?;
    let now_ms = call.now_ms();
    let account = store.account_mut(call.account_id);
    // Check every resource first so a failing call changes nothing.
    for name in &names {
        let role = account
            .roles
            .get(name)
            .filter(|r| r.is_visible(now_ms))
            .ok_or_else(|| ApiError::role_not_found(name))?;
        let mut keys: std::collections::BTreeSet<&str> =
            role.tags.keys().map(String::as_str).collect();
        keys.extend(tags.iter().map(|(k, _)| k.as_str()));
        if keys.len() > MAX_TAGS_PER_RESOURCE {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "LimitExceeded.Tag",
                format!("A resource can carry at most {MAX_TAGS_PER_RESOURCE} tags."),
            ));
        }
    }
    for name in &names {
        if let Some(role) = account.roles.get_mut(name) {
            role.tags.extend(tags.iter().cloned());
        }
    }
    Ok(json!({}))
}

fn untag_resources(call: &RamCall<'_>, store: &mut Store) -> Result<Value, ApiError> {
    resource_type_param(call.params)?;
    let names = resource_names_param(call.params, true)?.unwrap_or_default();
    let all = call.params.optional_bool("All")?.unwrap_or(false);
    let keys: Option<Vec<String>> = call.params.optional_json("TagKeys")?;
    if keys.is_none() && !all {
        return Err(ApiError::missing("TagKeys"));
    }
    let keys = keys.unwrap_or_default();
    let now_ms = call.now_ms();
    let account = store.account_mut(call.account_id);
    if let Some(missing) = names.iter().find(|n| {
        !account
            .roles
            .get(n.as_str())
            .is_some_and(|r| r.is_visible(now_ms))
    }) {
        return Err(ApiError::role_not_found(missing));
    }
    for name in &names {
        if let Some(role) = account.roles.get_mut(name) {
            if all {
                role.tags.clear();
            } else {
                role.tags.retain(|k, _| !keys.contains(k));
            }
        }
    }
    Ok(json!({}))
}

fn list_tag_resources(call: &RamCall<'_>, store: &Store) -> Result<Value, ApiError> {
    resource_type_param(call.params)?;
    let names = resource_names_param(call.params, false)?;
    let wanted_tags: Option<Vec<TagParam>> = call.params.optional_json("Tag")?;
    let page_size = call.params.optional_int("PageSize")?.unwrap_or(50);
    if !(1..=100).contains(&page_size) {
        return Err(ApiError::invalid(
            "PageSize",
            "The parameter - \"PageSize\" must be between 1 and 100.",
        ));
    }
    let start = usize::try_from(page_token(call.params.optional("NextToken"), "NextToken")?)
        .unwrap_or(usize::MAX);
    let now_ms = call.now_ms();
    let mut roles: Vec<&Role> = store
        .account(call.account_id)
        .map(|a| a.roles.values().filter(|r| r.is_visible(now_ms)).collect())
        .unwrap_or_default();
    if let Some(names) = &names {
        roles.retain(|r| names.contains(&r.role_name));
    }
    roles.sort_by_key(|r| r.seq);
    let entries: Vec<Value> = roles
        .iter()
        .flat_map(|r| {
            r.tags.iter().filter_map(|(k, v)| {
                let wanted = wanted_tags.as_ref().is_none_or(|wanted| {
                    wanted
                        .iter()
                        .any(|t| t.key == *k && t.value.as_ref().is_none_or(|want| want == v))
                });
                wanted.then(|| {
                    json!({"ResourceName": r.role_name, "ResourceType": "role", "TagKey": k, "TagValue": v})
                })
            })
        })
        .collect();
    let end = entries.len().min(start.saturating_add(page_size as usize));
    let page = entries.get(start..end).unwrap_or_default().to_vec();
    let mut body = json!({ "TagResources": page });
    if let (true, Some(fields)) = (end < entries.len(), body.as_object_mut()) {
        fields.insert(
            "NextToken".into(),
            Value::String(encode_page_token(end as u64)),
        );
    }
    Ok(body)
}
