//! Terraform values: null, unknown, or known, at any depth, typed by a schema's [`Type`].
//!
//! A [`Value`] does not carry its own type (but for `dynamic`): the schema supplies it to the codecs, as cty does.

use super::types::Type;
use std::collections::BTreeMap;

pub use serde_json::Number;

/// A Terraform value.
#[derive(Clone, Debug, Default)]
pub enum Value {
    /// The null value of whatever type the schema says.
    #[default]
    Null,
    /// A value not known until apply (refinements, if Terraform sent any, are dropped).
    Unknown,
    /// A known string.
    String(String),
    /// A known number.
    Number(Number),
    /// A known bool.
    Bool(bool),
    /// A known list.
    List(Vec<Value>),
    /// A known set; element order carries no meaning.
    Set(Vec<Value>),
    /// A known map.
    Map(BTreeMap<String, Value>),
    /// A known object; attributes absent here are null.
    Object(BTreeMap<String, Value>),
    /// A known tuple.
    Tuple(Vec<Value>),
    /// A known value of a `dynamic` attribute, with the concrete type it travels with.
    Dynamic(Type, Box<Value>),
}

static NULL: Value = Value::Null;

impl Value {
    /// A known string.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// A known number from an integer.
    pub fn int(n: i64) -> Value {
        Value::Number(n.into())
    }

    /// A known number from a float; integral floats become integers so that equal numbers compare equal.
    pub fn float(f: f64) -> Value {
        normalize_float(f).map_or(Value::Null, Value::Number)
    }

    /// A known object from `(name, value)` pairs.
    pub fn object<I, S>(attributes: I) -> Value
    where
        I: IntoIterator<Item = (S, Value)>,
        S: Into<String>,
    {
        Value::Object(attributes.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A known set of strings.
    pub fn string_set<I, S>(items: I) -> Value
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Value::Set(items.into_iter().map(|s| Value::String(s.into())).collect())
    }

    /// A known map of strings.
    pub fn string_map<I, K, V>(items: I) -> Value
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Value::Map(
            items
                .into_iter()
                .map(|(k, v)| (k.into(), Value::String(v.into())))
                .collect(),
        )
    }

    /// True for null.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// True for a value that is not known yet (at the top level; see [`Value::is_wholly_known`]).
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// True when neither this value nor anything inside it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                v.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            Value::Dynamic(_, v) => v.is_wholly_known(),
            _ => true,
        }
    }

    /// The attribute `name` of an object; null when absent or when this is not a known object.
    pub fn attr(&self, name: &str) -> &Value {
        match self {
            Value::Object(m) => m.get(name).unwrap_or(&NULL),
            _ => &NULL,
        }
    }

    /// The attribute `name` of a known object, to change in place; `None` when absent or not a known object.
    pub fn attr_mut(&mut self, name: &str) -> Option<&mut Value> {
        match self {
            Value::Object(m) => m.get_mut(name),
            _ => None,
        }
    }

    /// Sets attribute `name` of an object (a null value becomes an empty object first).
    pub fn set_attr(&mut self, name: &str, value: Value) {
        if !matches!(self, Value::Object(_)) {
            *self = Value::Object(BTreeMap::new());
        }
        if let Value::Object(m) = self {
            m.insert(name.to_owned(), value);
        }
    }

    /// The string, if this is a known string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The bool, if this is a known bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number as an i64, if this is a known integral number in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n
                .as_i64()
                .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
            _ => None,
        }
    }

    /// The elements of a known list, set or tuple.
    pub fn as_elements(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => Some(v),
            _ => None,
        }
    }

    /// The entries of a known map or object.
    pub fn as_entries(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The elements of a known collection of known strings (nulls and unknowns make it `None`).
    pub fn as_strings(&self) -> Option<Vec<&str>> {
        self.as_elements()?.iter().map(Value::as_str).collect()
    }

    /// The entries of a known map of known strings.
    pub fn as_string_map(&self) -> Option<BTreeMap<&str, &str>> {
        self.as_entries()?
            .iter()
            .map(|(k, v)| Some((k.as_str(), v.as_str()?)))
            .collect()
    }

    /// Replaces every unknown inside this value with null (for results that must be wholly known).
    pub fn unknowns_to_null(&mut self) {
        match self {
            Value::Unknown => *self = Value::Null,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                v.iter_mut().for_each(Value::unknowns_to_null)
            }
            Value::Map(m) | Value::Object(m) => m.values_mut().for_each(Value::unknowns_to_null),
            Value::Dynamic(_, v) => v.unknowns_to_null(),
            _ => {}
        }
    }
}

/// An f64 as a JSON number, integral values as integers; `None` for NaN and infinities.
pub(crate) fn normalize_float(f: f64) -> Option<Number> {
    if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 {
        Some(Number::from(f as i64))
    } else {
        Number::from_f64(f)
    }
}

fn numbers_equal(a: &Number, b: &Number) -> bool {
    match (a.as_i64(), b.as_i64()) {
        (Some(x), Some(y)) => x == y,
        _ => match (a.as_u64(), b.as_u64()) {
            (Some(x), Some(y)) => x == y,
            _ => a.as_f64() == b.as_f64(),
        },
    }
}

/// Set equality: every element of one matched by a distinct equal element of the other.
fn sets_equal(a: &[Value], b: &[Value]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut used = vec![false; b.len()];
    a.iter().all(|x| {
        b.iter().enumerate().any(|(i, y)| {
            if !used[i] && x == y {
                used[i] = true;
                true
            } else {
                false
            }
        })
    })
}

/// Objects compare with absent attributes as null, as they would be on the wire.
fn objects_equal(a: &BTreeMap<String, Value>, b: &BTreeMap<String, Value>) -> bool {
    a.iter().all(|(k, v)| b.get(k).unwrap_or(&NULL) == v)
        && b.iter().all(|(k, v)| a.contains_key(k) || v.is_null())
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) | (Value::Unknown, Value::Unknown) => true,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => numbers_equal(a, b),
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => a == b,
            (Value::Set(a), Value::Set(b)) => sets_equal(a, b),
            (Value::Map(a), Value::Map(b)) => a == b,
            (Value::Object(a), Value::Object(b)) => objects_equal(a, b),
            (Value::Dynamic(ta, a), Value::Dynamic(tb, b)) => ta == tb && a == b,
            _ => false,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::int(n)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_compare_without_order_and_objects_with_absent_as_null() {
        assert_eq!(Value::string_set(["a", "b"]), Value::string_set(["b", "a"]));
        assert_ne!(Value::string_set(["a", "a"]), Value::string_set(["a", "b"]));
        assert_eq!(
            Value::object([("a", Value::Null)]),
            Value::object::<[(&str, Value); 0], &str>([])
        );
        assert_ne!(
            Value::object([("a", Value::int(1))]),
            Value::object([("a", Value::Null)])
        );
        assert_eq!(Value::float(3.0), Value::int(3));
    }

    #[test]
    fn wholly_known_looks_inside() {
        let v = Value::object([("a", Value::List(vec![Value::Unknown]))]);
        assert!(!v.is_wholly_known());
        let mut w = v.clone();
        w.unknowns_to_null();
        assert!(w.is_wholly_known());
    }
}
