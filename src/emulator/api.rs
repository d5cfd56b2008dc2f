//! The API endpoint: one route for RAM, IMS and STS. Each request goes through the same steps: merge its
//! parameters, find the action from `Version` and `Action`, apply latency and faults, authenticate, run the
//! action, persist writes, count it, and answer JSON (with `RequestId`) or Alibaba's error body. A write that
//! cannot be saved is not applied, and its caller gets the error. `AssumeRoleWithOIDC` is unsigned: it skips
//! authentication, authorization and the per-caller flow control, and its token is its credential.

use super::Emulator;
use super::auth;
use super::auth_v3::{self, V3Request};
use super::authorization;
use super::connection::ConnectionHandle;
use super::error::{ApiError, new_request_id};
use super::faults::{Fault, ScriptedFault};
use super::oidc_providers;
use super::params::Params;
use super::ram::{self, RamCall, RamHandler};
use super::resource_directory::{self, DirectoryAction};
use super::server::{BodyError, read_body};
use super::sts::{self, StsAction};
use super::sts_oidc;
use axum::Json;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// The largest request body read.
const MAX_BODY_BYTES: usize = 256 * 1024;

/// The `Version` of RAM.
pub const RAM_VERSION: &str = "2015-05-01";
/// The `Version` of STS.
pub const STS_VERSION: &str = "2015-04-01";
/// The `Version` of IMS (OIDC providers), served on the same endpoint.
pub const IMS_VERSION: &str = "2019-08-15";

/// The API route: `/`, GET and POST.
pub fn router() -> axum::Router<Arc<Emulator>> {
    axum::Router::new()
        .route("/", get(handle_api).post(handle_api))
        .fallback(|| async { ApiError::api_not_found() })
}

/// An action resolved from `Version` and `Action`.
#[derive(Debug, Clone, Copy)]
enum Operation {
    Ram(RamHandler),
    Sts(StsAction),
    /// STS `AssumeRoleWithOIDC`, unsigned.
    AssumeRoleWithOidc,
    Directory(DirectoryAction),
}

fn host_id(params: &Params) -> &'static str {
    match params.get("Version") {
        Some(STS_VERSION) => "sts.aliyuncs.com",
        Some(IMS_VERSION) => "ims.aliyuncs.com",
        Some(
            resource_directory::DIRECTORY_MASTER_VERSION
            | resource_directory::RESOURCE_MANAGER_VERSION,
        ) => "resourcemanager.aliyuncs.com",
        _ => "ram.aliyuncs.com",
    }
}

fn resolve(params: &Params) -> Result<Operation, ApiError> {
    let action = params.required("Action")?;
    let version = params.required("Version")?;
    let operation = match version {
        RAM_VERSION => ram::find_action(action).map(Operation::Ram),
        STS_VERSION if action == "AssumeRoleWithOIDC" => Some(Operation::AssumeRoleWithOidc),
        STS_VERSION => StsAction::from_name(action).map(Operation::Sts),
        IMS_VERSION => oidc_providers::find_action(action).map(Operation::Ram),
        other => DirectoryAction::find(other, action).map(Operation::Directory),
    };
    let operation = operation.ok_or_else(ApiError::api_not_found)?;
    // JSON is the only response format emulated; both SDKs ask for it (`JSON` or `json`).
    if params
        .optional("Format")
        .is_some_and(|f| !f.eq_ignore_ascii_case("json"))
    {
        return Err(ApiError::invalid(
            "Format",
            "The emulator answers JSON only: send Format=JSON.",
        ));
    }
    Ok(operation)
}

async fn handle_api(State(emulator): State<Arc<Emulator>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let connection = parts
        .extensions
        .get::<ConnectInfo<ConnectionHandle>>()
        .map(|info| info.0.clone());
    let is_form = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    let body = match read_body(body, MAX_BODY_BYTES, emulator.timeouts().body_read).await {
        Ok(bytes) => bytes,
        Err(BodyError::Unreadable { .. }) => {
            return ApiError::invalid("Body", "The request body is too large or unreadable.")
                .into_response();
        }
        Err(e @ BodyError::TimedOut { .. }) => {
            return ApiError::new(StatusCode::REQUEST_TIMEOUT, "RequestTimeout", e.to_string())
                .into_response();
        }
    };
    let form: &[u8] = if is_form { &body } else { &[] };
    let mut params = Params::from_query_and_form(parts.uri.query(), form);
    let v3 = auth_v3::is_v3(&parts.headers).then(|| {
        V3Request::new(
            parts.method.as_str(),
            parts.uri.path(),
            parts.uri.query(),
            &parts.headers,
            &body,
        )
    });
    if let Some(v3) = &v3 {
        // V3 clients name the action in headers; a header wins over a query parameter of the same meaning.
        for (param, header) in [("Action", "x-acs-action"), ("Version", "x-acs-version")] {
            if let Some(value) = v3.header(header) {
                params.set(param, value);
            }
        }
    }
    let signing = match v3 {
        Some(v3) => Signing::V3(v3),
        None => Signing::V1 {
            method: parts.method.as_str(),
        },
    };
    answer(&emulator, &signing, &params, connection.as_ref()).await
}

