//! Ctrl-C while write answers are in flight (issue 9, item 4). Terraform runs through a proxy that holds every
//! answer of one write action after the emulator carried the call out; SIGINT goes to Terraform's process group, as
//! a terminal's Ctrl-C sends it; the held answers are released only once the provider has logged that Stop reached
//! it (its token is cancelled before that line), so each write is in flight at Stop by construction. Then:
//! - create (CreateRole held, 30 roles): every role RAM has is in the state, and the next apply converges (no
//!   `EntityAlreadyExists.Role`) with a clean plan after it and no role outside the state;
//! - update (UpdateRole held): every role's description in the state is the one RAM has;
//! - update of tags (UntagResources held, so the TagResources after it is cut): every role's tags in the state
//!   are the ones RAM has;
//! - destroy (DeleteRole held): the state holds exactly the roles RAM still has;
//! - create with two policies each (AttachPolicyToRole held): a role left with one policy is tainted, with that one
//!   policy in the state; `terraform untaint` keeps it and the next apply attaches the rest to the same role;
//! - update detaching two policies (DetachPolicyFromRole held): the state's policies are RAM's;
//! - a second Ctrl-C (CreateRole held): Terraform exits at once, the roles in flight are missing from the state,
//!   and the next apply names each and says to import it.

use crate::support::emulator::Emulator;
use crate::support::holding_proxy::HoldingProxy;
use crate::support::interrupt::{run_interrupted, run_interrupted_twice};
use crate::support::roles_by_hand::role_id;
use crate::support::{REQUIRED_PROVIDERS, Terraform, Workdir, terraforms};
use std::collections::{BTreeMap, BTreeSet};

const ROLES: usize = 30;

const APPLY: &[&str] = &["apply", "-input=false", "-no-color", "-auto-approve"];
const DESTROY: &[&str] = &["destroy", "-input=false", "-no-color", "-auto-approve"];

/// What a role is, as far as these scenarios change it.
#[derive(Debug, PartialEq, Eq)]
struct Facts {
    description: String,
    tags: BTreeMap<String, String>,
}

/// The roles' description, tags (an HCL map literal) and policies (an HCL list literal).
struct Settings<'a> {
    description: &'a str,
    tags: &'a str,
    policies: &'a str,
}

const FIRST: Settings = Settings {
    description: "first",
    tags: r#"{ kept = "1", dropped = "2" }"#,
    policies: r#"["AliyunDTSRolePolicy"]"#,
};
const SECOND: Settings = Settings {
    description: "second",
    tags: r#"{ kept = "1", added = "3" }"#,
    ..FIRST
};
/// Two policies, attached (and detached) one call after the other: with the first call's answer held at Ctrl-C,
/// the second is never sent, so the role is left part-way by construction.
const TWO_POLICIES: Settings = Settings {
    policies: r#"["AliyunDTSRolePolicy", "AliyunRAMReadOnlyAccess"]"#,
    ..FIRST
};
const NO_POLICY: Settings = Settings {
    policies: "[]",
    ..FIRST
};

fn config(emulator: &Emulator, endpoint: &str, prefix: &str, settings: &Settings) -> String {
    let source = emulator.account("source");
    let destination = &emulator.account("destination").account_id;
    format!(
        r#"{REQUIRED_PROVIDERS}
provider "aliram" {{
  access_key = "{key}"
  secret_key = "{secret}"
  endpoints {{
    ram = "{endpoint}"
    sts = "{endpoint}"
  }}
}}

resource "aliram_role" "many" {{
  count        = {ROLES}
  role_name    = "{prefix}${{count.index}}"
  description  = "{description}"
  tags         = {tags}
  trust_policy = provider::aliram::dts_trust_policy("{destination}")
  policy_names = {policies}
}}
"#,
        key = source.access_key_id,
        secret = source.access_key_secret,
        description = settings.description,
        tags = settings.tags,
        policies = settings.policies,
    )
}

