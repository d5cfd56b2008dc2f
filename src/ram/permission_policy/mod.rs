//! RAM permission policies (the documents of `CreatePolicy`, the system policies, and the `Policy` passed to
//! `AssumeRole`) as a typed model, read with RAM's grammar, and evaluated as RAM does ([`evaluate`]).
//!
//! Grammar (RAM's "policy structure and syntax", reference §3): `Version` the string `"1"`; `Statement` one
//! object or a non-empty list; each statement has `Effect` (`Allow` | `Deny`), exactly one of `Action` /
//! `NotAction`, exactly one of `Resource` / `NotResource`, and optionally `Condition`; every value a string or a
//! list of strings. Element names, effects and operators are case-sensitive; action names are not. A repeated key
//! is malformed (read with [`strict_json`](crate::ram::strict_json)). RAM accepts documents up to
//! [`MAX_DOCUMENT_CHARS`] characters.
//!
//! The top level and the JSON walk are the trust-policy rules' ([`document_statements`], [`strings_of`],
//! [`describe`]); only what differs (the statement's elements) is here.

pub mod evaluate;

use super::condition::Operator;
use super::strict_json;
use super::trust_policy::rules::{self, DocumentError, document_statements, strings_of};
use super::trust_policy::{Effect, describe};
use serde_json::{Map, Value};

/// The longest permission policy document RAM accepts, in characters (RAM's Limitations page: 6,144 for a custom
/// policy's document).
pub const MAX_DOCUMENT_CHARS: usize = 6144;

/// The code RAM answers a document it cannot read with.
pub const MALFORMED_POLICY_DOCUMENT: &str = "MalformedPolicyDocument";

/// The keys a statement may have.
pub const STATEMENT_KEYS: [&str; 6] = [
    "Action",
    "Condition",
    "Effect",
    "NotAction",
    "NotResource",
    "Resource",
];

/// A permission policy document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PermissionPolicy {
    /// The statements, in document order (one object in the source is a list of one here).
    pub statements: Vec<PermissionStatement>,
}

/// One statement of a permission policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PermissionStatement {
    /// `Effect`.
    pub effect: Effect,
    /// `Action` or `NotAction`.
    pub actions: Scope,
    /// `Resource` or `NotResource`.
    pub resources: Scope,
    /// `Condition`, one test per operator and key (all must hold).
    pub conditions: Vec<ConditionTest>,
}

/// What an `Action` / `NotAction` (or `Resource` / `NotResource`) block covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// `Action` / `Resource`: whatever one of the patterns matches.
    Listed(Vec<String>),
    /// `NotAction` / `NotResource`: whatever none of the patterns matches.
    AllBut(Vec<String>),
}

impl Scope {
    /// Whether the block covers a value, `matches(pattern)` telling whether one written pattern matches it.
    pub fn covers(&self, matches: impl Fn(&str) -> bool) -> bool {
        match self {
            Scope::Listed(patterns) => patterns.iter().any(|p| matches(p)),
            Scope::AllBut(patterns) => !patterns.iter().any(|p| matches(p)),
        }
    }
}

/// One condition test: `operator` applied to the request's values of `key` and the `values` written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionTest {
    /// The operator.
    pub operator: Operator,
    /// The condition key (`acs:SourceIp`, `ram:TrustedPrincipalTypes`, ...).
    pub key: String,
    /// The values written (ORed).
    pub values: Vec<String>,
}

/// Why RAM refuses a permission policy document (`MalformedPolicyDocument`, or the length error of the
/// parameter that carried it).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyDocumentError {
    /// Longer than [`MAX_DOCUMENT_CHARS`].
    #[error(
        "the policy document is {chars} characters long; RAM accepts at most {max} characters",
        max = MAX_DOCUMENT_CHARS
    )]
    TooLong {
        /// Its length in characters.
        chars: usize,
    },
    /// Not JSON, or a key named twice in one object.
    #[error(
        "the policy document is not valid JSON as RAM reads it: {reason}. RAM accepts one JSON object in which no key appears twice"
    )]
    InvalidJson {
        /// The parser's explanation, with line and column.
        reason: String,
    },
    /// A value of the wrong kind, a missing or doubled element, or a key RAM does not know.
    #[error("\"{path}\" in the policy document is {found}; RAM accepts {expected}")]
    Refused {
        /// Where in the document, e.g. `Statement[0].Action`.
        path: String,
        /// What was found, with an excerpt.
        found: String,
        /// What RAM accepts there.
        expected: String,
    },
}

fn refused(path: &str, found: String, expected: impl Into<String>) -> PolicyDocumentError {
    rules::refused(path, found, expected).into()
}

