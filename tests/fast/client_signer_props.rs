//! Properties of the signature v1 signer over arbitrary input: it never panics, it is deterministic and
//! independent of parameter order, and its encoding only ever emits the unreserved set and `%XY`.

use proptest::prelude::*;
use terraform_provider_aliram::ram::signature::v1::{SignableRequest, percent_encode, sign};

fn params() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((any::<String>(), any::<String>()), 0..12)
}

proptest! {
    #[test]
    fn signing_never_panics_and_ignores_order(
        method in any::<String>(),
        secret in any::<String>(),
        mut params in params(),
    ) {
        let first = sign(&SignableRequest { method: &method, params: &params }, &secret);
        params.reverse();
        let reversed = sign(&SignableRequest { method: &method, params: &params }, &secret);
        prop_assert_eq!(first.len(), 28, "base64 of a 20-byte HMAC-SHA1");
        prop_assert_eq!(first, reversed);
    }

    #[test]
    fn encoding_emits_only_unreserved_bytes_and_escapes(value in any::<String>()) {
        let encoded = percent_encode(&value);
        let bytes = encoded.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                prop_assert!(i + 2 < bytes.len(), "truncated escape in {}", encoded);
                let hex = &encoded[i + 1..i + 3];
                prop_assert!(hex.bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)), "{}", hex);
                i += 3;
            } else {
                prop_assert!(bytes[i].is_ascii_alphanumeric() || b"-_.~".contains(&bytes[i]));
                i += 1;
            }
        }
    }
}
