//! Every fault knob takes effect: throttling, unavailability, internal errors, dropped connections, latency and
//! the consistency delay (and the settle that ends its windows); faults never touch the admin API. Loops are
//! bounded and assertions are on codes and counts, not on timing precision.

use crate::support::emulator_calls::*;
use serde_json::{Value, json};
use std::time::Duration;
use terraform_provider_aliram::emulator::EmulatorConfig;

#[tokio::test]
async fn certain_faults_give_their_codes_and_spare_the_admin_api() {
    let emulator = InProcess::with_defaults().await;
    let client = Client::new(&emulator.endpoint, &account("source"));
    for (knob, status, code) in [
        ("throttle_rate", 400, "Throttling.User"),
        ("unavailable_rate", 503, "ServiceUnavailable"),
        ("internal_error_rate", 500, "InternalError"),
    ] {
        set_faults(&emulator.endpoint, &json!({ knob: 1.0 })).await;
        for _ in 0..3 {
            client
                .call(STS, "GetCallerIdentity", &[])
                .await
                .expect_error(status, code);
        }
        // The admin API still answers.
        assert_eq!(
            admin_get(&emulator.endpoint, "stats").await["faults"][knob.trim_end_matches("_rate")],
            3
        );
        set_faults(&emulator.endpoint, &json!({ knob: 0.0 })).await;
        client.call(STS, "GetCallerIdentity", &[]).await.ok();
    }

    // Throttling carries the retry hint the tea SDK turns into a ThrottlingException.
    set_faults(&emulator.endpoint, &json!({"throttle-rate": 1.0})).await;
    let pairs = client.signed_params(STS, "GetCallerIdentity", &[]);
    let response = reqwest::Client::new()
        .post(&emulator.endpoint)
        .form(&pairs)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 400);
    assert!(response.headers().get("x-acs-retry-after").is_some());

    let (status, body) = admin_post(&emulator.endpoint, "faults", &json!({"drop_rate": 1.5})).await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn dropped_connections_get_no_response() {
    let emulator = InProcess::with_defaults().await;
    let client = Client::new(&emulator.endpoint, &account("source"));
    set_faults(&emulator.endpoint, &json!({"drop_rate": 1.0})).await;
    for _ in 0..3 {
        let outcome = client.try_call(STS, "GetCallerIdentity", &[]).await;
        assert!(
            outcome.is_err(),
            "expected a transport error, got {outcome:?}"
        );
    }
    let stats = admin_get(&emulator.endpoint, "stats").await;
    assert_eq!(stats["faults"]["drop"], 3);
    set_faults(&emulator.endpoint, &json!({"drop_rate": 0.0})).await;
    client.call(STS, "GetCallerIdentity", &[]).await.ok();
}

#[tokio::test]
async fn partial_rates_fail_some_requests_and_pass_others() {
    // Seeded, so the draws are the same in every run.
    let emulator = InProcess::start(EmulatorConfig {
        seed: Some(7),
        ..EmulatorConfig::default()
    })
    .await;
    let client = Client::new(&emulator.endpoint, &account("source"));
    set_faults(&emulator.endpoint, &json!({"unavailable_rate": 0.5})).await;
    let mut failed = 0;
    const CALLS: usize = 100;
    for _ in 0..CALLS {
        let reply = client.call(STS, "GetCallerIdentity", &[]).await;
        if reply.status == 503 {
            failed += 1;
        } else {
            assert_eq!(reply.status, 200, "{:?}", reply.body);
        }
    }
    // Both outcomes occur.
    assert!(failed > 0 && failed < CALLS, "{failed} of {CALLS} failed");
    assert_eq!(
        action_stat(&emulator.endpoint, "GetCallerIdentity", "errors").await,
        failed as u64
    );
}

/// On tokio's paused clock, which the emulator's latency sleeps on: the clock moves only while every task waits,
/// so the answer comes exactly the latency after the request, for each of several calls, and the admin API is
/// not delayed at all.
#[tokio::test(start_paused = true)]
async fn latency_delays_every_answer() {
    let emulator = InProcess::with_defaults().await;
    let client = Client::new(&emulator.endpoint, &account("source"));
    set_faults(&emulator.endpoint, &json!({"latency_ms": 300})).await;
    for _ in 0..2 {
        let started = tokio::time::Instant::now();
        client.call(STS, "GetCallerIdentity", &[]).await.ok();
        assert_eq!(started.elapsed(), Duration::from_millis(300));
    }
    let started = tokio::time::Instant::now();
    admin_get(&emulator.endpoint, "stats").await;
    assert_eq!(
        started.elapsed(),
        Duration::ZERO,
        "faults spare /_emulator/"
    );
}

