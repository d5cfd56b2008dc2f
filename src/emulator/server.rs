//! HTTP serving with bounded waits: a connection that does not finish its request headers within the header
//! timeout is closed, a body that does not arrive within the body timeout is answered 408, and on shutdown the
//! listener closes at once, requests in flight get the grace period to finish, and whatever is left is dropped.
//! No client can hold the process up.

use super::config::Timeouts;
use super::connection::CuttableListener;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::serve::Listener as _;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt as _;

/// Serves `app` on `listener` until `shutdown` completes, then lets requests in flight finish for at most
/// `timeouts.shutdown_grace`.
pub async fn serve<F>(
    mut listener: CuttableListener,
    app: axum::Router,
    timeouts: Timeouts,
    shutdown: F,
) where
    F: Future<Output = ()>,
{
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(timeouts.header_read);
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, remote_addr) = tokio::select! {
            accepted = listener.accept() => accepted,
            // Reap finished connections so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            () = &mut shutdown => break,
        };
        let handle = stream.handle(remote_addr);
        let service = app
            .clone()
            .map_request(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(handle.clone()));
                request
            });
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let mut stopping = stopping.clone();
        connections.spawn(async move {
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => return,
                _ = stopping.wait_for(|stop| *stop) => connection.as_mut().graceful_shutdown(),
            }
            // Idle connections close now; a request in flight finishes, then its connection closes.
            let _ = connection.await;
        });
    }
    drop(listener);
    let _ = stop.send(true);
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(timeouts.shutdown_grace, drained)
        .await
        .is_err()
    {
        connections.shutdown().await;
    }
}

/// Why a request body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// Larger than the limit, or the connection failed.
    #[error("the request body is larger than {limit} bytes or unreadable")]
    Unreadable {
        /// The limit in bytes.
        limit: usize,
    },
    /// It did not arrive in time.
    #[error("the request body did not arrive within {} s", .timeout.as_secs_f64())]
    TimedOut {
        /// The time allowed.
        timeout: Duration,
    },
}

/// Reads a whole request body of at most `limit` bytes within `timeout`.
pub async fn read_body(body: Body, limit: usize, timeout: Duration) -> Result<Bytes, BodyError> {
    match tokio::time::timeout(timeout, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(_)) => Err(BodyError::Unreadable { limit }),
        Err(_) => Err(BodyError::TimedOut { timeout }),
    }
}
