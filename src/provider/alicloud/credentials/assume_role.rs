//! Temporary credentials from STS `AssumeRole`, signed with the credentials of another source.

use super::{CachedCredentials, Credentials, CredentialsError, CredentialsFetcher};
use crate::provider::alicloud::client::AliCloudClient;
use crate::provider::alicloud::error::ClientError;
use crate::provider::alicloud::sts::{AssumeRoleRequest, StsCredentials};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// `RoleSessionName` when none is configured, as in the alicloud provider.
pub const DEFAULT_SESSION_NAME: &str = "terraform";

/// `DurationSeconds` when none is configured, as in the alicloud provider.
pub const DEFAULT_SESSION_EXPIRATION: u32 = 3600;

/// Fetches credentials by assuming a role with the credentials `client` signs with.
#[derive(Debug)]
pub struct AssumeRoleCredentials {
    client: AliCloudClient,
    request: AssumeRoleRequest,
}

impl AssumeRoleCredentials {
    /// A cached provider assuming `request.role_arn` through `client`.
    pub fn cached(client: AliCloudClient, request: AssumeRoleRequest) -> CachedCredentials<Self> {
        CachedCredentials::new(Self { client, request })
    }
}

#[async_trait]
impl CredentialsFetcher for AssumeRoleCredentials {
    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let fail = |error: ClientError| CredentialsError::AssumeRole {
            role_arn: self.request.role_arn.clone(),
            source_name: self.client.credentials().source(),
            error: Box::new(error),
        };
        let response = self.client.assume_role(&self.request).await.map_err(fail)?;
        session_credentials(
            "AssumeRole",
            &response.request_id,
            response.credentials,
            fail,
        )
    }

    fn source(&self) -> String {
        format!(
            "role {} assumed with {}",
            self.request.role_arn,
            self.client.credentials().source()
        )
    }
}

/// The credentials of an STS session (`AssumeRole`, `AssumeRoleWithOIDC`), with its `Expiration` read so the cache
/// renews them in time; an unreadable `Expiration` becomes `fail`'s error.
pub(super) fn session_credentials(
    action: &str,
    request_id: &str,
    credentials: StsCredentials,
    fail: impl FnOnce(ClientError) -> CredentialsError,
) -> Result<Credentials, CredentialsError> {
    let expiration = DateTime::parse_from_rfc3339(&credentials.expiration)
        .map_err(|e| {
            fail(ClientError::Decode {
                action: action.to_owned(),
                request_id: request_id.to_owned(),
                detail: format!("Expiration {:?}: {e}", credentials.expiration),
            })
        })?
        .with_timezone(&Utc);
    Ok(Credentials {
        access_key_id: credentials.access_key_id,
        access_key_secret: credentials.access_key_secret,
        security_token: Some(credentials.security_token),
        expiration: Some(expiration),
    })
}
