//! One provider block for an organization's accounts, through real Terraform: the management identity lists the
//! Resource Directory's members and creates a DTS role in each with `for_each` and `account_id`; the plan after it
//! is clean with one AssumeRole per member; a member's role imports by identity; a member without the access role
//! fails the plan, naming the account, the role ARN and STS's reason, with nothing written anywhere; destroy
//! leaves only the directory's own roles; an access role of one's own is assumed with the session name and
//! external ID the provider sets, and a wrong external ID fails the plan with STS's reason. The management identity is a RAM user holding exactly the policy of
//! `docs/guides/organization.md`, and what it and the members' access roles used is compared with the guides.

use crate::support::emulator::Emulator;
use crate::support::policy_guide::{grants, json_blocks};
use crate::support::takeover::adopt_without_writes;
use crate::support::terraform_versions::terraforms_supporting;
use crate::support::{Workdir, terraforms};
use terraform_provider_aliram::emulator::accounts::{Account, DEMO_USER};
use terraform_provider_aliram::provider::alicloud::ram::PolicyType;

const MEMBERS: [&str; 3] = ["member-a", "member-b", "member-c"];
const ACCESS_ROLE: &str = "ResourceDirectoryAccountAccessRole";

/// The management identity's policy: the one json block of the organization guide.
fn management_policy() -> serde_json::Value {
    let blocks = json_blocks("organization");
    assert_eq!(blocks.len(), 1, "the organization guide has one policy");
    blocks[0].clone()
}

/// A directory of `management` and [`MEMBERS`], the management identity holding the guide's policy.
fn directory() -> Emulator {
    Emulator::start_directory("management", &MEMBERS, &management_policy(), &[])
}

/// The management identity's provider block: its RAM user (root keys cannot assume roles on Alibaba Cloud).
fn management_provider(emulator: &Emulator) -> String {
    emulator.user_provider_block(None, "management")
}

/// What `identity` (a principal ARN) was allowed since the recorder was reset, as `(action, resource)` with
/// accounts `*` (and resource names `*` when `any_name`, as `GET /_emulator/recorder?names=any` writes them).
fn recorded(
    emulator: &Emulator,
    identity: &str,
    any_name: bool,
) -> std::collections::BTreeSet<(String, String)> {
    let all = emulator.admin_get(if any_name {
        "recorder?names=any"
    } else {
        "recorder"
    });
    all["identities"]
        .get(identity)
        .map(grants)
        .unwrap_or_default()
}

fn config(emulator: &Emulator, import: &str) -> String {
    format!(
        "terraform {{\n  required_providers {{\n    aliram = {{ source = \"aliram/aliram\" }}\n  }}\n}}\n{}\
         data \"aliram_resource_directory_accounts\" \"all\" {{}}\n\
         locals {{\n  members = {{ for a in data.aliram_resource_directory_accounts.all.accounts : a.account_id => a if a.type == \"ResourceAccount\" }}\n}}\n\
         {import}\
         resource \"aliram_cross_account_dts_role\" \"member\" {{\n  for_each        = local.members\n  \
         account_id      = each.key\n  role_name       = \"ram-for-dts\"\n  scenario        = \"source\"\n  \
         task_account_id = \"{}\"\n}}\n\
         output \"members\" {{\n  value = sort(keys(local.members))\n}}\n",
        management_provider(emulator),
        emulator.account("management").account_id,
    )
}

/// The AssumeRole calls the emulator has answered so far.
fn assume_role_calls(emulator: &Emulator) -> u64 {
    emulator.stats()["actions"]["AssumeRole"]["requests"]
        .as_u64()
        .unwrap_or(0)
}

/// Deletes `member`'s access role with its own keys (as someone in that account could).
fn delete_access_role(emulator: &Emulator, member: &str) {
    let api = emulator.api(member);
    emulator
        .block_on(api.detach_policy_from_role(
            ACCESS_ROLE,
            PolicyType::System,
            "AdministratorAccess",
        ))
        .expect("DetachPolicyFromRole");
    emulator
        .block_on(api.delete_role(ACCESS_ROLE))
        .expect("DeleteRole");
}

