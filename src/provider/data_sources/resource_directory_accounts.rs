//! `aliram_resource_directory_accounts`: the accounts of the resource directory this provider instance's account
//! manages (Resource Directory `ListAccounts`), so one configuration can `for_each` over the members and manage
//! roles in each through `account_id`.

use crate::framework::context::Context;
use crate::framework::data_source::{DataSource, ReadDataRequest, ReadDataResponse};
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::types::Type;
use crate::framework::value::Value;
use crate::provider::alicloud::resource_directory::DirectoryAccount;
use crate::provider::client::{ProviderClient, api_diagnostic};
use async_trait::async_trait;

/// The `aliram_resource_directory_accounts` data source.
#[derive(Debug)]
pub struct ResourceDirectoryAccountsDataSource;

const FIELDS: [(&str, &str); 8] = [
    ("account_id", "UID of the account."),
    ("display_name", "Display name of the account."),
    (
        "type",
        "`CloudAccount` (an Alibaba Cloud account that joined by invitation) or `ResourceAccount` (created in the directory).",
    ),
    (
        "status",
        "Status of the account in the directory, such as `CreateSuccess` or `InviteSuccess`.",
    ),
    ("folder_id", "ID of the folder the account is in."),
    ("join_method", "`invited` or `created`."),
    ("resource_directory_id", "ID of the resource directory."),
    ("join_time", "When the account joined the directory (UTC)."),
];

fn account_value(account: &DirectoryAccount) -> Value {
    let values = [
        Some(account.account_id.clone()),
        account.display_name.clone(),
        account.account_type.clone(),
        account.status.clone(),
        account.folder_id.clone(),
        account.join_method.clone(),
        account.resource_directory_id.clone(),
        account.join_time.clone(),
    ];
    Value::object(
        FIELDS
            .iter()
            .zip(values)
            .map(|((name, _), value)| (*name, Value::from(value))),
    )
}

#[async_trait]
impl DataSource<ProviderClient> for ResourceDirectoryAccountsDataSource {
    fn type_name(&self) -> &'static str {
        "aliram_resource_directory_accounts"
    }

    fn schema(&self) -> Schema {
        let fields: Vec<String> = FIELDS
            .iter()
            .map(|(name, text)| format!("`{name}` ({text})"))
            .collect();
        Schema::new(
            Block::new(
                "The accounts of the resource directory that this provider instance's account manages (Resource \
                 Directory `ListAccounts`, 50 per call), management account included. Only the management account \
                 (or a delegated administrator) may list them: its RAM identity needs \
                 `resourcemanager:ListAccounts`.",
            )
            .attribute(Attribute::string("id").computed().description(
                "ID of the resource directory (`resource_directory_id` of its accounts).",
            ))
            .attribute(
                Attribute::new(
                    "accounts",
                    Type::list(Type::object(
                        FIELDS.iter().map(|(name, _)| (*name, Type::String)),
                    )),
                )
                .computed()
                .description(&format!(
                    "The directory's accounts, in the order Resource Directory lists them: {}.",
                    fields.join(", ")
                )),
            ),
        )
    }

    async fn read(
        &self,
        _ctx: &Context,
        client: &ProviderClient,
        _req: ReadDataRequest,
        resp: &mut ReadDataResponse,
    ) {
        match client.api.list_accounts().await {
            Ok(accounts) => {
                let directory = accounts
                    .iter()
                    .find_map(|a| a.resource_directory_id.clone());
                resp.state = Value::object([
                    ("id", Value::from(directory)),
                    (
                        "accounts",
                        Value::List(accounts.iter().map(account_value).collect()),
                    ),
                ]);
            }
            Err(e) => resp.diagnostics.push(api_diagnostic(
                "listing the resource directory's accounts",
                &e,
            )),
        }
    }
}
