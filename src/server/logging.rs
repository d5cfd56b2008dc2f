//! Logs as hclog JSON lines on stderr, the format Terraform parses into provider log entries.
//!
//! Terraform reads each stderr line; a JSON object with `@level`, a string `@message` and an `@timestamp` with
//! exactly six fractional digits is re-logged as a provider entry with its other keys as fields. The level comes
//! from `TF_LOG_PROVIDER`, else `TF_LOG`; with neither set nothing is formatted at all.

use serde_json::{Map, Value as Json};
use std::io::Write as _;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

/// The most detailed level to log, from Terraform's logging variables; `None` for off.
pub fn level_from_env(lookup: impl Fn(&str) -> Option<String>) -> Option<Level> {
    let value = lookup("TF_LOG_PROVIDER")
        .filter(|v| !v.is_empty())
        .or_else(|| lookup("TF_LOG"))?;
    match value.trim().to_ascii_uppercase().as_str() {
        "TRACE" | "JSON" => Some(Level::TRACE),
        "DEBUG" => Some(Level::DEBUG),
        "INFO" => Some(Level::INFO),
        "WARN" => Some(Level::WARN),
        "ERROR" => Some(Level::ERROR),
        "OFF" | "" => None,
        // Terraform treats an unrecognised level as TRACE.
        _ => Some(Level::TRACE),
    }
}

/// Installs the hclog layer as the global subscriber, at `level` (nothing when `None`).
pub fn init(level: Option<Level>) {
    if let Some(level) = level {
        let subscriber = tracing_subscriber::registry().with(HclogLayer { level });
        // A second initialisation (tests) keeps the first subscriber.
        let _ = tracing::subscriber::set_global_default(subscriber);
    }
}

/// Formats events as hclog JSON lines.
#[derive(Debug)]
pub struct HclogLayer {
    level: Level,
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn enabled(&self, metadata: &tracing::Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        // Libraries (h2, hyper, rustls) speak only of problems; the provider's own code at the chosen level.
        let level = if is_own(metadata.target()) {
            self.level
        } else {
            self.level.min(Level::WARN)
        };
        metadata.level() <= &level
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut line = format_event(
            event.metadata().level(),
            event.metadata().target(),
            |visitor| event.record(visitor),
        );
        line.push('\n');
        // Logging must never take the provider down: a closed stderr loses the line, nothing more.
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
}

/// One hclog JSON line (without newline) for an event whose fields `record` visits.
pub fn format_event(level: &Level, target: &str, record: impl FnOnce(&mut dyn Visit)) -> String {
    let mut fields = FieldVisitor(Map::new());
    record(&mut fields);
    let mut out = Map::new();
    out.insert(
        "@level".into(),
        Json::from(level.as_str().to_ascii_lowercase()),
    );
    let message = fields.0.remove("message").map(|m| match m {
        Json::String(s) => s,
        other => other.to_string(),
    });
    out.insert("@message".into(), Json::from(message.unwrap_or_default()));
    out.insert("@module".into(), Json::from(module_of(target)));
    out.insert(
        "@timestamp".into(),
        Json::from(
            chrono::Utc::now()
                .format("%Y-%m-%dT%H:%M:%S%.6fZ")
                .to_string(),
        ),
    );
    out.extend(fields.0);
    Json::Object(out).to_string()
}

const OWN_CRATE: &str = "terraform_provider_aliram";

fn is_own(target: &str) -> bool {
    target.starts_with(OWN_CRATE)
}

/// `aliram.<layer>` for the provider's own events (e.g. `aliram.server`), the crate name for a library's.
fn module_of(target: &str) -> String {
    let mut parts = target.split("::");
    let root = parts.next().unwrap_or_default();
    if root == OWN_CRATE {
        format!("aliram.{}", parts.next().unwrap_or("provider"))
    } else {
        root.to_owned()
    }
}

struct FieldVisitor(Map<String, Json>);

impl Visit for FieldVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), Json::from(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_owned(), Json::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), Json::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().to_owned(), Json::from(value));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().to_owned(), Json::from(value));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().to_owned(), Json::from(format!("{value:?}")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_follows_terraform_variables() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(level_from_env(env(&[])), None);
        assert_eq!(
            level_from_env(env(&[("TF_LOG", "debug")])),
            Some(Level::DEBUG)
        );
        assert_eq!(
            level_from_env(env(&[("TF_LOG", "TRACE"), ("TF_LOG_PROVIDER", "WARN")])),
            Some(Level::WARN)
        );
        assert_eq!(
            level_from_env(env(&[("TF_LOG", "JSON")])),
            Some(Level::TRACE)
        );
        assert_eq!(level_from_env(env(&[("TF_LOG", "off")])), None);
    }

    #[test]
    fn timestamps_have_six_fractional_digits() {
        let line = format_event(
            &Level::DEBUG,
            "terraform_provider_aliram::server::tls",
            |_| {},
        );
        let parsed: Json = serde_json::from_str(&line).unwrap_or_default();
        let ts = parsed["@timestamp"].as_str().unwrap_or_default();
        let fraction = ts.split('.').nth(1).unwrap_or_default();
        assert_eq!(fraction.len(), 7, "{ts}"); // six digits and the Z
        assert_eq!(parsed["@level"], "debug");
        assert!(parsed["@message"].is_string());
        assert_eq!(parsed["@module"], "aliram.server");
    }
}
