//! Adaptive client-side flow control, in the spirit of the AWS SDKs' "adaptive" retry mode: no limit at all
//! until the service answers `Throttling.*`; from then on a sending rate that CUBIC lowers on throttling and
//! raises again while calls succeed.
//!
//! One controller per API action (and service): RAM's flow control is a budget per action per account
//! (`shared/reference/alibaba-ram-api.md` §3.1), and a provider instance works in one account, so GetRole
//! being throttled says nothing about ListTagResources. A single shared controller would hold all three reads of
//! a refresh to the slowest action's budget, a third of what the service allows.
//!
//! CUBIC (RFC 9438, with AWS's constants) rather than AIMD: after a decrease it climbs fast while far below the
//! rate that was throttled, flattens out just under it, and only then probes beyond, so it spends most of its
//! time close to the limit with few throttled calls, and climbs back to "no practical limit" within seconds
//! once throttling stops.
//!
//! Every method takes the current instant, so the controller is tested on a simulated clock.

use super::service::Service;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;
use tokio::time::Instant;

/// Fraction of the throttled rate kept after a decrease (CUBIC's β, as in RFC 9438 and the AWS SDKs).
const BETA: f64 = 0.7;
/// CUBIC's scaling constant C (requests per second per second³): how fast the rate climbs back.
const SCALE: f64 = 0.4;
/// The lowest rate ever used, so a throttled action still moves (the AWS SDKs' floor).
const MIN_RATE: f64 = 0.5;
/// The highest rate the schedule spaces requests for; above it requests are not delayed at all.
const MAX_RATE: f64 = 1_000_000.0;
/// Accepted calls are counted over the last second, the period flow-control budgets are stated in.
const WINDOW_BUCKETS: usize = 10;
const BUCKET: Duration = Duration::from_millis(100);

/// Calls accepted (answered without throttling) in the last second, in ten buckets of 100 ms.
#[derive(Debug)]
struct AcceptedWindow {
    origin: Instant,
    buckets: [u32; WINDOW_BUCKETS],
    /// Index (since `origin`) of the newest bucket.
    newest: u64,
}

impl AcceptedWindow {
    fn new(origin: Instant) -> Self {
        Self {
            origin,
            buckets: [0; WINDOW_BUCKETS],
            newest: 0,
        }
    }

    fn advance(&mut self, now: Instant) -> usize {
        let index = (now.saturating_duration_since(self.origin).as_nanos() / BUCKET.as_nanos())
            .try_into()
            .unwrap_or(u64::MAX);
        if index > self.newest {
            let stale = (index - self.newest).min(WINDOW_BUCKETS as u64);
            for step in 1..=stale {
                self.buckets[((self.newest + step) % WINDOW_BUCKETS as u64) as usize] = 0;
            }
            self.newest = index;
        }
        (self.newest % WINDOW_BUCKETS as u64) as usize
    }

    fn add(&mut self, now: Instant) {
        let at = self.advance(now);
        self.buckets[at] = self.buckets[at].saturating_add(1);
    }

    /// Accepted calls per second, measured over the last second.
    fn rate(&mut self, now: Instant) -> f64 {
        self.advance(now);
        self.buckets.iter().map(|&n| f64::from(n)).sum()
    }
}

/// The throttled state: the rate in force and what CUBIC needs to climb back.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Throttled {
    /// Requests per second now allowed.
    rate: f64,
    /// The rate at which the service last throttled (CUBIC's W_max).
    last_max: f64,
    /// When that was.
    since: Instant,
}

/// One action's controller.
#[derive(Debug)]
pub struct ActionRate {
    accepted: AcceptedWindow,
    /// `None` until the first throttled answer: no limit.
    throttled: Option<Throttled>,
    /// When the next request may go.
    next_free: Instant,
    /// Bumped by every decrease; a throttled answer to a request reserved before the latest decrease says
    /// nothing new (it was sent at the old rate), so it does not lower the rate again.
    generation: u64,
}

