//! The provider block: its schema (the same argument names alicloud provider users know) and its parsed form.

use crate::framework::schema::{Attribute, Block, Nesting, Schema};
use crate::framework::value::Value;
use crate::provider::alicloud::Secret;
use crate::provider::alicloud::credentials::{AssumeRoleConfig, CredentialsConfig};
use std::num::NonZeroU32;
use std::time::Duration;

/// The provider block's schema.
pub fn schema() -> Schema {
    let assume_role = Block::new("Assume a RAM role on top of whichever credentials were found, as the alicloud provider does.")
        .attribute(Attribute::string("role_arn").required().description("ARN of the role to assume, such as `acs:ram::1234567890123456:role/terraform`."))
        .attribute(Attribute::string("session_name").optional().description("Role session name. Defaults to `terraform`."))
        .attribute(Attribute::number("session_expiration").optional().description("Session duration in seconds, 900 to 43200. Defaults to 3600."))
        .attribute(Attribute::string("external_id").optional().description("External ID the role's trust policy requires, if any."))
        .attribute(Attribute::string("policy").optional().description("A policy document further restricting the assumed session."));
    let endpoints = Block::new("Custom API endpoints, for a private endpoint or the local `aliram-emulator`.")
        .attribute(Attribute::string("ram").optional().description("RAM endpoint: a bare host name (HTTPS), or a URL. Plain `http://` is accepted for loopback addresses only."))
        .attribute(Attribute::string("sts").optional().description("STS endpoint: a bare host name (HTTPS), or a URL. Plain `http://` is accepted for loopback addresses only."))
        .attribute(Attribute::string("resourcemanager").optional().description("Resource Directory endpoint (`resourcemanager.aliyuncs.com` by default), used by `aliram_resource_directory_accounts`: a bare host name (HTTPS), or a URL. Plain `http://` is accepted for loopback addresses only."));
    let block = Block::new(
        "The aliram provider manages the Alibaba Cloud RAM roles behind cross-account DTS tasks and DataWorks data \
         sources. A provider instance works in the account its credentials belong to, and in any other account a \
         resource names with `account_id`, through the role `account_role_name` there (Resource Directory's \
         access role by default), so one provider block can serve an organization's accounts.",
    )
    .attribute(Attribute::string("access_key").optional().description("Access key ID. Also read from `ALIBABA_CLOUD_ACCESS_KEY_ID` or `ALICLOUD_ACCESS_KEY`."))
    .attribute(Attribute::string("secret_key").optional().sensitive().description("Access key secret. Also read from `ALIBABA_CLOUD_ACCESS_KEY_SECRET` or `ALICLOUD_SECRET_KEY`."))
    .attribute(Attribute::string("security_token").optional().sensitive().description("STS security token, with temporary credentials. Also read from `ALIBABA_CLOUD_SECURITY_TOKEN` or `ALICLOUD_SECURITY_TOKEN`."))
    .attribute(Attribute::string("region").optional().description("Region, used for the regional STS endpoint. Also read from `ALIBABA_CLOUD_REGION` or `ALICLOUD_REGION`; defaults to `cn-hangzhou`."))
    .attribute(Attribute::string("profile").optional().description("Profile of the aliyun CLI configuration file to use; defaults to its `current` profile."))
    .attribute(Attribute::string("shared_credentials_file").optional().description("Path of the aliyun CLI configuration file; defaults to `~/.aliyun/config.json`."))
    .attribute(Attribute::string("ecs_role_name").optional().description("RAM role of the ECS instance to take credentials from (instance metadata)."))
    .attribute(
        Attribute::number("max_requests_per_second")
            .optional()
            .description("Optional fixed cap on API calls per second for this provider instance, all actions together. Unset by default: the provider then sends as fast as Terraform asks and, once RAM answers `Throttling`, adapts its rate per API action to RAM's flow control.")
            .validate(|v| match v.as_i64() {
                Some(n) if n >= 1 => Ok(()),
                _ => Err(format!("max_requests_per_second must be a whole number of at least 1, not {v:?}.")),
            }),
    )
    .attribute(
        Attribute::number("max_retry_timeout")
            .optional()
            .description("Seconds one API call may spend retrying throttling and unavailability before it fails. Defaults to 120.")
            .validate(|v| match v.as_i64() {
                Some(n) if n >= 0 => Ok(()),
                _ => Err(format!("max_retry_timeout must be a whole number of seconds, 0 or more, not {v:?}.")),
            }),
    )
    .attribute(
        Attribute::number("propagation_timeout")
            .optional()
            .description("Seconds to wait, after creating a role or attaching a policy, until RAM's reads show it (RAM is eventually consistent), and for how long the writes right after CreateRole may still answer `EntityNotExist.Role`. Defaults to 120. When the wait ends with every write acknowledged, the apply succeeds with a warning: the role is complete, reads have not caught up yet.")
            .validate(|v| match v.as_i64() {
                Some(n) if n >= 1 => Ok(()),
                _ => Err(format!("propagation_timeout must be a whole number of seconds, 1 or more, not {v:?}.")),
            }),
    )
    .attribute(Attribute::string("account_role_name").optional().description("Role the provider assumes, with its own credentials, in every other account a resource or data source names with `account_id`: `acs:ram::<account_id>:role/<account_role_name>`. Defaults to `ResourceDirectoryAccountAccessRole`, the role Resource Directory creates in each member account, trusting the management account.").validate(|v| match v.as_str() {
        Some(name) => crate::ram::role_rules::check_role_name(name).map_err(|e| format!("account_role_name: {e}.")),
        None => Ok(()),
    }))
    .attribute(Attribute::string("account_role_session_name").optional().description("Role session name for `account_role_name` sessions. Defaults to `terraform`."))
    .attribute(Attribute::string("account_role_external_id").optional().description("External ID the trust policy of `account_role_name` requires, if any."))
    .block("assume_role", Nesting::Single, assume_role, 1)
    .block("endpoints", Nesting::Single, endpoints, 1);
    Schema::new(block)
}

