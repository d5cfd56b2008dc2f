//! The knowledge of the seed documents as data, and the RAM constraints on roles. Pure code only: no I/O, no
//! async. Every rule a user would otherwise apply by hand in a console is a table or a function here, with errors
//! whose text is the detail of a user-facing diagnostic.
//!
//! - [`account`]: Alibaba Cloud account IDs;
//! - [`cross_account_service`]: the services that act across accounts (DTS, DataWorks) and the rule that the
//!   trusted account is another one than the role's;
//! - [`cross_account_shape`]: recognising existing roles: the service a trust policy is the role of, the
//!   accounts it admits;
//! - [`trust_policy`]: trust policies: rendering, lenient parsing, semantic comparison, drift description;
//! - [`dts`]: DTS cross-account tasks: scenarios, database sides, supported databases, two-way synchronisation;
//! - [`dataworks`]: DataWorks cross-account data sources: instance types, their system policies, RDS engines;
//! - [`role_rules`]: RAM's constraints on role names, descriptions, session durations and tags.

pub mod cross_account_service;
pub mod cross_account_shape;
pub mod dataworks;
pub mod dts;
pub mod trust_policy;
