//! The context every provider call receives.

use tokio_util::sync::CancellationToken;

/// What every call into provider code receives besides its request.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// Cancelled when Terraform sends Stop (the user interrupted): long waits and retries should give up.
    pub cancel: CancellationToken,
}
