//! The cloud services that assume a role in another account on behalf of a trusted account, and the one rule
//! they share: the trusted account must not be the role's own account.
//!
//! Such a service is named in a trust policy as `<trusted uid>@<service host>`. When the UID is the role owner's
//! own, the role trusts the service acting for the owner itself, and the cross-account flow fails. RAM then also
//! stores the principal as the plain `<service host>` (the own-account rule,
//! [`own_account_stored_form`](crate::ram::trust_policy::own_account_stored_form)): the DTS guide
//! documents this for DTS; for DataWorks it is inferred, so messages state it as a risk.

use crate::ram::account::{AccountId, IdentityKind};
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
    /// The Alibaba document that states RAM's own-account rewrite for this service, if any.
    rewrite_documented_by: Option<&'static str>,
    /// The guide's usage note asking for the Alibaba Cloud account rather than a RAM user, if it has one.
    account_login_note: Option<AccountLoginNote>,
}

/// A guide's usage note that the Alibaba Cloud account itself, not a RAM user, must do part of the work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountLoginNote {
    /// The note, quoted from the guide.
    pub quote: &'static str,
    /// What to do about it when the role is managed with other credentials.
    pub advice: &'static str,
}

/// One row per service; every fact about a service is read from here.
const SERVICES: [ServiceFacts; 2] = [
    ServiceFacts {
        service: CrossAccountService::Dts,
        product: "DTS",
        host: "dts.aliyuncs.com",
        trusted_account: "the account that creates the DTS task",
        rewrite_documented_by: Some("the DTS guide"),
        account_login_note: Some(AccountLoginNote {
            quote: "Log on to the console using an Alibaba Cloud account, not a RAM user. If you use a RAM user, an \
                    authorization error may occur when you create the DTS task.",
            advice: "The role is created all the same: create the DTS task logged on as the Alibaba Cloud account \
                     itself",
        }),
    },
    ServiceFacts {
        service: CrossAccountService::DataWorks,
        product: "DataWorks",
        host: "cdp.aliyuncs.com",
        trusted_account: "the account that owns the DataWorks workspace",
        rewrite_documented_by: None,
        account_login_note: None,
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

    /// The Alibaba document that states RAM's own-account rewrite for this service (`None`: inferred only).
    pub fn rewrite_documented_by(self) -> Option<&'static str> {
        self.facts().rewrite_documented_by
    }

    /// What RAM does to `"<owner>@<host>"`, worded as what is documented or as the risk it is.
    pub fn rewrite_in_words(self, owner: &AccountId) -> String {
        let host = self.host();
        match self.rewrite_documented_by() {
            Some(document) => format!(
                "RAM rewrites the service principal \"{owner}@{host}\" to \"{host}\" when it saves the policy, as \
                 {document} documents"
            ),
            None => format!(
                "RAM is also likely to store \"{owner}@{host}\" as \"{host}\" (documented for DTS; inferred, not \
                 documented, for {})",
                self.product()
            ),
        }
    }

    /// The guide's note asking for the Alibaba Cloud account rather than a RAM user, if it has one.
    pub fn account_login_note(self) -> Option<AccountLoginNote> {
        self.facts().account_login_note
    }

    /// Flags credentials that are not the Alibaba Cloud account itself when the service's guide asks for the
    /// account ([`AccountLoginNote`]); `arn` is the caller's, for the message.
    pub fn check_caller(self, kind: IdentityKind, arn: &str) -> Result<(), NotTheAccount> {
        match self.account_login_note() {
            Some(note) if kind != IdentityKind::Account => Err(NotTheAccount {
                service: self,
                kind,
                arn: arn.to_owned(),
                note,
            }),
            _ => Ok(()),
        }
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
    "the trusted account \"{account}\" is the account that owns this role: {product} must be trusted for {who}, \
     which is another account. With the owner's own UID the role trusts {product} acting for this account only, \
     so {product} acting for {who} cannot assume it; {rewrite}. Enter the UID of {who}",
    product = service.product(),
    who = service.trusted_account(),
    rewrite = service.rewrite_in_words(account)
)]
pub struct SelfTrustError {
    /// The service the role is for.
    pub service: CrossAccountService,
    /// The account given as trusted, which is also the owner.
    pub account: AccountId,
}

/// Credentials that are not the Alibaba Cloud account itself, for a service whose guide asks for the account.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "this provider instance's credentials are {kind} ({arn}), not the Alibaba Cloud account itself. The {product} \
     guide's usage notes say: \"{quote}\" {advice}",
    kind = kind.description(),
    product = service.product(),
    quote = note.quote,
    advice = note.advice
)]
pub struct NotTheAccount {
    /// The service.
    pub service: CrossAccountService,
    /// The kind of identity the credentials are.
    pub kind: IdentityKind,
    /// The caller's ARN.
    pub arn: String,
    /// The guide's note.
    pub note: AccountLoginNote,
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
        assert_eq!(
            err.to_string(),
            "the trusted account \"1111111111111111\" is the account that owns this role: DTS must be trusted for \
             the account that creates the DTS task, which is another account. With the owner's own UID the role \
             trusts DTS acting for this account only, so DTS acting for the account that creates the DTS task cannot \
             assume it; RAM rewrites the service principal \"1111111111111111@dts.aliyuncs.com\" to \
             \"dts.aliyuncs.com\" when it saves the policy, as the DTS guide documents. Enter the UID of the account \
             that creates the DTS task"
        );
    }

    #[test]
    fn the_dataworks_rewrite_is_worded_as_a_risk() {
        let a = AccountId::parse("1111111111111111").unwrap();
        let dw = CrossAccountService::DataWorks
            .check_trusted_account(&a, &a)
            .unwrap_err()
            .to_string();
        assert!(dw.contains("DataWorks workspace"), "{dw}");
        assert!(
            dw.contains(
                "RAM is also likely to store \"1111111111111111@cdp.aliyuncs.com\" as \"cdp.aliyuncs.com\" \
                 (documented for DTS; inferred, not documented, for DataWorks)"
            ),
            "{dw}"
        );
        assert!(!dw.contains("RAM rewrites"), "{dw}");
        assert_eq!(
            CrossAccountService::Dts.rewrite_documented_by(),
            Some("the DTS guide")
        );
        assert_eq!(CrossAccountService::DataWorks.rewrite_documented_by(), None);
    }

    #[test]
    fn dts_asks_for_the_account_itself_with_the_guides_reason() {
        let arn = "acs:ram::1111111111111111:assumed-role/terraform/ci";
        assert_eq!(
            CrossAccountService::Dts
                .check_caller(IdentityKind::Account, "acs:ram::1111111111111111:root"),
            Ok(())
        );
        let err = CrossAccountService::Dts
            .check_caller(IdentityKind::AssumedRole, arn)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "this provider instance's credentials are a RAM role session (STS credentials) \
             (acs:ram::1111111111111111:assumed-role/terraform/ci), not the Alibaba Cloud account itself. The DTS \
             guide's usage notes say: \"Log on to the console using an Alibaba Cloud account, not a RAM user. If you \
             use a RAM user, an authorization error may occur when you create the DTS task.\" The role is created \
             all the same: create the DTS task logged on as the Alibaba Cloud account itself"
        );
        assert!(
            CrossAccountService::Dts
                .check_caller(IdentityKind::RamUser, "acs:ram::1:user/alice")
                .is_err()
        );
        // The DataWorks guide has no such note.
        assert_eq!(
            CrossAccountService::DataWorks
                .check_caller(IdentityKind::RamUser, "acs:ram::1:user/alice"),
            Ok(())
        );
    }
}
