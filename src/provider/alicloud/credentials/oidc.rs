//! Temporary credentials from STS `AssumeRoleWithOIDC`: the OIDC token a CI system issues (GitHub Actions, GitLab,
//! an ACK pod's RRSA token file) exchanged for a session of a RAM role, with no stored key. The call is sent
//! unsigned, as the credentials SDKs send it; a token file is read again at every renewal, since CI systems and
//! RRSA rotate it; the token is never logged or quoted.

use super::assume_role::session_credentials;
use super::{CachedCredentials, Credentials, CredentialsError, CredentialsFetcher};
use crate::provider::alicloud::error::ClientError;
use crate::provider::alicloud::secret::Secret;
use crate::provider::alicloud::sts::{AssumeRoleWithOidcRequest, assume_role_with_oidc};
use crate::provider::alicloud::transport::Transport;
use async_trait::async_trait;
use std::path::PathBuf;
use tokio_util::sync::CancellationToken;

/// Where the OIDC token comes from.
#[derive(Debug, Clone)]
pub enum OidcToken {
    /// The token itself (`oidc_token`, `ALIBABA_CLOUD_OIDC_TOKEN`).
    Value(Secret),
    /// A file holding it, read at every renewal.
    File {
        /// The file.
        path: PathBuf,
        /// The argument, variable or profile key that named it, for messages.
        named_by: String,
    },
}

/// Everything `AssumeRoleWithOIDC` needs, resolved from the block, the environment or a profile.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// `OIDCProviderArn`.
    pub oidc_provider_arn: String,
    /// `RoleArn`.
    pub role_arn: String,
    /// The token or its file.
    pub token: OidcToken,
    /// `RoleSessionName`.
    pub role_session_name: String,
    /// `DurationSeconds`; STS's default when unset.
    pub duration_seconds: Option<u32>,
    /// `Policy`.
    pub policy: Option<String>,
}

/// Fetches credentials by exchanging an OIDC token for a role session.
#[derive(Debug)]
pub struct OidcCredentials {
    transport: Transport,
    cancel: CancellationToken,
    settings: OidcSettings,
    /// Where the settings were found (the block, the environment, a profile), for messages.
    origin: String,
}

impl OidcCredentials {
    /// A cached provider for `settings`, found in `origin`; STS is called through `transport` when the first
    /// request needs credentials, and again shortly before the session expires.
    pub fn cached(
        transport: Transport,
        cancel: CancellationToken,
        settings: OidcSettings,
        origin: &str,
    ) -> CachedCredentials<Self> {
        CachedCredentials::new(Self {
            transport,
            cancel,
            settings,
            origin: origin.to_owned(),
        })
    }

    fn error(&self, reason: impl Into<String>) -> CredentialsError {
        CredentialsError::Oidc {
            origin: self.origin.clone(),
            reason: reason.into(),
        }
    }

    /// The token as it is now: a file is read on every call, so a renewal sends the token the CI system last wrote.
    async fn token(&self) -> Result<Secret, CredentialsError> {
        match &self.settings.token {
            OidcToken::Value(token) => Ok(token.clone()),
            OidcToken::File { path, named_by } => {
                let text = tokio::fs::read_to_string(path).await.map_err(|e| {
                    self.error(format!(
                        "reading the OIDC token file {} (named by {named_by}): {e}",
                        path.display()
                    ))
                })?;
                let token = text.trim();
                if token.is_empty() {
                    return Err(self.error(format!(
                        "the OIDC token file {} (named by {named_by}) is empty",
                        path.display()
                    )));
                }
                Ok(Secret::new(token))
            }
        }
    }
}

#[async_trait]
impl CredentialsFetcher for OidcCredentials {
    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let settings = &self.settings;
        let request = AssumeRoleWithOidcRequest {
            oidc_provider_arn: settings.oidc_provider_arn.clone(),
            role_arn: settings.role_arn.clone(),
            oidc_token: self.token().await?,
            role_session_name: settings.role_session_name.clone(),
            duration_seconds: settings.duration_seconds,
            policy: settings.policy.clone(),
        };
        let fail = |error: ClientError| CredentialsError::AssumeRoleWithOidc {
            role_arn: settings.role_arn.clone(),
            oidc_provider_arn: settings.oidc_provider_arn.clone(),
            origin: self.origin.clone(),
            error: Box::new(error),
        };
        let response = assume_role_with_oidc(&self.transport, &self.cancel, &request)
            .await
            .map_err(fail)?;
        session_credentials(
            "AssumeRoleWithOIDC",
            &response.request_id,
            response.credentials,
            fail,
        )
    }

    fn source(&self) -> String {
        format!(
            "role {} assumed with the OIDC token of {} (OIDC provider {})",
            self.settings.role_arn, self.origin, self.settings.oidc_provider_arn
        )
    }
}
