//! ReadResource: refresh, removal on a null result, private state echoed.

use super::*;
use pretty_assertions::assert_eq;

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
