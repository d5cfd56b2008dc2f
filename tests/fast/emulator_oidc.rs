//! OIDC federation on the emulator: IMS's OIDC providers (validation, errors, the state file) and STS
//! `AssumeRoleWithOIDC`, unsigned, with ID tokens minted by the emulator's test issuer and verified with the keys
//! STS finds through the issuer's discovery document over real HTTP. Each refusal is asserted by its code and by
//! what its message names.

use crate::support::emulator_calls::*;
use serde_json::{Value, json};
use terraform_provider_aliram::emulator::{Emulator, EmulatorConfig};

const PROVIDER: &str = "ci-issuer";
const CLIENT_ID: &str = "sts.aliyuncs.com";
const MAIN: &str = "repo:org/app:ref:refs/heads/main";
const ROLE: &str = "ci-deployer";

/// An emulator with, in the `source` account, the provider `ci-issuer` for the emulator's test issuer and the
/// role `ci-deployer` trusting it for the subject `MAIN` (with `AliyunRAMReadOnlyAccess`).
struct Federation {
    emulator: InProcess,
    provider_arn: String,
    role_arn: String,
    root: Client,
}

impl Federation {
    async fn start() -> Self {
        Self::start_with(EmulatorConfig::default()).await
    }

    async fn start_with(config: EmulatorConfig) -> Self {
        let emulator = InProcess::start(config).await;
        let root = Client::new(&emulator.endpoint, &account("source"));
        let created = root
            .call(
                IMS,
                "CreateOIDCProvider",
                &[
                    ("OIDCProviderName", PROVIDER),
                    ("IssuerUrl", &oidc_issuer(&emulator.endpoint)),
                    ("ClientIds", &format!("{CLIENT_ID},other-client")),
                    ("Description", "the emulator's test issuer"),
                ],
            )
            .await
            .ok();
        let provider_arn = created["OIDCProvider"]["Arn"]
            .as_str()
            .expect("Arn")
            .to_owned();
        let trust = oidc_trust_policy(
            &provider_arn,
            &oidc_issuer(&emulator.endpoint),
            CLIENT_ID,
            MAIN,
        );
        let role_arn = create_role(&root, ROLE, &trust.to_string()).await["Role"]["Arn"]
            .as_str()
            .expect("role Arn")
            .to_owned();
        attach_system_policy(&root, ROLE, "AliyunRAMReadOnlyAccess")
            .await
            .ok();
        Self {
            emulator,
            provider_arn,
            role_arn,
            root,
        }
    }

    async fn token(&self, request: Value) -> String {
        oidc_token(&self.emulator.endpoint, &request).await
    }

    async fn assume(&self, token: &str) -> Reply {
        call_unsigned(
            &self.emulator.endpoint,
            STS,
            "AssumeRoleWithOIDC",
            &[
                ("OIDCProviderArn", &self.provider_arn),
                ("RoleArn", &self.role_arn),
                ("OIDCToken", token),
                ("RoleSessionName", "github-actions"),
            ],
        )
        .await
    }

    async fn refused(&self, request: Value, code: &str) -> String {
        let token = self.token(request).await;
        let reply = self.assume(&token).await;
        assert_eq!(reply.code(), code, "{:?}", reply.body);
        assert_ne!(reply.status, 200);
        reply.message().to_owned()
    }
}

