//! DTS cross-account tasks, from the guide "Configure RAM authorization for cross-account DTS tasks".
//!
//! A DTS task has a source database, a destination database and the account that creates it; a database is
//! cross-account when another account owns it. Each cross-account database's account holds a role named in the
//! task, trusting the task's account ([`SCENARIOS`]). Only the database types and access methods of
//! [`SOURCE_DATABASES`] and [`DESTINATION_DATABASES`] can be cross-account, and two-way synchronisation across
//! accounts only between the instances of [`TWO_WAY_SYNC_DATABASES`].
//!
//! Scenario and side names are exact tokens (`source`, `source_and_destination`); database types and access
//! methods are matched exactly but case-insensitively, since users copy them from console labels.

use crate::ram::accepted_values::quoted_alternatives;
use crate::ram::account::AccountId;
use crate::ram::trust_policy::{Principal, TrustPolicy};
use std::fmt;

/// The system policy every DTS cross-account role carries.
pub const SYSTEM_POLICY: &str = "AliyunDTSRolePolicy";

/// The role name the guide uses; any valid name works, as long as the task is configured with it.
pub const DEFAULT_ROLE_NAME: &str = "ram-for-dts";

/// The guide's usage note on account types. No attribute and no API answer shows an account's cloud type, so it
/// is stated in the resource documentation ("Before you start") only.
pub const DIFFERENT_ACCOUNT_TYPES_NOTE: &str = "Synchronization tasks between accounts of different types, such as \
     between an Alibaba Finance Cloud account and a government cloud account, are not supported.";

/// The DTS default role, the seed's prerequisite ("Prerequisites": "DTS has the required permissions to access the
/// cloud resources of the Alibaba Cloud account that owns the database instance"). It lives in the **database
/// owner's account**, the account of the cross-account role, beside it; the task never names it. The DTS console
/// creates it by "quick authorization".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DefaultRoleFacts {
    /// The role's name, which DTS looks for: `AliyunDTSDefaultRole`.
    pub role_name: &'static str,
    /// The one service principal it trusts, DTS of its own account: `dts.aliyuncs.com`.
    pub service: &'static str,
    /// The one system policy it carries: `AliyunDTSRolePolicy`.
    pub policy: &'static str,
    /// The seed's prerequisite, in its words.
    pub prerequisite: &'static str,
    /// The error code of a DTS task created without it.
    pub missing_error_code: &'static str,
    /// That error's message.
    pub missing_error_message: &'static str,
}

/// The facts of the DTS default role.
pub const DEFAULT_ROLE: DefaultRoleFacts = DefaultRoleFacts {
    role_name: "AliyunDTSDefaultRole",
    service: "dts.aliyuncs.com",
    policy: SYSTEM_POLICY,
    prerequisite: "DTS has the required permissions to access the cloud resources of the Alibaba Cloud account \
        that owns the database instance",
    missing_error_code: "Abnormal.RamCheckUserRole",
    missing_error_message: "You have not authorized the default role AliyunDTSDefaultRole of DTS",
};

/// What is wrong with an account's DTS default role.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DefaultRoleProblem {
    /// The account has no role of that name.
    #[error("this account has no role {}", DEFAULT_ROLE.role_name)]
    Missing,
    /// The role trusts something else than DTS of its own account.
    #[error(
        "role {} trusts something else than {} (its trust policy is {found})",
        DEFAULT_ROLE.role_name,
        DEFAULT_ROLE.service
    )]
    OtherTrust {
        /// The trust policy the role has.
        found: String,
    },
    /// The role lacks the policy.
    #[error(
        "role {} does not carry {} (attached: {})",
        DEFAULT_ROLE.role_name,
        DEFAULT_ROLE.policy,
        if attached.is_empty() { "none".to_owned() } else { attached.join(", ") }
    )]
    MissingPolicy {
        /// The policies it has.
        attached: Vec<String>,
    },
}

/// Checks an account's DTS default role: its trust policy (`None` when the role does not exist) means the same as
/// [`default_role_trust_policy`] for the account `owner`, and `attached` holds [`DEFAULT_ROLE`]'s policy.
pub fn check_default_role(
    trust_policy: Option<&str>,
    attached: &[String],
    owner: Option<&AccountId>,
) -> Result<(), DefaultRoleProblem> {
    let Some(document) = trust_policy else {
        return Err(DefaultRoleProblem::Missing);
    };
    let right = TrustPolicy::parse(document)
        .is_ok_and(|p| p.equivalent_to(&default_role_trust_policy(), owner));
    if !right {
        return Err(DefaultRoleProblem::OtherTrust {
            found: document.split_whitespace().collect::<Vec<_>>().join(" "),
        });
    }
    if !attached.iter().any(|p| p == DEFAULT_ROLE.policy) {
        return Err(DefaultRoleProblem::MissingPolicy {
            attached: attached.to_vec(),
        });
    }
    Ok(())
}

/// The trust policy of the DTS default role: DTS of the role's own account may assume it
/// (`{"Service": ["dts.aliyuncs.com"]}`).
pub fn default_role_trust_policy() -> TrustPolicy {
    TrustPolicy::allow_assume_role(Principal {
        service: vec![DEFAULT_ROLE.service.to_owned()],
        ..Principal::default()
    })
}

/// Which databases of a DTS task are cross-account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scenario {
    /// Scenario 1: only the source database is cross-account.
    Source,
    /// Scenario 2: only the destination database is cross-account.
    Destination,
    /// Scenario 3: both databases are cross-account, and a third account creates the task.
    SourceAndDestination,
}

