//! Alibaba Cloud RPC request signing, signature version 1.0 (HMAC-SHA1).
//!
//! Signing is a pure function of the request description and the secret: the nonce and the timestamp are
//! parameters like any other, chosen by the caller (fresh for every attempt), so the vectors in
//! `tests/vectors/signature_v1.json` can pin them. The steps follow the official "Request signature" page:
//! percent-encode each name and value, sort by name, join as a query string, then sign
//! `METHOD&%2F&percentEncode(query)` with HMAC-SHA1 keyed by `secret + "&"`.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use std::fmt;

/// The value of `SignatureMethod` this signer implements.
pub const SIGNATURE_METHOD: &str = "HMAC-SHA1";
/// The value of `SignatureVersion` this signer implements.
pub const SIGNATURE_VERSION: &str = "1.0";

/// A request as the signer sees it: the HTTP method and every parameter except `Signature`.
///
/// Parameters sent in the query and in a form body are signed alike, so callers pass them together.
#[derive(Clone, Copy)]
pub struct SignableRequest<'a> {
    /// The HTTP method actually sent (`GET` or `POST`); it is part of the string to sign.
    pub method: &'a str,
    /// Every request parameter but `Signature`, decoded, in any order.
    pub params: &'a [(String, String)],
}

impl fmt::Debug for SignableRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Parameter values may include a security token: print names only.
        let names: Vec<&str> = self.params.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("SignableRequest")
            .field("method", &self.method)
            .field("params", &names)
            .finish()
    }
}

/// Percent-encodes `value` the way signature v1 requires: RFC 3986 unreserved characters stay, every other
/// UTF-8 byte becomes `%XY` with uppercase hex (so a space is `%20`, `*` is `%2A`, `~` stays `~`).
pub fn percent_encode(value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len() + value.len() / 2);
    for &byte in value.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(HEX[(byte >> 4) as usize] as char);
            out.push(HEX[(byte & 0x0f) as usize] as char);
        }
    }
    out
}

/// The canonicalized query string: encoded `name=value` pairs sorted by raw name in byte order, joined by `&`.
pub fn canonical_query(params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort_by(|a, b| {
        a.0.as_bytes()
            .cmp(b.0.as_bytes())
            .then_with(|| a.1.cmp(&b.1))
    });
    let mut out = String::new();
    for (i, (name, value)) in sorted.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&percent_encode(name));
        out.push('=');
        out.push_str(&percent_encode(value));
    }
    out
}

/// The string to sign: `METHOD & percentEncode("/") & percentEncode(canonical query)`.
pub fn string_to_sign(request: &SignableRequest<'_>) -> String {
    format!(
        "{}&%2F&{}",
        request.method,
        percent_encode(&canonical_query(request.params))
    )
}

/// Base64 of HMAC-SHA1 over `message`, keyed by `key` exactly as given.
pub fn hmac_sha1_base64(key: &[u8], message: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Signs `request` with `access_key_secret`, returning the value of the `Signature` parameter (not yet
/// percent-encoded for the wire).
pub fn sign(request: &SignableRequest<'_>, access_key_secret: &str) -> String {
    let key = format!("{access_key_secret}&");
    hmac_sha1_base64(key.as_bytes(), string_to_sign(request).as_bytes())
}

/// Compares two signatures in constant time, for servers verifying a request.
pub fn signatures_match(expected: &str, presented: &str) -> bool {
    let (a, b) = (expected.as_bytes(), presented.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_comparison_agrees_with_equality() {
        assert!(signatures_match("abc=", "abc="));
        assert!(!signatures_match("abc=", "abd="));
        assert!(!signatures_match("abc=", "abc"));
    }

    #[test]
    fn debug_output_hides_parameter_values() {
        let params = vec![("SecurityToken".to_owned(), "very-secret-token".to_owned())];
        let request = SignableRequest {
            method: "POST",
            params: &params,
        };
        let shown = format!("{request:?}");
        assert!(shown.contains("SecurityToken"));
        assert!(!shown.contains("very-secret-token"));
    }
}
