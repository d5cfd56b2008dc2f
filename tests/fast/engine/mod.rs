//! The engine against Terraform's plan and apply rules, through a declarative test double: a fake provider
//! whose one resource, `fake_role`, does what its function fields say and records every call it receives.
//!
//! Each table case is named after what it varies in the request (`request-...`) and what it checks in the
//! response (`response-...`); whole results are compared. One file per RPC, as the engine has.

mod apply_resource_change;
mod call_function;
mod import_resource_state;
mod invoke_action;
mod plan_action;
mod plan_resource_change;
mod read_resource;
mod upgrade_resource_state;
mod validate;
mod validate_action_config;

use pretty_assertions::assert_eq;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use terraform_provider_aliram::framework::action::{
    Action, ActionEvent, ActionProgress, InvokeActionRequest, InvokeActionResponse,
    PlanActionRequest, PlanActionResponse,
};
use terraform_provider_aliram::framework::context::Context;
use terraform_provider_aliram::framework::data_source::DataSource;
use terraform_provider_aliram::framework::diagnostics::{Diagnostic, Diagnostics};
use terraform_provider_aliram::framework::engine::{
    ApplyRequest, ApplyResponse, Engine, ImportStateResponse, PlanRequest, PlanResponse,
    ReadResourceRequest, ReadResourceResponse,
};
use terraform_provider_aliram::framework::function::{
    Function, FunctionDefinition, FunctionError, Parameter,
};
use terraform_provider_aliram::framework::path::AttributePath;
use terraform_provider_aliram::framework::provider::{
    ConfigureRequest, ConfigureResponse, Provider,
};
use terraform_provider_aliram::framework::resource::{
    CreateRequest, CreateResponse, DeleteRequest, DeleteResponse, ModifyPlanRequest,
    ModifyPlanResponse, ReadRequest, ReadResponse, Resource, UpdateRequest, UpdateResponse,
};
use terraform_provider_aliram::framework::schema::{Attribute, Block, Nesting, Schema};
use terraform_provider_aliram::framework::types::Type;
use terraform_provider_aliram::framework::value::Value;

// ---------------------------------------------------------------------------------------------------------------
// The test double
// ---------------------------------------------------------------------------------------------------------------

const ROLE: &str = "fake_role";
const NO_SUCH_TYPE: &str = "fake_nothing";
const PRIOR_PRIVATE: &[u8] = b"prior-private";
const PLANNED_PRIVATE: &[u8] = b"planned-private";

/// The client the fake provider's configure produces.
#[derive(Debug)]
struct FakeClient;

/// One call the engine made into the fake resource, with what it passed.
#[derive(Clone, Debug, PartialEq)]
enum Call {
    Create { planned: Value, private: Vec<u8> },
    Read { state: Value, private: Vec<u8> },
    Update { prior: Value, planned: Value },
    Delete { prior: Value, private: Vec<u8> },
    ModifyPlan { prior: Value, planned: Value },
}

type Hook<Req, Resp> = Box<dyn Fn(&Req, &mut Resp) + Send + Sync>;

/// A resource that does what its hooks say; a hook left as default does nothing, so the engine's pre-filled
/// response goes back unchanged.
struct FakeRole {
    schema: Schema,
    create: Hook<CreateRequest, CreateResponse>,
    read: Hook<ReadRequest, ReadResponse>,
    update: Hook<UpdateRequest, UpdateResponse>,
    delete: Hook<DeleteRequest, DeleteResponse>,
    modify_plan: Hook<ModifyPlanRequest, ModifyPlanResponse>,
    calls: Mutex<Vec<Call>>,
}

impl Default for FakeRole {
    fn default() -> FakeRole {
        FakeRole {
            schema: role_schema(),
            create: Box::new(|_, _| {}),
            read: Box::new(|_, _| {}),
            update: Box::new(|_, _| {}),
            delete: Box::new(|_, _| {}),
            modify_plan: Box::new(|_, _| {}),
            calls: Mutex::new(Vec::new()),
        }
    }
}

impl FakeRole {
    fn record(&self, call: Call) {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(call);
        }
    }

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

/// Must be lowercase ASCII, as RAM role names in this test are.
fn lowercase(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if s.chars().all(|c| c.is_ascii_lowercase() || c == '-') => Ok(()),
        _ => Err(format!("{v:?} is not lowercase")),
    }
}

