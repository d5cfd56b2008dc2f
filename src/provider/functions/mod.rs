//! Provider-defined functions: `provider::aliram::<name>(...)`.

mod trust_policy;
mod trust_policy_comparison;

use crate::framework::function::Function;
use std::sync::Arc;

/// Every function the provider offers.
pub fn all() -> Vec<Arc<dyn Function>> {
    let mut functions: Vec<Arc<dyn Function>> = trust_policy::FUNCTIONS
        .iter()
        .map(|f| Arc::new(*f) as Arc<dyn Function>)
        .collect();
    functions.push(Arc::new(trust_policy_comparison::TrustPolicyEqual));
    functions.push(Arc::new(trust_policy_comparison::NormalizeTrustPolicy));
    functions
}
