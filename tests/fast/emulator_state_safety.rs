//! `--state FILE` never lies and never destroys: a write is applied and saved or neither, an unusable `--state`
//! (a missing directory, a file where the directory should be, a directory that takes no new file) stops the start
//! (exit 2) instead of failing writes later, temporary files of emulators that died mid-save are
//! cleaned up, and a state file the API could never have written is refused, named and left untouched.

use crate::support::emulator_calls::*;
use serde_json::{Value, json};
use std::path::Path;
use terraform_provider_aliram::emulator::{Emulator, EmulatorConfig};

fn config_with_state(path: &Path) -> EmulatorConfig {
    EmulatorConfig {
        state_file: Some(path.to_path_buf()),
        ..EmulatorConfig::default()
    }
}

#[tokio::test]
async fn a_write_whose_save_fails_is_not_applied() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = root.path().join("state");
    std::fs::create_dir(&dir).expect("mkdir");
    let emulator = InProcess::start(config_with_state(&dir.join("state.json"))).await;
    let owner = Client::new(&emulator.endpoint, &account("source"));
    let policy = dts_trust_policy(&account("task").account_id);
    create_role(&owner, "before", &policy).await;

    // The directory disappears under the running emulator: every save fails from now on.
    std::fs::remove_dir_all(&dir).expect("rm -r");
    let create = [
        ("RoleName", "during"),
        ("AssumeRolePolicyDocument", policy.as_str()),
    ];
    let failed = owner.call(RAM, "CreateRole", &create).await;
    failed.expect_error(500, "InternalError");
    assert!(
        failed.body["Message"]
            .as_str()
            .unwrap_or("")
            .contains("saving state"),
        "{:?}",
        failed.body
    );
    owner
        .call(RAM, "GetRole", &[("RoleName", "during")])
        .await
        .expect_error(404, "EntityNotExist.Role");
    owner
        .call(RAM, "DeleteRole", &[("RoleName", "before")])
        .await
        .expect_error(500, "InternalError");
    owner
        .call(RAM, "GetRole", &[("RoleName", "before")])
        .await
        .ok();
    let (status, _) = admin_post(&emulator.endpoint, "reset", &json!({})).await;
    assert_eq!(status, 500, "a reset that cannot be saved fails");
    owner
        .call(RAM, "GetRole", &[("RoleName", "before")])
        .await
        .ok();
    assert_eq!(admin_get(&emulator.endpoint, "stats").await["writes"], 1);

    // Once saves work again, the retried write is a first write, not a conflict with a ghost.
    std::fs::create_dir(&dir).expect("mkdir");
    owner.call(RAM, "CreateRole", &create).await.ok();
    let saved: Value =
        serde_json::from_slice(&std::fs::read(dir.join("state.json")).expect("saved"))
            .expect("JSON");
    let roles = &saved["store"]["accounts"][account("source").account_id.as_str()]["roles"];
    assert!(
        roles["before"].is_object() && roles["during"].is_object(),
        "{saved}"
    );
}

