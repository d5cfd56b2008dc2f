//! ValidateActionConfig: the `config` block of an `action` block, checked once per block (not per instance, so
//! `count.index` and `each` are unknown here).

use super::Engine;
use super::validate::validate_block;
use crate::framework::diagnostics::Diagnostics;
use crate::framework::path::AttributePath;
use crate::framework::provider::Provider;
use crate::framework::value::Value;

impl<P: Provider> Engine<P> {
    /// Checks an action's configuration: attribute validators, then the action's own checks. Values may be
    /// unknown; a missing `config` block arrives as null.
    pub fn validate_action_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        match self.action(type_name) {
            Ok(action) => {
                validate_block(
                    &action.schema.block,
                    config,
                    &AttributePath::default(),
                    &mut diagnostics,
                );
                action.handler.validate_config(config, &mut diagnostics);
            }
            Err(d) => diagnostics.push(d),
        }
        diagnostics
    }
}
