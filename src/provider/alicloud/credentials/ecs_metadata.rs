//! The RAM role of an ECS instance, from the instance metadata service: hardened mode (IMDSv2: a session token
//! first, sent on each read), with a fallback to v1 when the token endpoint is unavailable, unless
//! `ALIBABA_CLOUD_IMDSV1_DISABLED=true`, where the credentials SDKs make a missing token fatal.

use super::served::ServedCredentials;
use super::{CachedCredentials, Credentials, CredentialsError, CredentialsFetcher};
use async_trait::async_trait;
use std::time::Duration;

/// The metadata service of every ECS instance.
pub const DEFAULT_ECS_METADATA_URL: &str = "http://100.100.100.200";

/// Lifetime requested for an IMDSv2 session token (the value the official SDK uses).
const TOKEN_TTL_SECONDS: &str = "21600";

/// Timeout for metadata requests. The service is link-local and answers at once on ECS; elsewhere it never
/// answers, and a short timeout turns that into a clear error quickly.
const METADATA_TIMEOUT: Duration = Duration::from_secs(5);

/// Fetches the credentials of an instance RAM role.
#[derive(Debug)]
pub struct EcsMetadataCredentials {
    http: reqwest::Client,
    base_url: String,
    role_name: String,
    v1_disabled: bool,
}

impl EcsMetadataCredentials {
    /// A cached provider for `role_name` from the metadata service at `base_url` (normally
    /// [`DEFAULT_ECS_METADATA_URL`]; a loopback URL in tests).
    /// With `v1_disabled`, a metadata service that gives no session token is an error instead of read without one.
    pub fn cached(
        role_name: impl Into<String>,
        base_url: impl Into<String>,
        v1_disabled: bool,
    ) -> Result<CachedCredentials<Self>, CredentialsError> {
        let role_name = role_name.into();
        let http = reqwest::Client::builder()
            .timeout(METADATA_TIMEOUT)
            .build()
            .map_err(|e| CredentialsError::EcsMetadata {
                role_name: role_name.clone(),
                reason: e.to_string(),
            })?;
        Ok(CachedCredentials::new(Self {
            http,
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            role_name,
            v1_disabled,
        }))
    }

    fn error(&self, reason: impl Into<String>) -> CredentialsError {
        CredentialsError::EcsMetadata {
            role_name: self.role_name.clone(),
            reason: reason.into(),
        }
    }

    /// An IMDSv2 session token, or `None` when the service does not offer one (v1 only).
    async fn session_token(&self) -> Option<String> {
        let response = self
            .http
            .put(format!("{}/latest/api/token", self.base_url))
            .header("X-aliyun-ecs-metadata-token-ttl-seconds", TOKEN_TTL_SECONDS)
            .send()
            .await
            .ok()?;
        if !response.status().is_success() {
            tracing::debug!(
                http_status = response.status().as_u16(),
                "ECS metadata token unavailable, falling back to IMDSv1"
            );
            return None;
        }
        response.text().await.ok().filter(|t| !t.is_empty())
    }
}

#[async_trait]
impl CredentialsFetcher for EcsMetadataCredentials {
    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let token = self.session_token().await;
        if token.is_none() && self.v1_disabled {
            return Err(self.error(
                "the metadata service gave no session token (hardened mode), and \
                 ALIBABA_CLOUD_IMDSV1_DISABLED=true forbids reading without one",
            ));
        }
        let mut request = self.http.get(format!(
            "{}/latest/meta-data/ram/security-credentials/{}",
            self.base_url, self.role_name
        ));
        if let Some(token) = &token {
            request = request.header("X-aliyun-ecs-metadata-token", token);
        }
        let response = request
            .send()
            .await
            .map_err(|e| self.error(format!("no answer from {}: {e}", self.base_url)))?;
        let status = response.status();
        if !status.is_success() {
            return Err(self.error(format!("HTTP {status}")));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| self.error(format!("reading the answer: {e}")))?;
        ServedCredentials::parse(&body)
            .and_then(ServedCredentials::into_credentials)
            .map_err(|reason| self.error(reason))
    }

    fn source(&self) -> String {
        format!("ECS instance RAM role {}", self.role_name)
    }
}
