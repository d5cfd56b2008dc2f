//! Every call is logged at DEBUG with action, HTTP status, RequestId, attempt and duration, and nothing
//! logged (at any level), Debug output of the client handles included, contains an AccessKey secret, a security token or a signature,
//! also for the sources fetched at run time (a credentials URI, the ECS metadata service in hardened mode, the
//! command of an `External` profile, an OIDC token from a file or the `assume_role_with_oidc` block).

use crate::support::scripted_server::{
    AK_ID, AK_SECRET, FakeImds, IMDS_KEY_ID, IMDS_SECRET, IMDS_STS_TOKEN, IMDS_TOKEN, Scripted,
    TestServer, fast_retry, imds_key,
};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use terraform_provider_aliram::provider::alicloud::credentials::{
    AssumeRoleConfig, CredentialsConfig, OidcConfig, resolve,
};
use terraform_provider_aliram::provider::alicloud::{AliCloudClient, FixedEnvironment, Secret};
use terraform_provider_aliram::ram::signature::v1::percent_encode;
use tokio_util::sync::CancellationToken;
use tracing::field::{Field, Visit};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

const OIDC_PROVIDER: &str = "acs:ram::6543210987654321:oidc-provider/github";
const OIDC_ROLE: &str = "acs:ram::6543210987654321:role/ci-deployer";
const OIDC_FILE_TOKEN: &str = "oidc-file-token-Do-Not-Log";
const OIDC_BLOCK_TOKEN: &str = "oidc-block-token-Do-Not-Log";

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

    // The fetched sources: a credentials URI and the ECS role in hardened mode, each used for one call.
    server.add_key(IMDS_KEY_ID, imds_key());
    let imds = FakeImds::start(true, "instance-role", IMDS_KEY_ID).await;
    // The credentials document, served without a session token, is what a credentials URI answers.
    let uri_server = FakeImds::start(false, "instance-role", IMDS_KEY_ID).await;
    let uri = format!(
        "{}/latest/meta-data/ram/security-credentials/instance-role",
        uri_server.url
    );
    // A profile in mode External, whose command prints the same credentials.
    let dir = tempfile::tempdir().unwrap();
    let command = dir.path().join("helper");
    std::fs::write(
        &command,
        format!(
            "#!/bin/sh\nprintf '{{\"mode\":\"StsToken\",\"access_key_id\":\"{IMDS_KEY_ID}\",\"access_key_secret\":\"{IMDS_SECRET}\",\"sts_token\":\"{IMDS_STS_TOKEN}\"}}'\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(
        &command,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let oidc_file = dir.path().join("oidc-token");
    std::fs::write(&oidc_file, OIDC_FILE_TOKEN).unwrap();
    let cli_config = dir.path().join("config.json");
    let profiles = serde_json::json!({"profiles": [{"name": "external", "mode": "External", "process_command": command}]});
    std::fs::write(&cli_config, profiles.to_string()).unwrap();
    let fetched = [
        (
            CredentialsConfig {
                profile: Some("external".to_owned()),
                shared_credentials_file: Some(cli_config.to_str().unwrap().to_owned()),
                ..Default::default()
            },
            FixedEnvironment::default(),
        ),
        (
            CredentialsConfig::default(),
            FixedEnvironment::from_pairs([("ALIBABA_CLOUD_CREDENTIALS_URI".to_owned(), uri)]),
        ),
        (
            CredentialsConfig {
                ecs_role_name: Some("instance-role".to_owned()),
                ecs_metadata_url: Some(imds.url.clone()),
                ..Default::default()
            },
            FixedEnvironment::default(),
        ),
        // OIDC: a token file named by the environment, and a token given in the block.
        (
            CredentialsConfig::default(),
            FixedEnvironment::from_pairs([
                (
                    "ALIBABA_CLOUD_OIDC_TOKEN_FILE".to_owned(),
                    oidc_file.to_str().unwrap().to_owned(),
                ),
                (
                    "ALIBABA_CLOUD_OIDC_PROVIDER_ARN".to_owned(),
                    OIDC_PROVIDER.to_owned(),
                ),
                ("ALIBABA_CLOUD_ROLE_ARN".to_owned(), OIDC_ROLE.to_owned()),
            ]),
        ),
        (
            CredentialsConfig {
                assume_role_with_oidc: Some(OidcConfig {
                    oidc_provider_arn: Some(OIDC_PROVIDER.to_owned()),
                    role_arn: Some(OIDC_ROLE.to_owned()),
                    oidc_token: Some(Secret::new(OIDC_BLOCK_TOKEN)),
                    ..Default::default()
                }),
                ..Default::default()
            },
            FixedEnvironment::default(),
        ),
    ];
    for (config, env) in fetched {
        let transport = server.transport();
        let cancel = CancellationToken::new();
        let credentials = resolve(&config, &env, &transport, &cancel).await.unwrap();
        let client = AliCloudClient::new(transport, credentials.clone(), cancel);
        client.get_caller_identity().await.unwrap();
        tracing::debug!(client = ?client, credentials = ?credentials, "Debug of fetched sources");
    }

    let log = capture.0.lock().unwrap().clone();
    assert!(log.contains("action=\"GetCallerIdentity\""), "{log}");
    assert!(log.contains("action=\"AssumeRole\""), "{log}");
    assert!(log.contains("action=\"AssumeRoleWithOIDC\""), "{log}");
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
        IMDS_SECRET.to_owned(),
        IMDS_STS_TOKEN.to_owned(),
        IMDS_TOKEN.to_owned(),
        OIDC_FILE_TOKEN.to_owned(),
        OIDC_BLOCK_TOKEN.to_owned(),
        // What the server mints for the OIDC sessions (and AssumeRole): every secret and token it hands out.
        "minted-secret-".to_owned(),
        "minted/token".to_owned(),
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
