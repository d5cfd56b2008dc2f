//! Alibaba Cloud signature V3 (`ACS3-HMAC-SHA256`), the default of today's tea SDKs.
//!
//! The signature covers a canonical request: the method, the path, the query decoded and re-encoded
//! canonically, the headers the client chose to sign (named in `SignedHeaders`), that name list, and the SHA-256
//! of the body. `Signature = hex(HMAC-SHA256(raw secret, "ACS3-HMAC-SHA256\n" + hex(SHA256(canonical request))))`.
//! Like the v1 signer this is a pure function of the request and the secret, shared by the provider (which signs)
//! and the emulator (which verifies), so `tests/vectors/signature_v3.json` pins both.

use super::v1::percent_encode;
use aws_lc_rs::{digest, hmac};
use std::fmt;

/// The `Authorization` scheme this signer implements.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// `x-acs-content-sha256` of a request without a body.
pub const EMPTY_PAYLOAD_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The headers every V3 request must carry and sign.
pub const REQUIRED_SIGNED_HEADERS: [&str; 6] = [
    "host",
    "x-acs-action",
    "x-acs-version",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-content-sha256",
];

/// A request as the V3 signer sees it.
#[derive(Clone, Copy)]
pub struct SignableRequest<'a> {
    /// The HTTP method actually sent, uppercase.
    pub method: &'a str,
    /// The path, `/` for RPC-style APIs (an empty path counts as `/`).
    pub path: &'a str,
    /// The query parameters, decoded, in any order.
    pub query: &'a [(String, String)],
    /// The request headers, names in any case, values as sent (repeats allowed).
    pub headers: &'a [(String, String)],
    /// The names of the headers signed, lowercase, in any order.
    pub signed_headers: &'a [String],
    /// Lowercase hex SHA-256 of the body.
    pub payload_sha256: &'a str,
}

impl fmt::Debug for SignableRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Query values and headers may hold a security token: names only.
        let query: Vec<&str> = self.query.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("SignableRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &query)
            .field("signed_headers", &self.signed_headers)
            .finish_non_exhaustive()
    }
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        out.push(HEX[(byte >> 4) as usize] as char);
        out.push(HEX[(byte & 0x0f) as usize] as char);
    }
    out
}

/// Lowercase hex SHA-256 of `bytes`, the form of `x-acs-content-sha256` and of the hashed canonical request.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, bytes).as_ref())
}

/// Lowercase hex HMAC-SHA256 of `message` keyed by `key` as given.
pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    hex(hmac::sign(&key, message).as_ref())
}

/// The canonical path: each segment RFC 3986-encoded, `/` when empty.
pub fn canonical_path(path: &str) -> String {
    if path.is_empty() || path == "/" {
        return "/".to_owned();
    }
    path.split('/')
        .map(percent_encode)
        .collect::<Vec<_>>()
        .join("/")
}

/// The canonical query string: names and values RFC 3986-encoded (space `%20`, `*` `%2A`, `~` raw), sorted by
/// encoded name then value, `name=value` joined by `&` (an empty value still has its `=`).
pub fn canonical_query(params: &[(String, String)]) -> String {
    let mut encoded: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    encoded.sort();
    encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The signed header names, lowercased, sorted and without repeats, as `SignedHeaders` lists them.
pub fn normalized_signed_headers(names: &[String]) -> Vec<String> {
    let mut names: Vec<String> = names
        .iter()
        .map(|n| n.trim().to_ascii_lowercase())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// A signed header the request does not carry: a server refuses the request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the header `{0}` is listed in SignedHeaders but not sent")]
pub struct MissingSignedHeader(pub String);

/// The canonical headers block: one `name:value\n` line per signed header, names lowercase and sorted, values
/// trimmed; a header sent several times has its values sorted and joined by `,`.
pub fn canonical_headers(
    headers: &[(String, String)],
    signed: &[String],
) -> Result<String, MissingSignedHeader> {
    let mut out = String::new();
    for name in normalized_signed_headers(signed) {
        let mut values: Vec<&str> = headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(&name))
            .map(|(_, v)| v.trim())
            .collect();
        if values.is_empty() {
            return Err(MissingSignedHeader(name));
        }
        values.sort_unstable();
        out.push_str(&name);
        out.push(':');
        out.push_str(&values.join(","));
        out.push('\n');
    }
    Ok(out)
}

/// The canonical request, the text whose hash is signed.
pub fn canonical_request(request: &SignableRequest<'_>) -> Result<String, MissingSignedHeader> {
    Ok(format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method,
        canonical_path(request.path),
        canonical_query(request.query),
        canonical_headers(request.headers, request.signed_headers)?,
        normalized_signed_headers(request.signed_headers).join(";"),
        request.payload_sha256,
    ))
}

/// The string to sign for a canonical request: the algorithm and the hex SHA-256 of the request.
pub fn string_to_sign(canonical_request: &str) -> String {
    format!("{ALGORITHM}\n{}", sha256_hex(canonical_request.as_bytes()))
}

