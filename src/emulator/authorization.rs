//! Authorization of every RAM and STS call as RAM does it: the action a request needs and the resources it needs
//! it on (one row per emulated action, below), decided by the caller's policies with [`crate::ram`]'s evaluation.
//!
//! - Root keys may do everything in their own account (AssumeRole aside, which STS refuses them: see
//!   [`super::sts`]).
//! - A RAM user: its attached policies (system policies with their documents from
//!   [`crate::ram::system_policies`], whose other system policies grant no RAM or STS action; custom policies of
//!   its account).
//! - A role session: its role's attached policies, intersected with the `Policy` passed to AssumeRole.
//!
//! A request whose resource parameter is missing is not authorized here: it cannot act on anything, and the
//! action's own validation answers it (`Missing<Param>`).

use super::auth::Caller;
use super::error::ApiError;
use super::params::Params;
use super::resource_directory::LIST_ACCOUNTS_ACTION;
use super::store::{AccountRoles, Attachment, Store, parse_role_arn};
use crate::ram::access_denied::{AccessDeniedDetail, NoPermission, NoPermissionType};
use crate::ram::arn::Arn;
use crate::ram::permission_policy::PermissionPolicy;
use crate::ram::permission_policy::evaluate::{
    Decision, Request, RequestContext, evaluate, evaluate_session,
};
use crate::ram::system_policies;

/// The resources an action is authorized on, computed from the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum On {
    /// No permission needed (`GetCallerIdentity`).
    Nothing,
    /// `acs:ram:*:<uid>:role/<RoleName>`.
    Role,
    /// `acs:ram:*:<uid>:role/*`.
    AnyRole,
    /// The policy `PolicyType`/`PolicyName` names (`acs:ram:*:system:policy/<name>` or
    /// `acs:ram:*:<uid>:policy/<name>`).
    Policy,
    /// The policy and the role `RoleName`.
    PolicyAndRole,
    /// `acs:ram:*:<uid>:policy/*`.
    AnyPolicy,
    /// `acs:ram:*:<uid>:user/<UserName>`.
    User,
    /// `acs:ram:*:<uid>:user/<UserName>`, or the calling user when `UserName` is left out.
    KeyOwner,
    /// The policy and the user `UserName`.
    PolicyAndUser,
    /// `acs:ram:*:<uid>:user/*`.
    AnyUser,
    /// `*`: RAM's tag actions (reference §3).
    Everything,
    /// The role `RoleArn` names, as STS authorizes `sts:AssumeRole` (empty region).
    AssumedRole,
    /// `acs:ram:*:<uid>:oidc-provider/<OIDCProviderName>`.
    OidcProvider,
    /// `acs:ram:*:<uid>:oidc-provider/*`.
    AnyOidcProvider,
    /// `acs:resourcemanager:*:<uid>:account/*`: the accounts of the caller's Resource Directory.
    DirectoryAccounts,
}

