//! The parameters of one API request: the query and a form body merged, as the signature covers them both,
//! with typed accessors that fail the way the real API does (`Missing<Param>`, `InvalidParameter.<Param>`).

use super::error::ApiError;
use serde::Deserialize;
use std::fmt;

/// Every parameter of a request, in the order received (query first, then the form body).
#[derive(Clone, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values can be signatures or security tokens: show names only.
        let names: Vec<&str> = self.pairs.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Params").field("names", &names).finish()
    }
}

impl Params {
    /// Merges the raw query string and a form-encoded body (either may be empty).
    pub fn from_query_and_form(query: Option<&str>, form_body: &[u8]) -> Self {
        let mut pairs: Vec<(String, String)> =
            form_urlencoded::parse(query.unwrap_or("").as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
        pairs.extend(
            form_urlencoded::parse(form_body).map(|(k, v)| (k.into_owned(), v.into_owned())),
        );
        Self { pairs }
    }

    /// Builds parameters from pairs (used by tests and in-process callers).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self { pairs }
    }

    /// Sets `name` to `value`, replacing every earlier value (V3 requests carry `Action` and `Version` in headers).
    pub fn set(&mut self, name: &str, value: &str) {
        self.pairs.retain(|(k, _)| k != name);
        self.pairs.push((name.to_owned(), value.to_owned()));
    }

    /// All pairs, for signature verification.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The first value of `name`, if present (an empty value counts as present).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of `name`, or `Missing<name>` when it is absent or empty.
    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        match self.get(name) {
            Some(value) if !value.is_empty() => Ok(value),
            _ => Err(ApiError::missing(name)),
        }
    }

    /// The value of `name` when present and non-empty.
    pub fn optional(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// An optional integer parameter, `InvalidParameter.<name>` when it does not parse.
    pub fn optional_int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.optional(name)
            .map(|v| {
                v.trim().parse::<i64>().map_err(|_| {
                    ApiError::invalid(name, format!("The parameter - \"{name}\" is not a number."))
                })
            })
            .transpose()
    }

    /// An optional boolean parameter (`true`/`false`, any case).
    pub fn optional_bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        self.optional(name)
            .map(|v| match v.to_ascii_lowercase().as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(ApiError::invalid(
                    name,
                    format!("The parameter - \"{name}\" must be true or false."),
                )),
            })
            .transpose()
    }

    /// An optional parameter holding JSON (`Tag`, `ResourceNames`, `TagKeys` are JSON strings on the wire).
    pub fn optional_json<T: for<'de> Deserialize<'de>>(
        &self,
        name: &str,
    ) -> Result<Option<T>, ApiError> {
        self.optional(name)
            .map(|v| {
                serde_json::from_str(v).map_err(|e| {
                    ApiError::invalid(
                        name,
                        format!("The parameter - \"{name}\" is not valid JSON of the expected form: {e}."),
                    )
                })
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_and_body_are_merged_and_decoded() {
        let params = Params::from_query_and_form(
            Some("Action=GetRole&Description=a%20b"),
            b"RoleName=x&Note=DTS+cross",
        );
        assert_eq!(params.get("Action"), Some("GetRole"));
        assert_eq!(params.get("Description"), Some("a b"));
        assert_eq!(params.get("RoleName"), Some("x"));
        assert_eq!(params.get("Note"), Some("DTS cross"));
        assert_eq!(params.pairs().len(), 4);
    }

    #[test]
    fn empty_required_value_is_missing() {
        let params = Params::from_query_and_form(Some("RoleName="), b"");
        let err = params.required("RoleName").unwrap_err();
        assert_eq!(err.code, "MissingRoleName");
    }
}
