//! Trust policy documents and policy lists RAM would refuse fail `terraform plan` with an error naming the
//! attribute, before anything is written: at validation, which Terraform repeats during plan once values read
//! there (a data source) are known, and with one read (GetPolicy, once per distinct name per provider instance) for policy
//! names. `aliram_role` trusting its own account's service principal gets the seed-style warning at plan.

use crate::support::emulator::Emulator;
use crate::support::{REQUIRED_PROVIDERS, Workdir, squash, terraforms};
use terraform_provider_aliram::emulator::policy_catalog::SYSTEM_POLICIES;

/// Known only at plan: the data source is read then, so validation sees these values as unknown.
const ME: &str = "data \"aliram_caller_identity\" \"me\" {}\n";

/// A configuration and the fragments its plan error must contain. `TASK` is replaced by another account's UID.
struct Refusal {
    name: &'static str,
    config: String,
    says: Vec<&'static str>,
}

fn statement(action: &str) -> String {
    format!(
        r#"{{ Effect = "Allow", Action = "{action}", Principal = {{ RAM = ["acs:ram::TASK:root"] }} }}"#
    )
}

fn role(trust_policy: &str, policy_names: &str) -> String {
    format!(
        "resource \"aliram_role\" \"r\" {{\n  role_name    = \"checked\"\n  trust_policy = {trust_policy}\n  policy_names = {policy_names}\n}}\n"
    )
}

