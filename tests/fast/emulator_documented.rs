//! Claims of `docs/emulator.md` that had no test: the admin API refuses a caller that is not on loopback, a
//! reset forgets queued faults, a bad argument exits 2 with the usage, `--accounts FILE` replaces the demo
//! accounts, 20 tags per role, the `Tag` filter of ListRoles, the paging of ListTagResources, and a state file of
//! an unknown `format_version` refused and left untouched.

use crate::support::emulator_calls::*;
use serde_json::json;
use terraform_provider_aliram::emulator::accounts::Account;

/// This machine's address on the interface its default route leaves by (no packet is sent): a source address
/// that is not loopback.
fn non_loopback_address() -> std::net::IpAddr {
    let probe = std::net::UdpSocket::bind("0.0.0.0:0").expect("a UDP socket");
    probe
        .connect("198.51.100.1:9")
        .expect("this test needs a non-loopback IPv4 interface with a route (none found)");
    let address = probe.local_addr().expect("local address").ip();
    assert!(
        !address.is_loopback() && !address.is_unspecified(),
        "this test needs a non-loopback IPv4 interface; the route leaves by {address}"
    );
    address
}

#[tokio::test]
async fn the_admin_api_refuses_a_caller_not_on_loopback() {
    let process = EmulatorProcess::spawn(&["--listen", "0.0.0.0:0"]);
    let port = process
        .endpoint()
        .rsplit(':')
        .next()
        .expect("a port")
        .to_owned();
    let outside = non_loopback_address();
    let http = reqwest::Client::new();
    // The same request from loopback is served: only the peer's address differs.
    let via_loopback = http
        .get(format!("http://127.0.0.1:{port}/_emulator/stats"))
        .send()
        .await
        .expect("admin request over loopback");
    assert_eq!(via_loopback.status().as_u16(), 200);
    // Host is loopback (as a local tool would send it); the peer address is the machine's own non-loopback one.
    let refused = http
        .get(format!("http://{outside}:{port}/_emulator/stats"))
        .header("Host", format!("127.0.0.1:{port}"))
        .send()
        .await
        .expect("admin request from a non-loopback address");
    assert_eq!(refused.status().as_u16(), 403);
    let body: serde_json::Value = refused.json().await.expect("a JSON error");
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("loopback")),
        "the refusal says why: {body}"
    );
    // The API itself is served to the same caller.
    let api = Client::new(&format!("http://{outside}:{port}"), &account("source"));
    api.call(STS, "GetCallerIdentity", &[]).await.ok();
}

#[tokio::test]
async fn a_reset_forgets_queued_faults() {
    let emulator = InProcess::with_defaults().await;
    let client = Client::new(&emulator.endpoint, &account("source"));
    let queue = json!({"action": "GetCallerIdentity", "fault": "throttle", "count": 1});
    // Queued, a fault is served.
    let (status, body) = admin_post(&emulator.endpoint, "faults/next", &queue).await;
    assert_eq!(status, 200, "{body}");
    client
        .call(STS, "GetCallerIdentity", &[])
        .await
        .expect_error(400, "Throttling.User");
    // Queued, then reset: it is not.
    let (status, body) = admin_post(&emulator.endpoint, "faults/next", &queue).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = admin_post(&emulator.endpoint, "reset", &json!({})).await;
    assert_eq!((status, &body), (200, &json!({"reset": true})));
    client.call(STS, "GetCallerIdentity", &[]).await.ok();
}

#[test]
fn a_bad_argument_exits_2_naming_it_with_the_usage() {
    let usage = terraform_provider_aliram::emulator::config::USAGE;
    // An unknown flag, a flag without its value, and bad values (out of range, not a number): each is named with
    // what is accepted, then the usage line follows, as docs/emulator.md says.
    for (args, says) in [
        (
            &["--no-such-flag", "1"][..],
            "unknown argument --no-such-flag",
        ),
        (&["--seed"][..], "--seed needs a value"),
        (
            &["--throttle-rate", "2"][..],
            "--throttle-rate: expected a probability between 0 and 1, got \"2\"",
        ),
        (
            &["--drop-rate=often"][..],
            "--drop-rate: expected a probability between 0 and 1, got \"often\"",
        ),
        (
            &["--latency-ms", "soon"][..],
            "--latency-ms: expected milliseconds, got \"soon\"",
        ),
    ] {
        let output = run_expecting_refusal(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(
            stderr,
            format!("aliram-emulator: {says}\n{usage}\n"),
            "{args:?}"
        );
        assert!(output.stdout.is_empty(), "{args:?}: no start line");
    }
}

#[test]
fn an_accounts_file_replaces_the_demo_accounts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("accounts.json");
    let prod = Account {
        name: "prod".to_owned(),
        account_id: "1234567890123456".to_owned(),
        access_key_id: "LTAIprod".to_owned(),
        access_key_secret: "s3cret".to_owned(),
        users: Vec::new(),
        policies: Vec::new(),
        resource_directory: None,
    };
    std::fs::write(&file, json!([prod]).to_string()).expect("writing the accounts file");
    let process = EmulatorProcess::spawn(&["--accounts", &file.display().to_string()]);
    assert_eq!(
        process.start.accounts,
        vec![prod.clone()],
        "the start line lists the file's accounts"
    );
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let me = runtime
        .block_on(Client::new(process.endpoint(), &prod).call(STS, "GetCallerIdentity", &[]))
        .ok();
    assert_eq!(me["AccountId"], "1234567890123456");
    assert_eq!(me["Arn"], "acs:ram::1234567890123456:root");
    // The demo accounts are gone.
    runtime
        .block_on(Client::new(process.endpoint(), &account("source")).call(
            STS,
            "GetCallerIdentity",
            &[],
        ))
        .expect_error(404, "InvalidAccessKeyId.NotFound");
}

