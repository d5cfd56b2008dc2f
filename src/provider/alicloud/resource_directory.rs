//! Resource Directory (`ResourceDirectoryMaster` 2022-04-19) `ListAccounts`, called as the alicloud provider's
//! `alicloud_resource_manager_accounts` calls it: 50 accounts per page, from page 1 until a page comes back
//! short.

use super::client::AliCloudClient;
use super::effect::Effect;
use super::error::ClientError;
use super::params::ActionParams;
use super::service::Service;
use serde::Deserialize;

/// `PageSize` when collecting every account, as the alicloud provider sends it.
pub const LIST_ACCOUNTS_PAGE_SIZE: u32 = 50;

/// One member of a resource directory.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DirectoryAccount {
    /// The account UID.
    pub account_id: String,
    /// The display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// `CloudAccount` (joined by invitation) or `ResourceAccount` (created in the directory).
    #[serde(default, rename = "Type")]
    pub account_type: Option<String>,
    /// e.g. `CreateSuccess`, `InviteSuccess`, `PromoteVerifying`.
    #[serde(default)]
    pub status: Option<String>,
    /// The folder the account is in.
    #[serde(default)]
    pub folder_id: Option<String>,
    /// `invited` or `created`.
    #[serde(default)]
    pub join_method: Option<String>,
    /// The directory's ID.
    #[serde(default)]
    pub resource_directory_id: Option<String>,
    /// When the account joined.
    #[serde(default)]
    pub join_time: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct AccountList {
    #[serde(rename = "Account", default)]
    account: Vec<DirectoryAccount>,
}

/// One `ListAccounts` page.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAccountsPage {
    /// The request ID.
    pub request_id: String,
    /// How many accounts the directory has.
    #[serde(default)]
    pub total_count: Option<u64>,
    #[serde(default)]
    accounts: AccountList,
}

impl ListAccountsPage {
    /// The page's accounts.
    pub fn accounts(&self) -> &[DirectoryAccount] {
        &self.accounts.account
    }
}

impl AliCloudClient {
    /// One `ListAccounts` page (pages start at 1).
    pub async fn list_accounts_page(
        &self,
        page_number: u32,
        page_size: u32,
    ) -> Result<ListAccountsPage, ClientError> {
        let params = ActionParams::new()
            .set("PageNumber", page_number)
            .set("PageSize", page_size);
        self.call(
            Service::ResourceDirectory,
            "ListAccounts",
            Effect::Read,
            params,
        )
        .await
    }

    /// Every account of the directory this client's account manages: pages of [`LIST_ACCOUNTS_PAGE_SIZE`] until
    /// one comes back short.
    pub async fn list_accounts(&self) -> Result<Vec<DirectoryAccount>, ClientError> {
        let mut accounts = Vec::new();
        for page_number in 1.. {
            let page = self
                .list_accounts_page(page_number, LIST_ACCOUNTS_PAGE_SIZE)
                .await?;
            let count = page.accounts.account.len();
            accounts.extend(page.accounts.account);
            if count < LIST_ACCOUNTS_PAGE_SIZE as usize {
                break;
            }
        }
        Ok(accounts)
    }
}
