//! OIDC identity providers of IMS (API version 2019-08-15, served on the same endpoint as RAM and STS):
//! `CreateOIDCProvider`, `GetOIDCProvider`, `ListOIDCProviders`, `DeleteOIDCProvider`. A provider registers an
//! issuer whose ID tokens STS `AssumeRoleWithOIDC` exchanges for a role session (see [`super::sts_oidc`]); a
//! role trusts it through the Federated principal `acs:ram::<uid>:oidc-provider/<name>`.
//!
//! Parameter rules as IMS documents them (reference §5 and the API's own parameter descriptions): the name 1 to
//! 128 letters, digits, `.`, `-`, `_`, not starting or ending with the special characters; the issuer URL `https`,
//! at most 255 characters, without a query, fragment or user info, unique in the account; at most 50 client IDs
//! of at most 128 characters, at most 5 fingerprints, a description of at most 256 characters,
//! `IssuanceLimitTime` 1 to 168 hours; at most 100 providers per account. One difference, so tests and users can
//! try OIDC with no network: an `http` issuer is accepted when its host is a loopback address (the emulator's own
//! test issuer, `http://127.0.0.1:<port>/_emulator/oidc`, is one). Error codes the references do not give are
//! modelled on RAM's (`InvalidParameter.<Param>.<Rule>`, `EntityAlreadyExists.*`, `EntityNotExist.*`).

use super::error::ApiError;
use super::params::Params;
use super::ram::{RamCall, RamHandler, encode_page_token, page_token};
use super::store::{AccountRoles, Store, format_date};
use axum::http::StatusCode;
use reqwest::Url;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::net::IpAddr;

/// Providers one account may hold.
pub const MAX_PROVIDERS: usize = 100;
const MAX_NAME_CHARS: usize = 128;
const MAX_ISSUER_URL_CHARS: usize = 255;
const MAX_DESCRIPTION_CHARS: usize = 256;
const MAX_CLIENT_IDS: usize = 50;
const MAX_CLIENT_ID_CHARS: usize = 128;
const MAX_FINGERPRINTS: usize = 5;
const MAX_FINGERPRINT_CHARS: usize = 128;
const ISSUANCE_LIMIT_HOURS: std::ops::RangeInclusive<i64> = 1..=168;
/// `IssuanceLimitTime` when none is given (the console's default).
pub const DEFAULT_ISSUANCE_LIMIT_HOURS: i64 = 12;
/// `MaxItems` of `ListOIDCProviders`: 1 to 100, 100 when left out.
const MAX_LIST_ITEMS: i64 = 100;

/// One OIDC identity provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OidcProvider {
    /// `OIDCProviderName`.
    pub name: String,
    /// `IssuerUrl`: the `iss` of the tokens it accepts, and where their keys are discovered.
    pub issuer_url: String,
    /// `ClientIds`: a token's `aud` must name one.
    #[serde(default)]
    pub client_ids: Vec<String>,
    /// `Fingerprints` of the issuer's HTTPS CA certificate (recorded; see `docs/emulator.md`).
    #[serde(default)]
    pub fingerprints: Vec<String>,
    /// `Description`, possibly empty.
    #[serde(default)]
    pub description: String,
    /// `IssuanceLimitTime`: how many hours after its `iat` a token is still accepted.
    pub issuance_limit_hours: i64,
    /// `CreateDate`, formatted.
    pub create_date: String,
    /// `UpdateDate`, formatted.
    pub update_date: String,
}

impl OidcProvider {
    /// `acs:ram::<uid>:oidc-provider/<name>`.
    pub fn arn(&self, owner: &str) -> String {
        provider_arn(owner, &self.name)
    }
}

/// `acs:ram::<uid>:oidc-provider/<name>`.
pub fn provider_arn(owner: &str, name: &str) -> String {
    format!("acs:ram::{owner}:oidc-provider/{name}")
}

