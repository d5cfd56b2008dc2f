//! A local RAM + STS stand-in for client tests: it verifies every signature itself (re-signing the
//! received parameters with the shared signer), rejects reused nonces, records requests, answers
//! `GetCallerIdentity` and `AssumeRole` for the keys it knows, `AssumeRoleWithOIDC` unsigned (any token but
//! [`EXPIRED_OIDC_TOKEN`]), and plays scripted responses per action.
//! Also a fake ECS metadata service. Both listen on 127.0.0.1 only.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Form, Json, Router};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use terraform_provider_aliram::provider::alicloud::credentials::{
    Credentials, CredentialsProvider, StaticCredentials,
};
use terraform_provider_aliram::provider::alicloud::retry::RetryPolicy;
use terraform_provider_aliram::provider::alicloud::{
    AliCloudClient, ClientConfig, FixedEnvironment, Secret, Transport,
};
use terraform_provider_aliram::ram::signature::v1::{SignableRequest, sign, string_to_sign};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// An identity the server knows.
#[derive(Debug, Clone)]
pub struct Key {
    pub secret: String,
    pub token: Option<String>,
    pub account_id: String,
    pub arn: String,
    pub identity_type: String,
}

/// A request the server accepted (signature valid, or an unsigned AssumeRoleWithOIDC), parameters decoded,
/// `Signature` removed.
#[derive(Debug, Clone)]
pub struct Received {
    pub action: String,
    /// The query's and the body's parameters together.
    pub params: BTreeMap<String, String>,
    /// The query's parameters alone (signed requests send everything in the body).
    pub query: BTreeMap<String, String>,
}

/// An OIDC token the server refuses as STS refuses an expired one.
pub const EXPIRED_OIDC_TOKEN: &str = "expired-oidc-token";

/// A scripted answer.
#[derive(Debug, Clone)]
pub struct Scripted {
    pub status: u16,
    pub body: Value,
    pub headers: Vec<(&'static str, String)>,
    /// When set, the answer waits for one `notify_one` of this gate (the request is recorded on arrival).
    pub hold: Option<Arc<Notify>>,
}

impl Scripted {
    pub fn ok(body: Value) -> Self {
        Self {
            status: 200,
            body,
            headers: Vec::new(),
            hold: None,
        }
    }

    pub fn error(status: u16, code: &str, request_id: &str) -> Self {
        Self {
            status,
            body: json!({"RequestId": request_id, "Code": code, "Message": format!("scripted {code}"), "HostId": "127.0.0.1"}),
            headers: Vec::new(),
            hold: None,
        }
    }

    pub fn with_header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    /// The same answer, held back until the test calls `gate.notify_one()`: a response in flight.
    pub fn held_until(mut self, gate: &Arc<Notify>) -> Self {
        self.hold = Some(gate.clone());
        self
    }
}

#[derive(Debug, Default)]
pub struct ServerState {
    keys: Mutex<HashMap<String, Key>>,
    nonces: Mutex<HashSet<String>>,
    received: Mutex<Vec<Received>>,
    scripts: Mutex<HashMap<String, VecDeque<Scripted>>>,
    minted: AtomicU32,
    /// Every `Signature` presented, valid or not.
    pub signatures: Mutex<Vec<String>>,
    /// Notified after every request that passed verification.
    pub arrivals: Notify,
}

/// The running stand-in.
#[derive(Debug, Clone)]
pub struct TestServer {
    pub url: String,
    pub state: Arc<ServerState>,
}

/// A `GetRole`/`CreateRole` answer for role `r` whose `RequestId` is `request_id`.
pub fn role_body(request_id: &str) -> Value {
    serde_json::json!({"RequestId": request_id, "Role": {"RoleId": "1", "RoleName": "r", "Arn": "acs:ram::1:role/r"}})
}

pub const ACCOUNT: &str = "1234567890123456";
pub const AK_ID: &str = "LTAI-test-id";
pub const AK_SECRET: &str = "test-secret-Do-Not-Log";

impl TestServer {
    /// Starts a server knowing the long-lived key `AK_ID`/`AK_SECRET` of account `ACCOUNT`.
    pub async fn start() -> Self {
        let state = Arc::new(ServerState::default());
        let server = Self {
            url: String::new(),
            state: state.clone(),
        };
        server.add_key(
            AK_ID,
            Key {
                secret: AK_SECRET.to_owned(),
                token: None,
                account_id: ACCOUNT.to_owned(),
                arn: format!("acs:ram::{ACCOUNT}:root"),
                identity_type: "Account".to_owned(),
            },
        );
        let app = Router::new().route("/", post(handle)).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url, ..server }
    }

