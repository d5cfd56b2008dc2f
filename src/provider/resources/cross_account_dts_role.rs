//! `aliram_cross_account_dts_role`: the role a database owner's account holds so that DTS, acting for the
//! account that creates the task, can reach the database (scenarios 1 to 3 of the DTS documentation).

use super::attributes;
use super::role_resource::{
    Desired, RoleKind, account_id_validator, capitalised, role_name_validator,
};
use crate::framework::diagnostics::Diagnostics;
use crate::framework::path::AttributePath;
use crate::framework::schema::Attribute;
use crate::framework::types::Type;
use crate::framework::value::Value;
use crate::provider::domain::cross_account_service::CrossAccountService;
use crate::provider::domain::dts::{self, DatabaseSide, DtsError, Scenario};
use crate::provider::domain::trust_policy::dts_trust_policy;
use crate::ram::account::AccountId;
use crate::ram::trust_policy::{PrincipalKind, TrustPolicy};

/// The `aliram_cross_account_dts_role` kind.
#[derive(Debug)]
pub(crate) struct DtsRole;

fn invalid(path: &str, error: &DtsError, diagnostics: &mut Diagnostics) {
    diagnostics.add_attribute_error(
        AttributePath::root(path),
        "Not Supported Across Accounts",
        capitalised(&error.to_string()),
    );
}

impl RoleKind for DtsRole {
    const TYPE_NAME: &'static str = "aliram_cross_account_dts_role";
    const SERVICE: Option<CrossAccountService> = Some(CrossAccountService::Dts);

