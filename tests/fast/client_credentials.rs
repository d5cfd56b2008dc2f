//! Each credential source of the chain resolves and signs requests the local server accepts: provider
//! arguments, each environment spelling, an aliyun CLI profile of each mode, the ECS metadata role (IMDSv2
//! and the v1 fallback, refused when ALIBABA_CLOUD_IMDSV1_DISABLED=true), a credentials URI (environment or
//! profile mode `CredentialsURI`), `assume_role` chained on a profile, a `ChainableRamRoleArn` profile on its
//! `source_profile`, an OIDC token exchanged unsigned with AssumeRoleWithOIDC (the environment of a CI job, the
//! `assume_role_with_oidc` block, profile mode `OIDC`); and the error when nothing is found.

use crate::support::cli_config::write_cli_config;
use crate::support::scripted_server::{
    ACCOUNT, AK_ID, AK_SECRET, EXPIRED_OIDC_TOKEN, FakeImds, IMDS_KEY_ID, IMDS_SECRET,
    IMDS_STS_TOKEN, Key, Scripted, TestServer, imds_key,
};
use serde_json::json;
use std::path::Path;
use std::sync::atomic::Ordering;
use terraform_provider_aliram::provider::alicloud::credentials::{
    AssumeRoleConfig, CredentialsConfig, CredentialsError, OidcConfig, resolve,
};
use terraform_provider_aliram::provider::alicloud::sts::CallerIdentity;
use terraform_provider_aliram::provider::alicloud::{AliCloudClient, FixedEnvironment, Secret};
use tokio_util::sync::CancellationToken;

const STS_ID: &str = "STS.env-session";
const STS_SECRET: &str = "env-session-secret";
const STS_TOKEN: &str = "env-session-token";
const OTHER_ACCOUNT: &str = "6543210987654321";

async fn server() -> TestServer {
    let server = TestServer::start().await;
    server.add_key(
        STS_ID,
        Key {
            secret: STS_SECRET.to_owned(),
            token: Some(STS_TOKEN.to_owned()),
            account_id: OTHER_ACCOUNT.to_owned(),
            arn: format!("acs:ram::{OTHER_ACCOUNT}:assumed-role/env/session"),
            identity_type: "AssumedRoleUser".to_owned(),
        },
    );
    server
}

/// Resolves `config` in `env`, then asks the server who the credentials belong to.
async fn whoami(
    server: &TestServer,
    config: &CredentialsConfig,
    env: &FixedEnvironment,
) -> (CallerIdentity, String) {
    let transport = server.transport();
    let cancel = CancellationToken::new();
    let credentials = resolve(config, env, &transport, &cancel)
        .await
        .unwrap_or_else(|e| panic!("resolve: {e}"));
    let source = credentials.source();
    let client = AliCloudClient::new(transport, credentials, cancel);
    let identity = client
        .get_caller_identity()
        .await
        .unwrap_or_else(|e| panic!("GetCallerIdentity with {source}: {e}"));
    (identity, source)
}

/// An environment variable as (name, value).
type Variable = (&'static str, &'static str);

fn empty_home() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn env_with_home(home: &Path, pairs: &[(&str, &str)]) -> FixedEnvironment {
    let home = home.to_str().unwrap().to_owned();
    FixedEnvironment::from_pairs(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .chain([("HOME".to_owned(), home)]),
    )
}

#[tokio::test]
async fn provider_arguments_come_first() {
    let server = server().await;
    let home = empty_home();
    let config = CredentialsConfig {
        access_key: Some(AK_ID.to_owned()),
        secret_key: Some(Secret::new(AK_SECRET)),
        ..Default::default()
    };
    // The environment names other keys; the arguments win.
    let env = env_with_home(
        home.path(),
        &[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", STS_ID),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", STS_SECRET),
        ],
    );
    let (me, source) = whoami(&server, &config, &env).await;
    assert_eq!(me.account_id, ACCOUNT);
    assert!(source.contains("provider arguments"), "{source}");

    let with_token = CredentialsConfig {
        access_key: Some(STS_ID.to_owned()),
        secret_key: Some(Secret::new(STS_SECRET)),
        security_token: Some(Secret::new(STS_TOKEN)),
        ..Default::default()
    };
    assert_eq!(
        whoami(&server, &with_token, &env).await.0.account_id,
        OTHER_ACCOUNT
    );
}

#[tokio::test]
async fn half_a_key_pair_in_the_arguments_is_an_error() {
    let server = server().await;
    let config = CredentialsConfig {
        access_key: Some(AK_ID.to_owned()),
        ..Default::default()
    };
    let err = resolve_error(&server, &config, &FixedEnvironment::default()).await;
    assert!(matches!(err, CredentialsError::Incomplete { .. }), "{err}");
    assert!(err.to_string().contains("secret_key"), "{err}");
}

