//! The emulator's own OIDC issuer, so tests, the demo and users can try `AssumeRoleWithOIDC` with no network:
//! an OpenID discovery document and a JWKS under `/_emulator/oidc`, and ID tokens minted on request
//! (`POST /_emulator/oidc/token`), signed RS256 with a key the emulator generates the first time it is needed and
//! keeps until it stops. Its issuer URL is `http://<the Host the caller used>/_emulator/oidc`, so
//! `http://127.0.0.1:<port>/_emulator/oidc` for a client of `http://127.0.0.1:<port>`. Like the rest of the
//! admin API it answers loopback callers only; STS fetches its keys over real HTTP, as from any issuer.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::fmt;

/// Where the issuer lives on the emulator's endpoint.
pub const PATH: &str = "/_emulator/oidc";

/// The `kid` of the issuer's one key.
pub const KEY_ID: &str = "aliram-emulator-1";

/// A token's lifetime when the request gives none, in seconds.
const DEFAULT_LIFETIME_SECONDS: i64 = 3600;
/// The longest lifetime minted, in seconds (a day: test tokens need no more).
const MAX_LIFETIME_SECONDS: i64 = 86_400;
/// How long before the request an `expired` token stopped being valid: well past any clock-skew allowance.
const EXPIRED_AGO: TimeDelta = TimeDelta::hours(1);

/// Why the issuer cannot sign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssuerError {
    /// The RSA key could not be generated.
    #[error("generating the test issuer's RSA key failed: {0}")]
    Key(String),
    /// Signing failed.
    #[error("signing the ID token failed: {0}")]
    Sign(String),
    /// The request asks for something the issuer does not mint.
    #[error("{0}")]
    Request(String),
}

/// The issuer's signing key.
pub struct TestIssuer {
    key: KeyPair,
}

impl fmt::Debug for TestIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestIssuer").finish_non_exhaustive()
    }
}

/// `aud`: one audience or several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    /// One audience, written as a string.
    One(String),
    /// Several, written as a list.
    Many(Vec<String>),
}

/// The body of `POST /_emulator/oidc/token`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// `sub`.
    pub sub: String,
    /// `aud`: a client ID of the provider registered for this issuer, or several.
    pub aud: Audience,
    /// Seconds from now until `exp` (3600 when left out; 1 to 86400).
    #[serde(default)]
    pub lifetime_seconds: Option<i64>,
    /// A token that expired an hour ago (issued two hours ago), for testing the refusal.
    #[serde(default)]
    pub expired: bool,
    /// Another `iss` than this issuer's URL, for testing the refusal.
    #[serde(default)]
    pub iss: Option<String>,
    /// Another `kid` than the published key's (the token is still signed by that key), for testing the refusal.
    #[serde(default)]
    pub kid: Option<String>,
}

/// The answer of `POST /_emulator/oidc/token`.
#[derive(Debug, Clone, Serialize)]
pub struct MintedToken {
    /// The ID token (compact JWS).
    pub token: String,
    /// The issuer URL, to register with `CreateOIDCProvider`.
    pub issuer: String,
    /// `exp`, as the API formats dates.
    pub expires_at: String,
}

impl TestIssuer {
    /// A new issuer with a fresh 2048-bit RSA key (tens of milliseconds: called once, off the async threads).
    pub fn generate() -> Result<Self, IssuerError> {
        let key =
            KeyPair::generate(KeySize::Rsa2048).map_err(|e| IssuerError::Key(e.to_string()))?;
        Ok(Self { key })
    }

    /// The issuer URL for a caller that reached the emulator as `host` (`127.0.0.1:8080`).
    pub fn url(host: &str) -> String {
        format!("http://{host}{PATH}")
    }

    /// The OpenID discovery document of the issuer at `issuer`.
    pub fn discovery(issuer: &str) -> Value {
        json!({
            "issuer": issuer,
            "jwks_uri": format!("{issuer}/jwks"),
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["sub", "aud", "exp", "iat", "iss", "nbf"],
        })
    }

    /// The JWKS document: the one public key.
    pub fn jwks(&self) -> Result<Value, IssuerError> {
        let (n, e) = modulus_and_exponent(self.key.public_key().as_ref()).ok_or_else(|| {
            IssuerError::Key("the public key is not a DER RSAPublicKey".to_owned())
        })?;
        Ok(json!({
            "keys": [{
                "kty": "RSA",
                "use": "sig",
                "alg": "RS256",
                "kid": KEY_ID,
                "n": URL_SAFE_NO_PAD.encode(n),
                "e": URL_SAFE_NO_PAD.encode(e),
            }]
        }))
    }

