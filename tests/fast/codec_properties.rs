//! Property tests of the value codecs: random cty types (nested a few levels, `dynamic` included) and random
//! values of those types with null and unknown at any depth.
//!
//! msgpack carries plans (unknowns included) and must round-trip everything; JSON carries stored state and must
//! round-trip every wholly known value and refuse unknowns; neither decoder may panic on bytes Terraform (or a
//! corrupted state file) could hand it.

use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;
use std::collections::BTreeSet;
use terraform_provider_aliram::framework::types::Type;
use terraform_provider_aliram::framework::value::Value;
use terraform_provider_aliram::framework::{json, msgpack};

/// The bytes go-cty writes for an unknown value: fixext1, type 0, payload 0.
const UNKNOWN_BYTES: [u8; 3] = [0xd4, 0x00, 0x00];

/// Object attribute names as schemas spell them.
fn attribute_name() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,7}"
}

/// Map keys: any text, including the empty string and non-ASCII.
fn map_key() -> impl Strategy<Value = String> {
    ".{0,8}"
}

/// Types whose leaves are `string`, `number`, `bool`, and `dynamic` when `with_dynamic`: up to three levels of
/// list, set, map, object and tuple.
fn types(with_dynamic: bool) -> BoxedStrategy<Type> {
    let leaf = if with_dynamic {
        prop_oneof![
            Just(Type::String),
            Just(Type::Number),
            Just(Type::Bool),
            Just(Type::Dynamic),
        ]
        .boxed()
    } else {
        prop_oneof![Just(Type::String), Just(Type::Number), Just(Type::Bool)].boxed()
    };
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::btree_map(attribute_name(), inner.clone(), 0..4)
                .prop_map(Type::Object),
            prop::collection::vec(inner, 0..4).prop_map(Type::Tuple),
        ]
    })
    .boxed()
}

/// Any type a schema can declare, `dynamic` at any depth.
fn any_type() -> BoxedStrategy<Type> {
    types(true)
}

/// The concrete type a known `dynamic` value travels with: cty values never have `dynamic` in their own type.
fn concrete_type() -> BoxedStrategy<Type> {
    types(false)
}

/// Numbers as cty carries them without loss here: any i64, or any finite f64.
fn number() -> BoxedStrategy<Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::int),
        any::<f64>()
            .prop_filter("cty numbers are finite", |f| f.is_finite())
            .prop_map(Value::float),
    ]
    .boxed()
}

/// A value of type `ty`: null, unknown (when `unknowns`), or known, and so on at every depth.
fn value_of(ty: &Type, unknowns: bool) -> BoxedStrategy<Value> {
    let known = known_value_of(ty, unknowns);
    if unknowns {
        prop_oneof![1 => Just(Value::Null), 1 => Just(Value::Unknown), 4 => known].boxed()
    } else {
        prop_oneof![1 => Just(Value::Null), 4 => known].boxed()
    }
}

/// A known value of type `ty` whose parts may be null or (when `unknowns`) unknown.
fn known_value_of(ty: &Type, unknowns: bool) -> BoxedStrategy<Value> {
    match ty {
        Type::String => any::<String>().prop_map(Value::String).boxed(),
        Type::Number => number(),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::List(e) => prop::collection::vec(value_of(e, unknowns), 0..4)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(e) => prop::collection::vec(value_of(e, unknowns), 0..4)
            .prop_map(Value::Set)
            .boxed(),
        Type::Map(e) => prop::collection::btree_map(map_key(), value_of(e, unknowns), 0..4)
            .prop_map(Value::Map)
            .boxed(),
        // Every attribute present, possibly null: what Terraform sends.
        Type::Object(attrs) => attrs
            .iter()
            .map(|(name, t)| {
                let name = name.clone();
                value_of(t, unknowns).prop_map(move |v| (name.clone(), v))
            })
            .collect::<Vec<_>>()
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect()))
            .boxed(),
        Type::Tuple(types) => types
            .iter()
            .map(|t| value_of(t, unknowns))
            .collect::<Vec<_>>()
            .prop_map(Value::Tuple)
            .boxed(),
        // A known dynamic value: its concrete type and a known value of it (a null or unknown of a concrete type
        // reads back as plain null or unknown, which `Value` does not distinguish).
        Type::Dynamic => concrete_type()
            .prop_flat_map(move |t| {
                known_value_of(&t, unknowns)
                    .prop_map(move |v| Value::Dynamic(t.clone(), Box::new(v)))
            })
            .boxed(),
    }
}

/// A type and a value of it, unknowns allowed.
fn typed_value() -> impl Strategy<Value = (Type, Value)> {
    any_type().prop_flat_map(|ty| {
        let values = value_of(&ty, true);
        (Just(ty), values)
    })
}

