//! Resource Directory, as far as an organization's role management needs it: the accounts file may put one
//! management account and members in a directory; each member then holds `ResourceDirectoryAccountAccessRole`,
//! trusting the management account, with `AdministratorAccess` (as Resource Directory creates it), and the
//! management account can list the members with `ListAccounts` of `ResourceDirectoryMaster` 2022-04-19 (the
//! version the alicloud provider calls) or `ResourceManager` 2020-03-31 (the same answer).
//!
//! Denials (Resource Directory documents no ListAccounts error for a member; these are the closest documented
//! codes): a member gets RAM's 403 `NoPermission` naming `resourcemanager:ListAccounts` and the account resource,
//! the documented form of an authorization failure; an account in no directory gets 404
//! `ResourceDirectoryNotInUse`, GetResourceDirectory's documented answer for it.

use super::accounts::{Account, DirectoryRole};
use super::error::ApiError;
use super::params::Params;
use super::store::{Attachment, Role, Store, format_date};
use super::trust_policy;
use crate::ram::access_denied::{self, NO_PERMISSION};
use crate::ram::arn::Arn;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// The `Version` of `ResourceDirectoryMaster`.
pub const DIRECTORY_MASTER_VERSION: &str = "2022-04-19";
/// The `Version` of `ResourceManager`, whose `ListAccounts` answers the same.
pub const RESOURCE_MANAGER_VERSION: &str = "2020-03-31";

/// The RAM action `ListAccounts` is authorized as (reference: ram-identities-and-authorization §7).
pub const LIST_ACCOUNTS_ACTION: &str = "resourcemanager:ListAccounts";

/// The role Resource Directory creates in each member.
pub const ACCESS_ROLE_NAME: &str = "ResourceDirectoryAccountAccessRole";
/// The policy attached to it.
const ACCESS_ROLE_POLICY: &str = "AdministratorAccess";
/// `ListAccounts`' default and largest `PageSize`.
const DEFAULT_PAGE_SIZE: i64 = 10;
const MAX_PAGE_SIZE: i64 = 100;

/// The Resource Directory actions served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectoryAction {
    /// `ListAccounts`.
    ListAccounts,
}

impl DirectoryAction {
    /// The action `name` of API version `version`, if served.
    pub fn find(version: &str, name: &str) -> Option<Self> {
        match (version, name) {
            (DIRECTORY_MASTER_VERSION | RESOURCE_MANAGER_VERSION, "ListAccounts") => {
                Some(Self::ListAccounts)
            }
            _ => None,
        }
    }
}

/// The management account of the directory the accounts file declares, if any.
fn management(accounts: &[Account]) -> Option<&Account> {
    accounts
        .iter()
        .find(|a| a.resource_directory == Some(DirectoryRole::Management))
}

/// The trust policy of a member's access role: the management account's RAM identities.
pub fn access_role_trust_policy(management_account_id: &str) -> String {
    json!({
        "Statement": [{
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"RAM": [format!("acs:ram::{management_account_id}:root")]},
        }],
        "Version": "1",
    })
    .to_string()
}

/// Gives each member its access role where it has none (a role the state file already holds is kept as it is,
/// as a directory's role survives whatever its account did to it).
pub fn seed_access_roles(store: &mut Store, accounts: &[Account], now: DateTime<Utc>) {
    let Some(management) = management(accounts) else {
        return;
    };
    let date = format_date(now);
    for member in accounts
        .iter()
        .filter(|a| a.resource_directory == Some(DirectoryRole::Member))
    {
        if store.role(&member.account_id, ACCESS_ROLE_NAME).is_some() {
            continue;
        }
        let seq = store.next_role_seq;
        store.next_role_seq += 1;
        let role = Role {
            // Stable per account, so a saved state and a fresh start agree.
            role_id: format!("39{}", member.account_id),
            role_name: ACCESS_ROLE_NAME.to_owned(),
            description: "Resource Directory access role, trusting the management account"
                .to_owned(),
            // Stored as CreateRole would store it; the document is a constant shape, valid by construction.
            trust_policy: trust_policy::normalize(
                &access_role_trust_policy(&management.account_id),
                "AssumeRolePolicyDocument",
                &member.account_id,
            )
            .unwrap_or_else(|_| access_role_trust_policy(&management.account_id)),
            max_session_duration: 3600,
            allow_console_login: false,
            create_date: date.clone(),
            update_date: date.clone(),
            tags: Default::default(),
            attachments: vec![Attachment {
                policy_name: ACCESS_ROLE_POLICY.to_owned(),
                policy_type: "System".to_owned(),
                attach_date: date.clone(),
                visible_after_ms: None,
            }],
            seq,
            visible_after_ms: None,
        };
        store
            .account_mut(&member.account_id)
            .roles
            .insert(ACCESS_ROLE_NAME.to_owned(), role);
    }
}

fn directory_id(management_account_id: &str) -> String {
    format!("rd-{management_account_id}")
}

fn account_body(account: &Account, management: &Account, joined: &str) -> Value {
    let is_management = account.resource_directory == Some(DirectoryRole::Management);
    let directory = directory_id(&management.account_id);
    let root_folder = format!("r-{}", management.account_id);
    json!({
        "AccountId": account.account_id,
        "DisplayName": account.name,
        "AccountName": format!("{}@{}.onaliyun.com", account.name, management.account_id),
        // The management account joined by enabling the directory, as an Alibaba Cloud account; members are
        // created in it, as resource accounts.
        "Type": if is_management { "CloudAccount" } else { "ResourceAccount" },
        "JoinMethod": if is_management { "invited" } else { "created" },
        "Status": "CreateSuccess",
        "FolderId": root_folder,
        "ResourceDirectoryId": directory,
        "ResourceDirectoryPath": format!("{directory}/{root_folder}/{}", account.account_id),
        "JoinTime": joined,
        "ModifyTime": joined,
        "Tags": {"Tag": []},
    })
}

