//! Every row of both seed guides' tables, walked through the public domain API the way the resources combine it:
//! which account holds the role, whom it trusts, which document and policies it gets, which databases and
//! methods may be cross-account, and which mistakes are refused. The tables are copied verbatim from the seeds
//! ("Configure RAM authorization for cross-account DTS tasks", "DataWorks: Cross-account authorization (RDS, Hive,
//! or Kafka)"), so a row the domain lacks, or states otherwise, fails here.

use pretty_assertions::assert_eq;
use terraform_provider_aliram::provider::domain::cross_account_service::CrossAccountService;
use terraform_provider_aliram::provider::domain::dataworks::{
    self, INSTANCE_TYPES, InstanceType, RdsEngine,
};
use terraform_provider_aliram::provider::domain::dts::{
    self, AccessMethod, DatabaseSide, Scenario, TrustedAccount,
};
use terraform_provider_aliram::provider::domain::trust_policy::{
    dataworks_trust_policy, dts_trust_policy, own_account_rewrite,
};
use terraform_provider_aliram::ram::account::{AccountId, IdentityKind};
use terraform_provider_aliram::ram::role_rules;
use terraform_provider_aliram::ram::trust_policy::{
    PrincipalKind, TrustPolicy, policies_equivalent,
};

const A: &str = "1111111111111111"; // owns the source database
const B: &str = "2222222222222222"; // owns the destination database
const C: &str = "3333333333333333"; // creates the task in scenario 3

fn account(id: &str) -> AccountId {
    AccountId::parse(id).unwrap()
}

