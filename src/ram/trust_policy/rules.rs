//! What RAM accepts as a trust policy document (`AssumeRolePolicyDocument`), as data and one check: the
//! provider refuses at plan what RAM would refuse at apply, and the emulator refuses the same with RAM's codes.
//! One place, so the two cannot drift apart.
//!
//! Length: RAM's API reference names `InvalidParameter.AssumeRolePolicyDocument.Length` ("beyond the length
//! limit") without a figure, and the Limitations page lists none for trust policies; 2,048 characters is the
//! policy-document figure of RAM's older Limitations page and CreatePolicy reference (custom policies have since
//! grown to 6,144), taken here as the trust policy's limit.

use super::describe;
use super::{ASSUME_ROLE_ACTION, POLICY_VERSION, PrincipalKind};
use crate::ram::accepted_values::quoted_alternatives;
use crate::ram::strict_json;
use serde_json::{Map, Value};

/// The longest trust policy document RAM accepts, in characters, counted as written.
pub const MAX_DOCUMENT_CHARS: usize = 2048;

/// The keys a document may have.
pub const DOCUMENT_KEYS: [&str; 2] = ["Statement", "Version"];

/// The keys a statement may have.
pub const STATEMENT_KEYS: [&str; 4] = ["Action", "Condition", "Effect", "Principal"];

/// The effects a statement may have.
pub const EFFECTS: [&str; 2] = ["Allow", "Deny"];

/// The condition operators a trust policy may use.
pub const CONDITION_OPERATORS: [&str; 5] = [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
];

/// Why RAM would refuse a trust policy document.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// Longer than [`MAX_DOCUMENT_CHARS`].
    #[error(
        "the trust policy is {chars} characters long (it starts {excerpt}); RAM accepts at most {max} characters",
        max = MAX_DOCUMENT_CHARS
    )]
    TooLong {
        /// Its length in characters.
        chars: usize,
        /// Its first characters.
        excerpt: String,
    },
    /// Not JSON, or a key named twice in one object.
    #[error(
        "the trust policy is not valid JSON as RAM reads it: {reason}. RAM accepts one JSON object in which no key appears twice"
    )]
    InvalidJson {
        /// The parser's explanation, with line and column (`duplicate key "Effect" at line 1 column 40`).
        reason: String,
    },
    /// A value of the wrong kind, or a key RAM does not know.
    #[error("\"{path}\" in the trust policy is {found}; RAM accepts {expected}")]
    Refused {
        /// Where in the document, e.g. `Statement[0].Action`.
        path: String,
        /// What was found, with an excerpt.
        found: String,
        /// What RAM accepts there.
        expected: String,
    },
}

/// A refusal at `path` (shared with the permission-policy grammar, which words it for its document).
pub(crate) fn refused(path: &str, found: String, expected: impl Into<String>) -> DocumentError {
    DocumentError::Refused {
        path: path.to_owned(),
        found,
        expected: expected.into(),
    }
}

/// A key outside `accepted` at `path`.
pub(crate) fn unknown_key(path: &str, key: &str, accepted: &[&str]) -> DocumentError {
    refused(
        &format!("{path}{key}"),
        "a key RAM does not know".to_owned(),
        format!(
            "only the keys {}",
            quoted_alternatives(accepted.iter().copied())
        ),
    )
}

/// Checks `document` as RAM does on CreateRole and UpdateRole, and returns it parsed.
pub fn check_document(document: &str) -> Result<Value, DocumentError> {
    let chars = document.chars().count();
    if chars > MAX_DOCUMENT_CHARS {
        const EXCERPT_CHARS: usize = 40;
        let head: String = document.chars().take(EXCERPT_CHARS).collect();
        return Err(DocumentError::TooLong {
            chars,
            excerpt: format!("{}…", head.split_whitespace().collect::<Vec<_>>().join(" ")),
        });
    }
    let value = strict_json::from_str(document).map_err(|e| DocumentError::InvalidJson {
        reason: e.to_string(),
    })?;
    for (i, statement) in document_statements(&value)?.into_iter().enumerate() {
        check_statement(statement, &format!("Statement[{i}]"))?;
    }
    Ok(value)
}

/// The statements of a parsed policy document, after RAM's checks of its top level, the same for trust and
/// permission policies: an object with only [`DOCUMENT_KEYS`], `Version` the string `"1"`, and [`statements`].
pub fn document_statements(value: &Value) -> Result<Vec<&Map<String, Value>>, DocumentError> {
    let root = value.as_object().ok_or_else(|| {
        refused(
            "(document)",
            describe(value),
            "a JSON object with \"Version\" and \"Statement\"",
        )
    })?;
    if let Some(key) = root.keys().find(|k| !DOCUMENT_KEYS.contains(&k.as_str())) {
        return Err(unknown_key("", key, &DOCUMENT_KEYS));
    }
    match root.get("Version") {
        Some(Value::String(v)) if v == POLICY_VERSION => {}
        found => {
            return Err(refused(
                "Version",
                found.map_or("missing".to_owned(), describe),
                format!("only the string \"{POLICY_VERSION}\""),
            ));
        }
    }
    statements(root)
}

