//! Waiting for RAM to settle: poll until a condition holds or a deadline passes, pausing with exponential backoff
//! between polls, and giving up at once when Terraform sends Stop. One waiter for every read-after-write and
//! conflict loop, so each states only what it polls and what "settled" means.

use super::ClientError;
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// What one poll found: settled with a result, or not yet, with the reason (returned if the deadline passes).
#[derive(Debug)]
pub enum Polled<T, R> {
    /// The condition holds.
    Settled(T),
    /// Not yet; `R` says why (for example the conflict the last attempt met).
    NotYet(R),
}

/// How long to wait and how often to poll.
#[derive(Clone, Copy, Debug)]
pub struct Waiter {
    /// The longest wait, from the first poll.
    pub timeout: Duration,
    /// The first pause between polls; it doubles up to `max_interval`.
    pub first_interval: Duration,
    /// The longest pause between polls.
    pub max_interval: Duration,
}

impl Waiter {
    /// Polls until `poll` settles or fails, or until no pause fits before the deadline: then
    /// `Ok(Err(reason))` with the last poll's reason. A Stop from Terraform ends a pause at once with
    /// [`ClientError::Cancelled`] naming `action`.
    pub async fn until<T, R, Fut>(
        &self,
        cancel: &CancellationToken,
        action: &str,
        mut poll: impl FnMut() -> Fut,
    ) -> Result<Result<T, R>, ClientError>
    where
        Fut: Future<Output = Result<Polled<T, R>, ClientError>>,
    {
        let deadline = Instant::now() + self.timeout;
        let mut interval = self.first_interval;
        loop {
            let reason = match poll().await? {
                Polled::Settled(value) => return Ok(Ok(value)),
                Polled::NotYet(reason) => reason,
            };
            if Instant::now() + interval > deadline {
                return Ok(Err(reason));
            }
            tracing::debug!(
                action,
                wait_ms = interval.as_millis() as u64,
                "waiting for RAM to settle"
            );
            tokio::select! {
                () = tokio::time::sleep(interval) => {}
                () = cancel.cancelled() => {
                    return Err(ClientError::Cancelled { action: action.to_owned() });
                }
            }
            interval = (interval * 2).min(self.max_interval);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WAITER: Waiter = Waiter {
        timeout: Duration::from_secs(10),
        first_interval: Duration::from_secs(1),
        max_interval: Duration::from_secs(4),
    };

    /// Polls at 0, 1, 3, 7 s (pauses 1, 2, 4): a condition settling on the fourth poll is seen then.
    #[tokio::test(start_paused = true)]
    async fn polls_with_doubling_pauses_until_settled() {
        let start = Instant::now();
        let seen = std::cell::RefCell::new(Vec::new());
        let result = WAITER
            .until(&CancellationToken::new(), "Test", || async {
                let mut seen = seen.borrow_mut();
                seen.push(start.elapsed().as_secs());
                Ok(if seen.len() == 4 {
                    Polled::Settled("done")
                } else {
                    Polled::NotYet(seen.len())
                })
            })
            .await;
        assert_eq!(result.ok(), Some(Ok("done")));
        assert_eq!(seen.into_inner(), vec![0, 1, 3, 7]);
    }

    /// The pauses after 7 s would be 4 s (capped), ending past the 10 s deadline: the last reason comes back.
    #[tokio::test(start_paused = true)]
    async fn gives_the_last_reason_when_no_pause_fits_before_the_deadline() {
        let start = Instant::now();
        let polls = std::cell::Cell::new(0);
        let result: Result<Result<(), u32>, ClientError> = WAITER
            .until(&CancellationToken::new(), "Test", || async {
                polls.set(polls.get() + 1);
                Ok(Polled::NotYet(polls.get()))
            })
            .await;
        assert_eq!(result.ok(), Some(Err(4)));
        assert_eq!(start.elapsed(), Duration::from_secs(7));
    }

    #[tokio::test(start_paused = true)]
    async fn a_poll_error_ends_the_wait() {
        let result: Result<Result<(), ()>, ClientError> = WAITER
            .until(&CancellationToken::new(), "Test", || async {
                Err(ClientError::Cancelled {
                    action: "GetRole".into(),
                })
            })
            .await;
        assert!(matches!(result, Err(ClientError::Cancelled { action }) if action == "GetRole"));
    }

    #[tokio::test(start_paused = true)]
    async fn stop_ends_a_pause_at_once() {
        let cancel = CancellationToken::new();
        let start = Instant::now();
        let stopper = cancel.clone();
        let result: Result<Result<(), ()>, ClientError> = WAITER
            .until(&cancel, "DeleteRole", || async {
                stopper.cancel();
                Ok(Polled::NotYet(()))
            })
            .await;
        assert!(matches!(result, Err(ClientError::Cancelled { action }) if action == "DeleteRole"));
        assert_eq!(start.elapsed(), Duration::ZERO);
    }
}
