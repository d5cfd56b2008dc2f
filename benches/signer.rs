//! Signature v1 cost for a typical RAM call (the CreateRole vector: a trust policy and tags in the parameters).

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use terraform_provider_aliram::ram::signature::v1::{SignableRequest, sign};

fn create_role_params() -> Vec<(String, String)> {
    [
        ("AccessKeyId", "testid"),
        ("Action", "CreateRole"),
        (
            "AssumeRolePolicyDocument",
            r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root"],"Service":["1234567890123456@dts.aliyuncs.com"]}}],"Version":"1"}"#,
        ),
        ("Description", "DTS cross account * ~ test"),
        ("Format", "JSON"),
        ("RoleName", "ram-for-dts"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
        ("SignatureVersion", "1.0"),
        ("Tag", r#"[{"Key":"owner","Value":"data-platform"}]"#),
        ("Timestamp", "2016-02-23T12:46:24Z"),
        ("Version", "2015-05-01"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn bench_sign(c: &mut Criterion) {
    let params = create_role_params();
    c.bench_function("sign CreateRole", |b| {
        b.iter(|| {
            sign(
                black_box(&SignableRequest {
                    method: "POST",
                    params: &params,
                }),
                black_box("testsecret"),
            )
        })
    });
}

criterion_group!(benches, bench_sign);
criterion_main!(benches);
