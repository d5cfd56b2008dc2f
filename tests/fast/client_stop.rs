//! Terraform's Stop against the local server: a write already sent finishes within the write stop grace and its
//! answer is returned (so the resource can record it); past the grace, or for a read, or before a request is
//! sent, the call ends with Cancelled; no attempt or retry starts after Stop. Answers are held by the server until
//! the test releases them after cancelling, so each case is forced, not timed.

use crate::support::child::HANG_GUARD;
use crate::support::scripted_server::{Scripted, TestServer, fast_retry, role_body};
use futures_util::future::BoxFuture;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;
use terraform_provider_aliram::provider::alicloud::ram::{
    CreateRoleRequest, ListTagResourcesRequest, PolicyType, Tag, TagKeys, UpdateRoleRequest,
};
use terraform_provider_aliram::provider::alicloud::retry::RetryPolicy;
use terraform_provider_aliram::provider::alicloud::sts::AssumeRoleRequest;
use terraform_provider_aliram::provider::alicloud::{AliCloudClient, ClientConfig, ClientError};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// A grace no test waits out: a call that waited for it would trip [`HANG_GUARD`] instead.
const LONG_GRACE: Duration = Duration::from_secs(3600);

fn create_request() -> CreateRoleRequest {
    CreateRoleRequest {
        role_name: "r".to_owned(),
        assume_role_policy_document: "{}".to_owned(),
        ..CreateRoleRequest::default()
    }
}

/// A client whose writes may take `grace` after Stop, with a long retry budget (only Stop ends a call early).
fn client(server: &TestServer, grace: Duration, cancel: &CancellationToken) -> AliCloudClient {
    let mut config = server.config(RetryPolicy {
        budget: Duration::from_secs(3600),
        ..fast_retry()
    });
    config.write_stop_grace = grace;
    server.client_over(&config, cancel.clone())
}

/// Runs `call` in a task, waits until the server holds its request, cancels, then releases the held answer if
/// `release` names its gate (else the answer stays held).
async fn stop_once_sent<T: Send + 'static>(
    server: &TestServer,
    cancel: &CancellationToken,
    release: Option<&Arc<Notify>>,
    call: impl std::future::Future<Output = T> + Send + 'static,
) -> T {
    let task = tokio::spawn(call);
    server.state.arrivals.notified().await;
    cancel.cancel();
    if let Some(gate) = release {
        gate.notify_one();
    }
    tokio::time::timeout(HANG_GUARD, task)
        .await
        .expect("the call ends: a wait for a held answer would not")
        .expect("the task completes")
}

#[tokio::test]
async fn a_write_unanswered_within_the_grace_ends_cancelled() {
    let server = TestServer::start().await;
    let gate = Arc::new(Notify::new());
    // Never released: the answer comes only after the grace.
    server.script(
        "CreateRole",
        [Scripted::ok(role_body("created")).held_until(&gate)],
    );
    let cancel = CancellationToken::new();
    let client = client(&server, Duration::from_millis(50), &cancel);
    let err = stop_once_sent(&server, &cancel, None, async move {
        client.create_role(&create_request()).await
    })
    .await
    .unwrap_err();
    assert!(err.is_cancelled(), "{err}");
    assert!(err.to_string().contains("CreateRole"), "{err}");
    gate.notify_one();
}

#[tokio::test]
async fn no_retry_starts_after_stop() {
    let server = TestServer::start().await;
    let gate = Arc::new(Notify::new());
    // The held answer is retryable, and a retry would succeed: only Stop keeps it from being made.
    server.script(
        "CreateRole",
        [
            Scripted::error(503, "ServiceUnavailable", "busy").held_until(&gate),
            Scripted::ok(role_body("created")),
        ],
    );
    let cancel = CancellationToken::new();
    let client = client(&server, LONG_GRACE, &cancel);
    let err = stop_once_sent(&server, &cancel, Some(&gate), async move {
        client.create_role(&create_request()).await
    })
    .await
    .unwrap_err();
    assert!(err.is_cancelled(), "{err}");
    assert_eq!(
        server.received_for("CreateRole").len(),
        1,
        "no attempt after Stop"
    );
}

