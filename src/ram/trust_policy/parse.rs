//! Lenient reading of trust policy documents.
//!
//! RAM returns the stored document re-serialised, and users write it in every legal shape, so the parser
//! accepts: any whitespace and key order; `Statement` as one object or a list; `Action`, `Resource`, each
//! principal kind and each condition value as a string or a list; `Effect` in any letter case; `Version` as a
//! string or a number. Keys it does not model are kept verbatim. Anything else is an error that names the place
//! in the document and what was found there.

use super::{Condition, Effect, Principal, PrincipalKind, Statement, TrustPolicy};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Why a document is not a readable trust policy.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TrustPolicyError {
    /// The text is not JSON at all.
    #[error("the trust policy is not valid JSON: {reason}")]
    InvalidJson {
        /// The JSON parser's explanation, with line and column.
        reason: String,
    },
    /// A value has the wrong JSON type.
    #[error("\"{path}\" in the trust policy must be {expected}, but it is {found}")]
    WrongType {
        /// Where in the document, e.g. `Statement[0].Principal.RAM`.
        path: String,
        /// What is accepted there.
        expected: &'static str,
        /// What was found, with a short excerpt.
        found: String,
    },
    /// A required key is missing.
    #[error("the trust policy has no \"{path}\": {hint}")]
    MissingField {
        /// Where in the document, e.g. `Statement[0].Effect`.
        path: String,
        /// What the key should hold.
        hint: &'static str,
    },
    /// `Effect` is neither `Allow` nor `Deny`.
    #[error("\"{path}\" in the trust policy is \"{value}\": expected \"Allow\" or \"Deny\"")]
    InvalidEffect {
        /// Where in the document.
        path: String,
        /// The value found.
        value: String,
    },
}

impl TrustPolicy {
    /// Reads a trust policy document leniently (see the module documentation for what is accepted).
    pub fn parse(document: &str) -> Result<TrustPolicy, TrustPolicyError> {
        let value: Value =
            serde_json::from_str(document).map_err(|e| TrustPolicyError::InvalidJson {
                reason: e.to_string(),
            })?;
        TrustPolicy::from_value(&value)
    }

    /// Reads a trust policy from an already parsed JSON value, as leniently as [`TrustPolicy::parse`].
    pub fn from_value(value: &Value) -> Result<TrustPolicy, TrustPolicyError> {
        let root = as_object(
            value,
            "(document)",
            "a JSON object with \"Version\" and \"Statement\"",
        )?;
        let mut policy = TrustPolicy::default();
        for (key, item) in root {
            match key.as_str() {
                "Version" => policy.version = Some(version(item)?),
                "Statement" => policy.statements = statements(item)?,
                _ => {
                    policy.other.insert(key.clone(), item.clone());
                }
            }
        }
        if !root.contains_key("Statement") {
            return Err(TrustPolicyError::MissingField {
                path: "Statement".to_owned(),
                hint: "a trust policy needs at least one statement saying who may assume the role",
            });
        }
        Ok(policy)
    }
}

fn version(value: &Value) -> Result<String, TrustPolicyError> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(wrong_type("Version", "a string such as \"1\"", other)),
    }
}

fn statements(value: &Value) -> Result<Vec<Statement>, TrustPolicyError> {
    match value {
        Value::Object(_) => Ok(vec![statement(value, "Statement")?]),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| statement(item, &format!("Statement[{i}]")))
            .collect(),
        other => Err(wrong_type(
            "Statement",
            "an object or a list of objects",
            other,
        )),
    }
}

fn statement(value: &Value, path: &str) -> Result<Statement, TrustPolicyError> {
    let map = as_object(value, path, "an object")?;
    let effect_path = format!("{path}.Effect");
    let effect = match map.get("Effect") {
        Some(v) => effect(v, &effect_path)?,
        None => {
            return Err(TrustPolicyError::MissingField {
                path: effect_path,
                hint: "every statement needs \"Effect\": \"Allow\" or \"Deny\"",
            });
        }
    };
    let mut statement = Statement {
        effect,
        action: Vec::new(),
        principal: Principal::default(),
        resource: Vec::new(),
        condition: Condition::default(),
        other: BTreeMap::new(),
    };
    for (key, item) in map {
        let item_path = format!("{path}.{key}");
        match key.as_str() {
            "Effect" => {}
            "Action" => statement.action = strings(item, &item_path)?,
            "Resource" => statement.resource = strings(item, &item_path)?,
            "Principal" => statement.principal = principal(item, &item_path)?,
            "Condition" => statement.condition = condition(item, &item_path)?,
            _ => {
                statement.other.insert(key.clone(), item.clone());
            }
        }
    }
    Ok(statement)
}

