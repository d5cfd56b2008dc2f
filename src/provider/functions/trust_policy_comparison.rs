//! `trust_policy_equal` and `normalize_trust_policy`: RAM's notion of "the same trust policy", for configurations
//! of any provider (for example `check` blocks or lifecycle conditions on `alicloud_ram_role`).

use crate::framework::function::{Function, FunctionDefinition, FunctionError, Parameter};
use crate::framework::types::Type;
use crate::framework::value::Value;
use crate::ram::trust_policy::TrustPolicy;

/// What "the same" means, shared by both functions' documentation.
const SEMANTICS: &str = "Key order, whitespace, a string versus a one-element list, the order of (and repeats in) \
                         actions, principals and condition values, and the order of statements do not count; \
                         anything that changes who may assume the role does.";

/// `trust_policy_equal(a, b)`: whether two documents grant the same thing.
#[derive(Clone, Copy, Debug)]
pub(super) struct TrustPolicyEqual;

/// `normalize_trust_policy(document)`: the canonical compact JSON of a document.
#[derive(Clone, Copy, Debug)]
pub(super) struct NormalizeTrustPolicy;

fn document_parameter(name: &str, description: &str) -> Parameter {
    Parameter {
        name: name.to_owned(),
        ty: Type::String,
        description: description.to_owned(),
    }
}

/// Parses argument `position`; the error names the argument (Terraform prefixes its name) and says why.
fn parse_argument(arguments: &[Value], position: usize) -> Result<TrustPolicy, FunctionError> {
    let document = arguments
        .get(position)
        .and_then(Value::as_str)
        .unwrap_or_default();
    TrustPolicy::parse(document).map_err(|e| FunctionError {
        text: format!("{e}; pass a trust policy document such as jsonencode({{Statement = [...], Version = \"1\"}})"),
        argument: Some(position),
    })
}

impl Function for TrustPolicyEqual {
    fn name(&self) -> &'static str {
        "trust_policy_equal"
    }

    fn definition(&self) -> FunctionDefinition {
        FunctionDefinition {
            summary: "Whether two trust policy documents grant the same thing".to_owned(),
            description: format!(
                "Returns true when the two RAM trust policy documents are the same by RAM's semantics. {SEMANTICS} \
                 A document that is not a trust policy fails the call with an error naming the argument."
            ),
            parameters: vec![
                document_parameter("a", "A trust policy document (JSON)."),
                document_parameter("b", "The trust policy document to compare it with (JSON)."),
            ],
            return_type: Type::Bool,
        }
    }

    fn call(&self, arguments: &[Value]) -> Result<Value, FunctionError> {
        let a = parse_argument(arguments, 0)?;
        let b = parse_argument(arguments, 1)?;
        Ok(Value::Bool(a.equivalent_to(&b, None)))
    }
}

impl Function for NormalizeTrustPolicy {
    fn name(&self) -> &'static str {
        "normalize_trust_policy"
    }

    fn definition(&self) -> FunctionDefinition {
        FunctionDefinition {
            summary: "The canonical compact JSON of a trust policy document".to_owned(),
            description: format!(
                "Returns the trust policy document in canonical form: compact JSON with sorted keys, every list \
                 sorted and without repeats, principals as lists and a single action as a string, statements sorted. Two documents that \
                 grant the same thing normalise to the same text. {SEMANTICS}"
            ),
            parameters: vec![document_parameter(
                "document",
                "A trust policy document (JSON).",
            )],
            return_type: Type::String,
        }
    }

    fn call(&self, arguments: &[Value]) -> Result<Value, FunctionError> {
        let policy = parse_argument(arguments, 0)?;
        Ok(Value::string(policy.canonical(None).to_json()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORDERED: &str = r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1:root","acs:ram::2:root"]}}],"Version":"1"}"#;
    const SHUFFLED: &str = r#"{"Version":"1","Statement":{"Principal":{"RAM":["acs:ram::2:root","acs:ram::1:root"]},"Effect":"Allow","Action":["sts:AssumeRole"]}}"#;
    const WIDER: &str = r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1:root","acs:ram::2:root","acs:ram::3:root"]}}],"Version":"1"}"#;

    fn call(f: &dyn Function, args: &[&str]) -> Result<Value, FunctionError> {
        let args: Vec<Value> = args.iter().map(|a| Value::string(*a)).collect();
        f.call(&args)
    }

    #[test]
    fn equal_ignores_form_and_order_but_not_meaning() {
        assert_eq!(
            call(&TrustPolicyEqual, &[ORDERED, SHUFFLED]),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            call(&TrustPolicyEqual, &[ORDERED, WIDER]),
            Ok(Value::Bool(false))
        );
    }

    #[test]
    fn normalize_gives_one_text_for_equivalent_documents() {
        assert_eq!(
            call(&NormalizeTrustPolicy, &[SHUFFLED]),
            Ok(Value::string(ORDERED))
        );
    }

    #[test]
    fn a_bad_document_names_its_argument() {
        let err = call(&TrustPolicyEqual, &[ORDERED, "{\"Statement\": 3}"]).err();
        assert_eq!(err.as_ref().and_then(|e| e.argument), Some(1));
        assert!(
            err.is_some_and(|e| e.text.contains("Statement")),
            "the error says where the document is wrong"
        );
    }
}
