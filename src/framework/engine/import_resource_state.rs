//! ImportResourceState: from an ID or an identity to a state that the following ReadResource completes.

use super::Engine;
use crate::framework::diagnostics::Diagnostics;
use crate::framework::provider::Provider;
use crate::framework::resource::{ImportRequest, ImportResponse};
use crate::framework::value::Value;

/// One imported object.
#[derive(Debug)]
pub struct ImportedResource {
    /// The resource type.
    pub type_name: String,
    /// The imported state.
    pub state: Value,
    /// Private data.
    pub private: Vec<u8>,
    /// The object's identity (null for a type without identity).
    pub identity: Value,
}

/// An import result.
#[derive(Debug, Default)]
pub struct ImportStateResponse {
    /// The imported objects (one, or none on error).
    pub imported: Vec<ImportedResource>,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

impl<P: Provider> Engine<P> {
    /// Imports the object with `id`, or with `identity` when that is not null, as a `type_name`.
    pub async fn import_resource_state(
        &self,
        type_name: &str,
        id: String,
        identity: Value,
    ) -> ImportStateResponse {
        let mut out = ImportStateResponse::default();
        let resource = match self.resource(type_name) {
            Ok(r) => r,
            Err(d) => {
                out.diagnostics.push(d);
                return out;
            }
        };
        let Some(client) = self.configured_client(&mut out.diagnostics) else {
            return out;
        };
        if !identity.is_null() && !self.identities.contains_key(type_name) {
            out.diagnostics.add_error(
                "Import by Identity Not Supported",
                format!(
                    "{type_name} has no resource identity: import it by ID (`id = ...`) instead."
                ),
            );
            return out;
        }
        let mut resp = ImportResponse::default();
        resource
            .handler
            .import_state(
                &self.context(),
                &client,
                ImportRequest { id, identity },
                &mut resp,
            )
            .await;
        if !resp.diagnostics.has_error() && !resp.state.is_null() {
            out.imported.push(ImportedResource {
                type_name: type_name.to_owned(),
                identity: self.identity_of(type_name, &resp.state),
                state: resp.state,
                private: resp.private,
            });
        }
        out.diagnostics = resp.diagnostics;
        out
    }
}
