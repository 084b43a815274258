//! Storage (sled): lists and their versions, screenings and cases. Every
//! sled call of the crate lives in this module; the rest of the crate sees
//! [`Store`] methods taking and returning `model` types.
//!
//! # Trees
//!
//! | tree | key | value |
//! |---|---|---|
//! | `lists` | list id | current version (u64 big-endian) |
//! | `list_versions` | list id, 0x00, version (big-endian) | [`ListMeta`](crate::model::ListMeta) (JSON) |
//! | `list_contents` | same as `list_versions` | [`ListContent`](crate::model::ListContent) (JSON) |
//! | `list_changes` | same as `list_versions` | [`VersionChange`] (JSON): import or edit, counts against the previous version |
//! | `list_rescreens` | same as `list_versions` | [`RescreenSummary`] (JSON) |
//! | `list_change_cases` | screening id, 0x00, list id, 0x00, version | case id opened by re-screening |
//! | `screenings` | screening id | [`ScreeningRecord`] (JSON) |
//! | `cases` | case id | [`CaseRecord`] (JSON) |
//! | `open_cases` | exporter + reference ([`keys::case_index_key`]) | id of the active case |
//! | `case_queue` | status, priority, age, case id ([`keys::queue_key`]) | [`CaseSummary`](crate::cases::CaseSummary) (JSON) |
//! | `suppressions` | suppression id | [`Suppression`](crate::cases::Suppression) (JSON) |
//! | `suppression_index` | party key, list id, entry id | id of the active suppression |
//! | `party_history` | normalised party name | [`PartyHistory`](crate::cases::PartyHistory) (JSON) |
//! | `audit` | sequence number (u64 big-endian) | [`audit::AuditRecord`] (JSON, hash-chained) |
//! | `audit_head` | `head` | last sequence number and hash |
//! | `tokens`, `token_hashes` | see [`tokens`] | access tokens (hashes only) |
//!
//! # Durability
//!
//! Multi-tree writes (a list version, a screening with its case) are sled
//! transactions: a crash never leaves half a version or a screening whose
//! case is missing. Writes are durable once [`Store::flush`] returns; the
//! API flushes before it acknowledges a write to a client.

pub mod audit;
mod cases;
mod error;
pub mod keys;
mod list_cases;
mod lists;
mod screenings;
mod stats;
pub mod tokens;

use std::path::Path;
use std::time::{Duration, Instant};

pub use crate::cases::{CasePriority, CaseRecord, CaseStatus};
pub use cases::{CasePage, CaseUpdate, Recorded, SYSTEM_ACTOR};
pub use error::StoreError;
pub use list_cases::{
    CaseCause, CitedEntry, ListChangeCase, NewListChangeCase, OutcomeDigest, ScreeningDigest,
};
pub use lists::{RescreenSummary, VersionChange};
pub use screenings::{NewScreening, ScreeningRecord};

/// Page cache size. List contents are decoded into memory once at start-up
/// and kept by the engine, so sled's own cache can stay small.
const CACHE_BYTES: u64 = 64 << 20;

/// How long [`Store::open`] waits for a database locked by this process's
/// previous handle to be released.
const LOCK_WAIT: Duration = Duration::from_secs(3);

/// True when sled could not take the database's file lock.
fn is_lock_error(e: &sled::Error) -> bool {
    matches!(e, sled::Error::Io(io) if io.to_string().contains("could not acquire lock"))
}

/// The database: one sled instance with one tree per record type. Cheap to
/// clone (all handles are reference-counted).
#[derive(Clone, Debug)]
pub struct Store {
    db: sled::Db,
    lists: sled::Tree,
    versions: sled::Tree,
    contents: sled::Tree,
    changes: sled::Tree,
    rescreens: sled::Tree,
    change_cases: sled::Tree,
    screenings: sled::Tree,
    cases: sled::Tree,
    open_cases: sled::Tree,
    case_queue: sled::Tree,
    suppressions: sled::Tree,
    suppression_index: sled::Tree,
    party_history: sled::Tree,
    audit: sled::Tree,
    audit_head: sled::Tree,
    tokens: sled::Tree,
    token_hashes: sled::Tree,
}

