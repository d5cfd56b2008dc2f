//! Every typed call against the local signature-checking server: the parameters it sends (JSON-string
//! lists, optional values left out) and how it reads the documented response shapes.

use crate::support::scripted_server::{ACCOUNT, Scripted, TestServer};
use pretty_assertions::assert_eq;
use serde_json::json;
use terraform_provider_aliram::provider::alicloud::ErrorKind;
use terraform_provider_aliram::provider::alicloud::ram::{
    CreateRoleRequest, ListTagResourcesRequest, PolicyType, Tag, TagKeys, UpdateRoleRequest,
};
use terraform_provider_aliram::provider::alicloud::sts::AssumeRoleRequest;

/// The DTS guide's trust policy for [`ACCOUNT`]: an opaque document the client must pass on verbatim.
fn trust() -> String {
    crate::support::emulator_calls::dts_trust_policy(ACCOUNT)
}

fn role_json(extra: serde_json::Value) -> serde_json::Value {
    let mut role = json!({
        "RoleId": "901234567890123",
        "RoleName": "ram-for-dts",
        "Arn": "acs:ram::1234567890123456:role/ram-for-dts",
        "Description": "DTS cross account * ~ test",
        "AssumeRolePolicyDocument": "{\n  \"Statement\": []\n}",
        "CreateDate": "2015-01-23T12:33:18Z",
        "MaxSessionDuration": 3600,
    });
    if let (Some(role), Some(extra)) = (role.as_object_mut(), extra.as_object()) {
        role.extend(extra.clone());
    }
    role
}

