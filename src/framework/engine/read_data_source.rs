//! ReadDataSource: the data source's value from its configuration.

use super::{Engine, provider_bug};
use crate::framework::data_source::{ReadDataRequest, ReadDataResponse};
use crate::framework::diagnostics::Diagnostics;
use crate::framework::provider::Provider;
use crate::framework::value::Value;

impl<P: Provider> Engine<P> {
    /// Reads a data source.
    pub async fn read_data_source(&self, type_name: &str, config: Value) -> (Value, Diagnostics) {
        let mut diagnostics = Diagnostics::new();
        let data_source = match self.data_source(type_name) {
            Ok(d) => d,
            Err(d) => return (Value::Null, d.into()),
        };
        let Some(client) = self.configured_client(&mut diagnostics) else {
            return (Value::Null, diagnostics);
        };
        let mut resp = ReadDataResponse {
            state: config.clone(),
            ..Default::default()
        };
        data_source
            .handler
            .read(
                &self.context(),
                &client,
                ReadDataRequest { config },
                &mut resp,
            )
            .await;
        if !resp.state.is_wholly_known() {
            resp.diagnostics.push(provider_bug(format!(
                "Reading {type_name} returned unknown values."
            )));
            resp.state.unknowns_to_null();
        }
        (resp.state, resp.diagnostics)
    }
}