/// The roles the state holds (tainted ones included), by name.
fn roles_in_state(work: &Workdir) -> BTreeMap<String, Facts> {
    let shown = work.run(&["show", "-json"]).success();
    let json: serde_json::Value =
        serde_json::from_str(&shown.stdout).expect("terraform show -json prints JSON");
    json["values"]["root_module"]["resources"]
        .as_array()
        .map(|resources| {
            resources
                .iter()
                .filter_map(|r| {
                    let values = &r["values"];
                    let name = values["role_name"].as_str()?.to_owned();
                    let description = values["description"].as_str().unwrap_or_default();
                    let tags = values["tags"]
                        .as_object()
                        .map(|tags| {
                            tags.iter()
                                .map(|(k, v)| {
                                    (k.clone(), v.as_str().unwrap_or_default().to_owned())
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    let facts = Facts {
                        description: description.to_owned(),
                        tags,
                    };
                    Some((name, facts))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The roles RAM has under `prefix`, by name.
fn roles_in_ram(emulator: &Emulator, prefix: &str) -> BTreeMap<String, Facts> {
    let api = emulator.api("source");
    let roles = emulator.block_on(api.list_roles()).expect("ListRoles");
    roles
        .into_iter()
        .filter(|r| r.role_name.starts_with(prefix))
        .map(|r| {
            let facts = Facts {
                description: r.description.unwrap_or_default(),
                tags: r
                    .tags
                    .tag
                    .into_iter()
                    .map(|t| (t.tag_key, t.tag_value))
                    .collect(),
            };
            (r.role_name, facts)
        })
        .collect()
}

fn names(roles: &BTreeMap<String, Facts>) -> BTreeSet<String> {
    roles.keys().cloned().collect()
}

/// A working directory through a proxy holding `action`'s answers; role names start with a prefix of its own.
fn setup(emulator: &Emulator, tf: &Terraform, action: &str) -> (Workdir, HoldingProxy, String) {
    setup_with(emulator, tf, action, &FIRST)
}

/// [`setup`] with the roles configured as `settings`.
fn setup_with(
    emulator: &Emulator,
    tf: &Terraform,
    action: &str,
    settings: &Settings,
) -> (Workdir, HoldingProxy, String) {
    let prefix = format!("{}-{}-", action.to_ascii_lowercase(), tf.version);
    let proxy = HoldingProxy::start(&emulator.endpoint, action);
    let work = Workdir::new(tf, &config(emulator, &proxy.url, &prefix, settings));
    (work, proxy, prefix)
}

/// What the state file says of one role: its policies (sorted) and whether it is tainted.
#[derive(Debug, PartialEq, Eq)]
struct Recorded {
    policies: Vec<String>,
    tainted: bool,
}

/// Each role of the state file, by name (read from `terraform.tfstate`, which holds the taint). No file, or an
/// empty one, is no state, as Terraform reads it: Terraform creates the file empty to lock it, and a second Ctrl-C
/// can make it exit before it wrote any state there.
fn recorded_roles(work: &Workdir) -> BTreeMap<String, Recorded> {
    let text = std::fs::read_to_string(work.path().join("terraform.tfstate")).unwrap_or_default();
    if text.trim().is_empty() {
        return BTreeMap::new();
    }
    let state: serde_json::Value = serde_json::from_str(&text).expect("the state file is JSON");
    let instances = state["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["instances"].as_array().into_iter().flatten());
    instances
        .filter_map(|instance| {
            let attributes = &instance["attributes"];
            let name = attributes["role_name"].as_str()?.to_owned();
            let mut policies: Vec<String> = attributes["policy_names"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect();
            policies.sort();
            let tainted = instance["status"] == "tainted";
            Some((name, Recorded { policies, tainted }))
        })
        .collect()
}

/// The resource address of the role named `name` (`<prefix><index>`).
fn address(prefix: &str, name: &str) -> String {
    let index = name.strip_prefix(prefix).expect("a role of this scenario");
    format!("aliram_role.many[{index}]")
}

/// After Ctrl-C with `held`'s answers in flight: the state holds every role RAM has, each with exactly the
/// policies RAM has attached to it. Returns the state's roles.
fn policies_agree(
    emulator: &Emulator,
    work: &Workdir,
    prefix: &str,
    held: &str,
    output: &str,
) -> BTreeMap<String, Recorded> {
    let recorded = recorded_roles(work);
    let in_ram = names(&roles_in_ram(emulator, prefix));
    assert_eq!(
        recorded.keys().cloned().collect::<BTreeSet<_>>(),
        in_ram,
        "after Ctrl-C with {held} in flight, the state's roles are not RAM's:\n{output}"
    );
    for (name, role) in &recorded {
        assert_eq!(
            role.policies,
            emulator.attached_policies("source", name),
            "after Ctrl-C with {held} in flight, the state's policies of {name} are not RAM's:\n{output}"
        );
    }
    recorded
}

/// The end of every scenario: the next apply converges, the plan after it is clean, RAM and state agree, and
/// destroy leaves nothing.
fn converges(emulator: &Emulator, work: &Workdir, prefix: &str, tf: &Terraform) {
    let next = work.run(APPLY);
    assert!(
        next.code == 0,
        "Terraform {}: the apply after the interrupted one must converge:\n{}\n{}",
        tf.version,
        next.stdout,
        next.stderr
    );
    work.assert_plan_clean();
    let in_ram = roles_in_ram(emulator, prefix);
    assert_eq!(in_ram.len(), ROLES, "Terraform {}", tf.version);
    assert_eq!(
        in_ram,
        roles_in_state(work),
        "Terraform {}: RAM and state differ",
        tf.version
    );
    work.run(DESTROY).success();
    assert!(roles_in_ram(emulator, prefix).is_empty());
}

#[test]
fn ctrl_c_with_create_role_answers_in_flight_orphans_nothing_and_the_next_apply_converges() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        let (mut work, proxy, prefix) = setup(&emulator, tf, "CreateRole");
        let output = run_interrupted(&mut work, &proxy, APPLY, "create");

        let in_ram = names(&roles_in_ram(&emulator, &prefix));
        let in_state = names(&roles_in_state(&work));
        assert!(
            !in_ram.is_empty() && in_ram.len() < ROLES,
            "Terraform {}: the apply was not interrupted mid-way ({} roles in RAM)",
            tf.version,
            in_ram.len()
        );
        let orphaned: Vec<String> = in_ram.difference(&in_state).cloned().collect();
        // The next apply runs before the assertion, so a failure shows both symptoms of an orphan.
        let next = work.run(APPLY);
        assert!(
            orphaned.is_empty(),
            "Terraform {}: roles created in RAM but not in the state after Ctrl-C: {orphaned:?}\n\
             interrupted apply:\n{output}\nnext apply:\n{}",
            tf.version,
            next.stderr
        );
        converges(&emulator, &work, &prefix, tf);
    }
}

#[test]
fn ctrl_c_with_update_role_answers_in_flight_records_each_update_ram_made() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        let (mut work, proxy, prefix) = setup(&emulator, tf, "UpdateRole");
        work.run(APPLY).success();
        work.write_config(&config(&emulator, &proxy.url, &prefix, &SECOND));
        let output = run_interrupted(&mut work, &proxy, APPLY, "update");

        let in_ram = roles_in_ram(&emulator, &prefix);
        let updated = in_ram
            .values()
            .filter(|r| r.description == SECOND.description)
            .count();
        assert!(
            updated > 0 && updated < ROLES,
            "Terraform {}: the apply was not interrupted mid-way ({updated} roles updated)",
            tf.version
        );
        assert_eq!(
            roles_in_state(&work),
            in_ram,
            "Terraform {}: after Ctrl-C the state's roles are not what RAM has:\n{output}",
            tf.version
        );
        converges(&emulator, &work, &prefix, tf);
    }
}

#[test]
fn ctrl_c_with_delete_role_answers_in_flight_keeps_only_the_roles_ram_still_has() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        let (mut work, proxy, prefix) = setup(&emulator, tf, "DeleteRole");
        work.run(APPLY).success();
        let output = run_interrupted(&mut work, &proxy, DESTROY, "destroy");

        let in_ram = names(&roles_in_ram(&emulator, &prefix));
        assert!(
            !in_ram.is_empty() && in_ram.len() < ROLES,
            "Terraform {}: the destroy was not interrupted mid-way ({} roles left)",
            tf.version,
            in_ram.len()
        );
        assert_eq!(
            names(&roles_in_state(&work)),
            in_ram,
            "Terraform {}: after Ctrl-C the state does not hold exactly the roles RAM still has:\n{output}",
            tf.version
        );
        converges(&emulator, &work, &prefix, tf);
    }
}

/// Ctrl-C while retagging (FIRST's tags to SECOND's: `dropped` untagged, then `added` tagged) with `held`'s answers
/// in flight: `done` tells a role the held call reached; some did and some did not, and the state's tags are
/// what RAM has.
fn ctrl_c_while_retagging(held: &str, done: fn(&Facts) -> bool) {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        // CreateRole carries the first tags itself: no tag call until the retagging.
        let (mut work, proxy, prefix) = setup(&emulator, tf, held);
        work.run(APPLY).success();
        let changed = Settings {
            tags: SECOND.tags,
            ..FIRST
        };
        work.write_config(&config(&emulator, &proxy.url, &prefix, &changed));
        let output = run_interrupted(&mut work, &proxy, APPLY, "retag");

        let in_ram = roles_in_ram(&emulator, &prefix);
        let reached = in_ram.values().filter(|r| done(r)).count();
        assert!(
            reached > 0 && reached < ROLES,
            "Terraform {}: the apply was not interrupted mid-way ({reached} roles had their {held})",
            tf.version
        );
        assert_eq!(
            roles_in_state(&work),
            in_ram,
            "Terraform {}: after Ctrl-C the state's tags are not what RAM has:\n{output}",
            tf.version
        );
        converges(&emulator, &work, &prefix, tf);
    }
}

#[test]
fn ctrl_c_with_untag_answers_in_flight_records_the_tags_ram_has() {
    ctrl_c_while_retagging("UntagResources", |r| !r.tags.contains_key("dropped"));
}

#[test]
fn ctrl_c_with_tag_answers_in_flight_records_the_tags_ram_has() {
    ctrl_c_while_retagging("TagResources", |r| r.tags.contains_key("added"));
}

/// Ctrl-C during create with AttachPolicyToRole answers in flight, each role attaching two policies one after the
/// other: a role whose first attach was held gets it (a write sent is let finish) but never its second, so it is in
/// the state tainted, with the one policy RAM has. A role with both is not tainted. `terraform untaint` keeps one
/// such role: the next apply attaches its second policy to the same role (same role ID), while the other tainted
/// roles are replaced.
#[test]
fn ctrl_c_with_attach_answers_in_flight_taints_the_roles_left_part_way_and_untaint_keeps_one() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        let (mut work, proxy, prefix) =
            setup_with(&emulator, tf, "AttachPolicyToRole", &TWO_POLICIES);
        let output = run_interrupted(&mut work, &proxy, APPLY, "attach");

        let recorded = policies_agree(&emulator, &work, &prefix, "AttachPolicyToRole", &output);
        for (name, role) in &recorded {
            assert_eq!(
                role.tainted,
                role.policies.len() < 2,
                "Terraform {}: {name} with {:?} attached is tainted: {}",
                tf.version,
                role.policies,
                role.tainted
            );
        }
        let part_way: Vec<&String> = recorded
            .iter()
            .filter(|(_, r)| r.tainted)
            .map(|(name, _)| name)
            .collect();
        assert!(
            !part_way.is_empty(),
            "Terraform {}: no role was left part-way:\n{output}",
            tf.version
        );
        let ids = |names: &[&String]| -> Vec<String> {
            names
                .iter()
                .map(|n| role_id(&emulator, "source", n))
                .collect()
        };
        let before = ids(&part_way);
        let (kept, replaced) = part_way.split_at(1);
        work.run(&["untaint", "-no-color", &address(&prefix, kept[0])])
            .success();

        work.run(APPLY).success();
        let after = ids(&part_way);
        assert_eq!(
            after[0], before[0],
            "Terraform {}: the untainted role {} was replaced",
            tf.version, kept[0]
        );
        for (i, name) in replaced.iter().enumerate() {
            assert_ne!(
                after[i + 1],
                before[i + 1],
                "Terraform {}: the tainted role {name} was not replaced",
                tf.version
            );
        }
        for name in part_way {
            assert_eq!(
                emulator.attached_policies("source", name),
                ["AliyunDTSRolePolicy", "AliyunRAMReadOnlyAccess"],
                "Terraform {}: {name}",
                tf.version
            );
        }
        converges(&emulator, &work, &prefix, tf);
    }
}

/// Ctrl-C during an update detaching two policies one after the other, DetachPolicyFromRole answers in flight: a
/// role whose first detach was held loses that policy only, and the state says so for every role.
#[test]
fn ctrl_c_with_detach_answers_in_flight_records_the_policies_ram_has() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        let (mut work, proxy, prefix) =
            setup_with(&emulator, tf, "DetachPolicyFromRole", &TWO_POLICIES);
        work.run(APPLY).success();
        work.write_config(&config(&emulator, &proxy.url, &prefix, &NO_POLICY));
        let output = run_interrupted(&mut work, &proxy, APPLY, "detach");

        let recorded = policies_agree(&emulator, &work, &prefix, "DetachPolicyFromRole", &output);
        let part_way = recorded.values().filter(|r| r.policies.len() == 1).count();
        assert!(
            part_way > 0,
            "Terraform {}: no role was left with one of its two policies:\n{output}",
            tf.version
        );
        assert!(
            recorded.values().all(|r| !r.tainted),
            "Terraform {}: an update tainted a role",
            tf.version
        );
        converges(&emulator, &work, &prefix, tf);
    }
}

