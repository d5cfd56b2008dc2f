//! RAM users and custom policies a test starts the emulator with: declared on a copy of the demo accounts and
//! written as an `--accounts FILE` (or passed in an in-process `EmulatorConfig`), so the test acts as the RAM user
//! a real team would run Terraform as, with exactly the policies it needs.

use serde_json::Value;
use std::path::{Path, PathBuf};
use terraform_provider_aliram::emulator::accounts::{
    Account, DeclaredPolicy, DeclaredUser, demo_accounts,
};

/// The demo accounts, to declare users and policies on.
pub fn accounts() -> Vec<Account> {
    demo_accounts()
}

/// The account named `name` in `accounts`, to change.
pub fn account_mut<'a>(accounts: &'a mut [Account], name: &str) -> &'a mut Account {
    accounts
        .iter_mut()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("no account {name}"))
}

/// Declares RAM user `user` in account `account`, with one access key (derived from the names, so it is stable
/// and unique) and the system and custom policies attached.
pub fn add_user(
    accounts: &mut [Account],
    account: &str,
    user: &str,
    system_policies: &[&str],
    custom_policies: &[&str],
) {
    let owner = account_mut(accounts, account);
    let key_id = format!("LTAIUser{}{}", owner.account_id, user);
    owner.users.push(DeclaredUser {
        name: user.to_owned(),
        access_key_secret: format!("UserSecret-{key_id}"),
        access_key_id: key_id,
        system_policies: system_policies.iter().map(|p| (*p).to_owned()).collect(),
        custom_policies: custom_policies.iter().map(|p| (*p).to_owned()).collect(),
    });
}

/// Declares custom policy `name` with `document` in account `account`.
pub fn add_policy(accounts: &mut [Account], account: &str, name: &str, document: Value) {
    account_mut(accounts, account)
        .policies
        .push(DeclaredPolicy {
            name: name.to_owned(),
            description: String::new(),
            document,
        });
}

/// The declared user `user` of account `account`: its keys sign requests as that user.
pub fn user<'a>(accounts: &'a [Account], account: &str, user: &str) -> &'a DeclaredUser {
    accounts
        .iter()
        .find(|a| a.name == account)
        .and_then(|a| a.users.iter().find(|u| u.name == user))
        .unwrap_or_else(|| panic!("no user {user} in account {account}"))
}

/// Writes `accounts` as an `--accounts FILE` in `dir` and returns its path.
pub fn write_accounts(dir: &Path, accounts: &[Account]) -> PathBuf {
    let path = dir.join("accounts.json");
    let text = serde_json::to_string_pretty(accounts).expect("accounts as JSON");
    std::fs::write(&path, text).expect("writing the accounts file");
    path
}

/// A policy document with one statement.
pub fn policy(effect: &str, actions: &[&str], resources: &[&str]) -> Value {
    serde_json::json!({
        "Version": "1",
        "Statement": [{"Effect": effect, "Action": actions, "Resource": resources}]
    })
}
