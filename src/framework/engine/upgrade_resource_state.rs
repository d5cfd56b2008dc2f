//! UpgradeResourceState: Terraform calls it for every stored instance on every run, even at the current version,
//! so it must turn stored JSON into a full value of the current schema (missing attributes null, removed ones
//! dropped).

use super::Engine;
use crate::framework::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::json;
use crate::framework::provider::Provider;
use crate::framework::value::Value;

impl<P: Provider> Engine<P> {
    /// Upgrades stored state `raw_json`, written at schema `version`, to the current schema.
    pub fn upgrade_resource_state(
        &self,
        type_name: &str,
        version: i64,
        raw_json: &[u8],
    ) -> (Value, Diagnostics) {
        let mut diagnostics = Diagnostics::new();
        let resource = match self.resource(type_name) {
            Ok(r) => r,
            Err(d) => return (Value::Null, d.into()),
        };
        if version > resource.schema.version {
            diagnostics.push(Diagnostic::error(
                "State Written by a Newer Provider",
                format!(
                    "The state of this {type_name} was written at schema version {version}, but this provider \
                     only knows versions up to {}. Use the provider version that wrote it, or a newer one.",
                    resource.schema.version
                ),
            ));
            return (Value::Null, diagnostics);
        }
        let parsed = serde_json::from_slice::<serde_json::Value>(raw_json)
            .map_err(|e| e.to_string())
            .and_then(|j| json::decode(&j, &resource.value_type).map_err(|e| e.to_string()));
        match parsed {
            Ok(value) => (value, diagnostics),
            Err(e) => {
                diagnostics.add_error(
                    "Unreadable Stored State",
                    format!("The stored state of this {type_name} could not be read: {e}."),
                );
                (Value::Null, diagnostics)
            }
        }
    }
}
