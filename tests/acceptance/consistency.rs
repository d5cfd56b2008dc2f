//! RAM's eventual consistency on both sides, forced: with a consistency window of an hour
//! (`consistency_delay_ms`), a new role is unknown to reads and to the writes that name it (`EntityNotExist.Role`
//! on the attach right after CreateRole) until the test ends the window (`POST /_emulator/consistency/settle`),
//! so every window these tests need is met by construction, never by racing the clock.
//! - Every seed scenario example applies while its first attach meets the window (the provider waits, and carries
//!   on once the window ends), then plans clean and destroys.
//! - A create whose every write was acknowledged is complete even when reads have not caught up by the end of
//!   `propagation_timeout`: the apply warns and the role is not tainted.

use crate::support::child::HANG_GUARD;
use crate::support::emulator::Emulator;
use crate::support::roles_by_hand::{provider_config, ram_document};
use crate::support::{Workdir, terraforms};
use serde_json::json;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The examples of the seeds' scenarios (DTS 1, 2, 3 and DataWorks) and the plain role.
const EXAMPLES: &[&str] = &[
    "resources/aliram_cross_account_dts_role/scenario_1_source",
    "resources/aliram_cross_account_dts_role/scenario_2_destination",
    "resources/aliram_cross_account_dts_role/scenario_3_source_and_destination",
    "resources/aliram_dataworks_source_role",
    "resources/aliram_role",
];

/// An hour: no window ends by itself while a test runs.
const WINDOW_MS: u64 = 3_600_000;

const APPLY: &[&str] = &["apply", "-auto-approve", "-input=false", "-no-color"];
const DESTROY: &[&str] = &["destroy", "-auto-approve", "-input=false", "-no-color"];

fn errors_of(emulator: &Emulator, action: &str) -> u64 {
    emulator.action_stat(action, "errors")
}

/// Ends every window open now (`POST /_emulator/consistency/settle`).
fn settle(emulator: &Emulator) {
    let answer = emulator.admin_post("consistency/settle", &json!({}));
    assert!(answer["settled"].is_u64(), "settle refused: {answer}");
}

/// `terraform apply` in `work` under an hour-long window: once an AttachPolicyToRole has met it (the emulator
/// answered `EntityNotExist.Role`), new writes get no window and the open ones are ended until the apply is
/// over. Returns the apply's standard output and error, and whether it succeeded.
fn apply_meeting_the_window(emulator: &Emulator, work: &Workdir, what: &str) -> (bool, String) {
    emulator.set_faults(&json!({ "consistency_delay_ms": WINDOW_MS }));
    let met_before = errors_of(emulator, "AttachPolicyToRole");
    let out_path = work.path().join("apply.out");
    let out = std::fs::File::create(&out_path).expect("creating the output file");
    let err = out.try_clone().expect("the output file, again");
    let mut child = work
        .command(APPLY)
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        .spawn()
        .expect("starting terraform");
    let output = || std::fs::read_to_string(&out_path).unwrap_or_default();
    let guard = Instant::now() + HANG_GUARD;
    while errors_of(emulator, "AttachPolicyToRole") == met_before {
        if let Some(status) = child.try_wait().expect("waiting for terraform") {
            panic!(
                "{what}: the apply ended ({status}) before an attach met the window:\n{}",
                output()
            );
        }
        assert!(Instant::now() < guard, "{what}: no attach met the window");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The window was met. From now on nothing waits: a write that read the hour-long knob before this still gets
    // its window ended by the next settle.
    emulator.set_faults(&json!({ "consistency_delay_ms": 0 }));
    let status = loop {
        settle(emulator);
        if let Some(status) = child.try_wait().expect("waiting for terraform") {
            break status;
        }
        assert!(Instant::now() < guard, "{what}: the apply never ended");
        std::thread::sleep(Duration::from_millis(50));
    };
    (status.success(), output())
}

#[test]
fn every_seed_scenario_converges_under_a_consistency_window() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        for example in EXAMPLES {
            let what = format!("{example} on Terraform {}", tf.version);
            let work = emulator.example_workdir(tf, example);
            let (applied, output) = apply_meeting_the_window(&emulator, &work, &what);
            assert!(applied, "{what}: the apply failed:\n{output}");
            work.assert_plan_clean();
            work.run(DESTROY).success();
        }
    }
    for account in ["source", "destination", "task"] {
        assert_eq!(
            emulator.role_names(account),
            Vec::<String>::new(),
            "roles left in {account}"
        );
    }
}

/// A create whose every write RAM acknowledged is complete, even when reads have not caught up by the end of
/// `propagation_timeout`: the apply succeeds with a warning and the role is not tainted (a tainted role would be
/// destroyed and created again by the next apply).
#[test]
fn a_complete_create_whose_reads_lag_is_not_tainted() {
    // The window outlasts the provider's one-second propagation_timeout by construction: it never ends by itself.
    let window = WINDOW_MS.to_string();
    let emulator = Emulator::start(&["--consistency-delay-ms", &window]);
    for (i, tf) in terraforms().iter().enumerate() {
        let config = format!(
            "{}\n\
             resource \"aliram_role\" \"lagging\" {{\n  role_name    = \"lagging-reads-{i}\"\n  trust_policy = {:?}\n  policy_names = []\n}}\n",
            provider_config(&emulator, "source").replacen(
                "provider \"aliram\" {\n",
                "provider \"aliram\" {\n  propagation_timeout = 1\n",
                1
            ),
            ram_document(&emulator, &["destination"]),
        );
        let work = Workdir::new(tf, &config);
        let apply = work.run(&["apply", "-auto-approve", "-input=false", "-json"]);
        let warnings: Vec<String> = apply
            .diagnostics()
            .into_iter()
            .filter(|d| d.severity == "warning")
            .map(|d| d.summary)
            .collect();
        assert_eq!(
            apply.code,
            0,
            "Terraform {}: {}",
            tf.version,
            apply.output()
        );
        assert!(
            warnings
                .iter()
                .any(|s| s == "Role Not Yet Visible to Reads"),
            "Terraform {}: no not-yet-visible warning among {warnings:?}",
            tf.version
        );
        let shown = work
            .run(&["state", "show", "aliram_role.lagging"])
            .success();
        assert!(
            !shown.stdout.contains("tainted"),
            "Terraform {}: a complete role was tainted:\n{}",
            tf.version,
            shown.stdout
        );
        // Reads catch up: nothing to change, nothing to replace.
        settle(&emulator);
        work.assert_plan_clean();
        work.run(DESTROY).success();
    }
}