/// What a request carries from its reservation to its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reservation {
    /// When the request may be sent.
    pub at: Instant,
    generation: u64,
}

impl ActionRate {
    /// A controller with no limit, created at `now`.
    pub fn new(now: Instant) -> Self {
        Self {
            accepted: AcceptedWindow::new(now),
            throttled: None,
            next_free: now,
            generation: 0,
        }
    }

    /// The rate in force, `None` while nothing was ever throttled.
    pub fn rate(&self) -> Option<f64> {
        self.throttled.map(|t| t.rate)
    }

    /// Reserves the next sending slot at or after `now`.
    pub fn reserve(&mut self, now: Instant) -> Reservation {
        let generation = self.generation;
        let Some(throttled) = self.throttled.filter(|t| t.rate < MAX_RATE) else {
            return Reservation {
                at: now,
                generation,
            };
        };
        let at = self.next_free.max(now);
        self.next_free = at + Duration::from_secs_f64(1.0 / throttled.rate);
        Reservation { at, generation }
    }

    /// Takes the answer to a request reserved as `reservation`: throttled or not.
    pub fn record(&mut self, reservation: Reservation, now: Instant, throttled: bool) {
        if throttled {
            self.decrease(reservation, now);
        } else {
            self.accepted.add(now);
            self.climb(now);
        }
    }

    fn decrease(&mut self, reservation: Reservation, now: Instant) {
        if reservation.generation != self.generation {
            return;
        }
        let measured = self.accepted.rate(now);
        // What the service took in the last second is the best estimate of its budget; a rate already below
        // that is the better one once throttled.
        let last_max = self
            .throttled
            .map_or(measured, |t| t.rate.min(measured))
            .max(MIN_RATE);
        let rate = (last_max * BETA).max(MIN_RATE);
        self.throttled = Some(Throttled {
            rate,
            last_max,
            since: now,
        });
        self.generation += 1;
        tracing::debug!(
            rate_per_second = rate,
            throttled_at = last_max,
            "Alibaba Cloud flow control: sending rate lowered"
        );
    }

    fn climb(&mut self, now: Instant) {
        let Some(throttled) = self.throttled.as_mut() else {
            return;
        };
        let elapsed = now.saturating_duration_since(throttled.since).as_secs_f64();
        let k = (throttled.last_max * (1.0 - BETA) / SCALE).cbrt();
        let cubic = SCALE * (elapsed - k).powi(3) + throttled.last_max;
        // Never more than twice what is really being used (a rate nobody uses proves nothing), never lower
        // than the rate already in force (a success is no reason to slow down).
        let used = 2.0 * self.accepted.rate(now);
        throttled.rate = cubic.min(used).max(throttled.rate).min(MAX_RATE);
    }
}

/// The controllers of one provider instance's transport, one per service and action.
#[derive(Debug, Default)]
pub struct FlowControl {
    actions: Mutex<HashMap<(Service, &'static str), ActionRate>>,
}

/// Waits until `slot`; a slot already due is taken at once. A timer, even one set for now, waits for the
/// runtime's next millisecond tick and wakes its driver: on every request that was never held back, that cost
/// up to a millisecond of latency and a system call.
pub async fn wait_for_slot(slot: Instant) {
    if slot > Instant::now() {
        tokio::time::sleep_until(slot).await;
    }
}

impl FlowControl {
    fn with<R>(
        &self,
        service: Service,
        action: &'static str,
        f: impl FnOnce(&mut ActionRate) -> R,
    ) -> R {
        // No code below panics while holding the lock, so a poisoned lock still holds consistent controllers.
        let mut actions = self.actions.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        f(actions
            .entry((service, action))
            .or_insert_with(|| ActionRate::new(now)))
    }

