//! Errors of a client call: the service's own error (with Action, Code, Message and RequestId), a transport
//! failure, cancellation, a response of unexpected shape, or missing credentials.

use super::credentials::CredentialsError;
pub use super::error_class::ErrorKind;
use super::error_class::classify;
use crate::ram::access_denied::AccessDeniedDetail;
use std::fmt;
use std::time::Duration;

/// An error response from RAM or STS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    action: String,
    http_status: u16,
    code: String,
    message: String,
    request_id: Option<String>,
    kind: ErrorKind,
    retry_after: Option<Duration>,
    attempts: u32,
    unanswered: u32,
    access_denied: Option<Box<AccessDeniedDetail>>,
}

impl ApiError {
    /// An error of `action` as the service reported it; the kind is derived from `code`.
    pub fn new(
        action: impl Into<String>,
        http_status: u16,
        code: impl Into<String>,
        message: impl Into<String>,
        request_id: Option<String>,
    ) -> Self {
        let code = code.into();
        Self {
            kind: classify(&code, http_status),
            action: action.into(),
            http_status,
            code,
            message: message.into(),
            request_id,
            retry_after: None,
            attempts: 1,
            unanswered: 0,
            access_denied: None,
        }
    }

    pub(crate) fn with_access_denied(mut self, detail: Option<AccessDeniedDetail>) -> Self {
        self.access_denied = detail.map(Box::new);
        self
    }

    /// The `AccessDeniedDetail` of a `NoPermission` refusal, when the service sent one: the denied action, the
    /// caller, implicit or explicit.
    pub fn access_denied(&self) -> Option<&AccessDeniedDetail> {
        self.access_denied.as_deref()
    }

    pub(crate) fn with_retry_after(mut self, retry_after: Option<Duration>) -> Self {
        self.retry_after = retry_after;
        self
    }

    pub(crate) fn with_attempts(mut self, attempts: u32, unanswered: u32) -> Self {
        self.attempts = attempts;
        self.unanswered = unanswered;
        self
    }

    /// The API action, e.g. `GetRole`.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The HTTP status of the response.
    pub fn http_status(&self) -> u16 {
        self.http_status
    }

    /// The error `Code`, e.g. `EntityNotExist.Role`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The error `Message`, with anything secret removed.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The `RequestId`, which Alibaba Cloud support asks for.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The class of the error, from its code.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The wait the service asked for with `x-acs-retry-after`, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// How many attempts were made before this error was returned.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// How many earlier attempts were sent and got no answer (timed out, or the connection closed): each may have
    /// been carried out, so a write's error here may be the service meeting that attempt's own effect.
    pub fn unanswered_attempts(&self) -> u32 {
        self.unanswered
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed", self.action)?;
        if self.attempts > 1 {
            write!(f, " after {} attempts", self.attempts)?;
        }
        write!(
            f,
            ": Code {}, Message {:?}, RequestId {} (HTTP {})",
            self.code,
            self.message,
            self.request_id.as_deref().unwrap_or("(none)"),
            self.http_status
        )
    }
}

impl std::error::Error for ApiError {}

/// Why a request did not get a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportFailure {
    /// The connection could not be established: the request was not sent.
    Connect,
    /// The endpoint's TLS certificate was refused (untrusted, expired, or for another name). Not retried: it does
    /// not heal by waiting, and each attempt would present the same certificate.
    Certificate,
    /// The attempt timed out after the request may have been sent.
    Timeout,
    /// Another I/O or protocol failure.
    Other,
}

impl TransportFailure {
    /// Whether the request may have reached the service and been carried out although no answer came back.
    pub fn request_may_have_arrived(self) -> bool {
        matches!(self, Self::Timeout | Self::Other)
    }
}

/// The error of a client call.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The service answered with an error.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// No response, after retries within the budget.
    #[error("{action} failed after {attempts} attempts: could not reach {endpoint}: {detail}")]
    Transport {
        /// The API action.
        action: String,
        /// The endpoint URL.
        endpoint: String,
        /// What went wrong.
        failure: TransportFailure,
        /// The underlying error chain, as text.
        detail: String,
        /// How many attempts were made.
        attempts: u32,
    },
    /// The provider was asked to stop while the call was in flight or waiting to retry.
    #[error("{action} cancelled: the provider is stopping")]
    Cancelled {
        /// The API action.
        action: String,
    },
    /// A successful response whose body did not have the documented shape.
    #[error(
        "{action} returned a response that could not be read (RequestId {request_id}): {detail}"
    )]
    Decode {
        /// The API action.
        action: String,
        /// The `RequestId`, when it could be read.
        request_id: String,
        /// The parse error.
        detail: String,
    },
    /// No usable credentials for the call.
    #[error("{action}: {source}")]
    Credentials {
        /// The API action.
        action: String,
        /// Why credentials could not be obtained.
        source: Box<CredentialsError>,
    },
}

impl ClientError {
    /// The service's error, if the service answered with one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::Api(error) => Some(error),
            _ => None,
        }
    }

    /// The class of the failure: the code's class for service errors, [`ErrorKind::Unavailable`] for transport
    /// failures, `None` for cancellation, unreadable responses and missing credentials.
    pub fn kind(&self) -> Option<ErrorKind> {
        match self {
            Self::Api(error) => Some(error.kind()),
            Self::Transport { .. } => Some(ErrorKind::Unavailable),
            _ => None,
        }
    }

    /// Whether the failure is of `kind`.
    pub fn is(&self, kind: ErrorKind) -> bool {
        self.kind() == Some(kind)
    }

    /// Whether the service said the entity does not exist.
    pub fn is_not_found(&self) -> bool {
        self.is(ErrorKind::NotFound)
    }

    /// Whether the call was abandoned because the provider is stopping.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Self::Cancelled { .. })
    }

    /// The service's error code, if any.
    pub fn code(&self) -> Option<&str> {
        self.api_error().map(ApiError::code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_action_code_message_and_request_id() {
        let error = ApiError::new(
            "GetRole",
            404,
            "EntityNotExist.Role",
            "The role does not exist.",
            Some("7463B73D".to_owned()),
        )
        .with_attempts(3, 0);
        let shown = error.to_string();
        for part in [
            "GetRole",
            "after 3 attempts",
            "EntityNotExist.Role",
            "The role does not exist.",
            "7463B73D",
            "404",
        ] {
            assert!(shown.contains(part), "{part} missing from {shown}");
        }
        assert_eq!(error.kind(), ErrorKind::NotFound);
        assert!(ClientError::from(error).is_not_found());
    }
}
