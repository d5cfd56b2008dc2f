//! The Alibaba Cloud accounts the emulator knows: the fixed demo accounts, or a list read from `--accounts FILE`.
//! Each account signs with its root access key; an accounts file may also declare, per account, RAM users (each
//! with one access key and its attached policies) and custom policies, put into the store on start.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;

/// One account and its root access key, in the form printed on start and read from `--accounts FILE`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    /// A short name for humans (`source`, `destination`, `task`, ...).
    pub name: String,
    /// The account UID, digits only.
    pub account_id: String,
    /// The root access key id.
    pub access_key_id: String,
    /// The root access key secret.
    pub access_key_secret: String,
    /// RAM users the account starts with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<DeclaredUser>,
    /// Custom policies the account starts with (its users may attach them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<DeclaredPolicy>,
    /// The account's place in the Resource Directory, if the file puts it in one (`"management"` or
    /// `"member"`): members get `ResourceDirectoryAccountAccessRole`, and the management account may list them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_directory: Option<DirectoryRole>,
}

/// An account's place in the emulated Resource Directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectoryRole {
    /// The management account, which enabled the directory.
    Management,
    /// A member account.
    Member,
}

/// A RAM user declared in the accounts file: its name, one access key, and the policies attached to it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclaredUser {
    /// The user name.
    pub name: String,
    /// The user's access key id.
    pub access_key_id: String,
    /// The user's access key secret.
    pub access_key_secret: String,
    /// System policies attached to the user, by name (`AliyunSTSAssumeRoleAccess`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub system_policies: Vec<String>,
    /// Custom policies of the same account attached to the user, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_policies: Vec<String>,
}

impl fmt::Debug for DeclaredUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeclaredUser")
            .field("name", &self.name)
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"<redacted>")
            .field("system_policies", &self.system_policies)
            .field("custom_policies", &self.custom_policies)
            .finish()
    }
}

/// A custom policy declared in the accounts file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeclaredPolicy {
    /// The policy name.
    pub name: String,
    /// The description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The policy document: a JSON object, or its text as a string.
    pub document: serde_json::Value,
}

impl DeclaredPolicy {
    /// The document as the text `CreatePolicy` would have been sent.
    pub fn document_text(&self) -> String {
        match &self.document {
            serde_json::Value::String(text) => text.clone(),
            other => other.to_string(),
        }
    }
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("name", &self.name)
            .field("account_id", &self.account_id)
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"<redacted>")
            .field("users", &self.users)
            .field("policies", &self.policies)
            .field("resource_directory", &self.resource_directory)
            .finish()
    }
}

/// The demo accounts (name, UID, root access key id and secret, the access key id and secret of its user
/// [`DEMO_USER`]), fixed so docs and examples can name them. They are not secret: they only open this emulator.
const DEMO_ACCOUNTS: [(&str, &str, &str, &str, &str, &str); 3] = [
    (
        "source",
        "1111000011110001",
        "LTAIEmuSource0000000001",
        "EmuSourceSecret000000000000001",
        "LTAIEmuSourceAdmin00001",
        "EmuSourceAdminSecret0000000001",
    ),
    (
        "destination",
        "2222000022220002",
        "LTAIEmuDestination00002",
        "EmuDestinationSecret0000000002",
        "LTAIEmuDestinationAdmn2",
        "EmuDestinationAdminSecret00002",
    ),
    (
        "task",
        "3333000033330003",
        "LTAIEmuTask000000000003",
        "EmuTaskSecret00000000000000003",
        "LTAIEmuTaskAdmin0000003",
        "EmuTaskAdminSecret000000000003",
    ),
];

/// The RAM user each demo account has, with `AdministratorAccess`: all its account's root keys may do, and
/// what root keys may not (STS refuses `AssumeRole` by root keys). Its keys are the account's, with `Admin`.
pub const DEMO_USER: &str = "admin";

