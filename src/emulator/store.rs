//! The emulated RAM data: per account, its roles with their trust policies, tags and policy attachments, its RAM
//! users, custom policies and OIDC providers.
//! Everything here is serialisable, so the whole store is what `--state FILE` holds.
//!
//! Each account's roles sit behind an `Arc`, so copying the store is cheap: requests run on a copy taken under the
//! emulator's lock and released at once, and a write changes its own copy (cloning only the caller's account)
//! until it has been saved.
//!
//! Consistency delay lives in the data: a role or attachment written while the delay knob is set carries a
//! `visible_after_ms` instant, and reads skip it until then (writes always see it, as RAM's do).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The format of `CreateDate`, `UpdateDate`, `AttachDate` and `Expiration`: `YYYY-MM-DDThh:mm:ssZ` in UTC.
pub const DATE_FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";

/// Formats an instant the way the API does.
pub fn format_date(at: DateTime<Utc>) -> String {
    at.format(DATE_FORMAT).to_string()
}

/// The whole emulated RAM state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Store {
    /// Roles by owner account UID, then by role name.
    #[serde(with = "shared_accounts")]
    pub accounts: BTreeMap<String, Arc<AccountRoles>>,
    /// The creation sequence number of the next role (orders `ListRoles` and backs its `Marker`).
    pub next_role_seq: u64,
}

/// The roles of one account, and its RAM users and custom policies.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountRoles {
    /// Roles by name.
    pub roles: BTreeMap<String, Role>,
    /// RAM users by name (see [`super::users`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub users: BTreeMap<String, super::users::User>,
    /// Custom policies by name (see [`super::custom_policies`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub policies: BTreeMap<String, super::custom_policies::CustomPolicy>,
    /// OIDC identity providers by name (IMS, see [`super::oidc_providers`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub oidc_providers: BTreeMap<String, super::oidc_providers::OidcProvider>,
}

/// One RAM role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Role {
    /// The numeric role id.
    pub role_id: String,
    /// The role name.
    pub role_name: String,
    /// The description, possibly empty.
    pub description: String,
    /// The trust policy in RAM's stored form.
    pub trust_policy: String,
    /// The longest session AssumeRole may grant, in seconds.
    pub max_session_duration: i64,
    /// Whether console login is allowed for the role.
    pub allow_console_login: bool,
    /// `CreateDate`, formatted.
    pub create_date: String,
    /// `UpdateDate`, formatted.
    pub update_date: String,
    /// Tags, by key.
    pub tags: BTreeMap<String, String>,
    /// Attached policies, in attachment order.
    pub attachments: Vec<Attachment>,
    /// Creation order within the store.
    pub seq: u64,
    /// Unix milliseconds before which reads do not see the role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_after_ms: Option<i64>,
}

/// A policy attached to a role or a RAM user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    /// The policy name.
    pub policy_name: String,
    /// `System` or `Custom`.
    pub policy_type: String,
    /// `AttachDate`, formatted.
    pub attach_date: String,
    /// Unix milliseconds before which reads do not see the attachment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_after_ms: Option<i64>,
}

/// Whether something stamped `visible_after_ms` can be read at `now_ms`.
pub fn is_visible(visible_after_ms: Option<i64>, now_ms: i64) -> bool {
    visible_after_ms.is_none_or(|t| now_ms >= t)
}

impl Role {
    /// The role's ARN in account `owner`.
    pub fn arn(&self, owner: &str) -> String {
        role_arn(owner, &self.role_name)
    }

    /// Whether reads at `now_ms` see the role.
    pub fn is_visible(&self, now_ms: i64) -> bool {
        is_visible(self.visible_after_ms, now_ms)
    }
}

/// `acs:ram::<uid>:role/<name>`.
pub fn role_arn(owner: &str, role_name: &str) -> String {
    format!("acs:ram::{owner}:role/{role_name}")
}

