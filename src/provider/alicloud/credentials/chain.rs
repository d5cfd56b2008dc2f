//! The credential chain, in the order users of the alicloud provider expect: provider arguments, the
//! environment, an aliyun CLI profile, a credentials URI, the ECS instance role; then an optional `assume_role`
//! on top.

use super::assume_role::{AssumeRoleCredentials, DEFAULT_SESSION_EXPIRATION, DEFAULT_SESSION_NAME};
use super::credentials_uri::UriCredentials;
use super::ecs_metadata::{DEFAULT_ECS_METADATA_URL, EcsMetadataCredentials};
use super::external::ExternalProcess;
use super::profile::{self, ProfileCredentials};
use super::{Credentials, CredentialsError, CredentialsProvider, StaticCredentials};
use crate::provider::alicloud::client::AliCloudClient;
use crate::provider::alicloud::environment::Environment;
use crate::provider::alicloud::secret::Secret;
use crate::provider::alicloud::sts::AssumeRoleRequest;
use crate::provider::alicloud::transport::Transport;
use std::path::PathBuf;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// AccessKey ID variables, first wins: the current spelling, then the deprecated alicloud one.
const ACCESS_KEY_ID_VARS: &[&str] = &["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"];
/// AccessKey secret variables.
const ACCESS_KEY_SECRET_VARS: &[&str] = &["ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"];
/// Security token variables.
const SECURITY_TOKEN_VARS: &[&str] = &["ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"];
/// Profile name variables (alicloud provider `profile` default).
const PROFILE_VARS: &[&str] = &["ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE"];
/// Configuration file variables (alicloud provider `shared_credentials_file` default).
const SHARED_CREDENTIALS_FILE_VARS: &[&str] = &["ALICLOUD_SHARED_CREDENTIALS_FILE"];
/// Credentials URI variables (credentials SDKs, alicloud provider `credentials_uri` default).
const CREDENTIALS_URI_VARS: &[&str] =
    &["ALIBABA_CLOUD_CREDENTIALS_URI", "ALICLOUD_CREDENTIALS_URI"];
/// ECS role name variables (alicloud provider `ecs_role_name` default).
const ECS_ROLE_NAME_VARS: &[&str] = &["ALIBABA_CLOUD_ECS_METADATA", "ALICLOUD_ECS_ROLE_NAME"];
/// Set to `true`, the ECS metadata service must give a session token (no IMDSv1 fallback).
const IMDSV1_DISABLED_VAR: &str = "ALIBABA_CLOUD_IMDSV1_DISABLED";
/// Where the home directory is named.
const HOME_VARS: &[&str] = &["HOME", "USERPROFILE"];
/// The aliyun CLI configuration, relative to the home directory.
const DEFAULT_CONFIG_FILE: &str = ".aliyun/config.json";

/// The credential settings of the provider block, as the provider configuration read them.
#[derive(Debug, Clone, Default)]
pub struct CredentialsConfig {
    /// `access_key`.
    pub access_key: Option<String>,
    /// `secret_key`.
    pub secret_key: Option<Secret>,
    /// `security_token`.
    pub security_token: Option<Secret>,
    /// `profile`: a profile of the aliyun CLI configuration; its `current` profile when unset.
    pub profile: Option<String>,
    /// `shared_credentials_file`: the aliyun CLI configuration; `~/.aliyun/config.json` when unset.
    pub shared_credentials_file: Option<String>,
    /// `ecs_role_name`: the RAM role of the ECS instance Terraform runs on.
    pub ecs_role_name: Option<String>,
    /// Base URL of the ECS metadata service; [`DEFAULT_ECS_METADATA_URL`] when unset (tests point it at a
    /// local server).
    pub ecs_metadata_url: Option<String>,
    /// `assume_role { … }`, applied on top of whichever source was found.
    pub assume_role: Option<AssumeRoleConfig>,
}

/// The `assume_role` block.
#[derive(Debug, Clone, Default)]
pub struct AssumeRoleConfig {
    /// `role_arn`; empty means no role switch, as in the alicloud provider.
    pub role_arn: String,
    /// `session_name`; [`DEFAULT_SESSION_NAME`] when unset.
    pub session_name: Option<String>,
    /// `session_expiration` in seconds (900–43200); [`DEFAULT_SESSION_EXPIRATION`] when unset.
    pub session_expiration: Option<u32>,
    /// `external_id`.
    pub external_id: Option<String>,
    /// `policy`: narrows the session's permissions.
    pub policy: Option<String>,
}

