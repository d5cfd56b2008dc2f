//! Cost of what a refresh does with a trust policy: parse the document RAM returns (re-serialised), normalise
//! it, and compare it with the configured one, including the own-UID rewrite and a drift description.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use terraform_provider_aliram::provider::domain::trust_policy::{
    describe_differences, dts_trust_policy,
};
use terraform_provider_aliram::ram::account::AccountId;
use terraform_provider_aliram::ram::trust_policy::{TrustPolicy, normalize, policies_equivalent};

/// The DTS document as RAM may return it: pretty-printed, keys in another order.
const STORED: &str = r#"{
    "Version": "1",
    "Statement": [
        {
            "Principal": {
                "Service": [
                    "1234567890123456@dts.aliyuncs.com"
                ],
                "RAM": [
                    "acs:ram::1234567890123456:root"
                ]
            },
            "Effect": "Allow",
            "Action": "sts:AssumeRole"
        }
    ]
}"#;

/// The same document widened by hand with a second account.
const WIDENED: &str = r#"{"Version":"1","Statement":[{"Principal":{"Service":["1234567890123456@dts.aliyuncs.com"],"RAM":["acs:ram::9999999999999999:root","acs:ram::1234567890123456:root"]},"Effect":"Allow","Action":"sts:AssumeRole"}]}"#;

fn bench_trust_policy(c: &mut Criterion) {
    let trusted = AccountId::parse("1234567890123456").unwrap();
    let owner = AccountId::parse("6543210987654321").unwrap();
    let configured = dts_trust_policy(&trusted).to_json();

    c.bench_function("render dts_trust_policy", |b| {
        b.iter(|| dts_trust_policy(black_box(&trusted)).to_json())
    });
    c.bench_function("parse stored policy", |b| {
        b.iter(|| TrustPolicy::parse(black_box(STORED)))
    });
    c.bench_function("normalize stored policy", |b| {
        b.iter(|| normalize(black_box(STORED)))
    });
    c.bench_function("parse + normalise + compare (equivalent)", |b| {
        b.iter(|| policies_equivalent(black_box(&configured), black_box(STORED), Some(&owner)))
    });
    c.bench_function("parse + normalise + compare (widened)", |b| {
        b.iter(|| policies_equivalent(black_box(&configured), black_box(WIDENED), Some(&owner)))
    });
    let expected = dts_trust_policy(&trusted);
    c.bench_function("describe drift (widened)", |b| {
        b.iter(|| {
            let actual = TrustPolicy::parse(black_box(WIDENED)).unwrap();
            describe_differences(&expected, &actual, Some(&owner))
        })
    });
}

criterion_group!(benches, bench_trust_policy);
criterion_main!(benches);
