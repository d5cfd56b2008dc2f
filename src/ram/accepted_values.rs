//! How messages list accepted values: each quoted, so names that contain commas ("Express Connect, VPN Gateway,
//! or Smart Access Gateway") stay readable.

/// `"a", "b" or "c"`; `"a"` for one value.
pub(crate) fn quoted_alternatives<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = values.into_iter().map(|v| format!("\"{v}\"")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_naturally() {
        assert_eq!(quoted_alternatives([]), "");
        assert_eq!(quoted_alternatives(["a"]), "\"a\"");
        assert_eq!(quoted_alternatives(["a", "b"]), "\"a\" or \"b\"");
        assert_eq!(
            quoted_alternatives(["a", "b, c", "d"]),
            "\"a\", \"b, c\" or \"d\""
        );
    }
}