/// Gives `member` its access role back, as Resource Directory made it.
fn restore_access_role(emulator: &Emulator, member: &str) {
    emulator.create_role_trusting(member, ACCESS_ROLE, "management");
    let api = emulator.api(member);
    emulator
        .block_on(api.attach_policy_to_role(ACCESS_ROLE, PolicyType::System, "AdministratorAccess"))
        .expect("AttachPolicyToRole");
}

fn member_ids(emulator: &Emulator) -> Vec<String> {
    let mut ids: Vec<String> = MEMBERS
        .iter()
        .map(|m| emulator.account(m).account_id.clone())
        .collect();
    ids.sort();
    ids
}

#[test]
fn one_provider_block_manages_roles_in_every_member_account_with_the_guides_policy() {
    let emulator = directory();
    let members = member_ids(&emulator);
    let management = emulator.account("management").account_id.clone();
    // The permissions guide's second block: its apply policy.
    let apply_policy = json_blocks("permissions")[1].clone();
    for tf in terraforms() {
        emulator.admin_post("recorder/reset", &serde_json::json!({}));
        let work = Workdir::new(tf, &config(&emulator, ""));
        work.run(&["apply", "-auto-approve", "-input=false", "-no-color"])
            .success();
        for member in MEMBERS {
            assert_eq!(
                emulator.role_names(member),
                vec![ACCESS_ROLE.to_owned(), "ram-for-dts".to_owned()],
                "Terraform {}: {member}",
                tf.version
            );
        }
        assert!(emulator.role_names("management").is_empty());
        let output = work.run(&["output", "-json", "members"]).success();
        let listed: Vec<String> = serde_json::from_str(&output.stdout).expect("output JSON");
        assert_eq!(listed, members, "Terraform {}", tf.version);

        // One session per member per run, shared by the refresh and the plan of its role.
        let before = assume_role_calls(&emulator);
        work.assert_plan_clean();
        assert_eq!(
            assume_role_calls(&emulator) - before,
            MEMBERS.len() as u64,
            "Terraform {}: AssumeRole calls of one plan",
            tf.version
        );

        work.run(&["destroy", "-auto-approve", "-input=false", "-no-color"])
            .success();
        for member in MEMBERS {
            assert_eq!(
                emulator.role_names(member),
                vec![ACCESS_ROLE.to_owned()],
                "Terraform {}: {member}",
                tf.version
            );
        }
        assert!(emulator.role_names("management").is_empty());

        // The management user used exactly the guide's policy; the access roles' sessions nothing beyond the
        // permissions guide's apply policy, which a narrower access role of one's own may therefore hold.
        assert_eq!(
            recorded(
                &emulator,
                &format!("acs:ram::{management}:user/{DEMO_USER}"),
                false
            ),
            grants(&management_policy()),
            "Terraform {}: the organization guide's policy differs from what the management user used: {}",
            tf.version,
            emulator.admin_get("recorder")
        );
        let allowed = grants(&apply_policy);
        for member in &members {
            let used = recorded(
                &emulator,
                &format!("acs:ram::{member}:role/{ACCESS_ROLE}"),
                true,
            );
            assert!(!used.is_empty(), "Terraform {}: {member}", tf.version);
            let beyond: Vec<_> = used.difference(&allowed).collect();
            assert!(
                beyond.is_empty(),
                "Terraform {}: the access role of {member} used more than the apply policy: {beyond:?}",
                tf.version
            );
        }
    }
}

