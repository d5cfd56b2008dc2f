//! Authentication of API requests as Alibaba's gateway does it: signature v1 (HMAC-SHA1) over every parameter,
//! a 15-minute `Timestamp` window, single-use `SignatureNonce`s, and the `SecurityToken` of STS credentials.
//! Also the STS credential sessions themselves, issued by AssumeRole.

use super::accounts::Account;
use super::error::ApiError;
use super::params::Params;
use super::store::Store;
use super::users::find_access_key;
use crate::ram::signature::v1::{
    SIGNATURE_METHOD, SIGNATURE_VERSION, SignableRequest, sign, signatures_match, string_to_sign,
};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;

/// How far a request's `Timestamp` may be from the server clock.
pub const TIMESTAMP_WINDOW: TimeDelta = TimeDelta::minutes(15);

/// How long an expired session is remembered, so its use gets `InvalidSecurityToken.Expired` rather than
/// `InvalidAccessKeyId.NotFound`.
const EXPIRED_SESSION_MEMORY: TimeDelta = TimeDelta::hours(1);

/// The prefix of every STS access key id.
pub const STS_KEY_PREFIX: &str = "STS.";

/// Who made an authenticated request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// The root identity of an account, signing with its access key.
    Root {
        /// The account UID.
        account_id: String,
    },
    /// A RAM user, signing with one of its access keys.
    User {
        /// The UID of the account owning the user.
        account_id: String,
        /// The user name.
        user_name: String,
        /// The numeric user id.
        user_id: String,
    },
    /// A role session, signing with STS credentials from AssumeRole.
    AssumedRole {
        /// The UID of the account owning the role.
        account_id: String,
        /// The role name.
        role_name: String,
        /// The role id.
        role_id: String,
        /// The session name given to AssumeRole.
        session_name: String,
        /// The `Policy` given to AssumeRole: the session may do only what both it and the role's policies allow.
        session_policy: Option<String>,
    },
}

impl Caller {
    /// The caller's own ARN as trust policies name it: `acs:ram::<uid>:user/<name>` for a RAM user,
    /// `acs:ram::<uid>:role/<name>` for a role session, `acs:ram::<uid>:root` for the account.
    pub fn principal_arn(&self) -> String {
        match self {
            Caller::Root { account_id } => format!("acs:ram::{account_id}:root"),
            Caller::User {
                account_id,
                user_name,
                ..
            } => super::users::user_arn(account_id, user_name),
            Caller::AssumedRole {
                account_id,
                role_name,
                ..
            } => super::store::role_arn(account_id, role_name),
        }
    }

    /// The account the caller acts in.
    pub fn account_id(&self) -> &str {
        match self {
            Caller::Root { account_id }
            | Caller::User { account_id, .. }
            | Caller::AssumedRole { account_id, .. } => account_id,
        }
    }
}

/// STS credentials issued by AssumeRole, and the identity they carry.
#[derive(Clone)]
pub struct Session {
    /// The access key secret.
    pub access_key_secret: String,
    /// The security token that must accompany every request.
    pub security_token: String,
    /// When the credentials stop working.
    pub expires_at: DateTime<Utc>,
    /// The identity of the session (always [`Caller::AssumedRole`]).
    pub caller: Caller,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("expires_at", &self.expires_at)
            .field("caller", &self.caller)
            .finish_non_exhaustive()
    }
}

/// The live STS sessions by access key id.
#[derive(Debug, Default)]
pub struct Sessions {
    by_key_id: HashMap<String, Session>,
}

impl Sessions {
    /// Records a new session under `access_key_id`, forgetting sessions long expired.
    pub fn insert(&mut self, access_key_id: String, session: Session, now: DateTime<Utc>) {
        self.by_key_id
            .retain(|_, s| s.expires_at + EXPIRED_SESSION_MEMORY > now);
        self.by_key_id.insert(access_key_id, session);
    }