/// A second Ctrl-C while CreateRole answers are held: Terraform exits without waiting for them, so the roles
/// whose answers were in flight exist in RAM but not in the state, as the provider's documentation warns. The next
/// apply fails for them with the provider's `EntityAlreadyExists.Role` diagnostic saying to import them; imported,
/// the apply converges.
#[test]
fn a_second_ctrl_c_leaves_roles_for_an_import_that_the_next_apply_names() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        let (mut work, proxy, prefix) = setup(&emulator, tf, "CreateRole");
        let output = run_interrupted_twice(&mut work, &proxy, APPLY, "twice");
        assert!(
            output.contains("Two interrupts received"),
            "Terraform {}: did not exit at the second interrupt:\n{output}",
            tf.version
        );
        // Every role the state holds is RAM's; the ones whose answers were held are not in the state.
        let in_ram = names(&roles_in_ram(&emulator, &prefix));
        let in_state: BTreeSet<String> = recorded_roles(&work).into_keys().collect();
        assert!(
            in_state.is_subset(&in_ram),
            "Terraform {}: the state holds roles RAM does not: {:?}",
            tf.version,
            in_state.difference(&in_ram).collect::<Vec<_>>()
        );
        let missing: Vec<String> = in_ram.difference(&in_state).cloned().collect();
        assert!(
            !missing.is_empty(),
            "Terraform {}: no role was left out of the state:\n{output}",
            tf.version
        );

        let next = work.run(&["apply", "-input=false", "-auto-approve", "-json"]);
        assert_ne!(
            next.code, 0,
            "Terraform {}: the next apply converged",
            tf.version
        );
        let said = next.error_text();
        for name in &missing {
            let import = format!(
                "A role named \"{name}\" already exists in this account: import it (`terraform import aliram_role.<name> {name}`)"
            );
            assert!(
                said.contains(&import) && said.contains("EntityAlreadyExists.Role"),
                "Terraform {}: the next apply does not say to import {name}:\n{said}",
                tf.version
            );
        }
        for name in &missing {
            work.run(&[
                "import",
                "-input=false",
                "-no-color",
                &address(&prefix, name),
                name,
            ])
            .success();
        }
        converges(&emulator, &work, &prefix, tf);
    }
}
