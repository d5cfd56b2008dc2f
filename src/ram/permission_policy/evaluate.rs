//! RAM's evaluation of permission policies (reference §3, "policy evaluation process"): deny by default; an
//! explicit `Deny` overrides any `Allow`; a role session is allowed only what both the role's policies and the
//! `Policy` passed to `AssumeRole` allow.
//!
//! A statement applies to a request when its action block covers the action (case-insensitive, `*` / `?`), its
//! resource block covers the resource ([`Arn::matched_by`]) and every condition test holds
//! ([`Operator::holds`](crate::ram::condition::Operator::holds): keys ANDed, values ORed).

use super::{PermissionPolicy, PermissionStatement};
use crate::ram::arn::Arn;
use crate::ram::trust_policy::Effect;
use crate::ram::wildcard;
use std::collections::BTreeMap;

/// The outcome of evaluating a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Decision {
    /// At least one statement allows it and none denies it.
    Allow,
    /// No statement allows it (RAM's `ImplicitDeny`).
    ImplicitDeny,
    /// A statement denies it (RAM's `ExplicitDeny`).
    ExplicitDeny,
}

impl Decision {
    /// Whether the request may proceed.
    pub fn is_allowed(self) -> bool {
        self == Decision::Allow
    }

    /// The decision of two policy sets that must both allow (a session: the role's policies and the session
    /// policy): any explicit deny denies, then any implicit deny.
    pub fn intersect(self, other: Decision) -> Decision {
        use Decision::*;
        match (self, other) {
            (ExplicitDeny, _) | (_, ExplicitDeny) => ExplicitDeny,
            (Allow, Allow) => Allow,
            _ => ImplicitDeny,
        }
    }
}

/// The values a request carries for condition keys (`acs:SourceIp`, `sts:ExternalId`, ...).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestContext(BTreeMap<String, Vec<String>>);

impl RequestContext {
    /// A context without keys.
    pub fn new() -> RequestContext {
        RequestContext::default()
    }

    /// The context with `key` carrying `values`.
    pub fn with(
        mut self,
        key: &str,
        values: impl IntoIterator<Item = impl Into<String>>,
    ) -> RequestContext {
        self.0.insert(
            key.to_ascii_lowercase(),
            values.into_iter().map(Into::into).collect(),
        );
        self
    }

    /// The values of `key`. Keys are compared in any letter case (as IAM does; RAM's documentation is silent).
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.0.get(&key.to_ascii_lowercase()).map(Vec::as_slice)
    }
}

/// A request to authorize: an action on a resource, with its condition values.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// The action, `ram:GetRole`.
    pub action: &'a str,
    /// The resource, e.g. [`Arn::role`].
    pub resource: &'a Arn,
    /// The condition values.
    pub context: &'a RequestContext,
}

impl PermissionStatement {
    /// Whether this statement applies to `request` (whatever its effect).
    pub fn applies_to(&self, request: &Request<'_>) -> bool {
        let action = request.action.to_ascii_lowercase();
        self.actions
            .covers(|pattern| wildcard::matches(&action, &pattern.to_ascii_lowercase()))
            && self
                .resources
                .covers(|pattern| request.resource.matched_by(pattern))
            && self.conditions.iter().all(|test| {
                test.operator
                    .holds(request.context.get(&test.key), &test.values)
            })
    }
}

impl PermissionPolicy {
    /// This policy alone on `request`.
    pub fn decide(&self, request: &Request<'_>) -> Decision {
        evaluate([self], request)
    }
}

/// The decision of a set of policies (an identity's attached policies) on `request`.
pub fn evaluate<'p>(
    policies: impl IntoIterator<Item = &'p PermissionPolicy>,
    request: &Request<'_>,
) -> Decision {
    let mut decision = Decision::ImplicitDeny;
    for statement in policies.into_iter().flat_map(|p| &p.statements) {
        if statement.applies_to(request) {
            match statement.effect {
                Effect::Deny => return Decision::ExplicitDeny,
                Effect::Allow => decision = Decision::Allow,
            }
        }
    }
    decision
}