    /// Forgets every session.
    pub fn clear(&mut self) {
        self.by_key_id.clear();
    }
}

/// The nonces seen within the timestamp window, per access key.
#[derive(Debug, Default)]
pub struct NonceCache {
    seen: HashSet<(String, String)>,
    by_expiry: VecDeque<(DateTime<Utc>, (String, String))>,
}

impl NonceCache {
    /// Records `nonce` for `access_key_id`; false if it was already used within the window.
    pub fn record(&mut self, access_key_id: &str, nonce: &str, now: DateTime<Utc>) -> bool {
        while let Some((expiry, _)) = self.by_expiry.front() {
            if *expiry > now {
                break;
            }
            if let Some((_, key)) = self.by_expiry.pop_front() {
                self.seen.remove(&key);
            }
        }
        let key = (access_key_id.to_owned(), nonce.to_owned());
        if !self.seen.insert(key.clone()) {
            return false;
        }
        // A nonce must stay remembered as long as a request carrying it could still pass the timestamp check.
        self.by_expiry.push_back((now + TIMESTAMP_WINDOW * 2, key));
        true
    }

    /// Forgets every nonce.
    pub fn clear(&mut self) {
        self.seen.clear();
        self.by_expiry.clear();
    }
}

/// Where a request's access key is looked up: the accounts' root keys, the RAM users' keys (in the store), and
/// the live STS sessions.
#[derive(Debug, Clone, Copy)]
pub struct KeyRing<'a> {
    /// The accounts and their root keys.
    pub accounts: &'a [Account],
    /// The store, holding the users' keys.
    pub store: &'a Store,
    /// The STS sessions.
    pub sessions: &'a Sessions,
}

/// Verifies the request and returns its caller, recording its nonce on success.
pub fn authenticate(
    method: &str,
    params: &Params,
    keys: KeyRing<'_>,
    nonces: &mut NonceCache,
    now: DateTime<Utc>,
) -> Result<Caller, ApiError> {
    let access_key_id = params.required("AccessKeyId")?;
    let presented = params.required("Signature")?;
    let nonce = params.required("SignatureNonce")?;
    let timestamp = params.required("Timestamp")?;
    if params.required("SignatureMethod")? != SIGNATURE_METHOD {
        return Err(bad_request(
            "InvalidSignatureMethod",
            "Specified signature method is not supported.",
        ));
    }
    if params.required("SignatureVersion")? != SIGNATURE_VERSION {
        return Err(bad_request(
            "InvalidSignatureVersion",
            "Specified signature version is not supported.",
        ));
    }
    check_timestamp(timestamp, now)?;

    let token = params.optional("SecurityToken");
    let (secret, caller) = find_credentials(access_key_id, token, keys, now)?;
    let signed: Vec<(String, String)> = params
        .pairs()
        .iter()
        .filter(|(k, _)| k != "Signature")
        .cloned()
        .collect();
    let request = SignableRequest {
        method,
        params: &signed,
    };
    if !signatures_match(&sign(&request, secret), presented) {
        return Err(bad_request(
            "SignatureDoesNotMatch",
            format!(
                "Specified signature is not matched with our calculation. server string to sign is:{}",
                redacted_string_to_sign(method, &signed)
            ),
        ));
    }
    if !nonces.record(access_key_id, nonce, now) {
        return Err(bad_request(
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        ));
    }
    Ok(caller)
}

pub(super) fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}

/// Checks a `Timestamp` (v1) or `x-acs-date` (V3) against the server clock.
pub(super) fn check_timestamp(timestamp: &str, now: DateTime<Utc>) -> Result<(), ApiError> {
    let at = NaiveDateTime::parse_from_str(timestamp, "%Y-%m-%dT%H:%M:%SZ")
        .map(|t| t.and_utc())
        .map_err(|_| {
            bad_request(
                "InvalidTimeStamp.Format",
                "Specified time stamp or date value is not well formatted.",
            )
        })?;
    if (now - at).abs() > TIMESTAMP_WINDOW {
        return Err(bad_request(
            "InvalidTimeStamp.Expired",
            format!(
                "Specified time stamp or date value is expired. Server time is {}.",
                super::store::format_date(now)
            ),
        ));
    }
    Ok(())
}