/// Splits `acs:ram::<uid>:oidc-provider/<name>` into the UID and the provider name.
pub fn parse_provider_arn(arn: &str) -> Option<(&str, &str)> {
    let (uid, name) = arn
        .strip_prefix("acs:ram::")?
        .split_once(":oidc-provider/")?;
    let valid = !uid.is_empty() && uid.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty();
    valid.then_some((uid, name))
}

/// The IMS actions, dispatched for `Version=2019-08-15`.
pub const OIDC_PROVIDER_ACTIONS: &[(&str, RamHandler)] = &[
    ("CreateOIDCProvider", RamHandler::Write(create_provider)),
    ("GetOIDCProvider", RamHandler::Read(get_provider)),
    ("ListOIDCProviders", RamHandler::Read(list_providers)),
    ("DeleteOIDCProvider", RamHandler::Write(delete_provider)),
];

/// The handler of IMS action `name`.
pub fn find_action(name: &str) -> Option<RamHandler> {
    OIDC_PROVIDER_ACTIONS
        .iter()
        .find(|(action, _)| *action == name)
        .map(|(_, handler)| *handler)
}

// ---- parameter rules -------------------------------------------------------------------------------------

fn check_name(name: &str) -> Result<(), ApiError> {
    const PARAM: &str = "OIDCProviderName";
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::invalid(
            &format!("{PARAM}.Length"),
            format!("The parameter - \"{PARAM}\" is beyond the length limit {MAX_NAME_CHARS}."),
        ));
    }
    let special = |c: char| matches!(c, '.' | '-' | '_');
    let chars_ok = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || special(c));
    let ends_ok = !name.starts_with(special) && !name.ends_with(special);
    if !chars_ok || !ends_ok {
        return Err(ApiError::invalid(
            &format!("{PARAM}.InvalidChars"),
            format!(
                "The parameter - \"{PARAM}\" {name:?} is invalid: use letters, digits, '.', '-' and '_', and do not \
                 start or end with '.', '-' or '_'."
            ),
        ));
    }
    Ok(())
}

fn name_param(params: &Params) -> Result<&str, ApiError> {
    let name = params.required("OIDCProviderName")?;
    check_name(name)?;
    Ok(name)
}

/// Whether `url` may be fetched for an issuer's keys: `https`, or `http` to a loopback host (the emulator's
/// difference from IMS, for issuers on this machine). Shared by `CreateOIDCProvider` and the key discovery.
pub fn is_allowed_issuer_url(url: &Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => {
            // An IPv6 host comes bracketed (`[::1]`).
            let host = url.host_str().unwrap_or_default();
            let host = host.trim_start_matches('[').trim_end_matches(']');
            host.eq_ignore_ascii_case("localhost")
                || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
        _ => false,
    }
}

fn check_issuer_url(value: &str) -> Result<(), ApiError> {
    const PARAM: &str = "IssuerUrl";
    if value.chars().count() > MAX_ISSUER_URL_CHARS {
        return Err(ApiError::invalid(
            &format!("{PARAM}.Length"),
            format!(
                "The parameter - \"{PARAM}\" is beyond the length limit {MAX_ISSUER_URL_CHARS}."
            ),
        ));
    }
    let refuse = |why: &str| {
        ApiError::invalid(
            &format!("{PARAM}.Format"),
            format!(
                "The parameter - \"{PARAM}\" {value:?} is invalid: {why}. It must be an https URL (http only for a \
                 loopback host on the emulator) without a query ('?'), a fragment ('#') or user info ('@')."
            ),
        )
    };
    if value.contains(['?', '#', '@']) {
        return Err(refuse("it contains '?', '#' or '@'"));
    }
    let url = Url::parse(value).map_err(|e| refuse(&format!("it is not a URL ({e})")))?;
    if !is_allowed_issuer_url(&url) {
        return Err(refuse(&format!(
            "its scheme is {:?} with host {:?}",
            url.scheme(),
            url.host_str().unwrap_or_default()
        )));
    }
    Ok(())
}