    fn description() -> &'static str {
        "The RAM role that lets Data Transmission Service (DTS), acting for the account that creates a \
         cross-account task, access a database of the role's account (`account_id`, by default this provider instance's own). It trusts the task's account \
         (principals `acs:ram::<T>:root` and `<T>@dts.aliyuncs.com`) and carries `AliyunDTSRolePolicy`. The task \
         is then configured with `owner_account_id` and `role_name`."
    }

    fn role_name() -> Attribute {
        Attribute::string(attributes::ROLE_NAME)
            .default(Value::string(dts::DEFAULT_ROLE_NAME))
            .requires_replace()
            .description("Name of the role; defaults to `ram-for-dts`, the name the DTS documentation uses. The task is configured with it. Changing it replaces the role.")
            .validate(role_name_validator)
    }

    fn attributes() -> Vec<Attribute> {
        vec![
            Attribute::string(attributes::SCENARIO)
                .required()
                .description("Which databases of the DTS task are cross-account: `source`, `destination` or `source_and_destination`.")
                .validate(|v| Scenario::parse(v.as_str().unwrap_or_default()).map(drop).map_err(|e| capitalised(&e.to_string()))),
            Attribute::string(attributes::DATABASE)
                .optional()
                .description("Which of the task's databases this account owns: `source` or `destination`. Required for `source_and_destination`; otherwise it is the scenario's cross-account side and may be omitted.")
                .validate(|v| DatabaseSide::parse(v.as_str().unwrap_or_default()).map(drop).map_err(|e| capitalised(&e.to_string()))),
            Attribute::string(attributes::TASK_ACCOUNT_ID)
                .required()
                .description("UID of the account that creates the DTS task (all digits): the trusted account. Never this provider instance's own account. A UID without the usual 16 digits gets a plan-time warning.")
                .validate(account_id_validator),
            Attribute::string(attributes::DATABASE_TYPE)
                .optional()
                .description("Type of this account's database (for example `MySQL`, `PolarDB for MySQL`, `Tair/Redis`). When set, it is checked against the types DTS supports across accounts on that side.")
            ,
            Attribute::string(attributes::ACCESS_METHOD)
                .optional()
                .description("How DTS reaches the database (for example `Alibaba Cloud Instance`). When set with `database_type`, it is checked against the methods supported for that type.")
            ,
            Attribute::bool(attributes::TWO_WAY)
                .optional()
                .description("Set to true for two-way (bidirectional) synchronisation across accounts, which DTS supports only with both databases cross-account (`source_and_destination`) and only between ApsaraDB RDS for MySQL instances, ApsaraDB RDS for MySQL clusters, Tair (Enterprise Edition) instances, ApsaraDB for MongoDB replica set instances, or ApsaraDB for MongoDB sharded cluster instances."),
            Attribute::string(attributes::INSTANCE_KIND)
                .optional()
                .description("Which instances the two-way task synchronises between, in the DTS guide's words: `ApsaraDB RDS for MySQL instances`, `ApsaraDB RDS for MySQL clusters`, `Tair (Enterprise Edition) instances`, `ApsaraDB for MongoDB replica set instances` or `ApsaraDB for MongoDB sharded cluster instances`. Required with `two_way` for `database_type = \"Tair/Redis\"`, since only Tair (Enterprise Edition) instances of that type qualify; checked against `database_type` when both are set.")
                .validate(|v| dts::check_instance_kind(None, v.as_str().unwrap_or_default()).map_err(|e| capitalised(&e.to_string()))),
            Attribute::string(attributes::TRUST_POLICY)
                .computed()
                .description("The trust policy document written to the role, known at plan time and checked there against RAM's rules for trust policies."),
            Attribute::new(attributes::POLICY_NAMES, Type::set(Type::String))
                .computed()
                .description("The system policies attached to the role (`AliyunDTSRolePolicy`), known at plan time."),
        ]
    }

    fn validate(config: &Value, diagnostics: &mut Diagnostics) {
        let Some(scenario) = config
            .attr(attributes::SCENARIO)
            .as_str()
            .and_then(|s| Scenario::parse(s).ok())
        else {
            return;
        };
        let database = config.attr(attributes::DATABASE);
        if database.is_unknown() {
            return;
        }
        let chosen = database.as_str().and_then(|s| DatabaseSide::parse(s).ok());
        let side = match scenario.resolve_database(chosen) {
            Ok(side) => side,
            Err(e) => return invalid(attributes::DATABASE, &e, diagnostics),
        };
        let database_type = config.attr(attributes::DATABASE_TYPE);
        let access_method = config.attr(attributes::ACCESS_METHOD);
        let instance_kind = config.attr(attributes::INSTANCE_KIND);
        if database_type.is_unknown() || access_method.is_unknown() || instance_kind.is_unknown() {
            return;
        }
        match (database_type.as_str(), access_method.as_str()) {
            (Some(kind), method) => {
                if let Err(e) = dts::check_database(side, kind, method) {
                    let path = if matches!(e, DtsError::UnsupportedAccessMethod { .. }) { attributes::ACCESS_METHOD } else { attributes::DATABASE_TYPE };
                    invalid(path, &e, diagnostics);
                }
            }
            (None, Some(method)) => diagnostics.add_attribute_error(
                AttributePath::root(attributes::ACCESS_METHOD),
                "Missing Database Type",
                format!("access_method {method:?} can only be checked with the database's type: set database_type too."),
            ),
            (None, None) => {}
        }
        // An instance_kind that is none of the guide's is reported by its own validator, once.
        let kind_given = instance_kind.as_str().is_some();
        let known_kind = instance_kind
            .as_str()
            .filter(|k| dts::find_two_way_instance_kind(k).is_some());
        let checked = if config.attr(attributes::TWO_WAY).as_bool() == Some(true) {
            match dts::check_two_way(
                scenario,
                database_type.as_str(),
                access_method.as_str(),
                known_kind,
            ) {
                Err(DtsError::TwoWayNeedsInstanceKind { .. }) if kind_given => Ok(()),
                other => other,
            }
        } else {
            known_kind.map_or(Ok(()), |kind| {
                dts::check_instance_kind(database_type.as_str(), kind)
            })
        };
        if let Err(e) = checked {
            let path = match e {
                DtsError::UnknownInstanceKind { .. } | DtsError::InstanceKindMismatch { .. } => {
                    attributes::INSTANCE_KIND
                }
                _ => attributes::TWO_WAY,
            };
            invalid(path, &e, diagnostics);
        }
    }

    fn desired(config: &Value) -> Desired {
        let trusted = config
            .attr(attributes::TASK_ACCOUNT_ID)
            .as_str()
            .and_then(|t| AccountId::parse(t).ok());
        Desired {
            trust_policy: trusted.as_ref().map_or(Value::Unknown, |t| {
                Value::string(dts_trust_policy(t).to_json())
            }),
            policy_names: Value::string_set([dts::SYSTEM_POLICY]),
            trusted: trusted.map(|t| (attributes::TASK_ACCOUNT_ID, t)),
        }
    }

    fn infer(state: &mut Value) {
        // RAM cannot tell which side of the task the role serves (the role is the same); an imported or listed
        // role records the first scenario, and a configuration naming another updates it without an API call.
        if state.attr(attributes::SCENARIO).is_null() {
            state.set_attr(
                attributes::SCENARIO,
                Value::string(Scenario::Source.as_str()),
            );
        }
        if state.attr(attributes::TASK_ACCOUNT_ID).is_null() {
            let policy = state
                .attr(attributes::TRUST_POLICY)
                .as_str()
                .and_then(|d| TrustPolicy::parse(d).ok());
            let trusted = policy.and_then(|p| {
                p.principals(PrincipalKind::Ram)
                    .find_map(AccountId::from_ram_arn)
            });
            state.set_attr(
                attributes::TASK_ACCOUNT_ID,
                trusted.map(|t| t.to_string()).into(),
            );
        }
    }
}
