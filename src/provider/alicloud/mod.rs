//! The Alibaba Cloud RAM and STS client: request signing, HTTP transport, typed calls, errors and retries,
//! the credential chain, and endpoint resolution.
//!
//! Typical use by the provider configuration:
//! ```no_run
//! # use terraform_provider_aliram::provider::alicloud::{
//! #     AliCloudClient, ClientConfig, CredentialsConfig, ProcessEnvironment, Transport, credentials,
//! # };
//! # use tokio_util::sync::CancellationToken;
//! # async fn example(credentials_config: &CredentialsConfig) -> Result<(), Box<dyn std::error::Error>> {
//! let stop = CancellationToken::new();
//! let config = ClientConfig::from_settings(Some("cn-hangzhou"), None, None, &ProcessEnvironment)?;
//! let transport = Transport::new(&config)?;
//! let credentials =
//!     credentials::resolve(credentials_config, &ProcessEnvironment, &transport, &stop).await?;
//! let client = AliCloudClient::new(transport, credentials, stop.clone());
//! let me = client.get_caller_identity().await?;
//! println!("signed in to account {}", me.account_id);
//! # Ok(())
//! # }
//! ```

pub mod client;
pub mod credentials;
pub mod effect;
pub mod endpoint;
pub mod environment;
pub mod error;
mod error_class;
pub mod flow_control;
mod params;
pub mod ram;
pub mod rate_limit;
pub mod resource_directory;
pub mod retry;
pub mod secret;
pub mod service;
pub mod sts;
pub mod tag_batcher;
pub mod transport;
pub mod wait;

pub use client::AliCloudClient;
pub use credentials::{CredentialsConfig, CredentialsProvider, resolve as resolve_credentials};
pub use effect::Effect;
pub use endpoint::{Endpoint, EndpointError, Endpoints};
pub use environment::{Environment, FixedEnvironment, ProcessEnvironment};
pub use error::{ApiError, ClientError, ErrorKind};
pub use secret::Secret;
pub use service::Service;
pub use transport::{ClientConfig, Transport};
