//! The API surface: authentication failures with the gateway's codes, the error body, GET and POST,
//! parameter rules, quotas, paging, statistics and reset.

use crate::support::emulator_calls::*;
use serde_json::{Value, json};
use std::num::NonZeroU32;
use std::time::Duration;
use terraform_provider_aliram::emulator::EmulatorConfig;
use terraform_provider_aliram::ram::signature::v1::{SignableRequest, percent_encode, sign};

fn resign(pairs: &mut Vec<(String, String)>, method: &str, secret: &str) {
    pairs.retain(|(k, _)| k != "Signature");
    let signature = sign(
        &SignableRequest {
            method,
            params: pairs,
        },
        secret,
    );
    pairs.push(("Signature".into(), signature));
}

fn set(pairs: &mut [(String, String)], name: &str, value: &str) {
    for (k, v) in pairs.iter_mut() {
        if k == name {
            *v = value.to_owned();
        }
    }
}

#[tokio::test]
async fn authentication_failures_use_the_gateway_codes() {
    let emulator = InProcess::with_defaults().await;
    let source = account("source");
    let client = Client::new(&emulator.endpoint, &source);

    // Nonce reuse: the same signed request twice.
    let pairs = client.signed_params(STS, "GetCallerIdentity", &[]);
    client.send(&pairs).await.expect("send").ok();
    client
        .send(&pairs)
        .await
        .expect("send")
        .expect_error(400, "SignatureNonceUsed");

    // Wrong secret: the server echoes its string to sign.
    let wrong = Client::with_keys(&emulator.endpoint, &source.access_key_id, "wrong", None);
    let reply = wrong.call(RAM, "ListRoles", &[]).await;
    reply.expect_error(400, "SignatureDoesNotMatch");
    let message = reply.body["Message"].as_str().expect("Message");
    assert!(
        message.contains("server string to sign is:POST&%2F&AccessKeyId%3D"),
        "{message}"
    );

    // Unknown key.
    Client::with_keys(&emulator.endpoint, "LTAInobody", "x", None)
        .call(RAM, "ListRoles", &[])
        .await
        .expect_error(404, "InvalidAccessKeyId.NotFound");

    // Timestamp 16 minutes off, and malformed.
    let mut pairs = client.signed_params(RAM, "ListRoles", &[]);
    let old = (chrono::Utc::now() - chrono::TimeDelta::minutes(16))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    set(&mut pairs, "Timestamp", &old);
    resign(&mut pairs, "POST", &source.access_key_secret);
    client
        .send(&pairs)
        .await
        .expect("send")
        .expect_error(400, "InvalidTimeStamp.Expired");
    set(&mut pairs, "Timestamp", "yesterday");
    resign(&mut pairs, "POST", &source.access_key_secret);
    client
        .send(&pairs)
        .await
        .expect("send")
        .expect_error(400, "InvalidTimeStamp.Format");

    // Signed for GET but sent as POST: the method is part of the signature.
    let mut pairs = client.signed_params(RAM, "ListRoles", &[]);
    resign(&mut pairs, "GET", &source.access_key_secret);
    client
        .send(&pairs)
        .await
        .expect("send")
        .expect_error(400, "SignatureDoesNotMatch");

    // A missing signature.
    let mut pairs = client.signed_params(RAM, "ListRoles", &[]);
    pairs.retain(|(k, _)| k != "Signature");
    client
        .send(&pairs)
        .await
        .expect("send")
        .expect_error(400, "MissingSignature");
}

#[tokio::test]
async fn get_with_query_parameters_and_the_error_body() {
    let emulator = InProcess::with_defaults().await;
    let source = account("source");
    let client = Client::new(&emulator.endpoint, &source);
    let mut pairs = client.signed_params(STS, "GetCallerIdentity", &[]);
    resign(&mut pairs, "GET", &source.access_key_secret);
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect();
    let response = reqwest::get(format!("{}/?{}", emulator.endpoint, query.join("&")))
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["AccountId"], source.account_id.as_str());
    assert_eq!(
        body["Arn"],
        format!("acs:ram::{}:root", source.account_id).as_str()
    );
    assert_eq!(body["IdentityType"], "Account");
    assert_eq!(body["PrincipalId"], source.account_id.as_str());

    let reply = client.call(STS, "NoSuchAction", &[]).await;
    reply.expect_error(404, "InvalidApi.NotFound");
    for field in ["RequestId", "HostId", "Code", "Message", "Recommend"] {
        assert!(
            reply.body[field].is_string(),
            "{field} missing from {}",
            reply.body
        );
    }
    assert_eq!(reply.body["HostId"], "sts.aliyuncs.com");
    let mut pairs = client.signed_params(RAM, "GetRole", &[("RoleName", "r")]);
    set(&mut pairs, "Format", "XML");
    resign(&mut pairs, "POST", &source.access_key_secret);
    client
        .send(&pairs)
        .await
        .expect("send")
        .expect_error(400, "InvalidParameter.Format");
}

