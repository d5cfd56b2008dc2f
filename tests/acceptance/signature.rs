//! `signature_version = "v3"` through real Terraform: a role applied, planned clean and destroyed with every
//! request the provider sends signed V3, through a chained `assume_role` (so the STS session's token travels in
//! `x-acs-security-token`), counted by the emulator per signature; an unknown version is refused at validate.
//! The provider signs as the source account's RAM user, as STS refuses root keys.

use crate::support::emulator::Emulator;
use crate::support::{REQUIRED_PROVIDERS, Workdir, terraforms};
use terraform_provider_aliram::provider::alicloud::ram::PolicyType;

fn config(emulator: &Emulator, signature_version: &str, role_arn: &str) -> String {
    let source = emulator.user("source");
    format!(
        "{REQUIRED_PROVIDERS}\nprovider \"aliram\" {{\n  access_key        = \"{}\"\n  secret_key        = \"{}\"\n  \
         signature_version = \"{signature_version}\"\n  assume_role {{\n    role_arn = \"{role_arn}\"\n  }}\n{}}}\n\n\
         resource \"aliram_cross_account_dts_role\" \"source\" {{\n  scenario        = \"source\"\n  \
         task_account_id = \"{}\"\n  database_type   = \"MySQL\"\n  access_method   = \"Alibaba Cloud Instance\"\n}}\n",
        source.access_key_id,
        source.access_key_secret,
        emulator.endpoints_block(),
        emulator.account("destination").account_id,
    )
}

/// Requests the emulator authenticated with `signature` so far.
fn signed_with(emulator: &Emulator, signature: &str) -> u64 {
    emulator.stats()["signatures"][signature]
        .as_u64()
        .unwrap_or(0)
}

#[test]
fn a_role_applies_plans_and_destroys_signed_v3() {
    let emulator = Emulator::start(&[]);
    let role_arn = emulator.create_role_trusting("source", "terraform", "source");
    // The emulator enforces RAM's policies: the session creates and deletes roles as its role allows.
    let api = emulator.api("source");
    emulator
        .block_on(api.attach_policy_to_role("terraform", PolicyType::System, "AliyunRAMFullAccess"))
        .expect("AttachPolicyToRole");
    for tf in terraforms() {
        let work = Workdir::new(tf, &config(&emulator, "v3", &role_arn));
        // Terraform runs between two counts, so every v1 request counted there came from the provider (the
        // test's own reads, role_names, sign v1 and run outside them).
        let terraform_v1 = |args: &[&str]| {
            let (v1, v3) = (signed_with(&emulator, "v1"), signed_with(&emulator, "v3"));
            work.run(args).success();
            (
                signed_with(&emulator, "v1") - v1,
                signed_with(&emulator, "v3") - v3,
            )
        };
        let (v1, v3) = terraform_v1(&["apply", "-input=false", "-no-color", "-auto-approve"]);
        // AssumeRole, GetCallerIdentity as the session, CreateRole at least.
        assert!(
            v1 == 0 && v3 >= 3,
            "Terraform {}: apply sent {v1} v1 and {v3} V3 requests",
            tf.version
        );
        // -detailed-exitcode: success() then also means nothing to change.
        let (v1, _) = terraform_v1(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
        assert_eq!(v1, 0, "Terraform {}: plan sent v1 requests", tf.version);
        assert!(
            emulator
                .role_names("source")
                .contains(&"ram-for-dts".to_owned()),
            "Terraform {}: the role was not created: {:?}",
            tf.version,
            emulator.role_names("source")
        );
        let (v1, _) = terraform_v1(&["destroy", "-input=false", "-no-color", "-auto-approve"]);
        assert_eq!(v1, 0, "Terraform {}: destroy sent v1 requests", tf.version);
        assert_eq!(
            emulator.role_names("source"),
            ["terraform".to_owned()],
            "Terraform {}: the role was not destroyed",
            tf.version
        );
    }
}

#[test]
fn an_unknown_signature_version_is_refused_naming_it() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        let work = Workdir::new(tf, &config(&emulator, "v2", "acs:ram::1:role/none"));
        let requests_before = emulator.stats()["requests"].as_u64();
        work.assert_plan_refused(
            "signature_version v2",
            &[r#"signature_version must be one of "v1", "v3", not "v2"."#],
        );
        assert_eq!(
            emulator.stats()["requests"].as_u64(),
            requests_before,
            "Terraform {}: a request was sent before the refusal",
            tf.version
        );
    }
}
