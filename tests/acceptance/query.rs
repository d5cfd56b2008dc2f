//! `terraform query` (Terraform 1.14 and later) on roles made by hand: each list resource finds exactly its
//! roles; `-generate-config-out` writes configuration that, with the generated import blocks, plans with imports
//! only, applies without a write and plans clean; listing pages through ListRoles beyond 1000 roles.

use crate::support::emulator::Emulator;
use crate::support::roles_by_hand::{
    create, create_many, dataworks_document, dts_document, provider_config, ram_document,
};
use crate::support::terraform_versions::terraforms_supporting;
use crate::support::{Run, Workdir};

const FEATURE: &str = "terraform query";

fn output(run: &Run) -> String {
    format!("{}\n{}", run.stdout, run.stderr)
}

/// A DTS role, a DataWorks role, a partner role and two look-alikes, all made by hand in the source account.
fn make_roles(emulator: &Emulator) {
    let dts = dts_document(emulator, "task");
    create(
        emulator,
        "source",
        "ram-for-dts",
        &dts,
        &["AliyunDTSRolePolicy"],
        &[("team", "dba")],
    );
    create(emulator, "source", "dts-without-policy", &dts, &[], &[]);
    create(
        emulator,
        "source",
        "dataworks-kafka",
        &dataworks_document(emulator, "task"),
        &["AliyunDataWorksAccessingAlikafkaPolicy"],
        &[],
    );
    create(
        emulator,
        "source",
        "partner-reader",
        &ram_document(emulator, &["destination"]),
        &["AliyunDTSReadOnlyAccess"],
        &[],
    );
    create(
        emulator,
        "source",
        "partner-other",
        &ram_document(emulator, &["task"]),
        &[],
        &[],
    );
}

fn query_file(emulator: &Emulator) -> String {
    format!(
        r#"list "aliram_cross_account_dts_role" "dts" {{
  provider         = aliram
  include_resource = true
}}
list "aliram_dataworks_source_role" "dataworks" {{
  provider         = aliram
  include_resource = true
}}
list "aliram_role" "partner" {{
  provider         = aliram
  include_resource = true
  config {{
    name_regex         = "^partner-"
    trusted_account_id = "{}"
  }}
}}
"#,
        emulator.account("destination").account_id
    )
}

/// The `(list address, role name)` of each result line of `terraform query`.
fn results(query: &Run) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = query
        .stdout
        .lines()
        .filter(|l| l.starts_with("list."))
        .filter_map(|l| {
            let mut fields = l.split_whitespace();
            let address = fields.next()?.to_owned();
            let name = fields.last()?.to_owned();
            Some((address, name))
        })
        .collect();
    found.sort();
    found
}

#[test]
fn query_finds_generates_and_imports_with_a_clean_plan() {
    for tf in terraforms_supporting((1, 14), FEATURE) {
        let emulator = Emulator::start(&[]);
        make_roles(&emulator);
        let work = Workdir::new(tf, &provider_config(&emulator, "source"));
        std::fs::write(work.path().join("roles.tfquery.hcl"), query_file(&emulator))
            .expect("writing the query file");

        let query = work.run(&["query", "-no-color"]).success();
        let pair = |a: &str, n: &str| (a.to_owned(), n.to_owned());
        assert_eq!(
            results(&query),
            vec![
                pair("list.aliram_cross_account_dts_role.dts", "ram-for-dts"),
                pair(
                    "list.aliram_dataworks_source_role.dataworks",
                    "dataworks-kafka"
                ),
                pair("list.aliram_role.partner", "partner-reader"),
            ],
            "Terraform {}:\n{}",
            tf.version,
            output(&query)
        );

        let writes = emulator.writes();
        work.run(&["query", "-no-color", "-generate-config-out=generated.tf"])
            .success();
        let generated =
            std::fs::read_to_string(work.path().join("generated.tf")).expect("generated.tf");
        let words = generated.split_whitespace().collect::<Vec<_>>().join(" ");
        for fragment in [
            format!(
                "task_account_id = \"{}\"",
                emulator.account("task").account_id
            ),
            format!(
                "dataworks_account_id = \"{}\"",
                emulator.account("task").account_id
            ),
            "instance_type = \"kafka\"".to_owned(),
            "scenario = \"source\"".to_owned(),
            "role_name = \"partner-reader\"".to_owned(),
        ] {
            assert!(
                words.contains(&fragment),
                "Terraform {}: {fragment} missing:\n{generated}",
                tf.version
            );
        }
        assert_eq!(generated.matches("identity = {").count(), 3, "{generated}");
        let plan = work.run(&["plan", "-input=false", "-no-color"]).success();
        assert!(
            plan.stdout
                .contains("Plan: 3 to import, 0 to add, 0 to change, 0 to destroy."),
            "Terraform {}:\n{generated}\n{}",
            tf.version,
            plan.stdout
        );
        work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .success();
        assert_eq!(
            emulator.writes(),
            writes,
            "Terraform {}: the takeover wrote",
            tf.version
        );
        let clean = work.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
        assert_eq!(
            clean.code,
            0,
            "Terraform {}: {}",
            tf.version,
            output(&clean)
        );
    }
}

#[test]
fn listing_pages_through_more_than_a_thousand_roles() {
    const ROLES: usize = 1205;
    let emulator = Emulator::start(&["--role-quota", "2000"]);
    let document = ram_document(&emulator, &["destination"]);
    create_many(&emulator, "source", "bulk", ROLES, &document);
    for tf in terraforms_supporting((1, 14), FEATURE) {
        let work = Workdir::new(tf, &provider_config(&emulator, "source"));
        std::fs::write(
            work.path().join("all.tfquery.hcl"),
            "list \"aliram_role\" \"all\" {\n  provider = aliram\n  limit    = 5000\n}\n",
        )
        .expect("writing the query file");
        let before = emulator.stats()["actions"]["ListRoles"]["requests"]
            .as_u64()
            .unwrap_or(0);
        let query = work.run(&["query", "-no-color"]).success();
        let names: std::collections::BTreeSet<String> =
            results(&query).into_iter().map(|(_, n)| n).collect();
        assert_eq!(
            names.len(),
            ROLES,
            "Terraform {}: every role once",
            tf.version
        );
        assert!(names.contains("bulk-0000") && names.contains(&format!("bulk-{:04}", ROLES - 1)));
        let pages = emulator.stats()["actions"]["ListRoles"]["requests"]
            .as_u64()
            .unwrap_or(0)
            - before;
        // 1000 a page: two pages; and no other call, as neither a trust filter nor the state was asked for.
        assert_eq!(pages, 2, "Terraform {}: ListRoles pages", tf.version);
        assert!(
            emulator.stats()["actions"].get("GetRole").is_none(),
            "Terraform {}: a plain listing read roles one by one",
            tf.version
        );
    }
}
