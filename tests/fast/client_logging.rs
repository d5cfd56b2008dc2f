//! Every call is logged at DEBUG with action, HTTP status, RequestId, attempt and duration, and nothing
//! logged (at any level), Debug output of the client handles included, contains an AccessKey secret, a security token or a signature.

use crate::support::scripted_server::{AK_ID, AK_SECRET, Scripted, TestServer, fast_retry};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use terraform_provider_aliram::provider::alicloud::credentials::{
    AssumeRoleConfig, CredentialsConfig, resolve,
};
use terraform_provider_aliram::provider::alicloud::{AliCloudClient, FixedEnvironment, Secret};
use terraform_provider_aliram::ram::signature::v1::percent_encode;
use tokio_util::sync::CancellationToken;
use tracing::field::{Field, Visit};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// The global subscriber of this test process: it records nothing, but answers "ask me every time" for every
/// callsite. Other tests in the process reach the client's log callsites with no subscriber, and tracing would
/// otherwise cache those callsites as never enabled, so the capturing subscriber this test sets for its own
/// thread would miss their events.
struct AskEveryTime;

impl<S: Subscriber> Layer<S> for AskEveryTime {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        Interest::sometimes()
    }

    fn enabled(&self, _: &Metadata<'_>, _: Context<'_, S>) -> bool {
        false
    }
}

fn ask_every_time() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(AskEveryTime))
            .expect("no other global subscriber in the fast tests");
    });
}

/// Records every event, with its level and all fields, as text.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<String>>);

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl<S: Subscriber> Layer<S> for Capture {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut line = format!("{} {}", event.metadata().level(), event.metadata().target());
        event.record(&mut Fields(&mut line));
        let mut log = self.0.lock().unwrap();
        log.push_str(&line);
        log.push('\n');
    }
}

#[tokio::test]
async fn calls_are_logged_without_secrets_tokens_or_signatures() {
    ask_every_time();
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = TestServer::start().await;
    server.script(
        "GetCallerIdentity",
        [Scripted::error(400, "Throttling.User", "throttled-1")],
    );
    // assume_role on top of provider arguments: minted STS secrets and tokens sign the later calls.
    let config = CredentialsConfig {
        access_key: Some(AK_ID.to_owned()),
        secret_key: Some(Secret::new(AK_SECRET)),
        assume_role: Some(AssumeRoleConfig {
            role_arn: "acs:ram::6543210987654321:role/ram-for-dts".to_owned(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let transport = server.transport();
    let cancel = CancellationToken::new();
    let credentials = resolve(&config, &FixedEnvironment::default(), &transport, &cancel)
        .await
        .unwrap();
    let client = AliCloudClient::new(transport, credentials.clone(), cancel);
    client.get_caller_identity().await.unwrap();
    let session = credentials.credentials().await.unwrap();
    let token = session.security_token.clone().unwrap();
    // A wrong secret with the session's token: the server echoes its string to sign, token included.
    let wrong = server.client_with(
        &session.access_key_id,
        "not-the-secret",
        Some(token.expose()),
        fast_retry(),
        CancellationToken::new(),
    );
    let err = wrong.get_caller_identity().await.unwrap_err();
    tracing::debug!(error = %err, debug = ?err, "the provider logs the error it reports");

    tracing::debug!(client = ?client, wrong = ?wrong, credentials = ?credentials, "Debug of client handles");

    let log = capture.0.lock().unwrap().clone();
    assert!(log.contains("action=\"GetCallerIdentity\""), "{log}");
    assert!(log.contains("action=\"AssumeRole\""), "{log}");
    assert!(
        log.contains("AliCloudClient") && log.contains("Secret(<redacted>)"),
        "{log}"
    );
    for field in [
        "http_status=400",
        "http_status=200",
        "request_id=\"throttled-1\"",
        "attempt=2",
        "duration_ms=",
    ] {
        assert!(log.contains(field), "{field} missing from\n{log}");
    }
    assert!(
        log.lines()
            .any(|l| l.starts_with("DEBUG") && l.contains("http_status=200"))
    );

    let signatures = server.state.signatures.lock().unwrap().clone();
    assert!(signatures.len() >= 4);
    let mut secrets = vec![
        AK_SECRET.to_owned(),
        session.access_key_secret.expose().to_owned(),
        token.expose().to_owned(),
        "not-the-secret".to_owned(),
    ];
    secrets.extend(signatures);
    for secret in &secrets {
        let encoded = percent_encode(secret);
        let twice = percent_encode(&encoded);
        for form in [secret, &encoded, &twice] {
            assert!(!log.contains(form.as_str()), "{form} logged:\n{log}");
        }
    }
}
