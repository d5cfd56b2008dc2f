//! The provider process as go-plugin sees it: the handshake line, AutoMTLS admitting only Terraform's
//! certificate, SIGINT ignored, and exit on Shutdown. The binary is started directly, as Terraform starts it.

use crate::support::child::{HANG_GUARD, signal, wait_or_kill};
use base64::Engine as _;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use terraform_provider_aliram::server::handshake::{MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE};
use terraform_provider_aliram::server::proto::plugin::{
    Empty, grpc_controller_client::GrpcControllerClient,
};
use terraform_provider_aliram::server::tls::crypto_provider;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A client certificate made the way Terraform makes it: self-signed ECDSA P-521, a CA, for `localhost`.
fn terraform_style_client_cert() -> (String, CertificateDer<'static>, PrivateKeyDer<'static>) {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("P-521 key");
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
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
    let cert = params.self_signed(&key).expect("self-signed");
    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    (cert.pem(), cert.der().clone(), key_der)
}

struct Plugin {
    child: Child,
    address: String,
    server_cert: Option<Vec<u8>>,
}

impl Drop for Plugin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(extra_env: &[(&str, &str)]) -> Plugin {
    let mut child = Command::new(env!("CARGO_BIN_EXE_terraform-provider-aliram"))
        .env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_MIN_PORT", "10000")
        .env("PLUGIN_MAX_PORT", "25000")
        .env_remove("TF_DISABLE_PLUGIN_TLS")
        .envs(extra_env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting the provider");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("handshake line");
    let parts: Vec<&str> = line.trim_end().split('|').collect();
    assert_eq!(parts.len(), 6, "handshake line {line:?}");
    assert_eq!(&parts[..3], &["1", "5", "tcp"], "handshake line {line:?}");
    assert!(
        parts[3].starts_with("127.0.0.1:"),
        "listens on loopback only: {line:?}"
    );
    assert_eq!(parts[4], "grpc");
    let server_cert = (!parts[5].is_empty()).then(|| {
        assert!(
            !parts[5].ends_with('='),
            "certificate must be unpadded base64"
        );
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(parts[5])
            .expect("base64 certificate")
    });
    Plugin {
        child,
        address: parts[3].to_owned(),
        server_cert,
    }
}

/// Trusts exactly the certificate from the handshake line, as go-plugin's client does.
#[derive(Debug)]
struct PinnedServer(Vec<u8>);

impl ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.0.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "unexpected server certificate".into(),
            ))
        }
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            m,
            c,
            d,
            &crypto_provider().signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            m,
            c,
            d,
            &crypto_provider().signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        crypto_provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// What became of one connection attempt.
#[derive(Debug, PartialEq)]
enum Reached {
    /// The server answered HTTP/2 with its SETTINGS frame: it admitted the client.
    Grpc,
    /// The TLS layer refused the client: a TLS alert or handshake error, with its text.
    Refused(String),
}

/// Connects over TLS (optionally presenting `identity`), opens HTTP/2 and reports whether the server answered
/// with its SETTINGS frame (only a client the server admitted gets that far) or refused the client in TLS. Any
/// other ending (a timeout, a connection closed without a TLS alert, a crashed plugin) fails the test: none of
/// them is a refusal.
async fn reaches_grpc(
    plugin: &mut Plugin,
    identity: Option<(CertificateDer<'static>, PrivateKeyDer<'static>)>,
) -> Reached {
    let server_cert = plugin.server_cert.clone().expect("TLS handshake line");
    let builder = rustls::ClientConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedServer(server_cert)));
    let mut config = match identity {
        Some((cert, key)) => builder
            .with_client_auth_cert(vec![cert], key)
            .expect("client identity"),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    let tcp = tokio::net::TcpStream::connect(&plugin.address)
        .await
        .expect("connect");
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let attempt = async {
        let mut tls = connector
            .connect(ServerName::try_from("localhost").expect("name"), tcp)
            .await?;
        tls.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
            .await?;
        // TLS 1.3: the server judges the client's certificate after the client's handshake is done, so its
        // refusal arrives as an alert on this first read.
        let mut header = [0u8; 9];
        tls.read_exact(&mut header).await?;
        Ok::<_, std::io::Error>(header)
    };
    let outcome = tokio::time::timeout(HANG_GUARD, attempt)
        .await
        .expect("the server answers or refuses; it does not hang");
    assert!(
        plugin.child.try_wait().expect("wait").is_none(),
        "the plugin is still running after the attempt ({outcome:?}): a crash is not a refusal"
    );
    match outcome {
        Ok(header) => {
            assert_eq!(header[3], 0x04, "HTTP/2 opens with SETTINGS: {header:?}");
            Reached::Grpc
        }
        Err(e) => {
            let text = e.to_string();
            assert!(
                text.contains("alert") || text.contains("Alert"),
                "a refusal is a TLS alert, not {text:?}"
            );
            Reached::Refused(text)
        }
    }
}

