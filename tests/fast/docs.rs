//! `docs/` is generated: the templates in `templates/` plus the schemas' descriptions plus `examples/` give
//! every registry page (`framework::docs`). This test fails when a page differs from what the generator
//! produces, or when a registry page has no template; `scripts/generate-docs` writes the pages instead
//! (`ALIRAM_WRITE_DOCS=1`).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use terraform_provider_aliram::framework::docs::{self, Sources};
use terraform_provider_aliram::framework::engine::Engine;
use terraform_provider_aliram::provider::AliramProvider;

/// The registry page directories under `docs/`; everything else there (emulator, benchmarks) is hand-written.
const REGISTRY_DIRS: [&str; 6] = [
    "resources",
    "actions",
    "data-sources",
    "functions",
    "list-resources",
    "guides",
];

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Templates under `templates/` and files of the repository.
struct RepositorySources;

impl Sources for RepositorySources {
    fn template(&self, path: &str) -> Option<String> {
        fs::read_to_string(repository().join("templates").join(path)).ok()
    }

    fn other_templates(&self) -> Vec<String> {
        markdown_files(&repository().join("templates"), "md.tmpl")
    }

    fn file(&self, path: &str) -> Result<String, String> {
        fs::read_to_string(repository().join(path)).map_err(|e| e.to_string())
    }
}

/// Paths (relative to `root`, `/`-separated) of the files under `root` ending in `.suffix`.
fn markdown_files(root: &Path, suffix: &str) -> Vec<String> {
    fn walk(dir: &Path, root: &Path, suffix: &str, out: &mut Vec<String>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path: PathBuf = entry.path();
            if path.is_dir() {
                walk(&path, root, suffix, out);
            } else if path.to_string_lossy().ends_with(&format!(".{suffix}"))
                && let Ok(relative) = path.strip_prefix(root)
            {
                out.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, suffix, &mut out);
    out.sort();
    out
}

#[test]
fn docs_are_generated_from_the_schema_templates_and_examples() {
    let engine = Engine::new(AliramProvider).expect("the provider's schemas plan");
    let pages: BTreeMap<String, String> =
        docs::pages(&engine, &RepositorySources).unwrap_or_else(|e| panic!("{e}"));
    let docs_dir = repository().join("docs");
    // Compared before anything is written: with ALIRAM_WRITE_DOCS set (scripts/generate-docs) the stale pages
    // are rewritten, and the test still fails naming them, so docs/ never passes this check by being written
    // over by it.
    let stale: Vec<&String> = pages
        .iter()
        .filter(|(path, text)| {
            fs::read_to_string(docs_dir.join(path.as_str()))
                .ok()
                .as_deref()
                != Some(text.as_str())
        })
        .map(|(path, _)| path)
        .collect();
    let write = std::env::var_os("ALIRAM_WRITE_DOCS").is_some();
    if write {
        for path in &stale {
            let target = docs_dir.join(path.as_str());
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent).expect("creating a docs directory");
            }
            fs::write(&target, &pages[path.as_str()]).expect("writing a page");
        }
    }
    assert!(
        stale.is_empty(),
        "docs/ differs from what the generator produces for {stale:?}: {}",
        if write {
            "rewritten now; commit them"
        } else {
            "run scripts/generate-docs and commit"
        }
    );
    let mut registry_pages = vec!["index.md".to_owned()];
    for dir in REGISTRY_DIRS {
        registry_pages.extend(
            markdown_files(&docs_dir.join(dir), "md")
                .into_iter()
                .map(|p| format!("{dir}/{p}")),
        );
    }
    let hand_written: Vec<_> = registry_pages
        .iter()
        .filter(|p| !pages.contains_key(*p))
        .collect();
    assert!(
        hand_written.is_empty(),
        "registry pages without a template under templates/: {hand_written:?}"
    );
}
