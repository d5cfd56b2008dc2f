//! RAM's constraints on a role's attributes (CreateRole / UpdateRole / TagResources), checked before any call so
//! a mistake surfaces at plan time on the attribute, with the value and what RAM accepts.
//!
//! Lengths are counted in characters, as the RAM reference states them.

/// The longest role name RAM accepts, in characters.
pub const ROLE_NAME_MAX_CHARS: usize = 64;
/// The longest description RAM accepts, in characters (and the shortest is 1).
pub const DESCRIPTION_MAX_CHARS: usize = 1024;
/// The shortest maximum session duration, in seconds (1 hour).
pub const MIN_SESSION_DURATION_SECONDS: i64 = 3600;
/// The longest maximum session duration, in seconds (12 hours).
pub const MAX_SESSION_DURATION_SECONDS: i64 = 43200;
/// The maximum session duration RAM applies when none is given.
pub const DEFAULT_SESSION_DURATION_SECONDS: i64 = 3600;
/// The most tags a role may carry.
pub const MAX_TAGS: usize = 20;
/// The longest tag key, in characters.
pub const TAG_KEY_MAX_CHARS: usize = 128;
/// The longest tag value, in characters.
pub const TAG_VALUE_MAX_CHARS: usize = 256;

/// The most policies of each type (`PolicyType`) one role may carry, from RAM's Limitations page (updated
/// 2025-12-16; both adjustable by a quota request): 20 system and 10 custom policies. The role resources attach
/// system policies only; the emulator enforces both.
pub const MAX_POLICIES_PER_ROLE: [(&str, usize); 2] = [("System", 20), ("Custom", 10)];

/// Where a reserved text may not appear in a tag key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReservedIn {
    /// At the start of the key.
    Start,
    /// Anywhere in the key.
    Anywhere,
}

/// A text RAM reserves in tag keys, compared ignoring ASCII letter case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReservedTagKeyText {
    /// The text, in lower case.
    pub text: &'static str,
    /// Where it is reserved.
    pub reserved_in: ReservedIn,
}

/// The one rule for reserved tag keys, as RAM's TagResources reference states it ("cannot start with aliyun or
/// acs:, cannot contain http:// or https://"), shared by the provider's plan-time check and the emulator. The
/// reference does not say whether case matters; Alibaba's tag services refuse `Aliyun` and `ALIYUN` too (the OSS
/// tagging errors say so explicitly), so the rule ignores letter case: refusing `Aliyun-x` at plan time is
/// better than a failed apply. Tags with these keys that the cloud adds are not the user's to manage.
pub const RESERVED_TAG_KEY_TEXTS: [ReservedTagKeyText; 4] = [
    ReservedTagKeyText {
        text: "aliyun",
        reserved_in: ReservedIn::Start,
    },
    ReservedTagKeyText {
        text: "acs:",
        reserved_in: ReservedIn::Start,
    },
    ReservedTagKeyText {
        text: "http://",
        reserved_in: ReservedIn::Anywhere,
    },
    ReservedTagKeyText {
        text: "https://",
        reserved_in: ReservedIn::Anywhere,
    },
];

/// The rule in words, for messages.
pub const RESERVED_TAG_KEY_RULE: &str = "tag keys must not start with \"aliyun\" or \"acs:\" nor contain \"http://\" or \"https://\", in any letter case";

/// The characters RAM accepts in a role name, in words.
const ROLE_NAME_CHARACTERS: &str = "letters, digits, periods (.) and hyphens (-)";

