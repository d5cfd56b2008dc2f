//! The retry policy: exponential backoff with full jitter, the service's `x-acs-retry-after` honoured, all
//! within a total time budget per call.

use rand::Rng;
use std::time::Duration;

/// First backoff ceiling. RAM's flow control works per second, so waiting about that long clears it.
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(500);

/// Largest single wait. Long enough to ride out a short outage, short enough that Terraform's progress
/// output does not look hung.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(20);

/// Total time one call may spend retrying. Resource operations have their own (longer) timeouts around many
/// calls; two minutes per call keeps a throttled apply moving while a real outage still fails in bounded time.
pub const DEFAULT_RETRY_BUDGET: Duration = Duration::from_secs(120);

/// When and how long to retry a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Ceiling of the wait after the first failed attempt; it doubles with every further failure.
    pub initial_backoff: Duration,
    /// Ceiling of any one wait chosen by backoff (a longer `x-acs-retry-after` is still honoured).
    pub max_backoff: Duration,
    /// Total time a call may take, attempts and waits included; no retry starts a wait that would end past it.
    pub budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            initial_backoff: DEFAULT_INITIAL_BACKOFF,
            max_backoff: DEFAULT_MAX_BACKOFF,
            budget: DEFAULT_RETRY_BUDGET,
        }
    }
}

impl RetryPolicy {
    /// The backoff ceiling after `failures` failed attempts (1 for the first): initial × 2^(failures-1),
    /// capped at `max_backoff`.
    pub fn backoff_ceiling(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(31);
        self.initial_backoff
            .saturating_mul(1u32 << doublings)
            .min(self.max_backoff)
    }

    /// The wait before the next attempt: a uniformly random fraction of the ceiling ("full jitter", so many
    /// clients throttled together do not retry in step), but never less than what the service asked for.
    pub fn delay(
        &self,
        failures: u32,
        retry_after: Option<Duration>,
        rng: &mut impl Rng,
    ) -> Duration {
        let ceiling = self.backoff_ceiling(failures);
        let jittered = if ceiling.is_zero() {
            Duration::ZERO
        } else {
            ceiling.mul_f64(rng.random_range(0.0..=1.0))
        };
        retry_after.map_or(jittered, |asked| jittered.max(asked))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn ceiling_doubles_and_caps() {
        let policy = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(700),
            budget: Duration::from_secs(5),
        };
        let ceilings: Vec<u128> = (1..=5)
            .map(|n| policy.backoff_ceiling(n).as_millis())
            .collect();
        assert_eq!(ceilings, [100, 200, 400, 700, 700]);
        assert_eq!(policy.backoff_ceiling(1000), Duration::from_millis(700));
    }

    #[test]
    fn delay_stays_under_the_ceiling_and_honours_retry_after() {
        let policy = RetryPolicy::default();
        let mut rng = StdRng::seed_from_u64(7);
        for failures in 1..10 {
            assert!(policy.delay(failures, None, &mut rng) <= policy.backoff_ceiling(failures));
            let asked = Duration::from_secs(30);
            assert!(policy.delay(failures, Some(asked), &mut rng) >= asked);
        }
    }
}
