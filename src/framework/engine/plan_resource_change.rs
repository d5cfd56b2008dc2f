//! PlanResourceChange: from Terraform's proposed new state to the plan the user reviews.
//!
//! The rules Terraform checks (`objchange.AssertPlanValid`) shape each step: configured values stay as
//! configured; a computed attribute the configuration leaves null may take any value, so the engine fills
//! defaults and marks the computed attributes that will change as unknown; then the resource refines the plan
//! (values known at plan time, refusals); last, attributes marked `requires_replace` that change are reported.
//! The rules themselves, at every depth of nested blocks, are in `plan_rules`.

use super::Engine;
use super::plan_rules::{apply_defaults, mark_computed_unknown, replacing_changes};
use crate::framework::diagnostics::Diagnostics;
use crate::framework::path::AttributePath;
use crate::framework::provider::Provider;
use crate::framework::resource::{ModifyPlanRequest, ModifyPlanResponse};
use crate::framework::value::Value;

/// A plan request.
#[derive(Debug)]
pub struct PlanRequest {
    /// The resource type.
    pub type_name: String,
    /// The prior state; null on create.
    pub prior: Value,
    /// Terraform's proposed new state; null on destroy.
    pub proposed: Value,
    /// The configuration; null on destroy.
    pub config: Value,
    /// Private data stored with the prior state.
    pub prior_private: Vec<u8>,
}

/// A plan.
#[derive(Debug, Default)]
pub struct PlanResponse {
    /// The planned new state.
    pub planned: Value,
    /// Changed attributes that force replacement.
    pub requires_replace: Vec<AttributePath>,
    /// Private data for apply.
    pub planned_private: Vec<u8>,
    /// The planned object's identity (null on destroy or for a type without identity; may hold unknowns on
    /// create).
    pub planned_identity: Value,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

impl<P: Provider> Engine<P> {
    /// Plans one resource instance.
    pub async fn plan_resource_change(&self, req: PlanRequest) -> PlanResponse {
        let mut out = PlanResponse {
            planned_private: req.prior_private.clone(),
            ..Default::default()
        };
        let resource = match self.resource(&req.type_name) {
            Ok(r) => r,
            Err(d) => {
                out.diagnostics.push(d);
                return out;
            }
        };
        // Destroy: the plan is null, and there is nothing for the resource to refine; it may only warn.
        if req.proposed.is_null() {
            if !req.prior.is_null() {
                resource
                    .handler
                    .plan_destroy(&req.prior, &mut out.diagnostics);
            }
            return out;
        }
        let block = &resource.schema.block;
        let mut planned = req.proposed;
        apply_defaults(block, &req.config, &mut planned);
        if planned != req.prior {
            mark_computed_unknown(block, &req.config, &req.prior, &mut planned);
        }

        let client = self.client();
        let mut resp = ModifyPlanResponse {
            planned,
            private: req.prior_private.clone(),
            ..Default::default()
        };
        let modify = ModifyPlanRequest {
            config: req.config,
            prior: req.prior.clone(),
            prior_private: req.prior_private,
        };
        resource
            .handler
            .modify_plan(&self.context(), client.as_deref(), modify, &mut resp)
            .await;

        if !req.prior.is_null() {
            replacing_changes(
                block,
                &req.prior,
                &resp.planned,
                &AttributePath::default(),
                &mut out.requires_replace,
            );
            for path in resp.requires_replace {
                if !out.requires_replace.contains(&path) {
                    out.requires_replace.push(path);
                }
            }
        }
        out.planned_identity = self.identity_of(&req.type_name, &resp.planned);
        out.planned = resp.planned;
        out.planned_private = resp.private;
        out.diagnostics = resp.diagnostics;
        out
    }
}
