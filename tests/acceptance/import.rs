//! Import by role name, with `terraform import` and with `import {}` blocks: with matching configuration, the
//! apply after import makes no API change and the plan after it is clean.

use crate::support::emulator::Emulator;
use crate::support::roles_by_hand;
use crate::support::takeover::apply_without_writes;
use crate::support::terraforms;
use terraform_provider_aliram::provider::alicloud::ram::UpdateRoleRequest;

const EXAMPLE: &str = "resources/aliram_cross_account_dts_role/scenario_1_source";
const RESOURCE: &str = "aliram_cross_account_dts_role.source";

/// Creates the scenario 1 role by hand, as a console user would have.
fn create_by_hand(emulator: &Emulator) {
    roles_by_hand::create(
        emulator,
        "source",
        "ram-for-dts",
        &roles_by_hand::dts_document(emulator, "destination"),
        &["AliyunDTSRolePolicy"],
        &[],
    );
    let api = emulator.api("source");
    let request = UpdateRoleRequest {
        role_name: "ram-for-dts".into(),
        new_description: Some(
            "DTS tasks of the destination account read this account's MySQL database".into(),
        ),
        ..Default::default()
    };
    emulator
        .block_on(api.update_role(&request))
        .expect("UpdateRole");
}

#[test]
fn terraform_import_then_apply_writes_nothing() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        create_by_hand(&emulator);
        let work = emulator.example_workdir(tf, EXAMPLE);
        work.run(&[
            "import",
            "-input=false",
            "-no-color",
            RESOURCE,
            "ram-for-dts",
        ])
        .success();
        let state = work
            .run(&["state", "show", "-no-color", RESOURCE])
            .success();
        for fragment in [
            "task_account_id",
            &emulator.account("destination").account_id,
            "AliyunDTSRolePolicy",
        ] {
            assert!(
                state.stdout.contains(fragment),
                "Terraform {}: imported state lacks {fragment}:\n{}",
                tf.version,
                state.stdout
            );
        }
        apply_without_writes(&work, &emulator, tf, "the apply after import");
        work.assert_plan_clean();
        work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
            .success();
        assert!(emulator.role_names("source").is_empty());
    }
}

#[test]
fn import_blocks_adopt_the_role_without_writes() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        create_by_hand(&emulator);
        let work = emulator.example_workdir(tf, EXAMPLE);
        std::fs::write(
            work.path().join("import.tf"),
            format!("import {{\n  to = {RESOURCE}\n  id = \"ram-for-dts\"\n}}\n"),
        )
        .expect("writing import.tf");
        // The import plans an in-place update of the attributes RAM does not hold (database_type, access_method),
        // which writes nothing.
        let plan = work.run(&["plan", "-input=false", "-no-color"]).success();
        assert!(
            plan.stdout.contains("1 to import"),
            "Terraform {}: {}",
            tf.version,
            plan.stdout
        );
        apply_without_writes(&work, &emulator, tf, "the import apply");
        work.assert_plan_clean();
        work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
            .success();
    }
}

#[test]
fn importing_a_missing_role_fails_clearly() {
    let emulator = Emulator::start(&[]);
    let tf = &terraforms()[0];
    let work = emulator.example_workdir(tf, EXAMPLE);
    let out = work.run(&[
        "import",
        "-input=false",
        "-no-color",
        RESOURCE,
        "no-such-role",
    ]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("non-existent"), "{}", out.stderr);
    let bad = work.run(&["import", "-input=false", "-no-color", RESOURCE, "bad_name"]);
    assert_eq!(bad.code, 1);
    assert!(
        bad.stderr.contains("imported by role name") && bad.stderr.contains("bad_name"),
        "{}",
        bad.stderr
    );
}
