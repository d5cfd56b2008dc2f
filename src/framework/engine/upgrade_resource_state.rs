//! UpgradeResourceState: Terraform calls it for every stored instance on every run, even at the current version,
//! so it must turn stored JSON into a full value of the current schema (missing attributes null, removed ones
//! dropped).

use super::Engine;
use crate::framework::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::json;
use crate::framework::provider::Provider;
use crate::framework::types::Type;
use crate::framework::value::Value;

impl<P: Provider> Engine<P> {
    /// Upgrades stored state `raw_json`, written at schema `version`, to the current schema.
    pub fn upgrade_resource_state(
        &self,
        type_name: &str,
        version: i64,
        raw_json: &[u8],
    ) -> (Value, Diagnostics) {
        let resource = match self.resource(type_name) {
            Ok(r) => r,
            Err(d) => return (Value::Null, d.into()),
        };
        decode_stored(
            Stored::State,
            type_name,
            (version, resource.schema.version),
            raw_json,
            &resource.value_type,
        )
    }
}

/// What was stored beside a resource instance: its state or its identity, each versioned on its own.
#[derive(Clone, Copy, Debug)]
pub(super) enum Stored {
    /// The state, versioned by the schema.
    State,
    /// The identity, versioned by the identity schema.
    Identity,
}

impl Stored {
    fn words(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Stored::State => ("State", "state", "schema version"),
            Stored::Identity => ("Identity", "identity", "identity version"),
        }
    }
}

/// Decodes stored JSON written at `versions.0` into a value of `ty`, the type of the current `versions.1`: only
/// a newer version is refused (every older one reads as the current one so far); missing attributes become null.
pub(super) fn decode_stored(
    stored: Stored,
    type_name: &str,
    versions: (i64, i64),
    raw_json: &[u8],
    ty: &Type,
) -> (Value, Diagnostics) {
    let (title, what, version_kind) = stored.words();
    let (written, known) = versions;
    let mut diagnostics = Diagnostics::new();
    if written > known {
        diagnostics.push(Diagnostic::error(
            format!("{title} Written by a Newer Provider"),
            format!(
                "The {what} of this {type_name} was written at {version_kind} {written}, but this provider \
                 only knows versions up to {known}. Use the provider version that wrote it, or a newer one."
            ),
        ));
        return (Value::Null, diagnostics);
    }
    let parsed = serde_json::from_slice::<serde_json::Value>(raw_json)
        .map_err(|e| e.to_string())
        .and_then(|j| json::decode(&j, ty).map_err(|e| e.to_string()));
    match parsed {
        Ok(value) => (value, diagnostics),
        Err(e) => {
            diagnostics.add_error(
                format!("Unreadable Stored {title}"),
                format!("The stored {what} of this {type_name} could not be read: {e}."),
            );
            (Value::Null, diagnostics)
        }
    }
}
