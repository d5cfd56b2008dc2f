//! The engine: applies Terraform's plan and apply rules around the provider's resources, data sources,
//! functions and actions, so that provider code only says what is different about its objects.
//!
//! It speaks framework types only (values, schemas, diagnostics); the protocol layer decodes requests into these
//! and encodes the answers. One file per operation.

mod apply_resource_change;
mod call_function;
mod configure;
mod generate_resource_config;
mod identity;
mod import_resource_state;
mod invoke_action;
mod list_resource;
mod plan_action;
mod plan_resource_change;
mod plan_rules;
mod read_data_source;
mod read_resource;
mod upgrade_resource_state;
mod validate;
mod validate_action_config;

pub use apply_resource_change::{ApplyRequest, ApplyResponse};
pub use import_resource_state::{ImportStateResponse, ImportedResource};
pub use plan_resource_change::{PlanRequest, PlanResponse};
pub use plan_rules::UnplannableAttribute;
pub use read_resource::{ReadResourceRequest, ReadResourceResponse};

use super::action::Action;
use super::context::Context;
use super::data_source::DataSource;
use super::diagnostics::{Diagnostic, Diagnostics};
use super::function::{Function, FunctionDefinition};
use super::identity::IdentitySchema;
use super::list_resource::ListResource;
use super::provider::Provider;
use super::resource::Resource;
use super::schema::Schema;
use super::types::Type;
use super::value::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, RwLock};
use tokio_util::sync::CancellationToken;

/// A registered resource or data source with its schema, computed once.
struct Registered<T: ?Sized> {
    handler: Arc<T>,
    schema: Schema,
    value_type: Type,
}

impl<T: ?Sized> Registered<T> {
    fn new(handler: Arc<T>, schema: Schema) -> Registered<T> {
        let value_type = schema.value_type();
        Registered {
            handler,
            schema,
            value_type,
        }
    }
}

/// A resource type's identity schema with its value type, computed once.
struct RegisteredIdentity {
    schema: IdentitySchema,
    value_type: Type,
}

/// A registered function with its definition.
struct RegisteredFunction {
    handler: Arc<dyn Function>,
    definition: FunctionDefinition,
}

/// A resource schema the engine would plan wrongly; [`Engine::new`] refuses it.
#[derive(Debug, thiserror::Error)]
#[error("resource type {type_name}: {attribute}")]
pub struct UnplannableSchema {
    /// The resource type.
    pub type_name: &'static str,
    /// What in its schema cannot be planned.
    pub attribute: UnplannableAttribute,
}

/// The engine serving one provider.
pub struct Engine<P: Provider> {
    provider: P,
    provider_schema: Schema,
    provider_type: Type,
    resources: BTreeMap<&'static str, Registered<dyn Resource<P::Client>>>,
    identities: BTreeMap<&'static str, RegisteredIdentity>,
    list_resources: BTreeMap<&'static str, Registered<dyn ListResource<P::Client>>>,
    data_sources: BTreeMap<&'static str, Registered<dyn DataSource<P::Client>>>,
    functions: BTreeMap<&'static str, RegisteredFunction>,
    actions: BTreeMap<&'static str, Registered<dyn Action<P::Client>>>,
    client: RwLock<Option<Arc<P::Client>>>,
    stop: CancellationToken,
}

