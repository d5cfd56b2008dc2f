//! Conversions between the protocol's messages and the framework's types: values, diagnostics, attribute paths,
//! schemas and function signatures. Pure functions, no I/O.

use super::proto::tfplugin5 as pb;
use crate::framework::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::framework::function::FunctionDefinition;
use crate::framework::identity::IdentitySchema;
use crate::framework::path::{AttributePath, PathStep};
use crate::framework::schema::{Block, Nesting, Schema};
use crate::framework::types::Type;
use crate::framework::value::Value;
use crate::framework::{json, msgpack};

/// Decodes a request value: msgpack if present, else JSON, else null (an absent value is null).
pub(crate) fn decode_value(
    value: Option<&pb::DynamicValue>,
    ty: &Type,
    what: &str,
) -> Result<Value, Diagnostic> {
    let Some(value) = value else {
        return Ok(Value::Null);
    };
    let decoded = if !value.msgpack.is_empty() {
        msgpack::decode(&value.msgpack, ty).map_err(|e| e.to_string())
    } else if !value.json.is_empty() {
        serde_json::from_slice(&value.json)
            .map_err(|e| e.to_string())
            .and_then(|j| json::decode(&j, ty).map_err(|e| e.to_string()))
    } else {
        Ok(Value::Null)
    };
    decoded.map_err(|e| {
        Diagnostic::error(
            "Undecodable Value From Terraform",
            format!("The {what} sent by Terraform could not be decoded: {e}. This is a bug; please report it."),
        )
    })
}

/// Encodes a response value as msgpack.
pub(crate) fn encode_value(
    value: &Value,
    ty: &Type,
    what: &str,
) -> Result<pb::DynamicValue, Diagnostic> {
    msgpack::encode(value, ty).map(|msgpack| pb::DynamicValue { msgpack, json: Vec::new() }).map_err(|e| {
        Diagnostic::error(
            "Unencodable Value",
            format!("The provider could not encode the {what}: {e}. This is a bug in the provider; please report it."),
        )
    })
}

/// Diagnostics as the protocol carries them.
pub(crate) fn diagnostics(diagnostics: &Diagnostics) -> Vec<pb::Diagnostic> {
    diagnostics.iter().map(diagnostic).collect()
}

fn diagnostic(d: &Diagnostic) -> pb::Diagnostic {
    let severity = match d.severity {
        Severity::Error => pb::diagnostic::Severity::Error,
        Severity::Warning => pb::diagnostic::Severity::Warning,
    };
    pb::Diagnostic {
        severity: severity as i32,
        summary: d.summary.clone(),
        detail: d.detail.clone(),
        attribute: d.attribute.as_ref().map(attribute_path),
    }
}

/// An attribute path as the protocol carries it.
pub(crate) fn attribute_path(path: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::{Step, step::Selector};
    let steps = path
        .steps
        .iter()
        .map(|s| Step {
            selector: Some(match s {
                PathStep::Attribute(name) => Selector::AttributeName(name.clone()),
                PathStep::ElementKeyString(key) => Selector::ElementKeyString(key.clone()),
                PathStep::ElementKeyInt(index) => Selector::ElementKeyInt(*index),
            }),
        })
        .collect();
    pb::AttributePath { steps }
}

/// A schema as the protocol carries it. Every block is present (Terraform dereferences them).
pub(crate) fn schema(schema: &Schema) -> pb::Schema {
    pb::Schema {
        version: schema.version,
        block: Some(block(&schema.block, schema.version)),
    }
}

fn block(b: &Block, version: i64) -> pb::schema::Block {
    let attributes = b
        .attributes
        .iter()
        .map(|a| pb::schema::Attribute {
            name: a.name.clone(),
            r#type: a.ty.to_json_bytes(),
            description: a.description.clone(),
            required: a.required,
            optional: a.optional,
            computed: a.computed,
            sensitive: a.sensitive,
            description_kind: pb::StringKind::Markdown as i32,
            ..Default::default()
        })
        .collect();
    let block_types = b
        .blocks
        .iter()
        .map(|n| {
            let nesting = match n.nesting {
                Nesting::Single => pb::schema::nested_block::NestingMode::Single,
                Nesting::List => pb::schema::nested_block::NestingMode::List,
                Nesting::Set => pb::schema::nested_block::NestingMode::Set,
            };
            pb::schema::NestedBlock {
                type_name: n.name.clone(),
                block: Some(block(&n.block, version)),
                nesting: nesting as i32,
                min_items: n.min_items,
                max_items: n.max_items,
            }
        })
        .collect();
    pb::schema::Block {
        version,
        attributes,
        block_types,
        description: b.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        ..Default::default()
    }
}

/// A function signature as the protocol carries it.
pub(crate) fn function(definition: &FunctionDefinition) -> pb::Function {
    let parameters = definition
        .parameters
        .iter()
        .map(|p| pb::function::Parameter {
            name: p.name.clone(),
            r#type: p.ty.to_json_bytes(),
            allow_null_value: false,
            allow_unknown_values: false,
            description: p.description.clone(),
            description_kind: pb::StringKind::Markdown as i32,
        })
        .collect();
    pb::Function {
        parameters,
        variadic_parameter: None,
        r#return: Some(pb::function::Return {
            r#type: definition.return_type.to_json_bytes(),
        }),
        summary: definition.summary.clone(),
        description: definition.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecation_message: String::new(),
    }
}

/// An identity schema as the protocol carries it.
pub(crate) fn identity_schema(schema: &IdentitySchema) -> pb::ResourceIdentitySchema {
    pb::ResourceIdentitySchema {
        version: schema.version,
        identity_attributes: schema
            .attributes
            .iter()
            .map(|a| pb::resource_identity_schema::IdentityAttribute {
                name: a.name.clone(),
                r#type: a.ty.to_json_bytes(),
                required_for_import: a.required_for_import,
                optional_for_import: a.optional_for_import,
                description: a.description.clone(),
            })
            .collect(),
    }
}
