//! The tfplugin5 Provider service: for each RPC, decode with the schema, call the engine, encode the answer.
//!
//! Failures travel as diagnostics; a gRPC error status is never returned for provider-level problems. RPCs for
//! features this provider does not declare (ephemeral resources, moves) keep the generated `Unimplemented`
//! answer, which Terraform never asks for in that case.

use super::convert;
use super::proto::tfplugin5 as pb;
use crate::framework::action::ActionEvent;
use crate::framework::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::engine::{ApplyRequest, Engine, PlanRequest, ReadResourceRequest};
use crate::framework::list_resource::{ListRequest, ListResult, ListSink};
use crate::framework::provider::Provider;
use crate::framework::types::Type;
use crate::framework::value::Value;
use std::sync::Arc;
use tokio_stream::StreamExt as _;
use tokio_stream::wrappers::ReceiverStream;
use tonic::codegen::BoxStream;
use tonic::{Request, Response, Status};

/// How many list results may wait for Terraform to take them before the listing pauses.
const LIST_RESULTS_BUFFERED: usize = 64;

/// How many action progress events may wait for Terraform to take them before the action pauses.
const ACTION_EVENTS_BUFFERED: usize = 16;

/// Serves one provider's engine over tfplugin5.
pub struct ProviderService<P: Provider> {
    engine: Arc<Engine<P>>,
}

impl<P: Provider> std::fmt::Debug for ProviderService<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderService")
            .field("engine", &self.engine)
            .finish()
    }
}

impl<P: Provider> ProviderService<P> {
    /// A service around `engine`.
    pub fn new(engine: Arc<Engine<P>>) -> ProviderService<P> {
        ProviderService { engine }
    }

    fn clone_handle(&self) -> ProviderService<P> {
        ProviderService {
            engine: self.engine.clone(),
        }
    }

    /// An identity as the protocol carries it: `None` for a null identity or a type without one.
    fn identity_data(
        &self,
        type_name: &str,
        identity: &Value,
        diagnostics: &mut Diagnostics,
    ) -> Option<pb::ResourceIdentityData> {
        let ty = self.engine.identity_type(type_name)?;
        if identity.is_null() {
            return None;
        }
        match convert::encode_value(identity, ty, "resource identity") {
            Ok(data) => Some(pb::ResourceIdentityData {
                identity_data: Some(data),
            }),
            Err(d) => {
                diagnostics.push(d);
                None
            }
        }
    }

    /// The identity Terraform sent, decoded; null when it sent none.
    fn decode_identity(
        &self,
        type_name: &str,
        identity: Option<&pb::ResourceIdentityData>,
    ) -> Result<Value, Diagnostic> {
        let Some(data) = identity.and_then(|i| i.identity_data.as_ref()) else {
            return Ok(Value::Null);
        };
        match self.engine.identity_type(type_name) {
            Some(ty) => convert::decode_value(Some(data), ty, "resource identity"),
            None => Ok(Value::Null),
        }
    }

    /// One list result as the protocol's event.
    fn list_event(
        &self,
        type_name: &str,
        include_resource_object: bool,
        result: ListResult,
    ) -> pb::list_resource::Event {
        let mut diagnostics = result.diagnostics;
        let identity = self.identity_data(type_name, &result.identity, &mut diagnostics);
        let resource_object = result
            .resource_object
            .filter(|_| include_resource_object)
            .and_then(|object| {
                let ty = self
                    .engine
                    .resource_type(type_name)
                    .map_err(|d| diagnostics.push(d))
                    .ok()?;
                convert::encode_value(&object, ty, "listed object")
                    .map_err(|d| diagnostics.push(d))
                    .ok()
            });
        pb::list_resource::Event {
            identity,
            display_name: result.display_name,
            resource_object,
            diagnostic: convert::diagnostics(&diagnostics),
        }
    }
}

/// Evaluates to the decoded value, or returns a response built from the diagnostic.
macro_rules! decode_or_return {
    ($value:expr, $ty:expr, $what:expr, $diagnostics:ident, $respond:expr) => {
        match convert::decode_value($value, $ty, $what) {
            Ok(v) => v,
            Err(d) => {
                $diagnostics.push(d);
                return Ok(Response::new($respond));
            }
        }
    };
}