/// An attribute value RAM would refuse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RoleRuleError {
    /// An empty role name.
    #[error(
        "role_name must not be empty: use 1 to {ROLE_NAME_MAX_CHARS} {ROLE_NAME_CHARACTERS}, such as \"ram-for-dts\""
    )]
    RoleNameEmpty,
    /// A role name over the length limit.
    #[error(
        "role_name \"{value}\" is {length} characters long: RAM accepts 1 to {ROLE_NAME_MAX_CHARS} \
         {ROLE_NAME_CHARACTERS}"
    )]
    RoleNameTooLong {
        /// The name given.
        value: String,
        /// Its length in characters.
        length: usize,
    },
    /// A role name with a character RAM does not accept.
    #[error(
        "role_name \"{value}\" contains {invalid:?}, which RAM does not accept in role names: use only \
         {ROLE_NAME_CHARACTERS}"
    )]
    RoleNameInvalidCharacter {
        /// The name given.
        value: String,
        /// The first character RAM does not accept.
        invalid: char,
    },
    /// An empty description.
    #[error(
        "description must not be empty: RAM accepts 1 to {DESCRIPTION_MAX_CHARS} characters; to leave the role \
         without a description, remove the attribute"
    )]
    DescriptionEmpty,
    /// A description over the length limit.
    #[error(
        "description is {length} characters long: RAM accepts 1 to {DESCRIPTION_MAX_CHARS} characters; shorten it \
         by {excess}",
        excess = length - DESCRIPTION_MAX_CHARS
    )]
    DescriptionTooLong {
        /// Its length in characters.
        length: usize,
    },
    /// A maximum session duration out of range.
    #[error(
        "max_session_duration {value} is out of range: RAM accepts {MIN_SESSION_DURATION_SECONDS} to \
         {MAX_SESSION_DURATION_SECONDS} seconds (1 to 12 hours)"
    )]
    SessionDurationOutOfRange {
        /// The duration given, in seconds.
        value: i64,
    },
    /// More tags than a role may carry.
    #[error("tags has {count} entries: RAM accepts at most {MAX_TAGS} tags on a role")]
    TooManyTags {
        /// The number of tags given.
        count: usize,
    },
    /// More policies of one type than a role may carry.
    #[error(
        "policy_names has {count} {policy_type} policies: RAM attaches at most {max} {policy_type} policies to one \
         role (a quota that can be raised on request); remove {excess}",
        excess = count - max
    )]
    TooManyPolicies {
        /// `System` or `Custom`.
        policy_type: String,
        /// The number of policies given.
        count: usize,
        /// The most RAM accepts.
        max: usize,
    },
    /// An empty tag key.
    #[error("tags has an empty key: tag keys must be 1 to {TAG_KEY_MAX_CHARS} characters long")]
    TagKeyEmpty,
    /// A tag key over the length limit.
    #[error(
        "tag key \"{key}\" is {length} characters long: RAM accepts at most {TAG_KEY_MAX_CHARS}"
    )]
    TagKeyTooLong {
        /// The key given.
        key: String,
        /// Its length in characters.
        length: usize,
    },
    /// A tag key with a reserved text.
    #[error(
        "tag key \"{key}\" {where_} \"{text}\", which is reserved for Alibaba Cloud: {RESERVED_TAG_KEY_RULE}",
        text = reserved.text,
        where_ = match reserved.reserved_in {
            ReservedIn::Start => "starts with",
            ReservedIn::Anywhere => "contains",
        }
    )]
    TagKeyReserved {
        /// The key given.
        key: String,
        /// The reserved text it has.
        reserved: ReservedTagKeyText,
    },
    /// A tag value over the length limit.
    #[error(
        "the value of tag \"{key}\" is {length} characters long: RAM accepts at most {TAG_VALUE_MAX_CHARS}"
    )]
    TagValueTooLong {
        /// The key of the tag.
        key: String,
        /// The value's length in characters.
        length: usize,
    },
}

/// The most policies of `policy_type` (`System` or `Custom`) one role may carry.
pub fn max_policies_per_role(policy_type: &str) -> Option<usize> {
    MAX_POLICIES_PER_ROLE
        .iter()
        .find(|(kind, _)| *kind == policy_type)
        .map(|(_, max)| *max)
}

/// Checks that a role may carry `count` policies of `policy_type`.
pub fn check_policy_count(policy_type: &str, count: usize) -> Result<(), RoleRuleError> {
    match max_policies_per_role(policy_type) {
        Some(max) if count > max => Err(RoleRuleError::TooManyPolicies {
            policy_type: policy_type.to_owned(),
            count,
            max,
        }),
        _ => Ok(()),
    }
}

/// Checks a role name: 1 to 64 characters, each a letter, digit, `.` or `-`.
pub fn check_role_name(value: &str) -> Result<(), RoleRuleError> {
    if value.is_empty() {
        return Err(RoleRuleError::RoleNameEmpty);
    }
    let length = value.chars().count();
    if length > ROLE_NAME_MAX_CHARS {
        return Err(RoleRuleError::RoleNameTooLong {
            value: value.to_owned(),
            length,
        });
    }
    match value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-')))
    {
        Some(invalid) => Err(RoleRuleError::RoleNameInvalidCharacter {
            value: value.to_owned(),
            invalid,
        }),
        None => Ok(()),
    }
}