/// `POST /_emulator/consistency/settle` ends the windows open now, a role's and an attachment's, and leaves the
/// knob as it is: the next new role gets its window again.
#[tokio::test]
async fn settle_ends_the_open_consistency_windows_now() {
    let emulator = InProcess::with_defaults().await;
    let task = account("task");
    let client = Client::new(&emulator.endpoint, &account("source"));
    let policy = dts_trust_policy(&task.account_id);
    create_role(&client, "early", &policy).await;
    set_faults(
        &emulator.endpoint,
        &json!({"consistency_delay_ms": 3_600_000}),
    )
    .await;
    attach_system_policy(&client, "early", "AliyunDTSRolePolicy")
        .await
        .ok();
    create_role(&client, "late", &policy).await;
    let attached = |reply: Value| reply["Policies"]["Policy"].as_array().map_or(0, Vec::len);
    let list_early = || client.call(RAM, "ListPoliciesForRole", &[("RoleName", "early")]);
    assert_eq!(
        attached(list_early().await.ok()),
        0,
        "the attachment is hidden"
    );
    client
        .call(RAM, "GetRole", &[("RoleName", "late")])
        .await
        .expect_error(404, "EntityNotExist.Role");

    let answer = admin_post(&emulator.endpoint, "consistency/settle", &json!({})).await;
    assert_eq!(answer, (200, json!({"settled": 2})));
    assert_eq!(attached(list_early().await.ok()), 1);
    client
        .call(RAM, "GetRole", &[("RoleName", "late")])
        .await
        .ok();

    create_role(&client, "later", &policy).await;
    client
        .call(RAM, "GetRole", &[("RoleName", "later")])
        .await
        .expect_error(404, "EntityNotExist.Role");
}

