//! `aliram_caller_identity` through real Terraform against the emulator: each credential source the provider
//! reads resolves to the right account (a CI job's OIDC federation included), failures say what went wrong, and no
//! secret (an OIDC token included) reaches Terraform's logs.
//!
//! Not covered here: the `EcsRamRole` profile mode and `ecs_role_name`. They read the ECS instance metadata
//! service at 100.100.100.200, which is not loopback and cannot be redirected from the provider block; the
//! client's own tests (`tests/fast/client_credentials.rs`) cover them against a fake metadata service.

use crate::support::cli_config::write_cli_config;
use crate::support::emulator::Emulator;
use crate::support::{REQUIRED_PROVIDERS, Run, Terraform, Workdir, terraforms};
use serde_json::json;
use std::fs;
use terraform_provider_aliram::provider::alicloud::ram::PolicyType;
use terraform_provider_aliram::ram::signature::v1::percent_encode;

fn caller_config(provider: &str) -> String {
    format!(
        "{REQUIRED_PROVIDERS}{provider}\ndata \"aliram_caller_identity\" \"me\" {{}}\n\noutput \"account_id\" {{ value = data.aliram_caller_identity.me.account_id }}\noutput \"arn\" {{ value = data.aliram_caller_identity.me.arn }}\noutput \"identity_type\" {{ value = data.aliram_caller_identity.me.identity_type }}\n"
    )
}

/// A provider configuration named `name` (its alias) with `settings` and the emulator's endpoints, the caller
/// identity it reads, and an output `name` holding that identity.
fn identity_probe(emulator: &Emulator, name: &str, settings: &str) -> String {
    format!(
        "provider \"aliram\" {{\n  alias = \"{name}\"\n{settings}{endpoints}}}\n\n\
         data \"aliram_caller_identity\" \"{name}\" {{\n  provider = aliram.{name}\n}}\n\n\
         output \"{name}\" {{\n  value = {{\n    account_id    = data.aliram_caller_identity.{name}.account_id\n    \
         arn           = data.aliram_caller_identity.{name}.arn\n    \
         identity_type = data.aliram_caller_identity.{name}.identity_type\n  }}\n}}\n\n",
        endpoints = emulator.endpoints_block()
    )
}

/// A configuration of several probes.
fn probes_config(probes: &[String]) -> String {
    format!("{REQUIRED_PROVIDERS}\n{}", probes.concat())
}

/// Who a probe should find.
#[derive(Debug)]
struct Expected {
    account_id: String,
    arn: String,
    identity_type: &'static str,
}

impl Expected {
    /// The root identity of `account`.
    fn root(emulator: &Emulator, account: &str) -> Expected {
        let account_id = emulator.account(account).account_id.clone();
        Expected {
            arn: format!("acs:ram::{account_id}:root"),
            account_id,
            identity_type: "Account",
        }
    }

    /// A session `session` of role `role` in `account`.
    fn session(emulator: &Emulator, account: &str, role: &str, session: &str) -> Expected {
        let account_id = emulator.account(account).account_id.clone();
        Expected {
            arn: format!("acs:ram::{account_id}:assumed-role/{role}/{session}"),
            account_id,
            identity_type: "AssumedRoleUser",
        }
    }
}

/// One run with credentials in the environment.
struct EnvironmentCase<'a> {
    /// What the variables are, for messages.
    what: &'static str,
    /// The variables and their values.
    variables: Vec<(&'static str, &'a str)>,
    /// The identity they belong to.
    expected: Expected,
}

/// Asserts the planned output `name` is the identity `expected`.
fn assert_probe(plan: &serde_json::Value, name: &str, expected: &Expected, terraform: &str) {
    let found = &plan["output_changes"][name]["after"];
    let context = format!("probe {name}, Terraform {terraform}, output {found}");
    assert_eq!(
        found["account_id"],
        expected.account_id.as_str(),
        "{context}"
    );
    assert_eq!(found["arn"], expected.arn.as_str(), "{context}");
    assert_eq!(found["identity_type"], expected.identity_type, "{context}");
}

