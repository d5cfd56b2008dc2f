//! What a configured provider instance hands its resources and data sources: the RAM/STS client for its
//! account, and that account's identity and the system policies it has looked up, each asked for once and
//! remembered.

use super::config::ProviderConfig;
use crate::framework::diagnostics::Diagnostic;
use crate::framework::path::AttributePath;
use crate::provider::alicloud::credentials::resolve;
use crate::provider::alicloud::ram::PolicyType;
use crate::provider::alicloud::sts::CallerIdentity;
use crate::provider::alicloud::{
    AliCloudClient, ClientConfig, ClientError, EndpointError, Environment, Service, Transport,
};
use crate::provider::dts_prerequisite::DtsPrerequisite;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::OnceCell;
use tokio_util::sync::CancellationToken;

/// How long a new role or attachment may take to become visible to reads, unless `propagation_timeout` says
/// otherwise. RAM is eventually consistent; two minutes, as mature providers use for IAM, bounds the wait without
/// leaving a user hanging on a real failure.
pub const DEFAULT_PROPAGATION_TIMEOUT: Duration = Duration::from_secs(120);

/// The client of one provider instance (one account).
#[derive(Debug)]
pub struct ProviderClient {
    /// Typed RAM and STS calls, signed with this instance's credentials.
    pub api: AliCloudClient,
    /// How long a new role or attachment may take to become visible (`propagation_timeout`).
    pub propagation_timeout: Duration,
    caller: OnceCell<CallerIdentity>,
    /// Whether each system policy looked up exists, by name. Hundreds of roles name the same few policies, and
    /// flow control counts GetPolicy calls per account: one call per distinct name per instance.
    system_policies: Mutex<HashMap<String, Arc<OnceCell<bool>>>>,
    /// The DTS default role of this account, checked once when cross-account DTS roles are planned.
    pub dts_prerequisite: DtsPrerequisite,
}

impl ProviderClient {
    /// Builds the client from the provider block: endpoints, optional rate cap, retry budget and the credential chain. Fails with
    /// diagnostics that point at the attribute at fault; no API call is made.
    pub async fn build(
        config: &ProviderConfig,
        env: &dyn Environment,
        stop: CancellationToken,
    ) -> Result<ProviderClient, Diagnostic> {
        let mut client_config = ClientConfig::from_settings(
            config.region.as_deref(),
            config.ram_endpoint.as_deref(),
            config.sts_endpoint.as_deref(),
            env,
        )
        .map_err(endpoint_diagnostic)?;
        client_config.max_requests_per_second = config.max_requests_per_second;
        client_config.signature_version = config.signature_version;
        if let Some(budget) = config.max_retry_timeout {
            client_config.retry.budget = budget;
        }
        let transport = Transport::new(&client_config)
            .map_err(|e| Diagnostic::error("Cannot Create the API Client", e.to_string()))?;
        let credentials = resolve(&config.credentials, env, &transport, &stop)
            .await
            .map_err(|e| {
                Diagnostic::error("No Usable Alibaba Cloud Credentials", format!("{e}."))
            })?;
        Ok(ProviderClient {
            api: AliCloudClient::new(transport, credentials, stop),
            propagation_timeout: config
                .propagation_timeout
                .unwrap_or(DEFAULT_PROPAGATION_TIMEOUT),
            caller: OnceCell::new(),
            system_policies: Mutex::new(HashMap::new()),
            dts_prerequisite: DtsPrerequisite::default(),
        })
    }

    /// The identity of this instance's credentials (GetCallerIdentity, called once).
    pub async fn caller_identity(&self) -> Result<&CallerIdentity, ClientError> {
        self.caller
            .get_or_try_init(|| self.api.get_caller_identity())
            .await
    }

    /// Whether this account can attach a system policy named `name` (GetPolicy, once per distinct name; plans of
    /// many roles asking at the same moment share the one call). A failed look-up is not remembered.
    pub async fn system_policy_exists(&self, name: &str) -> Result<bool, ClientError> {
        let cell = {
            let mut known = self
                .system_policies
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            Arc::clone(known.entry(name.to_owned()).or_default())
        };
        cell.get_or_try_init(|| async {
            match self.api.get_policy(PolicyType::System, name).await {
                Ok(_) => Ok(true),
                Err(e) if e.is_not_found() => Ok(false),
                Err(e) => Err(e),
            }
        })
        .await
        .copied()
    }
}

fn endpoint_diagnostic(error: EndpointError) -> Diagnostic {
    let service = match &error {
        EndpointError::Invalid { service, .. } | EndpointError::InsecureHttp { service, .. } => {
            *service
        }
    };
    let attribute = match service {
        Service::Ram => "ram",
        Service::Sts => "sts",
    };
    Diagnostic::error("Invalid Endpoint", format!("{error}."))
        .at(AttributePath::root("endpoints").attribute(attribute))
}

/// An API failure as a diagnostic: what was being done, then the client's own text (Action, Code, Message,
/// RequestId).
pub fn api_diagnostic(doing: &str, error: &ClientError) -> Diagnostic {
    // A refusal for lack of permission says what to add, before the client's own text.
    if let Some(explained) = error
        .api_error()
        .and_then(crate::provider::permission_denied::explain)
    {
        return Diagnostic::error(
            crate::provider::permission_denied::SUMMARY,
            format!(
                "{doing}: {explained}
{error}"
            ),
        );
    }
    let summary = if error.is_cancelled() {
        "Operation Cancelled"
    } else {
        "Alibaba Cloud API Error"
    };
    Diagnostic::error(summary, format!("{doing}: {error}"))
}
