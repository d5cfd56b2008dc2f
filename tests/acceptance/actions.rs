//! The action `aliram_verify_assume_role` through Terraform 1.14 and later (actions are a 1.14 feature; the
//! Terraforms older than that are filtered out explicitly, and the other modules keep running the provider on
//! them): the schema Terraform reads, `terraform apply -invoke`, an `action_trigger` after a role is created, the
//! causes of a refusal, and the check by evaluation for a service.

use crate::support::Terraform;
use crate::support::Workdir;
use crate::support::emulator::Emulator;
use crate::support::roles_by_hand::{create, provider_config, user_provider_config};
use crate::support::terraform_versions::terraforms_supporting;

const FEATURE: &str = "actions";

/// The Terraforms that have actions: 1.14 and later.
fn with_actions() -> Vec<&'static Terraform> {
    terraforms_supporting((1, 14), FEATURE)
}

fn action_block(role_arn: &str, extra: &str) -> String {
    format!(
        "action \"aliram_verify_assume_role\" \"check\" {{\n  config {{\n    role_arn = \"{role_arn}\"\n{extra}  }}\n}}\n"
    )
}

fn invoke(work: &Workdir) -> crate::support::Run {
    work.run(&[
        "apply",
        "-input=false",
        "-no-color",
        "-auto-approve",
        "-invoke=action.aliram_verify_assume_role.check",
    ])
}

fn role_arn(emulator: &Emulator, owner: &str, name: &str) -> String {
    format!(
        "acs:ram::{}:role/{name}",
        emulator.account(owner).account_id
    )
}

#[test]
fn the_schema_lists_the_action_with_a_description_on_every_argument() {
    let emulator = Emulator::start(&[]);
    for tf in with_actions() {
        let work = Workdir::new(tf, &user_provider_config(&emulator, "task"));
        let shown = work.run(&["providers", "schema", "-json"]).success();
        let schema: serde_json::Value = serde_json::from_str(&shown.stdout).expect("schema JSON");
        let action = &schema["provider_schemas"]["registry.terraform.io/aliram/aliram"]["action_schemas"]
            ["aliram_verify_assume_role"];
        let attributes = action["block"]["attributes"]
            .as_object()
            .unwrap_or_else(|| {
                panic!(
                    "Terraform {}: no action schema in {}",
                    tf.version, shown.stdout
                )
            });
        let mut names: Vec<&str> = attributes.keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            ["external_id", "role_arn", "service"],
            "Terraform {}",
            tf.version
        );
        for (name, attribute) in attributes {
            let description = attribute["description"].as_str().unwrap_or_default();
            assert!(
                description.len() > 40,
                "Terraform {}: {name} has no description",
                tf.version
            );
        }
        assert_eq!(attributes["role_arn"]["required"], true);
        assert!(
            action["block"]["description"]
                .as_str()
                .unwrap_or_default()
                .contains("AssumeRole")
        );
    }
}

#[test]
fn the_trusted_account_verifies_by_invoke() {
    let emulator = Emulator::start(&[]);
    let arn = emulator.create_role_trusting("source", "trusts-task", "task");
    let source = &emulator.account("source").account_id;
    for tf in with_actions() {
        let config = format!(
            "{}{}",
            user_provider_config(&emulator, "task"),
            action_block(&arn, "")
        );
        let work = Workdir::new(tf, &config);
        let run = invoke(&work).success();
        let output = run.output();
        for expected in [
            format!(
                "verifying {arn} as acs:ram::{}:",
                emulator.account("task").account_id
            ),
            format!(
                "assumed {arn}: the session is acs:ram::{source}:assumed-role/trusts-task/aliram-verify-assume-role (account {source})"
            ),
            "Actions: 1 invoked".to_owned(),
        ] {
            assert!(
                output.contains(&expected),
                "Terraform {}: lacks {expected:?}:\n{output}",
                tf.version
            );
        }
        // The credentials are never shown.
        assert!(
            !output.contains("STS.NT"),
            "Terraform {}: output shows an STS key:\n{output}",
            tf.version
        );
    }
}

#[test]
fn another_account_fails_with_the_cause() {
    let emulator = Emulator::start(&[]);
    let arn = emulator.create_role_trusting("source", "trusts-task", "task");
    let destination = &emulator.account("destination").account_id;
    for tf in with_actions() {
        let config = format!(
            "{}{}",
            user_provider_config(&emulator, "destination"),
            action_block(&arn, "")
        );
        let work = Workdir::new(tf, &config);
        invoke(&work).failure(
            &format!("Terraform {}", tf.version),
            &[
                "Cannot Assume the Role",
                &format!("the trust policy does not admit account {destination}"),
                "NoPermission",
            ],
        );
    }
}