/// How a request is signed: v1 signs its parameters, V3 its HTTP request.
#[derive(Debug)]
enum Signing<'a> {
    V1 { method: &'a str },
    V3(V3Request),
}

impl Signing<'_> {
    /// The name counted in the statistics.
    fn name(&self) -> &'static str {
        match self {
            Signing::V1 { .. } => "v1",
            Signing::V3(_) => "v3",
        }
    }
}

/// Counts a request as in flight until dropped, whichever way answering it ends.
struct InFlight<'a>(&'a Emulator);

impl<'a> InFlight<'a> {
    fn enter(emulator: &'a Emulator) -> Self {
        emulator.lock().stats.enter();
        InFlight(emulator)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.lock().stats.leave();
    }
}

/// What one request came to.
struct Outcome {
    result: Result<Value, ApiError>,
    account_id: Option<String>,
}

async fn answer(
    emulator: &Arc<Emulator>,
    signing: &Signing<'_>,
    params: &Params,
    connection: Option<&ConnectionHandle>,
) -> Response {
    let action = params.get("Action").unwrap_or_default().to_owned();
    let _in_flight = InFlight::enter(emulator);
    let outcome = match resolve(params) {
        Ok(operation) => run(emulator, operation, signing, params, connection).await,
        Err(e) => Outcome {
            result: Err(e),
            account_id: None,
        },
    };
    emulator.lock().stats.record(
        &action,
        outcome.account_id.as_deref(),
        outcome.result.is_err(),
    );
    match outcome.result {
        Ok(mut body) => {
            if let Some(fields) = body.as_object_mut() {
                fields.insert("RequestId".into(), Value::String(new_request_id()));
            }
            Json(body).into_response()
        }
        Err(e) => e.into_response_for(host_id(params)),
    }
}

fn action_name(params: &Params) -> &str {
    params.get("Action").unwrap_or_default()
}

async fn run(
    emulator: &Arc<Emulator>,
    operation: Operation,
    signing: &Signing<'_>,
    params: &Params,
    connection: Option<&ConnectionHandle>,
) -> Outcome {
    let knobs = emulator.faults();
    if knobs.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(knobs.latency_ms)).await;
    }
    // A queued fault takes this request's turn instead of the draw.
    let queued = emulator.take_queued_fault(action_name(params));
    let fault = match queued {
        Some(queued) => queued.before_running(),
        None => emulator.draw_fault(),
    };
    if let Some(fault) = fault {
        emulator.lock().stats.record_fault(fault.name());
        let error = match fault {
            Fault::Drop => match connection {
                Some(connection) => {
                    connection.cut();
                    ApiError::internal("The connection was dropped.")
                }
                // Served without connection info (the router called directly), there is no socket to cut: fail
                // like a 500 instead.
                None => ApiError::internal("The connection was dropped (no socket to cut)."),
            },
            Fault::Throttle => ApiError::throttled(),
            Fault::NoPermission => ApiError::no_permission(),
            Fault::Unavailable => ApiError::unavailable(),
            Fault::InternalError => {
                ApiError::internal("The request processing has failed due to some unknown error.")
            }
        };
        return Outcome {
            result: Err(error),
            account_id: None,
        };
    }

    if emulator.draw_lagging_list(action_name(params)) {
        emulator.lock().stats.record_fault("lagging_list");
        let role = params
            .get("RoleName")
            .or_else(|| params.get("ResourceNames"))
            .unwrap_or_default();
        return Outcome {
            result: Err(ApiError::role_not_found(role)),
            account_id: None,
        };
    }

    let now = request_time();
    if let Operation::AssumeRoleWithOidc = operation {
        return assume_role_with_oidc(emulator, params, now, queued, connection).await;
    }
    // A write takes its turn before it copies the store, so the copy it changes is the latest.
    let _turn = if matches!(operation, Operation::Ram(RamHandler::Write(_))) {
        emulator.writer_turn().await
    } else {
        None
    };
    // Under the lock only what must be there: authentication (it records the nonce) and a copy of the store,
    // cheap because accounts are shared. The action runs on the copy, so no request waits on another's work.
    let authenticated = {
        let mut guard = emulator.lock();
        let inner = &mut *guard;
        let keys = auth::KeyRing {
            accounts: emulator.accounts(),
            store: &inner.store,
            sessions: &inner.sessions,
        };
        match signing {
            Signing::V1 { method } => {
                auth::authenticate(method, params, keys, &mut inner.nonces, now)
            }
            Signing::V3(request) => auth_v3::authenticate(request, keys, &mut inner.nonces, now),
        }
        .map_err(|e| (e, None))
        .and_then(|caller| {
            inner.stats.record_signature(signing.name());
            // RAM's flow control counts a caller's requests per action, so it comes after authentication.
            if let Some(limit) = &mut inner.rate_limit
                && !limit.admit(
                    caller.account_id(),
                    action_name(params),
                    // tokio's clock (the system's unless a test pauses it), so in-process tests reach a bucket's
                    // states by construction instead of racing the wall clock.
                    tokio::time::Instant::now().into_std(),
                )
            {
                inner.stats.record_rate_limited(action_name(params));
                return Err((ApiError::throttled(), Some(caller.account_id().to_owned())));
            }
            Ok((
                caller,
                inner.store.clone(),
                inner.faults.consistency_delay_ms,
            ))
        })
    };
    let (caller, store, consistency_delay_ms) = match authenticated {
        Ok(authenticated) => authenticated,
        Err((e, account_id)) => {
            return Outcome {
                result: Err(e),
                account_id,
            };
        }
    };
    // Authorization, on the copy of the store: the caller's policies as they were when the request came in.
    if let Some(needed) = authorization::needed(params, &caller) {
        if let Err(refusal) = authorization::authorize(&caller, &store, &needed) {
            return Outcome {
                result: Err(refusal),
                account_id: Some(caller.account_id().to_owned()),
            };
        }
        let identity = authorization::recorder_identity(&caller);
        let mut inner = emulator.lock();
        for resource in &needed.resources {
            inner
                .recorder
                .record(&identity, needed.action, resource.as_str());
        }
    }
    let call = RamCall {
        params,
        account_id: caller.account_id(),
        caller: &caller,
        now,
        consistency_delay_ms,
        role_quota: emulator.role_quota,
    };
    let result = match operation {
        Operation::Ram(RamHandler::Read(read)) => read(&call, &store),
        Operation::Ram(RamHandler::Write(write)) => {
            let stall = queued == Some(ScriptedFault::StalledSave);
            emulator.apply_write(write, &call, store, stall).await
        }
        Operation::Sts(StsAction::GetCallerIdentity) => Ok(sts::get_caller_identity(&caller)),
        Operation::Sts(StsAction::AssumeRole) => sts::assume_role(params, &caller, &store, now)
            .map(|issued| issued.record(&mut emulator.lock().sessions, now)),
        Operation::AssumeRoleWithOidc => Err(ApiError::internal(
            "AssumeRoleWithOIDC is answered before authentication",
        )),
        Operation::Directory(DirectoryAction::ListAccounts) => {
            resource_directory::list_accounts(params, caller.account_id(), emulator.accounts(), now)
        }
    };
    let account_id = caller.account_id().to_owned();
    lose_answer_if_drawn(emulator, queued, connection);
    Outcome {
        result,
        account_id: Some(account_id),
    }
}

