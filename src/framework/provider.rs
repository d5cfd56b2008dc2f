//! The provider interface: its configuration schema, how it becomes a client, and what it offers.

use super::action::Action;
use super::context::Context;
use super::data_source::DataSource;
use super::diagnostics::Diagnostics;
use super::function::Function;
use super::list_resource::ListResource;
use super::resource::Resource;
use super::schema::Schema;
use super::value::Value;
use async_trait::async_trait;
use std::sync::Arc;

/// Configure the provider.
#[derive(Debug)]
pub struct ConfigureRequest {
    /// The provider block (may hold unknowns when it depends on resources not yet created).
    pub config: Value,
    /// The Terraform version calling.
    pub terraform_version: String,
}

/// Configure result: the client resources and data sources will use.
#[derive(Debug)]
pub struct ConfigureResponse<C> {
    /// The client; `None` leaves the provider unconfigured.
    pub client: Option<C>,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

impl<C> Default for ConfigureResponse<C> {
    fn default() -> Self {
        ConfigureResponse {
            client: None,
            diagnostics: Diagnostics::new(),
        }
    }
}

/// A Terraform provider.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// What configure produces and every resource and data source receives.
    type Client: Send + Sync + 'static;

    /// The provider's type name, such as `aliram`.
    fn type_name(&self) -> &'static str;

    /// The provider block's schema.
    fn schema(&self) -> Schema;

    /// Extension: checks the provider block beyond attribute validators. Values may be unknown.
    fn validate_config(&self, _config: &Value, _diagnostics: &mut Diagnostics) {}

    /// Builds the client from the provider block.
    async fn configure(
        &self,
        ctx: &Context,
        req: ConfigureRequest,
        resp: &mut ConfigureResponse<Self::Client>,
    );

    /// The managed resource types.
    fn resources(&self) -> Vec<Arc<dyn Resource<Self::Client>>>;

    /// The data source types.
    fn data_sources(&self) -> Vec<Arc<dyn DataSource<Self::Client>>>;

    /// The functions.
    fn functions(&self) -> Vec<Arc<dyn Function>>;

    /// The list resource types (`terraform query`); each lists a managed resource type that has an identity.
    fn list_resources(&self) -> Vec<Arc<dyn ListResource<Self::Client>>> {
        Vec::new()
    }

    /// The action types (Terraform 1.14+).
    fn actions(&self) -> Vec<Arc<dyn Action<Self::Client>>> {
        Vec::new()
    }
}
