//! Tag reads of the roles refreshed together in one account, in as few calls as RAM allows, with no fixed delay.
//!
//! - **Batches.** `ListTagResources` takes up to 50 role names per call. One call per account is in flight at a
//!   time; the first read finding none sends at once, and every read queued while a call is out goes in the next
//!   call (50 at most), sent as soon as that call returns. A lone read therefore costs what it did unbatched.
//! - **One snapshot.** `ListRoles` answers each role's tags too, 1000 roles a page (an account holds 1000 by
//!   default). From the account's second tag read on (a refresh of more than one role), one `ListRoles` page is
//!   read once for the account, and every read of a role it lists is answered from it; reads arriving meanwhile
//!   wait for that one call. Never more calls than batches: the first read alone costs one call either way, and
//!   every later one is then free. A role the page does not list (beyond the first page, or created since) is
//!   read in a batch. The snapshot lives as long as this batcher (one provider process's account client: one plan's
//!   refresh) and is never used once this account's client has started a write, whose effect it may predate. When
//!   `ListRoles` fails (an identity without `ram:ListRoles`), tags are read in batches only, silently.
//!
//! Every tag lands on its own role: answers are split by `ResourceName` (batches) or come from the role's own entry
//! (snapshot). When a batched call fails (a role of the batch deleted meanwhile may make RAM refuse the whole list),
//! each role of the batch is read alone, so its reader gets its own answer and its own error.

use super::client::AliCloudClient;
use super::error::ClientError;
use super::ram::{LIST_ROLES_MAX_ITEMS, ListTagResourcesRequest, ROLE_RESOURCE_TYPE, TagResource};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::{OnceCell, oneshot};

/// Most role names one `ListTagResources` call takes.
pub const MAX_NAMES_PER_CALL: usize = 50;
/// `PageSize` of batched reads: the API's maximum, so a batch of roles with a few tags each fits one page.
const PAGE_SIZE: u32 = 100;

type Answer = Result<Vec<TagResource>, ClientError>;

#[derive(Debug, Default)]
struct Queue {
    waiting: Vec<(String, oneshot::Sender<Answer>)>,
    /// Whether a sender task is running (it sends the queue's calls one after another).
    sending: bool,
}

/// Each listed role's tags, by role name, as one `ListRoles` page had them.
type RoleTags = HashMap<String, Vec<TagResource>>;

#[derive(Debug, Default)]
struct Snapshot {
    /// Whether the account's first tag read has come (the next takes the snapshot).
    first_read_seen: AtomicBool,
    /// The snapshot; `None` when `ListRoles` failed.
    roles: OnceCell<Option<RoleTags>>,
}

/// The tag reads of one account's client. Cheap to clone; clones share the queue and the snapshot.
#[derive(Debug, Clone, Default)]
pub struct TagBatcher {
    queue: Arc<Mutex<Queue>>,
    snapshot: Arc<Snapshot>,
}

impl TagBatcher {
    /// A batcher with nothing queued.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many reads wait for the next call (those of the call in flight not counted).
    pub fn queued(&self) -> usize {
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .waiting
            .len()
    }

    /// The tags of role `name` (every entry `ListTagResources` has for it), read through `api` in a call shared
    /// with the other roles read meanwhile, or from the account's snapshot.
    pub async fn role_tags(&self, api: &AliCloudClient, name: &str) -> Answer {
        if let Some(tags) = self.snapshot_tags(api, name).await {
            return Ok(tags);
        }
        let (tx, rx) = oneshot::channel();
        let start = {
            let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            queue.waiting.push((name.to_owned(), tx));
            !std::mem::replace(&mut queue.sending, true)
        };
        if start {
            // A task of its own, so a reader that goes away (Terraform stopped waiting) does not strand the
            // others queued behind it.
            tokio::spawn(send_queued(self.queue.clone(), api.clone()));
        }
        match rx.await {
            Ok(answer) => answer,
            // The sender task ended without answering: only when the runtime is shutting down. Read alone.
            Err(_) => read_alone(api, name).await,
        }
    }

