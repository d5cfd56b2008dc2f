//! `--state FILE`: roles survive a restart (SIGTERM saves), and a SIGKILL in the middle of a save (forced with the
//! queued fault `stalled_save`) leaves the previous state, which the next start loads after removing the
//! temporary file.

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

/// The tag `counter` of `role` as the emulator at `endpoint` has it.
async fn counter(client: &Client, role: &str) -> Option<String> {
    let names = format!(r#"["{role}"]"#);
    let tags = client
        .call(
            RAM,
            "ListTagResources",
            &[("ResourceType", "role"), ("ResourceNames", &names)],
        )
        .await
        .ok();
    tags["TagResources"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["TagKey"] == "counter"))
        .and_then(|t| t["TagValue"].as_str())
        .map(str::to_owned)
}

async fn tag_counter(client: &Client, role: &str, value: &str) -> Result<Reply, reqwest::Error> {
    let names = format!(r#"["{role}"]"#);
    let tag = format!(r#"[{{"Key":"counter","Value":"{value}"}}]"#);
    client
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
}

/// SIGKILL in the middle of a save, forced: the queued fault `stalled_save` makes the emulator carry a write out
/// and stop halfway through saving it (the temporary file half written, synced and locked, never renamed). Killed
/// there, it leaves that temporary file behind; the next start removes it and loads the previous state, with every
/// answered write and without the write whose save never finished.
#[test]
fn sigkill_in_the_middle_of_a_save_leaves_the_previous_state_and_no_temporary_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = state_arg(&dir);
    let source = account("source");
    let task = account("task");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");

    let mut writer = EmulatorProcess::spawn(&["--state", &state]);
    let pid = writer.child.id();
    let temp = dir.path().join(format!(".state.json.{pid}.tmp"));
    let endpoint = writer.endpoint().to_owned();
    let client = Client::new(&endpoint, &source);
    runtime.block_on(async {
        create_role(&client, "kept", &dts_trust_policy(&task.account_id)).await;
        for value in ["1", "2"] {
            tag_counter(&client, "kept", value)
                .await
                .expect("an answer")
                .ok();
        }
        let (status, queued) = admin_post(
            &endpoint,
            "faults/next",
            &serde_json::json!({"action": "TagResources", "fault": "stalled_save"}),
        )
        .await;
        assert_eq!(status, 200, "{queued}");
    });
    let in_flight = {
        let client = client.clone();
        runtime.spawn(async move { tag_counter(&client, "kept", "3").await })
    };
    runtime.block_on(async {
        // The emulator counts the stall once the half-written temporary file is on disk.
        let guard = tokio::time::Instant::now() + crate::support::child::HANG_GUARD;
        while admin_get(&endpoint, "stats").await["faults"]["stalled_save"] != 1 {
            assert!(
                tokio::time::Instant::now() < guard,
                "the save never stalled"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    });
    // In the middle of the save: the temporary file holds part of a document, the state file the last answered
    // write.
    let partial = std::fs::read(&temp).expect("the temporary file of the save in progress");
    assert!(
        serde_json::from_slice::<Value>(&partial).is_err(),
        "the temporary file holds a complete document: the save was not stopped halfway"
    );
    let saved: Value =
        serde_json::from_slice(&std::fs::read(&state).expect("the state file")).expect("JSON");
    let stored = &saved["store"]["accounts"][source.account_id.as_str()]["roles"]["kept"]["tags"];
    assert_eq!(stored["counter"], "2", "{saved}");

    writer.child.kill().expect("SIGKILL");
    let _ = writer.child.wait();
    // The write whose save was cut was never answered.
    let unanswered = runtime
        .block_on(in_flight)
        .expect("the stalled request's task");
    assert!(
        unanswered.is_err(),
        "the write in the middle of its save was answered: {:?}",
        unanswered.map(|r| r.status)
    );
    assert!(
        temp.exists(),
        "the killed emulator's temporary file is gone before the next start"
    );

    let reader = EmulatorProcess::spawn(&["--state", &state]);
    assert!(
        !temp.exists(),
        "the next start did not remove the dead emulator's temporary file"
    );
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .expect("the state directory")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "state.json")
        .collect();
    assert!(
        leftovers.is_empty(),
        "left beside the state file: {leftovers:?}"
    );
    runtime.block_on(async {
        let client = Client::new(reader.endpoint(), &source);
        assert_eq!(counter(&client, "kept").await.as_deref(), Some("2"));
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
