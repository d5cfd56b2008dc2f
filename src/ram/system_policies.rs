//! The system policies that grant RAM and STS permissions, with their documents, so an identity they are
//! attached to is authorized as on the real service. Names are `acs:ram:*:system:policy/<name>` resources
//! ([`Arn::system_policy`](crate::ram::arn::Arn::system_policy)).
//!
//! Sources (reference §4): `AliyunSTSAssumeRoleAccess` v1 and `AliyunRAMReadOnlyAccess` v3 (2025-12-03) are
//! copied from their Alibaba Cloud reference pages. `AdministratorAccess` and `AliyunRAMFullAccess` are the
//! documented shapes, **unverified** verbatim: everything, and every `ram:` action, on every resource.

use crate::ram::permission_policy::PermissionPolicy;
use std::sync::LazyLock;

/// A system policy's name, default version and document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SystemPolicyDocument {
    /// The policy name.
    pub name: &'static str,
    /// The default version id.
    pub default_version: &'static str,
    /// The default version's document, as RAM returns it.
    pub document: &'static str,
}

impl SystemPolicyDocument {
    /// The document as a policy. Every document here is checked to parse by this module's tests.
    pub fn policy(&self) -> PermissionPolicy {
        PermissionPolicy::parse(self.document)
            .unwrap_or_else(|e| panic!("system policy {} does not parse: {e}", self.name))
    }
}

/// `AdministratorAccess`: everything (unverified verbatim).
pub const ADMINISTRATOR_ACCESS: SystemPolicyDocument = SystemPolicyDocument {
    name: "AdministratorAccess",
    default_version: "v1",
    document: r#"{"Statement":[{"Action":"*","Effect":"Allow","Resource":"*"}],"Version":"1"}"#,
};

/// `AliyunRAMFullAccess`: every RAM action (the documented shape; unverified verbatim).
pub const ALIYUN_RAM_FULL_ACCESS: SystemPolicyDocument = SystemPolicyDocument {
    name: "AliyunRAMFullAccess",
    default_version: "v1",
    document: r#"{"Statement":[{"Action":"ram:*","Effect":"Allow","Resource":"*"}],"Version":"1"}"#,
};

/// `AliyunRAMReadOnlyAccess` v3: RAM's `Get*` / `List*` and the credential report, and Access Analyzer reads.
pub const ALIYUN_RAM_READ_ONLY_ACCESS: SystemPolicyDocument = SystemPolicyDocument {
    name: "AliyunRAMReadOnlyAccess",
    default_version: "v3",
    document: r#"{"Version":"1","Statement":[{"Action":["ram:Get*","ram:List*","ram:GenerateCredentialReport"],"Resource":"*","Effect":"Allow"},{"Effect":"Allow","Action":["accessanalyzer:Get*","accessanalyzer:List*"],"Resource":"*"}]}"#,
};

/// `AliyunSTSAssumeRoleAccess` v1: `sts:AssumeRole` on any role (the role's trust policy still decides).
pub const ALIYUN_STS_ASSUME_ROLE_ACCESS: SystemPolicyDocument = SystemPolicyDocument {
    name: "AliyunSTSAssumeRoleAccess",
    default_version: "v1",
    document: r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Resource":"*"}],"Version":"1"}"#,
};

/// Every system policy whose document is known.
pub const DOCUMENTS: [SystemPolicyDocument; 4] = [
    ADMINISTRATOR_ACCESS,
    ALIYUN_RAM_FULL_ACCESS,
    ALIYUN_RAM_READ_ONLY_ACCESS,
    ALIYUN_STS_ASSUME_ROLE_ACCESS,
];

/// The system policy named exactly `name`, when its document is known.
pub fn find(name: &str) -> Option<&'static SystemPolicyDocument> {
    DOCUMENTS.iter().find(|p| p.name == name)
}

/// The document of the system policy named exactly `name`, parsed once per process: the emulator authorizes
/// every request of a RAM user or role session against its policies.
pub fn find_policy(name: &str) -> Option<&'static PermissionPolicy> {
    static PARSED: LazyLock<[PermissionPolicy; DOCUMENTS.len()]> =
        LazyLock::new(|| DOCUMENTS.map(|document| document.policy()));
    let index = DOCUMENTS.iter().position(|p| p.name == name)?;
    Some(&PARSED[index])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_document_parses_and_names_are_unique() {
        for document in DOCUMENTS {
            assert!(
                !document.policy().statements.is_empty(),
                "{}",
                document.name
            );
            assert_eq!(find(document.name), Some(&document));
            assert_eq!(find_policy(document.name), Some(&document.policy()));
        }
        assert_eq!(find("aliyunramreadonlyaccess"), None);
        assert_eq!(find("ReadOnlyAccess"), None);
    }
}
