//! ValidateResourceConfig and ValidateDataSourceConfig: validators on known values, unknown types.

use super::*;
use pretty_assertions::assert_eq;

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
