//! What a configured provider instance hands its resources and data sources: the RAM/STS client for its
//! account, and that account's identity and the system policies it has looked up, each asked for once and
//! remembered; and, through [`ProviderClient::in_account`], the same for any other account the instance reaches
//! through that account's access role.

use super::config::ProviderConfig;
use crate::framework::diagnostics::Diagnostic;
use crate::framework::path::AttributePath;
use crate::provider::alicloud::credentials::resolve;
use crate::provider::alicloud::credentials::{
    AssumeRoleCredentials, CredentialsError, CredentialsProvider, DEFAULT_SESSION_EXPIRATION,
    DEFAULT_SESSION_NAME,
};
use crate::provider::alicloud::ram::PolicyType;
use crate::provider::alicloud::sts::AssumeRoleRequest;
use crate::provider::alicloud::sts::CallerIdentity;
use crate::provider::alicloud::tag_batcher::TagBatcher;
use crate::provider::alicloud::{
    AliCloudClient, ClientConfig, ClientError, EndpointError, Environment, Service, Transport,
};
use crate::provider::dts_prerequisite::DtsPrerequisite;
use crate::ram::arn::Arn;
use std::collections::HashMap;
use std::ops::Deref;
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
    /// The tag reads of this account's refreshes, batched (`ListTagResources` takes 50 roles per call).
    pub tags: TagBatcher,
    /// How this instance reaches other accounts; `None` in the clients of those accounts (a resource always
    /// starts from the instance's own client, so sessions are never chained).
    others: Option<OtherAccounts>,
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
        client_config.endpoints = client_config
            .endpoints
            .with_resource_manager(config.resource_manager_endpoint.as_deref())
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
            tags: TagBatcher::new(),
            others: Some(OtherAccounts::new(config)),
            dts_prerequisite: DtsPrerequisite::default(),
        })
    }

    /// The client of account `account_id`: this one when it is this instance's account, else a client signing
    /// with a session of that account's access role (`account_role_name`), assumed with this instance's
    /// credentials. The session is assumed, and the account's caller identity checked, once per account per
    /// instance, the first time the account is asked for (a plan asks, so a member that cannot be reached fails
    /// the plan before anything is written); the cached session is renewed before it expires.
    pub async fn in_account(
        &self,
        account_id: &str,
    ) -> Result<AccountClient<'_>, AccountAccessError> {
        let me = self
            .caller_identity()
            .await
            .map_err(|e| AccountAccessError::OwnIdentity(Box::new(e)))?;
        if me.account_id == account_id {
            return Ok(AccountClient::Own(self));
        }
        let Some(others) = &self.others else {
            // Only the instance's own client has `others`, and resources start from it.
            return Err(AccountAccessError::NotFromHere {
                account_id: account_id.to_owned(),
            });
        };
        let member = others
            .client(self, &me.account_id, account_id, self.propagation_timeout)
            .await?;
        Ok(AccountClient::Member(member))
    }

    /// The role ARN this instance assumes to reach `account_id`.
    pub fn access_role_arn(&self, account_id: &str) -> String {
        let name = self
            .others
            .as_ref()
            .map_or(DEFAULT_ACCOUNT_ROLE_NAME, |o| o.role_name.as_str());
        Arn::sts_role(account_id, name).to_string()
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

/// `account_role_name` when unset: the role Resource Directory creates in every member account, trusting the
/// management account.
pub const DEFAULT_ACCOUNT_ROLE_NAME: &str = "ResourceDirectoryAccountAccessRole";

/// The client of one account, as [`ProviderClient::in_account`] gives it.
#[derive(Debug)]
pub enum AccountClient<'a> {
    /// The provider instance's own account.
    Own(&'a ProviderClient),
    /// Another account, through its access role.
    Member(Arc<ProviderClient>),
}

impl Deref for AccountClient<'_> {
    type Target = ProviderClient;

    fn deref(&self) -> &ProviderClient {
        match self {
            AccountClient::Own(client) => client,
            AccountClient::Member(client) => client,
        }
    }
}

