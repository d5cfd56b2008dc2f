//! `--state FILE`: the store loaded on start and saved atomically after every write and on shutdown.
//!
//! Opening checks everything a later save needs, so a bad `--state` stops the start instead of failing the first
//! write: the directory must exist and take a new file, and an existing file must hold a store the API could have
//! written (checked with the API's own rules). Temporary files left by emulators that died while saving are
//! removed.
//!
//! A save writes a temporary file `.FILE.<pid>.tmp` in the same directory, holding an exclusive lock on it while
//! it is written, syncs it, renames it over the target and syncs the directory, so a SIGKILL at any moment leaves
//! either the previous or the new complete file. A temporary file nobody holds a lock on was left by a process
//! that died mid-save.

use super::custom_policies::{check_policy_exists, check_stored_policy};
use super::oidc_providers::check_stored_provider;
use super::ram::check_stored_role;
use super::store::Store;
use super::users::check_stored_user;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The file format version written into every state file.
const FORMAT_VERSION: u32 = 1;

/// What a state file holds.
#[derive(Debug, Deserialize)]
struct StateDocument {
    format_version: u32,
    store: Store,
}

#[derive(Serialize)]
struct StateDocumentRef<'a> {
    format_version: u32,
    store: &'a Store,
}

/// Why a state file cannot be used, read or written.
#[derive(Debug, thiserror::Error)]
pub enum StateFileError {
    /// The file cannot be kept where it was asked for: its directory is missing or cannot take new files.
    #[error("--state {path}: {reason}")]
    Unusable {
        /// The file.
        path: String,
        /// What is wrong with its directory.
        reason: String,
    },
    /// Reading or writing failed.
    #[error("state file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The store could not be serialised.
    #[error("serialising the state: {0}")]
    Serialize(#[from] serde_json::Error),
    /// The save task did not complete.
    #[error("saving state file {path}: the save task failed: {reason}")]
    Task {
        /// The file.
        path: String,
        /// Why the task failed.
        reason: String,
    },
    /// The file exists but is not a state file this version can read.
    #[error("state file {path} is not readable: {reason}")]
    Format {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The file holds something the API would never have stored; it is left untouched.
    #[error(
        "state file {path} is refused (it is left as it is): account {account}, {role:?}: {rule}"
    )]
    Invalid {
        /// The file.
        path: String,
        /// The account UID.
        account: String,
        /// The role, as the file names it, or `user/<name>`, `policy/<name>` (empty when the account itself is
        /// wrong).
        role: String,
        /// The rule broken, with the API's error code.
        rule: String,
    },
}

/// The state file of a running emulator.
#[derive(Debug)]
pub struct StateFile {
    path: PathBuf,
    dir: PathBuf,
    temp: PathBuf,
}

impl StateFile {
    /// Opens the state file at `path`: checks that its directory can take a new file, removes temporary files of
    /// dead emulators, and loads and checks the store (an absent file is an empty store). Nothing is written to
    /// `path` itself.
    pub fn open(path: PathBuf) -> Result<(Self, Store), StateFileError> {
        let shown = path.display().to_string();
        let unusable = |reason: String| StateFileError::Unusable {
            path: shown.clone(),
            reason,
        };
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| unusable("the path names no file".into()))?;
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        match std::fs::metadata(&dir) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => return Err(unusable(format!("{} is not a directory", dir.display()))),
            Err(e) => {
                return Err(unusable(format!(
                    "the directory {} cannot be used: {e}",
                    dir.display()
                )));
            }
        }
        let file = Self {
            temp: dir.join(temp_name(&file_name, std::process::id())),
            path,
            dir,
        };
        file.remove_stale_temps(&file_name);
        // Saves create a temporary file beside the target: prove now that they can.
        File::create(&file.temp)
            .and_then(|_| std::fs::remove_file(&file.temp))
            .map_err(|e| {
                unusable(format!(
                    "cannot create files in the directory {}: {e}",
                    file.dir.display()
                ))
            })?;
        let store = file.load()?;
        Ok((file, store))
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes `.FILE.<pid>.tmp` files no process holds a lock on. Best effort: a file that cannot be removed
    /// stays, and does no harm.
    fn remove_stale_temps(&self, file_name: &str) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let prefix = format!(".{file_name}.");
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_temp = name
                .strip_prefix(&prefix)
                .and_then(|rest| rest.strip_suffix(".tmp"))
                .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()));
            if !is_temp {
                continue;
            }
            let Ok(temp) = OpenOptions::new().write(true).open(entry.path()) else {
                continue;
            };
            match temp.try_lock() {
                Ok(()) => {
                    let _ = std::fs::remove_file(entry.path());
                }
                // A live emulator is saving through it.
                Err(TryLockError::WouldBlock | TryLockError::Error(_)) => {}
            }
        }
    }

    /// Reads and checks the store; an absent file is an empty store.
    fn load(&self) -> Result<Store, StateFileError> {
        let shown = self.path.display().to_string();
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Store::default()),
            Err(source) => {
                return Err(StateFileError::Io {
                    path: shown,
                    source,
                });
            }
        };
        let document: StateDocument =
            serde_json::from_slice(&bytes).map_err(|e| StateFileError::Format {
                path: shown.clone(),
                reason: e.to_string(),
            })?;
        if document.format_version != FORMAT_VERSION {
            return Err(StateFileError::Format {
                path: shown,
                reason: format!("unknown format_version {}", document.format_version),
            });
        }
        check_store(&document.store).map_err(|(account, role, rule)| StateFileError::Invalid {
            path: shown,
            account,
            role,
            rule,
        })?;
        Ok(document.store)
    }

    /// Writes `store` atomically. Blocking: call it from a blocking context, one save at a time.
    pub fn save(&self, store: &Store) -> Result<(), StateFileError> {
        let bytes = document(store)?;
        self.write_atomically(&bytes).map_err(|e| self.io_error(e))
    }

    /// Begins a save of `store` as [`StateFile::save`] does and stops halfway: half the document written to the
    /// temporary file and synced. Returns that file, open and locked, as a save in progress holds it; dropping it
    /// leaves it behind, as a process killed in the middle of a save would. For the emulator's stalled-save fault.
    pub fn begin_save_and_stop_halfway(&self, store: &Store) -> Result<File, StateFileError> {
        let bytes = document(store)?;
        self.write_temp(&bytes[..bytes.len() / 2])
            .map_err(|e| self.io_error(e))
    }

    fn io_error(&self, source: std::io::Error) -> StateFileError {
        StateFileError::Io {
            path: self.path.display().to_string(),
            source,
        }
    }

    /// Creates the temporary file, locks it, writes `bytes` and syncs them; returns it still open and locked.
    fn write_temp(&self, bytes: &[u8]) -> std::io::Result<File> {
        let mut file = File::create(&self.temp)?;
        // Marks the file as in use until it is closed (see `remove_stale_temps`).
        file.lock()?;
        file.write_all(bytes)?;
        file.sync_all()?;
        Ok(file)
    }

    fn write_atomically(&self, bytes: &[u8]) -> std::io::Result<()> {
        let written = self.write_temp(bytes).and_then(|_locked| {
            // Renamed while still locked, so no starting emulator takes it for a dead one's.
            std::fs::rename(&self.temp, &self.path)
        });
        if written.is_err() {
            let _ = std::fs::remove_file(&self.temp);
        }
        written?;
        // Make the rename itself durable.
        File::open(&self.dir)?.sync_all()
    }
}

