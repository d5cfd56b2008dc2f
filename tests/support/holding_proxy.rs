//! A response-holding HTTP proxy for the provider's `endpoints { ram, sts }`: it forwards every request to the
//! emulator at once (so the emulator carries it out), and for one API action holds the emulator's answer back
//! until the test releases it. An answer in flight at a chosen moment is then a fact the test controls, not a
//! matter of timing. A connection the emulator closes without answering (its `drop` and `lost_response` faults)
//! is closed without an answer to the provider too, so a lost answer stays lost through the proxy. Listens on
//! 127.0.0.1 only, served as the emulator serves; stops when dropped.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use terraform_provider_aliram::emulator::config::Timeouts;
use terraform_provider_aliram::emulator::connection::{ConnectionHandle, CuttableListener};
use tokio::sync::watch;

/// The headers of an emulator answer passed back (the rest are the proxy's own).
const PASSED_HEADERS: [&str; 2] = ["content-type", "x-acs-retry-after"];

/// A running proxy.
#[derive(Debug)]
pub struct HoldingProxy {
    /// `http://127.0.0.1:PORT`, for the provider's endpoints.
    pub url: String,
    state: Arc<ProxyState>,
    runtime: Option<tokio::runtime::Runtime>,
}

#[derive(Debug)]
struct ProxyState {
    upstream: String,
    held_action: String,
    http: reqwest::Client,
    released: watch::Sender<bool>,
    /// Requests of the held action the emulator has answered (carried out, or refused).
    answered: AtomicUsize,
}

impl HoldingProxy {
    /// A proxy to `upstream` (`http://host:port`) holding the answers of `action` (e.g. `CreateRole`).
    pub fn start(upstream: &str, action: &str) -> HoldingProxy {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("proxy runtime");
        let state = Arc::new(ProxyState {
            upstream: upstream.trim_end_matches('/').to_owned(),
            held_action: action.to_owned(),
            http: reqwest::Client::new(),
            released: watch::channel(false).0,
            answered: AtomicUsize::new(0),
        });
        let app = Router::new().fallback(forward).with_state(state.clone());
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        // The emulator's own server, whose connections a handler can cut.
        runtime.spawn(terraform_provider_aliram::emulator::server::serve(
            CuttableListener::new(listener),
            app,
            Timeouts::default(),
            std::future::pending(),
        ));
        HoldingProxy {
            url,
            state,
            runtime: Some(runtime),
        }
    }

    /// How many requests of the held action the emulator has answered so far (held or already passed back).
    pub fn answered(&self) -> usize {
        self.state.answered.load(Ordering::SeqCst)
    }

    /// Waits until the emulator has answered at least `count` requests of the held action; panics after `guard`.
    pub fn wait_for_answered(&self, count: usize, guard: Duration) {
        let deadline = Instant::now() + guard;
        while self.answered() < count {
            assert!(
                Instant::now() < deadline,
                "only {} {} requests reached the emulator",
                self.answered(),
                self.state.held_action
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Passes back every held answer, and every later one at once.
    pub fn release(&self) {
        self.state.released.send_replace(true);
    }
}

impl Drop for HoldingProxy {
    fn drop(&mut self) {
        self.release();
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// The `Action` form parameter of a request body.
fn action_of(body: &[u8]) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(name, _)| name == "Action")
        .map(|(_, value)| value.into_owned())
}

async fn forward(
    State(state): State<Arc<ProxyState>>,
    ConnectInfo(connection): ConnectInfo<ConnectionHandle>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let held = action_of(&body).as_deref() == Some(state.held_action.as_str());
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let mut request = state.http.post(format!("{}{path}", state.upstream));
    if let Some(content_type) = headers.get("content-type") {
        request = request.header("content-type", content_type.clone());
    }
    let answer = match request.body(body).send().await {
        Ok(answer) => answer,
        // The emulator closed the connection without an answer: so does the proxy (the response is never written).
        Err(e) => {
            connection.cut();
            return (StatusCode::BAD_GATEWAY, e.to_string()).into_response();
        }
    };
    let status = answer.status();
    let passed: Vec<(&str, HeaderValue)> = PASSED_HEADERS
        .iter()
        .filter_map(|name| Some((*name, answer.headers().get(*name)?.clone())))
        .collect();
    let bytes = match answer.bytes().await {
        Ok(bytes) => bytes,
        Err(e) => return (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    };
    if held {
        state.answered.fetch_add(1, Ordering::SeqCst);
        let mut released = state.released.subscribe();
        let _ = released.wait_for(|r| *r).await;
    }
    let mut response = (
        StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::BAD_GATEWAY),
        bytes,
    )
        .into_response();
    for (name, value) in passed {
        response.headers_mut().insert(name, value);
    }
    response
}
