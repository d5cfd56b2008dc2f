//! Ctrl-C while write answers are in flight (issue 9, item 4). Terraform runs through a proxy that holds every
//! answer of one write action after the emulator carried the call out; SIGINT goes to Terraform's process group, as
//! a terminal's Ctrl-C sends it; the held answers are released only once the provider has logged that Stop reached
//! it (its token is cancelled before that line), so each write is in flight at Stop by construction. Then:
//! - create (CreateRole held, 30 roles): every role RAM has is in the state, and the next apply converges (no
//!   `EntityAlreadyExists.Role`) with a clean plan after it and no role outside the state;
//! - update (UpdateRole held): every role's description in the state is the one RAM has;
//! - update of tags (UntagResources held, so the TagResources after it is cut): every role's tags in the state
//!   are the ones RAM has;
//! - destroy (DeleteRole held): the state holds exactly the roles RAM still has.

use crate::support::emulator::Emulator;
use crate::support::holding_proxy::HoldingProxy;
use crate::support::interrupt::run_interrupted;
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

/// The roles' description and tags (an HCL map literal).
struct Settings<'a> {
    description: &'a str,
    tags: &'a str,
}

const FIRST: Settings = Settings {
    description: "first",
    tags: r#"{ kept = "1", dropped = "2" }"#,
};
const SECOND: Settings = Settings {
    description: "second",
    tags: r#"{ kept = "1", added = "3" }"#,
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
  policy_names = ["AliyunDTSRolePolicy"]
}}
"#,
        key = source.access_key_id,
        secret = source.access_key_secret,
        description = settings.description,
        tags = settings.tags,
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
    let prefix = format!("{}-{}-", action.to_ascii_lowercase(), tf.version);
    let proxy = HoldingProxy::start(&emulator.endpoint, action);
    let work = Workdir::new(tf, &config(emulator, &proxy.url, &prefix, &FIRST));
    (work, proxy, prefix)
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
