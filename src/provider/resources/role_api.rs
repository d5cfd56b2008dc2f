//! The RAM calls behind a role's lifecycle, in the shape the resources need: `find` (one read of everything a
//! role is, its calls made concurrently), `wait` (read-after-write for eventual consistency), and the exclusive
//! management of attachments and tags. No Terraform types here. No call asks for what the caller already holds:
//! the calls per role are counted in `docs/benchmarks.md`.

use crate::provider::alicloud::ram::{AttachedPolicy, PolicyType, Role, Tag, TagKeys};
use crate::provider::alicloud::tag_batcher::TagBatcher;
use crate::provider::alicloud::wait::{Polled, Waiter};
use crate::provider::alicloud::{AliCloudClient, ClientError, ErrorKind};
use crate::ram::role_rules::reserved_tag_key_text;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// First pause between polls; it doubles up to [`MAX_POLL_INTERVAL`].
const FIRST_POLL_INTERVAL: Duration = Duration::from_millis(100);
const MAX_POLL_INTERVAL: Duration = Duration::from_secs(5);
/// How long DeleteRole may keep answering `DeleteConflict.Role.Policy` while detaches propagate.
pub const DELETE_CONFLICT_TIMEOUT: Duration = Duration::from_secs(60);

/// Read-after-write, and writes right after CreateRole: until a new role (and its attachments) is visible, within
/// the provider instance's `propagation_timeout`.
fn propagation(timeout: Duration) -> Waiter {
    Waiter {
        timeout,
        first_interval: FIRST_POLL_INTERVAL,
        max_interval: MAX_POLL_INTERVAL,
    }
}
/// Delete: until detaches have propagated and DeleteRole stops answering with a conflict.
const DELETE_CONFLICT: Waiter = Waiter {
    timeout: DELETE_CONFLICT_TIMEOUT,
    first_interval: FIRST_POLL_INTERVAL,
    max_interval: MAX_POLL_INTERVAL,
};

/// A role as RAM has it: the role, its attached policies and its user tags.
#[derive(Clone, Debug)]
pub struct RemoteRole {
    /// GetRole's answer.
    pub role: Role,
    /// ListPoliciesForRole's answer.
    pub policies: Vec<AttachedPolicy>,
    /// Tags, without the ones the cloud adds itself (`aliyun…`, `acs:…`).
    pub tags: BTreeMap<String, String>,
}

impl RemoteRole {
    /// The names of the attached policies.
    pub fn policy_names(&self) -> BTreeSet<String> {
        self.policies
            .iter()
            .map(|p| p.policy_name.clone())
            .collect()
    }
}

/// Refresh: while GetRole finds the role but a list of its policies or tags says it does not exist (a lagging
/// replica), read again for a few seconds before reporting the disagreement as an error.
const LAGGING_LIST: Waiter = Waiter {
    timeout: Duration::from_secs(3),
    first_interval: FIRST_POLL_INTERVAL,
    max_interval: MAX_POLL_INTERVAL,
};

/// Reads everything a role is; `None` when it does not exist. The three reads run concurrently.
///
/// Only GetRole decides that a role is gone. A NotFound from ListPoliciesForRole or ListTagResources while GetRole
/// found the role comes from a replica that lags (RAM is eventually consistent): the reads are made again, and if
/// the lists still disagree the answer is an error, never "gone" (which would drop a live role from the state).
///
/// The tag read goes through `tags`, which answers the roles read at the same time in the account from one
/// `ListRoles` page or shared `ListTagResources` calls.
pub async fn find_role(
    api: &AliCloudClient,
    tags: &TagBatcher,
    name: &str,
    cancel: &CancellationToken,
) -> Result<Option<RemoteRole>, ClientError> {
    LAGGING_LIST
        .until(cancel, "GetRole", || async {
            Ok(match read_role_once(api, tags, name).await? {
                RoleRead::Found(remote) => Polled::Settled(Some(*remote)),
                RoleRead::Gone => Polled::Settled(None),
                RoleRead::ListsLag(error) => {
                    tracing::debug!(
                        role = name,
                        "GetRole found the role but a list says it does not exist; reading again"
                    );
                    Polled::NotYet(error)
                }
            })
        })
        .await?
}

