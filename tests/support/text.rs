//! Text as tests search it.

/// `text` on one line, every run of whitespace one space: Terraform wraps long messages wherever the terminal
/// width falls (and Markdown wraps prose), so a test looks for a fragment in this form.
pub fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
