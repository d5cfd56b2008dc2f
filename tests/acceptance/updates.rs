//! Configuration changes: description, session duration, tags and policies update the role in place; a new
//! role name replaces it.

use crate::support::emulator::Emulator;
use crate::support::roles_by_hand::provider_config;
use crate::support::{Workdir, squash, terraforms};

fn config(emulator: &Emulator, name: &str, rest: &str) -> String {
    let destination = &emulator.account("destination").account_id;
    format!(
        "{}\nresource \"aliram_role\" \"r\" {{\n  role_name    = \"{name}\"\n  trust_policy = provider::aliram::dts_trust_policy(\"{destination}\")\n{rest}}}\n",
        provider_config(emulator, "source")
    )
}

fn plan_summary(work: &Workdir) -> String {
    let plan = work.run(&["plan", "-input=false", "-no-color"]).success();
    squash(&plan.stdout)
}

#[test]
fn changes_update_in_place_and_a_new_name_replaces() {
    let emulator = Emulator::start(&[]);
    let api = emulator.api("source");
    for tf in terraforms() {
        let work = Workdir::new(
            tf,
            &config(
                &emulator,
                "updatable",
                "  policy_names = [\"AliyunDTSRolePolicy\"]\n",
            ),
        );
        work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .success();

        let changed = "  policy_names = [\"AliyunRAMReadOnlyAccess\"]\n  description = \"now described\"\n  max_session_duration = 7200\n  tags = { team = \"data\" }\n";
        work.write_config(&config(&emulator, "updatable", changed));
        let summary = plan_summary(&work);
        assert!(
            summary.contains("0 to add, 1 to change, 0 to destroy"),
            "Terraform {}: {summary}",
            tf.version
        );
        work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .success();
        let role = emulator
            .block_on(api.get_role("updatable"))
            .expect("GetRole")
            .role;
        assert_eq!(role.description.as_deref(), Some("now described"));
        assert_eq!(role.max_session_duration, Some(7200));
        let policies = emulator
            .block_on(api.list_policies_for_role("updatable"))
            .expect("policies")
            .policies
            .policy;
        assert_eq!(
            policies
                .iter()
                .map(|p| p.policy_name.as_str())
                .collect::<Vec<_>>(),
            ["AliyunRAMReadOnlyAccess"]
        );
        work.assert_plan_clean();

        work.write_config(&config(&emulator, "renamed", changed));
        let summary = plan_summary(&work);
        assert!(
            summary.contains("must be replaced")
                && summary.contains("1 to add, 0 to change, 1 to destroy"),
            "Terraform {}: {summary}",
            tf.version
        );
        work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .success();
        assert_eq!(emulator.role_names("source"), ["renamed"]);
        work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
            .success();
        assert!(emulator.role_names("source").is_empty());
    }
}

const POLICIES: &str = "  policy_names = [\"AliyunDTSRolePolicy\"]\n";

#[test]
fn removing_the_description_sends_nothing_and_plans_clean() {
    let emulator = Emulator::start(&[]);
    let api = emulator.api("source");
    for tf in terraforms() {
        let work = Workdir::new(
            tf,
            &config(
                &emulator,
                "described",
                &format!("{POLICIES}  description = \"kept\"\n"),
            ),
        );
        work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .success();
        let writes = emulator.writes();
        work.write_config(&config(&emulator, "described", POLICIES));
        work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .success();
        assert_eq!(emulator.writes(), writes, "removing the description wrote");
        work.assert_plan_clean();
        let role = emulator
            .block_on(api.get_role("described"))
            .expect("GetRole")
            .role;
        assert_eq!(role.description.as_deref(), Some("kept"));
        work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
            .success();
    }
}
