//! The admin API is for programs on this machine, never for web pages the developer's browser opens: a foreign
//! `Host` (DNS rebinding) and a foreign `Origin` are refused, and a POST must be `Content-Type:
//! application/json`, which no cross-origin page can send without a preflight. Requests are written by hand so
//! every header is exactly what a browser would send.

use crate::support::emulator_calls::*;
use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// Sends one HTTP/1.1 request to `endpoint` and returns the status and the JSON body.
async fn send(
    endpoint: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, Value) {
    let address = endpoint.strip_prefix("http://").expect("http endpoint");
    let mut stream = TcpStream::connect(address).await.expect("connect");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {response:?}"));
    let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

fn port(endpoint: &str) -> &str {
    endpoint.rsplit_once(':').expect("port").1
}

#[tokio::test]
async fn a_browser_simple_request_cannot_reset_the_emulator() {
    let emulator = InProcess::with_defaults().await;
    let owner = Client::new(&emulator.endpoint, &account("source"));
    create_role(
        &owner,
        "kept",
        &dts_trust_policy(&account("task").account_id),
    )
    .await;
    let host = format!("127.0.0.1:{}", port(&emulator.endpoint));

    // What `fetch("http://127.0.0.1:PORT/_emulator/reset", {method: "POST", mode: "no-cors", body: "{}"})`
    // sends from a page on evil.example.
    let (status, body) = send(
        &emulator.endpoint,
        "POST",
        "/_emulator/reset",
        &[
            ("Host", &host),
            ("Origin", "http://evil.example"),
            ("Content-Type", "text/plain;charset=UTF-8"),
        ],
        "{}",
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or("")
            .contains("evil.example"),
        "{body}"
    );

    // Without an Origin (a page can omit it only in ways that still cannot set the content type).
    let (status, body) = send(
        &emulator.endpoint,
        "POST",
        "/_emulator/reset",
        &[("Host", &host), ("Content-Type", "text/plain")],
        "{}",
    )
    .await;
    assert_eq!(status, 415, "{body}");
    let (status, body) = send(
        &emulator.endpoint,
        "POST",
        "/_emulator/reset",
        &[("Host", &host)],
        "{}",
    )
    .await;
    assert_eq!(status, 415, "{body}");

    owner
        .call(RAM, "GetRole", &[("RoleName", "kept")])
        .await
        .ok();
}

#[tokio::test]
async fn a_foreign_host_is_refused_even_from_loopback() {
    let emulator = InProcess::with_defaults().await;
    // DNS rebinding: the page's own name now resolves to 127.0.0.1, and the browser sends that name as Host.
    for host in [
        "evil.example",
        "evil.example:80",
        "localhost.evil.example",
        "10.0.0.1",
    ] {
        let (status, body) = send(
            &emulator.endpoint,
            "GET",
            "/_emulator/stats",
            &[("Host", host)],
            "",
        )
        .await;
        assert_eq!(status, 403, "Host {host}: {body}");
    }
    let (status, _) = send(&emulator.endpoint, "GET", "/_emulator/faults", &[], "").await;
    assert_eq!(status, 403, "a request without Host");
}

#[tokio::test]
async fn local_programs_are_served() {
    let emulator = InProcess::with_defaults().await;
    let port = port(&emulator.endpoint);
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "LOCALHOST".to_owned(),
        format!("[::1]:{port}"),
        "127.1.2.3".to_owned(),
    ] {
        let (status, body) = send(
            &emulator.endpoint,
            "GET",
            "/_emulator/stats",
            &[("Host", &host)],
            "",
        )
        .await;
        assert_eq!(status, 200, "Host {host}: {body}");
    }
    let host = format!("localhost:{port}");
    // A page served from this machine (a local dashboard) may use it, with JSON.
    let (status, body) = send(
        &emulator.endpoint,
        "POST",
        "/_emulator/faults",
        &[
            ("Host", &host),
            ("Origin", "http://localhost:3000"),
            ("Content-Type", "application/json; charset=utf-8"),
        ],
        r#"{"latency_ms": 0}"#,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    for origin in ["null", "http://127.0.0.1.evil.example", "file://"] {
        let (status, body) = send(
            &emulator.endpoint,
            "GET",
            "/_emulator/stats",
            &[("Host", &host), ("Origin", origin)],
            "",
        )
        .await;
        assert_eq!(status, 403, "Origin {origin}: {body}");
    }
    // The usual client (reqwest with .json()) passes every rule.
    let (status, body) = admin_post(&emulator.endpoint, "reset", &serde_json::json!({})).await;
    assert_eq!((status, body["reset"].as_bool()), (200, Some(true)));
}
