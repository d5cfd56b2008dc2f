//! msgpack codec cost for what Terraform sends in every resource request: the state of one role (a trust policy
//! document, a set of attached policy names, a map of tags), alone and as a 1000-element list.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use terraform_provider_aliram::framework::msgpack;
use terraform_provider_aliram::framework::types::Type;
use terraform_provider_aliram::framework::value::Value;

const TRUST_POLICY: &str = r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root"],"Service":["1234567890123456@dts.aliyuncs.com"]}}],"Version":"1"}"#;

/// Elements in the list benchmark.
const LIST_LEN: usize = 1000;

/// The object type of a role's state.
fn role_type() -> Type {
    Type::object([
        ("arn", Type::String),
        ("assume_role_policy_document", Type::String),
        ("create_date", Type::String),
        ("description", Type::String),
        ("id", Type::String),
        ("max_session_duration", Type::Number),
        ("policy_names", Type::set(Type::String)),
        ("role_id", Type::String),
        ("role_name", Type::String),
        ("tags", Type::map(Type::String)),
    ])
}

/// The state of role number `n`, every attribute known.
fn role_state(n: usize) -> Value {
    let name = format!("ram-for-dts-{n}");
    Value::object([
        (
            "arn",
            Value::string(format!("acs:ram::1234567890123456:role/{name}")),
        ),
        ("assume_role_policy_document", Value::string(TRUST_POLICY)),
        ("create_date", Value::string("2026-11-23T16:44:08Z")),
        ("description", Value::string("DTS cross-account migration")),
        ("id", Value::string(name.clone())),
        ("max_session_duration", Value::int(3600)),
        (
            "policy_names",
            Value::string_set([
                "AliyunDTSRolePolicy",
                "AliyunRDSReadOnlyAccess",
                "AliyunPolardbReadOnlyAccess",
            ]),
        ),
        ("role_id", Value::string(format!("3{n:018}"))),
        ("role_name", Value::string(name)),
        (
            "tags",
            Value::string_map([
                ("owner", "data-platform"),
                ("cost-center", "cc-4711"),
                ("environment", "production"),
            ]),
        ),
    ])
}

fn bench_case(c: &mut Criterion, label: &str, value: &Value, ty: &Type) {
    let bytes = match msgpack::encode(value, ty) {
        Ok(bytes) => bytes,
        Err(e) => panic!("the benchmark value must encode: {e}"),
    };
    let mut group = c.benchmark_group(format!("msgpack {label}"));
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("encode", |b| {
        b.iter(|| msgpack::encode(black_box(value), black_box(ty)))
    });
    // `iter` drops each result inside the timed loop: freeing a decoded value is part of a request's cost.
    group.bench_function("decode", |b| {
        b.iter(|| msgpack::decode(black_box(&bytes), black_box(ty)))
    });
    group.finish();
}

fn bench_codec(c: &mut Criterion) {
    let ty = role_type();
    bench_case(c, "role state", &role_state(0), &ty);

    let list_ty = Type::list(ty);
    let list = Value::List((0..LIST_LEN).map(role_state).collect());
    bench_case(c, "list of 1000 role states", &list, &list_ty);
}

criterion_group!(benches, bench_codec);
criterion_main!(benches);
