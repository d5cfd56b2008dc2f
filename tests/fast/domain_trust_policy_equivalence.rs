//! Property tests of trust policy equivalence: every way RAM or a user may re-serialise a document (key order,
//! whitespace, a string versus a one-element list, order and repeats inside sets, statement order, `Statement` as
//! an object) keeps it equivalent and normalising to the same text; adding a principal never does.

use proptest::prelude::*;
use serde_json::Value;
use std::collections::BTreeMap;
use terraform_provider_aliram::provider::domain::trust_policy::{
    PolicyChange, describe_differences, own_account_rewrite,
};
use terraform_provider_aliram::ram::account::AccountId;
use terraform_provider_aliram::ram::trust_policy::{
    Condition, Effect, Principal, Statement, TrustPolicy, normalize, policies_equivalent,
};

/// A small deterministic generator driving the re-serialisation choices, so each case is reproducible from
/// its seed.
struct Choices(u64);

impl Choices {
    fn next(&mut self) -> u64 {
        // xorshift64*; the seed is made non-zero so the sequence never sticks at 0.
        let mut x = self.0 | 1;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn coin(&mut self) -> bool {
        self.next() & 1 == 1
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }

    fn whitespace(&mut self) -> &'static str {
        ["", " ", "\n", "\n    ", "\t", "  \r\n"][self.below(6)]
    }
}

/// Where a JSON value sits in a policy, which decides the liberties a re-serialisation may take with it.
#[derive(Clone, Copy)]
enum Place {
    Root,
    Statements,
    Statement,
    Principal,
    Condition,
    ConditionOperator,
    /// `Action`, `Resource`, a principal kind or a condition key: a set of values.
    Set,
    Verbatim,
}

/// Writes `value` as JSON text, re-serialised the way `choices` decide, without changing its meaning.
fn reserialise(value: &Value, place: Place, choices: &mut Choices, out: &mut String) {
    out.push_str(choices.whitespace());
    match (place, value) {
        (Place::Statements, Value::Array(items)) => {
            let mut items = items.clone();
            choices.shuffle(&mut items);
            if items.len() == 1 && choices.coin() {
                reserialise(&items[0], Place::Statement, choices, out);
            } else {
                write_list(&items, Place::Statement, choices, out);
            }
        }
        (Place::Set, _) => {
            let mut items = match value {
                Value::Array(items) => items.clone(),
                scalar => vec![scalar.clone()],
            };
            if !items.is_empty() && choices.coin() {
                let repeated = items[choices.below(items.len())].clone();
                items.push(repeated);
            }
            choices.shuffle(&mut items);
            if items.len() == 1 && choices.coin() {
                reserialise(&items[0], Place::Verbatim, choices, out);
            } else {
                write_list(&items, Place::Verbatim, choices, out);
            }
        }
        (_, Value::Object(map)) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            choices.shuffle(&mut entries);
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(choices.whitespace());
                out.push_str(&Value::String(key.clone()).to_string());
                out.push_str(choices.whitespace());
                out.push(':');
                let inner = match (place, key.as_str()) {
                    (Place::Root, "Statement") => Place::Statements,
                    (Place::Statement, "Action" | "Resource") => Place::Set,
                    (Place::Statement, "Principal") => Place::Principal,
                    (Place::Statement, "Condition") => Place::Condition,
                    (Place::Principal, _) | (Place::ConditionOperator, _) => Place::Set,
                    (Place::Condition, _) => Place::ConditionOperator,
                    _ => Place::Verbatim,
                };
                reserialise(item, inner, choices, out);
            }
            out.push_str(choices.whitespace());
            out.push('}');
        }
        (_, Value::Array(items)) => write_list(items, Place::Verbatim, choices, out),
        (_, scalar) => out.push_str(&scalar.to_string()),
    }
    out.push_str(choices.whitespace());
}

fn write_list(items: &[Value], place: Place, choices: &mut Choices, out: &mut String) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        reserialise(item, place, choices, out);
    }
    out.push(']');
}

fn account_strategy() -> impl Strategy<Value = String> {
    // A small pool, so repeats across statements and lists happen often.
    (1u64..6).prop_map(|n| format!("{:016}", n * 1_111_111_111_111_111))
}

fn statement_strategy() -> impl Strategy<Value = Statement> {
    let actions = prop::collection::vec(
        prop::sample::select(vec![
            "sts:AssumeRole",
            "sts:SetSourceIdentity",
            "sts:TagSession",
        ]),
        1..3,
    );
    let ram = prop::collection::vec(
        account_strategy().prop_map(|a| format!("acs:ram::{a}:root")),
        0..3,
    );
    let service = prop::collection::vec(
        (
            account_strategy(),
            prop::sample::select(vec!["dts.aliyuncs.com", "cdp.aliyuncs.com"]),
        )
            .prop_map(|(a, host)| format!("{a}@{host}")),
        0..3,
    );
    let condition = prop::option::of(prop::collection::vec(
        prop::sample::select(vec!["10.0.0.0/8", "192.168.0.0/16", "172.16.0.0/12"]),
        1..3,
    ));
    (
        prop::bool::ANY,
        actions,
        ram,
        service,
        condition,
        prop::option::of("[a-z]{1,6}"),
    )
        .prop_map(|(allow, action, ram, service, condition, sid)| {
            let mut condition_map = BTreeMap::new();
            if let Some(ips) = condition {
                let values = ips
                    .into_iter()
                    .map(|ip| Value::String(ip.to_owned()))
                    .collect();
                condition_map.insert(
                    "IpAddress".to_owned(),
                    BTreeMap::from([("acs:SourceIp".to_owned(), values)]),
                );
            }
            let mut other = BTreeMap::new();
            if let Some(sid) = sid {
                other.insert("Sid".to_owned(), Value::String(sid));
            }
            Statement {
                effect: if allow { Effect::Allow } else { Effect::Deny },
                action: action.into_iter().map(str::to_owned).collect(),
                principal: Principal {
                    ram,
                    service,
                    ..Principal::default()
                },
                resource: Vec::new(),
                condition: Condition(condition_map),
                other,
            }
        })
}

