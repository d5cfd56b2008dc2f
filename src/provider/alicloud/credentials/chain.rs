//! The credential chain, in the order users of the alicloud provider and the credentials SDKs expect: provider
//! arguments, the environment's keys, the environment's OIDC settings, an aliyun CLI profile, a credentials URI, the
//! ECS instance role, the `assume_role_with_oidc` block; then an optional `assume_role` on top.

use super::assume_role::{AssumeRoleCredentials, DEFAULT_SESSION_EXPIRATION, DEFAULT_SESSION_NAME};
use super::credentials_uri::UriCredentials;
use super::ecs_metadata::{DEFAULT_ECS_METADATA_URL, EcsMetadataCredentials};
use super::external::ExternalProcess;
use super::oidc::{OidcCredentials, OidcSettings, OidcToken};
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
/// The OIDC token file of the credentials SDKs (credentials-go, -python) and the alicloud provider; rotated by CI
/// systems and RRSA.
const OIDC_TOKEN_FILE_VAR: &str = "ALIBABA_CLOUD_OIDC_TOKEN_FILE";
/// The OIDC token itself (the alicloud provider's `oidc_token` default).
const OIDC_TOKEN_VAR: &str = "ALIBABA_CLOUD_OIDC_TOKEN";
/// The OIDC provider's ARN.
const OIDC_PROVIDER_ARN_VAR: &str = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN";
/// The role an OIDC token is exchanged for.
const ROLE_ARN_VAR: &str = "ALIBABA_CLOUD_ROLE_ARN";
/// The session name of that role (read by credentials-python and the alicloud provider).
const ROLE_SESSION_NAME_VAR: &str = "ALIBABA_CLOUD_ROLE_SESSION_NAME";
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
    /// `assume_role_with_oidc { … }`, when the block is present (its arguments may all come from the environment).
    pub assume_role_with_oidc: Option<OidcConfig>,
    /// `assume_role { … }`, applied on top of whichever source was found.
    pub assume_role: Option<AssumeRoleConfig>,
}

/// The `assume_role_with_oidc` block, as written: each argument left out falls back to its environment variable.
#[derive(Debug, Clone, Default)]
pub struct OidcConfig {
    /// `oidc_provider_arn` (`ALIBABA_CLOUD_OIDC_PROVIDER_ARN`).
    pub oidc_provider_arn: Option<String>,
    /// `role_arn` (`ALIBABA_CLOUD_ROLE_ARN`).
    pub role_arn: Option<String>,
    /// `oidc_token` (`ALIBABA_CLOUD_OIDC_TOKEN`).
    pub oidc_token: Option<Secret>,
    /// `oidc_token_file` (`ALIBABA_CLOUD_OIDC_TOKEN_FILE`), read at every renewal.
    pub oidc_token_file: Option<String>,
    /// `role_session_name` (`ALIBABA_CLOUD_ROLE_SESSION_NAME`); [`DEFAULT_SESSION_NAME`] when unset.
    pub role_session_name: Option<String>,
    /// `session_expiration` in seconds; STS's default (3600) when unset.
    pub session_expiration: Option<u32>,
    /// `policy`: narrows the session's permissions.
    pub policy: Option<String>,
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

    // 3. The OIDC environment of a CI job or an RRSA pod, where the credentials SDKs read it. With an
    //    assume_role_with_oidc block the variables fill in its arguments instead, and the block comes last (7).
    if config.assume_role_with_oidc.is_none() {
        if let Some(settings) = oidc_from_environment(env)? {
            return Ok(oidc_provider(
                transport,
                cancel,
                settings,
                &format!("environment {OIDC_TOKEN_FILE_VAR}"),
            ));
        }
        tried.push(format!(
            "OIDC environment ({OIDC_TOKEN_FILE_VAR}, {OIDC_PROVIDER_ARN_VAR} not set)"
        ));
    }

    // 4. The aliyun CLI profile.
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

    // 5. A credentials URI, where the alicloud provider reads it: after profiles, before the ECS role.
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

    // 6. The ECS instance RAM role.
    let role_name = config
        .ecs_role_name
        .clone()
        .filter(|r| !r.is_empty())
        .or_else(|| env.first_of(ECS_ROLE_NAME_VARS).map(|(_, r)| r));
    if let Some(role_name) = role_name {
        return ecs_provider(config, env, role_name);
    }
    tried.push("ECS instance RAM role (ecs_role_name not set)".to_owned());