impl<P: Provider> fmt::Debug for Engine<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("provider", &self.provider.type_name())
            .field("resources", &self.resources.keys().collect::<Vec<_>>())
            .field(
                "data_sources",
                &self.data_sources.keys().collect::<Vec<_>>(),
            )
            .field("functions", &self.functions.keys().collect::<Vec<_>>())
            .field("actions", &self.actions.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl<P: Provider> Engine<P> {
    /// Registers everything `provider` offers and computes the schemas once. Refuses a resource schema whose
    /// plan rules it cannot apply (see `plan_rules`), so that a schema mistake fails the provider's start instead
    /// of planning wrong.
    pub fn new(provider: P) -> Result<Engine<P>, UnplannableSchema> {
        let provider_schema = provider.schema();
        let provider_type = provider_schema.value_type();
        let mut resources = BTreeMap::new();
        for resource in provider.resources() {
            let type_name = resource.type_name();
            let schema = resource.schema();
            plan_rules::check_plannable(&schema.block).map_err(|attribute| UnplannableSchema {
                type_name,
                attribute,
            })?;
            resources.insert(type_name, Registered::new(resource, schema));
        }
        let identities = resources
            .iter()
            .filter_map(|(name, r)| {
                let schema = r.handler.identity_schema()?;
                let value_type = schema.value_type();
                Some((*name, RegisteredIdentity { schema, value_type }))
            })
            .collect();
        let list_resources = provider
            .list_resources()
            .into_iter()
            .map(|l| (l.type_name(), Registered::new(l.clone(), l.schema())))
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|d| (d.type_name(), Registered::new(d.clone(), d.schema())))
            .collect();
        let functions = provider
            .functions()
            .into_iter()
            .map(|f| {
                (
                    f.name(),
                    RegisteredFunction {
                        definition: f.definition(),
                        handler: f,
                    },
                )
            })
            .collect();
        let actions = provider
            .actions()
            .into_iter()
            .map(|a| (a.type_name(), Registered::new(a.clone(), a.schema())))
            .collect();
        Ok(Engine {
            provider,
            provider_schema,
            provider_type,
            resources,
            identities,
            list_resources,
            data_sources,
            functions,
            actions,
            client: RwLock::new(None),
            stop: CancellationToken::new(),
        })
    }

    /// The provider's type name, such as `aliram`.
    pub fn provider_type_name(&self) -> &'static str {
        self.provider.type_name()
    }

    /// The provider block's schema.
    pub fn provider_schema(&self) -> &Schema {
        &self.provider_schema
    }

    /// The provider block's value type.
    pub fn provider_type(&self) -> &Type {
        &self.provider_type
    }

    /// Every resource type's schema, by type name.
    pub fn resource_schemas(&self) -> impl Iterator<Item = (&'static str, &Schema)> {
        self.resources.iter().map(|(name, r)| (*name, &r.schema))
    }

    /// Every identity schema, by resource type name.
    pub fn identity_schemas(&self) -> impl Iterator<Item = (&'static str, &IdentitySchema)> {
        self.identities.iter().map(|(name, i)| (*name, &i.schema))
    }

    /// The identity value type of a resource type; `None` for a type without identity.
    pub fn identity_type(&self, type_name: &str) -> Option<&Type> {
        self.identities.get(type_name).map(|i| &i.value_type)
    }

    /// Every list resource type's schema (its `config` block), by type name.
    pub fn list_resource_schemas(&self) -> impl Iterator<Item = (&'static str, &Schema)> {
        self.list_resources
            .iter()
            .map(|(name, l)| (*name, &l.schema))
    }

    /// The value type of a list resource type's `config` block, or the diagnostic for an unknown type.
    pub fn list_resource_type(&self, type_name: &str) -> Result<&Type, Diagnostic> {
        self.registered_list_resource(type_name)
            .map(|l| &l.value_type)
    }

    /// Every data source type's schema, by type name.
    pub fn data_source_schemas(&self) -> impl Iterator<Item = (&'static str, &Schema)> {
        self.data_sources.iter().map(|(name, d)| (*name, &d.schema))
    }

    /// Every function's definition, by name.
    pub fn function_definitions(
        &self,
    ) -> impl Iterator<Item = (&'static str, &FunctionDefinition)> {
        self.functions
            .iter()
            .map(|(name, f)| (*name, &f.definition))
    }

    /// Every action type's schema (its `config` block), by type name.
    pub fn action_schemas(&self) -> impl Iterator<Item = (&'static str, &Schema)> {
        self.actions.iter().map(|(name, a)| (*name, &a.schema))
    }

    /// The value type of an action type's `config` block, or the diagnostic for an unknown type.
    pub fn action_type(&self, type_name: &str) -> Result<&Type, Diagnostic> {
        self.action(type_name).map(|a| &a.value_type)
    }

    /// The value type of a resource type, or the diagnostic for an unknown type.
    pub fn resource_type(&self, type_name: &str) -> Result<&Type, Diagnostic> {
        self.resource(type_name).map(|r| &r.value_type)
    }

    /// The value type of a data source type, or the diagnostic for an unknown type.
    pub fn data_source_type(&self, type_name: &str) -> Result<&Type, Diagnostic> {
        self.data_source(type_name).map(|d| &d.value_type)
    }

    /// The definition of a function; `None` for a name the provider does not offer.
    pub fn function_definition(&self, name: &str) -> Option<&FunctionDefinition> {
        self.functions.get(name).map(|f| &f.definition)
    }

    /// Cancels in-flight and later work: Terraform's Stop.
    pub fn stop(&self) {
        self.stop.cancel();
    }

    fn context(&self) -> Context {
        Context {
            cancel: self.stop.clone(),
        }
    }

    fn resource(
        &self,
        type_name: &str,
    ) -> Result<&Registered<dyn Resource<P::Client>>, Diagnostic> {
        self.resources
            .get(type_name)
            .ok_or_else(|| unknown_type("resource", type_name))
    }

    fn registered_list_resource(
        &self,
        type_name: &str,
    ) -> Result<&Registered<dyn ListResource<P::Client>>, Diagnostic> {
        self.list_resources
            .get(type_name)
            .ok_or_else(|| unknown_type("list resource", type_name))
    }

    /// The identity of the object `state` describes, for a type with identity and a non-null state; else null.
    fn identity_of(&self, type_name: &str, state: &Value) -> Value {
        match self.resources.get(type_name) {
            Some(r) if !state.is_null() && self.identities.contains_key(type_name) => {
                r.handler.identity(state)
            }
            _ => Value::Null,
        }
    }

    fn data_source(
        &self,
        type_name: &str,
    ) -> Result<&Registered<dyn DataSource<P::Client>>, Diagnostic> {
        self.data_sources
            .get(type_name)
            .ok_or_else(|| unknown_type("data source", type_name))
    }

    fn action(&self, type_name: &str) -> Result<&Registered<dyn Action<P::Client>>, Diagnostic> {
        self.actions
            .get(type_name)
            .ok_or_else(|| unknown_type("action", type_name))
    }

    fn client(&self) -> Option<Arc<P::Client>> {
        self.client.read().ok().and_then(|guard| guard.clone())
    }

    fn configured_client(&self, diagnostics: &mut Diagnostics) -> Option<Arc<P::Client>> {
        let client = self.client();
        if client.is_none() {
            diagnostics.add_error(
                "Provider Not Configured",
                "The provider has not been configured, so it cannot reach the cloud API. This is a bug in the \
                 provider or in Terraform; please report it.",
            );
        }
        client
    }
}

fn unknown_type(kind: &str, type_name: &str) -> Diagnostic {
    Diagnostic::error(
        format!("Unknown {kind} type"),
        format!(
            "This provider has no {kind} type {type_name:?}. Check the spelling, or upgrade the provider."
        ),
    )
}

fn provider_bug(detail: impl Into<String>) -> Diagnostic {
    Diagnostic::error(
        "Provider Produced an Invalid Result",
        format!(
            "{} This is a bug in the provider; please report it.",
            detail.into()
        ),
    )
}
