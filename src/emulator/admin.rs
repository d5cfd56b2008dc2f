//! The admin API under `/_emulator/`: unsigned, never subject to faults, and for programs on this machine only.
//! Being unsigned, it must be out of reach of web pages the developer's browser opens: it answers only a loopback
//! peer that names a loopback `Host` (so DNS rebinding, which carries the attacker's host name, is refused),
//! refuses any `Origin` that is not loopback, and takes POST bodies only as `Content-Type: application/json`,
//! which a browser sends cross-origin only after a CORS preflight this API never grants.
//!
//! - `GET /_emulator/stats`: request and error counts per action and per account, writes, injected faults;
//! - `GET|POST /_emulator/faults`: read or change the fault knobs (partial JSON, flag names);
//! - `POST /_emulator/faults/next`: force a fault on the next requests of one action
//!   (`{"action":"CreateRole","fault":"lost_response","count":1}`), whatever the knobs draw;
//! - `POST /_emulator/reset`: forget roles, sessions, nonces and statistics, restore the start knobs;
//! - `POST /_emulator/consistency/settle`: end every consistency window now (roles and attachments written under
//!   `consistency_delay_ms` become visible), so a test ends a window when it has seen it met;
//! - `POST /_emulator/service-assume`: may a service acting for an account assume a role?
//! - `GET /_emulator/recorder`: per identity, the policy allowing exactly what it was allowed
//!   (`?identity=<principal ARN>` for one document alone, `&names=any` for `*` in place of resource names);
//! - `POST /_emulator/recorder/reset`: forget what was recorded;
//! - `GET /_emulator/oidc/.well-known/openid-configuration` and `GET /_emulator/oidc/jwks`: the test OIDC issuer
//!   ([`super::oidc_issuer`]), whose URL is `http://<Host>/_emulator/oidc`;
//! - `POST /_emulator/oidc/token`: an ID token from it (`{"sub":"...","aud":"..."}`, optionally
//!   `lifetime_seconds`, `expired`, `iss`, `kid`), answered as `{"token","issuer","expires_at"}`.

use super::Emulator;
use super::connection::ConnectionHandle;
use super::faults::{FaultUpdate, NextFault};
use super::oidc_issuer::{self, TestIssuer, TokenRequest};
use super::recorder::ResourceNames;
use super::server::{BodyError, read_body};
use super::store::parse_role_arn;
use crate::ram::trust_policy::judge::{Judgement, Requester, judge};
use axum::Json;
use axum::body::Body;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::HeaderMap;
use axum::http::header::{CONTENT_TYPE, HOST, ORIGIN};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::net::IpAddr;
use std::sync::Arc;

/// The largest admin request body read.
const MAX_ADMIN_BODY_BYTES: usize = 64 * 1024;

/// The admin routes, to be nested under `/_emulator`.
pub fn router() -> axum::Router<Arc<Emulator>> {
    axum::Router::new()
        .route("/stats", get(get_stats))
        .route("/faults", get(get_faults).post(set_faults))
        .route("/faults/next", post(queue_fault))
        .route("/reset", post(reset))
        .route("/consistency/settle", post(settle))
        .route("/service-assume", post(service_assume))
        .route("/recorder", get(get_recorder))
        .route("/recorder/reset", post(reset_recorder))
        .route(
            "/oidc/.well-known/openid-configuration",
            get(oidc_discovery),
        )
        .route("/oidc/jwks", get(oidc_jwks))
        .route("/oidc/token", post(oidc_token))
        .layer(middleware::from_fn(local_callers_only))
}

/// Refuses requests that may come from elsewhere than a program on this machine (see the module documentation).
async fn local_callers_only(request: Request, next: Next) -> Response {
    match refusal(&request) {
        Some((status, message)) => admin_error(status, message),
        None => next.run(request).await,
    }
}

