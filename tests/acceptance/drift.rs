//! Drift detection: each out-of-band change a scheduled plan must catch, made through the API as a user would in
//! the console, makes `terraform plan -detailed-exitcode` exit 2 with the precise attribute diff, and an apply
//! repairs it.

use crate::support::emulator::Emulator;
use crate::support::{Workdir, squash, terraforms};
use terraform_provider_aliram::provider::alicloud::AliCloudClient;
use terraform_provider_aliram::provider::alicloud::ram::{PolicyType, Tag, UpdateRoleRequest};

const EXAMPLE: &str = "resources/aliram_cross_account_dts_role/scenario_1_source";
const ROLE: &str = "ram-for-dts";

/// One out-of-band change and what the plan must show for it.
struct Drift {
    name: &'static str,
    make: fn(&Emulator, &AliCloudClient),
    /// Fragments the plan output must contain (whitespace-normalised).
    shows: &'static [&'static str],
}

fn update(emulator: &Emulator, api: &AliCloudClient, request: UpdateRoleRequest) {
    emulator
        .block_on(api.update_role(&request))
        .expect("UpdateRole");
}

fn trust_policy_for(principals: &[&str], services: &[&str]) -> String {
    serde_json::json!({
        "Version": "1",
        "Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"RAM": principals, "Service": services}}]
    })
    .to_string()
}

const DRIFTS: &[Drift] = &[
    Drift {
        name: "trust policy edited",
        make: |e, api| {
            let task = e.account("task").account_id.clone();
            let document = trust_policy_for(
                &[&format!("acs:ram::{task}:root")],
                &[&format!("{task}@dts.aliyuncs.com")],
            );
            update(
                e,
                api,
                UpdateRoleRequest {
                    role_name: ROLE.into(),
                    new_assume_role_policy_document: Some(document),
                    ..Default::default()
                },
            );
        },
        shows: &[
            "~ trust_policy",
            "Trust Policy Changed Outside Terraform",
            "3333000033330003",
        ],
    },
    Drift {
        name: "principal widened",
        make: |e, api| {
            let destination = e.account("destination").account_id.clone();
            let task = e.account("task").account_id.clone();
            let document = trust_policy_for(
                &[
                    &format!("acs:ram::{destination}:root"),
                    &format!("acs:ram::{task}:root"),
                ],
                &[&format!("{destination}@dts.aliyuncs.com")],
            );
            update(
                e,
                api,
                UpdateRoleRequest {
                    role_name: ROLE.into(),
                    new_assume_role_policy_document: Some(document),
                    ..Default::default()
                },
            );
        },
        shows: &[
            "~ trust_policy",
            "Principal.RAM gained",
            "acs:ram::3333000033330003:root",
        ],
    },
    Drift {
        name: "policy detached",
        make: |e, api| {
            e.block_on(api.detach_policy_from_role(
                ROLE,
                PolicyType::System,
                "AliyunDTSRolePolicy",
            ))
            .expect("detach");
        },
        shows: &["~ policy_names", "+ \"AliyunDTSRolePolicy\""],
    },
    Drift {
        name: "extra policy attached",
        make: |e, api| {
            e.block_on(api.attach_policy_to_role(ROLE, PolicyType::System, "AdministratorAccess"))
                .expect("attach");
        },
        shows: &["~ policy_names", "- \"AdministratorAccess\""],
    },
    Drift {
        name: "description changed",
        make: |e, api| {
            update(
                e,
                api,
                UpdateRoleRequest {
                    role_name: ROLE.into(),
                    new_description: Some("changed in the console".into()),
                    ..Default::default()
                },
            );
        },
        shows: &["~ description", "\"changed in the console\""],
    },
    Drift {
        name: "max_session_duration changed",
        make: |e, api| {
            update(
                e,
                api,
                UpdateRoleRequest {
                    role_name: ROLE.into(),
                    new_max_session_duration: Some(7200),
                    ..Default::default()
                },
            );
        },
        shows: &["~ max_session_duration = 7200 -> 3600"],
    },
    Drift {
        name: "tag added",
        make: |e, api| {
            e.block_on(api.tag_roles(&[ROLE.to_owned()], &[Tag::new("team", "dba")]))
                .expect("TagResources");
        },
        shows: &["- tags = { - \"team\" = \"dba\" } -> null"],
    },
    Drift {
        name: "role deleted",
        make: |e, api| {
            e.block_on(api.detach_policy_from_role(
                ROLE,
                PolicyType::System,
                "AliyunDTSRolePolicy",
            ))
            .expect("detach");
            e.block_on(api.delete_role(ROLE)).expect("delete");
        },
        shows: &["will be created", "1 to add, 0 to change, 0 to destroy"],
    },
];

fn plan_exit_code(work: &Workdir) -> (i32, String) {
    let plan = work.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    (plan.code, plan.output())
}

#[test]
fn every_out_of_band_change_shows_in_plan_and_apply_repairs_it() {
    let emulator = Emulator::start(&[]);
    let api = emulator.api("source");
    for tf in terraforms() {
        let work = emulator.example_workdir(tf, EXAMPLE);
        work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .success();
        for drift in DRIFTS {
            (drift.make)(&emulator, &api);
            let (code, output) = plan_exit_code(&work);
            assert_eq!(
                code, 2,
                "Terraform {}: {}: plan must report changes:\n{output}",
                tf.version, drift.name
            );
            for fragment in drift.shows {
                assert!(
                    output.contains(&squash(fragment)),
                    "Terraform {}: {}: plan lacks {fragment:?}:\n{output}",
                    tf.version,
                    drift.name
                );
            }
            work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
                .success();
            let (code, output) = plan_exit_code(&work);
            assert_eq!(
                code, 0,
                "Terraform {}: {}: apply did not repair it:\n{output}",
                tf.version, drift.name
            );
        }
        work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
            .success();
    }
}

#[test]
fn a_reserialised_trust_policy_is_not_drift() {
    // The emulator stores trust policies re-serialised the way RAM does (its own whitespace and key order); the
    // plan after apply must still be clean, and an equivalent rewrite by hand must not show either.
    let emulator = Emulator::start(&[]);
    let api = emulator.api("source");
    let tf = &terraforms()[0];
    let work = emulator.example_workdir(tf, EXAMPLE);
    work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
        .success();
    let destination = emulator.account("destination").account_id.clone();
    // Same meaning: single strings instead of lists, keys reordered, extra whitespace.
    let document = format!(
        "{{ \"Version\" : \"1\", \"Statement\" : [ {{ \"Principal\" : {{ \"Service\" : \"{destination}@dts.aliyuncs.com\", \"RAM\" : \"acs:ram::{destination}:root\" }}, \"Effect\" : \"Allow\", \"Action\" : \"sts:AssumeRole\" }} ] }}"
    );
    emulator
        .block_on(api.update_role(&UpdateRoleRequest {
            role_name: ROLE.into(),
            new_assume_role_policy_document: Some(document),
            ..Default::default()
        }))
        .expect("UpdateRole");
    let (code, output) = plan_exit_code(&work);
    assert_eq!(
        code, 0,
        "an equivalent trust policy showed as drift:\n{output}"
    );
    work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
        .success();
}