fn unknown_key(path: &str, key: &str, accepted: &[&str]) -> PolicyDocumentError {
    rules::unknown_key(path, key, accepted).into()
}

impl From<DocumentError> for PolicyDocumentError {
    /// The shared statement walk's refusals, worded for a permission policy.
    fn from(error: DocumentError) -> Self {
        match error {
            DocumentError::TooLong { chars, .. } => PolicyDocumentError::TooLong { chars },
            DocumentError::InvalidJson { reason } => PolicyDocumentError::InvalidJson { reason },
            DocumentError::Refused {
                path,
                found,
                expected,
            } => PolicyDocumentError::Refused {
                path,
                found,
                expected,
            },
        }
    }
}

impl PermissionPolicy {
    /// Reads `document` with RAM's grammar and limits (see the module documentation).
    pub fn parse(document: &str) -> Result<PermissionPolicy, PolicyDocumentError> {
        let chars = document.chars().count();
        if chars > MAX_DOCUMENT_CHARS {
            return Err(PolicyDocumentError::TooLong { chars });
        }
        let value =
            strict_json::from_str(document).map_err(|e| PolicyDocumentError::InvalidJson {
                reason: e.to_string(),
            })?;
        let statements = document_statements(&value)?
            .into_iter()
            .enumerate()
            .map(|(i, s)| statement(s, &format!("Statement[{i}]")))
            .collect::<Result<_, _>>()?;
        Ok(PermissionPolicy { statements })
    }
}

impl std::str::FromStr for PermissionPolicy {
    type Err = PolicyDocumentError;

    /// The same as [`PermissionPolicy::parse`].
    fn from_str(document: &str) -> Result<Self, Self::Err> {
        PermissionPolicy::parse(document)
    }
}

fn statement(
    statement: &Map<String, Value>,
    path: &str,
) -> Result<PermissionStatement, PolicyDocumentError> {
    if let Some(key) = statement
        .keys()
        .find(|k| !STATEMENT_KEYS.contains(&k.as_str()))
    {
        return Err(unknown_key(&format!("{path}."), key, &STATEMENT_KEYS));
    }
    let effect = match statement.get("Effect") {
        Some(Value::String(e)) if e == "Allow" => Effect::Allow,
        Some(Value::String(e)) if e == "Deny" => Effect::Deny,
        found => {
            return Err(refused(
                &format!("{path}.Effect"),
                found.map_or("missing".to_owned(), describe),
                "\"Allow\" or \"Deny\" (case-sensitive)",
            ));
        }
    };
    let actions = scope(statement, path, "Action", "NotAction", |action| {
        action == "*"
            || action
                .split_once(':')
                .is_some_and(|(service, name)| !service.is_empty() && !name.is_empty())
    })?;
    let resources = scope(statement, path, "Resource", "NotResource", |r| {
        !r.is_empty()
    })?;
    let conditions = match statement.get("Condition") {
        None => Vec::new(),
        Some(condition) => conditions(condition, &format!("{path}.Condition"))?,
    };
    Ok(PermissionStatement {
        effect,
        actions,
        resources,
        conditions,
    })
}

/// Exactly one of `listed` / `all_but`, a string or a non-empty list of strings each `valid`.
fn scope(
    statement: &Map<String, Value>,
    path: &str,
    listed: &str,
    all_but: &str,
    valid: impl Fn(&str) -> bool,
) -> Result<Scope, PolicyDocumentError> {
    let (key, value, negated) = match (statement.get(listed), statement.get(all_but)) {
        (Some(value), None) => (listed, value, false),
        (None, Some(value)) => (all_but, value, true),
        (None, None) => {
            return Err(refused(
                &format!("{path}.{listed}"),
                "missing".to_owned(),
                format!("exactly one of \"{listed}\" and \"{all_but}\""),
            ));
        }
        (Some(_), Some(_)) => {
            return Err(refused(
                &format!("{path}.{all_but}"),
                format!("given together with \"{listed}\""),
                format!("exactly one of \"{listed}\" and \"{all_but}\""),
            ));
        }
    };
    let path = format!("{path}.{key}");
    let values = strings_of(value)
        .filter(|values| !values.is_empty())
        .ok_or_else(|| {
            refused(
                &path,
                describe(value),
                "a string or a non-empty list of strings",
            )
        })?;
    if let Some(bad) = values.iter().find(|v| !valid(v)) {
        let expected = if key.ends_with("Action") {
            "\"*\" or actions written \"<service>:<action>\" such as \"ram:GetRole\" or \"ram:Get*\""
        } else {
            "non-empty resource names such as \"*\" or \"acs:ram:*:<uid>:role/<name>\""
        };
        return Err(refused(&path, format!("{bad:?}"), expected));
    }
    let values = values.into_iter().map(str::to_owned).collect();
    Ok(if negated {
        Scope::AllBut(values)
    } else {
        Scope::Listed(values)
    })
}