/// Why another account cannot be reached.
#[derive(Debug, thiserror::Error)]
pub enum AccountAccessError {
    /// The instance's own identity, needed to tell its account from others, could not be read.
    #[error("reading this provider instance's caller identity: {0}")]
    OwnIdentity(Box<ClientError>),
    /// AssumeRole (or the identity check after it) failed.
    #[error(
        "this provider instance's credentials belong to account {own}; reaching account {account_id} through \
         role {role_arn} failed: {reason}"
    )]
    Unreachable {
        /// The account asked for.
        account_id: String,
        /// The instance's own account.
        own: String,
        /// The role assumed.
        role_arn: String,
        /// STS's answer, or what the session turned out to be.
        reason: String,
    },
    /// A client of another account was asked for a third account.
    #[error("account {account_id} is reached from the provider instance's own client only")]
    NotFromHere {
        /// The account asked for.
        account_id: String,
    },
}

/// The sessions of one provider instance in other accounts, one per account, made on first use.
#[derive(Debug)]
struct OtherAccounts {
    role_name: String,
    session_name: String,
    external_id: Option<String>,
    clients: Mutex<HashMap<String, Arc<OnceCell<Arc<ProviderClient>>>>>,
}

impl OtherAccounts {
    fn new(config: &ProviderConfig) -> Self {
        OtherAccounts {
            role_name: config
                .account_role_name
                .clone()
                .unwrap_or_else(|| DEFAULT_ACCOUNT_ROLE_NAME.to_owned()),
            session_name: config
                .account_role_session_name
                .clone()
                .unwrap_or_else(|| DEFAULT_SESSION_NAME.to_owned()),
            external_id: config.account_role_external_id.clone(),
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// The client of `account_id`, made (and checked) by the first caller; concurrent callers wait for that one
    /// AssumeRole. A failure is not remembered, so the next plan tries again.
    async fn client(
        &self,
        own: &ProviderClient,
        own_account: &str,
        account_id: &str,
        propagation_timeout: Duration,
    ) -> Result<Arc<ProviderClient>, AccountAccessError> {
        let cell = {
            let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(clients.entry(account_id.to_owned()).or_default())
        };
        let role_arn = Arn::sts_role(account_id, &self.role_name).to_string();
        let unreachable = |reason: String| AccountAccessError::Unreachable {
            account_id: account_id.to_owned(),
            own: own_account.to_owned(),
            role_arn: role_arn.clone(),
            reason,
        };
        cell.get_or_try_init(|| async {
            let request = AssumeRoleRequest {
                role_arn: role_arn.clone(),
                role_session_name: self.session_name.clone(),
                duration_seconds: Some(DEFAULT_SESSION_EXPIRATION),
                policy: None,
                external_id: self.external_id.clone(),
            };
            // AssumeRole is signed with the instance's own credentials, through its transport (STS's flow
            // control is the caller's); the member's RAM calls get a transport with that account's flow control.
            let session = Arc::new(AssumeRoleCredentials::cached(own.api.clone(), request));
            // Assumed now rather than at the first RAM call, so STS's refusal is this error, at plan.
            session.credentials().await.map_err(|e| match e {
                CredentialsError::AssumeRole { error, .. } => unreachable(error.to_string()),
                other => unreachable(other.to_string()),
            })?;
            let api = own.api.for_another_account(session);
            let member = ProviderClient {
                api,
                propagation_timeout,
                caller: OnceCell::new(),
                system_policies: Mutex::new(HashMap::new()),
                tags: TagBatcher::new(),
                others: None,
                dts_prerequisite: DtsPrerequisite::default(),
            };
            // The session must act in the account asked for: a role ARN naming another account's role would
            // otherwise send this account's writes elsewhere.
            let identity = member
                .caller_identity()
                .await
                .map_err(|e| unreachable(format!("reading the session's caller identity: {e}")))?;
            if identity.account_id != account_id {
                return Err(unreachable(format!(
                    "the session acts in account {}, not {account_id}",
                    identity.account_id
                )));
            }
            Ok(Arc::new(member))
        })
        .await
        .cloned()
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
        Service::ResourceDirectory => "resourcemanager",
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
