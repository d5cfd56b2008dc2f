//! The cloud services that assume a role in another account on behalf of a trusted account, and the one rule
//! they share: the trusted account must not be the role's own account.
//!
//! Such a service is named in a trust policy as `<trusted uid>@<service host>`. When the UID is the role owner's
//! own, RAM silently rewrites the principal to the plain `<service host>` form (its convention for "the service in
//! this account") and the cross-account flow fails. The DTS guide documents exactly this symptom.

use crate::provider::domain::account::AccountId;
use std::fmt;

/// A service that reaches into another account through a role that trusts `<uid>@<host>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CrossAccountService {
    /// Data Transmission Service: cross-account DTS tasks.
    Dts,
    /// DataWorks Data Integration (service host `cdp.aliyuncs.com`): cross-account data sources.
    DataWorks,
}

/// What the provider knows about one cross-account service.
#[derive(Debug)]
struct ServiceFacts {
    service: CrossAccountService,
    product: &'static str,
    host: &'static str,
    trusted_account: &'static str,
}

/// One row per service; every fact about a service is read from here.
const SERVICES: [ServiceFacts; 2] = [
    ServiceFacts {
        service: CrossAccountService::Dts,
        product: "DTS",
        host: "dts.aliyuncs.com",
        trusted_account: "the account that creates the DTS task",
    },
    ServiceFacts {
        service: CrossAccountService::DataWorks,
        product: "DataWorks",
        host: "cdp.aliyuncs.com",
        trusted_account: "the account that owns the DataWorks workspace",
    },
];

impl CrossAccountService {
    /// Every cross-account service, in table order.
    pub const ALL: [CrossAccountService; 2] =
        [CrossAccountService::Dts, CrossAccountService::DataWorks];

    fn facts(self) -> &'static ServiceFacts {
        // The table has one row per variant; `ALL` and the table are checked against each other in tests.
        match self {
            CrossAccountService::Dts => &SERVICES[0],
            CrossAccountService::DataWorks => &SERVICES[1],
        }
    }

    /// The product name users know, e.g. `DTS`.
    pub fn product(self) -> &'static str {
        self.facts().product
    }

    /// The service host used in service principals, e.g. `dts.aliyuncs.com`.
    pub fn host(self) -> &'static str {
        self.facts().host
    }

    /// Who the trusted account is, in words, e.g. "the account that creates the DTS task".
    pub fn trusted_account(self) -> &'static str {
        self.facts().trusted_account
    }

    /// The service whose host is `host`, if it is one of the cross-account services.
    pub fn from_host(host: &str) -> Option<CrossAccountService> {
        SERVICES.iter().find(|s| s.host == host).map(|s| s.service)
    }

    /// Refuses a trusted account equal to the owner of the role: the mistake that makes RAM rewrite the
    /// service principal and breaks the cross-account flow.
    pub fn check_trusted_account(
        self,
        trusted: &AccountId,
        owner: &AccountId,
    ) -> Result<(), SelfTrustError> {
        if trusted == owner {
            return Err(SelfTrustError {
                service: self,
                account: trusted.clone(),
            });
        }
        Ok(())
    }
}

impl fmt::Display for CrossAccountService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.product())
    }
}

/// The trusted account is the account that owns the role.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "the trusted account \"{account}\" is the account that owns this role: {service} must be trusted for {who}, \
     which is another account. With the owner's own UID, RAM rewrites the service principal \
     \"{account}@{host}\" to \"{host}\" and {service} cannot assume the role; enter the UID of {who}",
    service = service.product(),
    who = service.trusted_account(),
    host = service.host()
)]
pub struct SelfTrustError {
    /// The service the role is for.
    pub service: CrossAccountService,
    /// The account given as trusted, which is also the owner.
    pub account: AccountId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_match_variants() {
        for service in CrossAccountService::ALL {
            assert_eq!(service.facts().service, service);
            assert_eq!(
                CrossAccountService::from_host(service.host()),
                Some(service)
            );
        }
        assert_eq!(CrossAccountService::from_host("ecs.aliyuncs.com"), None);
    }

    #[test]
    fn hosts_are_the_documented_ones() {
        assert_eq!(CrossAccountService::Dts.host(), "dts.aliyuncs.com");
        assert_eq!(CrossAccountService::DataWorks.host(), "cdp.aliyuncs.com");
    }

    #[test]
    fn refuses_self_trust_with_an_explanation() {
        let a = AccountId::parse("1111111111111111").unwrap();
        let b = AccountId::parse("2222222222222222").unwrap();
        assert_eq!(
            CrossAccountService::Dts.check_trusted_account(&b, &a),
            Ok(())
        );
        let err = CrossAccountService::Dts
            .check_trusted_account(&a, &a)
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("\"1111111111111111\""), "{text}");
        assert!(
            text.contains("\"1111111111111111@dts.aliyuncs.com\" to \"dts.aliyuncs.com\""),
            "{text}"
        );
        assert!(
            text.contains("the account that creates the DTS task"),
            "{text}"
        );
        let dw = CrossAccountService::DataWorks
            .check_trusted_account(&a, &a)
            .unwrap_err()
            .to_string();
        assert!(dw.contains("cdp.aliyuncs.com"), "{dw}");
        assert!(dw.contains("DataWorks workspace"), "{dw}");
    }
}
