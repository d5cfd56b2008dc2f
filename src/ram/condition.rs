//! RAM's condition operators as one evaluator, for permission policies and trust policies
//! ([`crate::ram::trust_policy::judge`]): a request's values for a condition key against the values a policy writes.
//!
//! Semantics (RAM's "conditional operator" page for the String operators; the combination rules are IAM's and
//! unverified for RAM, reference §3): the keys of a block are ANDed, the values written for one key are ORed.
//! A positive operator fails when the request does not carry the key; a negated operator is the negation of its
//! positive counterpart, so it holds when the key is absent or when no written value matches.

use super::wildcard;
use std::fmt;

/// A condition operator RAM evaluates. Names are case-sensitive, as RAM's policy syntax states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Operator {
    /// `StringEquals`: exact, case-sensitive.
    StringEquals,
    /// `StringNotEquals`: no written value is equal.
    StringNotEquals,
    /// `StringEqualsIgnoreCase`: equal in any ASCII letter case.
    StringEqualsIgnoreCase,
    /// `StringLike`: `*` and `?` wildcards, case-sensitive.
    StringLike,
    /// `StringNotLike`: no written pattern matches.
    StringNotLike,
}

impl Operator {
    /// Every operator, in the order of RAM's document rules
    /// ([`CONDITION_OPERATORS`](crate::ram::trust_policy::rules::CONDITION_OPERATORS), which accept exactly these).
    pub const ALL: [Operator; 5] = [
        Operator::StringEquals,
        Operator::StringNotEquals,
        Operator::StringEqualsIgnoreCase,
        Operator::StringLike,
        Operator::StringNotLike,
    ];

    /// The operator as written in policies.
    pub fn name(self) -> &'static str {
        match self {
            Operator::StringEquals => "StringEquals",
            Operator::StringNotEquals => "StringNotEquals",
            Operator::StringEqualsIgnoreCase => "StringEqualsIgnoreCase",
            Operator::StringLike => "StringLike",
            Operator::StringNotLike => "StringNotLike",
        }
    }

    /// The operator named exactly `name`; `None` for any other spelling.
    pub fn from_name(name: &str) -> Option<Operator> {
        Operator::ALL.into_iter().find(|op| op.name() == name)
    }

    /// Whether the test holds: `actual` is what the request carries for the key (`None`: not carried), `written`
    /// the values the policy lists for it.
    pub fn holds(self, actual: Option<&[String]>, written: &[String]) -> bool {
        let positive = |compare: fn(&str, &str) -> bool| {
            actual
                .is_some_and(|actual| actual.iter().any(|a| written.iter().any(|w| compare(a, w))))
        };
        match self {
            Operator::StringEquals => positive(|a, w| a == w),
            Operator::StringEqualsIgnoreCase => positive(|a, w| a.eq_ignore_ascii_case(w)),
            Operator::StringLike => positive(wildcard::matches),
            Operator::StringNotEquals => !Operator::StringEquals.holds(actual, written),
            Operator::StringNotLike => !Operator::StringLike.holds(actual, written),
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ram::trust_policy::rules::CONDITION_OPERATORS;

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    #[test]
    fn names_are_the_ones_rams_document_rules_accept() {
        assert_eq!(Operator::ALL.map(Operator::name), CONDITION_OPERATORS);
        for op in Operator::ALL {
            assert_eq!(Operator::from_name(op.name()), Some(op));
            assert_eq!(op.to_string(), op.name());
        }
        assert_eq!(Operator::from_name("stringequals"), None);
        assert_eq!(Operator::from_name("IpAddress"), None);
    }

    #[test]
    fn each_operator_on_present_absent_and_multiple_values() {
        use Operator::*;
        /// (operator, request values (None: key absent), written values, holds)
        type Row = (
            Operator,
            Option<&'static [&'static str]>,
            &'static [&'static str],
            bool,
        );
        let table: &[Row] = &[
            (StringEquals, Some(&["abc"]), &["abc"], true),
            (StringEquals, Some(&["abc"]), &["ABC"], false),
            (StringEquals, Some(&["abc"]), &["x", "abc"], true),
            (StringEquals, Some(&["x", "abc"]), &["abc"], true),
            (StringEquals, None, &["abc"], false),
            (StringNotEquals, Some(&["abc"]), &["abc"], false),
            (StringNotEquals, Some(&["abc"]), &["x", "abc"], false),
            (StringNotEquals, Some(&["abc"]), &["x", "y"], true),
            (StringNotEquals, None, &["abc"], true),
            (StringEqualsIgnoreCase, Some(&["abc"]), &["ABC"], true),
            (StringEqualsIgnoreCase, Some(&["abd"]), &["ABC"], false),
            (StringEqualsIgnoreCase, None, &["ABC"], false),
            (StringLike, Some(&["role-1"]), &["role-?"], true),
            (StringLike, Some(&["role-12"]), &["role-?"], false),
            (StringLike, Some(&["role-12"]), &["x", "role-*"], true),
            (StringLike, Some(&["Role-1"]), &["role-*"], false),
            (StringLike, None, &["*"], false),
            (StringNotLike, Some(&["role-1"]), &["role-*"], false),
            (StringNotLike, Some(&["user-1"]), &["role-*"], true),
            (StringNotLike, None, &["role-*"], true),
        ];
        for (op, actual, written, expected) in table {
            let actual = actual.map(strings);
            assert_eq!(
                op.holds(actual.as_deref(), &strings(written)),
                *expected,
                "{op} {actual:?} {written:?}"
            );
        }
    }
}
