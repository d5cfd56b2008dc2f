//! ModifyPlan (PlanResourceChange): the trust policy and policies the configuration asks for, RAM's rules for
//! them checked before any write, the owner account and ARN known at plan, and the account binding.

use super::{
    RoleKind, account_client, capitalised, check_policy_names, check_trust_policy, recorded_account,
};
use crate::framework::diagnostics::Diagnostic;
use crate::framework::path::AttributePath;
use crate::framework::resource::{ModifyPlanRequest, ModifyPlanResponse};
use crate::framework::value::Value;
use crate::provider::alicloud::ErrorKind;
use crate::provider::client::{ProviderClient, api_diagnostic};
use crate::provider::domain::cross_account_service::CrossAccountService;
use crate::provider::domain::trust_policy::own_account_rewrite;
use crate::provider::resources::attributes;
use crate::ram::account::{AccountId, IdentityKind};
use crate::ram::trust_policy::TrustPolicy;

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

/// Plans a role: values RAM would compute that are known now, and every refusal RAM would give at apply.
pub(super) async fn modify_plan<K: RoleKind>(
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
    // fail after the role and the attachments before it were written. System policies are the same in every
    // account, so the instance's own account answers for all.
    if K::SERVICE.is_none()
        && K::PREREQUISITE_OF.is_none()
        && !check_policies_exist(client, &desired.policy_names, resp).await
    {
        return;
    }
    // The account the role lives in: `account_id` when the configuration sets it, else the one the state
    // records (a role stays where it is), else this provider instance's own.
    let prior_account = recorded_account(&req.prior).map(str::to_owned);
    let configured = req.config.attr(attributes::ACCOUNT_ID);
    if configured.is_unknown() {
        // Known only at apply: so are the owner and the ARN, and the checks that need the account wait for the
        // plan that knows it (apply plans again).
        resp.planned
            .set_attr(attributes::ACCOUNT_ID, Value::Unknown);
        if !req.prior.is_null() {
            resp.requires_replace
                .push(AttributePath::root(attributes::ACCOUNT_ID));
        }
        resp.planned
            .set_attr(attributes::OWNER_ACCOUNT_ID, Value::Unknown);
        resp.planned.set_attr(attributes::ARN, Value::Unknown);
        return;
    }
    let name = resp
        .planned
        .attr(attributes::ROLE_NAME)
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let wanted = configured
        .as_str()
        .map(str::to_owned)
        .or(prior_account.clone());
    let moving = !req.prior.is_null() && wanted.is_some() && wanted != prior_account;
    // Reached now, at plan, so an account without the access role, or whose role does not trust this provider's
    // identity, fails here and nothing is written anywhere in this run. A role in state is checked in its own
    // account first: it is what the refresh and the destroy of a replacement need.
    if moving
        && let Some(recorded) = &prior_account
        && let Err(d) = account_client(client, Some(recorded), &name).await
    {
        resp.diagnostics.push(d);
        return;
    }
    let target = match (&wanted, moving || req.prior.is_null()) {
        (Some(account), true) => match client.in_account(account).await {
            Ok(target) => target,
            Err(e) => {
                resp.diagnostics.push(
                    Diagnostic::error(
                        "Account Not Reachable",
                        format!(
                            "account_id {account}: {e}. Nothing was written. The provider assumes \
                             {} with its own credentials in every account a resource names: the \
                             account needs that role (Resource Directory creates it in each member), trusting \
                             the provider's identity (the management account's RAM users and roles, not its \
                             root keys), and the identity needs sts:AssumeRole on it.",
                            client.access_role_arn(account)
                        ),
                    )
                    .at(AttributePath::root(attributes::ACCOUNT_ID)),
                );
                return;
            }
        },
        (account, _) => match account_client(client, account.as_deref(), &name).await {
            Ok(target) => target,
            Err(d) => {
                resp.diagnostics.push(d);
                return;
            }
        },
    };
    let client = &*target;

    // The owner is the account of the client's credentials: one GetCallerIdentity per account per instance.
    let owner = match client.caller_identity().await {
        Ok(me) => {
            // A reminder when the role is about to be created, not on every later plan.
            let kind = IdentityKind::of(me.identity_type.as_deref(), &me.arn);
            if let Some(service) = K::SERVICE
                && (req.prior.is_null() || moving)
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
    // Known at plan for a new role; an existing one keeps its state's value (a state written before
    // `account_id` existed gets it from the next refresh, so such a plan shows no change).
    if req.prior.is_null() || moving {
        resp.planned
            .set_attr(attributes::ACCOUNT_ID, Value::string(owner.as_str()));
    }
    if moving {
        resp.requires_replace
            .push(AttributePath::root(attributes::ACCOUNT_ID));
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
    if K::PREREQUISITE_OF == Some(CrossAccountService::Dts) {
        client.dts_prerequisite.note_planned();
    }
    // The seed's prerequisite for the account of a cross-account DTS role: a warning, never a failed plan.
    if K::SERVICE == Some(CrossAccountService::Dts)
        && let Some(warning) = client.dts_prerequisite.warning(&client.api, &owner).await
    {
        resp.diagnostics.push(warning);
    }
    // `aliram_role` may trust its own account on purpose, so a warning where the other kinds refuse; shown when
    // the document is about to be written, not on every plan.
    if K::SERVICE.is_none()
        && K::PREREQUISITE_OF.is_none()
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
    if req.prior.is_null() || moving {
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
