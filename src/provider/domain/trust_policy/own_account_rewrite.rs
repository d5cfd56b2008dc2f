//! Recognising the trace of the classic cross-account mistake: a role whose trusted account is its own, which
//! RAM's own-account rule ([`own_account_stored_form`]) leaves in the stored policy. A
//! stored policy with the plain host of a cross-account service, or with the owner-prefixed form, is the mistake
//! ([`own_account_rewrite`]). This check is meant for the roles of cross-account resources: an ordinary service
//! role that trusts `dts.aliyuncs.com` on purpose also matches.

use crate::provider::domain::cross_account_service::CrossAccountService;
use crate::ram::account::AccountId;
use crate::ram::trust_policy::{PrincipalKind, TrustPolicy, own_account_stored_form};
use std::fmt;

/// A service principal that shows the trusted account was the role's own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnAccountRewrite {
    /// The service the principal is for.
    pub service: CrossAccountService,
    /// The principal as stored: `dts.aliyuncs.com`, or `<owner>@dts.aliyuncs.com`.
    pub found: String,
    /// The account that owns the role.
    pub owner: AccountId,
}

impl fmt::Display for OwnAccountRewrite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let service = self.service.product();
        let host = self.service.host();
        let owner = &self.owner;
        if self.found == host {
            let how = match self.service.rewrite_documented_by() {
                Some(document) => format!(
                    "RAM saves \"{owner}@{host}\" in this form when the trusted account is the role's own account \
                     ({owner}), as {document} documents"
                ),
                None => format!(
                    "a bare service name stands for the service acting for the role's own account ({owner}); it is \
                     likely \"{owner}@{host}\" as RAM saved it (documented for DTS; inferred, not documented, for \
                     {service})"
                ),
            };
            write!(
                f,
                "the trust policy's Service principal is \"{host}\" instead of \"<trusted account>@{host}\": {how}, "
            )?;
        } else {
            write!(
                f,
                "the trust policy's Service principal \"{}\" names the role's own account ({owner}), ",
                self.found
            )?;
        }
        write!(
            f,
            "so {service} acting for another account cannot assume the role. The trusted account must be {}, \
             not the account that owns the role",
            self.service.trusted_account()
        )
    }
}

/// The first service principal of `policy` that shows the trusted account of a cross-account service was the
/// role's owner itself, if any.
pub fn own_account_rewrite(policy: &TrustPolicy, owner: &AccountId) -> Option<OwnAccountRewrite> {
    policy
        .principals(PrincipalKind::Service)
        .find_map(|principal| {
            let host = own_account_stored_form(principal, owner.as_str());
            CrossAccountService::from_host(host).map(|service| OwnAccountRewrite {
                service,
                found: principal.to_owned(),
                owner: owner.clone(),
            })
        })
}

#[cfg(test)]
mod tests {
    use super::super::{dataworks_trust_policy, dts_trust_policy};
    use super::*;

    const OWNER: &str = "1111111111111111";
    const OTHER: &str = "2222222222222222";

    fn account(id: &str) -> AccountId {
        AccountId::parse(id).unwrap()
    }

    fn rewritten(json: &str, from: &str, to: &str) -> TrustPolicy {
        TrustPolicy::parse(&json.replace(from, to)).unwrap()
    }

    #[test]
    fn correct_policies_are_not_flagged() {
        let owner = account(OWNER);
        assert_eq!(
            own_account_rewrite(&dts_trust_policy(&account(OTHER)), &owner),
            None
        );
        assert_eq!(
            own_account_rewrite(&dataworks_trust_policy(&account(OTHER)), &owner),
            None
        );
    }

    #[test]
    fn plain_dts_host_is_the_rewrite() {
        let owner = account(OWNER);
        let json = dts_trust_policy(&owner).to_json();
        let stored = rewritten(
            &json,
            &format!("{OWNER}@dts.aliyuncs.com"),
            "dts.aliyuncs.com",
        );
        let found = own_account_rewrite(&stored, &owner).unwrap();
        assert_eq!(found.service, CrossAccountService::Dts);
        assert_eq!(found.found, "dts.aliyuncs.com");
        let text = found.to_string();
        assert!(
            text.contains("is \"dts.aliyuncs.com\" instead of"),
            "{text}"
        );
        assert!(
            text.contains("\"1111111111111111@dts.aliyuncs.com\""),
            "{text}"
        );
        assert!(
            text.contains("the account that creates the DTS task"),
            "{text}"
        );
    }

    #[test]
    fn plain_dataworks_host_is_the_rewrite() {
        let owner = account(OWNER);
        let json = dataworks_trust_policy(&owner).to_json();
        let stored = rewritten(
            &json,
            &format!("{OWNER}@cdp.aliyuncs.com"),
            "cdp.aliyuncs.com",
        );
        let found = own_account_rewrite(&stored, &owner).unwrap();
        assert_eq!(found.service, CrossAccountService::DataWorks);
        assert!(found.to_string().contains("DataWorks workspace"));
    }

    #[test]
    fn only_the_documented_rewrite_is_stated_as_fact() {
        let owner = account(OWNER);
        let dts = TrustPolicy::parse(
            r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["dts.aliyuncs.com"]}}],"Version":"1"}"#,
        )
        .unwrap();
        let text = own_account_rewrite(&dts, &owner).unwrap().to_string();
        assert!(text.contains("as the DTS guide documents"), "{text}");
        let cdp = TrustPolicy::parse(
            r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["cdp.aliyuncs.com"]}}],"Version":"1"}"#,
        )
        .unwrap();
        let text = own_account_rewrite(&cdp, &owner).unwrap().to_string();
        assert!(
            text.contains("inferred, not documented, for DataWorks"),
            "{text}"
        );
        assert!(!text.contains("RAM saves"), "{text}");
    }

    #[test]
    fn owner_prefixed_form_is_the_same_mistake() {
        let owner = account(OWNER);
        let found = own_account_rewrite(&dts_trust_policy(&owner), &owner).unwrap();
        assert_eq!(found.found, "1111111111111111@dts.aliyuncs.com");
        assert!(
            found
                .to_string()
                .contains("names the role's own account (1111111111111111)")
        );
    }

    #[test]
    fn other_services_are_not_flagged() {
        let owner = account(OWNER);
        let policy = TrustPolicy::parse(
            r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["ecs.aliyuncs.com"]}}],"Version":"1"}"#,
        )
        .unwrap();
        assert_eq!(own_account_rewrite(&policy, &owner), None);
    }
}
