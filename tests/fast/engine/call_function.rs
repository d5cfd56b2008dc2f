//! CallFunction: arity and name checks.

use super::*;
use pretty_assertions::assert_eq;

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
