//! Taking over roles that already exist: the plan that only imports, the apply that writes nothing, the clean
//! plan after. The check every import, query and migration test ends with.

use super::emulator::Emulator;
use super::{Run, Terraform, Workdir};

/// A command's standard output and error, for failure messages and searches.
pub fn text(run: &Run) -> String {
    format!("{}\n{}", run.stdout, run.stderr)
}

/// `terraform apply`, which must succeed without a single API write; `what` names the apply in the failure.
#[track_caller]
pub fn apply_without_writes(work: &Workdir, emulator: &Emulator, tf: &Terraform, what: &str) {
    let writes = emulator.writes();
    work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
        .success();
    assert_eq!(
        emulator.writes(),
        writes,
        "Terraform {}: {what} wrote to the API",
        tf.version
    );
}

/// Plans `imports` imports and nothing else, applies them without any API write, and plans clean after.
pub fn adopt_without_writes(work: &Workdir, emulator: &Emulator, tf: &Terraform, imports: usize) {
    let plan = work.run(&["plan", "-input=false", "-no-color"]).success();
    let expected = format!("Plan: {imports} to import, 0 to add, 0 to change, 0 to destroy.");
    assert!(
        plan.stdout.contains(&expected),
        "Terraform {}: expected {expected:?}:\n{}",
        tf.version,
        plan.stdout
    );
    apply_without_writes(work, emulator, tf, "taking over the roles");
    let clean = work.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    assert_eq!(clean.code, 0, "Terraform {}: {}", tf.version, text(&clean));
}