#[tokio::test]
async fn a_token_of_the_trusted_subject_gets_a_session_that_acts_as_the_role() {
    let federation = Federation::start().await;
    let token = federation
        .token(
            json!({"sub": MAIN, "aud": [CLIENT_ID, "another-audience"], "lifetime_seconds": 600}),
        )
        .await;
    let body = federation.assume(&token).await.ok();
    let uid = account("source").account_id;
    assert_eq!(
        body["AssumedRoleUser"]["Arn"],
        format!("acs:ram::{uid}:role/{ROLE}/github-actions")
    );
    let info = &body["OIDCTokenInfo"];
    assert_eq!(info["Subject"], MAIN);
    assert_eq!(info["Issuer"], oidc_issuer(&federation.emulator.endpoint));
    assert_eq!(info["ClientIds"], format!("{CLIENT_ID},another-audience"));
    assert_eq!(info["VerificationInfo"], "Success");
    let credentials = &body["Credentials"];
    let session = Client::with_keys(
        &federation.emulator.endpoint,
        credentials["AccessKeyId"].as_str().expect("AccessKeyId"),
        credentials["AccessKeySecret"]
            .as_str()
            .expect("AccessKeySecret"),
        credentials["SecurityToken"].as_str(),
    );
    let me = session.call(STS, "GetCallerIdentity", &[]).await.ok();
    assert_eq!(me["IdentityType"], "AssumedRoleUser");
    assert_eq!(
        me["Arn"],
        format!("acs:ram::{uid}:assumed-role/{ROLE}/github-actions")
    );
    // The session has the role's AliyunRAMReadOnlyAccess, and no more.
    session.call(RAM, "ListRoles", &[]).await.ok();
    let denied = session
        .call(
            RAM,
            "CreateRole",
            &[
                ("RoleName", "escalated"),
                ("AssumeRolePolicyDocument", &dts_trust_policy(&uid)),
            ],
        )
        .await;
    denied.expect_error(403, "NoPermission");
    assert!(
        denied.message().contains("ram:CreateRole"),
        "{:?}",
        denied.body
    );
}

#[tokio::test]
async fn a_token_for_another_subject_is_refused_naming_the_condition() {
    let federation = Federation::start().await;
    let message = federation
        .refused(
            json!({"sub": "repo:org/app:ref:refs/heads/feature", "aud": CLIENT_ID}),
            "AuthenticationFail.NoPermission",
        )
        .await;
    assert!(message.starts_with("There is no permission."), "{message}");
    assert!(
        message.contains(&format!(
            r#"StringEquals {{"oidc:sub": ["{MAIN}"]}} does not hold: the request carries oidc:sub "repo:org/app:ref:refs/heads/feature""#
        )),
        "{message}"
    );
}

#[tokio::test]
async fn a_token_for_another_audience_is_refused() {
    let federation = Federation::start().await;
    let message = federation
        .refused(
            json!({"sub": MAIN, "aud": "not-a-client-id"}),
            "AuthenticationFail.OIDCToken.AudienceNotMatch",
        )
        .await;
    assert_eq!(message, "Invalid audience.");
    // A client ID of the provider that the trust policy's oidc:aud does not name passes the token check and meets
    // the trust policy.
    let message = federation
        .refused(
            json!({"sub": MAIN, "aud": "other-client"}),
            "AuthenticationFail.NoPermission",
        )
        .await;
    assert!(message.contains("oidc:aud"), "{message}");
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let federation = Federation::start().await;
    let message = federation
        .refused(
            json!({"sub": MAIN, "aud": CLIENT_ID, "expired": true}),
            "AuthenticationFail.OIDCToken.Expired",
        )
        .await;
    assert_eq!(message, "This JsonWebToken is expired.");
}

#[tokio::test]
async fn a_token_of_another_issuer_is_refused() {
    let federation = Federation::start().await;
    federation
        .refused(
            json!({"sub": MAIN, "aud": CLIENT_ID, "iss": "https://elsewhere.example"}),
            "AuthenticationFail.OIDCToken.IssuerNotMatch",
        )
        .await;
}

#[tokio::test]
async fn a_tampered_token_and_an_unknown_key_are_refused() {
    let federation = Federation::start().await;
    // The payload of a token for another subject under the signature of a token for the trusted one.
    let good = federation
        .token(json!({"sub": "repo:org/app:ref:refs/heads/feature", "aud": CLIENT_ID}))
        .await;
    let other = federation
        .token(json!({"sub": MAIN, "aud": CLIENT_ID}))
        .await;
    let good_parts: Vec<&str> = good.split('.').collect();
    let other_parts: Vec<&str> = other.split('.').collect();
    let forged = format!("{}.{}.{}", good_parts[0], other_parts[1], good_parts[2]);
    let reply = federation.assume(&forged).await;
    reply.expect_error(400, "AuthenticationFail.OIDCToken.Invalid");
    assert!(
        reply.message().contains("signature does not verify"),
        "{:?}",
        reply.body
    );

    let message = federation
        .refused(
            json!({"sub": MAIN, "aud": CLIENT_ID, "kid": "rotated-away"}),
            "AuthenticationFail.OIDCToken.Invalid",
        )
        .await;
    assert!(message.contains("signature does not verify"), "{message}");
}

