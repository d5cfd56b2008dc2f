//! `aliram_caller_identity`: who this provider instance's credentials are. In a multi-account configuration, how
//! each alias learns its account's UID (the `task_account_id` or `dataworks_account_id` of another alias's roles).

use crate::framework::context::Context;
use crate::framework::data_source::{DataSource, ReadDataRequest, ReadDataResponse};
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::value::Value;
use crate::provider::client::{ProviderClient, api_diagnostic};
use async_trait::async_trait;

/// The `aliram_caller_identity` data source.
#[derive(Debug)]
pub struct CallerIdentityDataSource;

#[async_trait]
impl DataSource<ProviderClient> for CallerIdentityDataSource {
    fn type_name(&self) -> &'static str {
        "aliram_caller_identity"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new("The identity of this provider instance's credentials (STS `GetCallerIdentity`): above all the account's UID, which other accounts' roles trust.")
                .attribute(Attribute::string("id").computed().description("The account UID, as `account_id`."))
                .attribute(Attribute::string("account_id").computed().description("UID of the account the credentials belong to (all digits)."))
                .attribute(Attribute::string("arn").computed().description("ARN of the caller, such as `acs:ram::1234567890123456:root` or `acs:ram::1234567890123456:assumed-role/ops/terraform`."))
                .attribute(Attribute::string("identity_type").computed().description("Kind of identity: `Account`, `RAMUser` or `AssumedRoleUser`."))
                .attribute(Attribute::string("principal_id").computed().description("Principal ID of the caller, where the service returns it."))
                .attribute(Attribute::string("user_id").computed().description("ID of the RAM user, for RAM user credentials."))
                .attribute(Attribute::string("role_id").computed().description("ID of the role, for role session credentials.")),
        )
    }

    async fn read(
        &self,
        _ctx: &Context,
        client: &ProviderClient,
        _req: ReadDataRequest,
        resp: &mut ReadDataResponse,
    ) {
        match client.caller_identity().await {
            Ok(me) => {
                resp.state = Value::object([
                    ("id", Value::string(&me.account_id)),
                    ("account_id", Value::string(&me.account_id)),
                    ("arn", Value::string(&me.arn)),
                    ("identity_type", Value::from(me.identity_type.clone())),
                    ("principal_id", Value::from(me.principal_id.clone())),
                    ("user_id", Value::from(me.user_id.clone())),
                    ("role_id", Value::from(me.role_id.clone())),
                ]);
            }
            Err(e) => resp
                .diagnostics
                .push(api_diagnostic("reading the caller identity", &e)),
        }
    }
}
