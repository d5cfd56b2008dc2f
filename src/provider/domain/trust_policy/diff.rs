//! Differences between two trust policies in words, for drift diagnostics ("Principal.RAM gained
//! \"acs:ram::999:root\"").
//!
//! Both policies are compared in canonical form, so only differences of meaning are reported: the list is empty
//! exactly when the policies are equivalent.

use crate::ram::account::AccountId;
use crate::ram::canonical_json::to_sorted_compact;
use crate::ram::trust_policy::{Statement, TrustPolicy};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// One difference between an expected (`before`) and an actual (`after`) policy.
///
/// Paths are dotted (`Principal.RAM`, `Condition.StringEquals.sts:ExternalId`) and start with `Statement[i].`
/// (the index in `after`) when a policy has more than one statement. Values are rendered as JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyChange {
    /// A set (`Action`, `Resource`, a principal kind, a condition key) has values it did not have.
    Gained {
        /// Where.
        path: String,
        /// The added values, rendered as JSON.
        values: Vec<String>,
    },
    /// A set lost values.
    Lost {
        /// Where.
        path: String,
        /// The removed values, rendered as JSON.
        values: Vec<String>,
    },
    /// A single value (`Version`, `Effect`, a key this model does not know) changed, appeared or disappeared.
    Changed {
        /// Where.
        path: String,
        /// The expected value as JSON, `None` when absent.
        before: Option<String>,
        /// The actual value as JSON, `None` when absent.
        after: Option<String>,
    },
    /// A statement with no counterpart in `before`.
    StatementAdded {
        /// Its index in `after`.
        index: usize,
        /// The statement as compact JSON.
        statement: String,
    },
    /// A statement of `before` with no counterpart in `after`.
    StatementRemoved {
        /// The statement as compact JSON.
        statement: String,
    },
}

impl fmt::Display for PolicyChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let absent = |v: &Option<String>| v.clone().unwrap_or_else(|| "absent".to_owned());
        match self {
            PolicyChange::Gained { path, values } => {
                write!(f, "{path} gained {}", values.join(", "))
            }
            PolicyChange::Lost { path, values } => write!(f, "{path} lost {}", values.join(", ")),
            PolicyChange::Changed {
                path,
                before,
                after,
            } => write!(
                f,
                "{path} changed from {} to {}",
                absent(before),
                absent(after)
            ),
            PolicyChange::StatementAdded { index, statement } => {
                write!(f, "Statement[{index}] was added: {statement}")
            }
            PolicyChange::StatementRemoved { statement } => {
                write!(f, "a statement was removed: {statement}")
            }
        }
    }
}

/// The differences of meaning between `before` (expected) and `after` (actual); empty exactly when
/// [`TrustPolicy::equivalent_to`] holds. `owner` enables the own-UID service rewrite as in equivalence.
pub fn describe_differences(
    before: &TrustPolicy,
    after: &TrustPolicy,
    owner: Option<&AccountId>,
) -> Vec<PolicyChange> {
    let mut changes = Vec::new();
    if before.version != after.version {
        changes.push(PolicyChange::Changed {
            path: "Version".to_owned(),
            before: before.version.as_deref().map(json_string),
            after: after.version.as_deref().map(json_string),
        });
    }
    diff_values("", &before.other, &after.other, &mut changes);

    let expected = canonical_statements(before, owner);
    let actual = canonical_statements(after, owner);
    let numbered = before.statements.len() > 1 || after.statements.len() > 1;

    // Statements present on both sides are not differences; pair the rest by closeness.
    let unmatched_expected: Vec<Statement> = expected
        .iter()
        .filter(|(_, e)| !actual.iter().any(|(_, a)| a == e))
        .map(|(_, e)| e.clone())
        .collect();
    let mut unmatched_actual: Vec<(usize, Statement)> = actual
        .into_iter()
        .filter(|(_, a)| !expected.iter().any(|(_, e)| e == a))
        .collect();
    for statement in unmatched_expected {
        let closest = unmatched_actual
            .iter()
            .enumerate()
            .min_by_key(|(_, (_, candidate))| statement_changes("", &statement, candidate).len())
            .map(|(position, _)| position);
        match closest {
            Some(position) => {
                let (index, candidate) = unmatched_actual.remove(position);
                let prefix = if numbered {
                    format!("Statement[{index}].")
                } else {
                    String::new()
                };
                changes.extend(statement_changes(&prefix, &statement, &candidate));
            }
            None => changes.push(PolicyChange::StatementRemoved {
                statement: statement.to_json(),
            }),
        }
    }
    unmatched_actual.sort_by_key(|(index, _)| *index);
    changes.extend(unmatched_actual.into_iter().map(|(index, statement)| {
        PolicyChange::StatementAdded {
            index,
            statement: statement.to_json(),
        }
    }));
    changes
}