#[tokio::test]
async fn unknown_providers_roles_and_bad_parameters_are_refused() {
    let federation = Federation::start().await;
    let token = federation
        .token(json!({"sub": MAIN, "aud": CLIENT_ID}))
        .await;
    let endpoint = &federation.emulator.endpoint;
    let uid = account("source").account_id;
    let call = |provider: String, role: String, session: &'static str| {
        let token = token.clone();
        async move {
            call_unsigned(
                endpoint,
                STS,
                "AssumeRoleWithOIDC",
                &[
                    ("OIDCProviderArn", &provider),
                    ("RoleArn", &role),
                    ("OIDCToken", &token),
                    ("RoleSessionName", session),
                ],
            )
            .await
        }
    };
    let reply = call(
        "provider-arn".into(),
        federation.role_arn.clone(),
        "session",
    )
    .await;
    reply.expect_error(403, "AuthenticationFail.NoPermission");
    assert_eq!(reply.message(), "No such OIDC Provider registered.");
    call(
        format!("acs:ram::{uid}:oidc-provider/nobody"),
        federation.role_arn.clone(),
        "session",
    )
    .await
    .expect_error(403, "AuthenticationFail.NoPermission");
    call(
        federation.provider_arn.clone(),
        format!("acs:ram::{uid}:role/missing"),
        "session",
    )
    .await
    .expect_error(404, "EntityNotExist.Role");
    call(
        federation.provider_arn.clone(),
        federation.role_arn.clone(),
        "x",
    )
    .await
    .expect_error(400, "InvalidParameter.RoleSessionName");
    call_unsigned(
        endpoint,
        STS,
        "AssumeRoleWithOIDC",
        &[
            ("OIDCProviderArn", &federation.provider_arn),
            ("RoleArn", &federation.role_arn),
            ("RoleSessionName", "session"),
        ],
    )
    .await
    .expect_error(400, "MissingOIDCToken");
    // A role trusting accounts, not the provider, refuses the token naming who it trusts.
    create_role(&federation.root, "plain", &dts_trust_policy(&uid)).await;
    let reply = call(
        federation.provider_arn.clone(),
        format!("acs:ram::{uid}:role/plain"),
        "session",
    )
    .await;
    reply.expect_error(403, "AuthenticationFail.NoPermission");
    assert!(
        reply.message().contains("trusted principals: RAM"),
        "{:?}",
        reply.body
    );
}