#[test]
fn a_member_without_the_access_role_fails_the_plan_with_nothing_written() {
    let emulator = directory();
    let lonely = emulator.account("member-c").account_id.clone();
    let management = emulator.account("management").account_id.clone();
    delete_access_role(&emulator, "member-c");
    for tf in terraforms() {
        let work = Workdir::new(tf, &config(&emulator, ""));
        let writes = emulator.writes();
        let role_arn = format!("acs:ram::{lonely}:role/{ACCESS_ROLE}");
        for args in [
            &["plan", "-input=false", "-no-color"][..],
            &["apply", "-auto-approve", "-input=false", "-no-color"][..],
        ] {
            let run = work.run(args);
            let output = run.output();
            assert_eq!(run.code, 1, "Terraform {} {args:?}: {output}", tf.version);
            for fragment in [
                "Account Not Reachable",
                &format!("account_id {lonely}"),
                &format!("credentials belong to account {management}"),
                &role_arn,
                "EntityNotExist.Role",
            ] {
                assert!(
                    output.contains(fragment),
                    "Terraform {} {args:?}: {fragment:?} missing:\n{output}",
                    tf.version
                );
            }
        }
        assert_eq!(
            emulator.writes(),
            writes,
            "Terraform {}: a write",
            tf.version
        );
        for member in MEMBERS {
            assert!(
                !emulator
                    .role_names(member)
                    .contains(&"ram-for-dts".to_owned()),
                "Terraform {}: {member} got a role",
                tf.version
            );
        }
    }
}

#[test]
fn a_members_role_is_imported_by_identity() {
    let emulator = directory();
    let member = emulator.account("member-b").account_id.clone();
    let address = format!("aliram_cross_account_dts_role.member[\"{member}\"]");
    for tf in terraforms_supporting((1, 12), "import by resource identity") {
        let work = Workdir::new(tf, &config(&emulator, ""));
        work.run(&["apply", "-auto-approve", "-input=false", "-no-color"])
            .success();
        work.run(&["state", "rm", "-no-color", &address]).success();
        let import = format!(
            "import {{\n  to = {address}\n  identity = {{\n    account_id = \"{member}\"\n    role_name  = \"ram-for-dts\"\n  }}\n}}\n"
        );
        work.write_config(&config(&emulator, &import));
        adopt_without_writes(&work, &emulator, tf, 1);
        work.write_config(&config(&emulator, ""));
        work.run(&["destroy", "-auto-approve", "-input=false", "-no-color"])
            .success();
        for name in MEMBERS {
            assert_eq!(
                emulator.role_names(name),
                vec![ACCESS_ROLE.to_owned()],
                "Terraform {}",
                tf.version
            );
        }
    }
}

#[test]
fn a_role_whose_account_loses_the_access_role_fails_the_refresh_naming_it() {
    let emulator = directory();
    let member = emulator.account("member-a").account_id.clone();
    let management = emulator.account("management").account_id.clone();
    for tf in terraforms() {
        let work = Workdir::new(tf, &config(&emulator, ""));
        work.run(&["apply", "-auto-approve", "-input=false", "-no-color"])
            .success();
        delete_access_role(&emulator, "member-a");
        let writes = emulator.writes();
        work.assert_plan_refused(
            "a role in an unreachable account",
            &[
                "Role Belongs to Another Account",
                &format!("Role ram-for-dts belongs to account {member}"),
                &format!("uses account {management}"),
                &format!("acs:ram::{member}:role/{ACCESS_ROLE}"),
                "EntityNotExist.Role",
            ],
        );
        assert_eq!(
            emulator.writes(),
            writes,
            "Terraform {}: a write",
            tf.version
        );
        assert!(
            emulator
                .role_names("member-a")
                .contains(&"ram-for-dts".to_owned())
        );
        restore_access_role(&emulator, "member-a");
        work.run(&["destroy", "-auto-approve", "-input=false", "-no-color"])
            .success();
    }
}

#[test]
fn the_example_runs_against_the_emulator() {
    let accounts = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/organization/accounts.json"
    );
    let emulator = Emulator::start(&["--accounts", accounts]);
    let members = ["analytics", "orders", "payments"];
    // The demo signs as the management account's user, which holds exactly the guide's policy.
    let declared: Vec<Account> =
        serde_json::from_str(&std::fs::read_to_string(accounts).expect("accounts.json"))
            .expect("accounts.json");
    let management = declared
        .iter()
        .find(|a| a.name == "management")
        .expect("management account");
    assert_eq!(
        management.users[0].name, DEMO_USER,
        "scripts/demo signs as it"
    );
    assert_eq!(
        grants(&management.policies[0].document),
        grants(&management_policy())
    );
    for tf in terraforms() {
        let work = emulator.example_workdir(tf, "organization");
        work.run(&["apply", "-auto-approve", "-input=false", "-no-color"])
            .success();
        // Listed in creation order: the default role first, as the DTS role depends on it.
        for member in members {
            assert_eq!(
                emulator.role_names(member),
                [ACCESS_ROLE, "AliyunDTSDefaultRole", "ram-for-dts"],
                "Terraform {}: {member}",
                tf.version
            );
        }
        work.assert_plan_clean();
        work.run(&["destroy", "-auto-approve", "-input=false", "-no-color"])
            .success();
        for member in members {
            assert_eq!(emulator.role_names(member), vec![ACCESS_ROLE.to_owned()]);
        }
        assert!(emulator.role_names("management").is_empty());
    }
}