/// One concurrent read of a role.
enum RoleRead {
    Found(Box<RemoteRole>),
    /// GetRole says the role does not exist.
    Gone,
    /// GetRole found the role; a list answered NotFound (this error).
    ListsLag(ClientError),
}

async fn read_role_once(
    api: &AliCloudClient,
    batcher: &TagBatcher,
    name: &str,
) -> Result<RoleRead, ClientError> {
    let (role, policies, tags) = tokio::join!(
        api.get_role(name),
        api.list_policies_for_role(name),
        batcher.role_tags(api, name)
    );
    let role = match role {
        Ok(r) => r.role,
        Err(e) if e.is_not_found() => return Ok(RoleRead::Gone),
        Err(e) => return Err(e),
    };
    let policies = match policies {
        Ok(p) => p.policies.policy,
        Err(e) if e.is_not_found() => return Ok(RoleRead::ListsLag(e)),
        Err(e) => return Err(e),
    };
    let tags = match tags {
        Ok(tags) => tags,
        Err(e) if e.is_not_found() => return Ok(RoleRead::ListsLag(e)),
        Err(e) => return Err(e),
    };
    let tags = tags
        .into_iter()
        .filter(|t| t.resource_name == name && reserved_tag_key_text(&t.tag_key).is_none())
        .map(|t| (t.tag_key, t.tag_value))
        .collect();
    Ok(RoleRead::Found(Box::new(RemoteRole {
        role,
        policies,
        tags,
    })))
}

/// Polls ListPoliciesForRole until the role is visible with every policy of `policies` attached, within
/// `timeout`; `false` if it never was. RAM is eventually consistent: without this, a refresh right
/// after an apply could miss the new role and drop it from the state. One read proves both, since the list is
/// refused for a role reads do not see yet; the role itself and its tags the caller already holds from its
/// writes' answers.
pub async fn wait_role_visible(
    api: &AliCloudClient,
    name: &str,
    policies: &BTreeSet<String>,
    timeout: Duration,
    cancel: &CancellationToken,
) -> Result<bool, ClientError> {
    let visible = propagation(timeout)
        .until(cancel, "ListPoliciesForRole", || async {
            let settled = match api.list_policies_for_role(name).await {
                Ok(listed) => policies
                    .iter()
                    .all(|p| listed.policies.policy.iter().any(|a| &a.policy_name == p)),
                Err(e) if e.is_not_found() => false,
                Err(e) => return Err(e),
            };
            Ok(if settled {
                Polled::Settled(())
            } else {
                Polled::NotYet(())
            })
        })
        .await?;
    Ok(visible.is_ok())
}

/// Whether RAM says the role itself does not exist (`EntityNotExist.Role`), not a policy or an attachment of it.
fn is_role_unknown(error: &ClientError) -> bool {
    error.code() == Some("EntityNotExist.Role")
}

/// Runs `write`, a write naming the role `name` that this apply has just created, again while RAM answers
/// `EntityNotExist.Role`: a new role reaches the replicas that check writes after a while, as it reaches reads
/// (alicloud provider PR #3945), so within `timeout` that answer means "not yet".
pub async fn after_create<T, F, Fut>(
    name: &str,
    timeout: Duration,
    cancel: &CancellationToken,
    mut write: F,
) -> Result<T, ClientError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ClientError>>,
{
    propagation(timeout)
        .until(cancel, "writing to the new role", || {
            let attempt = write();
            async move {
                match attempt.await {
                    Err(e) if is_role_unknown(&e) => {
                        tracing::debug!(role = name, "the new role is not known to writes yet");
                        Ok(Polled::NotYet(e))
                    }
                    Err(e) => Err(e),
                    Ok(value) => Ok(Polled::Settled(value)),
                }
            }
        })
        .await?
}

