//! PlanAction: called once per invocation Terraform plans (per triggering resource instance and event, or once
//! for `-invoke`), before anything is invoked. Errors fail the plan.

use super::Engine;
use crate::framework::action::{PlanActionRequest, PlanActionResponse};
use crate::framework::diagnostics::Diagnostics;
use crate::framework::provider::Provider;
use crate::framework::value::Value;

impl<P: Provider> Engine<P> {
    /// Plans an invocation of `type_name` with `config` (which may hold unknowns, or be null).
    pub async fn plan_action(&self, type_name: &str, config: Value) -> Diagnostics {
        let action = match self.action(type_name) {
            Ok(a) => a,
            Err(d) => return d.into(),
        };
        // Unlike a resource's apply, a plan may meet an unconfigured provider (its block depends on resources not
        // created yet): the action is told, not refused.
        let client = self.client();
        let mut resp = PlanActionResponse::default();
        action
            .handler
            .plan(
                &self.context(),
                client.as_deref(),
                PlanActionRequest { config },
                &mut resp,
            )
            .await;
        resp.diagnostics
    }
}
