//! terraform-provider-aliram: a Terraform provider for the Alibaba Cloud RAM roles behind cross-account DTS and
//! DataWorks access.
//!
//! Three layers, each knowing only the ones below it, and the emulator beside them:
//! - [`server`]: the go-plugin handshake, AutoMTLS and the tfplugin5 gRPC service (the protocol layer);
//! - [`framework`]: cty types, schemas, typed values and their codecs, and the plan/apply engine;
//! - [`provider`]: the aliram provider: Alibaba Cloud client, scenario rules, resources, data sources, functions;
//! - [`ram`]: what Alibaba Cloud RAM and STS themselves do (policy language, limits, rewrites, request
//!   signatures), one model below both the provider and the emulator;
//! - [`emulator`]: a local RAM + STS service (`aliram-emulator`) for demos and tests.

pub mod emulator;
pub mod framework;
pub mod provider;
pub mod ram;
pub mod server;