/// On tokio's paused clock, which moves only when every task is idle: the test's half-second sleep ends once
/// the second call is parked, and the only thing it can be parked on is the cap, whose slot is a whole second
/// after the first call's. So Stop comes while the call waits for the cap, by construction.
#[tokio::test(start_paused = true)]
async fn a_write_waiting_for_the_rate_cap_sends_nothing_after_stop() {
    let server = TestServer::start().await;
    let mut config: ClientConfig = server.config(fast_retry());
    config.write_stop_grace = LONG_GRACE;
    // No attempt may time out while the paused clock jumps.
    config.connect_timeout = LONG_GRACE;
    config.attempt_timeout = LONG_GRACE;
    // One request per second: the second call waits for the cap.
    config.max_requests_per_second = NonZeroU32::new(1);
    let cancel = CancellationToken::new();
    let client = server.client_over(&config, cancel.clone());
    server.script("CreateRole", [Scripted::ok(role_body("created"))]);
    client
        .create_role(&create_request())
        .await
        .expect("the first call");
    let waiting = client.clone();
    let task = tokio::spawn(async move { waiting.create_role(&create_request()).await });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        server.received_for("CreateRole").len(),
        1,
        "waiting for the cap"
    );
    cancel.cancel();
    let err = tokio::time::timeout(HANG_GUARD, task)
        .await
        .expect("the call ends")
        .expect("the task completes")
        .unwrap_err();
    assert!(err.is_cancelled(), "{err}");
    assert_eq!(
        server.received_for("CreateRole").len(),
        1,
        "a request not sent before Stop is never sent"
    );
}

type Call = fn(AliCloudClient) -> BoxFuture<'static, Result<(), ClientError>>;

/// Every typed call with the effect its call site declares: `true` for a write.
fn every_call() -> Vec<(&'static str, bool, Call)> {
    vec![
        ("CreateRole", true, |c| {
            Box::pin(async move { c.create_role(&create_request()).await.map(drop) })
        }),
        ("UpdateRole", true, |c| {
            let request = UpdateRoleRequest {
                role_name: "r".to_owned(),
                new_description: Some("d".to_owned()),
                ..UpdateRoleRequest::default()
            };
            Box::pin(async move { c.update_role(&request).await.map(drop) })
        }),
        ("DeleteRole", true, |c| {
            Box::pin(async move { c.delete_role("r").await.map(drop) })
        }),
        ("AttachPolicyToRole", true, |c| {
            Box::pin(async move {
                c.attach_policy_to_role("r", PolicyType::System, "p")
                    .await
                    .map(drop)
            })
        }),
        ("DetachPolicyFromRole", true, |c| {
            Box::pin(async move {
                c.detach_policy_from_role("r", PolicyType::System, "p")
                    .await
                    .map(drop)
            })
        }),
        ("TagResources", true, |c| {
            Box::pin(async move {
                c.tag_roles(&["r".to_owned()], &[Tag::new("k", "v")])
                    .await
                    .map(drop)
            })
        }),
        ("UntagResources", true, |c| {
            Box::pin(async move {
                c.untag_roles(&["r".to_owned()], &TagKeys::All)
                    .await
                    .map(drop)
            })
        }),
        ("GetRole", false, |c| {
            Box::pin(async move { c.get_role("r").await.map(drop) })
        }),
        ("ListRoles", false, |c| {
            Box::pin(async move { c.list_roles_page(None, None).await.map(drop) })
        }),
        ("ListPoliciesForRole", false, |c| {
            Box::pin(async move { c.list_policies_for_role("r").await.map(drop) })
        }),
        ("GetPolicy", false, |c| {
            Box::pin(async move {
                c.get_policy(PolicyType::System, "AliyunDTSRolePolicy")
                    .await
                    .map(drop)
            })
        }),
        ("ListTagResources", false, |c| {
            Box::pin(async move {
                c.list_role_tags_page(&ListTagResourcesRequest::default(), None)
                    .await
                    .map(drop)
            })
        }),
        ("GetCallerIdentity", false, |c| {
            Box::pin(async move { c.get_caller_identity().await.map(drop) })
        }),
        ("AssumeRole", false, |c| {
            let request = AssumeRoleRequest {
                role_arn: "acs:ram::1:role/r".to_owned(),
                role_session_name: "s".to_owned(),
                ..AssumeRoleRequest::default()
            };
            Box::pin(async move { c.assume_role(&request).await.map(drop) })
        }),
    ]
}

/// Each call site's declared effect holds: every RAM write sent before Stop returns its answer; every read is cut.
#[tokio::test]
async fn each_write_action_finishes_after_stop_and_each_read_is_cut() {
    for (action, write, call) in every_call() {
        let server = TestServer::start().await;
        let gate = Arc::new(Notify::new());
        let answer = match action {
            "GetCallerIdentity" => {
                serde_json::json!({"RequestId": "me", "AccountId": "1", "Arn": "acs:ram::1:root"})
            }
            _ => role_body("created"),
        };
        server.script(action, [Scripted::ok(answer).held_until(&gate)]);
        let cancel = CancellationToken::new();
        let client = client(&server, LONG_GRACE, &cancel);
        let outcome = stop_once_sent(&server, &cancel, Some(&gate), call(client)).await;
        assert_eq!(server.received_for(action).len(), 1, "{action}");
        if write {
            outcome.unwrap_or_else(|e| {
                panic!("{action} sent before Stop must return its answer: {e}")
            });
        } else {
            // The answer is still held and the grace is long: a read that waited for it would trip the guard.
            let err = outcome.expect_err(action);
            assert!(err.is_cancelled(), "{action}: {err}");
            assert!(err.to_string().contains(action), "{action}: {err}");
        }
    }
}