/// `ListAccounts`: the directory's accounts, management first then members in the file's order, paged by
/// `PageNumber` (from 1) and `PageSize` (1 to 100, default 10). Only the management account may call it.
pub fn list_accounts(
    params: &Params,
    caller_account: &str,
    accounts: &[Account],
    now: DateTime<Utc>,
) -> Result<Value, ApiError> {
    let Some(management) = management(accounts) else {
        return Err(not_in_use());
    };
    let caller = accounts.iter().find(|a| a.account_id == caller_account);
    match caller.and_then(|a| a.resource_directory) {
        Some(DirectoryRole::Management) => {}
        Some(DirectoryRole::Member) => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                NO_PERMISSION,
                access_denied::message(
                    Arn::directory_accounts(caller_account).as_str(),
                    LIST_ACCOUNTS_ACTION,
                ),
            ));
        }
        None => return Err(not_in_use()),
    }
    let page_number = params.optional_int("PageNumber")?.unwrap_or(1);
    if page_number < 1 {
        return Err(ApiError::invalid(
            "PageNumber",
            "The parameter - \"PageNumber\" must be 1 or more.",
        ));
    }
    let page_size = params
        .optional_int("PageSize")?
        .unwrap_or(DEFAULT_PAGE_SIZE);
    if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
        return Err(ApiError::invalid(
            "PageSize",
            "The parameter - \"PageSize\" must be between 1 and 100.",
        ));
    }
    let joined = format_date(now);
    let listed: Vec<&Account> = std::iter::once(management)
        .chain(
            accounts
                .iter()
                .filter(|a| a.resource_directory == Some(DirectoryRole::Member)),
        )
        .collect();
    let start = usize::try_from((page_number - 1).saturating_mul(page_size)).unwrap_or(usize::MAX);
    let page: Vec<Value> = listed
        .iter()
        .skip(start)
        .take(usize::try_from(page_size).unwrap_or(0))
        .map(|a| account_body(a, management, &joined))
        .collect();
    Ok(json!({
        "TotalCount": listed.len(),
        "PageNumber": page_number,
        "PageSize": page_size,
        "Accounts": {"Account": page},
    }))
}

fn not_in_use() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "ResourceDirectoryNotInUse",
        "The specified account is not an Alibaba Cloud account or a member account of the resource directory.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::accounts::demo_accounts;

    fn directory() -> Vec<Account> {
        let mut accounts = demo_accounts();
        accounts[0].resource_directory = Some(DirectoryRole::Management);
        accounts[1].resource_directory = Some(DirectoryRole::Member);
        accounts[2].resource_directory = Some(DirectoryRole::Member);
        accounts
    }

    fn params(pairs: &[(&str, &str)]) -> Params {
        let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        Params::from_query_and_form(Some(&query.join("&")), &[])
    }

    #[test]
    fn members_get_the_access_role_trusting_the_management_account_once() {
        let accounts = directory();
        let mut store = Store::default();
        seed_access_roles(&mut store, &accounts, Utc::now());
        assert!(
            store
                .role(&accounts[0].account_id, ACCESS_ROLE_NAME)
                .is_none()
        );
        let role = store
            .role(&accounts[1].account_id, ACCESS_ROLE_NAME)
            .unwrap();
        assert!(
            role.trust_policy
                .contains(&format!("acs:ram::{}:root", accounts[0].account_id))
        );
        assert_eq!(role.attachments[0].policy_name, "AdministratorAccess");
        // What a state file holding it must pass when loaded.
        crate::emulator::ram::check_stored_role(&accounts[1].account_id, ACCESS_ROLE_NAME, role)
            .unwrap();
        let before = store.clone();
        seed_access_roles(&mut store, &accounts, Utc::now());
        assert_eq!(store, before);
    }

    #[test]
    fn the_management_account_lists_every_account_in_pages() {
        let accounts = directory();
        let management = accounts[0].account_id.clone();
        let page = |n: &str| {
            list_accounts(
                &params(&[("PageNumber", n), ("PageSize", "2")]),
                &management,
                &accounts,
                Utc::now(),
            )
            .unwrap()
        };
        let first = page("1");
        assert_eq!(first["TotalCount"], 3);
        let ids: Vec<&str> = first["Accounts"]["Account"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["AccountId"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            [
                accounts[0].account_id.as_str(),
                accounts[1].account_id.as_str()
            ]
        );
        let second = page("2");
        assert_eq!(
            second["Accounts"]["Account"][0]["AccountId"],
            accounts[2].account_id.as_str()
        );
        assert_eq!(second["Accounts"]["Account"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn members_and_outsiders_are_refused() {
        let accounts = directory();
        let member = list_accounts(&params(&[]), &accounts[1].account_id, &accounts, Utc::now())
            .unwrap_err();
        assert_eq!(member.code, "NoPermission");
        assert!(member.message.contains("resourcemanager:ListAccounts"));
        let outside = list_accounts(&params(&[]), "1", &demo_accounts(), Utc::now()).unwrap_err();
        assert_eq!(outside.code, "ResourceDirectoryNotInUse");
    }
}
