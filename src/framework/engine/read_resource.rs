//! ReadResource: refresh. Returning null tells Terraform the object is gone; private data must be echoed or it is
//! lost.

use super::{Engine, provider_bug};
use crate::framework::diagnostics::Diagnostics;
use crate::framework::provider::Provider;
use crate::framework::resource::{ReadRequest, ReadResponse};
use crate::framework::value::Value;

/// A refresh request.
#[derive(Debug)]
pub struct ReadResourceRequest {
    /// The resource type.
    pub type_name: String,
    /// The stored state.
    pub state: Value,
    /// The stored private data.
    pub private: Vec<u8>,
}

/// A refresh result.
#[derive(Debug, Default)]
pub struct ReadResourceResponse {
    /// The refreshed state, null when the object is gone.
    pub state: Value,
    /// The private data to store.
    pub private: Vec<u8>,
    /// The object's identity (null for a type without identity, or when the object is gone).
    pub identity: Value,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

impl<P: Provider> Engine<P> {
    /// Refreshes one resource instance.
    pub async fn read_resource(&self, req: ReadResourceRequest) -> ReadResourceResponse {
        let mut out = ReadResourceResponse {
            state: req.state.clone(),
            private: req.private.clone(),
            ..Default::default()
        };
        let resource = match self.resource(&req.type_name) {
            Ok(r) => r,
            Err(d) => {
                out.diagnostics.push(d);
                return out;
            }
        };
        let Some(client) = self.configured_client(&mut out.diagnostics) else {
            return out;
        };
        let mut resp = ReadResponse {
            state: req.state.clone(),
            private: req.private.clone(),
            ..Default::default()
        };
        resource
            .handler
            .read(
                &self.context(),
                &client,
                ReadRequest {
                    state: req.state,
                    private: req.private,
                },
                &mut resp,
            )
            .await;
        if !resp.state.is_wholly_known() {
            resp.diagnostics.push(provider_bug(format!(
                "Reading {} returned unknown values.",
                req.type_name
            )));
            resp.state.unknowns_to_null();
        }
        ReadResourceResponse {
            identity: self.identity_of(&req.type_name, &resp.state),
            state: resp.state,
            private: resp.private,
            diagnostics: resp.diagnostics,
        }
    }
}
