//! The engine against Terraform's plan and apply rules, through a declarative test double: a fake provider
//! whose one resource, `fake_role`, does what its function fields say and records every call it receives.
//!
//! Each table case is named after what it varies in the request (`request-...`) and what it checks in the
//! response (`response-...`); whole results are compared.

use pretty_assertions::assert_eq;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
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
        role_schema()
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

/// A provider offering the one fake resource and `echo`.
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
}

/// A configured engine around `role`, and the role to inspect its calls.
async fn engine(role: FakeRole) -> (Engine<FakeProvider>, Arc<FakeRole>) {
    let role = Arc::new(role);
    let engine = Engine::new(FakeProvider { role: role.clone() });
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

// ---------------------------------------------------------------------------------------------------------------
// PlanResourceChange
// ---------------------------------------------------------------------------------------------------------------

struct PlanCase {
    name: &'static str,
    role: FakeRole,
    type_name: &'static str,
    prior: Value,
    config: Value,
    expected: Plan,
}

fn plan_cases() -> Vec<PlanCase> {
    let create_config = role(&[("name", "analytics".into())]);
    let configured = role(&[
        ("name", "analytics".into()),
        ("description", "reads the warehouse".into()),
        ("max_session_duration", Value::int(7200)),
        ("tags", Value::string_map([("team", "data")])),
    ]);
    let described = with(
        stored_config(),
        &[("description", "writes the warehouse".into())],
    );
    let renamed = with(stored_config(), &[("name", "analytics-v2".into())]);
    let name_unknown = with(stored_config(), &[("name", Value::Unknown)]);
    vec![
        PlanCase {
            name: "request-create/response-computed-unknown-default-applied-no-replace",
            role: FakeRole::default(),
            type_name: ROLE,
            prior: Value::Null,
            config: create_config.clone(),
            expected: Plan {
                planned: with(
                    create_config.clone(),
                    &[
                        ("id", Value::Unknown),
                        ("description", Value::Unknown),
                        ("arn", Value::Unknown),
                        ("create_date", Value::Unknown),
                        ("max_session_duration", Value::int(3600)),
                    ],
                ),
                requires_replace: vec![],
                private: vec![],
                diagnostics: Diagnostics::new(),
            },
        },
        PlanCase {
            name: "request-create-all-configured/response-configured-values-kept",
            role: FakeRole::default(),
            type_name: ROLE,
            prior: Value::Null,
            config: configured.clone(),
            expected: Plan {
                planned: with(
                    configured.clone(),
                    &[
                        ("id", Value::Unknown),
                        ("arn", Value::Unknown),
                        ("create_date", Value::Unknown),
                    ],
                ),
                requires_replace: vec![],
                private: vec![],
                diagnostics: Diagnostics::new(),
            },
        },
        PlanCase {
            name: "request-update-no-change/response-prior-state-private-echoed",
            role: FakeRole::default(),
            type_name: ROLE,
            prior: stored_state(),
            config: stored_config(),
            expected: Plan {
                planned: stored_state(),
                requires_replace: vec![],
                private: PRIOR_PRIVATE.to_vec(),
                diagnostics: Diagnostics::new(),
            },
        },
        PlanCase {
            name: "request-update-description/response-use-state-for-unknown-kept-others-unknown",
            role: FakeRole::default(),
            type_name: ROLE,
            prior: stored_state(),
            config: described.clone(),
            expected: Plan {
                planned: with(
                    stored_state(),
                    &[
                        ("description", "writes the warehouse".into()),
                        ("id", Value::Unknown),
                        ("create_date", Value::Unknown),
                    ],
                ),
                requires_replace: vec![],
                private: PRIOR_PRIVATE.to_vec(),
                diagnostics: Diagnostics::new(),
            },
        },
        PlanCase {
            name: "request-update-default-removed-from-config/response-default-planned",
            role: FakeRole::default(),
            type_name: ROLE,
            prior: with(
                stored_state(),
                &[("max_session_duration", Value::int(7200))],
            ),
            config: stored_config(),
            expected: Plan {
                planned: with(
                    stored_state(),
                    &[("id", Value::Unknown), ("create_date", Value::Unknown)],
                ),
                requires_replace: vec![],
                private: PRIOR_PRIVATE.to_vec(),
                diagnostics: Diagnostics::new(),
            },
        },
        PlanCase {
            name: "request-update-renamed/response-requires-replace-name",
            role: FakeRole::default(),
            type_name: ROLE,
            prior: stored_state(),
            config: renamed,
            expected: Plan {
                planned: with(
                    stored_state(),
                    &[
                        ("name", "analytics-v2".into()),
                        ("id", Value::Unknown),
                        ("create_date", Value::Unknown),
                    ],
                ),
                requires_replace: vec![path("name")],
                private: PRIOR_PRIVATE.to_vec(),
                diagnostics: Diagnostics::new(),
            },
        },
        PlanCase {
            name: "request-update-name-unknown/response-unknown-kept-requires-replace-name",
            role: FakeRole::default(),
            type_name: ROLE,
            prior: stored_state(),
            config: name_unknown,
            expected: Plan {
                planned: with(
                    stored_state(),
                    &[
                        ("name", Value::Unknown),
                        ("id", Value::Unknown),
                        ("create_date", Value::Unknown),
                    ],
                ),
                requires_replace: vec![path("name")],
                private: PRIOR_PRIVATE.to_vec(),
                diagnostics: Diagnostics::new(),
            },
        },
        PlanCase {
            name: "request-update-modify-plan-adds-replace/response-paths-merged-once",
            role: FakeRole {
                modify_plan: Box::new(|_, resp| {
                    resp.requires_replace = vec![path("tags"), path("name")];
                    resp.private = PLANNED_PRIVATE.to_vec();
                }),
                ..FakeRole::default()
            },
            type_name: ROLE,
            prior: stored_state(),
            config: with(stored_config(), &[("name", "analytics-v2".into())]),
            expected: Plan {
                planned: with(
                    stored_state(),
                    &[
                        ("name", "analytics-v2".into()),
                        ("id", Value::Unknown),
                        ("create_date", Value::Unknown),
                    ],
                ),
                requires_replace: vec![path("name"), path("tags")],
                private: PLANNED_PRIVATE.to_vec(),
                diagnostics: Diagnostics::new(),
            },
        },
        PlanCase {
            name: "request-create-modify-plan-sets-arn-and-replace/response-arn-known-no-replace",
            role: FakeRole {
                modify_plan: Box::new(|req, resp| {
                    let name = req
                        .config
                        .attr("name")
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    resp.planned
                        .set_attr("arn", Value::string(format!("acs:ram::123456:role/{name}")));
                    resp.requires_replace = vec![path("name")];
                }),
                ..FakeRole::default()
            },
            type_name: ROLE,
            prior: Value::Null,
            config: create_config.clone(),
            expected: Plan {
                planned: with(
                    create_config.clone(),
                    &[
                        ("id", Value::Unknown),
                        ("description", Value::Unknown),
                        ("arn", "acs:ram::123456:role/analytics".into()),
                        ("create_date", Value::Unknown),
                        ("max_session_duration", Value::int(3600)),
                    ],
                ),
                requires_replace: vec![],
                private: vec![],
                diagnostics: Diagnostics::new(),
            },
        },
        PlanCase {
            name: "request-create-modify-plan-refuses/response-diagnostic",
            role: FakeRole {
                modify_plan: Box::new(|_, resp| {
                    resp.diagnostics.add_attribute_error(
                        path("name"),
                        "Role Name Taken",
                        "A role named \"analytics\" already exists.",
                    );
                }),
                ..FakeRole::default()
            },
            type_name: ROLE,
            prior: Value::Null,
            config: create_config.clone(),
            expected: Plan {
                planned: with(
                    create_config,
                    &[
                        ("id", Value::Unknown),
                        ("description", Value::Unknown),
                        ("arn", Value::Unknown),
                        ("create_date", Value::Unknown),
                        ("max_session_duration", Value::int(3600)),
                    ],
                ),
                requires_replace: vec![],
                private: vec![],
                diagnostics: Diagnostic::error(
                    "Role Name Taken",
                    "A role named \"analytics\" already exists.",
                )
                .at(path("name"))
                .into(),
            },
        },
        PlanCase {
            name: "request-unknown-type/response-diagnostic",
            role: FakeRole::default(),
            type_name: NO_SUCH_TYPE,
            prior: Value::Null,
            config: stored_config(),
            expected: Plan {
                planned: Value::Null,
                requires_replace: vec![],
                private: vec![],
                diagnostics: unknown_resource_type(),
            },
        },
    ]
}

#[tokio::test]
async fn plan_follows_terraforms_rules() {
    for case in plan_cases() {
        let (engine, _) = engine(case.role).await;
        let prior_private = if case.prior.is_null() {
            vec![]
        } else {
            PRIOR_PRIVATE.to_vec()
        };
        let got = engine
            .plan_resource_change(PlanRequest {
                type_name: case.type_name.into(),
                proposed: proposed_new(&case.prior, &case.config),
                prior: case.prior,
                config: case.config,
                prior_private,
            })
            .await;
        assert_eq!(Plan::from(got), case.expected, "case {}", case.name);
    }
}

#[tokio::test]
async fn plan_destroy_is_null_with_private_echoed_and_asks_the_resource_nothing() {
    let (engine, role) = engine(FakeRole {
        modify_plan: Box::new(|_, resp| resp.diagnostics.add_error("Should Not Run", "")),
        ..FakeRole::default()
    })
    .await;
    let got = engine
        .plan_resource_change(PlanRequest {
            type_name: ROLE.into(),
            prior: stored_state(),
            proposed: Value::Null,
            config: Value::Null,
            prior_private: PRIOR_PRIVATE.to_vec(),
        })
        .await;
    assert_eq!(
        Plan::from(got),
        Plan {
            planned: Value::Null,
            requires_replace: vec![],
            private: PRIOR_PRIVATE.to_vec(),
            diagnostics: Diagnostics::new(),
        }
    );
    assert_eq!(role.calls(), vec![]);
}

#[tokio::test]
async fn modify_plan_sees_the_engines_plan() {
    let (engine, role) = engine(FakeRole::default()).await;
    let config = with(
        stored_config(),
        &[("description", "writes the warehouse".into())],
    );
    engine
        .plan_resource_change(PlanRequest {
            type_name: ROLE.into(),
            proposed: proposed_new(&stored_state(), &config),
            prior: stored_state(),
            config,
            prior_private: PRIOR_PRIVATE.to_vec(),
        })
        .await;
    assert_eq!(
        role.calls(),
        vec![Call::ModifyPlan {
            prior: stored_state(),
            planned: with(
                stored_state(),
                &[
                    ("description", "writes the warehouse".into()),
                    ("id", Value::Unknown),
                    ("create_date", Value::Unknown),
                ],
            ),
        }]
    );
}

// ---------------------------------------------------------------------------------------------------------------
// ApplyResourceChange
// ---------------------------------------------------------------------------------------------------------------

/// What a create plan of `stored_config()` looks like.
fn create_plan() -> Value {
    with(
        stored_config(),
        &[
            ("id", Value::Unknown),
            ("arn", Value::Unknown),
            ("create_date", Value::Unknown),
            ("max_session_duration", Value::int(3600)),
        ],
    )
}

/// An update plan changing the description.
fn update_plan() -> Value {
    with(
        stored_state(),
        &[
            ("description", "writes the warehouse".into()),
            ("id", Value::Unknown),
            ("create_date", Value::Unknown),
        ],
    )
}

/// Fills the plan's unknowns the way the cloud would.
fn filled(planned: &Value) -> Value {
    let mut v = planned.clone();
    for (name, value) in [
        ("id", "analytics"),
        ("arn", "acs:ram::123456:role/analytics"),
        ("create_date", "2026-01-02T03:04:05Z"),
    ] {
        if v.attr(name).is_unknown() {
            v.set_attr(name, value.into());
        }
    }
    v
}

struct ApplyCase {
    name: &'static str,
    role: FakeRole,
    prior: Value,
    planned: Value,
    expected: Applied,
    expected_calls: Vec<Call>,
}

fn apply_cases() -> Vec<ApplyCase> {
    vec![
        ApplyCase {
            name: "request-prior-null/response-created-state-and-private",
            role: FakeRole {
                create: Box::new(|req, resp| {
                    resp.state = filled(&req.planned);
                    resp.private = b"created".to_vec();
                }),
                ..FakeRole::default()
            },
            prior: Value::Null,
            planned: create_plan(),
            expected: Applied {
                new_state: stored_state(),
                private: b"created".to_vec(),
                diagnostics: Diagnostics::new(),
            },
            expected_calls: vec![Call::Create {
                planned: create_plan(),
                private: PLANNED_PRIVATE.to_vec(),
            }],
        },
        ApplyCase {
            name: "request-both-set/response-updated-state-planned-private",
            role: FakeRole {
                update: Box::new(|req, resp| resp.state = filled(&req.planned)),
                ..FakeRole::default()
            },
            prior: stored_state(),
            planned: update_plan(),
            expected: Applied {
                new_state: with(
                    stored_state(),
                    &[("description", "writes the warehouse".into())],
                ),
                private: PLANNED_PRIVATE.to_vec(),
                diagnostics: Diagnostics::new(),
            },
            expected_calls: vec![Call::Update {
                prior: stored_state(),
                planned: update_plan(),
            }],
        },
        ApplyCase {
            name: "request-planned-null/response-null-state",
            role: FakeRole::default(),
            prior: stored_state(),
            planned: Value::Null,
            expected: Applied {
                new_state: Value::Null,
                private: PLANNED_PRIVATE.to_vec(),
                diagnostics: Diagnostics::new(),
            },
            expected_calls: vec![Call::Delete {
                prior: stored_state(),
                private: PLANNED_PRIVATE.to_vec(),
            }],
        },
        ApplyCase {
            name: "request-create-fails-part-way/response-partial-state-unknowns-null-no-extra-diagnostic",
            role: FakeRole {
                create: Box::new(|req, resp| {
                    // The role exists, attaching its policies failed: keep the plan's unknowns as they were.
                    resp.state = req.planned.clone();
                    resp.state.set_attr("id", "analytics".into());
                    resp.diagnostics.add_error(
                        "Policy Attachment Failed",
                        "NoPermission on AttachPolicyToRole.",
                    );
                }),
                ..FakeRole::default()
            },
            prior: Value::Null,
            planned: create_plan(),
            expected: Applied {
                new_state: with(
                    stored_config(),
                    &[
                        ("id", "analytics".into()),
                        ("max_session_duration", Value::int(3600)),
                    ],
                ),
                private: PLANNED_PRIVATE.to_vec(),
                diagnostics: Diagnostic::error(
                    "Policy Attachment Failed",
                    "NoPermission on AttachPolicyToRole.",
                )
                .into(),
            },
            expected_calls: vec![Call::Create {
                planned: create_plan(),
                private: PLANNED_PRIVATE.to_vec(),
            }],
        },
        ApplyCase {
            name: "request-create-fails-before-anything/response-null-state",
            role: FakeRole {
                create: Box::new(|_, resp| {
                    resp.diagnostics.add_error("Create Failed", "Throttled.")
                }),
                ..FakeRole::default()
            },
            prior: Value::Null,
            planned: create_plan(),
            expected: Applied {
                new_state: Value::Null,
                private: PLANNED_PRIVATE.to_vec(),
                diagnostics: Diagnostic::error("Create Failed", "Throttled.").into(),
            },
            expected_calls: vec![Call::Create {
                planned: create_plan(),
                private: PLANNED_PRIVATE.to_vec(),
            }],
        },
        ApplyCase {
            name: "request-update-fails/response-prior-state",
            role: FakeRole {
                update: Box::new(|_, resp| {
                    resp.diagnostics.add_error("Update Failed", "Throttled.")
                }),
                ..FakeRole::default()
            },
            prior: stored_state(),
            planned: update_plan(),
            expected: Applied {
                new_state: stored_state(),
                private: PLANNED_PRIVATE.to_vec(),
                diagnostics: Diagnostic::error("Update Failed", "Throttled.").into(),
            },
            expected_calls: vec![Call::Update {
                prior: stored_state(),
                planned: update_plan(),
            }],
        },
        ApplyCase {
            name: "request-delete-fails/response-prior-state",
            role: FakeRole {
                delete: Box::new(|_, resp| {
                    resp.diagnostics
                        .add_error("Delete Failed", "DeleteConflict.Role.Policy.")
                }),
                ..FakeRole::default()
            },
            prior: stored_state(),
            planned: Value::Null,
            expected: Applied {
                new_state: stored_state(),
                private: PLANNED_PRIVATE.to_vec(),
                diagnostics: Diagnostic::error("Delete Failed", "DeleteConflict.Role.Policy.")
                    .into(),
            },
            expected_calls: vec![Call::Delete {
                prior: stored_state(),
                private: PLANNED_PRIVATE.to_vec(),
            }],
        },
        ApplyCase {
            name: "request-create-leaves-unknowns/response-error-and-nulls",
            role: FakeRole {
                create: Box::new(|req, resp| {
                    resp.state = req.planned.clone();
                    resp.state.set_attr("id", "analytics".into());
                }),
                ..FakeRole::default()
            },
            prior: Value::Null,
            planned: create_plan(),
            expected: Applied {
                new_state: with(
                    stored_config(),
                    &[
                        ("id", "analytics".into()),
                        ("max_session_duration", Value::int(3600)),
                    ],
                ),
                private: PLANNED_PRIVATE.to_vec(),
                diagnostics: bug("Applying fake_role left unknown values in the state.").into(),
            },
            expected_calls: vec![Call::Create {
                planned: create_plan(),
                private: PLANNED_PRIVATE.to_vec(),
            }],
        },
        ApplyCase {
            name: "request-create-returns-nothing/response-error",
            role: FakeRole::default(),
            prior: Value::Null,
            planned: create_plan(),
            expected: Applied {
                new_state: Value::Null,
                private: PLANNED_PRIVATE.to_vec(),
                diagnostics: bug("Applying fake_role returned no state.").into(),
            },
            expected_calls: vec![Call::Create {
                planned: create_plan(),
                private: PLANNED_PRIVATE.to_vec(),
            }],
        },
    ]
}

#[tokio::test]
async fn apply_dispatches_by_null_prior_and_planned_and_keeps_what_exists() {
    for case in apply_cases() {
        let (engine, role) = engine(case.role).await;
        let config = if case.planned.is_null() {
            Value::Null
        } else {
            stored_config()
        };
        let got = engine
            .apply_resource_change(ApplyRequest {
                type_name: ROLE.into(),
                prior: case.prior,
                planned: case.planned,
                config,
                planned_private: PLANNED_PRIVATE.to_vec(),
            })
            .await;
        assert_eq!(Applied::from(got), case.expected, "case {}", case.name);
        assert_eq!(
            role.calls(),
            case.expected_calls,
            "calls of case {}",
            case.name
        );
    }
}

#[tokio::test]
async fn apply_before_configure_is_an_error_and_calls_nothing() {
    let role = Arc::new(FakeRole::default());
    let engine = Engine::new(FakeProvider { role: role.clone() });
    let got = engine
        .apply_resource_change(ApplyRequest {
            type_name: ROLE.into(),
            prior: Value::Null,
            planned: create_plan(),
            config: stored_config(),
            planned_private: vec![],
        })
        .await;
    let got = Applied::from(got);
    assert_eq!(got.new_state, Value::Null);
    assert_eq!(
        got.diagnostics
            .iter()
            .map(|d| d.summary.as_str())
            .collect::<Vec<_>>(),
        vec!["Provider Not Configured"]
    );
    assert_eq!(role.calls(), vec![]);
}

// ---------------------------------------------------------------------------------------------------------------
// ReadResource
// ---------------------------------------------------------------------------------------------------------------

struct ReadCase {
    name: &'static str,
    role: FakeRole,
    type_name: &'static str,
    expected: Refreshed,
}

fn read_cases() -> Vec<ReadCase> {
    vec![
        ReadCase {
            name: "request-object-unchanged/response-same-state-private-echoed",
            role: FakeRole::default(),
            type_name: ROLE,
            expected: Refreshed {
                state: stored_state(),
                private: PRIOR_PRIVATE.to_vec(),
                diagnostics: Diagnostics::new(),
            },
        },
        ReadCase {
            name: "request-object-gone/response-null-private-echoed",
            role: FakeRole {
                read: Box::new(|_, resp| resp.state = Value::Null),
                ..FakeRole::default()
            },
            type_name: ROLE,
            expected: Refreshed {
                state: Value::Null,
                private: PRIOR_PRIVATE.to_vec(),
                diagnostics: Diagnostics::new(),
            },
        },
        ReadCase {
            name: "request-drifted/response-refreshed-state",
            role: FakeRole {
                read: Box::new(|_, resp| {
                    resp.state
                        .set_attr("description", "edited in the console".into())
                }),
                ..FakeRole::default()
            },
            type_name: ROLE,
            expected: Refreshed {
                state: with(
                    stored_state(),
                    &[("description", "edited in the console".into())],
                ),
                private: PRIOR_PRIVATE.to_vec(),
                diagnostics: Diagnostics::new(),
            },
        },
        ReadCase {
            name: "request-read-leaves-unknown/response-error-and-null",
            role: FakeRole {
                read: Box::new(|_, resp| resp.state.set_attr("create_date", Value::Unknown)),
                ..FakeRole::default()
            },
            type_name: ROLE,
            expected: Refreshed {
                state: with(stored_state(), &[("create_date", Value::Null)]),
                private: PRIOR_PRIVATE.to_vec(),
                diagnostics: bug("Reading fake_role returned unknown values.").into(),
            },
        },
        ReadCase {
            name: "request-unknown-type/response-diagnostic-state-kept",
            role: FakeRole::default(),
            type_name: NO_SUCH_TYPE,
            expected: Refreshed {
                state: stored_state(),
                private: PRIOR_PRIVATE.to_vec(),
                diagnostics: unknown_resource_type(),
            },
        },
    ]
}

#[tokio::test]
async fn read_null_means_gone_and_private_is_echoed() {
    for case in read_cases() {
        let (engine, _) = engine(case.role).await;
        let got = engine
            .read_resource(ReadResourceRequest {
                type_name: case.type_name.into(),
                state: stored_state(),
                private: PRIOR_PRIVATE.to_vec(),
            })
            .await;
        assert_eq!(Refreshed::from(got), case.expected, "case {}", case.name);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// ImportResourceState
// ---------------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn import_by_default_refuses_with_a_diagnostic() {
    let (engine, _) = engine(FakeRole::default()).await;
    let got = engine
        .import_resource_state(ROLE, "analytics".into(), Value::Null)
        .await;
    assert_eq!(
        Imported::from(got),
        Imported {
            imported: vec![],
            diagnostics: Diagnostic::error(
                "Resource Import Not Implemented",
                "fake_role cannot be imported; create it with Terraform instead.",
            )
            .into(),
        }
    );
    let got = engine
        .import_resource_state(NO_SUCH_TYPE, "analytics".into(), Value::Null)
        .await;
    assert_eq!(
        Imported::from(got),
        Imported {
            imported: vec![],
            diagnostics: unknown_resource_type(),
        }
    );
}

// ---------------------------------------------------------------------------------------------------------------
// UpgradeResourceState
// ---------------------------------------------------------------------------------------------------------------

struct UpgradeCase {
    name: &'static str,
    type_name: &'static str,
    version: i64,
    json: &'static str,
    expected: (Value, Diagnostics),
}

fn upgrade_cases() -> Vec<UpgradeCase> {
    // What version 0 of the schema stored: no `arn` nor `principal` yet, and a `path` attribute since removed.
    let version_0 = r#"{"id":"analytics","name":"analytics","path":"/","create_date":"2026-01-02T03:04:05Z",
        "max_session_duration":3600,"tags":{"team":"data"},"statement":[{"action":"sts:AssumeRole"}]}"#;
    let upgraded = Value::object([
        ("id", "analytics".into()),
        ("name", "analytics".into()),
        ("description", Value::Null),
        ("arn", Value::Null),
        ("create_date", "2026-01-02T03:04:05Z".into()),
        ("max_session_duration", Value::int(3600)),
        ("tags", Value::string_map([("team", "data")])),
        (
            "statement",
            Value::List(vec![Value::object([("action", "sts:AssumeRole".into())])]),
        ),
        ("principal", Value::Null),
    ]);
    vec![
        UpgradeCase {
            name: "request-older-version-missing-and-removed-attributes/response-nulls-filled-removed-dropped",
            type_name: ROLE,
            version: 0,
            json: version_0,
            expected: (upgraded.clone(), Diagnostics::new()),
        },
        UpgradeCase {
            name: "request-current-version/response-same-value",
            type_name: ROLE,
            version: 1,
            json: version_0,
            expected: (upgraded, Diagnostics::new()),
        },
        UpgradeCase {
            name: "request-newer-version/response-refused",
            type_name: ROLE,
            version: 2,
            json: version_0,
            expected: (
                Value::Null,
                Diagnostic::error(
                    "State Written by a Newer Provider",
                    "The state of this fake_role was written at schema version 2, but this provider only knows \
                     versions up to 1. Use the provider version that wrote it, or a newer one.",
                )
                .into(),
            ),
        },
        UpgradeCase {
            name: "request-wrong-shape/response-unreadable",
            type_name: ROLE,
            version: 1,
            json: r#"{"name":["not","a","string"]}"#,
            expected: (
                Value::Null,
                Diagnostic::error(
                    "Unreadable Stored State",
                    r#"The stored state of this fake_role could not be read: ["not","a","string"] where string was expected."#,
                )
                .into(),
            ),
        },
        UpgradeCase {
            name: "request-unknown-type/response-diagnostic",
            type_name: NO_SUCH_TYPE,
            version: 0,
            json: version_0,
            expected: (Value::Null, unknown_resource_type()),
        },
    ]
}

#[tokio::test]
async fn upgrade_reads_stored_json_of_any_older_version() {
    let (engine, _) = engine(FakeRole::default()).await;
    for case in upgrade_cases() {
        let got = engine.upgrade_resource_state(case.type_name, case.version, case.json.as_bytes());
        assert_eq!(got, case.expected, "case {}", case.name);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// ValidateResourceConfig
// ---------------------------------------------------------------------------------------------------------------

fn invalid(at: AttributePath, detail: &str) -> Diagnostic {
    Diagnostic::error("Invalid Attribute Value", detail).at(at)
}

#[tokio::test]
async fn validators_run_on_known_values_and_point_at_the_attribute() {
    let (engine, _) = engine(FakeRole::default()).await;
    let statements = |actions: &[Value]| {
        Value::List(
            actions
                .iter()
                .map(|a| Value::object([("action", a.clone())]))
                .collect(),
        )
    };
    let cases: Vec<(&str, &str, Value, Diagnostics)> = vec![
        (
            "request-all-valid/response-none",
            ROLE,
            with(
                stored_config(),
                &[
                    ("statement", statements(&["sts:AssumeRole".into()])),
                    ("principal", Value::object([("account", "123456".into())])),
                ],
            ),
            Diagnostics::new(),
        ),
        (
            "request-invalid-name/response-at-name",
            ROLE,
            with(stored_config(), &[("name", "Analytics".into())]),
            invalid(path("name"), r#"String("Analytics") is not lowercase"#).into(),
        ),
        (
            "request-unknown-name/response-none",
            ROLE,
            with(stored_config(), &[("name", Value::Unknown)]),
            Diagnostics::new(),
        ),
        (
            "request-null-optional/response-none",
            ROLE,
            role(&[("name", "analytics".into())]),
            Diagnostics::new(),
        ),
        (
            "request-list-block-element-invalid/response-at-index",
            ROLE,
            with(
                stored_config(),
                &[(
                    "statement",
                    statements(&[
                        "sts:AssumeRole".into(),
                        Value::Unknown,
                        "ram:AttachPolicy".into(),
                    ]),
                )],
            ),
            invalid(
                path("statement").index(2).attribute("action"),
                r#"String("ram:AttachPolicy") is not an STS action"#,
            )
            .into(),
        ),
        (
            "request-single-block-invalid/response-at-block-attribute",
            ROLE,
            with(
                stored_config(),
                &[("principal", Value::object([("account", "12ab".into())]))],
            ),
            invalid(
                path("principal").attribute("account"),
                r#"String("12ab") is not an account id"#,
            )
            .into(),
        ),
        (
            "request-unknown-block/response-none",
            ROLE,
            with(stored_config(), &[("principal", Value::Unknown)]),
            Diagnostics::new(),
        ),
        (
            "request-two-invalid/response-both-in-order",
            ROLE,
            with(
                stored_config(),
                &[
                    ("name", "Analytics".into()),
                    ("statement", statements(&["iam:PassRole".into()])),
                ],
            ),
            diagnostics([
                invalid(path("name"), r#"String("Analytics") is not lowercase"#),
                invalid(
                    path("statement").index(0).attribute("action"),
                    r#"String("iam:PassRole") is not an STS action"#,
                ),
            ]),
        ),
        (
            "request-unknown-type/response-diagnostic",
            NO_SUCH_TYPE,
            stored_config(),
            unknown_resource_type(),
        ),
    ];
    for (name, type_name, config, expected) in cases {
        assert_eq!(
            engine.validate_resource_config(type_name, &config),
            expected,
            "case {name}"
        );
    }
}

#[tokio::test]
async fn unknown_data_source_types_give_a_diagnostic() {
    let (engine, _) = engine(FakeRole::default()).await;
    let expected: Diagnostics = Diagnostic::error(
        "Unknown data source type",
        format!(
            "This provider has no data source type {NO_SUCH_TYPE:?}. Check the spelling, or upgrade the provider."
        ),
    )
    .into();
    assert_eq!(
        engine.validate_data_source_config(NO_SUCH_TYPE, &Value::Null),
        expected
    );
    assert_eq!(
        engine.read_data_source(NO_SUCH_TYPE, Value::Null).await,
        (Value::Null, expected.clone())
    );
    assert_eq!(
        engine
            .data_source_type(NO_SUCH_TYPE)
            .err()
            .map(Diagnostics::from),
        Some(expected)
    );
}

// ---------------------------------------------------------------------------------------------------------------
// CallFunction
// ---------------------------------------------------------------------------------------------------------------

/// `echo` called with `arguments` should give `expected`.
struct CallCase {
    name: &'static str,
    function: &'static str,
    arguments: Vec<Value>,
    expected: Result<Value, FunctionError>,
}

#[tokio::test]
async fn call_function_checks_arity_and_name() {
    let (engine, _) = engine(FakeRole::default()).await;
    let arity = |given: usize| FunctionError {
        text: format!("echo takes 1 argument(s), but {given} were given."),
        argument: None,
    };
    let cases = vec![
        CallCase {
            name: "request-one-argument/response-result",
            function: "echo",
            arguments: vec!["hello".into()],
            expected: Ok("hello".into()),
        },
        CallCase {
            name: "request-no-argument/response-arity-error",
            function: "echo",
            arguments: vec![],
            expected: Err(arity(0)),
        },
        CallCase {
            name: "request-two-arguments/response-arity-error",
            function: "echo",
            arguments: vec!["a".into(), "b".into()],
            expected: Err(arity(2)),
        },
        CallCase {
            name: "request-unknown-function/response-error",
            function: "shout",
            arguments: vec!["a".into()],
            expected: Err(FunctionError {
                text: "This provider has no function named \"shout\".".into(),
                argument: None,
            }),
        },
    ];
    for case in cases {
        assert_eq!(
            engine.call_function(case.function, &case.arguments),
            case.expected,
            "case {}",
            case.name
        );
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