/// The file's content for `store`.
fn document(store: &Store) -> Result<Vec<u8>, StateFileError> {
    Ok(serde_json::to_vec_pretty(&StateDocumentRef {
        format_version: FORMAT_VERSION,
        store,
    })?)
}

fn temp_name(file_name: &str, pid: u32) -> String {
    format!(".{file_name}.{pid}.tmp")
}

/// Checks every account, role, user and custom policy with the API's rules: `(account, entity, rule)` of the
/// first one broken (a user or policy is named `user/<name>`, `policy/<name>`).
fn check_store(store: &Store) -> Result<(), (String, String, String)> {
    let mut seqs = std::collections::BTreeSet::new();
    let mut key_ids = std::collections::BTreeSet::new();
    for (account, roles) in &store.accounts {
        if account.is_empty() || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err((
                account.clone(),
                String::new(),
                "an account UID is digits only".into(),
            ));
        }
        for (key, role) in &roles.roles {
            let broken = |rule: String| (account.clone(), key.clone(), rule);
            check_stored_role(account, key, role)
                .map_err(|e| broken(format!("{}: {}", e.code, e.message)))?;
            if role.seq >= store.next_role_seq || !seqs.insert(role.seq) {
                return Err(broken(format!(
                    "seq {} must be unique and below next_role_seq {}",
                    role.seq, store.next_role_seq
                )));
            }
            for attachment in role
                .attachments
                .iter()
                .filter(|a| a.policy_type == "Custom")
            {
                check_policy_exists(Some(roles), "Custom", &attachment.policy_name)
                    .map_err(|e| broken(format!("{}: {}", e.code, e.message)))?;
            }
        }
        for (key, policy) in &roles.policies {
            check_stored_policy(key, policy).map_err(|e| {
                (
                    account.clone(),
                    format!("policy/{key}"),
                    format!("{}: {}", e.code, e.message),
                )
            })?;
        }
        for (key, provider) in &roles.oidc_providers {
            check_stored_provider(key, provider).map_err(|e| {
                (
                    account.clone(),
                    format!("oidc-provider/{key}"),
                    format!("{}: {}", e.code, e.message),
                )
            })?;
        }
        for (key, user) in &roles.users {
            check_stored_user(roles, key, user).map_err(|e| {
                (
                    account.clone(),
                    format!("user/{key}"),
                    format!("{}: {}", e.code, e.message),
                )
            })?;
            for access_key in &user.access_keys {
                if !key_ids.insert(access_key.access_key_id.as_str()) {
                    return Err((
                        account.clone(),
                        format!("user/{key}"),
                        format!("access key {} appears twice", access_key.access_key_id),
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_then_open_round_trips_without_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let (file, store) = StateFile::open(dir.path().join("state.json")).unwrap();
        assert_eq!(store, Store::default());
        let saved = Store {
            next_role_seq: 7,
            ..Store::default()
        };
        file.save(&saved).unwrap();
        let (_, loaded) = StateFile::open(dir.path().join("state.json")).unwrap();
        assert_eq!(loaded, saved);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, ["state.json"]);
    }

    #[test]
    fn garbage_is_a_format_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        std::fs::write(&path, b"{not json").unwrap();
        assert!(matches!(
            StateFile::open(path),
            Err(StateFileError::Format { .. })
        ));
    }

    #[test]
    fn a_locked_temp_file_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join(temp_name("state.json", 1));
        let held = File::create(&live).unwrap();
        held.lock().unwrap();
        let dead = dir.path().join(temp_name("state.json", 2));
        File::create(&dead).unwrap();
        StateFile::open(dir.path().join("state.json")).unwrap();
        assert!(live.exists());
        assert!(!dead.exists());
    }
}
