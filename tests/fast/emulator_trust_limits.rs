//! Trust policies with hostile input: `StringLike` wildcards are matched in bounded time, so a pattern built to
//! make a backtracking matcher explode is answered at once, and a policy document naming a key twice is
//! `MalformedPolicyDocument`, as RAM has it.

use crate::support::emulator_calls::*;
use proptest::prelude::*;
use serde_json::json;
use terraform_provider_aliram::ram::wildcard;

/// The pattern from the report: with a backtracking matcher, 80 characters of `a` took 8.8 s.
const HOSTILE_PATTERN: &str = "*a*a*a*a*a*a*b";
/// The longest `ExternalId` AssumeRole accepts.
const LONGEST_EXTERNAL_ID: usize = 1224;

/// A reference matcher: the textbook dynamic programme over (text prefix, pattern prefix).
fn reference_matches(text: &str, pattern: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    // matched[i][j]: the first i characters of text match the first j of pattern.
    let mut matched = vec![vec![false; p.len() + 1]; t.len() + 1];
    matched[0][0] = true;
    for j in 1..=p.len() {
        matched[0][j] = p[j - 1] == '*' && matched[0][j - 1];
    }
    for i in 1..=t.len() {
        for j in 1..=p.len() {
            matched[i][j] = match p[j - 1] {
                '*' => matched[i][j - 1] || matched[i - 1][j],
                '?' => matched[i - 1][j - 1],
                c => c == t[i - 1] && matched[i - 1][j - 1],
            };
        }
    }
    matched[t.len()][p.len()]
}

proptest! {
    #[test]
    fn wildcard_matching_agrees_with_the_reference(text in "[ab]{0,14}", pattern in "[ab*?]{0,10}") {
        prop_assert_eq!(wildcard::matches(&text, &pattern), reference_matches(&text, &pattern));
    }
}

#[test]
fn the_hostile_pattern_is_decided_like_the_reference() {
    let long_a = "a".repeat(LONGEST_EXTERNAL_ID);
    assert!(!wildcard::matches(&long_a, HOSTILE_PATTERN));
    assert!(wildcard::matches(&format!("{long_a}b"), HOSTILE_PATTERN));
    assert_eq!(
        wildcard::matches(&long_a[..40], HOSTILE_PATTERN),
        reference_matches(&long_a[..40], HOSTILE_PATTERN)
    );
}

fn policy_with_condition(trusted: &str, condition: serde_json::Value) -> String {
    json!({
        "Version": "1",
        "Statement": [{
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"RAM": [format!("acs:ram::{trusted}:root")]},
            "Condition": condition,
        }]
    })
    .to_string()
}

/// Through the real binary, so that a matcher that never returns fails the test by the client's timeout instead
/// of hanging the test process.
#[test]
fn assume_role_with_a_hostile_pattern_and_the_longest_external_id_is_answered() {
    let process = EmulatorProcess::spawn(&[]);
    let owner = account("source");
    let task = account("task");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let policy = policy_with_condition(
            &task.account_id,
            json!({"StringLike": {"sts:ExternalId": HOSTILE_PATTERN}}),
        );
        let created =
            create_role(&Client::new(process.endpoint(), &owner), "hostile", &policy).await;
        let arn = created["Role"]["Arn"].as_str().expect("Arn").to_owned();
        let caller = Client::as_user(process.endpoint(), &demo_user("task"));
        let refused = "a".repeat(LONGEST_EXTERNAL_ID);
        let admitted = format!("{}b", "a".repeat(LONGEST_EXTERNAL_ID - 1));
        let assume = |external_id: String| {
            let caller = caller.clone();
            let arn = arn.clone();
            async move {
                caller
                    .call(
                        STS,
                        "AssumeRole",
                        &[
                            ("RoleArn", arn.as_str()),
                            ("RoleSessionName", "probe"),
                            ("ExternalId", external_id.as_str()),
                        ],
                    )
                    .await
            }
        };
        assume(refused).await.expect_error(403, "NoPermission");
        let credentials = assume(admitted).await.ok();
        assert!(credentials["Credentials"]["AccessKeyId"].is_string());
    });
}

#[tokio::test]
async fn a_policy_document_naming_a_key_twice_is_malformed() {
    let emulator = InProcess::with_defaults().await;
    let owner = Client::new(&emulator.endpoint, &account("source"));
    let task = account("task");
    // The second Effect would deny; a reader keeping the last value and one keeping the first disagree.
    let duplicated = format!(
        r#"{{"Version":"1","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{{"RAM":["acs:ram::{}:root"]}},"Effect":"Deny"}}]}}"#,
        task.account_id
    );
    let reply = owner
        .call(
            RAM,
            "CreateRole",
            &[
                ("RoleName", "twice"),
                ("AssumeRolePolicyDocument", &duplicated),
            ],
        )
        .await;
    reply.expect_error(400, "MalformedPolicyDocument");
    assert!(
        reply.body["Message"]
            .as_str()
            .unwrap_or("")
            .contains("duplicate key \"Effect\""),
        "{:?}",
        reply.body
    );
    owner
        .call(RAM, "GetRole", &[("RoleName", "twice")])
        .await
        .expect_error(404, "EntityNotExist.Role");

    create_role(&owner, "twice", &dts_trust_policy(&task.account_id)).await;
    let nested_twice = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::3333000033330003:root"],"RAM":["acs:ram::2222000022220002:root"]}}]}"#;
    owner
        .call(
            RAM,
            "UpdateRole",
            &[
                ("RoleName", "twice"),
                ("NewAssumeRolePolicyDocument", nested_twice),
            ],
        )
        .await
        .expect_error(400, "MalformedPolicyDocument");
}
