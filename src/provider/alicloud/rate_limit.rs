//! The optional fixed cap on requests per second (`max_requests_per_second`), shared by every clone of a
//! client: for users who must leave part of an account's flow-control budget to other tools. Without it, the
//! adaptive flow control (`flow_control`) alone paces requests.

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::time::Instant;

/// Spaces requests at least `1 / rate` apart. Clones share the schedule.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    interval: std::time::Duration,
    next_free: Arc<Mutex<Option<Instant>>>,
}

impl RateLimiter {
    /// A limiter allowing `max_per_second` requests per second.
    pub fn new(max_per_second: NonZeroU32) -> Self {
        Self {
            interval: std::time::Duration::from_secs(1) / max_per_second.get(),
            next_free: Arc::new(Mutex::new(None)),
        }
    }

    /// Reserves the next free slot at or after `now` and returns when it starts.
    pub fn reserve(&self, now: Instant) -> Instant {
        // The critical section cannot panic, so a poisoned lock still holds a consistent schedule.
        let mut next_free = self
            .next_free
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let slot = next_free.map_or(now, |free| free.max(now));
        *next_free = Some(slot + self.interval);
        slot
    }

    /// Waits for this request's slot.
    pub async fn acquire(&self) {
        super::flow_control::wait_for_slot(self.reserve(Instant::now())).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt as _;
    use std::time::Duration;

    #[test]
    fn clones_share_one_schedule() {
        let limiter = RateLimiter::new(NonZeroU32::new(4).unwrap());
        let clone = limiter.clone();
        let start = Instant::now();
        let slots = [
            limiter.reserve(start),
            clone.reserve(start),
            limiter.reserve(start),
            clone.reserve(start),
        ];
        let offsets: Vec<Duration> = slots.iter().map(|s| *s - start).collect();
        assert_eq!(
            offsets,
            [0, 250, 500, 750].map(Duration::from_millis).to_vec()
        );
    }

    #[tokio::test]
    async fn the_first_request_is_sent_at_once() {
        // A timer set for now would first wait for the runtime's next tick: pending on the first poll.
        let limiter = RateLimiter::new(NonZeroU32::new(2).unwrap());
        assert!(limiter.acquire().now_or_never().is_some());
    }

    // A paused clock: however slow the machine, the second slot is still ahead when it is polled.
    #[tokio::test(start_paused = true)]
    async fn the_next_request_waits_its_turn() {
        let limiter = RateLimiter::new(NonZeroU32::new(2).unwrap());
        limiter.acquire().await;
        assert!(limiter.acquire().now_or_never().is_none());
    }

    #[test]
    fn an_idle_limiter_does_not_delay() {
        let limiter = RateLimiter::new(NonZeroU32::new(2).unwrap());
        let start = Instant::now();
        limiter.reserve(start);
        let later = start + Duration::from_secs(10);
        assert_eq!(limiter.reserve(later), later);
    }
}
