//! `aliram_caller_identity` through real Terraform against the emulator: each credential source the provider
//! reads resolves to the right account.

mod support;

use support::emulator::Emulator;
use support::{Workdir, terraforms};

const REQUIRED_PROVIDERS: &str = "terraform {\n  required_providers {\n    aliram = { source = \"aliram/aliram\" }\n  }\n}\n";

fn caller_config(provider: &str) -> String {
    format!(
        "{REQUIRED_PROVIDERS}{provider}\ndata \"aliram_caller_identity\" \"me\" {{}}\n\noutput \"account_id\" {{ value = data.aliram_caller_identity.me.account_id }}\noutput \"arn\" {{ value = data.aliram_caller_identity.me.arn }}\noutput \"identity_type\" {{ value = data.aliram_caller_identity.me.identity_type }}\n"
    )
}

#[test]
fn provider_arguments_resolve_to_their_account() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        let work = Workdir::new(tf, &caller_config(&emulator.provider_block(None, "destination")));
        let plan = work.plan_json();
        let outputs = &plan["output_changes"];
        assert_eq!(outputs["account_id"]["after"], emulator.account("destination").account_id, "Terraform {}", tf.version);
        assert_eq!(outputs["arn"]["after"], format!("acs:ram::{}:root", emulator.account("destination").account_id));
        assert_eq!(outputs["identity_type"]["after"], "Account");
    }
}