fn tags(range: std::ops::Range<usize>) -> String {
    json!(
        range
            .map(|i| json!({"Key": format!("k{i:02}"), "Value": format!("v{i}")}))
            .collect::<Vec<_>>()
    )
    .to_string()
}

async fn tag(client: &Client, role: &str, tags: &str) -> Reply {
    client
        .call(
            RAM,
            "TagResources",
            &[
                ("ResourceType", "role"),
                ("ResourceNames", &json!([role]).to_string()),
                ("Tag", tags),
            ],
        )
        .await
}

#[tokio::test]
async fn a_role_carries_at_most_20_tags() {
    let emulator = InProcess::with_defaults().await;
    let client = Client::new(&emulator.endpoint, &account("source"));
    create_role(
        &client,
        "tagged",
        &dts_trust_policy(&account("task").account_id),
    )
    .await;
    tag(&client, "tagged", &tags(0..19)).await.ok();
    // The 20th fits; retagging a key it has is not a new tag.
    tag(&client, "tagged", &tags(19..20)).await.ok();
    tag(&client, "tagged", &tags(0..1)).await.ok();
    tag(&client, "tagged", &tags(20..21))
        .await
        .expect_error(409, "LimitExceeded.Tag");
    let listed = client
        .call(
            RAM,
            "ListTagResources",
            &[
                ("ResourceType", "role"),
                ("ResourceNames", r#"["tagged"]"#),
                ("PageSize", "100"),
            ],
        )
        .await
        .ok();
    assert_eq!(
        listed["TagResources"].as_array().map(Vec::len),
        Some(20),
        "the refused call changed nothing: {listed}"
    );
}

#[tokio::test]
async fn list_roles_filters_by_tag() {
    let emulator = InProcess::with_defaults().await;
    let client = Client::new(&emulator.endpoint, &account("source"));
    let trust = dts_trust_policy(&account("task").account_id);
    for (role, team) in [("a-dba", "dba"), ("b-web", "web"), ("c-dba", "dba")] {
        create_role(&client, role, &trust).await;
        tag(
            &client,
            role,
            &json!([{"Key": "team", "Value": team}]).to_string(),
        )
        .await
        .ok();
    }
    create_role(&client, "d-untagged", &trust).await;
    let names = |body: &serde_json::Value| -> Vec<String> {
        body["Roles"]["Role"]
            .as_array()
            .expect("Roles.Role")
            .iter()
            .map(|r| r["RoleName"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let dba = client
        .call(
            RAM,
            "ListRoles",
            &[("Tag", r#"[{"Key":"team","Value":"dba"}]"#)],
        )
        .await
        .ok();
    assert_eq!(names(&dba), ["a-dba", "c-dba"]);
    let all = client.call(RAM, "ListRoles", &[]).await.ok();
    assert_eq!(names(&all), ["a-dba", "b-web", "c-dba", "d-untagged"]);
    let none = client
        .call(
            RAM,
            "ListRoles",
            &[("Tag", r#"[{"Key":"team","Value":"ops"}]"#)],
        )
        .await
        .ok();
    assert!(names(&none).is_empty(), "{none}");
}

#[tokio::test]
async fn list_tag_resources_pages_with_next_token() {
    let emulator = InProcess::with_defaults().await;
    let client = Client::new(&emulator.endpoint, &account("source"));
    create_role(
        &client,
        "paged",
        &dts_trust_policy(&account("task").account_id),
    )
    .await;
    tag(&client, "paged", &tags(0..15)).await.ok();
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut params = vec![
            ("ResourceType", "role".to_owned()),
            ("ResourceNames", r#"["paged"]"#.to_owned()),
            ("PageSize", "4".to_owned()),
        ];
        if let Some(t) = &token {
            params.push(("NextToken", t.clone()));
        }
        let borrowed: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = client.call(RAM, "ListTagResources", &borrowed).await.ok();
        pages += 1;
        let entries = page["TagResources"].as_array().expect("TagResources");
        assert!(entries.len() <= 4, "a page holds at most PageSize: {page}");
        seen.extend(
            entries
                .iter()
                .map(|e| e["TagKey"].as_str().unwrap_or_default().to_owned()),
        );
        match page["NextToken"].as_str() {
            Some(next) => token = Some(next.to_owned()),
            None => break,
        }
        assert!(pages < 10, "paging does not end");
    }
    assert_eq!(pages, 4, "15 tags in pages of 4");
    seen.sort();
    let expected: Vec<String> = (0..15).map(|i| format!("k{i:02}")).collect();
    assert_eq!(seen, expected, "every tag once");
}

#[test]
fn a_state_file_of_an_unknown_format_version_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("state.json");
    // A state file the emulator itself saved, then given a version it does not know.
    let process = EmulatorProcess::spawn(&["--state", &file.display().to_string()]);
    assert!(
        terminate(process),
        "the emulator saves and exits 0 on SIGTERM"
    );
    let mut state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).expect("the saved state")).expect("JSON");
    assert_eq!(state["format_version"], 1, "{state}");
    state["format_version"] = json!(99);
    let text = state.to_string();
    std::fs::write(&file, &text).expect("writing the state file");
    let output = run_expecting_refusal(&["--state", &file.display().to_string()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("format_version"),
        "the message names the field: {stderr}"
    );
    assert!(stderr.contains("99"), "and the value: {stderr}");
    assert_eq!(
        std::fs::read_to_string(&file).expect("the file is still there"),
        text,
        "a refused file is never overwritten"
    );
}
