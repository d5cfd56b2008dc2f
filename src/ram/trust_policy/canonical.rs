//! Semantic equality of trust policies.
//!
//! Two documents are equivalent when they grant the same thing: key order, whitespace, a string versus a
//! one-element list, the order of (and repeats in) `Action`, `Resource`, principal and condition value lists, and
//! the order of statements do not matter. Given the role owner's account, `"<owner>@svc.aliyuncs.com"` and
//! `"svc.aliyuncs.com"` are the same principal too, by RAM's own-account rule ([`own_account_stored_form`]).
//! Anything that changes who may assume the role (an extra account, a different service) is a difference.

use super::own_account::own_account_stored_form;
use super::{Condition, Principal, Statement, TrustPolicy, TrustPolicyError};
use crate::ram::account::AccountId;
use crate::ram::canonical_json::to_sorted_compact;

impl TrustPolicy {
    /// The canonical form: every set sorted and without repeats, statements sorted by their JSON, and, when
    /// `owner` is given, the owner's own service principals written as RAM stores them (`svc.aliyuncs.com`).
    ///
    /// Equivalent policies have equal canonical forms, so `canonical(owner).to_json()` is a stable text to store
    /// or show.
    pub fn canonical(&self, owner: Option<&AccountId>) -> TrustPolicy {
        let mut statements: Vec<Statement> =
            self.statements.iter().map(|s| s.canonical(owner)).collect();
        statements.sort_by_cached_key(Statement::to_json);
        statements.dedup();
        TrustPolicy {
            version: self.version.clone(),
            statements,
            other: self.other.clone(),
        }
    }

    /// True when both policies grant the same thing (see the module documentation).
    pub fn equivalent_to(&self, other: &TrustPolicy, owner: Option<&AccountId>) -> bool {
        self.canonical(owner) == other.canonical(owner)
    }
}

impl Statement {
    /// The canonical form of one statement (see [`TrustPolicy::canonical`]).
    pub fn canonical(&self, owner: Option<&AccountId>) -> Statement {
        Statement {
            effect: self.effect,
            action: sorted_set(self.action.clone()),
            principal: self.principal.canonical(owner),
            resource: sorted_set(self.resource.clone()),
            condition: self.condition.canonical(),
            other: self.other.clone(),
        }
    }
}

impl Principal {
    /// The canonical form: each kind's identifiers as a sorted set, empty kinds dropped, and the owner's own
    /// service principals in RAM's stored form.
    pub fn canonical(&self, owner: Option<&AccountId>) -> Principal {
        let service = self
            .service
            .iter()
            .map(|s| match owner {
                Some(owner) => own_account_stored_form(s, owner.as_str()).to_owned(),
                None => s.clone(),
            })
            .collect();
        Principal {
            ram: sorted_set(self.ram.clone()),
            service: sorted_set(service),
            federated: sorted_set(self.federated.clone()),
            other: self
                .other
                .iter()
                .filter(|(_, values)| !values.is_empty())
                .map(|(key, values)| (key.clone(), sorted_set(values.clone())))
                .collect(),
        }
    }
}

impl Condition {
    /// The canonical form: each key's values as a sorted set, operators without keys dropped.
    pub fn canonical(&self) -> Condition {
        Condition(
            self.0
                .iter()
                .filter(|(_, keys)| !keys.is_empty())
                .map(|(operator, keys)| {
                    let keys = keys
                        .iter()
                        .map(|(key, values)| {
                            let mut values = values.clone();
                            values.sort_by_cached_key(to_sorted_compact);
                            values.dedup();
                            (key.clone(), values)
                        })
                        .collect();
                    (operator.clone(), keys)
                })
                .collect(),
        )
    }
}

fn sorted_set(mut values: Vec<String>) -> Vec<String> {
    values.sort();
    values.dedup();
    values
}

/// The canonical compact JSON of a document: parse leniently, take the canonical form (no owner rewrite),
/// render with sorted keys. Equivalent documents (owner rewrite aside) normalise to the same text.
pub fn normalize(document: &str) -> Result<String, TrustPolicyError> {
    Ok(TrustPolicy::parse(document)?.canonical(None).to_json())
}

