//! CallFunction: runs a provider-defined function on decoded arguments.

use super::Engine;
use crate::framework::function::FunctionError;
use crate::framework::provider::Provider;
use crate::framework::value::Value;

impl<P: Provider> Engine<P> {
    /// Calls function `name` with `arguments`.
    pub fn call_function(&self, name: &str, arguments: &[Value]) -> Result<Value, FunctionError> {
        let function = self.functions.get(name).ok_or_else(|| FunctionError {
            text: format!("This provider has no function named {name:?}."),
            argument: None,
        })?;
        let expected = function.definition.parameters.len();
        if arguments.len() != expected {
            return Err(FunctionError {
                text: format!(
                    "{name} takes {expected} argument(s), but {} were given.",
                    arguments.len()
                ),
                argument: None,
            });
        }
        function.handler.call(arguments)
    }
}
