//! The Alibaba Cloud accounts the emulator knows: the fixed demo accounts, or a list read from `--accounts FILE`.
//! Each account signs with its root access key.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;

/// One account and its root access key, in the form printed on start and read from `--accounts FILE`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// A short name for humans (`source`, `destination`, `task`, ...).
    pub name: String,
    /// The account UID, digits only.
    pub account_id: String,
    /// The root access key id.
    pub access_key_id: String,
    /// The root access key secret.
    pub access_key_secret: String,
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

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("name", &self.name)
            .field("account_id", &self.account_id)
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"<redacted>")
            .field("resource_directory", &self.resource_directory)
            .finish()
    }
}

/// The demo accounts (name, UID, access key id, access key secret), fixed so docs and examples can name them.
/// They are not secret: they only open this emulator.
const DEMO_ACCOUNTS: [(&str, &str, &str, &str); 3] = [
    (
        "source",
        "1111000011110001",
        "LTAIEmuSource0000000001",
        "EmuSourceSecret000000000000001",
    ),
    (
        "destination",
        "2222000022220002",
        "LTAIEmuDestination00002",
        "EmuDestinationSecret0000000002",
    ),
    (
        "task",
        "3333000033330003",
        "LTAIEmuTask000000000003",
        "EmuTaskSecret00000000000000003",
    ),
];

/// The three demo accounts `source`, `destination` and `task`, used when no `--accounts` file is given.
pub fn demo_accounts() -> Vec<Account> {
    DEMO_ACCOUNTS
        .iter()
        .map(|(name, uid, id, secret)| Account {
            name: (*name).to_owned(),
            account_id: (*uid).to_owned(),
            access_key_id: (*id).to_owned(),
            access_key_secret: (*secret).to_owned(),
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

/// Checks that every account is usable and that UIDs and access key ids are unique.
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
        if !key_ids.insert(account.access_key_id.as_str()) {
            return Err(AccountsError::Invalid(format!(
                "access_key_id {} appears twice",
                account.access_key_id
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
    Ok(())
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
