//! The msgpack encoding of values, as go-cty writes and reads it: what Terraform sends in every request and
//! expects in every response.
//!
//! Null is nil; unknown is the extension `d4 00 00` (any extension of one byte or less reads as unknown, and type
//! 12 carries refinements that we accept and drop); numbers are int, float64 or a decimal string; objects carry
//! every attribute of their type; `dynamic` values are `[type JSON bytes, value]`.

use super::types::Type;
use super::value::{Number, Value, normalize_float};
use rmpv::Value as Mp;
use std::collections::BTreeMap;

/// Extension type of a refined unknown value.
const REFINED_UNKNOWN_EXT: i8 = 12;

/// A value that does not fit the type it is read or written with.
#[derive(Debug, thiserror::Error)]
pub enum MsgpackError {
    /// Malformed msgpack bytes.
    #[error("malformed msgpack: {0}")]
    Malformed(String),
    /// Well-formed msgpack of the wrong shape for the type.
    #[error("{found} where {expected} was expected")]
    Mismatch {
        /// The type the schema asks for.
        expected: String,
        /// What was there instead.
        found: String,
    },
}

fn mismatch(expected: &Type, found: impl Into<String>) -> MsgpackError {
    MsgpackError::Mismatch {
        expected: expected.to_string(),
        found: found.into(),
    }
}

/// Encodes `value` as msgpack of type `ty`.
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, MsgpackError> {
    let mp = to_mp(value, ty)?;
    let mut out = Vec::with_capacity(64);
    rmpv::encode::write_value(&mut out, &mp).map_err(|e| MsgpackError::Malformed(e.to_string()))?;
    Ok(out)
}

/// Decodes msgpack `bytes` as a value of type `ty`.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, MsgpackError> {
    let mut reader = bytes;
    let mp = rmpv::decode::read_value(&mut reader)
        .map_err(|e| MsgpackError::Malformed(e.to_string()))?;
    if !reader.is_empty() {
        return Err(MsgpackError::Malformed(format!(
            "{} trailing bytes",
            reader.len()
        )));
    }
    from_mp(&mp, ty)
}

fn to_mp(value: &Value, ty: &Type) -> Result<Mp, MsgpackError> {
    Ok(match (value, ty) {
        (Value::Null, _) => Mp::Nil,
        (Value::Unknown, _) => Mp::Ext(0, vec![0]),
        (Value::Dynamic(inner_ty, inner), Type::Dynamic) => Mp::Array(vec![
            Mp::Binary(inner_ty.to_json_bytes()),
            to_mp(inner, inner_ty)?,
        ]),
        (Value::String(s), Type::String) => Mp::from(s.as_str()),
        (Value::Number(n), Type::Number) => number_to_mp(n),
        (Value::Bool(b), Type::Bool) => Mp::Boolean(*b),
        (Value::List(items), Type::List(e)) | (Value::Set(items), Type::Set(e)) => Mp::Array(
            items
                .iter()
                .map(|v| to_mp(v, e))
                .collect::<Result<_, _>>()?,
        ),
        (Value::Tuple(items), Type::Tuple(types)) if items.len() == types.len() => Mp::Array(
            items
                .iter()
                .zip(types)
                .map(|(v, t)| to_mp(v, t))
                .collect::<Result<_, _>>()?,
        ),
        (Value::Map(entries), Type::Map(e)) => Mp::Map(
            entries
                .iter()
                .map(|(k, v)| Ok((Mp::from(k.as_str()), to_mp(v, e)?)))
                .collect::<Result<_, _>>()?,
        ),
        (Value::Object(attrs), Type::Object(types)) => {
            if let Some(extra) = attrs.keys().find(|k| !types.contains_key(*k)) {
                return Err(mismatch(ty, format!("attribute {extra:?}")));
            }
            // Every attribute of the type, absent ones as nil: cty refuses objects with missing keys.
            Mp::Map(
                types
                    .iter()
                    .map(|(k, t)| {
                        Ok((
                            Mp::from(k.as_str()),
                            to_mp(attrs.get(k).unwrap_or(&Value::Null), t)?,
                        ))
                    })
                    .collect::<Result<_, _>>()?,
            )
        }
        (v, t) => return Err(mismatch(t, format!("{v:?}"))),
    })
}

fn number_to_mp(n: &Number) -> Mp {
    if let Some(i) = n.as_i64() {
        Mp::from(i)
    } else if let Some(u) = n.as_u64() {
        Mp::from(u)
    } else {
        Mp::F64(n.as_f64().unwrap_or(f64::NAN))
    }
}

fn describe(mp: &Mp) -> String {
    match mp {
        Mp::Nil => "nil".into(),
        Mp::Boolean(_) => "a bool".into(),
        Mp::Integer(_) | Mp::F32(_) | Mp::F64(_) => "a number".into(),
        Mp::String(_) => "a string".into(),
        Mp::Binary(_) => "binary data".into(),
        Mp::Array(a) => format!("an array of {}", a.len()),
        Mp::Map(m) => format!("a map of {}", m.len()),
        Mp::Ext(t, _) => format!("extension type {t}"),
    }
}

