//! The known mistakes are refused at plan time, with a diagnostic that names the attribute, the value and what
//! would be accepted, before anything is written: the emulator counts no write.

use crate::support::emulator::Emulator;
use crate::support::{REQUIRED_PROVIDERS, Workdir, terraforms};

/// A resource block and the fragments its refusal must contain.
struct Refusal {
    name: &'static str,
    resource: &'static str,
    says: &'static [&'static str],
}

// `TASK` and `SELF` are replaced by the destination account's UID and the provider's own UID.
const REFUSALS: &[Refusal] = &[
    Refusal {
        name: "a UID that is not all digits",
        resource: r#"resource "aliram_cross_account_dts_role" "r" {
  scenario        = "source"
  task_account_id = "12345678901234ab"
}"#,
        says: &[
            "task_account_id",
            "\"12345678901234ab\" is not an Alibaba Cloud account ID",
            "all digits",
        ],
    },
    Refusal {
        name: "the trusted account is the owner (DTS)",
        resource: r#"resource "aliram_cross_account_dts_role" "r" {
  scenario        = "source"
  task_account_id = "SELF"
}"#,
        says: &[
            "Role Would Trust Its Own Account",
            "task_account_id",
            "rewrites the service principal",
        ],
    },
    Refusal {
        name: "the trusted account is the owner (DataWorks)",
        resource: r#"resource "aliram_dataworks_source_role" "r" {
  role_name            = "dw"
  instance_type        = "rds"
  dataworks_account_id = "SELF"
}"#,
        says: &[
            "Role Would Trust Its Own Account",
            "dataworks_account_id",
            // The rewrite is documented for DTS only: for DataWorks it is a risk, not a fact.
            "RAM is also likely to store",
            "inferred, not documented, for DataWorks",
        ],
    },
    Refusal {
        name: "an unsupported destination database type",
        resource: r#"resource "aliram_cross_account_dts_role" "r" {
  scenario        = "destination"
  task_account_id = "TASK"
  database_type   = "Oracle"
}"#,
        says: &["database_type", "\"Oracle\"", "ClickHouse", "SelectDB"],
    },
    Refusal {
        name: "an unsupported access method",
        resource: r#"resource "aliram_cross_account_dts_role" "r" {
  scenario        = "source"
  task_account_id = "TASK"
  database_type   = "PolarDB for MySQL"
  access_method   = "Self-managed Database on ECS"
}"#,
        says: &[
            "access_method",
            "\"Self-managed Database on ECS\"",
            "Alibaba Cloud Instance",
        ],
    },
    Refusal {
        name: "two-way synchronisation with one side only",
        resource: r#"resource "aliram_cross_account_dts_role" "r" {
  scenario        = "source"
  task_account_id = "TASK"
  two_way         = true
}"#,
        says: &["two_way", "source_and_destination"],
    },
    Refusal {
        name: "two-way synchronisation of an unsupported type",
        resource: r#"resource "aliram_cross_account_dts_role" "r" {
  scenario        = "source_and_destination"
  database        = "source"
  task_account_id = "TASK"
  database_type   = "PostgreSQL"
  two_way         = true
}"#,
        says: &["two_way", "\"PostgreSQL\"", "MySQL"],
    },
    Refusal {
        name: "two-way synchronisation of Tair/Redis not said to be Tair (Enterprise Edition)",
        resource: r#"resource "aliram_cross_account_dts_role" "r" {
  scenario        = "source_and_destination"
  database        = "source"
  task_account_id = "TASK"
  database_type   = "Tair/Redis"
  two_way         = true
}"#,
        says: &[
            "two_way",
            "only between ApsaraDB RDS for MySQL instances",
            "Among \"Tair/Redis\" databases only Tair (Enterprise Edition) instances qualify",
            "set instance_kind to \"Tair (Enterprise Edition) instances\"",
        ],
    },
    Refusal {
        name: "an instance kind of another database type",
        resource: r#"resource "aliram_cross_account_dts_role" "r" {
  scenario        = "source_and_destination"
  database        = "source"
  task_account_id = "TASK"
  database_type   = "Tair/Redis"
  two_way         = true
  instance_kind   = "ApsaraDB for MongoDB replica set instances"
}"#,
        says: &[
            "instance_kind",
            "does not match database_type \"Tair/Redis\"",
            "\"MongoDB\"",
        ],
    },
    Refusal {
        name: "a reserved tag key in another letter case",
        resource: r#"resource "aliram_role" "r" {
  role_name    = "generic"
  trust_policy = provider::aliram::dts_trust_policy("TASK")
  policy_names = ["AliyunDTSRolePolicy"]
  tags         = { "Aliyun-team" = "data", "docs-https://wiki" = "x" }
}"#,
        says: &[
            "tags",
            "\"Aliyun-team\" starts with \"aliyun\"",
            "\"docs-https://wiki\" contains \"https://\"",
            "in any letter case",
        ],
    },
    Refusal {
        name: "scenario 3 without the database side",
        resource: r#"resource "aliram_cross_account_dts_role" "r" {
  scenario        = "source_and_destination"
  task_account_id = "TASK"
}"#,
        says: &["database", "source_and_destination"],
    },
    Refusal {
        name: "rds_engine with a non-rds instance",
        resource: r#"resource "aliram_dataworks_source_role" "r" {
  role_name            = "dw"
  instance_type        = "kafka"
  rds_engine           = "MySQL"
  dataworks_account_id = "TASK"
}"#,
        says: &["rds_engine", "\"MySQL\"", "rds"],
    },
    Refusal {
        name: "an invalid role name",
        resource: r#"resource "aliram_dataworks_source_role" "r" {
  role_name            = "dw_reader"
  instance_type        = "hive"
  dataworks_account_id = "TASK"
}"#,
        says: &["role_name", "\"dw_reader\""],
    },
    Refusal {
        name: "a description too long",
        resource: r#"resource "aliram_role" "r" {
  role_name    = "generic"
  trust_policy = provider::aliram::dts_trust_policy("TASK")
  policy_names = ["AliyunDTSRolePolicy"]
  description  = join("", [for i in range(110) : "xxxxxxxxxx"])
}"#,
        says: &["description", "1024"],
    },
    Refusal {
        name: "a session duration out of range",
        resource: r#"resource "aliram_cross_account_dts_role" "r" {
  scenario             = "source"
  task_account_id      = "TASK"
  max_session_duration = 900
}"#,
        says: &["max_session_duration", "900", "3600", "43200"],
    },
];

