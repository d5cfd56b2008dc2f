//! The protocol layer: go-plugin handshake, AutoMTLS, the tfplugin5 gRPC service and the controller.
//!
//! [`run`] is the whole life of a provider process: read the handshake environment, listen on loopback, print
//! the handshake line, serve until Terraform calls Shutdown, exit.

pub mod coalesced;
pub mod controller;
pub mod convert;
pub mod handshake;
pub mod logging;
pub mod provider_service;
pub mod tls;

/// Code generated from `proto/` by `build.rs`.
pub mod proto {
    #![allow(
        missing_docs,
        missing_debug_implementations,
        clippy::all,
        clippy::pedantic
    )]
    /// Terraform's plugin protocol, version 5.
    pub mod tfplugin5 {
        tonic::include_proto!("tfplugin5");
    }
    /// go-plugin's controller service.
    pub mod plugin {
        tonic::include_proto!("plugin");
    }
}

use crate::framework::engine::{Engine, UnplannableSchema};
use crate::framework::provider::Provider;
use coalesced::CoalescedWrites;
use controller::Controller;
use handshake::{HandshakeLine, PluginEnv};
use proto::plugin::grpc_controller_server::GrpcControllerServer;
use proto::tfplugin5::provider_server::ProviderServer;
use provider_service::ProviderService;
use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::transport::server::Connected;

/// Terraform may send large schemas and states; go-plugin servers accept up to 256 MiB.
const MAX_MESSAGE_SIZE: usize = 256 << 20;
/// How long in-flight responses (the Shutdown answer itself) get to flush before the process exits.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(30);