fn policy_strategy() -> impl Strategy<Value = TrustPolicy> {
    prop::collection::vec(statement_strategy(), 1..4).prop_map(|statements| TrustPolicy {
        version: Some("1".to_owned()),
        statements,
        other: BTreeMap::new(),
    })
}

fn reserialised(policy: &TrustPolicy, seed: u64) -> String {
    let mut out = String::new();
    reserialise(
        &policy.to_value(),
        Place::Root,
        &mut Choices(seed),
        &mut out,
    );
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn reserialising_keeps_equivalence(policy in policy_strategy(), seed in any::<u64>()) {
        let original = policy.to_json();
        let variant = reserialised(&policy, seed);
        prop_assert!(policies_equivalent(&original, &variant, None), "{original}\n{variant}");
        prop_assert_eq!(normalize(&variant).unwrap(), normalize(&original).unwrap());
        let parsed = TrustPolicy::parse(&variant).unwrap();
        prop_assert_eq!(describe_differences(&policy, &parsed, None), Vec::<PolicyChange>::new());
    }

    #[test]
    fn normalising_is_idempotent(policy in policy_strategy(), seed in any::<u64>()) {
        let once = normalize(&reserialised(&policy, seed)).unwrap();
        prop_assert_eq!(normalize(&once).unwrap(), once.clone());
    }

    #[test]
    fn adding_a_principal_breaks_equivalence(
        policy in policy_strategy(),
        seed in any::<u64>(),
        statement in any::<prop::sample::Index>(),
        as_service in any::<bool>(),
    ) {
        // An account outside the generated pool: always new to the statement.
        let intruder = "9999999999999999";
        let mut widened = policy.clone();
        let target = statement.index(widened.statements.len());
        let principal = &mut widened.statements[target].principal;
        if as_service {
            principal.service.push(format!("{intruder}@dts.aliyuncs.com"));
        } else {
            principal.ram.push(format!("acs:ram::{intruder}:root"));
        }
        let variant = reserialised(&widened, seed);
        prop_assert!(!policies_equivalent(&policy.to_json(), &variant, None));
        prop_assert_ne!(normalize(&variant).unwrap(), normalize(&policy.to_json()).unwrap());
        let changes = describe_differences(&policy, &TrustPolicy::parse(&variant).unwrap(), None);
        prop_assert!(!changes.is_empty());
        let described = changes.iter().any(|c| c.to_string().contains(intruder));
        prop_assert!(described, "{:?}", changes);
    }

    #[test]
    fn differences_are_empty_exactly_for_equivalent_policies(a in policy_strategy(), b in policy_strategy()) {
        let equivalent = a.equivalent_to(&b, None);
        prop_assert_eq!(describe_differences(&a, &b, None).is_empty(), equivalent);
        prop_assert_eq!(describe_differences(&b, &a, None).is_empty(), equivalent);
    }

    #[test]
    fn own_uid_rewrite_is_equivalent_given_the_owner(policy in policy_strategy(), seed in any::<u64>()) {
        let owner = AccountId::parse("1111111111111111").unwrap();
        let original = policy.to_json();
        let stored = original
            .replace("1111111111111111@dts.aliyuncs.com", "dts.aliyuncs.com")
            .replace("1111111111111111@cdp.aliyuncs.com", "cdp.aliyuncs.com");
        let variant = reserialised(&TrustPolicy::parse(&stored).unwrap(), seed);
        prop_assert!(policies_equivalent(&original, &variant, Some(&owner)));
        let rewritten = stored != original;
        prop_assert_eq!(policies_equivalent(&original, &variant, None), !rewritten);
        let detected = own_account_rewrite(&TrustPolicy::parse(&variant).unwrap(), &owner).is_some();
        prop_assert_eq!(detected, rewritten);
    }
}

/// Guards the properties above against passing vacuously: the re-serialiser really takes each liberty.
#[test]
fn reserialiser_exercises_every_liberty() {
    let policy = TrustPolicy::parse(
        r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1:root","acs:ram::2:root"],"Service":["1@dts.aliyuncs.com"]}}],"Version":"1"}"#,
    )
    .unwrap();
    let variants: Vec<String> = (1..200).map(|seed| reserialised(&policy, seed)).collect();
    let any = |predicate: &dyn Fn(&Value, &str) -> bool| {
        variants.iter().any(|text| {
            let value: Value = serde_json::from_str(text).unwrap();
            predicate(&value, text)
        })
    };
    assert!(
        any(&|v, _| v["Statement"].is_object()),
        "Statement as an object"
    );
    assert!(
        any(&|v, _| v["Statement"][0]["Action"].is_array()),
        "Action as a list"
    );
    assert!(
        any(&|v, _| v["Statement"][0]["Principal"]["Service"].is_string()),
        "principal as a string"
    );
    assert!(
        any(&|v, _| v["Statement"][0]["Principal"]["RAM"][0] == "acs:ram::2:root"),
        "principal list reordered"
    );
    assert!(
        any(&|v, _| v["Statement"][0]["Principal"]["RAM"]
            .as_array()
            .is_some_and(|l| l.len() == 3)),
        "repeated principal"
    );
    assert!(any(&|_, text| text.contains('\n')), "whitespace");
    assert!(
        any(&|_, text| text.find("\"Version\"") < text.find("\"Statement\"")),
        "key order"
    );
}
