//! ApplyResourceChange: create, update or delete, chosen by which of prior and planned is null.
//!
//! The result must match every known planned value and be wholly known. On failure the engine still returns what
//! the resource says exists (the partial state), so that nothing created is forgotten.

use super::{Engine, provider_bug};
use crate::framework::diagnostics::Diagnostics;
use crate::framework::provider::Provider;
use crate::framework::resource::{
    CreateRequest, CreateResponse, DeleteRequest, DeleteResponse, UpdateRequest, UpdateResponse,
};
use crate::framework::value::Value;

/// An apply request.
#[derive(Debug)]
pub struct ApplyRequest {
    /// The resource type.
    pub type_name: String,
    /// The prior state; null on create.
    pub prior: Value,
    /// The planned state; null on delete.
    pub planned: Value,
    /// The configuration; null on delete.
    pub config: Value,
    /// Private data from the plan.
    pub planned_private: Vec<u8>,
}

/// An apply result.
#[derive(Debug, Default)]
pub struct ApplyResponse {
    /// The new state: null after a delete, the partial state after a failure.
    pub new_state: Value,
    /// Private data to store.
    pub private: Vec<u8>,
    /// The new object's identity (null after a delete or for a type without identity).
    pub new_identity: Value,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

impl<P: Provider> Engine<P> {
    /// Applies one planned change.
    pub async fn apply_resource_change(&self, req: ApplyRequest) -> ApplyResponse {
        let mut out = ApplyResponse {
            new_state: req.prior.clone(),
            private: req.planned_private.clone(),
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
        let ctx = self.context();
        let handler = &resource.handler;

        if req.planned.is_null() {
            let mut resp = DeleteResponse::default();
            handler
                .delete(
                    &ctx,
                    &client,
                    DeleteRequest {
                        prior: req.prior,
                        private: req.planned_private,
                    },
                    &mut resp,
                )
                .await;
            if !resp.diagnostics.has_error() {
                out.new_state = Value::Null;
            }
            out.diagnostics = resp.diagnostics;
            return out;
        }

        let (mut state, private, mut diagnostics) = if req.prior.is_null() {
            let mut resp = CreateResponse {
                private: req.planned_private.clone(),
                ..Default::default()
            };
            let create = CreateRequest {
                config: req.config,
                planned: req.planned,
                planned_private: req.planned_private,
            };
            handler.create(&ctx, &client, create, &mut resp).await;
            (resp.state, resp.private, resp.diagnostics)
        } else {
            let mut resp = UpdateResponse {
                state: req.prior.clone(),
                private: req.planned_private.clone(),
                ..Default::default()
            };
            let update = UpdateRequest {
                config: req.config,
                planned: req.planned,
                prior: req.prior,
                planned_private: req.planned_private,
            };
            handler.update(&ctx, &client, update, &mut resp).await;
            (resp.state, resp.private, resp.diagnostics)
        };

        if !state.is_wholly_known() {
            if !diagnostics.has_error() {
                diagnostics.push(provider_bug(format!(
                    "Applying {} left unknown values in the state.",
                    req.type_name
                )));
            }
            state.unknowns_to_null();
        }
        if state.is_null() && !diagnostics.has_error() {
            diagnostics.push(provider_bug(format!(
                "Applying {} returned no state.",
                req.type_name
            )));
        }
        ApplyResponse {
            new_identity: self.identity_of(&req.type_name, &state),
            new_state: state,
            private,
            diagnostics,
        }
    }
}
