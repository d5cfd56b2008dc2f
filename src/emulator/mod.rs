//! aliram-emulator: a local RAM + STS service, faithful to the real API, for demos and tests.
//!
//! One endpoint serves RAM (`Version=2015-05-01`) and STS (`Version=2015-04-01`) over GET and POST, with
//! parameters in the query or a form body; `/_emulator/` holds the unsigned admin API. [`app`] builds the axum
//! router (testable without a socket), [`bind`] and [`BoundEmulator::serve_until`] run it on a real listener,
//! and [`serve`] is the whole binary: bind, print the start line, serve until SIGTERM or SIGINT, save.

/// The accounts the emulator knows and their root keys.
pub mod accounts;
/// The `/_emulator/` admin API.
pub mod admin;
/// The API endpoint: parameters, faults, authentication, dispatch, statistics, persistence.
pub mod api;
/// Signature, timestamp, nonce and security token checks; STS sessions.
pub mod auth;
/// Configuration and command line.
pub mod config;
/// Connections that the dropped-connection fault can cut.
pub mod connection;
/// The API error type and Alibaba's error body.
pub mod error;
/// Fault knobs and the per-request draw.
pub mod faults;
/// Request parameters.
pub mod params;
/// The system policy catalog.
pub mod policy_catalog;
/// RAM role actions.
pub mod ram;
/// Atomic persistence of the store.
pub mod state_file;
/// Request statistics.
pub mod stats;
/// The RAM data model.
pub mod store;
/// STS actions.
pub mod sts;
/// Trust policy normalisation and judgement.
pub mod trust_policy;

use accounts::Account;
use auth::{NonceCache, Sessions};
pub use config::{ConfigError, EmulatorConfig};
use connection::{ConnectionHandle, CuttableListener};
use faults::FaultKnobs;
use serde::Serialize;
use state_file::{Snapshot, StateFile, StateFileError};
use stats::Stats;
use std::future::Future;
use std::io::Write as _;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use store::Store;

/// The emulator's shared state.
#[derive(Debug)]
pub struct Emulator {
    accounts: Vec<Account>,
    initial_faults: FaultKnobs,
    role_quota: usize,
    state_file: Option<StateFile>,
    // One lock for everything: requests are small and never await while holding it.
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Store,
    /// Bumped by every write; orders state file saves.
    generation: u64,
    sessions: Sessions,
    nonces: NonceCache,
    faults: FaultKnobs,
    stats: Stats,
}

