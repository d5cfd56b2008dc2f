//! A refresh decides "gone" on GetRole alone: when ListPoliciesForRole and ListTagResources answer
//! `EntityNotExist.Role` for a role GetRole finds (a lagging replica, forced with `lagging_list_rate` 1), the plan
//! fails with an error saying so and the role stays in the state; it is never planned for creation again.

use crate::support::emulator::Emulator;
use crate::support::terraforms;
use serde_json::json;

const EXAMPLE: &str = "resources/aliram_cross_account_dts_role/scenario_1_source";
const RESOURCE: &str = "aliram_cross_account_dts_role.source";

#[test]
fn a_lagging_list_is_an_error_not_a_deleted_role() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        let work = emulator.example_workdir(tf, EXAMPLE);
        work.run(&["apply", "-auto-approve", "-input=false", "-no-color"])
            .success();

        emulator.set_faults(&json!({"lagging_list_rate": 1.0}));
        let plan = work.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
        emulator.set_faults(&json!({"lagging_list_rate": 0.0}));
        let output = plan.output();
        assert_eq!(plan.code, 1, "Terraform {}: {output}", tf.version);
        assert!(
            output.contains("replica is lagging") && !output.contains("will be created"),
            "Terraform {}: {output}",
            tf.version
        );
        assert!(emulator.faults_served("lagging_list") > 0);
        let listed = work.run(&["state", "list"]).success();
        assert!(listed.stdout.contains(RESOURCE), "{}", listed.stdout);

        // The replica caught up: nothing to do.
        work.assert_plan_clean();
        work.run(&["destroy", "-auto-approve", "-input=false", "-no-color"])
            .success();
    }
}