    pub fn add_key(&self, id: &str, key: Key) {
        self.state.keys.lock().unwrap().insert(id.to_owned(), key);
    }

    /// Queues `answers` for `action`, played in order before the default behaviour.
    pub fn script(&self, action: &str, answers: impl IntoIterator<Item = Scripted>) {
        self.state
            .scripts
            .lock()
            .unwrap()
            .entry(action.to_owned())
            .or_default()
            .extend(answers);
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }

    pub fn received_for(&self, action: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.action == action)
            .collect()
    }

    /// A client config pointing both products here, with the given retry policy.
    pub fn config(&self, retry: RetryPolicy) -> ClientConfig {
        let mut config = ClientConfig::from_settings(
            None,
            Some(&self.url),
            Some(&self.url),
            &FixedEnvironment::default(),
        )
        .expect("loopback endpoints are accepted");
        config.retry = retry;
        config
    }

    pub fn transport(&self) -> Transport {
        Transport::new(&self.config(fast_retry())).expect("transport")
    }

    /// A client signing with the given static credentials.
    pub fn client_with(
        &self,
        id: &str,
        secret: &str,
        token: Option<&str>,
        retry: RetryPolicy,
        cancel: CancellationToken,
    ) -> AliCloudClient {
        let credentials: Arc<dyn CredentialsProvider> = Arc::new(StaticCredentials::new(
            Credentials {
                access_key_id: id.to_owned(),
                access_key_secret: Secret::new(secret),
                security_token: token.map(Secret::new),
                expiration: None,
            },
            "test",
        ));
        AliCloudClient::from_config(&self.config(retry), credentials, cancel).expect("client")
    }

    /// A client with the server's long-lived key over `config` (from [`TestServer::config`], then adjusted).
    pub fn client_over(&self, config: &ClientConfig, cancel: CancellationToken) -> AliCloudClient {
        let credentials = self.client().credentials().clone();
        AliCloudClient::from_config(config, credentials, cancel).expect("client")
    }

    /// A client with the server's long-lived key and quick retries.
    pub fn client(&self) -> AliCloudClient {
        self.client_with(
            AK_ID,
            AK_SECRET,
            None,
            fast_retry(),
            CancellationToken::new(),
        )
    }
}

/// Retries quick enough for tests, with a budget a test can exhaust.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        budget: Duration::from_secs(10),
    }
}

fn error_response(status: u16, code: &str, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = json!({"RequestId": "server-error", "HostId": "127.0.0.1", "Code": code, "Message": message});
    (status, Json(body)).into_response()
}

