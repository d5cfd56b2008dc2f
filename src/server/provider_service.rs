//! The tfplugin5 Provider service: for each RPC, decode with the schema, call the engine, encode the answer.
//!
//! Failures travel as diagnostics; a gRPC error status is never returned for provider-level problems. RPCs for
//! features this provider does not declare (ephemeral and list resources, actions, identities, moves) keep the
//! generated `Unimplemented` answer, which Terraform never asks for in that case.

use super::convert;
use super::proto::tfplugin5 as pb;
use crate::framework::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::engine::{ApplyRequest, Engine, PlanRequest, ReadResourceRequest};
use crate::framework::provider::Provider;
use crate::framework::types::Type;
use crate::framework::value::Value;
use std::sync::Arc;
use tonic::{Request, Response, Status};

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

fn ok<T>(message: T) -> Result<Response<T>, Status> {
    Ok(Response::new(message))
}

#[tonic::async_trait]
impl<P: Provider> pb::provider_server::Provider for ProviderService<P> {
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
            server_capabilities: Some(pb::ServerCapabilities {
                plan_destroy: true,
                get_provider_schema_optional: true,
                move_resource_state: false,
                generate_resource_config: false,
            }),
            provider_meta: Some(pb::Schema {
                version: 0,
                block: Some(Default::default()),
            }),
            ..Default::default()
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
        let respond = |d: &Diagnostics, state: Option<pb::DynamicValue>, private: Vec<u8>| {
            pb::read_resource::Response {
                new_state: state,
                diagnostics: convert::diagnostics(d),
                private,
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
        match convert::encode_value(&read.state, ty, "refreshed state") {
            Ok(new_state) => ok(respond(&diagnostics, Some(new_state), read.private)),
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
        ok(pb::plan_resource_change::Response {
            planned_state,
            requires_replace: plan
                .requires_replace
                .iter()
                .map(convert::attribute_path)
                .collect(),
            planned_private: plan.planned_private,
            diagnostics: convert::diagnostics(&diagnostics),
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
        ok(pb::apply_resource_change::Response {
            new_state,
            private: applied.private,
            diagnostics: convert::diagnostics(&diagnostics),
            ..Default::default()
        })
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = request.into_inner();
        let mut imported = self
            .engine
            .import_resource_state(&req.type_name, req.id)
            .await;
        let mut resources = Vec::new();
        for resource in imported.imported {
            let encoded = self
                .engine
                .resource_type(&resource.type_name)
                .and_then(|ty| convert::encode_value(&resource.state, ty, "imported state"));
            match encoded {
                Ok(state) => resources.push(pb::import_resource_state::ImportedResource {
                    type_name: resource.type_name,
                    state: Some(state),
                    private: resource.private,
                    identity: None,
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

    async fn stop(
        &self,
        _request: Request<pb::stop::Request>,
    ) -> Result<Response<pb::stop::Response>, Status> {
        tracing::info!("stop requested: cancelling in-flight work");
        self.engine.stop();
        ok(pb::stop::Response {
            error: String::new(),
        })
    }
}