/// The three demo accounts `source`, `destination` and `task`, used when no `--accounts` file is given, each with
/// its RAM user [`DEMO_USER`].
pub fn demo_accounts() -> Vec<Account> {
    DEMO_ACCOUNTS
        .iter()
        .map(|(name, uid, id, secret, user_id, user_secret)| Account {
            name: (*name).to_owned(),
            account_id: (*uid).to_owned(),
            access_key_id: (*id).to_owned(),
            access_key_secret: (*secret).to_owned(),
            users: vec![DeclaredUser {
                name: DEMO_USER.to_owned(),
                access_key_id: (*user_id).to_owned(),
                access_key_secret: (*user_secret).to_owned(),
                system_policies: vec!["AdministratorAccess".to_owned()],
                custom_policies: Vec::new(),
            }],
            policies: Vec::new(),
            resource_directory: None,
        })
        .collect()
}

/// Why an accounts list cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    /// The file could not be read.
    #[error("reading accounts file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a JSON list of accounts.
    #[error("parsing accounts file {path}: {source}")]
    Parse {
        /// The file.
        path: String,
        /// The JSON error.
        source: serde_json::Error,
    },
    /// An entry breaks a rule (digits-only UID, unique UIDs and key ids, non-empty keys).
    #[error("invalid accounts list: {0}")]
    Invalid(String),
}

/// Reads and checks a JSON list of accounts from `path`.
pub fn load_accounts(path: &Path) -> Result<Vec<Account>, AccountsError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| AccountsError::Read {
        path: shown.clone(),
        source,
    })?;
    let accounts: Vec<Account> =
        serde_json::from_str(&text).map_err(|source| AccountsError::Parse {
            path: shown,
            source,
        })?;
    validate_accounts(&accounts)?;
    Ok(accounts)
}