/// A database of a DTS task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DatabaseSide {
    /// The source database.
    Source,
    /// The destination database.
    Destination,
}

/// The account a scenario's roles trust: the one that creates the DTS task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrustedAccount {
    /// The account that owns the destination database (scenario 1).
    DestinationDatabaseOwner,
    /// The account that owns the source database (scenario 2).
    SourceDatabaseOwner,
    /// A designated third account (scenario 3).
    DesignatedTaskAccount,
}

/// One row of the guide's "Account information" table.
#[derive(Debug)]
pub struct ScenarioFacts {
    /// The scenario.
    pub scenario: Scenario,
    /// Its name in configurations.
    pub name: &'static str,
    /// The databases that are cross-account: each one's account holds a role.
    pub cross_account: &'static [DatabaseSide],
    /// The account every role of the scenario trusts, which also creates the task.
    pub trusted: TrustedAccount,
    /// The scenario in words.
    pub summary: &'static str,
}

/// The three scenarios, in the guide's order.
pub const SCENARIOS: [ScenarioFacts; 3] = [
    ScenarioFacts {
        scenario: Scenario::Source,
        name: "source",
        cross_account: &[DatabaseSide::Source],
        trusted: TrustedAccount::DestinationDatabaseOwner,
        summary: "only the source database is cross-account",
    },
    ScenarioFacts {
        scenario: Scenario::Destination,
        name: "destination",
        cross_account: &[DatabaseSide::Destination],
        trusted: TrustedAccount::SourceDatabaseOwner,
        summary: "only the destination database is cross-account",
    },
    ScenarioFacts {
        scenario: Scenario::SourceAndDestination,
        name: "source_and_destination",
        cross_account: &[DatabaseSide::Source, DatabaseSide::Destination],
        trusted: TrustedAccount::DesignatedTaskAccount,
        summary: "both databases are cross-account",
    },
];

impl Scenario {
    /// Every scenario.
    pub const ALL: [Scenario; 3] = [
        Scenario::Source,
        Scenario::Destination,
        Scenario::SourceAndDestination,
    ];

    /// Parses `source`, `destination` or `source_and_destination`.
    pub fn parse(value: &str) -> Result<Scenario, DtsError> {
        SCENARIOS
            .iter()
            .find(|row| row.name == value)
            .map(|row| row.scenario)
            .ok_or_else(|| DtsError::UnknownScenario {
                value: value.to_owned(),
            })
    }

    /// This scenario's row of [`SCENARIOS`].
    pub fn facts(self) -> &'static ScenarioFacts {
        match self {
            Scenario::Source => &SCENARIOS[0],
            Scenario::Destination => &SCENARIOS[1],
            Scenario::SourceAndDestination => &SCENARIOS[2],
        }
    }

    /// The name in configurations.
    pub fn as_str(self) -> &'static str {
        self.facts().name
    }

    /// The databases that are cross-account (each one's account holds a role).
    pub fn cross_account_sides(self) -> &'static [DatabaseSide] {
        self.facts().cross_account
    }

    /// The account the roles trust, which creates the task.
    pub fn trusted_account(self) -> TrustedAccount {
        self.facts().trusted
    }

    /// The database a role belongs to when the configuration does not say: the single cross-account side, or
    /// `None` for scenario 3, where each of the two accounts must say which database it owns.
    pub fn default_database(self) -> Option<DatabaseSide> {
        match self.cross_account_sides() {
            [only] => Some(*only),
            _ => None,
        }
    }

    /// Which database of the task the role of this account is for: `database` as configured, checked against
    /// the scenario, or the scenario's default. Required for `source_and_destination`; otherwise it must match.
    pub fn resolve_database(
        self,
        database: Option<DatabaseSide>,
    ) -> Result<DatabaseSide, DtsError> {
        match (database, self.default_database()) {
            (None, Some(default)) => Ok(default),
            (None, None) => Err(DtsError::DatabaseRequired { scenario: self }),
            (Some(side), _) if self.cross_account_sides().contains(&side) => Ok(side),
            (Some(side), _) => Err(DtsError::DatabaseMismatch {
                scenario: self,
                database: side,
            }),
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl DatabaseSide {
    /// Both sides.
    pub const ALL: [DatabaseSide; 2] = [DatabaseSide::Source, DatabaseSide::Destination];

    /// Parses `source` or `destination`.
    pub fn parse(value: &str) -> Result<DatabaseSide, DtsError> {
        DatabaseSide::ALL
            .into_iter()
            .find(|side| side.as_str() == value)
            .ok_or_else(|| DtsError::UnknownDatabaseSide {
                value: value.to_owned(),
            })
    }

    /// The name in configurations.
    pub fn as_str(self) -> &'static str {
        match self {
            DatabaseSide::Source => "source",
            DatabaseSide::Destination => "destination",
        }
    }

    /// The database types (with their access methods) that can be cross-account on this side.
    pub fn supported_databases(self) -> &'static [SupportedDatabase] {
        match self {
            DatabaseSide::Source => SOURCE_DATABASES,
            DatabaseSide::Destination => DESTINATION_DATABASES,
        }
    }
}

impl fmt::Display for DatabaseSide {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TrustedAccount {
    /// Who this is, in words.
    pub fn description(self) -> &'static str {
        match self {
            TrustedAccount::DestinationDatabaseOwner => {
                "the account that owns the destination database (it creates the DTS task)"
            }
            TrustedAccount::SourceDatabaseOwner => {
                "the account that owns the source database (it creates the DTS task)"
            }
            TrustedAccount::DesignatedTaskAccount => {
                "the designated account that creates the DTS task"
            }
        }
    }
}

