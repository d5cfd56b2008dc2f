//! The RAM calls behind a role's lifecycle, in the shape the resources need: `find` (one read of everything a
//! role is, its calls made concurrently), `wait` (read-after-write for eventual consistency), and the exclusive
//! management of attachments and tags. No Terraform types here.

use crate::provider::alicloud::ram::{
    AttachedPolicy, ListTagResourcesRequest, PolicyType, Role, Tag, TagKeys,
};
use crate::provider::alicloud::{AliCloudClient, ClientError, ErrorKind};
use crate::provider::domain::role_rules::reserved_tag_key_text;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// How long a new role or attachment may take to become visible to reads. RAM is eventually consistent; two
/// minutes, as mature providers use for IAM, bounds the wait without leaving a user hanging on a real failure.
pub const PROPAGATION_TIMEOUT: Duration = Duration::from_secs(120);
/// First pause between read-after-write polls; it doubles up to [`MAX_POLL_INTERVAL`].
const FIRST_POLL_INTERVAL: Duration = Duration::from_millis(100);
const MAX_POLL_INTERVAL: Duration = Duration::from_secs(5);
/// How long DeleteRole may keep answering `DeleteConflict.Role.Policy` while detaches propagate.
pub const DELETE_CONFLICT_TIMEOUT: Duration = Duration::from_secs(60);

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

/// Reads everything a role is; `None` when it does not exist. The three reads run concurrently.
pub async fn find_role(
    api: &AliCloudClient,
    name: &str,
) -> Result<Option<RemoteRole>, ClientError> {
    let tag_request = ListTagResourcesRequest {
        resource_names: vec![name.to_owned()],
        ..Default::default()
    };
    let (role, policies, tags) = tokio::join!(
        api.get_role(name),
        api.list_policies_for_role(name),
        api.list_role_tags(&tag_request)
    );
    let role = match role {
        Ok(r) => r.role,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e),
    };
    let policies = match policies {
        Ok(p) => p.policies.policy,
        // Deleted between the two reads.
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e),
    };
    let tags = tags?
        .into_iter()
        .filter(|t| t.resource_name == name && reserved_tag_key_text(&t.tag_key).is_none())
        .map(|t| (t.tag_key, t.tag_value))
        .collect();
    Ok(Some(RemoteRole {
        role,
        policies,
        tags,
    }))
}

/// Polls [`find_role`] until the role exists with every policy of `policies` attached, within
/// [`PROPAGATION_TIMEOUT`]. Returns the last read, or `None` if the role never became visible.
pub async fn wait_role_visible(
    api: &AliCloudClient,
    name: &str,
    policies: &BTreeSet<String>,
    cancel: &CancellationToken,
) -> Result<Option<RemoteRole>, ClientError> {
    let deadline = Instant::now() + PROPAGATION_TIMEOUT;
    let mut interval = FIRST_POLL_INTERVAL;
    loop {
        let found = find_role(api, name).await?;
        let settled = found
            .as_ref()
            .is_some_and(|r| policies.is_subset(&r.policy_names()));
        if settled || Instant::now() + interval > deadline {
            return Ok(found);
        }
        tracing::debug!(
            role = name,
            "waiting for the role and its attachments to become visible"
        );
        pause(interval, cancel, "GetRole").await?;
        interval = (interval * 2).min(MAX_POLL_INTERVAL);
    }
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

/// Makes the role's tags exactly `desired`, given that it has `current`.
pub async fn sync_tags(
    api: &AliCloudClient,
    role: &str,
    current: &BTreeMap<String, String>,
    desired: &BTreeMap<String, String>,
) -> Result<(), ClientError> {
    let names = [role.to_owned()];
    let removed: Vec<String> = current
        .keys()
        .filter(|k| !desired.contains_key(*k))
        .cloned()
        .collect();
    if !removed.is_empty() {
        api.untag_roles(&names, &TagKeys::Keys(removed)).await?;
    }
    let changed: Vec<Tag> = desired
        .iter()
        .filter(|(k, v)| current.get(*k) != Some(v))
        .map(|(k, v)| Tag::new(k.clone(), v.clone()))
        .collect();
    if !changed.is_empty() {
        api.tag_roles(&names, &changed).await?;
    }
    Ok(())
}

/// Deletes a role: detaches every policy (also ones attached by hand), then deletes, retrying while detaches
/// propagate. A role already gone counts as deleted.
pub async fn delete_role(
    api: &AliCloudClient,
    name: &str,
    cancel: &CancellationToken,
) -> Result<(), ClientError> {
    let attached = match api.list_policies_for_role(name).await {
        Ok(p) => p.policies.policy,
        Err(e) if e.is_not_found() => return Ok(()),
        Err(e) => return Err(e),
    };
    for policy in &attached {
        detach_policy(api, name, &policy.policy_name, policy_type(policy)).await?;
    }
    let deadline = Instant::now() + DELETE_CONFLICT_TIMEOUT;
    let mut interval = FIRST_POLL_INTERVAL;
    loop {
        match api.delete_role(name).await {
            Ok(_) => return Ok(()),
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) if e.is(ErrorKind::Conflict) && Instant::now() + interval < deadline => {
                tracing::debug!(
                    role = name,
                    "role still has attachments; retrying the delete"
                );
                pause(interval, cancel, "DeleteRole").await?;
                interval = (interval * 2).min(MAX_POLL_INTERVAL);
            }
            Err(e) => return Err(e),
        }
    }
}

/// Sleeps for `interval`, or gives up at once when Terraform sends Stop.
async fn pause(
    interval: Duration,
    cancel: &CancellationToken,
    action: &str,
) -> Result<(), ClientError> {
    tokio::select! {
        () = tokio::time::sleep(interval) => Ok(()),
        () = cancel.cancelled() => Err(ClientError::Cancelled { action: action.to_owned() }),
    }
}
