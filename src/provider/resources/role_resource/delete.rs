//! Delete (ApplyResourceChange to nothing): every attachment, then the role.

use super::{RoleKind, role_target};
use crate::framework::context::Context;
use crate::framework::resource::{DeleteRequest, DeleteResponse};
use crate::provider::client::{ProviderClient, api_diagnostic};
use crate::provider::resources::attributes;
use crate::provider::resources::role_api::delete_role;
use crate::provider::resources::role_state::string_set;

/// Deletes a role and everything attached to it.
pub(super) async fn delete<K: RoleKind>(
    ctx: &Context,
    client: &ProviderClient,
    req: DeleteRequest,
    resp: &mut DeleteResponse,
) {
    let (name, target) = match role_target(client, &req.prior).await {
        Ok(found) => found,
        Err(d) => {
            resp.diagnostics.push(d);
            return;
        }
    };
    let client = &*target;
    let known = string_set(req.prior.attr(attributes::POLICY_NAMES));
    if let Err(e) = delete_role(&client.api, &name, &known, &ctx.cancel).await {
        resp.diagnostics
            .push(api_diagnostic(&format!("deleting role {name}"), &e));
    }
}
