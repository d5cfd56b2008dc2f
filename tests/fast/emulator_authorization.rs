//! Who may do what: AssumeRole needs a RAM identity the role's trust policy admits (root keys are refused, as
//! on the real STS), and every RAM and STS action of a RAM user or role session is authorized against its
//! policies.

use crate::support::emulator_calls::*;
use crate::support::identities::{self, add_user};
use serde_json::json;
use terraform_provider_aliram::emulator::EmulatorConfig;

/// The trust policy admitting the RAM principals `principals`.
fn trusting(principals: &[String]) -> String {
    json!({
        "Version": "1",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"RAM": principals}}]
    })
    .to_string()
}

#[tokio::test]
async fn root_keys_may_not_assume_roles() {
    let emulator = InProcess::with_defaults().await;
    let (source, task) = (account("source"), account("task"));
    let owner = Client::new(&emulator.endpoint, &source);
    let arn = create_role(
        &owner,
        "trusts-task",
        &trusting(&[format!("acs:ram::{}:root", task.account_id)]),
    )
    .await["Role"]["Arn"]
        .as_str()
        .expect("Arn")
        .to_owned();
    let params = [("RoleArn", arn.as_str()), ("RoleSessionName", "root")];
    let refused = Client::new(&emulator.endpoint, &task)
        .call(STS, "AssumeRole", &params)
        .await;
    refused.expect_error(403, "NoPermission");
    assert_eq!(
        refused.body["Message"],
        "Roles may not be assumed by root accounts."
    );
    // The same role, the same account, as its RAM user: admitted.
    Client::as_user(&emulator.endpoint, &demo_user("task"))
        .call(STS, "AssumeRole", &params)
        .await
        .ok();
}

#[tokio::test]
async fn trust_policies_name_the_account_one_user_or_one_role() {
    let mut accounts = identities::accounts();
    for user in ["ci", "other"] {
        add_user(&mut accounts, "task", user, &["AdministratorAccess"], &[]);
    }
    let (ci, other) = (
        identities::user(&accounts, "task", "ci").clone(),
        identities::user(&accounts, "task", "other").clone(),
    );
    let emulator = InProcess::start(EmulatorConfig {
        accounts,
        ..EmulatorConfig::default()
    })
    .await;
    let task = account("task").account_id;
    let owner = Client::new(&emulator.endpoint, &account("source"));
    let role = |name: &'static str, principal: String| {
        let owner = owner.clone();
        async move {
            create_role(&owner, name, &trusting(&[principal])).await["Role"]["Arn"]
                .as_str()
                .expect("Arn")
                .to_owned()
        }
    };
    let only_ci = role("only-ci", format!("acs:ram::{task}:user/ci")).await;
    let chained = role("chained", format!("acs:ram::{task}:role/Deployer")).await;
    let assume = |client: Client, arn: String| async move {
        client
            .call(
                STS,
                "AssumeRole",
                &[("RoleArn", arn.as_str()), ("RoleSessionName", "session")],
            )
            .await
    };
    let (ci, other) = (
        Client::as_user(&emulator.endpoint, &ci),
        Client::as_user(&emulator.endpoint, &other),
    );
    assume(ci.clone(), only_ci.clone()).await.ok();
    let refused = assume(other.clone(), only_ci).await;
    refused.expect_error(403, "NoPermission");
    let message = refused.body["Message"].as_str().unwrap_or_default();
    assert!(message.contains("does not trust you"), "{message}");

    // Role chaining: a session of task's role Deployer may assume `chained`; the user itself may not.
    let task_owner = Client::new(&emulator.endpoint, &account("task"));
    let deployer = create_role(
        &task_owner,
        "Deployer",
        &trusting(&[format!("acs:ram::{task}:root")]),
    )
    .await["Role"]["Arn"]
        .as_str()
        .expect("Arn")
        .to_owned();
    attach_system_policy(&task_owner, "Deployer", "AdministratorAccess")
        .await
        .ok();
    let session = assume(ci.clone(), deployer).await.ok();
    let credentials = &session["Credentials"];
    let session = Client::with_keys(
        &emulator.endpoint,
        credentials["AccessKeyId"].as_str().expect("id"),
        credentials["AccessKeySecret"].as_str().expect("secret"),
        credentials["SecurityToken"].as_str(),
    );
    assume(session, chained.clone()).await.ok();
    assume(ci, chained).await.expect_error(403, "NoPermission");
}