#[test]
fn each_mistake_fails_the_plan_before_any_write() {
    let emulator = Emulator::start(&[]);
    let own = emulator.account("source").account_id.clone();
    let task = emulator.account("destination").account_id.clone();
    for tf in terraforms() {
        for refusal in REFUSALS {
            let resource = refusal
                .resource
                .replace("SELF", &own)
                .replace("TASK", &task);
            let config = format!(
                "{REQUIRED_PROVIDERS}{}\n{resource}\n",
                emulator.provider_block(None, "source")
            );
            Workdir::new(tf, &config).assert_plan_refused(refusal.name, refusal.says);
        }
    }
    assert_eq!(emulator.writes(), 0, "a refused plan wrote to the API");
}

#[test]
fn mistakes_that_need_no_api_fail_terraform_validate() {
    // `terraform validate` configures no provider and calls no API: the earliest moment a mistake can be shown.
    let cases: &[(&str, &[&str])] = &[
        (
            r#"resource "aliram_cross_account_dts_role" "r" {
  scenario        = "source"
  task_account_id = "not-a-uid"
}"#,
            &["task_account_id", "\"not-a-uid\""],
        ),
        (
            r#"resource "aliram_cross_account_dts_role" "r" {
  scenario        = "sideways"
  task_account_id = "1234567890123456"
}"#,
            &["scenario", "\"sideways\"", "source_and_destination"],
        ),
        (
            r#"resource "aliram_dataworks_source_role" "r" {
  role_name            = "dw"
  instance_type        = "oracle"
  dataworks_account_id = "1234567890123456"
}"#,
            &[
                "instance_type",
                "\"oracle\"",
                "kafka",
                "analyticdb_for_mysql",
            ],
        ),
        (
            r#"resource "aliram_cross_account_dts_role" "r" {
  scenario        = "source_and_destination"
  database        = "source"
  task_account_id = "1234567890123456"
  two_way         = true
  instance_kind   = "Tair instances"
}"#,
            &[
                "instance_kind",
                "\"Tair instances\" is not one of the instances DTS synchronizes two-way",
                "Tair (Enterprise Edition) instances",
            ],
        ),
    ];
    for tf in terraforms() {
        for (resource, says) in cases {
            let work = Workdir::new(tf, &format!("{REQUIRED_PROVIDERS}{resource}\n"));
            let out = work.run(&["validate", "-no-color", "-json"]);
            let said = out.error_text();
            assert_eq!(
                out.code,
                1,
                "Terraform {}: validate must fail:\n{}",
                tf.version,
                out.output()
            );
            for fragment in *says {
                assert!(
                    said.contains(fragment),
                    "Terraform {}: the error diagnostics lack {fragment:?}:\n{said}",
                    tf.version
                );
            }
        }
    }
}
