//! The admin API under `/_emulator/`: unsigned, loopback only, never subject to faults.
//!
//! - `GET /_emulator/stats`: request and error counts per action and per account, writes, injected faults;
//! - `GET|POST /_emulator/faults`: read or change the fault knobs (partial JSON, flag names);
//! - `POST /_emulator/reset`: forget roles, sessions, nonces and statistics, restore the start knobs;
//! - `POST /_emulator/service-assume`: may a service acting for an account assume a role?

use super::Emulator;
use super::connection::ConnectionHandle;
use super::faults::FaultUpdate;
use super::store::parse_role_arn;
use super::trust_policy::{self, Judgement, Requester};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;

/// The admin routes, to be nested under `/_emulator`.
pub fn router() -> axum::Router<Arc<Emulator>> {
    axum::Router::new()
        .route("/stats", get(get_stats))
        .route("/faults", get(get_faults).post(set_faults))
        .route("/reset", post(reset))
        .route("/service-assume", post(service_assume))
        .layer(middleware::from_fn(loopback_only))
}

/// Refuses callers that are not on this machine; in-process calls (no socket) pass.
async fn loopback_only(request: Request, next: Next) -> Response {
    let remote = request
        .extensions()
        .get::<ConnectInfo<ConnectionHandle>>()
        .map(|info| info.0.remote_addr);
    if remote.is_some_and(|addr| !addr.ip().is_loopback()) {
        return admin_error(
            StatusCode::FORBIDDEN,
            "the admin API is for loopback callers only",
        );
    }
    next.run(request).await
}

fn admin_error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// Parses a JSON request body; the error is the message for a 400 answer.
fn parse_body<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| format!("invalid request body: {e}"))
}

async fn get_stats(State(emulator): State<Arc<Emulator>>) -> Response {
    Json(emulator.stats()).into_response()
}

async fn get_faults(State(emulator): State<Arc<Emulator>>) -> Response {
    Json(emulator.faults()).into_response()
}

async fn set_faults(State(emulator): State<Arc<Emulator>>, body: Bytes) -> Response {
    let update: FaultUpdate = match parse_body(&body) {
        Ok(update) => update,
        Err(message) => return admin_error(StatusCode::BAD_REQUEST, message),
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

async fn reset(State(emulator): State<Arc<Emulator>>) -> Response {
    match emulator.reset().await {
        Ok(()) => Json(json!({ "reset": true })).into_response(),
        Err(e) => admin_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("saving state: {e}"),
        ),
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
async fn service_assume(State(emulator): State<Arc<Emulator>>, body: Bytes) -> Response {
    let request: ServiceAssumeRequest = match parse_body(&body) {
        Ok(request) => request,
        Err(message) => return admin_error(StatusCode::BAD_REQUEST, message),
    };
    let Some((owner, role_name)) = parse_role_arn(&request.role_arn) else {
        return admin_error(
            StatusCode::BAD_REQUEST,
            "role_arn must have the form acs:ram::<uid>:role/<name>",
        );
    };
    let judgement = {
        let inner = emulator.lock();
        match inner.store.role(owner, role_name) {
            Some(role) => trust_policy::judge(
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
        }
    };
    Json(ServiceAssumeResponse {
        allowed: judgement.allowed,
        reason: judgement.reason,
    })
    .into_response()
}