#[tokio::test(start_paused = true)]
async fn consistency_delay_hides_new_roles_and_attachments_from_reads() {
    let emulator = InProcess::with_defaults().await;
    let source = account("source");
    let task = account("task");
    let client = Client::new(&emulator.endpoint, &source);

    // A long delay: the new role stays invisible to every read, and unknown to every write that names it.
    set_faults(
        &emulator.endpoint,
        &json!({"consistency_delay_ms": 600_000}),
    )
    .await;
    create_role(&client, "hidden", &dts_trust_policy(&task.account_id)).await;
    client
        .call(RAM, "GetRole", &[("RoleName", "hidden")])
        .await
        .expect_error(404, "EntityNotExist.Role");
    let listed = client.call(RAM, "ListRoles", &[]).await.ok();
    assert_eq!(listed["Roles"]["Role"], json!([]));
    let tags = r#"[{"Key":"team","Value":"data"}]"#;
    let writes: [(&str, Vec<(&str, &str)>); 6] = [
        (
            "AttachPolicyToRole",
            vec![
                ("PolicyType", "System"),
                ("PolicyName", "AliyunDTSRolePolicy"),
                ("RoleName", "hidden"),
            ],
        ),
        (
            "DetachPolicyFromRole",
            vec![
                ("PolicyType", "System"),
                ("PolicyName", "AliyunDTSRolePolicy"),
                ("RoleName", "hidden"),
            ],
        ),
        (
            "UpdateRole",
            vec![("RoleName", "hidden"), ("NewDescription", "x")],
        ),
        (
            "TagResources",
            vec![
                ("ResourceType", "role"),
                ("ResourceNames", r#"["hidden"]"#),
                ("Tag", tags),
            ],
        ),
        (
            "UntagResources",
            vec![
                ("ResourceType", "role"),
                ("ResourceNames", r#"["hidden"]"#),
                ("TagKeys", r#"["team"]"#),
            ],
        ),
        ("DeleteRole", vec![("RoleName", "hidden")]),
    ];
    for (action, params) in &writes {
        let reply = client.call(RAM, action, params).await;
        assert_eq!(reply.code(), "EntityNotExist.Role", "{action}");
    }
    client
        .call(
            RAM,
            "CreateRole",
            &[
                ("RoleName", "hidden"),
                (
                    "AssumeRolePolicyDocument",
                    &dts_trust_policy(&task.account_id),
                ),
            ],
        )
        .await
        .expect_error(409, "EntityAlreadyExists.Role");

    // An attachment to a visible role is hidden the same way.
    set_faults(&emulator.endpoint, &json!({"consistency_delay_ms": 0})).await;
    create_role(&client, "visible", &dts_trust_policy(&task.account_id)).await;
    set_faults(
        &emulator.endpoint,
        &json!({"consistency_delay_ms": 600_000}),
    )
    .await;
    client
        .call(
            RAM,
            "AttachPolicyToRole",
            &[
                ("PolicyType", "System"),
                ("PolicyName", "AliyunDTSRolePolicy"),
                ("RoleName", "visible"),
            ],
        )
        .await
        .ok();
    let policies = client
        .call(RAM, "ListPoliciesForRole", &[("RoleName", "visible")])
        .await
        .ok();
    assert_eq!(policies["Policies"]["Policy"], json!([]));

    // A short delay, on tokio's paused clock (the emulator's clock follows it): invisible until the last
    // millisecond of the window, visible from its end.
    set_faults(&emulator.endpoint, &json!({"consistency_delay_ms": 500})).await;
    create_role(&client, "soon", &dts_trust_policy(&task.account_id)).await;
    let get = || client.call(RAM, "GetRole", &[("RoleName", "soon")]);
    get().await.expect_error(404, "EntityNotExist.Role");
    tokio::time::advance(Duration::from_millis(499)).await;
    get().await.expect_error(404, "EntityNotExist.Role");
    tokio::time::advance(Duration::from_millis(1)).await;
    get().await.ok();
}

/// The statuses of `count` sequential GetCallerIdentity calls.
async fn statuses(endpoint: &str, count: usize) -> Vec<u16> {
    let client = Client::new(endpoint, &account("source"));
    let mut statuses = Vec::new();
    for _ in 0..count {
        match client.try_call(STS, "GetCallerIdentity", &[]).await {
            Ok(reply) => statuses.push(reply.status),
            // A dropped connection.
            Err(_) => statuses.push(0),
        }
    }
    statuses
}

#[tokio::test]
async fn a_seed_repeats_every_fault_draw() {
    let seeded = |seed| EmulatorConfig {
        seed: Some(seed),
        faults: terraform_provider_aliram::emulator::faults::FaultKnobs {
            throttle_rate: 0.3,
            unavailable_rate: 0.3,
            ..Default::default()
        },
        ..EmulatorConfig::default()
    };
    let first = InProcess::start(seeded(11)).await;
    let second = InProcess::start(seeded(11)).await;
    let other = InProcess::start(seeded(12)).await;
    let drawn = statuses(&first.endpoint, 40).await;
    assert!(
        drawn.contains(&200) && drawn.iter().any(|s| *s != 200),
        "{drawn:?}"
    );
    assert_eq!(statuses(&second.endpoint, 40).await, drawn);
    assert_ne!(statuses(&other.endpoint, 40).await, drawn);
    // A reset starts the sequence again.
    let (status, _) = admin_post(&first.endpoint, "reset", &json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(statuses(&first.endpoint, 40).await, drawn);
}

#[test]
fn flags_set_the_knobs_at_start() {
    let process = EmulatorProcess::spawn(&["--throttle-rate", "1"]);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let client = Client::new(process.endpoint(), &account("source"));
        client
            .call(STS, "GetCallerIdentity", &[])
            .await
            .expect_error(400, "Throttling.User");
        let knobs = admin_get(process.endpoint(), "faults").await;
        assert_eq!(knobs["throttle_rate"], 1.0);
        // Reset restores the start knobs, so throttling stays on.
        let (status, _) = admin_post(process.endpoint(), "reset", &json!({})).await;
        assert_eq!(status, 200);
        client
            .call(STS, "GetCallerIdentity", &[])
            .await
            .expect_error(400, "Throttling.User");
    });
}
