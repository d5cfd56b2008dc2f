//! The STS actions (API version 2015-04-01): GetCallerIdentity, and AssumeRole judged against the target role's
//! trust policy, issuing credentials that work for later calls until they expire. AssumeRoleWithOIDC, unsigned,
//! is in [`super::sts_oidc`] and shares the parameter rules and the issuing here.

use super::auth::{Caller, STS_KEY_PREFIX, Session, Sessions};
use super::error::ApiError;
use super::params::Params;
use super::store::{Role, Store, format_date, parse_role_arn};
use super::users::user_arn;
use crate::ram::permission_policy::PermissionPolicy;
use crate::ram::trust_policy::judge::{Requester, judge};
use axum::http::StatusCode;
use base64::Engine as _;
use chrono::{DateTime, TimeDelta, Utc};
use rand::Rng as _;
use rand::distr::Alphanumeric;
use serde_json::{Value, json};

/// Shortest session AssumeRole grants, in seconds.
const MIN_DURATION_SECONDS: i64 = 900;
/// Session length when `DurationSeconds` is not given.
const DEFAULT_DURATION_SECONDS: i64 = 3600;
/// Longest inline session policy accepted.
const MAX_SESSION_POLICY_CHARS: usize = 2048;

/// The STS actions the emulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StsAction {
    /// `GetCallerIdentity`.
    GetCallerIdentity,
    /// `AssumeRole`.
    AssumeRole,
}

impl StsAction {
    /// The action called `name`, if served.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "GetCallerIdentity" => Some(Self::GetCallerIdentity),
            "AssumeRole" => Some(Self::AssumeRole),
            _ => None,
        }
    }
}

/// `GetCallerIdentity`: who signed the request.
pub fn get_caller_identity(caller: &Caller) -> Value {
    match caller {
        Caller::Root { account_id } => json!({
            "AccountId": account_id,
            "Arn": format!("acs:ram::{account_id}:root"),
            "IdentityType": "Account",
            "PrincipalId": account_id,
            "UserId": account_id,
        }),
        Caller::User {
            account_id,
            user_name,
            user_id,
        } => json!({
            "AccountId": account_id,
            "Arn": user_arn(account_id, user_name),
            "IdentityType": "RAMUser",
            "PrincipalId": user_id,
            "UserId": user_id,
        }),
        Caller::AssumedRole {
            account_id,
            role_name,
            role_id,
            session_name,
            ..
        } => json!({
            "AccountId": account_id,
            "Arn": format!("acs:ram::{account_id}:assumed-role/{role_name}/{session_name}"),
            "IdentityType": "AssumedRoleUser",
            "PrincipalId": format!("{role_id}:{session_name}"),
            "RoleId": role_id,
        }),
    }
}

/// Credentials `AssumeRole` issued: the response body, and the session to record so that they work.
#[derive(Debug)]
pub struct Issued {
    /// The response body.
    pub body: Value,
    /// The new STS access key id.
    pub access_key_id: String,
    /// The session behind it.
    pub session: Session,
}

impl Issued {
    /// Records the session in `sessions` and returns the response body.
    pub fn record(self, sessions: &mut Sessions, now: DateTime<Utc>) -> Value {
        sessions.insert(self.access_key_id, self.session, now);
        self.body
    }
}

/// `AssumeRole`: issues credentials for the role named by `RoleArn` when its trust policy admits the caller (its
/// account, the user itself, or for a role session its role; and any `sts:ExternalId` condition holds). Root
/// keys are refused, as the real STS refuses them. The caller's own permission (`sts:AssumeRole` on the role) is
/// authorized before this runs. Pure: the caller records the session.
pub fn assume_role(
    params: &Params,
    caller: &Caller,
    store: &Store,
    now: DateTime<Utc>,
) -> Result<Issued, ApiError> {
    if matches!(caller, Caller::Root { .. }) {
        // The message of Alibaba's STS documentation; the status is 403 like every NoPermission (a mock in
        // aliyun-sts-go-sdk sends 400, but the real status was never captured).
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "NoPermission",
            "Roles may not be assumed by root accounts.",
        ));
    }
    let role_arn = params.required("RoleArn")?;
    let (owner, role_name) = parse_role_arn(role_arn).ok_or_else(|| {
        ApiError::invalid(
            "RoleArn",
            "The parameter RoleArn is wrongly formed, expected acs:ram::<uid>:role/<name>.",
        )
    })?;
    let session_name = session_name_param(params)?;
    let external_id = external_id_param(params)?;
    let session_policy = session_policy_param(params)?;
    let role = store
        .visible_role(owner, role_name, now.timestamp_millis())
        .ok_or_else(|| ApiError::role_not_found(role_name))?;
    let duration = duration_param(params, role)?;
    let verdict = judge(
        &role.trust_policy,
        owner,
        &Requester::Account {
            account_id: caller.account_id().to_owned(),
            external_id: external_id.map(str::to_owned),
            identity: Some(caller.principal_arn()),
        },
    );
    if !verdict.allowed {
        // STS's documented message, then why the trust policy refused.
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "NoPermission",
            format!(
                "No permission perform sts:AssumeRole on this Role. Maybe you are not authorized to perform \
                 sts:AssumeRole or the specified role does not trust you. ({})",
                verdict.reason
            ),
        ));
    }
    let mut issued = issue(owner, role, session_name, session_policy, duration, now);
    if let Some(body) = issued.body.as_object_mut() {
        body.insert(
            "SourceIdentity".into(),
            Value::String(params.optional("SourceIdentity").unwrap_or("").to_owned()),
        );
    }
    Ok(issued)
}