#[tokio::test]
async fn each_environment_spelling_resolves() {
    let server = server().await;
    let home = empty_home();
    let cases: [(&[Variable], &str, &str); 4] = [
        (
            &[
                ("ALIBABA_CLOUD_ACCESS_KEY_ID", AK_ID),
                ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", AK_SECRET),
            ],
            ACCOUNT,
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
        ),
        (
            &[
                ("ALICLOUD_ACCESS_KEY", AK_ID),
                ("ALICLOUD_SECRET_KEY", AK_SECRET),
            ],
            ACCOUNT,
            "ALICLOUD_ACCESS_KEY",
        ),
        (
            &[
                ("ALIBABA_CLOUD_ACCESS_KEY_ID", STS_ID),
                ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", STS_SECRET),
                ("ALIBABA_CLOUD_SECURITY_TOKEN", STS_TOKEN),
            ],
            OTHER_ACCOUNT,
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
        ),
        (
            &[
                ("ALICLOUD_ACCESS_KEY", STS_ID),
                ("ALICLOUD_SECRET_KEY", STS_SECRET),
                ("ALICLOUD_SECURITY_TOKEN", STS_TOKEN),
            ],
            OTHER_ACCOUNT,
            "ALICLOUD_ACCESS_KEY",
        ),
    ];
    for (pairs, account, variable) in cases {
        let env = env_with_home(home.path(), pairs);
        let (me, source) = whoami(&server, &CredentialsConfig::default(), &env).await;
        assert_eq!(me.account_id, account, "{pairs:?}");
        assert!(source.contains(variable), "{source}");
    }
    // Both spellings set: the current one wins.
    let env = env_with_home(
        home.path(),
        &[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", AK_ID),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", AK_SECRET),
            ("ALICLOUD_ACCESS_KEY", STS_ID),
            ("ALICLOUD_SECRET_KEY", STS_SECRET),
        ],
    );
    assert_eq!(
        whoami(&server, &CredentialsConfig::default(), &env)
            .await
            .0
            .account_id,
        ACCOUNT
    );
}

/// Writes an aliyun CLI configuration under `home/.aliyun/config.json`.
fn write_home_cli_config(home: &Path, current: &str, profiles: serde_json::Value) {
    write_cli_config(&home.join(".aliyun/config.json"), current, profiles);
}

fn cli_profiles(imds_url_role: &str) -> serde_json::Value {
    json!([
        {"name": "default", "mode": "AK", "access_key_id": AK_ID, "access_key_secret": AK_SECRET, "region_id": "cn-hangzhou"},
        {"name": "sts", "mode": "StsToken", "access_key_id": STS_ID, "access_key_secret": STS_SECRET, "sts_token": STS_TOKEN},
        {"name": "role", "mode": "RamRoleArn", "access_key_id": AK_ID, "access_key_secret": AK_SECRET,
         "ram_role_arn": format!("acs:ram::{OTHER_ACCOUNT}:role/ram-for-dts"), "ram_session_name": "cli-session",
         "expired_seconds": 900, "external_id": "ext-42"},
        {"name": "ecs", "mode": "EcsRamRole", "ram_role_name": imds_url_role},
        {"name": "sso", "mode": "CloudSSO"}
    ])
}

/// A fake ECS metadata service (IMDSv2) serving role `instance-role`, whose key the server knows as account
/// 1111222233334444's.
async fn instance_metadata(server: &TestServer) -> FakeImds {
    let imds = FakeImds::start(true, "instance-role", IMDS_KEY_ID).await;
    server.add_key(IMDS_KEY_ID, imds_key());
    imds
}

