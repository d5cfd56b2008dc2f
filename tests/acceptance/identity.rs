//! Resource identity through real Terraform (1.12 and later): a role made by hand is imported by
//! `{account_id, role_name}` without a write and plans clean; the identity is stored with the state, also after
//! an import by name; an identity of another account fails the plan naming both accounts, writing nothing.

use crate::support::Workdir;
use crate::support::emulator::Emulator;
use crate::support::roles_by_hand::{create, dts_document, provider_config};
use crate::support::takeover::{adopt_without_writes, text};
use crate::support::terraform_versions::terraforms_supporting;

const FEATURE: &str = "import by resource identity";

fn config(emulator: &Emulator, import: &str) -> String {
    format!(
        "{}\n{import}\nresource \"aliram_cross_account_dts_role\" \"dts\" {{\n  scenario        = \"source\"\n  task_account_id = \"{}\"\n}}\n",
        provider_config(emulator, "source"),
        emulator.account("task").account_id
    )
}

fn identity_import(account_id: &str) -> String {
    format!(
        "import {{\n  to = aliram_cross_account_dts_role.dts\n  identity = {{\n    account_id = \"{account_id}\"\n    role_name  = \"ram-for-dts\"\n  }}\n}}\n"
    )
}

/// The identity Terraform stored for the one resource of the state.
fn stored_identity(work: &Workdir) -> serde_json::Value {
    let state: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(work.path().join("terraform.tfstate")).expect("state file"),
    )
    .expect("state JSON");
    state["resources"][0]["instances"][0]["identity"].clone()
}

#[test]
fn import_by_identity_adopts_the_role_without_writes() {
    let emulator = Emulator::start(&[]);
    let source = emulator.account("source").account_id.clone();
    for tf in terraforms_supporting((1, 12), FEATURE) {
        let dts = dts_document(&emulator, "task");
        create(
            &emulator,
            "source",
            "ram-for-dts",
            &dts,
            &["AliyunDTSRolePolicy"],
            &[],
        );
        let work = Workdir::new(tf, &config(&emulator, &identity_import(&source)));
        adopt_without_writes(&work, &emulator, tf, 1);
        assert_eq!(
            stored_identity(&work),
            serde_json::json!({"account_id": source, "role_name": "ram-for-dts"}),
            "Terraform {}",
            tf.version
        );
        work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
            .success();
        assert!(emulator.role_names("source").is_empty());
    }
}

#[test]
fn an_import_by_name_stores_the_identity_too() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms_supporting((1, 12), FEATURE) {
        create(
            &emulator,
            "source",
            "ram-for-dts",
            &dts_document(&emulator, "task"),
            &["AliyunDTSRolePolicy"],
            &[],
        );
        let import =
            "import {\n  to = aliram_cross_account_dts_role.dts\n  id = \"ram-for-dts\"\n}\n";
        let work = Workdir::new(tf, &config(&emulator, import));
        work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .success();
        assert_eq!(
            stored_identity(&work)["account_id"],
            emulator.account("source").account_id.as_str(),
            "Terraform {}",
            tf.version
        );
        work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
            .success();
    }
}

#[test]
fn an_identity_of_another_account_fails_at_plan_naming_both() {
    let emulator = Emulator::start(&[]);
    // A same-named role exists in both accounts: the identity must not reach the wrong one.
    let dts = dts_document(&emulator, "task");
    create(
        &emulator,
        "source",
        "ram-for-dts",
        &dts,
        &["AliyunDTSRolePolicy"],
        &[],
    );
    create(
        &emulator,
        "destination",
        "ram-for-dts",
        &dts,
        &["AliyunDTSRolePolicy"],
        &[],
    );
    let destination = emulator.account("destination").account_id.clone();
    let source = emulator.account("source").account_id.clone();
    for tf in terraforms_supporting((1, 12), FEATURE) {
        let work = Workdir::new(tf, &config(&emulator, &identity_import(&destination)));
        let writes = emulator.writes();
        let plan = work.run(&["plan", "-input=false", "-no-color"]);
        assert_eq!(plan.code, 1, "Terraform {}: {}", tf.version, text(&plan));
        let text = text(&plan).replace('\n', " ");
        for fragment in [
            "Import Identity Names Another Account",
            &destination,
            &source,
        ] {
            assert!(
                text.contains(fragment),
                "Terraform {}: {fragment} missing:\n{text}",
                tf.version
            );
        }
        let apply = work.run(&["apply", "-input=false", "-no-color", "-auto-approve"]);
        assert_eq!(apply.code, 1, "Terraform {}", tf.version);
        assert_eq!(
            emulator.writes(),
            writes,
            "Terraform {}: something was written",
            tf.version
        );
    }
}
