//! RAM's resource names (ARNs) as typed constructors, and how a policy's `Resource` pattern matches one.
//!
//! Forms (reference §3 and §4): RAM's own resources carry the region `*` (RAM is global):
//! `acs:ram:*:<uid>:role/<name>`, `acs:ram:*:<uid>:policy/<name>`, `acs:ram:*:system:policy/<name>`,
//! `acs:ram:*:<uid>:user/<name>`. STS authorizes `sts:AssumeRole` on the role's ARN as `GetRole` returns it,
//! with an **empty** region: `acs:ram::<uid>:role/<name>`.
//!
//! Matching: `*` / `?` wildcards segment by segment (`acs`, service, region, account, relative id; the relative
//! id may itself contain `:`). A global resource (region `*` or empty) is matched by a written region of `*` or
//! an empty one, so `acs:ram:*:<uid>:role/x` and `acs:ram::<uid>:role/x` in a policy both cover either form.

use std::fmt;

/// A resource name, as a request is authorized on it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Arn(String);

impl Arn {
    fn ram(account: &str, relative: &str) -> Arn {
        Arn(format!("acs:ram:*:{account}:{relative}"))
    }

    /// `acs:ram:*:<uid>:role/<name>`: a role, as RAM's role actions (`ram:GetRole`, ...) are authorized on it.
    pub fn role(uid: &str, name: &str) -> Arn {
        Arn::ram(uid, &format!("role/{name}"))
    }

    /// `acs:ram:*:<uid>:policy/<name>`: a custom policy.
    pub fn policy(uid: &str, name: &str) -> Arn {
        Arn::ram(uid, &format!("policy/{name}"))
    }

    /// `acs:ram:*:system:policy/<name>`: a system policy.
    pub fn system_policy(name: &str) -> Arn {
        Arn::ram("system", &format!("policy/{name}"))
    }

    /// `acs:ram:*:<uid>:user/<name>`: a RAM user.
    pub fn user(uid: &str, name: &str) -> Arn {
        Arn::ram(uid, &format!("user/{name}"))
    }

    /// `acs:ram::<uid>:role/<name>`: a role as STS authorizes `sts:AssumeRole` on it (and as `GetRole` returns its
    /// `Arn`), with an empty region.
    pub fn sts_role(uid: &str, name: &str) -> Arn {
        Arn(format!("acs:ram::{uid}:role/{name}"))
    }

    /// `acs:resourcemanager:*:<uid>:account/*`: the accounts of the Resource Directory `uid` manages, as
    /// `resourcemanager:ListAccounts` is authorized on them.
    pub fn directory_accounts(uid: &str) -> Arn {
        Arn(format!("acs:resourcemanager:*:{uid}:account/*"))
    }

    /// Any other resource name, verbatim (an ARN from a request parameter, or `*` for actions on no resource).
    pub fn from_text(text: impl Into<String>) -> Arn {
        Arn(text.into())
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether a policy's `Resource` value `pattern` covers this resource.
    pub fn matched_by(&self, pattern: &str) -> bool {
        let (Some(resource), Some(written)) = (segments(&self.0), segments(pattern)) else {
            // Not an ARN on one side (`*`, or a shape RAM does not define): the whole text as one pattern.
            return crate::ram::wildcard::matches(&self.0, pattern);
        };
        resource
            .iter()
            .zip(written.iter())
            .enumerate()
            .all(|(i, (resource, written))| {
                if i == REGION && is_global(resource) {
                    is_global(written) || crate::ram::wildcard::matches("", written)
                } else {
                    crate::ram::wildcard::matches(resource, written)
                }
            })
    }
}

/// The index of the region among an ARN's segments.
const REGION: usize = 2;

fn is_global(region: &str) -> bool {
    region.is_empty() || region == "*"
}

/// `acs`, service, region, account, relative id; `None` when `text` is not an `acs:` name of five segments.
fn segments(text: &str) -> Option<[&str; 5]> {
    let mut parts = text.splitn(5, ':');
    let segments = [
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    ];
    (segments[0] == "acs").then_some(segments)
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_write_rams_forms() {
        assert_eq!(Arn::role("123", "r").as_str(), "acs:ram:*:123:role/r");
        assert_eq!(Arn::policy("123", "p").as_str(), "acs:ram:*:123:policy/p");
        assert_eq!(
            Arn::system_policy("AliyunRAMReadOnlyAccess").to_string(),
            "acs:ram:*:system:policy/AliyunRAMReadOnlyAccess"
        );
        assert_eq!(
            Arn::user("123", "alice").as_str(),
            "acs:ram:*:123:user/alice"
        );
        assert_eq!(Arn::sts_role("123", "r").as_str(), "acs:ram::123:role/r");
    }

    #[test]
    fn patterns_match_segment_by_segment() {
        // (resource, pattern, matches)
        let table = [
            (Arn::role("123", "r"), "*", true),
            (Arn::role("123", "r"), "acs:ram:*:123:role/r", true),
            (Arn::role("123", "r"), "acs:ram:*:123:role/*", true),
            (Arn::role("123", "r"), "acs:ram:*:123:*", true),
            (Arn::role("123", "r"), "acs:ram:*:*:role/?", true),
            (Arn::role("123", "r"), "acs:ram:*:456:role/r", false),
            (Arn::role("123", "r"), "acs:ram:*:123:role/s", false),
            (Arn::role("123", "r"), "acs:ram:*:123:user/r", false),
            (Arn::role("123", "r"), "acs:ecs:*:123:role/r", false),
            (Arn::role("123", "rx"), "acs:ram:*:123:role/r", false),
            (Arn::policy("123", "p"), "acs:ram:*:123:policy/p", true),
            (Arn::system_policy("P"), "acs:ram:*:system:policy/*", true),
            (Arn::system_policy("P"), "acs:ram:*:123:policy/*", false),
            (Arn::user("123", "a"), "acs:ram:*:123:user/a", true),
            // The role ARN STS authorizes has an empty region: matched by `*` and by an exact empty region.
            (Arn::sts_role("123", "r"), "acs:ram:*:123:role/r", true),
            (Arn::sts_role("123", "r"), "acs:ram::123:role/r", true),
            (Arn::sts_role("123", "r"), "acs:ram::123:role/*", true),
            (
                Arn::sts_role("123", "r"),
                "acs:ram:cn-hangzhou:123:role/r",
                false,
            ),
            // And RAM's `*` region is covered by a policy that copied GetRole's empty-region ARN.
            (Arn::role("123", "r"), "acs:ram::123:role/r", true),
            // A relative id with a colon stays one segment.
            (Arn::from_text("acs:x:*:1:a:b"), "acs:x:*:1:a:*", true),
            (Arn::from_text("*"), "*", true),
            (Arn::from_text("*"), "acs:ram:*:1:role/*", false),
        ];
        for (resource, pattern, expected) in table {
            assert_eq!(
                resource.matched_by(pattern),
                expected,
                "{resource} ~ {pattern}"
            );
        }
    }
}
