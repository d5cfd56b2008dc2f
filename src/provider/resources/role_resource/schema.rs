//! The schema every role resource shares around its kind's own attributes, and the validators the kinds use.

use super::{RoleKind, capitalised};
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::types::Type;
use crate::framework::value::Value;
use crate::provider::resources::attributes;
use crate::ram::account::AccountId;
use crate::ram::role_rules::{
    DEFAULT_SESSION_DURATION_SECONDS, RESERVED_TAG_KEY_RULE, check_description,
    check_max_session_duration, check_policy_count, check_role_name, check_tags,
};
use crate::ram::trust_policy::rules::check_document;

/// `Err(message)` of a domain check, as a validator result.
fn checked<E: ToString>(result: Result<(), E>) -> Result<(), String> {
    result.map_err(|e| capitalised(&e.to_string()))
}

/// A trust policy document checked with RAM's rules (version, statements, action, length, duplicate keys), as a
/// diagnostic detail naming the attribute.
pub(crate) fn check_trust_policy(document: &str) -> Result<(), String> {
    check_document(document)
        .map(drop)
        .map_err(|e| format!("RAM would refuse this trust_policy: {e}."))
}

/// The policy names a role resource attaches, checked against RAM's per-role quota (all are system policies;
/// names unknown yet count too).
pub(crate) fn check_policy_names(policy_names: &Value) -> Result<(), String> {
    let count = policy_names.as_elements().map_or(0, <[Value]>::len);
    check_policy_count("System", count).map_err(|e| format!("{e}."))
}

/// Validator: a UID of all digits.
pub(crate) fn account_id_validator(v: &Value) -> Result<(), String> {
    checked(AccountId::parse(v.as_str().unwrap_or_default()).map(drop))
}

/// Validator: a RAM role name.
pub(crate) fn role_name_validator(v: &Value) -> Result<(), String> {
    checked(check_role_name(v.as_str().unwrap_or_default()))
}

pub(super) fn schema<K: RoleKind>() -> Schema {
    let mut block = Block::new(K::description())
        .attribute(Attribute::string(attributes::ID).computed().use_state_for_unknown().description("The role name."))
        .attribute(K::role_name())
        .attribute(
            Attribute::string(attributes::ACCOUNT_ID)
                .optional()
                .computed()
                .use_state_for_unknown()
                .description("UID of the account to create the role in. Defaults to the provider instance's own account; another account is reached through its role `account_role_name` (set on the provider; Resource Directory's `ResourceDirectoryAccountAccessRole` by default), assumed with the provider's credentials when Terraform plans. Changing it replaces the role.")
                .validate(account_id_validator),
        )
        .attribute(
            Attribute::string(attributes::DESCRIPTION)
                .optional()
                .computed()
                .use_state_for_unknown()
                .description("Description of the role, 1 to 1024 characters. RAM cannot clear a description (UpdateRole takes 1 to 1024 characters), so removing this attribute leaves the role's description as it is, with no change planned; set another text to change it.")
                .validate(|v| checked(check_description(v.as_str().unwrap_or_default()))),
        )
        .attribute(
            Attribute::number(attributes::MAX_SESSION_DURATION)
                .default(Value::int(DEFAULT_SESSION_DURATION_SECONDS))
                .description("Longest session, in seconds, that assuming the role may give: 3600 to 43200. Defaults to 3600.")
                .validate(|v| match v.as_i64() {
                    Some(n) => checked(check_max_session_duration(n)),
                    None => Err(format!("max_session_duration must be a whole number of seconds, not {v:?}.")),
                }),
        )
        .attribute(
            Attribute::new(attributes::TAGS, Type::map(Type::String))
                .optional()
                .description(&format!("Tags of the role: at most 20; {RESERVED_TAG_KEY_RULE}."))
                .validate(|v| {
                    let tags = v.as_string_map().unwrap_or_default();
                    check_tags(tags).map_err(|errors| errors.iter().map(|e| capitalised(&e.to_string())).collect::<Vec<_>>().join(" "))
                }),
        );
    for attribute in K::attributes() {
        block = block.attribute(attribute);
    }
    block = block
        .attribute(Attribute::string(attributes::ARN).computed().use_state_for_unknown().description("ARN of the role, `acs:ram::<owner_account_id>:role/<role_name>`; known at plan time."))
        .attribute(Attribute::string(attributes::ROLE_ID).computed().use_state_for_unknown().description("ID RAM gave the role."))
        .attribute(Attribute::string(attributes::OWNER_ACCOUNT_ID).computed().use_state_for_unknown().description("UID of the account that owns the role (`account_id`: this provider instance's account unless set); known at plan time. This, with the role name, is what the other account's service is configured with."))
        .attribute(Attribute::string(attributes::CREATE_TIME).computed().use_state_for_unknown().description("When the role was created (UTC, `YYYY-MM-DDThh:mm:ssZ`)."));
    Schema::new(block)
}