#[test]
fn provider_arguments_resolve_to_their_account() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        let work = Workdir::new(
            tf,
            &caller_config(&emulator.provider_block(None, "destination")),
        );
        let plan = work.plan_json();
        let outputs = &plan["output_changes"];
        assert_eq!(
            outputs["account_id"]["after"],
            emulator.account("destination").account_id,
            "Terraform {}",
            tf.version
        );
        assert_eq!(
            outputs["arn"]["after"],
            format!(
                "acs:ram::{}:root",
                emulator.account("destination").account_id
            )
        );
        assert_eq!(outputs["identity_type"]["after"], "Account");
    }
}

#[test]
fn each_environment_spelling_resolves_to_its_account() {
    let emulator = Emulator::start(&[]);
    let role_arn = emulator.create_role_trusting("destination", "env-session-role", "source");
    let source = emulator.account("source").clone();
    let task = emulator.account("task").clone();
    let config = probes_config(&[identity_probe(&emulator, "from_env", "")]);

    for tf in terraforms() {
        // Fresh STS credentials per Terraform version: each run is a new session, as a CI job would have.
        let session = emulator.assume_role("source", &role_arn, "env-session");
        let cases = [
            EnvironmentCase {
                what: "ALIBABA_CLOUD_* keys",
                variables: vec![
                    ("ALIBABA_CLOUD_ACCESS_KEY_ID", &source.access_key_id),
                    ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", &source.access_key_secret),
                ],
                expected: Expected::root(&emulator, "source"),
            },
            EnvironmentCase {
                what: "ALICLOUD_* keys",
                variables: vec![
                    ("ALICLOUD_ACCESS_KEY", &task.access_key_id),
                    ("ALICLOUD_SECRET_KEY", &task.access_key_secret),
                ],
                expected: Expected::root(&emulator, "task"),
            },
            EnvironmentCase {
                what: "ALIBABA_CLOUD_* STS credentials",
                variables: vec![
                    ("ALIBABA_CLOUD_ACCESS_KEY_ID", &session.access_key_id),
                    (
                        "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                        session.access_key_secret.expose(),
                    ),
                    (
                        "ALIBABA_CLOUD_SECURITY_TOKEN",
                        session.security_token.expose(),
                    ),
                ],
                expected: Expected::session(
                    &emulator,
                    "destination",
                    "env-session-role",
                    "env-session",
                ),
            },
            EnvironmentCase {
                what: "ALICLOUD_* STS credentials",
                variables: vec![
                    ("ALICLOUD_ACCESS_KEY", &session.access_key_id),
                    ("ALICLOUD_SECRET_KEY", session.access_key_secret.expose()),
                    ("ALICLOUD_SECURITY_TOKEN", session.security_token.expose()),
                ],
                expected: Expected::session(
                    &emulator,
                    "destination",
                    "env-session-role",
                    "env-session",
                ),
            },
        ];
        for EnvironmentCase {
            what,
            variables,
            expected,
        } in cases
        {
            // A new directory per run: the variables of one run must not reach the next.
            let mut work = Workdir::new(tf, &config);
            for (name, value) in variables {
                work.set_env(name, value);
            }
            let plan = work.plan_json();
            assert_probe(
                &plan,
                "from_env",
                &expected,
                &format!("{} with {what}", tf.version),
            );
        }
    }
}

