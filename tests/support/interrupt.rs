//! Ctrl-C while a write's answer is in flight, forced: Terraform runs through a [`HoldingProxy`] that holds one
//! action's answers after the emulator carried the call out; SIGINT goes to Terraform's process group, as a
//! terminal's Ctrl-C sends it; the held answers are released only once the provider has logged that Stop reached it.

use super::Workdir;
use super::child::{HANG_GUARD, signal, wait_or_kill};
use super::holding_proxy::HoldingProxy;
use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// What the provider logs once Terraform's Stop has cancelled its token.
pub const STOP_LINE: &str = "stop requested";

/// `terraform <args>` in its own process group (as a shell runs a foreground job), interrupted once the proxy
/// holds an answer, the held answers released once the provider logged Stop. Returns its standard output; the
/// command must fail.
pub fn run_interrupted(
    work: &mut Workdir,
    proxy: &HoldingProxy,
    args: &[&str],
    run: &str,
) -> String {
    let mut interrupted = Interrupted::start(work, proxy, args, run);
    proxy.release();
    interrupted.finish("the interrupted command")
}

/// As [`run_interrupted`], with a second Ctrl-C once the provider logged Stop, while the proxy still holds the
/// answers: Terraform exits without waiting for the writes in flight. The held answers are released only once it
/// has exited. Returns its standard output and standard error; the command must fail.
pub fn run_interrupted_twice(
    work: &mut Workdir,
    proxy: &HoldingProxy,
    args: &[&str],
    run: &str,
) -> String {
    let mut interrupted = Interrupted::start(work, proxy, args, run);
    signal(interrupted.child.id(), "INT", true);
    let output = interrupted.finish("the command interrupted twice");
    // Terraform exited with the answers still held: the writes were in flight when it left.
    proxy.release();
    let errors =
        std::fs::read_to_string(work.path().join(format!("{run}.err"))).unwrap_or_default();
    format!("{output}\n{errors}")
}

/// A Terraform command interrupted once, the provider's Stop logged.
struct Interrupted {
    child: Child,
    out_path: PathBuf,
    args: String,
}

impl Interrupted {
    /// Starts `terraform <args>` through `proxy`, sends Ctrl-C once the proxy holds an answer, and waits for the
    /// provider to log Stop.
    fn start(work: &mut Workdir, proxy: &HoldingProxy, args: &[&str], run: &str) -> Interrupted {
        let log = work.path().join(format!("{run}.log"));
        work.set_env("TF_LOG", "INFO");
        work.set_env("TF_LOG_PATH", &log.display().to_string());
        let out_path = work.path().join(format!("{run}.out"));
        let out = File::create(&out_path).expect("creating the output file");
        let err =
            File::create(work.path().join(format!("{run}.err"))).expect("creating the error file");
        let child = work
            .command(args)
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .process_group(0)
            .spawn()
            .expect("starting terraform");
        // A write the emulator carried out, its answer held: a write in flight.
        proxy.wait_for_answered(1, HANG_GUARD);
        // SIGINT to the whole process group: Terraform and its provider, as Ctrl-C in a terminal.
        signal(child.id(), "INT", true);
        wait_for_stop(&log);
        Interrupted {
            child,
            out_path,
            args: args.join(" "),
        }
    }

    /// Waits for Terraform to exit, which must be a failure; its standard output.
    fn finish(&mut self, what: &str) -> String {
        let status = wait_or_kill(&mut self.child, what);
        let output = std::fs::read_to_string(&self.out_path).unwrap_or_default();
        assert!(
            !status.success(),
            "{what} `terraform {}` must fail:\n{output}",
            self.args
        );
        output
    }
}

fn wait_for_stop(log: &std::path::Path) {
    let deadline = Instant::now() + HANG_GUARD;
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if text.contains(STOP_LINE) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "Terraform's log never showed {STOP_LINE:?}:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