/// The policy type of an attached policy as the API reports it.
pub fn policy_type(attached: &AttachedPolicy) -> PolicyType {
    if attached.policy_type.eq_ignore_ascii_case("Custom") {
        PolicyType::Custom
    } else {
        PolicyType::System
    }
}

/// Attaches a system policy; one that is already attached counts as attached (a retried apply).
pub async fn attach_system_policy(
    api: &AliCloudClient,
    role: &str,
    policy: &str,
) -> Result<(), ClientError> {
    match api
        .attach_policy_to_role(role, PolicyType::System, policy)
        .await
    {
        Err(e) if e.is(ErrorKind::AlreadyExists) => Ok(()),
        other => other.map(drop),
    }
}

/// Detaches a policy; one that is no longer attached counts as detached.
pub async fn detach_policy(
    api: &AliCloudClient,
    role: &str,
    policy: &str,
    kind: PolicyType,
) -> Result<(), ClientError> {
    match api.detach_policy_from_role(role, kind, policy).await {
        Err(e) if e.is_not_found() => Ok(()),
        other => other.map(drop),
    }
}

/// Makes the role's tags exactly `desired`, given that it has `tags`. Each call that succeeds is applied to `tags`
/// at once, so after a failure part-way (a Stop included) `tags` is what the role has.
pub async fn sync_tags(
    api: &AliCloudClient,
    role: &str,
    tags: &mut BTreeMap<String, String>,
    desired: &BTreeMap<String, String>,
) -> Result<(), ClientError> {
    let names = [role.to_owned()];
    let removed: Vec<String> = tags
        .keys()
        .filter(|k| !desired.contains_key(*k))
        .cloned()
        .collect();
    if !removed.is_empty() {
        api.untag_roles(&names, &TagKeys::Keys(removed.clone()))
            .await?;
        for key in &removed {
            tags.remove(key);
        }
    }
    let changed: Vec<Tag> = desired
        .iter()
        .filter(|(k, v)| tags.get(*k) != Some(v))
        .map(|(k, v)| Tag::new(k.clone(), v.clone()))
        .collect();
    if !changed.is_empty() {
        api.tag_roles(&names, &changed).await?;
        tags.extend(changed.into_iter().map(|t| (t.key, t.value)));
    }
    Ok(())
}

/// Deletes a role: detaches every policy (also ones attached by hand), then deletes, retrying while detaches
/// propagate. A role already gone counts as deleted.
///
/// `known` are the policies the state says are attached (a refresh just listed them): they are detached as
/// system policies without listing them again. Only when DeleteRole still finds attachments (one attached by
/// hand since, a custom one, or a detach not yet visible) are the attachments listed, with their types.
pub async fn delete_role(
    api: &AliCloudClient,
    name: &str,
    known: &BTreeSet<String>,
    cancel: &CancellationToken,
) -> Result<(), ClientError> {
    for policy in known {
        detach_policy(api, name, policy, PolicyType::System).await?;
    }
    // At the deadline, the last conflict is the error.
    DELETE_CONFLICT
        .until(cancel, "DeleteRole", || async {
            match api.delete_role(name).await {
                Ok(_) => Ok(Polled::Settled(())),
                Err(e) if e.is_not_found() => Ok(Polled::Settled(())),
                Err(conflict) if conflict.is(ErrorKind::Conflict) => {
                    tracing::debug!(role = name, "role still has attachments; detaching them");
                    let attached = match api.list_policies_for_role(name).await {
                        Ok(p) => p.policies.policy,
                        Err(e) if e.is_not_found() => return Ok(Polled::Settled(())),
                        Err(e) => return Err(e),
                    };
                    for policy in &attached {
                        detach_policy(api, name, &policy.policy_name, policy_type(policy)).await?;
                    }
                    Ok(Polled::NotYet(conflict))
                }
                Err(e) => Err(e),
            }
        })
        .await?
}
