//! `aliram_roles` through real Terraform, on roles made by hand: each filter keeps exactly the roles it should
//! (a DTS trust without its policy, or trusting a second account, is no DTS role), trust policies come back
//! canonical, and a bad filter value fails validation naming what is accepted.

use crate::support::emulator::Emulator;
use crate::support::roles_by_hand::{
    create_many, dts_document, make_mixed_roles, ram_document, user_provider_config,
};
use crate::support::takeover::apply_without_writes;
use crate::support::{Workdir, terraforms};

fn config(emulator: &Emulator) -> String {
    let destination = &emulator.account("destination").account_id;
    format!(
        r#"{provider}
data "aliram_roles" "all" {{}}
data "aliram_roles" "dts" {{
  service = "dts"
}}
data "aliram_roles" "dataworks" {{
  service = "dataworks"
}}
data "aliram_roles" "trusting_destination" {{
  trusted_account_id = "{destination}"
}}
data "aliram_roles" "named_dts" {{
  name_regex = "^dts-"
}}
output "names" {{
  value = {{
    all                  = data.aliram_roles.all.roles[*].role_name
    dts                  = data.aliram_roles.dts.roles[*].role_name
    dataworks            = data.aliram_roles.dataworks.roles[*].role_name
    trusting_destination = data.aliram_roles.trusting_destination.roles[*].role_name
    named_dts            = data.aliram_roles.named_dts.roles[*].role_name
  }}
}}
output "dts_role" {{
  value = data.aliram_roles.dts.roles[0]
}}
"#,
        provider = user_provider_config(emulator, "source")
    )
}

#[test]
fn filters_keep_exactly_the_matching_roles() {
    let emulator = Emulator::start(&[]);
    make_mixed_roles(&emulator);
    for tf in terraforms() {
        let work = Workdir::new(tf, &config(&emulator));
        apply_without_writes(&work, &emulator, tf, "reading the data source");
        let outputs: serde_json::Value =
            serde_json::from_str(&work.run(&["output", "-json"]).success().stdout).expect("JSON");
        let names = &outputs["names"]["value"];
        let expected = serde_json::json!({
            "all": ["ram-for-dts", "dts-without-policy", "dts-widened", "dataworks-kafka", "partner-reader", "partner-other"],
            "dts": ["ram-for-dts"],
            "dataworks": ["dataworks-kafka"],
            "trusting_destination": ["dts-widened", "partner-reader"],
            "named_dts": ["dts-without-policy", "dts-widened"],
        });
        assert_eq!(names, &expected, "Terraform {}", tf.version);
        let role = &outputs["dts_role"]["value"];
        assert_eq!(
            role["trust_policy"],
            dts_document(&emulator, "task"),
            "canonical trust policy"
        );
        assert_eq!(
            role["policy_names"],
            serde_json::json!(["AliyunDTSRolePolicy"])
        );
        assert_eq!(role["tags"], serde_json::json!({"team": "dba"}));
        assert_eq!(
            role["arn"],
            format!(
                "acs:ram::{}:role/ram-for-dts",
                emulator.account("source").account_id
            )
        );
    }
}

#[test]
fn a_bad_filter_fails_validation_naming_what_is_accepted() {
    let emulator = Emulator::start(&[]);
    let tf = &terraforms()[0];
    let work = Workdir::new(
        tf,
        &format!(
            "{}\ndata \"aliram_roles\" \"x\" {{\n  service = \"DTS\"\n  name_regex = \"(\"\n}}\n",
            user_provider_config(&emulator, "source")
        ),
    );
    let out = work.run(&["validate", "-no-color"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    for fragment in [
        "\"DTS\"",
        "\"dts\"",
        "\"dataworks\"",
        "name_regex \"(\"",
        "unclosed group",
    ] {
        assert!(
            out.stderr.contains(fragment),
            "{fragment} missing from:\n{}",
            out.stderr
        );
    }
    assert_eq!(emulator.stats()["requests"], 0, "validation called the API");
}

/// More roles than one ListRoles page (1000) holds: the data source pages through them, every role exactly once.
#[test]
fn the_data_source_pages_past_one_listing_page() {
    const ROLES: usize = 1005;
    let emulator = Emulator::start(&["--role-quota", "2000"]);
    create_many(
        &emulator,
        "source",
        "page",
        ROLES,
        &ram_document(&emulator, &["destination"]),
    );
    let config = format!(
        "{}\ndata \"aliram_roles\" \"paged\" {{\n  name_regex = \"^page-\"\n}}\noutput \"names\" {{\n  value = data.aliram_roles.paged.roles[*].role_name\n}}\n",
        user_provider_config(&emulator, "source")
    );
    for tf in terraforms() {
        let work = Workdir::new(tf, &config);
        let before = emulator.action_stat("ListRoles", "requests");
        apply_without_writes(&work, &emulator, tf, "reading the data source");
        assert_eq!(
            emulator.action_stat("ListRoles", "requests") - before,
            2,
            "Terraform {}: two ListRoles pages",
            tf.version
        );
        let outputs: serde_json::Value =
            serde_json::from_str(&work.run(&["output", "-json"]).success().stdout).expect("JSON");
        let mut names: Vec<String> =
            serde_json::from_value(outputs["names"]["value"].clone()).expect("a list of names");
        names.sort();
        let made: Vec<String> = (0..ROLES).map(|i| format!("page-{i:04}")).collect();
        assert!(
            names == made,
            "Terraform {}: {} roles read for {ROLES} made, each once",
            tf.version,
            names.len()
        );
    }
}
