//! The list resource interface (`list` blocks of `terraform query`): finds the existing objects of a managed
//! resource type, each by its identity, optionally with its full state, and streams them to Terraform as found.

use super::context::Context;
use super::diagnostics::Diagnostics;
use super::schema::Schema;
use super::value::Value;
use async_trait::async_trait;
use tokio::sync::mpsc;

/// A listing request.
#[derive(Debug)]
pub struct ListRequest {
    /// The `config` block of the `list` block (its filters); null when the block has none.
    pub config: Value,
    /// Whether each result should carry the object's full state (`include_resource = true`), as needed to
    /// generate configuration.
    pub include_resource_object: bool,
    /// The most results Terraform will take; stop after that many.
    pub limit: i64,
}

/// One object found, or a problem met while listing.
#[derive(Debug, Default)]
pub struct ListResult {
    /// The object's identity (null only with an error).
    pub identity: Value,
    /// A short human name for it.
    pub display_name: String,
    /// Its full state, when asked for.
    pub resource_object: Option<Value>,
    /// Errors and warnings about it, or about the listing (an error ends it).
    pub diagnostics: Diagnostics,
}

/// Where a listing sends its results.
#[derive(Debug, Clone)]
pub struct ListSink(mpsc::Sender<ListResult>);

impl ListSink {
    /// A sink sending into `sender`.
    pub fn new(sender: mpsc::Sender<ListResult>) -> ListSink {
        ListSink(sender)
    }

    /// Sends one result; false when Terraform stopped listening (the listing should stop).
    pub async fn send(&self, result: ListResult) -> bool {
        self.0.send(result).await.is_ok()
    }
}

/// A list resource type: same name as the managed resource type whose objects it finds.
#[async_trait]
pub trait ListResource<C: Send + Sync>: Send + Sync {
    /// The type name, the managed resource type's.
    fn type_name(&self) -> &'static str;

    /// The schema of the `config` block (the filters).
    fn schema(&self) -> Schema;

    /// Extension: checks a configuration beyond attribute validators. Values may be unknown.
    fn validate_config(&self, _config: &Value, _diagnostics: &mut Diagnostics) {}

    /// Finds the objects and sends each to `sink`, at most `req.limit` of them.
    async fn list(&self, ctx: &Context, client: &C, req: ListRequest, sink: &ListSink);
}
