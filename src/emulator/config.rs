//! The emulator's configuration and its command line:
//! `aliram-emulator [--listen ADDR] [--accounts FILE] [--state FILE] [--latency-ms N] [--consistency-delay-ms N]
//! [--throttle-rate P] [--unavailable-rate P] [--internal-error-rate P] [--drop-rate P] [--lost-response-rate P]
//! [--lagging-list-rate P] [--role-quota N] [--api-rate-limit N] [--seed N]`.

use super::accounts::{Account, AccountsError, demo_accounts, load_accounts};
use super::faults::{FaultKnobs, InvalidRate};
use super::flow_control::DEFAULT_ROLE_QUOTA;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

/// The usage text printed by `--help` and after a bad argument.
pub const USAGE: &str = "usage: aliram-emulator [--listen ADDR] [--accounts FILE] [--state FILE] \
[--latency-ms N] [--consistency-delay-ms N] [--throttle-rate P] [--unavailable-rate P] \
[--internal-error-rate P] [--drop-rate P] [--lost-response-rate P] [--lagging-list-rate P] [--role-quota N] [--api-rate-limit N] [--seed N]";

/// Everything the emulator needs to start.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// The address to listen on (default `127.0.0.1:0`, a free loopback port).
    pub listen: SocketAddr,
    /// The accounts and their root keys.
    pub accounts: Vec<Account>,
    /// Where state is loaded from and saved to, if anywhere.
    pub state_file: Option<PathBuf>,
    /// The fault knobs at start (and after `POST /_emulator/reset`).
    pub faults: FaultKnobs,
    /// How long clients are waited for.
    pub timeouts: Timeouts,
    /// Roles one account may hold (`--role-quota`, default RAM's 1000).
    pub role_quota: usize,
    /// Requests per second per account and action (`--api-rate-limit`), none by default.
    pub api_rate_limit: Option<NonZeroU32>,
    /// Seed of the fault draws (`--seed`): the same seed and the same sequence of requests give the same faults.
    /// Without one, each start draws differently.
    pub seed: Option<u64>,
}

/// How long the emulator waits for its clients (not on the command line: tests shorten them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Longest wait for a request's headers, counted from the end of the previous request on the connection, so
    /// it also closes keep-alive connections idle that long. Longer than the 90 s for which common clients
    /// (reqwest, hyper) keep idle connections: a client must drop an idle connection before the emulator does, or
    /// its next request races the close and fails.
    pub header_read: Duration,
    /// Longest wait for a request's whole body once its headers are in.
    pub body_read: Duration,
    /// After SIGTERM or SIGINT, the longest wait for requests in flight before stopping anyway.
    pub shutdown_grace: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            header_read: Duration::from_secs(120),
            body_read: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(3),
        }
    }
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            accounts: demo_accounts(),
            state_file: None,
            faults: FaultKnobs::default(),
            timeouts: Timeouts::default(),
            role_quota: DEFAULT_ROLE_QUOTA,
            api_rate_limit: None,
            seed: None,
        }
    }
}