/// The canonical statements of a policy with their index in it, repeats dropped.
fn canonical_statements(
    policy: &TrustPolicy,
    owner: Option<&AccountId>,
) -> Vec<(usize, Statement)> {
    let mut out: Vec<(usize, Statement)> = Vec::with_capacity(policy.statements.len());
    for (index, statement) in policy.statements.iter().enumerate() {
        let canonical = statement.canonical(owner);
        if !out.iter().any(|(_, s)| *s == canonical) {
            out.push((index, canonical));
        }
    }
    out
}

/// Field-by-field differences of two canonical statements.
fn statement_changes(prefix: &str, before: &Statement, after: &Statement) -> Vec<PolicyChange> {
    let mut changes = Vec::new();
    if before.effect != after.effect {
        changes.push(PolicyChange::Changed {
            path: format!("{prefix}Effect"),
            before: Some(json_string(before.effect.as_str())),
            after: Some(json_string(after.effect.as_str())),
        });
    }
    diff_strings(
        &format!("{prefix}Action"),
        &before.action,
        &after.action,
        &mut changes,
    );

    let before_principals: BTreeMap<&str, &[String]> =
        before.principal.entries().into_iter().collect();
    let after_principals: BTreeMap<&str, &[String]> =
        after.principal.entries().into_iter().collect();
    let kinds: BTreeSet<&str> = before_principals
        .keys()
        .chain(after_principals.keys())
        .copied()
        .collect();
    for kind in kinds {
        diff_strings(
            &format!("{prefix}Principal.{kind}"),
            before_principals.get(kind).copied().unwrap_or_default(),
            after_principals.get(kind).copied().unwrap_or_default(),
            &mut changes,
        );
    }

    diff_strings(
        &format!("{prefix}Resource"),
        &before.resource,
        &after.resource,
        &mut changes,
    );

    let condition_keys: BTreeSet<(&String, &String)> = [&before.condition, &after.condition]
        .into_iter()
        .flat_map(|c| {
            c.0.iter()
                .flat_map(|(op, keys)| keys.keys().map(move |k| (op, k)))
        })
        .collect();
    for (operator, key) in condition_keys {
        let values = |s: &Statement| -> Vec<String> {
            s.condition
                .0
                .get(operator)
                .and_then(|keys| keys.get(key))
                .map(|values| values.iter().map(to_sorted_compact).collect())
                .unwrap_or_default()
        };
        diff_rendered(
            &format!("{prefix}Condition.{operator}.{key}"),
            values(before),
            values(after),
            &mut changes,
        );
    }

    diff_values(prefix, &before.other, &after.other, &mut changes);
    changes
}

fn diff_strings(path: &str, before: &[String], after: &[String], changes: &mut Vec<PolicyChange>) {
    let render = |values: &[String]| values.iter().map(|v| json_string(v)).collect();
    diff_rendered(path, render(before), render(after), changes);
}

/// Set difference of values already rendered as JSON.
fn diff_rendered(
    path: &str,
    before: Vec<String>,
    after: Vec<String>,
    changes: &mut Vec<PolicyChange>,
) {
    let lost: Vec<String> = before
        .iter()
        .filter(|v| !after.contains(v))
        .cloned()
        .collect();
    let gained: Vec<String> = after
        .iter()
        .filter(|v| !before.contains(v))
        .cloned()
        .collect();
    if !gained.is_empty() {
        changes.push(PolicyChange::Gained {
            path: path.to_owned(),
            values: gained,
        });
    }
    if !lost.is_empty() {
        changes.push(PolicyChange::Lost {
            path: path.to_owned(),
            values: lost,
        });
    }
}

/// Keys this model does not know, compared as whole JSON values.
fn diff_values(
    prefix: &str,
    before: &BTreeMap<String, Value>,
    after: &BTreeMap<String, Value>,
    changes: &mut Vec<PolicyChange>,
) {
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for key in keys {
        let (b, a) = (before.get(key), after.get(key));
        if b != a {
            changes.push(PolicyChange::Changed {
                path: format!("{prefix}{key}"),
                before: b.map(to_sorted_compact),
                after: a.map(to_sorted_compact),
            });
        }
    }
}

