//! The action-specific parameters of one request, in the shapes RPC style wants: plain strings, optional
//! values left out entirely, and lists serialised as JSON strings (`Tag`, `ResourceNames`, `TagKeys`).

use serde_json::Value;

/// The parameters of one action, besides the common ones the transport adds.
#[derive(Default, Clone)]
pub(crate) struct ActionParams(Vec<(&'static str, String)>);

impl std::fmt::Debug for ActionParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A value may be a secret (the OIDC token of AssumeRoleWithOIDC): names only.
        f.debug_list()
            .entries(self.0.iter().map(|(name, _)| name))
            .finish()
    }
}

impl ActionParams {
    /// No parameters.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds `name=value`.
    pub(crate) fn set(mut self, name: &'static str, value: impl ToString) -> Self {
        self.0.push((name, value.to_string()));
        self
    }

    /// Adds `name=value` when there is a value; an absent value is not sent (and so not signed).
    pub(crate) fn set_opt(self, name: &'static str, value: Option<impl ToString>) -> Self {
        match value {
            Some(value) => self.set(name, value),
            None => self,
        }
    }

    /// Adds a JSON document as a string parameter, e.g. `Tag=[{"Key":"k","Value":"v"}]`.
    pub(crate) fn set_json(self, name: &'static str, value: Value) -> Self {
        self.set(name, value)
    }

    pub(crate) fn into_pairs(self) -> impl Iterator<Item = (&'static str, String)> {
        self.0.into_iter()
    }
}