fn effect(value: &Value, path: &str) -> Result<Effect, TrustPolicyError> {
    let text = value
        .as_str()
        .ok_or_else(|| wrong_type(path, "\"Allow\" or \"Deny\"", value))?;
    if text.eq_ignore_ascii_case("allow") {
        Ok(Effect::Allow)
    } else if text.eq_ignore_ascii_case("deny") {
        Ok(Effect::Deny)
    } else {
        Err(TrustPolicyError::InvalidEffect {
            path: path.to_owned(),
            value: text.to_owned(),
        })
    }
}

fn principal(value: &Value, path: &str) -> Result<Principal, TrustPolicyError> {
    let map = as_object(
        value,
        path,
        "an object such as {\"RAM\": [\"acs:ram::<uid>:root\"]}",
    )?;
    let mut principal = Principal::default();
    for (key, item) in map {
        let values = strings(item, &format!("{path}.{key}"))?;
        match PrincipalKind::from_key(key) {
            Some(kind) => *principal.values_mut(kind) = values,
            None => {
                principal.other.insert(key.clone(), values);
            }
        }
    }
    Ok(principal)
}

fn condition(value: &Value, path: &str) -> Result<Condition, TrustPolicyError> {
    let operators = as_object(value, path, "an object of condition operators")?;
    let mut condition = Condition::default();
    for (operator, keys) in operators {
        let operator_path = format!("{path}.{operator}");
        let keys = as_object(keys, &operator_path, "an object of condition keys")?;
        let mut parsed = BTreeMap::new();
        for (key, values) in keys {
            let key_path = format!("{operator_path}.{key}");
            parsed.insert(key.clone(), scalars(values, &key_path)?);
        }
        condition.0.insert(operator.clone(), parsed);
    }
    Ok(condition)
}

/// A string or a list of strings.
fn strings(value: &Value, path: &str) -> Result<Vec<String>, TrustPolicyError> {
    const EXPECTED: &str = "a string or a list of strings";
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| wrong_type(path, EXPECTED, item))
            })
            .collect(),
        other => Err(wrong_type(path, EXPECTED, other)),
    }
}

/// A scalar (string, number, boolean) or a list of scalars.
fn scalars(value: &Value, path: &str) -> Result<Vec<Value>, TrustPolicyError> {
    const EXPECTED: &str = "a string, number or boolean, or a list of them";
    let is_scalar = |v: &Value| matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_));
    match value {
        Value::Array(items) => items
            .iter()
            .map(|item| {
                if is_scalar(item) {
                    Ok(item.clone())
                } else {
                    Err(wrong_type(path, EXPECTED, item))
                }
            })
            .collect(),
        v if is_scalar(v) => Ok(vec![v.clone()]),
        other => Err(wrong_type(path, EXPECTED, other)),
    }
}

fn as_object<'a>(
    value: &'a Value,
    path: &str,
    expected: &'static str,
) -> Result<&'a Map<String, Value>, TrustPolicyError> {
    value
        .as_object()
        .ok_or_else(|| wrong_type(path, expected, value))
}

fn wrong_type(path: &str, expected: &'static str, found: &Value) -> TrustPolicyError {
    TrustPolicyError::WrongType {
        path: path.to_owned(),
        expected,
        found: describe(found),
    }
}

