//! A signature v1 form, as the SDKs post it: an RPC call's common parameters (fresh nonce and timestamp), the
//! action's own, the session token when there is one, and the signature. The one place tests sign by hand, for
//! the fast tests' emulator client and the acceptance harness alike.

use terraform_provider_aliram::ram::signature::v1::{SignableRequest, sign};

/// Whose keys sign.
pub struct Keys<'a> {
    pub access_key_id: &'a str,
    pub access_key_secret: &'a str,
    /// The STS token of a session's keys.
    pub security_token: Option<&'a str>,
}

/// `action` of API `version` with `params`, signed by `keys` for POST.
pub fn signed_form(
    keys: &Keys<'_>,
    version: &str,
    action: &str,
    params: &[(&str, &str)],
) -> Vec<(String, String)> {
    let nonce = uuid::Uuid::new_v4().to_string();
    let timestamp = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut pairs: Vec<(String, String)> = [
        ("Action", action),
        ("Version", version),
        ("Format", "JSON"),
        ("AccessKeyId", keys.access_key_id),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("SignatureNonce", nonce.as_str()),
        ("Timestamp", timestamp.as_str()),
    ]
    .iter()
    .chain(params.iter())
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    if let Some(token) = keys.security_token {
        pairs.push(("SecurityToken".into(), token.to_owned()));
    }
    let signature = sign(
        &SignableRequest {
            method: "POST",
            params: &pairs,
        },
        keys.access_key_secret,
    );
    pairs.push(("Signature".into(), signature));
    pairs
}