#[test]
fn aliram_roles_lists_a_members_roles_through_its_access_role() {
    let emulator = directory();
    let member = emulator.account("member-b").account_id.clone();
    emulator.create_role_trusting("member-b", "audit-reader", "management");
    let config = format!(
        "terraform {{\n  required_providers {{\n    aliram = {{ source = \"aliram/aliram\" }}\n  }}\n}}\n{}\
         data \"aliram_roles\" \"member\" {{\n  account_id = \"{member}\"\n}}\n\
         output \"arns\" {{\n  value = sort([for r in data.aliram_roles.member.roles : r.arn])\n}}\n",
        management_provider(&emulator)
    );
    for tf in terraforms() {
        let work = Workdir::new(tf, &config);
        work.run(&["apply", "-auto-approve", "-input=false", "-no-color"])
            .success();
        let output = work.run(&["output", "-json", "arns"]).success();
        let arns: Vec<String> = serde_json::from_str(&output.stdout).expect("output JSON");
        assert_eq!(
            arns,
            vec![
                format!("acs:ram::{member}:role/{ACCESS_ROLE}"),
                format!("acs:ram::{member}:role/audit-reader"),
            ],
            "Terraform {}",
            tf.version
        );
    }
}

#[test]
fn terraform_query_lists_a_members_roles_by_their_identity() {
    for tf in terraforms_supporting((1, 14), "terraform query") {
        let emulator = directory();
        let member = emulator.account("member-c").account_id.clone();
        emulator.create_role_trusting("member-c", "audit-reader", "management");
        let config = format!(
            "terraform {{\n  required_providers {{\n    aliram = {{ source = \"aliram/aliram\" }}\n  }}\n}}\n{}",
            management_provider(&emulator)
        );
        let work = Workdir::new(tf, &config);
        std::fs::write(
            work.path().join("member.tfquery.hcl"),
            format!(
                "list \"aliram_role\" \"member\" {{\n  provider = aliram\n  config {{\n    account_id = \"{member}\"\n    name_regex = \"^audit-\"\n  }}\n}}\n"
            ),
        )
        .expect("writing the query file");
        let query = work.run(&["query", "-no-color", "-json"]).success();
        let identities: Vec<serde_json::Value> = query
            .stdout
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|m| m["list_resource_found"]["identity"].as_object().cloned())
            .map(serde_json::Value::Object)
            .collect();
        assert_eq!(
            identities,
            vec![serde_json::json!({"account_id": member, "role_name": "audit-reader"})],
            "Terraform {}:\n{}",
            tf.version,
            query.stdout
        );
    }
}

