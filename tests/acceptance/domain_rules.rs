//! The domain rules that change what a plan says without refusing it, through real Terraform against the
//! emulator: warnings that name the attribute and the value (a UID without 16 digits; credentials that are not the
//! Alibaba Cloud account, with the DTS guide's reason), and declarations the seeds allow that apply and then plan
//! clean (both spellings of SQL Server, AnalyticDB for MySQL 3.0, two-way Tair (Enterprise Edition)).

use crate::support::emulator::Emulator;
use crate::support::{Diagnostic, REQUIRED_PROVIDERS, Workdir, squash, terraforms};
use terraform_provider_aliram::provider::alicloud::ram::PolicyType;

/// The warnings of a `terraform plan -json` that must succeed.
fn plan_warnings(work: &Workdir, version: &str) -> Vec<Diagnostic> {
    let plan = work.run(&["plan", "-input=false", "-json"]);
    assert_eq!(
        plan.code, 0,
        "Terraform {version}: plan must succeed:\n{}\n{}",
        plan.stdout, plan.stderr
    );
    plan.diagnostics()
        .into_iter()
        .filter(|d| d.severity == "warning")
        .map(|d| Diagnostic {
            detail: squash(&d.detail),
            ..d
        })
        .collect()
}

fn with_summary<'a>(warnings: &'a [Diagnostic], summary: &str) -> Vec<&'a Diagnostic> {
    warnings.iter().filter(|w| w.summary == summary).collect()
}

#[test]
fn a_uid_without_sixteen_digits_warns_at_plan_naming_the_attribute_and_the_value() {
    let emulator = Emulator::start(&[]);
    let task = emulator.account("destination").account_id.clone();
    let config = format!(
        r#"{REQUIRED_PROVIDERS}{provider}
resource "aliram_cross_account_dts_role" "short" {{
  scenario        = "source"
  role_name       = "dts-short"
  task_account_id = "123456789012345"
}}

resource "aliram_dataworks_source_role" "long" {{
  role_name            = "dw-long"
  instance_type        = "kafka"
  dataworks_account_id = "12345678901234567"
}}

resource "aliram_cross_account_dts_role" "usual" {{
  scenario        = "source"
  task_account_id = "{task}"
}}
"#,
        provider = emulator.provider_block(None, "source")
    );
    for tf in terraforms() {
        let work = Workdir::new(tf, &config);
        let warnings = plan_warnings(&work, &tf.version);
        let unusual = with_summary(&warnings, "Unusual Account ID Length");
        assert_eq!(unusual.len(), 2, "Terraform {}: {warnings:#?}", tf.version);
        for fragment in [
            "task_account_id \"123456789012345\" has 15 digits, but Alibaba Cloud account UIDs have 16",
            "dataworks_account_id \"12345678901234567\" has 17 digits",
        ] {
            assert!(
                unusual.iter().any(|w| w.detail.contains(fragment)),
                "Terraform {}: no warning with {fragment:?}: {unusual:#?}",
                tf.version
            );
        }
    }
    assert_eq!(emulator.writes(), 0, "a plan wrote to the API");
}

/// A provider block with the keys of `account`'s RAM user that assumes `role_arn`.
fn assuming_provider(emulator: &Emulator, account: &str, role_arn: &str) -> String {
    let a = emulator.user(account);
    format!(
        "provider \"aliram\" {{\n  access_key = \"{}\"\n  secret_key = \"{}\"\n{}  assume_role {{\n    role_arn = \"{role_arn}\"\n  }}\n}}\n",
        a.access_key_id,
        a.access_key_secret,
        emulator.endpoints_block()
    )
}

const NOT_THE_ACCOUNT: &str = "Not the Alibaba Cloud Account";
const GUIDE_NOTE: &str = "Log on to the console using an Alibaba Cloud account, not a RAM user. If you use a RAM \
                          user, an authorization error may occur when you create the DTS task.";