#[test]
fn a_missing_role_and_an_external_id_condition_are_named() {
    let emulator = Emulator::start(&[]);
    let task = emulator.account("task").account_id.clone();
    let with_condition = format!(
        r#"{{"Statement":[{{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{{"RAM":["acs:ram::{task}:root"]}},"Condition":{{"StringEquals":{{"sts:ExternalId":"expected-id"}}}}}}],"Version":"1"}}"#
    );
    // A role of the caller's own account can be read, so the trust policy itself tells the cause.
    create(
        &emulator,
        "task",
        "needs-external-id",
        &with_condition,
        &[],
        &[],
    );
    for tf in with_actions() {
        let missing = role_arn(&emulator, "source", "no-such-role");
        let work = Workdir::new(
            tf,
            &format!(
                "{}{}",
                user_provider_config(&emulator, "task"),
                action_block(&missing, "")
            ),
        );
        let version = format!("Terraform {}", tf.version);
        invoke(&work).failure(
            &version,
            &[&format!(
                "Account {} has no role named no-such-role",
                emulator.account("source").account_id
            )],
        );

        let arn = role_arn(&emulator, "task", "needs-external-id");
        work.write_config(&format!(
            "{}{}",
            user_provider_config(&emulator, "task"),
            action_block(&arn, "    external_id = \"wrong-id\"\n")
        ));
        invoke(&work).failure(
            &version,
            &["The role's trust policy refuses: the ExternalId sent does not match its sts:ExternalId condition"],
        );
        work.write_config(&format!(
            "{}{}",
            user_provider_config(&emulator, "task"),
            action_block(&arn, "    external_id = \"expected-id\"\n")
        ));
        invoke(&work).success();
    }
}

#[test]
fn an_action_trigger_after_create_and_after_update_verifies_the_role() {
    let emulator = Emulator::start(&[]);
    let task = emulator.account("task").account_id.clone();
    for tf in with_actions() {
        let config = format!(
            "terraform {{\n  required_providers {{\n    aliram = {{ source = \"aliram/aliram\" }}\n  }}\n}}\n{}{}\
             resource \"aliram_role\" \"r\" {{\n  provider     = aliram.source\n  role_name    = \"verified-on-create\"\n  trust_policy = jsonencode({{ Version = \"1\", Statement = [{{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = {{ RAM = [\"acs:ram::{task}:root\"] }} }}] }})\n  policy_names = []\n  lifecycle {{\n    action_trigger {{\n      events  = [after_create, after_update]\n      actions = [action.aliram_verify_assume_role.check]\n    }}\n  }}\n}}\n\
             action \"aliram_verify_assume_role\" \"check\" {{\n  provider = aliram.task\n  config {{\n    role_arn = aliram_role.r.arn\n  }}\n}}\n",
            emulator.provider_block(Some("source"), "source"),
            emulator.user_provider_block(Some("task"), "task"),
        );
        let work = Workdir::new(tf, &config);
        let plan = work.run(&["plan", "-input=false", "-no-color"]).success();
        assert!(
            plan.output().contains("Actions: 1 to invoke"),
            "Terraform {}:\n{}",
            tf.version,
            plan.output()
        );
        let apply = work
            .run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .success();
        let output = apply.output();
        assert!(
            output.contains("Actions: 1 invoked"),
            "Terraform {}:\n{output}",
            tf.version
        );
        assert!(
            output.contains("assumed acs:ram::")
                && output.contains("role/verified-on-create: the session is"),
            "Terraform {}:\n{output}",
            tf.version
        );
        // No change, no action: the trigger fires on create and update only.
        work.assert_plan_clean();
        // An update in place fires it again.
        work.write_config(&config.replace(
            "policy_names = []",
            "policy_names = []\n  description  = \"verified on update\"",
        ));
        let update = work
            .run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .success()
            .output();
        assert!(
            update.contains("0 added, 1 changed, 0 destroyed. Actions: 1 invoked")
                && update.contains("role/verified-on-create: the session is"),
            "Terraform {}:\n{update}",
            tf.version
        );
        work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
            .success();
    }
}

#[test]
fn a_service_is_checked_by_evaluation() {
    let emulator = Emulator::start(&[]);
    for tf in with_actions() {
        let config = format!(
            "{}resource \"aliram_dts_default_role\" \"dts\" {{}}\n\
             action \"aliram_verify_assume_role\" \"check\" {{\n  config {{\n    role_arn = aliram_dts_default_role.dts.arn\n    service  = \"dts.aliyuncs.com\"\n  }}\n}}\n\
             action \"aliram_verify_assume_role\" \"cdp\" {{\n  config {{\n    role_arn = aliram_dts_default_role.dts.arn\n    service  = \"cdp.aliyuncs.com\"\n  }}\n}}\n",
            provider_config(&emulator, "source"),
        );
        let work = Workdir::new(tf, &config);
        work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .success();
        let output = invoke(&work).success().output();
        assert!(
            output.contains("checked by evaluating the trust policy, not by assuming the role: statement 1 allows dts.aliyuncs.com acting for account"),
            "Terraform {}:\n{output}",
            tf.version
        );
        let refused = work.run(&[
            "apply",
            "-input=false",
            "-no-color",
            "-auto-approve",
            "-invoke=action.aliram_verify_assume_role.cdp",
        ]);
        assert_eq!(refused.code, 1);
        assert!(
            refused
                .output()
                .contains("Trust Policy Does Not Admit the Service")
                && refused
                    .output()
                    .contains("Checked by evaluating the trust policy of"),
            "Terraform {}:\n{}",
            tf.version,
            refused.output()
        );
        work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
            .success();
    }
}

