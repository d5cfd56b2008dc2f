//! go-plugin's controller service: Terraform calls Shutdown when it no longer needs the process.

use super::proto::plugin::{Empty, grpc_controller_server::GrpcController};
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

/// Signals the server to exit when Terraform calls Shutdown.
#[derive(Debug, Clone)]
pub struct Controller {
    shutdown: CancellationToken,
}

impl Controller {
    /// A controller that cancels `shutdown`.
    pub fn new(shutdown: CancellationToken) -> Controller {
        Controller { shutdown }
    }
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        tracing::debug!("shutdown requested by Terraform");
        self.shutdown.cancel();
        Ok(Response::new(Empty {}))
    }
}
