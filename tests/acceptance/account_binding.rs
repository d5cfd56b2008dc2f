//! A role is bound to the account that owns it: pointing its resource's `provider` at another account's instance
//! (scenario 3 has `ram-for-dts` in two accounts, one alias away) that cannot reach the role's account (no access
//! role there) fails at plan, naming both accounts and the role ARN it tried, with zero writes, instead of planning
//! a copy in the new account and orphaning the original.

use crate::support::emulator::Emulator;
use crate::support::{Workdir, terraforms};

fn config(emulator: &Emulator, provider: &str) -> String {
    let task = emulator.account("task").account_id.clone();
    format!(
        "terraform {{\n  required_providers {{\n    aliram = {{ source = \"aliram/aliram\" }}\n  }}\n}}\n{}{}\
         resource \"aliram_cross_account_dts_role\" \"source\" {{\n  provider        = {provider}\n  \
         role_name       = \"ram-for-dts\"\n  scenario        = \"source\"\n  task_account_id = \"{task}\"\n  \
         database_type   = \"MySQL\"\n  access_method   = \"Alibaba Cloud Instance\"\n}}\n",
        emulator.provider_block(Some("source"), "source"),
        emulator.provider_block(Some("destination"), "destination"),
    )
}

#[test]
fn switching_the_provider_to_another_account_fails_at_plan_with_zero_writes() {
    let emulator = Emulator::start(&[]);
    let source = emulator.account("source").account_id.clone();
    let destination = emulator.account("destination").account_id.clone();
    for tf in terraforms() {
        let work = Workdir::new(tf, &config(&emulator, "aliram.source"));
        work.run(&["apply", "-auto-approve", "-input=false", "-no-color"])
            .success();
        let writes = emulator.writes();

        work.write_config(&config(&emulator, "aliram.destination"));
        for args in [
            &["plan", "-input=false", "-no-color"][..],
            &["apply", "-auto-approve", "-input=false", "-no-color"][..],
            &["plan", "-refresh=false", "-input=false", "-no-color"][..],
        ] {
            let run = work.run(args);
            let output = run.output();
            assert_eq!(
                run.code, 1,
                "{args:?} on Terraform {}: {output}",
                tf.version
            );
            assert!(
                output.contains("Role Belongs to Another Account")
                    && output.contains(&format!("belongs to account {source}"))
                    && output.contains(&format!("uses account {destination}"))
                    && output.contains(&format!(
                        "acs:ram::{source}:role/ResourceDirectoryAccountAccessRole"
                    )),
                "{args:?} on Terraform {}: {output}",
                tf.version
            );
        }
        assert_eq!(emulator.writes(), writes, "a write was made");
        assert!(emulator.role_names("destination").is_empty());
        assert_eq!(emulator.role_names("source"), vec!["ram-for-dts"]);

        work.write_config(&config(&emulator, "aliram.source"));
        work.run(&["destroy", "-auto-approve", "-input=false", "-no-color"])
            .success();
    }
}
