//! Fault injection: the knobs (`--latency-ms`, `--consistency-delay-ms` and the four `--*-rate` probabilities),
//! changeable at run time through `POST /_emulator/faults`, and the draw that decides each request's fate.
//! Faults apply to the API endpoint only, never to `/_emulator/` routes.

use rand::Rng;
use serde::{Deserialize, Serialize};

/// The fault knobs. JSON names are the flag names with `_` for `-` (the dashed forms are accepted too).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct FaultKnobs {
    /// Milliseconds added before every API response.
    pub latency_ms: u64,
    /// Milliseconds a new role or attachment stays invisible to reads, and a new role to writes naming it.
    pub consistency_delay_ms: u64,
    /// Probability of `Throttling.User` (HTTP 400).
    pub throttle_rate: f64,
    /// Probability of `ServiceUnavailable` (HTTP 503).
    pub unavailable_rate: f64,
    /// Probability of `InternalError` (HTTP 500).
    pub internal_error_rate: f64,
    /// Probability of the connection being closed without any response.
    pub drop_rate: f64,
    /// Probability of a request being carried out and its answer then lost (the connection closes): the case that
    /// makes clients' retries of writes meet their own earlier success.
    #[serde(default)]
    pub lost_response_rate: f64,
    /// Probability that ListPoliciesForRole or ListTagResources answers `EntityNotExist.Role` although the role
    /// exists: a replica lagging behind the one GetRole read, so a refresh must not take it for "gone".
    #[serde(default)]
    pub lagging_list_rate: f64,
}

/// A partial change of the knobs, as `POST /_emulator/faults` takes it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultUpdate {
    /// New `latency_ms`.
    #[serde(alias = "latency-ms")]
    pub latency_ms: Option<u64>,
    /// New `consistency_delay_ms`.
    #[serde(alias = "consistency-delay-ms")]
    pub consistency_delay_ms: Option<u64>,
    /// New `throttle_rate`.
    #[serde(alias = "throttle-rate")]
    pub throttle_rate: Option<f64>,
    /// New `unavailable_rate`.
    #[serde(alias = "unavailable-rate")]
    pub unavailable_rate: Option<f64>,
    /// New `internal_error_rate`.
    #[serde(alias = "internal-error-rate")]
    pub internal_error_rate: Option<f64>,
    /// New `drop_rate`.
    #[serde(alias = "drop-rate")]
    pub drop_rate: Option<f64>,
    /// New `lost_response_rate`.
    #[serde(alias = "lost-response-rate")]
    pub lost_response_rate: Option<f64>,
    /// New `lagging_list_rate`.
    #[serde(alias = "lagging-list-rate")]
    pub lagging_list_rate: Option<f64>,
}

/// A fault chosen for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// Close the connection without answering.
    Drop,
    /// Answer `Throttling.User`.
    Throttle,
    /// Answer `ServiceUnavailable`.
    Unavailable,
    /// Answer `InternalError`.
    InternalError,
    /// Answer `NoPermission`, as for a caller whose policies do not allow the action (queued only, never drawn).
    NoPermission,
}

impl Fault {
    /// The name used in stats.
    pub fn name(self) -> &'static str {
        match self {
            Fault::Drop => "drop",
            Fault::Throttle => "throttle",
            Fault::Unavailable => "unavailable",
            Fault::InternalError => "internal_error",
            Fault::NoPermission => "no_permission",
        }
    }
}

/// What a queued fault does to the next request of its action (see [`QueuedFaults`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScriptedFault {
    /// Close the connection without carrying the request out.
    Drop,
    /// Answer `Throttling.User`.
    Throttle,
    /// Answer `ServiceUnavailable`: a clean refusal, nothing is carried out.
    Unavailable,
    /// Answer `InternalError`.
    InternalError,
    /// Answer `NoPermission` (403): the caller may not call the action.
    NoPermission,
    /// Carry the request out, then close the connection before answering.
    LostResponse,
    /// Carry the write out and begin saving it to the `--state` file, then stop inside the save: the temporary file
    /// is written halfway, synced and kept locked, never renamed over the state file, and the request is never
    /// answered. Counted in the stats (`stalled_save`) once the half-written file is on disk, so a test kills the
    /// emulator in the middle of a save by construction. Without `--state` the write is answered as usual.
    StalledSave,
}

