//! Nothing is ever lost: an apply that fails after the role was created keeps the role in the state (no orphan),
//! and the next apply converges. The failure is forced: the emulator answers the first AttachPolicyToRole
//! `ServiceUnavailable` (queued with `POST /_emulator/faults/next`) and the provider may not retry
//! (`max_retry_timeout = 0`). An unknown policy name no longer serves: the plan refuses it before any write.

use crate::support::emulator::Emulator;
use crate::support::{REQUIRED_PROVIDERS, Workdir, squash, terraforms};
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

#[test]
fn a_failed_attachment_keeps_the_created_role_in_state_and_the_next_apply_converges() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        let policies = "\"AliyunDTSRolePolicy\", \"AliyunRAMReadOnlyAccess\"";
        let work = Workdir::new(tf, &config(&emulator, policies));
        emulator.admin_post(
            "faults/next",
            &json!({"action": "AttachPolicyToRole", "fault": "unavailable"}),
        );
        let failed = work.run(&["apply", "-input=false", "-no-color", "-auto-approve"]);
        assert_eq!(
            failed.code, 1,
            "Terraform {}: apply must fail:\n{}",
            tf.version, failed.stdout
        );
        let stderr = squash(&failed.stderr);
        assert!(
            stderr.contains("AttachPolicyToRole") && stderr.contains("ServiceUnavailable"),
            "{stderr}"
        );
        assert_eq!(
            emulator.role_names("source"),
            ["partial"],
            "the role was created"
        );
        let listed = work.run(&["state", "list"]).success();
        assert!(
            listed.stdout.contains("aliram_role.r"),
            "Terraform {}: the created role is not in the state",
            tf.version
        );

        work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .success();
        work.assert_plan_clean();
        assert_eq!(emulator.role_names("source"), ["partial"]);
        work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
            .success();
        assert!(
            emulator.role_names("source").is_empty(),
            "orphaned role after destroy"
        );
    }
}
