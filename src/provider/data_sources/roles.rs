//! `aliram_roles`: the roles of this provider instance's account (or of `account_id`), optionally filtered by name, by the account
//! they trust, or by the cross-account service they are the role of: the read-only counterpart of the list
//! resources, for configurations that only look.

use crate::framework::context::Context;
use crate::framework::data_source::{DataSource, ReadDataRequest, ReadDataResponse};
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::types::Type;
use crate::framework::value::Value;
use crate::provider::client::{ProviderClient, api_diagnostic};
use crate::provider::role_inventory::{ListedRole, RoleLister};
use crate::provider::role_query;
use async_trait::async_trait;

/// The `aliram_roles` data source.
#[derive(Debug)]
pub struct RolesDataSource;

fn role_type() -> Type {
    Type::object([
        ("role_name", Type::String),
        ("arn", Type::String),
        ("trust_policy", Type::String),
        ("policy_names", Type::set(Type::String)),
        ("tags", Type::map(Type::String)),
    ])
}

fn role_value(listed: &ListedRole) -> Value {
    let details = listed.details.as_ref();
    let trust_policy = details
        .and_then(|d| d.trust_policy.as_ref())
        .map(|p| p.canonical(None).to_json())
        .or_else(|| details.and_then(|d| d.role.assume_role_policy_document.clone()));
    Value::object([
        ("role_name", Value::string(&listed.summary.role_name)),
        ("arn", Value::string(&listed.summary.arn)),
        ("trust_policy", Value::from(trust_policy)),
        (
            "policy_names",
            Value::string_set(details.map(|d| d.policy_names()).unwrap_or_default()),
        ),
        (
            "tags",
            Value::string_map(listed.tags.iter().map(|(k, v)| (k.clone(), v.clone()))),
        ),
    ])
}

#[async_trait]
impl DataSource<ProviderClient> for RolesDataSource {
    fn type_name(&self) -> &'static str {
        "aliram_roles"
    }

    fn schema(&self) -> Schema {
        let mut block = Block::new(
            "The RAM roles of this provider instance's account (or of the account `account_id` names), in the order RAM lists them, optionally filtered. \
             Each role's trust policy and attached policies are read, so a large account costs two calls per \
             matching role.",
        );
        for filter in role_query::filter_attributes(true) {
            block = block.attribute(filter);
        }
        Schema::new(block.attribute(
            Attribute::new("roles", Type::list(role_type()))
                .computed()
                .description("The matching roles: `role_name`, `arn`, `trust_policy` (canonical compact JSON, as `provider::aliram::normalize_trust_policy` gives it), `policy_names` (attached policies) and `tags`."),
        ))
    }

    async fn read(
        &self,
        _ctx: &Context,
        client: &ProviderClient,
        req: ReadDataRequest,
        resp: &mut ReadDataResponse,
    ) {
        let mut query = match role_query::from_config(&req.config) {
            Ok(q) => q,
            Err(d) => {
                resp.diagnostics.push(d);
                return;
            }
        };
        query.details = true;
        let target = match role_query::listing_client(client, &req.config).await {
            Ok(target) => target,
            Err(d) => {
                resp.diagnostics.push(d);
                return;
            }
        };
        let mut lister = RoleLister::new(&target.api, &query);
        let mut roles = Vec::new();
        loop {
            match lister.next_page().await {
                Ok(Some(page)) => roles.extend(page.iter().map(role_value)),
                Ok(None) => break,
                Err(e) => {
                    resp.diagnostics
                        .push(api_diagnostic("listing the account's roles", &e));
                    return;
                }
            }
        }
        resp.state.set_attr("roles", Value::List(roles));
    }
}