/// A type and a value of it without unknowns: what state holds.
fn typed_known_value() -> impl Strategy<Value = (Type, Value)> {
    any_type().prop_flat_map(|ty| {
        let values = value_of(&ty, false);
        (Just(ty), values)
    })
}

/// An object type and an object value of it with some attributes left out.
fn object_with_missing_attributes() -> impl Strategy<Value = (Type, Value)> {
    prop::collection::btree_map(attribute_name(), any_type(), 1..6).prop_flat_map(|attrs| {
        let ty = Type::Object(attrs.clone());
        let present = attrs
            .iter()
            .map(|(name, t)| {
                let name = name.clone();
                (any::<bool>(), value_of(t, true))
                    .prop_map(move |(keep, v)| keep.then(|| (name.clone(), v)))
            })
            .collect::<Vec<_>>()
            .prop_map(|pairs| Value::Object(pairs.into_iter().flatten().collect()));
        (Just(ty), present)
    })
}

/// The number of values in `value`, itself included, counted in pre-order.
fn node_count(value: &Value) -> usize {
    1 + match value {
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            items.iter().map(node_count).sum()
        }
        Value::Map(entries) | Value::Object(entries) => entries.values().map(node_count).sum(),
        Value::Dynamic(_, inner) => node_count(inner),
        _ => 0,
    }
}

/// Replaces the value at pre-order position `target` inside `value` with unknown; true once it has.
fn plant_unknown(value: &mut Value, target: &mut usize) -> bool {
    if *target == 0 {
        *value = Value::Unknown;
        return true;
    }
    *target -= 1;
    match value {
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            items.iter_mut().any(|item| plant_unknown(item, target))
        }
        Value::Map(entries) | Value::Object(entries) => {
            entries.values_mut().any(|item| plant_unknown(item, target))
        }
        Value::Dynamic(_, inner) => plant_unknown(inner, target),
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn msgpack_round_trips_every_value((ty, value) in typed_value()) {
        let bytes = msgpack::encode(&value, &ty);
        prop_assert!(bytes.is_ok(), "encoding {value:?} as {ty}: {bytes:?}");
        let bytes = bytes.unwrap_or_default();
        let decoded = msgpack::decode(&bytes, &ty);
        prop_assert!(decoded.is_ok(), "decoding {bytes:02x?} as {ty}: {decoded:?}");
        prop_assert_eq!(decoded.unwrap_or_default(), value);
    }

    #[test]
    fn json_round_trips_wholly_known_values((ty, value) in typed_known_value()) {
        let encoded = json::encode(&value, &ty);
        prop_assert!(encoded.is_ok(), "encoding {value:?} as {ty}: {encoded:?}");
        let encoded = encoded.unwrap_or_default();
        let decoded = json::decode(&encoded, &ty);
        prop_assert!(decoded.is_ok(), "decoding {encoded} as {ty}: {decoded:?}");
        prop_assert_eq!(decoded.unwrap_or_default(), value);
    }

    /// State arrives as JSON text (`UpgradeResourceState.raw_state.json`), parsed with serde_json.
    #[test]
    fn json_text_round_trips_wholly_known_values((ty, value) in typed_known_value()) {
        let text = json::encode(&value, &ty).unwrap_or_default().to_string();
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(&text);
        prop_assert!(parsed.is_ok(), "reparsing {text}: {parsed:?}");
        let decoded = json::decode(&parsed.unwrap_or_default(), &ty);
        prop_assert!(decoded.is_ok(), "decoding {text} as {ty}: {decoded:?}");
        prop_assert_eq!(decoded.unwrap_or_default(), value);
    }

    #[test]
    fn json_refuses_any_unknown(
        (ty, mut value) in typed_value(),
        at in any::<prop::sample::Index>(),
    ) {
        let mut target = at.index(node_count(&value));
        plant_unknown(&mut value, &mut target);
        let encoded = json::encode(&value, &ty);
        prop_assert!(
            matches!(encoded, Err(json::JsonError::Unknown)),
            "{value:?} as {ty} gave {encoded:?}"
        );
    }

    #[test]
    fn unknown_is_d4_00_00_of_every_type(ty in any_type()) {
        prop_assert_eq!(msgpack::encode(&Value::Unknown, &ty).ok(), Some(UNKNOWN_BYTES.to_vec()));
        // Nested too: a one-element list of unknown is fixarray(1) then the same three bytes.
        let list = msgpack::encode(&Value::List(vec![Value::Unknown]), &Type::list(ty.clone()));
        prop_assert_eq!(list.ok(), Some([&[0x91][..], &UNKNOWN_BYTES[..]].concat()));
        prop_assert_eq!(msgpack::decode(&UNKNOWN_BYTES, &ty).ok(), Some(Value::Unknown));
    }

    #[test]
    fn objects_missing_attributes_encode_every_attribute(
        (ty, value) in object_with_missing_attributes()
    ) {
        let bytes = msgpack::encode(&value, &ty);
        prop_assert!(bytes.is_ok(), "encoding {value:?} as {ty}: {bytes:?}");
        let bytes = bytes.unwrap_or_default();
        let raw = rmpv::decode::read_value(&mut bytes.as_slice());
        let keys: Option<BTreeSet<&str>> = match &raw {
            Ok(rmpv::Value::Map(entries)) => entries.iter().map(|(k, _)| k.as_str()).collect(),
            _ => None,
        };
        let expected: BTreeSet<&str> = ty
            .object_attributes()
            .map(|attrs| attrs.keys().map(String::as_str).collect())
            .unwrap_or_default();
        prop_assert_eq!(keys, Some(expected), "{:?}", raw);
        if let Ok(rmpv::Value::Map(entries)) = &raw {
            prop_assert_eq!(entries.len(), ty.object_attributes().map_or(0, |a| a.len()));
        }
        // The left-out attributes come back as null, which is what they meant.
        prop_assert_eq!(msgpack::decode(&bytes, &ty).ok(), Some(value));
    }

    #[test]
    fn msgpack_decoding_never_panics_on_arbitrary_bytes(
        ty in any_type(),
        bytes in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let _ = msgpack::decode(&bytes, &ty);
    }

    #[test]
    fn msgpack_decoding_never_panics_on_damaged_encodings(
        (ty, value) in typed_value(),
        damage in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
        other_ty in any_type(),
    ) {
        let mut bytes = msgpack::encode(&value, &ty).unwrap_or_default();
        prop_assume!(!bytes.is_empty());
        for (at, byte) in &damage {
            let i = at.index(bytes.len());
            bytes[i] = *byte;
        }
        let _ = msgpack::decode(&bytes, &ty);
        let _ = msgpack::decode(&bytes, &other_ty);
        let _ = msgpack::decode(&bytes[..cut.index(bytes.len())], &ty);
    }

    #[test]
    fn json_decoding_never_panics_on_valid_json_of_other_types(
        (ty, value) in typed_known_value(),
        other_ty in any_type(),
    ) {
        let encoded = json::encode(&value, &ty).unwrap_or_default();
        let _ = json::decode(&encoded, &other_ty);
    }

    #[test]
    fn type_json_round_trips(ty in any_type()) {
        prop_assert_eq!(Type::from_json(&ty.to_json()).ok(), Some(ty.clone()));
        let bytes = ty.to_json_bytes();
        let reparsed: Option<serde_json::Value> = serde_json::from_slice(&bytes).ok();
        prop_assert_eq!(reparsed.and_then(|j| Type::from_json(&j).ok()), Some(ty));
    }
}

