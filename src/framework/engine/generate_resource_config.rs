//! GenerateResourceConfig: the configuration Terraform writes for `-generate-config-out`, from an imported or
//! listed object's state.

use super::{Engine, provider_bug};
use crate::framework::diagnostics::Diagnostics;
use crate::framework::provider::Provider;
use crate::framework::value::Value;

impl<P: Provider> Engine<P> {
    /// The configuration that manages the object `state` describes, as a value of the resource's schema.
    pub fn generate_resource_config(&self, type_name: &str, state: &Value) -> (Value, Diagnostics) {
        let mut diagnostics = Diagnostics::new();
        let resource = match self.resource(type_name) {
            Ok(r) => r,
            Err(d) => return (Value::Null, d.into()),
        };
        if state.is_null() {
            diagnostics.add_error(
                "No State to Generate Configuration From",
                format!(
                    "Terraform asked for the configuration of a {type_name} without its state. With `terraform \
                     query -generate-config-out`, set `include_resource = true` in the list block so that each \
                     result carries the object's state."
                ),
            );
            return (Value::Null, diagnostics);
        }
        let mut config = resource.handler.generate_config(state);
        if !config.is_wholly_known() {
            diagnostics.push(provider_bug(format!(
                "Generating the configuration of {type_name} left unknown values."
            )));
            config.unknowns_to_null();
        }
        (config, diagnostics)
    }
}