#[test]
fn aliyun_cli_profiles_of_each_mode_and_assume_role_on_top() {
    let emulator = Emulator::start(&[]);
    // RamRoleArn: the profile holds the keys of source's RAM user and assumes a role in task that trusts source.
    let profile_role = emulator.create_role_trusting("task", "profile-role", "source");
    // StsToken: the profile holds a session of a role in destination, obtained here.
    let token_role = emulator.create_role_trusting("destination", "token-role", "source");
    // assume_role on top of a profile: the keys of task's RAM user assume a role in destination that trusts task.
    let chained_role = emulator.create_role_trusting("destination", "chained-role", "task");
    let source = emulator.account("source").clone();
    let task = emulator.account("task").clone();
    let (source_user, task_user) = (
        emulator.user("source").clone(),
        emulator.user("task").clone(),
    );

    for tf in terraforms() {
        let session = emulator.assume_role("source", &token_role, "token-session");
        let mut work = Workdir::new(tf, "");
        // The default file, ~/.aliyun/config.json, under a home directory of the test's own.
        let home = work.path().join("home");
        let file = home.join(".aliyun/config.json");
        write_cli_config(
            &file,
            "ak-source",
            serde_json::json!([
                { "name": "ak-source", "mode": "AK",
                  "access_key_id": source.access_key_id, "access_key_secret": source.access_key_secret },
                { "name": "ak-task", "mode": "AK",
                  "access_key_id": task.access_key_id, "access_key_secret": task.access_key_secret },
                { "name": "sts", "mode": "StsToken",
                  "access_key_id": session.access_key_id,
                  "access_key_secret": session.access_key_secret.expose(),
                  "sts_token": session.security_token.expose() },
                { "name": "user-task", "mode": "AK",
                  "access_key_id": task_user.access_key_id,
                  "access_key_secret": task_user.access_key_secret },
                { "name": "role", "mode": "RamRoleArn",
                  "access_key_id": source_user.access_key_id,
                  "access_key_secret": source_user.access_key_secret,
                  "ram_role_arn": profile_role, "ram_session_name": "profile-session" },
            ]),
        );
        work.set_env("HOME", &home.display().to_string());
        let file = file.display();
        let in_file = |profile: &str| {
            format!("  shared_credentials_file = \"{file}\"\n  profile = \"{profile}\"\n")
        };
        work.write_config(&probes_config(&[
            identity_probe(&emulator, "default_file_current", ""),
            identity_probe(&emulator, "named_file_current", &format!("  shared_credentials_file = \"{file}\"\n")),
            identity_probe(&emulator, "ak", &in_file("ak-task")),
            identity_probe(&emulator, "sts_token", &in_file("sts")),
            identity_probe(&emulator, "ram_role_arn", &in_file("role")),
            identity_probe(
                &emulator,
                "assume_role_on_profile",
                &format!(
                    "{}  assume_role {{\n    role_arn     = \"{chained_role}\"\n    session_name = \"chained\"\n  }}\n",
                    in_file("user-task")
                ),
            ),
        ]));

        let plan = work.plan_json();
        let version = &tf.version;
        assert_probe(
            &plan,
            "default_file_current",
            &Expected::root(&emulator, "source"),
            version,
        );
        assert_probe(
            &plan,
            "named_file_current",
            &Expected::root(&emulator, "source"),
            version,
        );
        assert_probe(&plan, "ak", &Expected::root(&emulator, "task"), version);
        let token_session =
            Expected::session(&emulator, "destination", "token-role", "token-session");
        assert_probe(&plan, "sts_token", &token_session, version);
        let role_session = Expected::session(&emulator, "task", "profile-role", "profile-session");
        assert_probe(&plan, "ram_role_arn", &role_session, version);
        let chained = Expected::session(&emulator, "destination", "chained-role", "chained");
        assert_probe(&plan, "assume_role_on_profile", &chained, version);
    }
}