/// The secret and identity of `access_key_id` (an account's root key, a RAM user's key or an STS session's);
/// STS keys need their session's `token` (v1 sends it as `SecurityToken`, V3 as `x-acs-security-token`).
pub(super) fn find_credentials<'a>(
    access_key_id: &str,
    token: Option<&str>,
    keys: KeyRing<'a>,
    now: DateTime<Utc>,
) -> Result<(&'a str, Caller), ApiError> {
    let not_found = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        )
    };
    if !access_key_id.starts_with(STS_KEY_PREFIX) {
        if let Some(account) = keys
            .accounts
            .iter()
            .find(|a| a.access_key_id == access_key_id)
        {
            let caller = Caller::Root {
                account_id: account.account_id.clone(),
            };
            return Ok((&account.access_key_secret, caller));
        }
        let (account_id, user, key) =
            find_access_key(keys.store, access_key_id).ok_or_else(not_found)?;
        if key.status != "Active" {
            return Err(bad_request(
                "InvalidAccessKeyId.Inactive",
                "Specified access key is disabled.",
            ));
        }
        let caller = Caller::User {
            account_id: account_id.to_owned(),
            user_name: user.user_name.clone(),
            user_id: user.user_id.clone(),
        };
        return Ok((&key.access_key_secret, caller));
    }
    let session = keys
        .sessions
        .by_key_id
        .get(access_key_id)
        .ok_or_else(not_found)?;
    let token = token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::missing("SecurityToken"))?;
    if !signatures_match(&session.security_token, token) {
        return Err(bad_request(
            "InvalidSecurityToken.MismatchWithAccessKey",
            "Specified SecurityToken mismatch with the AccessKey.",
        ));
    }
    if session.expires_at <= now {
        return Err(bad_request(
            "InvalidSecurityToken.Expired",
            "Specified SecurityToken is expired.",
        ));
    }
    Ok((&session.access_key_secret, session.caller.clone()))
}

