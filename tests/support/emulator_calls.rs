//! The emulator as its own tests use it: served from the test process, or the real binary stopped by signal; a
//! client signing with signature v1 as the SDKs do (also for malformed and wrongly signed requests); the admin
//! API.

use serde_json::Value;
use std::time::Duration;
use terraform_provider_aliram::emulator::accounts::{
    Account, DEMO_USER, DeclaredUser, demo_accounts,
};
use terraform_provider_aliram::emulator::{self, EmulatorConfig};
use terraform_provider_aliram::provider::domain::trust_policy;
use terraform_provider_aliram::ram::account::AccountId;
use tokio::sync::oneshot;

pub use super::emulator_process::EmulatorProcess;
pub use super::oidc_federation::{oidc_issuer, oidc_trust_policy};
use super::signed_form::{Keys, signed_form};

/// RAM's API version.
pub const RAM: &str = "2015-05-01";
/// STS's API version.
pub const STS: &str = "2015-04-01";

/// The demo account named `name`.
pub fn account(name: &str) -> Account {
    demo_accounts()
        .into_iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("no demo account {name}"))
}

/// The RAM user [`DEMO_USER`] of the demo account named `name` (with `AdministratorAccess`): the identity that
/// assumes roles, which root keys may not.
pub fn demo_user(name: &str) -> DeclaredUser {
    account(name)
        .users
        .into_iter()
        .find(|u| u.name == DEMO_USER)
        .unwrap_or_else(|| panic!("no user {DEMO_USER} in demo account {name}"))
}

/// An emulator served from this process until dropped.
pub struct InProcess {
    pub endpoint: String,
    stop: Option<oneshot::Sender<()>>,
}

impl InProcess {
    pub async fn start(config: EmulatorConfig) -> Self {
        let bound = emulator::bind(&config).await.expect("bind emulator");
        let endpoint = bound.endpoint().to_owned();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(bound.serve_until(async move {
            let _ = stopped.await;
        }));
        Self {
            endpoint,
            stop: Some(stop),
        }
    }

    pub async fn with_defaults() -> Self {
        Self::start(EmulatorConfig::default()).await
    }
}

impl Drop for InProcess {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Sends SIGTERM to `process` and waits (bounded) for it to exit; returns whether it exited successfully.
pub fn terminate(mut process: EmulatorProcess) -> bool {
    super::child::signal(process.child.id(), "TERM", false);
    super::child::wait_or_kill(&mut process.child, "the emulator after SIGTERM").success()
}

/// Runs the binary with `args`, expecting it to stop on its own; kills it and fails if it starts serving.
pub fn run_expecting_refusal(args: &[&str]) -> std::process::Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_aliram-emulator"))
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start aliram-emulator");
    if super::child::wait_within(&mut child, super::child::HANG_GUARD).is_some() {
        return child.wait_with_output().expect("output");
    }
    let _ = child.kill();
    let output = child.wait_with_output().expect("output");
    panic!(
        "aliram-emulator {args:?} did not refuse to start; it printed {:?}",
        String::from_utf8_lossy(&output.stdout)
    );
}

/// A response: HTTP status and JSON body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["Code"].as_str().unwrap_or("")
    }

    /// The error's `Message` ("" when there is none).
    pub fn message(&self) -> &str {
        self.body["Message"].as_str().unwrap_or("")
    }

    #[track_caller]
    pub fn ok(self) -> Value {
        assert_eq!(self.status, 200, "expected success, got {:?}", self.body);
        self.body
    }

    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status, self.code()),
            (status, code),
            "unexpected reply {:?}",
            self.body
        );
    }
}

/// A client signing with signature v1, as the SDKs do.
#[derive(Clone)]
pub struct Client {
    pub endpoint: String,
    pub access_key_id: String,
    pub access_key_secret: String,
    pub security_token: Option<String>,
    http: reqwest::Client,
}

impl Client {
    pub fn new(endpoint: &str, account: &Account) -> Self {
        Self::with_keys(
            endpoint,
            &account.access_key_id,
            &account.access_key_secret,
            None,
        )
    }

    /// A client signing as the RAM user `user`.
    pub fn as_user(endpoint: &str, user: &DeclaredUser) -> Self {
        Self::with_keys(endpoint, &user.access_key_id, &user.access_key_secret, None)
    }

    pub fn with_keys(endpoint: &str, id: &str, secret: &str, token: Option<&str>) -> Self {
        Self {
            endpoint: endpoint.to_owned(),
            access_key_id: id.to_owned(),
            access_key_secret: secret.to_owned(),
            security_token: token.map(str::to_owned),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("http client"),
        }
    }

    /// The common parameters plus `params`, signed for POST, with a fresh nonce and timestamp.
    pub fn signed_params(
        &self,
        version: &str,
        action: &str,
        params: &[(&str, &str)],
    ) -> Vec<(String, String)> {
        let keys = Keys {
            access_key_id: &self.access_key_id,
            access_key_secret: &self.access_key_secret,
            security_token: self.security_token.as_deref(),
        };
        signed_form(&keys, version, action, params)
    }

