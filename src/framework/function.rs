//! The provider-defined function interface: `provider::<name>::<function>(...)` in configuration.

use super::types::Type;
use super::value::Value;

/// A positional parameter.
#[derive(Clone, Debug)]
pub struct Parameter {
    /// Display name.
    pub name: String,
    /// Type constraint.
    pub ty: Type,
    /// Markdown description.
    pub description: String,
}

/// What a function takes and returns, and its documentation.
#[derive(Clone, Debug)]
pub struct FunctionDefinition {
    /// One-line summary.
    pub summary: String,
    /// Markdown description.
    pub description: String,
    /// Positional parameters; Terraform never passes null or unknown arguments to them.
    pub parameters: Vec<Parameter>,
    /// The result type.
    pub return_type: Type,
}

/// A function failure: the message and, when one argument is at fault, its position.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{text}")]
pub struct FunctionError {
    /// What went wrong, naming the argument and its value.
    pub text: String,
    /// Zero-based position of the argument at fault.
    pub argument: Option<usize>,
}

/// A provider-defined function: pure, deterministic, and callable before the provider is configured.
pub trait Function: Send + Sync {
    /// The name after `provider::<provider>::`.
    fn name(&self) -> &'static str;

    /// Parameters, return type and documentation.
    fn definition(&self) -> FunctionDefinition;

    /// Computes the result from known, non-null arguments.
    fn call(&self, arguments: &[Value]) -> Result<Value, FunctionError>;
}
