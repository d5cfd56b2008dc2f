//! The filters a role listing takes in configuration (`account_id`, `name_regex`, `trusted_account_id`,
//! `service`), shared by the `aliram_roles` data source and the list resources: their schema, checks and the
//! query they make.

use crate::framework::diagnostics::Diagnostic;
use crate::framework::path::AttributePath;
use crate::framework::schema::Attribute;
use crate::framework::value::Value;
use crate::provider::client::{AccountClient, ProviderClient};
use crate::provider::domain::cross_account_service::CrossAccountService;
use crate::provider::role_inventory::RoleQuery;
use crate::ram::account::AccountId;
use regex::Regex;

fn parse_regex(pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|e| {
        format!("name_regex {pattern:?} is not a valid regular expression (RE2 syntax, as in alicloud_ram_roles): {e}")
    })
}

fn parse_service(name: &str) -> Result<CrossAccountService, String> {
    CrossAccountService::from_filter_name(name).ok_or_else(|| {
        let accepted: Vec<String> = CrossAccountService::ALL
            .iter()
            .map(|s| format!("{:?}", s.filter_name()))
            .collect();
        format!(
            "service {name:?} is not a cross-account service: expected one of {}.",
            accepted.join(", ")
        )
    })
}

fn parse_account(value: &str) -> Result<AccountId, String> {
    AccountId::parse(value).map_err(|e| format!("trusted_account_id: {e}."))
}

/// The filter attributes, each optional; `service` only where the listing is not already for one service.
pub fn filter_attributes(with_service: bool) -> Vec<Attribute> {
    let mut attributes = vec![
        Attribute::string(ACCOUNT_ID)
            .optional()
            .description("UID of the account whose roles to list. Defaults to the provider instance's own account; another account is reached through its role `account_role_name` (set on the provider), assumed with the provider's credentials.")
            .validate(|v| AccountId::parse(v.as_str().unwrap_or_default()).map(drop).map_err(|e| format!("account_id: {e}."))),
        Attribute::string("name_regex")
            .optional()
            .description("Only roles whose name matches this regular expression (RE2 syntax; anchor it with `^...$` to match the whole name), as `name_regex` of `alicloud_ram_roles`.")
            .validate(|v| parse_regex(v.as_str().unwrap_or_default()).map(drop)),
        Attribute::string("trusted_account_id")
            .optional()
            .description("Only roles whose trust policy admits this account (UID, all digits) in any way: a RAM principal of the account (`acs:ram::<uid>:...`) or a service acting for it (`<uid>@<service>`).")
            .validate(|v| parse_account(v.as_str().unwrap_or_default()).map(drop)),
    ];
    if with_service {
        attributes.push(
            Attribute::string("service")
                .optional()
                .description("Only the cross-account roles of one service: `dts` (trust policy exactly `acs:ram::<T>:root` and `<T>@dts.aliyuncs.com` for one account T, and `AliyunDTSRolePolicy` attached) or `dataworks` (trust policy exactly `<T>@cdp.aliyuncs.com`).")
                .validate(|v| parse_service(v.as_str().unwrap_or_default()).map(drop)),
        );
    }
    attributes
}

/// The attribute naming the account to list.
pub const ACCOUNT_ID: &str = "account_id";

/// The account a listing's configuration names (`None`: the provider instance's own).
pub fn account_of(config: &Value) -> Option<&str> {
    config.attr(ACCOUNT_ID).as_str()
}

/// The client of the account a listing names, or the diagnostic, at `account_id`, saying it cannot be reached.
pub async fn listing_client<'a>(
    client: &'a ProviderClient,
    config: &Value,
) -> Result<AccountClient<'a>, Diagnostic> {
    let Some(account) = account_of(config) else {
        return Ok(AccountClient::Own(client));
    };
    client.in_account(account).await.map_err(|e| {
        Diagnostic::error(
            "Account Not Reachable",
            format!("account_id {account}: {e}. Nothing was listed."),
        )
        .at(AttributePath::root(ACCOUNT_ID))
    })
}

/// The query a configuration asks for (a null configuration asks for every role). Values were validated; a
/// failure here still names the attribute.
pub fn from_config(config: &Value) -> Result<RoleQuery, Diagnostic> {
    let invalid = |attribute: &str, detail: String| {
        Diagnostic::error("Invalid Attribute Value", detail).at(AttributePath::root(attribute))
    };
    let name_regex = config
        .attr("name_regex")
        .as_str()
        .map(parse_regex)
        .transpose()
        .map_err(|e| invalid("name_regex", e))?;
    let trusted_account = config
        .attr("trusted_account_id")
        .as_str()
        .map(parse_account)
        .transpose()
        .map_err(|e| invalid("trusted_account_id", e))?;
    let service = config
        .attr("service")
        .as_str()
        .map(parse_service)
        .transpose()
        .map_err(|e| invalid("service", e))?;
    Ok(RoleQuery {
        name_regex,
        trusted_account,
        service,
        details: false,
    })
}
