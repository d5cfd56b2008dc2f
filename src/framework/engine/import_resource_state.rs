//! ImportResourceState: from an ID to a state that the following ReadResource completes.

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
    /// Imports the object with `id` as a `type_name`.
    pub async fn import_resource_state(&self, type_name: &str, id: String) -> ImportStateResponse {
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
        let mut resp = ImportResponse::default();
        resource
            .handler
            .import_state(&self.context(), &client, ImportRequest { id }, &mut resp)
            .await;
        if !resp.diagnostics.has_error() && !resp.state.is_null() {
            out.imported.push(ImportedResource {
                type_name: type_name.to_owned(),
                state: resp.state,
                private: resp.private,
            });
        }
        out.diagnostics = resp.diagnostics;
        out
    }
}
