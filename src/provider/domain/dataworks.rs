//! DataWorks cross-account data sources, from the guide "Cross-account authorization (RDS, Hive, or Kafka)"
//! and its current version, which adds AnalyticDB for MySQL 3.0.
//!
//! DataWorks Data Integration reads an instance owned by another account through a role in that account which
//! trusts `<workspace account>@cdp.aliyuncs.com` and carries the read-only system policies of the instance type
//! ([`INSTANCE_TYPES`]). The DataWorks account then adds the data source with the instance account's UID and the
//! role name.
//!
//! Instance types are exact tokens (`rds`); RDS engine names are matched case-insensitively, since users copy
//! them from console labels.

use crate::ram::accepted_values::quoted_alternatives;
use std::fmt;

/// The kind of instance a DataWorks data source reads across accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InstanceType {
    /// An ApsaraDB RDS instance (MySQL, SQL Server, PostgreSQL or MariaDB).
    Rds,
    /// A Hive instance (E-MapReduce with Data Lake Formation).
    Hive,
    /// A Message Queue for Apache Kafka instance.
    Kafka,
    /// An AnalyticDB for MySQL 3.0 cluster.
    AnalyticDbForMySql,
}

/// One row of the guide's policy table.
#[derive(Debug)]
pub struct InstanceTypeFacts {
    /// The instance type.
    pub instance_type: InstanceType,
    /// Its name in configurations.
    pub name: &'static str,
    /// How the guide labels it.
    pub label: &'static str,
    /// The system policies the role needs, attached with policy type `System`.
    pub system_policies: &'static [&'static str],
}

/// The instance types and their system policies, in the guide's order. The seed copy of the guide lists RDS,
/// Hive and Kafka; Alibaba's current page (help.aliyun.com/en/dataworks/user-guide/configure-cross-account-authorization)
/// adds AnalyticDB for MySQL 3.0 with `AliyunADBReadOnlyAccess`.
pub const INSTANCE_TYPES: [InstanceTypeFacts; 4] = [
    InstanceTypeFacts {
        instance_type: InstanceType::Rds,
        name: "rds",
        label: "RDS (MySQL, SQL Server, PostgreSQL, MariaDB)",
        system_policies: &["AliyunDataWorksAccessingRdsReadOnlyPolicy"],
    },
    InstanceTypeFacts {
        instance_type: InstanceType::Hive,
        name: "hive",
        label: "Hive",
        system_policies: &[
            "AliyunDataWorksAccessingDLFReadOnlyPolicy",
            "AliyunDataWorksAccessingEMRReadOnlyPolicy",
        ],
    },
    InstanceTypeFacts {
        instance_type: InstanceType::Kafka,
        name: "kafka",
        label: "Kafka",
        system_policies: &["AliyunDataWorksAccessingAlikafkaPolicy"],
    },
    InstanceTypeFacts {
        instance_type: InstanceType::AnalyticDbForMySql,
        name: "analyticdb_for_mysql",
        label: "AnalyticDB for MySQL 3.0",
        system_policies: &["AliyunADBReadOnlyAccess"],
    },
];

impl InstanceType {
    /// Every instance type.
    pub const ALL: [InstanceType; 4] = [
        InstanceType::Rds,
        InstanceType::Hive,
        InstanceType::Kafka,
        InstanceType::AnalyticDbForMySql,
    ];

    /// Parses `rds`, `hive`, `kafka` or `analyticdb_for_mysql`.
    pub fn parse(value: &str) -> Result<InstanceType, DataWorksError> {
        INSTANCE_TYPES
            .iter()
            .find(|row| row.name == value)
            .map(|row| row.instance_type)
            .ok_or_else(|| DataWorksError::UnknownInstanceType {
                value: value.to_owned(),
            })
    }

    /// This type's row of [`INSTANCE_TYPES`].
    pub fn facts(self) -> &'static InstanceTypeFacts {
        match self {
            InstanceType::Rds => &INSTANCE_TYPES[0],
            InstanceType::Hive => &INSTANCE_TYPES[1],
            InstanceType::Kafka => &INSTANCE_TYPES[2],
            InstanceType::AnalyticDbForMySql => &INSTANCE_TYPES[3],
        }
    }

    /// The name in configurations.
    pub fn as_str(self) -> &'static str {
        self.facts().name
    }

    /// How the guide labels this type, e.g. `AnalyticDB for MySQL 3.0`.
    pub fn label(self) -> &'static str {
        self.facts().label
    }

    /// The system policies a role for this instance type carries.
    pub fn system_policies(self) -> &'static [&'static str] {
        self.facts().system_policies
    }
}

