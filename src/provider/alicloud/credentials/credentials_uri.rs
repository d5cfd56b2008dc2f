//! Credentials served by a local HTTP endpoint (`ALIBABA_CLOUD_CREDENTIALS_URI`, the CLI's `CredentialsURI`
//! mode): `GET <uri>` answers `{"Code":"Success","AccessKeyId",…,"SecurityToken","Expiration"}`, as the alicloud
//! provider, the aliyun CLI and the credentials SDKs read it. The answer is cached and fetched again before it
//! expires; its body is never quoted in an error, since it holds the secret.

use super::{CachedCredentials, Credentials, CredentialsError, CredentialsFetcher};
use crate::provider::alicloud::secret::Secret;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::time::Duration;

/// Timeout for one fetch: the endpoint is local (a sidecar, a credential helper) and answers at once.
const URI_TIMEOUT: Duration = Duration::from_secs(10);

/// Fetches credentials from a credentials URI.
#[derive(Debug)]
pub struct UriCredentials {
    http: reqwest::Client,
    uri: reqwest::Url,
    /// Where the URI was found (a variable or a profile), for messages.
    origin: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UriAnswer {
    #[serde(default)]
    code: Option<String>,
    access_key_id: String,
    access_key_secret: Secret,
    security_token: Secret,
    expiration: String,
}

impl UriCredentials {
    /// A cached provider for `uri`, found in `origin` (e.g. `environment ALIBABA_CLOUD_CREDENTIALS_URI`).
    pub fn cached(uri: &str, origin: &str) -> Result<CachedCredentials<Self>, CredentialsError> {
        let error = |reason: String| CredentialsError::CredentialsUri {
            origin: origin.to_owned(),
            reason,
        };
        let parsed =
            reqwest::Url::parse(uri).map_err(|e| error(format!("{uri:?} is not a URL: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(error(format!("{uri:?} must be an http:// or https:// URL")));
        }
        let http = reqwest::Client::builder()
            .timeout(URI_TIMEOUT)
            .build()
            .map_err(|e| error(e.to_string()))?;
        Ok(CachedCredentials::new(Self {
            http,
            uri: parsed,
            origin: origin.to_owned(),
        }))
    }

    fn error(&self, reason: impl Into<String>) -> CredentialsError {
        CredentialsError::CredentialsUri {
            origin: self.origin.clone(),
            reason: reason.into(),
        }
    }
}

#[async_trait]
impl CredentialsFetcher for UriCredentials {
    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let response = self
            .http
            .get(self.uri.clone())
            .send()
            .await
            .map_err(|e| self.error(format!("no answer from {}: {e}", self.uri)))?;
        let status = response.status();
        if !status.is_success() {
            return Err(self.error(format!("{} answered HTTP {status}", self.uri)));
        }
        // serde's message can quote a value of the body, which holds the secret: say what was expected instead.
        let body: UriAnswer = response.json().await.map_err(|_| {
            self.error(format!(
                "the answer of {} is not a JSON object with the strings Code, AccessKeyId, AccessKeySecret, \
                 SecurityToken and Expiration",
                self.uri
            ))
        })?;
        if body.code.as_deref() != Some("Success") {
            return Err(self.error(format!(
                "the answer of {} has Code {:?}, not \"Success\"",
                self.uri,
                body.code.unwrap_or_default()
            )));
        }
        let expiration = DateTime::parse_from_rfc3339(&body.expiration)
            .map_err(|e| self.error(format!("Expiration {:?}: {e}", body.expiration)))?
            .with_timezone(&Utc);
        Ok(Credentials {
            access_key_id: body.access_key_id,
            access_key_secret: body.access_key_secret,
            security_token: Some(body.security_token),
            expiration: Some(expiration),
        })
    }

    fn source(&self) -> String {
        format!("credentials URI from {}", self.origin)
    }
}
