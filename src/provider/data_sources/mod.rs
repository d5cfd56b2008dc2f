//! Data sources.

mod caller_identity;
mod resource_directory_accounts;
mod roles;

use super::client::ProviderClient;
use crate::framework::data_source::DataSource;
use std::sync::Arc;

/// Every data source the provider offers.
pub fn all() -> Vec<Arc<dyn DataSource<ProviderClient>>> {
    vec![
        Arc::new(caller_identity::CallerIdentityDataSource),
        Arc::new(roles::RolesDataSource),
        Arc::new(resource_directory_accounts::ResourceDirectoryAccountsDataSource),
    ]
}
