//! The aliram provider: its configuration, the Alibaba Cloud client, the domain rules as data, and the
//! resources, data sources, functions and actions built on the framework.

pub mod actions;
pub mod alicloud;
pub mod client;
pub mod config;
pub mod data_sources;
pub mod domain;
pub mod dts_prerequisite;
pub mod functions;
pub mod permission_denied;
pub mod resources;
pub mod role_inventory;
pub mod role_query;

use crate::framework::action::Action;
use crate::framework::context::Context;
use crate::framework::data_source::DataSource;
use crate::framework::diagnostics::Diagnostics;
use crate::framework::function::Function;
use crate::framework::list_resource::ListResource;
use crate::framework::provider::{ConfigureRequest, ConfigureResponse, Provider};
use crate::framework::resource::Resource;
use crate::framework::schema::Schema;
use crate::framework::value::Value;
use alicloud::ProcessEnvironment;
use async_trait::async_trait;
use client::ProviderClient;
use config::ProviderConfig;
use std::sync::Arc;

/// The provider's type name: `aliram`, source address `registry.terraform.io/aliram/aliram`.
pub const TYPE_NAME: &str = "aliram";

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

    fn validate_config(&self, config: &Value, diagnostics: &mut Diagnostics) {
        config::validate(config, diagnostics);
    }

    async fn configure(
        &self,
        ctx: &Context,
        req: ConfigureRequest,
        resp: &mut ConfigureResponse<ProviderClient>,
    ) {
        let config = ProviderConfig::from_value(&req.config);
        match ProviderClient::build(&config, &ProcessEnvironment, ctx.cancel.clone()).await {
            Ok(client) => resp.client = Some(client),
            Err(d) => resp.diagnostics.push(d),
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource<ProviderClient>>> {
        resources::all()
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource<ProviderClient>>> {
        data_sources::all()
    }

    fn functions(&self) -> Vec<Arc<dyn Function>> {
        functions::all()
    }

    fn list_resources(&self) -> Vec<Arc<dyn ListResource<ProviderClient>>> {
        resources::list_all()
    }

    fn actions(&self) -> Vec<Arc<dyn Action<ProviderClient>>> {
        actions::all()
    }
}
