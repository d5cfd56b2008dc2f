//! OIDC federation as tests set it up on the emulator: its test issuer's URL, and the trust policy of a role that
//! admits one subject of one audience from that issuer.

use serde_json::{Value, json};
use terraform_provider_aliram::emulator::oidc_issuer;

/// The emulator's test issuer, for a client of the emulator at `endpoint`.
pub fn oidc_issuer(endpoint: &str) -> String {
    format!("{endpoint}{}", oidc_issuer::PATH)
}

/// A trust policy admitting, through the OIDC provider `provider_arn`, the ID tokens of `issuer` for `audience`
/// whose subject is `subject`.
pub fn oidc_trust_policy(provider_arn: &str, issuer: &str, audience: &str, subject: &str) -> Value {
    json!({
        "Version": "1",
        "Statement": [{
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": { "Federated": [provider_arn] },
            "Condition": { "StringEquals": {
                "oidc:iss": issuer,
                "oidc:aud": audience,
                "oidc:sub": subject,
            } }
        }]
    })
}
