//! A call RAM refused for lack of permission, told the way its reader can act on it: the RAM action, the resource,
//! the identity that was refused, why (no policy allows it, or one denies it), and the policy statement to add.
//! Read from the `AccessDeniedDetail` RAM sends, and from its message when the detail is absent.

use crate::provider::alicloud::ApiError;
use crate::ram::access_denied::{
    AccessDeniedDetail, NO_PERMISSION, NoPermissionType, parse_message,
};
use serde_json::json;

/// The diagnostic summary of a refusal.
pub const SUMMARY: &str = "Permission Denied";

/// The explanation of `error` when it is RAM's `NoPermission` for an action it names; `None` for any other error
/// (including STS's trust refusals and root-key refusal, whose messages say what happened).
pub fn explain(error: &ApiError) -> Option<String> {
    if error.code() != NO_PERMISSION {
        return None;
    }
    let (resource, message_action) = parse_message(error.message())?;
    let detail = error.access_denied();
    let action = detail.map_or(message_action, |d| d.auth_action.as_str());
    let identity = detail.map_or_else(|| "the provider's identity".to_owned(), describe_identity);
    let statement = json!({
        "Version": "1",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}],
    });
    let remedy = match detail.map(|d| (d.no_permission_type, d.policy_type.as_deref())) {
        Some((NoPermissionType::ExplicitDeny, _)) => format!(
            "A Deny statement in its policies refuses it: remove or narrow that statement (no Allow can override it) \
             so that it no longer covers {action} on {resource}."
        ),
        Some((_, Some("SessionPolicy"))) => format!(
            "The session policy given with assume_role (its `policy`) does not allow it: add {action} on \
             {resource} to that policy, or leave the policy out."
        ),
        _ => format!(
            "No policy of that identity allows it: attach a policy with this statement to it:\n{statement}"
        ),
    };
    Some(format!(
        "RAM refused {action} on {resource} to {identity}. {remedy}\nThe policies this provider needs for plans \
         and for applies are in the permissions guide (docs/guides/permissions.md)."
    ))
}

fn describe_identity(detail: &AccessDeniedDetail) -> String {
    let owner = &detail.auth_principal_owner_id;
    let name = &detail.auth_principal_display_name;
    match detail.auth_principal_type.as_str() {
        "SubUser" => format!("the RAM user with ID {name} of account {owner}"),
        "AssumedRoleUser" => format!("the role session {name} (role:session) of account {owner}"),
        other => format!("the {other} identity {name} of account {owner}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(detail: Option<AccessDeniedDetail>) -> ApiError {
        ApiError::new(
            "CreateRole",
            403,
            "NoPermission",
            "You are not authorized to do this action. Resource: acs:ram:*:1:role/r Action: ram:CreateRole",
            None,
        )
        .with_access_denied(detail)
    }

    fn detail(kind: NoPermissionType, policy_type: &str) -> AccessDeniedDetail {
        AccessDeniedDetail {
            auth_action: "ram:CreateRole".into(),
            auth_principal_type: "SubUser".into(),
            auth_principal_owner_id: "1".into(),
            auth_principal_display_name: "2001".into(),
            no_permission_type: kind,
            policy_type: Some(policy_type.into()),
        }
    }

    #[test]
    fn names_the_action_the_identity_and_the_statement_to_add() {
        let text = explain(&refusal(Some(detail(
            NoPermissionType::ImplicitDeny,
            "AccountLevelIdentityBasedPolicy",
        ))))
        .unwrap();
        assert!(
            text.contains("RAM refused ram:CreateRole on acs:ram:*:1:role/r"),
            "{text}"
        );
        assert!(
            text.contains("the RAM user with ID 2001 of account 1"),
            "{text}"
        );
        assert!(
            text.contains(r#"{"Statement":[{"Action":"ram:CreateRole","Effect":"Allow","Resource":"acs:ram:*:1:role/r"}],"Version":"1"}"#),
            "{text}"
        );
        let denied = explain(&refusal(Some(detail(
            NoPermissionType::ExplicitDeny,
            "AccountLevelIdentityBasedPolicy",
        ))))
        .unwrap();
        assert!(denied.contains("A Deny statement"), "{denied}");
        let session = explain(&refusal(Some(detail(
            NoPermissionType::ImplicitDeny,
            "SessionPolicy",
        ))))
        .unwrap();
        assert!(session.contains("session policy"), "{session}");
        // Without the detail, from the message alone.
        let bare = explain(&refusal(None)).unwrap();
        assert!(bare.contains("to the provider's identity"), "{bare}");
    }

    #[test]
    fn other_errors_and_other_refusals_are_not_explained() {
        let root = ApiError::new(
            "AssumeRole",
            403,
            "NoPermission",
            "Roles may not be assumed by root accounts.",
            None,
        );
        assert_eq!(explain(&root), None);
        let missing = ApiError::new("GetRole", 404, "EntityNotExist.Role", "x", None);
        assert_eq!(explain(&missing), None);
    }
}
