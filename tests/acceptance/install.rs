//! Installed like a registry provider: `scripts/install` puts the binary into Terraform's implied local mirror
//! and `scripts/package` writes release zips in the registry's layout; with either, `terraform init` installs the
//! provider from `source = "aliram/aliram"` with no dev_overrides and no network, and a plan runs.

use crate::support::emulator::Emulator;
use crate::support::{Run, Terraform, Workdir, terraforms};
use std::path::{Path, PathBuf};
use std::process::Command;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The provider binary this test run built.
fn built_binary() -> &'static str {
    env!("CARGO_BIN_EXE_terraform-provider-aliram")
}

/// Runs `scripts/<script> <args>` with `HOME` set to `home`; returns its standard output, trimmed.
fn script(script: &str, args: &[&str], home: &Path) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(script);
    let out = Command::new(&path)
        .args(args)
        .env("HOME", home)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", path.display()));
    assert!(
        out.status.success(),
        "scripts/{script} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// SHA-256 of `bytes`, in hex, by the standard tool.
fn sha256_hex(bytes: &[u8]) -> String {
    let mut child = Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("running sha256sum");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), bytes).expect("writing");
    let out = child.wait_with_output().expect("sha256sum output");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .expect("a digest")
        .to_owned()
}

/// The `h1:` hash Terraform records in the lock file for an installed provider directory holding only the
/// built binary: the "dirhash" of Go modules, base64 of SHA-256 over `<sha256 hex>  <file name>` lines.
fn built_binary_hash() -> String {
    let binary = std::fs::read(built_binary()).expect("the built binary");
    let summary = format!(
        "{}  terraform-provider-aliram_v{VERSION}\n",
        sha256_hex(&binary)
    );
    let hex = sha256_hex(summary.as_bytes());
    let digest: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect();
    use base64::Engine as _;
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// Terraform's name for this machine's platform, as the scripts compute it.
fn host_platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

/// A configuration requiring the provider by its registry source and reading the caller identity.
fn config(emulator: &Emulator) -> String {
    format!(
        "terraform {{\n  required_providers {{\n    aliram = {{\n      source  = \"aliram/aliram\"\n      version = \"{VERSION}\"\n    }}\n  }}\n}}\n{}\ndata \"aliram_caller_identity\" \"me\" {{}}\n\noutput \"account\" {{\n  value = data.aliram_caller_identity.me.account_id\n}}\n",
        emulator.provider_block(None, "source")
    )
}

/// A loopback address the test run holds bound without listening, for its whole life: every connection to it is
/// refused, and no other process can start listening there (a port merely assumed closed could be anyone's).
fn refusing_port() -> std::net::SocketAddr {
    static HELD: std::sync::OnceLock<(tokio::net::TcpSocket, std::net::SocketAddr)> =
        std::sync::OnceLock::new();
    HELD.get_or_init(|| {
        let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
        socket
            .bind("127.0.0.1:0".parse().expect("address"))
            .expect("binding a loopback port");
        let address = socket.local_addr().expect("local address");
        (socket, address)
    })
    .1
}

/// A working directory whose CLI configuration is `cli_config` (no dev_overrides), with `HOME` = `home` and
/// every proxy pointing at a closed port, so that any attempt to reach a registry fails the test.
fn offline_workdir(tf: &Terraform, emulator: &Emulator, home: &Path, cli_config: &str) -> Workdir {
    let mut work = Workdir::new(tf, &config(emulator));
    std::fs::write(work.path().join("cli.tfrc"), cli_config)
        .expect("writing the CLI configuration");
    work.set_env("HOME", &home.display().to_string());
    let refusing = format!("http://{}", refusing_port());
    for proxy in ["HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"] {
        work.set_env(proxy, &refusing);
    }
    // The provider itself talks to the emulator on the loopback address, never through the proxy.
    work.set_env("NO_PROXY", "127.0.0.1,localhost");
    work
}

/// `terraform init` then `plan`: both succeed, the plan without any development-override warning and with
/// the emulator's account; returns the lock file.
fn init_and_plan(work: &Workdir, emulator: &Emulator) -> String {
    let init = work.run(&["init", "-input=false", "-no-color"]);
    assert_eq!(
        init.code, 0,
        "terraform init failed:\n{}\n{}",
        init.stdout, init.stderr
    );
    assert!(
        init.stdout
            .contains(&format!("Installed aliram/aliram v{VERSION}")),
        "init did not install the provider:\n{}",
        init.stdout
    );
    let plan: Run = work.run(&["plan", "-input=false", "-no-color"]).success();
    assert!(
        !format!("{}{}", plan.stdout, plan.stderr).contains("overrides"),
        "a development override is in effect:\n{}",
        plan.stderr
    );
    let account = &emulator.account("source").account_id;
    assert!(
        plan.stdout.contains(account.as_str()),
        "the plan does not show the caller's account {account}:\n{}",
        plan.stdout
    );
    std::fs::read_to_string(work.path().join(".terraform.lock.hcl")).expect("the lock file")
}

#[test]
fn scripts_install_puts_the_provider_where_terraform_init_finds_it() {
    let emulator = Emulator::start(&[]);
    for tf in terraforms() {
        let home = tempfile::tempdir().expect("temporary HOME");
        let installed = PathBuf::from(script(
            "install",
            &["--binary", built_binary()],
            home.path(),
        ));
        assert_eq!(
            installed,
            home.path()
                .join(".terraform.d/plugins/registry.terraform.io/aliram/aliram")
                .join(VERSION)
                .join(host_platform())
                .join(format!("terraform-provider-aliram_v{VERSION}")),
            "scripts/install wrote somewhere else"
        );
        // An empty CLI configuration: Terraform's implied local mirror is the only place aliram can come from.
        let work = offline_workdir(tf, &emulator, home.path(), "");
        let lock = init_and_plan(&work, &emulator);
        assert!(
            lock.contains(&built_binary_hash()),
            "Terraform {}: the lock file does not record the built binary ({}):\n{lock}",
            tf.version,
            built_binary_hash()
        );
    }
}

#[test]
fn scripts_package_writes_zips_terraform_installs_with_the_published_checksums() {
    let emulator = Emulator::start(&[]);
    let home = tempfile::tempdir().expect("temporary HOME");
    let out = home.path().join("dist");
    script(
        "package",
        &[&out.display().to_string(), "--binary", built_binary()],
        home.path(),
    );
    let zip_name = format!(
        "terraform-provider-aliram_{VERSION}_{}.zip",
        host_platform()
    );
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("terraform-registry-manifest.json")).expect("manifest"),
    )
    .expect("manifest JSON");
    assert_eq!(
        manifest,
        serde_json::json!({"version": 1, "metadata": {"protocol_versions": ["5.0"]}})
    );

    // The zip holds exactly the executable, named as the registry expects, byte for byte the built binary.
    let mut archive = zip::ZipArchive::new(std::fs::File::open(out.join(&zip_name)).expect("zip"))
        .expect("a zip archive");
    assert_eq!(archive.len(), 1, "the zip holds more than the executable");
    let mut inner = archive.by_index(0).expect("the executable");
    assert_eq!(
        inner.name().expect("a UTF-8 name"),
        format!("terraform-provider-aliram_v{VERSION}")
    );
    assert_eq!(
        inner.unix_mode().map(|m| m & 0o111),
        Some(0o111),
        "not executable"
    );
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut inner, &mut bytes).expect("unzipping");
    assert!(
        bytes == std::fs::read(built_binary()).expect("the binary"),
        "the zip holds another binary"
    );

    // SHA256SUMS checks out with the standard tool and names every zip and the versioned manifest.
    let sums_name = format!("terraform-provider-aliram_{VERSION}_SHA256SUMS");
    let check = Command::new("sha256sum")
        .args(["--check", "--strict", &sums_name])
        .current_dir(&out)
        .output()
        .expect("running sha256sum");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let sums = std::fs::read_to_string(out.join(&sums_name)).expect("SHA256SUMS");
    assert!(
        sums.lines().any(|l| l.ends_with(&format!("  {zip_name}"))),
        "{zip_name} is not in {sums_name}:\n{sums}"
    );
    assert!(sums.contains(&format!(
        "terraform-provider-aliram_{VERSION}_manifest.json"
    )));

    // Terraform installs the zip from a packed filesystem mirror: what it unpacked is the built binary.
    let mirror = home.path().join("mirror");
    let packed = mirror.join("registry.terraform.io/aliram/aliram");
    std::fs::create_dir_all(&packed).expect("mirror directory");
    std::fs::copy(out.join(&zip_name), packed.join(&zip_name)).expect("copying the zip");
    let cli_config = format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"registry.terraform.io/aliram/aliram\"]\n  }}\n}}\n",
        mirror.display()
    );
    for tf in terraforms() {
        let work = offline_workdir(tf, &emulator, home.path(), &cli_config);
        let lock = init_and_plan(&work, &emulator);
        assert!(
            lock.contains(&built_binary_hash()),
            "Terraform {}: the lock file does not record the built binary ({}):\n{lock}",
            tf.version,
            built_binary_hash()
        );
    }
}
