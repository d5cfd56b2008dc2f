//! The data source interface.

use super::context::Context;
use super::diagnostics::Diagnostics;
use super::schema::Schema;
use super::value::Value;
use async_trait::async_trait;

/// Read a data source.
#[derive(Debug)]
pub struct ReadDataRequest {
    /// The configuration, wholly known.
    pub config: Value,
}

/// Read result; `state` starts as the configuration: fill the computed attributes.
#[derive(Debug, Default)]
pub struct ReadDataResponse {
    /// The data source's value.
    pub state: Value,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

/// A data source type. `C` is the client the provider's configure produced.
#[async_trait]
pub trait DataSource<C: Send + Sync>: Send + Sync {
    /// The full type name, such as `aliram_caller_identity`.
    fn type_name(&self) -> &'static str;

    /// The schema.
    fn schema(&self) -> Schema;

    /// Reads the data.
    async fn read(
        &self,
        ctx: &Context,
        client: &C,
        req: ReadDataRequest,
        resp: &mut ReadDataResponse,
    );

    /// Extension: checks a configuration beyond attribute validators. Values may be unknown.
    fn validate_config(&self, _config: &Value, _diagnostics: &mut Diagnostics) {}
}
