//! PlanAction: the action's plan check, with or without a configured client, on known, unknown and null
//! configurations; an unknown type is an error.

use super::*;
use pretty_assertions::assert_eq;

struct PlanActionCase {
    name: &'static str,
    type_name: &'static str,
    config: Value,
    expected: Diagnostics,
}

#[tokio::test]
async fn plan_action_asks_the_action() {
    let (engine, _) = engine(FakeRole::default()).await;
    let cases = vec![
        PlanActionCase {
            name: "request-known/response-no-diagnostics",
            type_name: ACTION,
            config: check("role"),
            expected: Diagnostics::new(),
        },
        PlanActionCase {
            name: "request-action-warns/response-warning",
            type_name: ACTION,
            config: check("warn"),
            expected: Diagnostic::warning("Check Warns", "target is warn").into(),
        },
        PlanActionCase {
            name: "request-unknown-value/response-action-sees-unknown",
            type_name: ACTION,
            config: check(Value::Unknown),
            expected: Diagnostic::warning("Target Unknown", "known at apply").into(),
        },
        PlanActionCase {
            name: "request-null-config/response-no-diagnostics",
            type_name: ACTION,
            config: Value::Null,
            expected: Diagnostics::new(),
        },
        PlanActionCase {
            name: "request-unknown-type/response-error",
            type_name: NO_SUCH_TYPE,
            config: check("role"),
            expected: Diagnostic::error(
                "Unknown action type",
                format!("This provider has no action type {NO_SUCH_TYPE:?}. Check the spelling, or upgrade the provider."),
            )
            .into(),
        },
    ];
    for case in cases {
        assert_eq!(
            engine.plan_action(case.type_name, case.config).await,
            case.expected,
            "case {}",
            case.name
        );
    }
}

#[tokio::test]
async fn plan_action_before_configure_tells_the_action_there_is_no_client() {
    let engine = Engine::new(FakeProvider {
        role: Arc::new(FakeRole::default()),
    })
    .expect("a plannable schema");
    assert_eq!(
        engine.plan_action(ACTION, check("role")).await,
        Diagnostic::warning("No Client", "planned without a client").into()
    );
}
