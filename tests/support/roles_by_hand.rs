//! Roles made outside Terraform, as a console user or the alicloud provider would have made them: straight
//! through the API with the owner account's root keys.

use super::emulator::Emulator;
use terraform_provider_aliram::provider::alicloud::ram::{CreateRoleRequest, PolicyType, Tag};
use terraform_provider_aliram::provider::domain::trust_policy::{
    dataworks_trust_policy, dts_trust_policy,
};
use terraform_provider_aliram::ram::account::AccountId;

/// The DTS guide's trust policy for the account named `trusted`.
pub fn dts_document(emulator: &Emulator, trusted: &str) -> String {
    dts_trust_policy(&uid(emulator, trusted)).to_json()
}

/// The DataWorks guide's trust policy for the account named `trusted`.
pub fn dataworks_document(emulator: &Emulator, trusted: &str) -> String {
    dataworks_trust_policy(&uid(emulator, trusted)).to_json()
}

/// A trust policy admitting the root of each account named in `trusted`.
pub fn ram_document(emulator: &Emulator, trusted: &[&str]) -> String {
    let principals: Vec<String> = trusted
        .iter()
        .map(|t| uid(emulator, t).root_principal())
        .collect();
    serde_json::json!({
        "Version": "1",
        "Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"RAM": principals}}]
    })
    .to_string()
}

fn uid(emulator: &Emulator, account: &str) -> AccountId {
    AccountId::parse(&emulator.account(account).account_id).expect("emulator UIDs are digits")
}

/// Creates role `name` in `owner`'s account with `document`, the system `policies` and `tags`; returns its ID.
pub fn create(
    emulator: &Emulator,
    owner: &str,
    name: &str,
    document: &str,
    policies: &[&str],
    tags: &[(&str, &str)],
) -> String {
    let api = emulator.api(owner);
    let request = CreateRoleRequest {
        role_name: name.to_owned(),
        assume_role_policy_document: document.to_owned(),
        tags: tags.iter().map(|(k, v)| Tag::new(*k, *v)).collect(),
        ..Default::default()
    };
    let created = emulator
        .block_on(api.create_role(&request))
        .unwrap_or_else(|e| panic!("CreateRole {name}: {e}"));
    for policy in policies {
        emulator
            .block_on(api.attach_policy_to_role(name, PolicyType::System, policy))
            .unwrap_or_else(|e| panic!("AttachPolicyToRole {policy} to {name}: {e}"));
    }
    created.role.role_id
}

/// The ID RAM gave role `name` of `owner` (to tell a role kept from a role recreated).
pub fn role_id(emulator: &Emulator, owner: &str, name: &str) -> String {
    let api = emulator.api(owner);
    emulator
        .block_on(api.get_role(name))
        .unwrap_or_else(|e| panic!("GetRole {name}: {e}"))
        .role
        .role_id
}

/// The head of a configuration managing `account`'s roles: `required_providers` and the default provider.
pub fn provider_config(emulator: &Emulator, account: &str) -> String {
    format!(
        "{}{}",
        super::REQUIRED_PROVIDERS,
        emulator.provider_block(None, account)
    )
}

/// [`provider_config`] signed by `account`'s RAM user instead of its root keys.
pub fn user_provider_config(emulator: &Emulator, account: &str) -> String {
    format!(
        "{}{}",
        super::REQUIRED_PROVIDERS,
        emulator.user_provider_block(None, account)
    )
}

/// Creates `count` roles named `<prefix>-0000`, `<prefix>-0001`, ... in `owner`'s account with `document`, many
/// at once (the client has no fixed rate cap by default; the emulator has no flow control unless asked).
pub fn create_many(emulator: &Emulator, owner: &str, prefix: &str, count: usize, document: &str) {
    use futures_util::stream::{self, StreamExt};

    let api = emulator.api(owner);
    let requests: Vec<CreateRoleRequest> = (0..count)
        .map(|i| CreateRoleRequest {
            role_name: format!("{prefix}-{i:04}"),
            assume_role_policy_document: document.to_owned(),
            ..Default::default()
        })
        .collect();
    emulator.block_on(stream::iter(&requests).for_each_concurrent(16, |request| {
        let api = &api;
        async move {
            api.create_role(request)
                .await
                .unwrap_or_else(|e| panic!("CreateRole {}: {e}", request.role_name));
        }
    }));
}

/// Six roles of the source account, made by hand: `ram-for-dts` (the DTS guide's role for the task account, tag
/// `team = dba`), `dts-without-policy` (its trust, no policy), `dts-widened` (its trust plus the destination
/// account, with the policy), `dataworks-kafka` (DataWorks for the task account, Kafka's policy),
/// `partner-reader` (trusts the destination account) and `partner-other` (trusts the task account).
pub fn make_mixed_roles(emulator: &Emulator) {
    let dts = dts_document(emulator, "task");
    create(
        emulator,
        "source",
        "ram-for-dts",
        &dts,
        &["AliyunDTSRolePolicy"],
        &[("team", "dba")],
    );
    create(emulator, "source", "dts-without-policy", &dts, &[], &[]);
    let destination_root = uid(emulator, "destination").root_principal();
    let widened = dts.replace("\"RAM\":[", &format!("\"RAM\":[\"{destination_root}\","));
    create(
        emulator,
        "source",
        "dts-widened",
        &widened,
        &["AliyunDTSRolePolicy"],
        &[],
    );
    create(
        emulator,
        "source",
        "dataworks-kafka",
        &dataworks_document(emulator, "task"),
        &["AliyunDataWorksAccessingAlikafkaPolicy"],
        &[],
    );
    create(
        emulator,
        "source",
        "partner-reader",
        &ram_document(emulator, &["destination"]),
        &["AliyunDTSReadOnlyAccess"],
        &[],
    );
    create(
        emulator,
        "source",
        "partner-other",
        &ram_document(emulator, &["task"]),
        &[],
        &[],
    );
}