impl ScriptedFault {
    /// The fault that replaces the request's answer, `None` for [`ScriptedFault::LostResponse`] (the request runs).
    pub fn before_running(self) -> Option<Fault> {
        match self {
            Self::Drop => Some(Fault::Drop),
            Self::Throttle => Some(Fault::Throttle),
            Self::Unavailable => Some(Fault::Unavailable),
            Self::InternalError => Some(Fault::InternalError),
            Self::NoPermission => Some(Fault::NoPermission),
            Self::LostResponse | Self::StalledSave => None,
        }
    }
}

/// The body of `POST /_emulator/faults/next`: the next `count` requests of `action` meet `fault`, whatever the
/// knobs draw. Tests use it to force one branch of a client's retry logic in every run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NextFault {
    /// The API action, e.g. `CreateRole`.
    pub action: String,
    /// What happens to it.
    pub fault: ScriptedFault,
    /// How many requests of the action in a row; 1 when left out.
    #[serde(default = "one")]
    pub count: u32,
}

fn one() -> u32 {
    1
}

/// Faults queued per action, taken in order before any draw.
#[derive(Debug, Clone, Default)]
pub struct QueuedFaults(Vec<NextFault>);

impl QueuedFaults {
    /// Queues `next` behind what is already queued.
    pub fn push(&mut self, next: NextFault) {
        if next.count > 0 {
            self.0.push(next);
        }
    }

    /// The fault for this request of `action`, if one is queued; it is used up.
    pub fn take(&mut self, action: &str) -> Option<ScriptedFault> {
        let at = self.0.iter().position(|q| q.action == action)?;
        let queued = &mut self.0[at];
        queued.count -= 1;
        let fault = queued.fault;
        if queued.count == 0 {
            self.0.remove(at);
        }
        Some(fault)
    }

    /// What is still queued.
    pub fn pending(&self) -> &[NextFault] {
        &self.0
    }
}

/// A knob value outside its range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{knob} must be a probability between 0 and 1, got {value}")]
pub struct InvalidRate {
    /// The knob.
    pub knob: &'static str,
    /// The rejected value.
    pub value: f64,
}

