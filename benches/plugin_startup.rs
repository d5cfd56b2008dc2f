//! The provider process as Terraform experiences it: (a) from spawning the binary with the go-plugin handshake
//! environment to its handshake line on stdout (with AutoMTLS, as Terraform runs it, and plaintext), and (b) from the
//! `GRPCController.Shutdown` RPC to the process having exited (go-plugin kills a provider still running 2 s
//! later; issue 2 asks for under 100 ms). Measurements only: nothing here asserts a time.

use criterion::{Criterion, criterion_group, criterion_main};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use terraform_provider_aliram::server::handshake::{MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE};
use terraform_provider_aliram::server::proto::plugin::{
    Empty, grpc_controller_client::GrpcControllerClient,
};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Child;

const BINARY: &str = "terraform-provider-aliram";

/// The provider binary of this build's profile, built first if it is missing.
fn provider_binary() -> PathBuf {
    // Cargo names the binary for benchmarks too (since 1.43); locating it is the fallback for older tools.
    if let Some(path) = option_env!("CARGO_BIN_EXE_terraform-provider-aliram") {
        return PathBuf::from(path);
    }
    // A benchmark runs as target/<profile>/deps/<bench>-<hash>: the binary sits in target/<profile>/.
    let profile_dir = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.to_owned()))
        .unwrap_or_else(|| target_dir().join("release"));
    let binary = profile_dir.join(BINARY);
    if !binary.is_file() {
        build_binary(&profile_dir);
    }
    assert!(
        binary.is_file(),
        "the provider binary is not at {} even after `cargo build --bin {BINARY}`; build it, then rerun the \
         benchmark",
        binary.display()
    );
    binary
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

fn build_binary(profile_dir: &Path) {
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo
        .args(["build", "--bin", BINARY])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    if profile_dir
        .file_name()
        .is_some_and(|name| name == "release")
    {
        cargo.arg("--release");
    }
    let status = cargo.status().unwrap_or_else(|e| {
        panic!("the provider binary is missing and `cargo build --bin {BINARY}` could not run: {e}")
    });
    assert!(
        status.success(),
        "the provider binary is missing and `cargo build --bin {BINARY}` failed ({status})"
    );
}

/// A client certificate (PEM) made the way Terraform makes it: self-signed ECDSA P-521, a CA, for `localhost`.
fn terraform_style_client_cert() -> String {
    let made = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).and_then(|key| {
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()])?;
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::DigitalSignature,
            rcgen::KeyUsagePurpose::KeyEncipherment,
            rcgen::KeyUsagePurpose::KeyAgreement,
            rcgen::KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![
            rcgen::ExtendedKeyUsagePurpose::ClientAuth,
            rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        ];
        params.self_signed(&key)
    });
    match made {
        Ok(cert) => cert.pem(),
        Err(e) => panic!("making a P-521 client certificate: {e}"),
    }
}

/// How the provider is started: with AutoMTLS (Terraform's default) or plaintext.
enum Transport {
    /// `PLUGIN_CLIENT_CERT` set to this PEM.
    MutualTls(String),
    /// `TF_DISABLE_PLUGIN_TLS=1`.
    Plaintext,
}

/// A started provider and the address from its handshake line.
struct Started {
    child: Child,
    address: String,
}

/// Spawns the provider as Terraform does and reads its handshake line.
async fn start(binary: &Path, transport: &Transport) -> Started {
    let mut command = tokio::process::Command::new(binary);
    command
        .env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5")
        .env("PLUGIN_MIN_PORT", "10000")
        .env("PLUGIN_MAX_PORT", "25000")
        .env_remove("TF_LOG")
        .env_remove("TF_LOG_PROVIDER")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    match transport {
        Transport::MutualTls(pem) => command
            .env("PLUGIN_CLIENT_CERT", pem)
            .env_remove("TF_DISABLE_PLUGIN_TLS"),
        Transport::Plaintext => command
            .env("TF_DISABLE_PLUGIN_TLS", "1")
            .env_remove("PLUGIN_CLIENT_CERT"),
    };
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", binary.display()));
    let Some(stdout) = child.stdout.take() else {
        panic!("the provider's stdout was not captured");
    };
    let mut line = String::new();
    match BufReader::new(stdout).read_line(&mut line).await {
        Ok(n) if n > 0 => {}
        other => panic!("no handshake line from the provider: {other:?}"),
    }
    // core version | protocol version | network | address | protocol | server certificate
    let Some(address) = line.trim_end().split('|').nth(3) else {
        panic!("malformed handshake line {line:?}");
    };
    Started {
        address: address.to_owned(),
        child,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("starting a tokio runtime: {e}"),
    }
}

/// (a) Spawn to handshake line: with AutoMTLS as Terraform runs it (the server makes its certificate at startup),
/// and plaintext to show what that costs.
fn bench_spawn_to_handshake(c: &mut Criterion) {
    let binary = provider_binary();
    let rt = runtime();
    let mut group = c.benchmark_group("plugin process");
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(10));
    let transports = [
        (
            "AutoMTLS",
            Transport::MutualTls(terraform_style_client_cert()),
        ),
        ("plaintext", Transport::Plaintext),
    ];
    for (label, transport) in &transports {
        group.bench_function(format!("spawn to handshake line ({label})"), |b| {
            b.iter_custom(|iterations| {
                rt.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iterations {
                        let began = Instant::now();
                        let mut started = start(&binary, transport).await;
                        total += began.elapsed();
                        // Not measured: the process is not needed any more.
                        let _ = started.child.kill().await;
                    }
                    total
                })
            })
        });
    }
    group.finish();
}

/// (b) Shutdown RPC to process exit, plaintext as `TF_DISABLE_PLUGIN_TLS=1` makes it.
fn bench_shutdown_to_exit(c: &mut Criterion) {
    let binary = provider_binary();
    let rt = runtime();
    let mut group = c.benchmark_group("plugin process");
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("Shutdown RPC to process exit", |b| {
        b.iter_custom(|iterations| {
            rt.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    let mut started = start(&binary, &Transport::Plaintext).await;
                    let channel = tonic::transport::Channel::from_shared(format!(
                        "http://{}",
                        started.address
                    ))
                    .unwrap_or_else(|e| panic!("endpoint {}: {e}", started.address))
                    .connect()
                    .await
                    .unwrap_or_else(|e| panic!("connecting to {}: {e}", started.address));
                    let mut controller = GrpcControllerClient::new(channel);

                    let began = Instant::now();
                    if let Err(e) = controller.shutdown(Empty {}).await {
                        panic!("Shutdown RPC failed: {e}");
                    }
                    let status = started.child.wait().await;
                    total += began.elapsed();
                    match status {
                        Ok(status) if status.success() => {}
                        other => {
                            panic!("the provider did not exit cleanly after Shutdown: {other:?}")
                        }
                    }
                }
                total
            })
        })
    });
    group.finish();
}

criterion_group!(benches, bench_spawn_to_handshake, bench_shutdown_to_exit);
criterion_main!(benches);
