//! Region and endpoint resolution: the regional STS endpoint, the global RAM endpoint, and user overrides
//! given as a bare host name (as in the alicloud provider) or a URL.
//!
//! HTTPS with certificate verification is the default; plain `http://` is accepted only for loopback hosts
//! (the emulator and tests), so a typo cannot send credentials-signed requests in clear text over a network.

use super::environment::Environment;
use super::service::Service;
use reqwest::Url;
use std::net::IpAddr;

/// The region used when neither the configuration nor the environment names one.
pub const DEFAULT_REGION: &str = "cn-hangzhou";

/// Environment variables naming the region, first wins (current spelling before the deprecated one).
pub const REGION_ENV_VARS: &[&str] = &["ALIBABA_CLOUD_REGION", "ALICLOUD_REGION"];

/// RAM is a global service with one endpoint for every region.
pub const RAM_HOST: &str = "ram.aliyuncs.com";
/// Resource Directory's global endpoint (Resource Manager's host).
pub const RESOURCE_MANAGER_HOST: &str = "resourcemanager.aliyuncs.com";

/// Why an endpoint override was rejected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EndpointError {
    /// The value is neither a host name nor a URL.
    #[error("endpoint for {service} {value:?} is not a host name or URL: {reason}")]
    Invalid {
        /// The product whose endpoint was overridden.
        service: Service,
        /// The value as configured.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Plain HTTP to a host that is not loopback.
    #[error(
        "endpoint for {service} {value:?} uses plain http:// to a non-loopback host; use https:// (http is accepted only for 127.0.0.0/8, ::1 and localhost)"
    )]
    InsecureHttp {
        /// The product whose endpoint was overridden.
        service: Service,
        /// The value as configured.
        value: String,
    },
}

/// The region: the configured value, else the environment, else [`DEFAULT_REGION`].
pub fn resolve_region(configured: Option<&str>, env: &dyn Environment) -> String {
    configured
        .filter(|region| !region.is_empty())
        .map(str::to_owned)
        .or_else(|| env.first_of(REGION_ENV_VARS).map(|(_, region)| region))
        .unwrap_or_else(|| DEFAULT_REGION.to_owned())
}

/// The base URL requests for one product are POSTed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint(Url);

impl Endpoint {
    /// Parses an override: a bare host (optionally with `:port`) means `https://host/`; a URL must be
    /// `https://…`, or `http://…` to a loopback host.
    pub fn parse(service: Service, value: &str) -> Result<Self, EndpointError> {
        let invalid = |reason: String| EndpointError::Invalid {
            service,
            value: value.to_owned(),
            reason,
        };
        let text = if value.contains("://") {
            value.to_owned()
        } else {
            format!("https://{value}")
        };
        let url = Url::parse(&text).map_err(|e| invalid(e.to_string()))?;
        if url.host().is_none() {
            return Err(invalid("no host".to_owned()));
        }
        if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
            return Err(invalid(
                "a query, fragment or user name is not allowed".to_owned(),
            ));
        }
        match url.scheme() {
            "https" => Ok(Self(url)),
            "http" if is_loopback(&url) => Ok(Self(url)),
            "http" => Err(EndpointError::InsecureHttp {
                service,
                value: value.to_owned(),
            }),
            other => Err(invalid(format!("unsupported scheme {other:?}"))),
        }
    }

    /// The URL to POST to.
    pub fn url(&self) -> &Url {
        &self.0
    }
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The endpoints of both products for one provider configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// Where RAM calls go.
    pub ram: Endpoint,
    /// Where STS calls go.
    pub sts: Endpoint,
    /// Where Resource Directory calls go.
    pub resource_manager: Endpoint,
}