/// How DTS connects to a database, as named in the DTS console.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccessMethod {
    /// `Alibaba Cloud Instance`.
    AlibabaCloudInstance,
    /// `Express Connect, VPN Gateway, or Smart Access Gateway`.
    ExpressConnectVpnGatewayOrSmartAccessGateway,
    /// `Self-managed Database on ECS`.
    SelfManagedDatabaseOnEcs,
    /// `Cloud Enterprise Network (CEN)`.
    CloudEnterpriseNetwork,
    /// `Database Gateway`.
    DatabaseGateway,
}

impl AccessMethod {
    /// Every access method.
    pub const ALL: [AccessMethod; 5] = [
        AccessMethod::AlibabaCloudInstance,
        AccessMethod::ExpressConnectVpnGatewayOrSmartAccessGateway,
        AccessMethod::SelfManagedDatabaseOnEcs,
        AccessMethod::CloudEnterpriseNetwork,
        AccessMethod::DatabaseGateway,
    ];

    /// The console label, which is also the accepted value.
    pub fn name(self) -> &'static str {
        match self {
            AccessMethod::AlibabaCloudInstance => "Alibaba Cloud Instance",
            AccessMethod::ExpressConnectVpnGatewayOrSmartAccessGateway => {
                "Express Connect, VPN Gateway, or Smart Access Gateway"
            }
            AccessMethod::SelfManagedDatabaseOnEcs => "Self-managed Database on ECS",
            AccessMethod::CloudEnterpriseNetwork => "Cloud Enterprise Network (CEN)",
            AccessMethod::DatabaseGateway => "Database Gateway",
        }
    }

    /// The access method with this label, ignoring letter case.
    pub fn parse(value: &str) -> Option<AccessMethod> {
        AccessMethod::ALL
            .into_iter()
            .find(|method| method.name().eq_ignore_ascii_case(value))
    }
}

impl fmt::Display for AccessMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A database type that can be cross-account, with the access methods that allow it.
#[derive(Debug)]
pub struct SupportedDatabase {
    /// The database type as the DTS console names it.
    pub database_type: &'static str,
    /// The access methods with which this type can be cross-account.
    pub access_methods: &'static [AccessMethod],
}

impl SupportedDatabase {
    /// True when `access_method` (a label, any letter case) is one of this type's methods.
    pub fn supports(&self, access_method: &str) -> bool {
        AccessMethod::parse(access_method).is_some_and(|m| self.access_methods.contains(&m))
    }
}

// Short names so the tables below read like the guide's.
use AccessMethod::{
    AlibabaCloudInstance as INSTANCE, CloudEnterpriseNetwork as CEN, DatabaseGateway as GATEWAY,
    ExpressConnectVpnGatewayOrSmartAccessGateway as EXPRESS, SelfManagedDatabaseOnEcs as ECS,
};

/// Source databases that can be cross-account (the guide's "Source databases" table).
#[rustfmt::skip]
pub const SOURCE_DATABASES: &[SupportedDatabase] = &[
    SupportedDatabase { database_type: "MySQL", access_methods: &[INSTANCE, EXPRESS, ECS] },
    SupportedDatabase { database_type: "PolarDB for MySQL", access_methods: &[INSTANCE] },
    SupportedDatabase { database_type: "Tair/Redis", access_methods: &[INSTANCE, EXPRESS, ECS, CEN, GATEWAY] },
    SupportedDatabase { database_type: "SQL Server", access_methods: &[INSTANCE, EXPRESS] },
    SupportedDatabase { database_type: "PostgreSQL", access_methods: &[INSTANCE, EXPRESS] },
    SupportedDatabase { database_type: "MongoDB", access_methods: &[INSTANCE, EXPRESS, ECS, CEN] },
    SupportedDatabase { database_type: "Oracle", access_methods: &[EXPRESS] },
    SupportedDatabase { database_type: "PolarDB (Compatible with Oracle)", access_methods: &[INSTANCE, EXPRESS] },
    SupportedDatabase { database_type: "PolarDB for PostgreSQL", access_methods: &[INSTANCE] },
    SupportedDatabase { database_type: "PolarDB-X 1.0", access_methods: &[INSTANCE] },
    SupportedDatabase { database_type: "PolarDB-X 2.0", access_methods: &[INSTANCE] },
    SupportedDatabase { database_type: "DB2 for iSeries (AS/400)", access_methods: &[EXPRESS] },
    SupportedDatabase { database_type: "DB2 for LUW", access_methods: &[EXPRESS, ECS] },
    SupportedDatabase { database_type: "MariaDB", access_methods: &[INSTANCE, EXPRESS, ECS] },
    SupportedDatabase { database_type: "ApsaraDB OceanBase for MySQL", access_methods: &[INSTANCE, EXPRESS, ECS] },
    SupportedDatabase { database_type: "SLS", access_methods: &[INSTANCE] },
    SupportedDatabase { database_type: "AnalyticDB for MySQL 3.0", access_methods: &[INSTANCE] },
    SupportedDatabase { database_type: "Kafka", access_methods: &[INSTANCE, EXPRESS, ECS] },
];

/// Destination databases that can be cross-account (the guide's "Destination databases" table): all only as an
/// Alibaba Cloud instance.
#[rustfmt::skip]
pub const DESTINATION_DATABASES: &[SupportedDatabase] = &[
    SupportedDatabase { database_type: "MySQL", access_methods: &[INSTANCE] },
    SupportedDatabase { database_type: "PolarDB for MySQL", access_methods: &[INSTANCE] },
    SupportedDatabase { database_type: "AnalyticDB for MySQL 3.0", access_methods: &[INSTANCE] },
    SupportedDatabase { database_type: "Tair/Redis", access_methods: &[INSTANCE] },
    SupportedDatabase { database_type: "ClickHouse", access_methods: &[INSTANCE] },
    SupportedDatabase { database_type: "SelectDB", access_methods: &[INSTANCE] },
    SupportedDatabase { database_type: "MongoDB", access_methods: &[INSTANCE] },
];

