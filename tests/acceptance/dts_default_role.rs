//! `aliram_dts_default_role` and the DTS prerequisite at plan, through every Terraform the harness has: a
//! cross-account DTS role planned in an account without the DTS default role warns (once per provider instance's
//! read, whatever the number of roles), declaring the default role clears the warning, an unreadable default role
//! only warns, the default role's drift shows, and planning its destruction warns.

use crate::support::emulator::Emulator;
use crate::support::roles_by_hand::provider_config;
use crate::support::{Workdir, terraforms};
use serde_json::json;
use terraform_provider_aliram::provider::alicloud::ram::{PolicyType, UpdateRoleRequest};

const WARNING: &str = "DTS Default Role Missing or Wrong";

/// `count` cross-account DTS roles in account `source`, trusting `task`, and `extra` configuration.
fn config(emulator: &Emulator, count: usize, extra: &str) -> String {
    format!(
        "{}resource \"aliram_cross_account_dts_role\" \"dts\" {{\n  count           = {count}\n  role_name       = \"ram-for-dts-${{count.index}}\"\n  scenario        = \"source\"\n  task_account_id = \"{}\"\n{extra}}}\n",
        provider_config(emulator, "source"),
        emulator.account("task").account_id
    )
}

const DEFAULT_ROLE: &str = "resource \"aliram_dts_default_role\" \"dts\" {}\n";
const DEPENDS: &str = "  depends_on      = [aliram_dts_default_role.dts]\n";

fn get_role_calls(emulator: &Emulator) -> u64 {
    emulator.stats()["actions"]["GetRole"]["requests"]
        .as_u64()
        .unwrap_or(0)
}

fn plan(work: &Workdir) -> String {
    work.run(&["plan", "-input=false", "-no-color"])
        .success()
        .output()
}

#[test]
fn a_missing_default_role_warns_once_per_instance_and_the_resource_clears_it() {
    let emulator = Emulator::start(&[]);
    let source = emulator.account("source").account_id.clone();
    for tf in terraforms() {
        let work = Workdir::new(tf, &config(&emulator, 3, ""));
        let before = get_role_calls(&emulator);
        let output = plan(&work);
        for expected in [
            WARNING.to_owned(),
            format!("In account {source}, this account has no role AliyunDTSDefaultRole"),
            "DTS has the required permissions to access the cloud resources of the Alibaba Cloud account that owns the database instance".to_owned(),
            "Abnormal.RamCheckUserRole".to_owned(),
            "declare `resource \"aliram_dts_default_role\"`".to_owned(),
        ] {
            assert!(output.contains(&expected), "Terraform {}: lacks {expected:?}:\n{output}", tf.version);
        }
        // Three roles planned, one read of the default role (a plan of new roles reads nothing else by GetRole).
        assert_eq!(
            get_role_calls(&emulator) - before,
            1,
            "Terraform {}",
            tf.version
        );

        // Declared in the same configuration, planned first: no false alarm.
        work.write_config(&format!("{}{DEFAULT_ROLE}", config(&emulator, 3, DEPENDS)));
        let output = plan(&work);
        assert!(
            !output.contains(WARNING),
            "Terraform {}: {output}",
            tf.version
        );
        work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .success();
        // Once the role is right, the warning is gone even without the dependency.
        work.write_config(&format!("{}{DEFAULT_ROLE}", config(&emulator, 3, "")));
        work.assert_plan_clean();
        assert!(!plan(&work).contains(WARNING), "Terraform {}", tf.version);

        // Planning its destruction warns that DTS tasks depend on it.
        let destroy = work
            .run(&["plan", "-destroy", "-input=false", "-no-color"])
            .success()
            .output();
        assert!(
            destroy.contains("Every DTS Task of the Account Depends on This Role")
                && destroy.contains(&format!(
                    "This plan deletes AliyunDTSDefaultRole of account {source}"
                )),
            "Terraform {}:\n{destroy}",
            tf.version
        );
        work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
            .success();
        assert!(emulator.role_names("source").is_empty());
    }
}

