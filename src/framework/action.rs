//! The action interface (Terraform 1.14+): an operation Terraform invokes on its own (`terraform apply
//! -invoke=action.TYPE.NAME`) or after a resource changes (`lifecycle { action_trigger { ... } }`). An action
//! never reads or writes state; it reports progress while it runs and ends with diagnostics.

use super::context::Context;
use super::diagnostics::Diagnostics;
use super::schema::Schema;
use super::value::Value;
use async_trait::async_trait;
use tokio::sync::mpsc;

/// Plan an action invocation.
#[derive(Debug)]
pub struct PlanActionRequest {
    /// The `config` block; null when the `action` block has none, and it may hold unknowns.
    pub config: Value,
}

/// Plan result: errors fail the plan, warnings are shown with it.
#[derive(Debug, Default)]
pub struct PlanActionResponse {
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

/// Invoke an action.
#[derive(Debug)]
pub struct InvokeActionRequest {
    /// The `config` block, wholly known; null when the `action` block has none.
    pub config: Value,
}

/// Invoke result: the diagnostics Terraform shows once the action has finished. An error fails the apply.
#[derive(Debug, Default)]
pub struct InvokeActionResponse {
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

/// What an invocation streams to Terraform: progress messages, then exactly one completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionEvent {
    /// A line Terraform prints while the action runs.
    Progress(String),
    /// The end of the invocation, with its diagnostics.
    Completed(Diagnostics),
}

/// Where a running action reports progress.
#[derive(Debug, Clone)]
pub struct ActionProgress(mpsc::Sender<ActionEvent>);

impl ActionProgress {
    /// Progress sent into `sender`.
    pub fn new(sender: mpsc::Sender<ActionEvent>) -> ActionProgress {
        ActionProgress(sender)
    }

    /// Sends one progress message; false when Terraform stopped listening.
    pub async fn send(&self, message: impl Into<String>) -> bool {
        self.0
            .send(ActionEvent::Progress(message.into()))
            .await
            .is_ok()
    }
}

/// An action type. `C` is the client the provider's configure produced.
#[async_trait]
pub trait Action<C: Send + Sync>: Send + Sync {
    /// The full type name, such as `aliram_verify_assume_role`.
    fn type_name(&self) -> &'static str;

    /// The schema of the `config` block. Actions have no computed or sensitive attributes: Terraform keeps no
    /// value of theirs.
    fn schema(&self) -> Schema;

    /// Extension: checks a configuration beyond attribute validators. Values may be unknown.
    fn validate_config(&self, _config: &Value, _diagnostics: &mut Diagnostics) {}

    /// Extension: checks at plan time, before Terraform decides to invoke. `client` is `None` while the provider
    /// block is not known yet.
    async fn plan(
        &self,
        _ctx: &Context,
        _client: Option<&C>,
        _req: PlanActionRequest,
        _resp: &mut PlanActionResponse,
    ) {
    }

    /// Runs the action, reporting progress through `progress`.
    async fn invoke(
        &self,
        ctx: &Context,
        client: &C,
        req: InvokeActionRequest,
        progress: &ActionProgress,
        resp: &mut InvokeActionResponse,
    );
}
