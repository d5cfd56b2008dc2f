//! The HTTP transport: builds the common parameters for every attempt (fresh nonce and timestamp), signs,
//! POSTs a form body, reads the response or the error, and retries within the budget, paced by the adaptive
//! flow control (and the optional fixed cap), until the cancellation token fires. On Stop, a read or a request
//! not yet sent ends at once and no attempt or retry starts; a write already sent is let finish within
//! [`ClientConfig::write_stop_grace`], so its outcome is known.

use super::credentials::{Credentials, CredentialsProvider};
use super::effect::Effect;
use super::endpoint::{EndpointError, Endpoints, resolve_region};
use super::environment::Environment;
use super::error::{ApiError, ClientError, ErrorKind, TransportFailure};
use super::flow_control::FlowControl;
use super::params::ActionParams;
use super::rate_limit::RateLimiter;
use super::retry::RetryPolicy;
use super::secret::{REDACTED, Secret};
use super::service::Service;
use crate::ram::access_denied::AccessDeniedDetail;
use crate::ram::signature::v1::{
    self as signer, SIGNATURE_METHOD, SIGNATURE_VERSION, SignableRequest, percent_encode,
};
use crate::ram::signature::v3 as signer_v3;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Time allowed to open a connection. Alibaba Cloud endpoints answer within milliseconds; ten seconds covers
/// a slow DNS or proxy without letting an unreachable endpoint eat the whole retry budget in one attempt.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Time allowed for one attempt, response body included. RAM calls are small and fast; thirty seconds
/// leaves room for a congested network while a hung attempt is still retried within the budget.
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a write already sent may still take after Terraform's Stop. As long as an attempt may take: Stop then
/// never loses an answer the attempt would have had, so a created role always reaches the state. RAM answers
/// within milliseconds, so a Ctrl-C waits that long only when the service hangs (a second Ctrl-C ends Terraform).
pub const DEFAULT_WRITE_STOP_GRACE: Duration = DEFAULT_ATTEMPT_TIMEOUT;

/// The header a throttled response may carry, in seconds.
const RETRY_AFTER_HEADER: &str = "x-acs-retry-after";

/// Response bodies larger than this are not quoted in error messages.
const MAX_QUOTED_BODY: usize = 512;

/// The form body's media type, for both signatures.
const FORM: &str = "application/x-www-form-urlencoded";

/// Which signature the client puts on its requests (the provider's `signature_version`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SignatureVersion {
    /// Signature v1 (HMAC-SHA1 over every parameter, the `Signature` parameter): what RAM and STS have
    /// always taken, so the default.
    #[default]
    V1,
    /// Signature V3 (`ACS3-HMAC-SHA256`, an `Authorization` header), today's SDKs' default.
    V3,
}

impl SignatureVersion {
    /// The values the provider argument accepts.
    pub const NAMES: [&'static str; 2] = ["v1", "v3"];

    /// The version named `name` (`v1` or `v3`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "v1" => Some(Self::V1),
            "v3" => Some(Self::V3),
            _ => None,
        }
    }
}

/// Who vouches for a call.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Signer<'a> {
    /// The credentials of a provider, fetched for each attempt, sign it (with the configured signature).
    Credentials(&'a dyn CredentialsProvider),
    /// Nobody signs: a parameter of the call is its proof (the OIDC token of STS `AssumeRoleWithOIDC`, sent
    /// unsigned as the credentials SDKs send it). `proof` is never shown in an error message.
    Unsigned {
        /// The secret parameter, redacted from whatever the service answers.
        proof: &'a Secret,
    },
}

/// How the client reaches the service, independent of whose credentials sign.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The region (for the STS endpoint and for display).
    pub region: String,
    /// Where RAM and STS calls go.
    pub endpoints: Endpoints,
    /// Retry policy for every call.
    pub retry: RetryPolicy,
    /// An optional fixed cap on requests per second, shared by all clones of a client built from one
    /// transport, on top of the adaptive flow control (which alone applies when this is `None`).
    pub max_requests_per_second: Option<NonZeroU32>,
    /// See [`DEFAULT_CONNECT_TIMEOUT`].
    pub connect_timeout: Duration,
    /// See [`DEFAULT_ATTEMPT_TIMEOUT`].
    pub attempt_timeout: Duration,
    /// See [`DEFAULT_WRITE_STOP_GRACE`].
    pub write_stop_grace: Duration,
    /// The signature requests carry.
    pub signature_version: SignatureVersion,
}