#[tokio::test]
async fn ims_refuses_what_it_documents_and_lists_gets_and_deletes() {
    let federation = Federation::start().await;
    let root = &federation.root;
    let issuer = oidc_issuer(&federation.emulator.endpoint);
    let create = |name: &'static str, url: String, extra: Vec<(&'static str, String)>| async move {
        let mut params: Vec<(&str, String)> =
            vec![("OIDCProviderName", name.to_owned()), ("IssuerUrl", url)];
        params.extend(extra);
        let borrowed: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        root.call(IMS, "CreateOIDCProvider", &borrowed).await
    };
    /// (name, issuer URL, other parameters, the code, a text the message must name)
    type Case = (
        &'static str,
        String,
        Vec<(&'static str, String)>,
        &'static str,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (
            "plain-http",
            "http://issuer.example.com".into(),
            vec![],
            "InvalidParameter.IssuerUrl.Format",
            "http://issuer.example.com",
        ),
        (
            "query",
            "https://issuer.example.com/?tenant=1".into(),
            vec![],
            "InvalidParameter.IssuerUrl.Format",
            "'?'",
        ),
        (
            "-dash-first",
            "https://a.example.com".into(),
            vec![],
            "InvalidParameter.OIDCProviderName.InvalidChars",
            "-dash-first",
        ),
        (
            "limit",
            "https://b.example.com".into(),
            vec![("IssuanceLimitTime", "169".into())],
            "InvalidParameter.IssuanceLimitTime",
            "1 to 168 hours",
        ),
        (
            "fingerprints",
            "https://c.example.com".into(),
            vec![("Fingerprints", "aa:bb".into())],
            "InvalidParameter.Fingerprints.Format",
            "aa:bb",
        ),
        (
            "many-clients",
            "https://d.example.com".into(),
            vec![(
                "ClientIds",
                (0..51)
                    .map(|i| format!("c{i}"))
                    .collect::<Vec<_>>()
                    .join(","),
            )],
            "InvalidParameter.ClientIds.Count",
            "at most 50",
        ),
        (
            "same-issuer",
            issuer.clone(),
            vec![],
            "EntityAlreadyExists.OIDCProvider.IssuerUrl",
            PROVIDER,
        ),
        (
            PROVIDER,
            "https://e.example.com".into(),
            vec![],
            "EntityAlreadyExists.OIDCProvider",
            PROVIDER,
        ),
    ];
    for (name, url, extra, code, named) in cases {
        let reply = create(name, url, extra).await;
        assert_eq!(reply.code(), code, "{name}: {:?}", reply.body);
        let message = reply.message();
        assert!(message.contains(named), "{name}: {message}");
    }
    root.call(
        IMS,
        "CreateOIDCProvider",
        &[("IssuerUrl", "https://f.example.com")],
    )
    .await
    .expect_error(400, "MissingOIDCProviderName");

    let second = create("okta", "https://dev-1.okta.example.com".into(), vec![])
        .await
        .ok();
    assert_eq!(second["OIDCProvider"]["IssuanceLimitTime"], 12);
    assert_eq!(second["OIDCProvider"]["ClientIds"], "");
    let got = root
        .call(IMS, "GetOIDCProvider", &[("OIDCProviderName", PROVIDER)])
        .await
        .ok();
    assert_eq!(got["OIDCProvider"]["IssuerUrl"], issuer);
    assert_eq!(
        got["OIDCProvider"]["ClientIds"],
        format!("{CLIENT_ID},other-client")
    );
    assert_eq!(got["OIDCProvider"]["Arn"], federation.provider_arn);
    let page = root
        .call(IMS, "ListOIDCProviders", &[("MaxItems", "1")])
        .await
        .ok();
    assert_eq!(page["IsTruncated"], true);
    let marker = page["Marker"].as_str().expect("Marker").to_owned();
    let rest = root
        .call(IMS, "ListOIDCProviders", &[("Marker", &marker)])
        .await
        .ok();
    let names: Vec<&str> = [&page, &rest]
        .iter()
        .flat_map(|p| p["OIDCProviders"]["OIDCProvider"].as_array().expect("list"))
        .map(|p| p["OIDCProviderName"].as_str().expect("name"))
        .collect();
    assert_eq!(names, [PROVIDER, "okta"]);

    root.call(IMS, "DeleteOIDCProvider", &[("OIDCProviderName", "okta")])
        .await
        .ok();
    let gone = root
        .call(IMS, "GetOIDCProvider", &[("OIDCProviderName", "okta")])
        .await;
    gone.expect_error(404, "EntityNotExist.OIDCProvider");
    assert!(gone.message().contains("okta"));
}

#[tokio::test]
async fn ims_calls_are_authorized_as_ram_actions() {
    // The demo user `admin` has AdministratorAccess; a user with only AliyunRAMReadOnlyAccess may read providers
    // but not create one.
    let mut accounts = crate::support::identities::accounts();
    crate::support::identities::add_user(
        &mut accounts,
        "source",
        "reader",
        &["AliyunRAMReadOnlyAccess"],
        &[],
    );
    let reader = crate::support::identities::user(&accounts, "source", "reader").clone();
    let emulator = InProcess::start(EmulatorConfig {
        accounts,
        ..EmulatorConfig::default()
    })
    .await;
    let client = Client::as_user(&emulator.endpoint, &reader);
    client.call(IMS, "ListOIDCProviders", &[]).await.ok();
    let denied = client
        .call(
            IMS,
            "CreateOIDCProvider",
            &[
                ("OIDCProviderName", "x"),
                ("IssuerUrl", "https://x.example.com"),
            ],
        )
        .await;
    denied.expect_error(403, "NoPermission");
    assert!(
        denied.message().contains("ram:CreateOIDCProvider"),
        "{:?}",
        denied.body
    );
}

