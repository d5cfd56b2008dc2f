//! Adoption after a lost answer, and only then. When CreateRole's answer is lost (the emulator carries the request
//! out and closes the connection, queued with `POST /_emulator/faults/next`), the retry meets
//! `EntityAlreadyExists.Role` for the role that very attempt created: the provider takes it as created. When the
//! first attempt was answered cleanly (`ServiceUnavailable`, nothing created) and the name is taken by a role made
//! by hand, with the very same trust policy, the apply fails saying to import it, and the role is not taken over.
//! When Ctrl-C comes while the check of whose the role is (its GetRole) is in flight, the role is not taken either:
//! unverified, it is left for an import, which the apply's error says to do.

use crate::support::Run;
use crate::support::emulator::Emulator;
use crate::support::holding_proxy::HoldingProxy;
use crate::support::interrupt::run_interrupted;
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

/// Since the counts `lost` (lost answers) and `refused` (CreateRole errors) were taken: one CreateRole answer was
/// lost, and its retry met the role that very attempt created (`EntityAlreadyExists.Role`).
#[track_caller]
fn retry_met_its_own_role(emulator: &Emulator, tf: &Terraform, lost: u64, refused: u64) {
    assert_eq!(
        emulator.faults_served("lost_response"),
        lost + 1,
        "the answer was lost"
    );
    assert_eq!(
        create_role_errors(emulator),
        refused + 1,
        "Terraform {}: the retry met the role its own first attempt created",
        tf.version
    );
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
        retry_met_its_own_role(&emulator, tf, lost, refused);
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

/// Ctrl-C during the ownership check after a lost CreateRole answer: the first CreateRole is carried out and its
/// answer lost (the proxy passes the closed connection on), the retry meets `EntityAlreadyExists.Role`, and the
/// GetRole that checks the role's trust policy has been answered by the emulator but its answer is held by the
/// proxy when Ctrl-C comes. A read is cut at Stop, so the role is unverified: not in the state, and the apply fails
/// with the provider's diagnostic saying to import it. Imported, it plans clean.
#[test]
fn ctrl_c_during_the_ownership_check_leaves_the_role_for_an_import() {
    let emulator = Emulator::start(&[]);
    for (i, tf) in terraforms().iter().enumerate() {
        let name = format!("check-cut-{i}");
        // The first GetRole of this apply is the ownership check: a new role with no policy reads nothing before.
        let proxy = HoldingProxy::start(&emulator.endpoint, "GetRole");
        let mut work = Workdir::new(
            tf,
            &config(&emulator, &name).replace(&emulator.endpoint, &proxy.url),
        );
        let lost = emulator.faults_served("lost_response");
        let refused = create_role_errors(&emulator);
        next_create_role(&emulator, "lost_response");
        let stdout = run_interrupted(
            &mut work,
            &proxy,
            &["apply", "-auto-approve", "-input=false", "-json"],
            "check",
        );
        retry_met_its_own_role(&emulator, tf, lost, refused);
        let said = Run {
            code: 1,
            stdout,
            stderr: String::new(),
        }
        .error_text();
        let import = format!(
            "A role named \"{name}\" already exists in this account: import it (`terraform import aliram_role.<name> {name}`)"
        );
        assert!(
            said.contains("EntityAlreadyExists.Role") && said.contains(&import),
            "Terraform {}: the interrupted apply does not say to import the role:\n{said}",
            tf.version
        );
        assert!(
            !in_state(&work),
            "Terraform {}: an unverified role was taken into the state",
            tf.version
        );
        assert_eq!(emulator.role_names("source"), vec![name.clone()]);

        work.run(&["import", "-input=false", "-no-color", RESOURCE, &name])
            .success();
        work.assert_plan_clean();
        work.run(&["destroy", "-auto-approve", "-input=false", "-no-color"])
            .success();
        assert!(emulator.role_names("source").is_empty());
    }
}