#[test]
fn a_state_file_in_a_missing_directory_is_refused_at_start() {
    let root = tempfile::tempdir().expect("tempdir");
    let missing = root.path().join("no-such-dir").join("state.json");
    let output = run_expecting_refusal(&["--state", &missing.display().to_string()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no-such-dir"), "{stderr}");

    let file_as_dir = root.path().join("plain-file");
    std::fs::write(&file_as_dir, b"").expect("write");
    let output = run_expecting_refusal(&[
        "--state",
        &file_as_dir.join("state.json").display().to_string(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not a directory"), "{stderr}");
}

/// A directory that takes no new file, whoever asks: Linux's sysfs refuses to create files even for root, where a
/// `chmod` would not stop a test running as root. The start is refused with the documented message, naming the
/// directory and why, and nothing is served.
#[test]
fn a_state_file_in_a_directory_that_takes_no_new_file_is_refused_at_start() {
    let sys = Path::new("/sys");
    assert!(
        sys.is_dir(),
        "this test needs Linux's /sys (a directory no user may create files in)"
    );
    let output = run_expecting_refusal(&["--state", "/sys/aliram-state.json"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let said = "aliram-emulator: --state /sys/aliram-state.json: cannot create files in the directory /sys: ";
    assert!(
        stderr.starts_with(said) && stderr.lines().count() == 1,
        "expected {said:?} and the OS's reason, got {stderr:?}"
    );
    assert!(output.stdout.is_empty(), "no start line");
    assert!(!sys.join("aliram-state.json").exists());
}

#[test]
fn temporary_files_of_dead_emulators_are_removed_at_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    // What a SIGKILL during a save leaves, from two earlier runs.
    let stale = [
        dir.path().join(".state.json.41.tmp"),
        dir.path().join(".state.json.4242.tmp"),
    ];
    for path in &stale {
        std::fs::write(path, b"{\"format_version\":1,").expect("write");
    }
    // A save in progress in a live process holds a lock on its temporary file.
    let live = dir.path().join(".state.json.77.tmp");
    let held = std::fs::File::create(&live).expect("create");
    held.lock().expect("lock");
    // Files of other names are none of the emulator's business.
    let other = dir.path().join(".other.json.41.tmp");
    std::fs::write(&other, b"").expect("write");

    Emulator::new(&config_with_state(&state)).expect("start");
    for path in &stale {
        assert!(!path.exists(), "{} left behind", path.display());
    }
    assert!(live.exists() && other.exists());
    assert!(!state.exists(), "opening alone writes nothing");
}

/// A state file holding one role of account `source`, as the emulator writes it, with `change` applied to it.
fn state_file_with_role(change: impl FnOnce(&mut Value)) -> Value {
    let mut role = json!({
        "role_id": "3000000000000000001",
        "role_name": "ram-for-dts",
        "description": "",
        "trust_policy": dts_trust_policy(&account("task").account_id),
        "max_session_duration": 3600,
        "allow_console_login": false,
        "create_date": "2026-01-02T03:04:05Z",
        "update_date": "2026-01-02T03:04:05Z",
        "tags": {"env": "demo"},
        "attachments": [{"policy_name": "AliyunDTSRolePolicy", "policy_type": "System", "attach_date": "2026-01-02T03:04:05Z"}],
        "seq": 0
    });
    change(&mut role);
    let name = role["role_name"].as_str().expect("role_name").to_owned();
    let mut roles = serde_json::Map::new();
    roles.insert(name, role);
    json!({
        "format_version": 1,
        "store": {"accounts": {account("source").account_id: {"roles": roles}}, "next_role_seq": 1}
    })
}

/// An edit that breaks a role of a state file.
type Breakage = fn(&mut Value);

#[test]
fn a_state_file_breaking_the_api_rules_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    std::fs::write(&state, state_file_with_role(|_| {}).to_string()).expect("write");
    Emulator::new(&config_with_state(&state))
        .expect("a state file the API could have written loads");

    // What is wrong, the edit that breaks the file, and the rule the refusal must name.
    let cases: [(&str, Breakage, &str); 6] = [
        (
            "a path as role name",
            |r| r["role_name"] = json!("../evil/role"),
            "InvalidParameter.RoleName.InvalidChars",
        ),
        (
            "a trust policy that is not JSON",
            |r| r["trust_policy"] = json!("not json"),
            "MalformedPolicyDocument",
        ),
        (
            "a negative session duration",
            |r| r["max_session_duration"] = json!(-5),
            "MaxSessionDuration",
        ),
        (
            "a reserved tag key",
            |r| r["tags"] = json!({"aliyun:owner": "x"}),
            "InvalidParameter.Tag.Key",
        ),
        (
            "a trust policy with a key twice",
            |r| {
                r["trust_policy"] = json!(
                    r#"{"Version":"1","Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":"acs:ram::3333000033330003:root"}}]}"#
                )
            },
            "MalformedPolicyDocument",
        ),
        (
            "a date of another form",
            |r| r["create_date"] = json!("yesterday"),
            "CreateDate",
        ),
    ];
    for (what, change, rule) in cases {
        let document = state_file_with_role(change).to_string();
        std::fs::write(&state, &document).expect("write");
        let role = serde_json::from_str::<Value>(&document).expect("JSON")["store"]["accounts"]
            [account("source").account_id.as_str()]["roles"]
            .as_object()
            .and_then(|roles| roles.keys().next().cloned())
            .expect("one role");
        let output = run_expecting_refusal(&["--state", &state.display().to_string()]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{what}: {stderr}");
        assert!(
            stderr.contains(&format!("{role:?}")) && stderr.contains(rule),
            "{what}: {stderr}"
        );
        assert_eq!(
            std::fs::read_to_string(&state).expect("read"),
            document,
            "{what}: the refused file must be left as it was"
        );
    }
}
