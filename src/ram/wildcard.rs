//! Wildcard matching as `StringLike` conditions use it: `*` matches any run of characters (none included) and
//! `?` exactly one; every other character matches itself.
//!
//! The classic greedy two-pointer walk: on a mismatch, return to the most recent `*` and let it swallow one more
//! character. Only the most recent star is ever revisited (anything an earlier star could swallow, the later one
//! can too), so the work is bounded by (text length + 1) × (pattern length + 1) steps, instead of the exponential
//! backtracking of a recursive matcher on patterns like `*a*a*a*a*a*a*b`.

/// Whether `text` matches `pattern`.
pub fn matches(text: &str, pattern: &str) -> bool {
    let text: Vec<char> = text.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    let (mut t, mut p) = (0, 0);
    // After the most recent star: where the pattern resumes, and the text position that star swallowed up to.
    let mut last_star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                p += 1;
                last_star = Some((p, t));
            }
            Some(&c) if c == '?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match last_star {
                Some((resume, swallowed)) => {
                    p = resume;
                    t = swallowed + 1;
                    last_star = Some((resume, t));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn stars_and_question_marks() {
        assert!(matches("abc-123", "abc-*"));
        assert!(matches("abc", "a?c"));
        assert!(matches("", "*"));
        assert!(matches("abcbxd", "*b?d"));
        assert!(!matches("abcbd", "*b?d"));
        assert!(!matches("abd", "abc*"));
        assert!(!matches("ab", "a?c"));
        assert!(!matches("abc", ""));
    }
}
