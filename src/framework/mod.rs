//! What terraform-plugin-framework is for Go: cty types, schemas, typed values with msgpack and JSON codecs,
//! attribute paths, diagnostics, the resource / data source / function / action traits, and the engine applying
//! Terraform's plan and apply rules. Nothing here knows the protocol's wire types.

pub mod action;
pub mod context;
pub mod data_source;
pub mod diagnostics;
pub mod docs;
pub mod engine;
pub mod function;
pub mod identity;
pub mod json;
pub mod list_resource;
pub mod msgpack;
pub mod path;
pub mod provider;
pub mod resource;
pub mod schema;
pub mod types;
pub mod value;