impl ClientConfig {
    /// The configuration for the provider settings `region` and `endpoints { ram, sts }`, with the region
    /// falling back to the environment and defaults for everything else.
    pub fn from_settings(
        region: Option<&str>,
        ram_endpoint: Option<&str>,
        sts_endpoint: Option<&str>,
        env: &dyn Environment,
    ) -> Result<Self, EndpointError> {
        let region = resolve_region(region, env);
        let endpoints = Endpoints::resolve(&region, ram_endpoint, sts_endpoint)?;
        Ok(Self {
            region,
            endpoints,
            retry: RetryPolicy::default(),
            max_requests_per_second: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            attempt_timeout: DEFAULT_ATTEMPT_TIMEOUT,
            write_stop_grace: DEFAULT_WRITE_STOP_GRACE,
            signature_version: SignatureVersion::default(),
        })
    }
}

/// The HTTP client could not be built.
#[derive(Debug, thiserror::Error)]
#[error("building the HTTPS client: {0}")]
pub struct ClientBuildError(String);

/// The connection pool, endpoints, retry policy, flow control and optional rate cap; cheap to clone, clones share
/// all of it.
#[derive(Debug, Clone)]
pub struct Transport {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    http: reqwest::Client,
    endpoints: Endpoints,
    retry: RetryPolicy,
    flow: FlowControl,
    cap: Option<RateLimiter>,
    write_stop_grace: Duration,
    signature_version: SignatureVersion,
    /// Whether a write has been started through this transport (its account), for reads that must not use what
    /// was read before it (see [`Transport::has_written`]).
    written: AtomicBool,
}

/// The error body of RPC-style APIs (tea also accepts the lower-case spellings).
#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(rename = "Code", alias = "code")]
    code: Option<String>,
    #[serde(rename = "Message", alias = "message")]
    message: Option<String>,
    #[serde(rename = "RequestId", alias = "requestId")]
    request_id: Option<String>,
    /// Read loosely: a detail of an unexpected shape must not cost the code and message around it.
    #[serde(rename = "AccessDeniedDetail", alias = "accessDeniedDetail")]
    access_denied: Option<serde_json::Value>,
}

/// Just the request ID of a successful response, for logs and decode errors.
#[derive(Debug, Default, Deserialize)]
struct RequestIdOnly {
    #[serde(rename = "RequestId")]
    request_id: Option<String>,
}

/// How one attempt ended when it did not succeed.
enum AttemptError {
    /// Worth another attempt, after at least `retry_after` if the service asked for it.
    Retryable(ClientError, Option<Duration>),
    /// Final.
    Fatal(ClientError),
}

