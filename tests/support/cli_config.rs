//! The aliyun CLI's configuration file (`~/.aliyun/config.json`), as the provider's credential chain and the
//! examples read it.

use std::path::Path;

/// Writes an aliyun CLI configuration with `profiles` whose current profile is `current` to `path`, making its
/// directory if needed.
pub fn write_cli_config(path: &Path, current: &str, profiles: serde_json::Value) {
    let config = serde_json::json!({ "current": current, "profiles": profiles, "meta_path": "" });
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("creating the aliyun CLI configuration directory");
    }
    std::fs::write(path, serde_json::to_string_pretty(&config).expect("JSON"))
        .expect("writing the aliyun CLI configuration");
}
