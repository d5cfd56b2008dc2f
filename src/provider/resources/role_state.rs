//! Between Terraform values and RAM roles: `expand` reads what a plan asks for, `flatten` writes what RAM has
//! into a state, keeping the user's own trust-policy text while it still means what RAM holds.

use super::attributes;
use super::role_api::RemoteRole;
use crate::framework::value::Value;
use crate::provider::alicloud::ram::Role;
use crate::provider::domain::trust_policy::describe_differences;
use crate::ram::account::{AccountId, same_role_arn};
use crate::ram::role_rules::DEFAULT_SESSION_DURATION_SECONDS;
use crate::ram::trust_policy::{TrustPolicy, normalize, policies_equivalent};
use std::collections::{BTreeMap, BTreeSet};

/// What a plan asks RAM to hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleSpec {
    /// `role_name`.
    pub name: String,
    /// `trust_policy`, as written.
    pub trust_policy: String,
    /// `policy_names`: system policies to attach, and nothing else.
    pub policy_names: BTreeSet<String>,
    /// `description`.
    pub description: Option<String>,
    /// `max_session_duration`.
    pub max_session_duration: i64,
    /// `tags`.
    pub tags: BTreeMap<String, String>,
}

/// Reads the spec from a wholly known planned value.
pub fn expand(planned: &Value) -> RoleSpec {
    RoleSpec {
        name: planned
            .attr(attributes::ROLE_NAME)
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        trust_policy: planned
            .attr(attributes::TRUST_POLICY)
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        policy_names: string_set(planned.attr(attributes::POLICY_NAMES)),
        description: planned
            .attr(attributes::DESCRIPTION)
            .as_str()
            .map(str::to_owned),
        max_session_duration: planned
            .attr(attributes::MAX_SESSION_DURATION)
            .as_i64()
            .unwrap_or(DEFAULT_SESSION_DURATION_SECONDS),
        tags: string_map(planned.attr(attributes::TAGS)),
    }
}

/// The strings of a set value (empty for null).
pub fn string_set(v: &Value) -> BTreeSet<String> {
    v.as_strings()
        .unwrap_or_default()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// The entries of a map value (empty for null).
pub fn string_map(v: &Value) -> BTreeMap<String, String> {
    v.as_string_map()
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// Sets the attributes RAM computes (`id`, `arn`, `role_id`, `owner_account_id`, `create_time`, and `account_id`
/// when not set) from `role`. An ARN
/// that differs from the state's only in the case of the role name keeps the state's form (planned from the role
/// name), so the value Terraform was promised at plan stays the value applied.
pub fn flatten_computed(role: &Role, state: &mut Value) {
    state.set_attr(attributes::ID, Value::string(&role.role_name));
    let same_arn = state
        .attr(attributes::ARN)
        .as_str()
        .is_some_and(|kept| same_role_arn(kept, &role.arn));
    if !same_arn {
        state.set_attr(attributes::ARN, Value::string(&role.arn));
    }
    state.set_attr(attributes::ROLE_ID, Value::string(&role.role_id));
    state.set_attr(
        attributes::OWNER_ACCOUNT_ID,
        AccountId::from_ram_arn(&role.arn)
            .map(|a| a.to_string())
            .into(),
    );
    state.set_attr(attributes::CREATE_TIME, role.create_date.clone().into());
    // `account_id` names where the role lives; a state written before the attribute existed, or an import,
    // takes the owner's, so no replacement is planned.
    let current = state.attr(attributes::ACCOUNT_ID);
    if (current.is_null() || current.is_unknown())
        && let Some(owner) = AccountId::from_ram_arn(&role.arn)
    {
        state.set_attr(attributes::ACCOUNT_ID, Value::string(owner.as_str()));
    }
}

/// What refreshing a state found about its trust policy.
#[derive(Debug, Default)]
pub struct TrustPolicyDrift {
    /// Human-readable differences between the state's document and RAM's, empty when they mean the same.
    pub changes: Vec<String>,
}

/// Writes everything RAM has into `state`. The trust policy keeps the state's text when RAM's document means the
/// same (RAM re-serialises what it stores); otherwise it becomes RAM's document in canonical form, and the
/// differences are reported.
pub fn flatten(remote: &RemoteRole, state: &mut Value) -> TrustPolicyDrift {
    let role = &remote.role;
    flatten_computed(role, state);
    state.set_attr(attributes::ROLE_NAME, Value::string(&role.role_name));
    let description = role.description.as_deref().filter(|d| !d.is_empty());
    state.set_attr(
        attributes::DESCRIPTION,
        description.map(str::to_owned).into(),
    );
    state.set_attr(
        attributes::MAX_SESSION_DURATION,
        Value::int(
            role.max_session_duration
                .unwrap_or(DEFAULT_SESSION_DURATION_SECONDS),
        ),
    );
    let had_tags = !state.attr(attributes::TAGS).is_null();
    let tags = if remote.tags.is_empty() && !had_tags {
        Value::Null
    } else {
        Value::string_map(remote.tags.iter().map(|(k, v)| (k.clone(), v.clone())))
    };
    state.set_attr(attributes::TAGS, tags);
    state.set_attr(
        attributes::POLICY_NAMES,
        Value::string_set(remote.policy_names()),
    );

    let owner = AccountId::from_ram_arn(&role.arn);
    let remote_doc = role.assume_role_policy_document.clone().unwrap_or_default();
    let mut drift = TrustPolicyDrift::default();
    let kept = state
        .attr(attributes::TRUST_POLICY)
        .as_str()
        .map(str::to_owned);
    match kept {
        Some(current) if policies_equivalent(&current, &remote_doc, owner.as_ref()) => {}
        current => {
            if let (Some(before), Ok(after)) = (
                current.as_deref().and_then(|c| TrustPolicy::parse(c).ok()),
                TrustPolicy::parse(&remote_doc),
            ) {
                drift.changes = describe_differences(&before, &after, owner.as_ref())
                    .iter()
                    .map(ToString::to_string)
                    .collect();
            }
            state.set_attr(
                attributes::TRUST_POLICY,
                Value::string(normalize(&remote_doc).unwrap_or(remote_doc)),
            );
        }
    }
    drift
}

#[cfg(test)]
mod tests {
    use super::*;

    fn returned(arn: &str) -> Role {
        serde_json::from_value(serde_json::json!({
            "RoleId": "3000", "RoleName": "Ram-For-DTS", "Arn": arn, "CreateDate": "2026-12-01T00:00:00Z"
        }))
        .expect("a role")
    }

    #[test]
    fn a_returned_arn_in_another_case_keeps_the_planned_form() {
        let planned = "acs:ram::1111000011110001:role/Ram-For-DTS";
        let mut state = Value::object([(attributes::ARN, Value::string(planned))]);
        flatten_computed(
            &returned("acs:ram::1111000011110001:role/ram-for-dts"),
            &mut state,
        );
        assert_eq!(state.attr(attributes::ARN).as_str(), Some(planned));

        let moved = "acs:ram::1111000011110002:role/Ram-For-DTS";
        flatten_computed(&returned(moved), &mut state);
        assert_eq!(state.attr(attributes::ARN).as_str(), Some(moved));
    }
}
