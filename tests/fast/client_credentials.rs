//! Each credential source of the chain resolves and signs requests the local server accepts: provider
//! arguments, each environment spelling, an aliyun CLI profile of each mode, the ECS metadata role (IMDSv2
//! and the v1 fallback), `assume_role` chained on a profile; and the error when nothing is found.

use crate::support::cli_config::write_cli_config;
use crate::support::scripted_server::{
    ACCOUNT, AK_ID, AK_SECRET, FakeImds, IMDS_SECRET, IMDS_STS_TOKEN, Key, TestServer,
};
use serde_json::json;
use std::path::Path;
use std::sync::atomic::Ordering;
use terraform_provider_aliram::provider::alicloud::credentials::{
    AssumeRoleConfig, CredentialsConfig, CredentialsError, resolve,
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
    let err = resolve(
        &config,
        &FixedEnvironment::default(),
        &server.transport(),
        &CancellationToken::new(),
    )
    .await
    .unwrap_err();
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
        {"name": "oidc", "mode": "OIDC"}
    ])
}

/// A fake ECS metadata service (IMDSv2) serving role `instance-role`, whose key the server knows as account
/// 1111222233334444's.
async fn instance_metadata(server: &TestServer) -> FakeImds {
    let imds = FakeImds::start(true, "instance-role", "STS.imds").await;
    server.add_key(
        "STS.imds",
        Key {
            secret: IMDS_SECRET.to_owned(),
            token: Some(IMDS_STS_TOKEN.to_owned()),
            account_id: "1111222233334444".to_owned(),
            arn: "acs:ram::1111222233334444:assumed-role/instance-role/ecs".to_owned(),
            identity_type: "AssumedRoleUser".to_owned(),
        },
    );
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

    let err = resolve(
        &profile(Some("oidc")),
        &env,
        &server.transport(),
        &CancellationToken::new(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("OIDC"), "{err}");
    let err = resolve(
        &profile(Some("missing")),
        &env,
        &server.transport(),
        &CancellationToken::new(),
    )
    .await
    .unwrap_err();
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
    let err = resolve(
        &config,
        &env,
        &server.transport(),
        &CancellationToken::new(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, CredentialsError::Profile { .. }), "{err}");
}

#[tokio::test]
async fn ecs_role_uses_imdsv2_and_falls_back_to_v1() {
    let server = server().await;
    server.add_key(
        "STS.imds",
        Key {
            secret: IMDS_SECRET.to_owned(),
            token: Some(IMDS_STS_TOKEN.to_owned()),
            account_id: "1111222233334444".to_owned(),
            arn: "acs:ram::1111222233334444:assumed-role/instance-role/ecs".to_owned(),
            identity_type: "AssumedRoleUser".to_owned(),
        },
    );
    let home = empty_home();
    let env = env_with_home(home.path(), &[]);
    for v2 in [true, false] {
        let imds = FakeImds::start(v2, "instance-role", "STS.imds").await;
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
    let err = resolve(
        &CredentialsConfig::default(),
        &env,
        &server.transport(),
        &CancellationToken::new(),
    )
    .await
    .unwrap_err();
    let CredentialsError::NotFound { tried } = &err else {
        panic!("expected NotFound, got {err}");
    };
    assert_eq!(tried.len(), 4, "{tried:?}");
    let shown = err.to_string();
    for source in [
        "access_key/secret_key",
        "ALIBABA_CLOUD_ACCESS_KEY_ID",
        "ALICLOUD_ACCESS_KEY",
        ".aliyun/config.json",
        "ecs_role_name",
    ] {
        assert!(shown.contains(source), "{source} missing from {shown}");
    }
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