/// Every emulated action: (`Version`, `Action`, the action authorized, its resources). Reference §3 for RAM's
/// resources; user and custom-policy actions follow the same forms.
const TABLE: &[(&str, &str, &str, On)] = &[
    (RAM, "CreateRole", "ram:CreateRole", On::Role),
    (RAM, "GetRole", "ram:GetRole", On::Role),
    (RAM, "UpdateRole", "ram:UpdateRole", On::Role),
    (RAM, "DeleteRole", "ram:DeleteRole", On::Role),
    (RAM, "ListRoles", "ram:ListRoles", On::AnyRole),
    (
        RAM,
        "AttachPolicyToRole",
        "ram:AttachPolicyToRole",
        On::PolicyAndRole,
    ),
    (
        RAM,
        "DetachPolicyFromRole",
        "ram:DetachPolicyFromRole",
        On::PolicyAndRole,
    ),
    (
        RAM,
        "ListPoliciesForRole",
        "ram:ListPoliciesForRole",
        On::Role,
    ),
    (RAM, "TagResources", "ram:TagResources", On::Everything),
    (RAM, "UntagResources", "ram:UntagResources", On::Everything),
    (
        RAM,
        "ListTagResources",
        "ram:ListTagResources",
        On::Everything,
    ),
    (RAM, "CreateUser", "ram:CreateUser", On::User),
    (RAM, "GetUser", "ram:GetUser", On::User),
    (RAM, "ListUsers", "ram:ListUsers", On::AnyUser),
    (RAM, "DeleteUser", "ram:DeleteUser", On::User),
    (RAM, "CreateAccessKey", "ram:CreateAccessKey", On::KeyOwner),
    (RAM, "ListAccessKeys", "ram:ListAccessKeys", On::KeyOwner),
    (RAM, "DeleteAccessKey", "ram:DeleteAccessKey", On::KeyOwner),
    (
        RAM,
        "AttachPolicyToUser",
        "ram:AttachPolicyToUser",
        On::PolicyAndUser,
    ),
    (
        RAM,
        "DetachPolicyFromUser",
        "ram:DetachPolicyFromUser",
        On::PolicyAndUser,
    ),
    (
        RAM,
        "ListPoliciesForUser",
        "ram:ListPoliciesForUser",
        On::User,
    ),
    (RAM, "CreatePolicy", "ram:CreatePolicy", On::Policy),
    (RAM, "GetPolicy", "ram:GetPolicy", On::Policy),
    (RAM, "DeletePolicy", "ram:DeletePolicy", On::Policy),
    (RAM, "ListPolicies", "ram:ListPolicies", On::AnyPolicy),
    (STS, "GetCallerIdentity", "", On::Nothing),
    (STS, "AssumeRole", "sts:AssumeRole", On::AssumedRole),
    // Unsigned: the ID token is the credential ("No authorization for this operation").
    (STS, "AssumeRoleWithOIDC", "", On::Nothing),
    // IMS: creating needs All Resources (reference §5); the others name the provider as RAM names resources.
    (
        IMS,
        "CreateOIDCProvider",
        "ram:CreateOIDCProvider",
        On::Everything,
    ),
    (
        IMS,
        "GetOIDCProvider",
        "ram:GetOIDCProvider",
        On::OidcProvider,
    ),
    (
        IMS,
        "ListOIDCProviders",
        "ram:ListOIDCProviders",
        On::AnyOidcProvider,
    ),
    (
        IMS,
        "DeleteOIDCProvider",
        "ram:DeleteOIDCProvider",
        On::OidcProvider,
    ),
    // Reference: ram-identities-and-authorization §7 (the 2022-04-19 `ResourceDirectoryMaster` version answers the
    // same call, authorized the same way).
    (
        DIRECTORY_MASTER,
        "ListAccounts",
        LIST_ACCOUNTS_ACTION,
        On::DirectoryAccounts,
    ),
    (
        RESOURCE_MANAGER,
        "ListAccounts",
        LIST_ACCOUNTS_ACTION,
        On::DirectoryAccounts,
    ),
];

const RAM: &str = super::api::RAM_VERSION;
const STS: &str = super::api::STS_VERSION;
const IMS: &str = super::api::IMS_VERSION;
const DIRECTORY_MASTER: &str = super::resource_directory::DIRECTORY_MASTER_VERSION;
const RESOURCE_MANAGER: &str = super::resource_directory::RESOURCE_MANAGER_VERSION;

/// What a request needs: the action and each resource it must be allowed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needed {
    /// The action authorized, `ram:CreateRole`.
    pub action: &'static str,
    /// The resources; all must be allowed.
    pub resources: Vec<Arn>,
}

/// What the request with `params` of `caller` needs; `None` when it needs no permission, or names no resource to
/// authorize (see the module documentation), or is not an emulated action.
pub fn needed(params: &Params, caller: &Caller) -> Option<Needed> {
    let version = params.get("Version")?;
    let action = params.get("Action")?;
    let (_, _, auth_action, on) = TABLE
        .iter()
        .find(|(v, a, _, _)| *v == version && *a == action)?;
    let uid = caller.account_id();
    let param = |name: &str| params.optional(name);
    let role = || param("RoleName").map(|name| Arn::role(uid, name));
    let user = || param("UserName").map(|name| Arn::user(uid, name));
    let policy = || {
        let name = param("PolicyName")?;
        Some(match param("PolicyType") {
            Some("System") => Arn::system_policy(name),
            _ => Arn::policy(uid, name),
        })
    };
    let resources = match on {
        On::Nothing => return None,
        On::Role => vec![role()?],
        On::AnyRole => vec![Arn::role(uid, "*")],
        On::Policy => vec![policy()?],
        On::PolicyAndRole => vec![policy()?, role()?],
        On::AnyPolicy => vec![Arn::policy(uid, "*")],
        On::User => vec![user()?],
        On::KeyOwner => vec![user().or_else(|| match caller {
            Caller::User {
                account_id,
                user_name,
                ..
            } => Some(Arn::user(account_id, user_name)),
            _ => None,
        })?],
        On::PolicyAndUser => vec![policy()?, user()?],
        On::AnyUser => vec![Arn::user(uid, "*")],
        On::Everything => vec![Arn::from_text("*")],
        On::AssumedRole => {
            let (owner, name) = parse_role_arn(param("RoleArn")?)?;
            vec![Arn::sts_role(owner, name)]
        }
        On::OidcProvider => vec![oidc_provider(uid, param("OIDCProviderName")?)],
        On::AnyOidcProvider => vec![oidc_provider(uid, "*")],
        On::DirectoryAccounts => vec![Arn::directory_accounts(uid)],
    };
    Some(Needed {
        action: auth_action,
        resources,
    })
}

