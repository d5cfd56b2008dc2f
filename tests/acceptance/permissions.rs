//! The provider under real permissions, through real Terraform: the emulator enforces RAM's policies, and each
//! test runs as a RAM user with a scoped policy, as a team would run Terraform.
//!
//! - A plan as an `AliyunRAMReadOnlyAccess` user after an apply is clean; an apply it may not make fails naming
//!   the denied action.
//! - The guide's two policies (`docs/guides/permissions.md`: plan-only, apply) are exactly what plan, apply,
//!   update, import and destroy of the examples use, as the emulator's recorder sees it; with one action removed
//!   from the apply policy, the apply fails naming that action.
//! - `terraform query` (with configuration generation) runs as a user with exactly the guide's plan-only policy,
//!   which the guide says covers it.

use crate::query::{FEATURE as QUERY, mixed_roles_found, query_file, results};
use crate::support::emulator::Emulator;
use crate::support::policy_guide::{grants, json_blocks};
use crate::support::roles_by_hand::make_mixed_roles;
use crate::support::terraform_versions::terraforms_supporting;
use crate::support::{REQUIRED_PROVIDERS, Workdir, terraforms};
use serde_json::Value;
use std::collections::BTreeSet;
use terraform_provider_aliram::emulator::accounts::{
    Account, DeclaredPolicy, DeclaredUser, demo_accounts,
};

/// The examples the guide's policies are produced with: every resource type of the provider, and the roles data
/// source (read at apply after the role it depends on, then at each plan).
const EXAMPLES: [&str; 4] = [
    "resources/aliram_role",
    "resources/aliram_dataworks_source_role",
    "resources/aliram_cross_account_dts_role/scenario_1_source",
    "data-sources/roles",
];

/// The example updated and re-imported, and its resource.
const ROLE_EXAMPLE: &str = "resources/aliram_role";
const ROLE_RESOURCE: &str = "aliram_role.audit_reader";

/// The fenced `json` blocks of the guide, in order: the plan-only policy, then the apply policy.
fn guide_policies() -> (Value, Value) {
    let blocks = json_blocks("permissions");
    assert_eq!(
        blocks.len(),
        2,
        "the guide has the plan-only and the apply policy"
    );
    (blocks[0].clone(), blocks[1].clone())
}

/// The demo accounts, each with the custom policies `TerraformPlan` and `TerraformApply` (documents `plan` and
/// `apply`) and the users `planner`, `applier` (with them) and `reader` (`AliyunRAMReadOnlyAccess`).
fn accounts(plan: &Value, apply: &Value) -> Vec<Account> {
    let mut accounts = demo_accounts();
    for account in &mut accounts {
        for (name, document) in [("TerraformPlan", plan), ("TerraformApply", apply)] {
            account.policies.push(DeclaredPolicy {
                name: name.into(),
                description: String::new(),
                document: document.clone(),
            });
        }
        for (user, system, custom) in [
            ("planner", None, Some("TerraformPlan")),
            ("applier", None, Some("TerraformApply")),
            ("reader", Some("AliyunRAMReadOnlyAccess"), None),
        ] {
            let key_id = format!("LTAI{}{user}", account.account_id);
            account.users.push(DeclaredUser {
                name: user.into(),
                access_key_secret: format!("{key_id}-secret"),
                access_key_id: key_id,
                system_policies: system.map(str::to_owned).into_iter().collect(),
                custom_policies: custom.map(str::to_owned).into_iter().collect(),
            });
        }
    }
    accounts
}

fn start(accounts: &[Account]) -> Emulator {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("accounts.json");
    std::fs::write(&path, serde_json::to_string(accounts).expect("JSON"))
        .expect("writing accounts");
    Emulator::start(&["--accounts", path.to_str().expect("path")])
}

/// Every account's user `user`, for [`Emulator::act_as`].
fn everyone_as<'a>(emulator: &'a Emulator, user: &str) -> Vec<(&'a str, &'a DeclaredUser)> {
    emulator
        .accounts
        .iter()
        .filter_map(|a| Some((a.name.as_str(), a.users.iter().find(|u| u.name == user)?)))
        .collect()
}

/// What the users named `user` of every account were allowed, as `(action, resource)` with names and accounts `*`.
fn recorded(emulator: &Emulator, user: &str) -> BTreeSet<(String, String)> {
    let all = emulator.admin_get("recorder?names=any");
    let mut out = BTreeSet::new();
    for account in &emulator.accounts {
        let identity = format!("acs:ram::{}:user/{user}", account.account_id);
        if let Some(policy) = all["identities"].get(&identity) {
            out.extend(grants(policy));
        }
    }
    out
}

