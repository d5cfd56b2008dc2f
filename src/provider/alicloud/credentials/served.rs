//! The credentials document the ECS metadata service and credentials URIs serve:
//! `{"Code": "Success", "AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration"}`. It holds the secret, so
//! a document that does not parse is described by what was expected, never quoted (serde's messages can quote
//! values).

use super::Credentials;
use crate::provider::alicloud::secret::Secret;
use chrono::{DateTime, Utc};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ServedCredentials {
    #[serde(default)]
    code: Option<String>,
    access_key_id: String,
    access_key_secret: Secret,
    security_token: Secret,
    expiration: String,
}

impl ServedCredentials {
    /// Parses a served document; the error says what was expected.
    pub(super) fn parse(bytes: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(bytes).map_err(|_| {
            "the answer is not a JSON object with the strings Code, AccessKeyId, AccessKeySecret, SecurityToken \
             and Expiration"
                .to_owned()
        })
    }

    /// The credentials, when `Code` is `Success` and `Expiration` is a date.
    pub(super) fn into_credentials(self) -> Result<Credentials, String> {
        if self.code.as_deref() != Some("Success") {
            return Err(format!(
                "the answer has Code {:?}, not \"Success\"",
                self.code.unwrap_or_default()
            ));
        }
        let expiration = DateTime::parse_from_rfc3339(&self.expiration)
            .map_err(|e| format!("the answer's Expiration {:?}: {e}", self.expiration))?
            .with_timezone(&Utc);
        Ok(Credentials {
            access_key_id: self.access_key_id,
            access_key_secret: self.access_key_secret,
            security_token: Some(self.security_token),
            expiration: Some(expiration),
        })
    }
}
