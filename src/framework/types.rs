//! cty types, the type system of Terraform values, and their JSON form (the bytes of `Schema.Attribute.type`).

use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::fmt;

/// A Terraform (cty) type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// `string`
    String,
    /// `number`: arbitrary-precision in Terraform, i64 or f64 here.
    Number,
    /// `bool`
    Bool,
    /// `dynamic`: the type travels with the value.
    Dynamic,
    /// `list(T)`
    List(Box<Type>),
    /// `set(T)`
    Set(Box<Type>),
    /// `map(T)`
    Map(Box<Type>),
    /// `object({...})`, attributes sorted by name.
    Object(BTreeMap<String, Type>),
    /// `tuple([...])`
    Tuple(Vec<Type>),
}

/// A type JSON document that is not a cty type.
#[derive(Debug, thiserror::Error)]
#[error("invalid type constraint {0}")]
pub struct TypeJsonError(String);

impl Type {
    /// `list(element)`.
    pub fn list(element: Type) -> Type {
        Type::List(Box::new(element))
    }

    /// `set(element)`.
    pub fn set(element: Type) -> Type {
        Type::Set(Box::new(element))
    }

    /// `map(element)`.
    pub fn map(element: Type) -> Type {
        Type::Map(Box::new(element))
    }

    /// `object({...})` from `(name, type)` pairs.
    pub fn object<I, S>(attributes: I) -> Type
    where
        I: IntoIterator<Item = (S, Type)>,
        S: Into<String>,
    {
        Type::Object(attributes.into_iter().map(|(k, t)| (k.into(), t)).collect())
    }

    /// The JSON form Terraform reads: `"string"`, `["list","string"]`, `["object",{...}]`, ...
    pub fn to_json(&self) -> Json {
        match self {
            Type::String => Json::from("string"),
            Type::Number => Json::from("number"),
            Type::Bool => Json::from("bool"),
            Type::Dynamic => Json::from("dynamic"),
            Type::List(e) => Json::Array(vec!["list".into(), e.to_json()]),
            Type::Set(e) => Json::Array(vec!["set".into(), e.to_json()]),
            Type::Map(e) => Json::Array(vec!["map".into(), e.to_json()]),
            Type::Object(attrs) => {
                let fields = attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json()))
                    .collect();
                Json::Array(vec!["object".into(), Json::Object(fields)])
            }
            Type::Tuple(elems) => Json::Array(vec![
                "tuple".into(),
                Json::Array(elems.iter().map(Type::to_json).collect()),
            ]),
        }
    }

    /// The JSON form as bytes, as carried in schema messages.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        self.to_json().to_string().into_bytes()
    }

    /// Parses the JSON form of a type.
    pub fn from_json(json: &Json) -> Result<Type, TypeJsonError> {
        let bad = || TypeJsonError(json.to_string());
        match json {
            Json::String(s) => match s.as_str() {
                "string" => Ok(Type::String),
                "number" => Ok(Type::Number),
                "bool" => Ok(Type::Bool),
                "dynamic" => Ok(Type::Dynamic),
                _ => Err(bad()),
            },
            Json::Array(parts) => match (parts.first().and_then(Json::as_str), parts.get(1)) {
                (Some("list"), Some(e)) => Ok(Type::list(Type::from_json(e)?)),
                (Some("set"), Some(e)) => Ok(Type::set(Type::from_json(e)?)),
                (Some("map"), Some(e)) => Ok(Type::map(Type::from_json(e)?)),
                (Some("object"), Some(Json::Object(fields))) => Ok(Type::Object(
                    fields
                        .iter()
                        .map(|(k, t)| Ok((k.clone(), Type::from_json(t)?)))
                        .collect::<Result<_, _>>()?,
                )),
                (Some("tuple"), Some(Json::Array(elems))) => Ok(Type::Tuple(
                    elems
                        .iter()
                        .map(Type::from_json)
                        .collect::<Result<_, _>>()?,
                )),
                _ => Err(bad()),
            },
            _ => Err(bad()),
        }
    }

    /// The attribute types of an object type, if this is one.
    pub fn object_attributes(&self) -> Option<&BTreeMap<String, Type>> {
        match self {
            Type::Object(attrs) => Some(attrs),
            _ => None,
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::String => f.write_str("string"),
            Type::Number => f.write_str("number"),
            Type::Bool => f.write_str("bool"),
            Type::Dynamic => f.write_str("dynamic"),
            Type::List(e) => write!(f, "list({e})"),
            Type::Set(e) => write!(f, "set({e})"),
            Type::Map(e) => write!(f, "map({e})"),
            Type::Object(attrs) => {
                f.write_str("object({")?;
                for (i, (k, t)) in attrs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}={t}")?;
                }
                f.write_str("})")
            }
            Type::Tuple(elems) => {
                f.write_str("tuple([")?;
                for (i, t) in elems.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                f.write_str("])")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_form_matches_terraform() {
        let t = Type::object([
            ("name", Type::String),
            ("tags", Type::map(Type::String)),
            ("n", Type::set(Type::Number)),
        ]);
        assert_eq!(
            t.to_json().to_string(),
            r#"["object",{"n":["set","number"],"name":"string","tags":["map","string"]}]"#
        );
        assert_eq!(Type::from_json(&t.to_json()).ok(), Some(t));
        assert!(Type::from_json(&serde_json::json!(["list"])).is_err());
        assert!(Type::from_json(&serde_json::json!("text")).is_err());
    }
}
