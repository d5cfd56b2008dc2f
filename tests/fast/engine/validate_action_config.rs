//! ValidateActionConfig: attribute validators, then the action's own checks; unknown and null values pass to
//! the checks that run at plan; an unknown action type is named.

use super::*;
use pretty_assertions::assert_eq;

struct ValidateCase {
    name: &'static str,
    type_name: &'static str,
    config: Value,
    expected: Diagnostics,
}

#[tokio::test]
async fn validate_action_config_runs_validators_then_the_actions_checks() {
    let (engine, _) = engine(FakeRole::default()).await;
    let cases = vec![
        ValidateCase {
            name: "request-valid/response-no-diagnostics",
            type_name: ACTION,
            config: check("role"),
            expected: Diagnostics::new(),
        },
        ValidateCase {
            name: "request-invalid-attribute/response-attribute-error",
            type_name: ACTION,
            config: check("Role"),
            expected: Diagnostic::error("Invalid Attribute Value", "String(\"Role\") is not lowercase")
                .at(path("target"))
                .into(),
        },
        ValidateCase {
            name: "request-unknown-value/response-not-checked-yet",
            type_name: ACTION,
            config: check(Value::Unknown),
            expected: Diagnostics::new(),
        },
        ValidateCase {
            name: "request-no-config-block/response-null-passes",
            type_name: ACTION,
            config: Value::Null,
            expected: Diagnostics::new(),
        },
        ValidateCase {
            name: "request-action-check-fails/response-action-error",
            type_name: ACTION,
            config: with(check("role"), &[("note", "forbidden".into())]),
            expected: Diagnostic::error("Forbidden Note", "note is forbidden.").at(path("note")).into(),
        },
        ValidateCase {
            name: "request-unknown-type/response-unknown-action-type",
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
            engine.validate_action_config(case.type_name, &case.config),
            case.expected,
            "case {}",
            case.name
        );
    }
}
