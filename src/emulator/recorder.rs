//! Least privilege you can see: per identity, every action it was allowed and the resources it was allowed on,
//! rendered as the RAM policy document that allows exactly that. Run a plan and an apply as a RAM user against the
//! emulator, read the recorder, and the result is the smallest policy that Terraform identity needs.
//!
//! Identities are keyed by their principal ARN (`acs:ram::<uid>:user/<name>`, `acs:ram::<uid>:root`); a role's
//! sessions share their role's key (`acs:ram::<uid>:role/<name>`), so every session of a CI role adds to one
//! policy.

use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// What each identity was allowed: action -> resources.
#[derive(Debug, Default, Clone)]
pub struct Recorder {
    by_identity: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
}

/// The value under `key`, inserted as the default when absent (`BTreeMap::entry` takes an owned key).
fn entry<'m, V: Default>(map: &'m mut BTreeMap<String, V>, key: &str) -> &'m mut V {
    if !map.contains_key(key) {
        map.insert(key.to_owned(), V::default());
    }
    map.get_mut(key).expect("the key was inserted above")
}

/// How the recorded resources are written in the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceNames {
    /// As recorded: `acs:ram:*:<uid>:role/ram-for-dts`.
    Exact,
    /// With each resource's name replaced by `*` (`acs:ram:*:<uid>:role/*`), for a policy that does not depend on
    /// the names a particular run used.
    AnyName,
}

impl Recorder {
    /// Records that `identity` was allowed `action` on `resource`.
    pub fn record(&mut self, identity: &str, action: &str, resource: &str) {
        // Every authorized request comes here, mostly with an identity, action and resource already recorded:
        // looked up by reference, a key is copied only when it is new.
        let resources = entry(entry(&mut self.by_identity, identity), action);
        if !resources.contains(resource) {
            resources.insert(resource.to_owned());
        }
    }

    /// Forgets everything recorded.
    pub fn clear(&mut self) {
        self.by_identity.clear();
    }

    /// The identities with a record, in order.
    pub fn identities(&self) -> impl Iterator<Item = &str> {
        self.by_identity.keys().map(String::as_str)
    }

    /// The policy document allowing exactly what `identity` was allowed (`None` when nothing was recorded):
    /// `Version` `"1"`, one `Allow` statement per set of resources, its actions sorted, statements in the order of
    /// their first action.
    pub fn policy(&self, identity: &str, names: ResourceNames) -> Option<Value> {
        let actions = self.by_identity.get(identity)?;
        // Actions allowed on the same resources share a statement.
        let mut by_resources: BTreeMap<BTreeSet<String>, BTreeSet<&str>> = BTreeMap::new();
        for (action, resources) in actions {
            let resources: BTreeSet<String> = resources
                .iter()
                .map(|r| match names {
                    ResourceNames::Exact => r.clone(),
                    ResourceNames::AnyName => any_name(r),
                })
                .collect();
            by_resources
                .entry(resources)
                .or_default()
                .insert(action.as_str());
        }
        let mut statements: Vec<(BTreeSet<&str>, BTreeSet<String>)> = by_resources
            .into_iter()
            .map(|(resources, actions)| (actions, resources))
            .collect();
        statements.sort();
        let statements: Vec<Value> = statements
            .into_iter()
            .map(|(actions, resources)| {
                json!({
                    "Effect": "Allow",
                    "Action": actions.into_iter().collect::<Vec<_>>(),
                    "Resource": resources.into_iter().collect::<Vec<_>>(),
                })
            })
            .collect();
        Some(json!({ "Version": "1", "Statement": statements }))
    }
}

/// `resource` with the name after its last `/` replaced by `*` (`*` and names without `/` stay as they are).
fn any_name(resource: &str) -> String {
    match resource.rsplit_once('/') {
        Some((kind, _)) => format!("{kind}/*"),
        None => resource.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_on_the_same_resources_share_a_statement_in_a_stable_order() {
        let mut recorder = Recorder::default();
        let user = "acs:ram::1:user/ci";
        recorder.record(user, "ram:GetRole", "acs:ram:*:1:role/b");
        recorder.record(user, "ram:CreateRole", "acs:ram:*:1:role/a");
        recorder.record(user, "ram:GetRole", "acs:ram:*:1:role/a");
        recorder.record(user, "ram:ListRoles", "acs:ram:*:1:role/*");
        recorder.record(user, "ram:TagResources", "*");
        recorder.record(user, "ram:ListTagResources", "*");
        let exact = recorder.policy(user, ResourceNames::Exact).unwrap();
        assert_eq!(
            exact,
            json!({"Version": "1", "Statement": [
                {"Effect": "Allow", "Action": ["ram:CreateRole"], "Resource": ["acs:ram:*:1:role/a"]},
                {"Effect": "Allow", "Action": ["ram:GetRole"], "Resource": ["acs:ram:*:1:role/a", "acs:ram:*:1:role/b"]},
                {"Effect": "Allow", "Action": ["ram:ListRoles"], "Resource": ["acs:ram:*:1:role/*"]},
                {"Effect": "Allow", "Action": ["ram:ListTagResources", "ram:TagResources"], "Resource": ["*"]},
            ]})
        );
        let any = recorder.policy(user, ResourceNames::AnyName).unwrap();
        assert_eq!(
            any["Statement"][0],
            json!({"Effect": "Allow", "Action": ["ram:CreateRole", "ram:GetRole", "ram:ListRoles"],
                   "Resource": ["acs:ram:*:1:role/*"]})
        );
        assert_eq!(
            recorder.policy("acs:ram::1:user/other", ResourceNames::Exact),
            None
        );
        recorder.clear();
        assert_eq!(recorder.identities().count(), 0);
    }
}