/// Splits `acs:ram::<uid>:role/<name>` into the UID and the role name.
pub fn parse_role_arn(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.strip_prefix("acs:ram::")?;
    let (uid, resource) = rest.split_once(':')?;
    let name = resource
        .strip_prefix("role/")
        .or_else(|| resource.strip_prefix("ROLE/"))?;
    let valid = !uid.is_empty() && uid.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty();
    valid.then_some((uid, name))
}

impl Store {
    /// The roles of `account_id`, if it has any.
    pub fn account(&self, account_id: &str) -> Option<&AccountRoles> {
        self.accounts.get(account_id).map(|roles| &**roles)
    }

    /// The roles of `account_id`, created on first write; copied first if another copy of the store shares them.
    pub fn account_mut(&mut self, account_id: &str) -> &mut AccountRoles {
        Arc::make_mut(self.accounts.entry(account_id.to_owned()).or_default())
    }

    /// The role `name` of `account_id`, visible or not.
    pub fn role(&self, account_id: &str, name: &str) -> Option<&Role> {
        self.account(account_id)?.roles.get(name)
    }

    /// The role `name` of `account_id` if reads at `now_ms` see it.
    pub fn visible_role(&self, account_id: &str, name: &str, now_ms: i64) -> Option<&Role> {
        self.role(account_id, name).filter(|r| r.is_visible(now_ms))
    }

    /// Ends every consistency window now: each role and attachment still invisible becomes visible. Returns how
    /// many were.
    pub fn settle(&mut self) -> usize {
        let mut settled = 0;
        let mut clear = |visible_after_ms: &mut Option<i64>| {
            settled += usize::from(visible_after_ms.take().is_some());
        };
        for account in self.accounts.values_mut() {
            let waiting = account.roles.values().any(|r| {
                r.visible_after_ms.is_some()
                    || r.attachments.iter().any(|a| a.visible_after_ms.is_some())
            }) || account
                .users
                .values()
                .any(|u| u.attachments.iter().any(|a| a.visible_after_ms.is_some()));
            // Copied only when something in it changes.
            if !waiting {
                continue;
            }
            let account = Arc::make_mut(account);
            for role in account.roles.values_mut() {
                clear(&mut role.visible_after_ms);
                for attachment in &mut role.attachments {
                    clear(&mut attachment.visible_after_ms);
                }
            }
            for user in account.users.values_mut() {
                for attachment in &mut user.attachments {
                    clear(&mut attachment.visible_after_ms);
                }
            }
        }
        settled
    }
}

/// Serialises the shared accounts as plain maps, so the state file format does not know about the sharing.
mod shared_accounts {
    use super::AccountRoles;
    use serde::{Deserialize, Deserializer, Serializer};
    use std::collections::BTreeMap;
    use std::sync::Arc;

    pub fn serialize<S: Serializer>(
        accounts: &BTreeMap<String, Arc<AccountRoles>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_map(accounts.iter().map(|(uid, roles)| (uid, &**roles)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<String, Arc<AccountRoles>>, D::Error> {
        let accounts = BTreeMap::<String, AccountRoles>::deserialize(deserializer)?;
        Ok(accounts
            .into_iter()
            .map(|(uid, roles)| (uid, Arc::new(roles)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_round_trip() {
        let arn = role_arn("1111000011110001", "ram-for-dts");
        assert_eq!(arn, "acs:ram::1111000011110001:role/ram-for-dts");
        assert_eq!(
            parse_role_arn(&arn),
            Some(("1111000011110001", "ram-for-dts"))
        );
        assert_eq!(parse_role_arn("acs:ram::abc:role/x"), None);
        assert_eq!(parse_role_arn("acs:ram::1:user/x"), None);
    }

    #[test]
    fn dates_use_the_api_format() {
        let at = DateTime::parse_from_rfc3339("2015-01-23T12:33:18Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(format_date(at), "2015-01-23T12:33:18Z");
    }
}
