//! UpgradeResourceState: stored JSON of older versions.

use super::*;
use pretty_assertions::assert_eq;

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