/// Why the emulator cannot start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// The state file cannot be read or written.
    #[error(transparent)]
    StateFile(#[from] StateFileError),
    /// The listener cannot be bound or the server failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl Emulator {
    /// A new emulator for `config`, with the store loaded from the state file if one is configured.
    pub fn new(config: &EmulatorConfig) -> Result<Self, EmulatorError> {
        let state_file = config.state_file.clone().map(StateFile::new);
        let store = match &state_file {
            Some(file) => file.load()?,
            None => Store::default(),
        };
        Ok(Self {
            accounts: config.accounts.clone(),
            initial_faults: config.faults,
            role_quota: config.role_quota,
            state_file,
            inner: Mutex::new(Inner {
                store,
                generation: 0,
                sessions: Sessions::default(),
                nonces: NonceCache::default(),
                faults: config.faults,
                stats: Stats::default(),
            }),
        })
    }

    /// The accounts and their root keys.
    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    /// The most roles an account may hold.
    pub fn role_quota(&self) -> usize {
        self.role_quota
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves consistent data (every change is a single assignment or
        // collection operation), so carry on rather than fail every later request.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The current fault knobs.
    pub fn faults(&self) -> FaultKnobs {
        self.lock().faults
    }

    /// The statistics so far.
    pub fn stats(&self) -> Stats {
        self.lock().stats.clone()
    }

    /// A snapshot of the store for the state file, if there is one; bumps the generation.
    fn snapshot_after_write(&self, inner: &mut Inner) -> Option<Result<Snapshot, StateFileError>> {
        inner.generation += 1;
        self.state_file
            .as_ref()
            .map(|_| Snapshot::of(&inner.store, inner.generation))
    }

    /// Writes `snapshot` to the state file off the async runtime.
    async fn persist(self: &Arc<Self>, snapshot: Snapshot) -> Result<(), StateFileError> {
        let this = Arc::clone(self);
        let saved = tokio::task::spawn_blocking(move || match &this.state_file {
            Some(file) => file.save(&snapshot),
            None => Ok(()),
        })
        .await;
        saved.unwrap_or_else(|e| {
            Err(StateFileError::Task {
                path: self
                    .state_file
                    .as_ref()
                    .map(|f| f.path().display().to_string())
                    .unwrap_or_default(),
                reason: e.to_string(),
            })
        })
    }

    /// Saves the current store to the state file now (used on shutdown).
    pub fn save_now(&self) -> Result<(), StateFileError> {
        let Some(file) = &self.state_file else {
            return Ok(());
        };
        let snapshot = {
            let mut inner = self.lock();
            inner.generation += 1;
            Snapshot::of(&inner.store, inner.generation)?
        };
        file.save(&snapshot)
    }

    /// Back to the start: no roles, sessions, nonces or statistics, and the fault knobs of the command line.
    async fn reset(self: &Arc<Self>) -> Result<(), StateFileError> {
        let snapshot = {
            let mut inner = self.lock();
            inner.store = Store::default();
            inner.sessions.clear();
            inner.nonces.clear();
            inner.stats = Stats::default();
            inner.faults = self.initial_faults;
            self.snapshot_after_write(&mut inner)
        };
        match snapshot {
            Some(snapshot) => self.persist(snapshot?).await,
            None => Ok(()),
        }
    }
}

/// The router: the API endpoint at `/` and the admin API under `/_emulator/`.
pub fn app(emulator: Arc<Emulator>) -> axum::Router {
    axum::Router::new()
        .merge(api::router())
        .nest("/_emulator", admin::router())
        .with_state(emulator)
}

/// The line printed on start: the endpoint and every account with its keys.
#[derive(Debug, Serialize)]
pub struct StartupLine<'a> {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: &'a str,
    /// The accounts.
    pub accounts: &'a [Account],
}

/// An emulator bound to its address, not serving yet.
#[derive(Debug)]
pub struct BoundEmulator {
    listener: CuttableListener,
    emulator: Arc<Emulator>,
    endpoint: String,
}

/// Loads state and binds the listener of `config`.
pub async fn bind(config: &EmulatorConfig) -> Result<BoundEmulator, EmulatorError> {
    let emulator = Arc::new(Emulator::new(config)?);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| EmulatorError::Io {
            context: format!("binding {}", config.listen),
            source,
        })?;
    let local = listener.local_addr().map_err(|source| EmulatorError::Io {
        context: "reading the bound address".into(),
        source,
    })?;
    let host = if local.ip().is_unspecified() {
        "127.0.0.1".to_owned()
    } else {
        local.ip().to_string()
    };
    Ok(BoundEmulator {
        listener: CuttableListener::new(listener),
        emulator,
        endpoint: format!("http://{host}:{}", local.port()),
    })
}

impl BoundEmulator {
    /// The endpoint URL, `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The shared state (for in-process callers and tests).
    pub fn emulator(&self) -> Arc<Emulator> {
        Arc::clone(&self.emulator)
    }

    /// The JSON start line: `{"endpoint":...,"accounts":[...]}`.
    pub fn startup_line(&self) -> String {
        let line = StartupLine {
            endpoint: &self.endpoint,
            accounts: self.emulator.accounts(),
        };
        // Serialising plain strings cannot fail.
        serde_json::to_string(&line).unwrap_or_default()
    }

    /// Serves until `shutdown` completes, then saves the state.
    pub async fn serve_until<F>(self, shutdown: F) -> Result<(), EmulatorError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let emulator = Arc::clone(&self.emulator);
        let service =
            app(Arc::clone(&emulator)).into_make_service_with_connect_info::<ConnectionHandle>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(|source| EmulatorError::Io {
                context: "serving".into(),
                source,
            })?;
        emulator.save_now()?;
        Ok(())
    }
}

/// A future completing on SIGTERM or SIGINT. The handlers are installed when this function returns, not when
/// the future is first polled, so a signal sent right after the start line is printed is not lost.
pub fn shutdown_signal() -> Result<impl Future<Output = ()> + Send + 'static, EmulatorError> {
    use tokio::signal::unix::{SignalKind, signal};
    let install = |kind: SignalKind, name: &str| {
        signal(kind).map_err(|source| EmulatorError::Io {
            context: format!("installing the {name} handler"),
            source,
        })
    };
    let mut terminate = install(SignalKind::terminate(), "SIGTERM")?;
    let mut interrupt = install(SignalKind::interrupt(), "SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => {}
            _ = interrupt.recv() => {}
        }
    })
}

/// The whole binary: bind, print the start line and flush it, serve until SIGTERM or SIGINT, save the state.
pub async fn serve(config: EmulatorConfig) -> Result<(), EmulatorError> {
    let bound = bind(&config).await?;
    let shutdown = shutdown_signal()?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", bound.startup_line())
        .and_then(|()| stdout.flush())
        .map_err(|source| EmulatorError::Io {
            context: "writing the start line".into(),
            source,
        })?;
    drop(stdout);
    bound.serve_until(shutdown).await
}
