//! Provider-defined functions: `provider::aliram::<name>(...)`.

mod trust_policy;

use crate::framework::function::Function;
use std::sync::Arc;

/// Every function the provider offers.
pub fn all() -> Vec<Arc<dyn Function>> {
    trust_policy::FUNCTIONS
        .iter()
        .map(|f| Arc::new(*f) as Arc<dyn Function>)
        .collect()
}