fn refusal(request: &Request) -> Option<(StatusCode, String)> {
    let remote = request
        .extensions()
        .get::<ConnectInfo<ConnectionHandle>>()
        .map(|info| info.0.remote_addr);
    if remote.is_some_and(|addr| !addr.ip().is_loopback()) {
        return Some((
            StatusCode::FORBIDDEN,
            "the admin API is for loopback callers only".into(),
        ));
    }
    let headers = request.headers();
    let host = headers
        .get(HOST)
        .map(|v| v.to_str().unwrap_or("(not text)"));
    if !host.is_some_and(is_loopback_host) {
        return Some((
            StatusCode::FORBIDDEN,
            format!(
                "the admin API answers only requests whose Host is localhost or a loopback address, got {}",
                host.map_or("none".to_owned(), |h| format!("{h:?}"))
            ),
        ));
    }
    if let Some(origin) = headers.get(ORIGIN) {
        let origin = origin.to_str().unwrap_or("(not text)");
        if !is_loopback_origin(origin) {
            return Some((
                StatusCode::FORBIDDEN,
                format!(
                    "the admin API refuses requests from web pages: Origin {origin:?} is not loopback"
                ),
            ));
        }
    }
    if request.method() == Method::POST {
        let content_type = headers
            .get(CONTENT_TYPE)
            .map(|v| v.to_str().unwrap_or("(not text)"));
        if !content_type.is_some_and(is_json_media_type) {
            return Some((
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "the admin API takes POST bodies as Content-Type: application/json, got {}",
                    content_type.map_or("none".to_owned(), |c| format!("{c:?}"))
                ),
            ));
        }
    }
    None
}

/// `localhost` or a loopback address, with or without a port: `127.0.0.1:8080`, `[::1]`, `LOCALHOST`.
fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        // `[v6]` or `[v6]:port`
        Some(rest) => match rest.split_once(']') {
            Some((v6, port)) if port.is_empty() || port.strip_prefix(':').is_some_and(is_port) => {
                v6
            }
            _ => return false,
        },
        None => match host.rsplit_once(':') {
            Some((name, port)) if is_port(port) => name,
            Some(_) => return false,
            None => host,
        },
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn is_port(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && text.parse::<u16>().is_ok()
}

/// `http://` or `https://` followed by a loopback host; `null` and every other origin are not.
fn is_loopback_origin(origin: &str) -> bool {
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .is_some_and(is_loopback_host)
}

/// `application/json`, in any letter case, with or without parameters such as `charset`.
fn is_json_media_type(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

fn admin_error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// Reads and parses a JSON request body within the body timeout; the error is the answer to send.
async fn parse_body<T: for<'de> Deserialize<'de>>(
    emulator: &Emulator,
    body: Body,
) -> Result<T, Response> {
    let bytes = read_body(body, MAX_ADMIN_BODY_BYTES, emulator.timeouts().body_read)
        .await
        .map_err(|e| {
            let status = match e {
                BodyError::TimedOut { .. } => StatusCode::REQUEST_TIMEOUT,
                BodyError::Unreadable { .. } => StatusCode::BAD_REQUEST,
            };
            admin_error(status, e.to_string())
        })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        admin_error(
            StatusCode::BAD_REQUEST,
            format!("invalid request body: {e}"),
        )
    })
}

async fn get_stats(State(emulator): State<Arc<Emulator>>) -> Response {
    Json(emulator.stats()).into_response()
}

async fn get_faults(State(emulator): State<Arc<Emulator>>) -> Response {
    Json(emulator.faults()).into_response()
}