/// The cells of the table rows of `table` (one row a line, cells separated by `|`), header row excluded.
fn rows(table: &str) -> Vec<Vec<&str>> {
    table
        .lines()
        .skip(1)
        .map(|line| {
            line.split('|')
                .map(str::trim)
                .filter(|cell| !cell.is_empty())
                .collect()
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------------------------
// DTS

const DTS_SCENARIOS: &str = "\
Scenario | Scenario description | Configuration description |
Cross-account source database | Set Replicate Data Across Alibaba Cloud Accounts to Yes for the source database, and set Replicate Data Across Alibaba Cloud Accounts to No for the destination database. | Configure RAM authorization using the source database account (Account A). Create the DTS task using the destination database account (Account B). |
Cross-account destination database | Set Replicate Data Across Alibaba Cloud Accounts to No for the source database, and set Replicate Data Across Alibaba Cloud Accounts to Yes for the destination database. | Configure RAM authorization using the destination database account (Account B). Create the DTS task using the source database account (Account A). |
Cross-account source and destination databases | Set Replicate Data Across Alibaba Cloud Accounts to Yes for both the source and destination databases. | Configure RAM authorization using the source database account (Account A) and the destination database account (Account B). Create the DTS task using a designated account (Account C). |";

const DTS_SOURCE_DATABASES: &str = "\
Database type | Connection type |
MySQL | Alibaba Cloud Instance, Express Connect, VPN Gateway, or Smart Access Gateway, Self-managed Database on ECS |
PolarDB for MySQL | Alibaba Cloud Instance |
Tair/Redis | Alibaba Cloud Instance, Express Connect, VPN Gateway, or Smart Access Gateway, Self-managed Database on ECS, Cloud Enterprise Network (CEN), Database Gateway |
SQL Server | Alibaba Cloud Instance, Express Connect, VPN Gateway, or Smart Access Gateway |
PostgreSQL | Alibaba Cloud Instance, Express Connect, VPN Gateway, or Smart Access Gateway |
MongoDB | Alibaba Cloud Instance, Express Connect, VPN Gateway, or Smart Access Gateway, Self-managed Database on ECS, Cloud Enterprise Network (CEN) |
Oracle | Express Connect, VPN Gateway, or Smart Access Gateway |
PolarDB (Compatible with Oracle) | Alibaba Cloud Instance, Express Connect, VPN Gateway, or Smart Access Gateway |
PolarDB for PostgreSQL | Alibaba Cloud Instance |
PolarDB-X 1.0 | Alibaba Cloud Instance |
PolarDB-X 2.0 | Alibaba Cloud Instance |
DB2 for iSeries (AS/400) | Express Connect, VPN Gateway, or Smart Access Gateway |
DB2 for LUW | Express Connect, VPN Gateway, or Smart Access Gateway, Self-managed Database on ECS |
MariaDB | Alibaba Cloud Instance, Express Connect, VPN Gateway, or Smart Access Gateway, Self-managed Database on ECS |
ApsaraDB OceanBase for MySQL | Alibaba Cloud Instance, Express Connect, VPN Gateway, or Smart Access Gateway, Self-managed Database on ECS |
SLS | Alibaba Cloud Instance |
AnalyticDB for MySQL 3.0 | Alibaba Cloud Instance |
Kafka | Alibaba Cloud Instance, Express Connect, VPN Gateway, or Smart Access Gateway, Self-managed Database on ECS |";

const DTS_DESTINATION_DATABASES: &str = "\
Database type | Connection type |
MySQL | Alibaba Cloud Instance |
PolarDB for MySQL | Alibaba Cloud Instance |
AnalyticDB for MySQL 3.0 | Alibaba Cloud Instance |
Tair/Redis | Alibaba Cloud Instance |
ClickHouse | Alibaba Cloud Instance |
SelectDB | Alibaba Cloud Instance |
MongoDB | Alibaba Cloud Instance |";

const DTS_ACCOUNT_INFORMATION: &str = "\
Cross-account database | Alibaba Cloud account to log on to the RAM console | Alibaba Cloud account to enter in the trust policy | Alibaba Cloud account to create the DTS task | Cross-account Alibaba Cloud account to enter for the DTS task |
Source database | The Alibaba Cloud account that owns the source database. | The Alibaba Cloud account that owns the destination database. | The Alibaba Cloud account that owns the destination database. | In the Source Database section, enter the Alibaba Cloud account that owns the source database in the Alibaba Cloud Account field. |
Destination database | The Alibaba Cloud account that owns the destination database. | The Alibaba Cloud account that owns the source database. | The Alibaba Cloud account that owns the source database. | In the Destination Database section, in the Alibaba Cloud Account field, enter the Alibaba Cloud account that owns the destination database. |
Source and destination databases | The Alibaba Cloud accounts that own the source and destination databases. | The designated Alibaba Cloud account. | The designated Alibaba Cloud account. |";

const DTS_TWO_WAY_NOTE: &str = "You can configure a two-way synchronization task across Alibaba Cloud accounts only \
between ApsaraDB RDS for MySQL instances, between ApsaraDB RDS for MySQL clusters, between Tair (Enterprise Edition) \
instances, between ApsaraDB for MongoDB replica set instances, or ApsaraDB for MongoDB sharded cluster instances.";

const DTS_ACCOUNT_TYPES_NOTE: &str = "Synchronization tasks between accounts of different types, such as between an \
Alibaba Finance Cloud account and a government cloud account, are not supported.";

const DTS_LOGIN_NOTE: &str = "Log on to the console using an Alibaba Cloud account, not a RAM user. If you use a RAM \
user, an authorization error may occur when you create the DTS task.";

/// The scenario a row's first cell names.
fn scenario_named(cell: &str) -> Scenario {
    match cell {
        "Cross-account source database" | "Source database" => Scenario::Source,
        "Cross-account destination database" | "Destination database" => Scenario::Destination,
        "Cross-account source and destination databases" | "Source and destination databases" => {
            Scenario::SourceAndDestination
        }
        other => panic!("no scenario for {other:?}"),
    }
}

/// The databases a text says are owned by the account(s) it names.
fn sides_owned(text: &str) -> Vec<DatabaseSide> {
    let mut sides = Vec::new();
    if text.contains("source database") || text.contains("own the source") {
        sides.push(DatabaseSide::Source);
    }
    if text.contains("destination database") || text.contains("source and destination databases") {
        sides.push(DatabaseSide::Destination);
    }
    sides
}

/// The trusted account a text names.
fn trusted_named(text: &str) -> TrustedAccount {
    if text.contains("designated") {
        TrustedAccount::DesignatedTaskAccount
    } else if text.contains("owns the destination database")
        || text.contains("destination database account")
    {
        TrustedAccount::DestinationDatabaseOwner
    } else if text.contains("owns the source database") || text.contains("source database account")
    {
        TrustedAccount::SourceDatabaseOwner
    } else {
        panic!("no trusted account in {text:?}")
    }
}

/// The UIDs of the seed's accounts A, B and C: (source owner, destination owner, task creator) per scenario.
fn accounts_of(scenario: Scenario) -> (&'static str, &'static str, &'static str) {
    match scenario.trusted_account() {
        TrustedAccount::DestinationDatabaseOwner => (A, B, B),
        TrustedAccount::SourceDatabaseOwner => (A, B, A),
        TrustedAccount::DesignatedTaskAccount => (A, B, C),
    }
}

#[test]
fn every_scenario_row_holds_roles_where_the_guide_says() {
    let rows = rows(DTS_SCENARIOS);
    assert_eq!(rows.len(), dts::SCENARIOS.len());
    for row in rows {
        let scenario = scenario_named(row[0]);
        // "Set Replicate Data Across Alibaba Cloud Accounts to Yes for ...": the cross-account databases.
        let yes: Vec<DatabaseSide> = DatabaseSide::ALL
            .into_iter()
            .filter(|side| {
                row[1].contains(&format!("Yes for the {side} database"))
                    || row[1].contains("Yes for both")
            })
            .collect();
        assert_eq!(scenario.cross_account_sides(), yes, "{}", row[0]);
        // "Configure RAM authorization using ... Create the DTS task using ...".
        let (authorize, create) = row[2].split_once("Create the DTS task").unwrap();
        assert_eq!(
            scenario.cross_account_sides(),
            sides_owned(authorize),
            "{}",
            row[0]
        );
        assert_eq!(
            scenario.trusted_account(),
            trusted_named(create),
            "{}",
            row[0]
        );
    }
}

#[test]
fn every_account_information_row_gives_each_role_its_owner_and_trusted_account() {
    let rows = rows(DTS_ACCOUNT_INFORMATION);
    assert_eq!(rows.len(), 3);
    for row in rows {
        let scenario = scenario_named(row[0]);
        assert_eq!(
            scenario.cross_account_sides(),
            sides_owned(row[1]),
            "{}",
            row[0]
        );
        // The account in the trust policy is the one that creates the task.
        assert_eq!(row[2], row[3], "{}", row[0]);
        assert_eq!(
            scenario.trusted_account(),
            trusted_named(row[2]),
            "{}",
            row[0]
        );

        // The resource for each cross-account database: a role in that database's account, trusting the task's.
        let (source_owner, destination_owner, task) = accounts_of(scenario);
        for &side in scenario.cross_account_sides() {
            // The database is the scenario's only cross-account one, or, in scenario 3, said by each role.
            let database = match scenario.default_database() {
                Some(_) => scenario.resolve_database(None),
                None => scenario.resolve_database(Some(side)),
            };
            assert_eq!(database, Ok(side));
            let owner = match side {
                DatabaseSide::Source => account(source_owner),
                DatabaseSide::Destination => account(destination_owner),
            };
            let trusted = account(task);
            assert_eq!(
                CrossAccountService::Dts.check_trusted_account(&trusted, &owner),
                Ok(())
            );
            let policy = dts_trust_policy(&trusted);
            assert_eq!(
                policy.principals(PrincipalKind::Ram).collect::<Vec<_>>(),
                [format!("acs:ram::{task}:root")]
            );
            assert_eq!(
                policy
                    .principals(PrincipalKind::Service)
                    .collect::<Vec<_>>(),
                [format!("{task}@dts.aliyuncs.com")]
            );
            // The classic mistake, entering the owner's own UID, is refused; had it been written, RAM would
            // store the rewritten form, which a refresh recognises.
            assert!(
                CrossAccountService::Dts
                    .check_trusted_account(&owner, &owner)
                    .is_err()
            );
            let stored = dts_trust_policy(&owner)
                .to_json()
                .replace(&format!("{owner}@dts.aliyuncs.com"), "dts.aliyuncs.com");
            let found = own_account_rewrite(&TrustPolicy::parse(&stored).unwrap(), &owner).unwrap();
            assert_eq!(found.found, "dts.aliyuncs.com");
        }
        assert_eq!(dts::SYSTEM_POLICY, "AliyunDTSRolePolicy");
        assert_eq!(role_rules::check_role_name(dts::DEFAULT_ROLE_NAME), Ok(()));
    }
}

/// The access methods a "Connection type" cell lists, checked to list nothing else.
fn methods_in(cell: &str) -> Vec<AccessMethod> {
    let mut found: Vec<(usize, AccessMethod)> = AccessMethod::ALL
        .into_iter()
        .filter_map(|m| cell.find(m.name()).map(|at| (at, m)))
        .collect();
    found.sort_by_key(|(at, _)| *at);
    let mut rest = cell.to_owned();
    for (_, method) in &found {
        rest = rest.replacen(method.name(), "", 1);
    }
    assert_eq!(
        rest.replace(',', "").trim(),
        "",
        "unknown method in {cell:?}"
    );
    found.into_iter().map(|(_, m)| m).collect()
}

#[test]
fn every_supported_database_row_is_accepted_with_exactly_its_methods() {
    for (side, table) in [
        (DatabaseSide::Source, DTS_SOURCE_DATABASES),
        (DatabaseSide::Destination, DTS_DESTINATION_DATABASES),
    ] {
        let rows = rows(table);
        assert_eq!(rows.len(), side.supported_databases().len(), "{side}");
        for row in rows {
            let (database_type, methods) = (row[0], methods_in(row[1]));
            let domain = dts::find_database(side, database_type)
                .unwrap_or_else(|| panic!("{side} {database_type} missing"));
            assert_eq!(domain.access_methods, methods, "{side} {database_type}");
            assert_eq!(dts::check_database(side, database_type, None), Ok(()));
            for method in AccessMethod::ALL {
                assert_eq!(
                    dts::check_database(side, database_type, Some(method.name())).is_ok(),
                    methods.contains(&method),
                    "{side} {database_type} via {method}"
                );
            }
        }
    }
    // A type outside a side's table is refused with the table's types.
    assert!(dts::check_database(DatabaseSide::Destination, "Oracle", None).is_err());
}

#[test]
fn the_two_way_note_allows_its_instances_only() {
    // "... only between X, between Y, ..., or Z.": the instances, in the note's order.
    let list = DTS_TWO_WAY_NOTE
        .split_once("only between ")
        .and_then(|(_, rest)| rest.strip_suffix('.'))
        .unwrap();
    let noted: Vec<&str> = list
        .split(", ")
        .map(|item| {
            let item = item.strip_prefix("or ").unwrap_or(item);
            item.strip_prefix("between ").unwrap_or(item)
        })
        .collect();
    let domain: Vec<&str> = dts::TWO_WAY_SYNC_DATABASES
        .iter()
        .map(|row| row.instances)
        .collect();
    assert_eq!(domain, noted);

    let both = Scenario::SourceAndDestination;
    for row in &dts::TWO_WAY_SYNC_DATABASES {
        assert_eq!(
            dts::check_two_way(
                both,
                Some(row.database_type),
                Some("Alibaba Cloud Instance"),
                Some(row.instances)
            ),
            Ok(()),
            "{}",
            row.instances
        );
        assert!(dts::two_way_instances(row.database_type).contains(&row.instances));
    }
    // Tair/Redis is not enough: only its Enterprise Edition instances are in the note.
    assert!(dts::check_two_way(both, Some("Tair/Redis"), None, None).is_err());
    assert_eq!(dts::check_two_way(both, Some("MySQL"), None, None), Ok(()));
    assert_eq!(
        dts::check_two_way(both, Some("MongoDB"), None, None),
        Ok(())
    );
    // Every other type of either table is refused two-way.
    for side in DatabaseSide::ALL {
        for db in side.supported_databases() {
            if dts::two_way_instances(db.database_type).is_empty() {
                assert!(
                    dts::check_two_way(both, Some(db.database_type), None, None).is_err(),
                    "{}",
                    db.database_type
                );
            }
        }
    }
    // "A cross-account bidirectional synchronization task is a scenario where both the source and destination
    // databases are cross-account."
    for scenario in [Scenario::Source, Scenario::Destination] {
        assert!(dts::check_two_way(scenario, Some("MySQL"), None, None).is_err());
    }
}

#[test]
fn the_usage_notes_are_stated_and_checked_where_the_provider_can() {
    assert_eq!(dts::DIFFERENT_ACCOUNT_TYPES_NOTE, DTS_ACCOUNT_TYPES_NOTE);
    let note = CrossAccountService::Dts.account_login_note().unwrap();
    assert_eq!(note.quote, DTS_LOGIN_NOTE);
    // The provider sees its own identity: anything but the account itself gets the note.
    for kind in [IdentityKind::RamUser, IdentityKind::AssumedRole] {
        let warning = CrossAccountService::Dts
            .check_caller(kind, "acs:ram::1111111111111111:user/x")
            .unwrap_err()
            .to_string();
        assert!(warning.contains(DTS_LOGIN_NOTE), "{warning}");
    }
    assert_eq!(
        CrossAccountService::Dts.check_caller(IdentityKind::Account, "acs:ram::1:root"),
        Ok(())
    );
    // Both notes are in the resource documentation, under "Before you start".
    let page = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/resources/cross_account_dts_role.md"
    ))
    .unwrap();
    let before = page
        .split_once("## Before you start")
        .map(|(_, rest)| rest.split("\n## ").next().unwrap_or_default())
        .expect("a Before you start section");
    let squashed = crate::support::text::squash(before);
    for note in [DTS_ACCOUNT_TYPES_NOTE, DTS_LOGIN_NOTE] {
        assert!(squashed.contains(note), "{note:?} not in:\n{squashed}");
    }
}

// ---------------------------------------------------------------------------------------------------------------
// DataWorks

/// The guide's account labels: who owns the role, who is trusted.
const DATAWORKS_ACCOUNT_LABELS: &str = "\
Label | Meaning |
Source account | The Alibaba Cloud account that owns the RDS, Hive, or Kafka instance |
DataWorks account | The Alibaba Cloud account that owns the DataWorks workspace |";

/// The guide's policy table (seed), plus the row Alibaba's current page adds.
const DATAWORKS_POLICIES: &str = "\
Instance type | Policy name |
RDS (MySQL, SQL Server, PostgreSQL, MariaDB) | AliyunDataWorksAccessingRdsReadOnlyPolicy |
Hive | AliyunDataWorksAccessingDLFReadOnlyPolicy, AliyunDataWorksAccessingEMRReadOnlyPolicy |
Kafka | AliyunDataWorksAccessingAlikafkaPolicy |
AnalyticDB for MySQL 3.0 | AliyunADBReadOnlyAccess |";

/// Step 1's role parameters.
const DATAWORKS_ROLE_PARAMETERS: &str = "\
Parameter | Value |
Select Trusted Entity | Alibaba Cloud Account |
RAM Role Name | A custom name of your choice |
Select Account | Other Alibaba Cloud Account |
Account UID field | UID of the DataWorks account |";

/// Step 2's data source parameters: what the role's owner hands on.
const DATAWORKS_DATA_SOURCE_PARAMETERS: &str = "\
Parameter | Value |
Data Source Type | Alibaba Cloud Instance Mode |
Account Of Instance | Other Cloud Account or Other Alibaba Cloud Account |
UID of Other Alibaba Cloud Account | UID of the source account |
RAM Role for Authorization | Name of the RAM role created in Step 1 |";

#[test]
fn every_dataworks_policy_row_is_an_instance_type() {
    let rows = rows(DATAWORKS_POLICIES);
    assert_eq!(rows.len(), INSTANCE_TYPES.len());
    for row in rows {
        let label = row[0];
        let policies: Vec<&str> = row[1].split(", ").collect();
        let facts = INSTANCE_TYPES
            .iter()
            .find(|f| f.label == label)
            .unwrap_or_else(|| panic!("no instance type labelled {label:?}"));
        assert_eq!(facts.system_policies, policies, "{label}");
        let instance_type = InstanceType::parse(facts.name).unwrap();
        assert_eq!(instance_type.system_policies(), policies);
        // rds_engine belongs to RDS only.
        assert_eq!(
            dataworks::check_rds_engine(instance_type, Some("MySQL")).is_ok(),
            instance_type == InstanceType::Rds,
            "{label}"
        );
    }
    // The engines the RDS row names, spelt as there.
    for engine in ["MySQL", "SQL Server", "PostgreSQL", "MariaDB"] {
        assert_eq!(RdsEngine::parse(engine).unwrap().as_str(), engine);
    }
}

#[test]
fn every_dataworks_account_and_parameter_row_is_what_the_role_does() {
    let labels = rows(DATAWORKS_ACCOUNT_LABELS);
    assert_eq!(labels.len(), 2);
    let (owner, workspace) = (account(A), account(B));
    assert_eq!(
        format!(
            "The Alibaba Cloud {}",
            &CrossAccountService::DataWorks.trusted_account()[4..]
        ),
        labels[1][1]
    );
    for row in rows(DATAWORKS_ROLE_PARAMETERS) {
        match row[0] {
            // Trusted entity: another Alibaba Cloud account, the DataWorks one, never the role's own.
            "Select Trusted Entity" | "Select Account" => {
                assert!(row[1].contains("Alibaba Cloud Account"))
            }
            "Account UID field" => {
                assert_eq!(
                    CrossAccountService::DataWorks.check_trusted_account(&workspace, &owner),
                    Ok(())
                );
                assert!(
                    CrossAccountService::DataWorks
                        .check_trusted_account(&owner, &owner)
                        .is_err()
                );
            }
            "RAM Role Name" => {
                assert_eq!(role_rules::check_role_name("dataworks-rds-reader"), Ok(()))
            }
            other => panic!("unexpected parameter {other:?}"),
        }
    }
    // The trust policy: DataWorks' service principal for the workspace's account, no RAM principal.
    let policy = dataworks_trust_policy(&workspace);
    assert_eq!(
        policy
            .principals(PrincipalKind::Service)
            .collect::<Vec<_>>(),
        ["2222222222222222@cdp.aliyuncs.com"]
    );
    assert_eq!(policy.principals(PrincipalKind::Ram).count(), 0);
    let guide = "{\n    \"Statement\": [\n        {\n            \"Action\": \"sts:AssumeRole\",\n            \"Effect\": \"Allow\",\n            \"Principal\": {\n                \"Service\": [\n                    \"2222222222222222@cdp.aliyuncs.com\"\n                ]\n            }\n        }\n    ],\n    \"Version\": \"1\"\n}";
    assert!(policies_equivalent(&policy.to_json(), guide, Some(&owner)));
    // Step 2 names the source account's UID and the role's name: the role's ARN holds both.
    let parameters = rows(DATAWORKS_DATA_SOURCE_PARAMETERS);
    assert_eq!(parameters.len(), 4);
    assert_eq!(
        owner.role_arn("dataworks-rds-reader"),
        "acs:ram::1111111111111111:role/dataworks-rds-reader"
    );
    assert_eq!(
        AccountId::from_ram_arn(&owner.role_arn("dataworks-rds-reader")),
        Some(owner)
    );
}
