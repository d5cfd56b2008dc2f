//! Alibaba Cloud account IDs (UIDs): the numeric identity every cross-account trust is expressed in.
//!
//! The STS `GetCallerIdentity` reference says an account ID "only consists of digits". Real UIDs have 16 digits,
//! but the documentation also shows 13- and 18-digit placeholders, so any other length is accepted and only
//! flagged through [`AccountId::unusual_length`] (worded by [`UnusualLength`]) for callers that want to warn.
//!
//! [`IdentityKind`] says which kind of identity holds a set of credentials (the account itself, a RAM user or an
//! assumed role), as STS `GetCallerIdentity` reports it.

use std::fmt;
use std::str::FromStr;

/// The number of digits every Alibaba Cloud account ID seen in practice has.
pub const USUAL_ACCOUNT_ID_LENGTH: usize = 16;

/// An example account ID used in messages, so users see the expected shape.
const EXAMPLE_ACCOUNT_ID: &str = "1234567890123456";

/// A validated Alibaba Cloud account ID: one or more ASCII digits.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountId(String);

/// Why a string is not an Alibaba Cloud account ID.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AccountIdError {
    /// The string is empty.
    #[error(
        "an empty string is not an Alibaba Cloud account ID: expected the account's numeric UID, all digits, \
         such as \"{EXAMPLE_ACCOUNT_ID}\""
    )]
    Empty,
    /// The string holds something other than ASCII digits (letters, spaces, signs, ...).
    #[error(
        "\"{value}\" is not an Alibaba Cloud account ID: expected the account's numeric UID, all digits, \
         such as \"{EXAMPLE_ACCOUNT_ID}\""
    )]
    NotDigits {
        /// The rejected value, as given.
        value: String,
    },
}

impl AccountId {
    /// Parses an account ID: non-empty and all ASCII digits, with no surrounding whitespace.
    pub fn parse(value: &str) -> Result<AccountId, AccountIdError> {
        if value.is_empty() {
            return Err(AccountIdError::Empty);
        }
        if !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AccountIdError::NotDigits {
                value: value.to_owned(),
            });
        }
        Ok(AccountId(value.to_owned()))
    }

    /// Extracts the account ID from a RAM ARN such as `acs:ram::1234567890123456:role/ram-for-dts`.
    ///
    /// Returns `None` when the string is not a RAM ARN or its account field is not a valid account ID.
    pub fn from_ram_arn(arn: &str) -> Option<AccountId> {
        let rest = arn.strip_prefix("acs:ram::")?;
        let (account, _resource) = rest.split_once(':')?;
        AccountId::parse(account).ok()
    }

    /// The account ID as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when the ID does not have the usual 16 digits: still accepted, but worth a warning because a
    /// truncated or mistyped UID is the likelier explanation.
    pub fn unusual_length(&self) -> bool {
        self.0.len() != USUAL_ACCOUNT_ID_LENGTH
    }

    /// The warning an unusual length deserves, if it has one.
    pub fn length_warning(&self) -> Option<UnusualLength> {
        self.unusual_length().then(|| UnusualLength {
            account: self.clone(),
        })
    }

    /// The RAM principal that stands for the whole account: `acs:ram::<uid>:root`.
    pub fn root_principal(&self) -> String {
        format!("acs:ram::{}:root", self.0)
    }

    /// The service principal of a cloud service acting for this account: `<uid>@<service_host>`, for example
    /// `1234567890123456@dts.aliyuncs.com`.
    pub fn service_principal(&self, service_host: &str) -> String {
        format!("{}@{service_host}", self.0)
    }

    /// The ARN of a role in this account: `acs:ram::<uid>:role/<role_name>`.
    pub fn role_arn(&self, role_name: &str) -> String {
        format!("acs:ram::{}:role/{role_name}", self.0)
    }
}

/// A role ARN split into its account and role name: `acs:ram::<uid>:role/<name>`. `None` for any other shape.
pub fn parse_role_arn(arn: &str) -> Option<(AccountId, &str)> {
    let rest = arn.strip_prefix("acs:ram::")?;
    let (account, name) = rest.split_once(":role/")?;
    let account = AccountId::parse(account).ok()?;
    (!name.is_empty() && !name.contains('/')).then_some((account, name))
}

