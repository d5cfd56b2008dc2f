//! Whether a role's trust policy lets a requester assume the role, as STS decides it: one judgement for the
//! emulator's STS (AssumeRole, AssumeRoleWithOIDC, the admin view of a service assuming a role) and for the
//! provider's `aliram_verify_assume_role` action, which explains a refusal by evaluating the same document.
//!
//! A statement applies when it grants `sts:AssumeRole`, its `Principal` names the requester and every condition
//! holds (condition operators from [`crate::ram::condition::Operator`], the same evaluator as permission policies).
//! An applicable `Deny` wins; otherwise one applicable `Allow` is needed.
//!
//! Principals: a RAM principal `acs:ram::<uid>:root` (or the bare UID, or `*`) admits every identity of the
//! account, `acs:ram::<uid>:user/<name>` one user, `acs:ram::<uid>:role/<name>` the sessions of one role; a
//! Service principal `<uid>@<service>` the service acting for that account, and the bare service name the
//! service acting for the role's own account (RAM's stored form of an own-account principal); a Federated
//! principal `acs:ram::<uid>:oidc-provider/<name>` the holders of that provider's ID tokens.
//!
//! The request context conditions see: `sts:ExternalId` (AssumeRole), `acs:SourceAccount` / `sts:SourceAccount`
//! (a service acting for an account), `oidc:iss`, `oidc:aud` (every audience of the token) and `oidc:sub`
//! (AssumeRoleWithOIDC). Keys compare case-insensitively, values as each operator says.

use super::rules::{action_is_accepted, statements, strings_of};
use crate::ram::condition::Operator;
use serde_json::{Map, Value};

/// Who asks to assume a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requester {
    /// An identity of another (or the same) account calling STS AssumeRole, matched by RAM principals.
    Account {
        /// The caller's account UID.
        account_id: String,
        /// The `ExternalId` sent with AssumeRole, seen by conditions as `sts:ExternalId`.
        external_id: Option<String>,
        /// The caller's own ARN: `acs:ram::<uid>:user/<name>` for a RAM user, `acs:ram::<uid>:role/<name>` for a
        /// role session. A principal naming that user or role admits it; `acs:ram::<uid>:root` admits every
        /// identity of the account.
        identity: Option<String>,
    },
    /// A cloud service (`dts.aliyuncs.com`, `cdp.aliyuncs.com`) acting for an account, matched by Service principals.
    Service {
        /// The service name.
        service: String,
        /// The account the service acts for.
        acting_for: String,
    },
    /// The holder of an ID token of an OIDC provider (AssumeRoleWithOIDC), matched by Federated principals.
    Oidc {
        /// The provider's ARN, `acs:ram::<uid>:oidc-provider/<name>`.
        provider_arn: String,
        /// The token's `iss`, seen as `oidc:iss`.
        issuer: String,
        /// The token's `aud` values, seen as `oidc:aud`.
        audiences: Vec<String>,
        /// The token's `sub`, seen as `oidc:sub`.
        subject: String,
    },
}

/// The outcome of judging a request to assume a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// Whether the trust policy lets the requester assume the role.
    pub allowed: bool,
    /// Why, in one sentence.
    pub reason: String,
}