#[test]
fn creating_a_dts_role_with_a_role_session_warns_with_the_guides_reason() {
    let emulator = Emulator::start(&[]);
    // The operator's role in the database's own account, as a CI pipeline would assume it.
    let operator = emulator.create_role_trusting("source", "terraform-operator", "source");
    // The emulator enforces RAM's policies: the operator's sessions may do what its role's policy allows.
    let api = emulator.api("source");
    emulator
        .block_on(api.attach_policy_to_role(
            "terraform-operator",
            PolicyType::System,
            "AliyunRAMFullAccess",
        ))
        .expect("AttachPolicyToRole");
    let task = emulator.account("destination").account_id.clone();
    let resources = format!(
        r#"
resource "aliram_cross_account_dts_role" "r" {{
  scenario        = "source"
  task_account_id = "{task}"
}}

resource "aliram_dataworks_source_role" "dw" {{
  role_name            = "dw-reader"
  instance_type        = "rds"
  dataworks_account_id = "{task}"
}}
"#
    );
    for tf in terraforms() {
        // With a role session: the DTS role's creation is flagged, the DataWorks role's is not.
        let work = Workdir::new(
            tf,
            &format!(
                "{REQUIRED_PROVIDERS}{}{resources}",
                assuming_provider(&emulator, "source", &operator)
            ),
        );
        let warnings = plan_warnings(&work, &tf.version);
        let flagged = with_summary(&warnings, NOT_THE_ACCOUNT);
        assert_eq!(flagged.len(), 1, "Terraform {}: {warnings:#?}", tf.version);
        let detail = &flagged[0].detail;
        for fragment in [
            "a RAM role session (STS credentials)",
            ":assumed-role/terraform-operator/",
            GUIDE_NOTE,
            "create the DTS task logged on as the Alibaba Cloud account itself",
        ] {
            assert!(
                detail.contains(&squash(fragment)),
                "Terraform {}: lacks {fragment:?}: {detail}",
                tf.version
            );
        }
        // A reminder at creation, not on every later plan.
        work.run(&["apply", "-input=false", "-auto-approve", "-no-color"])
            .success();
        let later = plan_warnings(&work, &tf.version);
        assert!(
            with_summary(&later, NOT_THE_ACCOUNT).is_empty(),
            "Terraform {}: {later:#?}",
            tf.version
        );
        work.run(&["destroy", "-input=false", "-auto-approve", "-no-color"])
            .success();

        // With the account's own keys: nothing to say.
        let root = Workdir::new(
            tf,
            &format!(
                "{REQUIRED_PROVIDERS}{}{resources}",
                emulator.provider_block(None, "source")
            ),
        );
        let warnings = plan_warnings(&root, &tf.version);
        assert!(
            with_summary(&warnings, NOT_THE_ACCOUNT).is_empty(),
            "Terraform {}: {warnings:#?}",
            tf.version
        );
    }
}

#[test]
fn what_the_seeds_allow_applies_and_plans_clean() {
    let emulator = Emulator::start(&[]);
    let config = format!(
        r#"{REQUIRED_PROVIDERS}{source}{task}
data "aliram_caller_identity" "task" {{
  provider = aliram.task
}}

# Both spellings of SQL Server: the guide's, and the RDS API's.
resource "aliram_dataworks_source_role" "guide_spelling" {{
  role_name            = "dw-sqlserver-guide"
  instance_type        = "rds"
  rds_engine           = "SQL Server"
  dataworks_account_id = data.aliram_caller_identity.task.account_id
}}

resource "aliram_dataworks_source_role" "api_spelling" {{
  role_name            = "dw-sqlserver-api"
  instance_type        = "rds"
  rds_engine           = "SQLServer"
  dataworks_account_id = data.aliram_caller_identity.task.account_id
}}

resource "aliram_dataworks_source_role" "analyticdb" {{
  role_name            = "dw-adb"
  instance_type        = "analyticdb_for_mysql"
  dataworks_account_id = data.aliram_caller_identity.task.account_id
}}

# Two-way synchronisation between Tair (Enterprise Edition) instances.
resource "aliram_cross_account_dts_role" "tair" {{
  scenario        = "source_and_destination"
  database        = "source"
  task_account_id = data.aliram_caller_identity.task.account_id
  database_type   = "Tair/Redis"
  access_method   = "Alibaba Cloud Instance"
  two_way         = true
  instance_kind   = "Tair (Enterprise Edition) instances"
}}
"#,
        source = emulator.provider_block(None, "source"),
        task = emulator.provider_block(Some("task"), "task"),
    );
    for tf in terraforms() {
        let work = Workdir::new(tf, &config);
        work.run(&["apply", "-input=false", "-auto-approve", "-no-color"])
            .success();
        work.assert_plan_clean();
        let api = emulator.api("source");
        let listed = emulator
            .block_on(api.list_policies_for_role("dw-adb"))
            .expect("ListPoliciesForRole");
        let names: Vec<String> = listed
            .policies
            .policy
            .into_iter()
            .map(|p| p.policy_name)
            .collect();
        assert_eq!(
            names,
            ["AliyunADBReadOnlyAccess"],
            "Terraform {}",
            tf.version
        );
        assert!(emulator.service_may_assume(
            "cdp.aliyuncs.com",
            &emulator.account("task").account_id,
            &format!(
                "acs:ram::{}:role/dw-adb",
                emulator.account("source").account_id
            ),
        ));
        work.run(&["destroy", "-input=false", "-auto-approve", "-no-color"])
            .success();
        assert!(
            emulator.role_names("source").is_empty(),
            "Terraform {}",
            tf.version
        );
    }
}
