//! The Alibaba Cloud OpenAPI products this client calls, with their API versions.

use std::fmt;

/// An OpenAPI product called in RPC style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// Resource Access Management, API version 2015-05-01 (global endpoint).
    Ram,
    /// Security Token Service, API version 2015-04-01 (regional endpoints).
    Sts,
    /// Resource Directory (`ResourceDirectoryMaster`), API version 2022-04-19 (global endpoint), as the alicloud
    /// provider calls it for `alicloud_resource_manager_accounts`.
    ResourceDirectory,
}

impl Service {
    /// The value of the `Version` common parameter.
    pub fn api_version(self) -> &'static str {
        match self {
            Self::Ram => "2015-05-01",
            Self::Sts => "2015-04-01",
            Self::ResourceDirectory => "2022-04-19",
        }
    }

    /// The product name as users see it in errors and logs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ram => "RAM",
            Self::Sts => "STS",
            Self::ResourceDirectory => "Resource Directory",
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
