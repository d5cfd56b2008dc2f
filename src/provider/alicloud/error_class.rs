//! How an error `Code` is classified, as a table: Alibaba Cloud reports throttling as HTTP 400 and some
//! missing entities as 400 or 404 depending on the gateway, so the class comes from the code, not the status.

use std::fmt;

/// What kind of failure an API error is, which decides whether to retry and how resources react.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The named entity does not exist (`EntityNotExist.*`, `*.NotFound` for entities).
    NotFound,
    /// The entity already exists (`EntityAlreadyExists.*`).
    AlreadyExists,
    /// The operation conflicts with the entity's state (`DeleteConflict.*`).
    Conflict,
    /// Flow control (every `Throttling*`); retried.
    Throttling,
    /// The service failed or is unavailable (`ServiceUnavailable`, `InternalError`, HTTP 5xx); retried.
    Unavailable,
    /// The credentials or signature were rejected, or the caller lacks permission.
    Auth,
    /// Anything else: a request the service refuses as it stands.
    Invalid,
}

impl ErrorKind {
    /// Whether an attempt that failed this way may succeed if repeated.
    pub fn is_retryable(self) -> bool {
        matches!(self, Self::Throttling | Self::Unavailable)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotFound => "not found",
            Self::AlreadyExists => "already exists",
            Self::Conflict => "conflict",
            Self::Throttling => "throttling",
            Self::Unavailable => "unavailable",
            Self::Auth => "authentication or authorization",
            Self::Invalid => "invalid request",
        })
    }
}

/// How a table row matches a code.
#[derive(Debug, Clone, Copy)]
enum Match {
    Exact(&'static str),
    Prefix(&'static str),
    Suffix(&'static str),
    Contains(&'static str),
}

impl Match {
    fn matches(self, code: &str) -> bool {
        match self {
            Self::Exact(s) => code == s,
            Self::Prefix(s) => code.starts_with(s),
            Self::Suffix(s) => code.ends_with(s),
            Self::Contains(s) => code.contains(s),
        }
    }
}

/// The classification table, first match wins. Order matters where patterns overlap: the gateway's
/// `InvalidAccessKeyId.NotFound` and `InvalidApi.NotFound` end in `.NotFound` but are not missing entities.
const CODE_CLASSES: &[(Match, ErrorKind)] = &[
    (Match::Contains("Throttling"), ErrorKind::Throttling),
    (Match::Exact("ServiceUnavailable"), ErrorKind::Unavailable),
    (Match::Prefix("ServiceUnavailable."), ErrorKind::Unavailable),
    (Match::Exact("InternalError"), ErrorKind::Unavailable),
    (Match::Prefix("InternalError."), ErrorKind::Unavailable),
    (Match::Exact("SignatureDoesNotMatch"), ErrorKind::Auth),
    (Match::Exact("IncompleteSignature"), ErrorKind::Auth),
    (Match::Prefix("InvalidAccessKeyId"), ErrorKind::Auth),
    (Match::Prefix("InvalidSecurityToken"), ErrorKind::Auth),
    (Match::Prefix("InvalidTimeStamp"), ErrorKind::Auth),
    (Match::Exact("NoPermission"), ErrorKind::Auth),
    (Match::Prefix("Forbidden"), ErrorKind::Auth),
    (Match::Exact("InvalidApi.NotFound"), ErrorKind::Invalid),
    (Match::Prefix("EntityNotExist"), ErrorKind::NotFound),
    (Match::Suffix(".NotFound"), ErrorKind::NotFound),
    (
        Match::Prefix("EntityAlreadyExists"),
        ErrorKind::AlreadyExists,
    ),
    (Match::Prefix("DeleteConflict"), ErrorKind::Conflict),
];

/// Classifies an error by its `Code`; a code the table does not know is `Unavailable` when the HTTP status
/// is 5xx and `Invalid` otherwise.
pub fn classify(code: &str, http_status: u16) -> ErrorKind {
    CODE_CLASSES
        .iter()
        .find(|(pattern, _)| pattern.matches(code))
        .map(|(_, kind)| *kind)
        .unwrap_or(if http_status >= 500 {
            ErrorKind::Unavailable
        } else {
            ErrorKind::Invalid
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_classify_regardless_of_status() {
        let cases = [
            ("Throttling.User", 400, ErrorKind::Throttling),
            ("Throttling.Api", 400, ErrorKind::Throttling),
            ("Throttling", 400, ErrorKind::Throttling),
            ("Rejected.Throttling", 400, ErrorKind::Throttling),
            ("ServiceUnavailable", 503, ErrorKind::Unavailable),
            ("InternalError", 500, ErrorKind::Unavailable),
            ("SomethingNew", 502, ErrorKind::Unavailable),
            ("EntityNotExist.Role", 404, ErrorKind::NotFound),
            ("EntityNotExist.Role.Policy", 404, ErrorKind::NotFound),
            ("EntityNotExist.Role", 400, ErrorKind::NotFound),
            ("InvalidApi.NotFound", 404, ErrorKind::Invalid),
            ("InvalidAccessKeyId.NotFound", 404, ErrorKind::Auth),
            ("InvalidAccessKeyId.Inactive", 400, ErrorKind::Auth),
            ("SignatureDoesNotMatch", 400, ErrorKind::Auth),
            ("NoPermission", 403, ErrorKind::Auth),
            ("EntityAlreadyExists.Role", 409, ErrorKind::AlreadyExists),
            (
                "EntityAlreadyExists.Role.Policy",
                409,
                ErrorKind::AlreadyExists,
            ),
            ("DeleteConflict.Role.Policy", 409, ErrorKind::Conflict),
            ("MalformedPolicyDocument", 400, ErrorKind::Invalid),
            ("LimitExceeded.Role", 409, ErrorKind::Invalid),
        ];
        for (code, status, kind) in cases {
            assert_eq!(classify(code, status), kind, "{code} ({status})");
        }
    }

    #[test]
    fn only_throttling_and_unavailable_are_retryable() {
        assert!(ErrorKind::Throttling.is_retryable());
        assert!(ErrorKind::Unavailable.is_retryable());
        assert!(!ErrorKind::NotFound.is_retryable());
        assert!(!ErrorKind::Conflict.is_retryable());
        assert!(!ErrorKind::Auth.is_retryable());
    }
}