/// `acs:ram:*:<uid>:oidc-provider/<name>`.
fn oidc_provider(uid: &str, name: &str) -> Arn {
    Arn::from_text(format!("acs:ram:*:{uid}:oidc-provider/{name}"))
}

/// The policies an attachment list grants, read from `account` (custom) and the system documents; each parsed
/// once, not per request.
fn attached_policies<'s>(
    account: Option<&'s AccountRoles>,
    attachments: &[Attachment],
) -> Vec<&'s PermissionPolicy> {
    attachments
        .iter()
        .filter_map(|a| match a.policy_type.as_str() {
            "Custom" => account
                .and_then(|acc| acc.policies.get(&a.policy_name))
                .and_then(|p| p.policy()),
            // A system policy without a known document grants no RAM or STS action.
            _ => system_policies::find_policy(&a.policy_name),
        })
        .collect()
}

/// A RAM identity's policies, as the evaluation sees them.
struct Principal<'s> {
    /// The attached policies (of the user, or of the session's role).
    policies: Vec<&'s PermissionPolicy>,
    /// A session's `Policy` from AssumeRole.
    session: Option<PermissionPolicy>,
    /// `SubUser` or `AssumedRoleUser`.
    principal_type: &'static str,
    /// A user's ID, or `RoleName:RoleSessionName`.
    display_name: String,
}