/// Whether two role ARNs name the same role: the same text up to the role name, and role names equal ignoring
/// ASCII case. Some Alibaba Cloud pages show role ARNs with the name in lower case (unverified against the API), so
/// an ARN RAM returns in another case than the one planned from the role name is the same ARN, not a change.
pub fn same_role_arn(a: &str, b: &str) -> bool {
    match (a.split_once(":role/"), b.split_once(":role/")) {
        (Some((a_account, a_name)), Some((b_account, b_name))) => {
            a_account == b_account && a_name.eq_ignore_ascii_case(b_name)
        }
        _ => a == b,
    }
}

/// An account ID without the usual 16 digits: accepted, but a truncated or mistyped UID trusts another
/// account than intended.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "\"{account}\" has {digits} digits, but Alibaba Cloud account UIDs have {USUAL_ACCOUNT_ID_LENGTH}: a mistyped \
     UID makes the role trust another account than intended. Check it against the Account ID on that account's \
     Security Settings page, or take it from an aliram_caller_identity data source of that account",
    digits = account.as_str().len()
)]
pub struct UnusualLength {
    /// The account ID.
    pub account: AccountId,
}

/// Which kind of identity holds a set of credentials, from STS `GetCallerIdentity`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdentityKind {
    /// The Alibaba Cloud account itself (its root identity): `IdentityType` `Account`, ARN `acs:ram::<uid>:root`.
    Account,
    /// A RAM user: `IdentityType` `RAMUser`, ARN `acs:ram::<uid>:user/<name>`.
    RamUser,
    /// A RAM role session (STS credentials): `IdentityType` `AssumedRoleUser`, ARN
    /// `acs:ram::<uid>:assumed-role/<role>/<session>`.
    AssumedRole,
    /// Anything else STS may report.
    Other,
}

impl IdentityKind {
    /// The kind `GetCallerIdentity` reports: its `IdentityType` when present, else the form of its `Arn`.
    pub fn of(identity_type: Option<&str>, arn: &str) -> IdentityKind {
        match identity_type {
            Some("Account") => IdentityKind::Account,
            Some("RAMUser") => IdentityKind::RamUser,
            Some("AssumedRoleUser") => IdentityKind::AssumedRole,
            Some(_) => IdentityKind::Other,
            None => {
                let resource = arn
                    .strip_prefix("acs:ram::")
                    .and_then(|rest| rest.split_once(':'))
                    .map(|(_, resource)| resource);
                match resource {
                    Some("root") => IdentityKind::Account,
                    Some(r) if r.starts_with("user/") => IdentityKind::RamUser,
                    Some(r) if r.starts_with("assumed-role/") => IdentityKind::AssumedRole,
                    _ => IdentityKind::Other,
                }
            }
        }
    }

    /// The kind in words, e.g. "a RAM user".
    pub fn description(self) -> &'static str {
        match self {
            IdentityKind::Account => "the Alibaba Cloud account itself",
            IdentityKind::RamUser => "a RAM user",
            IdentityKind::AssumedRole => "a RAM role session (STS credentials)",
            IdentityKind::Other => "an identity other than the Alibaba Cloud account",
        }
    }
}

impl FromStr for AccountId {
    type Err = AccountIdError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        AccountId::parse(value)
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for AccountId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn role_arns_match_ignoring_the_case_of_the_role_name_only() {
        let planned = "acs:ram::1111000011110001:role/Ram-For-DTS";
        assert!(same_role_arn(
            planned,
            "acs:ram::1111000011110001:role/ram-for-dts"
        ));
        assert!(same_role_arn(planned, planned));
        assert!(!same_role_arn(
            planned,
            "acs:ram::1111000011110002:role/Ram-For-DTS"
        ));
        assert!(!same_role_arn(
            planned,
            "acs:ram::1111000011110001:role/ram-for-dts2"
        ));
        assert!(!same_role_arn(
            planned,
            "ACS:RAM::1111000011110001:role/Ram-For-DTS"
        ));
    }

    use super::*;

