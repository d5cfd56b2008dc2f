//! Adoption after a lost answer, and only then. When CreateRole's answer is lost (the emulator carries the request
//! out and closes the connection, queued with `POST /_emulator/faults/next`), the retry meets
//! `EntityAlreadyExists.Role` for the role that very attempt created: the provider takes it as created. When the
//! first attempt was answered cleanly (`ServiceUnavailable`, nothing created) and the name is taken by a role made
//! by hand, with the very same trust policy, the apply fails saying to import it, and the role is not taken over.

use crate::support::emulator::Emulator;
use crate::support::roles_by_hand::{self, provider_config, ram_document};
use crate::support::{Terraform, Workdir, terraforms};
use serde_json::json;

const RESOURCE: &str = "aliram_role.adopted";

/// An `aliram_role` named `name` in account `source` trusting the account `destination`.
fn config(emulator: &Emulator, name: &str) -> String {
    format!(
        "{}\n\
         resource \"aliram_role\" \"adopted\" {{\n  role_name    = \"{name}\"\n  trust_policy = {:?}\n  policy_names = []\n}}\n",
        provider_config(emulator, "source"),
        ram_document(emulator, &["destination"]),
    )
}

/// Queues `fault` for the next CreateRole.
fn next_create_role(emulator: &Emulator, fault: &str) {
    emulator.admin_post(
        "faults/next",
        &json!({"action": "CreateRole", "fault": fault}),
    );
}

/// `document` re-serialised, so two spellings of one JSON value compare equal.
fn squash_json(document: &str) -> String {
    serde_json::from_str::<serde_json::Value>(document)
        .expect("a JSON document")
        .to_string()
}

fn in_state(work: &Workdir) -> bool {
    let listed = work.run(&["state", "list"]);
    listed.code == 0 && listed.stdout.lines().any(|l| l == RESOURCE)
}

fn create_role_errors(emulator: &Emulator) -> u64 {
    emulator.action_stat("CreateRole", "errors")
}

#[test]
fn a_role_whose_create_answer_was_lost_is_adopted() {
    let emulator = Emulator::start(&[]);
    for (i, tf) in terraforms().iter().enumerate() {
        let name = format!("lost-answer-{i}");
        let work = Workdir::new(tf, &config(&emulator, &name));
        let lost = emulator.faults_served("lost_response");
        let refused = create_role_errors(&emulator);
        next_create_role(&emulator, "lost_response");
        work.run(&["apply", "-auto-approve", "-input=false", "-no-color"])
            .success();
        assert_eq!(
            emulator.faults_served("lost_response"),
            lost + 1,
            "the answer was lost"
        );
        assert_eq!(
            create_role_errors(&emulator),
            refused + 1,
            "Terraform {}: the retry met the role its own first attempt created",
            tf.version
        );
        assert!(
            in_state(&work),
            "Terraform {}: adopted role not in state",
            tf.version
        );
        assert_eq!(emulator.role_names("source"), vec![name.clone()]);
        work.assert_plan_clean();
        work.run(&["destroy", "-auto-approve", "-input=false", "-no-color"])
            .success();
        assert!(emulator.role_names("source").is_empty());
    }
}

#[test]
fn a_role_that_existed_before_a_clean_refusal_is_not_adopted() {
    let emulator = Emulator::start(&[]);
    for (i, tf) in terraforms().iter().enumerate() {
        refuses_to_take_over(&emulator, tf, &format!("made-by-hand-{i}"));
    }
}

/// After a lost answer a role of the name is adopted only when its trust policy is the one requested: here a role
/// made by hand trusts another account. The first CreateRole meets it (`EntityAlreadyExists.Role`, nothing
/// created) and its answer is lost, so the provider cannot tell whose the role is from the calls alone; the trust
/// policy tells, and it is not the one requested.
#[test]
fn a_lost_answer_does_not_adopt_a_role_with_another_trust_policy() {
    let emulator = Emulator::start(&[]);
    for (i, tf) in terraforms().iter().enumerate() {
        refuses_to_take_over_after(
            &emulator,
            tf,
            &format!("other-trust-{i}"),
            &ram_document(&emulator, &["task"]),
            "lost_response",
        );
    }
}

fn refuses_to_take_over(emulator: &Emulator, tf: &Terraform, name: &str) {
    // The same trust policy the configuration asks for: only the history of this apply's calls tells them apart.
    let document = ram_document(emulator, &["destination"]);
    refuses_to_take_over_after(emulator, tf, name, &document, "unavailable");
}

/// A role `name` made by hand with `document`, then an apply of [`config`] whose first CreateRole meets `fault`:
/// the apply fails saying to import the role, which is left as it was.
fn refuses_to_take_over_after(
    emulator: &Emulator,
    tf: &Terraform,
    name: &str,
    document: &str,
    fault: &str,
) {
    let role_id = roles_by_hand::create(emulator, "source", name, document, &[], &[]);
    let work = Workdir::new(tf, &config(emulator, name));
    let served = emulator.faults_served(fault);
    next_create_role(emulator, fault);
    let apply = work.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    let output = apply.output();
    assert_eq!(apply.code, 1, "Terraform {}: {output}", tf.version);
    assert_eq!(
        emulator.faults_served(fault),
        served + 1,
        "the first CreateRole met {fault}"
    );
    for part in [
        "EntityAlreadyExists.Role",
        "already exists",
        "terraform import",
    ] {
        assert!(
            output.contains(part),
            "Terraform {}: {part:?} missing from {output}",
            tf.version
        );
    }
    assert!(
        !in_state(&work),
        "Terraform {}: a role made by hand was taken into the state",
        tf.version
    );
    // Untouched, and still there after a destroy of this configuration.
    work.run(&["destroy", "-auto-approve", "-input=false", "-no-color"])
        .success();
    let api = emulator.api("source");
    let role = emulator
        .block_on(api.get_role(name))
        .unwrap_or_else(|e| panic!("the role made by hand is gone: {e}"))
        .role;
    assert_eq!(role.role_id, role_id);
    assert_eq!(
        role.assume_role_policy_document.as_deref().map(squash_json),
        Some(squash_json(document)),
        "Terraform {}: the role's trust policy was changed",
        tf.version
    );
    emulator
        .block_on(api.delete_role(name))
        .expect("cleaning up the role made by hand");
}