/// Pathological inputs a fuzzer finds first: huge length prefixes with no data, and deep nesting.
#[test]
fn msgpack_decoding_survives_hostile_lengths_and_depth() {
    let hostile: [&[u8]; 6] = [
        &[0xdd, 0xff, 0xff, 0xff, 0xff], // array32 of 4 billion, no elements
        &[0xdf, 0xff, 0xff, 0xff, 0xff], // map32 of 4 billion
        &[0xdb, 0xff, 0xff, 0xff, 0xff], // str32 of 4 GiB
        &[0xc6, 0xff, 0xff, 0xff, 0xff], // bin32
        &[0xc9, 0xff, 0xff, 0xff, 0xff, 0x00], // ext32
        &[0xc7, 0x00, 0x0c],             // empty refined unknown
    ];
    let ty = Type::list(Type::Dynamic);
    for bytes in hostile {
        let _ = msgpack::decode(bytes, &ty);
        let _ = msgpack::decode(bytes, &Type::Dynamic);
    }
    // 100 000 nested one-element arrays: the decoder must refuse the depth rather than overflow the stack.
    let deep = vec![0x91; 100_000];
    let nested = (0..50).fold(Type::String, |t, _| Type::list(t));
    assert!(msgpack::decode(&deep, &nested).is_err());
    assert!(msgpack::decode(&deep, &Type::Dynamic).is_err());
}

/// The smallest case the property above found: serde_json's default float parser rounds this one wrongly.
#[test]
fn json_text_keeps_a_float_exactly() {
    let value = Value::float(-8.57252970413307e-135);
    let text = json::encode(&value, &Type::Number)
        .map(|j| j.to_string())
        .unwrap_or_default();
    let reparsed = serde_json::from_str(&text)
        .ok()
        .and_then(|j| json::decode(&j, &Type::Number).ok());
    assert_eq!(reparsed, Some(value), "via {text}");
}
