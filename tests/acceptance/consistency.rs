//! RAM's eventual consistency on both sides: with `--consistency-delay-ms 3000` a new role is unknown for three
//! seconds to reads and to the writes that name it (`EntityNotExist.Role` on the attach right after CreateRole).
//! Every seed scenario example still applies, plans clean and destroys.

use crate::support::emulator::Emulator;
use crate::support::terraforms;

/// The examples of the seeds' scenarios (DTS 1, 2, 3 and DataWorks) and the plain role.
const EXAMPLES: &[&str] = &[
    "resources/aliram_cross_account_dts_role/scenario_1_source",
    "resources/aliram_cross_account_dts_role/scenario_2_destination",
    "resources/aliram_cross_account_dts_role/scenario_3_source_and_destination",
    "resources/aliram_dataworks_source_role",
    "resources/aliram_role",
];

fn errors_of(emulator: &Emulator, action: &str) -> u64 {
    emulator.stats()["actions"][action]["errors"]
        .as_u64()
        .unwrap_or(0)
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
            let plan = work.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
            assert_eq!(
                plan.code, 0,
                "{example} on Terraform {}: plan after apply not clean:\n{}\n{}",
                tf.version, plan.stdout, plan.stderr
            );
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
