//! ConfigureProvider: turns the provider block into the client every later call uses.

use super::Engine;
use crate::framework::diagnostics::Diagnostics;
use crate::framework::provider::{ConfigureRequest, ConfigureResponse, Provider};
use crate::framework::value::Value;
use std::sync::Arc;

impl<P: Provider> Engine<P> {
    /// Configures the provider and keeps the client it produces.
    pub async fn configure(&self, terraform_version: String, config: Value) -> Diagnostics {
        let mut resp = ConfigureResponse::default();
        let req = ConfigureRequest {
            config,
            terraform_version,
        };
        self.provider
            .configure(&self.context(), req, &mut resp)
            .await;
        if let (Some(client), Ok(mut slot)) = (resp.client, self.client.write()) {
            *slot = Some(Arc::new(client));
        }
        resp.diagnostics
    }
}
