//! `aliram_role`: the generic cross-account role, for services beyond DTS and DataWorks: any trust policy, any
//! set of system policies.

use super::attributes;
use super::role_resource::{Desired, RoleKind, capitalised, role_name_validator};
use crate::framework::schema::Attribute;
use crate::framework::types::Type;
use crate::framework::value::Value;
use crate::provider::domain::cross_account_service::CrossAccountService;
use crate::provider::domain::trust_policy::TrustPolicy;

/// The `aliram_role` kind.
#[derive(Debug)]
pub(crate) struct GenericRole;

impl RoleKind for GenericRole {
    const TYPE_NAME: &'static str = "aliram_role";
    const SERVICE: Option<CrossAccountService> = None;

    fn description() -> &'static str {
        "A RAM role with a trust policy and a set of system policies, managed exclusively: the building block of \
         the DTS and DataWorks roles, for other cross-account roles. The trust policy is compared by meaning, so \
         RAM's re-serialisation causes no diff; policies attached outside Terraform are detached on apply."
    }

    fn role_name() -> Attribute {
        Attribute::string(attributes::ROLE_NAME)
            .required()
            .requires_replace()
            .description("Name of the role: 1 to 64 letters, digits, `.` or `-`. Changing it replaces the role.")
            .validate(role_name_validator)
    }

    fn attributes() -> Vec<Attribute> {
        vec![
            Attribute::string(attributes::TRUST_POLICY)
                .required()
                .description("The trust policy document (JSON), for example from `provider::aliram::dts_trust_policy`. Compared by meaning: key order, whitespace, a string versus a one-element list and the order of principals do not count.")
                .validate(|v| {
                    TrustPolicy::parse(v.as_str().unwrap_or_default())
                        .map(drop)
                        .map_err(|e| capitalised(&format!("the trust policy is not a valid policy document: {e}")))
                }),
            Attribute::new(attributes::POLICY_NAMES, Type::set(Type::String))
                .required()
                .description("System policies attached to the role, and only these: others attached outside Terraform are detached on apply."),
        ]
    }

    fn desired(config: &Value) -> Desired {
        Desired {
            trust_policy: config.attr(attributes::TRUST_POLICY).clone(),
            policy_names: config.attr(attributes::POLICY_NAMES).clone(),
            trusted: None,
        }
    }
}