/// Must start with `sts:`.
fn sts_action(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if s.starts_with("sts:") => Ok(()),
        _ => Err(format!("{v:?} is not an STS action")),
    }
}

/// Must be all digits.
fn digits(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
        _ => Err(format!("{v:?} is not an account id")),
    }
}

/// The fake role's schema: every plan behaviour once. Version 1, so that version 0 state needs upgrading.
fn role_schema() -> Schema {
    let statement = Block::new("A statement.")
        .attribute(Attribute::string("action").optional().validate(sts_action));
    let principal = Block::new("Who may assume it.")
        .attribute(Attribute::string("account").optional().validate(digits));
    Schema {
        version: 1,
        block: Block::new("A fake role.")
            .attribute(Attribute::string("id").computed())
            .attribute(
                Attribute::string("name")
                    .required()
                    .requires_replace()
                    .validate(lowercase),
            )
            .attribute(Attribute::string("description").optional().computed())
            .attribute(Attribute::string("arn").computed().use_state_for_unknown())
            .attribute(Attribute::string("create_date").computed())
            .attribute(Attribute::number("max_session_duration").default(Value::int(3600)))
            .attribute(Attribute::new("tags", Type::map(Type::String)).optional())
            .block("statement", Nesting::List, statement, 0)
            .block("principal", Nesting::Single, principal, 1),
    }
}

#[async_trait::async_trait]
impl Resource<FakeClient> for FakeRole {
    fn type_name(&self) -> &'static str {
        ROLE
    }

    fn schema(&self) -> Schema {
        self.schema.clone()
    }

    async fn create(
        &self,
        _: &Context,
        _: &FakeClient,
        req: CreateRequest,
        resp: &mut CreateResponse,
    ) {
        self.record(Call::Create {
            planned: req.planned.clone(),
            private: req.planned_private.clone(),
        });
        (self.create)(&req, resp);
    }

    async fn read(&self, _: &Context, _: &FakeClient, req: ReadRequest, resp: &mut ReadResponse) {
        self.record(Call::Read {
            state: req.state.clone(),
            private: req.private.clone(),
        });
        (self.read)(&req, resp);
    }

    async fn update(
        &self,
        _: &Context,
        _: &FakeClient,
        req: UpdateRequest,
        resp: &mut UpdateResponse,
    ) {
        self.record(Call::Update {
            prior: req.prior.clone(),
            planned: req.planned.clone(),
        });
        (self.update)(&req, resp);
    }

    async fn delete(
        &self,
        _: &Context,
        _: &FakeClient,
        req: DeleteRequest,
        resp: &mut DeleteResponse,
    ) {
        self.record(Call::Delete {
            prior: req.prior.clone(),
            private: req.private.clone(),
        });
        (self.delete)(&req, resp);
    }

    /// Warns about destroying a role described "guarded" (no stored state below is).
    fn plan_destroy(&self, prior: &Value, diagnostics: &mut Diagnostics) {
        if prior.attr("description").as_str() == Some("guarded") {
            diagnostics.add_warning("Guarded Role", "Others depend on this role.");
        }
    }

    async fn modify_plan(
        &self,
        _: &Context,
        _: Option<&FakeClient>,
        req: ModifyPlanRequest,
        resp: &mut ModifyPlanResponse,
    ) {
        self.record(Call::ModifyPlan {
            prior: req.prior.clone(),
            planned: resp.planned.clone(),
        });
        (self.modify_plan)(&req, resp);
    }
}

/// `echo(text)`: returns its one argument.
struct Echo;

impl Function for Echo {
    fn name(&self) -> &'static str {
        "echo"
    }

    fn definition(&self) -> FunctionDefinition {
        FunctionDefinition {
            summary: "Returns its argument.".into(),
            description: String::new(),
            parameters: vec![Parameter {
                name: "text".into(),
                ty: Type::String,
                description: String::new(),
            }],
            return_type: Type::String,
        }
    }

    fn call(&self, arguments: &[Value]) -> Result<Value, FunctionError> {
        Ok(arguments.first().cloned().unwrap_or_default())
    }
}

const ACTION: &str = "fake_check";

/// `fake_check`: an action whose behaviour follows its `target`: "warn" warns at plan, "fail" fails the invocation
/// after one progress message, "quiet" sends no progress. Any other target succeeds after two progress messages.
struct FakeCheck;

fn check_schema() -> Schema {
    Schema::new(
        Block::new("A fake check.")
            .attribute(Attribute::string("target").required().validate(lowercase))
            .attribute(Attribute::string("note").optional()),
    )
}

