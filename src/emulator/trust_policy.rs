//! Trust policies (a role's `AssumeRolePolicyDocument`) the way RAM handles them: validated on write
//! (`MalformedPolicyDocument`), stored re-serialised in RAM's own form, and judged when someone asks to assume
//! the role.
//!
//! RAM's stored form, as the API returns it: keys sorted, pretty-printed with two-space indentation, and every
//! service principal of the role's own account (`"<owner uid>@dts.aliyuncs.com"`) rewritten to the bare service
//! name (`"dts.aliyuncs.com"`), which RAM reads as "that service in this account". The rewrite is the provider
//! domain's own-account rule, one rule for both sides (documented for DTS, inferred for other services).

use super::error::ApiError;
use crate::ram::trust_policy::own_account_stored_form;
use crate::ram::trust_policy::rules::{
    DocumentError, MAX_DOCUMENT_CHARS, action_is_accepted, check_document, statements, strings_of,
};
use crate::ram::wildcard;
use axum::http::StatusCode;
use serde_json::{Map, Value};

/// Compares a request value (first) with a value written in the policy (second).
type Comparison = fn(&str, &str) -> bool;

/// How the emulator evaluates each of RAM's condition operators
/// ([`CONDITION_OPERATORS`](crate::ram::trust_policy::rules::CONDITION_OPERATORS)), comparing a request
/// value with a policy value.
const CONDITION_COMPARISONS: [(&str, Comparison); 5] = [
    ("StringEquals", |actual, wanted| actual == wanted),
    ("StringNotEquals", |actual, wanted| actual != wanted),
    ("StringEqualsIgnoreCase", |actual, wanted| {
        actual.eq_ignore_ascii_case(wanted)
    }),
    ("StringLike", wildcard::matches),
    ("StringNotLike", |actual, wanted| {
        !wildcard::matches(actual, wanted)
    }),
];

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
}

/// The outcome of judging a request to assume a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// Whether the trust policy lets the requester assume the role.
    pub allowed: bool,
    /// Why, in one sentence.
    pub reason: String,
}

/// Validates `document` with RAM's rules (the provider domain's, shared with the provider's plan-time checks) and
/// returns it in RAM's stored form for a role owned by `owner_uid`. `parameter` names the request parameter, for
/// the length error's code (`InvalidParameter.<parameter>.Length`).
pub fn normalize(document: &str, parameter: &str, owner_uid: &str) -> Result<String, ApiError> {
    let mut value = check_document(document).map_err(|e| match e {
        DocumentError::TooLong { .. } => ApiError::invalid(
            &format!("{parameter}.Length"),
            format!(
                "The parameter - \"{parameter}\" is beyond the length limit {MAX_DOCUMENT_CHARS}."
            ),
        ),
        other => ApiError::new(
            StatusCode::BAD_REQUEST,
            "MalformedPolicyDocument",
            other.to_string(),
        ),
    })?;
    rewrite_own_service_principals(&mut value, owner_uid);
    let sorted = sort_keys(value);
    serde_json::to_string_pretty(&sorted).map_err(|e| ApiError::internal(e.to_string()))
}

fn rewrite_own_service_principals(value: &mut Value, owner_uid: &str) {
    let rewrite = |id: &mut Value| {
        if let Some(written) = id.as_str() {
            let stored = own_account_stored_form(written, owner_uid);
            if stored != written {
                *id = Value::String(stored.to_owned());
            }
        }
    };
    let Some(statements) = value.get_mut("Statement") else {
        return;
    };
    let statements: Vec<&mut Value> = match statements {
        Value::Array(items) => items.iter_mut().collect(),
        one => vec![one],
    };
    for statement in statements {
        match statement.pointer_mut("/Principal/Service") {
            Some(Value::Array(ids)) => ids.iter_mut().for_each(rewrite),
            Some(id) => rewrite(id),
            None => {}
        }
    }
}

