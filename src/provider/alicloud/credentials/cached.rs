//! Caching of temporary credentials: fetched once, reused by every request, fetched again shortly before
//! they expire. Concurrent callers wait for one fetch instead of each calling STS or the metadata service.

use super::{Credentials, CredentialsError, CredentialsProvider};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::fmt;
use std::time::Duration;
use tokio::sync::Mutex;

/// How long before `Expiration` credentials are replaced. Longer than one call's retry budget, so a call
/// never starts retrying with credentials that will expire under it; shorter than the minimum STS session
/// (900 s), so a session is used for most of its life.
pub const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(180);

/// Obtains a fresh set of temporary credentials.
#[async_trait]
pub trait CredentialsFetcher: Send + Sync + fmt::Debug {
    /// Fetches new credentials.
    async fn fetch(&self) -> Result<Credentials, CredentialsError>;

    /// Where they come from, for messages.
    fn source(&self) -> String;
}

/// A [`CredentialsProvider`] that caches what a fetcher returns until it is about to expire.
#[derive(Debug)]
pub struct CachedCredentials<F> {
    fetcher: F,
    cache: Mutex<Option<Credentials>>,
}

impl<F: CredentialsFetcher> CachedCredentials<F> {
    /// Caches the credentials of `fetcher`; nothing is fetched until the first request.
    pub fn new(fetcher: F) -> Self {
        Self {
            fetcher,
            cache: Mutex::new(None),
        }
    }
}

/// Whether cached credentials can still be used at `now`.
fn is_fresh(credentials: &Credentials, now: DateTime<Utc>) -> bool {
    match credentials.expiration {
        None => true,
        Some(expiration) => {
            let margin = chrono::Duration::from_std(REFRESH_BEFORE_EXPIRY)
                .unwrap_or(chrono::Duration::zero());
            now + margin < expiration
        }
    }
}

#[async_trait]
impl<F: CredentialsFetcher> CredentialsProvider for CachedCredentials<F> {
    async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let mut cache = self.cache.lock().await;
        if let Some(credentials) = cache.as_ref().filter(|c| is_fresh(c, Utc::now())) {
            return Ok(credentials.clone());
        }
        let fresh = self.fetcher.fetch().await?;
        *cache = Some(fresh.clone());
        Ok(fresh)
    }

    fn source(&self) -> String {
        self.fetcher.source()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::alicloud::secret::Secret;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[derive(Debug)]
    struct Counting {
        fetches: AtomicU32,
        lifetime: chrono::Duration,
    }

    #[async_trait]
    impl CredentialsFetcher for Counting {
        async fn fetch(&self) -> Result<Credentials, CredentialsError> {
            let n = self.fetches.fetch_add(1, Ordering::SeqCst);
            Ok(Credentials {
                access_key_id: format!("STS.{n}"),
                access_key_secret: Secret::new("s"),
                security_token: Some(Secret::new("t")),
                expiration: Some(Utc::now() + self.lifetime),
            })
        }

        fn source(&self) -> String {
            "test".to_owned()
        }
    }

    fn cached(lifetime: chrono::Duration) -> CachedCredentials<Counting> {
        CachedCredentials::new(Counting {
            fetches: AtomicU32::new(0),
            lifetime,
        })
    }

    #[tokio::test]
    async fn long_lived_credentials_are_fetched_once() {
        let provider = cached(chrono::Duration::hours(1));
        for _ in 0..3 {
            assert_eq!(provider.credentials().await.unwrap().access_key_id, "STS.0");
        }
        assert_eq!(provider.fetcher.fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn credentials_inside_the_refresh_margin_are_replaced() {
        let provider = cached(chrono::Duration::seconds(60));
        assert_eq!(provider.credentials().await.unwrap().access_key_id, "STS.0");
        assert_eq!(provider.credentials().await.unwrap().access_key_id, "STS.1");
    }
}