/// The statements of a document: RAM accepts a non-empty list of objects, or one object.
pub fn statements(root: &Map<String, Value>) -> Result<Vec<&Map<String, Value>>, DocumentError> {
    const EXPECTED: &str = "a non-empty list of statement objects (or one statement object)";
    let found = root.get("Statement");
    let statements: Option<Vec<&Map<String, Value>>> = match found {
        Some(Value::Array(items)) => items.iter().map(Value::as_object).collect(),
        Some(Value::Object(one)) => Some(vec![one]),
        _ => None,
    };
    match statements {
        Some(statements) if !statements.is_empty() => Ok(statements),
        _ => Err(refused(
            "Statement",
            found.map_or("missing".to_owned(), describe),
            EXPECTED,
        )),
    }
}

fn check_statement(statement: &Map<String, Value>, path: &str) -> Result<(), DocumentError> {
    if let Some(key) = statement
        .keys()
        .find(|k| !STATEMENT_KEYS.contains(&k.as_str()))
    {
        return Err(unknown_key(&format!("{path}."), key, &STATEMENT_KEYS));
    }
    let found = |key: &str| statement.get(key).map_or("missing".to_owned(), describe);
    if !statement
        .get("Effect")
        .and_then(Value::as_str)
        .is_some_and(|e| EFFECTS.contains(&e))
    {
        return Err(refused(
            &format!("{path}.Effect"),
            found("Effect"),
            quoted_alternatives(EFFECTS),
        ));
    }
    let action_path = format!("{path}.Action");
    let actions = statement
        .get("Action")
        .and_then(strings_of)
        .ok_or_else(|| {
            refused(
                &action_path,
                found("Action"),
                format!("\"{ASSUME_ROLE_ACTION}\" (a string or a list of strings)"),
            )
        })?;
    if let Some(action) = actions.iter().find(|a| !action_is_accepted(a)) {
        return Err(refused(
            &action_path,
            format!("{action:?}"),
            format!(
                "only \"{ASSUME_ROLE_ACTION}\": a trust policy grants nothing but assuming the role"
            ),
        ));
    }
    let principal_path = format!("{path}.Principal");
    let principal = statement
        .get("Principal")
        .and_then(Value::as_object)
        .filter(|p| !p.is_empty())
        .ok_or_else(|| {
            refused(
                &principal_path,
                found("Principal"),
                "a non-empty object such as {\"RAM\": [\"acs:ram::<uid>:root\"]}",
            )
        })?;
    let kinds = PrincipalKind::ALL.map(PrincipalKind::key);
    for (kind, ids) in principal {
        if !kinds.contains(&kind.as_str()) {
            return Err(unknown_key(&format!("{principal_path}."), kind, &kinds));
        }
        if strings_of(ids).is_none_or(|ids| ids.is_empty()) {
            return Err(refused(
                &format!("{principal_path}.{kind}"),
                describe(ids),
                "a string or a non-empty list of strings",
            ));
        }
    }
    if let Some(condition) = statement.get("Condition") {
        let condition_path = format!("{path}.Condition");
        let operators = condition.as_object().ok_or_else(|| {
            refused(
                &condition_path,
                describe(condition),
                "an object of condition operators",
            )
        })?;
        for (operator, tests) in operators {
            if !CONDITION_OPERATORS.contains(&operator.as_str()) {
                return Err(unknown_key(
                    &format!("{condition_path}."),
                    operator,
                    &CONDITION_OPERATORS,
                ));
            }
            let operator_path = format!("{condition_path}.{operator}");
            let tests = tests.as_object().ok_or_else(|| {
                refused(
                    &operator_path,
                    describe(tests),
                    "an object of condition keys",
                )
            })?;
            if let Some((key, value)) = tests.iter().find(|(_, v)| strings_of(v).is_none()) {
                return Err(refused(
                    &format!("{operator_path}.{key}"),
                    describe(value),
                    "a string or a list of strings",
                ));
            }
        }
    }
    Ok(())
}

/// Whether `action` is the one a trust policy may grant (action names are case-insensitive).
pub fn action_is_accepted(action: &str) -> bool {
    action.eq_ignore_ascii_case(ASSUME_ROLE_ACTION)
}

/// A string or a list of strings, as a list; `None` for any other JSON.
pub fn strings_of(value: &Value) -> Option<Vec<&str>> {
    match value {
        Value::String(s) => Some(vec![s.as_str()]),
        Value::Array(items) => items.iter().map(Value::as_str).collect(),
        _ => None,
    }
}