impl Endpoints {
    /// The defaults for `region` (`ram.aliyuncs.com`, `sts.<region>.aliyuncs.com`), each replaced by its
    /// override when one is given; an empty override means the default, as in the alicloud provider.
    pub fn resolve(
        region: &str,
        ram_override: Option<&str>,
        sts_override: Option<&str>,
    ) -> Result<Self, EndpointError> {
        let pick = |service, custom: Option<&str>, default: String| {
            Endpoint::parse(
                service,
                custom.filter(|v| !v.is_empty()).unwrap_or(&default),
            )
        };
        Ok(Self {
            ram: pick(Service::Ram, ram_override, RAM_HOST.to_owned())?,
            sts: pick(
                Service::Sts,
                sts_override,
                format!("sts.{region}.aliyuncs.com"),
            )?,
            resource_manager: pick(
                Service::ResourceDirectory,
                None,
                RESOURCE_MANAGER_HOST.to_owned(),
            )?,
        })
    }

    /// Sends Resource Directory calls to `custom` (a bare host or URL) instead of the default; `None` or empty
    /// keeps the default.
    pub fn with_resource_manager(mut self, custom: Option<&str>) -> Result<Self, EndpointError> {
        if let Some(custom) = custom.filter(|v| !v.is_empty()) {
            self.resource_manager = Endpoint::parse(Service::ResourceDirectory, custom)?;
        }
        Ok(self)
    }

    /// The endpoint of `service`.
    pub fn of(&self, service: Service) -> &Endpoint {
        match service {
            Service::Ram => &self.ram,
            Service::Sts => &self.sts,
            Service::ResourceDirectory => &self.resource_manager,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::alicloud::environment::FixedEnvironment;

    #[test]
    fn region_prefers_configuration_then_each_variable_then_default() {
        let both = FixedEnvironment::from_pairs([
            ("ALIBABA_CLOUD_REGION", "cn-shanghai"),
            ("ALICLOUD_REGION", "cn-beijing"),
        ]);
        let old = FixedEnvironment::from_pairs([("ALICLOUD_REGION", "cn-beijing")]);
        assert_eq!(resolve_region(Some("eu-central-1"), &both), "eu-central-1");
        assert_eq!(resolve_region(None, &both), "cn-shanghai");
        assert_eq!(resolve_region(Some(""), &old), "cn-beijing");
        assert_eq!(
            resolve_region(None, &FixedEnvironment::default()),
            DEFAULT_REGION
        );
    }

    #[test]
    fn defaults_are_https_and_sts_is_regional() {
        let endpoints = Endpoints::resolve("cn-shanghai", None, Some("")).unwrap();
        assert_eq!(endpoints.ram.url().as_str(), "https://ram.aliyuncs.com/");
        assert_eq!(
            endpoints.sts.url().as_str(),
            "https://sts.cn-shanghai.aliyuncs.com/"
        );
    }

    #[test]
    fn overrides_accept_bare_hosts_and_urls() {
        let endpoints = Endpoints::resolve(
            "cn-hangzhou",
            Some("ram.example.internal:8443"),
            Some("http://127.0.0.1:9000"),
        )
        .unwrap();
        assert_eq!(
            endpoints.ram.url().as_str(),
            "https://ram.example.internal:8443/"
        );
        assert_eq!(endpoints.sts.url().as_str(), "http://127.0.0.1:9000/");
        for loopback in ["http://localhost:1", "http://[::1]:2", "http://127.9.9.9"] {
            assert!(
                Endpoint::parse(Service::Ram, loopback).is_ok(),
                "{loopback}"
            );
        }
    }

    #[test]
    fn plain_http_to_a_remote_host_is_refused_naming_the_value() {
        let err = Endpoint::parse(Service::Sts, "http://sts.aliyuncs.com").unwrap_err();
        assert!(matches!(err, EndpointError::InsecureHttp { .. }));
        assert!(err.to_string().contains("http://sts.aliyuncs.com"), "{err}");
        let err = Endpoint::parse(Service::Ram, "ftp://ram.aliyuncs.com").unwrap_err();
        assert!(err.to_string().contains("ftp://ram.aliyuncs.com"), "{err}");
    }
}