    /// Sends already signed parameters as a POST form.
    pub async fn send(&self, pairs: &[(String, String)]) -> Result<Reply, reqwest::Error> {
        let response = self.http.post(&self.endpoint).form(pairs).send().await?;
        let status = response.status().as_u16();
        let body = response.json::<Value>().await?;
        Ok(Reply { status, body })
    }

    /// Signs and sends one call; a transport failure panics.
    pub async fn call(&self, version: &str, action: &str, params: &[(&str, &str)]) -> Reply {
        self.try_call(version, action, params)
            .await
            .unwrap_or_else(|e| panic!("{action}: transport error {e}"))
    }

    /// Signs and sends one call, returning transport failures.
    pub async fn try_call(
        &self,
        version: &str,
        action: &str,
        params: &[(&str, &str)],
    ) -> Result<Reply, reqwest::Error> {
        let pairs = self.signed_params(version, action, params);
        self.send(&pairs).await
    }
}

/// Attaches the system policy `policy` to `role`; the reply, whatever it is.
pub async fn attach_system_policy(client: &Client, role: &str, policy: &str) -> Reply {
    client
        .call(
            RAM,
            "AttachPolicyToRole",
            &[
                ("PolicyType", "System"),
                ("PolicyName", policy),
                ("RoleName", role),
            ],
        )
        .await
}

/// The DTS guide's trust policy trusting account `trusted` (its 16-digit UID), as the provider renders it.
pub fn dts_trust_policy(trusted: &str) -> String {
    trust_policy::dts_trust_policy(&uid(trusted)).to_json()
}

/// The DataWorks guide's trust policy trusting account `trusted` (service principal only), as the provider
/// renders it.
pub fn dataworks_trust_policy(trusted: &str) -> String {
    trust_policy::dataworks_trust_policy(&uid(trusted)).to_json()
}

fn uid(account: &str) -> AccountId {
    AccountId::parse(account).unwrap_or_else(|e| panic!("{account:?} is not an account UID: {e}"))
}

/// Creates role `name` with `trust_policy` and returns the response body.
pub async fn create_role(client: &Client, name: &str, trust_policy: &str) -> Value {
    client
        .call(
            RAM,
            "CreateRole",
            &[
                ("RoleName", name),
                ("AssumeRolePolicyDocument", trust_policy),
            ],
        )
        .await
        .ok()
}

/// `GET /_emulator/<path>`.
pub async fn admin_get(endpoint: &str, path: &str) -> Value {
    reqwest::get(format!("{endpoint}/_emulator/{path}"))
        .await
        .expect("admin request")
        .json()
        .await
        .expect("admin JSON")
}

/// Changes fault knobs (`POST /_emulator/faults`), e.g. `{"throttle_rate": 0.5}`; returns them all. Fails the
/// test when the emulator refuses them.
pub async fn set_faults(endpoint: &str, knobs: &Value) -> Value {
    let (status, body) = admin_post(endpoint, "faults", knobs).await;
    assert_eq!(status, 200, "fault knobs {knobs} refused: {body}");
    body
}

/// One per-action counter of `GET /_emulator/stats` (`requests`, `errors`, ...) for `action`; 0 when the emulator
/// has not seen the action.
pub async fn action_stat(endpoint: &str, action: &str, counter: &str) -> u64 {
    admin_get(endpoint, "stats").await["actions"][action][counter]
        .as_u64()
        .unwrap_or(0)
}

/// `POST /_emulator/<path>` with a JSON body; returns status and body.
pub async fn admin_post(endpoint: &str, path: &str, body: &Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{endpoint}/_emulator/{path}"))
        .json(body)
        .send()
        .await
        .expect("admin request");
    let status = response.status().as_u16();
    (status, response.json().await.expect("admin JSON"))
}

/// IMS's API version (OIDC providers), served on the same endpoint.
pub const IMS: &str = "2019-08-15";

/// An ID token minted by the emulator's test issuer (`POST /_emulator/oidc/token`): `request` gives `sub`, `aud`
/// (a string or a list) and optionally `lifetime_seconds`, `expired`, `iss`, `kid`.
pub async fn oidc_token(endpoint: &str, request: &Value) -> String {
    let (status, body) = admin_post(endpoint, "oidc/token", request).await;
    assert_eq!(status, 200, "test issuer refused {request}: {body}");
    body["token"].as_str().expect("token").to_owned()
}

/// An unsigned call, as the SDKs send `AssumeRoleWithOIDC`: the common parameters without a key or signature.
pub async fn call_unsigned(
    endpoint: &str,
    version: &str,
    action: &str,
    params: &[(&str, &str)],
) -> Reply {
    let nonce = uuid::Uuid::new_v4().to_string();
    let timestamp = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let pairs: Vec<(&str, &str)> = [
        ("Action", action),
        ("Version", version),
        ("Format", "JSON"),
        ("SignatureNonce", nonce.as_str()),
        ("Timestamp", timestamp.as_str()),
    ]
    .into_iter()
    .chain(params.iter().copied())
    .collect();
    let response = reqwest::Client::new()
        .post(endpoint)
        .form(&pairs)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{action}: transport error {e}"));
    let status = response.status().as_u16();
    let body = response.json::<Value>().await.expect("JSON answer");
    Reply { status, body }
}
