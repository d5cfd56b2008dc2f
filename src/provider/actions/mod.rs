//! Actions (Terraform 1.14+): operations Terraform invokes on their own or after a resource changes, never
//! touching state.

mod verify_assume_role;

use super::client::ProviderClient;
use crate::framework::action::Action;
use std::sync::Arc;

/// Every action type the provider offers.
pub fn all() -> Vec<Arc<dyn Action<ProviderClient>>> {
    vec![Arc::new(verify_assume_role::VerifyAssumeRole)]
}
