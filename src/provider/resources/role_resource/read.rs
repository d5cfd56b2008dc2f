//! Read (ReadResource): the refresh, with drift detection; "gone" only when GetRole says so.

use super::{RoleKind, account_client, capitalised, recorded_account};
use crate::framework::context::Context;
use crate::framework::resource::{ReadRequest, ReadResponse};
use crate::framework::value::Value;
use crate::provider::client::{ProviderClient, api_diagnostic};
use crate::provider::domain::trust_policy::own_account_rewrite;
use crate::provider::resources::attributes;
use crate::provider::resources::role_api::find_role;
use crate::provider::resources::role_state::flatten;
use crate::ram::account::AccountId;
use crate::ram::trust_policy::TrustPolicy;

/// Refreshes a role from RAM.
pub(super) async fn read<K: RoleKind>(
    ctx: &Context,
    client: &ProviderClient,
    req: ReadRequest,
    resp: &mut ReadResponse,
) {
    let name = req
        .state
        .attr(attributes::ID)
        .as_str()
        .or(req.state.attr(attributes::ROLE_NAME).as_str())
        .unwrap_or_default()
        .to_owned();
    // Before any call that names the role: in another account the role would read as gone. The role is read
    // in the account its state records, through the access role when that is not this instance's.
    let target = match account_client(client, recorded_account(&req.state), &name).await {
        Ok(target) => target,
        Err(d) => {
            resp.diagnostics.push(d);
            return;
        }
    };
    let client = &*target;
    let remote = match find_role(&client.api, &client.tags, &name, &ctx.cancel).await {
        Ok(Some(remote)) => remote,
        Ok(None) => {
            tracing::warn!(role = %name, "role no longer exists; removing it from the state");
            resp.state = Value::Null;
            return;
        }
        Err(e) => {
            let mut d = api_diagnostic(&format!("reading role {name}"), &e);
            if e.is_not_found() {
                d.detail.push_str(&format!(
                    " GetRole found role {name}, but this list kept saying it does not exist: a RAM replica is lagging. The role stays in the state; run the command again."
                ));
            }
            resp.diagnostics.push(d);
            return;
        }
    };
    let drift = flatten(&remote, &mut resp.state);

    K::infer(&mut resp.state);
    if !drift.changes.is_empty() {
        resp.diagnostics.add_warning(
            "Trust Policy Changed Outside Terraform",
            format!(
                "The trust policy of role {name} no longer matches the configuration: {}.",
                drift.changes.join("; ")
            ),
        );
    }
    let owner = AccountId::from_ram_arn(&remote.role.arn);
    let document = remote
        .role
        .assume_role_policy_document
        .as_deref()
        .and_then(|d| TrustPolicy::parse(d).ok());
    if let (Some(_), Some(owner), Some(document)) = (K::SERVICE, owner, document)
        && let Some(rewrite) = own_account_rewrite(&document, &owner)
    {
        resp.diagnostics.add_warning(
            "Role Trusts Its Own Account",
            capitalised(&rewrite.to_string()),
        );
    }
}
