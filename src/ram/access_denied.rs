//! RAM's refusal of an unauthorized call: `NoPermission` (HTTP 403) with the message naming the resource and the
//! action, and its `AccessDeniedDetail` object. One definition for the emulator, which renders it, and the
//! provider, which reads it (same field names). Reference §1: the message is captured from RAM; the detail's keys
//! are documented for other services and unverified for RAM.

use serde::{Deserialize, Serialize};

/// The error code of a refusal.
pub const NO_PERMISSION: &str = "NoPermission";

/// The message's text before the resource.
const MESSAGE_PREFIX: &str = "You are not authorized to do this action. Resource: ";
/// Between the resource and the action.
const ACTION_SEPARATOR: &str = " Action: ";

/// Whether no policy allowed the call, or one denied it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NoPermissionType {
    /// No statement allowed it.
    ImplicitDeny,
    /// A statement denied it.
    ExplicitDeny,
    /// A value this model does not know (read from a newer RAM), kept readable.
    #[serde(other)]
    Unknown,
}

/// `AccessDeniedDetail`, as RAM puts it in the error body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessDeniedDetail {
    /// The denied action, `ram:CreateRole`.
    pub auth_action: String,
    /// The kind of caller: `SubUser` (a RAM user), `AssumedRoleUser` (a role session), `Federated`.
    pub auth_principal_type: String,
    /// The account the caller belongs to.
    pub auth_principal_owner_id: String,
    /// The caller: a user's ID, or `RoleName:RoleSessionName` for a role session.
    pub auth_principal_display_name: String,
    /// Implicit or explicit.
    pub no_permission_type: NoPermissionType,
    /// The kind of policy that decided (`SessionPolicy`, `AssumeRolePolicy`, ...), when RAM says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_type: Option<String>,
}

/// A `NoPermission` refusal: the resource and action of the message, and the detail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoPermission {
    /// The resource named in the message (`acs:ram:*:<uid>:role/<name>`).
    pub resource: String,
    /// The detail (its `auth_action` is the message's action).
    pub detail: AccessDeniedDetail,
}

impl NoPermission {
    /// RAM's message: `You are not authorized to do this action. Resource: <arn> Action: <action>`.
    pub fn message(&self) -> String {
        message(&self.resource, &self.detail.auth_action)
    }
}

/// RAM's refusal message for `action` on `resource`.
pub fn message(resource: &str, action: &str) -> String {
    format!("{MESSAGE_PREFIX}{resource}{ACTION_SEPARATOR}{action}")
}

/// The resource and action a refusal message names; `None` for any other message.
pub fn parse_message(message: &str) -> Option<(&str, &str)> {
    message
        .strip_prefix(MESSAGE_PREFIX)?
        .rsplit_once(ACTION_SEPARATOR)
        .filter(|(resource, action)| !resource.is_empty() && !action.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detail(no_permission_type: NoPermissionType) -> AccessDeniedDetail {
        AccessDeniedDetail {
            auth_action: "ram:CreateRole".into(),
            auth_principal_type: "SubUser".into(),
            auth_principal_owner_id: "1986901577758888".into(),
            auth_principal_display_name: "203367823958****".into(),
            no_permission_type,
            policy_type: None,
        }
    }

    #[test]
    fn the_message_is_rams_and_reads_back() {
        let refusal = NoPermission {
            resource: "acs:ram:*:1986901577758888:role/*".into(),
            detail: detail(NoPermissionType::ImplicitDeny),
        };
        // The captured message (reference §1).
        assert_eq!(
            refusal.message(),
            "You are not authorized to do this action. Resource: acs:ram:*:1986901577758888:role/* Action: ram:CreateRole"
        );
        assert_eq!(
            parse_message(&refusal.message()),
            Some(("acs:ram:*:1986901577758888:role/*", "ram:CreateRole"))
        );
        assert_eq!(
            parse_message("Roles may not be assumed by root accounts."),
            None
        );
        assert_eq!(
            parse_message("You are not authorized to do this action. Resource:  Action: x"),
            None
        );
    }

    #[test]
    fn the_detail_has_rams_field_names_both_ways() {
        let json = serde_json::to_value(detail(NoPermissionType::ExplicitDeny)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "AuthAction": "ram:CreateRole",
                "AuthPrincipalType": "SubUser",
                "AuthPrincipalOwnerId": "1986901577758888",
                "AuthPrincipalDisplayName": "203367823958****",
                "NoPermissionType": "ExplicitDeny",
            })
        );
        let mut with_more = json.clone();
        with_more["PolicyType"] = "SessionPolicy".into();
        with_more["NoPermissionType"] = "SomethingNew".into();
        with_more["EncodedDiagnosticMessage"] = "AQEAAAAA".into();
        let read: AccessDeniedDetail = serde_json::from_value(with_more).unwrap();
        assert_eq!(read.policy_type.as_deref(), Some("SessionPolicy"));
        assert_eq!(read.no_permission_type, NoPermissionType::Unknown);
        assert_eq!(
            serde_json::from_value::<AccessDeniedDetail>(json).unwrap(),
            detail(NoPermissionType::ExplicitDeny)
        );
    }
}
