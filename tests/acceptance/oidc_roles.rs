//! A role for OIDC federation through real Terraform: `aliram_role` with a trust policy naming an OIDC provider
//! (`Principal.Federated`, conditions on `oidc:iss`, `oidc:aud`, `oidc:sub`) passes the plan-time checks, applies,
//! plans clean against the document RAM re-serialises, and the role it made admits the trusted subject's ID token
//! through STS `AssumeRoleWithOIDC` on the emulator, and no other subject's.

use crate::support::emulator::Emulator;
use crate::support::{REQUIRED_PROVIDERS, Workdir, terraforms};
use serde_json::json;

const MAIN: &str = "repo:org/app:ref:refs/heads/main";

#[test]
fn an_oidc_role_applies_plans_clean_and_admits_only_the_trusted_subject() {
    let emulator = Emulator::start(&[]);
    let provider_arn = emulator.create_oidc_provider("source", "ci", &["sts.aliyuncs.com"]);
    let uid = &emulator.account("source").account_id;
    let role_arn = format!("acs:ram::{uid}:role/ci-deployer");
    let token = |sub: &str| emulator.oidc_token(&json!({"sub": sub, "aud": "sts.aliyuncs.com"}));
    for tf in terraforms() {
        let config = format!(
            r#"{REQUIRED_PROVIDERS}{provider}
resource "aliram_role" "ci" {{
  role_name    = "ci-deployer"
  policy_names = ["AliyunRAMReadOnlyAccess"]
  trust_policy = jsonencode({{
    Version = "1"
    Statement = [{{
      Action    = "sts:AssumeRole"
      Effect    = "Allow"
      Principal = {{ Federated = ["{provider_arn}"] }}
      Condition = {{ StringEquals = {{
        "oidc:iss" = "{issuer}"
        "oidc:aud" = "sts.aliyuncs.com"
        "oidc:sub" = "{MAIN}"
      }} }}
    }}]
  }})
}}
"#,
            provider = emulator.provider_block(None, "source"),
            issuer = emulator.oidc_issuer(),
        );
        let work = Workdir::new(tf, &config);
        work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
            .success();
        work.assert_plan_clean();

        let assumed = emulator.assume_role_with_oidc(&provider_arn, &role_arn, &token(MAIN));
        assert_eq!(
            assumed["AssumedRoleUser"]["Arn"],
            format!("{role_arn}/acceptance"),
            "Terraform {}: {assumed}",
            tf.version
        );
        let refused = emulator.assume_role_with_oidc(
            &provider_arn,
            &role_arn,
            &token("repo:org/app:ref:refs/heads/dev"),
        );
        assert_eq!(
            refused["Code"], "AuthenticationFail.NoPermission",
            "{refused}"
        );
        assert!(
            refused["Message"]
                .as_str()
                .unwrap_or_default()
                .contains("oidc:sub"),
            "{refused}"
        );
        work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
            .success();
    }
}
