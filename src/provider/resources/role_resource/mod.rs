//! The lifecycle every role resource shares: plan-time checks and values, create with attachments and
//! read-after-write, refresh with drift detection, in-place update, delete of everything attached, import.
//! What differs between `aliram_role`, `aliram_cross_account_dts_role` and `aliram_dataworks_source_role` is a
//! [`RoleKind`]: its own attributes, and how the configuration becomes a trust policy and a set of policies.
//!
//! One file per RPC, as terraform-plugin-framework lays its engine out: `plan`, `create`, `read`, `update`,
//! `delete`, `import`; `schema` holds the shared schema and the validators the kinds use.

mod create;
mod delete;
mod import;
mod plan;
mod read;
mod schema;
mod update;

pub(crate) use schema::{
    account_id_validator, check_policy_names, check_trust_policy, role_name_validator,
};

use super::role_identity;
use crate::framework::context::Context;
use crate::framework::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::identity::IdentitySchema;
use crate::framework::resource::{
    CreateRequest, CreateResponse, DeleteRequest, DeleteResponse, ImportRequest, ImportResponse,
    ModifyPlanRequest, ModifyPlanResponse, ReadRequest, ReadResponse, Resource, UpdateRequest,
    UpdateResponse,
};
use crate::framework::schema::{Attribute, Schema};
use crate::framework::value::Value;
use crate::provider::alicloud::ClientError;
use crate::provider::client::{AccountAccessError, AccountClient, ProviderClient};
use crate::provider::domain::cross_account_service::CrossAccountService;
use crate::provider::resources::attributes;
use crate::ram::account::AccountId;
use async_trait::async_trait;
use std::marker::PhantomData;

/// What a role resource derives from its configuration.
#[derive(Debug)]
pub(crate) struct Desired {
    /// The trust policy document to write (unknown while the configuration is).
    pub trust_policy: Value,
    /// The system policies to attach (unknown while the configuration is).
    pub policy_names: Value,
    /// The account the role trusts, with the attribute that names it, for the own-account check.
    pub trusted: Option<(&'static str, AccountId)>,
}

/// What distinguishes one role resource type from another.
pub(crate) trait RoleKind: Send + Sync + 'static {
    /// The resource type name.
    const TYPE_NAME: &'static str;
    /// The service the role is for, whose own-account mistake the resource refuses and detects.
    const SERVICE: Option<CrossAccountService>;
    /// The resource's description.
    fn description() -> &'static str;
    /// `role_name`: required, or optional with a conventional default.
    fn role_name() -> Attribute;
    /// This kind's own attributes, `trust_policy` and `policy_names` included.
    fn attributes() -> Vec<Attribute>;
    /// Checks across attributes; values may be unknown.
    fn validate(_config: &Value, _diagnostics: &mut Diagnostics) {}
    /// The trust policy and policies the configuration asks for.
    fn desired(config: &Value) -> Desired;
    /// After an import, fills this kind's attributes that RAM's role reveals (null ones only).
    fn infer(_state: &mut Value) {}
    /// The service whose account-wide prerequisite this role is (`aliram_dts_default_role`): its trust policy
    /// and policies are the domain's, and it trusts that service of its own account by design.
    const PREREQUISITE_OF: Option<CrossAccountService> = None;
    /// The warning a plan to destroy the role `prior` shows.
    fn destroy_warning(_prior: &Value) -> Option<Diagnostic> {
        None
    }
}

/// A role resource of kind `K`.
#[derive(Debug, Default)]
pub(crate) struct RoleResource<K>(PhantomData<K>);

impl<K: RoleKind> RoleResource<K> {
    /// The resource.
    pub(crate) fn new() -> Self {
        RoleResource(PhantomData)
    }
}

/// The account a role in state lives in: its `owner_account_id` (recorded since the first version), else its
/// `account_id`; `None` for a state that names neither (an import by name before its first read).
pub(super) fn recorded_account(state: &Value) -> Option<&str> {
    state
        .attr(attributes::OWNER_ACCOUNT_ID)
        .as_str()
        .or_else(|| state.attr(attributes::ACCOUNT_ID).as_str())
}

/// The client of the account a role lives in (`None`: the provider instance's own), or the diagnostic saying it
/// cannot be reached.
pub(super) async fn account_client<'a>(
    client: &'a ProviderClient,
    account: Option<&str>,
    name: &str,
) -> Result<AccountClient<'a>, Diagnostic> {
    let Some(account) = account else {
        return Ok(AccountClient::Own(client));
    };
    client
        .in_account(account)
        .await
        .map_err(|e| other_account_error(name, account, &e))
}

