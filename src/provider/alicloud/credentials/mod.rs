//! Credentials: what signs a request, where it comes from (the chain users of the alicloud provider expect),
//! and how temporary STS credentials are cached and refreshed before they expire.

mod assume_role;
mod cached;
mod chain;
mod credentials_uri;
mod ecs_metadata;
mod external;
mod oidc;
mod profile;
mod served;

pub use assume_role::{AssumeRoleCredentials, DEFAULT_SESSION_EXPIRATION, DEFAULT_SESSION_NAME};
pub use cached::{CachedCredentials, CredentialsFetcher, REFRESH_BEFORE_EXPIRY};
pub use chain::{AssumeRoleConfig, CredentialsConfig, OidcConfig, resolve};
pub use credentials_uri::UriCredentials;
pub use ecs_metadata::{DEFAULT_ECS_METADATA_URL, EcsMetadataCredentials};
pub use external::{ExternalProcess, split_command};
pub use oidc::{OidcCredentials, OidcSettings, OidcToken};

use super::error::ClientError;
use super::secret::Secret;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::fmt;

/// One set of credentials: an AccessKey pair, plus a security token when they are STS credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The AccessKey ID (STS ones start with `STS.`); not secret, it appears in every request.
    pub access_key_id: String,
    /// The AccessKey secret, which signs requests.
    pub access_key_secret: Secret,
    /// The STS security token, sent as `SecurityToken` only when present.
    pub security_token: Option<Secret>,
    /// When temporary credentials expire; `None` for long-lived keys.
    pub expiration: Option<DateTime<Utc>>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &self.access_key_secret)
            .field("security_token", &self.security_token)
            .field("expiration", &self.expiration)
            .finish()
    }
}

/// Supplies credentials for each request attempt.
#[async_trait]
pub trait CredentialsProvider: Send + Sync + fmt::Debug {
    /// Credentials valid for at least the next request; implementations cache and refresh as needed.
    async fn credentials(&self) -> Result<Credentials, CredentialsError>;

    /// Where the credentials come from, for messages (never a secret), e.g. `environment
    /// (ALIBABA_CLOUD_ACCESS_KEY_ID)`.
    fn source(&self) -> String;
}

/// Long-lived credentials given directly (arguments, environment, an AK or StsToken profile).
#[derive(Debug, Clone)]
pub struct StaticCredentials {
    credentials: Credentials,
    source: String,
}

impl StaticCredentials {
    /// Credentials that never change, described by `source`.
    pub fn new(credentials: Credentials, source: impl Into<String>) -> Self {
        Self {
            credentials,
            source: source.into(),
        }
    }
}

#[async_trait]
impl CredentialsProvider for StaticCredentials {
    async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        Ok(self.credentials.clone())
    }

    fn source(&self) -> String {
        self.source.clone()
    }
}

/// Why no credentials could be had.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// No source in the chain had credentials.
    #[error(
        "no Alibaba Cloud credentials found. Tried, in order: {}. Set access_key and secret_key, the environment variables, a profile, a credentials URI, ecs_role_name, assume_role_with_oidc, or assume_role on top of one of them",
        .tried.join("; ")
    )]
    NotFound {
        /// Each source tried and why it had nothing.
        tried: Vec<String>,
    },
    /// A source had part of a key pair.
    #[error("{source_name}: {missing} is not set")]
    Incomplete {
        /// Where the partial credentials were found.
        source_name: String,
        /// What is missing.
        missing: String,
    },
    /// The aliyun CLI configuration file could not be used.
    #[error("aliyun CLI configuration {path}: {reason}")]
    Profile {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The ECS instance metadata service did not provide the role's credentials.
    #[error("ECS RAM role {role_name} from the instance metadata service: {reason}")]
    EcsMetadata {
        /// The instance's RAM role.
        role_name: String,
        /// What went wrong.
        reason: String,
    },
    /// A credentials URI did not provide credentials.
    #[error("credentials URI from {origin}: {reason}")]
    CredentialsUri {
        /// Where the URI was set (a variable or a profile).
        origin: String,
        /// What went wrong.
        reason: String,
    },
    /// A profile's `process_command` did not provide credentials.
    #[error("process_command of {origin}: {reason}")]
    External {
        /// The profile.
        origin: String,
        /// What went wrong.
        reason: String,
    },
    /// The OIDC settings are incomplete, or the token could not be read.
    #[error("{origin}: {reason}")]
    Oidc {
        /// Where the settings were found (the block, the environment, a profile).
        origin: String,
        /// What is wrong, naming the argument, variable or key at fault.
        reason: String,
    },
    /// AssumeRoleWithOIDC failed.
    #[error(
        "assuming role {role_arn} with the OIDC token of {origin} (OIDC provider {oidc_provider_arn}): {error}"
    )]
    AssumeRoleWithOidc {
        /// The role.
        role_arn: String,
        /// The OIDC provider.
        oidc_provider_arn: String,
        /// Where the settings were found.
        origin: String,
        /// The STS error.
        error: Box<ClientError>,
    },
    /// AssumeRole failed.
    #[error("assuming role {role_arn} with credentials from {source_name}: {error}")]
    AssumeRole {
        /// The role.
        role_arn: String,
        /// The source of the credentials used to assume it.
        source_name: String,
        /// The STS error.
        error: Box<ClientError>,
    },
}
