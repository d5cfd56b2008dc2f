//! `--state FILE`: roles survive a restart (SIGTERM saves), and a SIGKILL in the middle of a stream of writes
//! leaves a file the next start loads.

use crate::support::emulator_calls::*;
use serde_json::Value;

fn state_arg(dir: &tempfile::TempDir) -> String {
    dir.path().join("state.json").display().to_string()
}

#[test]
fn roles_attachments_and_tags_survive_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = state_arg(&dir);
    let source = account("source");
    let task = account("task");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");

    let first = EmulatorProcess::spawn(&["--state", &state]);
    let created: Value = runtime.block_on(async {
        let client = Client::new(first.endpoint(), &source);
        let created = client
            .call(
                RAM,
                "CreateRole",
                &[
                    ("RoleName", "ram-for-dts"),
                    (
                        "AssumeRolePolicyDocument",
                        &dts_trust_policy(&task.account_id),
                    ),
                    ("Tag", r#"[{"Key":"env","Value":"demo"}]"#),
                ],
            )
            .await
            .ok();
        client
            .call(
                RAM,
                "AttachPolicyToRole",
                &[
                    ("PolicyType", "System"),
                    ("PolicyName", "AliyunDTSRolePolicy"),
                    ("RoleName", "ram-for-dts"),
                ],
            )
            .await
            .ok();
        created
    });
    assert!(
        terminate(first),
        "the emulator must exit cleanly on SIGTERM"
    );

    let second = EmulatorProcess::spawn(&["--state", &state]);
    runtime.block_on(async {
        let client = Client::new(second.endpoint(), &source);
        let got = client.call(RAM, "GetRole", &[("RoleName", "ram-for-dts")]).await.ok();
        assert_eq!(got["Role"]["RoleId"], created["Role"]["RoleId"]);
        assert_eq!(got["Role"]["AssumeRolePolicyDocument"], created["Role"]["AssumeRolePolicyDocument"]);
        let policies = client.call(RAM, "ListPoliciesForRole", &[("RoleName", "ram-for-dts")]).await.ok();
        assert_eq!(policies["Policies"]["Policy"][0]["PolicyName"], "AliyunDTSRolePolicy");
        let tags = client
            .call(RAM, "ListTagResources", &[("ResourceType", "role"), ("ResourceNames", r#"["ram-for-dts"]"#)])
            .await
            .ok();
        assert_eq!(tags["TagResources"][0]["TagValue"], "demo");
        // The trust policy still works after the restart.
        let arn = got["Role"]["Arn"].as_str().expect("Arn");
        let (_, verdict) = admin_post(
            second.endpoint(),
            "service-assume",
            &serde_json::json!({"service": "dts.aliyuncs.com", "acting_for": task.account_id, "role_arn": arn}),
        )
        .await;
        assert_eq!(verdict["allowed"], true, "{verdict}");
    });
}

#[test]
fn sigkill_during_writes_leaves_a_loadable_state() {
    const WORKERS: usize = 4;
    const WRITES_PER_WORKER: usize = 500;
    let dir = tempfile::tempdir().expect("tempdir");
    let state = state_arg(&dir);
    let source = account("source");
    let task = account("task");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");

    let mut writer = EmulatorProcess::spawn(&["--state", &state]);
    let outcomes = runtime.block_on(async {
        let client = Client::new(writer.endpoint(), &source);
        let policy = dts_trust_policy(&task.account_id);
        // Each worker owns a role and keeps re-tagging it; the process is killed while they run.
        let mut tasks = Vec::new();
        for worker in 0..WORKERS {
            let client = client.clone();
            let role = format!("role-{worker}");
            create_role(&client, &role, &policy).await;
            tasks.push(tokio::spawn(async move {
                let names = format!(r#"["{role}"]"#);
                let mut last_acknowledged = None;
                for i in 0..WRITES_PER_WORKER {
                    let tag = format!(r#"[{{"Key":"counter","Value":"{i}"}}]"#);
                    match client
                        .try_call(
                            RAM,
                            "TagResources",
                            &[
                                ("ResourceType", "role"),
                                ("ResourceNames", &names),
                                ("Tag", &tag),
                            ],
                        )
                        .await
                    {
                        Ok(reply) if reply.status == 200 => last_acknowledged = Some(i),
                        _ => return (role, last_acknowledged, true),
                    }
                }
                (role, last_acknowledged, false)
            }));
        }
        for _ in 0..500 {
            let stats = admin_get(writer.endpoint(), "stats").await;
            if stats["writes"].as_u64().unwrap_or(0) >= 40 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        writer.child.kill().expect("SIGKILL");
        let _ = writer.child.wait();
        let mut outcomes = Vec::new();
        for task in tasks {
            outcomes.push(task.await.expect("writer task"));
        }
        outcomes
    });
    assert!(
        outcomes.iter().any(|(_, _, interrupted)| *interrupted),
        "the kill must land in the middle of the writes"
    );

    // The file loads, and every acknowledged write is in it (each was saved before it was answered); the one
    // write in flight at the kill may or may not be.
    let reader = EmulatorProcess::spawn(&["--state", &state]);
    runtime.block_on(async {
        let client = Client::new(reader.endpoint(), &source);
        for (role, last_acknowledged, _) in &outcomes {
            let names = format!(r#"["{role}"]"#);
            let tags = client
                .call(
                    RAM,
                    "ListTagResources",
                    &[("ResourceType", "role"), ("ResourceNames", &names)],
                )
                .await
                .ok();
            let stored: Option<usize> = tags["TagResources"]
                .as_array()
                .and_then(|t| t.first())
                .and_then(|t| t["TagValue"].as_str())
                .and_then(|v| v.parse().ok());
            match last_acknowledged {
                Some(acknowledged) => {
                    let stored = stored.unwrap_or_else(|| panic!("{role}: acknowledged tag lost"));
                    assert!(
                        stored == *acknowledged || stored == acknowledged + 1,
                        "{role}: stored {stored}, acknowledged {acknowledged}"
                    );
                }
                None => assert!(stored.is_none_or(|v| v == 0), "{role}: stored {stored:?}"),
            }
        }
    });
}

#[test]
fn sigterm_right_after_the_start_line_stops_cleanly_and_saves() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = state_arg(&dir);
    let process = EmulatorProcess::spawn(&["--state", &state]);
    assert!(terminate(process), "the emulator must exit 0 on SIGTERM");
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state).expect("state file written on shutdown"))
            .expect("JSON");
    assert_eq!(saved["format_version"], 1);
}