/// The name of the role `state` (a plan or a prior state) describes, and the client of the account it names: through
/// its access role when not this instance's, one AssumeRole per account per provider process, shared by every role
/// there (see [`account_client`]).
pub(super) async fn role_target<'a>(
    client: &'a ProviderClient,
    state: &Value,
) -> Result<(String, AccountClient<'a>), Diagnostic> {
    let name = state
        .attr(attributes::ROLE_NAME)
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let target = account_client(client, recorded_account(state), &name).await?;
    Ok((name, target))
}

/// The error for a role of account `recorded` that this provider instance cannot reach: neither its own account
/// nor reachable through the access role. Its calls would reach another account, where the role does not exist,
/// so a plan would create a copy there and orphan the original. Refused before any write.
pub(super) fn other_account_error(
    name: &str,
    recorded: &str,
    error: &AccountAccessError,
) -> Diagnostic {
    match error {
        AccountAccessError::Unreachable { own, role_arn, .. } => Diagnostic::error(
            "Role Belongs to Another Account",
            format!(
                "Role {name} belongs to account {recorded}, but this resource's provider instance uses account \
                 {own}, and cannot reach account {recorded}: {error}. Nothing was changed. To keep managing the \
                 role, let the provider's identity assume {role_arn} (in a Resource Directory the management \
                 account's RAM users and roles can, given sts:AssumeRole), or point the resource's `provider` back \
                 at an instance of account {recorded}. To move it to account {own}, remove it from the state (a \
                 `removed` block or `terraform state rm`), delete or keep the role in {recorded} by hand, and \
                 create or import it in {own}."
            ),
        ),
        other => Diagnostic::error(
            "Cannot Reach the Role's Account",
            format!("Role {name} belongs to account {recorded}: {other}. Nothing was changed."),
        ),
    }
}

/// The warning for a read-after-write that did not see every write acknowledged (`done`, e.g. "was created"):
/// `None` when reads caught up.
pub(super) fn not_yet_visible(
    name: &str,
    done: &str,
    visible: Result<bool, ClientError>,
) -> Option<Diagnostic> {
    let why = match visible {
        Ok(true) => return None,
        Ok(false) => "reads still do not show it after propagation_timeout".to_owned(),
        Err(e) => format!("reading it back failed: {e}"),
    };
    Some(Diagnostic::warning(
        "Role Not Yet Visible to Reads",
        format!(
            "Role {name} {done} and RAM acknowledged every write, so the state records it as complete, but {why}. \
             RAM is eventually consistent: plan again in a few minutes. If a plan proposes to create the role \
             although it exists, its reads have not caught up yet; wait before applying."
        ),
    ))
}

/// A domain message as a diagnostic sentence.
pub(crate) fn capitalised(message: &str) -> String {
    let mut chars = message.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

#[async_trait]
impl<K: RoleKind> Resource<ProviderClient> for RoleResource<K> {
    fn type_name(&self) -> &'static str {
        K::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema::schema::<K>()
    }

    fn validate_config(&self, config: &Value, diagnostics: &mut Diagnostics) {
        K::validate(config, diagnostics);
    }

    fn plan_destroy(&self, prior: &Value, diagnostics: &mut Diagnostics) {
        if let Some(warning) = K::destroy_warning(prior) {
            diagnostics.push(warning);
        }
    }

    async fn modify_plan(
        &self,
        _ctx: &Context,
        client: Option<&ProviderClient>,
        req: ModifyPlanRequest,
        resp: &mut ModifyPlanResponse,
    ) {
        plan::modify_plan::<K>(client, req, resp).await;
    }

    async fn create(
        &self,
        ctx: &Context,
        client: &ProviderClient,
        req: CreateRequest,
        resp: &mut CreateResponse,
    ) {
        create::create::<K>(ctx, client, req, resp).await;
    }

    async fn read(
        &self,
        ctx: &Context,
        client: &ProviderClient,
        req: ReadRequest,
        resp: &mut ReadResponse,
    ) {
        read::read::<K>(ctx, client, req, resp).await;
    }

    async fn update(
        &self,
        ctx: &Context,
        client: &ProviderClient,
        req: UpdateRequest,
        resp: &mut UpdateResponse,
    ) {
        update::update::<K>(ctx, client, req, resp).await;
    }

    async fn delete(
        &self,
        ctx: &Context,
        client: &ProviderClient,
        req: DeleteRequest,
        resp: &mut DeleteResponse,
    ) {
        delete::delete::<K>(ctx, client, req, resp).await;
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(role_identity::identity_schema())
    }

    fn identity(&self, state: &Value) -> Value {
        role_identity::identity(state)
    }

    async fn import_state(
        &self,
        _ctx: &Context,
        client: &ProviderClient,
        req: ImportRequest,
        resp: &mut ImportResponse,
    ) {
        import::import_state::<K>(client, req, resp).await;
    }
}