    /// Waits for the sending slot of one request of `action`.
    pub async fn acquire(&self, service: Service, action: &'static str) -> Reservation {
        let now = Instant::now();
        let reservation = self.with(service, action, |rate| rate.reserve(now));
        if reservation.at > now {
            // Which action is held back, and for how long: the evidence that flow control is per action.
            tracing::debug!(
                service = service.name(),
                action,
                wait_ms = (reservation.at - now).as_millis() as u64,
                "Alibaba Cloud flow control: request waits for its sending slot"
            );
        }
        wait_for_slot(reservation.at).await;
        reservation
    }

    /// Takes the answer to a request of `action`.
    pub fn record(
        &self,
        service: Service,
        action: &'static str,
        reservation: Reservation,
        throttled: bool,
    ) {
        self.with(service, action, |rate| {
            rate.record(reservation, Instant::now(), throttled)
        });
    }

    /// The rate in force for `action`, `None` while it was never throttled.
    pub fn rate(&self, service: Service, action: &'static str) -> Option<f64> {
        self.with(service, action, |rate| rate.rate())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt as _;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Accepts `n` requests spread evenly over the 900 ms after `start`; returns the instant right after.
    fn accept_over_last_second(rate: &mut ActionRate, start: Instant, n: u32) -> Instant {
        for i in 0..n {
            let now = start + Duration::from_secs_f64(0.9 * f64::from(i) / f64::from(n));
            let r = rate.reserve(now);
            rate.record(r, now, false);
        }
        start + ms(900)
    }

    /// An action that accepted 100 requests in the last second and then answered one with a throttle.
    fn throttled_after_accepting_100() -> (ActionRate, Instant) {
        let start = Instant::now();
        let mut rate = ActionRate::new(start);
        let now = accept_over_last_second(&mut rate, start, 100);
        let r = rate.reserve(now);
        rate.record(r, now, true);
        (rate, now)
    }

    #[tokio::test]
    async fn a_request_never_held_back_is_sent_at_once() {
        // A timer set for now would first wait for the runtime's next tick: pending on the first poll.
        let flow = FlowControl::default();
        for _ in 0..3 {
            assert!(
                flow.acquire(Service::Ram, "GetRole")
                    .now_or_never()
                    .is_some()
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_slot_in_the_future_is_waited_for() {
        let slot = Instant::now() + ms(5);
        assert!(wait_for_slot(slot).now_or_never().is_none());
        wait_for_slot(slot).await;
        assert!(Instant::now() >= slot);
    }

    #[test]
    fn nothing_is_delayed_until_the_service_throttles() {
        let start = Instant::now();
        let mut rate = ActionRate::new(start);
        for _ in 0..10_000 {
            let r = rate.reserve(start);
            assert_eq!(r.at, start);
            rate.record(r, start, false);
        }
        assert_eq!(rate.rate(), None);
    }

    #[test]
    fn a_throttle_sets_the_rate_below_what_the_service_accepted() {
        let (mut rate, now) = throttled_after_accepting_100();
        let limited = rate.rate().expect("limited");
        assert!((limited - 70.0).abs() < 1.0, "{limited}");
        // Requests are now spaced 1/70 s apart.
        let a = rate.reserve(now);
        let b = rate.reserve(now);
        let c = rate.reserve(now);
        let spacing = Duration::from_secs_f64(1.0 / limited);
        assert!(b.at - a.at >= spacing - ms(1) && b.at - a.at <= spacing + ms(1));
        assert_eq!(c.at - b.at, b.at - a.at);
    }

    #[test]
    fn answers_to_requests_sent_before_a_decrease_do_not_lower_the_rate_again() {
        let start = Instant::now();
        let mut rate = ActionRate::new(start);
        let now = accept_over_last_second(&mut rate, start, 100);
        let in_flight: Vec<Reservation> = (0..20).map(|_| rate.reserve(now)).collect();
        for r in &in_flight {
            rate.record(*r, now + ms(1), true);
        }
        let once = rate.rate().expect("limited");
        assert!(
            (once - 70.0).abs() < 1.0,
            "one decrease, not twenty: {once}"
        );
        // A request sent at the new rate and throttled again lowers it once more.
        let later = rate.reserve(now + ms(2));
        rate.record(later, now + ms(3), true);
        assert!(rate.rate().expect("limited") < once);
    }

    #[test]
    fn the_rate_climbs_back_and_beyond_while_calls_succeed() {
        let (mut rate, now) = throttled_after_accepting_100();
        // Keep the action busy: send whenever the controller allows, every answer a success.
        let mut clock = now;
        let mut seen = Vec::new();
        for second in 1..=12 {
            let until = now + Duration::from_secs(second);
            while clock < until {
                let r = rate.reserve(clock);
                clock = r.at.max(clock);
                rate.record(r, clock, false);
            }
            seen.push(rate.rate().expect("limited"));
        }
        assert!(seen.windows(2).all(|w| w[1] >= w[0]), "{seen:?}");
        // CUBIC's K for W_max 100: (100 × 0.3 / 0.4)^(1/3) ≈ 4.2 s to reach the throttled rate again.
        assert!(seen[2] < 100.0 && seen[5] >= 100.0, "{seen:?}");
        assert!(seen[11] > 250.0, "{seen:?}");
    }

    #[test]
    fn an_unused_allowance_does_not_grow() {
        let (mut rate, now) = throttled_after_accepting_100();
        // Ten calls a second for a minute: once the second before the throttle has left the measurement, the
        // allowance stops growing, well short of the throttled rate.
        let mut clock = now;
        let mut after_two_seconds = None;
        for tick in 1..=600 {
            clock += ms(100);
            let r = rate.reserve(clock);
            rate.record(r, clock, false);
            if tick == 20 {
                after_two_seconds = rate.rate();
            }
        }
        assert_eq!(rate.rate(), after_two_seconds);
        assert!(rate.rate().expect("limited") < 100.0);
    }

    /// A server allowing `limit` requests per second with a burst of `limit` (the emulator's
    /// `--api-rate-limit`), on the simulated clock.
    struct TokenBucket {
        limit: f64,
        tokens: f64,
        at: Instant,
    }

    impl TokenBucket {
        fn admit(&mut self, now: Instant) -> bool {
            let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
            self.tokens = (self.tokens + elapsed * self.limit).min(self.limit);
            self.at = now;
            if self.tokens >= 1.0 {
                self.tokens -= 1.0;
                true
            } else {
                false
            }
        }
    }

    #[test]
    fn against_a_token_bucket_it_runs_close_to_the_limit_with_few_throttled_calls() {
        // Ten callers that always have a request ready, 5 ms round trips, a service allowing 100 per second.
        let start = Instant::now();
        let mut rate = ActionRate::new(start);
        let mut server = TokenBucket {
            limit: 100.0,
            tokens: 100.0,
            at: start,
        };
        let round_trip = ms(5);
        let end = start + Duration::from_secs(30);
        // Each caller's next free moment; a throttled request is retried after the service's 1 s retry-after.
        let mut callers = [start; 10];
        let (mut accepted, mut throttled) = (0u32, 0u32);
        loop {
            let (who, &ready) = callers
                .iter()
                .enumerate()
                .min_by_key(|(_, t)| **t)
                .expect("callers");
            if ready >= end {
                break;
            }
            let r = rate.reserve(ready);
            let answered = r.at + round_trip;
            if server.admit(r.at) {
                accepted += 1;
                rate.record(r, answered, false);
                callers[who] = answered;
            } else {
                throttled += 1;
                rate.record(r, answered, true);
                callers[who] = answered + Duration::from_secs(1);
            }
        }
        let ideal = 100 * 30 + 100;
        assert!(
            f64::from(accepted) >= 0.85 * f64::from(ideal),
            "accepted {accepted} of an ideal {ideal}"
        );
        assert!(
            f64::from(throttled) <= 0.05 * f64::from(accepted + throttled),
            "throttled {throttled} of {}",
            accepted + throttled
        );
    }
}
