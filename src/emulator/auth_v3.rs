//! Signature V3 (`ACS3-HMAC-SHA256`) verification, as the POP gateway does it for today's tea SDKs: the
//! `Authorization` header names the key and the headers the client signed (the SDKs disagree on which), the
//! emulator rebuilds the canonical request from what it received (query decoded and re-encoded, body hashed)
//! with the shared signer, and applies v1's clock-skew, nonce and STS-token rules with the same error codes.

use super::auth::{Caller, KeyRing, NonceCache, bad_request, check_timestamp, find_credentials};
use super::error::ApiError;
use crate::ram::signature::v1::signatures_match;
use crate::ram::signature::v3::{self, Authorization, REQUIRED_SIGNED_HEADERS, SignableRequest};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use chrono::{DateTime, Utc};
use std::fmt;

/// What a V3 request brings for its verification, taken from the HTTP request as received.
#[derive(Clone)]
pub struct V3Request {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    authorization: String,
    body_sha256: String,
}

impl fmt::Debug for V3Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Headers hold the security token and the signature: names only.
        let headers: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("V3Request")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("headers", &headers)
            .finish_non_exhaustive()
    }
}

/// Whether an `Authorization` header asks for V3 (`ACS3-…`); a V3 request with another algorithm than
/// `ACS3-HMAC-SHA256` is still V3, refused with `IncompleteSignature`.
pub fn is_v3(headers: &HeaderMap) -> bool {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("ACS3-"))
}

