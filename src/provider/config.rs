//! The provider block: its schema (the same argument names alicloud provider users know) and its parsed form.

use crate::framework::diagnostics::Diagnostics;
use crate::framework::path::AttributePath;
use crate::framework::schema::{Attribute, Block, Nesting, Schema};
use crate::framework::value::Value;
use crate::provider::alicloud::Secret;
use crate::provider::alicloud::credentials::{AssumeRoleConfig, CredentialsConfig, OidcConfig};
use crate::provider::alicloud::transport::SignatureVersion;
use crate::ram::account::parse_role_arn;
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
    let assume_role_with_oidc = Block::new("Exchange an OIDC token (a CI job's, such as GitHub Actions' or GitLab's, or an ACK pod's RRSA token) for a session of a RAM role with STS `AssumeRoleWithOIDC`, as the alicloud provider does: used when no access key was found in the arguments, the environment, a profile, a credentials URI or `ecs_role_name`. Each argument left out is read from its environment variable. An `assume_role` block chains on top of the session.")
        .attribute(Attribute::string("oidc_provider_arn").optional().description("ARN of the OIDC identity provider registered in RAM, such as `acs:ram::1234567890123456:oidc-provider/github`. Also read from `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`.").validate(|v| {
            let arn = v.as_str().unwrap_or_default();
            if arn.starts_with("acs:ram::") && arn.contains(":oidc-provider/") {
                Ok(())
            } else {
                Err(format!("oidc_provider_arn must be an OIDC provider ARN, acs:ram::<account ID>:oidc-provider/<name>, not {arn:?}."))
            }
        }))
        .attribute(Attribute::string("role_arn").optional().description("ARN of the role to assume, whose trust policy admits the OIDC provider. Also read from `ALIBABA_CLOUD_ROLE_ARN`.").validate(|v| {
            let arn = v.as_str().unwrap_or_default();
            parse_role_arn(arn).map(drop).ok_or_else(|| format!("role_arn must be a role ARN, acs:ram::<account ID>:role/<name>, not {arn:?}."))
        }))
        .attribute(Attribute::string("oidc_token").optional().sensitive().description("The OIDC token itself. Also read from `ALIBABA_CLOUD_OIDC_TOKEN`. Prefer `oidc_token_file`: a file is read again whenever the session is renewed, so a rotated token is picked up.").validate(|v| {
            // The length only: the token is a secret and is never quoted.
            let length = v.as_str().unwrap_or_default().chars().count();
            if (4..=20_000).contains(&length) {
                Ok(())
            } else {
                Err(format!("oidc_token must be 4 to 20000 characters long; the one given has {length}."))
            }
        }))
        .attribute(Attribute::string("oidc_token_file").optional().description("Path of a file holding the OIDC token, read again whenever the session is renewed. Also read from `ALIBABA_CLOUD_OIDC_TOKEN_FILE`. Set this or `oidc_token`, not both."))
        .attribute(Attribute::string("role_session_name").optional().description("Role session name. Also read from `ALIBABA_CLOUD_ROLE_SESSION_NAME`; defaults to `terraform`."))
        .attribute(Attribute::number("session_expiration").optional().description("Session duration in seconds, 900 up to the role's maximum session duration. Defaults to STS's 3600.").validate(|v| match v.as_i64() {
            Some(n) if (900..=43_200).contains(&n) => Ok(()),
            _ => Err(format!("session_expiration must be a whole number of seconds from 900 to 43200, not {v:?}.")),
        }))
        .attribute(Attribute::string("policy").optional().description("A policy document further restricting the session."));
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
    .attribute(
        Attribute::string("signature_version")
            .optional()
            .description("Request signature: `v1` (HMAC-SHA1 over the parameters, the default, what RAM and STS have always accepted) or `v3` (`ACS3-HMAC-SHA256` in an `Authorization` header, the default of today's Alibaba Cloud SDKs).")
            .validate(|v| {
                let name = v.as_str().unwrap_or_default();
                match SignatureVersion::from_name(name) {
                    Some(_) => Ok(()),
                    None => Err(format!(
                        "signature_version must be one of {}, not {name:?}.",
                        SignatureVersion::NAMES.map(|n| format!("\"{n}\"")).join(", ")
                    )),
                }
            }),
    )
    .attribute(Attribute::string("account_role_name").optional().description("Role the provider assumes, with its own credentials, in every other account a resource or data source names with `account_id`: `acs:ram::<account_id>:role/<account_role_name>`. Defaults to `ResourceDirectoryAccountAccessRole`, the role Resource Directory creates in each member account, trusting the management account.").validate(|v| match v.as_str() {
        Some(name) => crate::ram::role_rules::check_role_name(name).map_err(|e| format!("account_role_name: {e}.")),
        None => Ok(()),
    }))
    .attribute(Attribute::string("account_role_session_name").optional().description("Role session name for `account_role_name` sessions. Defaults to `terraform`."))
    .attribute(Attribute::string("account_role_external_id").optional().description("External ID the trust policy of `account_role_name` requires, if any."))
    .block("assume_role", Nesting::Single, assume_role, 1)
    .block("assume_role_with_oidc", Nesting::Single, assume_role_with_oidc, 1)
    .block("endpoints", Nesting::Single, endpoints, 1);
    Schema::new(block)
}

