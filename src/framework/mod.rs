//! What terraform-plugin-framework is for Go: cty types, schemas, typed values with msgpack and JSON codecs,
//! attribute paths, diagnostics, the resource / data source / function traits, and the engine applying
//! Terraform's plan and apply rules.
