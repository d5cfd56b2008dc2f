//! The `aliram-emulator` binary as a child process: started with extra flags, its start line read back with the
//! type that printed it, killed when dropped. Every test that needs the real process (restarts, signals, other
//! processes as clients) starts it here.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use terraform_provider_aliram::emulator::StartupLine;
use terraform_provider_aliram::emulator::accounts::Account;
use terraform_provider_aliram::provider::alicloud::credentials::{Credentials, StaticCredentials};
use terraform_provider_aliram::provider::alicloud::{
    AliCloudClient, ClientConfig, FixedEnvironment, Secret,
};
use tokio_util::sync::CancellationToken;

/// A running `aliram-emulator`; killed on drop.
#[derive(Debug)]
pub struct EmulatorProcess {
    /// The child process.
    pub child: Child,
    /// What it printed on start: endpoint and accounts.
    pub start: StartupLine,
}

impl EmulatorProcess {
    /// Starts the binary with `args` and waits for its start line.
    pub fn spawn(args: &[&str]) -> EmulatorProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_aliram-emulator"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting aliram-emulator");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut line)
            .expect("reading the emulator's start line");
        let start = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("start line {line:?} is not a start line: {e}"));
        EmulatorProcess { child, start }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> &str {
        &self.start.endpoint
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An API client of the emulator at `endpoint` (RAM and STS), signed with `account`'s root keys.
pub fn client(endpoint: &str, account: &Account) -> AliCloudClient {
    client_with_keys(endpoint, &account.access_key_id, &account.access_key_secret)
}

/// An API client of the emulator at `endpoint` (RAM and STS), signed with the keys `access_key_id` and
/// `access_key_secret` (a RAM user's).
pub fn client_with_keys(
    endpoint: &str,
    access_key_id: &str,
    access_key_secret: &str,
) -> AliCloudClient {
    let env = FixedEnvironment::from_pairs(Vec::<(String, String)>::new());
    let config = ClientConfig::from_settings(None, Some(endpoint), Some(endpoint), &env)
        .expect("client config");
    let credentials = Credentials {
        access_key_id: access_key_id.to_owned(),
        access_key_secret: Secret::new(access_key_secret.to_owned()),
        security_token: None,
        expiration: None,
    };
    AliCloudClient::from_config(
        &config,
        Arc::new(StaticCredentials::new(credentials, "test")),
        CancellationToken::new(),
    )
    .expect("client")
}