/// Decodes a configuration with the type found for it and runs `check` on it: the shared body of the two
/// Validate*Config RPCs.
fn validate_config(
    ty: Result<&Type, Diagnostic>,
    config: Option<&pb::DynamicValue>,
    check: impl FnOnce(&Value) -> Diagnostics,
) -> Diagnostics {
    let decoded = ty.and_then(|ty| convert::decode_value(config, ty, "configuration"));
    match decoded {
        Ok(config) => check(&config),
        Err(d) => d.into(),
    }
}

/// An action event as the protocol's.
fn action_event(event: ActionEvent) -> pb::invoke_action::Event {
    use pb::invoke_action::event::{Completed, Progress, Type};
    let event = match event {
        ActionEvent::Progress(message) => Type::Progress(Progress { message }),
        ActionEvent::Completed(diagnostics) => Type::Completed(Completed {
            diagnostics: convert::diagnostics(&diagnostics),
        }),
    };
    pb::invoke_action::Event {
        r#type: Some(event),
    }
}

/// What this server supports beyond the protocol's baseline (actions need no flag).
fn server_capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: true,
        move_resource_state: false,
        generate_resource_config: true,
    }
}

fn ok<T>(message: T) -> Result<Response<T>, Status> {
    Ok(Response::new(message))
}

