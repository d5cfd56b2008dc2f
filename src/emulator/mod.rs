//! aliram-emulator: a local RAM + STS service, faithful to the real API, for demos and tests.
//!
//! One endpoint serves RAM (`Version=2015-05-01`), STS (`Version=2015-04-01`), IMS's OIDC providers
//! (`Version=2019-08-15`) and Resource Directory's ListAccounts (`Version=2022-04-19` or `2020-03-31`) over GET and
//! POST, with parameters in the query or a form body; `/_emulator/` holds the unsigned admin API, and the test OIDC
//! issuer under `/_emulator/oidc`. [`app`] builds the axum
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
/// Signature V3 (`ACS3-HMAC-SHA256`) verification.
pub mod auth_v3;
/// Authorization of every call against its caller's policies.
pub mod authorization;
/// Configuration and command line.
pub mod config;
/// Connections that the dropped-connection fault can cut.
pub mod connection;
/// Custom policies and the policy lookup of attachments.
pub mod custom_policies;
/// The API error type and Alibaba's error body.
pub mod error;
/// Fault knobs and the per-request draw.
pub mod faults;
/// RAM's flow control (`--api-rate-limit`) and role quota (`--role-quota`).
pub mod flow_control;
/// The emulator's test OIDC issuer (`/_emulator/oidc`): discovery, JWKS, minted ID tokens.
pub mod oidc_issuer;
/// Issuers' signing keys, discovered and fetched over HTTP as STS does, cached.
pub mod oidc_keys;
/// IMS's OIDC identity providers.
pub mod oidc_providers;
/// OIDC ID tokens as AssumeRoleWithOIDC checks them (RS256 against the issuer's JWKS, iss, aud, times).
pub mod oidc_token;
/// Request parameters.
pub mod params;
/// The system policy catalog.
pub mod policy_catalog;
/// RAM role actions.
pub mod ram;
/// What each identity was allowed, as a policy document.
pub mod recorder;
/// Resource Directory: the members' access role and `ListAccounts`.
pub mod resource_directory;
/// HTTP serving with read timeouts and a bounded graceful shutdown.
pub mod server;
/// Atomic persistence of the store.
pub mod state_file;
/// Request statistics.
pub mod stats;
/// The RAM data model.
pub mod store;
/// STS actions.
pub mod sts;
/// STS AssumeRoleWithOIDC.
pub mod sts_oidc;
/// Trust policies in RAM's stored form (the judgement is [`crate::ram::trust_policy::judge`]).
pub mod trust_policy;
/// RAM users, their access keys and policy attachments; identities declared by the accounts file.
pub mod users;

use accounts::Account;
use auth::{NonceCache, Sessions};
pub use config::{ConfigError, EmulatorConfig, Timeouts};
use connection::CuttableListener;
use error::ApiError;
use faults::{FaultKnobs, NextFault, QueuedFaults, ScriptedFault};
use flow_control::ApiRateLimit;
use ram::RamCall;
use rand::SeedableRng as _;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use state_file::{StateFile, StateFileError};
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
    seed: Option<u64>,
    state_file: Option<StateFile>,
    timeouts: Timeouts,
    role_quota: usize,
    // The store a reset returns to: the users and custom policies the accounts declare, and the members' access
    // roles.
    declared: Store,
    // One lock for everything, held only for short work: authentication, a cheap copy of the store, counters.
    // Actions themselves run on the copy, outside the lock.
    inner: Mutex<Inner>,
    // Saved writes take turns: each is applied to its own copy of the store, saved, and only then installed.
    writer: tokio::sync::Mutex<()>,
    // The OIDC issuers' keys AssumeRoleWithOIDC fetched.
    issuer_keys: oidc_keys::IssuerKeys,
    // The test OIDC issuer, its key generated on first use.
    test_issuer: tokio::sync::OnceCell<oidc_issuer::TestIssuer>,
}

#[derive(Debug)]
struct Inner {
    store: Store,
    sessions: Sessions,
    nonces: NonceCache,
    faults: FaultKnobs,
    stats: Stats,
    rate_limit: Option<ApiRateLimit>,
    // Every fault draw comes from here, so `--seed` makes them repeat.
    fault_rng: StdRng,
    // Faults forced on the next requests of an action, before any draw.
    queued_faults: QueuedFaults,
    // What each identity was allowed.
    recorder: recorder::Recorder,
}

/// Why the emulator cannot start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// The `--state` file cannot be used: the emulator does not start.
    #[error(transparent)]
    StateFile(StateFileError),
    /// The state could not be saved on shutdown.
    #[error(transparent)]
    Save(StateFileError),
    /// The users and policies the accounts declare cannot be put into the store (loaded from the state file).
    #[error("the accounts' users and policies: {0}")]
    Declared(String),
    /// The listener cannot be bound or the server failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl EmulatorError {
    /// The process exit status for this error: 2 when the command line asks for something unusable, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::StateFile(_) | Self::Declared(_) => 2,
            Self::Save(_) | Self::Io { .. } => 1,
        }
    }
}

