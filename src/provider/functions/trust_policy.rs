//! `dts_trust_policy` and `dataworks_trust_policy`: the trust policy document a cross-account role needs, as
//! compact JSON with sorted keys, for configurations that build roles themselves (for example with `aliram_role`).

use crate::framework::function::{Function, FunctionDefinition, FunctionError, Parameter};
use crate::framework::types::Type;
use crate::framework::value::Value;
use crate::provider::domain::trust_policy::{dataworks_trust_policy, dts_trust_policy};
use crate::ram::account::AccountId;
use crate::ram::trust_policy::TrustPolicy;

/// A function that renders the trust policy admitting one account's service.
#[derive(Clone, Copy, Debug)]
pub(super) struct TrustPolicyFunction {
    name: &'static str,
    parameter: &'static str,
    summary: &'static str,
    description: &'static str,
    parameter_description: &'static str,
    render: fn(&AccountId) -> TrustPolicy,
}

/// The trust policy functions, as data.
pub(super) const FUNCTIONS: &[TrustPolicyFunction] = &[
    TrustPolicyFunction {
        name: "dts_trust_policy",
        parameter: "trusted_account_id",
        summary: "Trust policy of a DTS cross-account role",
        description: "Returns the trust policy document of a RAM role that lets Data Transmission Service (DTS), acting \
                      for `trusted_account_id`, assume it: principals `RAM: [\"acs:ram::<T>:root\"]` and \
                      `Service: [\"<T>@dts.aliyuncs.com\"]`. The trusted account is the one that creates the DTS \
                      task, never the account owning the role. Compact JSON with sorted keys.",
        parameter_description: "UID of the account that creates the DTS task (all digits, such as `1234567890123456`).",
        render: dts_trust_policy,
    },
    TrustPolicyFunction {
        name: "dataworks_trust_policy",
        parameter: "dataworks_account_id",
        summary: "Trust policy of a DataWorks cross-account data source role",
        description: "Returns the trust policy document of a RAM role that lets DataWorks, acting for \
                      `dataworks_account_id`, assume it: principal `Service: [\"<T>@cdp.aliyuncs.com\"]`. The trusted \
                      account owns the DataWorks workspace. Compact JSON with sorted keys.",
        parameter_description: "UID of the account that owns the DataWorks workspace (all digits).",
        render: dataworks_trust_policy,
    },
];

impl Function for TrustPolicyFunction {
    fn name(&self) -> &'static str {
        self.name
    }

    fn definition(&self) -> FunctionDefinition {
        FunctionDefinition {
            summary: self.summary.to_owned(),
            description: self.description.to_owned(),
            parameters: vec![Parameter {
                name: self.parameter.to_owned(),
                ty: Type::String,
                description: self.parameter_description.to_owned(),
            }],
            return_type: Type::String,
        }
    }

    fn call(&self, arguments: &[Value]) -> Result<Value, FunctionError> {
        let raw = arguments
            .first()
            .and_then(Value::as_str)
            .unwrap_or_default();
        // Terraform prefixes the text with `Invalid value for "<parameter>" parameter:`.
        let account = AccountId::parse(raw).map_err(|e| FunctionError {
            text: e.to_string(),
            argument: Some(0),
        })?;
        Ok(Value::string((self.render)(&account).to_json()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn function(name: &str) -> TrustPolicyFunction {
        FUNCTIONS
            .iter()
            .copied()
            .find(|f| f.name == name)
            .unwrap_or(FUNCTIONS[0])
    }

    #[test]
    fn dts_document_is_compact_with_sorted_keys() {
        let out = function("dts_trust_policy").call(&[Value::string("1234567890123456")]);
        assert_eq!(
            out.ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .as_deref(),
            Some(
                r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root"],"Service":["1234567890123456@dts.aliyuncs.com"]}}],"Version":"1"}"#
            )
        );
    }

    #[test]
    fn dataworks_document_trusts_the_cdp_service_only() {
        let out = function("dataworks_trust_policy").call(&[Value::string("2234567890123456")]);
        assert_eq!(
            out.ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .as_deref(),
            Some(
                r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["2234567890123456@cdp.aliyuncs.com"]}}],"Version":"1"}"#
            )
        );
    }

    #[test]
    fn a_non_digit_account_names_the_argument_and_value() {
        let err = function("dts_trust_policy")
            .call(&[Value::string("12ab")])
            .err();
        let err = err.unwrap_or(FunctionError {
            text: String::new(),
            argument: None,
        });
        assert_eq!(err.argument, Some(0));
        assert!(
            err.text.contains("\"12ab\"") && err.text.contains("all digits"),
            "{}",
            err.text
        );
    }
}
