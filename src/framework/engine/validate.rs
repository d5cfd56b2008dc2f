//! Configuration checks: ValidateProviderConfig, ValidateResourceConfig and ValidateDataSourceConfig.
//!
//! Attribute validators run on every known, non-null value, at any nesting depth; then the provider's own
//! cross-attribute checks.

use super::Engine;
use crate::framework::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::path::AttributePath;
use crate::framework::provider::Provider;
use crate::framework::schema::{Block, Nesting};
use crate::framework::value::Value;

impl<P: Provider> Engine<P> {
    /// Checks a provider block.
    pub fn validate_provider_config(&self, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        validate_block(
            &self.provider_schema.block,
            config,
            &AttributePath::default(),
            &mut diagnostics,
        );
        self.provider.validate_config(config, &mut diagnostics);
        diagnostics
    }

    /// Checks a resource block.
    pub fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        match self.resource(type_name) {
            Ok(resource) => {
                validate_block(
                    &resource.schema.block,
                    config,
                    &AttributePath::default(),
                    &mut diagnostics,
                );
                resource.handler.validate_config(config, &mut diagnostics);
            }
            Err(d) => diagnostics.push(d),
        }
        diagnostics
    }

    /// Checks a data source block.
    pub fn validate_data_source_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        match self.data_source(type_name) {
            Ok(data_source) => {
                validate_block(
                    &data_source.schema.block,
                    config,
                    &AttributePath::default(),
                    &mut diagnostics,
                );
                data_source
                    .handler
                    .validate_config(config, &mut diagnostics);
            }
            Err(d) => diagnostics.push(d),
        }
        diagnostics
    }
}

/// Runs the attribute validators of `block` over `value`, recursing into nested blocks.
pub(crate) fn validate_block(
    block: &Block,
    value: &Value,
    path: &AttributePath,
    diagnostics: &mut Diagnostics,
) {
    for attribute in &block.attributes {
        let v = value.attr(&attribute.name);
        if v.is_null() || !v.is_wholly_known() {
            continue;
        }
        for check in &attribute.validators {
            if let Err(detail) = check(v) {
                diagnostics.push(
                    Diagnostic::error("Invalid Attribute Value", detail)
                        .at(path.clone().attribute(&attribute.name)),
                );
            }
        }
    }
    for nested in &block.blocks {
        let v = value.attr(&nested.name);
        let block_path = path.clone().attribute(&nested.name);
        match (nested.nesting, v) {
            (Nesting::Single, Value::Object(_)) => {
                validate_block(&nested.block, v, &block_path, diagnostics)
            }
            (Nesting::List, Value::List(items)) => {
                for (i, item) in items.iter().enumerate() {
                    validate_block(
                        &nested.block,
                        item,
                        &block_path.clone().index(i as i64),
                        diagnostics,
                    );
                }
            }
            (Nesting::Set, Value::Set(items)) => {
                for item in items {
                    validate_block(&nested.block, item, &block_path, diagnostics);
                }
            }
            _ => {}
        }
    }
}