/// Judges whether `requester` may assume a role owned by `owner_uid` whose stored trust policy is `document`:
/// an explicit Deny wins, otherwise one matching Allow is needed.
pub fn judge(document: &str, owner_uid: &str, requester: &Requester) -> Judgement {
    let who = describe(requester);
    let Ok(value) = serde_json::from_str::<Value>(document) else {
        return refused(format!(
            "the role's trust policy is not valid JSON, so {who} is refused"
        ));
    };
    let Some(statements) = value.as_object().and_then(|root| statements(root).ok()) else {
        return refused(format!(
            "the role's trust policy has no statements, so {who} is refused"
        ));
    };
    let mut allowed_by = None;
    // The first Allow that names the requester but whose condition fails: what a refusal explains.
    let mut unmet = None;
    for (i, statement) in statements.iter().enumerate() {
        let grants_assume = statement
            .get("Action")
            .and_then(strings_of)
            .is_some_and(|actions| actions.iter().any(|a| action_is_accepted(a)));
        if !grants_assume || !principal_matches(statement.get("Principal"), owner_uid, requester) {
            continue;
        }
        let deny = statement.get("Effect").and_then(Value::as_str) == Some("Deny");
        match failed_condition(statement.get("Condition"), requester) {
            None if deny => return refused(format!("statement {} denies {who}", i + 1)),
            None => {
                allowed_by.get_or_insert(i + 1);
            }
            Some(failed) if !deny => {
                unmet.get_or_insert((i + 1, failed));
            }
            Some(_) => {}
        }
    }
    match (allowed_by, unmet) {
        (Some(n), _) => Judgement {
            allowed: true,
            reason: format!("statement {n} allows {who} to assume the role"),
        },
        (None, Some((n, failed))) => refused(format!(
            "no statement of the trust policy admits {who}: statement {n} names it, but its condition {failed}"
        )),
        (None, None) => refused(format!(
            "no statement of the trust policy admits {who} (trusted principals: {})",
            trusted_principals(&statements)
        )),
    }
}

fn refused(reason: String) -> Judgement {
    Judgement {
        allowed: false,
        reason,
    }
}

fn describe(requester: &Requester) -> String {
    match requester {
        Requester::Account {
            identity: Some(identity),
            ..
        } => identity.clone(),
        Requester::Account { account_id, .. } => format!("account {account_id}"),
        Requester::Service {
            service,
            acting_for,
        } => format!("{service} acting for account {acting_for}"),
        Requester::Oidc {
            provider_arn,
            subject,
            ..
        } => format!("subject {subject:?} of OIDC provider {provider_arn}"),
    }
}

fn trusted_principals(statements: &[&Map<String, Value>]) -> String {
    let mut out = Vec::new();
    for statement in statements {
        if let Some(principal) = statement.get("Principal").and_then(Value::as_object) {
            for (kind, ids) in principal {
                for id in strings_of(ids).unwrap_or_default() {
                    out.push(format!("{kind} {id}"));
                }
            }
        }
    }
    if out.is_empty() {
        "none".into()
    } else {
        out.join(", ")
    }
}

fn principal_matches(principal: Option<&Value>, owner_uid: &str, requester: &Requester) -> bool {
    let ids_of = |kind: &str| {
        principal
            .and_then(|p| p.get(kind))
            .and_then(strings_of)
            .unwrap_or_default()
    };
    match requester {
        Requester::Account {
            account_id,
            identity,
            ..
        } => {
            let root = format!("acs:ram::{account_id}:root");
            ids_of("RAM").iter().any(|id| {
                *id == "*"
                    || *id == root
                    || *id == account_id
                    || identity
                        .as_deref()
                        .is_some_and(|own| names_identity(id, own))
            })
        }
        Requester::Service {
            service,
            acting_for,
        } => {
            let qualified = format!("{acting_for}@{service}");
            ids_of("Service")
                .iter()
                .any(|id| *id == qualified || (*id == service.as_str() && acting_for == owner_uid))
        }
        Requester::Oidc { provider_arn, .. } => {
            ids_of("Federated").iter().any(|id| *id == provider_arn)
        }
    }
}

/// Whether the RAM principal `id` names the identity whose ARN is `own`. The account UID and the kind compare
/// exactly; a role name case-insensitively, as RAM treats role names in ARNs (reference §3.1), a user name exactly.
fn names_identity(id: &str, own: &str) -> bool {
    match (id.rsplit_once(":role/"), own.rsplit_once(":role/")) {
        (Some((id_account, id_role)), Some((own_account, own_role))) => {
            id_account == own_account && id_role.eq_ignore_ascii_case(own_role)
        }
        _ => id == own,
    }
}

