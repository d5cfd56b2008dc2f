//! The plugin core through real Terraform: schema, provider-defined functions, logging and shutdown, under every
//! available Terraform version.

use crate::support::{PROVIDER_ADDRESS, Workdir, squash, terraforms};

const FUNCTION_CONFIG: &str = r#"
terraform {
  required_providers {
    aliram = { source = "aliram/aliram" }
  }
}

output "dts" {
  value = provider::aliram::dts_trust_policy("1234567890123456")
}

output "dataworks" {
  value = provider::aliram::dataworks_trust_policy("2234567890123456")
}
"#;

const DTS_DOCUMENT: &str = r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root"],"Service":["1234567890123456@dts.aliyuncs.com"]}}],"Version":"1"}"#;
const DATAWORKS_DOCUMENT: &str = r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["2234567890123456@cdp.aliyuncs.com"]}}],"Version":"1"}"#;

#[test]
fn schema_lists_the_provider_and_its_functions_with_descriptions() {
    for tf in terraforms() {
        let work = Workdir::new(tf, FUNCTION_CONFIG);
        let out = work.run(&["providers", "schema", "-json"]).success();
        let schema: serde_json::Value = serde_json::from_str(&out.stdout).expect("schema JSON");
        let provider = &schema["provider_schemas"][PROVIDER_ADDRESS];
        assert!(
            provider.is_object(),
            "Terraform {}: {PROVIDER_ADDRESS} missing from {}",
            tf.version,
            out.stdout
        );
        for name in ["dts_trust_policy", "dataworks_trust_policy"] {
            let function = &provider["functions"][name];
            assert!(
                function["description"]
                    .as_str()
                    .is_some_and(|d| d.len() > 40),
                "Terraform {}: {name}: {function}",
                tf.version
            );
            assert!(
                function["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "Terraform {}: {name}",
                tf.version
            );
            assert_eq!(function["return_type"], "string");
        }
        let secret = &provider["provider"]["block"]["attributes"]["secret_key"];
        assert_eq!(secret["sensitive"], true, "Terraform {}", tf.version);
    }
}

#[test]
fn plan_shows_the_trust_policy_documents() {
    for tf in terraforms() {
        let work = Workdir::new(tf, FUNCTION_CONFIG);
        let plan = work.plan_json();
        assert_eq!(
            plan["output_changes"]["dts"]["after"], DTS_DOCUMENT,
            "Terraform {}",
            tf.version
        );
        assert_eq!(
            plan["output_changes"]["dataworks"]["after"], DATAWORKS_DOCUMENT,
            "Terraform {}",
            tf.version
        );
    }
}

#[test]
fn a_non_digit_account_fails_the_plan_naming_argument_and_value() {
    for tf in terraforms() {
        let work = Workdir::new(
            tf,
            &FUNCTION_CONFIG.replace("\"1234567890123456\"", "\"12ab\""),
        );
        let out = work.run(&["plan", "-input=false", "-no-color"]);
        assert_eq!(
            out.code, 1,
            "Terraform {}: plan should fail:\n{}",
            tf.version, out.stdout
        );
        let stderr = squash(&out.stderr);
        assert!(
            stderr.contains("\"trusted_account_id\""),
            "Terraform {}: {stderr}",
            tf.version
        );
        assert!(
            stderr.contains("\"12ab\" is not an Alibaba Cloud account ID"),
            "Terraform {}: {stderr}",
            tf.version
        );
    }
}

#[test]
fn provider_logs_are_parsed_entries_and_every_process_exits_gracefully() {
    for tf in terraforms() {
        let mut work = Workdir::new(tf, FUNCTION_CONFIG);
        let log = work.path().join("terraform.log");
        work.set_env("TF_LOG", "DEBUG");
        work.set_env("TF_LOG_PATH", &log.display().to_string());
        work.run(&["plan", "-input=false", "-no-color"]).success();
        let text = std::fs::read_to_string(&log).expect("Terraform wrote its log");
        // hclog JSON lines become `[DEBUG] provider.terraform-provider-aliram: <message>: @module=aliram...`.
        let parsed = text
            .lines()
            .filter(|l| {
                l.contains("provider.terraform-provider-aliram: ") && l.contains("@module=aliram.")
            })
            .count();
        assert!(
            parsed > 0,
            "Terraform {}: no parsed provider entries in its log",
            tf.version
        );
        assert!(
            text.contains("shutdown requested by Terraform"),
            "Terraform {}",
            tf.version
        );
        assert!(
            !text.contains("plugin failed to exit gracefully"),
            "Terraform {}: a provider process had to be killed",
            tf.version
        );
        assert!(
            !text.contains("\"@message\""),
            "Terraform {}: a provider line was not parsed as hclog JSON",
            tf.version
        );
    }
}
