//! RAM's flow control at scale with the default configuration: 200 roles in one account while the emulator allows
//! 20 requests per second per action (`--api-rate-limit 20`, burst 20). The provider has no fixed cap by default,
//! so it meets the limit; it must slow down per action and retry, and every command must still succeed: the apply
//! creates every role, the plan after it is clean, and destroy leaves no role. With `max_requests_per_second`
//! below the emulator's limit, the same kind of apply is never throttled at all. And flow control is per action:
//! a throttled GetRole holds back no other read. Nothing here measures time: the emulator counts the requests its
//! limit refused (`rate_limited` in its stats), the provider's log says which requests waited.

use crate::support::emulator::Emulator;
use crate::support::roles_by_hand::user_provider_config;
use crate::support::{Workdir, terraforms};

const ROLES: usize = 200;

#[test]
fn two_hundred_roles_in_one_account_under_rams_flow_control() {
    let emulator = Emulator::start(&["--api-rate-limit", "20"]);
    let task = emulator.account("task").account_id.clone();
    let tf = terraforms().last().expect("a Terraform");
    let config = format!(
        "{}\nresource \"aliram_cross_account_dts_role\" \"many\" {{\n  count           = {ROLES}\n  role_name       = \"flow-${{count.index}}\"\n  scenario        = \"source\"\n  task_account_id = \"{task}\"\n  database_type   = \"MySQL\"\n  access_method   = \"Alibaba Cloud Instance\"\n}}\n",
        user_provider_config(&emulator, "source")
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
    assert!(
        rate_limited(&emulator) > 0,
        "the API rate limit never answered Throttling.User: {}",
        emulator.stats()
    );
}

/// How many requests the emulator's `--api-rate-limit` refused, all actions together.
fn rate_limited(emulator: &Emulator) -> u64 {
    emulator.stats()["rate_limited"]
        .as_object()
        .map(|per_action| per_action.values().filter_map(|n| n.as_u64()).sum())
        .unwrap_or(0)
}

/// `max_requests_per_second` through Terraform: the emulator allows 2 requests per second per action (burst 2).
/// Six roles created at once meet that limit without a cap (six CreateRole calls side by side against a burst of
/// two); then, with full buckets again (`POST /_emulator/reset`) and `max_requests_per_second = 1`, all actions
/// together, not one request of the same apply is refused.
#[test]
fn max_requests_per_second_keeps_an_apply_under_the_accounts_limit() {
    const CAPPED_ROLES: usize = 6;
    let emulator = Emulator::start(&["--api-rate-limit", "2"]);
    let tf = terraforms().last().expect("a Terraform");
    let roles = |prefix: &str| {
        format!(
            "resource \"aliram_role\" \"{prefix}\" {{\n  count        = {CAPPED_ROLES}\n  role_name    = \"{prefix}-${{count.index}}\"\n  trust_policy = provider::aliram::dts_trust_policy(\"{}\")\n  policy_names = []\n}}\n",
            emulator.account("task").account_id
        )
    };
    // Without a cap the limit bites: the control that makes the capped run's zero mean something.
    let uncapped = Workdir::new(
        tf,
        &format!(
            "{}\n{}",
            user_provider_config(&emulator, "source"),
            roles("free")
        ),
    );
    uncapped
        .run(&["apply", "-input=false", "-no-color", "-auto-approve"])
        .success();
    let refused_uncapped = rate_limited(&emulator);
    assert!(
        refused_uncapped > 0,
        "six roles at once never met the limit: {}",
        emulator.stats()
    );

    // Full buckets and fresh statistics (the roles made so far are forgotten too).
    emulator.admin_post("reset", &serde_json::json!({}));
    let capped_config = user_provider_config(&emulator, "source").replacen(
        "provider \"aliram\" {\n",
        "provider \"aliram\" {\n  max_requests_per_second = 1\n",
        1,
    );
    let capped = Workdir::new(tf, &format!("{capped_config}\n{}", roles("capped")));
    capped
        .run(&["apply", "-input=false", "-no-color", "-auto-approve"])
        .success();
    assert_eq!(
        rate_limited(&emulator),
        0,
        "with max_requests_per_second = 1 the limit of 2 per action still refused requests: {}",
        emulator.stats()
    );
    assert_eq!(emulator.role_names("source").len(), CAPPED_ROLES);
}

/// What the provider logs (at DEBUG) when flow control holds a request back for its sending slot.
const WAIT_LINE: &str = "Alibaba Cloud flow control: request waits for its sending slot";

/// Per-action flow control through Terraform, counted: a refresh of four roles, one at a time
/// (`-parallelism=1`, so every read after the first is sent after the throttle), whose first GetRole is throttled
/// (a queued fault). GetRole's rate falls to the floor, so the next roles' GetRole calls wait for their slots,
/// while no ListPoliciesForRole or ListTagResources request ever waits: RAM's budget is per action, and a
/// throttled GetRole says nothing about the other reads. The provider's DEBUG log says which requests waited.
#[test]
fn a_throttled_get_role_does_not_slow_the_other_reads() {
    const ROLES: usize = 4;
    let emulator = Emulator::start(&[]);
    let tf = terraforms().last().expect("a Terraform");
    let config = format!(
        "{}\nresource \"aliram_role\" \"read\" {{\n  count        = {ROLES}\n  role_name    = \"read-${{count.index}}\"\n  trust_policy = provider::aliram::dts_trust_policy(\"{}\")\n  policy_names = [\"AliyunDTSRolePolicy\"]\n  tags         = {{ team = \"data\" }}\n}}\n",
        user_provider_config(&emulator, "source"),
        emulator.account("task").account_id
    );
    let mut work = Workdir::new(tf, &config);
    work.run(&["apply", "-input=false", "-no-color", "-auto-approve"])
        .success();

    let throttled = emulator.faults_served("throttle");
    emulator.admin_post(
        "faults/next",
        &serde_json::json!({"action": "GetRole", "fault": "throttle", "count": 1}),
    );
    let log = work.path().join("refresh.log");
    work.set_env("TF_LOG", "DEBUG");
    work.set_env("TF_LOG_PATH", &log.display().to_string());
    let plan = work.run(&[
        "plan",
        "-input=false",
        "-no-color",
        "-detailed-exitcode",
        "-parallelism=1",
    ]);
    assert_eq!(plan.code, 0, "the plan is not clean: {}", plan.output());
    assert_eq!(
        emulator.faults_served("throttle"),
        throttled + 1,
        "the refresh's first GetRole was throttled"
    );
    let text = std::fs::read_to_string(&log).expect("Terraform's log");
    let waits = |action: &str| {
        text.lines()
            .filter(|l| l.contains(WAIT_LINE) && l.contains(&format!("action={action}")))
            .count()
    };
    assert!(
        waits("GetRole") > 0,
        "no GetRole waited after one was throttled: the log shows no flow control at all"
    );
    for other in ["ListPoliciesForRole", "ListTagResources"] {
        assert_eq!(
            waits(other),
            0,
            "{other} waited for its slot although only GetRole was throttled"
        );
    }
}