/// True when the two documents grant the same thing (see the module documentation). A document that cannot be
/// parsed is equivalent only to the identical text.
pub fn policies_equivalent(a: &str, b: &str, owner: Option<&AccountId>) -> bool {
    if a == b {
        return true;
    }
    match (TrustPolicy::parse(a), TrustPolicy::parse(b)) {
        (Ok(a), Ok(b)) => a.equivalent_to(&b, owner),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::PrincipalKind;
    use super::*;
    use pretty_assertions::assert_eq;

    const T: &str = "1234567890123456";
    const OWNER: &str = "6543210987654321";

    fn account(id: &str) -> AccountId {
        AccountId::parse(id).unwrap()
    }

    /// The shape of a cross-account trust for the service at `host` (the provider's domain builds the DTS and
    /// DataWorks ones from their scenarios; rebuilt here as fixtures).
    fn service_trust(trusted: &AccountId, host: &str, with_root: bool) -> TrustPolicy {
        let mut principal = Principal::default();
        if with_root {
            principal
                .values_mut(PrincipalKind::Ram)
                .push(trusted.root_principal());
        }
        principal
            .values_mut(PrincipalKind::Service)
            .push(trusted.service_principal(host));
        TrustPolicy::allow_assume_role(principal)
    }

    fn dts_trust_policy(trusted: &AccountId) -> TrustPolicy {
        service_trust(trusted, "dts.aliyuncs.com", true)
    }

    fn dataworks_trust_policy(trusted: &AccountId) -> TrustPolicy {
        service_trust(trusted, "cdp.aliyuncs.com", false)
    }

    fn dts_json() -> String {
        dts_trust_policy(&account(T)).to_json()
    }

    #[test]
    fn built_policies_are_already_canonical() {
        for policy in [
            dts_trust_policy(&account(T)),
            dataworks_trust_policy(&account(T)),
        ] {
            assert_eq!(normalize(&policy.to_json()).unwrap(), policy.to_json());
            assert_eq!(policy.canonical(None), policy);
        }
    }

    #[test]
    fn ram_reserialised_forms_are_equivalent() {
        let variants = [
            // Pretty-printed, keys reordered.
            "{\n  \"Version\": \"1\",\n  \"Statement\": [\n    {\n      \"Principal\": {\n        \"Service\": [\"1234567890123456@dts.aliyuncs.com\"],\n        \"RAM\": [\"acs:ram::1234567890123456:root\"]\n      },\n      \"Effect\": \"Allow\",\n      \"Action\": \"sts:AssumeRole\"\n    }\n  ]\n}",
            // Statement as an object, Action as a list, principals as strings.
            r#"{"Statement":{"Action":["sts:AssumeRole"],"Effect":"Allow","Principal":{"RAM":"acs:ram::1234567890123456:root","Service":"1234567890123456@dts.aliyuncs.com"}},"Version":"1"}"#,
            // Repeated values and a repeated statement.
            r#"{"Statement":[{"Action":["sts:AssumeRole","sts:AssumeRole"],"Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root","acs:ram::1234567890123456:root"],"Service":["1234567890123456@dts.aliyuncs.com"]}},{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root"],"Service":["1234567890123456@dts.aliyuncs.com"]}}],"Version":"1"}"#,
            // Empty extra principal kinds and an empty condition.
            r#"{"Statement":[{"Action":"sts:AssumeRole","Condition":{},"Effect":"ALLOW","Principal":{"Federated":[],"Other":[],"RAM":["acs:ram::1234567890123456:root"],"Service":["1234567890123456@dts.aliyuncs.com"]}}],"Version":1}"#,
        ];
        for variant in variants {
            assert!(policies_equivalent(&dts_json(), variant, None), "{variant}");
            assert_eq!(normalize(variant).unwrap(), dts_json(), "{variant}");
        }
    }

    #[test]
    fn widened_or_changed_policies_are_not_equivalent() {
        let different = [
            // An extra account.
            r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root","acs:ram::999:root"],"Service":["1234567890123456@dts.aliyuncs.com"]}}],"Version":"1"}"#,
            // Another service.
            r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root"],"Service":["1234567890123456@cdp.aliyuncs.com"]}}],"Version":"1"}"#,
            // The RAM principal moved to a second statement: same union, but the statements differ.
            r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root"]}},{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["1234567890123456@dts.aliyuncs.com"]}}],"Version":"1"}"#,
            // Deny instead of Allow.
            r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Deny","Principal":{"RAM":["acs:ram::1234567890123456:root"],"Service":["1234567890123456@dts.aliyuncs.com"]}}],"Version":"1"}"#,
            // A condition added.
            r#"{"Statement":[{"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"}},"Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root"],"Service":["1234567890123456@dts.aliyuncs.com"]}}],"Version":"1"}"#,
            // An unknown key added.
            r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root"],"Service":["1234567890123456@dts.aliyuncs.com"]},"Sid":"x"}],"Version":"1"}"#,
            // No version.
            r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root"],"Service":["1234567890123456@dts.aliyuncs.com"]}}]}"#,
        ];
        for variant in different {
            assert!(
                !policies_equivalent(&dts_json(), variant, None),
                "{variant}"
            );
            assert!(
                !policies_equivalent(&dts_json(), variant, Some(&account(T))),
                "{variant}"
            );
            assert_ne!(normalize(variant).unwrap(), dts_json(), "{variant}");
        }
    }

    #[test]
    fn own_uid_service_rewrite_is_equivalent_only_with_the_owner() {
        let owner = account(OWNER);
        let written = dts_trust_policy(&owner).to_json();
        let stored = written.replace(&format!("{OWNER}@dts.aliyuncs.com"), "dts.aliyuncs.com");
        assert_ne!(written, stored);
        assert!(policies_equivalent(&written, &stored, Some(&owner)));
        assert!(!policies_equivalent(&written, &stored, None));
        // Another account's prefix is never stripped.
        assert!(!policies_equivalent(&written, &stored, Some(&account(T))));
    }

    #[test]
    fn condition_values_are_sets() {
        let a = r#"{"Statement":[{"Effect":"Allow","Condition":{"IpAddress":{"acs:SourceIp":["10.0.0.0/8","192.168.0.0/16"]},"Bool":{"acs:MFAPresent":true}}}],"Version":"1"}"#;
        let b = r#"{"Version":"1","Statement":[{"Condition":{"Bool":{"acs:MFAPresent":[true]},"IpAddress":{"acs:SourceIp":["192.168.0.0/16","10.0.0.0/8","10.0.0.0/8"]}},"Effect":"Allow"}]}"#;
        assert!(policies_equivalent(a, b, None));
        let c = r#"{"Statement":[{"Effect":"Allow","Condition":{"Bool":{"acs:MFAPresent":"true"},"IpAddress":{"acs:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}}}],"Version":"1"}"#;
        assert!(
            !policies_equivalent(a, c, None),
            "a string is not a boolean"
        );
    }

    #[test]
    fn unparseable_documents_are_equal_only_to_themselves() {
        assert!(policies_equivalent("not json", "not json", None));
        assert!(!policies_equivalent("not json", "not  json", None));
        assert!(!policies_equivalent(&dts_json(), "not json", None));
        assert!(normalize("not json").is_err());
    }
}