    #[test]
    fn role_arns_split_into_account_and_name() {
        let (account, name) = parse_role_arn("acs:ram::1111000011110001:role/ram-for-dts").unwrap();
        assert_eq!(
            (account.as_str(), name),
            ("1111000011110001", "ram-for-dts")
        );
        for bad in [
            "",
            "ram-for-dts",
            "acs:ram::1111000011110001:root",
            "acs:ram::1111000011110001:role/",
            "acs:ram::abc:role/x",
            "acs:ram::1111000011110001:assumed-role/x/session",
            "acs:ram::1111000011110001:role/x/y",
        ] {
            assert!(parse_role_arn(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn accepts_sixteen_digits() {
        let id = AccountId::parse("1234567890123456").unwrap();
        assert_eq!(id.as_str(), "1234567890123456");
        assert_eq!(id.to_string(), "1234567890123456");
        assert!(!id.unusual_length());
    }

    #[test]
    fn unusual_lengths_get_a_warning_naming_the_value() {
        assert_eq!(
            AccountId::parse("1234567890123456")
                .unwrap()
                .length_warning(),
            None
        );
        let short = AccountId::parse("123456789012345").unwrap();
        assert_eq!(
            short.length_warning().unwrap().to_string(),
            "\"123456789012345\" has 15 digits, but Alibaba Cloud account UIDs have 16: a mistyped UID makes the \
             role trust another account than intended. Check it against the Account ID on that account's Security \
             Settings page, or take it from an aliram_caller_identity data source of that account"
        );
        let long = AccountId::parse("12345678901234567").unwrap();
        assert!(
            long.length_warning()
                .unwrap()
                .to_string()
                .contains("has 17 digits")
        );
    }

    #[test]
    fn identity_kinds_from_type_or_arn() {
        use IdentityKind::*;
        let cases = [
            (Some("Account"), "acs:ram::1:root", Account),
            (Some("RAMUser"), "acs:ram::1:user/alice", RamUser),
            (
                Some("AssumedRoleUser"),
                "acs:ram::1:assumed-role/r/s",
                AssumedRole,
            ),
            (Some("Federated"), "acs:ram::1:root", Other),
            (None, "acs:ram::1:root", Account),
            (None, "acs:ram::1:user/alice", RamUser),
            (None, "acs:ram::1:assumed-role/r/s", AssumedRole),
            (None, "not an arn", Other),
        ];
        for (identity_type, arn, kind) in cases {
            assert_eq!(IdentityKind::of(identity_type, arn), kind, "{arn}");
        }
        assert_eq!(RamUser.description(), "a RAM user");
    }

    #[test]
    fn accepts_other_lengths_but_flags_them() {
        for value in ["1", "1234567890123", "123456789012345678"] {
            let id = AccountId::parse(value).unwrap();
            assert!(id.unusual_length(), "{value} should be flagged");
        }
    }

    #[test]
    fn rejects_non_digits_and_quotes_the_value() {
        for value in [
            "12ab",
            " 1234567890123456",
            "1234567890123456 ",
            "-123",
            "+123",
            "１２３",
            "12.5",
        ] {
            let err = AccountId::parse(value).unwrap_err();
            assert_eq!(
                err,
                AccountIdError::NotDigits {
                    value: value.to_owned()
                }
            );
            assert!(err.to_string().contains(&format!("\"{value}\"")), "{err}");
        }
    }

    #[test]
    fn error_text_names_value_and_what_is_accepted() {
        let err = AccountId::parse("12ab").unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"12ab\" is not an Alibaba Cloud account ID: expected the account's numeric UID, all digits, \
             such as \"1234567890123456\""
        );
        let empty = AccountId::parse("").unwrap_err();
        assert_eq!(empty, AccountIdError::Empty);
        assert!(empty.to_string().starts_with("an empty string is not"));
    }

    #[test]
    fn from_str_matches_parse() {
        assert_eq!(
            "42".parse::<AccountId>(),
            AccountId::parse("42"),
            "FromStr and parse must agree"
        );
        assert!("x".parse::<AccountId>().is_err());
    }

    #[test]
    fn principals_and_arns() {
        let id = AccountId::parse("1234567890123456").unwrap();
        assert_eq!(id.root_principal(), "acs:ram::1234567890123456:root");
        assert_eq!(
            id.service_principal("dts.aliyuncs.com"),
            "1234567890123456@dts.aliyuncs.com"
        );
        assert_eq!(
            id.role_arn("ram-for-dts"),
            "acs:ram::1234567890123456:role/ram-for-dts"
        );
    }

    #[test]
    fn account_from_ram_arn() {
        assert_eq!(
            AccountId::from_ram_arn("acs:ram::1234567890123456:role/ram-for-dts"),
            Some(AccountId::parse("1234567890123456").unwrap())
        );
        assert_eq!(AccountId::from_ram_arn("acs:ram::abc:role/x"), None);
        assert_eq!(AccountId::from_ram_arn("acs:ecs::123:instance/x"), None);
        assert_eq!(AccountId::from_ram_arn("acs:ram::123"), None);
    }
}
