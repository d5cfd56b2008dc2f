//! Trust policies as the DTS and DataWorks scenarios use them: the documents the seed guides prescribe, the
//! trace of the classic "trusted account = own account" mistake, and a drift described in words. The policy
//! language itself (model, parsing, canonical form, what RAM accepts) is RAM's: [`crate::ram::trust_policy`].
//!
//! - [`dts_trust_policy`] and [`dataworks_trust_policy`] build the documents the seed guides prescribe;
//! - [`describe_differences`] explains a drift in words;
//! - [`own_account_rewrite`] recognises the trace of the classic "trusted account = own account" mistake.

mod diff;
mod own_account_rewrite;

pub use diff::{PolicyChange, describe_differences};
pub use own_account_rewrite::{OwnAccountRewrite, own_account_rewrite};

use crate::provider::domain::cross_account_service::CrossAccountService;
use crate::ram::account::AccountId;
use crate::ram::trust_policy::{Principal, TrustPolicy};

/// The trust policy of a DTS cross-account role: DTS acting for `trusted` (the account that creates the task)
/// may assume it. Principal `RAM: ["acs:ram::<T>:root"]` and `Service: ["<T>@dts.aliyuncs.com"]`.
pub fn dts_trust_policy(trusted: &AccountId) -> TrustPolicy {
    TrustPolicy::allow_assume_role(Principal {
        ram: vec![trusted.root_principal()],
        service: vec![trusted.service_principal(CrossAccountService::Dts.host())],
        ..Principal::default()
    })
}

/// The trust policy of a DataWorks cross-account data source role: DataWorks acting for `trusted` (the account
/// that owns the workspace) may assume it. Principal `Service: ["<T>@cdp.aliyuncs.com"]` only.
pub fn dataworks_trust_policy(trusted: &AccountId) -> TrustPolicy {
    TrustPolicy::allow_assume_role(Principal {
        service: vec![trusted.service_principal(CrossAccountService::DataWorks.host())],
        ..Principal::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn account(id: &str) -> AccountId {
        AccountId::parse(id).unwrap()
    }

    #[test]
    fn dts_policy_is_the_documented_document() {
        assert_eq!(
            dts_trust_policy(&account("1234567890123456")).to_json(),
            r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root"],"Service":["1234567890123456@dts.aliyuncs.com"]}}],"Version":"1"}"#
        );
    }

    #[test]
    fn dataworks_policy_is_the_documented_document() {
        assert_eq!(
            dataworks_trust_policy(&account("1234567890123456")).to_json(),
            r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["1234567890123456@cdp.aliyuncs.com"]}}],"Version":"1"}"#
        );
    }

    #[test]
    fn seed_documents_parse_to_the_built_policies() {
        // The document as the DTS guide prints it, placeholders replaced.
        let dts_seed = r#"{ "Statement": [ { "Action": "sts:AssumeRole", "Effect": "Allow", "Principal": { "RAM": [ "acs:ram::1234567890123456:root" ], "Service": [ "1234567890123456@dts.aliyuncs.com" ] } } ], "Version": "1" }"#;
        assert_eq!(
            TrustPolicy::parse(dts_seed).unwrap(),
            dts_trust_policy(&account("1234567890123456"))
        );
        // The document as the DataWorks guide prints it (indented, multi-line).
        let dataworks_seed = "{\n    \"Statement\": [\n        {\n            \"Action\": \"sts:AssumeRole\",\n            \"Effect\": \"Allow\",\n            \"Principal\": {\n                \"Service\": [\n                    \"1234567890123456@cdp.aliyuncs.com\"\n                ]\n            }\n        }\n    ],\n    \"Version\": \"1\"\n}";
        assert_eq!(
            TrustPolicy::parse(dataworks_seed).unwrap(),
            dataworks_trust_policy(&account("1234567890123456"))
        );
    }
}
