//! Rendering the model as JSON: `Action` and `Resource` with one value as a plain string, principal
//! identifiers always as lists (the form of the seed documents), keys sorted, nothing absent rendered as empty.

use super::{Condition, Principal, Statement, TrustPolicy};
use crate::ram::canonical_json::to_sorted_compact;
use serde_json::{Map, Value};

impl TrustPolicy {
    /// The policy as compact JSON with sorted keys, e.g.
    /// `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{...}}],"Version":"1"}`.
    ///
    /// Lists keep their order; use [`TrustPolicy::canonical`] first for a form that is equal for equivalent
    /// policies.
    pub fn to_json(&self) -> String {
        to_sorted_compact(&self.to_value())
    }

    /// The policy as a JSON value.
    pub fn to_value(&self) -> Value {
        let mut map = self
            .other
            .clone()
            .into_iter()
            .collect::<Map<String, Value>>();
        map.insert(
            "Statement".to_owned(),
            Value::Array(self.statements.iter().map(Statement::to_value).collect()),
        );
        if let Some(version) = &self.version {
            map.insert("Version".to_owned(), Value::String(version.clone()));
        }
        Value::Object(map)
    }
}

impl Statement {
    /// The statement as compact JSON with sorted keys.
    pub fn to_json(&self) -> String {
        to_sorted_compact(&self.to_value())
    }

    /// The statement as a JSON value.
    pub fn to_value(&self) -> Value {
        let mut map = self
            .other
            .clone()
            .into_iter()
            .collect::<Map<String, Value>>();
        map.insert(
            "Effect".to_owned(),
            Value::String(self.effect.as_str().to_owned()),
        );
        if !self.action.is_empty() {
            map.insert("Action".to_owned(), string_or_list(&self.action));
        }
        if !self.resource.is_empty() {
            map.insert("Resource".to_owned(), string_or_list(&self.resource));
        }
        if !self.principal.is_empty() {
            map.insert("Principal".to_owned(), self.principal.to_value());
        }
        if !self.condition.is_empty() {
            map.insert("Condition".to_owned(), self.condition.to_value());
        }
        Value::Object(map)
    }
}

impl Principal {
    /// The principal as a JSON object of lists (empty kinds left out).
    pub fn to_value(&self) -> Value {
        Value::Object(
            self.entries()
                .into_iter()
                .map(|(key, values)| {
                    let list = values.iter().cloned().map(Value::String).collect();
                    (key.to_owned(), Value::Array(list))
                })
                .collect(),
        )
    }
}

impl Condition {
    /// The condition as a JSON object (operators and keys without values left out).
    pub fn to_value(&self) -> Value {
        let operators = self
            .0
            .iter()
            .filter(|(_, keys)| !keys.is_empty())
            .map(|(operator, keys)| {
                let keys = keys
                    .iter()
                    .map(|(key, values)| {
                        let rendered = match values.as_slice() {
                            [single] => single.clone(),
                            _ => Value::Array(values.clone()),
                        };
                        (key.clone(), rendered)
                    })
                    .collect();
                (operator.clone(), Value::Object(keys))
            })
            .collect();
        Value::Object(operators)
    }
}

fn string_or_list(values: &[String]) -> Value {
    match values {
        [single] => Value::String(single.clone()),
        _ => Value::Array(values.iter().cloned().map(Value::String).collect()),
    }
}
