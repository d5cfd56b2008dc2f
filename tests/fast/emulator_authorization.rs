//! Who may do what: AssumeRole needs a RAM identity the role's trust policy admits (root keys are refused, as
//! on the real STS), and every RAM and STS action of a RAM user or role session is authorized against its
//! policies.

use crate::support::emulator_calls::*;
use crate::support::identities::{self, add_user};
use serde_json::json;
use terraform_provider_aliram::emulator::EmulatorConfig;
use terraform_provider_aliram::emulator::accounts::{Account, DirectoryRole};

/// An emulator with `accounts`.
async fn start(accounts: Vec<Account>) -> InProcess {
    InProcess::start(EmulatorConfig {
        accounts,
        ..EmulatorConfig::default()
    })
    .await
}

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
    let emulator = start(accounts).await;
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

/// An emulator whose accounts declare `users` (account, name, system policies, custom policies) and the custom
/// policies `policies` (account, name, document); returns it with a client per user, in order.
async fn with_users(
    users: &[(&str, &str, &[&str], &[&str])],
    policies: &[(&str, &str, serde_json::Value)],
) -> (InProcess, Vec<Client>) {
    let mut accounts = identities::accounts();
    for (account, name, document) in policies {
        identities::add_policy(&mut accounts, account, name, document.clone());
    }
    for (account, name, system, custom) in users {
        add_user(&mut accounts, account, name, system, custom);
    }
    let declared: Vec<_> = users
        .iter()
        .map(|(account, name, _, _)| identities::user(&accounts, account, name).clone())
        .collect();
    let emulator = start(accounts).await;
    let clients = declared
        .iter()
        .map(|user| Client::as_user(&emulator.endpoint, user))
        .collect();
    (emulator, clients)
}

/// Asserts `reply` is RAM's refusal of `action` on `resource` with `no_permission_type`.
#[track_caller]
fn assert_denied(reply: &Reply, action: &str, resource: &str, no_permission_type: &str) {
    reply.expect_error(403, "NoPermission");
    assert_eq!(
        reply.body["Message"],
        format!("You are not authorized to do this action. Resource: {resource} Action: {action}"),
        "{}",
        reply.body
    );
    let detail = &reply.body["AccessDeniedDetail"];
    assert_eq!(detail["AuthAction"], action, "{detail}");
    assert_eq!(detail["NoPermissionType"], no_permission_type, "{detail}");
}

async fn create_trusting(owner: &Client, name: &str, trusted_uid: &str) -> String {
    create_role(
        owner,
        name,
        &trusting(&[format!("acs:ram::{trusted_uid}:root")]),
    )
    .await["Role"]["Arn"]
        .as_str()
        .expect("Arn")
        .to_owned()
}

#[tokio::test]
async fn assume_role_needs_sts_assume_role_and_the_trust_of_the_role() {
    let (emulator, users) = with_users(
        &[
            ("task", "reader", &["AliyunRAMReadOnlyAccess"], &[]),
            ("task", "assumer", &["AliyunSTSAssumeRoleAccess"], &[]),
        ],
        &[],
    )
    .await;
    let (reader, assumer) = (&users[0], &users[1]);
    let owner = Client::new(&emulator.endpoint, &account("source"));
    let task = account("task").account_id;
    let trusts_task = create_trusting(&owner, "trusts-task", &task).await;
    let trusts_other = create_trusting(&owner, "trusts-other", "2222000022220002").await;
    let assume = |client: &Client, arn: &str| {
        let client = client.clone();
        let arn = arn.to_owned();
        async move {
            client
                .call(
                    STS,
                    "AssumeRole",
                    &[("RoleArn", arn.as_str()), ("RoleSessionName", "session")],
                )
                .await
        }
    };

    // No sts:AssumeRole in the reader's policies: refused on the role's ARN, empty region.
    let refused = assume(reader, &trusts_task).await;
    assert_denied(&refused, "sts:AssumeRole", &trusts_task, "ImplicitDeny");
    let detail = &refused.body["AccessDeniedDetail"];
    assert_eq!(detail["AuthPrincipalType"], "SubUser");
    assert_eq!(detail["AuthPrincipalOwnerId"], task);
    // AliyunSTSAssumeRoleAccess: the role trusting the user's account, yes; the other, no (its trust policy).
    assume(assumer, &trusts_task).await.ok();
    let untrusted = assume(assumer, &trusts_other).await;
    untrusted.expect_error(403, "NoPermission");
    let message = untrusted.body["Message"].as_str().unwrap_or_default();
    assert!(message.contains("does not trust you"), "{message}");
    // GetCallerIdentity needs no permission: the assumer may call it with no RAM action allowed.
    assumer.call(STS, "GetCallerIdentity", &[]).await.ok();
    assert_denied(
        &assumer.call(RAM, "ListRoles", &[]).await,
        "ram:ListRoles",
        &format!("acs:ram:*:{task}:role/*"),
        "ImplicitDeny",
    );
}