fn run_ok(work: &Workdir, args: &[&str]) {
    work.run(args).success();
}

const APPLY: [&str; 4] = ["apply", "-auto-approve", "-input=false", "-no-color"];
const DESTROY: [&str; 4] = ["destroy", "-auto-approve", "-input=false", "-no-color"];

#[test]
fn a_read_only_user_plans_cleanly_and_may_not_apply() {
    let (plan, apply) = guide_policies();
    let emulator = start(&accounts(&plan, &apply));
    for tf in terraforms() {
        let mut work = emulator.example_workdir(tf, ROLE_EXAMPLE);
        emulator.act_as(&mut work, &everyone_as(&emulator, "applier"));
        run_ok(&work, &APPLY);
        // After the apply, the read-only user's plan (refresh included) is clean.
        emulator.act_as(&mut work, &everyone_as(&emulator, "reader"));
        work.assert_plan_clean();

        // A change it may not make: the apply fails naming the denied action, the identity and what to add.
        let changed = std::fs::read_to_string(work.path().join("main.tf"))
            .expect("main.tf")
            .replace(
                "Read-only access for the partner account",
                "Changed by a read-only user",
            );
        work.write_config(&changed);
        let refused = work.run(&APPLY);
        let output = refused.output();
        assert_ne!(refused.code, 0, "Terraform {}: {output}", tf.version);
        let source = &emulator.account("source").account_id;
        for fragment in [
            "Permission Denied",
            &format!("RAM refused ram:UpdateRole on acs:ram:*:{source}:role/partner-audit-reader"),
            "the RAM user with ID",
            "\"Action\":\"ram:UpdateRole\"",
        ] {
            assert!(
                output.contains(fragment),
                "Terraform {}: {fragment:?} not in:\n{output}",
                tf.version
            );
        }
        emulator.act_as(&mut work, &everyone_as(&emulator, "applier"));
        run_ok(&work, &DESTROY);
    }
}

#[test]
fn the_guides_policies_are_exactly_what_plan_apply_import_and_destroy_use() {
    let (plan, apply) = guide_policies();
    let emulator = start(&accounts(&plan, &apply));
    for tf in terraforms() {
        emulator.admin_post("recorder/reset", &serde_json::json!({}));
        for example in EXAMPLES {
            let mut work = emulator.example_workdir(tf, example);
            emulator.act_as(&mut work, &everyone_as(&emulator, "applier"));
            run_ok(&work, &APPLY);
            emulator.act_as(&mut work, &everyone_as(&emulator, "planner"));
            work.assert_plan_clean();
            emulator.act_as(&mut work, &everyone_as(&emulator, "applier"));
            if example == ROLE_EXAMPLE {
                // Update: description, one policy fewer, tags added.
                let changed = std::fs::read_to_string(work.path().join("main.tf"))
                    .expect("main.tf")
                    .replace("Read-only access for the partner account", "Updated")
                    .replace(
                        "[\"AliyunDTSRolePolicy\", \"AliyunRAMReadOnlyAccess\"]",
                        "[\"AliyunDTSRolePolicy\"]\n  tags = { team = \"data\" }",
                    );
                work.write_config(&changed);
                run_ok(&work, &APPLY);
                // And the tags removed again.
                work.write_config(&changed.replace("\n  tags = { team = \"data\" }", ""));
                run_ok(&work, &APPLY);
                // Import: forget the role, adopt it again.
                run_ok(&work, &["state", "rm", ROLE_RESOURCE]);
                run_ok(
                    &work,
                    &[
                        "import",
                        "-input=false",
                        "-no-color",
                        ROLE_RESOURCE,
                        "partner-audit-reader",
                    ],
                );
                emulator.act_as(&mut work, &everyone_as(&emulator, "planner"));
                work.assert_plan_clean();
                emulator.act_as(&mut work, &everyone_as(&emulator, "applier"));
            }
            run_ok(&work, &DESTROY);
        }
        let used_by_apply = recorded(&emulator, "applier");
        let used_by_plan = recorded(&emulator, "planner");
        let show = |set: &BTreeSet<(String, String)>| format!("{set:#?}");
        assert_eq!(
            grants(&apply),
            used_by_apply,
            "Terraform {}: the guide's apply policy differs from what apply, import and destroy used:\n{}\n\
             recorded apply policy: {}\nrecorded plan policy: {}",
            tf.version,
            show(&used_by_apply),
            emulator.admin_get("recorder?names=any"),
            show(&used_by_plan)
        );
        assert_eq!(
            grants(&plan),
            used_by_plan,
            "Terraform {}: the guide's plan-only policy differs from what plans used:\n{}",
            tf.version,
            show(&used_by_plan)
        );
    }
}

