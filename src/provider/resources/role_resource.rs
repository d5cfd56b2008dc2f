//! The lifecycle every role resource shares: plan-time checks and values, create with attachments and
//! read-after-write, refresh with drift detection, in-place update, delete of everything attached, import.
//! What differs between `aliram_role`, `aliram_cross_account_dts_role` and `aliram_dataworks_source_role` is a
//! [`RoleKind`]: its own attributes, and how the configuration becomes a trust policy and a set of policies.

use super::attributes;
use super::role_api::{
    after_create, attach_system_policy, delete_role, detach_policy, find_role, policy_type,
    sync_tags, wait_role_visible,
};
use super::role_identity;
use super::role_state::{expand, flatten, flatten_computed, string_map, string_set};
use crate::framework::context::Context;
use crate::framework::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::identity::IdentitySchema;
use crate::framework::path::AttributePath;
use crate::framework::resource::{
    CreateRequest, CreateResponse, DeleteRequest, DeleteResponse, ImportRequest, ImportResponse,
    ModifyPlanRequest, ModifyPlanResponse, ReadRequest, ReadResponse, Resource, UpdateRequest,
    UpdateResponse,
};
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::types::Type;
use crate::framework::value::Value;
use crate::provider::alicloud::ram::{CreateRoleRequest, Role, Tag, UpdateRoleRequest};
use crate::provider::alicloud::{AliCloudClient, ClientError, ErrorKind};
use crate::provider::client::{ProviderClient, api_diagnostic};
use crate::provider::domain::account::{AccountId, IdentityKind};
use crate::provider::domain::cross_account_service::CrossAccountService;
use crate::provider::domain::role_rules::{
    DEFAULT_SESSION_DURATION_SECONDS, RESERVED_TAG_KEY_RULE, check_description,
    check_max_session_duration, check_policy_count, check_role_name, check_tags,
};
use crate::provider::domain::trust_policy::ram_rules::check_document;
use crate::provider::domain::trust_policy::{
    TrustPolicy, own_account_rewrite, policies_equivalent,
};
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

/// CreateRole, safe to repeat. When a retried CreateRole meets `EntityAlreadyExists.Role` after an earlier attempt
/// of this very call was sent and got no answer, that attempt may have created the role: a role of that name with
/// the same trust policy is then taken as the one created. When every earlier attempt was answered (a clean
/// `ServiceUnavailable` or throttling creates nothing), or the trust policy differs, the role is someone else's and
/// the error stands, so Terraform never takes over (and may later destroy) a role it did not make.
async fn create_or_adopt(
    api: &AliCloudClient,
    request: &CreateRoleRequest,
) -> Result<Role, ClientError> {
    let error = match api.create_role(request).await {
        Ok(created) => return Ok(created.role),
        Err(e) => e,
    };
    let own_attempt_may_have_created = error
        .api_error()
        .is_some_and(|a| a.unanswered_attempts() > 0);
    if !(own_attempt_may_have_created && error.is(ErrorKind::AlreadyExists)) {
        return Err(error);
    }
    let existing = match api.get_role(&request.role_name).await {
        Ok(found) => found.role,
        // Stop cut the check short: the role may be this apply's, but unverified it is left for an import, which
        // the AlreadyExists error tells the user to do.
        Err(e) if e.is_cancelled() => return Err(error),
        Err(e) => return Err(e),
    };
    let owner = AccountId::from_ram_arn(&existing.arn);
    let document = existing
        .assume_role_policy_document
        .as_deref()
        .unwrap_or_default();
    if policies_equivalent(
        document,
        &request.assume_role_policy_document,
        owner.as_ref(),
    ) {
        tracing::info!(role = %request.role_name, "adopting the role an earlier CreateRole attempt, whose answer was lost, created");
        Ok(existing)
    } else {
        Err(error)
    }
}

/// The error for a role whose state says it belongs to `recorded`, managed by a provider instance of account
/// `current`: its calls would reach another account, where the role does not exist, so a plan would create a copy
/// there and orphan the original. Refused before any write.
fn other_account_error(name: &str, recorded: &str, current: &str) -> Diagnostic {
    Diagnostic::error(
        "Role Belongs to Another Account",
        format!(
            "Role {name} belongs to account {recorded} (its state's owner_account_id), but this resource's provider \
             instance uses account {current}. Nothing was changed. To keep managing the role, point the resource's \
             `provider` back at an instance of account {recorded}. To move it to account {current}, remove it from \
             the state (a `removed` block or `terraform state rm`), delete or keep the role in {recorded} by hand, \
             and create or import it under the provider of {current}."
        ),
    )
}