#[tokio::test]
async fn a_session_carries_only_its_roles_policies_and_its_session_policy() {
    let (emulator, users) = with_users(
        &[("task", "assumer", &["AliyunSTSAssumeRoleAccess"], &[])],
        &[],
    )
    .await;
    let source = account("source").account_id;
    let owner = Client::new(&emulator.endpoint, &account("source"));
    let reader_role = create_trusting(&owner, "reader-role", "3333000033330003").await;
    attach_system_policy(&owner, "reader-role", "AliyunRAMReadOnlyAccess")
        .await
        .ok();
    create_role(&owner, "other", &dts_trust_policy("3333000033330003")).await;
    let session = |policy: Option<String>| {
        let assumer = users[0].clone();
        let arn = reader_role.clone();
        let endpoint = emulator.endpoint.clone();
        async move {
            let mut params = vec![
                ("RoleArn", arn.clone()),
                ("RoleSessionName", "session".to_owned()),
            ];
            params.extend(policy.map(|p| ("Policy", p)));
            let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let assumed = assumer.call(STS, "AssumeRole", &params).await.ok();
            let credentials = &assumed["Credentials"];
            Client::with_keys(
                &endpoint,
                credentials["AccessKeyId"].as_str().expect("id"),
                credentials["AccessKeySecret"].as_str().expect("secret"),
                credentials["SecurityToken"].as_str(),
            )
        }
    };

    // The role's read-only policy: reads yes, writes no, whatever the assuming user may do.
    let plain = session(None).await;
    plain.call(RAM, "ListRoles", &[]).await.ok();
    plain
        .call(RAM, "GetRole", &[("RoleName", "other")])
        .await
        .ok();
    let refused = plain
        .call(RAM, "DeleteRole", &[("RoleName", "other")])
        .await;
    assert_denied(
        &refused,
        "ram:DeleteRole",
        &format!("acs:ram:*:{source}:role/other"),
        "ImplicitDeny",
    );
    let detail = &refused.body["AccessDeniedDetail"];
    assert_eq!(detail["AuthPrincipalType"], "AssumedRoleUser");
    assert_eq!(detail["AuthPrincipalDisplayName"], "reader-role:session");

    // A session policy narrows it to GetRole of one role: the intersection.
    let narrow = identities::policy(
        "Allow",
        &["ram:GetRole", "ram:DeleteRole"],
        &[&format!("acs:ram:*:{source}:role/other")],
    );
    let narrowed = session(Some(narrow.to_string())).await;
    narrowed
        .call(RAM, "GetRole", &[("RoleName", "other")])
        .await
        .ok();
    let listed = narrowed.call(RAM, "ListRoles", &[]).await;
    assert_denied(
        &listed,
        "ram:ListRoles",
        &format!("acs:ram:*:{source}:role/*"),
        "ImplicitDeny",
    );
    assert_eq!(
        listed.body["AccessDeniedDetail"]["PolicyType"],
        "SessionPolicy"
    );
    // Allowed by the session policy, not by the role's: still refused.
    assert_denied(
        &narrowed
            .call(RAM, "DeleteRole", &[("RoleName", "other")])
            .await,
        "ram:DeleteRole",
        &format!("acs:ram:*:{source}:role/other"),
        "ImplicitDeny",
    );
    // A session policy RAM cannot read is refused at AssumeRole.
    users[0]
        .call(
            STS,
            "AssumeRole",
            &[
                ("RoleArn", reader_role.as_str()),
                ("RoleSessionName", "session"),
                (
                    "Policy",
                    r#"{"Version":"1","Statement":[{"Effect":"Allow"}]}"#,
                ),
            ],
        )
        .await
        .expect_error(400, "InvalidParameter.PolicyGrammar");
}