    // 7. The assume_role_with_oidc block, where the alicloud provider takes it: when nothing above had a key.
    if let Some(block) = &config.assume_role_with_oidc {
        let origin = "provider block assume_role_with_oidc";
        let settings = oidc_from_block(block, env).map_err(|reason| CredentialsError::Oidc {
            origin: origin.to_owned(),
            reason,
        })?;
        return Ok(oidc_provider(transport, cancel, settings, origin));
    }
    tried.push("assume_role_with_oidc (no block)".to_owned());

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
        ProfileCredentials::Oidc(settings) => {
            Ok(oidc_provider(transport, cancel, settings, source))
        }
    }
}

fn oidc_provider(
    transport: &Transport,
    cancel: &CancellationToken,
    settings: OidcSettings,
    origin: &str,
) -> Arc<dyn CredentialsProvider> {
    Arc::new(OidcCredentials::cached(
        transport.clone(),
        cancel.clone(),
        settings,
        origin,
    ))
}

/// The OIDC settings of the environment alone, as the credentials SDKs read them: `None` when neither the token
/// file nor the provider ARN is set; with one of them set, the token file, the provider ARN and the role ARN are
/// all needed, and the error names the variable missing.
fn oidc_from_environment(env: &dyn Environment) -> Result<Option<OidcSettings>, CredentialsError> {
    let Some((present, _)) = env.first_of(&[OIDC_TOKEN_FILE_VAR, OIDC_PROVIDER_ARN_VAR]) else {
        return Ok(None);
    };
    let need = |var: &'static str| {
        env.first_of(&[var])
            .map(|(_, value)| value)
            .ok_or_else(|| incomplete(&format!("environment variable {present}"), var))
    };
    let token_file = need(OIDC_TOKEN_FILE_VAR)?;
    Ok(Some(OidcSettings {
        oidc_provider_arn: need(OIDC_PROVIDER_ARN_VAR)?,
        role_arn: need(ROLE_ARN_VAR)?,
        token: OidcToken::File {
            path: PathBuf::from(token_file),
            named_by: OIDC_TOKEN_FILE_VAR.to_owned(),
        },
        role_session_name: env
            .first_of(&[ROLE_SESSION_NAME_VAR])
            .map_or_else(|| DEFAULT_SESSION_NAME.to_owned(), |(_, name)| name),
        duration_seconds: None,
        policy: None,
    }))
}

/// The settings of an `assume_role_with_oidc` block, each argument left out taken from its variable as the
/// alicloud provider does; the error names the argument and the variable.
fn oidc_from_block(block: &OidcConfig, env: &dyn Environment) -> Result<OidcSettings, String> {
    let argument = |value: &Option<String>, name: &str, var: &'static str| {
        value
            .clone()
            .filter(|v| !v.is_empty())
            .or_else(|| env.first_of(&[var]).map(|(_, v)| v))
            .ok_or_else(|| format!("{name} is not set (nor {var})"))
    };
    let token_file = |path: String, named_by: &str| OidcToken::File {
        path: PathBuf::from(path),
        named_by: named_by.to_owned(),
    };
    let written_token = block.oidc_token.clone().filter(|t| !t.is_empty());
    let written_file = block.oidc_token_file.clone().filter(|f| !f.is_empty());
    // Arguments first, then the variables; a file before a value, since a file can be rotated.
    let token = match (written_token, written_file) {
        (Some(_), Some(_)) => {
            return Err("set oidc_token or oidc_token_file, not both".to_owned());
        }
        (Some(token), None) => OidcToken::Value(token),
        (None, Some(path)) => token_file(path, "oidc_token_file"),
        (None, None) => match (
            env.first_of(&[OIDC_TOKEN_FILE_VAR]),
            env.first_of(&[OIDC_TOKEN_VAR]),
        ) {
            (Some((var, path)), _) => token_file(path, var),
            (None, Some((_, token))) => OidcToken::Value(Secret::new(token)),
            (None, None) => {
                return Err(format!(
                    "one of oidc_token and oidc_token_file must be set (nor is {OIDC_TOKEN_FILE_VAR} or {OIDC_TOKEN_VAR})"
                ));
            }
        },
    };
    Ok(OidcSettings {
        oidc_provider_arn: argument(
            &block.oidc_provider_arn,
            "oidc_provider_arn",
            OIDC_PROVIDER_ARN_VAR,
        )?,
        role_arn: argument(&block.role_arn, "role_arn", ROLE_ARN_VAR)?,
        token,
        role_session_name: argument(
            &block.role_session_name,
            "role_session_name",
            ROLE_SESSION_NAME_VAR,
        )
        .unwrap_or_else(|_| DEFAULT_SESSION_NAME.to_owned()),
        duration_seconds: block.session_expiration,
        policy: block.policy.clone().filter(|p| !p.is_empty()),
    })
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
