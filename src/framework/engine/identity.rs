//! UpgradeResourceIdentity: stored identity JSON, written at some identity version, to a value of the current
//! identity schema. Terraform calls it only for identities older than the current version.

use super::Engine;
use super::upgrade_resource_state::{Stored, decode_stored};
use crate::framework::diagnostics::{Diagnostic, Diagnostics};
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
        let Some(identity) = self.identities.get(type_name) else {
            let d = Diagnostic::error(
                "No Resource Identity",
                format!(
                    "{type_name} has no resource identity, so a stored identity cannot be upgraded."
                ),
            );
            return (Value::Null, d.into());
        };
        decode_stored(
            Stored::Identity,
            type_name,
            (version, identity.schema.version),
            raw_json,
            &identity.value_type,
        )
    }
}
