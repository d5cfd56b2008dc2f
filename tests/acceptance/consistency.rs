//! RAM's eventual consistency on both sides: with `--consistency-delay-ms 3000` a new role is unknown for three
//! seconds to reads and to the writes that name it (`EntityNotExist.Role` on the attach right after CreateRole).
//! Every seed scenario example still applies, plans clean and destroys.

use crate::support::emulator::Emulator;
use crate::support::roles_by_hand::{provider_config, ram_document};
use crate::support::{Workdir, terraforms};
use std::time::{Duration, Instant};

/// The examples of the seeds' scenarios (DTS 1, 2, 3 and DataWorks) and the plain role.
const EXAMPLES: &[&str] = &[
    "resources/aliram_cross_account_dts_role/scenario_1_source",
    "resources/aliram_cross_account_dts_role/scenario_2_destination",
    "resources/aliram_cross_account_dts_role/scenario_3_source_and_destination",
    "resources/aliram_dataworks_source_role",
    "resources/aliram_role",
];

fn errors_of(emulator: &Emulator, action: &str) -> u64 {
    emulator.action_stat(action, "errors")
}

#[test]
fn every_seed_scenario_converges_under_a_consistency_window() {
    let emulator = Emulator::start(&["--consistency-delay-ms", "3000"]);
    for tf in terraforms() {
        for example in EXAMPLES {
            let before = errors_of(&emulator, "AttachPolicyToRole");
            let work = emulator.example_workdir(tf, example);
            work.run(&["apply", "-auto-approve", "-input=false", "-no-color"])
                .success();
            // The window really was met by the writes, not only by the reads.
            assert!(
                errors_of(&emulator, "AttachPolicyToRole") > before,
                "{example} on Terraform {}: no attach met the consistency window",
                tf.version
            );
            work.assert_plan_clean();
            work.run(&["destroy", "-auto-approve", "-input=false", "-no-color"])
                .success();
        }
    }
    for account in ["source", "destination", "task"] {
        assert_eq!(
            emulator.role_names(account),
            Vec::<String>::new(),
            "roles left in {account}"
        );
    }
}

/// A create whose every write RAM acknowledged is complete, even when reads have not caught up by the end of
/// `propagation_timeout`: the apply succeeds with a warning and the role is not tainted (a tainted role would be
/// destroyed and created again by the next apply).
#[test]
fn a_complete_create_whose_reads_lag_is_not_tainted() {
    // The window outlasts the provider's one-second propagation_timeout.
    let emulator = Emulator::start(&["--consistency-delay-ms", "4000"]);
    for (i, tf) in terraforms().iter().enumerate() {
        let config = format!(
            "{}\n\
             resource \"aliram_role\" \"lagging\" {{\n  role_name    = \"lagging-reads-{i}\"\n  trust_policy = {:?}\n  policy_names = []\n}}\n",
            provider_config(&emulator, "source").replacen(
                "provider \"aliram\" {\n",
                "provider \"aliram\" {\n  propagation_timeout = 1\n",
                1
            ),
            ram_document(&emulator, &["destination"]),
        );
        let work = Workdir::new(tf, &config);
        let apply = work
            .run(&["apply", "-auto-approve", "-input=false", "-no-color"])
            .success();
        let output = apply.output();
        assert!(
            output.contains("Role Not Yet Visible to Reads"),
            "Terraform {}: {output}",
            tf.version
        );
        let shown = work
            .run(&["state", "show", "aliram_role.lagging"])
            .success();
        assert!(
            !shown.stdout.contains("tainted"),
            "Terraform {}: a complete role was tainted:\n{}",
            tf.version,
            shown.stdout
        );
        // Reads catch up (polled through the API, as a user would wait): nothing to change, nothing to replace.
        let api = emulator.api("source");
        let name = format!("lagging-reads-{i}");
        let give_up = Instant::now() + Duration::from_secs(60);
        while emulator.block_on(api.get_role(&name)).is_err() {
            assert!(Instant::now() < give_up, "role {name} never became visible");
            std::thread::sleep(Duration::from_millis(200));
        }
        work.assert_plan_clean();
        work.run(&["destroy", "-auto-approve", "-input=false", "-no-color"])
            .success();
    }
}