impl FaultKnobs {
    /// The probability knobs, in the order faults are drawn.
    fn rates(&self) -> [(&'static str, f64, Fault); 4] {
        // lost_response_rate is drawn after the request is carried out; see `lose_response`.
        [
            ("drop_rate", self.drop_rate, Fault::Drop),
            ("throttle_rate", self.throttle_rate, Fault::Throttle),
            (
                "unavailable_rate",
                self.unavailable_rate,
                Fault::Unavailable,
            ),
            (
                "internal_error_rate",
                self.internal_error_rate,
                Fault::InternalError,
            ),
        ]
    }

    /// Checks every probability is within `0..=1`.
    pub fn validate(&self) -> Result<(), InvalidRate> {
        match self
            .rates()
            .into_iter()
            .find(|(_, rate, _)| !(0.0..=1.0).contains(rate))
        {
            Some((knob, value, _)) => Err(InvalidRate { knob, value }),
            None if !(0.0..=1.0).contains(&self.lost_response_rate) => Err(InvalidRate {
                knob: "lost_response_rate",
                value: self.lost_response_rate,
            }),
            None if !(0.0..=1.0).contains(&self.lagging_list_rate) => Err(InvalidRate {
                knob: "lagging_list_rate",
                value: self.lagging_list_rate,
            }),
            None => Ok(()),
        }
    }

    /// The knobs with `update` applied, validated.
    pub fn updated(&self, update: &FaultUpdate) -> Result<Self, InvalidRate> {
        let next = Self {
            latency_ms: update.latency_ms.unwrap_or(self.latency_ms),
            consistency_delay_ms: update
                .consistency_delay_ms
                .unwrap_or(self.consistency_delay_ms),
            throttle_rate: update.throttle_rate.unwrap_or(self.throttle_rate),
            unavailable_rate: update.unavailable_rate.unwrap_or(self.unavailable_rate),
            internal_error_rate: update
                .internal_error_rate
                .unwrap_or(self.internal_error_rate),
            drop_rate: update.drop_rate.unwrap_or(self.drop_rate),
            lost_response_rate: update.lost_response_rate.unwrap_or(self.lost_response_rate),
            lagging_list_rate: update.lagging_list_rate.unwrap_or(self.lagging_list_rate),
        };
        next.validate()?;
        Ok(next)
    }

    /// Draws whether a request that was carried out loses its answer.
    pub fn lose_response(&self, rng: &mut impl Rng) -> bool {
        self.lost_response_rate > 0.0 && rng.random::<f64>() < self.lost_response_rate
    }

    /// Draws whether a list of a role's policies or tags (`action`) answers from a lagging replica.
    pub fn lagging_list(&self, action: &str, rng: &mut impl Rng) -> bool {
        matches!(action, "ListPoliciesForRole" | "ListTagResources")
            && self.lagging_list_rate > 0.0
            && rng.random::<f64>() < self.lagging_list_rate
    }

    /// Draws the fate of one request: each fault in turn fires with its own probability.
    pub fn draw(&self, rng: &mut impl Rng) -> Option<Fault> {
        self.rates()
            .into_iter()
            .find(|(_, rate, _)| *rate > 0.0 && rng.random::<f64>() < *rate)
            .map(|(_, _, fault)| fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certain_and_impossible_faults() {
        let mut rng = rand::rng();
        assert_eq!(FaultKnobs::default().draw(&mut rng), None);
        let always = FaultKnobs {
            throttle_rate: 1.0,
            ..FaultKnobs::default()
        };
        for _ in 0..100 {
            assert_eq!(always.draw(&mut rng), Some(Fault::Throttle));
        }
    }

    #[test]
    fn a_seed_makes_the_draws_repeat() {
        use rand::SeedableRng as _;
        let knobs = FaultKnobs {
            throttle_rate: 0.3,
            unavailable_rate: 0.3,
            lost_response_rate: 0.5,
            ..FaultKnobs::default()
        };
        let draws = |seed| {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            (0..200)
                .map(|_| (knobs.draw(&mut rng), knobs.lose_response(&mut rng)))
                .collect::<Vec<_>>()
        };
        assert_eq!(draws(7), draws(7));
        assert_ne!(draws(7), draws(8));
    }

    #[test]
    fn queued_faults_are_taken_in_order_per_action_and_used_up() {
        let mut queue = QueuedFaults::default();
        let next: NextFault =
            serde_json::from_str(r#"{"action":"CreateRole","fault":"lost_response"}"#).unwrap();
        queue.push(next);
        queue.push(NextFault {
            action: "CreateRole".to_owned(),
            fault: ScriptedFault::Unavailable,
            count: 2,
        });
        assert_eq!(queue.take("GetRole"), None);
        assert_eq!(queue.take("CreateRole"), Some(ScriptedFault::LostResponse));
        assert_eq!(queue.take("CreateRole"), Some(ScriptedFault::Unavailable));
        assert_eq!(queue.take("CreateRole"), Some(ScriptedFault::Unavailable));
        assert_eq!(queue.take("CreateRole"), None);
        assert!(queue.pending().is_empty());
        assert!(serde_json::from_str::<NextFault>(r#"{"action":"X","fault":"meteor"}"#).is_err());
    }

    #[test]
    fn updates_are_partial_and_validated() {
        let update: FaultUpdate =
            serde_json::from_str(r#"{"drop-rate":0.5,"latency_ms":3}"#).unwrap();
        let knobs = FaultKnobs::default().updated(&update).unwrap();
        assert_eq!(knobs.drop_rate, 0.5);
        assert_eq!(knobs.latency_ms, 3);
        let bad = FaultUpdate {
            throttle_rate: Some(1.5),
            ..FaultUpdate::default()
        };
        assert_eq!(
            FaultKnobs::default().updated(&bad).unwrap_err().knob,
            "throttle_rate"
        );
        assert!(serde_json::from_str::<FaultUpdate>(r#"{"nope":1}"#).is_err());
    }
}