/// The supported database of `side` whose type is `database_type` (exact, any letter case).
pub fn find_database(
    side: DatabaseSide,
    database_type: &str,
) -> Option<&'static SupportedDatabase> {
    side.supported_databases()
        .iter()
        .find(|db| db.database_type.eq_ignore_ascii_case(database_type))
}

/// Checks that a database of `database_type`, reached with `access_method` when given, can be cross-account on
/// `side`. The error lists the supported types of the side, or the supported methods of the type.
pub fn check_database(
    side: DatabaseSide,
    database_type: &str,
    access_method: Option<&str>,
) -> Result<(), DtsError> {
    let database =
        find_database(side, database_type).ok_or_else(|| DtsError::UnsupportedDatabaseType {
            side,
            value: database_type.to_owned(),
        })?;
    match access_method {
        Some(method) if !database.supports(method) => Err(DtsError::UnsupportedAccessMethod {
            side,
            database_type: database.database_type,
            value: method.to_owned(),
        }),
        _ => Ok(()),
    }
}

/// Instances between which two-way synchronisation across accounts is supported, with the database type and
/// access method they are configured with.
#[derive(Debug)]
pub struct TwoWaySyncDatabase {
    /// The DTS database type of these instances (a row of both supported-database tables).
    pub database_type: &'static str,
    /// The instances, as the guide names them.
    pub instances: &'static str,
}

/// The guide's usage note: two-way synchronisation across accounts only between these (each with its own kind),
/// all reached as an Alibaba Cloud instance.
#[rustfmt::skip]
pub const TWO_WAY_SYNC_DATABASES: [TwoWaySyncDatabase; 5] = [
    TwoWaySyncDatabase { database_type: "MySQL", instances: "ApsaraDB RDS for MySQL instances" },
    TwoWaySyncDatabase { database_type: "MySQL", instances: "ApsaraDB RDS for MySQL clusters" },
    TwoWaySyncDatabase { database_type: "Tair/Redis", instances: "Tair (Enterprise Edition) instances" },
    TwoWaySyncDatabase { database_type: "MongoDB", instances: "ApsaraDB for MongoDB replica set instances" },
    TwoWaySyncDatabase { database_type: "MongoDB", instances: "ApsaraDB for MongoDB sharded cluster instances" },
];

/// Database types whose name does not tell whether an instance allows two-way synchronisation across accounts:
/// "Tair/Redis" covers the Redis Open-Source and Tair editions, and only Tair (Enterprise Edition) instances
/// qualify, so a two-way declaration of that type must say its instances are those (`instance_kind`). For MySQL
/// and MongoDB the type alone is accepted, as the other rows of [`TWO_WAY_SYNC_DATABASES`] cover them.
pub const TWO_WAY_TYPES_NAMING_INSTANCES: [&str; 1] = ["Tair/Redis"];

/// The instances of `database_type` (any letter case) that allow two-way synchronisation across accounts; empty
/// when none do.
pub fn two_way_instances(database_type: &str) -> Vec<&'static str> {
    TWO_WAY_SYNC_DATABASES
        .iter()
        .filter(|row| row.database_type.eq_ignore_ascii_case(database_type))
        .map(|row| row.instances)
        .collect()
}

/// The row of [`TWO_WAY_SYNC_DATABASES`] whose instances are `instance_kind` (the guide's words, any letter case).
pub fn find_two_way_instance_kind(instance_kind: &str) -> Option<&'static TwoWaySyncDatabase> {
    TWO_WAY_SYNC_DATABASES
        .iter()
        .find(|row| row.instances.eq_ignore_ascii_case(instance_kind))
}

/// Checks `instance_kind`: one of the instances of [`TWO_WAY_SYNC_DATABASES`], of `database_type` when given.
pub fn check_instance_kind(
    database_type: Option<&str>,
    instance_kind: &str,
) -> Result<(), DtsError> {
    let row =
        find_two_way_instance_kind(instance_kind).ok_or_else(|| DtsError::UnknownInstanceKind {
            value: instance_kind.to_owned(),
        })?;
    match database_type {
        Some(given) if !row.database_type.eq_ignore_ascii_case(given) => {
            Err(DtsError::InstanceKindMismatch {
                instances: row.instances,
                database_type: given.to_owned(),
            })
        }
        _ => Ok(()),
    }
}

/// Checks a two-way synchronisation declaration: both databases must be cross-account (scenario 3, so both
/// accounts hold a role); the database type, access method and instance kind, when known, must be among
/// [`TWO_WAY_SYNC_DATABASES`]; and for a type of [`TWO_WAY_TYPES_NAMING_INSTANCES`] the instance kind must be
/// given, since only some of its instances qualify.
pub fn check_two_way(
    scenario: Scenario,
    database_type: Option<&str>,
    access_method: Option<&str>,
    instance_kind: Option<&str>,
) -> Result<(), DtsError> {
    if scenario != Scenario::SourceAndDestination {
        return Err(DtsError::TwoWayNeedsBothSides { scenario });
    }
    if let Some(value) = database_type
        && two_way_instances(value).is_empty()
    {
        return Err(DtsError::TwoWayUnsupportedDatabaseType {
            value: value.to_owned(),
        });
    }
    if let Some(value) = access_method
        && AccessMethod::parse(value) != Some(AccessMethod::AlibabaCloudInstance)
    {
        return Err(DtsError::TwoWayUnsupportedAccessMethod {
            value: value.to_owned(),
        });
    }
    match (instance_kind, database_type) {
        (Some(kind), _) => check_instance_kind(database_type, kind),
        (None, Some(given)) => match TWO_WAY_TYPES_NAMING_INSTANCES
            .into_iter()
            .find(|t| t.eq_ignore_ascii_case(given))
        {
            Some(database_type) => Err(DtsError::TwoWayNeedsInstanceKind { database_type }),
            None => Ok(()),
        },
        (None, None) => Ok(()),
    }
}

