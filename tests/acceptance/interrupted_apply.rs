//! Ctrl-C while CreateRole answers are in flight (issue 9, item 4): an apply of 30 roles through a proxy that holds
//! every CreateRole answer after the emulator carried the call out; SIGINT to Terraform's process group, as a
//! terminal's Ctrl-C sends it; the held answers are released only once the provider has logged that Stop reached it
//! (its token is cancelled before that line). Every role RAM then has must be in the state, and the next apply must
//! converge (no `EntityAlreadyExists.Role`) with a clean plan after it and no role outside the state.

use crate::support::emulator::Emulator;
use crate::support::holding_proxy::HoldingProxy;
use crate::support::{Terraform, Workdir, terraforms};
use std::collections::BTreeSet;
use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

const ROLES: usize = 30;

/// Guards against a hang; never a performance assertion.
const HANG_GUARD: Duration = Duration::from_secs(300);

/// What the provider logs once Terraform's Stop has cancelled its token.
const STOP_LINE: &str = "stop requested";

fn config(emulator: &Emulator, endpoint: &str, prefix: &str) -> String {
    let source = emulator.account("source");
    let destination = &emulator.account("destination").account_id;
    format!(
        r#"terraform {{
  required_providers {{
    aliram = {{ source = "aliram/aliram" }}
  }}
}}

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
  trust_policy = provider::aliram::dts_trust_policy("{destination}")
  policy_names = ["AliyunDTSRolePolicy"]
}}
"#,
        key = source.access_key_id,
        secret = source.access_key_secret,
    )
}

/// `terraform apply` in its own process group (as a shell runs a foreground job), output to files.
fn spawn_apply(work: &Workdir) -> Child {
    let out = File::create(work.path().join("apply.out")).expect("apply.out");
    let err = File::create(work.path().join("apply.err")).expect("apply.err");
    work.command(&["apply", "-input=false", "-no-color", "-auto-approve"])
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        .process_group(0)
        .spawn()
        .expect("starting terraform apply")
}

/// SIGINT to the whole process group: Terraform and its provider, as Ctrl-C in a terminal.
fn interrupt(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", "--", &format!("-{}", child.id())])
        .status()
        .expect("running kill");
    assert!(status.success(), "kill -INT failed");
}

fn wait_for_line(log: &Path, needle: &str) {
    let deadline = Instant::now() + HANG_GUARD;
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if text.contains(needle) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "Terraform's log never showed {needle:?}:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn wait_exit(child: &mut Child) -> ExitStatus {
    let deadline = Instant::now() + HANG_GUARD;
    loop {
        if let Some(status) = child.try_wait().expect("waiting for terraform") {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            panic!("the interrupted apply did not end");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The role names the state holds (tainted ones included).
fn roles_in_state(work: &Workdir) -> BTreeSet<String> {
    let shown = work.run(&["show", "-json"]).success();
    let json: serde_json::Value =
        serde_json::from_str(&shown.stdout).expect("terraform show -json prints JSON");
    json["values"]["root_module"]["resources"]
        .as_array()
        .map(|resources| {
            resources
                .iter()
                .filter_map(|r| r["values"]["role_name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn roles_in_ram(emulator: &Emulator, prefix: &str) -> BTreeSet<String> {
    emulator
        .role_names("source")
        .into_iter()
        .filter(|name| name.starts_with(prefix))
        .collect()
}

fn interrupted_apply_converges(emulator: &Emulator, tf: &Terraform) {
    let prefix = format!("stop-{}-", tf.version);
    let proxy = HoldingProxy::start(&emulator.endpoint, "CreateRole");
    let mut work = Workdir::new(tf, &config(emulator, &proxy.url, &prefix));
    let log = work.path().join("terraform.log");
    work.set_env("TF_LOG", "INFO");
    work.set_env("TF_LOG_PATH", &log.display().to_string());

    let mut apply = spawn_apply(&work);
    // A CreateRole the emulator carried out, its answer held: a write in flight.
    proxy.wait_for_answered(1, HANG_GUARD);
    interrupt(&apply);
    wait_for_line(&log, STOP_LINE);
    proxy.release();
    let status = wait_exit(&mut apply);
    let output = std::fs::read_to_string(work.path().join("apply.out")).unwrap_or_default();
    assert!(
        !status.success(),
        "Terraform {}: the interrupted apply must fail:\n{output}",
        tf.version
    );

    let in_ram = roles_in_ram(emulator, &prefix);
    let in_state = roles_in_state(&work);
    assert!(
        !in_ram.is_empty() && in_ram.len() < ROLES,
        "Terraform {}: the apply was not interrupted mid-way ({} roles in RAM)",
        tf.version,
        in_ram.len()
    );
    let orphaned: Vec<String> = in_ram.difference(&in_state).cloned().collect();
    // The next apply runs before the first assertion, so a failure shows both symptoms of an orphan.
    let next = work.run(&["apply", "-input=false", "-no-color", "-auto-approve"]);
    assert!(
        orphaned.is_empty(),
        "Terraform {}: roles created in RAM but not in the state after Ctrl-C: {orphaned:?}\n\
         interrupted apply:\n{output}\nnext apply:\n{}",
        tf.version,
        next.stderr
    );
    assert!(
        next.code == 0,
        "Terraform {}: the apply after the interrupted one must converge:\n{}\n{}",
        tf.version,
        next.stdout,
        next.stderr
    );
    work.assert_plan_clean();
    let in_ram = roles_in_ram(emulator, &prefix);
    assert_eq!(in_ram.len(), ROLES, "Terraform {}", tf.version);
    assert_eq!(
        in_ram,
        roles_in_state(&work),
        "Terraform {}: RAM and state differ",
        tf.version
    );

    work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
        .success();
    assert!(roles_in_ram(emulator, &prefix).is_empty());
}

#[test]
fn ctrl_c_with_create_role_answers_in_flight_orphans_nothing_and_the_next_apply_converges() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        interrupted_apply_converges(&emulator, tf);
    }
}
