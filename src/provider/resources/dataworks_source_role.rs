//! `aliram_dataworks_source_role`: the role an instance owner's account holds so that DataWorks Data
//! Integration, acting for the account that owns the workspace, can read an RDS, Hive, Kafka or AnalyticDB for
//! MySQL 3.0 instance.

use super::attributes;
use super::role_resource::{
    Desired, RoleKind, account_id_validator, capitalised, role_name_validator,
};
use super::role_state::string_set;
use crate::framework::diagnostics::Diagnostics;
use crate::framework::path::AttributePath;
use crate::framework::schema::Attribute;
use crate::framework::types::Type;
use crate::framework::value::Value;
use crate::provider::domain::cross_account_service::CrossAccountService;
use crate::provider::domain::dataworks::{INSTANCE_TYPES, InstanceType, check_rds_engine};
use crate::provider::domain::trust_policy::dataworks_trust_policy;
use crate::ram::account::AccountId;
use crate::ram::trust_policy::{PrincipalKind, TrustPolicy};

/// The `aliram_dataworks_source_role` kind.
#[derive(Debug)]
pub(crate) struct DataWorksRole;

impl RoleKind for DataWorksRole {
    const TYPE_NAME: &'static str = "aliram_dataworks_source_role";
    const SERVICE: Option<CrossAccountService> = Some(CrossAccountService::DataWorks);

    fn description() -> &'static str {
        "The RAM role that lets DataWorks, acting for the account that owns the workspace, read an RDS, Hive, \
         Kafka or AnalyticDB for MySQL 3.0 instance of this provider instance's account. It trusts \
         `<T>@cdp.aliyuncs.com` and carries the system policies of the instance type. The data source is then \
         added with `owner_account_id` and `role_name`."
    }

    fn role_name() -> Attribute {
        Attribute::string(attributes::ROLE_NAME)
            .required()
            .requires_replace()
            .description("Name of the role: 1 to 64 letters, digits, `.` or `-`. The data source is configured with it. Changing it replaces the role.")
            .validate(role_name_validator)
    }

    fn attributes() -> Vec<Attribute> {
        vec![
            Attribute::string(attributes::INSTANCE_TYPE)
                .required()
                .description("Type of the instance DataWorks reads: `rds`, `hive`, `kafka` or `analyticdb_for_mysql` (AnalyticDB for MySQL 3.0). It decides the system policies.")
                .validate(|v| InstanceType::parse(v.as_str().unwrap_or_default()).map(drop).map_err(|e| capitalised(&e.to_string()))),
            Attribute::string(attributes::RDS_ENGINE)
                .optional()
                .description("Engine of the RDS instance, only with `instance_type = \"rds\"`: `MySQL`, `SQL Server`, `PostgreSQL` or `MariaDB` (any letter case; `SQLServer` is accepted too). Informative: every engine uses the same policy."),
            Attribute::string(attributes::DATAWORKS_ACCOUNT_ID)
                .required()
                .description("UID of the account that owns the DataWorks workspace (all digits): the trusted account. Never this provider instance's own account. A UID without the usual 16 digits gets a plan-time warning.")
                .validate(account_id_validator),
            Attribute::string(attributes::TRUST_POLICY)
                .computed()
                .description("The trust policy document written to the role, known at plan time and checked there against RAM's rules for trust policies."),
            Attribute::new(attributes::POLICY_NAMES, Type::set(Type::String))
                .computed()
                .description("The system policies attached to the role, by instance type, known at plan time."),
        ]
    }

    fn validate(config: &Value, diagnostics: &mut Diagnostics) {
        let Some(instance_type) = config
            .attr(attributes::INSTANCE_TYPE)
            .as_str()
            .and_then(|s| InstanceType::parse(s).ok())
        else {
            return;
        };
        if let Err(e) =
            check_rds_engine(instance_type, config.attr(attributes::RDS_ENGINE).as_str())
        {
            diagnostics.add_attribute_error(
                AttributePath::root(attributes::RDS_ENGINE),
                "Invalid RDS Engine",
                capitalised(&e.to_string()),
            );
        }
    }

    fn desired(config: &Value) -> Desired {
        let trusted = config
            .attr(attributes::DATAWORKS_ACCOUNT_ID)
            .as_str()
            .and_then(|t| AccountId::parse(t).ok());
        let instance_type = config
            .attr(attributes::INSTANCE_TYPE)
            .as_str()
            .and_then(|s| InstanceType::parse(s).ok());
        Desired {
            trust_policy: trusted.as_ref().map_or(Value::Unknown, |t| {
                Value::string(dataworks_trust_policy(t).to_json())
            }),
            policy_names: instance_type.map_or(Value::Unknown, |i| {
                Value::string_set(i.system_policies().iter().copied())
            }),
            trusted: trusted.map(|t| (attributes::DATAWORKS_ACCOUNT_ID, t)),
        }
    }

    fn infer(state: &mut Value) {
        if state.attr(attributes::DATAWORKS_ACCOUNT_ID).is_null() {
            let policy = state
                .attr(attributes::TRUST_POLICY)
                .as_str()
                .and_then(|d| TrustPolicy::parse(d).ok());
            let trusted = policy.and_then(|p| {
                p.principals(PrincipalKind::Service).find_map(|s| {
                    s.strip_suffix(&format!("@{}", CrossAccountService::DataWorks.host()))
                        .map(str::to_owned)
                })
            });
            state.set_attr(attributes::DATAWORKS_ACCOUNT_ID, trusted.into());
        }
        if state.attr(attributes::INSTANCE_TYPE).is_null() {
            let attached = string_set(state.attr(attributes::POLICY_NAMES));
            let kind = INSTANCE_TYPES.iter().find(|f| {
                f.instance_type
                    .system_policies()
                    .iter()
                    .all(|p| attached.contains(*p))
            });
            state.set_attr(
                attributes::INSTANCE_TYPE,
                kind.map(|f| f.instance_type.as_str().to_owned()).into(),
            );
        }
    }
}
