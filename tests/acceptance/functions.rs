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
        let bad = work.run(&["plan", "-input=false", "-no-color", "-json"]);
        assert_eq!(bad.code, 1, "Terraform {}: {}", tf.version, bad.output());
        // The function's own error (Terraform's echo of the call contains "Statement" too): attached to argument
        // b, naming the place in the document, what it must be and what it is.
        let said = bad.error_text();
        for part in [
            "Invalid value for \"b\" parameter",
            "\"Statement\" in the trust policy must be an object or a list of objects, but it is a number (3)",
        ] {
            assert!(
                said.contains(part),
                "Terraform {}: the error lacks {part:?}:\n{said}",
                tf.version
            );
        }
    }
}
