//! The rules the provider checks at plan time and the emulator enforces as RAM, each stated once (in `src/ram/`,
//! or the provider's domain for what it attaches) and tested here on both sides against one table: a plan that passes must not meet a refusal at apply, and a
//! refresh must read back what the emulator stored as equal to what was written.
//!
//! - reserved tag keys: `role_rules::check_tags` and the emulator's CreateRole / TagResources;
//! - RAM's own-account rewrite of service principals: `trust_policy::own_account_stored_form` (and the
//!   provider's comparison built on it) and the trust policy the emulator stores and returns;
//! - the system policies the domain attaches: each is in the emulator's catalog.

use crate::support::emulator_calls::*;
use terraform_provider_aliram::ram::account::AccountId;
use terraform_provider_aliram::ram::role_rules::check_tags;
use terraform_provider_aliram::ram::trust_policy::{
    PrincipalKind, TrustPolicy, own_account_stored_form, policies_equivalent,
};

/// Tag keys and whether RAM refuses them, as its TagResources reference states the rule ("cannot start with
/// aliyun or acs:, cannot contain http:// or https://"), in any letter case.
const TAG_KEYS: &[(&str, bool)] = &[
    ("team", false),
    ("Team-aliyun", false),
    ("my-acs:x", false),
    ("httpd", false),
    ("http:/x", false),
    ("aliyun", true),
    ("aliyun:owner", true),
    ("Aliyun-x", true),
    ("ALIYUNx", true),
    ("acs:rm:rgId", true),
    ("ACS:x", true),
    ("http://x", true),
    ("HTTPS://x", true),
    ("doc-http://x", true),
    ("link https://example.com", true),
];

#[test]
fn tag_keys_the_provider_refuses() {
    for &(key, reserved) in TAG_KEYS {
        assert_eq!(check_tags([(key, "v")]).is_err(), reserved, "{key:?}");
    }
}

#[tokio::test]
async fn tag_keys_the_emulator_refuses_are_the_same() {
    let emulator = InProcess::with_defaults().await;
    let source = account("source");
    let client = Client::new(&emulator.endpoint, &source);
    let policy = dts_trust_policy(&account("task").account_id);
    for (i, &(key, reserved)) in TAG_KEYS.iter().enumerate() {
        let tag = serde_json::json!([{ "Key": key, "Value": "v" }]).to_string();
        // On creation.
        let name = format!("tagged-{i}");
        let created = client
            .call(
                RAM,
                "CreateRole",
                &[
                    ("RoleName", name.as_str()),
                    ("AssumeRolePolicyDocument", policy.as_str()),
                    ("Tag", tag.as_str()),
                ],
            )
            .await;
        // On an existing role.
        let plain = format!("plain-{i}");
        create_role(&client, &plain, &policy).await;
        let names = serde_json::json!([plain]).to_string();
        let tagged = client
            .call(
                RAM,
                "TagResources",
                &[
                    ("ResourceType", "role"),
                    ("ResourceNames", names.as_str()),
                    ("Tag", tag.as_str()),
                ],
            )
            .await;
        for reply in [created, tagged] {
            if reserved {
                reply.expect_error(400, "InvalidParameter.Tag.Key");
            } else {
                reply.ok();
            }
        }
    }
}

/// Where a principal comes from: the role's owner, or another account.
#[derive(Clone, Copy, Debug)]
enum Uid {
    Owner,
    Other,
}

/// One row: a Service principal as written (`{uid}` replaced), and as RAM stores it in a role of the owner.
struct Rewrite {
    written: &'static str,
    uid: Option<Uid>,
    stored: &'static str,
    why: &'static str,
}

