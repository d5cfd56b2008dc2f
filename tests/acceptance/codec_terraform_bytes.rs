//! Known-answer tests for the msgpack codec against bytes Terraform itself wrote.
//!
//! A saved plan (`terraform plan -out`) stores every output value as cty msgpack of type `dynamic`: the
//! `[type JSON, value]` wrapper around strings, numbers, bools, tuples, objects, maps and nulls. Each test plans
//! outputs with real Terraform, takes those bytes from the plan file, decodes them with our codec, checks the
//! values, and re-encodes them: the bytes must be Terraform's, exactly.

use crate::support::{Workdir, terraforms};
use std::collections::BTreeMap;
use std::io::Read as _;
use terraform_provider_aliram::framework::msgpack;
use terraform_provider_aliram::framework::types::Type;
use terraform_provider_aliram::framework::value::Value;

/// The part of Terraform's `tfplan` message these tests read (field numbers of `planfile.proto`).
#[derive(Clone, PartialEq, prost::Message)]
struct Plan {
    #[prost(message, repeated, tag = "4")]
    output_changes: Vec<OutputChange>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct OutputChange {
    #[prost(string, tag = "1")]
    name: String,
    #[prost(message, optional, tag = "2")]
    change: Option<Change>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Change {
    #[prost(message, repeated, tag = "2")]
    values: Vec<PlanValue>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct PlanValue {
    #[prost(bytes = "vec", tag = "1")]
    msgpack: Vec<u8>,
}

const OUTPUTS: &str = r#"
output "string" { value = "héllo, wörld" }
output "int" { value = 42 }
output "negative" { value = -70000 }
output "float" { value = 1.5 }
output "bool" { value = true }
output "tuple" { value = ["a", 1, false] }
output "list" { value = tolist(["x", "y"]) }
output "map" { value = tomap({ b = "2", a = "1" }) }
output "object" {
  value = {
    name    = "ram-for-dts"
    seconds = 3600
    nested  = { tags = tomap({ team = "data" }), ids = tolist([1, 2, 3]) }
    nothing = null
  }
}
output "unknown" { value = timestamp() }
"#;

/// Output name -> the msgpack bytes Terraform stored for its planned value.
fn planned_output_bytes(work: &Workdir) -> BTreeMap<String, Vec<u8>> {
    work.run(&["plan", "-input=false", "-no-color", "-out=plan.tfplan"])
        .success();
    let file = std::fs::File::open(work.path().join("plan.tfplan")).expect("plan file");
    let mut archive = zip::ZipArchive::new(file).expect("a plan file is a zip archive");
    let mut bytes = Vec::new();
    archive
        .by_name("tfplan")
        .expect("tfplan entry")
        .read_to_end(&mut bytes)
        .expect("reading tfplan");
    let plan = <Plan as prost::Message>::decode(bytes.as_slice()).expect("tfplan protobuf");
    plan.output_changes
        .into_iter()
        .filter_map(|o| Some((o.name, o.change?.values.pop()?.msgpack)))
        .collect()
}

#[test]
fn values_terraform_wrote_decode_and_reencode_to_the_same_bytes() {
    for tf in terraforms() {
        let work = Workdir::new(tf, OUTPUTS);
        let outputs = planned_output_bytes(&work);
        assert_eq!(
            outputs.len(),
            10,
            "Terraform {}: outputs {:?}",
            tf.version,
            outputs.keys()
        );
        for (name, bytes) in &outputs {
            let value = msgpack::decode(bytes, &Type::Dynamic)
                .unwrap_or_else(|e| panic!("Terraform {}: output {name}: {e}", tf.version));
            if name == "unknown" {
                // timestamp() is a refined unknown (known not null): read as plain unknown.
                assert_eq!(value, Value::Unknown, "Terraform {}", tf.version);
                continue;
            }
            let again = msgpack::encode(&value, &Type::Dynamic).expect("re-encoding");
            assert_eq!(
                &again, bytes,
                "Terraform {}: output {name} re-encoded differently",
                tf.version
            );
        }
    }
}

#[test]
fn decoded_values_carry_terraforms_types_and_contents() {
    let tf = &terraforms()[0];
    let outputs = planned_output_bytes(&Workdir::new(tf, OUTPUTS));
    let decode = |name: &str| msgpack::decode(&outputs[name], &Type::Dynamic).expect(name);
    let Value::Dynamic(ty, object) = decode("object") else {
        panic!("object output is not dynamic")
    };
    assert_eq!(
        ty,
        Type::object([
            ("name", Type::String),
            ("seconds", Type::Number),
            (
                "nested",
                Type::object([
                    ("tags", Type::map(Type::String)),
                    ("ids", Type::list(Type::Number))
                ])
            ),
            ("nothing", Type::Dynamic),
        ])
    );
    assert_eq!(object.attr("name").as_str(), Some("ram-for-dts"));
    assert_eq!(object.attr("seconds").as_i64(), Some(3600));
    assert_eq!(
        object.attr("nested").attr("ids"),
        &Value::List(vec![Value::int(1), Value::int(2), Value::int(3)])
    );
    assert!(object.attr("nothing").is_null());
    let Value::Dynamic(_, float) = decode("float") else {
        panic!("float output is not dynamic")
    };
    assert_eq!(*float, Value::float(1.5));
    let Value::Dynamic(_, string) = decode("string") else {
        panic!("string output is not dynamic")
    };
    assert_eq!(string.as_str(), Some("héllo, wörld"));
}
