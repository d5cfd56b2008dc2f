//! Every example runs the way `scripts/demo DIR` runs it (README: every directory under `examples/` works with
//! the demo): each directory under `examples/` holding `.tf` files is found by walking the tree, so an example
//! added later is covered without touching this file. A configuration example plans, applies, plans clean and
//! destroys; a query example (`*.tfquery.hcl`) first applies its `setup/` in a working directory of its own, then
//! queries, generates configuration, imports with no write, plans clean and destroys.
//!
//! Each example runs on every Terraform the harness has that can run it: one needing a newer Terraform than
//! some found (a query, an action block, a `required_version`) runs on those that are new enough (1.15 from PyPI
//! always is), never skipped. All of it takes about 40 s here: the examples are small.

use crate::support::emulator::Emulator;
use crate::support::terraform_versions::terraforms_supporting;
use crate::support::{Run, Terraform, Workdir};
use std::path::{Path, PathBuf};

const APPLY: &[&str] = &["apply", "-input=false", "-no-color", "-auto-approve"];
const DESTROY: &[&str] = &["destroy", "-input=false", "-no-color", "-auto-approve"];

/// The example directories: every directory under `examples/` with a `.tf` file, except a query example's
/// `setup/` (applied as part of its example), relative to `examples/`, sorted.
fn example_dirs() -> Vec<String> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        let entries =
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
        let mut has_tf = false;
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                let is_setup =
                    path.file_name().is_some_and(|n| n == "setup") && is_query_example(dir);
                if !is_setup {
                    walk(&path, found);
                }
            } else if path.extension().is_some_and(|e| e == "tf") {
                has_tf = true;
            }
        }
        if has_tf {
            found.push(dir.to_owned());
        }
    }
    let root = examples_root();
    let mut found = Vec::new();
    walk(&root, &mut found);
    let mut names: Vec<String> = found
        .iter()
        .map(|d| {
            d.strip_prefix(&root)
                .expect("under examples/")
                .display()
                .to_string()
        })
        .collect();
    names.sort();
    names
}

fn examples_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn files_of(dir: &Path) -> Vec<(String, String)> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .map(|p| {
                    let name = p
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned();
                    (name, std::fs::read_to_string(&p).unwrap_or_default())
                })
                .collect()
        })
        .unwrap_or_default()
}

fn is_query_example(dir: &Path) -> bool {
    files_of(dir)
        .iter()
        .any(|(name, _)| name.ends_with(".tfquery.hcl"))
}

/// The oldest Terraform (major, minor) the example in `dir` needs: 1.14 for `terraform query` and for action
/// blocks, or what a `required_version = ">= X.Y"` says; (0, 0) when nothing is needed.
fn minimum_terraform(dir: &Path) -> (u32, u32) {
    let mut minimum = (0, 0);
    for (name, text) in files_of(dir) {
        if name.ends_with(".tfquery.hcl")
            || text
                .lines()
                .any(|l| l.trim_start().starts_with("action \""))
        {
            minimum = minimum.max((1, 14));
        }
        for line in text.lines() {
            let line = line.trim();
            if let Some(rest) = line.strip_prefix("required_version") {
                let wanted: Vec<u32> = rest
                    .trim_start_matches([' ', '=', '"', '>', '~'])
                    .split(['.', '"', ','])
                    .map_while(|p| p.trim().parse().ok())
                    .collect();
                if let [major, minor, ..] = wanted[..] {
                    minimum = minimum.max((major, minor));
                }
            }
        }
    }
    minimum
}

/// One example on one Terraform: runs its commands, failing with the output and which run it was.
struct ExampleRun<'a> {
    tf: &'a Terraform,
    example: &'a str,
}