/// The decision for a role session: the role's policies intersected with the session `Policy` passed to
/// AssumeRole, when there was one ("the permissions are the intersection of the policy and the role's",
/// reference §3).
pub fn evaluate_session<'p>(
    role_policies: impl IntoIterator<Item = &'p PermissionPolicy>,
    session_policy: Option<&PermissionPolicy>,
    request: &Request<'_>,
) -> Decision {
    let role = evaluate(role_policies, request);
    match session_policy {
        None => role,
        Some(session) => role.intersect(session.decide(request)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ram::system_policies;
    use Decision::*;

    const UID: &str = "1234567890123456";

    fn policy(statements: &str) -> PermissionPolicy {
        PermissionPolicy::parse(&format!(r#"{{"Version":"1","Statement":[{statements}]}}"#))
            .unwrap_or_else(|e| panic!("{e}: {statements}"))
    }

    fn decide(policies: &[&PermissionPolicy], action: &str, resource: &Arn) -> Decision {
        let context = RequestContext::new();
        evaluate(
            policies.iter().copied(),
            &Request {
                action,
                resource,
                context: &context,
            },
        )
    }

    #[test]
    fn action_and_resource_wildcards() {
        let role = Arn::role(UID, "r");
        // (statement, action, decision)
        let table = [
            (
                r#"{"Effect":"Allow","Action":"ram:GetRole","Resource":"*"}"#,
                "ram:GetRole",
                Allow,
            ),
            (
                r#"{"Effect":"Allow","Action":"ram:getrole","Resource":"*"}"#,
                "ram:GetRole",
                Allow,
            ),
            (
                r#"{"Effect":"Allow","Action":"RAM:GetRole","Resource":"*"}"#,
                "ram:getRole",
                Allow,
            ),
            (
                r#"{"Effect":"Allow","Action":"ram:Get*","Resource":"*"}"#,
                "ram:GetRole",
                Allow,
            ),
            (
                r#"{"Effect":"Allow","Action":"ram:Get*","Resource":"*"}"#,
                "ram:CreateRole",
                ImplicitDeny,
            ),
            (
                r#"{"Effect":"Allow","Action":"ram:*","Resource":"*"}"#,
                "ram:DeleteRole",
                Allow,
            ),
            (
                r#"{"Effect":"Allow","Action":"ram:*","Resource":"*"}"#,
                "sts:AssumeRole",
                ImplicitDeny,
            ),
            (
                r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#,
                "sts:AssumeRole",
                Allow,
            ),
            (
                r#"{"Effect":"Allow","Action":"ram:?etRole","Resource":"*"}"#,
                "ram:GetRole",
                Allow,
            ),
            (
                r#"{"Effect":"Allow","Action":["ecs:*","ram:GetRole"],"Resource":"*"}"#,
                "ram:GetRole",
                Allow,
            ),
            (
                r#"{"Effect":"Allow","Action":"ram:GetRole","Resource":"acs:ram:*:1234567890123456:role/*"}"#,
                "ram:GetRole",
                Allow,
            ),
            (
                r#"{"Effect":"Allow","Action":"ram:GetRole","Resource":"acs:ram:*:1234567890123456:role/other"}"#,
                "ram:GetRole",
                ImplicitDeny,
            ),
            (
                r#"{"Effect":"Allow","Action":"ram:GetRole","Resource":"acs:ram:*:9:role/r"}"#,
                "ram:GetRole",
                ImplicitDeny,
            ),
            (
                r#"{"Effect":"Allow","Action":"ram:GetRole","Resource":["acs:ram:*:9:role/r","acs:ram:*:*:role/r"]}"#,
                "ram:GetRole",
                Allow,
            ),
        ];
        for (statement, action, expected) in table {
            assert_eq!(
                decide(&[&policy(statement)], action, &role),
                expected,
                "{statement} {action}"
            );
        }
    }

    #[test]
    fn not_action_and_not_resource() {
        let role = Arn::role(UID, "r");
        let other = Arn::role(UID, "other");
        let not_delete = policy(r#"{"Effect":"Allow","NotAction":"ram:Delete*","Resource":"*"}"#);
        assert_eq!(decide(&[&not_delete], "ram:GetRole", &role), Allow);
        assert_eq!(
            decide(&[&not_delete], "ram:DeleteRole", &role),
            ImplicitDeny
        );
        let not_r = policy(
            r#"{"Effect":"Allow","Action":"ram:*","NotResource":"acs:ram:*:1234567890123456:role/r"}"#,
        );
        assert_eq!(decide(&[&not_r], "ram:GetRole", &role), ImplicitDeny);
        assert_eq!(decide(&[&not_r], "ram:GetRole", &other), Allow);
        // A Deny with NotAction denies everything else.
        let deny_all_but_get = policy(
            r#"{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","NotAction":"ram:Get*","Resource":"*"}"#,
        );
        assert_eq!(decide(&[&deny_all_but_get], "ram:GetRole", &role), Allow);
        assert_eq!(
            decide(&[&deny_all_but_get], "ram:CreateRole", &role),
            ExplicitDeny
        );
    }

    #[test]
    fn explicit_deny_wins_over_allow_across_policies_and_no_allow_is_implicit() {
        let role = Arn::role(UID, "r");
        let allow = policy(r#"{"Effect":"Allow","Action":"ram:*","Resource":"*"}"#);
        let deny = policy(
            r#"{"Effect":"Deny","Action":"ram:DeleteRole","Resource":"acs:ram:*:*:role/r"}"#,
        );
        assert_eq!(
            decide(&[&allow, &deny], "ram:DeleteRole", &role),
            ExplicitDeny
        );
        assert_eq!(
            decide(&[&deny, &allow], "ram:DeleteRole", &role),
            ExplicitDeny
        );
        assert_eq!(decide(&[&allow, &deny], "ram:GetRole", &role), Allow);
        assert_eq!(decide(&[&deny], "ram:GetRole", &role), ImplicitDeny);
        assert_eq!(decide(&[], "ram:GetRole", &role), ImplicitDeny);
    }

    #[test]
    fn conditions_and_keys_or_values_and_missing_keys() {
        let role = Arn::role(UID, "r");
        let with_conditions = policy(
            r#"{"Effect":"Allow","Action":"ram:*","Resource":"*","Condition":{"StringEquals":{"acs:SourceVpc":["vpc-1","vpc-2"]},"StringLike":{"ram:ServiceNames":"*.aliyuncs.com"}}}"#,
        );
        let run = |context: RequestContext| {
            with_conditions.decide(&Request {
                action: "ram:CreateRole",
                resource: &role,
                context: &context,
            })
        };
        let both = RequestContext::new()
            .with("acs:SourceVpc", ["vpc-2"])
            .with("ram:ServiceNames", ["dts.aliyuncs.com"]);
        assert_eq!(run(both), Allow);
        // Keys are compared in any case.
        let case = RequestContext::new()
            .with("ACS:sourcevpc", ["vpc-1"])
            .with("ram:servicenames", ["dts.aliyuncs.com"]);
        assert_eq!(run(case), Allow);
        // Keys ANDed: one failing test is enough.
        let wrong_vpc = RequestContext::new()
            .with("acs:SourceVpc", ["vpc-3"])
            .with("ram:ServiceNames", ["dts.aliyuncs.com"]);
        assert_eq!(run(wrong_vpc), ImplicitDeny);
        // A missing key fails a positive operator.
        let missing = RequestContext::new().with("acs:SourceVpc", ["vpc-1"]);
        assert_eq!(run(missing), ImplicitDeny);
        // A negated operator holds when the key is absent.
        let deny_outside = policy(
            r#"{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"acs:SourceVpc":"vpc-1"}}}"#,
        );
        let in_vpc = RequestContext::new().with("acs:SourceVpc", ["vpc-1"]);
        let request = |context| Request {
            action: "ram:GetRole",
            resource: &role,
            context,
        };
        assert_eq!(deny_outside.decide(&request(&in_vpc)), Allow);
        assert_eq!(
            deny_outside.decide(&request(&RequestContext::new())),
            ExplicitDeny
        );
    }

    #[test]
    fn a_session_has_the_intersection_of_role_and_session_policies() {
        let role = Arn::role(UID, "r");
        let context = RequestContext::new();
        let role_policies = [policy(
            r#"{"Effect":"Allow","Action":"ram:*","Resource":"*"}"#,
        )];
        let read_only =
            policy(r#"{"Effect":"Allow","Action":["ram:Get*","ram:List*"],"Resource":"*"}"#);
        let everything = policy(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#);
        let deny_get = policy(
            r#"{"Effect":"Deny","Action":"ram:GetRole","Resource":"*"},{"Effect":"Allow","Action":"*","Resource":"*"}"#,
        );
        let session = |session: Option<&PermissionPolicy>, action: &str| {
            evaluate_session(
                &role_policies,
                session,
                &Request {
                    action,
                    resource: &role,
                    context: &context,
                },
            )
        };
        // (session policy, action, decision)
        let table = [
            (None, "ram:CreateRole", Allow),
            (None, "sts:AssumeRole", ImplicitDeny),
            (Some(&read_only), "ram:GetRole", Allow),
            (Some(&read_only), "ram:CreateRole", ImplicitDeny),
            // The session policy cannot widen the role's permissions.
            (Some(&everything), "sts:AssumeRole", ImplicitDeny),
            (Some(&everything), "ram:CreateRole", Allow),
            // An explicit deny in the session policy denies.
            (Some(&deny_get), "ram:GetRole", ExplicitDeny),
            (Some(&deny_get), "ram:ListRoles", Allow),
        ];
        for (policy, action, expected) in table {
            assert_eq!(session(policy, action), expected, "{action} {policy:?}");
        }
        assert_eq!(ExplicitDeny.intersect(Allow), ExplicitDeny);
        assert_eq!(ImplicitDeny.intersect(ExplicitDeny), ExplicitDeny);
        assert_eq!(Allow.intersect(ImplicitDeny), ImplicitDeny);
        assert!(Allow.is_allowed() && !ImplicitDeny.is_allowed());
    }

    #[test]
    fn the_sts_role_arn_with_its_empty_region() {
        let sts_role = Arn::sts_role(UID, "r");
        for resource in [
            "acs:ram:*:1234567890123456:role/r",
            "acs:ram::1234567890123456:role/r",
            "acs:ram::1234567890123456:role/*",
        ] {
            let allow = policy(&format!(
                r#"{{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"{resource}"}}"#
            ));
            assert_eq!(
                decide(&[&allow], "sts:AssumeRole", &sts_role),
                Allow,
                "{resource}"
            );
        }
    }

    #[test]
    fn system_policies_grant_what_their_documents_say() {
        let doc = |name: &str| system_policies::find(name).unwrap().policy();
        let role = Arn::role(UID, "r");
        let sts_role = Arn::sts_role("9999999999999999", "any-role");
        let policy_arn = Arn::system_policy("AliyunDTSRolePolicy");
        // (policy, action, resource, decision)
        let table = [
            ("AliyunRAMReadOnlyAccess", "ram:GetRole", &role, Allow),
            ("AliyunRAMReadOnlyAccess", "ram:ListRoles", &role, Allow),
            (
                "AliyunRAMReadOnlyAccess",
                "ram:GetPolicy",
                &policy_arn,
                Allow,
            ),
            (
                "AliyunRAMReadOnlyAccess",
                "ram:CreateRole",
                &role,
                ImplicitDeny,
            ),
            (
                "AliyunRAMReadOnlyAccess",
                "ram:AttachPolicyToRole",
                &role,
                ImplicitDeny,
            ),
            (
                "AliyunRAMReadOnlyAccess",
                "sts:AssumeRole",
                &sts_role,
                ImplicitDeny,
            ),
            (
                "AliyunSTSAssumeRoleAccess",
                "sts:AssumeRole",
                &sts_role,
                Allow,
            ),
            (
                "AliyunSTSAssumeRoleAccess",
                "ram:GetRole",
                &role,
                ImplicitDeny,
            ),
            ("AliyunRAMFullAccess", "ram:CreateRole", &role, Allow),
            (
                "AliyunRAMFullAccess",
                "sts:AssumeRole",
                &sts_role,
                ImplicitDeny,
            ),
            ("AdministratorAccess", "ram:CreateRole", &role, Allow),
            ("AdministratorAccess", "sts:AssumeRole", &sts_role, Allow),
        ];
        for (name, action, resource, expected) in table {
            assert_eq!(
                decide(&[&doc(name)], action, resource),
                expected,
                "{name} {action}"
            );
        }
    }
}