#[test]
fn without_one_action_of_the_apply_policy_the_apply_fails_naming_it() {
    let (plan, mut apply) = guide_policies();
    // Remove ram:AttachPolicyToRole from the apply policy.
    let removed = "ram:AttachPolicyToRole";
    for statement in apply["Statement"].as_array_mut().expect("statements") {
        if let Some(actions) = statement["Action"].as_array_mut() {
            actions.retain(|a| a != removed);
        }
    }
    let emulator = start(&accounts(&plan, &apply));
    let source = emulator.account("source").account_id.clone();
    for tf in terraforms() {
        let mut work = emulator.example_workdir(tf, ROLE_EXAMPLE);
        emulator.act_as(&mut work, &everyone_as(&emulator, "applier"));
        let refused = work.run(&APPLY);
        let output = refused.output();
        assert_ne!(refused.code, 0, "Terraform {}: {output}", tf.version);
        for fragment in [
            "Permission Denied".to_owned(),
            format!("RAM refused {removed} on acs:ram:*:system:policy/AliyunDTSRolePolicy"),
            format!("\"Action\":\"{removed}\""),
        ] {
            assert!(
                output.contains(&fragment),
                "Terraform {}: {fragment:?} not in:\n{output}",
                tf.version
            );
        }
        // The role itself was created (partial state): destroy cleans it up with what the policy still allows.
        assert!(
            emulator
                .role_names("source")
                .contains(&"partner-audit-reader".to_owned())
        );
        run_ok(&work, &DESTROY);
        let _ = &source;
    }
}

/// The guide says its plan-only policy covers `terraform query`: the query of every list resource, and the
/// configuration it generates, run as the source account's user with exactly that policy. Each list resource finds
/// its roles, nothing is refused, and the emulator's recorder shows the calls were the planner's own.
#[test]
fn terraform_query_runs_with_exactly_the_plan_only_policy() {
    let (plan, apply) = guide_policies();
    let emulator = start(&accounts(&plan, &apply));
    // Made by hand with the account's root keys, as a console user would have made them.
    make_mixed_roles(&emulator);
    let planner = everyone_as(&emulator, "planner")
        .into_iter()
        .find(|(account, _)| *account == "source")
        .map(|(_, user)| user)
        .expect("the source account's planner");
    let config = format!(
        "{REQUIRED_PROVIDERS}provider \"aliram\" {{\n  access_key = \"{}\"\n  secret_key = \"{}\"\n{}}}\n",
        planner.access_key_id,
        planner.access_key_secret,
        emulator.endpoints_block()
    );
    for tf in terraforms_supporting((1, 14), QUERY) {
        emulator.admin_post("recorder/reset", &serde_json::json!({}));
        let work = Workdir::new(tf, &config);
        std::fs::write(work.path().join("roles.tfquery.hcl"), query_file(&emulator))
            .expect("writing the query file");
        let query = work.run(&["query", "-no-color"]);
        assert_eq!(
            query.code,
            0,
            "Terraform {}: the query as the plan-only user failed:\n{}",
            tf.version,
            query.output()
        );
        assert_eq!(
            results(&query),
            mixed_roles_found(),
            "Terraform {}:\n{}",
            tf.version,
            query.output()
        );
        let generate = work.run(&["query", "-no-color", "-generate-config-out=generated.tf"]);
        assert_eq!(
            generate.code,
            0,
            "Terraform {}: generating configuration as the plan-only user failed:\n{}",
            tf.version,
            generate.output()
        );
        let generated =
            std::fs::read_to_string(work.path().join("generated.tf")).expect("generated.tf");
        assert_eq!(generated.matches("identity = {").count(), 3, "{generated}");
        // The planner listed and read the roles itself (not some other identity), within its policy.
        let used = recorded(&emulator, "planner");
        for needed in ["ram:ListRoles", "ram:GetRole", "ram:ListPoliciesForRole"] {
            assert!(
                used.iter().any(|(action, _)| action == needed),
                "Terraform {}: the query made no {needed} as the planner: {used:#?}",
                tf.version
            );
        }
        assert!(
            used.is_subset(&grants(&plan)),
            "Terraform {}: the planner was allowed more than the plan-only policy: {used:#?}",
            tf.version
        );
    }
}
