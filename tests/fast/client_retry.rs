//! Retries, the retry budget, cancellation and authentication failures against the local server.

use crate::support::scripted_server::{AK_ID, AK_SECRET, Key, Scripted, TestServer, fast_retry};
use std::collections::HashSet;
use std::time::Duration;
use terraform_provider_aliram::provider::alicloud::error::TransportFailure;
use terraform_provider_aliram::provider::alicloud::retry::RetryPolicy;
use terraform_provider_aliram::provider::alicloud::{
    AliCloudClient, ClientConfig, ClientError, ErrorKind, FixedEnvironment,
};
use tokio_util::sync::CancellationToken;

/// Guards against a hang; never a performance assertion.
const HANG_GUARD: Duration = Duration::from_secs(60);

fn role_body() -> serde_json::Value {
    serde_json::json!({"RequestId": "ok", "Role": {"RoleId": "1", "RoleName": "r", "Arn": "acs:ram::1:role/r"}})
}

#[tokio::test]
async fn throttling_400_and_503_are_retried_to_success_with_fresh_nonces() {
    let server = TestServer::start().await;
    server.script(
        "GetRole",
        [
            Scripted::error(400, "Throttling.User", "t1"),
            Scripted::error(503, "ServiceUnavailable", "t2"),
            Scripted::ok(role_body()),
        ],
    );
    let role = server.client().get_role("r").await.unwrap();
    assert_eq!(role.request_id, "ok");
    let attempts = server.received_for("GetRole");
    assert_eq!(attempts.len(), 3);
    let nonces: HashSet<&str> = attempts
        .iter()
        .map(|a| a.params["SignatureNonce"].as_str())
        .collect();
    assert_eq!(
        nonces.len(),
        3,
        "every attempt is signed with a fresh nonce"
    );
}

#[tokio::test]
async fn a_retry_after_header_makes_any_error_retryable() {
    let server = TestServer::start().await;
    server.script(
        "GetRole",
        [
            Scripted::error(400, "Rejected.Unknown", "t1").with_header("x-acs-retry-after", "1"),
            Scripted::ok(role_body()),
        ],
    );
    server.client().get_role("r").await.unwrap();
    assert_eq!(server.received_for("GetRole").len(), 2);
}

#[tokio::test]
async fn a_retry_after_beyond_the_budget_fails_at_once() {
    let server = TestServer::start().await;
    server.script(
        "GetRole",
        [Scripted::error(400, "Throttling.User", "t1").with_header("x-acs-retry-after", "3600")],
    );
    let err = server.client().get_role("r").await.unwrap_err();
    let api = err.api_error().expect("an API error");
    assert_eq!(api.kind(), ErrorKind::Throttling);
    assert_eq!(api.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(api.attempts(), 1);
    assert_eq!(server.received_for("GetRole").len(), 1);
}

#[tokio::test]
async fn a_persistent_failure_ends_within_the_budget_naming_action_code_and_request_id() {
    let server = TestServer::start().await;
    server.script(
        "GetRole",
        (0..500).map(|_| Scripted::error(503, "ServiceUnavailable", "req-503")),
    );
    let retry = RetryPolicy {
        budget: Duration::from_millis(300),
        ..fast_retry()
    };
    let client = server.client_with(AK_ID, AK_SECRET, None, retry, CancellationToken::new());
    let err = tokio::time::timeout(HANG_GUARD, client.get_role("r"))
        .await
        .expect("the budget ends the call")
        .unwrap_err();
    let api = err.api_error().expect("the last API error");
    let received = server.received_for("GetRole").len() as u32;
    assert!(api.attempts() > 1, "retried before giving up");
    assert_eq!(api.attempts(), received);
    assert!(
        received < 500,
        "stopped by the budget, not by running out of script"
    );
    let shown = err.to_string();
    for part in ["GetRole", "ServiceUnavailable", "req-503", "503"] {
        assert!(shown.contains(part), "{part} missing from {shown}");
    }
}

#[tokio::test]
async fn connection_failures_are_retried_then_reported() {
    // A port that was just free: nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let mut config =
        ClientConfig::from_settings(None, Some(&url), Some(&url), &FixedEnvironment::default())
            .unwrap();
    config.retry = RetryPolicy {
        budget: Duration::from_millis(300),
        ..fast_retry()
    };
    let server = TestServer::start().await;
    let credentials = server.client().credentials().clone();
    let client =
        AliCloudClient::from_config(&config, credentials, CancellationToken::new()).unwrap();
    let err = tokio::time::timeout(HANG_GUARD, client.get_caller_identity())
        .await
        .expect("the budget ends the call")
        .unwrap_err();
    match &err {
        ClientError::Transport {
            action,
            failure,
            attempts,
            ..
        } => {
            assert_eq!(action, "GetCallerIdentity");
            assert_eq!(*failure, TransportFailure::Connect);
            assert!(*attempts > 1, "connection errors are retried");
        }
        other => panic!("expected a transport error, got {other}"),
    }
    assert_eq!(err.kind(), Some(ErrorKind::Unavailable));
}

#[tokio::test]
async fn cancellation_during_a_retry_wait_returns_cancelled() {
    let server = TestServer::start().await;
    // The service asks for a ten-minute wait; only cancellation can end the call early.
    server.script(
        "GetRole",
        [Scripted::error(503, "ServiceUnavailable", "w").with_header("x-acs-retry-after", "600")],
    );
    let retry = RetryPolicy {
        budget: Duration::from_secs(3600),
        ..fast_retry()
    };
    let cancel = CancellationToken::new();
    let client = server.client_with(AK_ID, AK_SECRET, None, retry, cancel.clone());
    let call = tokio::spawn(async move { client.get_role("r").await });
    server.state.arrivals.notified().await;
    cancel.cancel();
    let err = tokio::time::timeout(HANG_GUARD, call)
        .await
        .expect("cancellation ends the wait")
        .expect("the task completes")
        .unwrap_err();
    assert!(err.is_cancelled(), "{err}");
    assert!(err.to_string().contains("GetRole"));
    assert_eq!(
        server.received_for("GetRole").len(),
        1,
        "no attempt after Stop"
    );
}

#[tokio::test]
async fn a_cancelled_client_makes_no_request() {
    let server = TestServer::start().await;
    let cancel = CancellationToken::new();
    cancel.cancel();
    let client = server.client_with(AK_ID, AK_SECRET, None, fast_retry(), cancel);
    assert!(
        client
            .get_caller_identity()
            .await
            .unwrap_err()
            .is_cancelled()
    );
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn a_wrong_secret_surfaces_signature_does_not_match_without_leaking_the_token() {
    let server = TestServer::start().await;
    let token = "session/token+value==";
    server.add_key(
        "STS.session",
        Key {
            secret: "right-secret".to_owned(),
            token: Some(token.to_owned()),
            account_id: "1".to_owned(),
            arn: "acs:ram::1:assumed-role/r/s".to_owned(),
            identity_type: "AssumedRoleUser".to_owned(),
        },
    );
    let client = server.client_with(
        "STS.session",
        "wrong-secret",
        Some(token),
        fast_retry(),
        CancellationToken::new(),
    );
    let err = client.get_caller_identity().await.unwrap_err();
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"));
    assert_eq!(err.kind(), Some(ErrorKind::Auth));
    assert_eq!(err.api_error().unwrap().attempts(), 1, "not retried");
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("GetCallerIdentity") && shown.contains("SignatureDoesNotMatch"));
    for secret in ["session", "token", "wrong-secret"] {
        assert!(!shown.contains(secret), "{secret} leaked into {shown}");
    }
}