/// Checks a description: 1 to 1024 characters.
pub fn check_description(value: &str) -> Result<(), RoleRuleError> {
    let length = value.chars().count();
    match length {
        0 => Err(RoleRuleError::DescriptionEmpty),
        n if n > DESCRIPTION_MAX_CHARS => Err(RoleRuleError::DescriptionTooLong { length }),
        _ => Ok(()),
    }
}

/// Checks a maximum session duration: 3600 to 43200 seconds.
pub fn check_max_session_duration(seconds: i64) -> Result<(), RoleRuleError> {
    if (MIN_SESSION_DURATION_SECONDS..=MAX_SESSION_DURATION_SECONDS).contains(&seconds) {
        Ok(())
    } else {
        Err(RoleRuleError::SessionDurationOutOfRange { value: seconds })
    }
}

/// The reserved text `key` has where RAM forbids it, if any (see [`RESERVED_TAG_KEY_TEXTS`]).
pub fn reserved_tag_key_text(key: &str) -> Option<ReservedTagKeyText> {
    let key = key.to_ascii_lowercase();
    RESERVED_TAG_KEY_TEXTS
        .into_iter()
        .find(|reserved| match reserved.reserved_in {
            ReservedIn::Start => key.starts_with(reserved.text),
            ReservedIn::Anywhere => key.contains(reserved.text),
        })
}

