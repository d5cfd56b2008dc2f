//! Child processes a test waits for (Terraform, the emulator, the provider plugin, Python): waits bounded only
//! against a hang, never as a measurement. A test that needs "it has exited" or "it is still running" reaches
//! that state by construction and uses these only so that a bug fails the test instead of hanging the suite.

use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

/// Guards against a hang; never a performance assertion. Long enough that no healthy run on a loaded 2-core
/// machine comes near it.
pub const HANG_GUARD: Duration = Duration::from_secs(300);

/// Waits for `child` to exit; kills it and fails the test, naming `what`, when it is still running after
/// [`HANG_GUARD`].
#[track_caller]
pub fn wait_or_kill(child: &mut Child, what: &str) -> ExitStatus {
    match wait_within(child, HANG_GUARD) {
        Some(status) => status,
        None => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {HANG_GUARD:?}");
        }
    }
}

/// Waits up to `bound` for `child` to exit: its status, or `None` if it is still running (left running).
pub fn wait_within(child: &mut Child, bound: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + bound;
    loop {
        if let Some(status) = child.try_wait().expect("waiting for a child process") {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sends `signal` (`TERM`, `INT`, `KILL`, ...) to process `pid`, or with `group` to its whole process group (as a
/// terminal's Ctrl-C reaches Terraform and its provider together).
#[track_caller]
pub fn signal(pid: u32, signal: &str, group: bool) {
    let target = if group {
        format!("-{pid}")
    } else {
        pid.to_string()
    };
    let status = std::process::Command::new("kill")
        .args([&format!("-{signal}"), "--", &target])
        .status()
        .expect("running kill");
    assert!(status.success(), "kill -{signal} {target} failed");
}