/// A comma-separated list parameter; empty items are dropped, as a trailing comma is.
fn list_param(params: &Params, name: &str) -> Vec<String> {
    params
        .optional(name)
        .map(|value| {
            value
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn check_client_ids(ids: &[String]) -> Result<(), ApiError> {
    const PARAM: &str = "ClientIds";
    if ids.len() > MAX_CLIENT_IDS {
        return Err(ApiError::invalid(
            &format!("{PARAM}.Count"),
            format!(
                "The parameter - \"{PARAM}\" names {} client IDs; at most {MAX_CLIENT_IDS} are accepted.",
                ids.len()
            ),
        ));
    }
    let special = |c: char| matches!(c, '.' | '-' | '_' | ':' | '/');
    for id in ids {
        let valid = id.chars().count() <= MAX_CLIENT_ID_CHARS
            && id.chars().all(|c| c.is_ascii_alphanumeric() || special(c))
            && !id.starts_with(special);
        if !valid {
            return Err(ApiError::invalid(
                &format!("{PARAM}.Format"),
                format!(
                    "The client ID {id:?} is invalid: at most {MAX_CLIENT_ID_CHARS} letters, digits, '.', '-', '_', \
                     ':' and '/', not starting with a special character."
                ),
            ));
        }
    }
    Ok(())
}

fn check_fingerprints(fingerprints: &[String]) -> Result<(), ApiError> {
    const PARAM: &str = "Fingerprints";
    if fingerprints.len() > MAX_FINGERPRINTS {
        return Err(ApiError::invalid(
            &format!("{PARAM}.Count"),
            format!(
                "The parameter - \"{PARAM}\" names {} fingerprints; at most {MAX_FINGERPRINTS} are accepted.",
                fingerprints.len()
            ),
        ));
    }
    if let Some(bad) = fingerprints.iter().find(|f| {
        f.chars().count() > MAX_FINGERPRINT_CHARS || !f.chars().all(|c| c.is_ascii_alphanumeric())
    }) {
        return Err(ApiError::invalid(
            &format!("{PARAM}.Format"),
            format!(
                "The fingerprint {bad:?} is invalid: at most {MAX_FINGERPRINT_CHARS} letters and digits (the SHA-1 \
                 of the issuer's CA certificate in hex, without colons)."
            ),
        ));
    }
    Ok(())
}

fn check_description(description: &str) -> Result<(), ApiError> {
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(ApiError::invalid(
            "Description.Length",
            format!(
                "The parameter - \"Description\" is beyond the length limit {MAX_DESCRIPTION_CHARS}."
            ),
        ));
    }
    Ok(())
}

fn check_issuance_limit(hours: i64) -> Result<(), ApiError> {
    if !ISSUANCE_LIMIT_HOURS.contains(&hours) {
        return Err(ApiError::invalid(
            "IssuanceLimitTime",
            format!(
                "The parameter - \"IssuanceLimitTime\" is {hours}; it must be {} to {} hours.",
                ISSUANCE_LIMIT_HOURS.start(),
                ISSUANCE_LIMIT_HOURS.end()
            ),
        ));
    }
    Ok(())
}

fn not_found(name: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "EntityNotExist.OIDCProvider",
        format!("The OIDC provider does not exist: {name}."),
    )
}

/// The provider `name` of `account`, or `EntityNotExist.OIDCProvider`.
pub fn provider<'a>(
    account: Option<&'a AccountRoles>,
    name: &str,
) -> Result<&'a OidcProvider, ApiError> {
    account
        .and_then(|a| a.oidc_providers.get(name))
        .ok_or_else(|| not_found(name))
}

fn provider_body(owner: &str, provider: &OidcProvider) -> Value {
    let millis = |date: &str| {
        chrono::NaiveDateTime::parse_from_str(date, super::store::DATE_FORMAT)
            .map(|d| d.and_utc().timestamp_millis())
            .unwrap_or_default()
    };
    json!({
        "Arn": provider.arn(owner),
        "OIDCProviderName": provider.name,
        "IssuerUrl": provider.issuer_url,
        "ClientIds": provider.client_ids.join(","),
        "Fingerprints": provider.fingerprints.join(","),
        "Description": provider.description,
        "IssuanceLimitTime": provider.issuance_limit_hours,
        "CreateDate": provider.create_date,
        "UpdateDate": provider.update_date,
        "GmtCreate": millis(&provider.create_date),
        "GmtModified": millis(&provider.update_date),
    })
}