/// Checks of the provider block beyond single attributes, at validate (values may be unknown): the
/// `assume_role_with_oidc` block takes the token or its file, not both.
pub fn validate(config: &Value, diagnostics: &mut Diagnostics) {
    let oidc = config.attr("assume_role_with_oidc");
    let given = |name: &str| {
        let value = oidc.attr(name);
        !value.is_null() && value.as_str() != Some("")
    };
    if given("oidc_token") && given("oidc_token_file") {
        diagnostics.add_attribute_error(
            AttributePath::root("assume_role_with_oidc").attribute("oidc_token_file"),
            "Conflicting OIDC Token Arguments",
            "assume_role_with_oidc takes oidc_token or oidc_token_file, not both: set the file (read again at every \
             renewal, so a rotated token is used) or the token itself.",
        );
    }
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
    /// `signature_version` (validated at validate time, so an unknown name here means unset).
    pub signature_version: SignatureVersion,
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
        let oidc = v.attr("assume_role_with_oidc");
        let endpoints = v.attr("endpoints");
        let credentials = CredentialsConfig {
            access_key: string(v, "access_key"),
            secret_key: string(v, "secret_key").map(Secret::new),
            security_token: string(v, "security_token").map(Secret::new),
            profile: string(v, "profile"),
            shared_credentials_file: string(v, "shared_credentials_file"),
            ecs_role_name: string(v, "ecs_role_name"),
            ecs_metadata_url: None,
            // The block counts when present, even empty: its arguments may all come from the environment.
            assume_role_with_oidc: (!oidc.is_null()).then(|| OidcConfig {
                oidc_provider_arn: string(oidc, "oidc_provider_arn"),
                role_arn: string(oidc, "role_arn"),
                oidc_token: string(oidc, "oidc_token").map(Secret::new),
                oidc_token_file: string(oidc, "oidc_token_file"),
                role_session_name: string(oidc, "role_session_name"),
                session_expiration: oidc
                    .attr("session_expiration")
                    .as_i64()
                    .and_then(|n| u32::try_from(n).ok()),
                policy: string(oidc, "policy"),
            }),
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
            signature_version: string(v, "signature_version")
                .and_then(|name| SignatureVersion::from_name(&name))
                .unwrap_or_default(),
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
        assert_eq!(c.signature_version, SignatureVersion::V1);
        assert_eq!(c.account_role_name, None);
    }

    #[test]
    fn signature_version_takes_v1_or_v3_and_names_the_rest() {
        let s = schema();
        let attribute = s
            .block
            .find_attribute("signature_version")
            .expect("declared");
        let check = |name: &str| {
            attribute
                .validators
                .iter()
                .map(|validate| validate(&Value::string(name)))
                .collect::<Result<Vec<()>, String>>()
        };
        assert!(check("v1").is_ok() && check("v3").is_ok());
        assert_eq!(
            check("v2").unwrap_err(),
            r#"signature_version must be one of "v1", "v3", not "v2"."#
        );
        let c = ProviderConfig::from_value(&Value::object([(
            "signature_version",
            Value::string("v3"),
        )]));
        assert_eq!(c.signature_version, SignatureVersion::V3);
    }

    #[test]
    fn an_oidc_block_counts_even_empty_and_its_checks_never_quote_the_token() {
        let empty = ProviderConfig::from_value(&Value::object([(
            "assume_role_with_oidc",
            Value::object::<_, &str>([]),
        )]));
        assert!(empty.credentials.assume_role_with_oidc.is_some());
        assert!(
            ProviderConfig::from_value(&Value::object::<_, &str>([]))
                .credentials
                .assume_role_with_oidc
                .is_none()
        );
        let s = schema();
        let block = &s
            .block
            .blocks
            .iter()
            .find(|b| b.name == "assume_role_with_oidc")
            .expect("declared")
            .block;
        let check = |name: &str, value: Value| {
            block
                .find_attribute(name)
                .expect("declared")
                .validators
                .iter()
                .map(|validate| validate(&value))
                .collect::<Result<Vec<()>, String>>()
        };
        assert!(
            block
                .find_attribute("oidc_token")
                .is_some_and(|a| a.sensitive)
        );
        assert_eq!(
            check("oidc_token", Value::string("abc")).unwrap_err(),
            "oidc_token must be 4 to 20000 characters long; the one given has 3."
        );
        assert!(check("oidc_token", Value::string("abcd")).is_ok());
        assert_eq!(
            check("role_arn", Value::string("acs:ram::1:user/x")).unwrap_err(),
            r#"role_arn must be a role ARN, acs:ram::<account ID>:role/<name>, not "acs:ram::1:user/x"."#
        );
        assert!(
            check(
                "oidc_provider_arn",
                Value::string("acs:ram::1234567890123456:oidc-provider/github")
            )
            .is_ok()
        );
        assert!(check("oidc_provider_arn", Value::string("github")).is_err());
        assert!(check("session_expiration", Value::int(899)).is_err());
        assert!(check("session_expiration", Value::int(900)).is_ok());
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

    #[test]
    fn an_oidc_token_and_its_file_together_are_refused_at_validate() {
        let block = |token: Value| {
            Value::object([(
                "assume_role_with_oidc",
                Value::object([
                    ("oidc_token", token),
                    ("oidc_token_file", Value::string("/run/token")),
                ]),
            )])
        };
        let mut diagnostics = Diagnostics::new();
        validate(&block(Value::string("a-token")), &mut diagnostics);
        let shown: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 1, "{shown:?}");
        assert!(
            shown[0].contains("takes oidc_token or oidc_token_file, not both")
                && !shown[0].contains("a-token"),
            "{shown:?}"
        );
        let mut diagnostics = Diagnostics::new();
        validate(&block(Value::Null), &mut diagnostics);
        assert_eq!(diagnostics.iter().count(), 0);
    }
}
