//! OIDC ID tokens as STS `AssumeRoleWithOIDC` checks them: a compact JWS signed RS256 by one of the issuer's
//! JWKS keys, whose `iss` is the provider's issuer, whose `aud` names one of its client IDs, and which is
//! within its `nbf`/`iat`..`exp` window. Errors carry STS's codes and messages
//! (`AuthenticationFail.OIDCToken.*`). Fetching the issuer's keys is the caller's business; this module only
//! judges a token against keys it is given, so it can be tested without a network.
//!
//! It lives in the emulator, not in `crate::ram`, although it is what STS does: only STS verifies ID tokens (a
//! client, the provider included, hands them over unread), so there is no second user to keep in step. What both
//! sides need, judging the token's claims against a trust policy (`oidc:iss`, `oidc:aud`, `oidc:sub`), is RAM's
//! one judgement in [`crate::ram::trust_policy::judge`].

use super::error::ApiError;
use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;
use std::fmt;

/// How far a token's times may be off the server clock (clock skew between issuer and STS).
pub const CLOCK_SKEW: TimeDelta = TimeDelta::minutes(5);

/// One RSA key of an issuer's JWKS document.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Jwk {
    /// `kty`: only `RSA` keys can verify RS256.
    pub kty: String,
    /// `kid`, matched against the token header's.
    #[serde(default)]
    pub kid: Option<String>,
    /// `n`: the modulus, base64url.
    #[serde(default)]
    pub n: String,
    /// `e`: the exponent, base64url.
    #[serde(default)]
    pub e: String,
}

/// An issuer's JWKS document (`{"keys": [...]}`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Jwks {
    /// The keys.
    pub keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
}

/// `aud` is a string or a list of strings.
#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct RawClaims {
    #[serde(default)]
    iss: String,
    #[serde(default)]
    sub: String,
    #[serde(default)]
    aud: Option<Audience>,
    exp: Option<i64>,
    #[serde(default)]
    nbf: Option<i64>,
    #[serde(default)]
    iat: Option<i64>,
}

/// The claims STS reports back (`OIDCTokenInfo`) and judges trust policies by.
#[derive(Clone, PartialEq, Eq)]
pub struct Claims {
    /// `iss`.
    pub issuer: String,
    /// `sub`.
    pub subject: String,
    /// `aud`, as a list.
    pub audiences: Vec<String>,
    /// `exp`.
    pub expires_at: DateTime<Utc>,
    /// `iat` (or `nbf`, or `exp` when neither is given).
    pub issued_at: DateTime<Utc>,
}

impl fmt::Debug for Claims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claims")
            .field("issuer", &self.issuer)
            .field("subject", &self.subject)
            .field("audiences", &self.audiences)
            .finish_non_exhaustive()
    }
}

/// What a token must satisfy besides its signature.
#[derive(Debug, Clone, Copy)]
pub struct Expectations<'a> {
    /// The registered provider's issuer URL.
    pub issuer: &'a str,
    /// The registered client IDs; `aud` must name one.
    pub client_ids: &'a [String],
    /// The server clock.
    pub now: DateTime<Utc>,
}

fn fail(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}

fn invalid(detail: &str) -> ApiError {
    fail(
        "AuthenticationFail.OIDCToken.Invalid",
        format!("The OIDC token is invalid: {detail}."),
    )
}

fn decode_part<T: for<'de> Deserialize<'de>>(part: &str, what: &str) -> Result<T, ApiError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| invalid(&format!("its {what} is not base64url")))?;
    serde_json::from_slice(&bytes)
        .map_err(|_| invalid(&format!("its {what} is not the JSON expected")))
}

fn time(seconds: i64, claim: &str) -> Result<DateTime<Utc>, ApiError> {
    DateTime::from_timestamp(seconds, 0).ok_or_else(|| invalid(&format!("{claim} is out of range")))
}

/// The `kid` of `token`'s header, when it is a compact JWS that names one: which of the issuer's keys to look for
/// before any of it is trusted.
pub fn key_id(token: &str) -> Option<String> {
    let header_part = token.trim().split('.').next()?;
    decode_part::<Header>(header_part, "header").ok()?.kid
}