#[tokio::test]
async fn role_parameter_rules_and_quotas() {
    // RAM's default quota is 1000 roles per account; a quota of 100 shows the refusal at a tenth of the cost.
    let emulator = InProcess::start(EmulatorConfig {
        role_quota: 100,
        ..EmulatorConfig::default()
    })
    .await;
    let task = account("task");
    let client = Client::new(&emulator.endpoint, &account("source"));
    let policy = dts_trust_policy(&task.account_id);
    let long_name = "r".repeat(65);
    let long_description = "d".repeat(1025);
    for (params, code) in [
        (
            vec![("AssumeRolePolicyDocument", policy.as_str())],
            "MissingRoleName",
        ),
        (vec![("RoleName", "ok")], "MissingAssumeRolePolicyDocument"),
        (
            vec![
                ("RoleName", long_name.as_str()),
                ("AssumeRolePolicyDocument", &policy),
            ],
            "InvalidParameter.RoleName.Length",
        ),
        (
            vec![("RoleName", "a_b"), ("AssumeRolePolicyDocument", &policy)],
            "InvalidParameter.RoleName.InvalidChars",
        ),
        (
            vec![
                ("RoleName", "ok"),
                ("AssumeRolePolicyDocument", &policy),
                ("Description", &long_description),
            ],
            "InvalidParameter.Description.Length",
        ),
        (
            vec![
                ("RoleName", "ok"),
                ("AssumeRolePolicyDocument", &policy),
                ("MaxSessionDuration", "43201"),
            ],
            "InvalidParameter.MaxSessionDuration",
        ),
        (
            vec![
                ("RoleName", "ok"),
                ("AssumeRolePolicyDocument", r#"{"Version":"1"}"#),
            ],
            "MalformedPolicyDocument",
        ),
    ] {
        let reply = client.call(RAM, "CreateRole", &params).await;
        assert_eq!(reply.status, 400, "{params:?}: {}", reply.body);
        assert_eq!(reply.code(), code, "{params:?}");
    }
    client
        .call(RAM, "GetRole", &[("RoleName", "nope")])
        .await
        .expect_error(404, "EntityNotExist.Role");
    client
        .call(RAM, "DeleteRole", &[("RoleName", "nope")])
        .await
        .expect_error(404, "EntityNotExist.Role");

    // 100 roles in the account; the 101st is refused.
    for i in 0..100 {
        create_role(&client, &format!("quota-{i:03}"), &policy).await;
    }
    client
        .call(
            RAM,
            "CreateRole",
            &[
                ("RoleName", "one-too-many"),
                ("AssumeRolePolicyDocument", &policy),
            ],
        )
        .await
        .expect_error(409, "LimitExceeded.Role");
    // Other accounts have their own quota.
    create_role(
        &Client::new(&emulator.endpoint, &task),
        "elsewhere",
        &policy,
    )
    .await;

    // 20 system policies per role; the 21st is refused.
    let catalog = terraform_provider_aliram::emulator::policy_catalog::SYSTEM_POLICIES;
    for policy in catalog.iter().take(20) {
        client
            .call(
                RAM,
                "AttachPolicyToRole",
                &[
                    ("PolicyType", "System"),
                    ("PolicyName", policy.name),
                    ("RoleName", "quota-000"),
                ],
            )
            .await
            .ok();
    }
    client
        .call(
            RAM,
            "AttachPolicyToRole",
            &[
                ("PolicyType", "System"),
                ("PolicyName", catalog[20].name),
                ("RoleName", "quota-000"),
            ],
        )
        .await
        .expect_error(409, "LimitExceeded.Role.Policy");
    client
        .call(
            RAM,
            "AttachPolicyToRole",
            &[
                ("PolicyType", "Custom"),
                ("PolicyName", "mine"),
                ("RoleName", "quota-001"),
            ],
        )
        .await
        .expect_error(404, "EntityNotExist.Policy");

    // Paging through 100 roles 30 at a time visits each once, in creation order.
    let mut names = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..10 {
        let mut params = vec![("MaxItems", "30")];
        if let Some(marker) = &marker {
            params.push(("Marker", marker.as_str()));
        }
        let page = client.call(RAM, "ListRoles", &params).await.ok();
        names.extend(
            page["Roles"]["Role"]
                .as_array()
                .expect("roles")
                .iter()
                .map(|r| r["RoleName"].as_str().expect("name").to_owned()),
        );
        if page["IsTruncated"] != true {
            assert!(page.get("Marker").is_none(), "{page}");
            break;
        }
        marker = page["Marker"].as_str().map(str::to_owned);
    }
    let expected: Vec<String> = (0..100).map(|i| format!("quota-{i:03}")).collect();
    assert_eq!(names, expected);
}

#[tokio::test]
async fn stats_count_per_action_and_account_and_reset_forgets() {
    let emulator = InProcess::with_defaults().await;
    let (source, task) = (account("source"), account("task"));
    let client = Client::new(&emulator.endpoint, &source);
    create_role(&client, "r1", &dts_trust_policy(&task.account_id)).await;
    client
        .call(RAM, "GetRole", &[("RoleName", "r1")])
        .await
        .ok();
    client
        .call(RAM, "GetRole", &[("RoleName", "r2")])
        .await
        .expect_error(404, "EntityNotExist.Role");
    Client::new(&emulator.endpoint, &task)
        .call(STS, "GetCallerIdentity", &[])
        .await
        .ok();

    let stats = admin_get(&emulator.endpoint, "stats").await;
    assert_eq!(stats["requests"], 4);
    assert_eq!(stats["errors"], 1);
    assert_eq!(stats["writes"], 1);
    assert_eq!(
        stats["actions"]["GetRole"],
        json!({"requests": 2, "errors": 1})
    );
    assert_eq!(
        stats["actions"]["CreateRole"],
        json!({"requests": 1, "errors": 0})
    );
    assert_eq!(
        stats["accounts"][&source.account_id],
        json!({"requests": 3, "errors": 1})
    );
    assert_eq!(
        stats["accounts"][&task.account_id],
        json!({"requests": 1, "errors": 0})
    );

    let (status, body) = admin_post(&emulator.endpoint, "reset", &json!({})).await;
    assert_eq!((status, body), (200, json!({"reset": true})));
    let stats = admin_get(&emulator.endpoint, "stats").await;
    assert_eq!(stats["requests"], 0);
    client
        .call(RAM, "GetRole", &[("RoleName", "r1")])
        .await
        .expect_error(404, "EntityNotExist.Role");
}

#[tokio::test]
async fn service_assume_rejects_bad_requests() {
    let emulator = InProcess::with_defaults().await;
    let (status, _) = admin_post(
        &emulator.endpoint,
        "service-assume",
        &json!({"service": "dts.aliyuncs.com"}),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = admin_post(
        &emulator.endpoint,
        "service-assume",
        &json!({"service": "dts.aliyuncs.com", "acting_for": "1", "role_arn": "not-an-arn"}),
    )
    .await;
    assert_eq!(status, 400);
    let (status, body) = admin_post(
        &emulator.endpoint,
        "service-assume",
        &json!({"service": "dts.aliyuncs.com", "acting_for": "1", "role_arn": "acs:ram::1111000011110001:role/none"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["allowed"], false);
}

/// On tokio's paused clock (the emulator's flow control reads it): the clock stands still while the calls are
/// made and moves only when the test advances it, so "at once" and "a third of a second later" are exact.
#[tokio::test(start_paused = true)]
async fn the_api_rate_limit_throttles_per_account_and_action_and_counts_it() {
    let emulator = InProcess::start(EmulatorConfig {
        api_rate_limit: NonZeroU32::new(3),
        ..EmulatorConfig::default()
    })
    .await;
    let source = Client::new(&emulator.endpoint, &account("source"));
    let get_role = || source.call(RAM, "GetRole", &[("RoleName", "nope")]);
    // A burst of 3 GetRole calls passes (answered normally: the role does not exist); the 4th, at the same
    // instant, is over the budget.
    for _ in 0..3 {
        get_role().await.expect_error(404, "EntityNotExist.Role");
    }
    get_role().await.expect_error(400, "Throttling.User");
    // The bucket refills at 3 a second: 0.9 of a token after 300 ms is not enough, one after 334 ms is, once.
    tokio::time::advance(Duration::from_millis(300)).await;
    get_role().await.expect_error(400, "Throttling.User");
    tokio::time::advance(Duration::from_millis(34)).await;
    get_role().await.expect_error(404, "EntityNotExist.Role");
    get_role().await.expect_error(400, "Throttling.User");
    // Another action of the same account, and the same action of another account, have budgets of their own.
    source
        .call(RAM, "ListPoliciesForRole", &[("RoleName", "nope")])
        .await
        .expect_error(404, "EntityNotExist.Role");
    Client::new(&emulator.endpoint, &account("task"))
        .call(RAM, "GetRole", &[("RoleName", "nope")])
        .await
        .expect_error(404, "EntityNotExist.Role");
    let stats = admin_get(&emulator.endpoint, "stats").await;
    assert_eq!(stats["rate_limited"], json!({"GetRole": 3}), "{stats}");
}