    /// Role `name`'s tags from the snapshot, taking it at the account's second read; `None` when the role must be
    /// read in a batch (the first read, a write started, `ListRoles` failed, or the page does not list the role).
    async fn snapshot_tags(&self, api: &AliCloudClient, name: &str) -> Option<Vec<TagResource>> {
        // A write of this process may have changed what the snapshot shows.
        if api.has_written() {
            return None;
        }
        // The first read goes alone: a refresh of one role does not pay for a page of the whole account.
        if !self.snapshot.first_read_seen.swap(true, Ordering::Relaxed) {
            return None;
        }
        let roles = self
            .snapshot
            .roles
            .get_or_init(|| take_snapshot(api))
            .await
            .as_ref()?;
        // Checked again: a write started while the snapshot was read may postdate it.
        if api.has_written() {
            return None;
        }
        roles.get(name).cloned()
    }
}

/// One `ListRoles` page of [`LIST_ROLES_MAX_ITEMS`] roles, as tag entries by role name; `None` when it fails.
async fn take_snapshot(api: &AliCloudClient) -> Option<RoleTags> {
    match api.list_roles_page(None, Some(LIST_ROLES_MAX_ITEMS)).await {
        Ok(page) => Some(
            page.roles
                .role
                .into_iter()
                .map(|role| {
                    let tags = role
                        .tags
                        .tag
                        .into_iter()
                        .map(|t| TagResource {
                            resource_name: role.role_name.clone(),
                            resource_type: ROLE_RESOURCE_TYPE.to_owned(),
                            tag_key: t.tag_key,
                            tag_value: t.tag_value,
                        })
                        .collect();
                    (role.role_name, tags)
                })
                .collect(),
        ),
        Err(error) => {
            tracing::debug!(%error, "ListRoles for the account's tag snapshot failed; reading tags in batches");
            None
        }
    }
}

/// Sends the queue's reads, up to [`MAX_NAMES_PER_CALL`] per call, one call at a time, until the queue is empty.
async fn send_queued(queue: Arc<Mutex<Queue>>, api: AliCloudClient) {
    loop {
        let batch: Vec<(String, oneshot::Sender<Answer>)> = {
            let mut queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
            if queue.waiting.is_empty() {
                queue.sending = false;
                return;
            }
            let take = queue.waiting.len().min(MAX_NAMES_PER_CALL);
            queue.waiting.drain(..take).collect()
        };
        answer_batch(&api, batch).await;
    }
}

async fn answer_batch(api: &AliCloudClient, batch: Vec<(String, oneshot::Sender<Answer>)>) {
    let mut names: Vec<String> = batch.iter().map(|(name, _)| name.clone()).collect();
    names.sort();
    names.dedup();
    if names.len() == 1 {
        let answer = read_alone(api, &names[0]).await;
        deliver_all(batch, answer);
        return;
    }
    let request = ListTagResourcesRequest {
        resource_names: names,
        page_size: Some(PAGE_SIZE),
        ..Default::default()
    };
    match api.list_role_tags(&request).await {
        Ok(tags) => {
            let mut by_role: HashMap<String, Vec<TagResource>> = HashMap::new();
            for tag in tags {
                by_role
                    .entry(tag.resource_name.clone())
                    .or_default()
                    .push(tag);
            }
            for (name, tx) in batch {
                // A reader that went away leaves nothing to answer.
                let _ = tx.send(Ok(by_role.get(&name).cloned().unwrap_or_default()));
            }
        }
        Err(error) => {
            tracing::debug!(roles = batch.len(), %error, "batched ListTagResources failed; reading each role alone");
            let reads = batch.into_iter().map(|(name, tx)| async move {
                let _ = tx.send(read_alone(api, &name).await);
            });
            futures_util::future::join_all(reads).await;
        }
    }
}

/// Answers every reader of one name (the same role read twice at once) with one read.
fn deliver_all(batch: Vec<(String, oneshot::Sender<Answer>)>, answer: Answer) {
    let mut senders = batch.into_iter().map(|(_, tx)| tx);
    let Some(first) = senders.next() else { return };
    let rest: Vec<_> = senders.collect();
    match answer {
        Ok(tags) => {
            for tx in rest {
                let _ = tx.send(Ok(tags.clone()));
            }
            let _ = first.send(Ok(tags));
        }
        Err(error) => {
            // Errors are not clonable; the others read again alone, which gives each its own answer.
            let _ = first.send(Err(error));
            for tx in rest {
                drop(tx);
            }
        }
    }
}

async fn read_alone(api: &AliCloudClient, name: &str) -> Answer {
    let request = ListTagResourcesRequest {
        resource_names: vec![name.to_owned()],
        ..Default::default()
    };
    api.list_role_tags(&request).await
}