#[tokio::test]
async fn an_explicit_deny_wins_over_any_allow() {
    let (_emulator, users) = with_users(
        &[(
            "source",
            "operator",
            &["AdministratorAccess"],
            &["KeepRoles"],
        )],
        &[(
            "source",
            "KeepRoles",
            identities::policy("Deny", &["ram:Delete*"], &["acs:ram:*:*:role/keep-*"]),
        )],
    )
    .await;
    let operator = &users[0];
    let source = account("source").account_id;
    for name in ["keep-me", "scratch"] {
        create_role(operator, name, &dts_trust_policy("3333000033330003")).await;
    }
    let refused = operator
        .call(RAM, "DeleteRole", &[("RoleName", "keep-me")])
        .await;
    assert_denied(
        &refused,
        "ram:DeleteRole",
        &format!("acs:ram:*:{source}:role/keep-me"),
        "ExplicitDeny",
    );
    operator
        .call(RAM, "DeleteRole", &[("RoleName", "scratch")])
        .await
        .ok();
}

#[tokio::test]
async fn the_recorder_returns_what_each_identity_was_allowed_as_a_policy() {
    let (emulator, users) =
        with_users(&[("source", "ci", &["AdministratorAccess"], &[])], &[]).await;
    let ci = &users[0];
    let source = account("source").account_id;
    create_role(ci, "recorded", &dts_trust_policy("3333000033330003")).await;
    ci.call(RAM, "GetRole", &[("RoleName", "recorded")])
        .await
        .ok();
    ci.call(RAM, "ListRoles", &[]).await.ok();
    attach_system_policy(ci, "recorded", "AliyunDTSRolePolicy")
        .await
        .ok();
    let identity = format!("acs:ram::{source}:user/ci");
    let policy = admin_get(&emulator.endpoint, &format!("recorder?identity={identity}")).await;
    let role = format!("acs:ram:*:{source}:role/recorded");
    assert_eq!(
        policy,
        json!({"Version": "1", "Statement": [
            {"Effect": "Allow", "Action": ["ram:AttachPolicyToRole"],
             "Resource": [role, "acs:ram:*:system:policy/AliyunDTSRolePolicy"]},
            {"Effect": "Allow", "Action": ["ram:CreateRole", "ram:GetRole"], "Resource": [role]},
            {"Effect": "Allow", "Action": ["ram:ListRoles"], "Resource": [format!("acs:ram:*:{source}:role/*")]},
        ]})
    );
    let any = admin_get(
        &emulator.endpoint,
        &format!("recorder?identity={identity}&names=any"),
    )
    .await;
    assert_eq!(
        any["Statement"][1],
        json!({"Effect": "Allow", "Action": ["ram:CreateRole", "ram:GetRole", "ram:ListRoles"],
               "Resource": [format!("acs:ram:*:{source}:role/*")]})
    );
    let (status, _) = admin_post(&emulator.endpoint, "recorder/reset", &json!({})).await;
    assert_eq!(status, 200);
    let all = admin_get(&emulator.endpoint, "recorder").await;
    assert_eq!(all, json!({"identities": {}}));
}

