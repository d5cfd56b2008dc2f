//! InvokeAction: runs an action and streams what it reports. Whatever happens (unknown type, configuration not
//! known, provider not configured, the action's own failure), the stream ends with exactly one
//! [`ActionEvent::Completed`] carrying the diagnostics: Terraform reads failures from it, and a stream that ends
//! without one passes silently.

use super::Engine;
use crate::framework::action::{
    ActionEvent, ActionProgress, InvokeActionRequest, InvokeActionResponse,
};
use crate::framework::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::provider::Provider;
use crate::framework::value::Value;
use tokio::sync::mpsc;

impl<P: Provider> Engine<P> {
    /// Invokes `type_name` with `config`, sending progress and then the one completion into `events`.
    pub async fn invoke_action(
        &self,
        type_name: &str,
        config: Value,
        events: mpsc::Sender<ActionEvent>,
    ) {
        let diagnostics = self
            .run_action(type_name, config, ActionProgress::new(events.clone()))
            .await;
        // When Terraform has stopped listening there is no one to tell.
        let _ = events.send(ActionEvent::Completed(diagnostics)).await;
    }

    async fn run_action(
        &self,
        type_name: &str,
        config: Value,
        progress: ActionProgress,
    ) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        let action = match self.action(type_name) {
            Ok(a) => a,
            Err(d) => return d.into(),
        };
        if !config.is_wholly_known() {
            // Terraform refuses this itself ("Action configuration unknown during apply"); a second guard keeps
            // the action from ever seeing an unknown.
            diagnostics.push(Diagnostic::error(
                "Action Configuration Unknown",
                format!(
                    "The configuration of {type_name} still holds values known only after apply, so it cannot \
                     run. Apply the resources it refers to first."
                ),
            ));
            return diagnostics;
        }
        let Some(client) = self.configured_client(&mut diagnostics) else {
            return diagnostics;
        };
        let mut resp = InvokeActionResponse::default();
        action
            .handler
            .invoke(
                &self.context(),
                &client,
                InvokeActionRequest { config },
                &progress,
                &mut resp,
            )
            .await;
        diagnostics.extend(resp.diagnostics);
        diagnostics
    }
}
