//! The signature V3 signer against the official worked example and the SDK and project vectors
//! (`tests/vectors/signature_v3.json`): each case checks the canonical request (where published), its hash and
//! the signature, a wire query decodes to the same signature however the client encoded spaces, and every
//! change listed under `must_fail` changes the signature.

use serde::Deserialize;
use terraform_provider_aliram::ram::signature::v3::{
    Authorization, SignableRequest, authorization, canonical_request, sha256_hex, sign,
    string_to_sign,
};

#[derive(Deserialize, Clone)]
struct Case {
    name: String,
    method: String,
    path: String,
    secret: String,
    access_key_id: String,
    query: Vec<(String, String)>,
    wire_query: Option<String>,
    body: Option<String>,
    headers: Vec<(String, String)>,
    signed_headers: Vec<String>,
    payload_sha256: String,
    canonical_request: Option<String>,
    canonical_request_sha256: Option<String>,
    signature: String,
    authorization: Option<String>,
}

#[derive(Deserialize)]
struct MustFail {
    name: String,
    case: String,
    change: String,
}

#[derive(Deserialize)]
struct Vectors {
    cases: Vec<Case>,
    must_fail: Vec<MustFail>,
}

fn vectors() -> Vectors {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/signature_v3.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {path}: {e}"))
}

impl Case {
    fn request(&self) -> SignableRequest<'_> {
        SignableRequest {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            headers: &self.headers,
            signed_headers: &self.signed_headers,
            payload_sha256: &self.payload_sha256,
        }
    }

    fn signature(&self) -> Option<String> {
        sign(&self.request(), &self.secret).ok()
    }
}

#[test]
fn every_v3_vector_reproduces() {
    let vectors = vectors();
    assert!(vectors.cases.len() >= 7, "the vector file lost cases");
    for case in &vectors.cases {
        let canonical = canonical_request(&case.request())
            .unwrap_or_else(|e| panic!("{}: canonical request: {e}", case.name));
        if let Some(expected) = &case.canonical_request {
            assert_eq!(&canonical, expected, "{}: canonical request", case.name);
        }
        if let Some(expected) = &case.canonical_request_sha256 {
            assert_eq!(
                string_to_sign(&canonical),
                format!("ACS3-HMAC-SHA256\n{expected}"),
                "{}: string to sign",
                case.name
            );
        }
        if let Some(body) = &case.body {
            assert_eq!(
                sha256_hex(body.as_bytes()),
                case.payload_sha256,
                "{}: payload hash",
                case.name
            );
        }
        assert_eq!(
            case.signature().as_deref(),
            Some(case.signature.as_str()),
            "{}: signature",
            case.name
        );
        if let Some(expected) = &case.authorization {
            let header = authorization(&case.access_key_id, &case.signed_headers, &case.signature);
            assert_eq!(&header, expected, "{}: Authorization", case.name);
            let parsed = Authorization::parse(&header).expect("parses");
            assert_eq!(parsed.credential, case.access_key_id);
            assert_eq!(parsed.signature, case.signature);
        }
    }
}

#[test]
fn wire_queries_decode_to_the_same_signature() {
    let with_wire: Vec<Case> = vectors()
        .cases
        .into_iter()
        .filter(|c| c.wire_query.is_some())
        .collect();
    assert!(with_wire.len() >= 2, "both space encodings are covered");
    for mut case in with_wire {
        let wire = case.wire_query.take().unwrap_or_default();
        case.query = form_urlencoded::parse(wire.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        assert_eq!(
            case.signature().as_deref(),
            Some(case.signature.as_str()),
            "{}: decoded from {wire}",
            case.name
        );
    }
}

#[test]
fn every_listed_change_breaks_the_signature() {
    let vectors = vectors();
    assert_eq!(vectors.must_fail.len(), 7);
    for change in &vectors.must_fail {
        let mut case = vectors
            .cases
            .iter()
            .find(|c| c.name == change.case)
            .unwrap_or_else(|| panic!("{}: no case {}", change.name, change.case))
            .clone();
        let signature = match change.change.as_str() {
            "query_value" => {
                case.query[1].1.push('x');
                case.signature()
            }
            "drop_signed_header" => {
                case.signed_headers.retain(|h| h != "x-acs-date");
                case.signature()
            }
            "unsent_header" => {
                case.signed_headers.push("x-acs-security-token".into());
                case.signature()
            }
            "method_get" => {
                case.method = "GET".into();
                case.signature()
            }
            "v1_key" => {
                case.secret.push('&');
                case.signature()
            }
            "body" => {
                let body = case.body.clone().unwrap_or_default() + "x";
                // The server hashes what it received, whatever the client's header says.
                case.payload_sha256 = sha256_hex(body.as_bytes());
                case.signature()
            }
            "plus_for_space" => {
                for (_, value) in &mut case.query {
                    *value = value.replace(' ', "+");
                }
                case.signature()
            }
            other => panic!("unknown change {other}"),
        };
        assert_ne!(
            signature.as_deref(),
            Some(case.signature.as_str()),
            "{}",
            change.name
        );
    }
}
