//! Trust policies (a role's `AssumeRolePolicyDocument`) the way RAM stores them: validated on write
//! (`MalformedPolicyDocument`) and stored re-serialised in RAM's own form. Whether a document lets someone assume
//! the role is RAM's own judgement, shared with the provider: [`crate::ram::trust_policy::judge`].
//!
//! RAM's stored form, as the API returns it: keys sorted, pretty-printed with two-space indentation, and every
//! service principal of the role's own account (`"<owner uid>@dts.aliyuncs.com"`) rewritten to the bare service
//! name (`"dts.aliyuncs.com"`), which RAM reads as "that service in this account". The rewrite is the provider
//! domain's own-account rule, one rule for both sides (documented for DTS, inferred for other services).

use super::error::ApiError;
use crate::ram::trust_policy::own_account_stored_form;
use crate::ram::trust_policy::rules::{DocumentError, MAX_DOCUMENT_CHARS, check_document};
use axum::http::StatusCode;
use serde_json::Value;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ram::trust_policy::judge::{Requester, judge};
    use pretty_assertions::assert_eq;

    const OWNER: &str = "1111000011110001";
    const TASK: &str = "3333000033330003";
    const PARAMETER: &str = "AssumeRolePolicyDocument";

    fn dts_policy(trusted: &str) -> String {
        format!(
            r#"{{"Version":"1","Statement":[{{"Principal":{{"Service":["{trusted}@dts.aliyuncs.com"],"RAM":["acs:ram::{trusted}:root"]}},"Effect":"Allow","Action":"sts:AssumeRole"}}]}}"#
        )
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

    /// The stored form of an own-account service principal means what RAM means by it.
    #[test]
    fn rewritten_principal_admits_only_the_owner_account() {
        let stored = normalize(&dts_policy(OWNER), PARAMETER, OWNER).unwrap();
        let dts_acting_for = |account: &str| Requester::Service {
            service: "dts.aliyuncs.com".into(),
            acting_for: account.into(),
        };
        assert!(judge(&stored, OWNER, &dts_acting_for(OWNER)).allowed);
        assert!(!judge(&stored, OWNER, &dts_acting_for(TASK)).allowed);
    }
}