// ---- actions ---------------------------------------------------------------------------------------------

fn create_provider(call: &RamCall<'_>, store: &mut Store) -> Result<Value, ApiError> {
    let params = call.params;
    let name = name_param(params)?;
    let issuer_url = params.required("IssuerUrl")?;
    check_issuer_url(issuer_url)?;
    let client_ids = list_param(params, "ClientIds");
    check_client_ids(&client_ids)?;
    let fingerprints = list_param(params, "Fingerprints");
    check_fingerprints(&fingerprints)?;
    let description = params.optional("Description").unwrap_or_default();
    check_description(description)?;
    let issuance_limit_hours = params
        .optional_int("IssuanceLimitTime")?
        .unwrap_or(DEFAULT_ISSUANCE_LIMIT_HOURS);
    check_issuance_limit(issuance_limit_hours)?;

    let account = store.account_mut(call.account_id);
    if account.oidc_providers.contains_key(name) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "EntityAlreadyExists.OIDCProvider",
            format!("The OIDC provider {name} already exists."),
        ));
    }
    if let Some(other) = account
        .oidc_providers
        .values()
        .find(|p| p.issuer_url == issuer_url)
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "EntityAlreadyExists.OIDCProvider.IssuerUrl",
            format!(
                "The issuer URL {issuer_url} is already registered by the OIDC provider {}: an issuer URL must be \
                 unique within an account.",
                other.name
            ),
        ));
    }
    if account.oidc_providers.len() >= MAX_PROVIDERS {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "LimitExceeded.OIDCProvider",
            format!("An account may hold at most {MAX_PROVIDERS} OIDC providers."),
        ));
    }
    let now = format_date(call.now);
    let provider = OidcProvider {
        name: name.to_owned(),
        issuer_url: issuer_url.to_owned(),
        client_ids,
        fingerprints,
        description: description.to_owned(),
        issuance_limit_hours,
        create_date: now.clone(),
        update_date: now,
    };
    let body = json!({ "OIDCProvider": provider_body(call.account_id, &provider) });
    account.oidc_providers.insert(name.to_owned(), provider);
    Ok(body)
}

fn get_provider(call: &RamCall<'_>, store: &Store) -> Result<Value, ApiError> {
    let name = name_param(call.params)?;
    let provider = provider(store.account(call.account_id), name)?;
    Ok(json!({ "OIDCProvider": provider_body(call.account_id, provider) }))
}

fn list_providers(call: &RamCall<'_>, store: &Store) -> Result<Value, ApiError> {
    let params = call.params;
    let max_items = params.optional_int("MaxItems")?.unwrap_or(MAX_LIST_ITEMS);
    if !(1..=MAX_LIST_ITEMS).contains(&max_items) {
        return Err(ApiError::invalid(
            "MaxItems",
            format!("The parameter - \"MaxItems\" must be between 1 and {MAX_LIST_ITEMS}."),
        ));
    }
    let start =
        usize::try_from(page_token(params.optional("Marker"), "Marker")?).unwrap_or(usize::MAX);
    let providers: Vec<&OidcProvider> = store
        .account(call.account_id)
        .map(|a| a.oidc_providers.values().collect())
        .unwrap_or_default();
    let end = providers
        .len()
        .min(start.saturating_add(usize::try_from(max_items).unwrap_or(usize::MAX)));
    let page: Vec<Value> = providers
        .get(start..end)
        .unwrap_or_default()
        .iter()
        .map(|p| provider_body(call.account_id, p))
        .collect();
    let truncated = end < providers.len();
    let mut body = json!({ "IsTruncated": truncated, "OIDCProviders": { "OIDCProvider": page } });
    if truncated {
        body["Marker"] = Value::String(encode_page_token(end as u64));
    }
    Ok(body)
}