#[async_trait::async_trait]
impl Action<FakeClient> for FakeCheck {
    fn type_name(&self) -> &'static str {
        ACTION
    }

    fn schema(&self) -> Schema {
        check_schema()
    }

    fn validate_config(&self, config: &Value, diagnostics: &mut Diagnostics) {
        if config.attr("note").as_str() == Some("forbidden") {
            diagnostics
                .push(Diagnostic::error("Forbidden Note", "note is forbidden.").at(path("note")));
        }
    }

    async fn plan(
        &self,
        _: &Context,
        client: Option<&FakeClient>,
        req: PlanActionRequest,
        resp: &mut PlanActionResponse,
    ) {
        if client.is_none() {
            resp.diagnostics
                .add_warning("No Client", "planned without a client");
        }
        if req.config.attr("target").as_str() == Some("warn") {
            resp.diagnostics
                .add_warning("Check Warns", "target is warn");
        }
        if req.config.attr("target").is_unknown() {
            resp.diagnostics
                .add_warning("Target Unknown", "known at apply");
        }
    }

    async fn invoke(
        &self,
        _: &Context,
        _: &FakeClient,
        req: InvokeActionRequest,
        progress: &ActionProgress,
        resp: &mut InvokeActionResponse,
    ) {
        let target = req
            .config
            .attr("target")
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if target == "quiet" {
            return;
        }
        progress.send(format!("checking {target}")).await;
        if target == "fail" {
            resp.diagnostics.add_error("Check Failed", "target is fail");
            return;
        }
        progress.send(format!("checked {target}")).await;
    }
}

/// A `fake_check` configuration with `target` (and no note).
fn check(target: impl Into<Value>) -> Value {
    Value::object([("target", target.into()), ("note", Value::Null)])
}

/// A provider offering the one fake resource, `echo` and `fake_check`.
struct FakeProvider {
    role: Arc<FakeRole>,
}

#[async_trait::async_trait]
impl Provider for FakeProvider {
    type Client = FakeClient;

    fn type_name(&self) -> &'static str {
        "fake"
    }

    fn schema(&self) -> Schema {
        Schema::new(Block::new("The fake provider."))
    }

    async fn configure(
        &self,
        _: &Context,
        _: ConfigureRequest,
        resp: &mut ConfigureResponse<FakeClient>,
    ) {
        resp.client = Some(FakeClient);
    }

    fn resources(&self) -> Vec<Arc<dyn Resource<FakeClient>>> {
        vec![self.role.clone()]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource<FakeClient>>> {
        Vec::new()
    }

    fn functions(&self) -> Vec<Arc<dyn Function>> {
        vec![Arc::new(Echo)]
    }

    fn actions(&self) -> Vec<Arc<dyn Action<FakeClient>>> {
        vec![Arc::new(FakeCheck)]
    }
}

/// A configured engine around `role`, and the role to inspect its calls.
async fn engine(role: FakeRole) -> (Engine<FakeProvider>, Arc<FakeRole>) {
    let role = Arc::new(role);
    let engine = Engine::new(FakeProvider { role: role.clone() }).expect("a plannable schema");
    let diagnostics = engine
        .configure("1.15.0".into(), Value::object([] as [(&str, Value); 0]))
        .await;
    assert_eq!(
        diagnostics,
        Diagnostics::new(),
        "configuring the fake provider"
    );
    (engine, role)
}

// ---------------------------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------------------------

/// A `fake_role` object: every attribute null and no blocks, but for `set`.
fn role(set: &[(&str, Value)]) -> Value {
    let mut v = Value::object([
        ("id", Value::Null),
        ("name", Value::Null),
        ("description", Value::Null),
        ("arn", Value::Null),
        ("create_date", Value::Null),
        ("max_session_duration", Value::Null),
        ("tags", Value::Null),
        ("statement", Value::List(Vec::new())),
        ("principal", Value::Null),
    ]);
    for (name, value) in set {
        v.set_attr(name, value.clone());
    }
    v
}

/// The configuration the user writes for the stored role below.
fn stored_config() -> Value {
    role(&[
        ("name", "analytics".into()),
        ("description", "reads the warehouse".into()),
        ("tags", Value::string_map([("team", "data")])),
    ])
}

