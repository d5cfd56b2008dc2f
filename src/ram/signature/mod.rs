//! Alibaba Cloud request signatures: how a caller proves it holds an access key secret, and how the service
//! checks it. [`v1`] is the RPC signature version 1.0 (HMAC-SHA1) that RAM and STS accept.

pub mod v1;
