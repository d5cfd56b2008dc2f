//! Tag reads against the emulator: the roles read in one account after the first take one `ListRoles` snapshot
//! (or, without it, share `ListTagResources` calls of up to 50 names), and every tag lands on its own role. A
//! pile-up is forced, not timed: the first `ListTagResources` answer is held by a proxy until the other reads have
//! come.

use crate::support::emulator_calls::{action_stat, admin_post};
use crate::support::emulator_process::{self, EmulatorProcess};
use crate::support::holding_proxy::HoldingProxy;
use futures_util::stream::{self, StreamExt};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use terraform_provider_aliram::provider::alicloud::AliCloudClient;
use terraform_provider_aliram::provider::alicloud::ram::{CreateRoleRequest, Tag, TagResource};
use terraform_provider_aliram::provider::alicloud::tag_batcher::TagBatcher;
use tokio::task::JoinHandle;

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

/// The tags read for role `i`, each checked to be that role's.
fn own_tags(i: usize, tags: Vec<TagResource>) -> BTreeMap<String, String> {
    tags.into_iter()
        .map(|t| {
            assert_eq!(t.resource_name, name(i), "a tag of another role");
            (t.tag_key, t.tag_value)
        })
        .collect()
}

/// An emulator holding roles with their own tags, a proxy holding `ListTagResources` answers, a runtime, and a
/// client of each (direct, through the proxy).
struct Setup {
    emulator: EmulatorProcess,
    proxy: HoldingProxy,
    runtime: tokio::runtime::Runtime,
    direct: AliCloudClient,
    via_proxy: AliCloudClient,
    batcher: TagBatcher,
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
        let via_proxy = client(&emulator, &proxy.url);
        let setup = Setup {
            emulator,
            proxy,
            runtime,
            direct,
            via_proxy,
            batcher: TagBatcher::new(),
        };
        setup.create_roles(0..roles);
        setup
    }

    /// Creates roles `range` with their own tags, out of band (not through the batcher's client).
    fn create_roles(&self, range: std::ops::Range<usize>) {
        self.runtime.block_on(
            stream::iter(range)
                .map(|i| {
                    let direct = self.direct.clone();
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
    }

    /// Requests of `action` the emulator has served.
    fn calls(&self, action: &str) -> u64 {
        self.runtime
            .block_on(action_stat(self.emulator.endpoint(), action, "requests"))
    }

    /// Queues a refusal for the next call of `action` (an answer that is not retried).
    fn refuse_next(&self, action: &str) {
        let (status, answer) = self.runtime.block_on(admin_post(
            self.emulator.endpoint(),
            "faults/next",
            &serde_json::json!({"action": action, "fault": "no_permission"}),
        ));
        assert_eq!(status, 200, "{answer}");
    }

    /// Starts reading role `i`'s tags through the batcher.
    fn read(&self, i: usize) -> JoinHandle<(usize, Vec<TagResource>)> {
        let (batcher, api) = (self.batcher.clone(), self.via_proxy.clone());
        self.runtime.spawn(async move {
            let tags = batcher.role_tags(&api, &name(i)).await;
            (i, tags.expect("tag read"))
        })
    }

    /// Waits for `reads` and checks that each role got exactly its own tags.
    fn check(&self, reads: Vec<JoinHandle<(usize, Vec<TagResource>)>>) {
        for handle in reads {
            let (i, tags) = self.runtime.block_on(handle).expect("read task");
            assert_eq!(own_tags(i, tags), tags_of(i), "role {}", name(i));
        }
    }

    /// Reads role 0, whose `ListTagResources` answer is held, and then roles `1..roles` while it is out.
    fn pile_up(&self, roles: usize) -> Vec<JoinHandle<(usize, Vec<TagResource>)>> {
        // The first read finds no call in flight and sends at once, alone; its answer is held.
        let mut reads = vec![self.read(0)];
        self.proxy.wait_for_answered(1, GUARD);
        reads.extend((1..roles).map(|i| self.read(i)));
        reads
    }

    /// Waits until `count` reads are queued for the next `ListTagResources` call.
    fn wait_queued(&self, count: usize) {
        let deadline = Instant::now() + GUARD;
        while self.batcher.queued() < count {
            assert!(
                Instant::now() < deadline,
                "only {} reads queued",
                self.batcher.queued()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

#[test]
fn reads_piled_up_take_one_snapshot_and_each_gets_its_own_tags() {
    let setup = Setup::new(ROLES);
    let (tag_calls, list_calls) = (setup.calls("ListTagResources"), setup.calls("ListRoles"));
    let mut reads = setup.pile_up(ROLES);
    // The 119 reads behind the held call are answered from one ListRoles page while it is still held.
    let first = reads.remove(0);
    let deadline = Instant::now() + GUARD;
    while !reads.iter().all(JoinHandle::is_finished) {
        assert!(
            Instant::now() < deadline,
            "reads behind the held ListTagResources call were not answered without it"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    setup.check(reads);
    setup.proxy.release();
    setup.check(vec![first]);
    assert_eq!(setup.calls("ListTagResources") - tag_calls, 1);
    assert_eq!(setup.calls("ListRoles") - list_calls, 1);

    // A later read is answered from the snapshot too; a role created since is read with ListTagResources.
    setup.check(vec![setup.read(7)]);
    setup.create_roles(ROLES..ROLES + 1);
    setup.check(vec![setup.read(ROLES)]);
    assert_eq!(setup.calls("ListTagResources") - tag_calls, 2);
    assert_eq!(setup.calls("ListRoles") - list_calls, 1);
}

#[test]
fn the_second_read_in_an_account_takes_the_snapshot() {
    let setup = Setup::new(3);
    setup.proxy.release();
    let (tag_calls, list_calls) = (setup.calls("ListTagResources"), setup.calls("ListRoles"));
    // One after the other: the first alone, the second takes the page, the third is answered from it.
    for i in 0..3 {
        setup.check(vec![setup.read(i)]);
    }
    assert_eq!(setup.calls("ListTagResources") - tag_calls, 1);
    assert_eq!(setup.calls("ListRoles") - list_calls, 1);
}

#[test]
fn after_a_write_through_the_accounts_client_the_snapshot_is_not_used() {
    let setup = Setup::new(3);
    let reads = setup.pile_up(3);
    setup.proxy.release();
    setup.check(reads);
    assert_eq!(setup.calls("ListRoles"), 1, "the snapshot was taken");
    let tag_calls = setup.calls("ListTagResources");
    // This client changes role 1's tags: the snapshot predates that, so the read goes to ListTagResources.
    let changed = Tag::new("n", "changed");
    setup
        .runtime
        .block_on(setup.via_proxy.tag_roles(&[name(1)], &[changed]))
        .expect("TagResources");
    let (_, tags) = setup.runtime.block_on(setup.read(1)).expect("read task");
    assert_eq!(own_tags(1, tags)["n"], "changed");
    assert_eq!(setup.calls("ListTagResources") - tag_calls, 1);
}

#[test]
fn without_list_roles_reads_piled_up_share_calls_of_fifty() {
    let setup = Setup::new(ROLES);
    // An identity without ram:ListRoles: the snapshot fails once, and the reads go in batches.
    setup.refuse_next("ListRoles");
    let before = setup.calls("ListTagResources");
    let reads = setup.pile_up(ROLES);
    setup.wait_queued(ROLES - 1);
    setup.proxy.release();
    setup.check(reads);
    // One call alone, then the 119 queued in calls of 50, 50 and 19.
    assert_eq!(setup.calls("ListTagResources") - before, 4);
}

#[test]
fn a_failed_batch_is_read_again_role_by_role() {
    let setup = Setup::new(4);
    setup.refuse_next("ListRoles");
    let before = setup.calls("ListTagResources");
    let reads = setup.pile_up(4);
    setup.wait_queued(3);
    // The batch of the three queued reads is refused.
    setup.refuse_next("ListTagResources");
    setup.proxy.release();
    setup.check(reads);
    // Role 0's call, the refused batch, then each of the three alone.
    assert_eq!(setup.calls("ListTagResources") - before, 5);
}

#[test]
fn a_lone_read_is_sent_at_once() {
    let setup = Setup::new(1);
    let (tag_calls, list_calls) = (setup.calls("ListTagResources"), setup.calls("ListRoles"));
    setup.proxy.release();
    setup.check(vec![setup.read(0)]);
    assert_eq!(setup.calls("ListTagResources") - tag_calls, 1);
    assert_eq!(setup.calls("ListRoles") - list_calls, 0);
    assert_eq!(setup.batcher.queued(), 0);
}
