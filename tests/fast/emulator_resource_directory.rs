//! Resource Directory's `ListAccounts` on the emulator, over HTTP as docs/emulator.md describes it: served under
//! both API versions (`2022-04-19` ResourceDirectoryMaster, `2020-03-31` ResourceManager), paged by `PageNumber`
//! and `PageSize` (1 to 100, default 10), management account first; a member is refused with RAM's
//! `NoPermission` naming the action and resource, an account outside any directory with
//! `ResourceDirectoryNotInUse`.

use crate::support::emulator_calls::*;
use serde_json::Value;
use terraform_provider_aliram::emulator::EmulatorConfig;
use terraform_provider_aliram::emulator::accounts::{Account, DirectoryRole, demo_accounts};

const VERSIONS: [&str; 2] = ["2022-04-19", "2020-03-31"];

/// The demo accounts, the first managing a directory whose member is the second; the third is in none.
fn directory() -> Vec<Account> {
    let mut accounts = demo_accounts();
    accounts[0].resource_directory = Some(DirectoryRole::Management);
    accounts[1].resource_directory = Some(DirectoryRole::Member);
    accounts[2].resource_directory = None;
    accounts
}

/// An emulator serving [`directory`], and its accounts.
async fn start() -> (InProcess, Vec<Account>) {
    let accounts = directory();
    let emulator = InProcess::start(EmulatorConfig {
        accounts: accounts.clone(),
        ..EmulatorConfig::default()
    })
    .await;
    (emulator, accounts)
}

fn ids(page: &Value) -> Vec<&str> {
    page["Accounts"]["Account"]
        .as_array()
        .expect("Accounts.Account")
        .iter()
        .map(|a| a["AccountId"].as_str().expect("AccountId"))
        .collect()
}

#[tokio::test]
async fn list_accounts_answers_both_versions_in_pages_management_first() {
    let (emulator, accounts) = start().await;
    let management = Client::new(&emulator.endpoint, &accounts[0]);
    for version in VERSIONS {
        let all = management.call(version, "ListAccounts", &[]).await.ok();
        assert_eq!(
            ids(&all),
            [
                accounts[0].account_id.as_str(),
                accounts[1].account_id.as_str()
            ],
            "{version}: {all}"
        );
        assert_eq!(
            (&all["TotalCount"], &all["PageNumber"], &all["PageSize"]),
            (&Value::from(2), &Value::from(1), &Value::from(10)),
            "{version}: the default page size is 10"
        );
        assert_eq!(all["Accounts"]["Account"][0]["Type"], "CloudAccount");
        assert_eq!(all["Accounts"]["Account"][1]["Type"], "ResourceAccount");
        assert_eq!(
            all["Accounts"]["Account"][1]["DisplayName"],
            accounts[1].name.as_str()
        );

        let second = management
            .call(
                version,
                "ListAccounts",
                &[("PageNumber", "2"), ("PageSize", "1")],
            )
            .await
            .ok();
        assert_eq!(ids(&second), [accounts[1].account_id.as_str()], "{version}");
        for size in ["0", "101"] {
            let reply = management
                .call(version, "ListAccounts", &[("PageSize", size)])
                .await;
            reply.expect_error(400, "InvalidParameter.PageSize");
            assert!(
                reply.message().contains("between 1 and 100"),
                "{version} PageSize {size}: {:?}",
                reply.body
            );
        }
    }
}

#[tokio::test]
async fn a_member_and_an_account_outside_the_directory_are_refused_with_the_documented_codes() {
    let (emulator, accounts) = start().await;
    let member = &accounts[1].account_id;
    let reply = Client::new(&emulator.endpoint, &accounts[1])
        .call(VERSIONS[0], "ListAccounts", &[])
        .await;
    reply.expect_error(403, "NoPermission");
    assert!(
        reply.message().contains("resourcemanager:ListAccounts")
            && reply
                .message()
                .contains(&format!("acs:resourcemanager:*:{member}:account/*")),
        "{:?}",
        reply.body
    );
    Client::new(&emulator.endpoint, &accounts[2])
        .call(VERSIONS[1], "ListAccounts", &[])
        .await
        .expect_error(404, "ResourceDirectoryNotInUse");
}

/// docs/emulator.md: each member's `ResourceDirectoryAccountAccessRole` "is created at start where the state file
/// has none, and again by `POST /_emulator/reset`": a member that deleted it gets it back, trusting the
/// management account, with `AdministratorAccess`.
#[tokio::test]
async fn reset_gives_a_member_its_access_role_back() {
    let (emulator, accounts) = start().await;
    let member = Client::new(&emulator.endpoint, &accounts[1]);
    let role = [("RoleName", "ResourceDirectoryAccountAccessRole")];
    member
        .call(
            RAM,
            "DetachPolicyFromRole",
            &[
                ("PolicyType", "System"),
                ("PolicyName", "AdministratorAccess"),
                role[0],
            ],
        )
        .await
        .ok();
    member.call(RAM, "DeleteRole", &role).await.ok();
    member
        .call(RAM, "GetRole", &role)
        .await
        .expect_error(404, "EntityNotExist.Role");
    let (status, _) = admin_post(&emulator.endpoint, "reset", &serde_json::json!({})).await;
    assert_eq!(status, 200);
    let got = member.call(RAM, "GetRole", &role).await.ok();
    let trust = got["Role"]["AssumeRolePolicyDocument"]
        .as_str()
        .expect("AssumeRolePolicyDocument");
    assert!(
        trust.contains(&format!("acs:ram::{}:root", accounts[0].account_id)),
        "{trust}"
    );
    let attached = member
        .call(
            RAM,
            "ListPoliciesForRole",
            &[("RoleName", "ResourceDirectoryAccountAccessRole")],
        )
        .await
        .ok();
    assert_eq!(
        attached["Policies"]["Policy"][0]["PolicyName"], "AdministratorAccess",
        "{attached}"
    );
    assert_eq!(accounts[2].resource_directory, None);
    Client::new(&emulator.endpoint, &accounts[2])
        .call(RAM, "GetRole", &role)
        .await
        .expect_error(404, "EntityNotExist.Role");
}
