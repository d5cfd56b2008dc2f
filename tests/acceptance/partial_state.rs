//! Nothing is ever lost: an apply that fails after the role was created keeps the role in the state (no orphan),
//! and the next apply converges. The failure is forced: the emulator answers the first AttachPolicyToRole
//! `ServiceUnavailable` (queued with `POST /_emulator/faults/next`) and the provider may not retry
//! (`max_retry_timeout = 0`). An unknown policy name no longer serves: the plan refuses it before any write.

use crate::support::emulator::Emulator;
use crate::support::roles_by_hand::role_id;
use crate::support::{REQUIRED_PROVIDERS, Workdir, terraforms};
use serde_json::json;

fn config(emulator: &Emulator, policies: &str) -> String {
    let destination = &emulator.account("destination").account_id;
    let provider = emulator.provider_block(None, "source").replacen(
        "provider \"aliram\" {\n",
        "provider \"aliram\" {\n  max_retry_timeout = 0\n",
        1,
    );
    format!(
        "{REQUIRED_PROVIDERS}{provider}\nresource \"aliram_role\" \"r\" {{\n  role_name    = \"partial\"\n  trust_policy = provider::aliram::dts_trust_policy(\"{destination}\")\n  policy_names = [{policies}]\n}}\n"
    )
}

/// The policies attached to role `partial`, sorted.
fn attached(emulator: &Emulator) -> Vec<String> {
    emulator.attached_policies("source", "partial")
}

/// Applies `work`'s configuration with the first attachment forced to fail: the role is created with no policy,
/// the apply fails naming the call, and the state holds the role, tainted.
fn fail_the_attachment(emulator: &Emulator, work: &Workdir, version: &str) {
    emulator.admin_post(
        "faults/next",
        &json!({"action": "AttachPolicyToRole", "fault": "unavailable"}),
    );
    let failed = work.run(&[
        "apply",
        "-input=false",
        "-no-color",
        "-auto-approve",
        "-json",
    ]);
    assert_eq!(
        failed.code,
        1,
        "Terraform {version}: apply must fail:\n{}",
        failed.output()
    );
    let said = failed.error_text();
    assert!(
        said.contains("AttachPolicyToRole") && said.contains("ServiceUnavailable"),
        "Terraform {version}: the error names the call and the code: {said}"
    );
    assert_eq!(
        emulator.role_names("source"),
        ["partial"],
        "the role was created"
    );
    assert!(
        attached(emulator).is_empty(),
        "Terraform {version}: no policy attached"
    );
    let shown = work.run(&["show", "-json"]).success();
    let state: serde_json::Value =
        serde_json::from_str(&shown.stdout).expect("show -json prints JSON");
    let resource = &state["values"]["root_module"]["resources"][0];
    assert_eq!(
        resource["address"], "aliram_role.r",
        "Terraform {version}: {state}"
    );
    assert_eq!(
        resource["tainted"], true,
        "Terraform {version}: a role whose policies are not all attached is recorded tainted: {resource}"
    );
}

/// The actions and reason the plan of `work` has for `aliram_role.r`.
fn planned(work: &Workdir) -> (serde_json::Value, serde_json::Value) {
    let plan = work.plan_json();
    let change = plan["resource_changes"]
        .as_array()
        .and_then(|all| all.iter().find(|c| c["address"] == "aliram_role.r"))
        .cloned()
        .unwrap_or_else(|| panic!("no change for aliram_role.r: {plan}"));
    (
        change["change"]["actions"].clone(),
        change["action_reason"].clone(),
    )
}

#[test]
fn a_failed_attachment_keeps_the_created_role_in_state_and_the_next_apply_converges() {
    let emulator = Emulator::start(&[]);
    let policies = "\"AliyunDTSRolePolicy\", \"AliyunRAMReadOnlyAccess\"";
    let both = ["AliyunDTSRolePolicy", "AliyunRAMReadOnlyAccess"];
    for tf in terraforms() {
        let work = Workdir::new(tf, &config(&emulator, policies));

        // The next apply replaces the tainted role.
        fail_the_attachment(&emulator, &work, &tf.version);
        let first = role_id(&emulator, "source", "partial");
        assert_eq!(
            planned(&work),
            (
                json!(["delete", "create"]),
                json!("replace_because_tainted")
            ),
            "Terraform {}",
            tf.version
        );
        work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .success();
        work.assert_plan_clean();
        assert_eq!(emulator.role_names("source"), ["partial"]);
        assert_ne!(
            role_id(&emulator, "source", "partial"),
            first,
            "Terraform {}: replaced",
            tf.version
        );
        assert_eq!(attached(&emulator), both);
        work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
            .success();
        assert!(
            emulator.role_names("source").is_empty(),
            "orphaned role after destroy"
        );

        // `terraform untaint` keeps it instead, and the next apply attaches the rest in place.
        fail_the_attachment(&emulator, &work, &tf.version);
        let kept = role_id(&emulator, "source", "partial");
        work.run(&["untaint", "-no-color", "aliram_role.r"])
            .success();
        assert_eq!(
            planned(&work),
            (json!(["update"]), serde_json::Value::Null),
            "Terraform {}",
            tf.version
        );
        work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .success();
        work.assert_plan_clean();
        assert_eq!(
            role_id(&emulator, "source", "partial"),
            kept,
            "Terraform {}: kept",
            tf.version
        );
        assert_eq!(attached(&emulator), both);
        work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
            .success();
        assert!(
            emulator.role_names("source").is_empty(),
            "orphaned role after destroy"
        );
    }
}