impl fmt::Display for InstanceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The database engine of an RDS instance (informative: every engine uses the same policy).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RdsEngine {
    /// `MySQL`.
    MySql,
    /// `SQL Server`.
    SqlServer,
    /// `PostgreSQL`.
    PostgreSql,
    /// `MariaDB`.
    MariaDb,
}

/// One RDS engine: the name the guide writes in the RDS row's label, and other spellings users write.
#[derive(Debug)]
pub struct RdsEngineFacts {
    /// The engine.
    pub engine: RdsEngine,
    /// Its name as the guide writes it, e.g. `SQL Server`.
    pub name: &'static str,
    /// Other accepted spellings: `SQLServer` is how the RDS API and console write the engine.
    pub aliases: &'static [&'static str],
}

/// The engines of the guide's `RDS (MySQL, SQL Server, PostgreSQL, MariaDB)` row, in its order.
pub const RDS_ENGINES: [RdsEngineFacts; 4] = [
    RdsEngineFacts {
        engine: RdsEngine::MySql,
        name: "MySQL",
        aliases: &[],
    },
    RdsEngineFacts {
        engine: RdsEngine::SqlServer,
        name: "SQL Server",
        aliases: &["SQLServer"],
    },
    RdsEngineFacts {
        engine: RdsEngine::PostgreSql,
        name: "PostgreSQL",
        aliases: &[],
    },
    RdsEngineFacts {
        engine: RdsEngine::MariaDb,
        name: "MariaDB",
        aliases: &[],
    },
];

impl RdsEngine {
    /// Every engine.
    pub const ALL: [RdsEngine; 4] = [
        RdsEngine::MySql,
        RdsEngine::SqlServer,
        RdsEngine::PostgreSql,
        RdsEngine::MariaDb,
    ];

    /// This engine's row of [`RDS_ENGINES`].
    pub fn facts(self) -> &'static RdsEngineFacts {
        match self {
            RdsEngine::MySql => &RDS_ENGINES[0],
            RdsEngine::SqlServer => &RDS_ENGINES[1],
            RdsEngine::PostgreSql => &RDS_ENGINES[2],
            RdsEngine::MariaDb => &RDS_ENGINES[3],
        }
    }

    /// The name as the guide writes it.
    pub fn as_str(self) -> &'static str {
        self.facts().name
    }

    /// Parses an engine name or one of its aliases, ignoring letter case. The configuration keeps the spelling
    /// it was given, so either spelling plans clean after apply.
    pub fn parse(value: &str) -> Result<RdsEngine, DataWorksError> {
        RDS_ENGINES
            .iter()
            .find(|row| {
                std::iter::once(&row.name)
                    .chain(row.aliases)
                    .any(|name| name.eq_ignore_ascii_case(value))
            })
            .map(|row| row.engine)
            .ok_or_else(|| DataWorksError::UnknownRdsEngine {
                value: value.to_owned(),
            })
    }
}

impl fmt::Display for RdsEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Checks `rds_engine` against the instance type: it may only be set for `rds`, and must name an RDS engine.
pub fn check_rds_engine(
    instance_type: InstanceType,
    rds_engine: Option<&str>,
) -> Result<Option<RdsEngine>, DataWorksError> {
    match rds_engine {
        None => Ok(None),
        Some(value) if instance_type != InstanceType::Rds => {
            Err(DataWorksError::RdsEngineWithoutRds {
                instance_type,
                value: value.to_owned(),
            })
        }
        Some(value) => RdsEngine::parse(value).map(Some),
    }
}

