//! The aliram provider: its configuration, the Alibaba Cloud client, the domain rules as data, and the
//! resources, data sources and functions built on the framework.

pub mod alicloud;
pub mod domain;
