//! The identity of a role: the account that owns it and its name, the pair that names a role for good (a role
//! name alone exists in every account). Import by identity reaches the identity's account before anything else
//! (the provider instance's own, or another through its access role), so an identity of an account the instance
//! cannot reach fails at plan, naming both accounts and the role it tried.

use super::attributes;
use super::role_resource::capitalised;
use crate::framework::diagnostics::Diagnostic;
use crate::framework::identity::{IdentityAttribute, IdentitySchema};
use crate::framework::path::AttributePath;
use crate::framework::value::Value;
use crate::provider::client::{AccountAccessError, ProviderClient};
use crate::ram::account::AccountId;
use crate::ram::role_rules::check_role_name;

/// `{account_id, role_name}`.
pub(crate) fn identity_schema() -> IdentitySchema {
    IdentitySchema::new(vec![
        IdentityAttribute::required_string(
            attributes::ACCOUNT_ID,
            "UID of the account that owns the role: the provider instance's own account, or another it reaches through `account_role_name`.",
        ),
        IdentityAttribute::required_string(attributes::ROLE_NAME, "Name of the role."),
    ])
}

/// The identity of the role a state describes (unknown parts while a create is planned).
pub(crate) fn identity(state: &Value) -> Value {
    let account = match state.attr(attributes::OWNER_ACCOUNT_ID) {
        Value::Null => state
            .attr(attributes::ARN)
            .as_str()
            .and_then(AccountId::from_ram_arn)
            .map(|a| a.to_string())
            .into(),
        known_or_unknown => known_or_unknown.clone(),
    };
    Value::object([
        (attributes::ACCOUNT_ID, account),
        (
            attributes::ROLE_NAME,
            state.attr(attributes::ROLE_NAME).clone(),
        ),
    ])
}

/// The state to import for `identity` (the following read fills the rest), after checking that the identity's
/// account is this provider instance's: an identity of another account must not reach a same-named role here.
pub(crate) async fn import_by_identity(
    type_name: &str,
    client: &ProviderClient,
    identity: &Value,
) -> Result<Value, Diagnostic> {
    let invalid = |attribute: &str, detail: String| {
        Diagnostic::error("Invalid Import Identity", detail).at(AttributePath::root(attribute))
    };
    let account = identity
        .attr(attributes::ACCOUNT_ID)
        .as_str()
        .unwrap_or_default();
    let account = AccountId::parse(account).map_err(|e| {
        invalid(
            attributes::ACCOUNT_ID,
            capitalised(&format!("account_id: {e}")),
        )
    })?;
    let name = identity
        .attr(attributes::ROLE_NAME)
        .as_str()
        .unwrap_or_default()
        .to_owned();
    check_role_name(&name).map_err(|e| {
        invalid(
            attributes::ROLE_NAME,
            capitalised(&format!("{type_name} is imported by role name: {e}")),
        )
    })?;
    // The role is imported in the account the identity names: this instance's, or another through its access
    // role. An identity of an account it cannot reach must not import a same-named role of another account.
    if let Err(e) = client.in_account(account.as_str()).await {
        let (summary, detail) = match &e {
            AccountAccessError::Unreachable { own, .. } => (
                "Import Identity Names Another Account",
                format!(
                    "The identity to import names role {name:?} of account {account}, but this provider instance's \
                     credentials belong to account {own} and it cannot reach account {account}: {e}. Let the \
                     provider's identity assume that role, or set `provider` in the import block to the provider \
                     configuration (alias) of account {account}."
                ),
            ),
            other => (
                "Cannot Check the Import Identity",
                format!(
                    "The identity to import names role {name:?} of account {account}: {other}."
                ),
            ),
        };
        return Err(
            Diagnostic::error(summary, detail).at(AttributePath::root(attributes::ACCOUNT_ID))
        );
    }
    Ok(Value::object([
        (attributes::ID, Value::string(&name)),
        (attributes::ROLE_NAME, Value::string(&name)),
        (attributes::ACCOUNT_ID, Value::string(account.as_str())),
        (
            attributes::OWNER_ACCOUNT_ID,
            Value::string(account.as_str()),
        ),
        (attributes::ARN, Value::string(account.role_arn(&name))),
    ]))
}