/// docs/guides/organization.md and docs/index.md: `account_role_name` names the access role (a narrower role of
/// one's own instead of `ResourceDirectoryAccountAccessRole`), `account_role_external_id` is the external ID its
/// trust policy requires and `account_role_session_name` names the session; a role that does not trust the caller
/// (here: another external ID) fails the plan naming the account, the role ARN and STS's answer, with nothing
/// written; a DTS role created through the session warns "Not the Alibaba Cloud Account", naming the session; and
/// changing `account_id` replaces the role.
#[test]
fn an_access_role_of_ones_own_is_assumed_with_the_session_name_and_external_id_set() {
    const OWN_ROLE: &str = "OrgTerraform";
    const EXTERNAL_ID: &str = "org-ext-42";
    let policy = serde_json::json!({"Version": "1", "Statement": [{
        "Effect": "Allow", "Action": ["sts:AssumeRole"],
        "Resource": [format!("acs:ram::*:role/{OWN_ROLE}")]
    }]});
    let members = ["member-a", "member-b"];
    let emulator = Emulator::start_directory("management", &members, &policy, &[]);
    let management = emulator.account("management").account_id.clone();
    let [a, b] = members.map(|m| emulator.account(m).account_id.clone());
    for member in members {
        let trust = serde_json::json!({"Version": "1", "Statement": [{
            "Effect": "Allow", "Action": "sts:AssumeRole",
            "Principal": {"RAM": [format!("acs:ram::{management}:root")]},
            "Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}
        }]});
        emulator.create_role_with_trust(member, OWN_ROLE, &trust);
        emulator
            .block_on(emulator.api(member).attach_policy_to_role(
                OWN_ROLE,
                PolicyType::System,
                "AliyunRAMFullAccess",
            ))
            .expect("AttachPolicyToRole");
    }
    let config = |external_id: &str, account: &str| {
        let provider = management_provider(&emulator).replacen(
            "provider \"aliram\" {\n",
            &format!(
                "provider \"aliram\" {{\n  account_role_name = \"{OWN_ROLE}\"\n  \
                 account_role_session_name = \"tf-org\"\n  account_role_external_id = \"{external_id}\"\n"
            ),
            1,
        );
        format!(
            "terraform {{\n  required_providers {{\n    aliram = {{ source = \"aliram/aliram\" }}\n  }}\n}}\n\
             {provider}\
             resource \"aliram_cross_account_dts_role\" \"member\" {{\n  account_id      = \"{account}\"\n  \
             role_name       = \"ram-for-dts\"\n  scenario        = \"source\"\n  task_account_id = \"{management}\"\n}}\n"
        )
    };
    for tf in terraforms() {
        let work = Workdir::new(tf, &config("another-id", &a));
        let writes = emulator.writes();
        work.assert_plan_refused(
            "a wrong external ID",
            &[
                "Account Not Reachable",
                &format!("account_id {a}"),
                &format!("acs:ram::{a}:role/{OWN_ROLE}"),
                // STS's answer, quoted in the client's error text.
                r#"does not hold: the request carries sts:ExternalId \"another-id\""#,
            ],
        );
        assert_eq!(
            emulator.writes(),
            writes,
            "Terraform {}: a write",
            tf.version
        );

        work.write_config(&config(EXTERNAL_ID, &a));
        let plan = work.run(&["plan", "-input=false", "-json"]);
        assert_eq!(plan.code, 0, "Terraform {}: {}", tf.version, plan.output());
        let session = format!("acs:ram::{a}:assumed-role/{OWN_ROLE}/tf-org");
        let warned: Vec<_> = plan
            .diagnostics()
            .into_iter()
            .filter(|d| d.severity == "warning" && d.summary == "Not the Alibaba Cloud Account")
            .collect();
        assert_eq!(warned.len(), 1, "Terraform {}: {warned:#?}", tf.version);
        assert!(
            warned[0].detail.contains(&session),
            "Terraform {}: the warning names the session {session}: {}",
            tf.version,
            warned[0].detail
        );
        work.run(&["apply", "-auto-approve", "-input=false", "-no-color"])
            .success();
        assert!(
            emulator
                .role_names("member-a")
                .contains(&"ram-for-dts".to_owned())
        );

        work.write_config(&config(EXTERNAL_ID, &b));
        let planned = work.plan_json();
        let change = &planned["resource_changes"][0]["change"];
        assert_eq!(
            change["actions"],
            serde_json::json!(["delete", "create"]),
            "Terraform {}: {change}",
            tf.version
        );
        assert_eq!(
            change["replace_paths"],
            serde_json::json!([["account_id"]]),
            "Terraform {}",
            tf.version
        );
        work.write_config(&config(EXTERNAL_ID, &a));
        work.run(&["destroy", "-auto-approve", "-input=false", "-no-color"])
            .success();
        assert!(
            !emulator
                .role_names("member-a")
                .contains(&"ram-for-dts".to_owned()),
            "Terraform {}: destroyed",
            tf.version
        );
    }
}
