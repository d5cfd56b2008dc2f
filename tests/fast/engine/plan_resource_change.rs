//! PlanResourceChange: defaults, unknown computed values, requires-replace, destroy plans and modify-plan hooks.

use super::*;
use pretty_assertions::assert_eq;

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
async fn plan_destroy_shows_the_resources_destroy_warning() {
    let (engine, role) = engine(FakeRole::default()).await;
    let got = engine
        .plan_resource_change(PlanRequest {
            type_name: ROLE.into(),
            prior: with(stored_state(), &[("description", "guarded".into())]),
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
            diagnostics: Diagnostic::warning("Guarded Role", "Others depend on this role.").into(),
        },
        "case request-destroy-guarded/response-warning"
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

/// A schema with a plan rule of every kind inside nested blocks: a list block whose objects have a defaulted and
/// a computed attribute, and a single block with a replacing attribute and one that keeps its prior value.
fn nested_schema() -> Schema {
    let statement = Block::new("A statement.")
        .attribute(Attribute::string("action").optional())
        .attribute(Attribute::string("effect").default("Allow".into()))
        .attribute(Attribute::string("sid").computed());
    let principal = Block::new("Who may assume it.")
        .attribute(Attribute::string("account").optional().requires_replace())
        .attribute(Attribute::string("kind").computed().use_state_for_unknown());
    Schema::new(
        Block::new("A role with nested rules.")
            .attribute(Attribute::string("name").required())
            .block("statement", Nesting::List, statement, 0)
            .block("principal", Nesting::Single, principal, 1),
    )
}

fn statement(action: &str, effect: Value, sid: Value) -> Value {
    Value::object([("action", action.into()), ("effect", effect), ("sid", sid)])
}

fn principal(account: &str, kind: Value) -> Value {
    Value::object([("account", account.into()), ("kind", kind)])
}

fn nested(statements: Vec<Value>, principal: Value) -> Value {
    Value::object([
        ("name", "analytics".into()),
        ("statement", Value::List(statements)),
        ("principal", principal),
    ])
}

/// A plan of `nested_schema` from `prior`, the configuration and Terraform's proposed new state for it.
struct NestedCase {
    name: &'static str,
    prior: Value,
    config: Value,
    proposed: Value,
    planned: Value,
    requires_replace: Vec<AttributePath>,
}

fn nested_cases() -> Vec<NestedCase> {
    let null = || Value::Null;
    let unknown = || Value::Unknown;
    let prior = nested(
        vec![statement("sts:AssumeRole", "Allow".into(), "s0".into())],
        principal("1", "root".into()),
    );
    vec![
        NestedCase {
            name: "request-create/response-nested-defaults-and-unknowns",
            prior: Value::Null,
            config: nested(
                vec![
                    statement("sts:AssumeRole", null(), null()),
                    statement("sts:Tag", "Deny".into(), null()),
                ],
                principal("1", null()),
            ),
            proposed: nested(
                vec![
                    statement("sts:AssumeRole", null(), null()),
                    statement("sts:Tag", "Deny".into(), null()),
                ],
                principal("1", null()),
            ),
            planned: nested(
                vec![
                    statement("sts:AssumeRole", "Allow".into(), unknown()),
                    statement("sts:Tag", "Deny".into(), unknown()),
                ],
                principal("1", unknown()),
            ),
            requires_replace: vec![],
        },
        NestedCase {
            name: "request-update-nothing-changed/response-prior-kept",
            prior: prior.clone(),
            config: nested(
                vec![statement("sts:AssumeRole", null(), null())],
                principal("1", null()),
            ),
            proposed: prior.clone(),
            planned: prior.clone(),
            requires_replace: vec![],
        },
        NestedCase {
            name: "request-update-statement-added/response-element-planned-by-index-no-replace",
            prior: prior.clone(),
            config: nested(
                vec![
                    statement("sts:AssumeRole", null(), null()),
                    statement("sts:Tag", null(), null()),
                ],
                principal("1", null()),
            ),
            proposed: nested(
                vec![
                    statement("sts:AssumeRole", "Allow".into(), "s0".into()),
                    statement("sts:Tag", null(), null()),
                ],
                principal("1", "root".into()),
            ),
            planned: nested(
                vec![
                    statement("sts:AssumeRole", "Allow".into(), unknown()),
                    statement("sts:Tag", "Allow".into(), unknown()),
                ],
                principal("1", "root".into()),
            ),
            requires_replace: vec![],
        },
        NestedCase {
            name: "request-update-nested-replacing-attribute/response-replace-path-into-block",
            prior: prior.clone(),
            config: nested(
                vec![statement("sts:AssumeRole", null(), null())],
                principal("2", null()),
            ),
            proposed: nested(
                vec![statement("sts:AssumeRole", "Allow".into(), "s0".into())],
                principal("2", "root".into()),
            ),
            planned: nested(
                vec![statement("sts:AssumeRole", "Allow".into(), unknown())],
                principal("2", "root".into()),
            ),
            requires_replace: vec![path("principal").attribute("account")],
        },
        NestedCase {
            name: "request-update-single-block-removed/response-replace-path-into-block",
            prior: prior.clone(),
            config: nested(vec![statement("sts:AssumeRole", null(), null())], null()),
            proposed: nested(
                vec![statement("sts:AssumeRole", "Allow".into(), "s0".into())],
                null(),
            ),
            planned: nested(
                vec![statement("sts:AssumeRole", "Allow".into(), unknown())],
                null(),
            ),
            requires_replace: vec![path("principal").attribute("account")],
        },
    ]
}

#[tokio::test]
async fn plan_rules_reach_into_nested_blocks() {
    for case in nested_cases() {
        let (engine, _) = engine(FakeRole {
            schema: nested_schema(),
            ..FakeRole::default()
        })
        .await;
        let got = engine
            .plan_resource_change(PlanRequest {
                type_name: ROLE.into(),
                prior: case.prior,
                proposed: case.proposed,
                config: case.config,
                prior_private: vec![],
            })
            .await;
        assert_eq!(
            Plan::from(got),
            Plan {
                planned: case.planned,
                requires_replace: case.requires_replace,
                private: vec![],
                diagnostics: Diagnostics::new(),
            },
            "case {}",
            case.name
        );
    }
}

/// Set elements have no identity to line configuration, prior state and plan up with: the engine refuses a set
/// block holding an attribute with a plan rule, at any depth, instead of planning it wrong.
#[test]
fn engine_refuses_plan_rules_inside_set_blocks() {
    let inside_set = |attribute: Attribute| {
        let inner = Block::new("inner").attribute(attribute);
        Block::new("rule").block("target", Nesting::Single, inner, 1)
    };
    let cases = [
        (
            inside_set(Attribute::string("id").computed()),
            "resource type fake_role: attribute rules.target.id is computed, inside a set block",
        ),
        (
            inside_set(Attribute::string("effect").default("Allow".into())),
            "resource type fake_role: attribute rules.target.effect is defaulted, inside a set block",
        ),
        (
            inside_set(Attribute::string("account").optional().requires_replace()),
            "resource type fake_role: attribute rules.target.account is requires_replace, inside a set block",
        ),
    ];
    for (rule, expected) in cases {
        let schema = Schema::new(Block::new("A role.").block("rules", Nesting::Set, rule, 0));
        let role = Arc::new(FakeRole {
            schema,
            ..FakeRole::default()
        });
        let refused = Engine::new(FakeProvider { role }).expect_err("an unplannable schema");
        assert!(
            refused.to_string().starts_with(expected),
            "{refused} does not start with {expected:?}"
        );
    }
    // Plain attributes in a set block need no plan rule: accepted.
    let plain = Block::new("rule").attribute(Attribute::string("action").optional());
    let role = Arc::new(FakeRole {
        schema: Schema::new(Block::new("A role.").block("rules", Nesting::Set, plain, 0)),
        ..FakeRole::default()
    });
    assert!(Engine::new(FakeProvider { role }).is_ok());
}