fn json_string(value: &str) -> String {
    to_sorted_compact(&Value::String(value.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::super::dts_trust_policy;
    use super::*;
    use pretty_assertions::assert_eq;

    const T: &str = "1234567890123456";

    fn account(id: &str) -> AccountId {
        AccountId::parse(id).unwrap()
    }

    fn texts(before: &TrustPolicy, after: &str, owner: Option<&AccountId>) -> Vec<String> {
        let after = TrustPolicy::parse(after).unwrap();
        describe_differences(before, &after, owner)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn equivalent_policies_have_no_differences() {
        let expected = dts_trust_policy(&account(T));
        let reformatted = r#"{ "Version": "1", "Statement": { "Principal": { "Service": "1234567890123456@dts.aliyuncs.com", "RAM": ["acs:ram::1234567890123456:root"] }, "Action": ["sts:AssumeRole"], "Effect": "Allow" } }"#;
        assert_eq!(texts(&expected, reformatted, None), Vec::<String>::new());
    }

    #[test]
    fn widened_principal() {
        let expected = dts_trust_policy(&account(T));
        let widened = r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root","acs:ram::9999999999999999:root"],"Service":["1234567890123456@dts.aliyuncs.com"]}}],"Version":"1"}"#;
        assert_eq!(
            texts(&expected, widened, None),
            ["Principal.RAM gained \"acs:ram::9999999999999999:root\""]
        );
    }

    #[test]
    fn edited_policy_lists_every_change() {
        let expected = dts_trust_policy(&account(T));
        let edited = r#"{"Statement":[{"Action":["sts:AssumeRole","sts:SetSourceIdentity"],"Effect":"Deny","Principal":{"Service":["8888888888888888@dts.aliyuncs.com"]},"Condition":{"StringEquals":{"sts:ExternalId":"abc"}},"Sid":"edited"}],"Version":"2"}"#;
        assert_eq!(
            texts(&expected, edited, None),
            [
                "Version changed from \"1\" to \"2\"",
                "Effect changed from \"Allow\" to \"Deny\"",
                "Action gained \"sts:SetSourceIdentity\"",
                "Principal.RAM lost \"acs:ram::1234567890123456:root\"",
                "Principal.Service gained \"8888888888888888@dts.aliyuncs.com\"",
                "Principal.Service lost \"1234567890123456@dts.aliyuncs.com\"",
                "Condition.StringEquals.sts:ExternalId gained \"abc\"",
                "Sid changed from absent to \"edited\"",
            ]
        );
    }

    #[test]
    fn owner_rewrite_is_not_a_difference_when_owner_is_known() {
        let owner = account(T);
        let expected = dts_trust_policy(&owner);
        let stored = r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root"],"Service":["dts.aliyuncs.com"]}}],"Version":"1"}"#;
        assert_eq!(texts(&expected, stored, Some(&owner)), Vec::<String>::new());
        assert_eq!(
            texts(&expected, stored, None),
            [
                "Principal.Service gained \"dts.aliyuncs.com\"",
                "Principal.Service lost \"1234567890123456@dts.aliyuncs.com\"",
            ]
        );
    }

    #[test]
    fn added_and_removed_statements_are_numbered() {
        let expected = dts_trust_policy(&account(T));
        let two = r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root"],"Service":["1234567890123456@dts.aliyuncs.com"]}},{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::7777777777777777:root"]}}],"Version":"1"}"#;
        assert_eq!(
            texts(&expected, two, None),
            [
                r#"Statement[1] was added: {"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::7777777777777777:root"]}}"#
            ]
        );
        let back = describe_differences(&TrustPolicy::parse(two).unwrap(), &expected, None);
        assert_eq!(
            back.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                r#"a statement was removed: {"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::7777777777777777:root"]}}"#
            ]
        );
    }

    #[test]
    fn changed_statement_among_several_is_paired_with_its_closest_counterpart() {
        let before = r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1:root"]}},{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["2@dts.aliyuncs.com"]}}],"Version":"1"}"#;
        let after = r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["2@dts.aliyuncs.com","3@dts.aliyuncs.com"]}},{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1:root"]}}],"Version":"1"}"#;
        assert_eq!(
            texts(&TrustPolicy::parse(before).unwrap(), after, None),
            ["Statement[0].Principal.Service gained \"3@dts.aliyuncs.com\""]
        );
    }
}