/// The first condition of a statement that does not hold for `requester`, described with the values compared;
/// `None` when all hold. Keys of one operator are ANDed, the values written for one key ORed, and a negated
/// operator holds when the request does not carry the key ([`Operator::holds`]). An operator RAM does not accept
/// (only a document that bypassed RAM's checks can have one) never holds.
fn failed_condition(condition: Option<&Value>, requester: &Requester) -> Option<String> {
    let operators = condition.and_then(Value::as_object)?;
    for (name, tests) in operators {
        let Some(operator) = Operator::from_name(name) else {
            return Some(format!(
                "uses the operator {name:?}, which RAM does not evaluate"
            ));
        };
        let Some(tests) = tests.as_object() else {
            return Some(format!("{name} is not an object of condition keys"));
        };
        for (key, written) in tests {
            let written: Vec<String> = strings_of(written)
                .unwrap_or_default()
                .into_iter()
                .map(str::to_owned)
                .collect();
            let actual = context_values(key, requester);
            if !operator.holds(actual.as_deref(), &written) {
                let carried = match actual.as_deref() {
                    None | Some([]) => format!("the request carries no {key}"),
                    Some([one]) => format!("the request carries {key} {one:?}"),
                    Some(many) => format!("the request carries {key} {many:?}"),
                };
                return Some(format!(
                    "{name} {{{key:?}: {written:?}}} does not hold: {carried}"
                ));
            }
        }
    }
    None
}

