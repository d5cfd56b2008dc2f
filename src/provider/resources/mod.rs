//! Managed resources: the role resources, sharing one lifecycle, and their list resources.

mod attributes;
mod cross_account_dts_role;
mod dataworks_source_role;
mod dts_default_role;
mod role;
mod role_api;
mod role_identity;
mod role_listing;
mod role_resource;
mod role_state;

use super::client::ProviderClient;
use crate::framework::list_resource::ListResource;
use crate::framework::resource::Resource;
use role_resource::RoleResource;
use std::sync::Arc;

/// Every resource type the provider offers.
pub fn all() -> Vec<Arc<dyn Resource<ProviderClient>>> {
    vec![
        Arc::new(RoleResource::<role::GenericRole>::new()),
        Arc::new(RoleResource::<cross_account_dts_role::DtsRole>::new()),
        Arc::new(RoleResource::<dataworks_source_role::DataWorksRole>::new()),
        Arc::new(RoleResource::<dts_default_role::DtsDefaultRole>::new()),
    ]
}

/// Every list resource type the provider offers: one per resource type, except the account's single DTS default
/// role, which there is nothing to list of.
pub fn list_all() -> Vec<Arc<dyn ListResource<ProviderClient>>> {
    vec![
        Arc::new(role_listing::RoleListResource::<role::GenericRole>::new()),
        Arc::new(role_listing::RoleListResource::<
            cross_account_dts_role::DtsRole,
        >::new()),
        Arc::new(role_listing::RoleListResource::<
            dataworks_source_role::DataWorksRole,
        >::new()),
    ]
}
