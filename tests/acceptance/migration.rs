//! The guide `docs/guides/migrating-from-alicloud_ram_role.md`, run: a DTS role and its policy attachment managed
//! by the alicloud provider (a role made outside this provider, a state as the alicloud provider writes it) are
//! taken over by `aliram_cross_account_dts_role` without recreating the role: no API write, the same role ID, a
//! clean plan after. The alicloud provider cannot be installed here, so the recipe's provider-free form (`terraform
//! state rm`) forgets the alicloud resources; the test also shows that any plan of that state, `removed` blocks
//! included, needs the alicloud provider.

use crate::support::emulator::Emulator;
use crate::support::roles_by_hand::{create, dts_document, provider_config, role_id};
use crate::support::takeover::{adopt_without_writes, text};
use crate::support::{Workdir, terraforms};

/// The state the alicloud provider leaves for `alicloud_ram_role.dts` and its attachment of `AliyunDTSRolePolicy`.
fn alicloud_state(emulator: &Emulator, document: &str, role_id: &str) -> String {
    let owner = &emulator.account("source").account_id;
    let provider = "provider[\"registry.terraform.io/aliyun/alicloud\"]";
    serde_json::json!({
        "version": 4,
        "terraform_version": "1.11.4",
        "serial": 4,
        "lineage": "8f1c2a44-3d7e-4b8a-9e61-2c5d0f7a9b13",
        "outputs": {},
        "resources": [
            {
                "mode": "managed", "type": "alicloud_ram_role", "name": "dts", "provider": provider,
                "instances": [{
                    "schema_version": 0,
                    "attributes": {
                        "id": "ram-for-dts", "role_name": "ram-for-dts", "name": "ram-for-dts",
                        "arn": format!("acs:ram::{owner}:role/ram-for-dts"), "role_id": role_id,
                        "assume_role_policy_document": document, "document": document,
                        "description": "", "force": false, "max_session_duration": 3600,
                        "tags": null, "version": "1", "ram_users": [], "services": [],
                        "create_time": "2026-01-05T08:00:00Z"
                    },
                    "sensitive_attributes": []
                }]
            },
            {
                "mode": "managed", "type": "alicloud_ram_role_policy_attachment", "name": "dts",
                "provider": provider,
                "instances": [{
                    "schema_version": 0,
                    "attributes": {
                        "id": "role:AliyunDTSRolePolicy:System:ram-for-dts",
                        "policy_name": "AliyunDTSRolePolicy", "policy_type": "System", "role_name": "ram-for-dts"
                    },
                    "sensitive_attributes": [],
                    "dependencies": ["alicloud_ram_role.dts"]
                }]
            }
        ],
        "check_results": null
    })
    .to_string()
}

const REMOVED: &str = "removed {\n  from = alicloud_ram_role.dts\n  lifecycle {\n    destroy = false\n  }\n}\nremoved {\n  from = alicloud_ram_role_policy_attachment.dts\n  lifecycle {\n    destroy = false\n  }\n}\n";

#[test]
fn an_alicloud_managed_role_is_taken_over_without_recreating_it() {
    let emulator = Emulator::start(&[]);
    let task = emulator.account("task").account_id.clone();
    for tf in terraforms() {
        let document = dts_document(&emulator, "task");
        let id = create(
            &emulator,
            "source",
            "ram-for-dts",
            &document,
            &["AliyunDTSRolePolicy"],
            &[],
        );
        let config = format!(
            "{}\nimport {{\n  to = aliram_cross_account_dts_role.dts\n  id = \"ram-for-dts\"\n}}\nresource \"aliram_cross_account_dts_role\" \"dts\" {{\n  scenario        = \"source\"\n  task_account_id = \"{task}\"\n}}\n",
            provider_config(&emulator, "source")
        );
        let work = Workdir::new(tf, &format!("{config}\n{REMOVED}"));
        std::fs::write(
            work.path().join("terraform.tfstate"),
            alicloud_state(&emulator, &document, &id),
        )
        .expect("writing the alicloud state");

        // Where the alicloud provider is installed, the removed blocks forget its resources; here it is not.
        let with_removed = work.run(&["plan", "-input=false", "-no-color"]);
        assert_eq!(with_removed.code, 1, "Terraform {}", tf.version);
        assert!(
            text(&with_removed).contains("registry.terraform.io/aliyun/alicloud"),
            "Terraform {}: {}",
            tf.version,
            text(&with_removed)
        );

        // The provider-free form of the same step.
        work.write_config(&config);
        work.run(&[
            "state",
            "rm",
            "alicloud_ram_role.dts",
            "alicloud_ram_role_policy_attachment.dts",
        ])
        .success();
        adopt_without_writes(&work, &emulator, tf, 1);
        assert_eq!(
            role_id(&emulator, "source", "ram-for-dts"),
            id,
            "Terraform {}: role recreated",
            tf.version
        );
        let listed = work.run(&["state", "list"]).success();
        assert_eq!(
            listed.stdout.trim(),
            "aliram_cross_account_dts_role.dts",
            "Terraform {}",
            tf.version
        );

        work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
            .success();
        assert!(emulator.role_names("source").is_empty());
    }
}