#[tokio::test]
async fn providers_are_kept_in_the_state_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    let config = || EmulatorConfig {
        state_file: Some(state.clone()),
        ..EmulatorConfig::default()
    };
    let first = Federation::start_with(config()).await;
    let second = InProcess::start(config()).await;
    let got = Client::new(&second.endpoint, &account("source"))
        .call(IMS, "GetOIDCProvider", &[("OIDCProviderName", PROVIDER)])
        .await
        .ok();
    assert_eq!(got["OIDCProvider"]["Arn"], first.provider_arn);
    assert_eq!(
        got["OIDCProvider"]["IssuerUrl"],
        oidc_issuer(&first.emulator.endpoint)
    );
}

/// A hand-edited state file cannot hold a provider IMS would have refused: the emulator does not start, naming the
/// provider and the rule.
#[test]
fn a_state_file_holding_a_provider_ims_would_refuse_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    let with_issuer = |issuer: &str| {
        json!({
            "format_version": 1,
            "store": {"next_role_seq": 0, "accounts": {account("source").account_id: {"roles": {}, "oidc_providers": {
                "ci": {"name": "ci", "issuer_url": issuer, "client_ids": [CLIENT_ID], "issuance_limit_hours": 12,
                       "create_date": "2026-01-02T03:04:05Z", "update_date": "2026-01-02T03:04:05Z"}
            }}}}
        })
        .to_string()
    };
    let config = EmulatorConfig {
        state_file: Some(state.clone()),
        ..EmulatorConfig::default()
    };
    std::fs::write(&state, with_issuer("https://token.example.com")).expect("write");
    Emulator::new(&config).expect("a provider IMS could have stored loads");
    std::fs::write(&state, with_issuer("http://token.example.com")).expect("write");
    let refused = Emulator::new(&config)
        .expect_err("a plain-http issuer of another host is refused")
        .to_string();
    assert!(
        refused.contains("oidc-provider/ci")
            && refused.contains("InvalidParameter.IssuerUrl.Format"),
        "{refused}"
    );
}