#[tokio::test]
async fn profiles_of_each_mode_resolve() {
    let server = server().await;
    let imds = instance_metadata(&server).await;
    let home = empty_home();
    write_home_cli_config(home.path(), "default", cli_profiles("instance-role"));
    let env = env_with_home(home.path(), &[]);
    let profile = |name: Option<&str>| CredentialsConfig {
        profile: name.map(str::to_owned),
        ecs_metadata_url: Some(imds.url.clone()),
        ..Default::default()
    };

    // `current` when no profile is named, from the default location.
    let (me, source) = whoami(&server, &profile(None), &env).await;
    assert_eq!(me.account_id, ACCOUNT);
    assert!(
        source.contains("\"default\"") && source.contains(".aliyun/config.json"),
        "{source}"
    );

    let (me, _) = whoami(&server, &profile(Some("sts")), &env).await;
    assert_eq!(me.account_id, OTHER_ACCOUNT);

    let (me, source) = whoami(&server, &profile(Some("role")), &env).await;
    assert_eq!(
        me.arn,
        format!("acs:ram::{OTHER_ACCOUNT}:assumed-role/ram-for-dts/cli-session")
    );
    assert!(source.contains("ram-for-dts"), "{source}");
    let assume = &server.received_for("AssumeRole")[0].params;
    assert_eq!(
        assume["AccessKeyId"], AK_ID,
        "assumed with the profile's AccessKey"
    );
    assert_eq!(assume["RoleSessionName"], "cli-session");
    assert_eq!(assume["DurationSeconds"], "900");
    assert_eq!(assume["ExternalId"], "ext-42");

    let (me, _) = whoami(&server, &profile(Some("ecs")), &env).await;
    assert_eq!(me.account_id, "1111222233334444");

    // The profile can also be chosen through the environment.
    let env_named = env_with_home(home.path(), &[("ALIBABA_CLOUD_PROFILE", "sts")]);
    assert_eq!(
        whoami(&server, &profile(None), &env_named)
            .await
            .0
            .account_id,
        OTHER_ACCOUNT
    );

    let err = resolve_error(&server, &profile(Some("sso")), &env).await;
    assert!(
        err.to_string().contains(
            r#"profile "sso" has mode "CloudSSO"; supported modes are AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole, CredentialsURI, External and OIDC"#
        ),
        "{err}"
    );
    let err = resolve_error(&server, &profile(Some("missing")), &env).await;
    // The provider's own words for this case, on the profile file: the profile name alone would also be found in
    // any message that echoes the setting.
    match &err {
        CredentialsError::Profile { path, reason } => {
            assert_eq!(reason, "no profile named \"missing\"", "{err}");
            assert!(path.ends_with(".aliyun/config.json"), "{err}");
        }
        other => panic!("expected the profile error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_explicit_shared_credentials_file_is_used_and_must_exist() {
    let server = server().await;
    let home = empty_home();
    let elsewhere = empty_home();
    write_home_cli_config(elsewhere.path(), "sts", cli_profiles("unused"));
    let env = env_with_home(home.path(), &[]);
    let file = elsewhere.path().join(".aliyun/config.json");
    let config = CredentialsConfig {
        shared_credentials_file: Some(file.to_str().unwrap().to_owned()),
        ..Default::default()
    };
    assert_eq!(
        whoami(&server, &config, &env).await.0.account_id,
        OTHER_ACCOUNT
    );

    let config = CredentialsConfig {
        shared_credentials_file: Some(home.path().join("nope.json").to_str().unwrap().to_owned()),
        ..Default::default()
    };
    let err = resolve_error(&server, &config, &env).await;
    assert!(matches!(err, CredentialsError::Profile { .. }), "{err}");
}

#[tokio::test]
async fn ecs_role_uses_imdsv2_and_falls_back_to_v1() {
    let server = server().await;
    server.add_key(IMDS_KEY_ID, imds_key());
    let home = empty_home();
    let env = env_with_home(home.path(), &[]);
    for v2 in [true, false] {
        let imds = FakeImds::start(v2, "instance-role", IMDS_KEY_ID).await;
        let config = CredentialsConfig {
            ecs_role_name: Some("instance-role".to_owned()),
            ecs_metadata_url: Some(imds.url.clone()),
            ..Default::default()
        };
        let (me, source) = whoami(&server, &config, &env).await;
        assert_eq!(me.account_id, "1111222233334444");
        assert!(source.contains("instance-role"), "{source}");
        let state = &imds.state;
        assert_eq!(
            state.token_puts.load(Ordering::SeqCst),
            1,
            "token requested first"
        );
        if v2 {
            assert_eq!(state.gets_with_token.load(Ordering::SeqCst), 1);
            assert_eq!(state.gets_without_token.load(Ordering::SeqCst), 0);
        } else {
            assert_eq!(
                state.gets_without_token.load(Ordering::SeqCst),
                1,
                "v1 fallback"
            );
        }
    }
}

#[tokio::test]
async fn assume_role_chains_on_a_profile_and_is_cached() {
    let server = server().await;
    let home = empty_home();
    write_home_cli_config(home.path(), "default", cli_profiles("unused"));
    let env = env_with_home(home.path(), &[]);
    let config = CredentialsConfig {
        assume_role: Some(AssumeRoleConfig {
            role_arn: format!("acs:ram::{OTHER_ACCOUNT}:role/dts-reader"),
            session_name: None,
            session_expiration: Some(1800),
            external_id: None,
            policy: Some(r#"{"Statement":[],"Version":"1"}"#.to_owned()),
        }),
        ..Default::default()
    };
    let transport = server.transport();
    let cancel = CancellationToken::new();
    let credentials = resolve(&config, &env, &transport, &cancel).await.unwrap();
    assert!(
        credentials.source().contains("profile \"default\""),
        "{}",
        credentials.source()
    );
    let client = AliCloudClient::new(transport, credentials, cancel);
    for _ in 0..2 {
        let me = client.get_caller_identity().await.unwrap();
        assert_eq!(
            me.arn,
            format!("acs:ram::{OTHER_ACCOUNT}:assumed-role/dts-reader/terraform")
        );
    }
    let assumed = server.received_for("AssumeRole");
    assert_eq!(
        assumed.len(),
        1,
        "STS credentials are cached until near expiry"
    );
    assert_eq!(assumed[0].params["AccessKeyId"], AK_ID);
    assert_eq!(assumed[0].params["DurationSeconds"], "1800");
    assert_eq!(assumed[0].params["RoleSessionName"], "terraform");
    assert!(assumed[0].params.contains_key("Policy"));
}

#[tokio::test]
async fn no_credentials_lists_every_source_tried() {
    let server = server().await;
    let home = empty_home();
    let env = env_with_home(home.path(), &[]);
    let err = resolve_error(&server, &CredentialsConfig::default(), &env).await;
    let CredentialsError::NotFound { tried } = &err else {
        panic!("expected NotFound, got {err}");
    };
    assert_eq!(tried.len(), 7, "{tried:?}");
    let shown = err.to_string();
    for source in [
        "access_key/secret_key",
        "ALIBABA_CLOUD_ACCESS_KEY_ID",
        "ALICLOUD_ACCESS_KEY",
        "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
        ".aliyun/config.json",
        "ALIBABA_CLOUD_CREDENTIALS_URI",
        "ecs_role_name",
        "assume_role_with_oidc",
    ] {
        assert!(shown.contains(source), "{source} missing from {shown}");
    }
}

/// The error of resolving `config` in `env`: a source the chain refuses before any call.
async fn resolve_error(
    server: &TestServer,
    config: &CredentialsConfig,
    env: &FixedEnvironment,
) -> CredentialsError {
    resolve(config, env, &server.transport(), &CancellationToken::new())
        .await
        .unwrap_err()
}

/// The error of the first call with credentials from `config` in `env` (sources fetch lazily).
async fn first_call_error(
    server: &TestServer,
    config: &CredentialsConfig,
    env: &FixedEnvironment,
) -> String {
    let transport = server.transport();
    let cancel = CancellationToken::new();
    let credentials = resolve(config, env, &transport, &cancel)
        .await
        .unwrap_or_else(|e| panic!("resolve: {e}"));
    let client = AliCloudClient::new(transport, credentials, cancel);
    client.get_caller_identity().await.unwrap_err().to_string()
}

#[tokio::test]
async fn a_credentials_uri_resolves_after_profiles_and_before_the_ecs_role() {
    let server = server().await;
    server.add_key(IMDS_KEY_ID, imds_key());
    // The metadata service's credentials document is what a credentials URI serves (v1: no token needed).
    let endpoint = FakeImds::start(false, "instance-role", IMDS_KEY_ID).await;
    let uri = format!(
        "{}/latest/meta-data/ram/security-credentials/instance-role",
        endpoint.url
    );
    let home = empty_home();
    for var in ["ALIBABA_CLOUD_CREDENTIALS_URI", "ALICLOUD_CREDENTIALS_URI"] {
        // An ECS role name is set too: the URI comes first, as in the alicloud provider.
        let env = env_with_home(
            home.path(),
            &[(var, &uri), ("ALIBABA_CLOUD_ECS_METADATA", "other-role")],
        );
        let (me, source) = whoami(&server, &CredentialsConfig::default(), &env).await;
        assert_eq!(me.account_id, "1111222233334444");
        assert_eq!(source, format!("credentials URI from environment {var}"));
    }
    // An aliyun CLI profile in mode CredentialsURI.
    write_home_cli_config(
        home.path(),
        "uri",
        json!([{"name": "uri", "mode": "CredentialsURI", "credentials_uri": uri}]),
    );
    let env = env_with_home(home.path(), &[]);
    let (me, source) = whoami(&server, &CredentialsConfig::default(), &env).await;
    assert_eq!(me.account_id, "1111222233334444");
    assert!(
        source.starts_with("credentials URI from profile \"uri\""),
        "{source}"
    );
}

#[tokio::test]
async fn a_credentials_uri_must_answer_code_success_and_its_body_is_never_quoted() {
    let server = server().await;
    let endpoint = FakeImds::start(false, "instance-role", IMDS_KEY_ID).await;
    let home = empty_home();
    let uri = format!(
        "{}/latest/meta-data/ram/security-credentials/instance-role",
        endpoint.url
    );
    let env = env_with_home(home.path(), &[("ALIBABA_CLOUD_CREDENTIALS_URI", &uri)]);
    *endpoint.state.code.lock().unwrap() = "Failure";
    let err = first_call_error(&server, &CredentialsConfig::default(), &env).await;
    assert!(
        err.contains("credentials URI from environment ALIBABA_CLOUD_CREDENTIALS_URI")
            && err.contains(r#"has Code "Failure", not "Success""#),
        "{err}"
    );
    assert!(
        !err.contains(IMDS_SECRET) && !err.contains(IMDS_STS_TOKEN),
        "{err}"
    );
    let missing = format!(
        "{}/latest/meta-data/ram/security-credentials/no-such-role",
        endpoint.url
    );
    let env = env_with_home(home.path(), &[("ALIBABA_CLOUD_CREDENTIALS_URI", &missing)]);
    let err = first_call_error(&server, &CredentialsConfig::default(), &env).await;
    assert!(err.contains("answered HTTP 404"), "{err}");
    let env = env_with_home(
        home.path(),
        &[("ALIBABA_CLOUD_CREDENTIALS_URI", "file:///etc/passwd")],
    );
    let err = resolve_error(&server, &CredentialsConfig::default(), &env)
        .await
        .to_string();
    assert!(err.contains("must be an http:// or https:// URL"), "{err}");
}

#[tokio::test]
async fn without_imdsv1_the_metadata_service_must_give_a_session_token() {
    let server = server().await;
    server.add_key(IMDS_KEY_ID, imds_key());
    let home = empty_home();
    let env = env_with_home(home.path(), &[("ALIBABA_CLOUD_IMDSV1_DISABLED", "true")]);
    let v1_only = FakeImds::start(false, "instance-role", IMDS_KEY_ID).await;
    let config = |imds: &FakeImds| CredentialsConfig {
        ecs_role_name: Some("instance-role".to_owned()),
        ecs_metadata_url: Some(imds.url.clone()),
        ..Default::default()
    };
    let err = first_call_error(&server, &config(&v1_only), &env).await;
    assert!(err.contains("ALIBABA_CLOUD_IMDSV1_DISABLED=true"), "{err}");
    assert_eq!(
        v1_only.state.gets_without_token.load(Ordering::SeqCst),
        0,
        "no read without a token"
    );
    let hardened = FakeImds::start(true, "instance-role", IMDS_KEY_ID).await;
    let (me, _) = whoami(&server, &config(&hardened), &env).await;
    assert_eq!(me.account_id, "1111222233334444");
    assert_eq!(hardened.state.gets_with_token.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_chainable_ram_role_arn_profile_assumes_with_its_source_profile() {
    let server = server().await;
    let home = empty_home();
    let role = format!("acs:ram::{OTHER_ACCOUNT}:role/ram-for-dts");
    write_home_cli_config(
        home.path(),
        "chained",
        json!([
            {"name": "base", "mode": "StsToken", "access_key_id": STS_ID, "access_key_secret": STS_SECRET, "sts_token": STS_TOKEN},
            {"name": "chained", "mode": "ChainableRamRoleArn", "source_profile": "base", "ram_role_arn": role,
             "ram_session_name": "chain-session", "expired_seconds": 1200},
            {"name": "loop-a", "mode": "ChainableRamRoleArn", "source_profile": "loop-b", "ram_role_arn": role},
            {"name": "loop-b", "mode": "ChainableRamRoleArn", "source_profile": "loop-a", "ram_role_arn": role},
            {"name": "orphan", "mode": "ChainableRamRoleArn", "ram_role_arn": role}
        ]),
    );
    let env = env_with_home(home.path(), &[]);
    let (me, _) = whoami(&server, &CredentialsConfig::default(), &env).await;
    assert_eq!(
        me.arn,
        format!("acs:ram::{OTHER_ACCOUNT}:assumed-role/ram-for-dts/chain-session")
    );
    let assume = &server.received_for("AssumeRole")[0].params;
    assert_eq!(
        assume["AccessKeyId"], STS_ID,
        "assumed with the source profile's keys"
    );
    assert_eq!(assume["SecurityToken"], STS_TOKEN);
    assert_eq!(assume["DurationSeconds"], "1200");

    let profile = |name: &str| CredentialsConfig {
        profile: Some(name.to_owned()),
        ..Default::default()
    };
    let err = resolve_error(&server, &profile("loop-a"), &env)
        .await
        .to_string();
    assert!(err.contains("cycle: loop-a -> loop-b -> loop-a"), "{err}");
    let err = resolve_error(&server, &profile("orphan"), &env)
        .await
        .to_string();
    assert!(
        err.contains(r#"profile "orphan" (mode ChainableRamRoleArn) has no source_profile"#),
        "{err}"
    );
}

/// Writes an executable script `name` into `dir` and returns its path.
fn script(dir: &Path, name: &str, body: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_external_profile_runs_its_command_without_a_shell() {
    let server = server().await;
    let home = empty_home();
    let bin = tempfile::tempdir().unwrap();
    // The helper checks it got its arguments as words (a shell would expand $HOME and split 'two words').
    let helper = script(
        bin.path(),
        "helper",
        &format!(
            r#"[ "$1" = 'two words' ] && [ "$2" = '$HOME' ] || exit 3
printf '{{"mode":"StsToken","access_key_id":"{STS_ID}","access_key_secret":"{STS_SECRET}","sts_token":"{STS_TOKEN}"}}'"#
        ),
    );
    let failing = script(
        bin.path(),
        "failing",
        &format!("echo leaked-{STS_SECRET} >&2; exit 1"),
    );
    let garbage = script(
        bin.path(),
        "garbage",
        &format!("echo 'not json {STS_SECRET}'"),
    );
    write_home_cli_config(
        home.path(),
        "external",
        json!([
            {"name": "external", "mode": "External", "process_command": format!("{helper} 'two words' '$HOME'")},
            {"name": "failing", "mode": "External", "process_command": failing},
            {"name": "garbage", "mode": "External", "process_command": garbage},
            {"name": "empty", "mode": "External", "process_command": " "}
        ]),
    );
    let env = env_with_home(home.path(), &[]);
    let (me, source) = whoami(&server, &CredentialsConfig::default(), &env).await;
    assert_eq!(me.account_id, OTHER_ACCOUNT);
    assert!(
        source.starts_with("command of profile \"external\""),
        "{source}"
    );

    let profile = |name: &str| CredentialsConfig {
        profile: Some(name.to_owned()),
        ..Default::default()
    };
    let err = first_call_error(&server, &profile("failing"), &env).await;
    assert!(
        err.contains("failed (exit status: 1); its output is not shown"),
        "{err}"
    );
    assert!(!err.contains(STS_SECRET), "{err}");
    let err = first_call_error(&server, &profile("garbage"), &env).await;
    assert!(err.contains("did not print a JSON object"), "{err}");
    assert!(!err.contains(STS_SECRET), "{err}");
    let err = resolve_error(&server, &profile("empty"), &env)
        .await
        .to_string();
    assert!(
        err.contains(r#"profile "empty" (mode External) has no process_command"#),
        "{err}"
    );
}

/// The documented order with every source present at once: arguments, then the environment, then the aliyun CLI
/// profile, then the ECS role. Each source is taken only while those above it are absent, and the sources below
/// the one taken are never consulted (no metadata request, no AssumeRole for a profile not used).
#[tokio::test]
async fn with_every_source_present_the_first_in_order_wins() {
    let server = server().await;
    let imds = instance_metadata(&server).await;
    let home = empty_home();
    // The file's current profile assumes a role: an identity no other source has.
    write_home_cli_config(home.path(), "role", cli_profiles("instance-role"));
    let environment: &[(&str, &str)] = &[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", STS_ID),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", STS_SECRET),
        ("ALIBABA_CLOUD_SECURITY_TOKEN", STS_TOKEN),
    ];
    let with_env = env_with_home(home.path(), environment);
    let without_env = env_with_home(home.path(), &[]);
    let below_arguments = CredentialsConfig {
        ecs_role_name: Some("instance-role".to_owned()),
        ecs_metadata_url: Some(imds.url.clone()),
        ..Default::default()
    };
    let with_arguments = CredentialsConfig {
        access_key: Some(AK_ID.to_owned()),
        secret_key: Some(Secret::new(AK_SECRET)),
        ..below_arguments.clone()
    };
    let metadata_requests = || {
        imds.state.token_puts.load(Ordering::SeqCst)
            + imds.state.gets_with_token.load(Ordering::SeqCst)
            + imds.state.gets_without_token.load(Ordering::SeqCst)
    };

    let (me, source) = whoami(&server, &with_arguments, &with_env).await;
    assert_eq!(me.account_id, ACCOUNT, "{source}");
    assert!(source.contains("provider arguments"), "{source}");

    let (me, source) = whoami(&server, &below_arguments, &with_env).await;
    assert_eq!(me.account_id, OTHER_ACCOUNT, "{source}");
    assert_eq!(
        (server.received_for("AssumeRole").len(), metadata_requests()),
        (0, 0),
        "nothing below the source taken was consulted"
    );

    let (me, source) = whoami(&server, &below_arguments, &without_env).await;
    assert_eq!(
        me.arn,
        format!("acs:ram::{OTHER_ACCOUNT}:assumed-role/ram-for-dts/cli-session"),
        "{source}"
    );
    assert!(source.contains("\"role\""), "{source}");
    assert_eq!(metadata_requests(), 0, "the ECS role was not consulted");

    std::fs::remove_file(home.path().join(".aliyun/config.json"))
        .expect("removing the profile file");
    let (me, source) = whoami(&server, &below_arguments, &without_env).await;
    assert_eq!(me.account_id, "1111222233334444", "{source}");
    assert!(
        metadata_requests() > 0,
        "the ECS role came from the metadata service"
    );
}

// ---- OIDC ----------------------------------------------------------------------------------------------------

const OIDC_PROVIDER: &str = "acs:ram::6543210987654321:oidc-provider/github";
const CI_TOKEN: &str = "eyJ-ci-token-1";

/// The role a CI job's token is exchanged for.
fn ci_role() -> String {
    format!("acs:ram::{OTHER_ACCOUNT}:role/ci-deployer")
}

/// A token file holding `token`, in a directory the caller keeps.
fn token_file(dir: &tempfile::TempDir, token: &str) -> String {
    let path = dir.path().join("token");
    std::fs::write(&path, token).expect("writing the token file");
    path.to_str().expect("UTF-8 path").to_owned()
}

/// The OIDC environment of a CI job, with `extra` variables.
fn oidc_env(home: &Path, file: &str, extra: &[(&str, &str)]) -> FixedEnvironment {
    let role = ci_role();
    let mut pairs = vec![
        ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", file),
        ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER),
        ("ALIBABA_CLOUD_ROLE_ARN", role.as_str()),
    ];
    pairs.extend_from_slice(extra);
    env_with_home(home, &pairs)
}

#[tokio::test]
async fn the_oidc_environment_comes_after_the_keys_and_before_profiles_and_is_sent_unsigned() {
    let server = server().await;
    let home = empty_home();
    // A CLI profile is present too: the OIDC environment comes first, as in the credentials SDKs.
    write_home_cli_config(home.path(), "default", cli_profiles("unused"));
    let dir = tempfile::tempdir().unwrap();
    let file = token_file(&dir, &format!("{CI_TOKEN}\n"));
    let env = oidc_env(
        home.path(),
        &file,
        &[("ALIBABA_CLOUD_ROLE_SESSION_NAME", "gha-run-7")],
    );
    let (me, source) = whoami(&server, &CredentialsConfig::default(), &env).await;
    assert_eq!(
        me.arn,
        format!("acs:ram::{OTHER_ACCOUNT}:assumed-role/ci-deployer/gha-run-7"),
        "{source}"
    );
    assert!(
        source.contains("environment ALIBABA_CLOUD_OIDC_TOKEN_FILE")
            && source.contains(OIDC_PROVIDER),
        "{source}"
    );
    let exchanged = server.received_for("AssumeRoleWithOIDC");
    assert_eq!(exchanged.len(), 1);
    let sent = &exchanged[0];
    assert_eq!(
        sent.params["OIDCToken"], CI_TOKEN,
        "the file's token, trimmed"
    );
    assert_eq!(sent.params["OIDCProviderArn"], OIDC_PROVIDER);
    assert_eq!(sent.params["RoleArn"], ci_role());
    assert_eq!(sent.params["RoleSessionName"], "gha-run-7");
    // Unsigned, as the credentials SDKs send it: the common parameters in the query, the token in the body.
    for absent in [
        "Signature",
        "AccessKeyId",
        "SignatureNonce",
        "SignatureMethod",
        "SecurityToken",
    ] {
        assert!(!sent.params.contains_key(absent), "{absent} was sent");
    }
    assert_eq!(
        sent.query.keys().map(String::as_str).collect::<Vec<_>>(),
        ["Action", "Format", "Timestamp", "Version"]
    );
    assert_eq!(sent.query["Version"], "2015-04-01");

    // Keys in the environment come first: no token is exchanged.
    let with_keys = oidc_env(
        home.path(),
        &file,
        &[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", AK_ID),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", AK_SECRET),
        ],
    );
    let (me, _) = whoami(&server, &CredentialsConfig::default(), &with_keys).await;
    assert_eq!(me.account_id, ACCOUNT);
    assert_eq!(server.received_for("AssumeRoleWithOIDC").len(), 1);

    // Without ALIBABA_CLOUD_ROLE_SESSION_NAME the session is the provider's default.
    let (me, _) = whoami(
        &server,
        &CredentialsConfig::default(),
        &oidc_env(home.path(), &file, &[]),
    )
    .await;
    assert!(me.arn.ends_with("/ci-deployer/terraform"), "{}", me.arn);
}

#[tokio::test]
async fn oidc_errors_name_the_variable_file_or_argument_and_never_the_token() {
    let server = server().await;
    let home = empty_home();
    let dir = tempfile::tempdir().unwrap();
    let file = token_file(&dir, CI_TOKEN);
    let refused = |env: FixedEnvironment, config: CredentialsConfig| {
        let server = &server;
        async move { resolve_error(server, &config, &env).await.to_string() }
    };
    // Part of the environment.
    let only_file = env_with_home(home.path(), &[("ALIBABA_CLOUD_OIDC_TOKEN_FILE", &file)]);
    let err = refused(only_file, CredentialsConfig::default()).await;
    assert_eq!(
        err,
        "environment variable ALIBABA_CLOUD_OIDC_TOKEN_FILE: ALIBABA_CLOUD_OIDC_PROVIDER_ARN is not set"
    );
    let no_role = env_with_home(
        home.path(),
        &[
            ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", &file),
            ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER),
        ],
    );
    let err = refused(no_role, CredentialsConfig::default()).await;
    assert_eq!(
        err,
        "environment variable ALIBABA_CLOUD_OIDC_TOKEN_FILE: ALIBABA_CLOUD_ROLE_ARN is not set"
    );

    // The block: both token forms, none, no provider ARN anywhere.
    let block = |oidc: OidcConfig| CredentialsConfig {
        assume_role_with_oidc: Some(oidc),
        ..Default::default()
    };
    let bare = env_with_home(home.path(), &[]);
    let err = refused(
        bare.clone(),
        block(OidcConfig {
            oidc_token: Some(Secret::new(CI_TOKEN)),
            oidc_token_file: Some(file.clone()),
            ..Default::default()
        }),
    )
    .await;
    assert_eq!(
        err,
        "provider block assume_role_with_oidc: set oidc_token or oidc_token_file, not both"
    );
    let err = refused(bare.clone(), block(OidcConfig::default())).await;
    assert_eq!(
        err,
        "provider block assume_role_with_oidc: one of oidc_token and oidc_token_file must be set (nor is ALIBABA_CLOUD_OIDC_TOKEN_FILE or ALIBABA_CLOUD_OIDC_TOKEN)"
    );
    let err = refused(
        bare,
        block(OidcConfig {
            oidc_token: Some(Secret::new(CI_TOKEN)),
            role_arn: Some(ci_role()),
            ..Default::default()
        }),
    )
    .await;
    assert_eq!(
        err,
        "provider block assume_role_with_oidc: oidc_provider_arn is not set (nor ALIBABA_CLOUD_OIDC_PROVIDER_ARN)"
    );

    // A token file that is not there, and a token STS refuses: at the first call, never quoting the token.
    let missing = dir.path().join("no-such-token");
    let env = oidc_env(home.path(), missing.to_str().unwrap(), &[]);
    let err = first_call_error(&server, &CredentialsConfig::default(), &env).await;
    assert!(
        err.contains(&format!(
            "reading the OIDC token file {} (named by ALIBABA_CLOUD_OIDC_TOKEN_FILE)",
            missing.display()
        )),
        "{err}"
    );
    let expired = token_file(&dir, EXPIRED_OIDC_TOKEN);
    let err = first_call_error(
        &server,
        &CredentialsConfig::default(),
        &oidc_env(home.path(), &expired, &[]),
    )
    .await;
    assert!(
        err.contains(&format!(
            "assuming role {} with the OIDC token of environment ALIBABA_CLOUD_OIDC_TOKEN_FILE",
            ci_role()
        )) && err.contains("AuthenticationFail.OIDCToken.Expired"),
        "{err}"
    );
    assert!(!err.contains(EXPIRED_OIDC_TOKEN), "{err}");
}

#[tokio::test]
async fn the_token_file_is_read_again_when_the_session_is_renewed() {
    let server = server().await;
    let home = empty_home();
    let dir = tempfile::tempdir().unwrap();
    let file = token_file(&dir, "rotated-token-1");
    // A session of 60 s is inside the refresh margin, so every call renews it, as a long run would near expiry.
    let config = CredentialsConfig {
        assume_role_with_oidc: Some(OidcConfig {
            oidc_provider_arn: Some(OIDC_PROVIDER.to_owned()),
            role_arn: Some(ci_role()),
            oidc_token_file: Some(file.clone()),
            session_expiration: Some(60),
            ..Default::default()
        }),
        ..Default::default()
    };
    let transport = server.transport();
    let cancel = CancellationToken::new();
    let credentials = resolve(
        &config,
        &env_with_home(home.path(), &[]),
        &transport,
        &cancel,
    )
    .await
    .unwrap();
    let client = AliCloudClient::new(transport, credentials, cancel);
    client.get_caller_identity().await.unwrap();
    std::fs::write(&file, "rotated-token-2").unwrap();
    client.get_caller_identity().await.unwrap();
    let sent: Vec<String> = server
        .received_for("AssumeRoleWithOIDC")
        .iter()
        .map(|r| r.params["OIDCToken"].clone())
        .collect();
    assert_eq!(sent, ["rotated-token-1", "rotated-token-2"]);
    assert_eq!(
        server.received_for("AssumeRoleWithOIDC")[0].params["DurationSeconds"],
        "60"
    );
}

#[tokio::test]
async fn the_oidc_block_comes_after_the_ecs_role_and_reads_the_environment_for_what_it_leaves_out()
{
    let server = server().await;
    let imds = instance_metadata(&server).await;
    let home = empty_home();
    let dir = tempfile::tempdir().unwrap();
    let file = token_file(&dir, "file-token");
    // The environment names a token file and the provider; the block names the role and the token itself.
    let env = env_with_home(
        home.path(),
        &[
            ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", &file),
            ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER),
        ],
    );
    let block = CredentialsConfig {
        assume_role_with_oidc: Some(OidcConfig {
            role_arn: Some(format!("acs:ram::{OTHER_ACCOUNT}:role/from-block")),
            oidc_token: Some(Secret::new("block-token")),
            role_session_name: Some("block-session".to_owned()),
            policy: Some(r#"{"Statement":[],"Version":"1"}"#.to_owned()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let (me, source) = whoami(&server, &block, &env).await;
    assert_eq!(
        me.arn,
        format!("acs:ram::{OTHER_ACCOUNT}:assumed-role/from-block/block-session")
    );
    assert!(
        source.contains("provider block assume_role_with_oidc"),
        "{source}"
    );
    let sent = &server.received_for("AssumeRoleWithOIDC")[0].params;
    assert_eq!(
        sent["OIDCToken"], "block-token",
        "the argument before the variable"
    );
    assert_eq!(
        sent["OIDCProviderArn"], OIDC_PROVIDER,
        "from the environment"
    );
    assert!(sent.contains_key("Policy"));

    // An ECS role (or a profile, or a credentials URI) is taken before the block, as in the alicloud provider.
    let with_ecs = CredentialsConfig {
        ecs_role_name: Some("instance-role".to_owned()),
        ecs_metadata_url: Some(imds.url.clone()),
        ..block.clone()
    };
    let (me, _) = whoami(&server, &with_ecs, &env).await;
    assert_eq!(me.account_id, "1111222233334444");
    assert_eq!(server.received_for("AssumeRoleWithOIDC").len(), 1);
}

#[tokio::test]
async fn a_throttled_or_unavailable_exchange_is_retried_as_any_call() {
    let server = server().await;
    let home = empty_home();
    let dir = tempfile::tempdir().unwrap();
    let env = oidc_env(home.path(), &token_file(&dir, CI_TOKEN), &[]);
    // The alicloud provider retries AssumeRoleWithOIDC on throttling and 5xx; the transport does it for every call.
    server.script(
        "AssumeRoleWithOIDC",
        [
            Scripted::error(400, "Throttling.User", "throttled-oidc"),
            Scripted::error(503, "ServiceUnavailable", "unavailable-oidc"),
        ],
    );
    let (me, _) = whoami(&server, &CredentialsConfig::default(), &env).await;
    assert!(me.arn.ends_with("/ci-deployer/terraform"), "{}", me.arn);
    let sent = server.received_for("AssumeRoleWithOIDC");
    assert_eq!(sent.len(), 3, "two refusals, then the exchange");
    assert!(sent.iter().all(|r| r.params["OIDCToken"] == CI_TOKEN));
}

#[tokio::test]
async fn assume_role_chains_on_the_oidc_session() {
    let server = server().await;
    let home = empty_home();
    let dir = tempfile::tempdir().unwrap();
    let env = oidc_env(home.path(), &token_file(&dir, CI_TOKEN), &[]);
    let config = CredentialsConfig {
        assume_role: Some(AssumeRoleConfig {
            role_arn: format!("acs:ram::{ACCOUNT}:role/dts-admin"),
            ..Default::default()
        }),
        ..Default::default()
    };
    let (me, source) = whoami(&server, &config, &env).await;
    assert_eq!(
        me.arn,
        format!("acs:ram::{ACCOUNT}:assumed-role/dts-admin/terraform")
    );
    assert!(source.contains("OIDC token"), "{source}");
    let assume = &server.received_for("AssumeRole")[0].params;
    assert_eq!(
        assume["AccessKeyId"], "STS.minted0",
        "signed with the OIDC session"
    );
    assert!(assume.contains_key("SecurityToken"));
}

#[tokio::test]
async fn an_oidc_profile_exchanges_its_token_file() {
    let server = server().await;
    let home = empty_home();
    let dir = tempfile::tempdir().unwrap();
    let file = token_file(&dir, CI_TOKEN);
    write_home_cli_config(
        home.path(),
        "oidc",
        json!([
            {"name": "oidc", "mode": "OIDC", "oidc_provider_arn": OIDC_PROVIDER, "oidc_token_file": file,
             "ram_role_arn": ci_role(), "ram_session_name": "cli-oidc"},
            {"name": "no-file", "mode": "OIDC", "oidc_provider_arn": OIDC_PROVIDER, "ram_role_arn": ci_role()}
        ]),
    );
    let env = env_with_home(home.path(), &[]);
    let (me, source) = whoami(&server, &CredentialsConfig::default(), &env).await;
    assert!(me.arn.ends_with("/ci-deployer/cli-oidc"), "{}", me.arn);
    assert!(source.contains(r#"profile "oidc" (mode OIDC)"#), "{source}");
    assert_eq!(
        server.received_for("AssumeRoleWithOIDC")[0].params["OIDCToken"],
        CI_TOKEN
    );
    let no_file = CredentialsConfig {
        profile: Some("no-file".to_owned()),
        ..Default::default()
    };
    let err = resolve_error(&server, &no_file, &env).await.to_string();
    assert!(
        err.contains(r#"profile "no-file" (mode OIDC) has no oidc_token_file"#),
        "{err}"
    );
}
