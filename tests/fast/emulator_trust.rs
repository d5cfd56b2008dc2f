//! Cross-account AssumeRole and service-assume succeed exactly when the role's trust policy admits the caller.

use crate::support::emulator_calls::*;
use serde_json::{Value, json};

async fn service_may_assume(
    endpoint: &str,
    service: &str,
    acting_for: &str,
    role_arn: &str,
) -> (bool, String) {
    let (status, body) = admin_post(
        endpoint,
        "service-assume",
        &json!({"service": service, "acting_for": acting_for, "role_arn": role_arn}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    (
        body["allowed"].as_bool().expect("allowed"),
        body["reason"].as_str().expect("reason").to_owned(),
    )
}

#[tokio::test]
async fn dts_role_admits_dts_of_the_task_account_only() {
    let emulator = InProcess::with_defaults().await;
    let (source, task, destination) = (account("source"), account("task"), account("destination"));
    let owner = Client::new(&emulator.endpoint, &source);
    let arn = create_role(&owner, "ram-for-dts", &dts_trust_policy(&task.account_id)).await["Role"]
        ["Arn"]
        .as_str()
        .expect("Arn")
        .to_owned();

    let (allowed, reason) = service_may_assume(
        &emulator.endpoint,
        "dts.aliyuncs.com",
        &task.account_id,
        &arn,
    )
    .await;
    assert!(allowed, "{reason}");
    for (service, acting_for) in [
        ("dts.aliyuncs.com", destination.account_id.as_str()),
        ("dts.aliyuncs.com", source.account_id.as_str()),
        ("cdp.aliyuncs.com", task.account_id.as_str()),
    ] {
        let (allowed, reason) =
            service_may_assume(&emulator.endpoint, service, acting_for, &arn).await;
        assert!(!allowed, "{service} for {acting_for} must be refused");
        assert!(reason.contains("no statement"), "{reason}");
    }

    // STS AssumeRole: a user of the task account may, one of the destination account may not.
    let assumed = Client::as_user(&emulator.endpoint, &demo_user("task"))
        .call(
            STS,
            "AssumeRole",
            &[("RoleArn", &arn), ("RoleSessionName", "dts-task")],
        )
        .await
        .ok();
    assert!(
        assumed["Credentials"]["AccessKeyId"]
            .as_str()
            .unwrap_or("")
            .starts_with("STS.")
    );
    let refused = Client::as_user(&emulator.endpoint, &demo_user("destination"))
        .call(
            STS,
            "AssumeRole",
            &[("RoleArn", &arn), ("RoleSessionName", "intruder")],
        )
        .await;
    refused.expect_error(403, "NoPermission");
    let message = refused.body["Message"].as_str().unwrap_or_default();
    assert!(message.contains("does not trust you"), "{message}");
    // The owner itself is not trusted either.
    Client::as_user(&emulator.endpoint, &demo_user("source"))
        .call(
            STS,
            "AssumeRole",
            &[("RoleArn", &arn), ("RoleSessionName", "owner")],
        )
        .await
        .expect_error(403, "NoPermission");
}

#[tokio::test]
async fn dataworks_role_admits_cdp_of_the_workspace_account_only() {
    let emulator = InProcess::with_defaults().await;
    let (source, task, destination) = (account("source"), account("task"), account("destination"));
    let owner = Client::new(&emulator.endpoint, &source);
    let arn = create_role(
        &owner,
        "dataworks-rds",
        &dataworks_trust_policy(&task.account_id),
    )
    .await["Role"]["Arn"]
        .as_str()
        .expect("Arn")
        .to_owned();
    assert!(
        service_may_assume(
            &emulator.endpoint,
            "cdp.aliyuncs.com",
            &task.account_id,
            &arn
        )
        .await
        .0
    );
    assert!(
        !service_may_assume(
            &emulator.endpoint,
            "cdp.aliyuncs.com",
            &destination.account_id,
            &arn
        )
        .await
        .0
    );
    assert!(
        !service_may_assume(
            &emulator.endpoint,
            "dts.aliyuncs.com",
            &task.account_id,
            &arn
        )
        .await
        .0
    );
    // No RAM principal: no account may assume it through STS.
    Client::as_user(&emulator.endpoint, &demo_user("task"))
        .call(
            STS,
            "AssumeRole",
            &[("RoleArn", &arn), ("RoleSessionName", "s1")],
        )
        .await
        .expect_error(403, "NoPermission");
}

#[tokio::test]
async fn own_uid_service_principal_is_rewritten_and_then_admits_only_the_owner() {
    let emulator = InProcess::with_defaults().await;
    let (source, task) = (account("source"), account("task"));
    let owner = Client::new(&emulator.endpoint, &source);
    // The classic mistake: trusting the owner's own UID.
    let created = create_role(&owner, "ram-for-dts", &dts_trust_policy(&source.account_id)).await;
    let document = created["Role"]["AssumeRolePolicyDocument"]
        .as_str()
        .expect("document");
    let parsed: Value = serde_json::from_str(document).expect("stored document is JSON");
    assert_eq!(
        parsed["Statement"][0]["Principal"]["Service"],
        json!(["dts.aliyuncs.com"])
    );
    assert_eq!(
        parsed["Statement"][0]["Principal"]["RAM"],
        json!([format!("acs:ram::{}:root", source.account_id)])
    );
    let got = owner
        .call(RAM, "GetRole", &[("RoleName", "ram-for-dts")])
        .await
        .ok();
    assert_eq!(
        got["Role"]["AssumeRolePolicyDocument"].as_str(),
        Some(document)
    );

    let arn = created["Role"]["Arn"].as_str().expect("Arn");
    assert!(
        service_may_assume(
            &emulator.endpoint,
            "dts.aliyuncs.com",
            &source.account_id,
            arn
        )
        .await
        .0
    );
    assert!(
        !service_may_assume(
            &emulator.endpoint,
            "dts.aliyuncs.com",
            &task.account_id,
            arn
        )
        .await
        .0
    );
}

#[tokio::test]
async fn external_id_and_duration_are_enforced_and_credentials_work() {
    let emulator = InProcess::with_defaults().await;
    let (source, task) = (account("source"), account("task"));
    let owner = Client::new(&emulator.endpoint, &source);
    let policy = format!(
        r#"{{"Version":"1","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{{"RAM":["acs:ram::{}:root"]}},"Condition":{{"StringEquals":{{"sts:ExternalId":"ext-42"}}}}}}]}}"#,
        task.account_id
    );
    let arn = create_role(&owner, "with-external-id", &policy).await["Role"]["Arn"]
        .as_str()
        .expect("Arn")
        .to_owned();
    let caller = Client::as_user(&emulator.endpoint, &demo_user("task"));
    for external_id in [None, Some("wrong-id")] {
        let mut params = vec![("RoleArn", arn.as_str()), ("RoleSessionName", "s1")];
        params.extend(external_id.map(|id| ("ExternalId", id)));
        caller
            .call(STS, "AssumeRole", &params)
            .await
            .expect_error(403, "NoPermission");
    }
    // 3600 is the role's MaxSessionDuration: one second more is refused, as is less than 900.
    for duration in ["3601", "899"] {
        caller
            .call(
                STS,
                "AssumeRole",
                &[
                    ("RoleArn", &arn),
                    ("RoleSessionName", "s1"),
                    ("ExternalId", "ext-42"),
                    ("DurationSeconds", duration),
                ],
            )
            .await
            .expect_error(400, "InvalidParameter.DurationSeconds");
    }
    let assumed = caller
        .call(
            STS,
            "AssumeRole",
            &[
                ("RoleArn", &arn),
                ("RoleSessionName", "s1"),
                ("ExternalId", "ext-42"),
                ("DurationSeconds", "3600"),
            ],
        )
        .await
        .ok();
    let credentials = &assumed["Credentials"];
    let session = Client::with_keys(
        &emulator.endpoint,
        credentials["AccessKeyId"].as_str().expect("id"),
        credentials["AccessKeySecret"].as_str().expect("secret"),
        credentials["SecurityToken"].as_str(),
    );
    let who = session.call(STS, "GetCallerIdentity", &[]).await.ok();
    assert_eq!(who["IdentityType"], "AssumedRoleUser");
    assert_eq!(who["AccountId"], source.account_id.as_str());
    assert_eq!(
        who["Arn"],
        format!(
            "acs:ram::{}:assumed-role/with-external-id/s1",
            source.account_id
        )
        .as_str()
    );
    // The same key without its token is refused.
    let mut tokenless = session.clone();
    tokenless.security_token = None;
    tokenless
        .call(STS, "GetCallerIdentity", &[])
        .await
        .expect_error(400, "MissingSecurityToken");
    // An unknown role is a 404.
    let missing = format!("acs:ram::{}:role/nope", source.account_id);
    caller
        .call(
            STS,
            "AssumeRole",
            &[("RoleArn", &missing), ("RoleSessionName", "s1")],
        )
        .await
        .expect_error(404, "EntityNotExist.Role");
}
