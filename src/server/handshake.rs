//! The go-plugin handshake: what Terraform puts in the environment when it starts a provider, and the one line
//! the provider answers on stdout.

use base64::Engine as _;
use std::fmt;
use std::ops::RangeInclusive;

/// The cookie Terraform sets so that a provider knows it was started by Terraform.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Its value.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// go-plugin's core protocol version.
const CORE_PROTOCOL_VERSION: u32 = 1;
/// The plugin protocol this provider speaks.
pub const PROTOCOL_VERSION: u32 = 5;
/// go-plugin's port range when Terraform sets none.
const DEFAULT_PORTS: RangeInclusive<u16> = 10000..=25000;

/// Why the provider cannot serve.
#[derive(Debug, thiserror::Error)]
pub enum HandshakeError {
    /// Started by hand rather than by Terraform.
    #[error(
        "This binary is a plugin. These are not meant to be executed directly.\n\
         terraform-provider-aliram is a Terraform provider: Terraform starts it when a configuration uses the \
         `aliram` provider. To use a local build, point a `dev_overrides` entry for \"registry.terraform.io/aliram/aliram\" \
         in your Terraform CLI configuration at the directory holding this binary (see the README), then run terraform."
    )]
    NotStartedByTerraform,
    /// Terraform asks for protocol versions this provider does not speak.
    #[error(
        "Terraform asked for plugin protocol versions {0:?}, but this provider speaks only version 5 (Terraform 0.12 or newer)."
    )]
    UnsupportedProtocol(String),
    /// A malformed environment variable.
    #[error("the plugin environment variable {name} has an invalid value {value:?}")]
    InvalidVariable {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
    },
}

/// What the handshake environment asks of the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginEnv {
    /// Ports the listener may use.
    pub ports: RangeInclusive<u16>,
    /// Terraform's client certificate (PEM) when AutoMTLS is on; `None` serves plaintext.
    pub client_cert_pem: Option<String>,
}

impl PluginEnv {
    /// Reads the handshake environment through `lookup` (so tests need not touch the process environment).
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<PluginEnv, HandshakeError> {
        if lookup(MAGIC_COOKIE_KEY).as_deref() != Some(MAGIC_COOKIE_VALUE) {
            return Err(HandshakeError::NotStartedByTerraform);
        }
        if let Some(versions) = lookup("PLUGIN_PROTOCOL_VERSIONS") {
            let speaks = versions
                .split(',')
                .any(|v| v.trim() == PROTOCOL_VERSION.to_string());
            if !speaks {
                return Err(HandshakeError::UnsupportedProtocol(versions));
            }
        }
        let port = |name: &'static str, default: u16| -> Result<u16, HandshakeError> {
            match lookup(name) {
                None => Ok(default),
                Some(v) if v.is_empty() => Ok(default),
                Some(v) => v
                    .parse()
                    .map_err(|_| HandshakeError::InvalidVariable { name, value: v }),
            }
        };
        let min = port("PLUGIN_MIN_PORT", *DEFAULT_PORTS.start())?;
        let max = port("PLUGIN_MAX_PORT", *DEFAULT_PORTS.end())?;
        let tls_disabled = lookup("TF_DISABLE_PLUGIN_TLS").is_some_and(|v| !v.is_empty());
        let client_cert_pem = if tls_disabled {
            None
        } else {
            lookup("PLUGIN_CLIENT_CERT").filter(|c| !c.is_empty())
        };
        Ok(PluginEnv {
            ports: min..=max,
            client_cert_pem,
        })
    }
}

/// The line the provider prints on stdout once it listens: `1|5|tcp|ADDRESS|grpc|CERT`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandshakeLine {
    /// The listening address, `host:port`.
    pub address: String,
    /// The server certificate (DER) when serving TLS.
    pub server_cert_der: Option<Vec<u8>>,
}

impl fmt::Display for HandshakeLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // go-plugin decodes the certificate with Go's RawStdEncoding: standard alphabet, no padding.
        let cert = self
            .server_cert_der
            .as_ref()
            .map(|der| base64::engine::general_purpose::STANDARD_NO_PAD.encode(der))
            .unwrap_or_default();
        write!(
            f,
            "{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|tcp|{}|grpc|{cert}",
            self.address
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn refuses_to_run_without_the_cookie() {
        assert!(matches!(
            PluginEnv::from_lookup(env(&[])),
            Err(HandshakeError::NotStartedByTerraform)
        ));
        let wrong = env(&[(MAGIC_COOKIE_KEY, "nope")]);
        assert!(matches!(
            PluginEnv::from_lookup(wrong),
            Err(HandshakeError::NotStartedByTerraform)
        ));
    }

    #[test]
    fn reads_ports_versions_and_tls() {
        let e = PluginEnv::from_lookup(env(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_PROTOCOL_VERSIONS", "5,6"),
            ("PLUGIN_MIN_PORT", "12000"),
            ("PLUGIN_MAX_PORT", "12010"),
            ("PLUGIN_CLIENT_CERT", "PEM"),
        ]));
        assert_eq!(
            e.ok(),
            Some(PluginEnv {
                ports: 12000..=12010,
                client_cert_pem: Some("PEM".into())
            })
        );
        let plain = PluginEnv::from_lookup(env(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_CLIENT_CERT", "PEM"),
            ("TF_DISABLE_PLUGIN_TLS", "1"),
        ]));
        assert_eq!(plain.ok().and_then(|e| e.client_cert_pem), None);
        let v6 = PluginEnv::from_lookup(env(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_PROTOCOL_VERSIONS", "6"),
        ]));
        assert!(matches!(v6, Err(HandshakeError::UnsupportedProtocol(_))));
    }

    #[test]
    fn handshake_line_has_unpadded_base64_certificate() {
        let line = HandshakeLine {
            address: "127.0.0.1:10000".into(),
            server_cert_der: Some(vec![1, 2, 3, 4]),
        };
        assert_eq!(line.to_string(), "1|5|tcp|127.0.0.1:10000|grpc|AQIDBA");
        let plain = HandshakeLine {
            address: "127.0.0.1:10001".into(),
            server_cert_der: None,
        };
        assert_eq!(plain.to_string(), "1|5|tcp|127.0.0.1:10001|grpc|");
    }
}