/// The warning for a read-after-write that did not see every write acknowledged (`done`, e.g. "was created"):
/// `None` when reads caught up.
fn not_yet_visible(
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

/// `Err(message)` of a domain check, as a validator result.
fn checked<E: ToString>(result: Result<(), E>) -> Result<(), String> {
    result.map_err(|e| capitalised(&e.to_string()))
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

/// A trust policy document checked with RAM's rules (version, statements, action, length, duplicate keys), as a
/// diagnostic detail naming the attribute.
pub(crate) fn check_trust_policy(document: &str) -> Result<(), String> {
    check_document(document)
        .map(drop)
        .map_err(|e| format!("RAM would refuse this trust_policy: {e}."))
}

/// The policy names a role resource attaches, checked against RAM's per-role quota (all are system policies;
/// names unknown yet count too).
pub(crate) fn check_policy_names(policy_names: &Value) -> Result<(), String> {
    let count = policy_names.as_elements().map_or(0, <[Value]>::len);
    check_policy_count("System", count).map_err(|e| format!("{e}."))
}

/// Validator: a UID of all digits.
pub(crate) fn account_id_validator(v: &Value) -> Result<(), String> {
    checked(AccountId::parse(v.as_str().unwrap_or_default()).map(drop))
}

/// Validator: a RAM role name.
pub(crate) fn role_name_validator(v: &Value) -> Result<(), String> {
    checked(check_role_name(v.as_str().unwrap_or_default()))
}

fn schema<K: RoleKind>() -> Schema {
    let mut block = Block::new(K::description())
        .attribute(Attribute::string(attributes::ID).computed().use_state_for_unknown().description("The role name."))
        .attribute(K::role_name())
        .attribute(
            Attribute::string(attributes::DESCRIPTION)
                .optional()
                .computed()
                .use_state_for_unknown()
                .description("Description of the role, 1 to 1024 characters. RAM cannot clear a description (UpdateRole takes 1 to 1024 characters), so removing this attribute leaves the role's description as it is, with no change planned; set another text to change it.")
                .validate(|v| checked(check_description(v.as_str().unwrap_or_default()))),
        )
        .attribute(
            Attribute::number(attributes::MAX_SESSION_DURATION)
                .default(Value::int(DEFAULT_SESSION_DURATION_SECONDS))
                .description("Longest session, in seconds, that assuming the role may give: 3600 to 43200. Defaults to 3600.")
                .validate(|v| match v.as_i64() {
                    Some(n) => checked(check_max_session_duration(n)),
                    None => Err(format!("max_session_duration must be a whole number of seconds, not {v:?}.")),
                }),
        )
        .attribute(
            Attribute::new(attributes::TAGS, Type::map(Type::String))
                .optional()
                .description(&format!("Tags of the role: at most 20; {RESERVED_TAG_KEY_RULE}."))
                .validate(|v| {
                    let tags = v.as_string_map().unwrap_or_default();
                    check_tags(tags).map_err(|errors| errors.iter().map(|e| capitalised(&e.to_string())).collect::<Vec<_>>().join(" "))
                }),
        );
    for attribute in K::attributes() {
        block = block.attribute(attribute);
    }
    block = block
        .attribute(Attribute::string(attributes::ARN).computed().use_state_for_unknown().description("ARN of the role, `acs:ram::<owner_account_id>:role/<role_name>`; known at plan time."))
        .attribute(Attribute::string(attributes::ROLE_ID).computed().use_state_for_unknown().description("ID RAM gave the role."))
        .attribute(Attribute::string(attributes::OWNER_ACCOUNT_ID).computed().use_state_for_unknown().description("UID of the account that owns the role (this provider instance's account); known at plan time. This, with the role name, is what the other account's service is configured with."))
        .attribute(Attribute::string(attributes::CREATE_TIME).computed().use_state_for_unknown().description("When the role was created (UTC, `YYYY-MM-DDThh:mm:ssZ`)."));
    Schema::new(block)
}

/// Looks up each known name of `policy_names` (GetPolicy, once per distinct name per provider instance; names
/// unknown at plan time are checked at the plan that knows them). False when the plan must stop.
async fn check_policies_exist(
    client: &ProviderClient,
    policy_names: &Value,
    resp: &mut ModifyPlanResponse,
) -> bool {
    let names = policy_names
        .as_elements()
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_str);
    let mut unknown = Vec::new();
    for name in names {
        match client.system_policy_exists(name).await {
            Ok(true) => {}
            Ok(false) => unknown.push(format!("{name:?}")),
            // A credential allowed to manage roles but not to read policies still plans: the check is a help.
            Err(e) if e.is(ErrorKind::Auth) => {
                resp.diagnostics.push(
                    Diagnostic::warning(
                        "Policy Names Not Checked",
                        format!("policy_names could not be checked before apply (GetPolicy was refused): {e}"),
                    )
                    .at(AttributePath::root(attributes::POLICY_NAMES)),
                );
                return true;
            }
            Err(e) => {
                resp.diagnostics.push(api_diagnostic(
                    &format!("looking up policy {name} of policy_names"),
                    &e,
                ));
                return false;
            }
        }
    }
    if unknown.is_empty() {
        return true;
    }
    resp.diagnostics.push(
        Diagnostic::error(
            "Unknown Policy",
            format!(
                "policy_names names {} that this account does not have: GetPolicy found no system policy of that \
                 name. policy_names takes the names of system policies, in their exact letter case, such as \
                 \"AliyunDTSRolePolicy\" (the RAM console lists them under Permissions > Policies).",
                unknown.join(", ")
            ),
        )
        .at(AttributePath::root(attributes::POLICY_NAMES)),
    );
    false
}

#[async_trait]
impl<K: RoleKind> Resource<ProviderClient> for RoleResource<K> {
    fn type_name(&self) -> &'static str {
        K::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema::<K>()
    }

    fn validate_config(&self, config: &Value, diagnostics: &mut Diagnostics) {
        K::validate(config, diagnostics);
    }

    async fn modify_plan(
        &self,
        _ctx: &Context,
        client: Option<&ProviderClient>,
        req: ModifyPlanRequest,
        resp: &mut ModifyPlanResponse,
    ) {
        let desired = K::desired(&req.config);
        resp.planned
            .set_attr(attributes::TRUST_POLICY, desired.trust_policy.clone());
        resp.planned
            .set_attr(attributes::POLICY_NAMES, desired.policy_names.clone());
        // Here rather than at validation: a UID taken from another resource or data source is known only now.
        if let Some((attribute, trusted)) = &desired.trusted
            && let Some(warning) = trusted.length_warning()
        {
            resp.diagnostics.push(
                Diagnostic::warning(
                    "Unusual Account ID Length",
                    format!("{attribute} {}.", warning),
                )
                .at(AttributePath::root(attribute)),
            );
        }
        // RAM's rules for the document and the policy list, before any call: what RAM would refuse at apply. For
        // `aliram_role` validation has checked values known then; this catches those known only now.
        if let Some(document) = desired.trust_policy.as_str()
            && let Err(detail) = check_trust_policy(document)
        {
            resp.diagnostics.push(
                Diagnostic::error("Trust Policy Refused by RAM's Rules", detail)
                    .at(AttributePath::root(attributes::TRUST_POLICY)),
            );
            return;
        }
        if let Err(detail) = check_policy_names(&desired.policy_names) {
            resp.diagnostics.push(
                Diagnostic::error("Too Many Policies", detail)
                    .at(AttributePath::root(attributes::POLICY_NAMES)),
            );
            return;
        }
        let Some(client) = client else { return };
        // Names the user wrote (the other kinds attach the domain's policies): each must exist, or the apply would
        // fail after the role and the attachments before it were written.
        if K::SERVICE.is_none() && !check_policies_exist(client, &desired.policy_names, resp).await
        {
            return;
        }

        // The owner is the account of this provider instance's credentials: one GetCallerIdentity per instance.
        let owner = match client.caller_identity().await {
            Ok(me) => {
                // A reminder when the role is about to be created, not on every later plan.
                let kind = IdentityKind::of(me.identity_type.as_deref(), &me.arn);
                if let Some(service) = K::SERVICE
                    && req.prior.is_null()
                    && let Err(note) = service.check_caller(kind, &me.arn)
                {
                    resp.diagnostics.add_warning(
                        "Not the Alibaba Cloud Account",
                        capitalised(&note.to_string()),
                    );
                }
                AccountId::parse(&me.account_id).ok()
            }
            Err(e) => {
                resp.diagnostics.push(api_diagnostic(
                    "reading the caller identity to check the trusted account",
                    &e,
                ));
                return;
            }
        };
        let Some(owner) = owner else { return };
        if let Some(recorded) = req.prior.attr(attributes::OWNER_ACCOUNT_ID).as_str()
            && recorded != owner.as_str()
        {
            let name = req
                .prior
                .attr(attributes::ROLE_NAME)
                .as_str()
                .unwrap_or_default();
            resp.diagnostics
                .push(other_account_error(name, recorded, owner.as_str()));
            return;
        }
        if let (Some(service), Some((attribute, trusted))) = (K::SERVICE, &desired.trusted)
            && let Err(e) = service.check_trusted_account(trusted, &owner)
        {
            resp.diagnostics.push(
                Diagnostic::error(
                    "Role Would Trust Its Own Account",
                    capitalised(&e.to_string()),
                )
                .at(AttributePath::root(attribute)),
            );
        }
        // `aliram_role` may trust its own account on purpose, so a warning where the other kinds refuse; shown when
        // the document is about to be written, not on every plan.
        if K::SERVICE.is_none()
            && let Some(document) = desired.trust_policy.as_str()
            && req.prior.attr(attributes::TRUST_POLICY).as_str() != Some(document)
            && let Ok(policy) = TrustPolicy::parse(document)
            && let Some(rewrite) = own_account_rewrite(&policy, &owner)
        {
            resp.diagnostics.push(
                Diagnostic::warning(
                    "Role Would Trust Its Own Account",
                    format!(
                        "trust_policy: {} If this role is meant for another account's {}, name that account.",
                        capitalised(&rewrite.to_string()),
                        rewrite.service.product()
                    ),
                )
                .at(AttributePath::root(attributes::TRUST_POLICY)),
            );
        }
        if req.prior.is_null() {
            resp.planned
                .set_attr(attributes::OWNER_ACCOUNT_ID, Value::string(owner.as_str()));
            if let Some(name) = resp
                .planned
                .attr(attributes::ROLE_NAME)
                .as_str()
                .map(str::to_owned)
            {
                resp.planned.set_attr(attributes::ID, Value::string(&name));
                resp.planned
                    .set_attr(attributes::ARN, Value::string(owner.role_arn(&name)));
            }
        }
    }

    async fn create(
        &self,
        ctx: &Context,
        client: &ProviderClient,
        req: CreateRequest,
        resp: &mut CreateResponse,
    ) {
        let spec = expand(&req.planned);
        let request = CreateRoleRequest {
            role_name: spec.name.clone(),
            assume_role_policy_document: spec.trust_policy.clone(),
            description: spec.description.clone(),
            max_session_duration: u32::try_from(spec.max_session_duration).ok(),
            allow_console_login: None,
            tags: spec
                .tags
                .iter()
                .map(|(k, v)| Tag::new(k.clone(), v.clone()))
                .collect(),
        };
        let created = match create_or_adopt(&client.api, &request).await {
            Ok(role) => role,
            Err(e) => {
                let mut d = api_diagnostic(&format!("creating role {}", spec.name), &e);
                if e.is(ErrorKind::AlreadyExists) {
                    d.detail.push_str(&format!(
                        " A role named {:?} already exists in this account: import it (`terraform import {}.<name> {}`) or choose another role_name.",
                        spec.name, K::TYPE_NAME, spec.name
                    ));
                }
                resp.diagnostics.push(d);
                return;
            }
        };

        // The role exists from here on: the response's state says so at every exit, so nothing is orphaned.
        resp.state = req.planned.clone();
        flatten_computed(&created, &mut resp.state);
        if resp.state.attr(attributes::DESCRIPTION).is_unknown() {
            let description = created.description.as_deref().filter(|d| !d.is_empty());
            resp.state.set_attr(
                attributes::DESCRIPTION,
                description.map(str::to_owned).into(),
            );
        }
        let mut attached = Vec::new();
        for policy in &spec.policy_names {
            resp.state.set_attr(
                attributes::POLICY_NAMES,
                Value::string_set(attached.iter().cloned()),
            );
            let attach = after_create(&spec.name, client.propagation_timeout, &ctx.cancel, || {
                attach_system_policy(&client.api, &spec.name, policy)
            });
            if let Err(e) = attach.await {
                resp.diagnostics.push(api_diagnostic(
                    &format!("attaching {policy} to role {}", spec.name),
                    &e,
                ));
                return;
            }
            attached.push(policy.clone());
        }
        resp.state
            .set_attr(attributes::POLICY_NAMES, Value::string_set(attached));

        // Every write was acknowledged: the role is complete, and the state says so. A read that has not caught up
        // is worth a warning, never an error, which would taint a complete role and replace it on the next apply.
        let visible = wait_role_visible(
            &client.api,
            &spec.name,
            &spec.policy_names,
            client.propagation_timeout,
            &ctx.cancel,
        )
        .await;
        if let Some(warning) = not_yet_visible(&spec.name, "was created", visible) {
            resp.diagnostics.push(warning);
        }
    }

    async fn read(
        &self,
        ctx: &Context,
        client: &ProviderClient,
        req: ReadRequest,
        resp: &mut ReadResponse,
    ) {
        let name = req
            .state
            .attr(attributes::ID)
            .as_str()
            .or(req.state.attr(attributes::ROLE_NAME).as_str())
            .unwrap_or_default()
            .to_owned();
        // Before any call that names the role: in another account the role would read as gone.
        if let Some(recorded) = req.state.attr(attributes::OWNER_ACCOUNT_ID).as_str() {
            match client.caller_identity().await {
                Ok(me) if me.account_id != recorded => {
                    resp.diagnostics
                        .push(other_account_error(&name, recorded, &me.account_id));
                    return;
                }
                Ok(_) => {}
                Err(e) => {
                    resp.diagnostics.push(api_diagnostic(
                        "reading the caller identity to check the role's account",
                        &e,
                    ));
                    return;
                }
            }
        }
        let remote = match find_role(&client.api, &name, &ctx.cancel).await {
            Ok(Some(remote)) => remote,
            Ok(None) => {
                tracing::warn!(role = %name, "role no longer exists; removing it from the state");
                resp.state = Value::Null;
                return;
            }
            Err(e) => {
                let mut d = api_diagnostic(&format!("reading role {name}"), &e);
                if e.is_not_found() {
                    d.detail.push_str(&format!(
                        " GetRole found role {name}, but this list kept saying it does not exist: a RAM replica is lagging. The role stays in the state; run the command again."
                    ));
                }
                resp.diagnostics.push(d);
                return;
            }
        };
        let drift = flatten(&remote, &mut resp.state);
        K::infer(&mut resp.state);
        if !drift.changes.is_empty() {
            resp.diagnostics.add_warning(
                "Trust Policy Changed Outside Terraform",
                format!(
                    "The trust policy of role {name} no longer matches the configuration: {}.",
                    drift.changes.join("; ")
                ),
            );
        }
        let owner = AccountId::from_ram_arn(&remote.role.arn);
        let document = remote
            .role
            .assume_role_policy_document
            .as_deref()
            .and_then(|d| TrustPolicy::parse(d).ok());
        if let (Some(_), Some(owner), Some(document)) = (K::SERVICE, owner, document)
            && let Some(rewrite) = own_account_rewrite(&document, &owner)
        {
            resp.diagnostics.add_warning(
                "Role Trusts Its Own Account",
                capitalised(&rewrite.to_string()),
            );
        }
    }

    async fn update(
        &self,
        ctx: &Context,
        client: &ProviderClient,
        req: UpdateRequest,
        resp: &mut UpdateResponse,
    ) {
        let spec = expand(&req.planned);
        let name = spec.name.clone();
        let prior = &req.prior;
        // resp.state starts as the prior state; each step records what it changed, so a failure returns what exists.

        let trust_changed =
            req.planned.attr(attributes::TRUST_POLICY) != prior.attr(attributes::TRUST_POLICY);
        let description_changed =
            req.planned.attr(attributes::DESCRIPTION) != prior.attr(attributes::DESCRIPTION);
        let duration_changed = req.planned.attr(attributes::MAX_SESSION_DURATION)
            != prior.attr(attributes::MAX_SESSION_DURATION);
        if trust_changed || description_changed || duration_changed {
            let update = UpdateRoleRequest {
                role_name: name.clone(),
                new_assume_role_policy_document: trust_changed.then(|| spec.trust_policy.clone()),
                new_description: description_changed
                    .then(|| spec.description.clone().unwrap_or_default()),
                new_max_session_duration: duration_changed
                    .then(|| u32::try_from(spec.max_session_duration).ok())
                    .flatten(),
                new_allow_console_login: None,
            };
            if let Err(e) = client.api.update_role(&update).await {
                resp.diagnostics
                    .push(api_diagnostic(&format!("updating role {name}"), &e));
                return;
            }
            for attribute in [
                attributes::TRUST_POLICY,
                attributes::DESCRIPTION,
                attributes::MAX_SESSION_DURATION,
            ] {
                resp.state
                    .set_attr(attribute, req.planned.attr(attribute).clone());
            }
        }

        // Attachments are managed exclusively: attach what is missing, detach what was attached by hand. The prior
        // state holds what the refresh listed, so only a detach, which needs each policy's type, lists again.
        let mut names = string_set(prior.attr(attributes::POLICY_NAMES));
        let missing: Vec<String> = spec.policy_names.difference(&names).cloned().collect();
        for policy in &missing {
            if let Err(e) = attach_system_policy(&client.api, &name, policy).await {
                resp.state
                    .set_attr(attributes::POLICY_NAMES, Value::string_set(names));
                resp.diagnostics.push(api_diagnostic(
                    &format!("attaching {policy} to role {name}"),
                    &e,
                ));
                return;
            }
            names.insert(policy.clone());
        }
        if !names.is_subset(&spec.policy_names) {
            let current = match client.api.list_policies_for_role(&name).await {
                Ok(p) => p.policies.policy,
                Err(e) => {
                    resp.state
                        .set_attr(attributes::POLICY_NAMES, Value::string_set(names));
                    resp.diagnostics.push(api_diagnostic(
                        &format!("listing the policies of role {name}"),
                        &e,
                    ));
                    return;
                }
            };
            for extra in current
                .iter()
                .filter(|c| !spec.policy_names.contains(&c.policy_name))
            {
                if let Err(e) =
                    detach_policy(&client.api, &name, &extra.policy_name, policy_type(extra)).await
                {
                    resp.state
                        .set_attr(attributes::POLICY_NAMES, Value::string_set(names));
                    resp.diagnostics.push(api_diagnostic(
                        &format!("detaching {} from role {name}", extra.policy_name),
                        &e,
                    ));
                    return;
                }
                names.remove(&extra.policy_name);
            }
            names.retain(|n| spec.policy_names.contains(n));
        }
        resp.state
            .set_attr(attributes::POLICY_NAMES, Value::string_set(names));

        let mut tags = string_map(prior.attr(attributes::TAGS));
        if let Err(e) = sync_tags(&client.api, &name, &mut tags, &spec.tags).await {
            // What the calls that succeeded did (an untag before a failed tag), as a refresh would read it.
            let had_tags = !prior.attr(attributes::TAGS).is_null();
            if had_tags || !tags.is_empty() {
                resp.state
                    .set_attr(attributes::TAGS, Value::string_map(tags));
            }
            resp.diagnostics
                .push(api_diagnostic(&format!("tagging role {name}"), &e));
            return;
        }
        resp.state = req.planned.clone();

        // Only new attachments need to become visible; the role itself existed before.
        if missing.is_empty() {
            return;
        }
        let visible = wait_role_visible(
            &client.api,
            &name,
            &spec.policy_names,
            client.propagation_timeout,
            &ctx.cancel,
        )
        .await;
        if let Some(warning) = not_yet_visible(&name, "got its new policies", visible) {
            resp.diagnostics.push(warning);
        }
    }

    async fn delete(
        &self,
        ctx: &Context,
        client: &ProviderClient,
        req: DeleteRequest,
        resp: &mut DeleteResponse,
    ) {
        let name = req
            .prior
            .attr(attributes::ROLE_NAME)
            .as_str()
            .unwrap_or_default();
        let known = string_set(req.prior.attr(attributes::POLICY_NAMES));
        if let Err(e) = delete_role(&client.api, name, &known, &ctx.cancel).await {
            resp.diagnostics
                .push(api_diagnostic(&format!("deleting role {name}"), &e));
        }
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
        if !req.identity.is_null() {
            match role_identity::import_by_identity(K::TYPE_NAME, client, &req.identity).await {
                Ok(state) => resp.state = state,
                Err(d) => resp.diagnostics.push(d),
            }
            return;
        }
        if let Err(e) = check_role_name(&req.id) {
            resp.diagnostics.add_error(
                "Invalid Import ID",
                format!(
                    "{} is imported by role name. {}",
                    K::TYPE_NAME,
                    capitalised(&e.to_string())
                ),
            );
            return;
        }
        resp.state = Value::object([
            (attributes::ID, Value::string(&req.id)),
            (attributes::ROLE_NAME, Value::string(&req.id)),
        ]);
    }
}