#[test]
fn the_invoke_example_applies_verifies_and_plans_clean() {
    let emulator = Emulator::start(&[]);
    for tf in with_actions() {
        let work = emulator.example_workdir(tf, "actions/aliram_verify_assume_role/invoke");
        work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .success();
        for (action, expected) in [
            (
                "task_assumes_source",
                "assumed acs:ram::1111000011110001:role/ram-for-dts: the session is",
            ),
            (
                "dts_default_role",
                "checked by evaluating the trust policy, not by assuming the role",
            ),
        ] {
            let run = work
                .run(&[
                    "apply",
                    "-input=false",
                    "-no-color",
                    "-auto-approve",
                    &format!("-invoke=action.aliram_verify_assume_role.{action}"),
                ])
                .success();
            assert!(
                run.output().contains(expected),
                "Terraform {}: {action}:\n{}",
                tf.version,
                run.output()
            );
        }
        work.assert_plan_clean();
        work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
            .success();
        assert!(emulator.role_names("source").is_empty());
    }
}

#[test]
fn the_action_trigger_example_verifies_on_create_only() {
    let emulator = Emulator::start(&[]);
    for tf in with_actions() {
        let work = emulator.example_workdir(tf, "actions/aliram_verify_assume_role/action_trigger");
        let apply = work
            .run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .success();
        let output = apply.output();
        assert!(
            output
                .contains("(triggered by aliram_cross_account_dts_role.source): assumed acs:ram::")
                && output.contains("Actions: 1 invoked"),
            "Terraform {}:\n{output}",
            tf.version
        );
        assert!(
            !output.contains("DTS Default Role Missing"),
            "Terraform {}:\n{output}",
            tf.version
        );
        work.assert_plan_clean();
        work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
            .success();
        assert!(emulator.role_names("source").is_empty());
    }
}

#[test]
fn a_role_arn_known_only_at_plan_is_checked_before_any_write() {
    let emulator = Emulator::start(&[]);
    for tf in with_actions() {
        // The caller identity's ARN is read during the plan: not a role ARN, refused there, before the role exists.
        let config = format!(
            "{}data \"aliram_caller_identity\" \"me\" {{}}\n\
             resource \"aliram_role\" \"r\" {{\n  role_name    = \"never-created\"\n  trust_policy = jsonencode({{ Version = \"1\", Statement = [{{ Effect = \"Allow\", Action = \"sts:AssumeRole\", Principal = {{ RAM = [\"acs:ram::{}:root\"] }} }}] }})\n  policy_names = []\n  lifecycle {{\n    action_trigger {{\n      events  = [after_create]\n      actions = [action.aliram_verify_assume_role.check]\n    }}\n  }}\n}}\n\
             action \"aliram_verify_assume_role\" \"check\" {{\n  config {{\n    role_arn = data.aliram_caller_identity.me.arn\n  }}\n}}\n",
            provider_config(&emulator, "source"),
            emulator.account("task").account_id,
        );
        let work = Workdir::new(tf, &config);
        let writes = emulator.writes();
        work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .failure(
                &format!("Terraform {}", tf.version),
                &[&format!(
                    "role_arn \"acs:ram::{}:root\" is not a role ARN: expected acs:ram::<account UID>:role/<role name>",
                    emulator.account("source").account_id
                )],
            );
        assert_eq!(
            emulator.writes(),
            writes,
            "Terraform {}: a write before the refusal",
            tf.version
        );
    }
}

#[test]
fn root_keys_fail_with_the_sts_reason() {
    let emulator = Emulator::start(&[]);
    let arn = emulator.create_role_trusting("source", "trusts-task", "task");
    let task = emulator.account("task").account_id.clone();
    for tf in with_actions() {
        let config = format!(
            "{}{}",
            provider_config(&emulator, "task"),
            action_block(&arn, "")
        );
        let work = Workdir::new(tf, &config);
        // The emulator refuses AssumeRole to root keys as STS does ("Roles may not be assumed by root accounts.").
        let output = invoke(&work).failure(&format!("Terraform {}", tf.version), &[]);
        // Named first among the causes while STS's answer is a bare NoPermission, alone once it says "root".
        assert!(
            output.to_lowercase().contains(&format!(
                "this provider instance uses the root accesskey of account {task} (acs:ram::{task}:root), and sts \
                 refuses assumerole to an account's root identity"
            )),
            "Terraform {}:\n{output}",
            tf.version
        );
    }
}