/// Finds the credentials for `config`, looking at the sources in order, and puts `assume_role` on top.
/// STS calls (profile `RamRoleArn`, `assume_role`) go through `transport` and stop when `cancel` fires;
/// nothing is fetched over the network until the first request needs credentials.
pub async fn resolve(
    config: &CredentialsConfig,
    env: &dyn Environment,
    transport: &Transport,
    cancel: &CancellationToken,
) -> Result<Arc<dyn CredentialsProvider>, CredentialsError> {
    let base = base_source(config, env, transport, cancel).await?;
    let Some(assume) = config
        .assume_role
        .as_ref()
        .filter(|a| !a.role_arn.is_empty())
    else {
        return Ok(base);
    };
    let request = AssumeRoleRequest {
        role_arn: assume.role_arn.clone(),
        role_session_name: assume
            .session_name
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| DEFAULT_SESSION_NAME.to_owned()),
        duration_seconds: Some(
            assume
                .session_expiration
                .unwrap_or(DEFAULT_SESSION_EXPIRATION),
        ),
        policy: assume.policy.clone().filter(|p| !p.is_empty()),
        external_id: assume.external_id.clone().filter(|e| !e.is_empty()),
    };
    let client = AliCloudClient::new(transport.clone(), base, cancel.clone());
    Ok(Arc::new(AssumeRoleCredentials::cached(client, request)))
}