/// The state of an existing role.
fn stored_state() -> Value {
    role(&[
        ("id", "analytics".into()),
        ("name", "analytics".into()),
        ("description", "reads the warehouse".into()),
        ("arn", "acs:ram::123456:role/analytics".into()),
        ("create_date", "2026-01-02T03:04:05Z".into()),
        ("max_session_duration", Value::int(3600)),
        ("tags", Value::string_map([("team", "data")])),
    ])
}

/// Terraform's proposed new state (`objchange.ProposedNew`) for this schema's top-level attributes: configured
/// values, and for computed attributes the configuration leaves null, the prior value.
fn proposed_new(prior: &Value, config: &Value) -> Value {
    let schema = role_schema();
    let mut proposed = config.clone();
    for attribute in schema.block.attributes.iter().filter(|a| a.computed) {
        if config.attr(&attribute.name).is_null() {
            proposed.set_attr(&attribute.name, prior.attr(&attribute.name).clone());
        }
    }
    proposed
}

/// `base` with some attributes replaced.
fn with(base: Value, set: &[(&str, Value)]) -> Value {
    let mut v = base;
    for (name, value) in set {
        v.set_attr(name, value.clone());
    }
    v
}

fn path(name: &str) -> AttributePath {
    AttributePath::root(name)
}

fn bug(detail: &str) -> Diagnostic {
    Diagnostic::error(
        "Provider Produced an Invalid Result",
        format!("{detail} This is a bug in the provider; please report it."),
    )
}

fn diagnostics(list: impl IntoIterator<Item = Diagnostic>) -> Diagnostics {
    let mut d = Diagnostics::new();
    d.extend(list);
    d
}

fn unknown_resource_type() -> Diagnostics {
    Diagnostic::error(
        "Unknown resource type",
        format!(
            "This provider has no resource type {NO_SUCH_TYPE:?}. Check the spelling, or upgrade the provider."
        ),
    )
    .into()
}

// ---------------------------------------------------------------------------------------------------------------
// Comparable results: the engine's response types hold the same fields but do not implement PartialEq.
// ---------------------------------------------------------------------------------------------------------------

#[derive(Debug, PartialEq)]
struct Plan {
    planned: Value,
    requires_replace: Vec<AttributePath>,
    private: Vec<u8>,
    diagnostics: Diagnostics,
}

impl From<PlanResponse> for Plan {
    fn from(r: PlanResponse) -> Plan {
        Plan {
            planned: r.planned,
            requires_replace: r.requires_replace,
            private: r.planned_private,
            diagnostics: r.diagnostics,
        }
    }
}

#[derive(Debug, PartialEq)]
struct Applied {
    new_state: Value,
    private: Vec<u8>,
    diagnostics: Diagnostics,
}

impl From<ApplyResponse> for Applied {
    fn from(r: ApplyResponse) -> Applied {
        Applied {
            new_state: r.new_state,
            private: r.private,
            diagnostics: r.diagnostics,
        }
    }
}

#[derive(Debug, PartialEq)]
struct Refreshed {
    state: Value,
    private: Vec<u8>,
    diagnostics: Diagnostics,
}

impl From<ReadResourceResponse> for Refreshed {
    fn from(r: ReadResourceResponse) -> Refreshed {
        Refreshed {
            state: r.state,
            private: r.private,
            diagnostics: r.diagnostics,
        }
    }
}

#[derive(Debug, PartialEq)]
struct Imported {
    imported: Vec<(String, Value, Vec<u8>)>,
    diagnostics: Diagnostics,
}

impl From<ImportStateResponse> for Imported {
    fn from(r: ImportStateResponse) -> Imported {
        Imported {
            imported: r
                .imported
                .into_iter()
                .map(|i| (i.type_name, i.state, i.private))
                .collect(),
            diagnostics: r.diagnostics,
        }
    }
}

/// The registry the engine builds from the provider: every resource by type name with its schema's type.
#[tokio::test]
async fn engine_registers_types_by_name() {
    let (engine, _) = engine(FakeRole::default()).await;
    let names: Vec<&str> = engine.resource_schemas().map(|(name, _)| name).collect();
    assert_eq!(names, vec![ROLE]);
    assert_eq!(
        engine.resource_type(ROLE).ok(),
        Some(&role_schema().value_type())
    );
    let functions: BTreeMap<&str, usize> = engine
        .function_definitions()
        .map(|(name, d)| (name, d.parameters.len()))
        .collect();
    assert_eq!(functions, BTreeMap::from([("echo", 1)]));
}