#[tokio::test]
async fn the_provider_client_reads_the_refusal_and_never_retries_it() {
    use std::sync::Arc;
    use terraform_provider_aliram::provider::alicloud::credentials::{
        Credentials, StaticCredentials,
    };
    use terraform_provider_aliram::provider::alicloud::ram::CreateRoleRequest;
    use terraform_provider_aliram::provider::alicloud::{
        AliCloudClient, ClientConfig, FixedEnvironment, Secret,
    };
    use terraform_provider_aliram::provider::client::api_diagnostic;
    use tokio_util::sync::CancellationToken;

    let mut accounts = identities::accounts();
    add_user(
        &mut accounts,
        "source",
        "reader",
        &["AliyunRAMReadOnlyAccess"],
        &[],
    );
    let reader = identities::user(&accounts, "source", "reader").clone();
    let emulator = start(accounts).await;
    let env = FixedEnvironment::from_pairs(Vec::<(String, String)>::new());
    let config = ClientConfig::from_settings(
        None,
        Some(&emulator.endpoint),
        Some(&emulator.endpoint),
        &env,
    )
    .expect("client config");
    let credentials = Credentials {
        access_key_id: reader.access_key_id.clone(),
        access_key_secret: Secret::new(reader.access_key_secret.clone()),
        security_token: None,
        expiration: None,
    };
    let client = AliCloudClient::from_config(
        &config,
        Arc::new(StaticCredentials::new(credentials, "test")),
        CancellationToken::new(),
    )
    .expect("client");
    let request = CreateRoleRequest {
        role_name: "not-allowed".into(),
        assume_role_policy_document: dts_trust_policy("3333000033330003"),
        ..CreateRoleRequest::default()
    };
    let error = client.create_role(&request).await.expect_err("refused");
    let api = error.api_error().expect("an API error");
    assert_eq!(api.code(), "NoPermission");
    assert_eq!(api.attempts(), 1, "NoPermission is never retried");
    let detail = api.access_denied().expect("AccessDeniedDetail read");
    assert_eq!(detail.auth_action, "ram:CreateRole");
    let stats = admin_get(&emulator.endpoint, "stats").await;
    assert_eq!(stats["actions"]["CreateRole"]["requests"], 1, "{stats}");

    let diagnostic = api_diagnostic("Creating role not-allowed", &error);
    assert_eq!(diagnostic.summary, "Permission Denied");
    for fragment in [
        "RAM refused ram:CreateRole on acs:ram:*:1111000011110001:role/not-allowed",
        "the RAM user with ID",
        r#""Action":"ram:CreateRole""#,
    ] {
        assert!(
            diagnostic.detail.contains(fragment),
            "{fragment:?} not in {}",
            diagnostic.detail
        );
    }
}

#[tokio::test]
async fn list_accounts_needs_resourcemanager_list_accounts_on_the_directorys_accounts() {
    let mut accounts = identities::accounts();
    identities::account_mut(&mut accounts, "source").resource_directory =
        Some(DirectoryRole::Management);
    identities::account_mut(&mut accounts, "destination").resource_directory =
        Some(DirectoryRole::Member);
    let management = identities::account_mut(&mut accounts, "source")
        .account_id
        .clone();
    // The organization guide's statement, and a user without it.
    let statement = identities::policy(
        "Allow",
        &["resourcemanager:ListAccounts"],
        &["acs:resourcemanager:*:*:account/*"],
    );
    identities::add_policy(&mut accounts, "source", "ListMembers", statement);
    add_user(&mut accounts, "source", "lister", &[], &["ListMembers"]);
    add_user(
        &mut accounts,
        "source",
        "reader",
        &["AliyunRAMReadOnlyAccess"],
        &[],
    );
    let (lister, reader) = (
        identities::user(&accounts, "source", "lister").clone(),
        identities::user(&accounts, "source", "reader").clone(),
    );
    let emulator = start(accounts).await;
    for version in ["2022-04-19", "2020-03-31"] {
        let listed = Client::as_user(&emulator.endpoint, &lister)
            .call(version, "ListAccounts", &[])
            .await
            .ok();
        assert_eq!(listed["TotalCount"], 2, "{version}: {listed}");
        let refused = Client::as_user(&emulator.endpoint, &reader)
            .call(version, "ListAccounts", &[])
            .await;
        assert_denied(
            &refused,
            "resourcemanager:ListAccounts",
            &format!("acs:resourcemanager:*:{management}:account/*"),
            "ImplicitDeny",
        );
    }
}
