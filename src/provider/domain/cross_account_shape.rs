//! Recognising existing roles: which cross-account service a trust policy is exactly the role of, and which
//! accounts a trust policy admits. What listings (`terraform query`, the `aliram_roles` data source) filter on.

use super::cross_account_service::CrossAccountService;
use super::dts;
use super::trust_policy::{dataworks_trust_policy, dts_trust_policy};
use crate::ram::account::AccountId;
use crate::ram::trust_policy::{PrincipalKind, TrustPolicy};

/// A role's trust as one of the cross-account services' roles has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrossAccountTrust {
    /// The service the role is for.
    pub service: CrossAccountService,
    /// The account the service acts for (the trusted account).
    pub trusted: AccountId,
}

impl CrossAccountService {
    /// The name filters use for the service: `dts` or `dataworks`.
    pub fn filter_name(self) -> &'static str {
        match self {
            CrossAccountService::Dts => "dts",
            CrossAccountService::DataWorks => "dataworks",
        }
    }

    /// The service named `name` in a filter (`dts` or `dataworks`).
    pub fn from_filter_name(name: &str) -> Option<CrossAccountService> {
        CrossAccountService::ALL
            .into_iter()
            .find(|s| s.filter_name() == name)
    }

    /// The system policy a role of this service must carry to count as one, if the service has a single one.
    pub fn required_policy(self) -> Option<&'static str> {
        match self {
            CrossAccountService::Dts => Some(dts::SYSTEM_POLICY),
            // The policies depend on the instance type; the trust alone identifies the role.
            CrossAccountService::DataWorks => None,
        }
    }

    /// The trust policy this service's role has when it trusts `trusted`.
    fn trust_policy(self, trusted: &AccountId) -> TrustPolicy {
        match self {
            CrossAccountService::Dts => dts_trust_policy(trusted),
            CrossAccountService::DataWorks => dataworks_trust_policy(trusted),
        }
    }
}

/// The service and trusted account whose role `policy` is, when it means exactly what that service's role trusts
/// for one account T (DTS: `acs:ram::T:root` and `T@dts.aliyuncs.com`; DataWorks: `T@cdp.aliyuncs.com`), by
/// RAM's semantics. Any other principal, statement or condition makes it no such role.
pub fn cross_account_trust(policy: &TrustPolicy) -> Option<CrossAccountTrust> {
    CrossAccountService::ALL.into_iter().find_map(|service| {
        let suffix = format!("@{}", service.host());
        let trusted = policy
            .principals(PrincipalKind::Service)
            .find_map(|p| p.strip_suffix(&suffix))
            .and_then(|t| AccountId::parse(t).ok())?;
        policy
            .equivalent_to(&service.trust_policy(&trusted), None)
            .then_some(CrossAccountTrust { service, trusted })
    })
}

/// True when `policy` admits `account` in any way: a RAM principal of that account (`acs:ram::<uid>:...`) or a
/// service acting for it (`<uid>@<service host>`).
pub fn trusts_account(policy: &TrustPolicy, account: &AccountId) -> bool {
    let ram = policy
        .principals(PrincipalKind::Ram)
        .any(|p| AccountId::from_ram_arn(p).as_ref() == Some(account));
    let service = policy.principals(PrincipalKind::Service).any(|p| {
        p.split_once('@')
            .is_some_and(|(uid, _)| uid == account.as_str())
    });
    ram || service
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: &str) -> AccountId {
        AccountId::parse(id).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_services_own_documents_are_recognised_in_any_spelling() {
        let t = account("1234567890123456");
        let dts = dts_trust_policy(&t);
        assert_eq!(
            cross_account_trust(&dts),
            Some(CrossAccountTrust {
                service: CrossAccountService::Dts,
                trusted: t.clone()
            })
        );
        let respelled = TrustPolicy::parse(
            r#"{"Version":"1","Statement":{"Principal":{"Service":"1234567890123456@cdp.aliyuncs.com"},"Effect":"Allow","Action":["sts:AssumeRole"]}}"#,
        )
        .unwrap_or_default();
        assert_eq!(
            cross_account_trust(&respelled).map(|c| c.service),
            Some(CrossAccountService::DataWorks)
        );
    }

    #[test]
    fn half_a_dts_trust_or_two_accounts_is_no_service_role() {
        let only_service = TrustPolicy::parse(
            r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["1@dts.aliyuncs.com"]}}],"Version":"1"}"#,
        )
        .unwrap_or_default();
        assert_eq!(cross_account_trust(&only_service), None);
        let two_accounts = TrustPolicy::parse(
            r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1:root"],"Service":["1@dts.aliyuncs.com","2@dts.aliyuncs.com"]}}],"Version":"1"}"#,
        )
        .unwrap_or_default();
        assert_eq!(cross_account_trust(&two_accounts), None);
    }

    #[test]
    fn trusting_an_account_counts_ram_and_service_principals() {
        let policy = dts_trust_policy(&account("1"));
        assert!(trusts_account(&policy, &account("1")));
        assert!(!trusts_account(&policy, &account("12")));
        let user = TrustPolicy::parse(
            r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::7:user/alice"]}}],"Version":"1"}"#,
        )
        .unwrap_or_default();
        assert!(trusts_account(&user, &account("7")));
    }

    #[test]
    fn filter_names_round_trip() {
        for service in CrossAccountService::ALL {
            assert_eq!(
                CrossAccountService::from_filter_name(service.filter_name()),
                Some(service)
            );
        }
        assert_eq!(CrossAccountService::from_filter_name("DTS"), None);
    }
}