/// RAM's own-account rule for service principals, one row per case.
const OWN_ACCOUNT_REWRITES: &[Rewrite] = &[
    Rewrite {
        written: "{uid}@dts.aliyuncs.com",
        uid: Some(Uid::Owner),
        stored: "dts.aliyuncs.com",
        why: "documented by the DTS guide",
    },
    Rewrite {
        written: "{uid}@cdp.aliyuncs.com",
        uid: Some(Uid::Owner),
        stored: "cdp.aliyuncs.com",
        why: "inferred: the same rule for DataWorks",
    },
    Rewrite {
        written: "{uid}@ecs.aliyuncs.com",
        uid: Some(Uid::Owner),
        stored: "ecs.aliyuncs.com",
        why: "inferred: any Alibaba Cloud service host",
    },
    Rewrite {
        written: "{uid}@dts.aliyuncs.com",
        uid: Some(Uid::Other),
        stored: "{uid}@dts.aliyuncs.com",
        why: "another account's service principal is kept",
    },
    Rewrite {
        written: "{uid}@cdp.aliyuncs.com",
        uid: Some(Uid::Other),
        stored: "{uid}@cdp.aliyuncs.com",
        why: "another account's service principal is kept",
    },
    Rewrite {
        written: "dts.aliyuncs.com",
        uid: None,
        stored: "dts.aliyuncs.com",
        why: "already the bare form",
    },
    Rewrite {
        written: "{uid}@example.com",
        uid: Some(Uid::Owner),
        stored: "{uid}@example.com",
        why: "not an Alibaba Cloud service host",
    },
    Rewrite {
        written: "{uid}1@dts.aliyuncs.com",
        uid: Some(Uid::Owner),
        stored: "{uid}1@dts.aliyuncs.com",
        why: "a longer UID is another account",
    },
];

impl Rewrite {
    fn fill(text: &str, uid: Option<&str>) -> String {
        uid.map_or_else(|| text.to_owned(), |u| text.replace("{uid}", u))
    }

    fn uid<'a>(&self, owner: &'a str, other: &'a str) -> Option<&'a str> {
        self.uid.map(|u| match u {
            Uid::Owner => owner,
            Uid::Other => other,
        })
    }
}

fn policy_with_service(principal: &str) -> String {
    serde_json::json!({
        "Statement": [{ "Action": "sts:AssumeRole", "Effect": "Allow", "Principal": { "Service": [principal] } }],
        "Version": "1"
    })
    .to_string()
}

#[test]
fn the_provider_applies_the_own_account_rule_of_the_table() {
    let (owner, other) = (account("source").account_id, account("task").account_id);
    let owner_id = AccountId::parse(&owner).unwrap();
    for row in OWN_ACCOUNT_REWRITES {
        let uid = row.uid(&owner, &other);
        let (written, stored) = (
            Rewrite::fill(row.written, uid),
            Rewrite::fill(row.stored, uid),
        );
        assert_eq!(
            own_account_stored_form(&written, &owner),
            stored,
            "{written} ({})",
            row.why
        );
        // The comparison a refresh makes: what was written equals what RAM returns.
        assert!(
            policies_equivalent(
                &policy_with_service(&written),
                &policy_with_service(&stored),
                Some(&owner_id)
            ),
            "{written} ({})",
            row.why
        );
    }
}

#[tokio::test]
async fn the_emulator_stores_service_principals_by_the_same_table() {
    let emulator = InProcess::with_defaults().await;
    let source = account("source");
    let (owner, other) = (source.account_id.clone(), account("task").account_id);
    let client = Client::new(&emulator.endpoint, &source);
    for (i, row) in OWN_ACCOUNT_REWRITES.iter().enumerate() {
        let uid = row.uid(&owner, &other);
        let (written, stored) = (
            Rewrite::fill(row.written, uid),
            Rewrite::fill(row.stored, uid),
        );
        let name = format!("rewrite-{i}");
        create_role(&client, &name, &policy_with_service(&written)).await;
        let role = client
            .call(RAM, "GetRole", &[("RoleName", name.as_str())])
            .await
            .ok();
        let document = role["Role"]["AssumeRolePolicyDocument"]
            .as_str()
            .expect("AssumeRolePolicyDocument");
        let returned = TrustPolicy::parse(document).expect("the stored policy parses");
        let services: Vec<&str> = returned.principals(PrincipalKind::Service).collect();
        assert_eq!(services, [stored.as_str()], "{written} ({})", row.why);
    }
}

/// Read from the domain's tables, so a new instance type cannot be attached in the provider and refused by the
/// emulator. Here rather than in the emulator's unit tests: the emulator does not know the provider.
#[test]
fn every_policy_the_domain_attaches_is_in_the_emulators_catalog() {
    use terraform_provider_aliram::emulator::policy_catalog::find_system_policy;
    use terraform_provider_aliram::provider::domain::{dataworks, dts};
    let domain = std::iter::once(dts::SYSTEM_POLICY).chain(
        dataworks::INSTANCE_TYPES
            .iter()
            .flat_map(|row| row.system_policies.iter().copied()),
    );
    for name in domain {
        assert!(find_system_policy(name).is_some(), "{name}");
    }
    assert!(find_system_policy("AliyunADBReadOnlyAccess").is_some());
}