impl<'s> Principal<'s> {
    /// The principal of a RAM user or role session; `None` for root keys, which need no policy.
    fn of(caller: &Caller, store: &'s Store) -> Option<Principal<'s>> {
        match caller {
            Caller::Root { .. } => None,
            Caller::User {
                account_id,
                user_name,
                user_id,
            } => {
                let account = store.account(account_id);
                let attachments = account
                    .and_then(|a| a.users.get(user_name))
                    .map(|u| u.attachments.as_slice())
                    .unwrap_or_default();
                Some(Principal {
                    policies: attached_policies(account, attachments),
                    session: None,
                    principal_type: "SubUser",
                    display_name: user_id.clone(),
                })
            }
            Caller::AssumedRole {
                account_id,
                role_name,
                session_name,
                session_policy,
                ..
            } => {
                let account = store.account(account_id);
                // A deleted role leaves its sessions with no policy at all.
                let attachments = account
                    .and_then(|a| a.roles.get(role_name))
                    .map(|r| r.attachments.as_slice())
                    .unwrap_or_default();
                Some(Principal {
                    policies: attached_policies(account, attachments),
                    // Checked to parse when AssumeRole accepted it.
                    session: session_policy
                        .as_deref()
                        .and_then(|p| PermissionPolicy::parse(p).ok()),
                    principal_type: "AssumedRoleUser",
                    display_name: format!("{role_name}:{session_name}"),
                })
            }
        }
    }

    /// The decision on `request`, and whether the session policy is what refused it.
    fn decide(&self, request: &Request<'_>) -> (Decision, bool) {
        let policies = || self.policies.iter().copied();
        let decision = evaluate_session(policies(), self.session.as_ref(), request);
        let by_session = self.session.is_some()
            && !decision.is_allowed()
            && evaluate(policies(), request).is_allowed();
        (decision, by_session)
    }
}

/// Decides `needed` for `caller` with the policies in `store`: `Ok` when every resource is allowed, RAM's
/// `NoPermission` for the first one that is not.
pub fn authorize(caller: &Caller, store: &Store, needed: &Needed) -> Result<(), ApiError> {
    let Some(principal) = Principal::of(caller, store) else {
        return Ok(());
    };
    let context = RequestContext::new();
    for resource in &needed.resources {
        let request = Request {
            action: needed.action,
            resource,
            context: &context,
        };
        let (decision, by_session) = principal.decide(&request);
        let no_permission_type = match decision {
            Decision::Allow => continue,
            Decision::ImplicitDeny => NoPermissionType::ImplicitDeny,
            Decision::ExplicitDeny => NoPermissionType::ExplicitDeny,
        };
        let policy_type = if by_session {
            "SessionPolicy"
        } else {
            "AccountLevelIdentityBasedPolicy"
        };
        return Err(ApiError::denied(NoPermission {
            resource: resource.as_str().to_owned(),
            detail: AccessDeniedDetail {
                auth_action: needed.action.to_owned(),
                auth_principal_type: principal.principal_type.to_owned(),
                auth_principal_owner_id: caller.account_id().to_owned(),
                auth_principal_display_name: principal.display_name.clone(),
                no_permission_type,
                policy_type: Some(policy_type.to_owned()),
            },
        }));
    }
    Ok(())
}

/// The key the recorder files `caller`'s grants under: its principal ARN, a role session under its role's.
pub fn recorder_identity(caller: &Caller) -> String {
    caller.principal_arn()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params::from_pairs(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn every_emulated_action_has_one_row() {
        let ram = super::super::ram::RAM_ACTIONS
            .iter()
            .chain(super::super::users::USER_ACTIONS)
            .chain(super::super::custom_policies::POLICY_ACTIONS)
            .map(|(name, _)| (RAM, *name));
        let sts = ["GetCallerIdentity", "AssumeRole", "AssumeRoleWithOIDC"].map(|name| (STS, name));
        let ims = super::super::oidc_providers::OIDC_PROVIDER_ACTIONS
            .iter()
            .map(|(name, _)| (IMS, *name));
        let directory =
            [DIRECTORY_MASTER, RESOURCE_MANAGER].map(|version| (version, "ListAccounts"));
        for (version, action) in ram.chain(sts).chain(ims).chain(directory) {
            let rows = TABLE
                .iter()
                .filter(|(v, a, _, _)| *v == version && *a == action)
                .count();
            assert_eq!(rows, 1, "{version} {action}");
        }
    }

    #[test]
    fn resources_follow_rams_forms() {
        let user = Caller::User {
            account_id: "1".into(),
            user_name: "ci".into(),
            user_id: "2".into(),
        };
        let needed_for = |pairs: &[(&str, &str)]| needed(&params(pairs), &user);
        let attach = needed_for(&[
            ("Version", RAM),
            ("Action", "AttachPolicyToRole"),
            ("PolicyType", "System"),
            ("PolicyName", "AliyunDTSRolePolicy"),
            ("RoleName", "r"),
        ])
        .unwrap();
        assert_eq!(attach.action, "ram:AttachPolicyToRole");
        let shown: Vec<&str> = attach.resources.iter().map(Arn::as_str).collect();
        assert_eq!(
            shown,
            [
                "acs:ram:*:system:policy/AliyunDTSRolePolicy",
                "acs:ram:*:1:role/r"
            ]
        );
        let assume = needed_for(&[
            ("Version", STS),
            ("Action", "AssumeRole"),
            ("RoleArn", "acs:ram::9:role/x"),
        ])
        .unwrap();
        assert_eq!(assume.resources[0].as_str(), "acs:ram::9:role/x");
        let keys = needed_for(&[("Version", RAM), ("Action", "ListAccessKeys")]).unwrap();
        assert_eq!(keys.resources[0].as_str(), "acs:ram:*:1:user/ci");
        assert_eq!(
            needed_for(&[("Version", STS), ("Action", "GetCallerIdentity")]),
            None
        );
        assert_eq!(
            needed_for(&[("Version", RAM), ("Action", "ListRoles")])
                .unwrap()
                .resources[0]
                .as_str(),
            "acs:ram:*:1:role/*"
        );
        let accounts =
            needed_for(&[("Version", DIRECTORY_MASTER), ("Action", "ListAccounts")]).unwrap();
        assert_eq!(accounts.action, "resourcemanager:ListAccounts");
        assert_eq!(
            accounts.resources[0].as_str(),
            "acs:resourcemanager:*:1:account/*"
        );
    }
}