/// After a request was carried out, its answer may still be lost on the way back: queued, or drawn.
fn lose_answer_if_drawn(
    emulator: &Emulator,
    queued: Option<ScriptedFault>,
    connection: Option<&ConnectionHandle>,
) {
    let lose_answer = match queued {
        Some(queued) => queued == ScriptedFault::LostResponse,
        None => emulator.draw_lost_response(),
    };
    if let Some(connection) = connection
        && lose_answer
    {
        emulator.lock().stats.record_fault("lost_response");
        connection.cut();
    }
}

/// `AssumeRoleWithOIDC`, after latency and faults: on a copy of the store, outside the lock (fetching the
/// issuer's keys may take a network round trip); the session is recorded once issued. Counted under the role's
/// account.
async fn assume_role_with_oidc(
    emulator: &Arc<Emulator>,
    params: &Params,
    now: chrono::DateTime<Utc>,
    queued: Option<ScriptedFault>,
    connection: Option<&ConnectionHandle>,
) -> Outcome {
    let store = emulator.lock().store.clone();
    let result = sts_oidc::assume_role_with_oidc(&emulator.issuer_keys, params, &store, now)
        .await
        .map(|issued| issued.record(&mut emulator.lock().sessions, now));
    lose_answer_if_drawn(emulator, queued, connection);
    Outcome {
        result,
        account_id: sts_oidc::role_owner(params),
    }
}

/// The time of a request: the system's clock, moved by as much as tokio's clock has been moved while paused.
/// The two are the same unless a test paused tokio's clock (`tokio::time::pause`); then the emulator's notion of
/// time (dates it writes, the consistency window) follows the test's `advance` exactly, so a test reaches
/// "still inside the window" and "just past it" by construction instead of racing the wall clock.
fn request_time() -> chrono::DateTime<Utc> {
    let wall = Utc::now();
    let real = std::time::Instant::now();
    let tokio_now = tokio::time::Instant::now().into_std();
    let moved =
        |d: std::time::Duration| chrono::Duration::from_std(d).unwrap_or(chrono::Duration::zero());
    if tokio_now >= real {
        wall + moved(tokio_now - real)
    } else {
        wall - moved(real - tokio_now)
    }
}
