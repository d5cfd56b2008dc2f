//! ListResource and ValidateListResourceConfig: `list` blocks of `terraform query`. Results stream through a
//! [`ListSink`] as the resource finds them; problems before the listing starts travel as a result carrying only
//! an error.

use super::Engine;
use super::validate::validate_block;
use crate::framework::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::list_resource::{ListRequest, ListResult, ListSink};
use crate::framework::path::AttributePath;
use crate::framework::provider::Provider;
use crate::framework::value::Value;

impl<P: Provider> Engine<P> {
    /// Checks the `config` block of a `list` block.
    pub fn validate_list_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        match self.registered_list_resource(type_name) {
            Ok(list) => {
                validate_block(
                    &list.schema.block,
                    config,
                    &AttributePath::default(),
                    &mut diagnostics,
                );
                list.handler.validate_config(config, &mut diagnostics);
            }
            Err(d) => diagnostics.push(d),
        }
        diagnostics
    }

    /// Lists the objects of `type_name` into `sink`.
    pub async fn list_resource(&self, type_name: &str, req: ListRequest, sink: ListSink) {
        let failed = |d: Diagnostic| ListResult {
            diagnostics: d.into(),
            ..Default::default()
        };
        let list = match self.registered_list_resource(type_name) {
            Ok(l) => l,
            Err(d) => {
                sink.send(failed(d)).await;
                return;
            }
        };
        if !self.identities.contains_key(type_name) {
            let d = Diagnostic::error(
                "List Resource Without Identity",
                format!(
                    "{type_name} has no resource identity, so it cannot be listed. This is a bug in the provider; please report it."
                ),
            );
            sink.send(failed(d)).await;
            return;
        }
        let mut diagnostics = Diagnostics::new();
        let Some(client) = self.configured_client(&mut diagnostics) else {
            sink.send(ListResult {
                diagnostics,
                ..Default::default()
            })
            .await;
            return;
        };
        if req.limit <= 0 {
            return;
        }
        list.handler
            .list(&self.context(), &client, req, &sink)
            .await;
    }
}
