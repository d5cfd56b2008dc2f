//! An issuer's signing keys, found as STS finds them for `AssumeRoleWithOIDC`: the issuer's OpenID discovery
//! document (`<issuer>/.well-known/openid-configuration`), whose `issuer` must be the issuer URL itself, names
//! `jwks_uri`, which serves the keys. Both are fetched over real HTTP, `https` or `http` to a loopback host only,
//! without following redirects, within bounded time-outs and sizes. Keys are cached per issuer for
//! [`CACHE_TTL`]; a token whose `kid` the cached keys lack fetches them again (the issuer may have rotated), but
//! not more often than every [`MIN_REFETCH`], so unsigned requests naming made-up key ids cannot make the emulator
//! fetch on each of them.

use super::oidc_providers::is_allowed_issuer_url;
use super::oidc_token::Jwks;
use reqwest::Url;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long fetched keys are used before they are fetched again.
pub const CACHE_TTL: Duration = Duration::from_secs(600);
/// The shortest time between two fetches for an unknown `kid`.
pub const MIN_REFETCH: Duration = Duration::from_secs(10);
/// The wait for a connection to the issuer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// The wait for one whole answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest discovery or JWKS document read.
const MAX_DOCUMENT_BYTES: usize = 64 * 1024;

/// Why an issuer's keys could not be had; the text says which step failed, never with a secret (there is none).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FetchError(String);

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: String,
}

/// The keys of the issuers fetched so far, and the HTTP client fetching them.
#[derive(Debug)]
pub struct IssuerKeys {
    http: Option<reqwest::Client>,
    cache: Mutex<HashMap<String, (Instant, Jwks)>>,
}

impl Default for IssuerKeys {
    fn default() -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            // A redirect could lead to a URL the checks below would refuse.
            .redirect(reqwest::redirect::Policy::none())
            // Issuers are reached directly, never through a proxy named by the environment: the test issuer is on
            // this machine, where a proxy could not reach it.
            .no_proxy()
            .build()
            .ok();
        Self {
            http,
            cache: Mutex::new(HashMap::new()),
        }
    }
}

impl IssuerKeys {
    /// The keys of `issuer`, from the cache when they are fresh and hold `kid` (when the token names one).
    pub async fn keys(&self, issuer: &str, kid: Option<&str>) -> Result<Jwks, FetchError> {
        if let Some(keys) = self.cached(issuer, kid) {
            return Ok(keys);
        }
        let keys = self.fetch(issuer).await?;
        self.lock()
            .insert(issuer.to_owned(), (Instant::now(), keys.clone()));
        Ok(keys)
    }

    /// Forgets every issuer's keys.
    pub fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, Jwks)>> {
        // Entries are replaced whole, so a panic elsewhere cannot leave one half-written.
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn cached(&self, issuer: &str, kid: Option<&str>) -> Option<Jwks> {
        let cache = self.lock();
        let (fetched, keys) = cache.get(issuer)?;
        let age = fetched.elapsed();
        let has_kid = kid.is_none_or(|kid| keys.keys.iter().any(|k| k.kid.as_deref() == Some(kid)));
        let usable = age < CACHE_TTL && (has_kid || age < MIN_REFETCH);
        usable.then(|| keys.clone())
    }

    async fn fetch(&self, issuer: &str) -> Result<Jwks, FetchError> {
        let discovery_url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let discovery: Discovery = self.get_json(&discovery_url, "discovery document").await?;
        if discovery.issuer != issuer {
            return Err(FetchError(format!(
                "the discovery document at {discovery_url} names the issuer {:?}, not {issuer:?}",
                discovery.issuer
            )));
        }
        self.get_json(&discovery.jwks_uri, "JWKS").await
    }

    async fn get_json<T: for<'de> Deserialize<'de>>(
        &self,
        url: &str,
        what: &str,
    ) -> Result<T, FetchError> {
        let parsed = Url::parse(url)
            .map_err(|e| FetchError(format!("the {what} URL {url:?} is not a URL ({e})")))?;
        if !is_allowed_issuer_url(&parsed) {
            return Err(FetchError(format!(
                "the {what} URL {url} is neither https nor http to a loopback host"
            )));
        }
        let http = self
            .http
            .as_ref()
            .ok_or_else(|| FetchError("the emulator has no HTTP client".to_owned()))?;
        let mut response = http
            .get(parsed)
            .send()
            .await
            .map_err(|e| FetchError(format!("fetching the {what} at {url} failed: {e}")))?;
        if !response.status().is_success() {
            return Err(FetchError(format!(
                "the {what} at {url} answered HTTP {}",
                response.status()
            )));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| FetchError(format!("reading the {what} at {url} failed: {e}")))?
        {
            if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                return Err(FetchError(format!(
                    "the {what} at {url} is larger than {MAX_DOCUMENT_BYTES} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body)
            .map_err(|e| FetchError(format!("the {what} at {url} is not the JSON expected: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use serde_json::json;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// An issuer on a loopback port serving one key `k1`, counting the JWKS fetches.
    async fn issuer() -> (String, Arc<AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let fetches = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&fetches);
        let discovery = json!({"issuer": url, "jwks_uri": format!("{url}/jwks")});
        let app = axum::Router::new()
            .route(
                "/.well-known/openid-configuration",
                get(move || async move { axum::Json(discovery) }),
            )
            .route(
                "/jwks",
                get(move || async move {
                    counted.fetch_add(1, Ordering::SeqCst);
                    axum::Json(
                        json!({"keys": [{"kty": "RSA", "kid": "k1", "n": "AQAB", "e": "AQAB"}]}),
                    )
                }),
            );
        tokio::spawn(async move { axum::serve(listener, app).await });
        (url, fetches)
    }

    #[tokio::test]
    async fn keys_are_cached_and_an_unknown_kid_does_not_refetch_at_once() {
        let (url, fetches) = issuer().await;
        let keys = IssuerKeys::default();
        let first = keys.keys(&url, Some("k1")).await.unwrap();
        assert_eq!(first.keys[0].kid.as_deref(), Some("k1"));
        keys.keys(&url, Some("k1")).await.unwrap();
        keys.keys(&url, None).await.unwrap();
        // Within MIN_REFETCH a made-up kid gets the cached keys (which lack it), not a new fetch.
        let unknown = keys.keys(&url, Some("made-up")).await.unwrap();
        assert!(
            unknown
                .keys
                .iter()
                .all(|k| k.kid.as_deref() != Some("made-up"))
        );
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        keys.clear();
        keys.keys(&url, Some("k1")).await.unwrap();
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }

    /// The discovery document must name the issuer it was fetched for.
    #[tokio::test]
    async fn a_discovery_document_of_another_issuer_is_refused() {
        let (url, _) = issuer().await;
        let keys = IssuerKeys::default();
        let other = format!("{url}/");
        let err = keys.keys(&other, None).await.unwrap_err();
        assert!(err.to_string().contains("names the issuer"), "{err}");
    }

    /// A non-loopback `http` URL is refused before anything is sent (there is no server at these addresses).
    #[tokio::test]
    async fn plain_http_to_another_host_is_refused_without_a_request() {
        let keys = IssuerKeys::default();
        let err = keys
            .keys("http://issuer.example.com", None)
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("neither https nor http to a loopback host"),
            "{err}"
        );
    }
}
