//! No client can hold the emulator up: headers and bodies that stop arriving are given up on, and on SIGTERM the
//! emulator lets requests in flight finish for a short grace period, saves its state and exits 0 whatever its
//! clients do. Waits in these tests are upper bounds on something that must happen, never measurements.

use crate::support::emulator_calls::*;
use std::time::Duration;
use terraform_provider_aliram::emulator::{EmulatorConfig, Timeouts};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// Longer than any timeout configured here: reaching it means the emulator never gave up.
const NEVER: Duration = Duration::from_secs(20);

async fn with_short_timeouts() -> InProcess {
    InProcess::start(EmulatorConfig {
        timeouts: Timeouts {
            header_read: Duration::from_millis(300),
            body_read: Duration::from_millis(300),
            ..Timeouts::default()
        },
        ..EmulatorConfig::default()
    })
    .await
}

/// Sends `partial` and returns everything the emulator writes until it closes the connection.
async fn send_and_wait_for_close(endpoint: &str, partial: &str) -> String {
    let mut stream = TcpStream::connect(endpoint.strip_prefix("http://").expect("http endpoint"))
        .await
        .expect("connect");
    stream.write_all(partial.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    match tokio::time::timeout(NEVER, stream.read_to_end(&mut answer)).await {
        Ok(_) => String::from_utf8_lossy(&answer).into_owned(),
        Err(_) => panic!("the emulator kept waiting for the rest of {partial:?}"),
    }
}

#[tokio::test]
async fn headers_that_stop_arriving_close_the_connection() {
    let emulator = with_short_timeouts().await;
    let answer =
        send_and_wait_for_close(&emulator.endpoint, "POST / HTTP/1.1\r\nHost: x\r\n").await;
    // Closed for the timeout, with no request to answer: nothing written (not an answer to a request the
    // emulator thought complete, nor an error it met).
    assert_eq!(
        answer, "",
        "the emulator closed the connection without answering"
    );
    // The emulator still serves others.
    Client::new(&emulator.endpoint, &account("source"))
        .call(STS, "GetCallerIdentity", &[])
        .await
        .ok();
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_answered_408() {
    let emulator = with_short_timeouts().await;
    let answer = send_and_wait_for_close(
        &emulator.endpoint,
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: 100\r\n\r\nAction=GetCallerIdentity",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("RequestTimeout"), "{answer}");

    let answer = send_and_wait_for_close(
        &emulator.endpoint,
        "POST /_emulator/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n{\"latency_ms\"",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

fn state_in(dir: &tempfile::TempDir) -> String {
    dir.path().join("state.json").display().to_string()
}

#[test]
fn sigterm_does_not_wait_for_a_half_sent_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = state_in(&dir);
    let process = EmulatorProcess::spawn(&["--state", &state]);
    let address = process
        .endpoint()
        .strip_prefix("http://")
        .expect("http")
        .to_owned();
    let mut held = std::net::TcpStream::connect(&address).expect("connect");
    std::io::Write::write_all(&mut held, b"POST / HTTP/1.1\r\nHost: x\r\n").expect("write");
    // The connection is accepted before SIGTERM: the stats answer comes after it on the same listener.
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(admin_get(process.endpoint(), "stats"));
    assert!(terminate(process), "the emulator must exit 0 on SIGTERM");
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state).expect("state saved on shutdown"))
            .expect("JSON");
    assert_eq!(saved["format_version"], 1);
    drop(held);
}

/// A request is in flight at SIGTERM by construction: the test holds back the last byte of its body, sends
/// SIGTERM, waits until the emulator has stopped accepting connections (so shutdown has begun), and only then
/// sends that byte. The answer must still come, and the emulator exit 0.
#[test]
fn sigterm_lets_a_request_in_flight_finish() {
    use std::io::{Read as _, Write as _};

    let mut process = EmulatorProcess::spawn(&[]);
    let address = process
        .endpoint()
        .strip_prefix("http://")
        .expect("http")
        .to_owned();
    let client = Client::new(process.endpoint(), &account("source"));
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(client.signed_params(STS, "GetCallerIdentity", &[]))
        .finish();
    let (most, last) = body.split_at(body.len() - 1);
    let mut request = std::net::TcpStream::connect(&address).expect("connect");
    write!(
        request,
        "POST / HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{most}",
        body.len()
    )
    .expect("sending all but the last byte");
    // The headers are in: the connection carries a request being answered. The stats answer, on the same
    // listener, comes after the emulator has taken that connection.
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(admin_get(process.endpoint(), "stats"));

    crate::support::child::signal(process.child.id(), "TERM", false);
    // Shutdown has begun once the listener is closed: new connections are refused.
    let closed = (0..crate::support::child::HANG_GUARD.as_millis() / 20).any(|_| {
        let refused = std::net::TcpStream::connect(&address).is_err();
        if !refused {
            std::thread::sleep(Duration::from_millis(20));
        }
        refused
    });
    assert!(
        closed,
        "the emulator kept accepting connections after SIGTERM"
    );

    request
        .write_all(last.as_bytes())
        .expect("the request's connection is still open after SIGTERM");
    let mut answer = String::new();
    request
        .read_to_string(&mut answer)
        .expect("reading the answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains(&account("source").account_id),
        "the request was carried out: {answer}"
    );
    let status =
        crate::support::child::wait_or_kill(&mut process.child, "the emulator after SIGTERM");
    assert!(
        status.success(),
        "the emulator must exit 0 on SIGTERM: {status:?}"
    );
}