#[test]
fn a_wrong_secret_fails_with_signature_does_not_match() {
    let emulator = Emulator::start(&[]);
    let key_id = emulator.account("source").access_key_id.clone();
    let wrong_secret = "NotTheSecretOfThisKey0000000000";
    let settings = format!("  access_key = \"{key_id}\"\n  secret_key = \"{wrong_secret}\"\n");
    for tf in terraforms() {
        let work = Workdir::new(
            tf,
            &probes_config(&[identity_probe(&emulator, "wrong", &settings)]),
        );
        let run = work.run(&["plan", "-input=false", "-no-color", "-json"]);
        assert_ne!(
            run.code, 0,
            "Terraform {}: the plan must fail:\n{}",
            tf.version, run.stdout
        );
        let errors = run.errors();
        assert_eq!(errors.len(), 1, "Terraform {}: {errors:#?}", tf.version);
        assert_eq!(errors[0].summary, "Alibaba Cloud API Error");
        let detail = &errors[0].detail;
        for part in [
            "GetCallerIdentity",
            "Code SignatureDoesNotMatch",
            "Message ",
        ] {
            assert!(
                detail.contains(part),
                "Terraform {}: {part:?} missing from {detail:?}",
                tf.version
            );
        }
        let request_id = detail
            .split("RequestId ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next());
        assert!(
            request_id.is_some_and(|id| id.len() > 8 && !id.starts_with("(none)")),
            "Terraform {}: no RequestId in {detail:?}",
            tf.version
        );
        assert!(
            !run.stdout.contains(wrong_secret) && !run.stderr.contains(wrong_secret),
            "the secret is shown"
        );
    }
    let get_caller_identity = &emulator.stats()["actions"]["GetCallerIdentity"];
    assert_eq!(
        get_caller_identity["errors"], get_caller_identity["requests"],
        "every call failed, and a bad signature is not retried: {get_caller_identity}"
    );
    assert_eq!(get_caller_identity["requests"], terraforms().len() as u64);
}

#[test]
fn no_credentials_fail_with_one_diagnostic_listing_every_source_tried() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        let mut work = Workdir::new(
            tf,
            &probes_config(&[identity_probe(&emulator, "nothing", "")]),
        );
        // A home directory without ~/.aliyun/config.json, whatever the machine's own has.
        let home = work.path().join("empty-home");
        fs::create_dir_all(&home).expect("creating the home directory");
        work.set_env("HOME", &home.display().to_string());
        let run = work.run(&["plan", "-input=false", "-no-color", "-json"]);
        assert_ne!(
            run.code, 0,
            "Terraform {}: the plan must fail:\n{}",
            tf.version, run.stdout
        );
        let errors = run.errors();
        assert_eq!(errors.len(), 1, "Terraform {}: {errors:#?}", tf.version);
        let detail = &errors[0].detail;
        let tried = [
            "provider arguments access_key/secret_key".to_owned(),
            "ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET".to_owned(),
            "ALICLOUD_ACCESS_KEY/ALICLOUD_SECRET_KEY".to_owned(),
            format!(
                "aliyun CLI profile in {}",
                home.join(".aliyun/config.json").display()
            ),
            "ECS instance RAM role".to_owned(),
        ];
        for source in &tried {
            assert!(
                detail.contains(source.as_str()),
                "Terraform {}: {source:?} missing from {detail:?}",
                tf.version
            );
        }
        let positions: Vec<_> = tried
            .iter()
            .filter_map(|s| detail.find(s.as_str()))
            .collect();
        assert!(
            positions.is_sorted(),
            "sources listed in the order tried: {detail:?}"
        );
    }
    assert_eq!(
        emulator.stats()["requests"],
        0,
        "no request is made without credentials"
    );
}

#[test]
fn trace_log_of_a_whole_run_holds_no_secret() {
    let emulator = Emulator::start(&[]);
    let role_arn = emulator.create_role_trusting("destination", "logged-role", "source");
    let source = emulator.user("source").clone();
    for tf in terraforms() {
        let session = emulator.assume_role("source", &role_arn, "logged-session");
        // One provider signs with STS credentials given as arguments, one the same signing V3 (the token then travels
        // in a header); another with a RAM user's keys from the environment, assuming a role on top (so the provider
        // itself receives STS credentials).
        let with_token = format!(
            "  access_key = \"{}\"\n  secret_key = \"{}\"\n  security_token = \"{}\"\n",
            session.access_key_id,
            session.access_key_secret.expose(),
            session.security_token.expose()
        );
        let assuming = format!("  assume_role {{\n    role_arn = \"{role_arn}\"\n  }}\n");
        let mut work = Workdir::new(
            tf,
            &probes_config(&[
                identity_probe(&emulator, "with_token", &with_token),
                identity_probe(
                    &emulator,
                    "signed_v3",
                    &format!("{with_token}  signature_version = \"v3\"\n"),
                ),
                identity_probe(&emulator, "assuming", &assuming),
            ]),
        );
        work.set_env("ALIBABA_CLOUD_ACCESS_KEY_ID", &source.access_key_id);
        work.set_env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", &source.access_key_secret);
        let log_path = work.path().join("terraform.log");
        work.set_env("TF_LOG", "TRACE");
        work.set_env("TF_LOG_PATH", &log_path.display().to_string());
        let run = work.run(&["plan", "-input=false", "-no-color"]).success();
        let log = fs::read_to_string(&log_path).expect("reading the Terraform log");
        assert!(
            emulator.stats()["signatures"]["v3"].as_u64() > Some(0),
            "Terraform {}: the signed_v3 probe sent no V3 request",
            tf.version
        );

        // The log is the whole run's, provider included: otherwise finding nothing would prove nothing.
        for evidence in ["GetCallerIdentity", "AssumeRole"] {
            assert!(
                log.contains(evidence),
                "Terraform {}: {evidence:?} not in the log",
                tf.version
            );
        }
        let secrets = [
            ("user secret", source.access_key_secret.as_str()),
            ("STS secret", session.access_key_secret.expose()),
            ("security token", session.security_token.expose()),
        ];
        assert_no_secret(tf, &run, &log, &secrets);
    }

    // A CI job's run: no key anywhere, the OIDC environment, a role assumed on top of the federated session (the
    // provider receives two sets of STS credentials and sends the token unsigned).
    let (provider_arn, ci_role) = ci_federation(&emulator);
    let chained = ci_chained_role(&emulator, &ci_role);
    for tf in terraforms() {
        let token = ci_token(&emulator, CI_SUBJECT);
        let mut work = Workdir::new(
            tf,
            &probes_config(&[identity_probe(
                &emulator,
                "from_ci",
                &format!("  assume_role {{\n    role_arn = \"{chained}\"\n  }}\n"),
            )]),
        );
        set_ci_environment(&mut work, &provider_arn, &ci_role, &token);
        let log_path = work.path().join("terraform.log");
        work.set_env("TF_LOG", "TRACE");
        work.set_env("TF_LOG_PATH", &log_path.display().to_string());
        let run = work.run(&["plan", "-input=false", "-no-color"]).success();
        let log = fs::read_to_string(&log_path).expect("reading the Terraform log");
        for evidence in ["AssumeRoleWithOIDC", "AssumeRole", "GetCallerIdentity"] {
            assert!(
                log.contains(evidence),
                "Terraform {}: {evidence:?} not in the log",
                tf.version
            );
        }
        assert_no_secret(tf, &run, &log, &[("OIDC token", token.as_str())]);
    }
}