#[tokio::test]
async fn role_lifecycle_sends_documented_parameters_and_reads_responses() {
    let server = TestServer::start().await;
    server.script(
        "CreateRole",
        [Scripted::ok(
            json!({"RequestId": "r-create", "Role": role_json(json!({}))}),
        )],
    );
    server.script(
        "GetRole",
        [Scripted::ok(json!({"RequestId": "r-get", "Role": role_json(json!({
            "UpdateDate": "2015-01-24T12:33:18Z", "IsServiceLinkedRole": false,
            "RolePrincipalName": "ram-for-dts@role.1234567890123456.onaliyunservice.com",
            "AllowConsoleLogin": false,
            "LatestDeletionTask": {"DeletionTaskId": "task-1", "CreateDate": "2015-01-25T12:33:18Z"}
        }))}))],
    );
    server.script(
        "UpdateRole",
        [Scripted::ok(json!({"RequestId": "r-update", "Role": role_json(json!({"UpdateDate": "2015-01-26T00:00:00Z"}))}))],
    );
    server.script(
        "DeleteRole",
        [Scripted::ok(json!({"RequestId": "r-delete"}))],
    );
    let client = server.client();

    let created = client
        .create_role(&CreateRoleRequest {
            role_name: "ram-for-dts".to_owned(),
            assume_role_policy_document: trust(),
            description: Some("DTS cross account * ~ test".to_owned()),
            max_session_duration: Some(3600),
            allow_console_login: None,
            tags: vec![Tag::new("owner", "data-platform"), Tag::new("env", "prod")],
        })
        .await
        .unwrap();
    assert_eq!(created.request_id, "r-create");
    assert_eq!(
        created.role.arn,
        "acs:ram::1234567890123456:role/ram-for-dts"
    );
    assert_eq!(created.role.max_session_duration, Some(3600));

    let got = client.get_role("ram-for-dts").await.unwrap();
    assert_eq!(got.role.is_service_linked_role, Some(false));
    assert_eq!(
        got.role.assume_role_policy_document.as_deref(),
        Some("{\n  \"Statement\": []\n}")
    );
    assert_eq!(
        got.role.latest_deletion_task.map(|t| t.deletion_task_id),
        Some("task-1".to_owned())
    );

    let updated = client
        .update_role(&UpdateRoleRequest {
            role_name: "ram-for-dts".to_owned(),
            new_description: Some("new".to_owned()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        updated.role.update_date.as_deref(),
        Some("2015-01-26T00:00:00Z")
    );
    assert_eq!(
        client.delete_role("ram-for-dts").await.unwrap().request_id,
        "r-delete"
    );

    let create = &server.received_for("CreateRole")[0].params;
    assert_eq!(create["Version"], "2015-05-01");
    assert_eq!(create["Format"], "JSON");
    assert_eq!(create["AssumeRolePolicyDocument"], trust());
    assert_eq!(create["Description"], "DTS cross account * ~ test");
    assert_eq!(create["MaxSessionDuration"], "3600");
    assert_eq!(
        create["Tag"],
        r#"[{"Key":"owner","Value":"data-platform"},{"Key":"env","Value":"prod"}]"#
    );
    assert!(
        !create.contains_key("AllowConsoleLogin"),
        "unset values are not sent"
    );
    assert!(
        !create.contains_key("SecurityToken"),
        "no token with long-lived keys"
    );

    let update = &server.received_for("UpdateRole")[0].params;
    assert_eq!(update["NewDescription"], "new");
    assert!(!update.contains_key("NewAssumeRolePolicyDocument"));
    assert_eq!(
        server.received_for("DeleteRole")[0].params["RoleName"],
        "ram-for-dts"
    );
}

#[tokio::test]
async fn list_roles_follows_the_marker_through_wrapped_pages() {
    let server = TestServer::start().await;
    let summary = |name: &str| {
        json!({"RoleId": "1", "RoleName": name, "Arn": format!("acs:ram::1:role/{name}"),
               "Tags": {"Tag": [{"TagKey": "k", "TagValue": "v"}]}})
    };
    server.script(
        "ListRoles",
        [
            Scripted::ok(
                json!({"RequestId": "p1", "IsTruncated": true, "Marker": "m-2",
                "Roles": {"Role": [summary("a"), summary("b")]}}),
            ),
            Scripted::ok(json!({"RequestId": "p2", "IsTruncated": false,
                "Roles": {"Role": [summary("c")]}})),
        ],
    );
    let roles = server.client().list_roles().await.unwrap();
    let names: Vec<&str> = roles.iter().map(|r| r.role_name.as_str()).collect();
    assert_eq!(names, ["a", "b", "c"]);
    assert_eq!(roles[0].tags.tag[0].tag_value, "v");
    let pages = server.received_for("ListRoles");
    assert!(!pages[0].params.contains_key("Marker"));
    assert_eq!(pages[0].params["MaxItems"], "1000");
    assert_eq!(pages[1].params["Marker"], "m-2");
}

#[tokio::test]
async fn policy_attachment_calls() {
    let server = TestServer::start().await;
    server.script(
        "AttachPolicyToRole",
        [Scripted::ok(json!({"RequestId": "a"}))],
    );
    server.script(
        "DetachPolicyFromRole",
        [Scripted::error(404, "EntityNotExist.Role.Policy", "d")],
    );
    server.script(
        "ListPoliciesForRole",
        [Scripted::ok(
            json!({"RequestId": "l", "Policies": {"Policy": [
            {"PolicyName": "AliyunDTSRolePolicy", "PolicyType": "System", "Description": "DTS",
             "DefaultVersion": "v1", "AttachDate": "2015-01-23T12:33:18Z"}]}}),
        )],
    );
    let client = server.client();
    client
        .attach_policy_to_role("ram-for-dts", PolicyType::System, "AliyunDTSRolePolicy")
        .await
        .unwrap();
    let detach = client
        .detach_policy_from_role("ram-for-dts", PolicyType::Custom, "mine")
        .await
        .unwrap_err();
    assert!(detach.is_not_found(), "{detach}");
    assert_eq!(detach.code(), Some("EntityNotExist.Role.Policy"));
    let listed = client.list_policies_for_role("ram-for-dts").await.unwrap();
    assert_eq!(listed.policies.policy[0].policy_name, "AliyunDTSRolePolicy");
    assert_eq!(listed.policies.policy[0].policy_type, "System");

    let attach = &server.received_for("AttachPolicyToRole")[0].params;
    assert_eq!(
        (
            attach["PolicyType"].as_str(),
            attach["PolicyName"].as_str(),
            attach["RoleName"].as_str()
        ),
        ("System", "AliyunDTSRolePolicy", "ram-for-dts")
    );
    assert_eq!(
        server.received_for("DetachPolicyFromRole")[0].params["PolicyType"],
        "Custom"
    );
}

#[tokio::test]
async fn tag_calls_use_json_string_lists_and_a_flat_listing() {
    let server = TestServer::start().await;
    server.script("TagResources", [Scripted::ok(json!({"RequestId": "t"}))]);
    server.script(
        "UntagResources",
        [
            Scripted::ok(json!({"RequestId": "u1"})),
            Scripted::ok(json!({"RequestId": "u2"})),
        ],
    );
    server.script(
        "ListTagResources",
        [
            Scripted::ok(json!({"RequestId": "l1", "NextToken": "n-2", "TagResources": [
                {"ResourceName": "ram-for-dts", "ResourceType": "role", "TagKey": "a", "TagValue": "1"}]})),
            Scripted::ok(json!({"RequestId": "l2", "NextToken": "", "TagResources": [
                {"ResourceName": "ram-for-dts", "ResourceType": "role", "TagKey": "b", "TagValue": "2"}]})),
        ],
    );
    let client = server.client();
    let names = vec!["ram-for-dts".to_owned()];
    client
        .tag_roles(&names, &[Tag::new("a", "1")])
        .await
        .unwrap();
    client
        .untag_roles(&names, &TagKeys::Keys(vec!["a".to_owned(), "b".to_owned()]))
        .await
        .unwrap();
    client.untag_roles(&names, &TagKeys::All).await.unwrap();
    let tags = client
        .list_role_tags(&ListTagResourcesRequest {
            resource_names: names.clone(),
            page_size: Some(50),
            ..Default::default()
        })
        .await
        .unwrap();
    let pairs: Vec<(&str, &str)> = tags
        .iter()
        .map(|t| (t.tag_key.as_str(), t.tag_value.as_str()))
        .collect();
    assert_eq!(pairs, [("a", "1"), ("b", "2")]);

    let tag = &server.received_for("TagResources")[0].params;
    assert_eq!(tag["ResourceType"], "role");
    assert_eq!(tag["ResourceNames"], r#"["ram-for-dts"]"#);
    assert_eq!(tag["Tag"], r#"[{"Key":"a","Value":"1"}]"#);
    let untag = server.received_for("UntagResources");
    assert_eq!(untag[0].params["TagKeys"], r#"["a","b"]"#);
    assert!(!untag[0].params.contains_key("All"));
    assert_eq!(untag[1].params["All"], "true");
    assert!(!untag[1].params.contains_key("TagKeys"));
    let list = server.received_for("ListTagResources");
    assert_eq!(list[0].params["PageSize"], "50");
    assert!(!list[0].params.contains_key("NextToken"));
    assert_eq!(list[1].params["NextToken"], "n-2");
}

#[tokio::test]
async fn sts_caller_identity_and_assume_role() {
    let server = TestServer::start().await;
    let client = server.client();
    let me = client.get_caller_identity().await.unwrap();
    assert_eq!(me.account_id, ACCOUNT);
    assert_eq!(me.identity_type.as_deref(), Some("Account"));
    assert_eq!(me.user_id, None);
    assert_eq!(
        server.received_for("GetCallerIdentity")[0].params["Version"],
        "2015-04-01"
    );

    let assumed = client
        .assume_role(&AssumeRoleRequest {
            role_arn: "acs:ram::6543210987654321:role/ram-for-dts".to_owned(),
            role_session_name: "terraform".to_owned(),
            duration_seconds: Some(900),
            policy: None,
            external_id: Some("ext-1".to_owned()),
        })
        .await
        .unwrap();
    assert!(assumed.credentials.access_key_id.starts_with("STS."));
    assert_eq!(
        assumed.assumed_role_user.arn,
        "acs:ram::6543210987654321:assumed-role/ram-for-dts/terraform"
    );
    assert!(
        !format!("{assumed:?}").contains("minted-secret"),
        "Debug hides the secret"
    );
    let sent = &server.received_for("AssumeRole")[0].params;
    assert_eq!(sent["DurationSeconds"], "900");
    assert_eq!(sent["ExternalId"], "ext-1");
    assert!(!sent.contains_key("Policy"));

    // The minted STS credentials sign with their token.
    let session = server.client_with(
        &assumed.credentials.access_key_id,
        assumed.credentials.access_key_secret.expose(),
        Some(assumed.credentials.security_token.expose()),
        crate::support::scripted_server::fast_retry(),
        Default::default(),
    );
    let me = session.get_caller_identity().await.unwrap();
    assert_eq!(me.account_id, "6543210987654321");
    assert!(
        server
            .received()
            .last()
            .unwrap()
            .params
            .contains_key("SecurityToken")
    );
}

#[tokio::test]
async fn error_kinds_come_from_codes() {
    let server = TestServer::start().await;
    server.script(
        "CreateRole",
        [Scripted::error(409, "EntityAlreadyExists.Role", "x1")],
    );
    server.script(
        "DeleteRole",
        [Scripted::error(409, "DeleteConflict.Role.Policy", "x2")],
    );
    let client = server.client();
    let err = client
        .create_role(&CreateRoleRequest {
            role_name: "r".to_owned(),
            assume_role_policy_document: trust(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), Some(ErrorKind::AlreadyExists));
    let err = client.delete_role("r").await.unwrap_err();
    assert_eq!(err.kind(), Some(ErrorKind::Conflict));
    let api = err.api_error().unwrap();
    assert_eq!(
        (api.action(), api.http_status(), api.request_id()),
        ("DeleteRole", 409, Some("x2"))
    );
    assert_eq!(
        server.received_for("DeleteRole").len(),
        1,
        "conflicts are not retried by the client"
    );
}

/// `docs/data-sources/resource_directory_accounts.md`: "50 accounts per call until a page comes back short", on
/// the `ResourceDirectoryMaster` 2022-04-19 API: a full page of 50 asks for the next page, a short one ends it.
#[tokio::test]
async fn list_accounts_asks_for_fifty_a_page_until_a_page_comes_back_short() {
    let server = TestServer::start().await;
    let page = |request_id: &str, first: usize, count: usize| {
        let accounts: Vec<_> = (first..first + count)
            .map(|n| {
                json!({"AccountId": format!("{n:016}"), "DisplayName": format!("member-{n}"),
                            "Type": "ResourceAccount", "JoinMethod": "created"})
            })
            .collect();
        Scripted::ok(
            json!({"RequestId": request_id, "TotalCount": 53, "Accounts": {"Account": accounts}}),
        )
    };
    server.script(
        "ListAccounts",
        [page("a1", 1, 50), page("a2", 51, 3), page("never", 54, 1)],
    );
    let mut config = server.config(crate::support::scripted_server::fast_retry());
    config.endpoints = config
        .endpoints
        .with_resource_manager(Some(&server.url))
        .expect("a loopback endpoint is accepted");
    let client = server.client_over(&config, Default::default());
    let accounts = client.list_accounts().await.unwrap();
    assert_eq!(accounts.len(), 53, "both pages, and no third call");
    assert_eq!(accounts[52].account_id, "0000000000000053");
    assert_eq!(accounts[0].display_name.as_deref(), Some("member-1"));
    let pages = server.received_for("ListAccounts");
    let asked: Vec<(&str, &str, &str)> = pages
        .iter()
        .map(|p| {
            (
                p.params["Version"].as_str(),
                p.params["PageNumber"].as_str(),
                p.params["PageSize"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        asked,
        [("2022-04-19", "1", "50"), ("2022-04-19", "2", "50")]
    );
}
