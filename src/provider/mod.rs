//! The aliram provider: its configuration, the Alibaba Cloud client, the domain rules as data, and the
//! resources, data sources and functions built on the framework.

pub mod alicloud;
pub mod config;
pub mod domain;
pub mod functions;

use crate::framework::context::Context;
use crate::framework::data_source::DataSource;
use crate::framework::function::Function;
use crate::framework::provider::{ConfigureRequest, ConfigureResponse, Provider};
use crate::framework::resource::Resource;
use crate::framework::schema::Schema;
use async_trait::async_trait;
use config::ProviderConfig;
use std::sync::Arc;

/// The provider's type name: `aliram`, source address `registry.terraform.io/aliram/aliram`.
pub const TYPE_NAME: &str = "aliram";

/// What a configured provider instance hands its resources and data sources.
#[derive(Debug)]
pub struct ProviderClient {
    /// The provider block as configured.
    pub config: ProviderConfig,
}

/// The aliram provider.
#[derive(Debug, Default)]
pub struct AliramProvider;

#[async_trait]
impl Provider for AliramProvider {
    type Client = ProviderClient;

    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        config::schema()
    }

    async fn configure(&self, _ctx: &Context, req: ConfigureRequest, resp: &mut ConfigureResponse<ProviderClient>) {
        resp.client = Some(ProviderClient { config: ProviderConfig::from_value(&req.config) });
    }

    fn resources(&self) -> Vec<Arc<dyn Resource<ProviderClient>>> {
        Vec::new()
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource<ProviderClient>>> {
        Vec::new()
    }

    fn functions(&self) -> Vec<Arc<dyn Function>> {
        functions::all()
    }
}