/// New credentials for a session of `role` (owned by `owner`) named `session_name`, limited by `session_policy`,
/// lasting `duration_seconds` from `now`: the body's `Credentials` and `AssumedRoleUser`, and the session.
pub(super) fn issue(
    owner: &str,
    role: &Role,
    session_name: &str,
    session_policy: Option<&str>,
    duration_seconds: i64,
    now: DateTime<Utc>,
) -> Issued {
    let access_key_id = format!("{STS_KEY_PREFIX}NT{}", random_text(26));
    let access_key_secret = random_text(44);
    let security_token = new_security_token();
    let expires_at = now + TimeDelta::seconds(duration_seconds);
    let assumed = Caller::AssumedRole {
        account_id: owner.to_owned(),
        role_name: role.role_name.clone(),
        role_id: role.role_id.clone(),
        session_name: session_name.to_owned(),
        session_policy: session_policy.map(str::to_owned),
    };
    let session = Session {
        access_key_secret: access_key_secret.clone(),
        security_token: security_token.clone(),
        expires_at,
        caller: assumed,
    };
    let body = json!({
        "Credentials": {
            "AccessKeyId": access_key_id,
            "AccessKeySecret": access_key_secret,
            "SecurityToken": security_token,
            "Expiration": format_date(expires_at),
        },
        "AssumedRoleUser": {
            "Arn": format!("acs:ram::{owner}:role/{}/{session_name}", role.role_name),
            "AssumedRoleId": format!("{}:{session_name}", role.role_id),
        },
    });
    Issued {
        body,
        access_key_id,
        session,
    }
}

/// `Policy`: at most 2048 characters of a permission policy RAM's grammar accepts.
pub(super) fn session_policy_param(params: &Params) -> Result<Option<&str>, ApiError> {
    let Some(policy) = params.optional("Policy") else {
        return Ok(None);
    };
    if policy.chars().count() > MAX_SESSION_POLICY_CHARS {
        return Err(ApiError::invalid("PolicySize", "The policy is too long."));
    }
    if let Err(e) = PermissionPolicy::parse(policy) {
        return Err(ApiError::invalid(
            "PolicyGrammar",
            format!("The parameter Policy has not passed grammar check: {e}."),
        ));
    }
    Ok(Some(policy))
}

/// `DurationSeconds`: 900 seconds up to the role's `MaxSessionDuration`; 3600 (or the role's maximum, if shorter)
/// when left out.
pub(super) fn duration_param(params: &Params, role: &Role) -> Result<i64, ApiError> {
    let duration = params
        .optional_int("DurationSeconds")?
        .unwrap_or(DEFAULT_DURATION_SECONDS.min(role.max_session_duration));
    if !(MIN_DURATION_SECONDS..=role.max_session_duration).contains(&duration) {
        return Err(ApiError::invalid(
            "DurationSeconds",
            format!(
                "The Min/Max value of DurationSeconds is {MIN_DURATION_SECONDS}/{} seconds.",
                role.max_session_duration
            ),
        ));
    }
    Ok(duration)
}

/// `RoleSessionName`: 2 to 64 letters, digits, `_`, `.`, `@` or `-`.
pub(super) fn session_name_param(params: &Params) -> Result<&str, ApiError> {
    let name = params.required("RoleSessionName")?;
    let valid = (2..=64).contains(&name.chars().count())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'@' | b'-'));
    if valid {
        Ok(name)
    } else {
        Err(ApiError::invalid(
            "RoleSessionName",
            "The parameter RoleSessionName must be 2 to 64 characters of letters, digits, _ . @ -.",
        ))
    }
}

fn external_id_param(params: &Params) -> Result<Option<&str>, ApiError> {
    let Some(id) = params.optional("ExternalId") else {
        return Ok(None);
    };
    let valid = (2..=1224).contains(&id.chars().count())
        && id.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'_' | b'+' | b'=' | b',' | b'.' | b'@' | b':' | b'/' | b'-'
                )
        });
    if valid {
        Ok(Some(id))
    } else {
        Err(ApiError::invalid(
            "ExternalId",
            "The parameter ExternalId must be 2 to 1224 characters of letters, digits, _+=,.@:/-.",
        ))
    }
}

/// `len` random letters and digits (key ids and secrets).
pub(super) fn random_text(len: usize) -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// A long opaque token, starting like real ones do.
fn new_security_token() -> String {
    let mut bytes = [0u8; 96];
    rand::rng().fill(&mut bytes[..]);
    format!(
        "CAIS{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_of_root_and_of_a_role_session() {
        let root = get_caller_identity(&Caller::Root {
            account_id: "1".into(),
        });
        assert_eq!(root["Arn"], "acs:ram::1:root");
        assert_eq!(root["IdentityType"], "Account");
        let role = get_caller_identity(&Caller::AssumedRole {
            account_id: "1".into(),
            role_name: "r".into(),
            role_id: "9".into(),
            session_name: "s".into(),
            session_policy: None,
        });
        assert_eq!(role["Arn"], "acs:ram::1:assumed-role/r/s");
        assert_eq!(role["IdentityType"], "AssumedRoleUser");
        assert_eq!(role["RoleId"], "9");
    }
}