/// The provider block, parsed: the credential sources as the client's chain takes them, and the client settings.
#[derive(Clone, Debug, Default)]
pub struct ProviderConfig {
    /// Credential sources, tried in order by [`crate::provider::alicloud::resolve_credentials`].
    pub credentials: CredentialsConfig,
    /// `region`.
    pub region: Option<String>,
    /// `endpoints.ram`.
    pub ram_endpoint: Option<String>,
    /// `endpoints.sts`.
    pub sts_endpoint: Option<String>,
    /// `endpoints.resourcemanager`.
    pub resource_manager_endpoint: Option<String>,
    /// `max_requests_per_second`.
    pub max_requests_per_second: Option<NonZeroU32>,
    /// `max_retry_timeout`.
    pub max_retry_timeout: Option<Duration>,
    /// `propagation_timeout`.
    pub propagation_timeout: Option<Duration>,
    /// `account_role_name`.
    pub account_role_name: Option<String>,
    /// `account_role_session_name`.
    pub account_role_session_name: Option<String>,
    /// `account_role_external_id`.
    pub account_role_external_id: Option<String>,
}

fn string(v: &Value, name: &str) -> Option<String> {
    v.attr(name)
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn seconds(v: &Value, name: &str) -> Option<Duration> {
    v.attr(name)
        .as_i64()
        .and_then(|n| u64::try_from(n).ok())
        .map(Duration::from_secs)
}

impl ProviderConfig {
    /// Parses a provider block (unknown or null attributes count as unset).
    pub fn from_value(v: &Value) -> ProviderConfig {
        let assume = v.attr("assume_role");
        let endpoints = v.attr("endpoints");
        let credentials = CredentialsConfig {
            access_key: string(v, "access_key"),
            secret_key: string(v, "secret_key").map(Secret::new),
            security_token: string(v, "security_token").map(Secret::new),
            profile: string(v, "profile"),
            shared_credentials_file: string(v, "shared_credentials_file"),
            ecs_role_name: string(v, "ecs_role_name"),
            ecs_metadata_url: None,
            assume_role: string(assume, "role_arn").map(|role_arn| AssumeRoleConfig {
                role_arn,
                session_name: string(assume, "session_name"),
                session_expiration: assume
                    .attr("session_expiration")
                    .as_i64()
                    .and_then(|n| u32::try_from(n).ok()),
                external_id: string(assume, "external_id"),
                policy: string(assume, "policy"),
            }),
        };
        ProviderConfig {
            credentials,
            region: string(v, "region"),
            ram_endpoint: string(endpoints, "ram"),
            sts_endpoint: string(endpoints, "sts"),
            resource_manager_endpoint: string(endpoints, "resourcemanager"),
            max_requests_per_second: v
                .attr("max_requests_per_second")
                .as_i64()
                .and_then(|n| u32::try_from(n).ok())
                .and_then(NonZeroU32::new),
            max_retry_timeout: seconds(v, "max_retry_timeout"),
            propagation_timeout: seconds(v, "propagation_timeout"),
            account_role_name: string(v, "account_role_name"),
            account_role_session_name: string(v, "account_role_session_name"),
            account_role_external_id: string(v, "account_role_external_id"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_sensitive_and_redacted() {
        let s = schema();
        for name in ["secret_key", "security_token"] {
            assert!(
                s.block.find_attribute(name).is_some_and(|a| a.sensitive),
                "{name}"
            );
        }
        let config = ProviderConfig::from_value(&Value::object([
            ("secret_key", Value::string("s3cr3t")),
            ("security_token", Value::string("t0k3n")),
        ]));
        let shown = format!("{config:?}");
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("t0k3n"),
            "{shown}"
        );
    }

    #[test]
    fn parses_nested_blocks() {
        let v = Value::object([
            ("region", Value::string("cn-shanghai")),
            (
                "assume_role",
                Value::object([("role_arn", Value::string("acs:ram::1:role/x"))]),
            ),
            (
                "endpoints",
                Value::object([("ram", Value::string("http://127.0.0.1:1"))]),
            ),
        ]);
        let c = ProviderConfig::from_value(&v);
        assert_eq!(c.region.as_deref(), Some("cn-shanghai"));
        assert_eq!(
            c.credentials.assume_role.map(|a| a.role_arn).as_deref(),
            Some("acs:ram::1:role/x")
        );
        assert_eq!(c.ram_endpoint.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(c.account_role_name, None);
    }

    #[test]
    fn parses_the_access_role_of_other_accounts() {
        let c = ProviderConfig::from_value(&Value::object([
            ("account_role_name", Value::string("OrgAccess")),
            ("account_role_session_name", Value::string("platform")),
            ("account_role_external_id", Value::string("abc")),
            (
                "endpoints",
                Value::object([("resourcemanager", Value::string("http://127.0.0.1:2"))]),
            ),
        ]));
        assert_eq!(c.account_role_name.as_deref(), Some("OrgAccess"));
        assert_eq!(c.account_role_session_name.as_deref(), Some("platform"));
        assert_eq!(c.account_role_external_id.as_deref(), Some("abc"));
        assert_eq!(
            c.resource_manager_endpoint.as_deref(),
            Some("http://127.0.0.1:2")
        );
        let schema = schema();
        let attribute = schema.block.find_attribute("account_role_name").unwrap();
        let refused = attribute.validators[0](&Value::string("a b")).unwrap_err();
        assert!(refused.starts_with("account_role_name: "), "{refused}");
    }
}
