//! Many roles at once against an unreliable service: with throttling and 503s injected, an apply of 30 roles
//! converges with no orphaned role, the plan after it is clean, and destroy removes every role.

use crate::support::emulator::Emulator;
use crate::support::roles_by_hand::provider_config;
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
        provider_config(&emulator, "source")
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
        provider_config(&emulator, "source")
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
