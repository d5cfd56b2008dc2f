//! RAM's rules for trust policy documents and policy lists, stated once in the provider domain
//! (`ram::trust_policy::rules`, `ram::role_rules::check_policy_count`) and tested here on both sides against one table:
//! the provider's plan-time check refuses exactly what the emulator, as RAM, refuses at apply, with a message that
//! names the place, the value and what RAM accepts. Also the emulator's `GetPolicy`, which the plan-time check of
//! policy names reads.

use crate::support::emulator_calls::*;
use terraform_provider_aliram::provider::domain::trust_policy::{
    dataworks_trust_policy, dts_trust_policy,
};
use terraform_provider_aliram::ram::account::AccountId;
use terraform_provider_aliram::ram::role_rules::{MAX_POLICIES_PER_ROLE, check_policy_count};
use terraform_provider_aliram::ram::trust_policy::rules::{
    DocumentError, MAX_DOCUMENT_CHARS, check_document,
};

const PRINCIPAL: &str = r#"{"RAM":["acs:ram::3333000033330003:root"]}"#;

/// A one-statement document with `effect`, `action` and `version` as JSON texts.
fn document(version: &str, effect: &str, action: &str) -> String {
    format!(
        r#"{{"Version":{version},"Statement":[{{"Effect":{effect},"Action":{action},"Principal":{PRINCIPAL}}}]}}"#
    )
}

/// A refused document, the fragments the provider's message must contain, and RAM's error code for it.
struct Refused {
    name: &'static str,
    document: String,
    says: &'static [&'static str],
    code: &'static str,
}

fn refused_documents() -> Vec<Refused> {
    let ok_action = "\"sts:AssumeRole\"";
    vec![
        Refused {
            name: "Version 2",
            document: document("\"2\"", "\"Allow\"", ok_action),
            says: &["\"Version\"", "\"2\"", "only the string \"1\""],
            code: "MalformedPolicyDocument",
        },
        Refused {
            name: "Version as a number",
            document: document("1", "\"Allow\"", ok_action),
            says: &["\"Version\"", "a number (1)", "only the string \"1\""],
            code: "MalformedPolicyDocument",
        },
        Refused {
            name: "no statement",
            document: r#"{"Version":"1","Statement":[]}"#.to_owned(),
            says: &["\"Statement\"", "a list ([])", "a non-empty list"],
            code: "MalformedPolicyDocument",
        },
        Refused {
            name: "another action",
            document: document("\"1\"", "\"Allow\"", "[\"sts:AssumeRole\",\"ecs:*\"]"),
            says: &[
                "\"Statement[0].Action\"",
                "\"ecs:*\"",
                "only \"sts:AssumeRole\"",
            ],
            code: "MalformedPolicyDocument",
        },
        Refused {
            name: "a wildcard action",
            document: document("\"1\"", "\"Allow\"", "\"sts:*\""),
            says: &["\"sts:*\"", "only \"sts:AssumeRole\""],
            code: "MalformedPolicyDocument",
        },
        Refused {
            name: "a key named twice",
            document: format!(
                r#"{{"Version":"1","Statement":[{{"Effect":"Deny","Effect":"Allow","Action":"sts:AssumeRole","Principal":{PRINCIPAL}}}]}}"#
            ),
            says: &[
                "not valid JSON",
                "duplicate key \"Effect\"",
                "no key appears twice",
            ],
            code: "MalformedPolicyDocument",
        },
        Refused {
            name: "an unknown effect",
            document: document("\"1\"", "\"Permit\"", ok_action),
            says: &[
                "\"Statement[0].Effect\"",
                "\"Permit\"",
                "\"Allow\" or \"Deny\"",
            ],
            code: "MalformedPolicyDocument",
        },
        Refused {
            name: "an unknown statement key",
            document: format!(
                r#"{{"Version":"1","Statement":[{{"Effect":"Allow","NotAction":"x","Action":"sts:AssumeRole","Principal":{PRINCIPAL}}}]}}"#
            ),
            says: &["\"Statement[0].NotAction\"", "\"Principal\""],
            code: "MalformedPolicyDocument",
        },
        Refused {
            name: "an unsupported condition operator",
            document: format!(
                r#"{{"Version":"1","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{PRINCIPAL},"Condition":{{"NumericLessThan":{{"a":"1"}}}}}}]}}"#
            ),
            says: &[
                "\"Statement[0].Condition.NumericLessThan\"",
                "\"StringEquals\"",
            ],
            code: "MalformedPolicyDocument",
        },
        Refused {
            name: "one character too long",
            document: padded_to(MAX_DOCUMENT_CHARS + 1),
            says: &[
                "2049 characters long",
                "at most 2048 characters",
                "{\"Version\":\"1\"",
            ],
            code: "InvalidParameter.AssumeRolePolicyDocument.Length",
        },
        Refused {
            name: "one megabyte",
            document: padded_to(1 << 20),
            says: &["1048576 characters long", "at most 2048 characters"],
            // The emulator's request size limit answers first: the misleading error a plan-time check spares.
            code: "InvalidParameter.Body",
        },
    ]
}

/// A valid document exactly `chars` characters long (padded with spaces between tokens).
fn padded_to(chars: usize) -> String {
    let base = document("\"1\"", "\"Allow\"", "\"sts:AssumeRole\"");
    let (head, tail) = base.split_at(base.find(",\"Statement\"").expect("comma"));
    let padding = " ".repeat(chars - base.len());
    format!("{head}{padding}{tail}")
}

