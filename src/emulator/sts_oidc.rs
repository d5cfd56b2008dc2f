//! STS `AssumeRoleWithOIDC` (2015-04-01): an ID token of a registered OIDC provider exchanged for a role
//! session, called without a signature as the SDKs call it (the token is the credential; STS documents "No
//! authorization for this operation").
//!
//! In order: the parameters; the provider (`OIDCProviderArn`, of IMS, [`super::oidc_providers`]); the role
//! (`RoleArn`) and the session length; the token, verified RS256 with the keys found through the provider's issuer
//! ([`super::oidc_keys`]), its `iss`, its `aud` among the provider's client IDs, `exp`/`nbf`/`iat`
//! ([`super::oidc_token`]) and the provider's `IssuanceLimitTime`; then the role's trust policy, which must admit
//! the provider through a Federated principal and its `oidc:iss` / `oidc:aud` / `oidc:sub` conditions (RAM's one
//! judgement, [`crate::ram::trust_policy::judge`]). The session acts as the role, under its policies.
//!
//! Codes and messages as STS answers them where known (reference §5): `AuthenticationFail.NoPermission`
//! ("No such OIDC Provider registered.", or "There is no permission" when the trust policy refuses, followed here
//! by why), `AuthenticationFail.OIDCToken.*`, `EntityNotExist.Role`.

use super::error::ApiError;
use super::oidc_keys::IssuerKeys;
use super::oidc_providers::{parse_provider_arn, provider_arn};
use super::oidc_token::{Expectations, key_id, verify};
use super::params::Params;
use super::store::{Store, format_date, parse_role_arn};
use super::sts::{self, Issued};
use crate::ram::trust_policy::judge::{Requester, judge};
use axum::http::StatusCode;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;

/// The shortest and longest `OIDCToken` accepted, in characters.
const TOKEN_CHARS: std::ops::RangeInclusive<usize> = 4..=20_000;

fn no_permission(message: impl Into<String>) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "AuthenticationFail.NoPermission",
        message,
    )
}

/// The account a request of `AssumeRoleWithOIDC` acts in, for the statistics: the role's owner.
pub fn role_owner(params: &Params) -> Option<String> {
    parse_role_arn(params.get("RoleArn")?).map(|(owner, _)| owner.to_owned())
}

/// `AssumeRoleWithOIDC` on `store`, fetching the issuer's keys through `keys`. The caller records the session.
pub async fn assume_role_with_oidc(
    keys: &IssuerKeys,
    params: &Params,
    store: &Store,
    now: DateTime<Utc>,
) -> Result<Issued, ApiError> {
    let provider_param = params.required("OIDCProviderArn")?;
    let role_arn = params.required("RoleArn")?;
    let token = params.required("OIDCToken")?;
    if !TOKEN_CHARS.contains(&token.chars().count()) {
        return Err(ApiError::invalid(
            "OIDCToken.Length",
            format!(
                "The parameter - \"OIDCToken\" must be {} to {} characters (the original token, not Base64-encoded).",
                TOKEN_CHARS.start(),
                TOKEN_CHARS.end()
            ),
        ));
    }
    let session_name = sts::session_name_param(params)?;
    let session_policy = sts::session_policy_param(params)?;

    let (provider_owner, provider_name) = parse_provider_arn(provider_param)
        .ok_or_else(|| no_permission("No such OIDC Provider registered."))?;
    let provider = store
        .account(provider_owner)
        .and_then(|a| a.oidc_providers.get(provider_name))
        .ok_or_else(|| no_permission("No such OIDC Provider registered."))?;
    let (owner, role_name) = parse_role_arn(role_arn).ok_or_else(|| {
        ApiError::invalid(
            "RoleArn",
            "The parameter RoleArn is wrongly formed, expected acs:ram::<uid>:role/<name>.",
        )
    })?;
    let role = store
        .visible_role(owner, role_name, now.timestamp_millis())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "EntityNotExist.Role",
                format!("The role not exists: {role_arn}. "),
            )
        })?;
    let duration = sts::duration_param(params, role)?;

    let issuer = provider.issuer_url.as_str();
    let keys = keys
        .keys(issuer, key_id(token).as_deref())
        .await
        .map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "AuthenticationFail.OIDCToken.IssuerConfigurationBroken",
                format!("Get public keys from OIDC Provider failed, the issuer is {issuer}. ({e})"),
            )
        })?;
    let claims = verify(
        token,
        &keys,
        &Expectations {
            issuer,
            client_ids: &provider.client_ids,
            now,
        },
    )?;
    let limit = TimeDelta::hours(provider.issuance_limit_hours);
    if now - claims.issued_at > limit {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "AuthenticationFail.OIDCToken.Invalid",
            format!(
                "The OIDC token was issued at {}, more than the provider's IssuanceLimitTime of {} hours ago.",
                format_date(claims.issued_at),
                provider.issuance_limit_hours
            ),
        ));
    }

    let canonical_provider = provider_arn(provider_owner, &provider.name);
    let verdict = judge(
        &role.trust_policy,
        owner,
        &Requester::Oidc {
            provider_arn: canonical_provider,
            issuer: claims.issuer.clone(),
            audiences: claims.audiences.clone(),
            subject: claims.subject.clone(),
        },
    );
    if !verdict.allowed {
        return Err(no_permission(format!(
            "There is no permission. ({})",
            verdict.reason
        )));
    }

    let mut issued = sts::issue(owner, role, session_name, session_policy, duration, now);
    if let Some(body) = issued.body.as_object_mut() {
        body.insert("SourceIdentity".into(), Value::String(String::new()));
        body.insert(
            "OIDCTokenInfo".into(),
            serde_json::json!({
                "Subject": claims.subject,
                "Issuer": claims.issuer,
                "ClientIds": claims.audiences.join(","),
                "ExpirationTime": format_date(claims.expires_at),
                "IssuanceTime": format_date(claims.issued_at),
                "VerificationInfo": "Success",
            }),
        );
    }
    Ok(issued)
}
