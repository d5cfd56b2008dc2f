//! The managed resource interface: a small core (schema, create, read, update, delete) and opt-in extensions
//! (configuration checks, plan modification, import, identity, configuration generation) as default methods.
//!
//! Each method has the same shape: the context, the configured client, the request by value and the response to
//! fill. The engine pre-fills every response, so a method that does nothing leaves things as they were.

use super::context::Context;
use super::diagnostics::Diagnostics;
use super::identity::IdentitySchema;
use super::path::AttributePath;
use super::schema::Schema;
use super::value::Value;
use async_trait::async_trait;

/// Create: `planned` is the plan; set `state` to what exists, also when failing part-way.
#[derive(Debug)]
pub struct CreateRequest {
    /// The configuration.
    pub config: Value,
    /// The planned new state (unknowns where values are computed).
    pub planned: Value,
    /// Private data from the plan.
    pub planned_private: Vec<u8>,
}

/// Create result. `state` starts null: if a failing create leaves something behind, set it so nothing is orphaned.
#[derive(Debug, Default)]
pub struct CreateResponse {
    /// The new state; must match every known planned value and be wholly known.
    pub state: Value,
    /// Private data to store with the state.
    pub private: Vec<u8>,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

/// Read (refresh).
#[derive(Debug)]
pub struct ReadRequest {
    /// The state as last stored.
    pub state: Value,
    /// Private data stored with it.
    pub private: Vec<u8>,
}

/// Read result; `state` starts as the stored state. Set it to null when the object is gone.
#[derive(Debug, Default)]
pub struct ReadResponse {
    /// The refreshed state.
    pub state: Value,
    /// Private data, pre-filled with the stored private data.
    pub private: Vec<u8>,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

/// Update in place.
#[derive(Debug)]
pub struct UpdateRequest {
    /// The configuration.
    pub config: Value,
    /// The planned new state.
    pub planned: Value,
    /// The prior state.
    pub prior: Value,
    /// Private data from the plan.
    pub planned_private: Vec<u8>,
}

/// Update result; `state` starts as the prior state: on a failure part-way, set it to what now exists.
#[derive(Debug, Default)]
pub struct UpdateResponse {
    /// The new state.
    pub state: Value,
    /// Private data to store.
    pub private: Vec<u8>,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

/// Delete.
#[derive(Debug)]
pub struct DeleteRequest {
    /// The prior state.
    pub prior: Value,
    /// Private data stored with it.
    pub private: Vec<u8>,
}

/// Delete result: any error keeps the prior state.
#[derive(Debug, Default)]
pub struct DeleteResponse {
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

/// Plan modification: the engine has applied defaults and marked changing computed attributes unknown.
#[derive(Debug)]
pub struct ModifyPlanRequest {
    /// The configuration (may hold unknowns).
    pub config: Value,
    /// The prior state, null on create.
    pub prior: Value,
    /// Private data stored with the prior state.
    pub prior_private: Vec<u8>,
}

/// Plan modification result, pre-filled with the engine's plan.
#[derive(Debug, Default)]
pub struct ModifyPlanResponse {
    /// The planned new state.
    pub planned: Value,
    /// Attributes whose change forces replacement (beyond those the schema marks).
    pub requires_replace: Vec<AttributePath>,
    /// Private data for the plan.
    pub private: Vec<u8>,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

/// Import by ID or by identity.
#[derive(Debug)]
pub struct ImportRequest {
    /// What the user gave `terraform import` or an `import { id = ... }` block; empty for an import by identity.
    pub id: String,
    /// The identity of an `import { identity = {...} }` block (its attributes may be null when optional);
    /// null for an import by ID.
    pub identity: Value,
}

/// Import result: enough state for a read to fill the rest.
#[derive(Debug, Default)]
pub struct ImportResponse {
    /// The imported state.
    pub state: Value,
    /// Private data.
    pub private: Vec<u8>,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

/// A managed resource type. `C` is the client the provider's configure produced.
#[async_trait]
pub trait Resource<C: Send + Sync>: Send + Sync {
    /// The full type name, such as `aliram_role`.
    fn type_name(&self) -> &'static str;

    /// The schema.
    fn schema(&self) -> Schema;

    /// Creates the object.
    async fn create(
        &self,
        ctx: &Context,
        client: &C,
        req: CreateRequest,
        resp: &mut CreateResponse,
    );

    /// Refreshes the state from the remote object.
    async fn read(&self, ctx: &Context, client: &C, req: ReadRequest, resp: &mut ReadResponse);

    /// Updates the object in place.
    async fn update(
        &self,
        ctx: &Context,
        client: &C,
        req: UpdateRequest,
        resp: &mut UpdateResponse,
    );

    /// Deletes the object; an object already gone counts as deleted.
    async fn delete(
        &self,
        ctx: &Context,
        client: &C,
        req: DeleteRequest,
        resp: &mut DeleteResponse,
    );

    /// Extension: checks a configuration beyond what attribute validators can (combinations of attributes).
    /// Values may be unknown.
    fn validate_config(&self, _config: &Value, _diagnostics: &mut Diagnostics) {}

    /// Extension: warnings (or errors) about destroying the object `prior`, shown with the plan. A destroy has
    /// nothing else to plan.
    fn plan_destroy(&self, _prior: &Value, _diagnostics: &mut Diagnostics) {}

    /// Extension: adjusts a plan (compute values known at plan time, refuse mistakes before apply). The client
    /// is `None` when the provider could not be configured yet.
    async fn modify_plan(
        &self,
        _ctx: &Context,
        _client: Option<&C>,
        _req: ModifyPlanRequest,
        _resp: &mut ModifyPlanResponse,
    ) {
    }

    /// Extension: the identity schema. A type with one has identities in every state the engine returns, and can
    /// be imported by identity and listed.
    fn identity_schema(&self) -> Option<IdentitySchema> {
        None
    }

    /// Extension: the identity of the object a (planned, new, refreshed or imported) state describes. Values may
    /// be unknown in plans of creates; the engine calls it only for non-null states.
    fn identity(&self, _state: &Value) -> Value {
        Value::Null
    }

    /// Extension: the configuration that would manage the object a state describes (`-generate-config-out`).
    /// The default keeps every attribute configuration can set and drops the computed-only ones.
    fn generate_config(&self, state: &Value) -> Value {
        let mut config = state.clone();
        for attribute in self.schema().block.attributes {
            if attribute.computed && !attribute.optional && !attribute.required {
                config.set_attr(&attribute.name, Value::Null);
            }
        }
        config
    }

    /// Extension: imports an existing object by ID or identity. The default refuses.
    async fn import_state(
        &self,
        _ctx: &Context,
        _client: &C,
        _req: ImportRequest,
        resp: &mut ImportResponse,
    ) {
        resp.diagnostics.add_error(
            "Resource Import Not Implemented",
            format!(
                "{} cannot be imported; create it with Terraform instead.",
                self.type_name()
            ),
        );
    }
}