impl Emulator {
    /// A new emulator for `config`, with the store loaded from the state file if one is configured.
    pub fn new(config: &EmulatorConfig) -> Result<Self, EmulatorError> {
        let (state_file, mut store) = match &config.state_file {
            Some(path) => {
                let (file, store) =
                    StateFile::open(path.clone()).map_err(EmulatorError::StateFile)?;
                (Some(file), store)
            }
            None => (None, Store::default()),
        };
        let now = chrono::Utc::now();
        users::seed_declared(&mut store, &config.accounts, now).map_err(EmulatorError::Declared)?;
        resource_directory::seed_access_roles(&mut store, &config.accounts, now);
        // What a reset comes back to: the declared users and policies, and the directory's access roles (part of
        // the accounts, not of what a test did).
        let mut declared = Store::default();
        users::seed_declared(&mut declared, &config.accounts, now)
            .map_err(EmulatorError::Declared)?;
        resource_directory::seed_access_roles(&mut declared, &config.accounts, now);
        Ok(Self {
            accounts: config.accounts.clone(),
            initial_faults: config.faults,
            seed: config.seed,
            state_file,
            timeouts: config.timeouts,
            role_quota: config.role_quota,
            declared,
            writer: tokio::sync::Mutex::new(()),
            issuer_keys: oidc_keys::IssuerKeys::default(),
            test_issuer: tokio::sync::OnceCell::new(),
            inner: Mutex::new(Inner {
                store,
                sessions: Sessions::default(),
                nonces: NonceCache::default(),
                faults: config.faults,
                stats: Stats::default(),
                rate_limit: config.api_rate_limit.map(ApiRateLimit::new),
                fault_rng: fault_rng(config.seed),
                queued_faults: QueuedFaults::default(),
                recorder: recorder::Recorder::default(),
            }),
        })
    }