impl Transport {
    /// A transport for `config`.
    pub fn new(config: &ClientConfig) -> Result<Self, ClientBuildError> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.attempt_timeout)
            .user_agent(concat!(
                "terraform-provider-aliram/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .map_err(|e| ClientBuildError(error_chain(&e)))?;
        Ok(Self {
            shared: Arc::new(Shared {
                http,
                endpoints: config.endpoints.clone(),
                retry: config.retry,
                flow: FlowControl::default(),
                cap: config.max_requests_per_second.map(RateLimiter::new),
                write_stop_grace: config.write_stop_grace,
                signature_version: config.signature_version,
                written: AtomicBool::new(false),
            }),
        })
    }

    /// A transport for another account: the same connection pool, endpoints, retry policy and rate cap (the cap
    /// is one provider instance's, all accounts together), but flow control of its own, since RAM's flow control
    /// is a budget per account and action: one account being throttled says nothing about another's budget.
    pub fn for_another_account(&self) -> Self {
        let shared = &self.shared;
        Self {
            shared: Arc::new(Shared {
                http: shared.http.clone(),
                endpoints: shared.endpoints.clone(),
                retry: shared.retry,
                flow: FlowControl::default(),
                cap: shared.cap.clone(),
                write_stop_grace: shared.write_stop_grace,
                signature_version: shared.signature_version,
                written: AtomicBool::new(false),
            }),
        }
    }

    /// The endpoints calls go to.
    pub fn endpoints(&self) -> &Endpoints {
        &self.shared.endpoints
    }

    /// Whether a write (a call of [`Effect::Write`]) has been started through this transport, in this account.
    pub fn has_written(&self) -> bool {
        self.shared.written.load(Ordering::Relaxed)
    }

    /// Calls `action` with retries, returning the parsed response body. When `cancel` fires, a call whose request
    /// has not left yet ends at once with [`ClientError::Cancelled`], as does a read; a write already sent gets its
    /// answer within the write stop grace, and no retry follows it.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        signer: Signer<'_>,
        cancel: &CancellationToken,
        service: Service,
        action: &'static str,
        effect: Effect,
        params: ActionParams,
    ) -> Result<T, ClientError> {
        let cancelled = || ClientError::Cancelled {
            action: action.to_owned(),
        };
        if effect == Effect::Write {
            self.shared.written.store(true, Ordering::Relaxed);
        }
        let deadline = Instant::now() + self.shared.retry.budget;
        let mut attempt = 0u32;
        // Attempts sent that got no answer: each may have been carried out (see `ApiError::unanswered_attempts`).
        let mut unanswered = 0u32;
        loop {
            attempt += 1;
            let sent = AtomicBool::new(false);
            let exchange = self.attempt(signer, service, action, &params, attempt, &sent);
            tokio::pin!(exchange);
            let outcome = tokio::select! {
                // Cancellation first: once Stop is in, no attempt starts.
                biased;
                () = cancel.cancelled() => {
                    if effect == Effect::Read || !sent.load(Ordering::Relaxed) {
                        return Err(cancelled());
                    }
                    self.finish_sent_write(exchange, service, action)
                        .await
                        .ok_or_else(cancelled)?
                }
                outcome = &mut exchange => outcome,
            };
            let (error, retry_after) = match outcome {
                Ok(value) => return Ok(value),
                Err(AttemptError::Fatal(error)) => {
                    return Err(with_attempts(error, attempt, unanswered));
                }
                Err(AttemptError::Retryable(_, _)) if cancel.is_cancelled() => {
                    return Err(cancelled());
                }
                Err(AttemptError::Retryable(error, retry_after)) => (error, retry_after),
            };
            let delay = self
                .shared
                .retry
                .delay(attempt, retry_after, &mut rand::rng());
            if Instant::now() + delay > deadline {
                return Err(with_attempts(error, attempt, unanswered));
            }
            if let ClientError::Transport { failure, .. } = &error
                && failure.request_may_have_arrived()
            {
                unanswered += 1;
            }
            tracing::debug!(
                service = service.name(),
                action,
                attempt,
                delay_ms = delay.as_millis() as u64,
                error = %error,
                "Alibaba Cloud API call will be retried"
            );
            tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(cancelled()),
                () = tokio::time::sleep(delay) => {}
            }
        }
    }

    /// Waits, after Stop, for the answer of a write whose request was sent: `None` when none came within the
    /// grace (the write's outcome is then unknown).
    async fn finish_sent_write<R>(
        &self,
        exchange: Pin<&mut impl Future<Output = R>>,
        service: Service,
        action: &'static str,
    ) -> Option<R> {
        let grace = self.shared.write_stop_grace;
        tracing::info!(
            service = service.name(),
            action,
            grace_ms = grace.as_millis() as u64,
            "stop requested while a write was in flight: waiting for its answer so its outcome is recorded"
        );
        let finished = tokio::time::timeout(grace, exchange).await.ok();
        if finished.is_none() {
            tracing::warn!(
                service = service.name(),
                action,
                "no answer to a write within the stop grace: its outcome is unknown"
            );
        }
        finished
    }

    /// One attempt; `sent` turns true when the request may have reached the service.
    async fn attempt<T: DeserializeOwned>(
        &self,
        signer: Signer<'_>,
        service: Service,
        action: &'static str,
        params: &ActionParams,
        attempt: u32,
        sent: &AtomicBool,
    ) -> Result<T, AttemptError> {
        let reservation = self.shared.flow.acquire(service, action).await;
        if let Some(cap) = &self.shared.cap {
            cap.acquire().await;
        }
        let endpoint = self.shared.endpoints.of(service).url();
        // What the service's messages must never show: the secrets that went into this request.
        let secrets: Vec<Secret>;
        let request = match signer {
            Signer::Unsigned { proof } => {
                secrets = vec![proof.clone()];
                let mut url = endpoint.clone();
                url.query_pairs_mut()
                    .extend_pairs(unsigned_query(service, action));
                self.shared
                    .http
                    .post(url)
                    .header(reqwest::header::CONTENT_TYPE, FORM)
                    .body(form_body(params))
            }
            Signer::Credentials(provider) => {
                let request = self.shared.http.post(endpoint.clone());
                let credentials = provider.credentials().await.map_err(|e| {
                    AttemptError::Fatal(ClientError::Credentials {
                        action: action.to_owned(),
                        source: Box::new(e),
                    })
                })?;
                secrets = std::iter::once(credentials.access_key_secret.clone())
                    .chain(credentials.security_token.clone())
                    .collect();
                match self.shared.signature_version {
                    SignatureVersion::V1 => request
                        .header(reqwest::header::CONTENT_TYPE, FORM)
                        .body(signed_form_body(&credentials, service, action, params)),
                    SignatureVersion::V3 => {
                        let (headers, body) =
                            signed_v3(&credentials, service, action, params, endpoint);
                        headers
                            .into_iter()
                            .fold(request, |request, (name, value)| {
                                request.header(name, value)
                            })
                            .body(body)
                    }
                }
            }
        };
        let started = Instant::now();
        let transport_error = |e: reqwest::Error| {
            // Connect first: a connect timeout sent nothing.
            let failure = if is_certificate_refusal(&e) {
                TransportFailure::Certificate
            } else if e.is_connect() {
                TransportFailure::Connect
            } else if e.is_timeout() {
                TransportFailure::Timeout
            } else {
                TransportFailure::Other
            };
            tracing::debug!(
                service = service.name(),
                action,
                attempt,
                duration_ms = started.elapsed().as_millis() as u64,
                failure = ?failure,
                "Alibaba Cloud API call got no response"
            );
            let error = ClientError::Transport {
                action: action.to_owned(),
                endpoint: endpoint.to_string(),
                failure,
                detail: error_chain(&e),
                attempts: attempt,
            };
            if failure == TransportFailure::Certificate {
                AttemptError::Fatal(error)
            } else {
                AttemptError::Retryable(error, None)
            }
        };
        sent.store(true, Ordering::Relaxed);
        let response = request.send().await.map_err(transport_error)?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|seconds| *seconds > 0)
            .map(Duration::from_secs);
        let bytes = response.bytes().await.map_err(transport_error)?;
        let duration_ms = started.elapsed().as_millis() as u64;

        if (200..300).contains(&status) {
            self.shared.flow.record(service, action, reservation, false);
            // The request ID only for a log line or an error: a second parse of every answer otherwise.
            let request_id = || {
                serde_json::from_slice::<RequestIdOnly>(&bytes)
                    .unwrap_or_default()
                    .request_id
                    .unwrap_or_default()
            };
            if tracing::enabled!(tracing::Level::DEBUG) {
                tracing::debug!(
                    service = service.name(),
                    action,
                    http_status = status,
                    request_id = request_id().as_str(),
                    attempt,
                    duration_ms,
                    "Alibaba Cloud API call"
                );
            }
            return serde_json::from_slice::<T>(&bytes).map_err(|e| {
                AttemptError::Fatal(ClientError::Decode {
                    action: action.to_owned(),
                    request_id: request_id(),
                    detail: e.to_string(),
                })
            });
        }

        let body: ErrorBody = serde_json::from_slice(&bytes).unwrap_or_default();
        let code = body.code.unwrap_or_else(|| format!("HTTP{status}"));
        let message = body
            .message
            .unwrap_or_else(|| quote_body(&bytes).to_owned());
        let error = ApiError::new(
            action,
            status,
            code,
            redact_message(&message, &secrets),
            body.request_id,
        )
        .with_retry_after(retry_after)
        .with_access_denied(
            body.access_denied
                .and_then(|detail| serde_json::from_value::<AccessDeniedDetail>(detail).ok()),
        );
        self.shared.flow.record(
            service,
            action,
            reservation,
            error.kind() == ErrorKind::Throttling,
        );
        tracing::debug!(
            service = service.name(),
            action,
            http_status = status,
            request_id = error.request_id().unwrap_or_default(),
            code = error.code(),
            attempt,
            duration_ms,
            "Alibaba Cloud API call"
        );
        // A retry-after header marks throttling whatever the code says (tea does the same).
        if error.kind().is_retryable() || retry_after.is_some() {
            Err(AttemptError::Retryable(error.into(), retry_after))
        } else {
            Err(AttemptError::Fatal(error.into()))
        }
    }
}

