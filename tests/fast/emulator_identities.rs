//! RAM users, their access keys and custom policies in the emulator: each API's validation errors and
//! conflicts, keys that sign as the user, and the users and policies an accounts file declares.

use crate::support::emulator_calls::*;
use crate::support::identities::{self, add_policy, add_user, policy};
use serde_json::Value;
use terraform_provider_aliram::emulator::EmulatorConfig;

/// An emulator whose `source` account declares user `ci` (with `AliyunSTSAssumeRoleAccess` and the custom
/// policy `ReadRoles`).
async fn with_declared_user() -> (InProcess, Client) {
    let mut accounts = identities::accounts();
    add_policy(
        &mut accounts,
        "source",
        "ReadRoles",
        policy("Allow", &["ram:GetRole", "ram:ListRoles"], &["*"]),
    );
    add_user(
        &mut accounts,
        "source",
        "ci",
        &["AliyunSTSAssumeRoleAccess"],
        &["ReadRoles"],
    );
    let user = identities::user(&accounts, "source", "ci").clone();
    let emulator = InProcess::start(EmulatorConfig {
        accounts,
        ..EmulatorConfig::default()
    })
    .await;
    let client = Client::with_keys(
        &emulator.endpoint,
        &user.access_key_id,
        &user.access_key_secret,
        None,
    );
    (emulator, client)
}

