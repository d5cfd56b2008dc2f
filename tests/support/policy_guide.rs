//! The policies the guides under `docs/guides/` give, as tests keep them true: each fenced `json` block of a guide
//! is a policy document, compared as the `(action, resource)` pairs it allows with what the emulator's recorder
//! saw an identity use.

use serde_json::Value;
use std::collections::BTreeSet;

/// The fenced `json` blocks of `docs/guides/<guide>.md`, in order, parsed.
pub fn json_blocks(guide: &str) -> Vec<Value> {
    let path = format!("{}/docs/guides/{guide}.md", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```json") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(serde_json::from_str::<Value>(block).unwrap_or_else(|e| {
                    panic!("a json block of {path} is not JSON: {e}\n{block}")
                }));
                current = None;
            }
            (Some(block), line) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// `(action, resource)` pairs a policy document allows, with account UIDs written `*`.
pub fn grants(policy: &Value) -> BTreeSet<(String, String)> {
    let list = |v: &Value| -> Vec<String> {
        match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(items) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    };
    let statements = policy["Statement"].as_array().cloned().unwrap_or_default();
    let mut out = BTreeSet::new();
    for statement in statements {
        assert_eq!(statement["Effect"], "Allow", "{statement}");
        for action in list(&statement["Action"]) {
            for resource in list(&statement["Resource"]) {
                out.insert((action.clone(), any_account(&resource)));
            }
        }
    }
    out
}

/// `resource` with a 16-digit account UID in its account segment written `*`.
fn any_account(resource: &str) -> String {
    let parts: Vec<&str> = resource.splitn(5, ':').collect();
    match parts.as_slice() {
        [acs, service, region, account, rest]
            if account.bytes().all(|b| b.is_ascii_digit()) && !account.is_empty() =>
        {
            format!("{acs}:{service}:{region}:*:{rest}")
        }
        _ => resource.to_owned(),
    }
}
