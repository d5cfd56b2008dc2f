//! Retries, the retry budget, cancellation and authentication failures against the local server.

use crate::support::child::HANG_GUARD;
use crate::support::scripted_server::{
    AK_ID, AK_SECRET, Key, Scripted, TestServer, fast_retry, role_body,
};
use std::collections::HashSet;
use std::time::Duration;
use terraform_provider_aliram::provider::alicloud::error::TransportFailure;
use terraform_provider_aliram::provider::alicloud::retry::RetryPolicy;
use terraform_provider_aliram::provider::alicloud::{
    AliCloudClient, ClientConfig, ClientError, ErrorKind, FixedEnvironment,
};
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn throttling_400_and_503_are_retried_to_success_with_fresh_nonces() {
    let server = TestServer::start().await;
    server.script(
        "GetRole",
        [
            Scripted::error(400, "Throttling.User", "t1"),
            Scripted::error(503, "ServiceUnavailable", "t2"),
            Scripted::ok(role_body("ok")),
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
            Scripted::ok(role_body("ok")),
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

/// On tokio's paused clock (the server answers on loopback in the same runtime, so the clock only moves while
/// the client waits to retry): every answer asks for a one-second wait, longer than the policy's own backoff, so
/// attempts start at exactly 0, 1, 2 and 3 s. With a budget of exactly 3 s the attempt starting on its last
/// instant is allowed and a fifth, at 4 s, is not: the boundary itself, which no wall-clock margin can show.
#[tokio::test(start_paused = true)]
async fn the_budget_allows_exactly_the_attempts_that_start_within_it() {
    let server = TestServer::start().await;
    server.script(
        "GetRole",
        (0..50).map(|_| {
            Scripted::error(503, "ServiceUnavailable", "w").with_header("x-acs-retry-after", "1")
        }),
    );
    let retry = RetryPolicy {
        budget: Duration::from_secs(3),
        ..fast_retry()
    };
    let mut config = server.config(retry);
    // No attempt may time out while the paused clock jumps to the next retry.
    config.connect_timeout = HANG_GUARD;
    config.attempt_timeout = HANG_GUARD;
    let client = server.client_over(&config, CancellationToken::new());
    let started = tokio::time::Instant::now();
    let err = tokio::time::timeout(HANG_GUARD, client.get_role("r"))
        .await
        .expect("the budget ends the call")
        .unwrap_err();
    assert_eq!(
        server.received_for("GetRole").len(),
        4,
        "attempts at 0, 1, 2 and 3 s of a 3 s budget"
    );
    assert_eq!(err.api_error().map(|a| a.attempts()), Some(4));
    assert_eq!(
        started.elapsed(),
        Duration::from_secs(3),
        "three waits of exactly the service's one second, none cut or lengthened"
    );
}

#[tokio::test]
async fn a_refused_tls_certificate_fails_at_once() {
    let (listener, handshakes) = self_signed_tls_listener().await;
    let url = format!("https://localhost:{}", listener.port());
    let client = client_at(&url, fast_retry()).await;
    let err = tokio::time::timeout(HANG_GUARD, client.get_caller_identity())
        .await
        .expect("the call ends")
        .unwrap_err();
    match &err {
        ClientError::Transport {
            failure, attempts, ..
        } => {
            assert_eq!(*failure, TransportFailure::Certificate, "{err}");
            assert_eq!(*attempts, 1, "a certificate is not retried: {err}");
        }
        other => panic!("expected a transport error, got {other}"),
    }
    assert!(err.to_string().contains("certificate"), "{err}");
    assert_eq!(
        handshakes.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "one TLS handshake, no retry"
    );
}

/// A client of `url` (both products) with `retry`, signing with the scripted server's key.
async fn client_at(url: &str, retry: RetryPolicy) -> AliCloudClient {
    let mut config =
        ClientConfig::from_settings(None, Some(url), Some(url), &FixedEnvironment::default())
            .unwrap();
    config.retry = retry;
    let server = TestServer::start().await;
    let credentials = server.client().credentials().clone();
    AliCloudClient::from_config(&config, credentials, CancellationToken::new()).unwrap()
}

/// A TLS listener on a loopback port with a fresh self-signed certificate for `localhost`, which no client
/// trusts; it counts the handshakes clients start.
struct TlsListener(u16);

impl TlsListener {
    fn port(&self) -> u16 {
        self.0
    }
}

async fn self_signed_tls_listener() -> (TlsListener, std::sync::Arc<std::sync::atomic::AtomicUsize>)
{
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handshakes = Arc::new(AtomicUsize::new(0));
    let counted = handshakes.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            let acceptor = acceptor.clone();
            // The client aborts the handshake; the outcome on this side does not matter.
            tokio::spawn(async move { drop(acceptor.accept(socket).await) });
        }
    });
    (TlsListener(port), handshakes)
}

#[tokio::test]
async fn connection_failures_are_retried_then_reported() {
    // A port the test holds bound without listening: connections to it are refused, and no other process can
    // start listening there while the test runs.
    let closed = tokio::net::TcpSocket::new_v4().expect("a socket");
    closed
        .bind("127.0.0.1:0".parse().expect("address"))
        .expect("binding a loopback port");
    let url = format!("http://{}", closed.local_addr().expect("local address"));
    let retry = RetryPolicy {
        budget: Duration::from_millis(300),
        ..fast_retry()
    };
    let client = client_at(&url, retry).await;
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

/// Stop while the client waits to retry (Stop while a request is in flight is `client_stop.rs`). On tokio's
/// paused clock the test's own five-minute sleep ends only once every task is idle: the answer has come and the
/// client sits in the ten-minute wait the service asked for. That state is reached by construction.
#[tokio::test(start_paused = true)]
async fn cancellation_during_a_retry_wait_returns_cancelled() {
    let server = TestServer::start().await;
    server.script(
        "GetRole",
        [Scripted::error(503, "ServiceUnavailable", "w").with_header("x-acs-retry-after", "600")],
    );
    let mut config = server.config(RetryPolicy {
        budget: Duration::from_secs(3600),
        ..fast_retry()
    });
    // No attempt may time out while the paused clock jumps.
    config.connect_timeout = Duration::from_secs(3600);
    config.attempt_timeout = Duration::from_secs(3600);
    let cancel = CancellationToken::new();
    let client = server.client_over(&config, cancel.clone());
    let started = tokio::time::Instant::now();
    let call = tokio::spawn(async move { client.get_role("r").await });
    tokio::time::sleep(Duration::from_secs(300)).await;
    assert_eq!(
        server.received_for("GetRole").len(),
        1,
        "answered once, now waiting"
    );
    cancel.cancel();
    let err = tokio::time::timeout(HANG_GUARD, call)
        .await
        .expect("cancellation ends the wait")
        .expect("the task completes")
        .unwrap_err();
    assert!(err.is_cancelled(), "{err}");
    assert!(err.to_string().contains("GetRole"));
    assert_eq!(
        started.elapsed(),
        Duration::from_secs(300),
        "the call ended at Stop, not when the wait ran out"
    );
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