/// Asserts that no secret of `secrets` (raw or percent-encoded), nor any value of a field holding a secret, is in
/// the run's output or its TRACE log.
fn assert_no_secret(tf: &Terraform, run: &Run, log: &str, secrets: &[(&str, &str)]) {
    for (text_name, text) in [
        ("log", log),
        ("stdout", run.stdout.as_str()),
        ("stderr", run.stderr.as_str()),
    ] {
        for (what, secret) in secrets {
            let encoded = percent_encode(secret);
            assert!(
                !text.contains(secret),
                "Terraform {}: the {what} is in the {text_name}",
                tf.version
            );
            assert!(
                !text.contains(&encoded),
                "Terraform {}: the encoded {what} is in the {text_name}",
                tf.version
            );
        }
        // Values nobody here knows (the signatures; the STS credentials the provider obtains itself by
        // assume_role) must not appear either, in any of the forms a request, a response or a
        // structured log would give them.
        if let Some(leak) = secret_field_value(text) {
            panic!("Terraform {}: {leak:?} in the {text_name}", tf.version);
        }
    }
}

// ---- OIDC federation, as a CI job runs the drift check --------------------------------------------------------

/// The audience the test issuer's tokens carry, as GitHub Actions' do for Alibaba Cloud.
const CI_AUDIENCE: &str = "sts.aliyuncs.com";
/// The subject the CI role trusts.
const CI_SUBJECT: &str = "repo:org/app:ref:refs/heads/main";

/// What an account prepares for a CI job's federation: an OIDC provider for the emulator's test issuer in
/// `source`, and role `ci-deployer` trusting its tokens for [`CI_SUBJECT`]. Returns (provider ARN, role ARN).
fn ci_federation(emulator: &Emulator) -> (String, String) {
    let provider = emulator.create_oidc_provider("source", "ci", &[CI_AUDIENCE]);
    let role = emulator.create_role_trusting_oidc(
        "source",
        "ci-deployer",
        &provider,
        CI_AUDIENCE,
        CI_SUBJECT,
    );
    (provider, role)
}

/// Role `dts-admin` in `source`, which the CI role's sessions may assume (its trust policy names the role, and the
/// role holds AliyunSTSAssumeRoleAccess). Returns its ARN.
fn ci_chained_role(emulator: &Emulator, ci_role: &str) -> String {
    let chained = emulator.create_role_with_trust(
        "source",
        "dts-admin",
        &json!({
            "Version": "1",
            "Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"RAM": [ci_role]}}]
        }),
    );
    let api = emulator.api("source");
    emulator
        .block_on(api.attach_policy_to_role(
            "ci-deployer",
            PolicyType::System,
            "AliyunSTSAssumeRoleAccess",
        ))
        .expect("AttachPolicyToRole");
    chained
}

