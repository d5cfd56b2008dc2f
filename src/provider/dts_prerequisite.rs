//! The seed's DTS prerequisite, checked at plan: the account that owns a database of a cross-account DTS task (the
//! account of `aliram_cross_account_dts_role`) holds the DTS default role, trusting DTS and carrying its policy
//! ([`DEFAULT_ROLE`]). Read once per provider instance, whatever the number of roles planned with it.

use crate::framework::diagnostics::Diagnostic;
use crate::provider::alicloud::{AliCloudClient, ClientError};
use crate::provider::domain::dts::{DEFAULT_ROLE, DefaultRoleProblem, check_default_role};
use crate::ram::account::AccountId;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::OnceCell;

/// The type name of the resource that manages the DTS default role, named in the warnings.
pub const DEFAULT_ROLE_RESOURCE: &str = "aliram_dts_default_role";

/// What the account's DTS default role is. Any error reading it (a credential without `ram:GetRole`, RAM
/// unavailable after retries) only makes the check unknown: the plan of the cross-account role never fails on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultRoleStatus {
    /// Present, trusting DTS and carrying its policy.
    Right,
    /// Missing or wrong.
    Wrong(DefaultRoleProblem),
    /// Could not be read (for example `NoPermission`): the error's text.
    Unreadable(String),
}

/// The check of one provider instance: the account's default role, read once, and whether an
/// `aliram_dts_default_role` of this instance was planned to create or correct it in this run.
#[derive(Debug, Default)]
pub struct DtsPrerequisite {
    status: OnceCell<DefaultRoleStatus>,
    planned: AtomicBool,
}

impl DtsPrerequisite {
    /// Records that an `aliram_dts_default_role` of this instance is planned in this run, so that the roles
    /// planned after it (Terraform plans a resource after those it depends on) are not warned about a role the
    /// same apply creates or corrects.
    pub fn note_planned(&self) {
        self.planned.store(true, Ordering::Relaxed);
    }

    /// The account's default role (GetRole and ListPoliciesForRole, the first time only; plans asking at the same
    /// moment share the one read).
    pub async fn status(&self, api: &AliCloudClient, owner: &AccountId) -> &DefaultRoleStatus {
        self.status
            .get_or_init(|| async {
                match read(api, owner).await {
                    Ok(Ok(())) => DefaultRoleStatus::Right,
                    Ok(Err(problem)) => DefaultRoleStatus::Wrong(problem),
                    Err(e) => DefaultRoleStatus::Unreadable(e.to_string()),
                }
            })
            .await
    }

    /// The warning for a cross-account DTS role planned in account `owner`, or `None` when the prerequisite holds
    /// or this run's plan includes the resource that establishes it.
    pub async fn warning(&self, api: &AliCloudClient, owner: &AccountId) -> Option<Diagnostic> {
        if self.planned.load(Ordering::Relaxed) {
            return None;
        }
        match self.status(api, owner).await {
            DefaultRoleStatus::Right => None,
            DefaultRoleStatus::Wrong(problem) => Some(wrong_warning(problem, owner)),
            DefaultRoleStatus::Unreadable(error) => Some(unreadable_warning(error, owner)),
        }
    }
}

async fn read(
    api: &AliCloudClient,
    owner: &AccountId,
) -> Result<Result<(), DefaultRoleProblem>, ClientError> {
    let role = match api.get_role(DEFAULT_ROLE.role_name).await {
        Ok(r) => r.role,
        Err(e) if e.is_not_found() => return Ok(Err(DefaultRoleProblem::Missing)),
        Err(e) => return Err(e),
    };
    let attached: Vec<String> = match api.list_policies_for_role(DEFAULT_ROLE.role_name).await {
        Ok(list) => list
            .policies
            .policy
            .into_iter()
            .map(|p| p.policy_name)
            .collect(),
        Err(e) if e.is_not_found() => return Ok(Err(DefaultRoleProblem::Missing)),
        Err(e) => return Err(e),
    };
    Ok(check_default_role(
        role.assume_role_policy_document.as_deref(),
        &attached,
        Some(owner),
    ))
}

fn consequence(owner: &AccountId) -> String {
    format!(
        "The DTS documentation's prerequisite for a cross-account task is that \"{}\" (the account {} of this \
         role): the role {} trusting {} with the system policy {}. Without it, creating the DTS task fails with \
         {}: \"{}\". The role created here is not affected.",
        DEFAULT_ROLE.prerequisite,
        owner.as_str(),
        DEFAULT_ROLE.role_name,
        DEFAULT_ROLE.service,
        DEFAULT_ROLE.policy,
        DEFAULT_ROLE.missing_error_code,
        DEFAULT_ROLE.missing_error_message,
    )
}

fn wrong_warning(problem: &DefaultRoleProblem, owner: &AccountId) -> Diagnostic {
    Diagnostic::warning(
        "DTS Default Role Missing or Wrong",
        format!(
            "In account {}, {problem}. {} To fix it, declare `resource \"{DEFAULT_ROLE_RESOURCE}\"` with this \
             provider (import it first if the role exists), or use the DTS console's quick authorization. If \
             this configuration already declares {DEFAULT_ROLE_RESOURCE} and it is not applied yet, this apply \
             creates or corrects the role and the warning is gone on the next plan; add `depends_on = \
             [{DEFAULT_ROLE_RESOURCE}.<name>]` to this resource so that the plan knows and does not warn.",
            owner.as_str(),
            consequence(owner),
        ),
    )
}

fn unreadable_warning(error: &str, owner: &AccountId) -> Diagnostic {
    Diagnostic::warning(
        "DTS Default Role Not Checked",
        format!(
            "Could not read role {} of account {} to check the DTS prerequisite: {error}. {} Grant this \
             provider's identity ram:GetRole and ram:ListPoliciesForRole to have it checked at plan, or check the \
             role in the RAM console.",
            DEFAULT_ROLE.role_name,
            owner.as_str(),
            consequence(owner),
        ),
    )
}