impl V3Request {
    /// The request as received: the raw query is decoded here (`+` and `%20` both mean a space), the body hashed.
    pub fn new(
        method: &str,
        path: &str,
        raw_query: Option<&str>,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Self {
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let authorization = header(&headers, AUTHORIZATION.as_str())
            .unwrap_or_default()
            .to_owned();
        Self {
            method: method.to_owned(),
            path: path.to_owned(),
            query: form_urlencoded::parse(raw_query.unwrap_or_default().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            headers,
            authorization,
            body_sha256: v3::sha256_hex(body),
        }
    }

    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

fn incomplete(detail: impl fmt::Display) -> ApiError {
    bad_request(
        "IncompleteSignature",
        format!("The request signature does not conform to Aliyun standards. {detail}"),
    )
}

fn not_matched(detail: impl fmt::Display) -> ApiError {
    bad_request(
        "SignatureDoesNotMatch",
        format!("Specified signature is not matched with our calculation. {detail}"),
    )
}

/// Verifies a V3 request and returns its caller, recording its nonce on success.
pub fn authenticate(
    request: &V3Request,
    keys: KeyRing<'_>,
    nonces: &mut NonceCache,
    now: DateTime<Utc>,
) -> Result<Caller, ApiError> {
    let authorization = Authorization::parse(&request.authorization).map_err(incomplete)?;
    for required in REQUIRED_SIGNED_HEADERS {
        if request.header(required).is_none_or(str::is_empty) {
            return Err(incomplete(format_args!(
                "The header {required} is required."
            )));
        }
        if !authorization.signed_headers.iter().any(|h| h == required) {
            return Err(incomplete(format_args!(
                "The header {required} must be signed (listed in SignedHeaders)."
            )));
        }
    }
    let date = request.header("x-acs-date").unwrap_or_default();
    check_timestamp(date, now)?;
    // The payload line is the hash of the body received: a client's header claiming another body fails here.
    if request.header("x-acs-content-sha256") != Some(request.body_sha256.as_str()) {
        return Err(not_matched(
            "The x-acs-content-sha256 header is not the SHA-256 of the request body.",
        ));
    }
    let access_key_id = authorization.credential.as_str();
    if let Some(stated) = request.header("x-acs-accesskey-id")
        && stated != access_key_id
    {
        return Err(incomplete(
            "The x-acs-accesskey-id header differs from the Credential of the Authorization header.",
        ));
    }
    let token = request.header("x-acs-security-token");
    let (secret, caller) = find_credentials(access_key_id, token, keys, now)?;
    let signable = SignableRequest {
        method: &request.method,
        path: &request.path,
        query: &request.query,
        headers: &request.headers,
        signed_headers: &authorization.signed_headers,
        payload_sha256: &request.body_sha256,
    };
    let canonical = v3::canonical_request(&signable).map_err(not_matched)?;
    let expected =
        v3::hmac_sha256_hex(secret.as_bytes(), v3::string_to_sign(&canonical).as_bytes());
    if !signatures_match(&expected, &authorization.signature) {
        // The string to sign is the algorithm and a hash: it quotes no credential, so it is echoed whole.
        return Err(not_matched(format_args!(
            "server string to sign is:{}",
            v3::string_to_sign(&canonical)
        )));
    }
    let nonce = request.header("x-acs-signature-nonce").unwrap_or_default();
    if !nonces.record(access_key_id, nonce, now) {
        return Err(bad_request(
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        ));
    }
    Ok(caller)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::accounts::demo_accounts;
    use crate::emulator::auth::{Session, Sessions};
    use crate::emulator::store::Store;
    use crate::emulator::users::seed_declared;
    use axum::http::HeaderValue;
    use chrono::TimeDelta;

    const SIGNED: [&str; 6] = REQUIRED_SIGNED_HEADERS;

    /// A GetRole request signed the way the Node and Go SDKs sign (the required headers only), with its query
    /// sent Python-style (`+` for spaces).
    fn request(
        key_id: &str,
        secret: &str,
        token: Option<&str>,
        nonce: &str,
        date: DateTime<Utc>,
        body: &[u8],
    ) -> V3Request {
        let raw_query = "RoleName=r&Description=a+b%2Bc";
        let mut headers = vec![
            ("host", "127.0.0.1:1".to_owned()),
            ("x-acs-action", "GetRole".to_owned()),
            ("x-acs-version", "2015-05-01".to_owned()),
            ("x-acs-date", crate::emulator::store::format_date(date)),
            ("x-acs-signature-nonce", nonce.to_owned()),
            ("x-acs-content-sha256", v3::sha256_hex(b"")),
        ];
        let mut signed: Vec<String> = SIGNED.iter().map(|h| (*h).to_owned()).collect();
        if let Some(token) = token {
            headers.push(("x-acs-security-token", token.to_owned()));
            signed.push("x-acs-security-token".into());
        }
        let owned: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        let query: Vec<(String, String)> = vec![
            ("RoleName".into(), "r".into()),
            ("Description".into(), "a b+c".into()),
        ];
        let signature = v3::sign(
            &SignableRequest {
                method: "POST",
                path: "/",
                query: &query,
                headers: &owned,
                signed_headers: &signed,
                payload_sha256: &v3::sha256_hex(b""),
            },
            secret,
        )
        .unwrap();
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(name, HeaderValue::from_str(&value).unwrap());
        }
        map.insert(
            AUTHORIZATION,
            HeaderValue::from_str(&v3::authorization(key_id, &signed, &signature)).unwrap(),
        );
        V3Request::new("POST", "/", Some(raw_query), &map, body)
    }

    /// Verifies `request` against the demo accounts, their declared RAM users and `sessions`.
    fn check(
        request: &V3Request,
        sessions: &Sessions,
        nonces: &mut NonceCache,
    ) -> Result<Caller, ApiError> {
        let accounts = demo_accounts();
        let mut store = Store::default();
        seed_declared(&mut store, &accounts, Utc::now()).unwrap();
        let keys = KeyRing {
            accounts: &accounts,
            store: &store,
            sessions,
        };
        authenticate(request, keys, nonces, Utc::now())
    }

    #[test]
    fn a_signed_request_passes_once() {
        let account = &demo_accounts()[0];
        let now = Utc::now();
        let signed = request(
            &account.access_key_id,
            &account.access_key_secret,
            None,
            "n1",
            now,
            b"",
        );
        let mut nonces = NonceCache::default();
        let caller = check(&signed, &Sessions::default(), &mut nonces).unwrap();
        assert_eq!(caller.account_id(), account.account_id);
        let err = check(&signed, &Sessions::default(), &mut nonces).unwrap_err();
        assert_eq!(err.code, "SignatureNonceUsed");
    }

    #[test]
    fn a_ram_users_key_signs_as_the_user_as_in_v1() {
        let account = &demo_accounts()[0];
        let user = &account.users[0];
        let signed = request(
            &user.access_key_id,
            &user.access_key_secret,
            None,
            "u1",
            Utc::now(),
            b"",
        );
        let caller = check(&signed, &Sessions::default(), &mut NonceCache::default()).unwrap();
        assert!(
            matches!(&caller, Caller::User { account_id, user_name, .. }
                if *account_id == account.account_id && *user_name == user.name),
            "{caller:?}"
        );
        let forged = request(
            &user.access_key_id,
            &account.access_key_secret,
            None,
            "u2",
            Utc::now(),
            b"",
        );
        let err = check(&forged, &Sessions::default(), &mut NonceCache::default()).unwrap_err();
        assert_eq!(err.code, "SignatureDoesNotMatch");
    }

    #[test]
    fn bad_signatures_dates_and_bodies_are_refused_with_v1_codes() {
        let account = &demo_accounts()[0];
        let now = Utc::now();
        let mut nonces = NonceCache::default();
        let sessions = Sessions::default();
        let wrong = request(&account.access_key_id, "wrong", None, "n2", now, b"");
        let err = check(&wrong, &sessions, &mut nonces).unwrap_err();
        assert_eq!(err.code, "SignatureDoesNotMatch");
        assert!(
            err.message
                .contains("server string to sign is:ACS3-HMAC-SHA256\n"),
            "{}",
            err.message
        );
        let old = request(
            &account.access_key_id,
            &account.access_key_secret,
            None,
            "n3",
            now - TimeDelta::minutes(16),
            b"",
        );
        assert_eq!(
            check(&old, &sessions, &mut nonces).unwrap_err().code,
            "InvalidTimeStamp.Expired"
        );
        let body = request(
            &account.access_key_id,
            &account.access_key_secret,
            None,
            "n4",
            now,
            b"x=1",
        );
        let err = check(&body, &sessions, &mut nonces).unwrap_err();
        assert_eq!(err.code, "SignatureDoesNotMatch");
        assert!(
            err.message.contains("x-acs-content-sha256"),
            "{}",
            err.message
        );
        let unknown = request("nobody", "s", None, "n5", now, b"");
        assert_eq!(
            check(&unknown, &sessions, &mut nonces).unwrap_err().code,
            "InvalidAccessKeyId.NotFound"
        );
    }

    #[test]
    fn malformed_or_incomplete_authorization_is_incomplete_signature() {
        let account = &demo_accounts()[0];
        let mut signed = request(
            &account.access_key_id,
            &account.access_key_secret,
            None,
            "n6",
            Utc::now(),
            b"",
        );
        signed.authorization = signed
            .authorization
            .replace("ACS3-HMAC-SHA256", "ACS3-HMAC-SM3");
        let err = check(&signed, &Sessions::default(), &mut NonceCache::default()).unwrap_err();
        assert_eq!(err.code, "IncompleteSignature");
        assert!(err.message.contains("ACS3-HMAC-SM3"), "{}", err.message);
        let mut signed = request(
            &account.access_key_id,
            &account.access_key_secret,
            None,
            "n7",
            Utc::now(),
            b"",
        );
        signed.authorization = signed.authorization.replace("x-acs-date;", "");
        let err = check(&signed, &Sessions::default(), &mut NonceCache::default()).unwrap_err();
        assert_eq!(err.code, "IncompleteSignature");
        assert!(
            err.message.contains("x-acs-date must be signed"),
            "{}",
            err.message
        );
    }

    #[test]
    fn sts_keys_bring_their_token_in_a_header() {
        let now = Utc::now();
        let caller = Caller::AssumedRole {
            account_id: "1111000011110001".into(),
            role_name: "r".into(),
            role_id: "3".into(),
            session_name: "s".into(),
            session_policy: None,
        };
        let mut sessions = Sessions::default();
        let session = Session {
            access_key_secret: "session-secret".into(),
            security_token: "token".into(),
            expires_at: now + TimeDelta::minutes(15),
            caller: caller.clone(),
        };
        sessions.insert("STS.live".into(), session, now);
        let mut nonces = NonceCache::default();
        let ok = request("STS.live", "session-secret", Some("token"), "t1", now, b"");
        assert_eq!(check(&ok, &sessions, &mut nonces).unwrap(), caller);
        let wrong = request("STS.live", "session-secret", Some("other"), "t2", now, b"");
        assert_eq!(
            check(&wrong, &sessions, &mut nonces).unwrap_err().code,
            "InvalidSecurityToken.MismatchWithAccessKey"
        );
        let none = request("STS.live", "session-secret", None, "t3", now, b"");
        assert_eq!(
            check(&none, &sessions, &mut nonces).unwrap_err().code,
            "MissingSecurityToken"
        );
    }
}