#[tokio::test]
async fn only_the_certificate_terraform_announced_gets_through() {
    let (pem, cert, key) = terraform_style_client_cert();
    let mut plugin = start(&[("PLUGIN_CLIENT_CERT", pem.as_str())]);
    assert!(
        plugin.server_cert.is_some(),
        "AutoMTLS announces a server certificate"
    );

    let refused = reaches_grpc(&mut plugin, None).await;
    assert!(
        matches!(refused, Reached::Refused(_)),
        "a client presenting no certificate must be refused: {refused:?}"
    );
    let (_, other_cert, other_key) = terraform_style_client_cert();
    let refused = reaches_grpc(&mut plugin, Some((other_cert, other_key))).await;
    assert!(
        matches!(refused, Reached::Refused(_)),
        "another certificate must be refused: {refused:?}"
    );
    assert_eq!(
        reaches_grpc(&mut plugin, Some((cert, key))).await,
        Reached::Grpc,
        "Terraform's own certificate must be admitted"
    );
}

#[tokio::test]
async fn ignores_sigint_and_exits_on_shutdown() {
    let mut plugin = start(&[("TF_DISABLE_PLUGIN_TLS", "1")]);
    assert!(
        plugin.server_cert.is_none(),
        "plaintext when Terraform disables plugin TLS"
    );

    signal(plugin.child.id(), "INT", false);
    let channel = tonic::transport::Channel::from_shared(format!("http://{}", plugin.address))
        .expect("endpoint")
        .connect()
        .await
        .expect("the provider still serves after SIGINT");
    let mut controller = GrpcControllerClient::new(channel);
    controller.shutdown(Empty {}).await.expect("Shutdown RPC");

    // go-plugin kills a provider still running two seconds after Shutdown; how fast it exits is benchmarked
    // (plugin_startup), not asserted here: that it exits, cleanly, on Shutdown alone is.
    let status = wait_or_kill(&mut plugin.child, "the provider after Shutdown");
    assert!(status.success(), "exit status {status:?}");
}

#[test]
fn started_by_hand_it_explains_itself_and_fails() {
    let out = Command::new(env!("CARGO_BIN_EXE_terraform-provider-aliram"))
        .env_remove(MAGIC_COOKIE_KEY)
        .output()
        .expect("running the provider");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "nothing on stdout");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Terraform provider") && stderr.contains("dev_overrides"),
        "{stderr}"
    );
}

#[tokio::test]
async fn get_metadata_and_the_schema_list_the_action() {
    use terraform_provider_aliram::server::proto::tfplugin5::provider_client::ProviderClient;
    use terraform_provider_aliram::server::proto::tfplugin5::{get_metadata, get_provider_schema};

    let plugin = start(&[("TF_DISABLE_PLUGIN_TLS", "1")]);
    let channel = tonic::transport::Channel::from_shared(format!("http://{}", plugin.address))
        .expect("endpoint")
        .connect()
        .await
        .expect("connecting to the provider");
    let mut provider = ProviderClient::new(channel);
    let metadata = provider
        .get_metadata(get_metadata::Request {})
        .await
        .expect("GetMetadata")
        .into_inner();
    let actions: Vec<&str> = metadata
        .actions
        .iter()
        .map(|a| a.type_name.as_str())
        .collect();
    assert_eq!(actions, ["aliram_verify_assume_role"]);
    assert!(
        metadata
            .resources
            .iter()
            .any(|r| r.type_name == "aliram_dts_default_role"),
        "{:?}",
        metadata.resources
    );
    let schema = provider
        .get_schema(get_provider_schema::Request {})
        .await
        .expect("GetProviderSchema")
        .into_inner();
    let action = &schema.action_schemas["aliram_verify_assume_role"];
    // Terraform reads the action's block without a nil check: both must be present.
    let block = action
        .schema
        .as_ref()
        .and_then(|s| s.block.as_ref())
        .expect("schema.block");
    assert!(block.attributes.iter().all(|a| !a.description.is_empty()));
}
