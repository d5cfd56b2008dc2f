//! The seed scenarios walked through with the public domain API, the way the resources combine it: which
//! account holds the role, whom it trusts, which document and policies it gets, and which mistakes are refused.

use pretty_assertions::assert_eq;
use terraform_provider_aliram::provider::domain::account::AccountId;
use terraform_provider_aliram::provider::domain::cross_account_service::CrossAccountService;
use terraform_provider_aliram::provider::domain::dataworks::{self, InstanceType};
use terraform_provider_aliram::provider::domain::dts::{
    self, DatabaseSide, Scenario, TrustedAccount,
};
use terraform_provider_aliram::provider::domain::role_rules;
use terraform_provider_aliram::provider::domain::trust_policy::{
    TrustPolicy, dataworks_trust_policy, dts_trust_policy, own_account_rewrite, policies_equivalent,
};

const A: &str = "1111111111111111"; // owns the source database
const B: &str = "2222222222222222"; // owns the destination database
const C: &str = "3333333333333333"; // creates the task in scenario 3

fn account(id: &str) -> AccountId {
    AccountId::parse(id).unwrap()
}

#[test]
fn scenario_1_source_database_in_a_task_created_by_b() {
    let scenario = Scenario::parse("source").unwrap();
    assert_eq!(scenario.resolve_database(None), Ok(DatabaseSide::Source));
    assert_eq!(
        scenario.trusted_account(),
        TrustedAccount::DestinationDatabaseOwner
    );
    // The role lives in A and trusts B.
    let (owner, trusted) = (account(A), account(B));
    assert_eq!(
        CrossAccountService::Dts.check_trusted_account(&trusted, &owner),
        Ok(())
    );
    assert_eq!(
        dts_trust_policy(&trusted).to_json(),
        r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::2222222222222222:root"],"Service":["2222222222222222@dts.aliyuncs.com"]}}],"Version":"1"}"#
    );
    assert_eq!(dts::SYSTEM_POLICY, "AliyunDTSRolePolicy");
    assert_eq!(role_rules::check_role_name(dts::DEFAULT_ROLE_NAME), Ok(()));
    assert_eq!(
        dts::check_database(
            DatabaseSide::Source,
            "MySQL",
            Some("Alibaba Cloud Instance")
        ),
        Ok(())
    );
}

#[test]
fn scenario_1_classic_mistake_is_refused_and_recognised() {
    // Entering the source account (the owner) as trusted account.
    let owner = account(A);
    assert!(
        CrossAccountService::Dts
            .check_trusted_account(&owner, &owner)
            .is_err()
    );
    // Had it been written, RAM would store the rewritten form; a refresh recognises it.
    let stored = dts_trust_policy(&owner)
        .to_json()
        .replace("1111111111111111@dts.aliyuncs.com", "dts.aliyuncs.com");
    let found = own_account_rewrite(&TrustPolicy::parse(&stored).unwrap(), &owner).unwrap();
    assert_eq!(found.found, "dts.aliyuncs.com");
    assert_eq!(found.service, CrossAccountService::Dts);
}

#[test]
fn scenario_2_destination_database_in_a_task_created_by_a() {
    let scenario = Scenario::parse("destination").unwrap();
    assert_eq!(
        scenario.resolve_database(None),
        Ok(DatabaseSide::Destination)
    );
    assert!(
        scenario
            .resolve_database(Some(DatabaseSide::Source))
            .is_err()
    );
    assert_eq!(
        scenario.trusted_account(),
        TrustedAccount::SourceDatabaseOwner
    );
    assert_eq!(
        CrossAccountService::Dts.check_trusted_account(&account(A), &account(B)),
        Ok(())
    );
    // Destination databases are cross-account only as Alibaba Cloud instances.
    assert!(
        dts::check_database(
            DatabaseSide::Destination,
            "MySQL",
            Some("Self-managed Database on ECS")
        )
        .is_err()
    );
}

#[test]
fn scenario_3_both_databases_in_a_task_created_by_c() {
    let scenario = Scenario::parse("source_and_destination").unwrap();
    assert!(scenario.resolve_database(None).is_err());
    assert_eq!(
        scenario.trusted_account(),
        TrustedAccount::DesignatedTaskAccount
    );
    // One role in A (source) and one in B (destination), both trusting C with the same document.
    let trusted = account(C);
    for (owner, side) in [(A, DatabaseSide::Source), (B, DatabaseSide::Destination)] {
        assert_eq!(scenario.resolve_database(Some(side)), Ok(side));
        assert_eq!(
            CrossAccountService::Dts.check_trusted_account(&trusted, &account(owner)),
            Ok(())
        );
    }
    // Two-way synchronisation is this scenario, between the allowed instances only.
    assert_eq!(dts::check_two_way(scenario, Some("MongoDB"), None), Ok(()));
    assert!(dts::check_two_way(scenario, Some("PostgreSQL"), None).is_err());
    assert!(dts::check_two_way(Scenario::Source, Some("MySQL"), None).is_err());
}

#[test]
fn dataworks_rds_hive_and_kafka() {
    let (owner, workspace) = (account(A), account(B));
    assert_eq!(
        CrossAccountService::DataWorks.check_trusted_account(&workspace, &owner),
        Ok(())
    );
    let policy = dataworks_trust_policy(&workspace);
    // The guide's document, as printed there.
    let guide = "{\n    \"Statement\": [\n        {\n            \"Action\": \"sts:AssumeRole\",\n            \"Effect\": \"Allow\",\n            \"Principal\": {\n                \"Service\": [\n                    \"2222222222222222@cdp.aliyuncs.com\"\n                ]\n            }\n        }\n    ],\n    \"Version\": \"1\"\n}";
    assert!(policies_equivalent(&policy.to_json(), guide, Some(&owner)));
    let policies: Vec<(&str, &[&str])> = InstanceType::ALL
        .iter()
        .map(|t| (t.as_str(), t.system_policies()))
        .collect();
    assert_eq!(
        policies,
        [
            ("rds", &["AliyunDataWorksAccessingRdsReadOnlyPolicy"][..]),
            (
                "hive",
                &[
                    "AliyunDataWorksAccessingDLFReadOnlyPolicy",
                    "AliyunDataWorksAccessingEMRReadOnlyPolicy"
                ][..]
            ),
            ("kafka", &["AliyunDataWorksAccessingAlikafkaPolicy"][..]),
        ]
    );
    assert!(dataworks::check_rds_engine(InstanceType::Hive, Some("MySQL")).is_err());
}