/// Runs a provider process: handshake, serve until Shutdown, exit. Started by hand, it explains itself on
/// stderr and fails.
pub fn run<P: Provider>(provider: P) -> ExitCode {
    let env = match PluginEnv::from_lookup(|k| std::env::var(k).ok()) {
        Ok(env) => env,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    logging::init(logging::level_from_env(|k| std::env::var(k).ok()));
    // One thread: Terraform starts a process per provider configuration, which mostly waits on RAM and on
    // Terraform, and runs beside Terraform itself. A work-stealing pool woke a second thread for nearly every
    // message; one thread costs a quarter less CPU per refresh and answers sooner (docs/benchmarks.md). Nothing
    // in the provider blocks its thread (files are read with tokio::fs).
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("starting the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(serve(env, provider));
    // Leave at once: a runtime drop would wait for blocking tasks Terraform no longer cares about.
    match result {
        Ok(()) => std::process::exit(0),
        Err(e) => {
            tracing::error!("provider server failed: {e}");
            eprintln!("terraform-provider-aliram: {e}");
            std::process::exit(1)
        }
    }
}

/// Why serving failed.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// TLS could not be configured.
    #[error(transparent)]
    Tls(#[from] tls::TlsSetupError),
    /// No port in the range could be bound.
    #[error("no free loopback port in {0}..={1}")]
    NoPort(u16, u16),
    /// Writing the handshake line failed.
    #[error("writing the handshake line: {0}")]
    Handshake(std::io::Error),
    /// The gRPC server failed.
    #[error("gRPC server: {0}")]
    Transport(#[from] tonic::transport::Error),
    /// The SIGINT handler could not be installed.
    #[error("installing the SIGINT handler: {0}")]
    Signal(std::io::Error),
    /// The provider declares a resource schema the engine cannot plan.
    #[error("provider schema: {0}")]
    Schema(#[from] UnplannableSchema),
}

/// Serves `provider` as the handshake environment asks, until Terraform calls Shutdown.
pub async fn serve<P: Provider>(env: PluginEnv, provider: P) -> Result<(), ServeError> {
    // Before the handshake: a provider whose schema cannot be planned never announces itself.
    let engine = Arc::new(Engine::new(provider)?);
    let listener = bind_loopback(&env).await?;
    let address = listener
        .local_addr()
        .map_err(ServeError::Handshake)?
        .to_string();
    let shutdown = CancellationToken::new();

    // go-plugin servers ignore SIGINT: Ctrl-C reaches the whole process group, and Terraform answers it with the
    // Stop RPC, which cancels in-flight work cleanly. The handler is installed here, before the handshake line, so
    // that a Ctrl-C right after start cannot kill the process.
    let mut interrupts = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        .map_err(ServeError::Signal)?;
    tokio::spawn(async move {
        while interrupts.recv().await.is_some() {
            tracing::debug!("ignoring SIGINT; Terraform sends Stop");
        }
    });

    match env.client_cert_pem.as_deref() {
        Some(pem) => {
            let tls = tls::server_tls(pem)?;
            announce(&HandshakeLine {
                address,
                server_cert_der: Some(tls.cert_der.clone()),
            })?;
            let acceptor = tokio_rustls::TlsAcceptor::from(tls.config);
            let incoming = accept_loop(listener, shutdown.clone(), move |tcp| {
                let acceptor = acceptor.clone();
                async move { acceptor.accept(tcp).await.map(CoalescedWrites::new) }
            });
            serve_grpc(engine, incoming, shutdown).await
        }
        None => {
            announce(&HandshakeLine {
                address,
                server_cert_der: None,
            })?;
            let incoming = accept_loop(listener, shutdown.clone(), |tcp| async move { Ok(tcp) });
            serve_grpc(engine, incoming, shutdown).await
        }
    }
}

/// Binds the first free loopback port in the allowed range.
async fn bind_loopback(env: &PluginEnv) -> Result<TcpListener, ServeError> {
    for port in env.ports.clone() {
        if let Ok(listener) = TcpListener::bind(("127.0.0.1", port)).await {
            return Ok(listener);
        }
    }
    Err(ServeError::NoPort(*env.ports.start(), *env.ports.end()))
}

/// Prints the handshake line as the first and only line on stdout.
fn announce(line: &HandshakeLine) -> Result<(), ServeError> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .map_err(ServeError::Handshake)
}

/// Accepts connections and completes `handshake` (TLS or none) on each, off the accept path; failed handshakes
/// are logged and dropped (a client without the right certificate never reaches gRPC).
fn accept_loop<IO, F, Fut>(
    listener: TcpListener,
    shutdown: CancellationToken,
    handshake: F,
) -> ReceiverStream<Result<IO, std::io::Error>>
where
    IO: Send + 'static,
    F: Fn(TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = std::io::Result<IO>> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                a = listener.accept() => a,
                () = shutdown.cancelled() => break,
            };
            let (tcp, peer) = match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!("accepting a connection: {e}");
                    continue;
                }
            };
            let _ = tcp.set_nodelay(true);
            let tx = tx.clone();
            let pending = handshake(tcp);
            tokio::spawn(async move {
                match pending.await {
                    Ok(io) => {
                        let _ = tx.send(Ok(io)).await;
                    }
                    Err(e) => tracing::warn!(%peer, "refused a connection: {e}"),
                }
            });
        }
    });
    ReceiverStream::new(rx)
}

async fn serve_grpc<P, IO>(
    engine: Arc<Engine<P>>,
    incoming: ReceiverStream<Result<IO, std::io::Error>>,
    shutdown: CancellationToken,
) -> Result<(), ServeError>
where
    P: Provider,
    IO: AsyncRead + AsyncWrite + Connected + Unpin + Send + 'static,
{
    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;
    let provider = ProviderServer::new(ProviderService::new(engine))
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
    let server = tonic::transport::Server::builder()
        .add_service(health_service)
        .add_service(GrpcControllerServer::new(Controller::new(shutdown.clone())))
        .add_service(provider)
        .serve_with_incoming_shutdown(incoming, shutdown.clone().cancelled_owned());
    tokio::pin!(server);
    tokio::select! {
        result = &mut server => Ok(result?),
        // A graceful shutdown waits for Terraform to close its connection; exit shortly after Shutdown regardless.
        () = async { shutdown.cancelled().await; tokio::time::sleep(SHUTDOWN_GRACE).await } => Ok(()),
    }
}
