//! Profiles of the aliyun CLI configuration file (`~/.aliyun/config.json`), in the modes that can be used
//! without an interactive login: `AK`, `StsToken`, `RamRoleArn`, `ChainableRamRoleArn` (on its `source_profile`),
//! `EcsRamRole`, `CredentialsURI`, `External` (a command printing the credentials) and `OIDC` (a token file
//! exchanged for a role session).

use super::oidc::{OidcSettings, OidcToken};
use super::{Credentials, CredentialsError};
use crate::provider::alicloud::secret::Secret;
use crate::provider::alicloud::sts::AssumeRoleRequest;
use serde::Deserialize;
use std::path::Path;

/// The file's top level.
#[derive(Debug, Deserialize)]
struct ConfigFile {
    #[serde(default)]
    current: Option<String>,
    #[serde(default)]
    profiles: Vec<Profile>,
}

/// One profile; only the keys this provider reads (aliyun-cli `config/profile.go` JSON names).
#[derive(Debug, Deserialize)]
struct Profile {
    name: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    access_key_id: Option<String>,
    #[serde(default)]
    access_key_secret: Option<Secret>,
    #[serde(default)]
    sts_token: Option<Secret>,
    #[serde(default)]
    ram_role_arn: Option<String>,
    #[serde(default)]
    ram_session_name: Option<String>,
    #[serde(default)]
    expired_seconds: Option<u32>,
    #[serde(default)]
    external_id: Option<String>,
    #[serde(default)]
    ram_role_name: Option<String>,
    #[serde(default)]
    credentials_uri: Option<String>,
    #[serde(default)]
    source_profile: Option<String>,
    #[serde(default)]
    process_command: Option<String>,
    #[serde(default)]
    oidc_provider_arn: Option<String>,
    #[serde(default)]
    oidc_token_file: Option<String>,
}

/// What a profile resolves to.
#[derive(Debug)]
pub(super) enum ProfileCredentials {
    /// `AK` and `StsToken`: credentials as written.
    Static(Credentials),
    /// `RamRoleArn`: assume a role with the profile's AccessKey.
    AssumeRole(Credentials, AssumeRoleRequest),
    /// `EcsRamRole`: the instance's RAM role.
    EcsRamRole(String),
    /// `CredentialsURI`: a local endpoint serving STS credentials.
    Uri(String),
    /// `External`: the credentials a command prints.
    External(String),
    /// `ChainableRamRoleArn`: assume a role with the credentials of the `source_profile`.
    Chained(Box<ProfileCredentials>, AssumeRoleRequest),
    /// `OIDC`: exchange the token of a file for a role session.
    Oidc(OidcSettings),
}

/// A profile selected from a file: its name, mode and credentials.
#[derive(Debug)]
pub(super) struct SelectedProfile {
    pub name: String,
    pub mode: String,
    pub credentials: ProfileCredentials,
}

/// Reads `path` and selects `name`, or the file's `current` profile when `name` is `None`. Returns `None`
/// when no name is given and the file has no current profile.
pub(super) async fn load(
    path: &Path,
    name: Option<&str>,
) -> Result<Option<SelectedProfile>, CredentialsError> {
    let error = |reason: String| CredentialsError::Profile {
        path: path.display().to_string(),
        reason,
    };
    let text = tokio::fs::read_to_string(path)
        .await
        .map_err(|e| error(e.to_string()))?;
    let file: ConfigFile =
        serde_json::from_str(&text).map_err(|e| error(format!("not valid JSON: {e}")))?;
    let Some(name) = name
        .map(str::to_owned)
        .or(file.current.filter(|c| !c.is_empty()))
    else {
        return Ok(None);
    };
    let (mode, credentials) = credentials_of(&file.profiles, &name, &error, &mut Vec::new())?;
    Ok(Some(SelectedProfile {
        name,
        mode,
        credentials,
    }))
}

