//! ApplyResourceChange: create, update and delete dispatch, partial state, and apply before configure.

use super::*;
use pretty_assertions::assert_eq;

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
    let engine = Engine::new(FakeProvider { role: role.clone() }).expect("a plannable schema");
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
