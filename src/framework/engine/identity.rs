//! UpgradeResourceIdentity: stored identity JSON, written at some identity version, to a value of the current
//! identity schema. Terraform calls it only for identities older than the current version.

use super::Engine;
use crate::framework::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::json;
use crate::framework::provider::Provider;
use crate::framework::value::Value;

impl<P: Provider> Engine<P> {
    /// Upgrades a stored identity `raw_json` of `type_name`, written at identity `version`.
    pub fn upgrade_resource_identity(
        &self,
        type_name: &str,
        version: i64,
        raw_json: &[u8],
    ) -> (Value, Diagnostics) {
        let mut diagnostics = Diagnostics::new();
        let Some(identity) = self.identities.get(type_name) else {
            diagnostics.push(Diagnostic::error(
                "No Resource Identity",
                format!(
                    "{type_name} has no resource identity, so a stored identity cannot be upgraded."
                ),
            ));
            return (Value::Null, diagnostics);
        };
        if version > identity.schema.version {
            diagnostics.add_error(
                "Identity Written by a Newer Provider",
                format!(
                    "The identity of this {type_name} was written at identity version {version}, but this provider \
                     only knows versions up to {}. Use the provider version that wrote it, or a newer one.",
                    identity.schema.version
                ),
            );
            return (Value::Null, diagnostics);
        }
        // Version 0 is the only version so far: the stored JSON already has the current shape.
        let parsed = serde_json::from_slice::<serde_json::Value>(raw_json)
            .map_err(|e| e.to_string())
            .and_then(|j| json::decode(&j, &identity.value_type).map_err(|e| e.to_string()));
        match parsed {
            Ok(value) => (value, diagnostics),
            Err(e) => {
                diagnostics.add_error(
                    "Unreadable Stored Identity",
                    format!("The stored identity of this {type_name} could not be read: {e}."),
                );
                (Value::Null, diagnostics)
            }
        }
    }
}