/// "a number (42)", "a list ([1,2])": the JSON type and a short excerpt, so the user can find the spot.
pub(crate) fn describe(value: &Value) -> String {
    const MAX_EXCERPT_CHARS: usize = 60;
    let kind = match value {
        Value::Null => return "null".to_owned(),
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    };
    let text = value.to_string();
    let excerpt = if text.chars().count() > MAX_EXCERPT_CHARS {
        let head: String = text.chars().take(MAX_EXCERPT_CHARS).collect();
        format!("{head}…")
    } else {
        text
    };
    format!("{kind} ({excerpt})")
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn accepts_statement_object_and_scalar_values() {
        let policy = TrustPolicy::parse(
            r#"{"Version":"1","Statement":{"Effect":"allow","Action":"sts:AssumeRole",
                "Principal":{"RAM":"acs:ram::1:root","Service":["1@dts.aliyuncs.com"]}}}"#,
        )
        .unwrap();
        assert_eq!(policy.version.as_deref(), Some("1"));
        assert_eq!(policy.statements.len(), 1);
        let s = &policy.statements[0];
        assert_eq!(s.effect, Effect::Allow);
        assert_eq!(s.action, ["sts:AssumeRole"]);
        assert_eq!(s.principal.ram, ["acs:ram::1:root"]);
        assert_eq!(s.principal.service, ["1@dts.aliyuncs.com"]);
    }

    #[test]
    fn keeps_unknown_keys_and_principal_kinds() {
        let policy = TrustPolicy::parse(
            r#"{"Version":1,"Id":"x","Statement":[{"Sid":"s1","Effect":"Deny","NotAction":["a"],
                "Resource":["r1","r2"],"Principal":{"Custom":["c"],"Federated":"f"},
                "Condition":{"StringEquals":{"sts:ExternalId":["e1"],"acs:MFAPresent":true}}}]}"#,
        )
        .unwrap();
        assert_eq!(policy.version.as_deref(), Some("1"));
        assert_eq!(policy.other["Id"], Value::String("x".into()));
        let s = &policy.statements[0];
        assert_eq!(s.effect, Effect::Deny);
        assert!(s.action.is_empty());
        assert_eq!(s.resource, ["r1", "r2"]);
        assert_eq!(s.other.keys().collect::<Vec<_>>(), ["NotAction", "Sid"]);
        assert_eq!(s.principal.other["Custom"], ["c"]);
        assert_eq!(s.principal.federated, ["f"]);
        let keys = &s.condition.0["StringEquals"];
        assert_eq!(keys["sts:ExternalId"], [Value::String("e1".into())]);
        assert_eq!(keys["acs:MFAPresent"], [Value::Bool(true)]);
        // Rendering keeps everything, keys sorted.
        assert_eq!(
            policy.to_json(),
            r#"{"Id":"x","Statement":[{"Condition":{"StringEquals":{"acs:MFAPresent":true,"sts:ExternalId":"e1"}},"Effect":"Deny","NotAction":["a"],"Principal":{"Custom":["c"],"Federated":["f"]},"Resource":["r1","r2"],"Sid":"s1"}],"Version":"1"}"#
        );
    }

    #[test]
    fn invalid_json_is_reported_with_position() {
        let err = TrustPolicy::parse("{\"Statement\": [").unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("the trust policy is not valid JSON: "),
            "{text}"
        );
        assert!(text.contains("line 1"), "{text}");
    }

    #[test]
    fn wrong_types_name_the_path_and_what_was_found() {
        let cases = [
            (
                "[]",
                "\"(document)\" in the trust policy must be a JSON object with \"Version\" and \"Statement\", but it is a list ([])",
            ),
            (
                r#"{"Statement":5}"#,
                "\"Statement\" in the trust policy must be an object or a list of objects, but it is a number (5)",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":42}]}"#,
                "\"Statement[0].Action\" in the trust policy must be a string or a list of strings, but it is a number (42)",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":{"RAM":[1]}}]}"#,
                "\"Statement[0].Principal.RAM\" in the trust policy must be a string or a list of strings, but it is a number (1)",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":"*"}]}"#,
                "\"Statement[0].Principal\" in the trust policy must be an object such as {\"RAM\": [\"acs:ram::<uid>:root\"]}, but it is a string (\"*\")",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Condition":{"Bool":{"k":{"x":1}}}}]}"#,
                "\"Statement[0].Condition.Bool.k\" in the trust policy must be a string, number or boolean, or a list of them, but it is an object ({\"x\":1})",
            ),
            (
                r#"{"Version":null,"Statement":[]}"#,
                "\"Version\" in the trust policy must be a string such as \"1\", but it is null",
            ),
        ];
        for (document, expected) in cases {
            let err = TrustPolicy::parse(document).unwrap_err();
            assert_eq!(err.to_string(), expected, "{document}");
        }
    }

    #[test]
    fn missing_statement_and_effect_are_errors() {
        assert_eq!(
            TrustPolicy::parse(r#"{"Version":"1"}"#).unwrap_err(),
            TrustPolicyError::MissingField {
                path: "Statement".into(),
                hint: "a trust policy needs at least one statement saying who may assume the role",
            }
        );
        let err = TrustPolicy::parse(r#"{"Statement":{"Action":"sts:AssumeRole"}}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the trust policy has no \"Statement.Effect\": every statement needs \"Effect\": \"Allow\" or \"Deny\""
        );
    }

    #[test]
    fn invalid_effect_quotes_the_value() {
        let err = TrustPolicy::parse(r#"{"Statement":[{"Effect":"Permit"}]}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"Statement[0].Effect\" in the trust policy is \"Permit\": expected \"Allow\" or \"Deny\""
        );
    }

    #[test]
    fn long_excerpts_are_cut() {
        let long = "x".repeat(200);
        let err = TrustPolicy::parse(&format!(
            r#"{{"Statement":[{{"Effect":"Allow","Action":{{"a":"{long}"}}}}]}}"#
        ))
        .unwrap_err();
        let text = err.to_string();
        assert!(text.ends_with("…)"), "{text}");
        assert!(text.len() < 250, "{text}");
    }
}