#[tonic::async_trait]
impl<P: Provider> pb::provider_server::Provider for ProviderService<P> {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        use pb::get_metadata as m;
        let engine = &self.engine;
        ok(m::Response {
            server_capabilities: Some(server_capabilities()),
            diagnostics: Vec::new(),
            data_sources: engine
                .data_source_schemas()
                .map(|(n, _)| m::DataSourceMetadata {
                    type_name: n.into(),
                })
                .collect(),
            resources: engine
                .resource_schemas()
                .map(|(n, _)| m::ResourceMetadata {
                    type_name: n.into(),
                })
                .collect(),
            functions: engine
                .function_definitions()
                .map(|(n, _)| m::FunctionMetadata { name: n.into() })
                .collect(),
            ephemeral_resources: Vec::new(),
            list_resources: engine
                .list_resource_schemas()
                .map(|(n, _)| m::ListResourceMetadata {
                    type_name: n.into(),
                })
                .collect(),
            actions: engine
                .action_schemas()
                .map(|(n, _)| m::ActionMetadata {
                    type_name: n.into(),
                })
                .collect(),
        })
    }

    async fn get_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        let engine = &self.engine;
        ok(pb::get_provider_schema::Response {
            provider: Some(convert::schema(engine.provider_schema())),
            resource_schemas: engine
                .resource_schemas()
                .map(|(n, s)| (n.to_owned(), convert::schema(s)))
                .collect(),
            data_source_schemas: engine
                .data_source_schemas()
                .map(|(n, s)| (n.to_owned(), convert::schema(s)))
                .collect(),
            functions: engine
                .function_definitions()
                .map(|(n, f)| (n.to_owned(), convert::function(f)))
                .collect(),
            list_resource_schemas: engine
                .list_resource_schemas()
                .map(|(n, s)| (n.to_owned(), convert::schema(s)))
                .collect(),
            action_schemas: engine
                .action_schemas()
                .map(|(n, s)| {
                    let schema = pb::ActionSchema {
                        schema: Some(convert::schema(s)),
                    };
                    (n.to_owned(), schema)
                })
                .collect(),
            server_capabilities: Some(server_capabilities()),
            provider_meta: Some(pb::Schema {
                version: 0,
                block: Some(Default::default()),
            }),
            ..Default::default()
        })
    }

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        ok(pb::get_resource_identity_schemas::Response {
            identity_schemas: self
                .engine
                .identity_schemas()
                .map(|(n, s)| (n.to_owned(), convert::identity_schema(s)))
                .collect(),
            diagnostics: Vec::new(),
        })
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        let req = request.into_inner();
        let raw = req.raw_identity.unwrap_or_default();
        let (value, mut diagnostics) =
            self.engine
                .upgrade_resource_identity(&req.type_name, req.version, &raw.json);
        let upgraded_identity = self.identity_data(&req.type_name, &value, &mut diagnostics);
        ok(pb::upgrade_resource_identity::Response {
            upgraded_identity,
            diagnostics: convert::diagnostics(&diagnostics),
        })
    }

    async fn prepare_provider_config(
        &self,
        request: Request<pb::prepare_provider_config::Request>,
    ) -> Result<Response<pb::prepare_provider_config::Response>, Status> {
        let req = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        let ty = self.engine.provider_type();
        let config = decode_or_return!(
            req.config.as_ref(),
            ty,
            "provider configuration",
            diagnostics,
            {
                pb::prepare_provider_config::Response {
                    prepared_config: None,
                    diagnostics: convert::diagnostics(&diagnostics),
                }
            }
        );
        diagnostics.extend(self.engine.validate_provider_config(&config));
        // Terraform ignores the prepared configuration; echo it unchanged.
        ok(pb::prepare_provider_config::Response {
            prepared_config: req.config,
            diagnostics: convert::diagnostics(&diagnostics),
        })
    }

    async fn configure(
        &self,
        request: Request<pb::configure::Request>,
    ) -> Result<Response<pb::configure::Response>, Status> {
        let req = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        let config = decode_or_return!(
            req.config.as_ref(),
            self.engine.provider_type(),
            "provider configuration",
            diagnostics,
            {
                pb::configure::Response {
                    diagnostics: convert::diagnostics(&diagnostics),
                }
            }
        );
        diagnostics.extend(self.engine.configure(req.terraform_version, config).await);
        ok(pb::configure::Response {
            diagnostics: convert::diagnostics(&diagnostics),
        })
    }

    async fn validate_resource_type_config(
        &self,
        request: Request<pb::validate_resource_type_config::Request>,
    ) -> Result<Response<pb::validate_resource_type_config::Response>, Status> {
        let req = request.into_inner();
        let diagnostics = validate_config(
            self.engine.resource_type(&req.type_name),
            req.config.as_ref(),
            |config| self.engine.validate_resource_config(&req.type_name, config),
        );
        ok(pb::validate_resource_type_config::Response {
            diagnostics: convert::diagnostics(&diagnostics),
        })
    }

    async fn validate_data_source_config(
        &self,
        request: Request<pb::validate_data_source_config::Request>,
    ) -> Result<Response<pb::validate_data_source_config::Response>, Status> {
        let req = request.into_inner();
        let diagnostics = validate_config(
            self.engine.data_source_type(&req.type_name),
            req.config.as_ref(),
            |config| {
                self.engine
                    .validate_data_source_config(&req.type_name, config)
            },
        );
        ok(pb::validate_data_source_config::Response {
            diagnostics: convert::diagnostics(&diagnostics),
        })
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        let raw = req.raw_state.unwrap_or_default();
        if raw.json.is_empty() && !raw.flatmap.is_empty() {
            diagnostics.add_error(
                "Legacy State Format",
                "This state is in the flatmap format of Terraform 0.11 and earlier, which this provider cannot read. \
                 Remove it from the state and import the object again.",
            );
            return ok(pb::upgrade_resource_state::Response {
                upgraded_state: None,
                diagnostics: convert::diagnostics(&diagnostics),
            });
        }
        let (value, upgrade_diagnostics) =
            self.engine
                .upgrade_resource_state(&req.type_name, req.version, &raw.json);
        diagnostics.extend(upgrade_diagnostics);
        let upgraded_state = self
            .engine
            .resource_type(&req.type_name)
            .ok()
            .and_then(|ty| {
                convert::encode_value(&value, ty, "upgraded state")
                    .map_err(|d| diagnostics.push(d))
                    .ok()
            });
        ok(pb::upgrade_resource_state::Response {
            upgraded_state,
            diagnostics: convert::diagnostics(&diagnostics),
        })
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        // Until the read succeeds, the stored identity still stands.
        let current_identity = req.current_identity.clone();
        let respond = |d: &Diagnostics, state: Option<pb::DynamicValue>, private: Vec<u8>| {
            pb::read_resource::Response {
                new_state: state,
                diagnostics: convert::diagnostics(d),
                private,
                new_identity: current_identity.clone(),
                ..Default::default()
            }
        };
        let ty = match self.engine.resource_type(&req.type_name) {
            Ok(ty) => ty,
            Err(d) => return ok(respond(&d.into(), req.current_state, req.private)),
        };
        let state = decode_or_return!(
            req.current_state.as_ref(),
            ty,
            "current state",
            diagnostics,
            respond(&diagnostics, req.current_state.clone(), req.private.clone())
        );
        let read = self
            .engine
            .read_resource(ReadResourceRequest {
                type_name: req.type_name.clone(),
                state,
                private: req.private.clone(),
            })
            .await;
        diagnostics.extend(read.diagnostics);
        let new_identity = self.identity_data(&req.type_name, &read.identity, &mut diagnostics);
        match convert::encode_value(&read.state, ty, "refreshed state") {
            Ok(new_state) => ok(pb::read_resource::Response {
                new_identity,
                ..respond(&diagnostics, Some(new_state), read.private)
            }),
            Err(d) => {
                diagnostics.push(d);
                ok(respond(&diagnostics, req.current_state, req.private))
            }
        }
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        let respond = |d: &Diagnostics| pb::plan_resource_change::Response {
            diagnostics: convert::diagnostics(d),
            ..Default::default()
        };
        let ty = match self.engine.resource_type(&req.type_name) {
            Ok(ty) => ty,
            Err(d) => return ok(respond(&d.into())),
        };
        let prior = decode_or_return!(
            req.prior_state.as_ref(),
            ty,
            "prior state",
            diagnostics,
            respond(&diagnostics)
        );
        let proposed = decode_or_return!(
            req.proposed_new_state.as_ref(),
            ty,
            "proposed state",
            diagnostics,
            respond(&diagnostics)
        );
        let config = decode_or_return!(
            req.config.as_ref(),
            ty,
            "configuration",
            diagnostics,
            respond(&diagnostics)
        );
        let plan = self
            .engine
            .plan_resource_change(PlanRequest {
                type_name: req.type_name.clone(),
                prior,
                proposed,
                config,
                prior_private: req.prior_private,
            })
            .await;
        diagnostics.extend(plan.diagnostics);
        let planned_state = convert::encode_value(&plan.planned, ty, "plan")
            .map_err(|d| diagnostics.push(d))
            .ok();
        let planned_identity =
            self.identity_data(&req.type_name, &plan.planned_identity, &mut diagnostics);
        ok(pb::plan_resource_change::Response {
            planned_state,
            requires_replace: plan
                .requires_replace
                .iter()
                .map(convert::attribute_path)
                .collect(),
            planned_private: plan.planned_private,
            diagnostics: convert::diagnostics(&diagnostics),
            planned_identity,
            ..Default::default()
        })
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        // Until the change is applied, the prior state is what exists: answer with it on early errors.
        let respond = |d: &Diagnostics, state: Option<pb::DynamicValue>| {
            pb::apply_resource_change::Response {
                new_state: state,
                diagnostics: convert::diagnostics(d),
                ..Default::default()
            }
        };
        let ty = match self.engine.resource_type(&req.type_name) {
            Ok(ty) => ty,
            Err(d) => return ok(respond(&d.into(), req.prior_state)),
        };
        let prior = decode_or_return!(
            req.prior_state.as_ref(),
            ty,
            "prior state",
            diagnostics,
            respond(&diagnostics, req.prior_state.clone())
        );
        let planned = decode_or_return!(
            req.planned_state.as_ref(),
            ty,
            "planned state",
            diagnostics,
            respond(&diagnostics, req.prior_state.clone())
        );
        let config = decode_or_return!(
            req.config.as_ref(),
            ty,
            "configuration",
            diagnostics,
            respond(&diagnostics, req.prior_state.clone())
        );
        let applied = self
            .engine
            .apply_resource_change(ApplyRequest {
                type_name: req.type_name.clone(),
                prior,
                planned,
                config,
                planned_private: req.planned_private,
            })
            .await;
        diagnostics.extend(applied.diagnostics);
        let new_state = match convert::encode_value(&applied.new_state, ty, "new state") {
            Ok(v) => Some(v),
            Err(d) => {
                diagnostics.push(d);
                req.prior_state
            }
        };
        let new_identity =
            self.identity_data(&req.type_name, &applied.new_identity, &mut diagnostics);
        ok(pb::apply_resource_change::Response {
            new_state,
            private: applied.private,
            diagnostics: convert::diagnostics(&diagnostics),
            new_identity,
            ..Default::default()
        })
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = request.into_inner();
        let identity = match self.decode_identity(&req.type_name, req.identity.as_ref()) {
            Ok(identity) => identity,
            Err(d) => {
                return ok(pb::import_resource_state::Response {
                    diagnostics: convert::diagnostics(&d.into()),
                    ..Default::default()
                });
            }
        };
        let mut imported = self
            .engine
            .import_resource_state(&req.type_name, req.id, identity)
            .await;
        let mut resources = Vec::new();
        for resource in imported.imported {
            let encoded = self
                .engine
                .resource_type(&resource.type_name)
                .and_then(|ty| convert::encode_value(&resource.state, ty, "imported state"));
            let identity = self.identity_data(
                &resource.type_name,
                &resource.identity,
                &mut imported.diagnostics,
            );
            match encoded {
                Ok(state) => resources.push(pb::import_resource_state::ImportedResource {
                    type_name: resource.type_name,
                    state: Some(state),
                    private: resource.private,
                    identity,
                }),
                Err(d) => imported.diagnostics.push(d),
            }
        }
        ok(pb::import_resource_state::Response {
            imported_resources: resources,
            diagnostics: convert::diagnostics(&imported.diagnostics),
            deferred: None,
        })
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let req = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        let respond = |d: &Diagnostics, state| pb::read_data_source::Response {
            state,
            diagnostics: convert::diagnostics(d),
            deferred: None,
        };
        let ty = match self.engine.data_source_type(&req.type_name) {
            Ok(ty) => ty,
            Err(d) => return ok(respond(&d.into(), None)),
        };
        let config = decode_or_return!(
            req.config.as_ref(),
            ty,
            "configuration",
            diagnostics,
            respond(&diagnostics, None)
        );
        let (state, read_diagnostics) = self.engine.read_data_source(&req.type_name, config).await;
        diagnostics.extend(read_diagnostics);
        let state = convert::encode_value(&state, ty, "data source result")
            .map_err(|d| diagnostics.push(d))
            .ok();
        ok(respond(&diagnostics, state))
    }

    async fn generate_resource_config(
        &self,
        request: Request<pb::generate_resource_config::Request>,
    ) -> Result<Response<pb::generate_resource_config::Response>, Status> {
        let req = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        let respond = |d: &Diagnostics, config| pb::generate_resource_config::Response {
            config,
            diagnostics: convert::diagnostics(d),
        };
        let ty = match self.engine.resource_type(&req.type_name) {
            Ok(ty) => ty,
            Err(d) => return ok(respond(&d.into(), None)),
        };
        let state = decode_or_return!(
            req.state.as_ref(),
            ty,
            "state",
            diagnostics,
            respond(&diagnostics, None)
        );
        let (config, generate_diagnostics) =
            self.engine.generate_resource_config(&req.type_name, &state);
        diagnostics.extend(generate_diagnostics);
        let config = convert::encode_value(&config, ty, "generated configuration")
            .map_err(|d| diagnostics.push(d))
            .ok();
        ok(respond(&diagnostics, config))
    }

    async fn validate_list_resource_config(
        &self,
        request: Request<pb::validate_list_resource_config::Request>,
    ) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
        let req = request.into_inner();
        let diagnostics = validate_config(
            self.engine.list_resource_type(&req.type_name),
            req.config.as_ref(),
            |config| {
                self.engine
                    .validate_list_resource_config(&req.type_name, config)
            },
        );
        ok(pb::validate_list_resource_config::Response {
            diagnostics: convert::diagnostics(&diagnostics),
        })
    }

    async fn list_resource(
        &self,
        request: Request<pb::list_resource::Request>,
    ) -> Result<Response<BoxStream<pb::list_resource::Event>>, Status> {
        let req = request.into_inner();
        let (sender, receiver) = tokio::sync::mpsc::channel(LIST_RESULTS_BUFFERED);
        let config = self
            .engine
            .list_resource_type(&req.type_name)
            .and_then(|ty| convert::decode_value(req.config.as_ref(), ty, "list configuration"));
        match config {
            Ok(config) => {
                let engine = self.engine.clone();
                let type_name = req.type_name.clone();
                let list = ListRequest {
                    config,
                    include_resource_object: req.include_resource_object,
                    limit: req.limit,
                };
                // The listing runs beside the stream; it ends when Terraform stops reading (the channel closes).
                tokio::spawn(async move {
                    engine
                        .list_resource(&type_name, list, ListSink::new(sender))
                        .await;
                });
            }
            Err(d) => {
                let failed = ListResult {
                    diagnostics: d.into(),
                    ..Default::default()
                };
                // The receiver is alive below, and the buffer has room for one result.
                let _ = sender.try_send(failed);
            }
        }
        let service = self.clone_handle();
        let type_name = req.type_name;
        let include = req.include_resource_object;
        let events = ReceiverStream::new(receiver)
            .map(move |result| Ok(service.list_event(&type_name, include, result)));
        Ok(Response::new(Box::pin(events)))
    }

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        ok(pb::get_functions::Response {
            functions: self
                .engine
                .function_definitions()
                .map(|(n, f)| (n.to_owned(), convert::function(f)))
                .collect(),
            diagnostics: Vec::new(),
        })
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        let req = request.into_inner();
        let failure = |text: String, argument: Option<usize>| pb::call_function::Response {
            result: None,
            error: Some(pb::FunctionError {
                text,
                function_argument: argument.map(|i| i as i64),
            }),
        };
        let Some(definition) = self.engine.function_definition(&req.name) else {
            return ok(failure(
                format!("This provider has no function named {:?}.", req.name),
                None,
            ));
        };
        let expected = definition.parameters.len();
        if req.arguments.len() != expected {
            let text = format!(
                "{} takes {expected} argument(s), but {} were given.",
                req.name,
                req.arguments.len()
            );
            return ok(failure(text, None));
        }
        let mut arguments = Vec::with_capacity(expected);
        for (i, (argument, parameter)) in
            req.arguments.iter().zip(&definition.parameters).enumerate()
        {
            match convert::decode_value(Some(argument), &parameter.ty, "function argument") {
                Ok(v) => arguments.push(v),
                Err(d) => return ok(failure(d.detail, Some(i))),
            }
        }
        match self.engine.call_function(&req.name, &arguments) {
            Ok(result) => {
                match convert::encode_value(&result, &definition.return_type, "function result") {
                    Ok(v) => ok(pb::call_function::Response {
                        result: Some(v),
                        error: None,
                    }),
                    Err(d) => ok(failure(d.detail, None)),
                }
            }
            Err(e) => ok(failure(e.text, e.argument)),
        }
    }

    async fn validate_action_config(
        &self,
        request: Request<pb::validate_action_config::Request>,
    ) -> Result<Response<pb::validate_action_config::Response>, Status> {
        let req = request.into_inner();
        let diagnostics = validate_config(
            self.engine.action_type(&req.type_name),
            req.config.as_ref(),
            |config| self.engine.validate_action_config(&req.type_name, config),
        );
        ok(pb::validate_action_config::Response {
            diagnostics: convert::diagnostics(&diagnostics),
        })
    }

    async fn plan_action(
        &self,
        request: Request<pb::plan_action::Request>,
    ) -> Result<Response<pb::plan_action::Response>, Status> {
        let req = request.into_inner();
        let config = self
            .engine
            .action_type(&req.action_type)
            .and_then(|ty| convert::decode_value(req.config.as_ref(), ty, "action configuration"));
        let diagnostics = match config {
            Ok(config) => self.engine.plan_action(&req.action_type, config).await,
            Err(d) => d.into(),
        };
        ok(pb::plan_action::Response {
            diagnostics: convert::diagnostics(&diagnostics),
            deferred: None,
        })
    }

    async fn invoke_action(
        &self,
        request: Request<pb::invoke_action::Request>,
    ) -> Result<Response<BoxStream<pb::invoke_action::Event>>, Status> {
        let req = request.into_inner();
        let (sender, receiver) = tokio::sync::mpsc::channel(ACTION_EVENTS_BUFFERED);
        let config = self
            .engine
            .action_type(&req.action_type)
            .and_then(|ty| convert::decode_value(req.config.as_ref(), ty, "action configuration"));
        match config {
            Ok(config) => {
                let engine = self.engine.clone();
                // The action runs beside the stream, which ends after its one completed event.
                tokio::spawn(async move {
                    engine.invoke_action(&req.action_type, config, sender).await;
                });
            }
            Err(d) => {
                // The receiver is alive below, and the buffer has room for one event.
                let _ = sender.try_send(ActionEvent::Completed(d.into()));
            }
        }
        let events = ReceiverStream::new(receiver).map(|event| Ok(action_event(event)));
        Ok(Response::new(Box::pin(events)))
    }

    async fn stop(
        &self,
        _request: Request<pb::stop::Request>,
    ) -> Result<Response<pb::stop::Response>, Status> {
        self.engine.stop();
        // Logged once the token is cancelled, so a reader of the log knows every later answer meets a stopping
        // provider (the interrupted-apply acceptance test releases held answers on this line).
        tracing::info!(
            "stop requested: in-flight work cancelled; writes already sent finish (bounded) so their outcome is recorded"
        );
        ok(pb::stop::Response {
            error: String::new(),
        })
    }
}
