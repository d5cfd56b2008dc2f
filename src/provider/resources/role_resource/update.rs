//! Update (ApplyResourceChange in place): UpdateRole for what changed, attachments and tags made exact; each
//! step recorded as it lands.

use super::{RoleKind, not_yet_visible, role_target};
use crate::framework::context::Context;
use crate::framework::resource::{UpdateRequest, UpdateResponse};
use crate::framework::value::Value;
use crate::provider::alicloud::ram::UpdateRoleRequest;
use crate::provider::client::{ProviderClient, api_diagnostic};
use crate::provider::resources::attributes;
use crate::provider::resources::role_api::{
    attach_system_policy, detach_policy, policy_type, sync_tags, wait_role_visible,
};
use crate::provider::resources::role_state::{expand, string_map, string_set};

/// Updates a role in place.
pub(super) async fn update<K: RoleKind>(
    ctx: &Context,
    client: &ProviderClient,
    req: UpdateRequest,
    resp: &mut UpdateResponse,
) {
    let (_, target) = match role_target(client, &req.prior).await {
        Ok(found) => found,
        Err(d) => {
            resp.diagnostics.push(d);
            return;
        }
    };
    let client = &*target;
    let spec = expand(&req.planned);
    let name = spec.name.clone();
    let prior = &req.prior;
    // resp.state starts as the prior state; each step records what it changed, so a failure returns what exists.

    let trust_changed =
        req.planned.attr(attributes::TRUST_POLICY) != prior.attr(attributes::TRUST_POLICY);
    // A description left out of the configuration is planned unknown when the role has none (the prior value is
    // null, so it cannot be kept from the state): RAM cannot clear a description, so that is never a change.
    let planned_description = req.planned.attr(attributes::DESCRIPTION);
    let description_changed = !planned_description.is_unknown()
        && !planned_description.is_null()
        && planned_description != prior.attr(attributes::DESCRIPTION);
    let duration_changed = req.planned.attr(attributes::MAX_SESSION_DURATION)
        != prior.attr(attributes::MAX_SESSION_DURATION);
    if trust_changed || description_changed || duration_changed {
        let update = UpdateRoleRequest {
            role_name: name.clone(),
            new_assume_role_policy_document: trust_changed.then(|| spec.trust_policy.clone()),
            new_description: description_changed
                .then(|| spec.description.clone().unwrap_or_default()),
            new_max_session_duration: duration_changed
                .then(|| u32::try_from(spec.max_session_duration).ok())
                .flatten(),
            new_allow_console_login: None,
        };
        if let Err(e) = client.api.update_role(&update).await {
            resp.diagnostics
                .push(api_diagnostic(&format!("updating role {name}"), &e));
            return;
        }
        for attribute in [attributes::TRUST_POLICY, attributes::MAX_SESSION_DURATION] {
            resp.state
                .set_attr(attribute, req.planned.attr(attribute).clone());
        }
        if description_changed {
            resp.state
                .set_attr(attributes::DESCRIPTION, planned_description.clone());
        }
    }

    // Attachments are managed exclusively: attach what is missing, detach what was attached by hand. The prior
    // state holds what the refresh listed, so only a detach, which needs each policy's type, lists again.
    let mut names = string_set(prior.attr(attributes::POLICY_NAMES));
    let missing: Vec<String> = spec.policy_names.difference(&names).cloned().collect();
    for policy in &missing {
        if let Err(e) = attach_system_policy(&client.api, &name, policy).await {
            resp.state
                .set_attr(attributes::POLICY_NAMES, Value::string_set(names));
            resp.diagnostics.push(api_diagnostic(
                &format!("attaching {policy} to role {name}"),
                &e,
            ));
            return;
        }
        names.insert(policy.clone());
    }
    if !names.is_subset(&spec.policy_names) {
        let current = match client.api.list_policies_for_role(&name).await {
            Ok(p) => p.policies.policy,
            Err(e) => {
                resp.state
                    .set_attr(attributes::POLICY_NAMES, Value::string_set(names));
                resp.diagnostics.push(api_diagnostic(
                    &format!("listing the policies of role {name}"),
                    &e,
                ));
                return;
            }
        };
        for extra in current
            .iter()
            .filter(|c| !spec.policy_names.contains(&c.policy_name))
        {
            if let Err(e) =
                detach_policy(&client.api, &name, &extra.policy_name, policy_type(extra)).await
            {
                resp.state
                    .set_attr(attributes::POLICY_NAMES, Value::string_set(names));
                resp.diagnostics.push(api_diagnostic(
                    &format!("detaching {} from role {name}", extra.policy_name),
                    &e,
                ));
                return;
            }
            names.remove(&extra.policy_name);
        }
        names.retain(|n| spec.policy_names.contains(n));
    }
    resp.state
        .set_attr(attributes::POLICY_NAMES, Value::string_set(names));

    let mut tags = string_map(prior.attr(attributes::TAGS));
    if let Err(e) = sync_tags(&client.api, &name, &mut tags, &spec.tags).await {
        // What the calls that succeeded did (an untag before a failed tag), as a refresh would read it.
        let had_tags = !prior.attr(attributes::TAGS).is_null();
        if had_tags || !tags.is_empty() {
            resp.state
                .set_attr(attributes::TAGS, Value::string_map(tags));
        }
        resp.diagnostics
            .push(api_diagnostic(&format!("tagging role {name}"), &e));
        return;
    }
    resp.state = req.planned.clone();
    if !description_changed {
        resp.state.set_attr(
            attributes::DESCRIPTION,
            prior.attr(attributes::DESCRIPTION).clone(),
        );
    }

    // Only new attachments need to become visible; the role itself existed before.
    if missing.is_empty() {
        return;
    }
    let visible = wait_role_visible(
        &client.api,
        &name,
        &spec.policy_names,
        client.propagation_timeout,
        &ctx.cancel,
    )
    .await;
    if let Some(warning) = not_yet_visible(&name, "got its new policies", visible) {
        resp.diagnostics.push(warning);
    }
}
