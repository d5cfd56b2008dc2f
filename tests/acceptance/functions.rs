//! The trust-policy functions through real Terraform: `trust_policy_equal` and `normalize_trust_policy` as the
//! runnable example uses them (no provider configuration, no API), and a bad document named in the error.

use crate::support::{REQUIRED_PROVIDERS, Workdir, terraforms};

const EXAMPLE: &str = "functions/trust_policy_comparison";

#[test]
fn the_example_compares_by_meaning_and_normalises() {
    for tf in terraforms() {
        let work = Workdir::from_example(tf, EXAMPLE);
        work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .success();
        let outputs: serde_json::Value =
            serde_json::from_str(&work.run(&["output", "-json"]).success().stdout)
                .expect("terraform output -json prints JSON");
        assert_eq!(
            outputs["same_as_the_dts_guide"]["value"], true,
            "Terraform {}: {outputs}",
            tf.version
        );
        assert_eq!(
            outputs["canonical"]["value"],
            r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root"],"Service":["1234567890123456@dts.aliyuncs.com"]}}],"Version":"1"}"#,
            "Terraform {}",
            tf.version
        );
    }
}

#[test]
fn different_documents_differ_and_a_bad_one_is_named() {
    let config = format!(
        "{REQUIRED_PROVIDERS}{}",
        r#"
locals {
  one = jsonencode({ Version = "1", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { RAM = ["acs:ram::1:root"] } }] })
  two = jsonencode({ Version = "1", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { RAM = ["acs:ram::1:root", "acs:ram::2:root"] } }] })
}
output "widened" {
  value = provider::aliram::trust_policy_equal(local.one, local.two)
}
"#
    );
    for tf in terraforms() {
        let work = Workdir::new(tf, &config);
        work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .success();
        let widened = work.run(&["output", "-raw", "widened"]).success();
        assert_eq!(widened.stdout.trim(), "false", "Terraform {}", tf.version);

        work.write_config(&config.replace(
            "trust_policy_equal(local.one, local.two)",
            "trust_policy_equal(local.one, \"{\\\"Statement\\\": 3}\")",
        ));
        let bad = work.run(&["plan", "-input=false", "-no-color"]);
        assert_eq!(bad.code, 1, "Terraform {}: {}", tf.version, bad.stdout);
        assert!(
            bad.stderr.contains("\"b\"") && bad.stderr.contains("Statement"),
            "Terraform {}: the error names argument b and the place in the document:\n{}",
            tf.version,
            bad.stderr
        );
    }
}
