//! The client handle resources use: a transport, the credentials that sign, and the provider's stop token.

use super::credentials::CredentialsProvider;
use super::effect::Effect;
use super::error::ClientError;
use super::params::ActionParams;
use super::service::Service;
use super::transport::{ClientBuildError, ClientConfig, Signer, Transport};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// A RAM + STS client for one set of credentials. Cheap to clone; clones share the connection pool and the
/// flow control. The typed calls are in the `ram` and `sts` modules.
#[derive(Debug, Clone)]
pub struct AliCloudClient {
    transport: Transport,
    credentials: Arc<dyn CredentialsProvider>,
    cancel: CancellationToken,
}

impl AliCloudClient {
    /// A client over an existing transport (share one transport between the credential chain and the
    /// client so both use one pool and one flow control). Calls end with [`ClientError::Cancelled`] once
    /// `cancel` fires.
    pub fn new(
        transport: Transport,
        credentials: Arc<dyn CredentialsProvider>,
        cancel: CancellationToken,
    ) -> Self {
        Self {
            transport,
            credentials,
            cancel,
        }
    }

    /// A client with its own transport built from `config`.
    pub fn from_config(
        config: &ClientConfig,
        credentials: Arc<dyn CredentialsProvider>,
        cancel: CancellationToken,
    ) -> Result<Self, ClientBuildError> {
        Ok(Self::new(Transport::new(config)?, credentials, cancel))
    }

    /// The same transport and stop token with other credentials.
    pub fn with_credentials(&self, credentials: Arc<dyn CredentialsProvider>) -> Self {
        Self::new(self.transport.clone(), credentials, self.cancel.clone())
    }

    /// A client for another account, signing with `credentials` (a session in that account): the same connection
    /// pool, rate cap and stop token, and flow control of its own (RAM's budget is per account and action).
    pub fn for_another_account(&self, credentials: Arc<dyn CredentialsProvider>) -> Self {
        Self::new(
            self.transport.for_another_account(),
            credentials,
            self.cancel.clone(),
        )
    }

    /// The transport this client uses.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// Whether this client's transport (its account) has started a write: what was read before may be stale.
    pub fn has_written(&self) -> bool {
        self.transport.has_written()
    }

    /// The credentials provider this client signs with.
    pub fn credentials(&self) -> &Arc<dyn CredentialsProvider> {
        &self.credentials
    }

    /// Calls `action`, which has `effect` (what Stop may cut short depends on it).
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        service: Service,
        action: &'static str,
        effect: Effect,
        params: ActionParams,
    ) -> Result<T, ClientError> {
        self.transport
            .call(
                Signer::Credentials(self.credentials.as_ref()),
                &self.cancel,
                service,
                action,
                effect,
                params,
            )
            .await
    }
}