/// Faults reach the unsigned call like any other, so a client's retries of AssumeRoleWithOIDC can be forced.
#[tokio::test]
async fn a_queued_fault_answers_assume_role_with_oidc_before_the_token_is_judged() {
    let federation = Federation::start().await;
    let (status, body) = admin_post(
        &federation.emulator.endpoint,
        "faults/next",
        &json!({"action": "AssumeRoleWithOIDC", "fault": "throttle"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let token = federation
        .token(json!({"sub": MAIN, "aud": CLIENT_ID}))
        .await;
    federation
        .assume(&token)
        .await
        .expect_error(400, "Throttling.User");
    federation.assume(&token).await.ok();
    assert_eq!(
        action_stat(
            &federation.emulator.endpoint,
            "AssumeRoleWithOIDC",
            "requests"
        )
        .await,
        2
    );
}

/// docs/emulator.md: the issuer's keys are found through `<IssuerUrl>/.well-known/openid-configuration`, "any
/// failure being `AuthenticationFail.OIDCToken.IssuerConfigurationBroken` ("Get public keys from OIDC Provider
/// failed, the issuer is <url>.", then why)". The provider here names a path of the emulator with no issuer
/// behind it, so the discovery document's fetch gets a 404: a failure by construction, over real HTTP.
#[tokio::test]
async fn an_issuer_whose_keys_cannot_be_fetched_is_issuer_configuration_broken_naming_it() {
    let federation = Federation::start().await;
    let endpoint = &federation.emulator.endpoint;
    let broken_issuer = format!(
        "{}/_emulator/no-issuer-here",
        endpoint.trim_end_matches('/')
    );
    let created = federation
        .root
        .call(
            IMS,
            "CreateOIDCProvider",
            &[
                ("OIDCProviderName", "broken"),
                ("IssuerUrl", &broken_issuer),
                ("ClientIds", CLIENT_ID),
            ],
        )
        .await
        .ok();
    let broken_arn = created["OIDCProvider"]["Arn"].as_str().expect("Arn");
    let token = federation
        .token(json!({"sub": MAIN, "aud": CLIENT_ID, "iss": broken_issuer}))
        .await;
    let reply = call_unsigned(
        endpoint,
        STS,
        "AssumeRoleWithOIDC",
        &[
            ("OIDCProviderArn", broken_arn),
            ("RoleArn", &federation.role_arn),
            ("OIDCToken", &token),
            ("RoleSessionName", "github-actions"),
        ],
    )
    .await;
    reply.expect_error(
        400,
        "AuthenticationFail.OIDCToken.IssuerConfigurationBroken",
    );
    let message = reply.message();
    assert!(
        message.starts_with(&format!(
            "Get public keys from OIDC Provider failed, the issuer is {broken_issuer}. ("
        )),
        "{message}"
    );
    assert!(
        message.contains(&format!(
            "{broken_issuer}/.well-known/openid-configuration answered HTTP 404"
        )),
        "the reason names the document and its answer: {message}"
    );
    // The working provider beside it is unaffected.
    let good = federation
        .token(json!({"sub": MAIN, "aud": CLIENT_ID}))
        .await;
    assert_eq!(federation.assume(&good).await.status, 200);
}

/// docs/emulator.md: `AssumeRoleWithOIDC` takes an `OIDCToken` "of 4 to 20,000 characters"; outside that it is
/// refused before the provider, the role or the issuer is looked at.
#[tokio::test]
async fn a_token_of_fewer_than_4_or_more_than_20000_characters_is_refused_naming_the_bounds() {
    let federation = Federation::start().await;
    for token in ["abc".to_owned(), "a".repeat(20_001)] {
        let reply = call_unsigned(
            &federation.emulator.endpoint,
            STS,
            "AssumeRoleWithOIDC",
            &[
                ("OIDCProviderArn", "not-even-an-arn"),
                ("RoleArn", &federation.role_arn),
                ("OIDCToken", &token),
                ("RoleSessionName", "github-actions"),
            ],
        )
        .await;
        reply.expect_error(400, "InvalidParameter.OIDCToken.Length");
        assert!(
            reply.message().contains("must be 4 to 20000 characters"),
            "{:?}",
            reply.body
        );
    }
}

/// docs/emulator.md: "100 providers per account (`LimitExceeded.OIDCProvider`)". The account already holds
/// `ci-issuer`; 99 more fit, the 101st is refused and nothing is created for it.
#[tokio::test]
async fn the_hundred_and_first_oidc_provider_of_an_account_is_limit_exceeded() {
    let federation = Federation::start().await;
    let create = |n: usize| {
        let name = format!("issuer-{n}");
        let url = format!("https://issuer-{n}.example.com");
        let root = &federation.root;
        async move {
            root.call(
                IMS,
                "CreateOIDCProvider",
                &[
                    ("OIDCProviderName", &name),
                    ("IssuerUrl", &url),
                    ("ClientIds", CLIENT_ID),
                ],
            )
            .await
        }
    };
    for n in 2..=100 {
        let reply = create(n).await;
        assert_eq!(reply.status, 200, "provider {n}: {:?}", reply.body);
    }
    let reply = create(101).await;
    reply.expect_error(409, "LimitExceeded.OIDCProvider");
    assert_eq!(
        reply.message(),
        "An account may hold at most 100 OIDC providers."
    );
    federation
        .root
        .call(
            IMS,
            "GetOIDCProvider",
            &[("OIDCProviderName", "issuer-101")],
        )
        .await
        .expect_error(404, "EntityNotExist.OIDCProvider");
}

/// docs/emulator.md: `POST /_emulator/reset` "forgets every role, OIDC provider, STS session, nonce, statistic,
/// recorded grant and cached issuer key (the test issuer keeps its own key)".
#[tokio::test]
async fn reset_forgets_the_providers_and_the_test_issuer_keeps_its_key() {
    let federation = Federation::start().await;
    let endpoint = &federation.emulator.endpoint;
    let token = federation
        .token(json!({"sub": MAIN, "aud": CLIENT_ID}))
        .await;
    assert_eq!(federation.assume(&token).await.status, 200);
    let keys_before = admin_get(endpoint, "oidc/jwks").await;
    let (status, body) = admin_post(endpoint, "reset", &json!({})).await;
    assert_eq!((status, body), (200, json!({"reset": true})));

    federation
        .root
        .call(IMS, "GetOIDCProvider", &[("OIDCProviderName", PROVIDER)])
        .await
        .expect_error(404, "EntityNotExist.OIDCProvider");
    let listed = federation
        .root
        .call(IMS, "ListOIDCProviders", &[])
        .await
        .ok();
    assert_eq!(
        listed["OIDCProviders"]["OIDCProvider"],
        json!([]),
        "{listed}"
    );
    let reply = federation.assume(&token).await;
    reply.expect_error(403, "AuthenticationFail.NoPermission");
    assert_eq!(reply.message(), "No such OIDC Provider registered.");
    assert_eq!(
        admin_get(endpoint, "oidc/jwks").await,
        keys_before,
        "the test issuer's key survives the reset"
    );
}

/// docs/emulator.md, stats: "`accounts` counts only authenticated requests, keyed by the caller's account UID (an
/// unsigned `AssumeRoleWithOIDC` under its role's account)" and "`signatures` counts authenticated requests by the
/// signature they carried (an unsigned `AssumeRoleWithOIDC` is in neither)".
#[tokio::test]
async fn an_unsigned_exchange_counts_under_its_roles_account_and_under_no_signature() {
    let federation = Federation::start().await;
    let endpoint = &federation.emulator.endpoint;
    let uid = account("source").account_id;
    let token = federation
        .token(json!({"sub": MAIN, "aud": CLIENT_ID}))
        .await;
    let before = admin_get(endpoint, "stats").await;
    assert_eq!(federation.assume(&token).await.status, 200);
    let after = admin_get(endpoint, "stats").await;
    let count = |stats: &Value, path: &[&str]| {
        path.iter()
            .fold(stats, |v, key| &v[*key])
            .as_u64()
            .unwrap_or(0)
    };
    assert_eq!(
        count(&after, &["accounts", &uid, "requests"])
            - count(&before, &["accounts", &uid, "requests"]),
        1,
        "{after}"
    );
    for signature in ["v1", "v3"] {
        assert_eq!(
            count(&after, &["signatures", signature]),
            count(&before, &["signatures", signature]),
            "{signature}: {after}"
        );
    }
}

/// docs/emulator.md: a token whose `iat` is older than the provider's `IssuanceLimitTime` (12 hours when not
/// given) is `AuthenticationFail.OIDCToken.Invalid`, even while it has not expired; one issued within it passes.
#[tokio::test]
async fn a_token_issued_longer_ago_than_the_issuance_limit_is_invalid() {
    let federation = Federation::start().await;
    let old = federation
        .token(json!({"sub": MAIN, "aud": CLIENT_ID, "issued_seconds_ago": 13 * 3600, "lifetime_seconds": 86_400}))
        .await;
    let reply = federation.assume(&old).await;
    reply.expect_error(400, "AuthenticationFail.OIDCToken.Invalid");
    assert!(
        reply
            .message()
            .ends_with("more than the provider's IssuanceLimitTime of 12 hours ago."),
        "{:?}",
        reply.body
    );
    let recent = federation
        .token(json!({"sub": MAIN, "aud": CLIENT_ID, "issued_seconds_ago": 11 * 3600, "lifetime_seconds": 86_400}))
        .await;
    assert_eq!(federation.assume(&recent).await.status, 200);
    let (status, body) = admin_post(
        &federation.emulator.endpoint,
        "oidc/token",
        &json!({"sub": MAIN, "aud": CLIENT_ID, "issued_seconds_ago": 1, "expired": true}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
}
