//! The official Python SDKs from PyPI against the real `aliram-emulator` binary: the classic ones
//! (aliyun-python-sdk-core/-ram/-sts) and the current tea ones (alibabacloud_ram20150501,
//! alibabacloud_sts20150401, in their default configuration, which signs with signature V3, and again with
//! signature_algorithm='v2') each run a whole role lifecycle, GetCallerIdentity and AssumeRole, parse every
//! response into their models, and see a wrong secret refused; the tea IMS, RAM and STS SDKs federate with the
//! emulator's test OIDC issuer (`oidc_sdk.py`).
//!
//! The SDKs are installed into `target/sdk-venv` on first run. If that fails, the test fails: it never skips.

use crate::support::child::wait_within;
use crate::support::emulator::Emulator;
use crate::support::emulator_process::EmulatorProcess;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;
use terraform_provider_aliram::emulator::StartupLine;

const PACKAGES: [&str; 7] = [
    "aliyun-python-sdk-core",
    "aliyun-python-sdk-ram",
    "aliyun-python-sdk-sts",
    "alibabacloud_ram20150501",
    "alibabacloud_sts20150401",
    "alibabacloud_tea_openapi",
    "alibabacloud_ims20190815",
];
const IMPORTS: &str = "import aliyunsdkcore, aliyunsdkram, aliyunsdksts, alibabacloud_ram20150501, \
alibabacloud_sts20150401, alibabacloud_tea_openapi, alibabacloud_ims20190815";
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(180);

fn venv_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("sdk-venv")
}

fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let output = command
        .output()
        .map_err(|e| format!("{what}: cannot run: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}):\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// The venv's python, with every SDK importable; installs them when missing.
fn python() -> &'static Path {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let result = PYTHON.get_or_init(|| {
        let venv = venv_dir();
        let python = venv.join("bin").join("python");
        let importable = |python: &Path| {
            Command::new(python)
                .args(["-c", IMPORTS])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        if importable(&python) {
            return Ok(python);
        }
        if !python.exists() {
            run(
                Command::new("python3").args(["-m", "venv"]).arg(&venv),
                "python3 -m venv target/sdk-venv",
            )?;
        }
        run(
            Command::new(&python)
                .args(["-m", "pip", "install", "--quiet"])
                .args(PACKAGES),
            "pip install of the Alibaba Cloud Python SDKs",
        )?;
        if importable(&python) {
            Ok(python)
        } else {
            Err("the SDKs were installed but cannot be imported".into())
        }
    });
    match result {
        Ok(python) => python,
        Err(message) => panic!("cannot prepare the Python SDKs (this test needs PyPI): {message}"),
    }
}

/// Runs `tests/sdk/<script> <args>` against a fresh emulator and returns its stdout.
fn run_script(script: &str, args: &[&str]) -> String {
    let emulator = EmulatorProcess::spawn(&[]);
    run_script_with(script, args, &emulator.start, &[])
}

/// Runs `tests/sdk/<script> <args>` against the emulator whose start line is `start`, with `env` set, and returns
/// its stdout.
fn run_script_with(
    script: &str,
    args: &[&str],
    start: &StartupLine,
    env: &[(&str, String)],
) -> String {
    let python = python();
    let logs = tempfile::tempdir().expect("tempdir");
    let stdout_path = logs.path().join("stdout");
    let stderr_path = logs.path().join("stderr");
    let sdk_dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("sdk");
    let mut child = Command::new(python)
        .arg(sdk_dir.join(script))
        .args(args)
        .current_dir(&sdk_dir)
        .env(
            "EMULATOR_STARTUP",
            serde_json::to_string(start).expect("start line JSON"),
        )
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdout(std::fs::File::create(&stdout_path).expect("stdout file"))
        .stderr(std::fs::File::create(&stderr_path).expect("stderr file"))
        .spawn()
        .expect("start python");
    let status = wait_within(&mut child, SCRIPT_TIMEOUT).unwrap_or_else(|| {
        let _ = child.kill();
        let _ = child.wait();
        panic!("{script} did not finish within {SCRIPT_TIMEOUT:?}");
    });
    let stdout = std::fs::read_to_string(&stdout_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    assert!(
        status.success(),
        "{script} failed ({status}):\n{stdout}\n{stderr}"
    );
    stdout
}

#[test]
fn classic_sdks_run_a_role_lifecycle() {
    let stdout = run_script("classic_sdk.py", &[]);
    assert!(stdout.contains("OK classic"), "{stdout}");
}

#[test]
fn tea_sdks_run_a_role_lifecycle() {
    let stdout = run_script("tea_sdk.py", &[]);
    assert!(stdout.contains("OK tea default"), "{stdout}");
}

#[test]
fn tea_sdks_signing_v2_run_a_role_lifecycle() {
    let stdout = run_script("tea_sdk.py", &["v2"]);
    assert!(stdout.contains("OK tea v2"), "{stdout}");
}

#[test]
fn tea_sdks_federate_with_the_test_oidc_issuer() {
    let emulator = Emulator::start(&[]);
    let token = |sub: &str| {
        emulator
            .oidc_token(&json!({"sub": sub, "aud": "sts.aliyuncs.com", "lifetime_seconds": 900}))
    };
    let start = StartupLine {
        endpoint: emulator.endpoint.clone(),
        accounts: emulator.accounts.clone(),
    };
    let stdout = run_script_with(
        "oidc_sdk.py",
        &[],
        &start,
        &[
            ("OIDC_ISSUER", emulator.oidc_issuer()),
            ("OIDC_TOKEN", token("repo:org/app:ref:refs/heads/main")),
            (
                "OIDC_TOKEN_OTHER_SUBJECT",
                token("repo:org/app:ref:refs/heads/dev"),
            ),
        ],
    );
    assert!(stdout.contains("OK oidc"), "{stdout}");
}