/// A DTS declaration that cannot work across accounts.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DtsError {
    /// The scenario name is not one of the three.
    #[error(
        "\"{value}\" is not a DTS cross-account scenario: expected \"source\" (only the source database is \
         cross-account), \"destination\" (only the destination database is cross-account) or \
         \"source_and_destination\" (both are)"
    )]
    UnknownScenario {
        /// The value given.
        value: String,
    },
    /// The database side is neither `source` nor `destination`.
    #[error("\"{value}\" is not a database of a DTS task: expected \"source\" or \"destination\"")]
    UnknownDatabaseSide {
        /// The value given.
        value: String,
    },
    /// Scenario 3 without saying which database this account owns.
    #[error(
        "database must be set when scenario is \"{scenario}\": both databases are cross-account and each \
         database's account holds its own role, so set database to \"source\" or \"destination\", whichever \
         this account owns"
    )]
    DatabaseRequired {
        /// The scenario (always `source_and_destination`).
        scenario: Scenario,
    },
    /// The database side is not cross-account in the scenario.
    #[error(
        "database \"{database}\" does not match scenario \"{scenario}\": in that scenario {summary}, so the role \
         belongs to that database's account; set database to {accepted} or leave it unset",
        summary = scenario.facts().summary,
        accepted = quoted_alternatives(scenario.cross_account_sides().iter().map(|s| s.as_str()))
    )]
    DatabaseMismatch {
        /// The scenario.
        scenario: Scenario,
        /// The database side given.
        database: DatabaseSide,
    },
    /// The database type cannot be cross-account on that side.
    #[error(
        "\"{value}\" is not a database type DTS supports for a cross-account {side} database: supported types \
         are {supported}",
        supported = quoted_alternatives(side.supported_databases().iter().map(|db| db.database_type))
    )]
    UnsupportedDatabaseType {
        /// The side.
        side: DatabaseSide,
        /// The database type given.
        value: String,
    },
    /// The access method cannot be used for a cross-account database of that type on that side.
    #[error(
        "access method \"{value}\" is not supported for a cross-account {side} database of type \
         \"{database_type}\": supported access methods are {supported}",
        supported = quoted_alternatives(
            find_database(*side, database_type)
                .map(|db| db.access_methods)
                .unwrap_or_default()
                .iter()
                .map(|m| m.name())
        )
    )]
    UnsupportedAccessMethod {
        /// The side.
        side: DatabaseSide,
        /// The database type, as the table names it.
        database_type: &'static str,
        /// The access method given.
        value: String,
    },
    /// Two-way synchronisation in a scenario where only one database is cross-account.
    #[error(
        "two-way synchronization across accounts needs scenario \"source_and_destination\", not \"{scenario}\": \
         in a two-way task both databases are cross-account, so both databases' accounts need a role"
    )]
    TwoWayNeedsBothSides {
        /// The scenario given.
        scenario: Scenario,
    },
    /// Two-way synchronisation with a database type that does not support it.
    #[error(
        "two-way synchronization across accounts is not supported for database type \"{value}\": it is supported \
         only between {instances}, that is database type {types}",
        instances = two_way_instance_list(),
        types = quoted_alternatives(two_way_database_types())
    )]
    TwoWayUnsupportedDatabaseType {
        /// The database type given.
        value: String,
    },
    /// Two-way synchronisation of a type only some of whose instances qualify, without saying they are those.
    #[error(
        "two-way synchronization across accounts is not supported for every \"{database_type}\" database: the DTS \
         guide allows it only between {instances}. Among \"{database_type}\" databases only {own} qualify: if both \
         databases are such instances, set instance_kind to {accepted}; other \"{database_type}\" instances cannot \
         be synchronized two-way across accounts",
        instances = two_way_instance_list(),
        own = two_way_instances(database_type).join(" and "),
        accepted = quoted_alternatives(two_way_instances(database_type))
    )]
    TwoWayNeedsInstanceKind {
        /// The database type, as the table names it.
        database_type: &'static str,
    },
    /// An instance kind that is not among the guide's two-way instances.
    #[error(
        "instance_kind \"{value}\" is not one of the instances DTS synchronizes two-way across accounts: expected \
         {accepted}",
        accepted = quoted_alternatives(TWO_WAY_SYNC_DATABASES.iter().map(|row| row.instances))
    )]
    UnknownInstanceKind {
        /// The value given.
        value: String,
    },
    /// An instance kind of another database type than the one given.
    #[error(
        "instance_kind \"{instances}\" does not match database_type \"{database_type}\": DTS names these \
         instances database type \"{expected}\"",
        expected = find_two_way_instance_kind(instances).map_or("", |row| row.database_type)
    )]
    InstanceKindMismatch {
        /// The instances, as the table names them.
        instances: &'static str,
        /// The database type given.
        database_type: String,
    },
    /// Two-way synchronisation with an access method other than an Alibaba Cloud instance.
    #[error(
        "two-way synchronization across accounts is not supported with access method \"{value}\": it is \
         supported only between {instances}, reached as \"{instance}\"",
        instances = two_way_instance_list(),
        instance = AccessMethod::AlibabaCloudInstance.name()
    )]
    TwoWayUnsupportedAccessMethod {
        /// The access method given.
        value: String,
    },
}