async fn handle(
    State(state): State<Arc<ServerState>>,
    Query(query): Query<Vec<(String, String)>>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let query: BTreeMap<String, String> = query.into_iter().collect();
    let mut params: BTreeMap<String, String> = pairs.into_iter().collect();
    params.extend(query.clone());
    // STS takes AssumeRoleWithOIDC unsigned: the token is the proof.
    if !params.contains_key("Signature")
        && params.get("Action").map(String::as_str) == Some("AssumeRoleWithOIDC")
    {
        return assume_role_with_oidc(&state, params, query).await;
    }
    let Some(presented) = params.remove("Signature") else {
        return error_response(400, "MissingSignature", "Signature is mandatory.");
    };
    state.signatures.lock().unwrap().push(presented.clone());
    let id = params.get("AccessKeyId").cloned().unwrap_or_default();
    let Some(key) = state.keys.lock().unwrap().get(&id).cloned() else {
        return error_response(
            404,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        );
    };
    if key.token.as_deref() != params.get("SecurityToken").map(String::as_str) {
        return error_response(
            400,
            "InvalidSecurityToken.Mismatch",
            "The security token does not match.",
        );
    }
    let signed: Vec<(String, String)> = params.clone().into_iter().collect();
    let request = SignableRequest {
        method: "POST",
        params: &signed,
    };
    if sign(&request, &key.secret) != presented {
        // Like the real gateway, echo the server's string to sign (it contains the security token).
        let message = format!(
            "Specified signature is not matched with our calculation. server string to sign is:{}",
            string_to_sign(&request)
        );
        return error_response(400, "SignatureDoesNotMatch", &message);
    }
    // Like the gateway: a timestamp more than 15 minutes off is refused, so stale ones cannot pass.
    let fresh = params
        .get("Timestamp")
        .and_then(|t| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%SZ").ok())
        .is_some_and(|t| {
            (chrono::Utc::now().naive_utc() - t).abs() < chrono::Duration::minutes(15)
        });
    if !fresh {
        return error_response(
            400,
            "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.",
        );
    }
    let nonce = params.get("SignatureNonce").cloned().unwrap_or_default();
    if !state.nonces.lock().unwrap().insert(nonce) {
        return error_response(
            400,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        );
    }
    let action = params.get("Action").cloned().unwrap_or_default();
    state.received.lock().unwrap().push(Received {
        action: action.clone(),
        params: params.clone(),
        query,
    });
    state.arrivals.notify_one();

    if let Some(answer) = scripted_answer(&state, &action).await {
        return answer;
    }
    match action.as_str() {
        "GetCallerIdentity" => Json(json!({
            "RequestId": "caller-identity",
            "AccountId": key.account_id,
            "Arn": key.arn,
            "IdentityType": key.identity_type,
            "PrincipalId": "principal",
        }))
        .into_response(),
        "AssumeRole" => assume_role(&state, &params),
        _ => error_response(404, "InvalidApi.NotFound", "No script for this action."),
    }
}

/// The next scripted answer for `action`, once its gate (if any) opens.
async fn scripted_answer(state: &ServerState, action: &str) -> Option<Response> {
    let answer = state
        .scripts
        .lock()
        .unwrap()
        .get_mut(action)
        .and_then(VecDeque::pop_front)?;
    if let Some(gate) = &answer.hold {
        gate.notified().await;
    }
    let mut headers = HeaderMap::new();
    for (name, value) in answer.headers {
        headers.insert(name, value.parse().expect("header value"));
    }
    let status = StatusCode::from_u16(answer.status).expect("status");
    Some((status, headers, Json(answer.body)).into_response())
}

/// An unsigned AssumeRoleWithOIDC: recorded, then scripted, refused for [`EXPIRED_OIDC_TOKEN`], or answered with
/// a session of `RoleArn` as AssumeRole would be.
async fn assume_role_with_oidc(
    state: &ServerState,
    params: BTreeMap<String, String>,
    query: BTreeMap<String, String>,
) -> Response {
    let token = params.get("OIDCToken").cloned().unwrap_or_default();
    state.received.lock().unwrap().push(Received {
        action: "AssumeRoleWithOIDC".to_owned(),
        params: params.clone(),
        query,
    });
    state.arrivals.notify_one();
    if let Some(answer) = scripted_answer(state, "AssumeRoleWithOIDC").await {
        return answer;
    }
    if token.is_empty() {
        return error_response(
            400,
            "MissingOIDCToken",
            "OIDCToken is mandatory for this action.",
        );
    }
    if token == EXPIRED_OIDC_TOKEN {
        return error_response(
            400,
            "AuthenticationFail.OIDCToken.Expired",
            "This JsonWebToken is expired.",
        );
    }
    assume_role(state, &params)
}

fn assume_role(state: &ServerState, params: &BTreeMap<String, String>) -> Response {
    let role_arn = params.get("RoleArn").cloned().unwrap_or_default();
    // acs:ram::<account>:role/<name>
    let Some((account, role)) = role_arn
        .strip_prefix("acs:ram::")
        .and_then(|rest| rest.split_once(":role/"))
    else {
        return error_response(
            400,
            "InvalidParameter.RoleArn",
            "The parameter RoleArn is wrong.",
        );
    };
    let session = params.get("RoleSessionName").cloned().unwrap_or_default();
    let n = state.minted.fetch_add(1, Ordering::SeqCst);
    let id = format!("STS.minted{n}");
    let secret = format!("minted-secret-{n}");
    let token = format!("minted/token+{n}==");
    let duration: i64 = params
        .get("DurationSeconds")
        .and_then(|d| d.parse().ok())
        .unwrap_or(3600);
    let expiration = (chrono::Utc::now() + chrono::Duration::seconds(duration))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let arn = format!("acs:ram::{account}:assumed-role/{role}/{session}");
    state.keys.lock().unwrap().insert(
        id.clone(),
        Key {
            secret: secret.clone(),
            token: Some(token.clone()),
            account_id: account.to_owned(),
            arn: arn.clone(),
            identity_type: "AssumedRoleUser".to_owned(),
        },
    );
    Json(json!({
        "RequestId": format!("assume-{n}"),
        "Credentials": {"AccessKeyId": id, "AccessKeySecret": secret, "SecurityToken": token, "Expiration": expiration},
        "AssumedRoleUser": {"Arn": arn, "AssumedRoleId": format!("3{n}:{session}")},
    }))
    .into_response()
}

/// A fake ECS metadata service for one role.
#[derive(Debug, Clone)]
pub struct FakeImds {
    pub url: String,
    pub state: Arc<ImdsState>,
}

#[derive(Debug)]
pub struct ImdsState {
    pub v2: bool,
    pub role: String,
    pub key_id: String,
    pub token_puts: AtomicU32,
    pub gets_with_token: AtomicU32,
    pub gets_without_token: AtomicU32,
    /// The `Code` of the credentials answer (`Success` unless a test changes it).
    pub code: Mutex<&'static str>,
}

/// The IMDSv2 session token the fake hands out.
pub const IMDS_TOKEN: &str = "imds-session-token";

impl FakeImds {
    /// Serves credentials of `key_id` (which the test registers with the server) for `role`; with `v2`
    /// false the token endpoint answers 404, as on instances without IMDSv2.
    pub async fn start(v2: bool, role: &str, key_id: &str) -> Self {
        let state = Arc::new(ImdsState {
            v2,
            role: role.to_owned(),
            key_id: key_id.to_owned(),
            token_puts: AtomicU32::new(0),
            gets_with_token: AtomicU32::new(0),
            gets_without_token: AtomicU32::new(0),
            code: Mutex::new("Success"),
        });
        let app = Router::new()
            .route("/latest/api/token", put(imds_token))
            .route(
                "/latest/meta-data/ram/security-credentials/{role}",
                get(imds_credentials),
            )
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url, state }
    }
}