fn conditions(condition: &Value, path: &str) -> Result<Vec<ConditionTest>, PolicyDocumentError> {
    let operators = condition.as_object().ok_or_else(|| {
        refused(
            path,
            describe(condition),
            "an object of condition operators",
        )
    })?;
    let mut tests = Vec::new();
    for (name, keys) in operators {
        let operator = Operator::from_name(name).ok_or_else(|| {
            unknown_key(
                &format!("{path}."),
                name,
                &Operator::ALL.map(Operator::name),
            )
        })?;
        let operator_path = format!("{path}.{name}");
        let keys = keys.as_object().ok_or_else(|| {
            refused(
                &operator_path,
                describe(keys),
                "an object of condition keys",
            )
        })?;
        for (key, values) in keys {
            let values = strings_of(values).ok_or_else(|| {
                refused(
                    &format!("{operator_path}.{key}"),
                    describe(values),
                    "a string or a list of strings",
                )
            })?;
            tests.push(ConditionTest {
                operator,
                key: key.clone(),
                values: values.into_iter().map(str::to_owned).collect(),
            });
        }
    }
    Ok(tests)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn statement_doc(statement: &str) -> String {
        format!(r#"{{"Version":"1","Statement":[{statement}]}}"#)
    }

    #[test]
    fn reads_every_legal_shape() {
        let policy = PermissionPolicy::parse(
            r#"{"Statement":{"Effect":"Deny","NotAction":["ram:Delete*","ram:Detach*"],"NotResource":"acs:ram:*:1:role/keep","Condition":{"StringLike":{"acs:SourceVpc":["vpc-*"],"ram:ServiceNames":"dts.aliyuncs.com"}}},"Version":"1"}"#,
        )
        .unwrap();
        assert_eq!(
            policy,
            PermissionPolicy {
                statements: vec![PermissionStatement {
                    effect: Effect::Deny,
                    actions: Scope::AllBut(vec!["ram:Delete*".into(), "ram:Detach*".into()]),
                    resources: Scope::AllBut(vec!["acs:ram:*:1:role/keep".into()]),
                    conditions: vec![
                        ConditionTest {
                            operator: Operator::StringLike,
                            key: "acs:SourceVpc".into(),
                            values: vec!["vpc-*".into()],
                        },
                        ConditionTest {
                            operator: Operator::StringLike,
                            key: "ram:ServiceNames".into(),
                            values: vec!["dts.aliyuncs.com".into()],
                        },
                    ],
                }],
            }
        );
        let listed = statement_doc(r#"{"Effect":"Allow","Action":"*","Resource":["*"]}"#)
            .parse::<PermissionPolicy>()
            .unwrap();
        assert_eq!(
            listed.statements[0].actions,
            Scope::Listed(vec!["*".into()])
        );
        assert_eq!(
            listed.statements[0].resources,
            Scope::Listed(vec!["*".into()])
        );
    }

    #[test]
    fn refuses_what_ram_refuses_naming_place_value_and_accepted() {
        let ok = r#""Effect":"Allow","Action":"ram:GetRole","Resource":"*""#;
        // (document, text the error must contain)
        let table: Vec<(String, &str)> = vec![
            (
                "[]".into(),
                "\"(document)\" in the policy document is a list ([]); RAM accepts a JSON object",
            ),
            ("{".into(), "not valid JSON"),
            (
                r#"{"Version":"1","Version":"1","Statement":[]}"#.into(),
                "duplicate key",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#.into(),
                "\"Version\" in the policy document is missing; RAM accepts only the string \"1\"",
            ),
            (
                r#"{"Version":1,"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
                    .into(),
                "\"Version\" in the policy document is a number (1)",
            ),
            (
                r#"{"Version":"1","Statement":[]}"#.into(),
                "\"Statement\" in the policy document is a list ([])",
            ),
            (
                r#"{"Version":"1","Id":"x","Statement":[]}"#.into(),
                "\"Id\" in the policy document is a key RAM does not know",
            ),
            (
                statement_doc(r#"{"Effect":"allow","Action":"*","Resource":"*"}"#),
                "\"Statement[0].Effect\" in the policy document is a string (\"allow\"); RAM accepts \"Allow\" or \"Deny\" (case-sensitive)",
            ),
            (
                statement_doc(r#"{"Action":"*","Resource":"*"}"#),
                "\"Statement[0].Effect\" in the policy document is missing",
            ),
            (
                statement_doc(r#"{"Effect":"Allow","Resource":"*"}"#),
                "\"Statement[0].Action\" in the policy document is missing; RAM accepts exactly one of \"Action\" and \"NotAction\"",
            ),
            (
                statement_doc(
                    r#"{"Effect":"Allow","Action":"*","NotAction":"ram:*","Resource":"*"}"#,
                ),
                "\"Statement[0].NotAction\" in the policy document is given together with \"Action\"",
            ),
            (
                statement_doc(r#"{"Effect":"Allow","Action":"*"}"#),
                "\"Statement[0].Resource\" in the policy document is missing; RAM accepts exactly one of \"Resource\" and \"NotResource\"",
            ),
            (
                statement_doc(
                    r#"{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"*"}"#,
                ),
                "\"Statement[0].NotResource\" in the policy document is given together with \"Resource\"",
            ),
            (
                statement_doc(r#"{"Effect":"Allow","Action":[],"Resource":"*"}"#),
                "\"Statement[0].Action\" in the policy document is a list ([]); RAM accepts a string or a non-empty list of strings",
            ),
            (
                statement_doc(r#"{"Effect":"Allow","Action":"GetRole","Resource":"*"}"#),
                "\"Statement[0].Action\" in the policy document is \"GetRole\"; RAM accepts \"*\" or actions written \"<service>:<action>\"",
            ),
            (
                statement_doc(r#"{"Effect":"Allow","Action":"ram:*","Resource":""}"#),
                "\"Statement[0].Resource\" in the policy document is \"\"; RAM accepts non-empty resource names",
            ),
            (
                statement_doc(r#"{"Effect":"Allow","Action":"ram:*","Resource":7}"#),
                "\"Statement[0].Resource\" in the policy document is a number (7)",
            ),
            (
                statement_doc(r#"{"Effect":"Allow","Action":"ram:*","Resource":"*","Sid":"x"}"#),
                "\"Statement[0].Sid\" in the policy document is a key RAM does not know; RAM accepts only the keys \"Action\", \"Condition\", \"Effect\", \"NotAction\", \"NotResource\" or \"Resource\"",
            ),
            (
                statement_doc(&format!(r#"{{{ok},"Condition":[]}}"#)),
                "\"Statement[0].Condition\" in the policy document is a list ([]); RAM accepts an object of condition operators",
            ),
            (
                statement_doc(&format!(
                    r#"{{{ok},"Condition":{{"stringequals":{{"a":"b"}}}}}}"#
                )),
                "\"Statement[0].Condition.stringequals\" in the policy document is a key RAM does not know; RAM accepts only the keys \"StringEquals\"",
            ),
            (
                statement_doc(&format!(
                    r#"{{{ok},"Condition":{{"IpAddress":{{"acs:SourceIp":"10.0.0.0/8"}}}}}}"#
                )),
                "\"Statement[0].Condition.IpAddress\" in the policy document is a key RAM does not know",
            ),
            (
                statement_doc(&format!(r#"{{{ok},"Condition":{{"StringEquals":"x"}}}}"#)),
                "\"Statement[0].Condition.StringEquals\" in the policy document is a string (\"x\"); RAM accepts an object of condition keys",
            ),
            (
                statement_doc(&format!(
                    r#"{{{ok},"Condition":{{"StringEquals":{{"k":true}}}}}}"#
                )),
                "\"Statement[0].Condition.StringEquals.k\" in the policy document is a boolean (true); RAM accepts a string or a list of strings",
            ),
        ];
        for (document, expected) in table {
            let error = PermissionPolicy::parse(&document)
                .expect_err(&document)
                .to_string();
            assert!(
                error.contains(expected),
                "{document}\n{error}\nwanted: {expected}"
            );
        }
    }

    #[test]
    fn the_length_limit_is_6144_characters() {
        let head =
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"ram:GetRole","Resource":""#;
        let tail = r#""}]}"#;
        let padded = |chars: usize| {
            // Multi-byte characters: the limit counts characters, not bytes.
            format!(
                "{head}{}{tail}",
                "é".repeat(chars - head.len() - tail.len())
            )
        };
        assert!(PermissionPolicy::parse(&padded(MAX_DOCUMENT_CHARS)).is_ok());
        assert_eq!(
            PermissionPolicy::parse(&padded(MAX_DOCUMENT_CHARS + 1)),
            Err(PolicyDocumentError::TooLong { chars: 6145 })
        );
        assert_eq!(
            PolicyDocumentError::TooLong { chars: 6145 }.to_string(),
            "the policy document is 6145 characters long; RAM accepts at most 6144 characters"
        );
    }
}