/// A DataWorks declaration that cannot work.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DataWorksError {
    /// The instance type is not one the guide covers.
    #[error(
        "\"{value}\" is not an instance type DataWorks reads across accounts: expected {accepted}",
        accepted = quoted_alternatives(INSTANCE_TYPES.iter().map(|row| row.name))
    )]
    UnknownInstanceType {
        /// The value given.
        value: String,
    },
    /// The RDS engine is not one of the four.
    #[error(
        "\"{value}\" is not an RDS engine DataWorks reads across accounts: expected {accepted}",
        accepted = quoted_alternatives(RDS_ENGINES.iter().map(|e| e.name))
    )]
    UnknownRdsEngine {
        /// The value given.
        value: String,
    },
    /// An RDS engine given for an instance that is not RDS.
    #[error(
        "rds_engine \"{value}\" applies only to instance_type \"rds\", but instance_type is \"{instance_type}\": \
         remove rds_engine or set instance_type to \"rds\""
    )]
    RdsEngineWithoutRds {
        /// The instance type given.
        instance_type: InstanceType,
        /// The engine given.
        value: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn instance_types_parse_and_print() {
        for instance_type in InstanceType::ALL {
            assert_eq!(
                InstanceType::parse(instance_type.as_str()),
                Ok(instance_type)
            );
            assert_eq!(instance_type.facts().instance_type, instance_type);
        }
        assert_eq!(
            InstanceType::parse("RDS").unwrap_err().to_string(),
            "\"RDS\" is not an instance type DataWorks reads across accounts: expected \"rds\", \"hive\", \"kafka\" \
             or \"analyticdb_for_mysql\""
        );
    }

    #[test]
    fn policies_follow_the_guide() {
        let rows: Vec<(&str, &str, &[&str])> = INSTANCE_TYPES
            .iter()
            .map(|row| (row.name, row.label, row.system_policies))
            .collect();
        assert_eq!(
            rows,
            [
                (
                    "rds",
                    "RDS (MySQL, SQL Server, PostgreSQL, MariaDB)",
                    &["AliyunDataWorksAccessingRdsReadOnlyPolicy"][..]
                ),
                (
                    "hive",
                    "Hive",
                    &[
                        "AliyunDataWorksAccessingDLFReadOnlyPolicy",
                        "AliyunDataWorksAccessingEMRReadOnlyPolicy"
                    ][..]
                ),
                (
                    "kafka",
                    "Kafka",
                    &["AliyunDataWorksAccessingAlikafkaPolicy"][..]
                ),
                (
                    "analyticdb_for_mysql",
                    "AnalyticDB for MySQL 3.0",
                    &["AliyunADBReadOnlyAccess"][..]
                ),
            ]
        );
    }

    #[test]
    fn rds_engines_are_the_ones_the_rds_row_names() {
        // "RDS (MySQL, SQL Server, PostgreSQL, MariaDB)": the engines in the label, in its order.
        let label = InstanceType::Rds.label();
        let inside = label
            .split_once('(')
            .and_then(|(_, rest)| rest.strip_suffix(')'))
            .unwrap();
        let from_label: Vec<&str> = inside.split(", ").collect();
        let names: Vec<&str> = RDS_ENGINES.iter().map(|row| row.name).collect();
        assert_eq!(names, from_label);
        for (engine, row) in RdsEngine::ALL.iter().zip(&RDS_ENGINES) {
            assert_eq!(row.engine, *engine);
            assert_eq!(engine.facts().engine, *engine);
        }
    }

    #[test]
    fn rds_engines_parse_case_insensitively_with_their_aliases() {
        for engine in RdsEngine::ALL {
            assert_eq!(RdsEngine::parse(engine.as_str()), Ok(engine));
            assert_eq!(
                RdsEngine::parse(&engine.as_str().to_lowercase()),
                Ok(engine)
            );
        }
        // The guide's spelling and the RDS API's both name SQL Server.
        for spelling in ["SQL Server", "sql server", "SQLServer", "sqlserver"] {
            assert_eq!(
                RdsEngine::parse(spelling),
                Ok(RdsEngine::SqlServer),
                "{spelling}"
            );
        }
        assert_eq!(RdsEngine::SqlServer.as_str(), "SQL Server");
        assert_eq!(
            RdsEngine::parse("SQL-Server").unwrap_err().to_string(),
            "\"SQL-Server\" is not an RDS engine DataWorks reads across accounts: expected \"MySQL\", \
             \"SQL Server\", \"PostgreSQL\" or \"MariaDB\""
        );
    }

    #[test]
    fn rds_engine_only_with_rds() {
        assert_eq!(check_rds_engine(InstanceType::Rds, None), Ok(None));
        assert_eq!(check_rds_engine(InstanceType::Hive, None), Ok(None));
        assert_eq!(
            check_rds_engine(InstanceType::Rds, Some("postgresql")),
            Ok(Some(RdsEngine::PostgreSql))
        );
        assert_eq!(
            check_rds_engine(InstanceType::Rds, Some("SQL Server")),
            Ok(Some(RdsEngine::SqlServer))
        );
        assert!(check_rds_engine(InstanceType::Rds, Some("Oracle")).is_err());
        let err = check_rds_engine(InstanceType::Kafka, Some("MySQL")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "rds_engine \"MySQL\" applies only to instance_type \"rds\", but instance_type is \"kafka\": remove \
             rds_engine or set instance_type to \"rds\""
        );
        assert!(check_rds_engine(InstanceType::AnalyticDbForMySql, Some("MySQL")).is_err());
    }
}
