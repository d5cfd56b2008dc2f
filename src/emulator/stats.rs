//! Request statistics served by `GET /_emulator/stats`: requests and errors per action and per account, the
//! number of writes, the faults injected and the requests the API rate limit refused.

use serde::Serialize;
use std::collections::BTreeMap;

/// Requests and errors of one action or one account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Requests seen.
    pub requests: u64,
    /// Requests answered with an error (faults included).
    pub errors: u64,
}

impl Counts {
    fn add(&mut self, failed: bool) {
        self.requests += 1;
        self.errors += u64::from(failed);
    }
}

/// All counters since start or the last reset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Every API request.
    pub requests: u64,
    /// Every API request answered with an error.
    pub errors: u64,
    /// Successful writes (role, attachment and tag changes).
    pub writes: u64,
    /// Per action (requests without a known action are counted under `""`).
    pub actions: BTreeMap<String, Counts>,
    /// Per caller account UID (only authenticated requests).
    pub accounts: BTreeMap<String, Counts>,
    /// Injected faults by kind (`drop`, `throttle`, `unavailable`, `internal_error`, `lost_response`).
    pub faults: BTreeMap<&'static str, u64>,
    /// Authenticated requests by signature (`v1`, `v3`): which one clients really send.
    pub signatures: BTreeMap<&'static str, u64>,
    /// Requests answered `Throttling.User` by `--api-rate-limit`, per action (also counted as errors).
    pub rate_limited: BTreeMap<String, u64>,
    /// API requests being answered right now.
    pub in_flight: u64,
    /// The most API requests ever answered at once: how concurrent clients really are.
    pub max_in_flight: u64,
}

impl Stats {
    /// Counts one request.
    pub fn record(&mut self, action: &str, account_id: Option<&str>, failed: bool) {
        self.requests += 1;
        self.errors += u64::from(failed);
        self.actions
            .entry(action.to_owned())
            .or_default()
            .add(failed);
        if let Some(account_id) = account_id {
            self.accounts
                .entry(account_id.to_owned())
                .or_default()
                .add(failed);
        }
    }

    /// A request starts being answered.
    pub fn enter(&mut self) {
        self.in_flight += 1;
        self.max_in_flight = self.max_in_flight.max(self.in_flight);
    }

    /// A request has been answered.
    pub fn leave(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    /// Counts one successful write.
    pub fn record_write(&mut self) {
        self.writes += 1;
    }

    /// Counts one request refused by the API rate limit.
    pub fn record_rate_limited(&mut self, action: &str) {
        *self.rate_limited.entry(action.to_owned()).or_default() += 1;
    }

    /// Counts one authenticated request signed with `signature`.
    pub fn record_signature(&mut self, signature: &'static str) {
        *self.signatures.entry(signature).or_default() += 1;
    }

    /// Counts one injected fault.
    pub fn record_fault(&mut self, name: &'static str) {
        *self.faults.entry(name).or_default() += 1;
    }
}
