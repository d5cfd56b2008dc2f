//! What Alibaba Cloud RAM and STS themselves do, whoever calls them: the policy language, RAM's limits and
//! rewrites, and the request signature. One model below both the provider (which checks at plan what RAM would
//! refuse at apply) and the emulator (which refuses it with RAM's codes), so the two cannot drift apart.
//!
//! The test for what belongs here: would the real RAM service do it regardless of DTS or DataWorks? Scenario
//! knowledge (DTS scenarios, DataWorks policies, the trust policies the seed guides prescribe) stays in
//! `provider::domain`. Pure code only: no I/O, no async.
//!
//! - [`account`]: Alibaba Cloud account IDs (UIDs) and the kinds of identity STS reports;
//! - [`role_rules`]: RAM's constraints on role names, descriptions, session durations, tags and policy counts;
//! - [`trust_policy`]: the trust-policy language: model, lenient parsing, canonical form, what RAM accepts, the
//!   own-account rule for service principals, and STS's judgement of who may assume a role;
//! - [`permission_policy`]: permission policies: RAM's grammar and limits, and their evaluation
//!   ([`permission_policy::evaluate`]: explicit deny, implicit deny, role sessions);
//! - [`condition`]: the condition operators; [`arn`]: RAM's resource names and how a `Resource` pattern matches;
//! - [`system_policies`]: the system policies granting RAM / STS permissions, with their documents;
//! - [`access_denied`]: the `NoPermission` refusal and its `AccessDeniedDetail`;
//! - [`wildcard`]: the `*` / `?` matching of actions, resources and `StringLike` conditions;
//! - [`signature`]: request signatures (version 1.0, HMAC-SHA1, and V3, `ACS3-HMAC-SHA256`);
//! - [`strict_json`] and [`canonical_json`]: reading a policy document as RAM does (a repeated key is an error)
//!   and writing one with sorted keys.

pub(crate) mod accepted_values;
pub mod access_denied;
pub mod account;
pub mod arn;
pub mod canonical_json;
pub mod condition;
pub mod permission_policy;
pub mod role_rules;
pub mod signature;
pub mod strict_json;
pub mod system_policies;
pub mod trust_policy;
pub mod wildcard;
