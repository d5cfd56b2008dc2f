//! The roles of one account as listings see them (the `aliram_roles` data source, the list resources behind
//! `terraform query`): `ListRoles` page by page (1000 roles a page, following `Marker`), then, only for the roles
//! that pass the name filter and only when a filter or the caller needs them, `GetRole` (the trust policy) and
//! `ListPoliciesForRole`, several at once, answers kept in listing order.

use crate::provider::alicloud::ram::{AttachedPolicy, LIST_ROLES_MAX_ITEMS, Role, RoleSummary};
use crate::provider::alicloud::{AliCloudClient, ClientError};
use crate::provider::domain::cross_account_service::CrossAccountService;
use crate::provider::domain::cross_account_shape::{
    CrossAccountTrust, cross_account_trust, trusts_account,
};
use crate::ram::account::AccountId;
use crate::ram::role_rules::reserved_tag_key_text;
use crate::ram::trust_policy::TrustPolicy;
use futures_util::stream::{self, StreamExt, TryStreamExt};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};

/// How many roles' details are read at once. The client's rate limit and retries keep this within RAM's flow
/// control; eight keeps a listing of a thousand roles to a few hundred round trips' time.
const DETAIL_READS_IN_FLIGHT: usize = 8;

/// Which roles a listing wants, and what it needs to know about each.
#[derive(Clone, Debug, Default)]
pub struct RoleQuery {
    /// Only roles whose name matches (anywhere in the name, as `alicloud_ram_roles` does).
    pub name_regex: Option<Regex>,
    /// Only roles whose trust policy admits this account in any way.
    pub trusted_account: Option<AccountId>,
    /// Only roles that are exactly this service's cross-account role (trust policy, and its system policy).
    pub service: Option<CrossAccountService>,
    /// Read every matching role's trust policy and attached policies, even when no filter needs them.
    pub details: bool,
}

/// A role found by a listing.
#[derive(Clone, Debug)]
pub struct ListedRole {
    /// The role as `ListRoles` gives it.
    pub summary: RoleSummary,
    /// Its user tags (those the cloud adds itself, `aliyun…` and `acs:…`, left out).
    pub tags: BTreeMap<String, String>,
    /// The trust policy and attachments, when the query needed them.
    pub details: Option<RoleDetails>,
}

/// What `GetRole` and `ListPoliciesForRole` add to a listed role.
#[derive(Clone, Debug)]
pub struct RoleDetails {
    /// `GetRole`'s answer.
    pub role: Role,
    /// The attached policies.
    pub policies: Vec<AttachedPolicy>,
    /// The trust policy, when RAM's document could be read.
    pub trust_policy: Option<TrustPolicy>,
    /// The service whose cross-account role this is, and the account it trusts.
    pub cross_account: Option<CrossAccountTrust>,
}

impl RoleDetails {
    /// The names of the attached policies.
    pub fn policy_names(&self) -> BTreeSet<String> {
        self.policies
            .iter()
            .map(|p| p.policy_name.clone())
            .collect()
    }
}

impl RoleQuery {
    fn needs_trust_policy(&self) -> bool {
        self.details || self.trusted_account.is_some() || self.service.is_some()
    }

    fn name_matches(&self, name: &str) -> bool {
        self.name_regex.as_ref().is_none_or(|r| r.is_match(name))
    }

    /// The filters on the trust policy, before any policy is read.
    fn trust_matches(&self, details: &RoleDetails) -> bool {
        let trusted = self.trusted_account.as_ref().is_none_or(|account| {
            details
                .trust_policy
                .as_ref()
                .is_some_and(|p| trusts_account(p, account))
        });
        let service = self.service.is_none_or(|service| {
            details
                .cross_account
                .as_ref()
                .is_some_and(|c| c.service == service)
        });
        trusted && service
    }

    /// Whether the policies must be read for a role that passed the trust filters.
    fn needs_policies(&self) -> bool {
        self.details || self.service.and_then(|s| s.required_policy()).is_some()
    }

    fn policies_match(&self, details: &RoleDetails) -> bool {
        self.service
            .and_then(|s| s.required_policy())
            .is_none_or(|required| details.policies.iter().any(|p| p.policy_name == required))
    }
}

/// Pages through an account's roles with a [`RoleQuery`].
#[derive(Debug)]
pub struct RoleLister<'a> {
    api: &'a AliCloudClient,
    query: &'a RoleQuery,
    marker: Option<String>,
    done: bool,
}

impl<'a> RoleLister<'a> {
    /// A listing of the account `api` signs for.
    pub fn new(api: &'a AliCloudClient, query: &'a RoleQuery) -> RoleLister<'a> {
        RoleLister {
            api,
            query,
            marker: None,
            done: false,
        }
    }

    /// The matching roles of the next `ListRoles` page, in listing order; `None` after the last page. A role
    /// deleted while the listing runs is left out.
    pub async fn next_page(&mut self) -> Result<Option<Vec<ListedRole>>, ClientError> {
        if self.done {
            return Ok(None);
        }
        let page = self
            .api
            .list_roles_page(self.marker.as_deref(), Some(LIST_ROLES_MAX_ITEMS))
            .await?;
        self.marker = page.marker.filter(|m| !m.is_empty());
        self.done = !page.is_truncated || self.marker.is_none();
        let candidates: Vec<RoleSummary> = page
            .roles
            .role
            .into_iter()
            .filter(|r| self.query.name_matches(&r.role_name))
            .collect();
        let found: Vec<Option<ListedRole>> = stream::iter(candidates)
            .map(|summary| self.inspect(summary))
            .buffered(DETAIL_READS_IN_FLIGHT)
            .try_collect()
            .await?;
        Ok(Some(found.into_iter().flatten().collect()))
    }

    /// Reads what the query needs about one role; `None` when it does not match or no longer exists.
    async fn inspect(&self, summary: RoleSummary) -> Result<Option<ListedRole>, ClientError> {
        let tags = summary
            .tags
            .tag
            .iter()
            .filter(|t| reserved_tag_key_text(&t.tag_key).is_none())
            .map(|t| (t.tag_key.clone(), t.tag_value.clone()))
            .collect();
        if !self.query.needs_trust_policy() {
            return Ok(Some(ListedRole {
                summary,
                tags,
                details: None,
            }));
        }
        let role = match self.api.get_role(&summary.role_name).await {
            Ok(r) => r.role,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        let trust_policy = role
            .assume_role_policy_document
            .as_deref()
            .and_then(|d| TrustPolicy::parse(d).ok());
        let cross_account = trust_policy.as_ref().and_then(cross_account_trust);
        let mut details = RoleDetails {
            role,
            policies: Vec::new(),
            trust_policy,
            cross_account,
        };
        if !self.query.trust_matches(&details) {
            return Ok(None);
        }
        if self.query.needs_policies() {
            details.policies = match self.api.list_policies_for_role(&summary.role_name).await {
                Ok(p) => p.policies.policy,
                Err(e) if e.is_not_found() => return Ok(None),
                Err(e) => return Err(e),
            };
        }
        Ok(self.query.policies_match(&details).then_some(ListedRole {
            summary,
            tags,
            details: Some(details),
        }))
    }
}
