//! InvokeAction: progress in order, then exactly one completed event carrying the diagnostics, whatever happens
//! (success, the action's failure, no progress at all, an unknown type, an unknown value, no configured client).

use super::*;
use pretty_assertions::assert_eq;
use tokio::sync::mpsc;

struct InvokeCase {
    name: &'static str,
    type_name: &'static str,
    config: Value,
    expected: Vec<ActionEvent>,
}

/// Every event `engine` sends for one invocation, in order, once the stream has ended.
async fn events(engine: &Engine<FakeProvider>, type_name: &str, config: Value) -> Vec<ActionEvent> {
    let (sender, mut receiver) = mpsc::channel(16);
    engine.invoke_action(type_name, config, sender).await;
    let mut out = Vec::new();
    while let Some(event) = receiver.recv().await {
        out.push(event);
    }
    out
}

fn progress(message: &str) -> ActionEvent {
    ActionEvent::Progress(message.to_owned())
}

fn completed(diagnostics: impl IntoIterator<Item = Diagnostic>) -> ActionEvent {
    ActionEvent::Completed(super::diagnostics(diagnostics))
}

#[tokio::test]
async fn invoke_action_streams_progress_then_one_completion() {
    let (engine, _) = engine(FakeRole::default()).await;
    let cases = vec![
        InvokeCase {
            name: "request-succeeds/response-progress-then-completed-empty",
            type_name: ACTION,
            config: check("role"),
            expected: vec![
                progress("checking role"),
                progress("checked role"),
                completed([]),
            ],
        },
        InvokeCase {
            name: "request-fails/response-progress-then-completed-error",
            type_name: ACTION,
            config: check("fail"),
            expected: vec![
                progress("checking fail"),
                completed([Diagnostic::error("Check Failed", "target is fail")]),
            ],
        },
        InvokeCase {
            name: "request-no-progress/response-completed-only",
            type_name: ACTION,
            config: check("quiet"),
            expected: vec![completed([])],
        },
        InvokeCase {
            name: "request-unknown-value/response-completed-error-action-not-run",
            type_name: ACTION,
            config: check(Value::Unknown),
            expected: vec![completed([Diagnostic::error(
                "Action Configuration Unknown",
                "The configuration of fake_check still holds values known only after apply, so it cannot run. \
                 Apply the resources it refers to first.",
            )])],
        },
        InvokeCase {
            name: "request-unknown-type/response-completed-error",
            type_name: NO_SUCH_TYPE,
            config: check("role"),
            expected: vec![completed([Diagnostic::error(
                "Unknown action type",
                format!(
                    "This provider has no action type {NO_SUCH_TYPE:?}. Check the spelling, or upgrade the provider."
                ),
            )])],
        },
    ];
    for case in cases {
        assert_eq!(
            events(&engine, case.type_name, case.config).await,
            case.expected,
            "case {}",
            case.name
        );
    }
}

#[tokio::test]
async fn invoke_action_before_configure_completes_with_the_error() {
    let engine = Engine::new(FakeProvider {
        role: Arc::new(FakeRole::default()),
    })
    .expect("a plannable schema");
    let got = events(&engine, ACTION, check("role")).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        matches!(&got[0], ActionEvent::Completed(d) if d.iter().any(|d| d.summary == "Provider Not Configured")),
        "{got:?}"
    );
}
