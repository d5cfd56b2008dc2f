//! RAM's flow control and role quota, as the emulator enforces them: `--api-rate-limit N` is a token bucket of
//! N requests per second (burst N) per account and per API action, the way RAM budgets calls
//! (`shared/reference/alibaba-ram-api.md` §3.1); `--role-quota N` is the number of roles one account may hold
//! (RAM's default is 1000, adjustable on request).

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::time::Instant;

/// Roles one account may hold unless `--role-quota` says otherwise: RAM's default quota.
pub const DEFAULT_ROLE_QUOTA: usize = 1000;

/// One account's budget for one action.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The token buckets of `--api-rate-limit`, one per account and action, each created full.
#[derive(Debug)]
pub struct ApiRateLimit {
    per_second: f64,
    buckets: HashMap<(String, String), Bucket>,
}

impl ApiRateLimit {
    /// Buckets of `per_second` tokens, refilled at `per_second` a second.
    pub fn new(per_second: NonZeroU32) -> Self {
        Self {
            per_second: f64::from(per_second.get()),
            buckets: HashMap::new(),
        }
    }

    /// Takes a token for one request of `action` by `account_id` at `now`; `false` when the bucket is empty
    /// (the request is answered `Throttling.User`).
    pub fn admit(&mut self, account_id: &str, action: &str, now: Instant) -> bool {
        let per_second = self.per_second;
        let bucket = self
            .buckets
            .entry((account_id.to_owned(), action.to_owned()))
            .or_insert(Bucket {
                tokens: per_second,
                at: now,
            });
        let refill = now.saturating_duration_since(bucket.at).as_secs_f64() * per_second;
        bucket.tokens = (bucket.tokens + refill).min(per_second);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Forgets every bucket (all full again), as `POST /_emulator/reset` does.
    pub fn clear(&mut self) {
        self.buckets.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn limit(n: u32) -> ApiRateLimit {
        ApiRateLimit::new(NonZeroU32::new(n).expect("non-zero"))
    }

    #[test]
    fn a_burst_of_n_then_n_per_second() {
        let mut limit = limit(5);
        let start = Instant::now();
        let admitted = (0..10)
            .filter(|_| limit.admit("1", "GetRole", start))
            .count();
        assert_eq!(admitted, 5);
        // 200 ms later one token is back, not two.
        let later = start + Duration::from_millis(200);
        assert!(limit.admit("1", "GetRole", later));
        assert!(!limit.admit("1", "GetRole", later));
        // After a long pause the bucket holds N again, never more.
        let much_later = start + Duration::from_secs(60);
        let admitted = (0..10)
            .filter(|_| limit.admit("1", "GetRole", much_later))
            .count();
        assert_eq!(admitted, 5);
    }

    #[test]
    fn each_account_and_action_has_its_own_budget() {
        let mut limit = limit(1);
        let now = Instant::now();
        assert!(limit.admit("1", "GetRole", now));
        assert!(!limit.admit("1", "GetRole", now));
        assert!(limit.admit("1", "ListPoliciesForRole", now));
        assert!(limit.admit("2", "GetRole", now));
        limit.clear();
        assert!(limit.admit("1", "GetRole", now));
    }
}