/// The first source of the chain that has credentials.
async fn base_source(
    config: &CredentialsConfig,
    env: &dyn Environment,
    transport: &Transport,
    cancel: &CancellationToken,
) -> Result<Arc<dyn CredentialsProvider>, CredentialsError> {
    let mut tried = Vec::new();

    // 1. Provider arguments.
    let access_key = config.access_key.clone().filter(|v| !v.is_empty());
    let secret_key = config.secret_key.clone().filter(|v| !v.is_empty());
    if access_key.is_some() || secret_key.is_some() {
        let source = "provider arguments access_key/secret_key";
        return Ok(static_provider(
            source,
            access_key.ok_or_else(|| incomplete(source, "access_key"))?,
            secret_key.ok_or_else(|| incomplete(source, "secret_key"))?,
            config.security_token.clone().filter(|v| !v.is_empty()),
        ));
    }
    tried.push("provider arguments access_key/secret_key (not set)".to_owned());

    // 2. Environment: each value from the first variable that has it.
    let id = env.first_of(ACCESS_KEY_ID_VARS);
    let secret = env.first_of(ACCESS_KEY_SECRET_VARS);
    if id.is_some() || secret.is_some() {
        let (id_var, id) = id.ok_or_else(|| {
            incomplete(
                &format!("environment variable {}", secret_var_name(&secret)),
                &ACCESS_KEY_ID_VARS.join(" or "),
            )
        })?;
        let (secret_var, secret) = secret.ok_or_else(|| {
            incomplete(
                &format!("environment variable {id_var}"),
                &ACCESS_KEY_SECRET_VARS.join(" or "),
            )
        })?;
        let token = env
            .first_of(SECURITY_TOKEN_VARS)
            .map(|(_, t)| Secret::new(t));
        return Ok(static_provider(
            &format!("environment {id_var}/{secret_var}"),
            id,
            Secret::new(secret),
            token,
        ));
    }
    tried.push(format!(
        "environment {} (not set)",
        ACCESS_KEY_ID_VARS
            .iter()
            .zip(ACCESS_KEY_SECRET_VARS)
            .map(|(id, secret)| format!("{id}/{secret}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));

    // 3. The aliyun CLI profile.
    let profile_name = config
        .profile
        .clone()
        .filter(|p| !p.is_empty())
        .or_else(|| env.first_of(PROFILE_VARS).map(|(_, p)| p));
    let explicit_file = config
        .shared_credentials_file
        .clone()
        .filter(|f| !f.is_empty())
        .or_else(|| env.first_of(SHARED_CREDENTIALS_FILE_VARS).map(|(_, f)| f));
    let explicit = profile_name.is_some() || explicit_file.is_some();
    let home = env.first_of(HOME_VARS).map(|(_, h)| PathBuf::from(h));
    let path = match explicit_file {
        Some(file) => Some(expand_home(&file, home.as_ref())),
        None => home.as_ref().map(|h| h.join(DEFAULT_CONFIG_FILE)),
    };
    match path {
        Some(path) if explicit || is_file(&path).await => {
            if let Some(selected) = profile::load(&path, profile_name.as_deref()).await? {
                let source = format!(
                    "profile {:?} (mode {}) in {}",
                    selected.name,
                    selected.mode,
                    path.display()
                );
                return profile_provider(
                    config,
                    env,
                    transport,
                    cancel,
                    selected.credentials,
                    &source,
                );
            }
            tried.push(format!(
                "aliyun CLI profile in {} (no profile named and no current profile)",
                path.display()
            ));
        }
        Some(path) => tried.push(format!(
            "aliyun CLI profile in {} (file not found)",
            path.display()
        )),
        None => tried.push(format!(
            "aliyun CLI profile in ~/{DEFAULT_CONFIG_FILE} (no home directory)"
        )),
    }

    // 4. A credentials URI, where the alicloud provider reads it: after profiles, before the ECS role.
    if let Some((var, uri)) = env.first_of(CREDENTIALS_URI_VARS) {
        return Ok(Arc::new(UriCredentials::cached(
            &uri,
            &format!("environment {var}"),
        )?));
    }
    tried.push(format!(
        "credentials URI ({} not set)",
        CREDENTIALS_URI_VARS.join(", ")
    ));

    // 5. The ECS instance RAM role.
    let role_name = config
        .ecs_role_name
        .clone()
        .filter(|r| !r.is_empty())
        .or_else(|| env.first_of(ECS_ROLE_NAME_VARS).map(|(_, r)| r));
    if let Some(role_name) = role_name {
        return ecs_provider(config, env, role_name);
    }
    tried.push("ECS instance RAM role (ecs_role_name not set)".to_owned());

    Err(CredentialsError::NotFound { tried })
}

/// The provider for a profile's credentials, described as `source`; a `ChainableRamRoleArn` profile puts its
/// AssumeRole on top of its source profile's provider.
fn profile_provider(
    config: &CredentialsConfig,
    env: &dyn Environment,
    transport: &Transport,
    cancel: &CancellationToken,
    credentials: ProfileCredentials,
    source: &str,
) -> Result<Arc<dyn CredentialsProvider>, CredentialsError> {
    let assume = |base: Arc<dyn CredentialsProvider>, request| -> Arc<dyn CredentialsProvider> {
        let client = AliCloudClient::new(transport.clone(), base, cancel.clone());
        Arc::new(AssumeRoleCredentials::cached(client, request))
    };
    match credentials {
        ProfileCredentials::Static(credentials) => {
            Ok(Arc::new(StaticCredentials::new(credentials, source)))
        }
        ProfileCredentials::AssumeRole(credentials, request) => Ok(assume(
            Arc::new(StaticCredentials::new(credentials, source)),
            request,
        )),
        ProfileCredentials::Chained(base, request) => {
            let base = profile_provider(config, env, transport, cancel, *base, source)?;
            Ok(assume(base, request))
        }
        ProfileCredentials::EcsRamRole(role_name) => ecs_provider(config, env, role_name),
        ProfileCredentials::Uri(uri) => Ok(Arc::new(UriCredentials::cached(&uri, source)?)),
        ProfileCredentials::External(command) => {
            Ok(Arc::new(ExternalProcess::cached(&command, source)?))
        }
    }
}

fn static_provider(
    source: &str,
    access_key_id: String,
    access_key_secret: Secret,
    security_token: Option<Secret>,
) -> Arc<dyn CredentialsProvider> {
    Arc::new(StaticCredentials::new(
        Credentials {
            access_key_id,
            access_key_secret,
            security_token,
            expiration: None,
        },
        source,
    ))
}

fn ecs_provider(
    config: &CredentialsConfig,
    env: &dyn Environment,
    role_name: String,
) -> Result<Arc<dyn CredentialsProvider>, CredentialsError> {
    let url = config
        .ecs_metadata_url
        .clone()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| DEFAULT_ECS_METADATA_URL.to_owned());
    // The credentials SDKs' switch: only with it is a metadata service without session tokens refused.
    let v1_disabled = env
        .first_of(&[IMDSV1_DISABLED_VAR])
        .is_some_and(|(_, v)| v.eq_ignore_ascii_case("true"));
    Ok(Arc::new(EcsMetadataCredentials::cached(
        role_name,
        url,
        v1_disabled,
    )?))
}

fn incomplete(source: &str, missing: &str) -> CredentialsError {
    CredentialsError::Incomplete {
        source_name: source.to_owned(),
        missing: missing.to_owned(),
    }
}

fn secret_var_name(found: &Option<(&'static str, String)>) -> &'static str {
    found.as_ref().map_or("", |(name, _)| name)
}

/// Whether `path` is an existing regular file.
async fn is_file(path: &std::path::Path) -> bool {
    tokio::fs::metadata(path).await.is_ok_and(|m| m.is_file())
}

/// `~/x` relative to the home directory, as users write it in `shared_credentials_file`.
fn expand_home(path: &str, home: Option<&PathBuf>) -> PathBuf {
    match (path.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}
