//! The knowledge of the seed documents as data: DTS scenarios and supported databases, DataWorks policies,
//! trust policy rendering and semantic comparison, and the RAM constraints on roles.
//!
//! Pure code only: no I/O, no async. Every rule a user would otherwise apply by hand in a console is a table or a
//! function here, with errors whose text is the detail of a user-facing diagnostic.

mod accepted_values;
/// Alibaba Cloud account IDs.
pub mod account;
/// The services that act across accounts (DTS, DataWorks) and the rule that the trusted account is another one.
pub mod cross_account_service;
/// DataWorks cross-account data sources: instance types, their system policies, RDS engines.
pub mod dataworks;
/// DTS cross-account tasks: scenarios, database sides, supported databases, two-way synchronisation.
pub mod dts;
/// RAM's constraints on role names, descriptions, session durations and tags.
pub mod role_rules;
/// Trust policies: rendering, lenient parsing, semantic comparison, drift description.
pub mod trust_policy;