fn names(list: &Value, outer: &str, inner: &str, field: &str) -> Vec<String> {
    list[outer][inner]
        .as_array()
        .unwrap_or_else(|| panic!("no {outer}.{inner} in {list}"))
        .iter()
        .map(|item| item[field].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn users_are_created_listed_and_deleted_with_rams_rules() {
    let emulator = InProcess::with_defaults().await;
    let root = Client::new(&emulator.endpoint, &account("source"));

    for (name, code) in [
        ("has space", "InvalidParameter.UserName.InvalidChars"),
        ("slash/no", "InvalidParameter.UserName.InvalidChars"),
        (&"u".repeat(65)[..], "InvalidParameter.UserName.Length"),
    ] {
        root.call(RAM, "CreateUser", &[("UserName", name)])
            .await
            .expect_error(400, code);
    }
    root.call(RAM, "CreateUser", &[])
        .await
        .expect_error(400, "MissingUserName");
    root.call(
        RAM,
        "CreateUser",
        &[("UserName", "ci"), ("DisplayName", &"d".repeat(129))],
    )
    .await
    .expect_error(400, "InvalidParameter.DisplayName.Length");

    let created = root
        .call(
            RAM,
            "CreateUser",
            &[("UserName", "terraform_ci@corp"), ("DisplayName", "CI")],
        )
        .await
        .ok();
    assert_eq!(created["User"]["UserName"], "terraform_ci@corp");
    assert_eq!(created["User"]["DisplayName"], "CI");
    let user_id = created["User"]["UserId"].as_str().expect("UserId");
    assert!(user_id.bytes().all(|b| b.is_ascii_digit()), "{user_id}");
    root.call(RAM, "CreateUser", &[("UserName", "terraform_ci@corp")])
        .await
        .expect_error(409, "EntityAlreadyExists.User");

    let got = root
        .call(RAM, "GetUser", &[("UserName", "terraform_ci@corp")])
        .await
        .ok();
    assert_eq!(got["User"]["UserId"], user_id);
    root.call(RAM, "GetUser", &[("UserName", "nobody")])
        .await
        .expect_error(404, "EntityNotExist.User");

    root.call(RAM, "CreateUser", &[("UserName", "second")])
        .await
        .ok();
    let first_page = root.call(RAM, "ListUsers", &[("MaxItems", "1")]).await.ok();
    assert_eq!(first_page["IsTruncated"], true);
    let marker = first_page["Marker"].as_str().expect("Marker").to_owned();
    let second_page = root
        .call(RAM, "ListUsers", &[("MaxItems", "2"), ("Marker", &marker)])
        .await
        .ok();
    let mut listed = names(&first_page, "Users", "User", "UserName");
    listed.extend(names(&second_page, "Users", "User", "UserName"));
    // The demo account's own user `admin` comes first, by name.
    assert_eq!(listed, ["admin", "second", "terraform_ci@corp"]);
    root.call(RAM, "ListUsers", &[("MaxItems", "0")])
        .await
        .expect_error(400, "InvalidParameter.MaxItems");

    // A user cannot go while it holds keys or policies.
    let key = root
        .call(RAM, "CreateAccessKey", &[("UserName", "second")])
        .await
        .ok();
    let key_id = key["AccessKey"]["AccessKeyId"]
        .as_str()
        .expect("key id")
        .to_owned();
    root.call(RAM, "DeleteUser", &[("UserName", "second")])
        .await
        .expect_error(409, "DeleteConflict.User.AccessKey");
    root.call(
        RAM,
        "DeleteAccessKey",
        &[("UserName", "second"), ("UserAccessKeyId", &key_id)],
    )
    .await
    .ok();
    let attach = [
        ("UserName", "second"),
        ("PolicyType", "System"),
        ("PolicyName", "AliyunRAMReadOnlyAccess"),
    ];
    root.call(RAM, "AttachPolicyToUser", &attach).await.ok();
    root.call(RAM, "DeleteUser", &[("UserName", "second")])
        .await
        .expect_error(409, "DeleteConflict.User.Policy");
    root.call(RAM, "DetachPolicyFromUser", &attach).await.ok();
    root.call(RAM, "DeleteUser", &[("UserName", "second")])
        .await
        .ok();
    root.call(RAM, "DeleteUser", &[("UserName", "second")])
        .await
        .expect_error(404, "EntityNotExist.User");
}

#[tokio::test]
async fn access_keys_sign_as_their_user_two_at_most() {
    let emulator = InProcess::with_defaults().await;
    let source = account("source");
    let root = Client::new(&emulator.endpoint, &source);
    root.call(RAM, "CreateUser", &[("UserName", "ci")])
        .await
        .ok();
    root.call(RAM, "CreateAccessKey", &[("UserName", "nobody")])
        .await
        .expect_error(404, "EntityNotExist.User");
    // Root keys are not managed through CreateAccessKey here: a root caller names the user.
    root.call(RAM, "CreateAccessKey", &[])
        .await
        .expect_error(400, "MissingUserName");

    let key = root
        .call(RAM, "CreateAccessKey", &[("UserName", "ci")])
        .await
        .ok();
    let key = &key["AccessKey"];
    assert_eq!(key["Status"], "Active");
    let id = key["AccessKeyId"].as_str().expect("id").to_owned();
    let secret = key["AccessKeySecret"].as_str().expect("secret").to_owned();
    root.call(RAM, "CreateAccessKey", &[("UserName", "ci")])
        .await
        .ok();
    root.call(RAM, "CreateAccessKey", &[("UserName", "ci")])
        .await
        .expect_error(409, "LimitExceeded.User.AccessKey");
    let listed = root
        .call(RAM, "ListAccessKeys", &[("UserName", "ci")])
        .await
        .ok();
    let listed_ids = names(&listed, "AccessKeys", "AccessKey", "AccessKeyId");
    assert_eq!(listed_ids.len(), 2);
    assert!(listed_ids.contains(&id));
    // The list never shows secrets.
    assert!(!listed.to_string().contains(&secret));

    let user = Client::with_keys(&emulator.endpoint, &id, &secret, None);
    let identity = user.call(STS, "GetCallerIdentity", &[]).await.ok();
    let user_id =
        root.call(RAM, "GetUser", &[("UserName", "ci")]).await.ok()["User"]["UserId"].clone();
    assert_eq!(identity["IdentityType"], "RAMUser");
    assert_eq!(
        identity["Arn"],
        format!("acs:ram::{}:user/ci", source.account_id)
    );
    assert_eq!(identity["AccountId"], source.account_id);
    assert_eq!(identity["UserId"], user_id);
    assert_eq!(identity["PrincipalId"], user_id);

    // A deleted key stops working at once.
    root.call(
        RAM,
        "DeleteAccessKey",
        &[("UserName", "ci"), ("UserAccessKeyId", &id)],
    )
    .await
    .ok();
    user.call(STS, "GetCallerIdentity", &[])
        .await
        .expect_error(404, "InvalidAccessKeyId.NotFound");
    root.call(
        RAM,
        "DeleteAccessKey",
        &[("UserName", "ci"), ("UserAccessKeyId", &id)],
    )
    .await
    .expect_error(404, "EntityNotExist.User.AccessKey");
}

#[tokio::test]
async fn custom_policies_are_validated_read_attached_and_deleted() {
    let emulator = InProcess::with_defaults().await;
    let root = Client::new(&emulator.endpoint, &account("source"));
    let document = policy("Allow", &["ram:Get*"], &["*"]).to_string();

    root.call(RAM, "CreatePolicy", &[("PolicyName", "p")])
        .await
        .expect_error(400, "MissingPolicyDocument");
    root.call(
        RAM,
        "CreatePolicy",
        &[("PolicyName", "bad_name"), ("PolicyDocument", &document)],
    )
    .await
    .expect_error(400, "InvalidParameter.PolicyName.InvalidChars");
    for malformed in [
        "{",
        r#"{"Version":"1","Statement":[{"Effect":"Allow","Resource":"*"}]}"#,
        r#"{"Version":"2","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    ] {
        root.call(
            RAM,
            "CreatePolicy",
            &[("PolicyName", "p"), ("PolicyDocument", malformed)],
        )
        .await
        .expect_error(400, "MalformedPolicyDocument");
    }
    let created = root
        .call(
            RAM,
            "CreatePolicy",
            &[
                ("PolicyName", "ReadRoles"),
                ("PolicyDocument", &document),
                ("Description", "read"),
            ],
        )
        .await
        .ok();
    assert_eq!(created["Policy"]["PolicyType"], "Custom");
    assert_eq!(created["Policy"]["DefaultVersion"], "v1");
    root.call(
        RAM,
        "CreatePolicy",
        &[("PolicyName", "ReadRoles"), ("PolicyDocument", &document)],
    )
    .await
    .expect_error(409, "EntityAlreadyExists.Policy");

    let got = root
        .call(
            RAM,
            "GetPolicy",
            &[("PolicyType", "Custom"), ("PolicyName", "ReadRoles")],
        )
        .await
        .ok();
    assert_eq!(got["DefaultPolicyVersion"]["PolicyDocument"], document);
    assert_eq!(got["Policy"]["Description"], "read");
    root.call(
        RAM,
        "GetPolicy",
        &[("PolicyType", "System"), ("PolicyName", "ReadRoles")],
    )
    .await
    .expect_error(404, "EntityNotExist.Policy");

    let custom = root
        .call(RAM, "ListPolicies", &[("PolicyType", "Custom")])
        .await
        .ok();
    assert_eq!(
        names(&custom, "Policies", "Policy", "PolicyName"),
        ["ReadRoles"]
    );
    let system = root
        .call(RAM, "ListPolicies", &[("PolicyType", "System")])
        .await
        .ok();
    assert!(
        names(&system, "Policies", "Policy", "PolicyName")
            .contains(&"AliyunSTSAssumeRoleAccess".to_owned())
    );

    // Attached to a user and to a role, it cannot be deleted.
    root.call(RAM, "CreateUser", &[("UserName", "ci")])
        .await
        .ok();
    let on_user = [
        ("UserName", "ci"),
        ("PolicyType", "Custom"),
        ("PolicyName", "ReadRoles"),
    ];
    root.call(RAM, "AttachPolicyToUser", &on_user).await.ok();
    root.call(RAM, "AttachPolicyToUser", &on_user)
        .await
        .expect_error(409, "EntityAlreadyExists.User.Policy");
    root.call(
        RAM,
        "AttachPolicyToUser",
        &[
            ("UserName", "ci"),
            ("PolicyType", "Custom"),
            ("PolicyName", "Nothing"),
        ],
    )
    .await
    .expect_error(404, "EntityNotExist.Policy");
    let listed = root
        .call(RAM, "ListPoliciesForUser", &[("UserName", "ci")])
        .await
        .ok();
    assert_eq!(listed["Policies"]["Policy"][0]["PolicyName"], "ReadRoles");
    assert_eq!(listed["Policies"]["Policy"][0]["Description"], "read");
    let delete = [("PolicyName", "ReadRoles")];
    root.call(RAM, "DeletePolicy", &delete)
        .await
        .expect_error(409, "DeleteConflict.Policy.User");
    root.call(RAM, "DetachPolicyFromUser", &on_user).await.ok();
    root.call(RAM, "DetachPolicyFromUser", &on_user)
        .await
        .expect_error(404, "EntityNotExist.User.Policy");

    create_role(&root, "reader", &dts_trust_policy("2222000022220002")).await;
    let on_role = [
        ("RoleName", "reader"),
        ("PolicyType", "Custom"),
        ("PolicyName", "ReadRoles"),
    ];
    root.call(RAM, "AttachPolicyToRole", &on_role).await.ok();
    let attached = root
        .call(
            RAM,
            "GetPolicy",
            &[("PolicyType", "Custom"), ("PolicyName", "ReadRoles")],
        )
        .await
        .ok();
    assert_eq!(attached["Policy"]["AttachmentCount"], 1);
    root.call(RAM, "DeletePolicy", &delete)
        .await
        .expect_error(409, "DeleteConflict.Policy.Role");
    root.call(RAM, "DetachPolicyFromRole", &on_role).await.ok();
    root.call(RAM, "DeletePolicy", &delete).await.ok();
    root.call(RAM, "DeletePolicy", &delete)
        .await
        .expect_error(404, "EntityNotExist.Policy");
}

#[tokio::test]
async fn an_accounts_file_declares_users_with_keys_and_policies() {
    let (emulator, user) = with_declared_user().await;
    let identity = user.call(STS, "GetCallerIdentity", &[]).await.ok();
    assert_eq!(identity["Arn"], "acs:ram::1111000011110001:user/ci");
    let root = Client::new(&emulator.endpoint, &account("source"));
    let listed = root
        .call(RAM, "ListPoliciesForUser", &[("UserName", "ci")])
        .await
        .ok();
    let attached: Vec<(String, String)> = listed["Policies"]["Policy"]
        .as_array()
        .expect("policies")
        .iter()
        .map(|p| {
            (
                p["PolicyType"].as_str().unwrap_or_default().to_owned(),
                p["PolicyName"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        attached,
        [
            ("System".to_owned(), "AliyunSTSAssumeRoleAccess".to_owned()),
            ("Custom".to_owned(), "ReadRoles".to_owned())
        ]
    );
    // A reset keeps what the accounts declare and forgets the rest.
    root.call(RAM, "CreateUser", &[("UserName", "other")])
        .await
        .ok();
    let (status, _) = admin_post(&emulator.endpoint, "reset", &serde_json::json!({})).await;
    assert_eq!(status, 200);
    let users = root.call(RAM, "ListUsers", &[]).await.ok();
    assert_eq!(names(&users, "Users", "User", "UserName"), ["admin", "ci"]);
    user.call(STS, "GetCallerIdentity", &[]).await.ok();
}

#[tokio::test]
async fn users_keys_and_policies_survive_a_restart_with_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut accounts = identities::accounts();
    add_user(
        &mut accounts,
        "source",
        "declared",
        &["AliyunRAMReadOnlyAccess"],
        &[],
    );
    let accounts_file = identities::write_accounts(dir.path(), &accounts);
    let state = dir.path().join("state.json");
    let args = [
        "--listen",
        "127.0.0.1:0",
        "--accounts",
        accounts_file.to_str().expect("path"),
        "--state",
        state.to_str().expect("path"),
    ];
    let process = EmulatorProcess::spawn(&args);
    // The start line carries the declared users, so a script can read their keys back.
    let declared = identities::user(&process.start.accounts, "source", "declared").clone();
    let root = Client::new(process.endpoint(), &account("source"));
    root.call(RAM, "CreateUser", &[("UserName", "made")])
        .await
        .ok();
    let key = root
        .call(RAM, "CreateAccessKey", &[("UserName", "made")])
        .await
        .ok();
    let document = policy("Deny", &["ram:DeleteRole"], &["*"]).to_string();
    root.call(
        RAM,
        "CreatePolicy",
        &[("PolicyName", "NoDelete"), ("PolicyDocument", &document)],
    )
    .await
    .ok();
    root.call(
        RAM,
        "AttachPolicyToUser",
        &[
            ("UserName", "made"),
            ("PolicyType", "Custom"),
            ("PolicyName", "NoDelete"),
        ],
    )
    .await
    .ok();
    assert!(terminate(process), "the emulator did not stop cleanly");

    let process = EmulatorProcess::spawn(&args);
    let made = Client::with_keys(
        process.endpoint(),
        key["AccessKey"]["AccessKeyId"].as_str().expect("id"),
        key["AccessKey"]["AccessKeySecret"]
            .as_str()
            .expect("secret"),
        None,
    );
    let identity = made.call(STS, "GetCallerIdentity", &[]).await.ok();
    assert_eq!(identity["Arn"], "acs:ram::1111000011110001:user/made");
    let declared = Client::with_keys(
        process.endpoint(),
        &declared.access_key_id,
        &declared.access_key_secret,
        None,
    );
    declared.call(STS, "GetCallerIdentity", &[]).await.ok();
    let root = Client::new(process.endpoint(), &account("source"));
    let got = root
        .call(
            RAM,
            "GetPolicy",
            &[("PolicyType", "Custom"), ("PolicyName", "NoDelete")],
        )
        .await
        .ok();
    assert_eq!(got["DefaultPolicyVersion"]["PolicyDocument"], document);
    let users = root.call(RAM, "ListUsers", &[]).await.ok();
    assert_eq!(
        names(&users, "Users", "User", "UserName"),
        ["admin", "declared", "made"]
    );
    assert!(terminate(process));
}