/// The values of the request context key `key` for `requester` (`None`: the request does not carry it).
fn context_values(key: &str, requester: &Requester) -> Option<Vec<String>> {
    let one = |value: &str| Some(vec![value.to_owned()]);
    match (key.to_ascii_lowercase().as_str(), requester) {
        ("sts:externalid", Requester::Account { external_id, .. }) => {
            external_id.as_deref().and_then(one)
        }
        ("acs:sourceaccount" | "sts:sourceaccount", Requester::Service { acting_for, .. }) => {
            one(acting_for.as_str())
        }
        ("oidc:iss", Requester::Oidc { issuer, .. }) => one(issuer.as_str()),
        ("oidc:aud", Requester::Oidc { audiences, .. }) => Some(audiences.clone()),
        ("oidc:sub", Requester::Oidc { subject, .. }) => one(subject.as_str()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWNER: &str = "1111000011110001";
    const TASK: &str = "3333000033330003";
    const PROVIDER: &str = "acs:ram::1111000011110001:oidc-provider/GitHub";

    fn dts_policy(trusted: &str) -> String {
        format!(
            r#"{{"Version":"1","Statement":[{{"Principal":{{"Service":["{trusted}@dts.aliyuncs.com"],"RAM":["acs:ram::{trusted}:root"]}},"Effect":"Allow","Action":"sts:AssumeRole"}}]}}"#
        )
    }

    fn service(service: &str, acting_for: &str) -> Requester {
        Requester::Service {
            service: service.into(),
            acting_for: acting_for.into(),
        }
    }

    fn account(external_id: Option<&str>) -> Requester {
        Requester::Account {
            account_id: TASK.into(),
            external_id: external_id.map(Into::into),
            identity: None,
        }
    }

    fn with_condition(principal: &str, condition: &str) -> String {
        format!(
            r#"{{"Version":"1","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{principal},"Condition":{condition}}}]}}"#
        )
    }

    fn oidc(subject: &str, audiences: &[&str]) -> Requester {
        Requester::Oidc {
            provider_arn: PROVIDER.into(),
            issuer: "https://token.actions.githubusercontent.com".into(),
            audiences: audiences.iter().map(|a| (*a).to_owned()).collect(),
            subject: subject.into(),
        }
    }

    #[test]
    fn dts_of_the_trusted_account_only() {
        let doc = dts_policy(TASK);
        assert!(judge(&doc, OWNER, &service("dts.aliyuncs.com", TASK)).allowed);
        assert!(!judge(&doc, OWNER, &service("dts.aliyuncs.com", OWNER)).allowed);
        assert!(!judge(&doc, OWNER, &service("cdp.aliyuncs.com", TASK)).allowed);
    }

    #[test]
    fn a_bare_service_name_admits_only_the_owner_account() {
        let doc = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"dts.aliyuncs.com"}}]}"#;
        assert!(judge(doc, OWNER, &service("dts.aliyuncs.com", OWNER)).allowed);
        assert!(!judge(doc, OWNER, &service("dts.aliyuncs.com", TASK)).allowed);
    }

    #[test]
    fn external_id_condition_is_honoured_and_named_when_it_fails() {
        let doc = with_condition(
            &format!(r#"{{"RAM":"acs:ram::{TASK}:root"}}"#),
            r#"{"StringEquals":{"sts:ExternalId":"abc-123"}}"#,
        );
        assert!(judge(&doc, OWNER, &account(Some("abc-123"))).allowed);
        let wrong = judge(&doc, OWNER, &account(Some("wrong")));
        assert!(!wrong.allowed);
        assert!(
            wrong.reason.contains(
                r#"statement 1 names it, but its condition StringEquals {"sts:ExternalId": ["abc-123"]} does not hold: the request carries sts:ExternalId "wrong""#
            ),
            "{}",
            wrong.reason
        );
        let absent = judge(&doc, OWNER, &account(None));
        assert!(!absent.allowed);
        assert!(
            absent
                .reason
                .contains("the request carries no sts:ExternalId"),
            "{}",
            absent.reason
        );
    }

    /// RAM's negated operators are the negation of their positive counterparts (`ram::condition`): with several
    /// values written, `StringNotEquals` holds only when the request equals none of them, and it holds when the
    /// request does not carry the key. (The emulator's former table held whenever any value differed, so
    /// `StringNotEquals ["a", "b"]` admitted "a".)
    #[test]
    fn string_not_equals_holds_only_when_no_written_value_is_equal() {
        let doc = with_condition(
            &format!(r#"{{"RAM":"acs:ram::{TASK}:root"}}"#),
            r#"{"StringNotEquals":{"sts:ExternalId":["blocked-1","blocked-2"]}}"#,
        );
        assert!(!judge(&doc, OWNER, &account(Some("blocked-1"))).allowed);
        assert!(!judge(&doc, OWNER, &account(Some("blocked-2"))).allowed);
        assert!(judge(&doc, OWNER, &account(Some("other"))).allowed);
        assert!(judge(&doc, OWNER, &account(None)).allowed);
        let not_like = with_condition(
            &format!(r#"{{"RAM":"acs:ram::{TASK}:root"}}"#),
            r#"{"StringNotLike":{"sts:ExternalId":["tmp-*","test-?"]}}"#,
        );
        assert!(!judge(&not_like, OWNER, &account(Some("test-1"))).allowed);
        assert!(judge(&not_like, OWNER, &account(Some("prod-1"))).allowed);
    }

    #[test]
    fn principals_name_the_account_one_user_or_one_role() {
        let trusting = |principal: &str| {
            format!(
                r#"{{"Version":"1","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{{"RAM":["{principal}"]}}}}]}}"#
            )
        };
        let as_identity = |identity: &str| Requester::Account {
            account_id: TASK.into(),
            external_id: None,
            identity: Some(identity.into()),
        };
        let ci = as_identity(&format!("acs:ram::{TASK}:user/ci"));
        let other = as_identity(&format!("acs:ram::{TASK}:user/other"));
        let session = as_identity(&format!("acs:ram::{TASK}:role/Deployer"));
        let root = trusting(&format!("acs:ram::{TASK}:root"));
        assert!(judge(&root, OWNER, &ci).allowed);
        assert!(judge(&root, OWNER, &session).allowed);
        let one_user = trusting(&format!("acs:ram::{TASK}:user/ci"));
        assert!(judge(&one_user, OWNER, &ci).allowed);
        assert!(!judge(&one_user, OWNER, &other).allowed);
        assert!(!judge(&one_user, OWNER, &session).allowed);
        let one_role = trusting(&format!("acs:ram::{TASK}:role/deployer"));
        assert!(judge(&one_role, OWNER, &session).allowed);
        assert!(!judge(&one_role, OWNER, &ci).allowed);
        let other_account = trusting(&format!("acs:ram::{OWNER}:user/ci"));
        assert!(!judge(&other_account, OWNER, &ci).allowed);
    }

    #[test]
    fn explicit_deny_wins() {
        let doc = format!(
            r#"{{"Version":"1","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{{"RAM":"acs:ram::{TASK}:root"}}}},{{"Effect":"Deny","Action":"sts:AssumeRole","Principal":{{"RAM":"acs:ram::{TASK}:root"}}}}]}}"#
        );
        let verdict = judge(&doc, OWNER, &account(None));
        assert!(!verdict.allowed);
        assert!(verdict.reason.contains("statement 2 denies"));
    }

    /// The document of RAM's CreateRole example for an OIDC provider (reference §5), with this test's values.
    fn oidc_policy() -> String {
        with_condition(
            &format!(r#"{{"Federated":["{PROVIDER}"]}}"#),
            r#"{"StringEquals":{"oidc:aud":["sts.aliyuncs.com"],"oidc:iss":"https://token.actions.githubusercontent.com","oidc:sub":"repo:org/app:ref:refs/heads/main"}}"#,
        )
    }

    /// RAM accepts such a document on CreateRole, so the provider's plan-time check must too.
    #[test]
    fn rams_rules_accept_the_oidc_trust_policy() {
        assert!(super::super::rules::check_document(&oidc_policy()).is_ok());
    }

    #[test]
    fn an_oidc_provider_is_admitted_through_federated_and_its_conditions() {
        let doc = oidc_policy();
        let main = oidc(
            "repo:org/app:ref:refs/heads/main",
            &["other", "sts.aliyuncs.com"],
        );
        assert!(judge(&doc, OWNER, &main).allowed);

        let branch = judge(
            &doc,
            OWNER,
            &oidc("repo:org/app:ref:refs/heads/dev", &["sts.aliyuncs.com"]),
        );
        assert!(!branch.allowed);
        assert!(
            branch.reason.contains(r#"StringEquals {"oidc:sub": ["repo:org/app:ref:refs/heads/main"]} does not hold: the request carries oidc:sub "repo:org/app:ref:refs/heads/dev""#),
            "{}",
            branch.reason
        );
        let audience = judge(
            &doc,
            OWNER,
            &oidc("repo:org/app:ref:refs/heads/main", &["elsewhere"]),
        );
        assert!(!audience.allowed);
        assert!(audience.reason.contains("oidc:aud"), "{}", audience.reason);

        let Requester::Oidc {
            issuer,
            audiences,
            subject,
            ..
        } = main.clone()
        else {
            unreachable!("an Oidc requester")
        };
        let other_provider = Requester::Oidc {
            provider_arn: "acs:ram::1111000011110001:oidc-provider/GitLab".into(),
            issuer,
            audiences,
            subject,
        };
        let verdict = judge(&doc, OWNER, &other_provider);
        assert!(!verdict.allowed);
        assert!(
            verdict.reason.contains(&format!("Federated {PROVIDER}")),
            "{}",
            verdict.reason
        );
        // A RAM principal never admits a token holder, nor a Federated one an account.
        let ram = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":"*"}}]}"#;
        assert!(!judge(ram, OWNER, &main).allowed);
        assert!(!judge(&doc, OWNER, &account(None)).allowed);
    }

    #[test]
    fn wildcard_subjects_with_string_like() {
        let doc = with_condition(
            &format!(r#"{{"Federated":"{PROVIDER}"}}"#),
            r#"{"StringLike":{"oidc:sub":"repo:org/*"}}"#,
        );
        assert!(judge(&doc, OWNER, &oidc("repo:org/app:ref:x", &["a"])).allowed);
        assert!(!judge(&doc, OWNER, &oidc("repo:other/app", &["a"])).allowed);
    }
}
