//! Many roles at once against an unreliable service: with throttling and 503s injected, an apply of 30 roles
//! converges with no orphaned role, the plan after it is clean, and destroy removes every role.

use crate::support::emulator::Emulator;
use crate::support::roles_by_hand::user_provider_config;
use crate::support::{Workdir, terraforms};

const ROLES: usize = 30;

#[test]
fn thirty_roles_converge_through_throttling_and_unavailability() {
    let emulator = Emulator::start(&[
        "--throttle-rate",
        "0.15",
        "--unavailable-rate",
        "0.1",
        // Fault draws repeat from a seed: the faults this test needs fire in every run.
        "--seed",
        "7",
    ]);
    let destination = emulator.account("destination").account_id.clone();
    let tf = terraforms().last().expect("a Terraform");
    let config = format!(
        "{}\nresource \"aliram_dataworks_source_role\" \"many\" {{\n  count                = {ROLES}\n  role_name            = \"dataworks-reader-${{count.index}}\"\n  instance_type        = \"hive\"\n  dataworks_account_id = \"{destination}\"\n  tags = {{\n    index = tostring(count.index)\n  }}\n}}\n",
        user_provider_config(&emulator, "source")
    );
    let work = Workdir::new(tf, &config);
    work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
        .success();
    assert_eq!(emulator.role_names("source").len(), ROLES);
    let stats = emulator.admin_get("stats");
    let injected = stats["faults"]["throttle"].as_u64().unwrap_or(0)
        + stats["faults"]["unavailable"].as_u64().unwrap_or(0);
    assert!(injected > 0, "no fault was injected: {stats}");

    work.assert_plan_clean();
    work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
        .success();
    assert!(
        emulator.role_names("source").is_empty(),
        "roles left after destroy"
    );
}

#[test]
fn writes_whose_answers_are_lost_are_safe_to_retry() {
    // Each request may be carried out and its answer lost: the client retries, and must take the conflict its own
    // earlier success causes (role exists, policy attached, already detached or deleted) as that success.
    let emulator = Emulator::start(&["--lost-response-rate", "0.2", "--seed", "7"]);
    let destination = emulator.account("destination").account_id.clone();
    let tf = terraforms().last().expect("a Terraform");
    let config = format!(
        "{}\nresource \"aliram_dataworks_source_role\" \"lossy\" {{\n  count                = 10\n  role_name            = \"lossy-${{count.index}}\"\n  instance_type        = \"hive\"\n  dataworks_account_id = \"{destination}\"\n}}\n",
        user_provider_config(&emulator, "source")
    );
    let work = Workdir::new(tf, &config);
    work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
        .success();
    assert_eq!(emulator.role_names("source").len(), 10);
    let lost = emulator.admin_get("stats")["faults"]["lost_response"]
        .as_u64()
        .unwrap_or(0);
    assert!(lost > 0, "no answer was lost");
    work.assert_plan_clean();
    work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
        .success();
    assert!(
        emulator.role_names("source").is_empty(),
        "roles left after destroy"
    );
}

/// The same, forced for each write path rather than drawn: one lost answer is queued for the action each step
/// sends, so every branch that takes a conflict as the write's own earlier success runs in every run (CreateRole
/// then `EntityAlreadyExists.Role`: adopted; AttachPolicyToRole: attached; DetachPolicyFromRole: detached;
/// DeleteRole then `EntityNotExist.Role`: deleted).
#[test]
fn a_lost_answer_on_each_write_is_taken_as_its_success() {
    let emulator = Emulator::start(&[]);
    let destination = emulator.account("destination").account_id.clone();
    let config = |policy: &str| {
        format!(
            "{}\nresource \"aliram_role\" \"lossy\" {{\n  role_name    = \"lossy\"\n  trust_policy = provider::aliram::dts_trust_policy(\"{destination}\")\n  policy_names = [\"{policy}\"]\n}}\n",
            user_provider_config(&emulator, "source")
        )
    };
    for tf in terraforms() {
        let work = Workdir::new(tf, &config("AliyunDTSRolePolicy"));
        let lose = |action: &str| {
            emulator.admin_post(
                "faults/next",
                &serde_json::json!({"action": action, "fault": "lost_response"}),
            );
        };
        let step = |what: &str, args: &[&str], losing: &[&str]| {
            let lost_before = emulator.faults_served("lost_response");
            for action in losing {
                lose(action);
            }
            work.run(args).success();
            assert_eq!(
                emulator.faults_served("lost_response"),
                lost_before + losing.len() as u64,
                "Terraform {}: {what}: every queued loss was served",
                tf.version
            );
        };
        let apply = ["apply", "-input=false", "-no-color", "-auto-approve"];
        step("create", &apply, &["CreateRole", "AttachPolicyToRole"]);
        assert_eq!(emulator.role_names("source"), ["lossy"]);
        work.assert_plan_clean();

        work.write_config(&config("AliyunRAMReadOnlyAccess"));
        step("swap the policy", &apply, &["DetachPolicyFromRole"]);
        work.assert_plan_clean();

        let destroy = ["destroy", "-input=false", "-no-color", "-auto-approve"];
        step("destroy", &destroy, &["DetachPolicyFromRole", "DeleteRole"]);
        assert!(
            emulator.role_names("source").is_empty(),
            "Terraform {}: the role is gone",
            tf.version
        );
    }
}
