//! The reads of one refresh run concurrently: with one resource and Terraform's parallelism at 1, the only way
//! the emulator sees several requests at once is the provider issuing them together. The emulator's latency
//! only widens the window; nothing here measures time.

use crate::support::emulator::Emulator;
use crate::support::roles_by_hand::provider_config;
use crate::support::{Workdir, terraforms};

#[test]
fn a_refresh_reads_the_role_its_policies_and_its_tags_at_once() {
    let emulator = Emulator::start(&["--latency-ms", "300"]);
    let destination = emulator.account("destination").account_id.clone();
    let tf = &terraforms()[0];
    let config = format!(
        "{}\nresource \"aliram_dataworks_source_role\" \"one\" {{\n  role_name            = \"concurrent\"\n  instance_type        = \"kafka\"\n  dataworks_account_id = \"{destination}\"\n}}\n",
        provider_config(&emulator, "source")
    );
    let work = Workdir::new(tf, &config);
    work.run(&[
        "apply",
        "-input=false",
        "-no-color",
        "-auto-approve",
        "-parallelism=1",
    ])
    .success();
    // The apply's own calls are one at a time (CreateRole, AttachPolicyToRole, then one ListPoliciesForRole); the
    // refresh of the plan is what reads three things at once. `max_in_flight` counts since the emulator started,
    // so it is read before the plan too: three at once must be the plan's doing.
    let max_in_flight = || {
        emulator.stats()["max_in_flight"]
            .as_u64()
            .expect("max_in_flight")
    };
    let before = max_in_flight();
    assert!(
        before < 3,
        "the apply already had {before} requests in flight: the plan's concurrency cannot be told apart"
    );
    work.run(&["plan", "-input=false", "-no-color", "-parallelism=1"])
        .success();
    let seen = max_in_flight();
    assert!(
        seen >= 3,
        "GetRole, ListPoliciesForRole and ListTagResources were not in flight together: {seen}"
    );
    work.run(&[
        "destroy",
        "-input=false",
        "-no-color",
        "-auto-approve",
        "-parallelism=1",
    ])
    .success();
}
