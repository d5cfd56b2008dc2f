//! Alibaba Cloud request signatures: how a caller proves it holds an access key secret, and how the service
//! checks it. [`v1`] is the RPC signature version 1.0 (HMAC-SHA1) that RAM and STS have always accepted; [`v3`]
//! is `ACS3-HMAC-SHA256`, the default of today's tea SDKs, built on v1's percent-encoding. The provider signs and
//! the emulator verifies with the same functions.

pub mod v1;
pub mod v3;
