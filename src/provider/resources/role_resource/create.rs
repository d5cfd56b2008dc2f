//! Create (ApplyResourceChange from nothing): CreateRole, safe to repeat, then the attachments, then the
//! read-after-write; the state records the role from the moment it exists.

use super::{RoleKind, not_yet_visible, role_target};
use crate::framework::context::Context;
use crate::framework::resource::{CreateRequest, CreateResponse};
use crate::framework::value::Value;
use crate::provider::alicloud::ram::{CreateRoleRequest, Role, Tag};
use crate::provider::alicloud::{AliCloudClient, ClientError, ErrorKind};
use crate::provider::client::{ProviderClient, api_diagnostic};
use crate::provider::resources::attributes;
use crate::provider::resources::role_api::{after_create, attach_system_policy, wait_role_visible};
use crate::provider::resources::role_state::{expand, flatten_computed};
use crate::ram::account::AccountId;
use crate::ram::trust_policy::policies_equivalent;

/// CreateRole, safe to repeat. When a retried CreateRole meets `EntityAlreadyExists.Role` after an earlier attempt
/// of this very call was sent and got no answer, that attempt may have created the role: a role of that name with
/// the same trust policy is then taken as the one created. When every earlier attempt was answered (a clean
/// `ServiceUnavailable` or throttling creates nothing), or the trust policy differs, the role is someone else's and
/// the error stands, so Terraform never takes over (and may later destroy) a role it did not make.
async fn create_or_adopt(
    api: &AliCloudClient,
    request: &CreateRoleRequest,
) -> Result<Role, ClientError> {
    let error = match api.create_role(request).await {
        Ok(created) => return Ok(created.role),
        Err(e) => e,
    };
    let own_attempt_may_have_created = error
        .api_error()
        .is_some_and(|a| a.unanswered_attempts() > 0);
    if !(own_attempt_may_have_created && error.is(ErrorKind::AlreadyExists)) {
        return Err(error);
    }
    let existing = match api.get_role(&request.role_name).await {
        Ok(found) => found.role,
        // Stop cut the check short: the role may be this apply's, but unverified it is left for an import, which
        // the AlreadyExists error tells the user to do.
        Err(e) if e.is_cancelled() => return Err(error),
        Err(e) => return Err(e),
    };
    let owner = AccountId::from_ram_arn(&existing.arn);
    let document = existing
        .assume_role_policy_document
        .as_deref()
        .unwrap_or_default();
    if policies_equivalent(
        document,
        &request.assume_role_policy_document,
        owner.as_ref(),
    ) {
        tracing::info!(role = %request.role_name, "adopting the role an earlier CreateRole attempt, whose answer was lost, created");
        Ok(existing)
    } else {
        Err(error)
    }
}

/// Creates a role with its attachments.
pub(super) async fn create<K: RoleKind>(
    ctx: &Context,
    client: &ProviderClient,
    req: CreateRequest,
    resp: &mut CreateResponse,
) {
    let (_, target) = match role_target(client, &req.planned).await {
        Ok(found) => found,
        Err(d) => {
            resp.diagnostics.push(d);
            return;
        }
    };
    let client = &*target;
    let spec = expand(&req.planned);
    let request = CreateRoleRequest {
        role_name: spec.name.clone(),
        assume_role_policy_document: spec.trust_policy.clone(),
        description: spec.description.clone(),
        max_session_duration: u32::try_from(spec.max_session_duration).ok(),
        allow_console_login: None,
        tags: spec
            .tags
            .iter()
            .map(|(k, v)| Tag::new(k.clone(), v.clone()))
            .collect(),
    };
    let created = match create_or_adopt(&client.api, &request).await {
        Ok(role) => role,
        Err(e) => {
            let mut d = api_diagnostic(&format!("creating role {}", spec.name), &e);
            if e.is(ErrorKind::AlreadyExists) {
                d.detail.push_str(&format!(
                    " A role named {:?} already exists in this account: import it (`terraform import {}.<name> {}`) or choose another role_name.",
                    spec.name, K::TYPE_NAME, spec.name
                ));
            }
            resp.diagnostics.push(d);
            return;
        }
    };

    // The role exists from here on: the response's state says so at every exit, so nothing is orphaned.
    resp.state = req.planned.clone();
    flatten_computed(&created, &mut resp.state);
    if resp.state.attr(attributes::DESCRIPTION).is_unknown() {
        let description = created.description.as_deref().filter(|d| !d.is_empty());
        resp.state.set_attr(
            attributes::DESCRIPTION,
            description.map(str::to_owned).into(),
        );
    }
    let mut attached = Vec::new();
    for policy in &spec.policy_names {
        resp.state.set_attr(
            attributes::POLICY_NAMES,
            Value::string_set(attached.iter().cloned()),
        );
        let attach = after_create(&spec.name, client.propagation_timeout, &ctx.cancel, || {
            attach_system_policy(&client.api, &spec.name, policy)
        });
        if let Err(e) = attach.await {
            resp.diagnostics.push(api_diagnostic(
                &format!("attaching {policy} to role {}", spec.name),
                &e,
            ));
            return;
        }
        attached.push(policy.clone());
    }
    resp.state
        .set_attr(attributes::POLICY_NAMES, Value::string_set(attached));

    // Every write was acknowledged: the role is complete, and the state says so. A read that has not caught up
    // is worth a warning, never an error, which would taint a complete role and replace it on the next apply.
    let visible = wait_role_visible(
        &client.api,
        &spec.name,
        &spec.policy_names,
        client.propagation_timeout,
        &ctx.cancel,
    )
    .await;
    if let Some(warning) = not_yet_visible(&spec.name, "was created", visible) {
        resp.diagnostics.push(warning);
    }
}
