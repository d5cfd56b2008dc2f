//! The aliyun CLI's `External` profile mode: `process_command` prints a profile in JSON (`{"mode": "AK" |
//! "StsToken", "access_key_id", "access_key_secret", "sts_token"}`) whose keys become the credentials. The command
//! is split into words here and run directly, never through a shell, with a time limit; what it prints holds the
//! secret, so neither its output nor its error output is ever logged or quoted.

use super::{CachedCredentials, Credentials, CredentialsError, CredentialsFetcher};
use crate::provider::alicloud::secret::Secret;
use async_trait::async_trait;
use serde::Deserialize;
use std::process::Stdio;
use std::time::Duration;

/// How long the command may run. Credential helpers answer in a second or two; one that prompts or hangs
/// must not hold Terraform forever.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs a credential command.
#[derive(Debug)]
pub struct ExternalProcess {
    program: String,
    args: Vec<String>,
    /// The profile it comes from, for messages.
    origin: String,
}

#[derive(Deserialize)]
struct Printed {
    mode: String,
    access_key_id: String,
    access_key_secret: Secret,
    #[serde(default)]
    sts_token: Option<Secret>,
}

/// Splits a command line into words as a POSIX shell would for plain words: blanks separate, `'…'` keeps
/// everything, `"…"` keeps everything but `\"` and `\\`, and `\` escapes the next character elsewhere. Nothing
/// else of a shell (variables, globs, pipes) applies.
pub fn split_command(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if let Some(done) = word.take() {
                    words.push(done);
                }
            }
            '\'' => {
                let current = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => current.push(c),
                        None => return Err("a single quote is not closed".to_owned()),
                    }
                }
            }
            '"' => {
                let current = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => current.push(c),
                            Some(c) => {
                                current.push('\\');
                                current.push(c);
                            }
                            None => return Err("a double quote is not closed".to_owned()),
                        },
                        Some(c) => current.push(c),
                        None => return Err("a double quote is not closed".to_owned()),
                    }
                }
            }
            '\\' => match chars.next() {
                Some(c) => word.get_or_insert_with(String::new).push(c),
                None => return Err("it ends with a lone backslash".to_owned()),
            },
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

impl ExternalProcess {
    /// A cached provider running `command` (the profile's `process_command`) once, at the first request.
    pub fn cached(
        command: &str,
        origin: &str,
    ) -> Result<CachedCredentials<Self>, CredentialsError> {
        let error = |reason: String| CredentialsError::External {
            origin: origin.to_owned(),
            reason,
        };
        let mut words = split_command(command)
            .map_err(|e| error(format!("process_command cannot be split into words: {e}")))?
            .into_iter();
        let program = words
            .next()
            .ok_or_else(|| error("process_command is empty".to_owned()))?;
        Ok(CachedCredentials::new(Self {
            program,
            args: words.collect(),
            origin: origin.to_owned(),
        }))
    }

    fn error(&self, reason: impl Into<String>) -> CredentialsError {
        CredentialsError::External {
            origin: self.origin.clone(),
            reason: reason.into(),
        }
    }
}

#[async_trait]
impl CredentialsFetcher for ExternalProcess {
    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let child = tokio::process::Command::new(&self.program)
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| self.error(format!("cannot run {:?}: {e}", self.program)))?;
        let output = tokio::time::timeout(COMMAND_TIMEOUT, child.wait_with_output())
            .await
            .map_err(|_| {
                self.error(format!(
                    "{:?} did not finish within {} seconds and was stopped",
                    self.program,
                    COMMAND_TIMEOUT.as_secs()
                ))
            })?
            .map_err(|e| self.error(format!("running {:?}: {e}", self.program)))?;
        if !output.status.success() {
            return Err(self.error(format!(
                "{:?} failed ({}); its output is not shown, as it may hold credentials",
                self.program, output.status
            )));
        }
        let printed: Printed = serde_json::from_slice(&output.stdout).map_err(|_| {
            self.error(format!(
                "{:?} did not print a JSON object with mode, access_key_id and access_key_secret \
                 (and sts_token for mode StsToken)",
                self.program
            ))
        })?;
        let security_token = match printed.mode.to_ascii_lowercase().as_str() {
            "ak" => None,
            "ststoken" => Some(
                printed
                    .sts_token
                    .filter(|t| !t.expose().is_empty())
                    .ok_or_else(|| self.error("it printed mode StsToken without sts_token"))?,
            ),
            _ => {
                return Err(self.error(format!(
                    "it printed mode {:?}; the modes a command may print are AK and StsToken",
                    printed.mode
                )));
            }
        };
        Ok(Credentials {
            access_key_id: printed.access_key_id,
            access_key_secret: printed.access_key_secret,
            security_token,
            expiration: None,
        })
    }

    fn source(&self) -> String {
        format!("command of {}", self.origin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_split_like_a_shell_without_running_one() {
        assert_eq!(
            split_command(r#"/opt/my helper --name 'a b' "c \"d\"" e\ f $HOME"#).unwrap(),
            [
                "/opt/my", "helper", "--name", "a b", "c \"d\"", "e f", "$HOME"
            ]
        );
        assert_eq!(split_command("  ").unwrap(), Vec::<String>::new());
        assert_eq!(split_command("''").unwrap(), [""]);
        assert!(split_command("'open").is_err());
        assert!(split_command("\"open").is_err());
    }
}
