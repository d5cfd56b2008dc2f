//! The process environment as an injectable lookup, so credential and region resolution can be tested
//! without mutating the global environment.

use std::collections::BTreeMap;
use std::fmt;

/// Reads environment variables. An empty value counts as unset, as in the alicloud provider.
pub trait Environment: Send + Sync + fmt::Debug {
    /// The value of `name`, or `None` when it is unset or empty.
    fn var(&self, name: &str) -> Option<String>;

    /// The first of `names` that is set, with its name (for messages that say where a value came from).
    fn first_of(&self, names: &[&'static str]) -> Option<(&'static str, String)> {
        names
            .iter()
            .find_map(|name| self.var(name).map(|value| (*name, value)))
    }
}

/// The real process environment.
#[derive(Debug, Default, Clone, Copy)]
pub struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|value| !value.is_empty())
    }
}

/// A fixed set of variables, for tests and for callers that captured the environment earlier.
#[derive(Default, Clone)]
pub struct FixedEnvironment(BTreeMap<String, String>);

impl FixedEnvironment {
    /// An environment holding exactly `pairs`.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl fmt::Debug for FixedEnvironment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values may be secrets: names only.
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl Environment for FixedEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).filter(|value| !value.is_empty()).cloned()
    }
}
