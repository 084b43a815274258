//! Start-up: the data directory, the reference configuration, the stored
//! lists and (on a fresh directory) the bundled defaults.
//!
//! Data directory layout:
//!
//! ```text
//! <data-dir>/db/        sled database (lists, versions, screenings, cases)
//! <data-dir>/config/    policy.toml countries.toml gazetteer.toml red-flags.toml
//! ```
//!
//! `config/` is written from the embedded defaults when it does not exist;
//! afterwards the files there are used (an operator may edit thresholds),
//! and a missing file falls back to its embedded default. An invalid file
//! stops the server with the engine's message.

use std::io;
use std::path::{Path, PathBuf};

use tracing::{info, warn};

use std::sync::Arc;

use super::server::{ServeError, ServerConfig};
use crate::engine::EngineError;
use crate::engine::reference::ReferenceFiles;
use crate::service::{Options, Services, seed};
use crate::store::{SharedStore, SledStore};

/// Sub-directory of the sled database.
pub const DB_DIR: &str = "db";
/// Sub-directory of the reference configuration.
pub const CONFIG_DIR: &str = "config";

/// Opens everything the server needs, seeding a fresh data directory.
///
/// # Errors
/// [`ServeError`] naming what failed: the directory, the database, a
/// configuration file, a stored list, or a seed import.
pub async fn open(config: &ServerConfig) -> Result<Services, ServeError> {
    let dir = config.data_dir.clone();
    let given = config.store.clone();
    let task = |e: tokio::task::JoinError| ServeError::Task(e.to_string());
    // Files and the database are opened off the async workers.
    let (store, reference) = tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&dir).map_err(|cause| ServeError::DataDir {
            path: dir.clone(),
            cause,
        })?;
        let store: SharedStore = match given {
            Some(s) => s,
            None => Arc::new(SledStore::open(dir.join(DB_DIR))?),
        };
        let reference = load_reference(&dir.join(CONFIG_DIR))?;
        Ok::<_, ServeError>((store, reference))
    })
    .await
    .map_err(task)??;
    let config_dir = config.data_dir.join(CONFIG_DIR);

    let t = std::time::Instant::now();
    let lists = {
        let store = Arc::clone(&store);
        tokio::task::spawn_blocking(move || store.load_current_lists())
            .await
            .map_err(task)??
    };
    info!(
        lists = lists.len(),
        millis = t.elapsed().as_millis() as u64,
        "loaded stored lists"
    );

    let options = Options {
        rescreen_days: config.rescreen_days,
        engine_threads: config.engine_threads,
    };
    let services = Services::start(store, reference, lists, options)
        .await
        .map_err(|cause| match cause {
            EngineError::Config { .. } => ServeError::Config {
                dir: config_dir.clone(),
                cause,
            },
            other => ServeError::Engine(other),
        })?;

    if config.seed_defaults {
        let seeded = seed::seed_missing(&services).await?;
        if !seeded.is_empty() {
            info!(lists = %seeded.join(", "), "fresh data directory seeded");
        }
    }
    Ok(services)
}

/// Reads the reference configuration from `dir`, first writing the
/// embedded defaults there if the directory does not exist.
///
/// # Errors
/// [`ServeError::DataDir`] when a file cannot be written or read.
pub fn load_reference(dir: &Path) -> Result<ReferenceFiles, ServeError> {
    let embedded = ReferenceFiles::embedded();
    if !dir.exists() {
        write_defaults(dir, &embedded)
            .map_err(|(path, cause)| ServeError::DataDir { path, cause })?;
        info!(dir = %dir.display(), "wrote the default reference configuration");
    }
    let ReferenceFiles {
        policy,
        countries,
        gazetteer,
        red_flags,
        party_words,
        nicknames,
        legal_forms,
        well_known,
    } = embedded;
    let [
        policy_name,
        countries_name,
        gazetteer_name,
        red_flags_name,
        party_words_name,
        nicknames_name,
        legal_forms_name,
        well_known_name,
    ] = ReferenceFiles::NAMES;
    let reference = ReferenceFiles {
        policy: read_or(dir, policy_name, policy)?,
        countries: read_or(dir, countries_name, countries)?,
        gazetteer: read_or(dir, gazetteer_name, gazetteer)?,
        red_flags: read_or(dir, red_flags_name, red_flags)?,
        party_words: read_or(dir, party_words_name, party_words)?,
        nicknames: read_or(dir, nicknames_name, nicknames)?,
        legal_forms: read_or(dir, legal_forms_name, legal_forms)?,
        well_known: read_or(dir, well_known_name, well_known)?,
    };
    info!(dir = %dir.display(), policy_version = %reference.version(), "reference configuration");
    Ok(reference)
}

/// Writes all default files into a scratch directory, then renames it into
/// place, so a crash never leaves a half-written configuration.
fn write_defaults(dir: &Path, files: &ReferenceFiles) -> Result<(), (PathBuf, io::Error)> {
    let scratch = dir.with_extension("partial");
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch).map_err(|e| (scratch.clone(), e))?;
    }
    std::fs::create_dir_all(&scratch).map_err(|e| (scratch.clone(), e))?;
    for (name, text) in files.files() {
        let path = scratch.join(name);
        std::fs::write(&path, text).map_err(|e| (path, e))?;
    }
    std::fs::rename(&scratch, dir).map_err(|e| (dir.to_path_buf(), e))
}

fn read_or(dir: &Path, name: &str, default: String) -> Result<String, ServeError> {
    let path = dir.join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            warn!(path = %path.display(), "configuration file missing: using the embedded default");
            Ok(default)
        }
        Err(cause) => Err(ServeError::DataDir { path, cause }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_written_once_then_read_back() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("config");
        let first = load_reference(&dir).unwrap();
        assert_eq!(first, ReferenceFiles::embedded());
        for name in ReferenceFiles::NAMES {
            assert!(dir.join(name).is_file(), "{name}");
        }
        // An operator's edit is used; a deleted file falls back to the default.
        let edited = first
            .policy
            .replace("default_limit = 10", "default_limit = 7");
        assert_ne!(edited, first.policy);
        std::fs::write(dir.join("policy.toml"), &edited).unwrap();
        std::fs::remove_file(dir.join("red-flags.toml")).unwrap();
        let second = load_reference(&dir).unwrap();
        assert_eq!(second.policy, edited);
        assert_eq!(second.red_flags, ReferenceFiles::embedded().red_flags);
        assert!(!dir.join("red-flags.toml").exists(), "not rewritten");
    }
}
