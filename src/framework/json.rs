//! The JSON encoding of values, as Terraform stores them in state: the form `UpgradeResourceState` receives.
//!
//! Decoding is lenient the way state upgrades need: attributes missing from an object are null (a newer schema
//! added them) and attributes the type does not know are dropped (a newer schema removed them).

use super::types::Type;
use super::value::{Value, normalize_float};
use serde_json::Value as Json;

/// A JSON value that does not fit the type, or a value that JSON cannot carry.
#[derive(Debug, thiserror::Error)]
pub enum JsonError {
    /// JSON of the wrong shape for the type.
    #[error("{found} where {expected} was expected")]
    Mismatch {
        /// The type the schema asks for.
        expected: String,
        /// What was there instead.
        found: String,
    },
    /// Unknown values exist only in plans; state never holds them.
    #[error("unknown values cannot be written as JSON")]
    Unknown,
}

/// Decodes a JSON value as a value of type `ty`.
pub fn decode(json: &Json, ty: &Type) -> Result<Value, JsonError> {
    let mismatch = || JsonError::Mismatch {
        expected: ty.to_string(),
        found: json.to_string(),
    };
    Ok(match (json, ty) {
        (Json::Null, _) => Value::Null,
        (Json::Object(wrapper), Type::Dynamic) => {
            let inner_ty = wrapper
                .get("type")
                .and_then(|t| Type::from_json(t).ok())
                .ok_or_else(mismatch)?;
            match decode(wrapper.get("value").unwrap_or(&Json::Null), &inner_ty)? {
                Value::Null => Value::Null,
                v => Value::Dynamic(inner_ty, Box::new(v)),
            }
        }
        (Json::String(s), Type::String) => Value::String(s.clone()),
        (Json::Number(n), Type::Number) if n.is_f64() => Value::Number(
            n.as_f64()
                .and_then(normalize_float)
                .unwrap_or_else(|| n.clone()),
        ),
        (Json::Number(n), Type::Number) => Value::Number(n.clone()),
        (Json::String(s), Type::Number) => Value::Number(
            s.parse::<i64>()
                .ok()
                .map(Into::into)
                .or_else(|| s.parse::<f64>().ok().and_then(normalize_float))
                .ok_or_else(mismatch)?,
        ),
        (Json::Bool(b), Type::Bool) => Value::Bool(*b),
        (Json::Array(items), Type::List(e)) => Value::List(
            items
                .iter()
                .map(|v| decode(v, e))
                .collect::<Result<_, _>>()?,
        ),
        (Json::Array(items), Type::Set(e)) => Value::Set(
            items
                .iter()
                .map(|v| decode(v, e))
                .collect::<Result<_, _>>()?,
        ),
        (Json::Array(items), Type::Tuple(types)) if items.len() == types.len() => Value::Tuple(
            items
                .iter()
                .zip(types)
                .map(|(v, t)| decode(v, t))
                .collect::<Result<_, _>>()?,
        ),
        (Json::Object(entries), Type::Map(e)) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| Ok((k.clone(), decode(v, e)?)))
                .collect::<Result<_, _>>()?,
        ),
        (Json::Object(entries), Type::Object(types)) => Value::Object(
            types
                .iter()
                .map(|(k, t)| Ok((k.clone(), decode(entries.get(k).unwrap_or(&Json::Null), t)?)))
                .collect::<Result<_, _>>()?,
        ),
        _ => return Err(mismatch()),
    })
}

/// Encodes `value` of type `ty` as JSON.
pub fn encode(value: &Value, ty: &Type) -> Result<Json, JsonError> {
    let mismatch = || JsonError::Mismatch {
        expected: ty.to_string(),
        found: format!("{value:?}"),
    };
    Ok(match (value, ty) {
        (Value::Null, _) => Json::Null,
        (Value::Unknown, _) => return Err(JsonError::Unknown),
        (Value::Dynamic(inner_ty, inner), Type::Dynamic) => {
            serde_json::json!({ "value": encode(inner, inner_ty)?, "type": inner_ty.to_json() })
        }
        (Value::String(s), Type::String) => Json::String(s.clone()),
        (Value::Number(n), Type::Number) => Json::Number(n.clone()),
        (Value::Bool(b), Type::Bool) => Json::Bool(*b),
        (Value::List(items), Type::List(e)) | (Value::Set(items), Type::Set(e)) => Json::Array(
            items
                .iter()
                .map(|v| encode(v, e))
                .collect::<Result<_, _>>()?,
        ),
        (Value::Tuple(items), Type::Tuple(types)) if items.len() == types.len() => Json::Array(
            items
                .iter()
                .zip(types)
                .map(|(v, t)| encode(v, t))
                .collect::<Result<_, _>>()?,
        ),
        (Value::Map(entries), Type::Map(e)) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| Ok((k.clone(), encode(v, e)?)))
                .collect::<Result<_, _>>()?,
        ),
        (Value::Object(attrs), Type::Object(types)) => Json::Object(
            types
                .iter()
                .map(|(k, t)| Ok((k.clone(), encode(attrs.get(k).unwrap_or(&Value::Null), t)?)))
                .collect::<Result<_, _>>()?,
        ),
        _ => return Err(mismatch()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_attributes_are_null_and_removed_ones_dropped() {
        let ty = Type::object([("a", Type::String), ("b", Type::Number)]);
        let v = decode(&serde_json::json!({"a": "x", "gone": true}), &ty).ok();
        assert_eq!(
            v,
            Some(Value::object([
                ("a", Value::string("x")),
                ("b", Value::Null)
            ]))
        );
    }

    #[test]
    fn unknowns_cannot_be_stored() {
        assert!(matches!(
            encode(&Value::Unknown, &Type::String),
            Err(JsonError::Unknown)
        ));
    }
}