/// Checks a set of tags: at most 20, keys of 1 to 128 characters without a reserved prefix, values of at most
/// 256 characters. Returns every problem, in the order of the tags given.
pub fn check_tags<K, V>(tags: impl IntoIterator<Item = (K, V)>) -> Result<(), Vec<RoleRuleError>>
where
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut problems = Vec::new();
    let mut count = 0;
    for (key, value) in tags {
        count += 1;
        let (key, value) = (key.as_ref(), value.as_ref());
        let key_length = key.chars().count();
        if key_length == 0 {
            problems.push(RoleRuleError::TagKeyEmpty);
        } else if key_length > TAG_KEY_MAX_CHARS {
            problems.push(RoleRuleError::TagKeyTooLong {
                key: key.to_owned(),
                length: key_length,
            });
        } else if let Some(reserved) = reserved_tag_key_text(key) {
            problems.push(RoleRuleError::TagKeyReserved {
                key: key.to_owned(),
                reserved,
            });
        }
        let value_length = value.chars().count();
        if value_length > TAG_VALUE_MAX_CHARS {
            problems.push(RoleRuleError::TagValueTooLong {
                key: key.to_owned(),
                length: value_length,
            });
        }
    }
    if count > MAX_TAGS {
        problems.insert(0, RoleRuleError::TooManyTags { count });
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use std::collections::BTreeMap;

    #[test]
    fn role_names() {
        for ok in ["ram-for-dts", "a", "Role.v2-prod", &"x".repeat(64)] {
            assert_eq!(check_role_name(ok), Ok(()), "{ok}");
        }
        assert_eq!(check_role_name(""), Err(RoleRuleError::RoleNameEmpty));
        assert_eq!(
            check_role_name("ram_for_dts").unwrap_err().to_string(),
            "role_name \"ram_for_dts\" contains '_', which RAM does not accept in role names: use only letters, \
             digits, periods (.) and hyphens (-)"
        );
        for bad in ["has space", "é", "a/b", "a:b"] {
            assert!(matches!(
                check_role_name(bad),
                Err(RoleRuleError::RoleNameInvalidCharacter { .. })
            ));
        }
        let long = "x".repeat(65);
        assert_eq!(
            check_role_name(&long).unwrap_err().to_string(),
            format!(
                "role_name \"{long}\" is 65 characters long: RAM accepts 1 to 64 letters, digits, periods (.) and \
                 hyphens (-)"
            )
        );
    }

    #[test]
    fn descriptions() {
        assert_eq!(check_description("DTS cross-account role"), Ok(()));
        assert_eq!(
            check_description(&"é".repeat(1024)),
            Ok(()),
            "characters, not bytes"
        );
        assert_eq!(
            check_description("").unwrap_err().to_string(),
            "description must not be empty: RAM accepts 1 to 1024 characters; to leave the role without a \
             description, remove the attribute"
        );
        assert_eq!(
            check_description(&"d".repeat(1030))
                .unwrap_err()
                .to_string(),
            "description is 1030 characters long: RAM accepts 1 to 1024 characters; shorten it by 6"
        );
    }

    #[test]
    fn session_durations() {
        for ok in [3600, 7200, 43200] {
            assert_eq!(check_max_session_duration(ok), Ok(()));
        }
        for bad in [0, -1, 3599, 43201, i64::MAX] {
            assert_eq!(
                check_max_session_duration(bad),
                Err(RoleRuleError::SessionDurationOutOfRange { value: bad })
            );
        }
        assert_eq!(
            check_max_session_duration(900).unwrap_err().to_string(),
            "max_session_duration 900 is out of range: RAM accepts 3600 to 43200 seconds (1 to 12 hours)"
        );
        assert!(check_max_session_duration(DEFAULT_SESSION_DURATION_SECONDS).is_ok());
    }

    #[test]
    fn valid_tags_pass() {
        let tags: BTreeMap<String, String> = (0..20)
            .map(|i| (format!("k{i}"), "v".repeat(256)))
            .collect();
        assert_eq!(check_tags(&tags), Ok(()));
        assert_eq!(
            check_tags([("team", "")]),
            Ok(()),
            "empty values are allowed"
        );
        assert_eq!(check_tags(Vec::<(&str, &str)>::new()), Ok(()));
    }

    #[test]
    fn every_tag_problem_is_reported() {
        let long_key = "k".repeat(129);
        let long_value = "v".repeat(257);
        let tags = vec![
            ("aliyun:owner", "x"),
            ("", "x"),
            (long_key.as_str(), "x"),
            ("env", long_value.as_str()),
            ("https://x", "y"),
        ];
        let problems = check_tags(tags).unwrap_err();
        assert_eq!(
            problems,
            [
                RoleRuleError::TagKeyReserved {
                    key: "aliyun:owner".into(),
                    reserved: RESERVED_TAG_KEY_TEXTS[0]
                },
                RoleRuleError::TagKeyEmpty,
                RoleRuleError::TagKeyTooLong {
                    key: long_key.clone(),
                    length: 129
                },
                RoleRuleError::TagValueTooLong {
                    key: "env".into(),
                    length: 257
                },
                RoleRuleError::TagKeyReserved {
                    key: "https://x".into(),
                    reserved: RESERVED_TAG_KEY_TEXTS[3]
                },
            ]
        );
        assert_eq!(
            problems[0].to_string(),
            "tag key \"aliyun:owner\" starts with \"aliyun\", which is reserved for Alibaba Cloud: tag keys must not \
             start with \"aliyun\" or \"acs:\" nor contain \"http://\" or \"https://\", in any letter case"
        );
    }

    #[test]
    fn too_many_tags_comes_first() {
        let tags: Vec<(String, String)> =
            (0..21).map(|i| (format!("k{i}"), String::new())).collect();
        let problems = check_tags(tags).unwrap_err();
        assert_eq!(problems, [RoleRuleError::TooManyTags { count: 21 }]);
        assert_eq!(
            problems[0].to_string(),
            "tags has 21 entries: RAM accepts at most 20 tags on a role"
        );
    }

    #[test]
    fn reserved_texts_ignore_case_and_http_is_reserved_anywhere() {
        let text = |key: &str| reserved_tag_key_text(key).map(|r| r.text);
        assert_eq!(text("acs:rm:rgId"), Some("acs:"));
        assert_eq!(text("ACS:x"), Some("acs:"));
        assert_eq!(text("Aliyun-x"), Some("aliyun"));
        assert_eq!(text("ALIYUN"), Some("aliyun"));
        assert_eq!(text("http://x"), Some("http://"));
        assert_eq!(text("link-HTTPS://x"), Some("https://"));
        assert_eq!(text("team"), None);
        assert_eq!(
            text("my-aliyun"),
            None,
            "aliyun is reserved at the start only"
        );
        assert_eq!(text("x-acs:y"), None, "acs: is reserved at the start only");
        assert_eq!(text("http"), None);
        assert_eq!(
            check_tags([("doc-http://x", "v")]).unwrap_err()[0].to_string(),
            "tag key \"doc-http://x\" contains \"http://\", which is reserved for Alibaba Cloud: tag keys must not \
             start with \"aliyun\" or \"acs:\" nor contain \"http://\" or \"https://\", in any letter case"
        );
    }
}