/// An ID token of the test issuer for `subject`.
fn ci_token(emulator: &Emulator, subject: &str) -> String {
    emulator.oidc_token(&json!({"sub": subject, "aud": CI_AUDIENCE, "lifetime_seconds": 900}))
}

/// The environment a CI job exports for OIDC federation, its token in a file of `work`.
fn set_ci_environment(work: &mut Workdir, provider_arn: &str, role_arn: &str, token: &str) {
    let file = work.path().join("oidc-token");
    fs::write(&file, token).expect("writing the token file");
    work.set_env("ALIBABA_CLOUD_OIDC_TOKEN_FILE", &file.display().to_string());
    work.set_env("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", provider_arn);
    work.set_env("ALIBABA_CLOUD_ROLE_ARN", role_arn);
}

#[test]
fn no_keys_and_only_the_oidc_environment_plan_as_the_federated_role() {
    let emulator = Emulator::start(&[]);
    let (provider_arn, role_arn) = ci_federation(&emulator);
    let config = probes_config(&[identity_probe(&emulator, "from_ci", "")]);
    for tf in terraforms() {
        let mut work = Workdir::new(tf, &config);
        set_ci_environment(
            &mut work,
            &provider_arn,
            &role_arn,
            &ci_token(&emulator, CI_SUBJECT),
        );
        work.set_env("ALIBABA_CLOUD_ROLE_SESSION_NAME", "gha-run-7");
        let exchanged = emulator.action_stat("AssumeRoleWithOIDC", "requests");
        let plan = work.plan_json();
        assert_probe(
            &plan,
            "from_ci",
            &Expected::session(&emulator, "source", "ci-deployer", "gha-run-7"),
            &tf.version,
        );
        assert!(
            emulator.action_stat("AssumeRoleWithOIDC", "requests") > exchanged,
            "Terraform {}: no AssumeRoleWithOIDC reached the emulator",
            tf.version
        );
    }
}

#[test]
fn a_token_for_another_subject_or_an_expired_one_is_refused_saying_why() {
    let emulator = Emulator::start(&[]);
    let (provider_arn, role_arn) = ci_federation(&emulator);
    let config = probes_config(&[identity_probe(&emulator, "from_ci", "")]);
    for tf in terraforms() {
        let cases = [
            (
                "a token for another subject",
                ci_token(&emulator, "repo:org/app:ref:refs/heads/dev"),
                ["AuthenticationFail.NoPermission", "oidc:sub"],
            ),
            (
                "an expired token",
                emulator
                    .oidc_token(&json!({"sub": CI_SUBJECT, "aud": CI_AUDIENCE, "expired": true})),
                [
                    "AuthenticationFail.OIDCToken.Expired",
                    "This JsonWebToken is expired.",
                ],
            ),
        ];
        for (what, token, says) in cases {
            let mut work = Workdir::new(tf, &config);
            set_ci_environment(&mut work, &provider_arn, &role_arn, &token);
            let mut expected = vec![format!(
                "assuming role {role_arn} with the OIDC token of environment ALIBABA_CLOUD_OIDC_TOKEN_FILE"
            )];
            expected.extend(says.map(str::to_owned));
            let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
            let said = work.assert_plan_refused(what, &expected);
            assert!(
                !said.contains(&token),
                "Terraform {}: {what}: the token is in the error",
                tf.version
            );
        }
    }
}