/// The mode and credentials of profile `name`, following `source_profile` links (`seen` holds the profiles
/// already on the way, to refuse a cycle).
fn credentials_of(
    profiles: &[Profile],
    name: &str,
    error: &dyn Fn(String) -> CredentialsError,
    seen: &mut Vec<String>,
) -> Result<(String, ProfileCredentials), CredentialsError> {
    let profile = profiles
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| error(format!("no profile named {name:?}")))?;
    seen.push(name.to_owned());
    let mode = profile.mode.clone();
    let missing = |key: &str| error(format!("profile {name:?} (mode {mode}) has no {key}"));
    let access_key =
        |profile: &Profile, token: Option<Secret>| -> Result<Credentials, CredentialsError> {
            Ok(Credentials {
                access_key_id: profile
                    .access_key_id
                    .clone()
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| missing("access_key_id"))?,
                access_key_secret: profile
                    .access_key_secret
                    .clone()
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| missing("access_key_secret"))?,
                security_token: token,
                expiration: None,
            })
        };
    // RamRoleArn and ChainableRamRoleArn assume the role the same way.
    let role_request = || -> Result<AssumeRoleRequest, CredentialsError> {
        Ok(AssumeRoleRequest {
            role_arn: profile
                .ram_role_arn
                .clone()
                .filter(|v| !v.is_empty())
                .ok_or_else(|| missing("ram_role_arn"))?,
            role_session_name: profile
                .ram_session_name
                .clone()
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| super::DEFAULT_SESSION_NAME.to_owned()),
            duration_seconds: profile.expired_seconds.filter(|s| *s > 0),
            policy: None,
            external_id: profile.external_id.clone().filter(|v| !v.is_empty()),
        })
    };
    // Mode names are case-insensitive, as in the CLI.
    let credentials = match profile.mode.to_ascii_lowercase().as_str() {
        "ak" => ProfileCredentials::Static(access_key(profile, None)?),
        "ststoken" => {
            let token = profile
                .sts_token
                .clone()
                .filter(|t| !t.is_empty())
                .ok_or_else(|| missing("sts_token"))?;
            ProfileCredentials::Static(access_key(profile, Some(token))?)
        }
        "ramrolearn" => ProfileCredentials::AssumeRole(access_key(profile, None)?, role_request()?),
        "chainableramrolearn" => {
            let source = profile
                .source_profile
                .clone()
                .filter(|v| !v.is_empty())
                .ok_or_else(|| missing("source_profile"))?;
            if seen.contains(&source) {
                return Err(error(format!(
                    "source_profile links form a cycle: {} -> {source}",
                    seen.join(" -> ")
                )));
            }
            let (_, base) = credentials_of(profiles, &source, error, seen)?;
            ProfileCredentials::Chained(Box::new(base), role_request()?)
        }
        "ecsramrole" => ProfileCredentials::EcsRamRole(
            profile
                .ram_role_name
                .clone()
                .filter(|v| !v.is_empty())
                .ok_or_else(|| missing("ram_role_name"))?,
        ),
        "external" => ProfileCredentials::External(
            profile
                .process_command
                .clone()
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| missing("process_command"))?,
        ),
        "credentialsuri" => ProfileCredentials::Uri(
            profile
                .credentials_uri
                .clone()
                .filter(|v| !v.is_empty())
                .ok_or_else(|| missing("credentials_uri"))?,
        ),
        "oidc" => {
            let role = role_request()?;
            ProfileCredentials::Oidc(OidcSettings {
                oidc_provider_arn: profile
                    .oidc_provider_arn
                    .clone()
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| missing("oidc_provider_arn"))?,
                token: OidcToken::File {
                    path: profile
                        .oidc_token_file
                        .clone()
                        .filter(|v| !v.is_empty())
                        .ok_or_else(|| missing("oidc_token_file"))?
                        .into(),
                    named_by: format!("oidc_token_file of profile {name:?}"),
                },
                role_arn: role.role_arn,
                role_session_name: role.role_session_name,
                // The CLI asks for STS's default session of 3600 s.
                duration_seconds: None,
                policy: None,
            })
        }
        _ => {
            return Err(error(format!(
                "profile {name:?} has mode {mode:?}; supported modes are AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole, CredentialsURI, External and OIDC"
            )));
        }
    };
    Ok((mode, credentials))
}