fn refusals() -> Vec<Refusal> {
    let dts = r#"["AliyunDTSRolePolicy"]"#;
    let allow = statement("sts:AssumeRole");
    let names: Vec<String> = SYSTEM_POLICIES
        .iter()
        .take(21)
        .map(|p| format!("{:?}", p.name))
        .collect();
    let twenty_one = format!("[{}]", names.join(", "));
    vec![
        Refusal {
            name: "Version 2",
            config: role(
                &format!(r#"jsonencode({{ Version = "2", Statement = [{allow}] }})"#),
                dts,
            ),
            says: vec![
                "trust_policy",
                "\"Version\"",
                "a string (\"2\")",
                "only the string \"1\"",
            ],
        },
        Refusal {
            name: "no statement",
            config: role(r#"jsonencode({ Version = "1", Statement = [] })"#, dts),
            says: vec![
                "trust_policy",
                "\"Statement\"",
                "a list ([])",
                "a non-empty list",
            ],
        },
        Refusal {
            name: "an action other than sts:AssumeRole",
            config: role(
                &format!(
                    r#"jsonencode({{ Version = "1", Statement = [{}] }})"#,
                    statement("ram:*")
                ),
                dts,
            ),
            says: vec![
                "trust_policy",
                "\"Statement[0].Action\"",
                "\"ram:*\"",
                "only \"sts:AssumeRole\"",
            ],
        },
        Refusal {
            name: "a key named twice",
            config: role(
                r#""{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Deny\",\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Principal\":{\"RAM\":[\"acs:ram::TASK:root\"]}}]}""#,
                dts,
            ),
            says: vec![
                "trust_policy",
                "duplicate key \"Effect\"",
                "no key appears twice",
            ],
        },
        Refusal {
            name: "a one-megabyte document",
            config: role(
                r#"jsonencode({ Version = "1", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { RAM = ["acs:ram::TASK:root"] }, Condition = { StringEquals = { "sts:ExternalId" = format("%1048576s", "x") } } }] })"#,
                dts,
            ),
            says: vec!["trust_policy", "characters long", "at most 2048 characters"],
        },
        Refusal {
            name: "Version 2 known only at plan",
            config: format!(
                "{ME}{}",
                role(
                    r#"jsonencode({ Version = "2", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { RAM = ["acs:ram::${data.aliram_caller_identity.me.account_id}:root"] } }] })"#,
                    dts,
                )
            ),
            says: vec!["trust_policy", "only the string \"1\""],
        },
        Refusal {
            // The generated kinds are checked too, at plan, where their document is built.
            name: "a DTS role whose generated document is too long",
            config: r#"resource "aliram_cross_account_dts_role" "r" {
  scenario        = "source"
  task_account_id = format("%01100d", 1)
}
"#
            .to_owned(),
            says: vec![
                "Trust Policy Refused by RAM's Rules",
                "RAM would refuse this trust_policy",
                "characters long",
                "at most 2048 characters",
            ],
        },
        Refusal {
            name: "21 system policies",
            config: role(
                &format!(r#"jsonencode({{ Version = "1", Statement = [{allow}] }})"#),
                &twenty_one,
            ),
            says: vec![
                "policy_names has 21 System policies",
                "at most 20",
                "remove 1",
            ],
        },
        Refusal {
            name: "21 system policies known only at plan",
            config: format!(
                "{ME}{}",
                role(
                    &format!(r#"jsonencode({{ Version = "1", Statement = [{allow}] }})"#),
                    &format!(
                        "[for n in {twenty_one} : n if data.aliram_caller_identity.me.account_id != \"\"]"
                    ),
                )
            ),
            says: vec!["policy_names has 21 System policies", "at most 20"],
        },
        Refusal {
            name: "an unknown policy name",
            config: role(
                &format!(r#"jsonencode({{ Version = "1", Statement = [{allow}] }})"#),
                r#"["AliyunDTSRolePolicy", "AliyunDTSRolePolcy"]"#,
            ),
            says: vec![
                "Unknown Policy",
                "policy_names names \"AliyunDTSRolePolcy\"",
                "exact letter case",
            ],
        },
    ]
}

#[test]
fn each_refused_document_and_policy_list_fails_the_plan_before_any_write() {
    let emulator = Emulator::start(&[]);
    let task = emulator.account("destination").account_id.clone();
    for tf in terraforms() {
        for refusal in refusals() {
            let config = format!(
                "{REQUIRED_PROVIDERS}{}\n{}",
                emulator.provider_block(None, "source"),
                refusal.config.replace("TASK", &task)
            );
            let work = Workdir::new(tf, &config);
            let output = work.assert_plan_refused(refusal.name, &refusal.says);
            assert!(
                !output.contains("too large"),
                "Terraform {}: {}: {output}",
                tf.version,
                refusal.name
            );
        }
    }
    assert_eq!(emulator.writes(), 0, "a refused plan wrote to the API");
}

#[test]
fn policy_names_are_looked_up_once_per_distinct_name_per_provider_instance() {
    let emulator = Emulator::start(&[]);
    let task = emulator.account("destination").account_id.clone();
    let config = format!(
        "{REQUIRED_PROVIDERS}{}\n{}",
        emulator.provider_block(None, "source"),
        format_args!(
            r#"resource "aliram_role" "r" {{
  count        = 40
  role_name    = "many-${{count.index}}"
  trust_policy = provider::aliram::dts_trust_policy("{task}")
  policy_names = ["AliyunDTSRolePolicy", "AliyunRAMReadOnlyAccess"]
}}
"#
        )
    );
    let get_policy_calls = || emulator.action_stat("GetPolicy", "requests");
    for tf in terraforms() {
        let before = get_policy_calls();
        let work = Workdir::new(tf, &config);
        work.run(&["plan", "-input=false", "-no-color"]).success();
        assert_eq!(
            get_policy_calls() - before,
            2,
            "Terraform {}: one GetPolicy per distinct name for 40 roles",
            tf.version
        );
    }
    assert_eq!(emulator.writes(), 0);
}

#[test]
fn a_generic_role_trusting_its_own_account_gets_a_warning_at_plan() {
    let emulator = Emulator::start(&[]);
    let own = emulator.account("source").account_id.clone();
    let task = emulator.account("destination").account_id.clone();
    for tf in terraforms() {
        for (trust_policy, warned) in [
            (format!("provider::aliram::dts_trust_policy(\"{own}\")"), true),
            (
                "provider::aliram::dataworks_trust_policy(data.aliram_caller_identity.me.account_id)"
                    .to_owned(),
                true,
            ),
            (format!("provider::aliram::dts_trust_policy(\"{task}\")"), false),
        ] {
            let config = format!(
                "{REQUIRED_PROVIDERS}{}\n{ME}{}",
                emulator.provider_block(None, "source"),
                role(&trust_policy, r#"["AliyunDTSRolePolicy"]"#)
            );
            let work = Workdir::new(tf, &config);
            let plan = work.run(&["plan", "-input=false", "-no-color"]).success();
            let output = plan.output();
            assert_eq!(
                output.contains("Warning: Role Would Trust Its Own Account"),
                warned,
                "Terraform {}: {trust_policy}:\n{output}",
                tf.version
            );
            if warned {
                for fragment in ["trust_policy", &own, "not the account that owns the role"] {
                    assert!(
                        output.contains(fragment),
                        "Terraform {}: {trust_policy}: lacks {fragment:?}:\n{output}",
                        tf.version
                    );
                }
            }
        }
    }
    assert_eq!(emulator.writes(), 0);
}

#[test]
fn credentials_that_may_not_read_policies_still_plan_with_a_warning() {
    let emulator = Emulator::start(&[]);
    let task = emulator.account("destination").account_id.clone();
    let config = format!(
        "{REQUIRED_PROVIDERS}{}\n{}",
        emulator.provider_block(None, "source"),
        role(
            &format!("provider::aliram::dts_trust_policy(\"{task}\")"),
            r#"["AliyunDTSRolePolicy"]"#
        )
    );
    for tf in terraforms() {
        // As RAM answers a caller whose policies do not allow ram:GetPolicy.
        emulator.admin_post(
            "faults/next",
            &serde_json::json!({"action": "GetPolicy", "fault": "no_permission"}),
        );
        let refused = emulator.faults_served("no_permission");
        let work = Workdir::new(tf, &config);
        let plan = work.run(&["plan", "-input=false", "-no-color"]).success();
        let output = plan.output();
        assert_eq!(emulator.faults_served("no_permission"), refused + 1);
        for fragment in [
            "Warning: Policy Names Not Checked",
            "policy_names could not be checked before apply",
            "NoPermission",
        ] {
            assert!(
                output.contains(fragment),
                "Terraform {}: lacks {fragment:?}:\n{output}",
                tf.version
            );
        }
    }
}

#[test]
fn a_policy_name_known_only_at_apply_is_checked_before_the_role_is_created() {
    let emulator = Emulator::start(&[]);
    let task = emulator.account("destination").account_id.clone();
    // terraform_data's output is unknown until it is applied: the plan cannot check the name, the apply's plan of
    // the role can, before its CreateRole.
    let config = format!(
        "{REQUIRED_PROVIDERS}{}\nresource \"terraform_data\" \"name\" {{\n  input = \"AliyunDTSRolePolcy\"\n}}\n{}",
        emulator.provider_block(None, "source"),
        role(
            &format!("provider::aliram::dts_trust_policy(\"{task}\")"),
            "[terraform_data.name.output]"
        )
    );
    for tf in terraforms() {
        let work = Workdir::new(tf, &config);
        work.run(&["plan", "-input=false", "-no-color"]).success();
        let apply = work.run(&["apply", "-input=false", "-no-color", "-auto-approve"]);
        let output = apply.output();
        assert_eq!(
            apply.code, 1,
            "Terraform {}: apply must fail:\n{output}",
            tf.version
        );
        assert!(
            output.contains("Unknown Policy")
                && output.contains("policy_names names \"AliyunDTSRolePolcy\""),
            "Terraform {}: {output}",
            tf.version
        );
    }
    assert_eq!(
        emulator.writes(),
        0,
        "the role was written before its policy names were checked"
    );
}

#[test]
fn the_own_account_warning_is_shown_when_the_document_is_written_not_on_every_plan() {
    let emulator = Emulator::start(&[]);
    let own = emulator.account("source").account_id.clone();
    let config = format!(
        "{REQUIRED_PROVIDERS}{}\n{}",
        emulator.provider_block(None, "source"),
        role(
            &format!("provider::aliram::dts_trust_policy(\"{own}\")"),
            r#"["AliyunDTSRolePolicy"]"#
        )
    );
    for tf in terraforms() {
        let work = Workdir::new(tf, &config);
        let apply = work
            .run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .success();
        assert!(
            squash(&apply.stdout).contains("Warning: Role Would Trust Its Own Account"),
            "Terraform {}: {}",
            tf.version,
            apply.stdout
        );
        work.assert_plan_clean();
        let plan = work.run(&["plan", "-input=false", "-no-color"]).success();
        assert!(
            !plan.stdout.contains("Role Would Trust Its Own Account"),
            "Terraform {}: warned again: {}",
            tf.version,
            plan.stdout
        );
        work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
            .success();
    }
}