#[test]
fn the_oidc_block_with_assume_role_on_top_plans_as_the_chained_role_and_takes_one_token_form() {
    let emulator = Emulator::start(&[]);
    let (provider_arn, ci_role) = ci_federation(&emulator);
    let chained = ci_chained_role(&emulator, &ci_role);
    for tf in terraforms() {
        let work = Workdir::new(tf, "");
        let token_file = work.path().join("ci-token");
        fs::write(&token_file, ci_token(&emulator, CI_SUBJECT)).expect("writing the token file");
        let oidc_block = format!(
            "  assume_role_with_oidc {{\n    oidc_provider_arn = \"{provider_arn}\"\n    role_arn          = \"{ci_role}\"\n    \
             oidc_token_file   = \"{}\"\n    role_session_name = \"pipeline\"\n  }}\n",
            token_file.display()
        );
        let assume_block = format!("  assume_role {{\n    role_arn = \"{chained}\"\n  }}\n");
        work.write_config(&probes_config(&[
            identity_probe(&emulator, "federated", &oidc_block),
            identity_probe(&emulator, "chained", &format!("{oidc_block}{assume_block}")),
        ]));
        let plan = work.plan_json();
        assert_probe(
            &plan,
            "federated",
            &Expected::session(&emulator, "source", "ci-deployer", "pipeline"),
            &tf.version,
        );
        assert_probe(
            &plan,
            "chained",
            &Expected::session(&emulator, "source", "dts-admin", "terraform"),
            &tf.version,
        );

        // The token and its file together: refused at validate, naming the argument, before any request.
        let both = oidc_block.replace(
            "    role_session_name",
            "    oidc_token        = \"inline-token\"\n    role_session_name",
        );
        work.write_config(&probes_config(&[identity_probe(&emulator, "both", &both)]));
        let requests = emulator.stats()["requests"].as_u64();
        let said = work.assert_plan_refused(
            "oidc_token with oidc_token_file",
            &[
                "Conflicting OIDC Token Arguments",
                "takes oidc_token or oidc_token_file, not both",
                "oidc_token_file",
            ],
        );
        assert!(
            !said.contains("inline-token"),
            "Terraform {}: {said}",
            tf.version
        );
        assert_eq!(
            emulator.stats()["requests"].as_u64(),
            requests,
            "Terraform {}: a request was sent before the refusal",
            tf.version
        );
    }
}

#[test]
fn the_documented_example_runs_against_the_emulator() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        let work = emulator.example_workdir(tf, "data-sources/caller_identity");
        let outputs = work.plan_json()["output_changes"].clone();
        let task_account_id = &emulator.account("task").account_id;
        assert_eq!(
            outputs["database_account_id"]["after"],
            emulator.account("source").account_id.as_str()
        );
        assert_eq!(
            outputs["task_account_id"]["after"],
            task_account_id.as_str()
        );
        // The example's profiles sign as each account's RAM user, as `scripts/demo` writes them.
        assert_eq!(outputs["task_caller"]["after"]["identity_type"], "RAMUser");
        let policy = outputs["dts_trust_policy"]["after"]
            .as_str()
            .expect("a trust policy document");
        assert!(
            policy.contains(&format!("{task_account_id}@dts.aliyuncs.com")),
            "{policy}"
        );
    }
}

/// Names whose values are secret, as parameters (`Signature`, `SecurityToken`) or response fields
/// (`AccessKeySecret`, `SecurityToken`).
const SECRET_FIELDS: [&str; 4] = ["Signature", "SecurityToken", "AccessKeySecret", "OIDCToken"];

/// Ways a name is followed by its value: a query or form, the same percent-encoded, JSON, Go-style logs.
const VALUE_SEPARATORS: [&str; 5] = ["=", "%3D", "\":\"", "\": \"", "\\\":\\\""];

/// The first `name<separator>value` in `text` whose value looks like a secret (a redaction marker such
/// as `<redacted>` does not), as a short excerpt without the value.
fn secret_field_value(text: &str) -> Option<String> {
    SECRET_FIELDS.iter().find_map(|field| {
        VALUE_SEPARATORS.iter().find_map(|separator| {
            let pattern = format!("{field}{separator}");
            text.match_indices(&pattern)
                .any(|(at, _)| {
                    text[at + pattern.len()..]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphanumeric() || "+/%".contains(c))
                })
                .then_some(pattern)
        })
    })
}

#[test]
fn the_secret_field_detector_finds_values_and_passes_redactions() {
    assert_eq!(
        secret_field_value("POST /?A=1&Signature=OLeaid%2B"),
        Some("Signature=".to_owned())
    );
    assert_eq!(
        secret_field_value("Signature%3DMxbn"),
        Some("Signature%3D".to_owned())
    );
    assert_eq!(
        secret_field_value(r#"{"SecurityToken":"CAIS"}"#),
        Some("SecurityToken\":\"".to_owned())
    );
    assert_eq!(
        secret_field_value(r#"{"AccessKeySecret": "x"}"#),
        Some("AccessKeySecret\": \"".to_owned())
    );
    assert_eq!(
        secret_field_value("SecurityToken=<redacted> SignatureMethod=HMAC-SHA1 Signature="),
        None
    );
}