    /// The accounts and their root keys.
    pub fn accounts(&self) -> &[Account] {
        &self.accounts
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

    /// Draws the fate of one API request with the current knobs (see [`FaultKnobs::draw`]).
    fn draw_fault(&self) -> Option<faults::Fault> {
        let inner = &mut *self.lock();
        inner.faults.draw(&mut inner.fault_rng)
    }

    /// The fault queued for this request of `action`, if any (see [`QueuedFaults`]).
    fn take_queued_fault(&self, action: &str) -> Option<ScriptedFault> {
        self.lock().queued_faults.take(action)
    }

    /// Queues a fault for the next requests of an action.
    fn queue_fault(&self, next: NextFault) {
        self.lock().queued_faults.push(next);
    }

    /// Draws whether a request that was carried out loses its answer (see [`FaultKnobs::lose_response`]).
    fn draw_lost_response(&self) -> bool {
        let inner = &mut *self.lock();
        inner.faults.lose_response(&mut inner.fault_rng)
    }

    /// Draws whether this list of a role's policies or tags answers from a lagging replica.
    fn draw_lagging_list(&self, action: &str) -> bool {
        let inner = &mut *self.lock();
        inner.faults.lagging_list(action, &mut inner.fault_rng)
    }

    /// The statistics so far.
    pub fn stats(&self) -> Stats {
        self.lock().stats.clone()
    }

    /// A copy of what each identity was allowed so far.
    pub fn recorder(&self) -> recorder::Recorder {
        self.lock().recorder.clone()
    }

    /// Forgets what was recorded.
    fn clear_recorder(&self) {
        self.lock().recorder.clear();
    }

    /// The test OIDC issuer, generating its key on first use (off the async threads: RSA key generation takes
    /// tens of milliseconds).
    async fn test_issuer(&self) -> Result<&oidc_issuer::TestIssuer, oidc_issuer::IssuerError> {
        self.test_issuer
            .get_or_try_init(|| async {
                tokio::task::spawn_blocking(oidc_issuer::TestIssuer::generate)
                    .await
                    .map_err(|e| oidc_issuer::IssuerError::Key(e.to_string()))?
            })
            .await
    }

    /// The waits for clients.
    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// Writes `store` to the state file, if there is one, off the async runtime. The caller holds the writer turn.
    async fn save(self: &Arc<Self>, store: Store) -> Result<(), StateFileError> {
        if self.state_file.is_none() {
            return Ok(());
        }
        let this = Arc::clone(self);
        let saved = tokio::task::spawn_blocking(move || match &this.state_file {
            Some(file) => file.save(&store),
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

    /// Applies a RAM write to `copy`, a copy of the store taken after the caller got the writer turn (see
    /// [`Emulator::writer_turn`]). With a state file the written copy is saved, and installed only once saved: a
    /// write is applied and saved, or neither. Without one, it is applied to the store in place. With `stall` (the
    /// queued fault [`ScriptedFault::StalledSave`]) and a state file, the save stops halfway and never ends.
    async fn apply_write(
        self: &Arc<Self>,
        write: ram::WriteAction,
        call: &RamCall<'_>,
        mut copy: Store,
        stall: bool,
    ) -> Result<Value, ApiError> {
        if self.state_file.is_none() {
            // In place, so the copy must not share the account being changed.
            drop(copy);
            let mut inner = self.lock();
            let result = write(call, &mut inner.store);
            if result.is_ok() {
                inner.stats.record_write();
            }
            return result;
        }
        let body = write(call, &mut copy)?;
        if stall {
            return self.stall_in_save(copy).await;
        }
        self.save(copy.clone())
            .await
            .map_err(|e| ApiError::internal(format!("saving state: {e}")))?;
        let mut inner = self.lock();
        inner.store = copy;
        inner.stats.record_write();
        Ok(body)
    }

    /// Begins saving `store` and stops halfway (see [`ScriptedFault::StalledSave`]): holds the half-written,
    /// locked temporary file and the writer turn until the request is dropped (at shutdown) or the process dies.
    async fn stall_in_save(self: &Arc<Self>, store: Store) -> Result<Value, ApiError> {
        let this = Arc::clone(self);
        let begun = tokio::task::spawn_blocking(move || {
            this.state_file
                .as_ref()
                .map(|file| file.begin_save_and_stop_halfway(&store))
        })
        .await;
        match begun {
            Ok(Some(Ok(temp))) => {
                // Counted only now, with the half-written file on disk: what a test waits for before it kills.
                self.lock().stats.record_fault("stalled_save");
                let _locked = temp;
                std::future::pending().await
            }
            Ok(Some(Err(e))) => Err(ApiError::internal(format!("saving state: {e}"))),
            Ok(None) => Err(ApiError::internal("no state file to stall in")),
            Err(e) => Err(ApiError::internal(format!("saving state: {e}"))),
        }
    }

    /// The turn a write must hold from before it copies the store until it is installed, when writes are saved.
    async fn writer_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.state_file {
            Some(_) => Some(self.writer.lock().await),
            None => None,
        }
    }

    /// Saves the current store to the state file now (used on shutdown).
    pub async fn save_now(self: &Arc<Self>) -> Result<(), StateFileError> {
        let _turn = self.writer_turn().await;
        let store = self.lock().store.clone();
        self.save(store).await
    }

    /// Ends every consistency window now (see [`Store::settle`]); returns how many roles and attachments became
    /// visible. Done as writes are: in place under the lock without a state file; with one, on a copy saved and
    /// then installed while holding the writer turn, so no write in flight installs a copy made before it.
    async fn settle(self: &Arc<Self>) -> Result<usize, StateFileError> {
        if self.state_file.is_none() {
            return Ok(self.lock().store.settle());
        }
        let _turn = self.writer_turn().await;
        let mut store = self.lock().store.clone();
        let settled = store.settle();
        self.save(store.clone()).await?;
        self.lock().store = store;
        Ok(settled)
    }

    /// Back to the start: no roles (but the directory's access roles), sessions, nonces or statistics, only the
    /// users and policies the accounts declare, and the fault knobs of the command line. With a state file, the
    /// new store is saved first, and nothing changes if that fails.
    async fn reset(self: &Arc<Self>) -> Result<(), StateFileError> {
        let _turn = self.writer_turn().await;
        let store = self.declared.clone();
        self.save(store.clone()).await?;
        let mut inner = self.lock();
        inner.store = store;
        inner.sessions.clear();
        inner.nonces.clear();
        inner.stats = Stats::default();
        inner.faults = self.initial_faults;
        inner.fault_rng = fault_rng(self.seed);
        inner.queued_faults = QueuedFaults::default();
        inner.recorder.clear();
        self.issuer_keys.clear();
        if let Some(limit) = &mut inner.rate_limit {
            limit.clear();
        }
        Ok(())
    }
}

/// The generator of fault draws: seeded when asked, from the OS otherwise.
fn fault_rng(seed: Option<u64>) -> StdRng {
    match seed {
        Some(seed) => StdRng::seed_from_u64(seed),
        None => StdRng::from_os_rng(),
    }
}

/// The router: the API endpoint at `/` and the admin API under `/_emulator/`.
pub fn app(emulator: Arc<Emulator>) -> axum::Router {
    axum::Router::new()
        .merge(api::router())
        .nest("/_emulator", admin::router())
        .with_state(emulator)
}

/// The line printed on start: the endpoint and every account with its keys. Tests and scripts read it back with
/// the same type.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StartupLine {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The accounts.
    pub accounts: Vec<Account>,
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
            endpoint: self.endpoint.clone(),
            accounts: self.emulator.accounts().to_vec(),
        };
        // Serialising plain strings cannot fail.
        serde_json::to_string(&line).unwrap_or_default()
    }

    /// Serves until `shutdown` completes, lets requests in flight finish for at most the shutdown grace, then
    /// saves the state.
    pub async fn serve_until<F>(self, shutdown: F) -> Result<(), EmulatorError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let emulator = Arc::clone(&self.emulator);
        server::serve(
            self.listener,
            app(Arc::clone(&emulator)),
            emulator.timeouts,
            shutdown,
        )
        .await;
        emulator.save_now().await.map_err(EmulatorError::Save)
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
