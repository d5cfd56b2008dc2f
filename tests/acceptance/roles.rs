//! The mission resources through real Terraform against the emulator, by running the examples of each seed
//! scenario: apply, a plan that exits 0, exactly the intended service and account admitted, and a destroy that
//! leaves no role in any account.

use crate::support::emulator::Emulator;
use crate::support::{Workdir, terraforms};

/// Apply, then a plan that finds nothing to change.
fn apply_then_plan_clean(work: &Workdir) {
    work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
        .success();
    work.assert_plan_clean();
}

fn destroy_leaves_no_role(emulator: &Emulator, work: &Workdir, version: &str) {
    work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
        .success();
    for account in ["source", "destination", "task"] {
        assert_eq!(
            emulator.role_names(account),
            Vec::<String>::new(),
            "Terraform {version}: roles left in {account}"
        );
    }
}

/// Asserts that `service` acting for `trusted` (and for no other account) may assume `role` of `owner`.
fn admits_exactly(emulator: &Emulator, service: &str, owner: &str, role: &str, trusted: &str) {
    let owner_id = &emulator.account(owner).account_id;
    let arn = format!("acs:ram::{owner_id}:role/{role}");
    for account in &emulator.accounts {
        let expected = account.name == trusted;
        let allowed = emulator.service_may_assume(service, &account.account_id, &arn);
        assert_eq!(
            allowed, expected,
            "{service} acting for {} on {arn}",
            account.name
        );
    }
    let other_service = if service == "dts.aliyuncs.com" {
        "cdp.aliyuncs.com"
    } else {
        "dts.aliyuncs.com"
    };
    let trusted_id = &emulator.account(trusted).account_id;
    assert!(
        !emulator.service_may_assume(other_service, trusted_id, &arn),
        "{other_service} must not assume {arn}"
    );
}

#[test]
fn dts_scenario_1_source_database_cross_account() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        let work = emulator.example_workdir(
            tf,
            "resources/aliram_cross_account_dts_role/scenario_1_source",
        );
        apply_then_plan_clean(&work);
        admits_exactly(
            &emulator,
            "dts.aliyuncs.com",
            "source",
            "ram-for-dts",
            "destination",
        );
        destroy_leaves_no_role(&emulator, &work, &tf.version);
    }
}

#[test]
fn dts_scenario_2_destination_database_cross_account() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        let work = emulator.example_workdir(
            tf,
            "resources/aliram_cross_account_dts_role/scenario_2_destination",
        );
        apply_then_plan_clean(&work);
        admits_exactly(
            &emulator,
            "dts.aliyuncs.com",
            "destination",
            "ram-for-dts",
            "source",
        );
        destroy_leaves_no_role(&emulator, &work, &tf.version);
    }
}

#[test]
fn dts_scenario_3_both_databases_cross_account_with_a_third_task_account() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        let work = emulator.example_workdir(
            tf,
            "resources/aliram_cross_account_dts_role/scenario_3_source_and_destination",
        );
        apply_then_plan_clean(&work);
        admits_exactly(
            &emulator,
            "dts.aliyuncs.com",
            "source",
            "ram-for-dts",
            "task",
        );
        admits_exactly(
            &emulator,
            "dts.aliyuncs.com",
            "destination",
            "ram-for-dts",
            "task",
        );
        let outputs = work.run(&["output", "-json"]).success();
        let outputs: serde_json::Value =
            serde_json::from_str(&outputs.stdout).expect("outputs JSON");
        assert_eq!(
            outputs["task_source_section"]["value"]["account_id"],
            emulator.account("source").account_id
        );
        assert_eq!(
            outputs["task_destination_section"]["value"]["role_name"],
            "ram-for-dts"
        );
        destroy_leaves_no_role(&emulator, &work, &tf.version);
    }
}

#[test]
fn dataworks_rds_hive_kafka_and_analyticdb_sources() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        let work = emulator.example_workdir(tf, "resources/aliram_dataworks_source_role");
        apply_then_plan_clean(&work);
        for role in [
            "dataworks-rds-reader",
            "dataworks-hive-reader",
            "dataworks-kafka-reader",
            "dataworks-adb-reader",
        ] {
            admits_exactly(&emulator, "cdp.aliyuncs.com", "source", role, "destination");
        }
        let attached = |role: &str| emulator.attached_policies("source", role);
        assert_eq!(
            attached("dataworks-rds-reader"),
            ["AliyunDataWorksAccessingRdsReadOnlyPolicy"]
        );
        assert_eq!(
            attached("dataworks-hive-reader"),
            [
                "AliyunDataWorksAccessingDLFReadOnlyPolicy",
                "AliyunDataWorksAccessingEMRReadOnlyPolicy"
            ]
        );
        assert_eq!(
            attached("dataworks-kafka-reader"),
            ["AliyunDataWorksAccessingAlikafkaPolicy"]
        );
        assert_eq!(
            attached("dataworks-adb-reader"),
            ["AliyunADBReadOnlyAccess"]
        );
        destroy_leaves_no_role(&emulator, &work, &tf.version);
    }
}

#[test]
fn generic_role_with_a_function_built_trust_policy() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        let work = emulator.example_workdir(tf, "resources/aliram_role");
        apply_then_plan_clean(&work);
        admits_exactly(
            &emulator,
            "dts.aliyuncs.com",
            "source",
            "partner-audit-reader",
            "destination",
        );
        destroy_leaves_no_role(&emulator, &work, &tf.version);
    }
}
