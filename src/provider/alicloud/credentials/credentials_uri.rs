//! Credentials served by a local HTTP endpoint (`ALIBABA_CLOUD_CREDENTIALS_URI`, the CLI's `CredentialsURI`
//! mode): `GET <uri>` answers the document the ECS metadata service serves (`"Code":"Success"` required), as the alicloud
//! provider, the aliyun CLI and the credentials SDKs read it. The answer is cached and fetched again before it
//! expires; its body is never quoted in an error, since it holds the secret.

use super::served::ServedCredentials;
use super::{CachedCredentials, Credentials, CredentialsError, CredentialsFetcher};
use async_trait::async_trait;
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
        let body = response
            .bytes()
            .await
            .map_err(|e| self.error(format!("reading the answer of {}: {e}", self.uri)))?;
        ServedCredentials::parse(&body)
            .and_then(ServedCredentials::into_credentials)
            .map_err(|reason| self.error(format!("{reason} ({})", self.uri)))
    }

    fn source(&self) -> String {
        format!("credentials URI from {}", self.origin)
    }
}