fn delete_provider(call: &RamCall<'_>, store: &mut Store) -> Result<Value, ApiError> {
    let name = name_param(call.params)?;
    provider(store.account(call.account_id), name)?;
    store
        .account_mut(call.account_id)
        .oidc_providers
        .remove(name);
    Ok(json!({}))
}

/// Checks a provider stored under `key` with the rules `CreateOIDCProvider` applies, so a hand-edited state file
/// cannot hold what the API would never have stored.
pub fn check_stored_provider(key: &str, provider: &OidcProvider) -> Result<(), ApiError> {
    if provider.name != key {
        return Err(ApiError::invalid(
            "OIDCProviderName",
            format!("stored under {key:?} but named {:?}", provider.name),
        ));
    }
    check_name(&provider.name)?;
    check_issuer_url(&provider.issuer_url)?;
    check_client_ids(&provider.client_ids)?;
    check_fingerprints(&provider.fingerprints)?;
    check_description(&provider.description)?;
    check_issuance_limit(provider.issuance_limit_hours)?;
    super::ram::check_date("CreateDate", &provider.create_date)?;
    super::ram::check_date("UpdateDate", &provider.update_date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_round_trip() {
        let arn = provider_arn("1111000011110001", "GitHub");
        assert_eq!(arn, "acs:ram::1111000011110001:oidc-provider/GitHub");
        assert_eq!(
            parse_provider_arn(&arn),
            Some(("1111000011110001", "GitHub"))
        );
        for bad in [
            "provider-arn",
            "acs:ram::x1:oidc-provider/a",
            "acs:ram::1:role/a",
            "acs:ram::1:oidc-provider/",
        ] {
            assert_eq!(parse_provider_arn(bad), None, "{bad}");
        }
    }

    #[test]
    fn issuer_urls_are_https_or_loopback_http() {
        for good in [
            "https://token.actions.githubusercontent.com",
            "https://oidc.example.com/realms/ci",
            "http://127.0.0.1:8080/_emulator/oidc",
            "http://localhost:9000",
            "http://[::1]:9000/x",
        ] {
            assert!(check_issuer_url(good).is_ok(), "{good}");
        }
        for bad in [
            "http://issuer.example.com",
            "http://10.0.0.1/oidc",
            "ftp://127.0.0.1/x",
            "https://issuer.example.com/?a=b",
            "https://issuer.example.com/#x",
            "https://user@issuer.example.com",
            "not a url",
        ] {
            let err = check_issuer_url(bad).unwrap_err();
            assert_eq!(err.code, "InvalidParameter.IssuerUrl.Format", "{bad}");
            assert!(err.message.contains(bad), "{}", err.message);
        }
    }

    #[test]
    fn names_client_ids_and_fingerprints_follow_ims_rules() {
        assert!(check_name("GitHub_Actions-1.0").is_ok());
        for bad in ["-lead", "trail.", "sp ace", "ü"] {
            assert_eq!(
                check_name(bad).unwrap_err().code,
                "InvalidParameter.OIDCProviderName.InvalidChars"
            );
        }
        assert_eq!(
            check_name(&"a".repeat(129)).unwrap_err().code,
            "InvalidParameter.OIDCProviderName.Length"
        );
        assert!(check_client_ids(&["sts.aliyuncs.com".into(), "api://x/y:z".into()]).is_ok());
        assert!(check_client_ids(&[":x".into()]).is_err());
        let many: Vec<String> = (0..51).map(|i| format!("c{i}")).collect();
        assert_eq!(
            check_client_ids(&many).unwrap_err().code,
            "InvalidParameter.ClientIds.Count"
        );
        assert!(check_fingerprints(&["902ef2deeb3c5b13ea4c3d5193629309e231ae55".into()]).is_ok());
        assert!(check_fingerprints(&["90:2e".into()]).is_err());
        let six: Vec<String> = (0..6).map(|i| format!("f{i}")).collect();
        assert!(check_fingerprints(&six).is_err());
        assert!(check_issuance_limit(0).is_err());
        assert!(check_issuance_limit(169).is_err());
        assert!(check_issuance_limit(168).is_ok());
    }
}