fn accepted_documents() -> Vec<String> {
    let trusted = AccountId::parse("3333000033330003").expect("uid");
    vec![
        dts_trust_policy(&trusted).to_json(),
        dataworks_trust_policy(&trusted).to_json(),
        document("\"1\"", "\"Allow\"", "\"STS:AssumeRole\""),
        document("\"1\"", "\"Deny\"", "[\"sts:AssumeRole\"]"),
        padded_to(MAX_DOCUMENT_CHARS),
        // An OIDC provider's role, as RAM's CreateRole example writes it (reference §5).
        r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Federated":["acs:ram::3333000033330003:oidc-provider/TestOIDCProvider"]},"Condition":{"StringEquals":{"oidc:aud":["496271242565057"],"oidc:iss":"https://dev-xxxxxx.okta.com","oidc:sub":"KryrkIdjylZb7agUgCEf"}}}],"Version":"1"}"#.to_owned(),
    ]
}

#[test]
fn the_provider_refuses_each_document_naming_place_value_and_accepted() {
    for refused in refused_documents() {
        let error = check_document(&refused.document).expect_err(refused.name);
        let text = error.to_string();
        for fragment in refused.says {
            assert!(
                text.contains(fragment),
                "{}: {text:?} lacks {fragment:?}",
                refused.name
            );
        }
        assert_eq!(
            matches!(error, DocumentError::TooLong { .. }),
            refused.document.chars().count() > MAX_DOCUMENT_CHARS,
            "{}",
            refused.name
        );
        // The message is a sentence for a diagnostic, never the whole document.
        assert!(
            text.len() < 400,
            "{}: {} characters",
            refused.name,
            text.len()
        );
    }
    for document in accepted_documents() {
        assert_eq!(check_document(&document).map(drop), Ok(()), "{document}");
    }
}

#[tokio::test]
async fn the_emulator_refuses_the_same_documents_with_rams_codes() {
    let emulator = InProcess::with_defaults().await;
    let client = Client::new(&emulator.endpoint, &account("source"));
    for (i, refused) in refused_documents().into_iter().enumerate() {
        let name = format!("refused-{i}");
        client
            .call(
                RAM,
                "CreateRole",
                &[
                    ("RoleName", name.as_str()),
                    ("AssumeRolePolicyDocument", refused.document.as_str()),
                ],
            )
            .await
            .expect_error(400, refused.code);
    }
    for (i, document) in accepted_documents().into_iter().enumerate() {
        create_role(&client, &format!("accepted-{i}"), &document).await;
    }
    // UpdateRole applies the same rules, with its own parameter's length code.
    client
        .call(
            RAM,
            "UpdateRole",
            &[
                ("RoleName", "accepted-0"),
                (
                    "NewAssumeRolePolicyDocument",
                    padded_to(MAX_DOCUMENT_CHARS + 1).as_str(),
                ),
            ],
        )
        .await
        .expect_error(400, "InvalidParameter.NewAssumeRolePolicyDocument.Length");
}

#[test]
fn policy_counts_are_rams_quota_per_type() {
    assert_eq!(MAX_POLICIES_PER_ROLE, [("System", 20), ("Custom", 10)]);
    assert_eq!(check_policy_count("System", 20), Ok(()));
    let text = check_policy_count("System", 23)
        .expect_err("23")
        .to_string();
    for fragment in [
        "policy_names has 23 System policies",
        "at most 20",
        "remove 3",
    ] {
        assert!(text.contains(fragment), "{text:?} lacks {fragment:?}");
    }
    assert_eq!(check_policy_count("Custom", 10), Ok(()));
    assert!(check_policy_count("Custom", 11).is_err());
}

#[tokio::test]
async fn get_policy_answers_from_the_catalog() {
    let emulator = InProcess::with_defaults().await;
    let client = Client::new(&emulator.endpoint, &account("source"));
    create_role(
        &client,
        "dts",
        &crate::support::emulator_calls::dts_trust_policy(&account("task").account_id),
    )
    .await;
    attach_system_policy(&client, "dts", "AliyunDTSRolePolicy")
        .await
        .ok();
    let get = |policy_type: &'static str, name: &'static str| {
        let client = client.clone();
        async move {
            client
                .call(
                    RAM,
                    "GetPolicy",
                    &[("PolicyType", policy_type), ("PolicyName", name)],
                )
                .await
        }
    };
    let found = get("System", "AliyunDTSRolePolicy").await.ok();
    assert_eq!(found["Policy"]["PolicyName"], "AliyunDTSRolePolicy");
    assert_eq!(found["Policy"]["PolicyType"], "System");
    assert_eq!(found["Policy"]["AttachmentCount"], 1);
    assert_eq!(found["DefaultPolicyVersion"]["IsDefaultVersion"], true);
    assert!(found["RequestId"].is_string());
    get("System", "AliyunNoSuchPolicy")
        .await
        .expect_error(404, "EntityNotExist.Policy");
    // Names are exact: RAM's system policy names are case-sensitive.
    get("System", "aliyundtsrolepolicy")
        .await
        .expect_error(404, "EntityNotExist.Policy");
    // Custom policies are not emulated: none exists.
    get("Custom", "AliyunDTSRolePolicy")
        .await
        .expect_error(404, "EntityNotExist.Policy");
    get("Managed", "AliyunDTSRolePolicy")
        .await
        .expect_error(400, "InvalidParameter.PolicyType");
}
