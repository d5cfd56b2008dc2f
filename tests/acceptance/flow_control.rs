//! RAM's flow control at scale with the default configuration: 200 roles in one account while the emulator allows
//! 20 requests per second per action (`--api-rate-limit 20`, burst 20). The provider has no fixed cap by default,
//! so it meets the limit; it must slow down per action and retry, and every command must still succeed: the apply
//! creates every role, the plan after it is clean, and destroy leaves no role. Nothing here measures time.

use crate::support::emulator::Emulator;
use crate::support::roles_by_hand::provider_config;
use crate::support::{Workdir, terraforms};

const ROLES: usize = 200;

#[test]
fn two_hundred_roles_in_one_account_under_rams_flow_control() {
    let emulator = Emulator::start(&["--api-rate-limit", "20"]);
    let task = emulator.account("task").account_id.clone();
    let tf = terraforms().last().expect("a Terraform");
    let config = format!(
        "{}\nresource \"aliram_cross_account_dts_role\" \"many\" {{\n  count           = {ROLES}\n  role_name       = \"flow-${{count.index}}\"\n  scenario        = \"source\"\n  task_account_id = \"{task}\"\n  database_type   = \"MySQL\"\n  access_method   = \"Alibaba Cloud Instance\"\n}}\n",
        provider_config(&emulator, "source")
    );
    let work = Workdir::new(tf, &config);
    work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
        .success();
    assert_eq!(emulator.role_names("source").len(), ROLES);

    work.assert_plan_clean();

    work.run(&["destroy", "-input=false", "-no-color", "-auto-approve"])
        .success();
    assert!(
        emulator.role_names("source").is_empty(),
        "roles left after destroy"
    );
    // The limit did bite: without it this test would show nothing about flow control.
    let stats = emulator.stats();
    let limited: u64 = stats["rate_limited"]
        .as_object()
        .map(|per_action| per_action.values().filter_map(|n| n.as_u64()).sum())
        .unwrap_or(0);
    assert!(
        limited > 0,
        "the API rate limit never answered Throttling.User: {stats}"
    );
}