#[test]
fn an_unreadable_default_role_only_warns() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        let work = Workdir::new(tf, &config(&emulator, 1, ""));
        emulator.admin_post(
            "faults/next",
            &json!({"action": "GetRole", "fault": "no_permission", "count": 1}),
        );
        let output = plan(&work);
        assert!(
            output.contains("DTS Default Role Not Checked")
                && output.contains("Could not read role AliyunDTSDefaultRole of account")
                && output.contains("NoPermission"),
            "Terraform {}:\n{output}",
            tf.version
        );
    }
}

#[test]
fn drift_on_the_default_role_shows() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        let work = Workdir::new(
            tf,
            &format!("{}{DEFAULT_ROLE}", provider_config(&emulator, "source")),
        );
        work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .success();
        work.assert_plan_clean();
        let api = emulator.api("source");
        let other_trust = r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["ecs.aliyuncs.com"]}}],"Version":"1"}"#;
        emulator
            .block_on(api.update_role(&UpdateRoleRequest {
                role_name: "AliyunDTSDefaultRole".to_owned(),
                new_assume_role_policy_document: Some(other_trust.to_owned()),
                ..Default::default()
            }))
            .expect("UpdateRole");
        emulator
            .block_on(api.attach_policy_to_role(
                "AliyunDTSDefaultRole",
                PolicyType::System,
                "AliyunOSSReadOnlyAccess",
            ))
            .expect("AttachPolicyToRole");
        let output = plan(&work);
        for expected in [
            "ecs.aliyuncs.com",
            "dts.aliyuncs.com",
            "AliyunOSSReadOnlyAccess",
            "1 to change",
        ] {
            assert!(
                output.contains(expected),
                "Terraform {}: lacks {expected:?}:\n{output}",
                tf.version
            );
        }
        work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .success();
        work.assert_plan_clean();
        work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
            .success();
    }
}

#[test]
fn the_example_creates_both_roles_without_a_warning_and_plans_clean() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        let work = emulator.example_workdir(tf, "resources/aliram_dts_default_role");
        let output = work
            .run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .success()
            .output();
        assert!(
            !output.contains(WARNING),
            "Terraform {}:\n{output}",
            tf.version
        );
        let mut roles = emulator.role_names("source");
        roles.sort();
        assert_eq!(
            roles,
            ["AliyunDTSDefaultRole", "ram-for-dts"],
            "Terraform {}",
            tf.version
        );
        assert!(emulator.service_may_assume(
            "dts.aliyuncs.com",
            &emulator.account("source").account_id,
            &format!(
                "acs:ram::{}:role/AliyunDTSDefaultRole",
                emulator.account("source").account_id
            )
        ));
        work.assert_plan_clean();
        work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
            .success();
        assert!(emulator.role_names("source").is_empty());
    }
}

#[test]
fn an_existing_default_role_is_imported_without_writes() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        crate::support::roles_by_hand::create(
            &emulator,
            "source",
            "AliyunDTSDefaultRole",
            r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["dts.aliyuncs.com"]}}],"Version":"1"}"#,
            &["AliyunDTSRolePolicy"],
            &[],
        );
        let import =
            "import {\n  to = aliram_dts_default_role.dts\n  id = \"AliyunDTSDefaultRole\"\n}\n";
        let work = Workdir::new(
            tf,
            &format!(
                "{}{DEFAULT_ROLE}{import}",
                provider_config(&emulator, "source")
            ),
        );
        let writes = emulator.writes();
        let output = work
            .run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .success()
            .output();
        assert!(
            output.contains("1 imported, 0 added, 0 changed, 0 destroyed"),
            "Terraform {}:\n{output}",
            tf.version
        );
        assert_eq!(
            emulator.writes(),
            writes,
            "Terraform {}: the import wrote",
            tf.version
        );
        work.assert_plan_clean();
        work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
            .success();
    }
}
