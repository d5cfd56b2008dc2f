//! The one error type of the emulated API, written to the wire as Alibaba Cloud's error body
//! `{RequestId, HostId, Code, Message, Recommend}` with the status the real service uses for that code.

use crate::ram::access_denied::{AccessDeniedDetail, NO_PERMISSION, NoPermission};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::borrow::Cow;

/// An API error: the HTTP status, Alibaba's `Code` and a human `Message`.
///
/// Messages never carry secrets (access key secrets, security tokens or signatures).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code} ({status}): {message}")]
pub struct ApiError {
    /// The HTTP status of the response.
    pub status: StatusCode,
    /// Alibaba's error code, e.g. `EntityNotExist.Role`.
    pub code: Cow<'static, str>,
    /// The error message.
    pub message: String,
    /// Seconds a throttled client should wait, sent as `x-acs-retry-after`.
    pub retry_after_secs: Option<u32>,
    /// The `AccessDeniedDetail` of an authorization refusal, sent in the body (boxed: rare, and large beside
    /// the rest).
    pub access_denied: Option<Box<AccessDeniedDetail>>,
}

impl ApiError {
    /// An error with the given status, code and message.
    pub fn new(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code: code.into(),
            message: message.into(),
            retry_after_secs: None,
            access_denied: None,
        }
    }

    /// 403 `NoPermission` as RAM refuses a call its caller's policies do not allow: the message names the
    /// resource and the action, and the body carries the `AccessDeniedDetail`.
    pub fn denied(refusal: NoPermission) -> Self {
        Self {
            access_denied: Some(Box::new(refusal.detail.clone())),
            ..Self::new(StatusCode::FORBIDDEN, NO_PERMISSION, refusal.message())
        }
    }

    /// 400 `Missing<Param>`: a required parameter is absent or empty.
    pub fn missing(param: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            format!("Missing{param}"),
            format!("{param} is mandatory for this action."),
        )
    }

    /// 400 `InvalidParameter.<Param>[.<detail>]` with a message naming the parameter.
    pub fn invalid(code_suffix: &str, message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            format!("InvalidParameter.{code_suffix}"),
            message,
        )
    }

    /// 404 `EntityNotExist.Role`.
    pub fn role_not_found(role_name: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "EntityNotExist.Role",
            format!("The role does not exist: {role_name}."),
        )
    }

    /// 404 `InvalidApi.NotFound`: no such action in that API version.
    pub fn api_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "InvalidApi.NotFound",
            "Specified api is not found, please check your url and method.",
        )
    }

    /// 400 `Throttling.User`, with a retry-after hint.
    pub fn throttled() -> Self {
        Self {
            retry_after_secs: Some(1),
            ..Self::new(
                StatusCode::BAD_REQUEST,
                "Throttling.User",
                "Request was denied due to user flow control.",
            )
        }
    }

    /// 503 `ServiceUnavailable`.
    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "The request has failed due to a temporary failure of the server.",
        )
    }

    /// 403 `NoPermission`: the caller's policies do not allow the action.
    pub fn no_permission() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "NoPermission",
            "You are not authorized to do this action. You should be authorized by RAM.",
        )
    }

    /// 500 `InternalError`.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", message)
    }

    /// Writes the error as the response of a request to `host_id` (`ram.aliyuncs.com` or `sts.aliyuncs.com`).
    pub fn into_response_for(self, host_id: &str) -> Response {
        let request_id = new_request_id();
        let product = if host_id.starts_with("sts") {
            "Sts"
        } else {
            "Ram"
        };
        let body = json!({
            "RequestId": request_id,
            "HostId": host_id,
            "Code": self.code,
            "Message": self.message,
            "Recommend": format!(
                "https://api.aliyun.com/troubleshoot?q={}&product={product}&requestId={request_id}",
                self.code
            ),
        });
        let mut body = body;
        if let (Some(detail), Some(fields)) = (&self.access_denied, body.as_object_mut()) {
            // Serialising plain strings cannot fail.
            fields.insert(
                "AccessDeniedDetail".into(),
                serde_json::to_value(detail).unwrap_or_default(),
            );
        }
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert("x-acs-retry-after", HeaderValue::from(secs));
        }
        response
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.into_response_for("ram.aliyuncs.com")
    }
}

/// A fresh `RequestId` in Alibaba's form (an uppercase UUID).
pub fn new_request_id() -> String {
    uuid::Uuid::new_v4().to_string().to_uppercase()
}
