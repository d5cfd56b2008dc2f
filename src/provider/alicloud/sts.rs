//! STS (2015-04-01) calls: who am I (`GetCallerIdentity`) and temporary credentials (`AssumeRole`, and
//! `AssumeRoleWithOIDC`, which an OIDC token authenticates instead of a signature).

use super::client::AliCloudClient;
use super::effect::Effect;
use super::error::ClientError;
use super::params::ActionParams;
use super::secret::Secret;
use super::service::Service;
use super::transport::{Signer, Transport};
use serde::Deserialize;
use tokio_util::sync::CancellationToken;

/// The `GetCallerIdentity` response. The account owner gets no `UserId`; a role session gets a `RoleId`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CallerIdentity {
    /// The request ID.
    pub request_id: String,
    /// The account UID (digits only).
    pub account_id: String,
    /// The caller's ARN.
    pub arn: String,
    /// e.g. `Account`, `RAMUser`, `AssumedRoleUser`.
    #[serde(default)]
    pub identity_type: Option<String>,
    /// The principal ID.
    #[serde(default)]
    pub principal_id: Option<String>,
    /// The RAM user's ID, for RAM users.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The role's ID, for role sessions.
    #[serde(default)]
    pub role_id: Option<String>,
}

/// `AssumeRole` parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AssumeRoleRequest {
    /// `RoleArn`: `acs:ram::<uid>:role/<name>`.
    pub role_arn: String,
    /// `RoleSessionName`: 2–64 of `[\w.@-]`.
    pub role_session_name: String,
    /// `DurationSeconds`: 900 up to the role's maximum session duration.
    pub duration_seconds: Option<u32>,
    /// `Policy`: narrows the session's permissions.
    pub policy: Option<String>,
    /// `ExternalId`.
    pub external_id: Option<String>,
}

/// `Credentials` of an `AssumeRole` response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StsCredentials {
    /// `STS.…`.
    pub access_key_id: String,
    /// The secret.
    pub access_key_secret: Secret,
    /// The security token.
    pub security_token: Secret,
    /// UTC expiry, `YYYY-MM-DDThh:mm:ssZ`.
    pub expiration: String,
}

/// `AssumedRoleUser` of an `AssumeRole` response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssumedRoleUser {
    /// The session's ARN.
    pub arn: String,
    /// `<role id>:<session name>`.
    pub assumed_role_id: String,
}

/// The `AssumeRole` response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssumeRoleResponse {
    /// The request ID.
    pub request_id: String,
    /// The temporary credentials.
    pub credentials: StsCredentials,
    /// The session identity.
    pub assumed_role_user: AssumedRoleUser,
    /// `SourceIdentity`, when set.
    #[serde(default)]
    pub source_identity: Option<String>,
}

/// `AssumeRoleWithOIDC` parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeRoleWithOidcRequest {
    /// `OIDCProviderArn`: `acs:ram::<uid>:oidc-provider/<name>`.
    pub oidc_provider_arn: String,
    /// `RoleArn`: the role the provider's identities may assume.
    pub role_arn: String,
    /// `OIDCToken`: the ID token as issued (not Base64-encoded), the call's only proof.
    pub oidc_token: Secret,
    /// `RoleSessionName`: 2–64 of `[\w.@-]`.
    pub role_session_name: String,
    /// `DurationSeconds`: 900 up to the role's maximum session duration; STS's default (3600) when unset.
    pub duration_seconds: Option<u32>,
    /// `Policy`: narrows the session's permissions.
    pub policy: Option<String>,
}

/// `OIDCTokenInfo` of an `AssumeRoleWithOIDC` response: what STS read from the token.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OidcTokenInfo {
    /// `sub`.
    #[serde(default)]
    pub subject: Option<String>,
    /// `iss`.
    #[serde(default)]
    pub issuer: Option<String>,
    /// `aud`, comma-joined.
    #[serde(default)]
    pub client_ids: Option<String>,
}

/// The `AssumeRoleWithOIDC` response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssumeRoleWithOidcResponse {
    /// The request ID.
    pub request_id: String,
    /// The temporary credentials.
    pub credentials: StsCredentials,
    /// The session identity.
    pub assumed_role_user: AssumedRoleUser,
    /// The token's claims as STS read them.
    #[serde(default, rename = "OIDCTokenInfo")]
    pub oidc_token_info: Option<OidcTokenInfo>,
}

/// `AssumeRoleWithOIDC`, sent unsigned as the credentials SDKs send it (the token is the proof, and there are no
/// credentials yet to sign with), with the transport's retries and flow control.
pub async fn assume_role_with_oidc(
    transport: &Transport,
    cancel: &CancellationToken,
    request: &AssumeRoleWithOidcRequest,
) -> Result<AssumeRoleWithOidcResponse, ClientError> {
    let params = ActionParams::new()
        .set("OIDCProviderArn", &request.oidc_provider_arn)
        .set("RoleArn", &request.role_arn)
        .set("OIDCToken", request.oidc_token.expose())
        .set("RoleSessionName", &request.role_session_name)
        .set_opt("DurationSeconds", request.duration_seconds)
        .set_opt("Policy", request.policy.as_ref());
    let signer = Signer::Unsigned {
        proof: &request.oidc_token,
    };
    transport
        .call(
            signer,
            cancel,
            Service::Sts,
            "AssumeRoleWithOIDC",
            Effect::Read,
            params,
        )
        .await
}

impl AliCloudClient {
    /// `GetCallerIdentity`.
    pub async fn get_caller_identity(&self) -> Result<CallerIdentity, ClientError> {
        self.call(
            Service::Sts,
            "GetCallerIdentity",
            Effect::Read,
            ActionParams::new(),
        )
        .await
    }

    /// `AssumeRole`.
    pub async fn assume_role(
        &self,
        request: &AssumeRoleRequest,
    ) -> Result<AssumeRoleResponse, ClientError> {
        let params = ActionParams::new()
            .set("RoleArn", &request.role_arn)
            .set("RoleSessionName", &request.role_session_name)
            .set_opt("DurationSeconds", request.duration_seconds)
            .set_opt("Policy", request.policy.as_ref())
            .set_opt("ExternalId", request.external_id.as_ref());
        self.call(Service::Sts, "AssumeRole", Effect::Read, params)
            .await
    }
}