pub const IMDS_SECRET: &str = "imds-secret";
pub const IMDS_STS_TOKEN: &str = "imds-sts-token";
/// The key id the fakes above hand out in tests, registered with [`imds_key`].
pub const IMDS_KEY_ID: &str = "STS.imds";

/// The session key a [`FakeImds`] (or a credentials URI served by one) hands out, for [`TestServer::add_key`]
/// under [`IMDS_KEY_ID`]: a session of `instance-role` in account 1111222233334444.
pub fn imds_key() -> Key {
    Key {
        secret: IMDS_SECRET.to_owned(),
        token: Some(IMDS_STS_TOKEN.to_owned()),
        account_id: "1111222233334444".to_owned(),
        arn: "acs:ram::1111222233334444:assumed-role/instance-role/ecs".to_owned(),
        identity_type: "AssumedRoleUser".to_owned(),
    }
}

async fn imds_token(State(state): State<Arc<ImdsState>>, headers: HeaderMap) -> Response {
    state.token_puts.fetch_add(1, Ordering::SeqCst);
    if !state.v2 {
        return StatusCode::NOT_FOUND.into_response();
    }
    if headers
        .get("X-aliyun-ecs-metadata-token-ttl-seconds")
        .is_none()
    {
        return StatusCode::BAD_REQUEST.into_response();
    }
    IMDS_TOKEN.into_response()
}

async fn imds_credentials(
    State(state): State<Arc<ImdsState>>,
    Path(role): Path<String>,
    headers: HeaderMap,
) -> Response {
    match headers.get("X-aliyun-ecs-metadata-token") {
        Some(token) if token == IMDS_TOKEN => state.gets_with_token.fetch_add(1, Ordering::SeqCst),
        Some(_) => return StatusCode::UNAUTHORIZED.into_response(),
        None if state.v2 => return StatusCode::UNAUTHORIZED.into_response(),
        None => state.gets_without_token.fetch_add(1, Ordering::SeqCst),
    };
    if role != state.role {
        return StatusCode::NOT_FOUND.into_response();
    }
    let expiration = (chrono::Utc::now() + chrono::Duration::hours(6))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let code = *state.code.lock().expect("code lock");
    Json(json!({
        "Code": code,
        "AccessKeyId": state.key_id,
        "AccessKeySecret": IMDS_SECRET,
        "SecurityToken": IMDS_STS_TOKEN,
        "Expiration": expiration,
        "LastUpdated": "2026-01-01T00:00:00Z",
    }))
    .into_response()
}
