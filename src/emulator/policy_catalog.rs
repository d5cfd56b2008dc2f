//! The system policies the emulated RAM knows: every policy the DTS and DataWorks flows need, plus common ones.
//! Attaching a name outside this table gets `EntityNotExist.Policy`, as on the real service. The policies that
//! grant RAM and STS permissions take their name, version and document from `ram::system_policies`.

use crate::ram::system_policies::{self, SystemPolicyDocument};

/// A system policy: its name, description and default version, as `ListPoliciesForRole` reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SystemPolicy {
    /// The policy name.
    pub name: &'static str,
    /// The description RAM shows.
    pub description: &'static str,
    /// The default version id.
    pub default_version: &'static str,
}

const fn policy(
    name: &'static str,
    description: &'static str,
    default_version: &'static str,
) -> SystemPolicy {
    SystemPolicy {
        name,
        description,
        default_version,
    }
}

/// An entry for a policy whose document `ram::system_policies` holds: name and version from there.
const fn with_document(known: &SystemPolicyDocument, description: &'static str) -> SystemPolicy {
    policy(known.name, description, known.default_version)
}

impl SystemPolicy {
    /// The default version's document, for the policies that grant RAM and STS permissions; `None` for the
    /// others, whose documents the emulator does not model.
    pub fn document(&self) -> Option<&'static str> {
        system_policies::find(self.name).map(|known| known.document)
    }
}

/// The catalog, in no particular order.
pub const SYSTEM_POLICIES: &[SystemPolicy] = &[
    // DTS cross-account roles.
    policy(
        "AliyunDTSRolePolicy",
        "Default policy for DTS role, including permission of access to RDS, ECS, DRDS and other resources.",
        "v10",
    ),
    policy(
        "AliyunDTSFullAccess",
        "Provides full access to Data Transmission Service (DTS) via Management Console.",
        "v3",
    ),
    policy(
        "AliyunDTSReadOnlyAccess",
        "Provides read-only access to Data Transmission Service (DTS) via Management Console.",
        "v2",
    ),
    // DataWorks cross-account data sources.
    policy(
        "AliyunDataWorksAccessingRdsReadOnlyPolicy",
        "Policy for DataWorks to access RDS instances in read-only mode.",
        "v1",
    ),
    policy(
        "AliyunDataWorksAccessingDLFReadOnlyPolicy",
        "Policy for DataWorks to access Data Lake Formation in read-only mode.",
        "v1",
    ),
    policy(
        "AliyunDataWorksAccessingEMRReadOnlyPolicy",
        "Policy for DataWorks to access E-MapReduce in read-only mode.",
        "v1",
    ),
    policy(
        "AliyunDataWorksAccessingAlikafkaPolicy",
        "Policy for DataWorks to access Message Queue for Apache Kafka.",
        "v1",
    ),
    policy(
        "AliyunADBReadOnlyAccess",
        "Provides read-only access to AnalyticDB for MySQL via Management Console.",
        "v1",
    ),
    policy(
        "AliyunDataWorksFullAccess",
        "Provides full access to DataWorks via Management Console.",
        "v2",
    ),
    // Common ones.
    with_document(
        &system_policies::ADMINISTRATOR_ACCESS,
        "Provides full access to Alibaba Cloud services and resources.",
    ),
    policy(
        "ReadOnlyAccess",
        "Provides read-only access to Alibaba Cloud services and resources.",
        "v1",
    ),
    with_document(
        &system_policies::ALIYUN_RAM_FULL_ACCESS,
        "Provides full access to Resource Access Management (RAM).",
    ),
    with_document(
        &system_policies::ALIYUN_RAM_READ_ONLY_ACCESS,
        "Provides read-only access to Resource Access Management (RAM).",
    ),
    with_document(
        &system_policies::ALIYUN_STS_ASSUME_ROLE_ACCESS,
        "Provides access to call STS AssumeRole.",
    ),
    policy(
        "AliyunOSSFullAccess",
        "Provides full access to Object Storage Service (OSS) via Management Console.",
        "v1",
    ),
    policy(
        "AliyunOSSReadOnlyAccess",
        "Provides read-only access to Object Storage Service (OSS) via Management Console.",
        "v1",
    ),
    policy(
        "AliyunRDSFullAccess",
        "Provides full access to ApsaraDB for RDS via Management Console.",
        "v1",
    ),
    policy(
        "AliyunRDSReadOnlyAccess",
        "Provides read-only access to ApsaraDB for RDS via Management Console.",
        "v1",
    ),
    policy(
        "AliyunECSFullAccess",
        "Provides full access to Elastic Compute Service (ECS) via Management Console.",
        "v1",
    ),
    policy(
        "AliyunECSReadOnlyAccess",
        "Provides read-only access to Elastic Compute Service (ECS) via Management Console.",
        "v1",
    ),
    policy(
        "AliyunVPCReadOnlyAccess",
        "Provides read-only access to Virtual Private Cloud (VPC) via Management Console.",
        "v1",
    ),
    policy(
        "AliyunKafkaReadOnlyAccess",
        "Provides read-only access to Message Queue for Apache Kafka via Management Console.",
        "v1",
    ),
    policy(
        "AliyunEMRReadOnlyAccess",
        "Provides read-only access to E-MapReduce via Management Console.",
        "v1",
    ),
    policy(
        "AliyunLogReadOnlyAccess",
        "Provides read-only access to Log Service via Management Console.",
        "v1",
    ),
];

/// The system policy named `name` (exact, case-sensitive), if the catalog has it.
pub fn find_system_policy(name: &str) -> Option<&'static SystemPolicy> {
    SYSTEM_POLICIES.iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_policies_are_present() {
        for name in [
            "AdministratorAccess",
            "ReadOnlyAccess",
            "AliyunRAMReadOnlyAccess",
        ] {
            assert!(find_system_policy(name).is_some(), "{name}");
        }
        assert!(find_system_policy("aliyundtsrolepolicy").is_none());
    }

    #[test]
    fn every_policy_with_a_document_is_in_the_catalog() {
        for known in system_policies::DOCUMENTS {
            let entry = find_system_policy(known.name).unwrap();
            assert_eq!(entry.default_version, known.default_version);
            assert_eq!(entry.document(), Some(known.document));
        }
        assert_eq!(
            find_system_policy("ReadOnlyAccess").unwrap().document(),
            None
        );
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = SYSTEM_POLICIES.iter().map(|p| p.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SYSTEM_POLICIES.len());
    }
}