impl Store {
    /// Opens (or creates) the database in directory `path`.
    ///
    /// # Errors
    /// [`StoreError::Open`] when sled cannot open it (locked by another
    /// process, unreadable, incompatible version).
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        Store::open_waiting(path.as_ref(), LOCK_WAIT)
    }

    /// [`Store::open`], waiting at most `wait` for the file lock.
    fn open_waiting(path: &Path, wait: Duration) -> Result<Store, StoreError> {
        let config = sled::Config::new().path(path).cache_capacity(CACHE_BYTES);
        // sled's background threads may hold the file lock for a moment
        // after the last handle of a previous open is dropped (a server
        // restarted in the same process); another process keeps it for good.
        let deadline = Instant::now() + wait;
        let db = loop {
            match config.open() {
                Ok(db) => break db,
                Err(e) if is_lock_error(&e) && Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(cause) => {
                    return Err(StoreError::Open {
                        path: path.to_path_buf(),
                        cause,
                    });
                }
            }
        };
        Store::from_db(db)
    }

    /// A database in a temporary directory, deleted when the last handle
    /// is dropped (tests, dry runs).
    ///
    /// # Errors
    /// [`StoreError`] when the temporary files cannot be created.
    pub fn temporary() -> Result<Store, StoreError> {
        let db = sled::Config::new()
            .temporary(true)
            .cache_capacity(CACHE_BYTES)
            .open()?;
        Store::from_db(db)
    }

    fn from_db(db: sled::Db) -> Result<Store, StoreError> {
        Ok(Store {
            lists: db.open_tree("lists")?,
            versions: db.open_tree("list_versions")?,
            contents: db.open_tree("list_contents")?,
            changes: db.open_tree("list_changes")?,
            rescreens: db.open_tree("list_rescreens")?,
            change_cases: db.open_tree("list_change_cases")?,
            screenings: db.open_tree("screenings")?,
            cases: db.open_tree("cases")?,
            open_cases: db.open_tree("open_cases")?,
            case_queue: db.open_tree("case_queue")?,
            suppressions: db.open_tree("suppressions")?,
            suppression_index: db.open_tree("suppression_index")?,
            party_history: db.open_tree("party_history")?,
            audit: db.open_tree("audit")?,
            audit_head: db.open_tree("audit_head")?,
            tokens: db.open_tree("tokens")?,
            token_hashes: db.open_tree("token_hashes")?,
            db,
        })
    }

    /// Makes every write so far durable (fsync), without blocking the
    /// executor.
    ///
    /// # Errors
    /// [`StoreError::Io`] when the write-out fails.
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.db.flush_async().await?;
        Ok(())
    }

    /// Blocking variant of [`Store::flush`] for synchronous callers.
    ///
    /// # Errors
    /// [`StoreError::Io`] when the write-out fails.
    pub fn flush_blocking(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }

    /// A fresh id from sled's monotonic generator.
    fn next_id(&self) -> Result<u64, StoreError> {
        Ok(self.db.generate_id()?)
    }
}

/// Decodes a JSON value, naming the key when it is corrupt.
fn decode<T: serde::de::DeserializeOwned>(key: &[u8], value: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(value).map_err(|e| StoreError::Corrupt {
        key: keys::printable(key),
        message: e.to_string(),
    })
}

/// Encodes a value as JSON.
fn encode<T: serde::Serialize>(what: &'static str, value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|cause| StoreError::Encode { what, cause })
}

/// Turns a failed sled transaction into the store's error.
fn tx_error(e: sled::transaction::TransactionError<StoreError>) -> StoreError {
    match e {
        sled::transaction::TransactionError::Abort(e) => e,
        sled::transaction::TransactionError::Storage(e) => e.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reopening_a_directory_keeps_the_data() {
        let dir = tempfile::tempdir().unwrap();
        let id = {
            let s = Store::open(dir.path()).unwrap();
            let rec = s
                .record_screening(cases::tests::new_screening(
                    "ACME",
                    "PO-1",
                    crate::model::Decision::Clear,
                ))
                .unwrap();
            s.flush_blocking().unwrap();
            rec.record.screening_id
        };
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.screening(&id).unwrap().shipment.reference, "PO-1");
    }

    #[test]
    fn a_locked_database_names_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let _first = Store::open(dir.path()).unwrap();
        let wait = Duration::from_millis(100);
        let started = Instant::now();
        let err = Store::open_waiting(dir.path(), wait).unwrap_err();
        assert!(started.elapsed() >= wait, "waited for the lock first");
        assert!(
            matches!(&err, StoreError::Open { cause, .. } if is_lock_error(cause)),
            "{err:?}"
        );
        assert!(
            err.to_string().contains(&dir.path().display().to_string()),
            "{err}"
        );
    }
}
