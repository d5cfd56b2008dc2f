//! `--state FILE`: the store loaded on start and saved atomically after every write and on shutdown.
//!
//! A save writes a temporary file in the same directory, syncs it, renames it over the target and syncs the
//! directory, so a SIGKILL at any moment leaves either the previous or the new complete file. Saves are
//! numbered by store generation and an older snapshot never overwrites a newer one.

use super::store::Store;
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The file format version written into every state file.
const FORMAT_VERSION: u32 = 1;

/// What a state file holds.
#[derive(Debug, Serialize, Deserialize)]
struct StateDocument {
    format_version: u32,
    store: Store,
}

/// Why a state file cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StateFileError {
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
}

/// A snapshot of the store, serialised while the store was locked, with its generation.
#[derive(Debug)]
pub struct Snapshot {
    /// The store generation this snapshot shows.
    pub generation: u64,
    bytes: Vec<u8>,
}

impl Snapshot {
    /// Serialises `store` as generation `generation`.
    pub fn of(store: &Store, generation: u64) -> Result<Self, StateFileError> {
        let document = StateDocumentRef {
            format_version: FORMAT_VERSION,
            store,
        };
        let bytes = serde_json::to_vec_pretty(&document)?;
        Ok(Self { generation, bytes })
    }
}

#[derive(Serialize)]
struct StateDocumentRef<'a> {
    format_version: u32,
    store: &'a Store,
}

/// The state file and the generation last written to it.
#[derive(Debug)]
pub struct StateFile {
    path: PathBuf,
    last_saved: Mutex<Option<u64>>,
}

impl StateFile {
    /// A state file at `path` (not read yet).
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            last_saved: Mutex::new(None),
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the store; an absent file is an empty store.
    pub fn load(&self) -> Result<Store, StateFileError> {
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
        Ok(document.store)
    }

    /// Writes `snapshot` atomically unless a newer generation is already on disk. Blocking: call it from a
    /// blocking context.
    pub fn save(&self, snapshot: &Snapshot) -> Result<(), StateFileError> {
        // Held across the write so saves of concurrent requests land in generation order.
        let mut last_saved = self
            .last_saved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if last_saved.is_some_and(|g| g >= snapshot.generation) {
            return Ok(());
        }
        self.write_atomically(&snapshot.bytes)
            .map_err(|source| StateFileError::Io {
                path: self.path.display().to_string(),
                source,
            })?;
        *last_saved = Some(snapshot.generation);
        Ok(())
    }

    fn write_atomically(&self, bytes: &[u8]) -> std::io::Result<()> {
        let dir = match self.path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let file_name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "state".into());
        let temp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
        {
            let mut file = std::fs::File::create(&temp)?;
            file.write_all(bytes)?;
            file.sync_all()?;
        }
        std::fs::rename(&temp, &self.path)?;
        // Make the rename itself durable.
        std::fs::File::open(&dir)?.sync_all()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_then_load_round_trips_and_skips_older_generations() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("state.json"));
        assert_eq!(file.load().unwrap(), Store::default());

        let newer = Store {
            next_role_seq: 7,
            ..Store::default()
        };
        file.save(&Snapshot::of(&newer, 2).unwrap()).unwrap();
        file.save(&Snapshot::of(&Store::default(), 1).unwrap())
            .unwrap();
        assert_eq!(file.load().unwrap(), newer);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn garbage_is_a_format_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        std::fs::write(&path, b"{not json").unwrap();
        assert!(matches!(
            StateFile::new(path).load(),
            Err(StateFileError::Format { .. })
        ));
    }
}