impl ExampleRun<'_> {
    /// `terraform <args>` in `work`, which must succeed.
    #[track_caller]
    fn ok(&self, work: &Workdir, args: &[&str]) -> Run {
        let run = work.run(args);
        assert_eq!(
            run.code, 0,
            "{self}: terraform {args:?} failed:\n{}\n{}",
            run.stdout, run.stderr
        );
        run
    }

    /// `terraform plan -detailed-exitcode` in `work`, which must find nothing to change.
    #[track_caller]
    fn clean(&self, work: &Workdir, after: &str) {
        let plan = work.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
        assert_eq!(
            plan.code, 0,
            "{self}: the plan after {after} is not clean:\n{}\n{}",
            plan.stdout, plan.stderr
        );
    }
}

impl std::fmt::Display for ExampleRun<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Terraform {}: example {}", self.tf.version, self.example)
    }
}

const PLAN_OUT: &[&str] = &["plan", "-input=false", "-no-color", "-out=demo.tfplan"];
const APPLY_PLAN: &[&str] = &["apply", "-input=false", "-no-color", "demo.tfplan"];

#[test]
fn every_example_runs_as_the_demo_runs_it() {
    let examples = example_dirs();
    // The walk itself must find the examples the README lists, so a broken walk cannot pass by finding none.
    for known in [
        "data-sources/roles",
        "functions/trust_policies",
        "list-resources/aliram_role",
        "resources/aliram_cross_account_dts_role/scenario_3_source_and_destination",
    ] {
        assert!(
            examples.iter().any(|e| e == known),
            "{known} not found among {examples:?}"
        );
    }
    for example in &examples {
        let minimum = minimum_terraform(&examples_root().join(example));
        for tf in terraforms_supporting(minimum, &format!("example {example}")) {
            // A fresh emulator per run, as `scripts/demo` starts one: with the example's own accounts.json when it
            // has one (a Resource Directory, say), else the demo's empty accounts.
            let emulator = emulator_for(&examples_root().join(example));
            if is_query_example(&examples_root().join(example)) {
                run_query_example(&emulator, tf, example);
            } else {
                run_configuration_example(&emulator, tf, example);
            }
        }
    }
}

/// The emulator `scripts/demo` would start for the example in `dir`.
fn emulator_for(dir: &Path) -> Emulator {
    let accounts = dir.join("accounts.json");
    if accounts.is_file() {
        Emulator::start(&["--accounts", accounts.to_str().expect("UTF-8 path")])
    } else {
        Emulator::start(&[])
    }
}

fn run_configuration_example(emulator: &Emulator, tf: &Terraform, example: &str) {
    let run = ExampleRun { tf, example };
    let work = emulator.example_workdir(tf, example);
    run.ok(&work, PLAN_OUT);
    run.ok(&work, APPLY_PLAN);
    run.clean(&work, "apply");
    run.ok(&work, DESTROY);
}

fn run_query_example(emulator: &Emulator, tf: &Terraform, example: &str) {
    let run = ExampleRun { tf, example };
    let setup_dir = format!("{example}/setup");
    let setup = examples_root()
        .join(&setup_dir)
        .is_dir()
        .then(|| emulator.example_workdir(tf, &setup_dir));
    if let Some(setup) = &setup {
        run.ok(setup, APPLY);
    }
    let work = emulator.example_workdir(tf, example);
    let query = run.ok(&work, &["query", "-no-color"]);
    if setup.is_some() {
        // The setup's roles are found: a query that listed nothing would leave nothing to import.
        assert!(
            !query.stdout.trim().is_empty(),
            "{run}: the query found nothing:\n{}",
            query.stderr
        );
    }
    run.ok(
        &work,
        &["query", "-no-color", "-generate-config-out=generated.tf"],
    );
    let writes = emulator.writes();
    run.ok(&work, PLAN_OUT);
    run.ok(&work, APPLY_PLAN);
    assert_eq!(
        emulator.writes(),
        writes,
        "{run}: importing wrote to the API"
    );
    run.clean(&work, "importing the generated configuration");
    run.ok(&work, DESTROY);
    if let Some(setup) = &setup {
        run.ok(setup, DESTROY);
    }
}
