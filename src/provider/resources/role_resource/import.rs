//! ImportResourceState: by role name, or by resource identity (Terraform 1.12 and later).

use super::{RoleKind, capitalised};
use crate::framework::resource::{ImportRequest, ImportResponse};
use crate::framework::value::Value;
use crate::provider::client::ProviderClient;
use crate::provider::resources::attributes;
use crate::provider::resources::role_identity;
use crate::ram::role_rules::check_role_name;

/// Imports a role.
pub(super) async fn import_state<K: RoleKind>(
    client: &ProviderClient,
    req: ImportRequest,
    resp: &mut ImportResponse,
) {
    if !req.identity.is_null() {
        match role_identity::import_by_identity(K::TYPE_NAME, client, &req.identity).await {
            Ok(state) => resp.state = state,
            Err(d) => resp.diagnostics.push(d),
        }
        return;
    }
    if let Err(e) = check_role_name(&req.id) {
        resp.diagnostics.add_error(
            "Invalid Import ID",
            format!(
                "{} is imported by role name. {}",
                K::TYPE_NAME,
                capitalised(&e.to_string())
            ),
        );
        return;
    }
    resp.state = Value::object([
        (attributes::ID, Value::string(&req.id)),
        (attributes::ROLE_NAME, Value::string(&req.id)),
    ]);
}
