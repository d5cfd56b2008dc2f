//! Batched tag reads against the emulator: roles read at the same time share `ListTagResources` calls of up to 50
//! names, and every tag lands on its own role. The pile-up is forced, not timed: the first call's answer is held
//! by a proxy until every other read is queued behind it.

use crate::support::emulator_process::{self, EmulatorProcess};
use crate::support::holding_proxy::HoldingProxy;
use futures_util::stream::{self, StreamExt};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use terraform_provider_aliram::provider::alicloud::AliCloudClient;
use terraform_provider_aliram::provider::alicloud::ram::{CreateRoleRequest, Tag};
use terraform_provider_aliram::provider::alicloud::tag_batcher::TagBatcher;

const ROLES: usize = 120;
const GUARD: Duration = Duration::from_secs(30);

fn client(emulator: &EmulatorProcess, endpoint: &str) -> AliCloudClient {
    emulator_process::client(endpoint, &emulator.start.accounts[0])
}

fn name(i: usize) -> String {
    format!("batched-{i:03}")
}

/// Each role's own tags: its name, and a number only it has.
fn tags_of(i: usize) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("owner".to_owned(), name(i)),
        ("n".to_owned(), i.to_string()),
    ])
}

fn list_tag_calls(runtime: &tokio::runtime::Runtime, endpoint: &str) -> u64 {
    let stats: serde_json::Value = runtime.block_on(async {
        reqwest::get(format!("{endpoint}/_emulator/stats"))
            .await
            .expect("stats")
            .json()
            .await
            .expect("stats JSON")
    });
    stats["actions"]["ListTagResources"]["requests"]
        .as_u64()
        .unwrap_or(0)
}

/// An emulator holding `roles` roles with their own tags, a proxy holding `ListTagResources` answers, a runtime,
/// and a client of each (direct, through the proxy).
struct Setup {
    emulator: EmulatorProcess,
    proxy: HoldingProxy,
    runtime: tokio::runtime::Runtime,
    via_proxy: AliCloudClient,
}

impl Setup {
    fn new(roles: usize) -> Setup {
        let emulator = EmulatorProcess::spawn(&[]);
        let proxy = HoldingProxy::start(emulator.endpoint(), "ListTagResources");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let direct = client(&emulator, emulator.endpoint());
        runtime.block_on(
            stream::iter(0..roles)
                .map(|i| {
                    let direct = direct.clone();
                    async move {
                        let request = CreateRoleRequest {
                            role_name: name(i),
                            assume_role_policy_document: r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["ecs.aliyuncs.com"]}}],"Version":"1"}"#.to_owned(),
                            tags: tags_of(i).into_iter().map(|(k, v)| Tag::new(k, v)).collect(),
                            ..CreateRoleRequest::default()
                        };
                        direct.create_role(&request).await.expect("CreateRole");
                    }
                })
                .buffer_unordered(16)
                .collect::<Vec<()>>(),
        );
        let via_proxy = client(&emulator, &proxy.url);
        Setup {
            emulator,
            proxy,
            runtime,
            via_proxy,
        }
    }

    fn list_tag_calls(&self) -> u64 {
        list_tag_calls(&self.runtime, self.emulator.endpoint())
    }

    /// Reads the tags of roles `0..roles` through one batcher: role 0 first, its call's answer held until the
    /// others are queued behind it (`between` runs then); checks that each role got exactly its own tags.
    fn read_piled_up(&self, roles: usize, between: impl FnOnce()) {
        let batcher = TagBatcher::new();
        let read = |i: usize| {
            let (batcher, api) = (batcher.clone(), self.via_proxy.clone());
            self.runtime
                .spawn(async move { (i, batcher.role_tags(&api, &name(i)).await) })
        };
        // The first read finds no call in flight and sends at once, alone; its answer is held.
        let mut reads = vec![read(0)];
        self.proxy.wait_for_answered(1, GUARD);
        reads.extend((1..roles).map(read));
        let deadline = Instant::now() + GUARD;
        while batcher.queued() < roles - 1 {
            assert!(
                Instant::now() < deadline,
                "only {} reads queued",
                batcher.queued()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        between();
        self.proxy.release();
        for handle in reads {
            let (i, tags) = self.runtime.block_on(handle).expect("read task");
            let tags: BTreeMap<String, String> = tags
                .expect("ListTagResources")
                .into_iter()
                .map(|t| {
                    assert_eq!(t.resource_name, name(i), "a tag of another role");
                    (t.tag_key, t.tag_value)
                })
                .collect();
            assert_eq!(tags, tags_of(i), "role {}", name(i));
        }
    }
}

#[test]
fn reads_piled_up_behind_a_call_share_calls_of_fifty_and_each_gets_its_own_tags() {
    let setup = Setup::new(ROLES);
    let before = setup.list_tag_calls();
    setup.read_piled_up(ROLES, || {});
    // One call alone, then the 119 queued in calls of 50, 50 and 19.
    assert_eq!(setup.list_tag_calls() - before, 4);
}

#[test]
fn a_failed_batch_is_read_again_role_by_role() {
    let setup = Setup::new(4);
    let before = setup.list_tag_calls();
    setup.read_piled_up(4, || {
        // The batch of the three queued reads is refused (an answer that is not retried).
        let answer: serde_json::Value =
            setup.runtime.block_on(async {
                reqwest::Client::new()
                .post(format!("{}/_emulator/faults/next", setup.emulator.endpoint()))
                .json(&serde_json::json!({"action": "ListTagResources", "fault": "no_permission"}))
                .send()
                .await
                .expect("faults/next")
                .json()
                .await
                .expect("faults/next JSON")
            });
        assert!(answer.get("error").is_none(), "{answer}");
    });
    // Role 0's call, the refused batch, then each of the three alone.
    assert_eq!(setup.list_tag_calls() - before, 5);
}

#[test]
fn a_lone_read_is_sent_at_once() {
    let setup = Setup::new(1);
    let before = setup.list_tag_calls();
    setup.proxy.release();
    let batcher = TagBatcher::new();
    let tags = setup
        .runtime
        .block_on(batcher.role_tags(&setup.via_proxy, &name(0)))
        .expect("ListTagResources");
    assert_eq!(tags.len(), 2);
    assert_eq!(setup.list_tag_calls() - before, 1);
    assert_eq!(batcher.queued(), 0);
}
