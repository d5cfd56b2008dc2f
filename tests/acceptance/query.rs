//! `terraform query` (Terraform 1.14 and later) on roles made by hand: each list resource finds exactly its
//! roles; `-generate-config-out` writes configuration that, with the generated import blocks, plans with imports
//! only, applies without a write and plans clean; listing pages through ListRoles beyond 1000 roles.

use crate::support::emulator::Emulator;
use crate::support::roles_by_hand::{create_many, make_mixed_roles, provider_config, ram_document};
use crate::support::takeover::{adopt_without_writes, text};
use crate::support::terraform_versions::terraforms_supporting;
use crate::support::{Run, Workdir, squash};

pub(crate) const FEATURE: &str = "terraform query";

/// The query file of these tests: each list resource of the provider, `include_resource = true`, the partner
/// roles by name and trusted account.
pub(crate) fn query_file(emulator: &Emulator) -> String {
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
pub(crate) fn results(query: &Run) -> Vec<(String, String)> {
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

/// What [`query_file`] finds among the roles of `roles_by_hand::make_mixed_roles`, as [`results`] lists it.
pub(crate) fn mixed_roles_found() -> Vec<(String, String)> {
    [
        ("list.aliram_cross_account_dts_role.dts", "ram-for-dts"),
        (
            "list.aliram_dataworks_source_role.dataworks",
            "dataworks-kafka",
        ),
        ("list.aliram_role.partner", "partner-reader"),
    ]
    .into_iter()
    .map(|(address, name)| (address.to_owned(), name.to_owned()))
    .collect()
}

#[test]
fn query_finds_generates_and_imports_with_a_clean_plan() {
    for tf in terraforms_supporting((1, 14), FEATURE) {
        let emulator = Emulator::start(&[]);
        make_mixed_roles(&emulator);
        let work = Workdir::new(tf, &provider_config(&emulator, "source"));
        std::fs::write(work.path().join("roles.tfquery.hcl"), query_file(&emulator))
            .expect("writing the query file");

        let query = work.run(&["query", "-no-color"]).success();
        assert_eq!(
            results(&query),
            mixed_roles_found(),
            "Terraform {}:\n{}",
            tf.version,
            text(&query)
        );

        work.run(&["query", "-no-color", "-generate-config-out=generated.tf"])
            .success();
        let generated =
            std::fs::read_to_string(work.path().join("generated.tf")).expect("generated.tf");
        let words = squash(&generated);
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
        adopt_without_writes(&work, &emulator, tf, 3);
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
        let before = emulator.action_stat("ListRoles", "requests");
        let query = work.run(&["query", "-no-color"]).success();
        // Every role exactly once: the results as listed (sorted, duplicates kept) are the names made.
        let mut names: Vec<String> = results(&query).into_iter().map(|(_, n)| n).collect();
        names.sort();
        let made: Vec<String> = (0..ROLES).map(|i| format!("bulk-{i:04}")).collect();
        assert!(
            names == made,
            "Terraform {}: every role once: {} results for {ROLES} roles; first differences {:?}",
            tf.version,
            names.len(),
            names
                .iter()
                .zip(&made)
                .filter(|(found, made)| found != made)
                .take(3)
                .collect::<Vec<_>>()
        );
        let pages = emulator.action_stat("ListRoles", "requests") - before;
        // 1000 a page: two pages; and no other call, as neither a trust filter nor the state was asked for.
        assert_eq!(pages, 2, "Terraform {}: ListRoles pages", tf.version);
        assert!(
            emulator.stats()["actions"].get("GetRole").is_none(),
            "Terraform {}: a plain listing read roles one by one",
            tf.version
        );
    }
}
