//! Trust policies (the `AssumeRolePolicyDocument` of a RAM role) as a typed model.
//!
//! - [`TrustPolicy::to_json`] renders a policy as compact JSON with sorted keys, the exact text a plan shows;
//! - [`TrustPolicy::parse`] reads any document RAM may return (see `parse`);
//! - [`policies_equivalent`], [`normalize`] and [`TrustPolicy::canonical`] compare policies by meaning;
//! - [`own_account_stored_form`] is RAM's own-account rule for service principals;
//! - [`rules`] is what RAM accepts as a document (version, statements, action, length, duplicate keys), shared
//!   by the provider's plan-time checks and the emulator;
//! - [`judge`] is whether a document lets a requester (an account's identity, a service, an OIDC token holder)
//!   assume the role, as STS decides it.
//!
//! The documents the DTS and DataWorks guides prescribe, and the wording of a drift, are scenario knowledge:
//! they live in the provider's domain (`provider::domain::trust_policy`).

mod canonical;
pub mod judge;
mod own_account;
mod parse;
mod render;
pub mod rules;

pub use canonical::{normalize, policies_equivalent};
pub use own_account::{SERVICE_HOST_SUFFIX, own_account_stored_form};
pub use parse::TrustPolicyError;
pub(crate) use parse::describe;

use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// The policy language version RAM accepts: `"1"`.
pub const POLICY_VERSION: &str = "1";

/// The action a trust policy grants: assuming the role.
pub const ASSUME_ROLE_ACTION: &str = "sts:AssumeRole";

/// A trust policy document.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TrustPolicy {
    /// `Version`, when present (a number in the source is kept as its decimal text).
    pub version: Option<String>,
    /// `Statement`: one object or a list in the source, always a list here.
    pub statements: Vec<Statement>,
    /// Top-level keys this model does not know, kept verbatim so nothing is lost or silently equal.
    pub other: BTreeMap<String, Value>,
}

/// One statement of a trust policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// `Effect`.
    pub effect: Effect,
    /// `Action`: a string or a list in the source; empty when absent.
    pub action: Vec<String>,
    /// `Principal`: who may assume the role; empty when absent.
    pub principal: Principal,
    /// `Resource`: a string or a list in the source; empty when absent (trust policies rarely have one).
    pub resource: Vec<String>,
    /// `Condition`; empty when absent.
    pub condition: Condition,
    /// Statement keys this model does not know (`NotAction`, `Sid`, ...), kept verbatim.
    pub other: BTreeMap<String, Value>,
}

/// `Allow` or `Deny`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
    /// `Allow`.
    Allow,
    /// `Deny`.
    Deny,
}

impl Effect {
    /// The effect as written in policies.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kinds of principal this model names; others are kept in [`Principal::other`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    /// `RAM`: accounts, users or roles (`acs:ram::<uid>:root`, ...).
    Ram,
    /// `Service`: cloud services (`<uid>@dts.aliyuncs.com`, `ecs.aliyuncs.com`, ...).
    Service,
    /// `Federated`: identity providers.
    Federated,
}

impl PrincipalKind {
    /// Every named principal kind.
    pub const ALL: [PrincipalKind; 3] = [
        PrincipalKind::Ram,
        PrincipalKind::Service,
        PrincipalKind::Federated,
    ];

    /// The key of this kind inside `Principal`.
    pub fn key(self) -> &'static str {
        match self {
            PrincipalKind::Ram => "RAM",
            PrincipalKind::Service => "Service",
            PrincipalKind::Federated => "Federated",
        }
    }

    /// The kind whose key is `key` (exact, as RAM writes it).
    pub fn from_key(key: &str) -> Option<PrincipalKind> {
        PrincipalKind::ALL.into_iter().find(|k| k.key() == key)
    }
}

/// The `Principal` of a statement: lists of identifiers by kind.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Principal {
    /// `RAM` identifiers.
    pub ram: Vec<String>,
    /// `Service` identifiers.
    pub service: Vec<String>,
    /// `Federated` identifiers.
    pub federated: Vec<String>,
    /// Principal kinds this model does not name, by key.
    pub other: BTreeMap<String, Vec<String>>,
}

impl Principal {
    /// The identifiers of one named kind.
    pub fn values(&self, kind: PrincipalKind) -> &[String] {
        match kind {
            PrincipalKind::Ram => &self.ram,
            PrincipalKind::Service => &self.service,
            PrincipalKind::Federated => &self.federated,
        }
    }

    /// The identifiers of one named kind, mutably.
    pub fn values_mut(&mut self, kind: PrincipalKind) -> &mut Vec<String> {
        match kind {
            PrincipalKind::Ram => &mut self.ram,
            PrincipalKind::Service => &mut self.service,
            PrincipalKind::Federated => &mut self.federated,
        }
    }