/// "ApsaraDB RDS for MySQL instances, ..., or ApsaraDB for MongoDB sharded cluster instances" (each pair between
/// instances of one kind).
fn two_way_instance_list() -> String {
    let names: Vec<&str> = TWO_WAY_SYNC_DATABASES
        .iter()
        .map(|row| row.instances)
        .collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{}, or {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// The distinct database types of [`TWO_WAY_SYNC_DATABASES`], in table order.
fn two_way_database_types() -> Vec<&'static str> {
    let mut types: Vec<&'static str> = Vec::new();
    for row in &TWO_WAY_SYNC_DATABASES {
        if !types.contains(&row.database_type) {
            types.push(row.database_type);
        }
    }
    types
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_role_is_right_only_with_dts_trust_and_the_dts_policy() {
        let owner = AccountId::parse("1111111111111111").unwrap();
        let ok = default_role_trust_policy().to_json();
        let policy = vec![DEFAULT_ROLE.policy.to_owned()];
        assert_eq!(check_default_role(Some(&ok), &policy, Some(&owner)), Ok(()));
        // RAM's stored form of the same trust, the owner's UID in front of the service, means the same.
        let with_uid = ok.replace("dts.aliyuncs.com", "1111111111111111@dts.aliyuncs.com");
        assert_eq!(
            check_default_role(Some(&with_uid), &policy, Some(&owner)),
            Ok(())
        );
        assert_eq!(
            check_default_role(None, &policy, Some(&owner)),
            Err(DefaultRoleProblem::Missing)
        );
        let other = ok.replace("dts.aliyuncs.com", "ecs.aliyuncs.com");
        assert!(matches!(
            check_default_role(Some(&other), &policy, Some(&owner)),
            Err(DefaultRoleProblem::OtherTrust { .. })
        ));
        assert_eq!(
            check_default_role(
                Some(&ok),
                &["AliyunOSSReadOnlyAccess".to_owned()],
                Some(&owner)
            ),
            Err(DefaultRoleProblem::MissingPolicy {
                attached: vec!["AliyunOSSReadOnlyAccess".to_owned()]
            })
        );
    }

    #[test]
    fn the_default_role_facts_are_the_seeds() {
        assert_eq!(DEFAULT_ROLE.role_name, "AliyunDTSDefaultRole");
        assert_eq!(DEFAULT_ROLE.missing_error_code, "Abnormal.RamCheckUserRole");
        assert_eq!(
            default_role_trust_policy().to_json(),
            r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["dts.aliyuncs.com"]}}],"Version":"1"}"#
        );
    }
    use pretty_assertions::assert_eq;

    #[test]
    fn scenarios_parse_and_print() {
        for scenario in Scenario::ALL {
            assert_eq!(Scenario::parse(scenario.as_str()), Ok(scenario));
            assert_eq!(scenario.facts().scenario, scenario);
        }
        assert_eq!(Scenario::parse("source").unwrap(), Scenario::Source);
        let err = Scenario::parse("Source").unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"Source\" is not a DTS cross-account scenario: expected \"source\" (only the source database is \
             cross-account), \"destination\" (only the destination database is cross-account) or \
             \"source_and_destination\" (both are)"
        );
    }

    #[test]
    fn scenario_table_follows_the_guide() {
        assert_eq!(
            Scenario::Source.cross_account_sides(),
            [DatabaseSide::Source]
        );
        assert_eq!(
            Scenario::Source.trusted_account(),
            TrustedAccount::DestinationDatabaseOwner
        );
        assert_eq!(
            Scenario::Destination.cross_account_sides(),
            [DatabaseSide::Destination]
        );
        assert_eq!(
            Scenario::Destination.trusted_account(),
            TrustedAccount::SourceDatabaseOwner
        );
        assert_eq!(
            Scenario::SourceAndDestination.cross_account_sides(),
            [DatabaseSide::Source, DatabaseSide::Destination]
        );
        assert_eq!(
            Scenario::SourceAndDestination.trusted_account(),
            TrustedAccount::DesignatedTaskAccount
        );
        assert!(
            TrustedAccount::DesignatedTaskAccount
                .description()
                .contains("designated")
        );
    }

    #[test]
    fn sides_parse_and_print() {
        for side in DatabaseSide::ALL {
            assert_eq!(DatabaseSide::parse(side.as_str()), Ok(side));
        }
        assert_eq!(
            DatabaseSide::parse("both").unwrap_err().to_string(),
            "\"both\" is not a database of a DTS task: expected \"source\" or \"destination\""
        );
    }

    #[test]
    fn database_defaults_to_the_scenario_and_must_match_it() {
        use DatabaseSide::{Destination, Source};
        assert_eq!(Scenario::Source.resolve_database(None), Ok(Source));
        assert_eq!(Scenario::Source.resolve_database(Some(Source)), Ok(Source));
        assert_eq!(
            Scenario::Destination.resolve_database(None),
            Ok(Destination)
        );
        assert_eq!(
            Scenario::SourceAndDestination.resolve_database(Some(Destination)),
            Ok(Destination)
        );
        assert_eq!(
            Scenario::SourceAndDestination.resolve_database(Some(Source)),
            Ok(Source)
        );
        let required = Scenario::SourceAndDestination
            .resolve_database(None)
            .unwrap_err();
        assert_eq!(
            required,
            DtsError::DatabaseRequired {
                scenario: Scenario::SourceAndDestination
            }
        );
        assert!(
            required
                .to_string()
                .starts_with("database must be set when scenario is \"source_and_destination\"")
        );
        let mismatch = Scenario::Source
            .resolve_database(Some(Destination))
            .unwrap_err();
        assert_eq!(
            mismatch.to_string(),
            "database \"destination\" does not match scenario \"source\": in that scenario only the source \
             database is cross-account, so the role belongs to that database's account; set database to \
             \"source\" or leave it unset"
        );
    }

    #[test]
    fn source_table_matches_the_guide() {
        let rows: Vec<(&str, Vec<&str>)> = SOURCE_DATABASES
            .iter()
            .map(|db| {
                (
                    db.database_type,
                    db.access_methods.iter().map(|m| m.name()).collect(),
                )
            })
            .collect();
        let e = "Express Connect, VPN Gateway, or Smart Access Gateway";
        let i = "Alibaba Cloud Instance";
        let s = "Self-managed Database on ECS";
        let c = "Cloud Enterprise Network (CEN)";
        let g = "Database Gateway";
        let expected: Vec<(&str, Vec<&str>)> = vec![
            ("MySQL", vec![i, e, s]),
            ("PolarDB for MySQL", vec![i]),
            ("Tair/Redis", vec![i, e, s, c, g]),
            ("SQL Server", vec![i, e]),
            ("PostgreSQL", vec![i, e]),
            ("MongoDB", vec![i, e, s, c]),
            ("Oracle", vec![e]),
            ("PolarDB (Compatible with Oracle)", vec![i, e]),
            ("PolarDB for PostgreSQL", vec![i]),
            ("PolarDB-X 1.0", vec![i]),
            ("PolarDB-X 2.0", vec![i]),
            ("DB2 for iSeries (AS/400)", vec![e]),
            ("DB2 for LUW", vec![e, s]),
            ("MariaDB", vec![i, e, s]),
            ("ApsaraDB OceanBase for MySQL", vec![i, e, s]),
            ("SLS", vec![i]),
            ("AnalyticDB for MySQL 3.0", vec![i]),
            ("Kafka", vec![i, e, s]),
        ];
        assert_eq!(rows, expected);
    }

    #[test]
    fn destination_table_matches_the_guide() {
        let types: Vec<&str> = DESTINATION_DATABASES
            .iter()
            .map(|db| db.database_type)
            .collect();
        assert_eq!(
            types,
            [
                "MySQL",
                "PolarDB for MySQL",
                "AnalyticDB for MySQL 3.0",
                "Tair/Redis",
                "ClickHouse",
                "SelectDB",
                "MongoDB"
            ]
        );
        for db in DESTINATION_DATABASES {
            assert_eq!(
                db.access_methods,
                [AccessMethod::AlibabaCloudInstance],
                "{}",
                db.database_type
            );
        }
    }

    #[test]
    fn supported_combinations_pass_case_insensitively() {
        assert_eq!(
            check_database(
                DatabaseSide::Source,
                "MySQL",
                Some("Self-managed Database on ECS")
            ),
            Ok(())
        );
        assert_eq!(
            check_database(
                DatabaseSide::Source,
                "mysql",
                Some("self-managed database on ecs")
            ),
            Ok(())
        );
        assert_eq!(check_database(DatabaseSide::Source, "Oracle", None), Ok(()));
        assert_eq!(
            check_database(
                DatabaseSide::Destination,
                "clickhouse",
                Some("ALIBABA CLOUD INSTANCE")
            ),
            Ok(())
        );
        assert_eq!(
            check_database(DatabaseSide::Source, "Tair/Redis", Some("Database Gateway")),
            Ok(())
        );
    }

    #[test]
    fn every_table_row_is_accepted_with_each_of_its_methods() {
        for side in DatabaseSide::ALL {
            for db in side.supported_databases() {
                for method in db.access_methods {
                    assert_eq!(
                        check_database(side, db.database_type, Some(method.name())),
                        Ok(())
                    );
                }
            }
        }
    }

    #[test]
    fn unknown_type_lists_the_types_of_the_side() {
        let err = check_database(DatabaseSide::Destination, "Oracle", None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"Oracle\" is not a database type DTS supports for a cross-account destination database: supported \
             types are \"MySQL\", \"PolarDB for MySQL\", \"AnalyticDB for MySQL 3.0\", \"Tair/Redis\", \
             \"ClickHouse\", \"SelectDB\" or \"MongoDB\""
        );
        // Near misses are not guessed: the names must match exactly.
        assert!(check_database(DatabaseSide::Source, "MySQL 8.0", None).is_err());
        assert!(check_database(DatabaseSide::Source, " MySQL", None).is_err());
    }

    #[test]
    fn unsupported_method_lists_the_methods_of_the_type() {
        let err = check_database(
            DatabaseSide::Source,
            "sql server",
            Some("Self-managed Database on ECS"),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "access method \"Self-managed Database on ECS\" is not supported for a cross-account source database of \
             type \"SQL Server\": supported access methods are \"Alibaba Cloud Instance\" or \"Express Connect, VPN \
             Gateway, or Smart Access Gateway\""
        );
        let err = check_database(
            DatabaseSide::Destination,
            "MySQL",
            Some("Express Connect, VPN Gateway, or Smart Access Gateway"),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .ends_with("supported access methods are \"Alibaba Cloud Instance\""),
            "{err}"
        );
        let err = check_database(DatabaseSide::Source, "MySQL", Some("VPN")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("access method \"VPN\" is not supported"),
            "{err}"
        );
    }

    #[test]
    fn two_way_types_are_in_both_tables() {
        for row in &TWO_WAY_SYNC_DATABASES {
            for side in DatabaseSide::ALL {
                assert!(
                    find_database(side, row.database_type).is_some(),
                    "{}",
                    row.database_type
                );
            }
        }
        assert_eq!(
            two_way_instances("tair/redis"),
            ["Tair (Enterprise Edition) instances"]
        );
        assert_eq!(two_way_instances("MongoDB").len(), 2);
        assert!(two_way_instances("PostgreSQL").is_empty());
    }

    #[test]
    fn two_way_checks() {
        let both = Scenario::SourceAndDestination;
        assert_eq!(check_two_way(both, None, None, None), Ok(()));
        assert_eq!(
            check_two_way(both, Some("MySQL"), Some("Alibaba Cloud Instance"), None),
            Ok(())
        );
        assert_eq!(check_two_way(both, Some("mongodb"), None, None), Ok(()));

        let err = check_two_way(Scenario::Source, Some("MySQL"), None, None).unwrap_err();
        assert_eq!(
            err,
            DtsError::TwoWayNeedsBothSides {
                scenario: Scenario::Source
            }
        );
        assert!(err.to_string().contains("not \"source\""), "{err}");

        let err = check_two_way(both, Some("PostgreSQL"), None, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "two-way synchronization across accounts is not supported for database type \"PostgreSQL\": it is \
             supported only between ApsaraDB RDS for MySQL instances, ApsaraDB RDS for MySQL clusters, Tair \
             (Enterprise Edition) instances, ApsaraDB for MongoDB replica set instances, or ApsaraDB for MongoDB \
             sharded cluster instances, that is database type \"MySQL\", \"Tair/Redis\" or \"MongoDB\""
        );
        let err = check_two_way(
            both,
            Some("MySQL"),
            Some("Self-managed Database on ECS"),
            None,
        )
        .unwrap_err();
        assert!(
            err.to_string().starts_with(
                "two-way synchronization across accounts is not supported with access method \
                 \"Self-managed Database on ECS\""
            ),
            "{err}"
        );
    }

    #[test]
    fn two_way_tair_needs_its_enterprise_edition() {
        let both = Scenario::SourceAndDestination;
        // Any Tair/Redis instance is not enough: only Tair (Enterprise Edition) instances qualify.
        for spelling in ["Tair/Redis", "tair/redis"] {
            let err = check_two_way(both, Some(spelling), None, None).unwrap_err();
            assert_eq!(
                err,
                DtsError::TwoWayNeedsInstanceKind {
                    database_type: "Tair/Redis"
                }
            );
        }
        let err = check_two_way(both, Some("Tair/Redis"), None, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "two-way synchronization across accounts is not supported for every \"Tair/Redis\" database: the DTS \
             guide allows it only between ApsaraDB RDS for MySQL instances, ApsaraDB RDS for MySQL clusters, Tair \
             (Enterprise Edition) instances, ApsaraDB for MongoDB replica set instances, or ApsaraDB for MongoDB \
             sharded cluster instances. Among \"Tair/Redis\" databases only Tair (Enterprise Edition) instances \
             qualify: if both databases are such instances, set instance_kind to \"Tair (Enterprise Edition) \
             instances\"; other \"Tair/Redis\" instances cannot be synchronized two-way across accounts"
        );
        assert_eq!(
            check_two_way(
                both,
                Some("Tair/Redis"),
                Some("Alibaba Cloud Instance"),
                Some("Tair (Enterprise Edition) instances")
            ),
            Ok(())
        );
        assert_eq!(
            check_two_way(
                both,
                Some("Tair/Redis"),
                None,
                Some("tair (enterprise edition) instances")
            ),
            Ok(())
        );
        // The instance kind must be the type's.
        let err = check_two_way(
            both,
            Some("Tair/Redis"),
            None,
            Some("ApsaraDB RDS for MySQL instances"),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "instance_kind \"ApsaraDB RDS for MySQL instances\" does not match database_type \"Tair/Redis\": DTS \
             names these instances database type \"MySQL\""
        );
        let err = check_two_way(both, Some("Tair/Redis"), None, Some("Tair")).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "instance_kind \"Tair\" is not one of the instances DTS synchronizes two-way across accounts: \
                 expected \"ApsaraDB RDS for MySQL instances\""
            ),
            "{err}"
        );
    }

    #[test]
    fn only_the_types_naming_instances_need_instance_kind() {
        // Every row's instances are accepted as instance_kind (the seed test walks the two-way note itself).
        for row in &TWO_WAY_SYNC_DATABASES {
            assert_eq!(
                check_instance_kind(Some(row.database_type), row.instances),
                Ok(())
            );
            let needs_kind = TWO_WAY_TYPES_NAMING_INSTANCES.contains(&row.database_type);
            assert_eq!(
                check_two_way(
                    Scenario::SourceAndDestination,
                    Some(row.database_type),
                    None,
                    None
                )
                .is_err(),
                needs_kind,
                "{}",
                row.database_type
            );
        }
        for database_type in TWO_WAY_TYPES_NAMING_INSTANCES {
            assert!(!two_way_instances(database_type).is_empty());
        }
    }

    #[test]
    fn constants_follow_the_guide() {
        assert_eq!(SYSTEM_POLICY, "AliyunDTSRolePolicy");
        assert_eq!(DEFAULT_ROLE_NAME, "ram-for-dts");
    }
}
