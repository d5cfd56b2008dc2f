//! Compact JSON with object keys sorted by byte order, independent of how `serde_json::Map` orders its keys
//! (a dependency enabling `preserve_order` must not change what a plan shows).

use serde_json::Value;

/// Renders `value` as compact JSON with every object's keys sorted.
pub fn to_sorted_compact(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_value(item, out);
            }
            out.push('}');
        }
    }
}

/// Writes a JSON string literal with the same escapes `serde_json` uses: `"`, `\`, the short forms of common
/// control characters, `\u00XX` for the rest; everything else (non-ASCII included) as is.
fn write_string(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let byte = c as u32 as usize;
                out.push_str("\\u00");
                out.push(HEX[byte >> 4] as char);
                out.push(HEX[byte & 0x0f] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn sorts_keys_at_every_depth() {
        let value = json!({"b": 1, "a": {"z": [true, null], "y": "x"}});
        assert_eq!(
            to_sorted_compact(&value),
            r#"{"a":{"y":"x","z":[true,null]},"b":1}"#
        );
    }

    #[test]
    fn escapes_like_serde_json() {
        let s = "quote\" backslash\\ nl\n tab\t bell\u{07} del\u{7f} é 中 \u{1f600}";
        assert_eq!(
            to_sorted_compact(&Value::String(s.to_owned())),
            serde_json::to_string(s).unwrap()
        );
    }

    proptest! {
        #[test]
        fn strings_round_trip_through_serde(s in any::<String>()) {
            let rendered = to_sorted_compact(&Value::String(s.clone()));
            let back: Value = serde_json::from_str(&rendered).unwrap();
            prop_assert_eq!(back, Value::String(s));
        }
    }
}