/// Rebuilds every object with its keys in byte order, whatever map type serde_json was built with.
fn sort_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sort_keys(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort_keys).collect()),
        other => other,
    }
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
    for (i, statement) in statements.iter().enumerate() {
        if !statement_matches(statement, owner_uid, requester) {
            continue;
        }
        if statement.get("Effect").and_then(Value::as_str) == Some("Deny") {
            return refused(format!("statement {} denies {who}", i + 1));
        }
        allowed_by.get_or_insert(i + 1);
    }
    match allowed_by {
        Some(n) => Judgement {
            allowed: true,
            reason: format!("statement {n} allows {who} to assume the role"),
        },
        None => refused(format!(
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

fn statement_matches(
    statement: &Map<String, Value>,
    owner_uid: &str,
    requester: &Requester,
) -> bool {
    let grants_assume = statement
        .get("Action")
        .and_then(strings_of)
        .is_some_and(|actions| actions.iter().any(|a| action_is_accepted(a)));
    grants_assume
        && principal_matches(statement.get("Principal"), owner_uid, requester)
        && conditions_hold(statement.get("Condition"), requester)
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

/// Every condition must hold; a key the request does not carry makes its condition fail.
fn conditions_hold(condition: Option<&Value>, requester: &Requester) -> bool {
    let Some(operators) = condition.and_then(Value::as_object) else {
        return true;
    };
    operators.iter().all(|(operator, tests)| {
        let Some((_, compare)) = CONDITION_COMPARISONS
            .iter()
            .find(|(name, _)| name == operator)
        else {
            return false;
        };
        tests.as_object().is_some_and(|tests| {
            tests.iter().all(|(key, wanted)| {
                let Some(actual) = context_value(key, requester) else {
                    return false;
                };
                let wanted = strings_of(wanted).unwrap_or_default();
                wanted.iter().any(|w| compare(actual, w))
            })
        })
    })
}

/// The request context keys conditions can test.
fn context_value<'a>(key: &str, requester: &'a Requester) -> Option<&'a str> {
    match (key.to_ascii_lowercase().as_str(), requester) {
        ("sts:externalid", Requester::Account { external_id, .. }) => external_id.as_deref(),
        ("acs:sourceaccount" | "sts:sourceaccount", Requester::Service { acting_for, .. }) => {
            Some(acting_for)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    const OWNER: &str = "1111000011110001";
    const TASK: &str = "3333000033330003";
    const PARAMETER: &str = "AssumeRolePolicyDocument";

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

    #[test]
    fn stored_form_is_sorted_and_pretty() {
        let stored = normalize(&dts_policy(TASK), PARAMETER, OWNER).unwrap();
        let expected = format!(
            "{{\n  \"Statement\": [\n    {{\n      \"Action\": \"sts:AssumeRole\",\n      \"Effect\": \"Allow\",\n      \"Principal\": {{\n        \"RAM\": [\n          \"acs:ram::{TASK}:root\"\n        ],\n        \"Service\": [\n          \"{TASK}@dts.aliyuncs.com\"\n        ]\n      }}\n    }}\n  ],\n  \"Version\": \"1\"\n}}"
        );
        assert_eq!(stored, expected);
    }

    #[test]
    fn own_account_service_principal_is_rewritten() {
        let stored = normalize(&dts_policy(OWNER), PARAMETER, OWNER).unwrap();
        assert!(stored.contains("\"dts.aliyuncs.com\""));
        assert!(!stored.contains(&format!("{OWNER}@dts")));
        assert!(stored.contains(&format!("acs:ram::{OWNER}:root")));
    }

    #[test]
    fn malformed_documents_are_rejected() {
        for bad in [
            "not json",
            "[]",
            r#"{"Version":"2","Statement":[]}"#,
            r#"{"Version":"1","Statement":[]}"#,
            r#"{"Version":"1","Statement":[{"Effect":"Maybe","Action":"sts:AssumeRole","Principal":{"RAM":"x"}}]}"#,
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:*","Principal":{"RAM":"x"}}]}"#,
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{}}]}"#,
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":"x"},"Condition":{"NumericLess":{"a":"1"}}}]}"#,
        ] {
            let err = normalize(bad, PARAMETER, OWNER).unwrap_err();
            assert_eq!(err.code, "MalformedPolicyDocument", "{bad}");
        }
    }

    #[test]
    fn every_operator_ram_accepts_is_evaluated() {
        use crate::ram::trust_policy::rules::CONDITION_OPERATORS;
        let evaluated: Vec<&str> = CONDITION_COMPARISONS
            .iter()
            .map(|(name, _)| *name)
            .collect();
        assert_eq!(evaluated, CONDITION_OPERATORS);
    }

    #[test]
    fn dts_of_the_trusted_account_only() {
        let stored = normalize(&dts_policy(TASK), PARAMETER, OWNER).unwrap();
        assert!(judge(&stored, OWNER, &service("dts.aliyuncs.com", TASK)).allowed);
        assert!(!judge(&stored, OWNER, &service("dts.aliyuncs.com", OWNER)).allowed);
        assert!(!judge(&stored, OWNER, &service("cdp.aliyuncs.com", TASK)).allowed);
    }

    #[test]
    fn rewritten_principal_admits_only_the_owner_account() {
        let stored = normalize(&dts_policy(OWNER), PARAMETER, OWNER).unwrap();
        assert!(judge(&stored, OWNER, &service("dts.aliyuncs.com", OWNER)).allowed);
        assert!(!judge(&stored, OWNER, &service("dts.aliyuncs.com", TASK)).allowed);
    }

    #[test]
    fn external_id_condition_is_honoured() {
        let doc = format!(
            r#"{{"Version":"1","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{{"RAM":"acs:ram::{TASK}:root"}},"Condition":{{"StringEquals":{{"sts:ExternalId":"abc-123"}}}}}}]}}"#
        );
        let stored = normalize(&doc, PARAMETER, OWNER).unwrap();
        let account = |external_id: Option<&str>| Requester::Account {
            account_id: TASK.into(),
            external_id: external_id.map(Into::into),
            identity: None,
        };
        assert!(judge(&stored, OWNER, &account(Some("abc-123"))).allowed);
        assert!(!judge(&stored, OWNER, &account(Some("wrong"))).allowed);
        assert!(!judge(&stored, OWNER, &account(None)).allowed);
    }

    #[test]
    fn principals_name_the_account_one_user_or_one_role() {
        let trusting = |principal: &str| {
            let doc = format!(
                r#"{{"Version":"1","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{{"RAM":["{principal}"]}}}}]}}"#
            );
            normalize(&doc, PARAMETER, OWNER).unwrap()
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
        let stored = normalize(&doc, PARAMETER, OWNER).unwrap();
        let verdict = judge(
            &stored,
            OWNER,
            &Requester::Account {
                account_id: TASK.into(),
                external_id: None,
                identity: None,
            },
        );
        assert!(!verdict.allowed);
        assert!(verdict.reason.contains("statement 2 denies"));
    }
}