    /// Every non-empty kind with its identifiers, sorted by key (the order of the rendered JSON).
    pub fn entries(&self) -> Vec<(&str, &[String])> {
        let mut entries: Vec<(&str, &[String])> = PrincipalKind::ALL
            .into_iter()
            .map(|kind| (kind.key(), self.values(kind)))
            .chain(self.other.iter().map(|(k, v)| (k.as_str(), v.as_slice())))
            .filter(|(_, values)| !values.is_empty())
            .collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        entries
    }

    /// True when no identifier of any kind is present.
    pub fn is_empty(&self) -> bool {
        self.ram.is_empty()
            && self.service.is_empty()
            && self.federated.is_empty()
            && self.other.values().all(Vec::is_empty)
    }
}

/// A `Condition` block: operator -> condition key -> values (scalars: strings, numbers or booleans).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Condition(pub BTreeMap<String, BTreeMap<String, Vec<Value>>>);

impl Condition {
    /// True when no operator has any key.
    pub fn is_empty(&self) -> bool {
        self.0.values().all(BTreeMap::is_empty)
    }
}

impl Statement {
    /// An `Allow` statement granting `sts:AssumeRole` to `principal`: the shape of every cross-account trust.
    pub fn allow_assume_role(principal: Principal) -> Statement {
        Statement {
            effect: Effect::Allow,
            action: vec![ASSUME_ROLE_ACTION.to_owned()],
            principal,
            resource: Vec::new(),
            condition: Condition::default(),
            other: BTreeMap::new(),
        }
    }
}

impl TrustPolicy {
    /// A version-1 policy with the single statement `Allow sts:AssumeRole` for `principal`.
    pub fn allow_assume_role(principal: Principal) -> TrustPolicy {
        TrustPolicy {
            version: Some(POLICY_VERSION.to_owned()),
            statements: vec![Statement::allow_assume_role(principal)],
            other: BTreeMap::new(),
        }
    }

    /// Every principal identifier of `kind` across all statements, in document order.
    pub fn principals(&self, kind: PrincipalKind) -> impl Iterator<Item = &str> {
        self.statements
            .iter()
            .flat_map(move |s| s.principal.values(kind).iter().map(String::as_str))
    }
}

impl fmt::Display for TrustPolicy {
    /// The same text as [`TrustPolicy::to_json`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json())
    }
}

impl std::str::FromStr for TrustPolicy {
    type Err = TrustPolicyError;

    /// The same as [`TrustPolicy::parse`].
    fn from_str(document: &str) -> Result<Self, Self::Err> {
        TrustPolicy::parse(document)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    /// A cross-account trust as the DTS guide prints it (the provider builds it from the scenario).
    const DTS_SEED: &str = r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root"],"Service":["1234567890123456@dts.aliyuncs.com"]}}],"Version":"1"}"#;

    #[test]
    fn principal_entries_are_sorted_and_skip_empty_kinds() {
        let mut principal = Principal {
            service: vec!["s".into()],
            ram: vec!["r".into()],
            ..Principal::default()
        };
        principal.other.insert("Alpha".into(), vec!["a".into()]);
        principal.other.insert("Empty".into(), vec![]);
        let keys: Vec<&str> = principal.entries().iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["Alpha", "RAM", "Service"]);
        assert!(!principal.is_empty());
        assert!(Principal::default().is_empty());
        let only_empty_other = Principal {
            other: BTreeMap::from([("Empty".to_owned(), Vec::new())]),
            ..Principal::default()
        };
        assert!(only_empty_other.is_empty());
    }

    #[test]
    fn principals_iterates_all_statements() {
        let mut policy = TrustPolicy::allow_assume_role(Principal {
            ram: vec!["acs:ram::1:root".into()],
            ..Principal::default()
        });
        policy
            .statements
            .push(Statement::allow_assume_role(Principal {
                ram: vec!["acs:ram::2:root".into()],
                ..Principal::default()
            }));
        let ram: Vec<&str> = policy.principals(PrincipalKind::Ram).collect();
        assert_eq!(ram, ["acs:ram::1:root", "acs:ram::2:root"]);
    }

    #[test]
    fn display_and_from_str_match_to_json_and_parse() {
        let policy = TrustPolicy::parse(DTS_SEED).unwrap();
        assert_eq!(policy.to_string(), policy.to_json());
        assert_eq!(policy.to_json().parse::<TrustPolicy>(), Ok(policy));
        assert!("[]".parse::<TrustPolicy>().is_err());
    }

    #[test]
    fn principal_kind_keys_round_trip() {
        for kind in PrincipalKind::ALL {
            assert_eq!(PrincipalKind::from_key(kind.key()), Some(kind));
        }
        assert_eq!(PrincipalKind::from_key("ram"), None);
    }
}
