//! The fast tests: everything that needs neither Terraform nor PyPI. The engine against Terraform's plan and
//! apply rules, the codecs, the domain rules, the Alibaba Cloud client against a scripted server, the signer's
//! vectors and the emulator (in process, or as its binary where a test restarts or signals it).
//!
//! `cargo test --test fast` is the inner loop; `cargo test` runs these and the acceptance tests.

#[path = "../support"]
mod support {
    pub mod child;
    pub mod cli_config;
    pub mod emulator_calls;
    pub mod emulator_process;
    pub mod holding_proxy;
    pub mod identities;
    pub mod oidc_federation;
    pub mod scripted_server;
    pub mod signed_form;
    pub mod text;
}

mod client_accounts;
mod client_calls;
mod client_credentials;
mod client_logging;
mod client_retry;
mod client_signer_props;
mod client_stop;
mod client_tag_batching;
mod codec_properties;
mod docs;
mod domain_seed_scenarios;
mod domain_shared_rules;
mod domain_trust_policy_equivalence;
mod domain_trust_policy_rules;
mod emulator_admin_access;
mod emulator_api;
mod emulator_authorization;
mod emulator_documented;
mod emulator_faults;
mod emulator_identities;
mod emulator_oidc;
mod emulator_resource_directory;
mod emulator_shutdown;
mod emulator_state;
mod emulator_state_safety;
mod emulator_trust;
mod emulator_trust_limits;
mod engine;
mod signer_v3_vectors;
mod signer_vectors;