fn from_mp(mp: &Mp, ty: &Type) -> Result<Value, MsgpackError> {
    Ok(match (mp, ty) {
        (Mp::Nil, _) => Value::Null,
        (Mp::Ext(_, data), _) if data.len() <= 1 => Value::Unknown,
        (Mp::Ext(REFINED_UNKNOWN_EXT, _), _) => Value::Unknown,
        (Mp::Array(parts), Type::Dynamic) if parts.len() == 2 => {
            let type_json = match &parts[0] {
                Mp::Binary(b) => {
                    serde_json::from_slice(b).map_err(|e| MsgpackError::Malformed(e.to_string()))?
                }
                other => return Err(mismatch(ty, describe(other))),
            };
            let inner_ty =
                Type::from_json(&type_json).map_err(|e| MsgpackError::Malformed(e.to_string()))?;
            match from_mp(&parts[1], &inner_ty)? {
                Value::Null => Value::Null,
                Value::Unknown => Value::Unknown,
                v => Value::Dynamic(inner_ty, Box::new(v)),
            }
        }
        (Mp::String(s), Type::String) => Value::String(
            s.as_str()
                .ok_or_else(|| MsgpackError::Malformed("string is not UTF-8".into()))?
                .to_owned(),
        ),
        (Mp::Integer(i), Type::Number) => Value::Number(
            i.as_i64()
                .map(Number::from)
                .or_else(|| i.as_u64().map(Number::from))
                .unwrap_or(0.into()),
        ),
        (Mp::F64(f), Type::Number) => {
            Value::Number(normalize_float(*f).ok_or_else(|| mismatch(ty, "NaN"))?)
        }
        (Mp::F32(f), Type::Number) => {
            Value::Number(normalize_float(f64::from(*f)).ok_or_else(|| mismatch(ty, "NaN"))?)
        }
        (Mp::String(s), Type::Number) => {
            // cty writes numbers that fit neither int64 nor float64 exactly as decimal strings.
            let text = s.as_str().unwrap_or_default();
            let n = text
                .parse::<i64>()
                .map(Number::from)
                .ok()
                .or_else(|| text.parse::<f64>().ok().and_then(normalize_float))
                .ok_or_else(|| mismatch(ty, format!("the string {text:?}")))?;
            Value::Number(n)
        }
        (Mp::Boolean(b), Type::Bool) => Value::Bool(*b),
        (Mp::Array(items), Type::List(e)) => Value::List(
            items
                .iter()
                .map(|v| from_mp(v, e))
                .collect::<Result<_, _>>()?,
        ),
        (Mp::Array(items), Type::Set(e)) => Value::Set(
            items
                .iter()
                .map(|v| from_mp(v, e))
                .collect::<Result<_, _>>()?,
        ),
        (Mp::Array(items), Type::Tuple(types)) if items.len() == types.len() => Value::Tuple(
            items
                .iter()
                .zip(types)
                .map(|(v, t)| from_mp(v, t))
                .collect::<Result<_, _>>()?,
        ),
        (Mp::Map(entries), Type::Map(e)) => Value::Map(read_map(entries, ty, |_| Some(e))?),
        (Mp::Map(entries), Type::Object(types)) => {
            let mut attrs = read_map(entries, ty, |k| types.get(k))?;
            for name in types.keys() {
                attrs.entry(name.clone()).or_insert(Value::Null);
            }
            Value::Object(attrs)
        }
        (other, _) => return Err(mismatch(ty, describe(other))),
    })
}

fn read_map<'t>(
    entries: &[(Mp, Mp)],
    ty: &Type,
    element_type: impl Fn(&str) -> Option<&'t Type>,
) -> Result<BTreeMap<String, Value>, MsgpackError> {
    entries
        .iter()
        .map(|(k, v)| {
            let key = k
                .as_str()
                .ok_or_else(|| mismatch(ty, format!("a key that is {}", describe(k))))?;
            let t = element_type(key).ok_or_else(|| mismatch(ty, format!("attribute {key:?}")))?;
            Ok((key.to_owned(), from_mp(v, t)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_is_the_fixext_terraform_writes() {
        assert_eq!(
            encode(&Value::Unknown, &Type::String).ok(),
            Some(vec![0xd4, 0x00, 0x00])
        );
        // A refined unknown (ext 12 with a payload) reads as unknown.
        let refined = [0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2];
        assert_eq!(decode(&refined, &Type::String).ok(), Some(Value::Unknown));
    }

    #[test]
    fn objects_are_written_with_every_attribute() {
        let ty = Type::object([("a", Type::String), ("b", Type::Number)]);
        let bytes = encode(&Value::object([("a", Value::string("x"))]), &ty).unwrap_or_default();
        // fixmap of 2: "a" => "x", "b" => nil
        assert_eq!(bytes, vec![0x82, 0xa1, b'a', 0xa1, b'x', 0xa1, b'b', 0xc0]);
    }

    #[test]
    fn wrong_shapes_are_errors_not_panics() {
        assert!(decode(&[0xa1, b'x'], &Type::Number).is_err());
        assert!(
            decode(
                &[0x81, 0xa1, b'z', 0xc0],
                &Type::object([("a", Type::String)])
            )
            .is_err()
        );
        assert!(
            decode(&[0xa5, b'x'], &Type::String).is_err(),
            "truncated string"
        );
    }
}