/// Checks that every account is usable, that UIDs and access key ids (root and users') are unique, and that the
/// declared users and policies are what the API would accept.
pub fn validate_accounts(accounts: &[Account]) -> Result<(), AccountsError> {
    if accounts.is_empty() {
        return Err(AccountsError::Invalid("the list is empty".into()));
    }
    let mut uids = std::collections::HashSet::new();
    let mut key_ids = std::collections::HashSet::new();
    for account in accounts {
        if account.account_id.is_empty() || !account.account_id.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(AccountsError::Invalid(format!(
                "account {:?}: account_id must be digits only",
                account.name
            )));
        }
        if account.access_key_id.is_empty() || account.access_key_secret.is_empty() {
            return Err(AccountsError::Invalid(format!(
                "account {:?}: access_key_id and access_key_secret must not be empty",
                account.name
            )));
        }
        // STS credentials are recognised by this prefix, so a root key must not use it.
        if account.access_key_id.starts_with("STS.") {
            return Err(AccountsError::Invalid(format!(
                "account {:?}: access_key_id must not start with \"STS.\"",
                account.name
            )));
        }
        if !uids.insert(account.account_id.as_str()) {
            return Err(AccountsError::Invalid(format!(
                "account_id {} appears twice",
                account.account_id
            )));
        }
        let user_keys = account.users.iter().map(|u| &u.access_key_id);
        for key_id in std::iter::once(&account.access_key_id).chain(user_keys) {
            if !key_ids.insert(key_id.as_str()) {
                return Err(AccountsError::Invalid(format!(
                    "access_key_id {key_id} appears twice"
                )));
            }
        }
        if account.users.iter().any(|u| u.access_key_secret.is_empty()) {
            return Err(AccountsError::Invalid(format!(
                "account {:?}: every user needs a non-empty access_key_secret",
                account.name
            )));
        }
    }
    let in_directory = |role| {
        accounts
            .iter()
            .filter(|a| a.resource_directory == Some(role))
            .count()
    };
    if in_directory(DirectoryRole::Management) > 1 {
        return Err(AccountsError::Invalid(
            "more than one account has \"resource_directory\": \"management\"; a directory has one"
                .into(),
        ));
    }
    if in_directory(DirectoryRole::Member) > 0 && in_directory(DirectoryRole::Management) == 0 {
        return Err(AccountsError::Invalid(
            "accounts have \"resource_directory\": \"member\" but none is \"management\"".into(),
        ));
    }
    // The declared users and policies go through the API's own rules, in a store of their own.
    super::users::seed_declared(
        &mut super::store::Store::default(),
        accounts,
        chrono::Utc::now(),
    )
    .map_err(AccountsError::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_accounts_have_16_digit_uids_and_valid_keys() {
        let accounts = demo_accounts();
        let names: Vec<&str> = accounts.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["source", "destination", "task"]);
        assert!(accounts.iter().all(|a| a.account_id.len() == 16));
        validate_accounts(&accounts).unwrap();
    }

    #[test]
    fn debug_hides_the_secret() {
        let shown = format!("{:?}", demo_accounts()[0]);
        assert!(!shown.contains("EmuSourceSecret"));
    }

    fn with_user(user: serde_json::Value, policies: serde_json::Value) -> Vec<Account> {
        let mut accounts = demo_accounts();
        accounts[0].users = vec![serde_json::from_value(user).unwrap()];
        accounts[0].policies = serde_json::from_value(policies).unwrap();
        accounts
    }

    #[test]
    fn declared_users_and_policies_follow_the_api_rules() {
        let policy = serde_json::json!([{"name": "TerraformApply", "document":
            {"Version": "1", "Statement": [{"Effect": "Allow", "Action": "ram:*", "Resource": "*"}]}}]);
        let user = |name: &str, key: &str, custom: &str| {
            serde_json::json!({"name": name, "access_key_id": key, "access_key_secret": "s",
                "system_policies": ["AliyunSTSAssumeRoleAccess"], "custom_policies": [custom]})
        };
        validate_accounts(&with_user(
            user("ci", "LTAIci", "TerraformApply"),
            policy.clone(),
        ))
        .unwrap();
        let refused =
            |accounts: Vec<Account>| validate_accounts(&accounts).unwrap_err().to_string();
        let message = refused(with_user(
            user("c i", "LTAIci", "TerraformApply"),
            policy.clone(),
        ));
        assert!(
            message.contains("InvalidParameter.UserName.InvalidChars"),
            "{message}"
        );
        let message = refused(with_user(user("ci", "LTAIci", "Missing"), policy.clone()));
        assert!(message.contains("EntityNotExist.Policy"), "{message}");
        let message = refused(with_user(
            user("ci", "LTAIEmuDestination00002", "TerraformApply"),
            policy,
        ));
        assert!(message.contains("appears twice"), "{message}");
        let bad_document = serde_json::json!([{"name": "P", "document": {"Version": "1"}}]);
        let message = refused(with_user(user("ci", "LTAIci", "P"), bad_document));
        assert!(message.contains("MalformedPolicyDocument"), "{message}");
    }

    #[test]
    fn debug_hides_user_secrets() {
        let accounts = with_user(
            serde_json::json!({"name": "ci", "access_key_id": "LTAIci", "access_key_secret": "user-secret"}),
            serde_json::json!([]),
        );
        assert!(!format!("{accounts:?}").contains("user-secret"));
    }

    #[test]
    fn a_directory_has_one_management_account_before_members() {
        let mut accounts = demo_accounts();
        accounts[1].resource_directory = Some(DirectoryRole::Member);
        assert!(validate_accounts(&accounts).is_err());
        accounts[0].resource_directory = Some(DirectoryRole::Management);
        validate_accounts(&accounts).unwrap();
        accounts[2].resource_directory = Some(DirectoryRole::Management);
        assert!(validate_accounts(&accounts).is_err());
        let parsed: Vec<Account> = serde_json::from_str(
            r#"[{"name":"m","account_id":"1","access_key_id":"a","access_key_secret":"s","resource_directory":"management"}]"#,
        )
        .unwrap();
        assert_eq!(
            parsed[0].resource_directory,
            Some(DirectoryRole::Management)
        );
    }

    #[test]
    fn duplicate_uids_are_rejected() {
        let mut accounts = demo_accounts();
        accounts[1].account_id = accounts[0].account_id.clone();
        assert!(validate_accounts(&accounts).is_err());
    }
}