async fn set_faults(State(emulator): State<Arc<Emulator>>, body: Body) -> Response {
    let update: FaultUpdate = match parse_body(&emulator, body).await {
        Ok(update) => update,
        Err(answer) => return answer,
    };
    let mut inner = emulator.lock();
    match inner.faults.updated(&update) {
        Ok(knobs) => {
            inner.faults = knobs;
            Json(knobs).into_response()
        }
        Err(e) => admin_error(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

async fn queue_fault(State(emulator): State<Arc<Emulator>>, body: Body) -> Response {
    let next: NextFault = match parse_body(&emulator, body).await {
        Ok(next) => next,
        Err(answer) => return answer,
    };
    emulator.queue_fault(next.clone());
    Json(next).into_response()
}

async fn reset(State(emulator): State<Arc<Emulator>>) -> Response {
    match emulator.reset().await {
        Ok(()) => Json(json!({ "reset": true })).into_response(),
        Err(e) => admin_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("saving state: {e}"),
        ),
    }
}

async fn settle(State(emulator): State<Arc<Emulator>>) -> Response {
    match emulator.settle().await {
        Ok(settled) => Json(json!({ "settled": settled })).into_response(),
        Err(e) => admin_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("saving state: {e}"),
        ),
    }
}

/// The query of `GET /_emulator/recorder`.
#[derive(Debug, Deserialize)]
struct RecorderQuery {
    /// One identity's principal ARN: answer its document alone.
    identity: Option<String>,
    /// `exact` (the default) or `any`: resource names as recorded, or `*`.
    names: Option<String>,
}

async fn get_recorder(
    State(emulator): State<Arc<Emulator>>,
    Query(query): Query<RecorderQuery>,
) -> Response {
    let names = match query.names.as_deref() {
        None | Some("exact") => ResourceNames::Exact,
        Some("any") => ResourceNames::AnyName,
        Some(other) => {
            return admin_error(
                StatusCode::BAD_REQUEST,
                format!("names must be exact or any, got {other:?}"),
            );
        }
    };
    let recorder = emulator.recorder();
    match query.identity {
        Some(identity) => match recorder.policy(&identity, names) {
            Some(policy) => Json(policy).into_response(),
            None => admin_error(
                StatusCode::NOT_FOUND,
                format!(
                    "nothing was recorded for {identity:?} (identities are principal ARNs, a role session's is its role's)"
                ),
            ),
        },
        None => {
            let identities: serde_json::Map<String, serde_json::Value> = recorder
                .identities()
                .filter_map(|id| Some((id.to_owned(), recorder.policy(id, names)?)))
                .collect();
            Json(json!({ "identities": identities })).into_response()
        }
    }
}

async fn reset_recorder(State(emulator): State<Arc<Emulator>>) -> Response {
    emulator.clear_recorder();
    Json(json!({ "reset": true })).into_response()
}

/// The test issuer's URL for this request: the middleware has checked that its `Host` is a loopback address.
fn issuer_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    TestIssuer::url(host)
}

async fn oidc_discovery(headers: HeaderMap) -> Response {
    Json(TestIssuer::discovery(&issuer_url(&headers))).into_response()
}

async fn oidc_jwks(State(emulator): State<Arc<Emulator>>) -> Response {
    match emulator.test_issuer().await.and_then(TestIssuer::jwks) {
        Ok(jwks) => Json(jwks).into_response(),
        Err(e) => admin_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

async fn oidc_token(
    State(emulator): State<Arc<Emulator>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let request: TokenRequest = match parse_body(&emulator, body).await {
        Ok(request) => request,
        Err(answer) => return answer,
    };
    let minted = emulator
        .test_issuer()
        .await
        .and_then(|issuer| issuer.mint(&issuer_url(&headers), &request, chrono::Utc::now()));
    match minted {
        Ok(minted) => Json(minted).into_response(),
        Err(e @ oidc_issuer::IssuerError::Request(_)) => {
            admin_error(StatusCode::BAD_REQUEST, e.to_string())
        }
        Err(e) => admin_error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// The body of `POST /_emulator/service-assume`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceAssumeRequest {
    service: String,
    acting_for: String,
    role_arn: String,
}

/// The answer of `POST /_emulator/service-assume`.
#[derive(Debug, Serialize)]
struct ServiceAssumeResponse {
    allowed: bool,
    reason: String,
}

/// Judges from the role's stored trust policy, as RAM would, whether `service` acting for `acting_for` may
/// assume `role_arn`. The admin view ignores the consistency delay: it judges what is stored.
async fn service_assume(State(emulator): State<Arc<Emulator>>, body: Body) -> Response {
    let request: ServiceAssumeRequest = match parse_body(&emulator, body).await {
        Ok(request) => request,
        Err(answer) => return answer,
    };
    let Some((owner, role_name)) = parse_role_arn(&request.role_arn) else {
        return admin_error(
            StatusCode::BAD_REQUEST,
            "role_arn must have the form acs:ram::<uid>:role/<name>",
        );
    };
    // Judged outside the lock, on the stored document.
    let store = emulator.lock().store.clone();
    let judgement = match store.role(owner, role_name) {
        Some(role) => judge(
            &role.trust_policy,
            owner,
            &Requester::Service {
                service: request.service,
                acting_for: request.acting_for,
            },
        ),
        None => Judgement {
            allowed: false,
            reason: format!("role {role_name} does not exist in account {owner}"),
        },
    };
    Json(ServiceAssumeResponse {
        allowed: judgement.allowed,
        reason: judgement.reason,
    })
    .into_response()
}