/// Verifies `token` with `keys` and checks it against `expected`; returns its claims.
pub fn verify(token: &str, keys: &Jwks, expected: &Expectations<'_>) -> Result<Claims, ApiError> {
    let mut parts = token.trim().split('.');
    let (Some(header_part), Some(claims_part), Some(signature_part), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid(
            "it is not a compact JWS (three dot-separated parts)",
        ));
    };
    let header: Header = decode_part(header_part, "header")?;
    if header.alg != "RS256" {
        return Err(invalid(&format!(
            "its algorithm {:?} is not RS256",
            header.alg
        )));
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature_part)
        .map_err(|_| invalid("its signature is not base64url"))?;
    let signed = &token.trim()[..header_part.len() + 1 + claims_part.len()];
    let candidates = keys
        .keys
        .iter()
        .filter(|k| k.kty == "RSA")
        .filter(|k| header.kid.is_none() || k.kid == header.kid);
    let verified = candidates.into_iter().any(|key| {
        let (Ok(n), Ok(e)) = (
            URL_SAFE_NO_PAD.decode(&key.n),
            URL_SAFE_NO_PAD.decode(&key.e),
        ) else {
            return false;
        };
        RsaPublicKeyComponents { n: &n, e: &e }
            .verify(&RSA_PKCS1_2048_8192_SHA256, signed.as_bytes(), &signature)
            .is_ok()
    });
    if !verified {
        return Err(invalid(
            "its signature does not verify with any key of the issuer",
        ));
    }
    let raw: RawClaims = decode_part(claims_part, "payload")?;
    if raw.iss != expected.issuer {
        return Err(fail(
            "AuthenticationFail.OIDCToken.IssuerNotMatch",
            "The issuer in the OIDC Token doesn't match the OIDC Provider registered.",
        ));
    }
    let audiences = match raw.aud {
        Some(Audience::One(aud)) => vec![aud],
        Some(Audience::Many(auds)) => auds,
        None => Vec::new(),
    };
    if !audiences
        .iter()
        .any(|aud| expected.client_ids.contains(aud))
    {
        return Err(fail(
            "AuthenticationFail.OIDCToken.AudienceNotMatch",
            "Invalid audience.",
        ));
    }
    let expires_at = time(raw.exp.ok_or_else(|| invalid("it has no exp"))?, "exp")?;
    if expires_at + CLOCK_SKEW <= expected.now {
        return Err(fail(
            "AuthenticationFail.OIDCToken.Expired",
            "This JsonWebToken is expired.",
        ));
    }
    for (claim, value) in [("nbf", raw.nbf), ("iat", raw.iat)] {
        if let Some(seconds) = value
            && time(seconds, claim)? - CLOCK_SKEW > expected.now
        {
            return Err(invalid(&format!("its {claim} is in the future")));
        }
    }
    let issued_at = time(raw.iat.or(raw.nbf).unwrap_or(expires_at.timestamp()), "iat")?;
    Ok(Claims {
        issuer: raw.iss,
        subject: raw.sub,
        audiences,
        expires_at,
        issued_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::rsa::{KeyPair, KeySize};
    use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
    use serde_json::json;

    const ISSUER: &str = "https://issuer.example";

    fn key() -> KeyPair {
        KeyPair::generate(KeySize::Rsa2048).expect("RSA key")
    }

    /// The modulus and exponent of a DER `RSAPublicKey` (`SEQUENCE { INTEGER n, INTEGER e }`), as a JWKS
    /// publishes them (big-endian, no leading zero).
    fn modulus_and_exponent(der: &[u8]) -> (Vec<u8>, Vec<u8>) {
        fn read(der: &[u8], at: &mut usize) -> (u8, Vec<u8>) {
            let tag = der[*at];
            let mut len = usize::from(der[*at + 1]);
            *at += 2;
            if len & 0x80 != 0 {
                let count = len & 0x7f;
                len = der[*at..*at + count]
                    .iter()
                    .fold(0, |acc, b| (acc << 8) | usize::from(*b));
                *at += count;
            }
            let value = der[*at..*at + len].to_vec();
            *at += len;
            (tag, value)
        }
        let mut at = 0;
        let (tag, sequence) = read(der, &mut at);
        assert_eq!(tag, 0x30);
        let mut at = 0;
        let integer = |at: &mut usize| {
            let (tag, mut value) = read(&sequence, at);
            assert_eq!(tag, 0x02);
            while value.first() == Some(&0) {
                value.remove(0);
            }
            value
        };
        let n = integer(&mut at);
        let e = integer(&mut at);
        (n, e)
    }

    fn jwks(key: &KeyPair, kid: &str) -> Jwks {
        let (n, e) = modulus_and_exponent(key.public_key().as_ref());
        Jwks {
            keys: vec![Jwk {
                kty: "RSA".into(),
                kid: Some(kid.into()),
                n: URL_SAFE_NO_PAD.encode(n),
                e: URL_SAFE_NO_PAD.encode(e),
            }],
        }
    }

    fn token(key: &KeyPair, kid: &str, claims: &serde_json::Value) -> String {
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": kid});
        let signed = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; key.public_modulus_len()];
        key.sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            signed.as_bytes(),
            &mut signature,
        )
        .expect("sign");
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    fn claims(now: DateTime<Utc>, aud: serde_json::Value, exp_in: i64) -> serde_json::Value {
        json!({"iss": ISSUER, "sub": "repo:org/app:ref:refs/heads/main", "aud": aud,
               "iat": now.timestamp() - 10, "exp": now.timestamp() + exp_in})
    }

    #[test]
    fn a_signed_token_for_a_client_id_passes_and_reports_its_claims() {
        let (key, now) = (key(), Utc::now());
        let client_ids = vec!["sts.aliyuncs.com".to_owned()];
        let expected = Expectations {
            issuer: ISSUER,
            client_ids: &client_ids,
            now,
        };
        let jwt = token(
            &key,
            "k1",
            &claims(now, json!(["other", "sts.aliyuncs.com"]), 600),
        );
        let claims = verify(&jwt, &jwks(&key, "k1"), &expected).unwrap();
        assert_eq!(claims.subject, "repo:org/app:ref:refs/heads/main");
        assert_eq!(claims.audiences, ["other", "sts.aliyuncs.com"]);
        assert_eq!(claims.issued_at.timestamp(), now.timestamp() - 10);
    }

    #[test]
    fn each_failure_has_its_sts_code() {
        let (key, now) = (key(), Utc::now());
        let client_ids = vec!["client".to_owned()];
        let expected = Expectations {
            issuer: ISSUER,
            client_ids: &client_ids,
            now,
        };
        let keys = jwks(&key, "k1");
        let code = |jwt: &str, keys: &Jwks| verify(jwt, keys, &expected).unwrap_err().code;
        let good = claims(now, json!("client"), 600);
        assert_eq!(
            code(
                &token(&key, "k1", &claims(now, json!("client"), -600)),
                &keys
            ),
            "AuthenticationFail.OIDCToken.Expired"
        );
        assert_eq!(
            code(
                &token(&key, "k1", &claims(now, json!("nobody"), 600)),
                &keys
            ),
            "AuthenticationFail.OIDCToken.AudienceNotMatch"
        );
        let mut other_issuer = good.clone();
        other_issuer["iss"] = json!("https://elsewhere.example");
        assert_eq!(
            code(&token(&key, "k1", &other_issuer), &keys),
            "AuthenticationFail.OIDCToken.IssuerNotMatch"
        );
        // Signed by another key, or tampered with after signing.
        assert_eq!(
            code(&token(&self::key(), "k1", &good), &keys),
            "AuthenticationFail.OIDCToken.Invalid"
        );
        let jwt = token(&key, "k1", &good);
        let mut parts: Vec<&str> = jwt.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(claims(now, json!("client"), 99_999).to_string());
        parts[1] = &forged;
        assert_eq!(
            code(&parts.join("."), &keys),
            "AuthenticationFail.OIDCToken.Invalid"
        );
        // A kid the issuer does not publish.
        assert_eq!(
            code(&token(&key, "k2", &good), &keys),
            "AuthenticationFail.OIDCToken.Invalid"
        );
        assert_eq!(
            code("not-a-token", &keys),
            "AuthenticationFail.OIDCToken.Invalid"
        );
        let mut early = good.clone();
        early["nbf"] = json!(now.timestamp() + 3600);
        assert_eq!(
            code(&token(&key, "k1", &early), &keys),
            "AuthenticationFail.OIDCToken.Invalid"
        );
    }
}