/// The form body of one attempt: common parameters with a fresh nonce and timestamp, the action's
/// parameters, and the signature, every name and value percent-encoded the signer's way.
fn signed_form_body(
    credentials: &Credentials,
    service: Service,
    action: &'static str,
    params: &ActionParams,
) -> String {
    let mut pairs: Vec<(String, String)> = vec![
        ("Action".to_owned(), action.to_owned()),
        ("Version".to_owned(), service.api_version().to_owned()),
        ("Format".to_owned(), "JSON".to_owned()),
        ("AccessKeyId".to_owned(), credentials.access_key_id.clone()),
        ("SignatureMethod".to_owned(), SIGNATURE_METHOD.to_owned()),
        ("SignatureVersion".to_owned(), SIGNATURE_VERSION.to_owned()),
        (
            "SignatureNonce".to_owned(),
            uuid::Uuid::new_v4().to_string(),
        ),
        (
            "Timestamp".to_owned(),
            chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        ),
    ];
    if let Some(token) = &credentials.security_token {
        pairs.push(("SecurityToken".to_owned(), token.expose().to_owned()));
    }
    pairs.extend(
        params
            .clone()
            .into_pairs()
            .map(|(name, value)| (name.to_owned(), value)),
    );
    let signature = signer::sign(
        &SignableRequest {
            method: "POST",
            params: &pairs,
        },
        credentials.access_key_secret.expose(),
    );
    pairs.push(("Signature".to_owned(), signature));
    pairs
        .iter()
        .map(|(name, value)| format!("{}={}", percent_encode(name), percent_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The query of an unsigned call: the common parameters the credentials SDKs send there for
/// `AssumeRoleWithOIDC` (no key, no nonce, no signature).
fn unsigned_query(service: Service, action: &'static str) -> [(&'static str, String); 4] {
    [
        ("Action", action.to_owned()),
        ("Version", service.api_version().to_owned()),
        ("Format", "JSON".to_owned()),
        (
            "Timestamp",
            chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        ),
    ]
}

/// The action's parameters as a form body, percent-encoded the signers' way.
fn form_body(params: &ActionParams) -> String {
    params
        .clone()
        .into_pairs()
        .map(|(name, value)| format!("{}={}", percent_encode(name), percent_encode(&value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The headers and form body of one V3 attempt: the action's parameters in the body (the common ones travel in
/// `x-acs-*` headers), a fresh nonce and date, and the `Authorization` over `host`, `content-type` and every
/// `x-acs-*` header, the set the Node and Go SDKs sign.
fn signed_v3(
    credentials: &Credentials,
    service: Service,
    action: &'static str,
    params: &ActionParams,
    endpoint: &reqwest::Url,
) -> (Vec<(&'static str, String)>, String) {
    let body = form_body(params);
    // The host exactly as sent (reqwest would send the same; it is set explicitly so the signed value is the sent one).
    let host = match endpoint.port() {
        Some(port) => format!("{}:{port}", endpoint.host_str().unwrap_or_default()),
        None => endpoint.host_str().unwrap_or_default().to_owned(),
    };
    let mut headers: Vec<(&'static str, String)> = vec![
        ("host", host),
        ("content-type", FORM.to_owned()),
        ("x-acs-action", action.to_owned()),
        ("x-acs-version", service.api_version().to_owned()),
        (
            "x-acs-date",
            chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        ),
        (
            "x-acs-signature-nonce",
            uuid::Uuid::new_v4().simple().to_string(),
        ),
        (
            "x-acs-content-sha256",
            signer_v3::sha256_hex(body.as_bytes()),
        ),
    ];
    if let Some(token) = &credentials.security_token {
        headers.push(("x-acs-accesskey-id", credentials.access_key_id.clone()));
        headers.push(("x-acs-security-token", token.expose().to_owned()));
    }
    let owned: Vec<(String, String)> = headers
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.clone()))
        .collect();
    let signed: Vec<String> = headers.iter().map(|(name, _)| (*name).to_owned()).collect();
    let payload = signer_v3::sha256_hex(body.as_bytes());
    let request = signer_v3::SignableRequest {
        method: "POST",
        path: endpoint.path(),
        query: &[],
        headers: &owned,
        signed_headers: &signed,
        payload_sha256: &payload,
    };
    // Every signed header is in `owned`, so signing cannot miss one.
    let signature = signer_v3::sign(&request, credentials.access_key_secret.expose())
        .expect("every signed header is present");
    headers.push((
        "authorization",
        signer_v3::authorization(&credentials.access_key_id, &signed, &signature),
    ));
    (headers, body)
}

/// Removes what must never be shown from a service message: the server's string to sign (it quotes the
/// request's parameters, security token included) and any occurrence of `secrets` (the key secret and token
/// that signed, or an unsigned call's proof), raw or percent-encoded.
fn redact_message(message: &str, secrets: &[Secret]) -> String {
    let lower = message.to_ascii_lowercase();
    let mut text = match lower.find("string to sign") {
        Some(at) => format!("{}string to sign {REDACTED}", &message[..at]),
        None => message.to_owned(),
    };
    let secrets = secrets.iter().map(Secret::expose).filter(|s| !s.is_empty());
    for secret in secrets {
        let once = percent_encode(secret);
        let twice = percent_encode(&once);
        for form in [secret.to_owned(), once, twice] {
            text = text.replace(&form, REDACTED);
        }
    }
    text
}

/// The start of an unparsable body, as text, for an error message.
fn quote_body(bytes: &[u8]) -> &str {
    let text = std::str::from_utf8(bytes).unwrap_or("(binary response body)");
    match text.char_indices().nth(MAX_QUOTED_BODY) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

fn with_attempts(error: ClientError, attempts: u32, unanswered: u32) -> ClientError {
    match error {
        ClientError::Api(api) => ClientError::Api(api.with_attempts(attempts, unanswered)),
        ClientError::Transport {
            action,
            endpoint,
            failure,
            detail,
            ..
        } => ClientError::Transport {
            action,
            endpoint,
            failure,
            detail,
            attempts,
        },
        other => other,
    }
}

/// Whether TLS refused the endpoint's certificate. rustls reports it inside an `io::Error`, whose `source()` skips
/// the error it wraps, so each I/O error in the chain is opened with `get_ref`.
fn is_certificate_refusal(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(current) = next {
        if let Some(tls) = current.downcast_ref::<rustls::Error>() {
            return matches!(
                tls,
                rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented
            );
        }
        if let Some(inner) = current
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
            && is_certificate_refusal(inner)
        {
            return true;
        }
        next = current.source();
    }
    false
}

/// An error and its sources as one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/guides/organization.md: "Each account has its own flow control (RAM's budget is per account and API
    /// action)": a rate learned from a throttled answer in one account does not hold back another account's
    /// calls, while clones of one account's transport share it.
    #[tokio::test]
    async fn another_accounts_transport_has_flow_control_of_its_own() {
        let config = ClientConfig::from_settings(
            None,
            Some("http://127.0.0.1:1"),
            Some("http://127.0.0.1:1"),
            &crate::provider::alicloud::environment::FixedEnvironment::default(),
        )
        .unwrap();
        let own = Transport::new(&config).unwrap();
        let reservation = own.shared.flow.acquire(Service::Ram, "GetRole").await;
        own.shared
            .flow
            .record(Service::Ram, "GetRole", reservation, true);
        let learned = own.shared.flow.rate(Service::Ram, "GetRole");
        assert!(learned.is_some());
        assert_eq!(
            own.clone().shared.flow.rate(Service::Ram, "GetRole"),
            learned
        );
        let member = own.for_another_account();
        assert_eq!(member.shared.flow.rate(Service::Ram, "GetRole"), None);
    }

    fn sts_credentials() -> Credentials {
        Credentials {
            access_key_id: "STS.id".to_owned(),
            access_key_secret: Secret::new("s3cr:et"),
            security_token: Some(Secret::new("tok/en+1")),
            expiration: None,
        }
    }

    #[test]
    fn redaction_drops_the_string_to_sign_and_every_form_of_secrets() {
        let credentials = sts_credentials();
        let credentials = [
            credentials.access_key_secret,
            credentials.security_token.unwrap(),
        ];
        let message = "Specified signature is not matched with our calculation. server string to sign is:POST&%2F&SecurityToken%3Dtok%252Fen%252B1";
        let shown = redact_message(message, &credentials);
        assert!(shown.starts_with("Specified signature is not matched"));
        assert!(!shown.contains("tok"), "{shown}");
        let shown = redact_message("bad key s3cr:et and s3cr%3Aet and tok/en+1", &credentials);
        assert!(!shown.contains("s3cr") && !shown.contains("tok"), "{shown}");
    }

    #[test]
    fn every_body_carries_a_fresh_nonce_and_the_token_only_with_sts() {
        let sts = sts_credentials();
        let first = signed_form_body(
            &sts,
            Service::Sts,
            "GetCallerIdentity",
            &ActionParams::new(),
        );
        let second = signed_form_body(
            &sts,
            Service::Sts,
            "GetCallerIdentity",
            &ActionParams::new(),
        );
        let nonce = |body: &str| {
            body.split('&')
                .find(|p| p.starts_with("SignatureNonce="))
                .map(str::to_owned)
        };
        assert!(nonce(&first).is_some());
        assert_ne!(nonce(&first), nonce(&second));
        assert!(first.contains("SecurityToken=tok%2Fen%2B1"));
        let ak = Credentials {
            security_token: None,
            ..sts
        };
        let body = signed_form_body(&ak, Service::Ram, "GetRole", &ActionParams::new());
        assert!(!body.contains("SecurityToken"));
        assert!(body.contains("Version=2015-05-01"));
    }

    #[test]
    fn v3_requests_sign_the_sent_host_and_carry_the_token_in_a_header_only_with_sts() {
        let endpoint = reqwest::Url::parse("http://127.0.0.1:8080/").unwrap();
        let params = ActionParams::new().set("RoleName", "a b");
        let (headers, body) = signed_v3(
            &sts_credentials(),
            Service::Ram,
            "GetRole",
            &params,
            &endpoint,
        );
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(body, "RoleName=a%20b");
        assert_eq!(header("host"), Some("127.0.0.1:8080"));
        assert_eq!(header("x-acs-security-token"), Some("tok/en+1"));
        assert_eq!(
            header("x-acs-content-sha256"),
            Some(signer_v3::sha256_hex(body.as_bytes()).as_str())
        );
        let authorization = header("authorization").unwrap();
        assert!(
            authorization.starts_with("ACS3-HMAC-SHA256 Credential=STS.id,SignedHeaders=content-type;host;x-acs-accesskey-id;"),
            "{authorization}"
        );
        let ak = Credentials {
            security_token: None,
            ..sts_credentials()
        };
        let (headers, _) = signed_v3(
            &ak,
            Service::Sts,
            "GetCallerIdentity",
            &ActionParams::new(),
            &endpoint,
        );
        assert!(
            !headers
                .iter()
                .any(|(n, _)| n.starts_with("x-acs-security") || *n == "x-acs-accesskey-id")
        );
    }
}