/// The string to sign, echoed in `SignatureDoesNotMatch` as the real gateway does, with the security token
/// replaced so no credential reaches the response.
fn redacted_string_to_sign(method: &str, signed: &[(String, String)]) -> String {
    let shown: Vec<(String, String)> = signed
        .iter()
        .map(|(k, v)| {
            let v = if k == "SecurityToken" {
                "<redacted>"
            } else {
                v
            };
            (k.clone(), v.to_owned())
        })
        .collect();
    string_to_sign(&SignableRequest {
        method,
        params: &shown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::accounts::demo_accounts;

    fn signed_params(secret: &str, nonce: &str, timestamp: &str) -> Params {
        let account = &demo_accounts()[0];
        let mut pairs: Vec<(String, String)> = [
            ("AccessKeyId", account.access_key_id.as_str()),
            ("Action", "GetRole"),
            ("Format", "JSON"),
            ("RoleName", "r"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", nonce),
            ("SignatureVersion", "1.0"),
            ("Timestamp", timestamp),
            ("Version", "2015-05-01"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let signature = sign(
            &SignableRequest {
                method: "POST",
                params: &pairs,
            },
            secret,
        );
        pairs.push(("Signature".into(), signature));
        Params::from_pairs(pairs)
    }

    fn check(
        params: &Params,
        nonces: &mut NonceCache,
        now: DateTime<Utc>,
    ) -> Result<Caller, ApiError> {
        let keys = KeyRing {
            accounts: &demo_accounts(),
            store: &Store::default(),
            sessions: &Sessions::default(),
        };
        authenticate("POST", params, keys, nonces, now)
    }

    #[test]
    fn valid_signature_then_nonce_reuse() {
        let now = Utc::now();
        let ts = super::super::store::format_date(now);
        let secret = demo_accounts()[0].access_key_secret.clone();
        let params = signed_params(&secret, "n-1", &ts);
        let mut nonces = NonceCache::default();
        let caller = check(&params, &mut nonces, now).unwrap();
        assert_eq!(caller.account_id(), demo_accounts()[0].account_id);
        assert_eq!(
            check(&params, &mut nonces, now).unwrap_err().code,
            "SignatureNonceUsed"
        );
    }

    #[test]
    fn wrong_secret_and_old_timestamp_are_refused() {
        let now = Utc::now();
        let ts = super::super::store::format_date(now);
        let mut nonces = NonceCache::default();
        let err = check(&signed_params("wrong", "n-2", &ts), &mut nonces, now).unwrap_err();
        assert_eq!(err.code, "SignatureDoesNotMatch");
        assert!(err.message.contains("POST&%2F&"));
        let secret = demo_accounts()[0].access_key_secret.clone();
        let old = super::super::store::format_date(now - TimeDelta::minutes(16));
        let err = check(&signed_params(&secret, "n-3", &old), &mut nonces, now).unwrap_err();
        assert_eq!(err.code, "InvalidTimeStamp.Expired");
    }

    #[test]
    fn sts_credentials_need_their_token_and_expire() {
        let now = Utc::now();
        let ts = super::super::store::format_date(now);
        let mut sessions = Sessions::default();
        let caller = Caller::AssumedRole {
            account_id: "1111000011110001".into(),
            role_name: "r".into(),
            role_id: "3".into(),
            session_name: "s".into(),
            session_policy: None,
        };
        for (key_id, expires_at) in [
            ("STS.live", now + TimeDelta::minutes(15)),
            ("STS.expired", now - TimeDelta::seconds(1)),
        ] {
            let session = Session {
                access_key_secret: "session-secret".into(),
                security_token: "token".into(),
                expires_at,
                caller: caller.clone(),
            };
            sessions.insert(key_id.into(), session, now);
        }
        let request = |key_id: &str, token: &str, nonce: &str| {
            let mut pairs: Vec<(String, String)> = [
                ("AccessKeyId", key_id),
                ("SecurityToken", token),
                ("SignatureMethod", "HMAC-SHA1"),
                ("SignatureNonce", nonce),
                ("SignatureVersion", "1.0"),
                ("Timestamp", ts.as_str()),
            ]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
            let signature = sign(
                &SignableRequest {
                    method: "POST",
                    params: &pairs,
                },
                "session-secret",
            );
            pairs.push(("Signature".into(), signature));
            Params::from_pairs(pairs)
        };
        let mut nonces = NonceCache::default();
        let store = Store::default();
        let keys = KeyRing {
            accounts: &[],
            store: &store,
            sessions: &sessions,
        };
        let mut check = |params: Params| authenticate("POST", &params, keys, &mut nonces, now);
        assert_eq!(check(request("STS.live", "token", "1")).unwrap(), caller);
        let err = check(request("STS.live", "other", "2")).unwrap_err();
        assert_eq!(err.code, "InvalidSecurityToken.MismatchWithAccessKey");
        let err = check(request("STS.expired", "token", "3")).unwrap_err();
        assert_eq!(err.code, "InvalidSecurityToken.Expired");
        let err = check(request("STS.unknown", "token", "4")).unwrap_err();
        assert_eq!(err.code, "InvalidAccessKeyId.NotFound");
    }

    #[test]
    fn nonces_are_forgotten_after_the_window() {
        let now = Utc::now();
        let mut nonces = NonceCache::default();
        assert!(nonces.record("k", "n", now));
        assert!(!nonces.record("k", "n", now + TimeDelta::minutes(10)));
        assert!(nonces.record("other", "n", now));
        assert!(nonces.record("k", "n", now + TimeDelta::minutes(31)));
    }
}
