//! The Alibaba Cloud RAM and STS client: request signing, HTTP transport, typed calls, errors and retries.

pub mod signer;
