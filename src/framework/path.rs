//! Attribute paths: where in a value a diagnostic points, or which attribute forces replacement.

use std::fmt;

/// One step of an [`AttributePath`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathStep {
    /// An attribute of an object (or a nested block).
    Attribute(String),
    /// An element of a map, by key.
    ElementKeyString(String),
    /// An element of a list, by index.
    ElementKeyInt(i64),
}

/// A path from the root of a resource, data source or provider value to a place inside it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct AttributePath {
    /// The steps, outermost first.
    pub steps: Vec<PathStep>,
}

impl AttributePath {
    /// The path to a top-level attribute.
    pub fn root(attribute: &str) -> AttributePath {
        AttributePath {
            steps: vec![PathStep::Attribute(attribute.to_owned())],
        }
    }

    /// This path extended by an attribute step.
    pub fn attribute(mut self, name: &str) -> AttributePath {
        self.steps.push(PathStep::Attribute(name.to_owned()));
        self
    }

    /// This path extended by a map key.
    pub fn key(mut self, key: &str) -> AttributePath {
        self.steps.push(PathStep::ElementKeyString(key.to_owned()));
        self
    }

    /// This path extended by a list index.
    pub fn index(mut self, index: i64) -> AttributePath {
        self.steps.push(PathStep::ElementKeyInt(index));
        self
    }
}

impl fmt::Display for AttributePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                PathStep::Attribute(name) if i == 0 => f.write_str(name)?,
                PathStep::Attribute(name) => write!(f, ".{name}")?,
                PathStep::ElementKeyString(key) => write!(f, "[{key:?}]")?,
                PathStep::ElementKeyInt(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}
