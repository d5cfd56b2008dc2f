//! The provider instance's sessions in other accounts (`account_id`), against the scripted STS: what
//! docs/guides/organization.md says happens when the access role is assumed.

use crate::support::scripted_server::{AK_ID, AK_SECRET, Key, Scripted, TestServer};
use serde_json::json;
use terraform_provider_aliram::provider::alicloud::{FixedEnvironment, Secret};
use terraform_provider_aliram::provider::client::{AccountAccessError, ProviderClient};
use terraform_provider_aliram::provider::config::ProviderConfig;
use tokio_util::sync::CancellationToken;

const MEMBER: &str = "6543210987654321";
const ELSEWHERE: &str = "9999000099990009";

/// organization.md:25-26: "the session's caller identity is checked to be that account". An STS answering
/// AssumeRole of the member's access role with credentials that act in a third account (forced: the scripted
/// answer hands out a key of `ELSEWHERE`) is refused before the member's client is used, naming both accounts.
#[tokio::test]
async fn a_session_acting_in_another_account_than_the_one_asked_for_is_refused() {
    let server = TestServer::start().await;
    server.add_key(
        "STS.elsewhere",
        Key {
            secret: "elsewhere-secret".to_owned(),
            token: Some("elsewhere-token".to_owned()),
            account_id: ELSEWHERE.to_owned(),
            arn: format!(
                "acs:ram::{ELSEWHERE}:assumed-role/ResourceDirectoryAccountAccessRole/terraform"
            ),
            identity_type: "AssumedRoleUser".to_owned(),
        },
    );
    server.script(
        "AssumeRole",
        [Scripted::ok(json!({
            "RequestId": "lying-sts",
            "Credentials": {"AccessKeyId": "STS.elsewhere", "AccessKeySecret": "elsewhere-secret",
                            "SecurityToken": "elsewhere-token", "Expiration": "2099-01-01T00:00:00Z"},
            "AssumedRoleUser": {"Arn": format!("acs:ram::{ELSEWHERE}:assumed-role/ResourceDirectoryAccountAccessRole/terraform"),
                                "AssumedRoleId": "3:terraform"},
        }))],
    );
    let mut config = ProviderConfig {
        ram_endpoint: Some(server.url.clone()),
        sts_endpoint: Some(server.url.clone()),
        ..ProviderConfig::default()
    };
    config.credentials.access_key = Some(AK_ID.to_owned());
    config.credentials.secret_key = Some(Secret::new(AK_SECRET));
    let client = ProviderClient::build(
        &config,
        &FixedEnvironment::default(),
        CancellationToken::new(),
    )
    .await
    .unwrap_or_else(|d| panic!("build: {d:?}"));
    let Err(err) = client.in_account(MEMBER).await else {
        panic!("a session of account {ELSEWHERE} was taken for account {MEMBER}");
    };
    assert!(
        matches!(err, AccountAccessError::Unreachable { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().ends_with(&format!(
            "reaching account {MEMBER} through role acs:ram::{MEMBER}:role/ResourceDirectoryAccountAccessRole \
             failed: the session acts in account {ELSEWHERE}, not {MEMBER}"
        )),
        "{err}"
    );
    // The defaults: ResourceDirectoryAccountAccessRole, session `terraform`, no external ID.
    let assume = &server.received_for("AssumeRole")[0].params;
    assert_eq!(
        assume["RoleArn"],
        format!("acs:ram::{MEMBER}:role/ResourceDirectoryAccountAccessRole")
    );
    assert_eq!(assume["RoleSessionName"], "terraform");
    assert!(!assume.contains_key("ExternalId"), "{assume:?}");
}