/// Signs `request` with the raw `access_key_secret` (no `&` appended, unlike v1): the hex `Signature`.
pub fn sign(
    request: &SignableRequest<'_>,
    access_key_secret: &str,
) -> Result<String, MissingSignedHeader> {
    let string_to_sign = string_to_sign(&canonical_request(request)?);
    Ok(hmac_sha256_hex(
        access_key_secret.as_bytes(),
        string_to_sign.as_bytes(),
    ))
}

/// The `Authorization` header value the SDKs send.
pub fn authorization(access_key_id: &str, signed_headers: &[String], signature: &str) -> String {
    format!(
        "{ALGORITHM} Credential={access_key_id},SignedHeaders={},Signature={signature}",
        normalized_signed_headers(signed_headers).join(";")
    )
}

/// An `Authorization` header, parsed.
#[derive(Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The access key id (`Credential`).
    pub credential: String,
    /// The signed header names as listed, lowercased.
    pub signed_headers: Vec<String>,
    /// The hex signature presented.
    pub signature: String,
}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorization")
            .field("credential", &self.credential)
            .field("signed_headers", &self.signed_headers)
            .finish_non_exhaustive()
    }
}

/// Why an `Authorization` header is not a V3 one the server can check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorizationError {
    /// Another algorithm than `ACS3-HMAC-SHA256`.
    #[error("the signature algorithm `{0}` is not supported; only ACS3-HMAC-SHA256 is")]
    UnsupportedAlgorithm(String),
    /// `Credential`, `SignedHeaders` or `Signature` is missing or empty.
    #[error("the Authorization header lacks `{0}`")]
    Missing(&'static str),
}

impl Authorization {
    /// Parses `ACS3-HMAC-SHA256 Credential=…,SignedHeaders=a;b,Signature=…` (spaces after commas tolerated).
    pub fn parse(header: &str) -> Result<Self, AuthorizationError> {
        let header = header.trim();
        let (algorithm, rest) = header.split_once(' ').unwrap_or((header, ""));
        if algorithm != ALGORITHM {
            return Err(AuthorizationError::UnsupportedAlgorithm(
                algorithm.to_owned(),
            ));
        }
        let (mut credential, mut signed_headers, mut signature) = (None, None, None);
        for part in rest.split(',') {
            let Some((name, value)) = part.trim().split_once('=') else {
                continue;
            };
            let value = value.trim();
            match name.trim() {
                "Credential" => credential = Some(value),
                "SignedHeaders" => signed_headers = Some(value),
                "Signature" => signature = Some(value),
                _ => {}
            }
        }
        let credential = credential
            .filter(|v| !v.is_empty())
            .ok_or(AuthorizationError::Missing("Credential"))?;
        let signed_headers = signed_headers
            .filter(|v| !v.is_empty())
            .ok_or(AuthorizationError::Missing("SignedHeaders"))?;
        let signature = signature
            .filter(|v| !v.is_empty())
            .ok_or(AuthorizationError::Missing("Signature"))?;
        Ok(Self {
            credential: credential.to_owned(),
            signed_headers: signed_headers
                .split(';')
                .map(|n| n.trim().to_ascii_lowercase())
                .filter(|n| !n.is_empty())
                .collect(),
            signature: signature.to_ascii_lowercase(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_round_trips_and_rejects_other_algorithms() {
        let signed = vec!["x-acs-date".to_owned(), "Host".to_owned()];
        let header = authorization("AK", &signed, "abc");
        assert_eq!(
            header,
            "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host;x-acs-date,Signature=abc"
        );
        let parsed = Authorization::parse(&header).unwrap();
        assert_eq!(parsed.credential, "AK");
        assert_eq!(parsed.signed_headers, ["host", "x-acs-date"]);
        assert_eq!(
            Authorization::parse("ACS3-HMAC-SM3 Credential=a,SignedHeaders=host,Signature=b"),
            Err(AuthorizationError::UnsupportedAlgorithm(
                "ACS3-HMAC-SM3".into()
            ))
        );
        assert_eq!(
            Authorization::parse("ACS3-HMAC-SHA256 Credential=a, Signature=b"),
            Err(AuthorizationError::Missing("SignedHeaders"))
        );
    }

    #[test]
    fn repeated_headers_join_sorted_and_absent_ones_are_named() {
        let headers = vec![
            ("x-acs-test".to_owned(), "https".to_owned()),
            ("X-ACS-TEST".to_owned(), " http ".to_owned()),
        ];
        assert_eq!(
            canonical_headers(&headers, &["x-acs-test".to_owned()]).unwrap(),
            "x-acs-test:http,https\n"
        );
        assert_eq!(
            canonical_headers(&headers, &["host".to_owned()]),
            Err(MissingSignedHeader("host".into()))
        );
    }
}