    /// Mints the ID token `request` describes, as the issuer at `issuer`, at `now`.
    pub fn mint(
        &self,
        issuer: &str,
        request: &TokenRequest,
        now: DateTime<Utc>,
    ) -> Result<MintedToken, IssuerError> {
        let lifetime = request.lifetime_seconds.unwrap_or(DEFAULT_LIFETIME_SECONDS);
        if !(1..=MAX_LIFETIME_SECONDS).contains(&lifetime) {
            return Err(IssuerError::Request(format!(
                "lifetime_seconds is {lifetime}; it must be 1 to {MAX_LIFETIME_SECONDS} (ask for \"expired\": true for \
                 a token already expired)"
            )));
        }
        let (issued_at, expires_at) = if request.expired {
            (now - EXPIRED_AGO * 2, now - EXPIRED_AGO)
        } else {
            (now, now + TimeDelta::seconds(lifetime))
        };
        let header = json!({
            "alg": "RS256",
            "typ": "JWT",
            "kid": request.kid.as_deref().unwrap_or(KEY_ID),
        });
        let claims = json!({
            "iss": request.iss.as_deref().unwrap_or(issuer),
            "sub": request.sub,
            "aud": request.aud,
            "iat": issued_at.timestamp(),
            "nbf": issued_at.timestamp(),
            "exp": expires_at.timestamp(),
            "jti": uuid::Uuid::new_v4().to_string(),
        });
        let signed = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                signed.as_bytes(),
                &mut signature,
            )
            .map_err(|e| IssuerError::Sign(e.to_string()))?;
        Ok(MintedToken {
            token: format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature)),
            issuer: issuer.to_owned(),
            expires_at: super::store::format_date(expires_at),
        })
    }
}

/// The modulus and exponent of a DER `RSAPublicKey` (`SEQUENCE { INTEGER n, INTEGER e }`), big-endian without
/// the sign byte, as a JWK publishes them. (aws-lc-rs exposes them directly only with its `ring-io` feature.)
fn modulus_and_exponent(der: &[u8]) -> Option<(&[u8], &[u8])> {
    /// One TLV: its tag, its value, and the rest of the input.
    fn read(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, rest) = der.split_first()?;
        let (&first, mut rest) = rest.split_first()?;
        let len = if first & 0x80 == 0 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7f);
            if count == 0 || count > std::mem::size_of::<usize>() || rest.len() < count {
                return None;
            }
            let (bytes, after) = rest.split_at(count);
            rest = after;
            bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
        };
        (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
    }
    /// One INTEGER, without its leading zero bytes, and the rest of the input.
    fn integer(input: &[u8]) -> Option<(&[u8], &[u8])> {
        let (tag, value, rest) = read(input)?;
        let start = value.iter().position(|b| *b != 0).unwrap_or(value.len());
        (tag == 0x02).then(|| (&value[start..], rest))
    }
    let (tag, sequence, _) = read(der)?;
    if tag != 0x30 {
        return None;
    }
    let (n, rest) = integer(sequence)?;
    let (e, _) = integer(rest)?;
    Some((n, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::oidc_token::{Expectations, Jwks, verify};

    fn request(aud: &str) -> TokenRequest {
        TokenRequest {
            sub: "repo:org/app:ref:refs/heads/main".into(),
            aud: Audience::One(aud.into()),
            lifetime_seconds: None,
            expired: false,
            iss: None,
            kid: None,
        }
    }

    /// What the issuer mints verifies with what it publishes, through the same judge STS uses.
    #[test]
    fn minted_tokens_verify_with_the_published_jwks() {
        let issuer = TestIssuer::generate().unwrap();
        let url = TestIssuer::url("127.0.0.1:1234");
        let now = Utc::now();
        let minted = issuer
            .mint(&url, &request("sts.aliyuncs.com"), now)
            .unwrap();
        let jwks: Jwks = serde_json::from_value(issuer.jwks().unwrap()).unwrap();
        let client_ids = vec!["sts.aliyuncs.com".to_owned()];
        let expected = Expectations {
            issuer: &url,
            client_ids: &client_ids,
            now,
        };
        let claims = verify(&minted.token, &jwks, &expected).unwrap();
        assert_eq!(claims.subject, "repo:org/app:ref:refs/heads/main");
        assert_eq!(claims.issuer, url);
        assert_eq!(
            TestIssuer::discovery(&url)["jwks_uri"],
            "http://127.0.0.1:1234/_emulator/oidc/jwks"
        );

        let expired = TokenRequest {
            expired: true,
            ..request("sts.aliyuncs.com")
        };
        let token = issuer.mint(&url, &expired, now).unwrap().token;
        assert_eq!(
            verify(&token, &jwks, &expected).unwrap_err().code,
            "AuthenticationFail.OIDCToken.Expired"
        );
        let too_long = TokenRequest {
            lifetime_seconds: Some(0),
            ..request("x")
        };
        assert!(matches!(
            issuer.mint(&url, &too_long, now),
            Err(IssuerError::Request(_))
        ));
    }
}
