//! `aliram_dts_default_role`: the DTS default role of the provider instance's account (`AliyunDTSDefaultRole`),
//! the seed's prerequisite for every DTS task that uses a database of this account, cross-account ones included.
//! The DTS console creates it by quick authorization; this resource creates it, or takes it over on import.

use super::attributes;
use super::role_resource::{Desired, RoleKind};
use crate::framework::diagnostics::Diagnostic;
use crate::framework::schema::Attribute;
use crate::framework::types::Type;
use crate::framework::value::Value;
use crate::provider::domain::cross_account_service::CrossAccountService;
use crate::provider::domain::dts::{DEFAULT_ROLE, default_role_trust_policy};
use crate::provider::dts_prerequisite::DEFAULT_ROLE_RESOURCE;

/// The `aliram_dts_default_role` kind.
#[derive(Debug)]
pub(crate) struct DtsDefaultRole;

impl RoleKind for DtsDefaultRole {
    const TYPE_NAME: &'static str = DEFAULT_ROLE_RESOURCE;
    const SERVICE: Option<CrossAccountService> = None;
    const PREREQUISITE_OF: Option<CrossAccountService> = Some(CrossAccountService::Dts);

    fn description() -> &'static str {
        "The DTS default role `AliyunDTSDefaultRole` of an account (`account_id`, by default this provider instance's own): it trusts DTS \
         (`{\"Service\": [\"dts.aliyuncs.com\"]}`) and carries exactly `AliyunDTSRolePolicy`. The DTS documentation \
         requires it in the account that owns a database of a task (\"DTS has the required permissions to access \
         the cloud resources of the Alibaba Cloud account that owns the database instance\"): without it, creating \
         the task fails with `Abnormal.RamCheckUserRole`. Declare it beside the account's \
         `aliram_cross_account_dts_role`; import it when the DTS console's quick authorization already created it. \
         Changes to its trust policy or policies made outside Terraform show as drift."
    }

    fn role_name() -> Attribute {
        Attribute::string(attributes::ROLE_NAME)
            .default(Value::string(DEFAULT_ROLE.role_name))
            .requires_replace()
            .description("Name of the role: always `AliyunDTSDefaultRole`, the name DTS looks for; the attribute exists so that the role is imported and identified like the other role resources.")
            .validate(|v| match v.as_str() {
                Some(name) if name == DEFAULT_ROLE.role_name => Ok(()),
                other => Err(format!(
                    "role_name {:?} is not accepted: DTS looks for its default role by the name {:?} only, so that is the one value accepted (it is the default; omit role_name).",
                    other.unwrap_or_default(),
                    DEFAULT_ROLE.role_name
                )),
            })
    }

    fn attributes() -> Vec<Attribute> {
        vec![
            Attribute::string(attributes::TRUST_POLICY)
                .computed()
                .description("The trust policy document written to the role, `{\"Service\": [\"dts.aliyuncs.com\"]}` (DTS of this account), known at plan time. A role whose trust policy was changed outside Terraform shows the difference and is corrected on apply."),
            Attribute::new(attributes::POLICY_NAMES, Type::set(Type::String))
                .computed()
                .description("The system policies attached to the role: `AliyunDTSRolePolicy` only, known at plan time. Others attached outside Terraform are detached on apply."),
        ]
    }

    fn desired(_config: &Value) -> Desired {
        Desired {
            trust_policy: Value::string(default_role_trust_policy().to_json()),
            policy_names: Value::string_set([DEFAULT_ROLE.policy]),
            trusted: None,
        }
    }

    fn destroy_warning(prior: &Value) -> Option<Diagnostic> {
        let account = prior
            .attr(attributes::OWNER_ACCOUNT_ID)
            .as_str()
            .unwrap_or("of this provider instance");
        Some(Diagnostic::warning(
            "Every DTS Task of the Account Depends on This Role",
            format!(
                "This plan deletes {} of account {account}. Every DTS task that uses a database of this account, \
                 cross-account tasks included, depends on it: DTS can then no longer reach the account's \
                 databases, and creating a task fails with {} (\"{}\"). Destroy it only when no DTS task uses the \
                 account; to stop managing it without deleting it, use a `removed` block with `destroy = false`.",
                DEFAULT_ROLE.role_name,
                DEFAULT_ROLE.missing_error_code,
                DEFAULT_ROLE.missing_error_message
            ),
        ))
    }
}
