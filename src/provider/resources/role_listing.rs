//! The list resources of `terraform query`, one per role resource type: `aliram_role` lists every role,
//! `aliram_cross_account_dts_role` and `aliram_dataworks_source_role` the roles that are exactly that service's
//! cross-account role. Each result is a role's identity and, with `include_resource = true`, the state an import
//! of it would have, so that `-generate-config-out` writes configuration that plans with no changes.

use super::attributes;
use super::role_api::RemoteRole;
use super::role_identity;
use super::role_resource::RoleKind;
use super::role_state::flatten;
use crate::framework::context::Context;
use crate::framework::diagnostics::Diagnostic;
use crate::framework::list_resource::{ListRequest, ListResource, ListResult, ListSink};
use crate::framework::schema::{Block, Schema};
use crate::framework::value::Value;
use crate::provider::client::{ProviderClient, api_diagnostic};
use crate::provider::role_inventory::{ListedRole, RoleLister};
use crate::provider::role_query;
use async_trait::async_trait;
use std::marker::PhantomData;

/// The list resource of role kind `K`.
#[derive(Debug, Default)]
pub(crate) struct RoleListResource<K>(PhantomData<K>);

impl<K: RoleKind> RoleListResource<K> {
    /// The list resource.
    pub(crate) fn new() -> Self {
        RoleListResource(PhantomData)
    }
}

/// The state an import of `listed` would have after its first read (details must have been read).
fn resource_object<K: RoleKind>(listed: &ListedRole) -> Option<Value> {
    let details = listed.details.as_ref()?;
    let remote = RemoteRole {
        role: details.role.clone(),
        policies: details.policies.clone(),
        tags: listed.tags.clone(),
    };
    let mut state = Value::object([(
        attributes::ROLE_NAME,
        Value::string(&listed.summary.role_name),
    )]);
    flatten(&remote, &mut state);
    K::infer(&mut state);
    Some(state)
}

fn list_result<K: RoleKind>(listed: &ListedRole, include_resource_object: bool) -> ListResult {
    let identity_source = Value::object([
        (
            attributes::ROLE_NAME,
            Value::string(&listed.summary.role_name),
        ),
        (attributes::ARN, Value::string(&listed.summary.arn)),
    ]);
    ListResult {
        identity: role_identity::identity(&identity_source),
        display_name: listed.summary.role_name.clone(),
        resource_object: include_resource_object
            .then(|| resource_object::<K>(listed))
            .flatten(),
        ..Default::default()
    }
}

#[async_trait]
impl<K: RoleKind> ListResource<ProviderClient> for RoleListResource<K> {
    fn type_name(&self) -> &'static str {
        K::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        let which = match K::SERVICE {
            Some(service) => format!(
                "the roles of this provider instance's account (or of `account_id`) that are exactly {}'s cross-account role (as \
                 `service = \"{}\"` of the `aliram_roles` data source)",
                service.product(),
                service.filter_name()
            ),
            None => {
                "every role of this provider instance's account (or of `account_id`)".to_owned()
            }
        };
        let mut block = Block::new(&format!(
            "Lists {which}, optionally filtered, in the order RAM lists them; each by its identity \
             (`account_id`, `role_name`)."
        ));
        for filter in role_query::filter_attributes(false) {
            block = block.attribute(filter);
        }
        Schema::new(block)
    }

    async fn list(
        &self,
        _ctx: &Context,
        client: &ProviderClient,
        req: ListRequest,
        sink: &ListSink,
    ) {
        let failed = |d: Diagnostic| ListResult {
            diagnostics: d.into(),
            ..Default::default()
        };
        let mut query = match role_query::from_config(&req.config) {
            Ok(q) => q,
            Err(d) => {
                sink.send(failed(d)).await;
                return;
            }
        };
        query.service = K::SERVICE;
        query.details = req.include_resource_object;
        let target = match role_query::listing_client(client, &req.config).await {
            Ok(target) => target,
            Err(d) => {
                sink.send(failed(d)).await;
                return;
            }
        };
        let mut lister = RoleLister::new(&target.api, &query);
        let mut sent = 0;
        loop {
            let page = match lister.next_page().await {
                Ok(Some(page)) => page,
                Ok(None) => return,
                Err(e) => {
                    sink.send(failed(api_diagnostic("listing the account's roles", &e)))
                        .await;
                    return;
                }
            };
            for listed in &page {
                if sent >= req.limit
                    || !sink
                        .send(list_result::<K>(listed, req.include_resource_object))
                        .await
                {
                    return;
                }
                sent += 1;
            }
        }
    }
}