/// Why the command line cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `--help` was asked for.
    #[error("{USAGE}")]
    Help,
    /// An argument is unknown, lacks its value or has a bad one.
    #[error("{0}\n{USAGE}")]
    Argument(String),
    /// The accounts file is unusable.
    #[error(transparent)]
    Accounts(#[from] AccountsError),
    /// A fault rate is outside `0..=1`.
    #[error("{0}\n{USAGE}")]
    Rate(#[from] InvalidRate),
}

impl EmulatorConfig {
    /// Parses the command line (without the program name).
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Self, ConfigError> {
        let mut config = Self::default();
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            if flag == "--help" || flag == "-h" {
                return Err(ConfigError::Help);
            }
            // Both `--flag value` and `--flag=value`.
            let (name, inline) = match flag.split_once('=') {
                Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
                None => (flag, None),
            };
            let value = match inline {
                Some(value) => value,
                None => args
                    .next()
                    .ok_or_else(|| ConfigError::Argument(format!("{name} needs a value")))?,
            };
            let bad = |what: &str| ConfigError::Argument(format!("{name}: {what}, got {value:?}"));
            // A probability: a number, and between 0 and 1, both named with the flag.
            let rate = || {
                value
                    .parse::<f64>()
                    .ok()
                    .filter(|p| (0.0..=1.0).contains(p))
                    .ok_or_else(|| bad("expected a probability between 0 and 1"))
            };
            match name.as_str() {
                "--listen" => {
                    config.listen = value.parse().map_err(|_| bad("expected HOST:PORT"))?
                }
                "--accounts" => config.accounts = load_accounts(value.as_ref())?,
                "--state" => config.state_file = Some(PathBuf::from(&value)),
                "--latency-ms" => {
                    config.faults.latency_ms =
                        value.parse().map_err(|_| bad("expected milliseconds"))?
                }
                "--consistency-delay-ms" => {
                    config.faults.consistency_delay_ms =
                        value.parse().map_err(|_| bad("expected milliseconds"))?
                }
                "--throttle-rate" => config.faults.throttle_rate = rate()?,
                "--unavailable-rate" => config.faults.unavailable_rate = rate()?,
                "--internal-error-rate" => config.faults.internal_error_rate = rate()?,
                "--lagging-list-rate" => config.faults.lagging_list_rate = rate()?,
                "--lost-response-rate" => config.faults.lost_response_rate = rate()?,
                "--drop-rate" => config.faults.drop_rate = rate()?,
                "--seed" => {
                    config.seed = Some(value.parse().map_err(|_| bad("expected a whole number"))?)
                }
                "--role-quota" => {
                    config.role_quota = value
                        .parse()
                        .map_err(|_| bad("expected a number of roles"))?
                }
                "--api-rate-limit" => {
                    config.api_rate_limit = Some(
                        value
                            .parse()
                            .map_err(|_| bad("expected requests per second, at least 1"))?,
                    )
                }
                _ => return Err(ConfigError::Argument(format!("unknown argument {name}"))),
            }
        }
        config.faults.validate()?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<EmulatorConfig, ConfigError> {
        EmulatorConfig::from_args(args.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn defaults_and_flags() {
        let config = parse(&[]).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:0");
        assert_eq!(config.accounts.len(), 3);
        assert_eq!(config.role_quota, 1000);
        assert_eq!(config.api_rate_limit, None);
        let config = parse(&[
            "--listen=127.0.0.1:9",
            "--throttle-rate",
            "0.25",
            "--latency-ms",
            "5",
            "--role-quota=3",
            "--api-rate-limit",
            "20",
            "--seed=42",
        ])
        .unwrap();
        assert_eq!(config.role_quota, 3);
        assert_eq!(config.seed, Some(42));
        assert_eq!(config.api_rate_limit.map(NonZeroU32::get), Some(20));
        assert_eq!(config.listen.port(), 9);
        assert_eq!(config.faults.throttle_rate, 0.25);
        assert_eq!(config.faults.latency_ms, 5);
    }

    #[test]
    fn bad_arguments_are_refused() {
        assert!(matches!(
            parse(&["--drop-rate", "2"]),
            Err(ConfigError::Argument(m)) if m == "--drop-rate: expected a probability between 0 and 1, got \"2\""
        ));
        assert!(matches!(
            parse(&["--nope", "1"]),
            Err(ConfigError::Argument(_))
        ));
        assert!(matches!(
            parse(&["--listen"]),
            Err(ConfigError::Argument(_))
        ));
        assert!(matches!(
            parse(&["--api-rate-limit", "0"]),
            Err(ConfigError::Argument(_))
        ));
        assert!(matches!(
            parse(&["--role-quota", "-1"]),
            Err(ConfigError::Argument(_))
        ));
        assert!(matches!(parse(&["--help"]), Err(ConfigError::Help)));
    }
}
