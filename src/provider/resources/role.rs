//! `aliram_role`: the generic cross-account role, for services beyond DTS and DataWorks: any trust policy, any
//! set of system policies.

use super::attributes;
use super::role_resource::{
    Desired, RoleKind, check_policy_names, check_trust_policy, role_name_validator,
};
use crate::framework::diagnostics::Diagnostics;
use crate::framework::path::AttributePath;
use crate::framework::schema::Attribute;
use crate::framework::types::Type;
use crate::framework::value::Value;
use crate::provider::domain::cross_account_service::CrossAccountService;
use crate::ram::role_rules::max_policies_per_role;
use crate::ram::trust_policy::rules::MAX_DOCUMENT_CHARS;

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
                .description(&format!("The trust policy document (JSON), for example from `provider::aliram::dts_trust_policy`. Checked before anything is written, as RAM applies it: `Version` the string `\"1\"`, a non-empty `Statement`, `sts:AssumeRole` the only action, at most {MAX_DOCUMENT_CHARS} characters, no key twice in one object; a document RAM would refuse fails validation or the plan. A document that trusts this account's own DTS or DataWorks service principal gets a warning at plan. Compared by meaning: key order, whitespace, a string versus a one-element list and the order of principals do not count."))
                .validate(|v| check_trust_policy(v.as_str().unwrap_or_default())),
            Attribute::new(attributes::POLICY_NAMES, Type::set(Type::String))
                .required()
                .description(&format!("System policies attached to the role, and only these: others attached outside Terraform are detached on apply. At most {max} (RAM's quota per role). Each name is looked up at plan time (GetPolicy, once per distinct name per provider configuration), so a name the account does not have fails the plan; a name known only at apply is checked when it is known.", max = max_policies_per_role("System").unwrap_or_default())),
        ]
    }

    fn validate(config: &Value, diagnostics: &mut Diagnostics) {
        let policy_names = config.attr(attributes::POLICY_NAMES);
        if let Err(detail) = check_policy_names(policy_names) {
            diagnostics.add_attribute_error(
                AttributePath::root(attributes::POLICY_NAMES),
                "Too Many Policies",
                detail,
            );
        }
    }

    fn desired(config: &Value) -> Desired {
        Desired {
            trust_policy: config.attr(attributes::TRUST_POLICY).clone(),
            policy_names: config.attr(attributes::POLICY_NAMES).clone(),
            trusted: None,
        }
    }
}
