//! The fjall 3 engine of [`super`] (an LSM tree): trees are keyspaces of
//! one fjall database, an atomic batch is one fjall write batch (one
//! journal entry across keyspaces: after a crash all of it is there or
//! none), a flush persists the journal with `PersistMode::SyncAll`, and ids
//! come from a counter whose reserved upper bound is persisted before any
//! id under it is handed out.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use fjall::{Database, Keyspace, KeyspaceCreateOptions, PersistMode};

use super::{Iter, OpenError, TreeWrites, Val};
use crate::store::StoreError;

/// Block cache size (list contents are decoded once at start-up and kept
/// by the engine, as with sled).
const CACHE_BYTES: u64 = 64 << 20;
/// A keyspace's memtable is sealed and written out at this size (fjall's
/// default is 64 MiB per keyspace: memory that grows with the number of
/// busy keyspaces).
const MEMTABLE_BYTES: u64 = 16 << 20;
/// Journal kept before memtables are written out to free it (bounds the
/// disk the journal takes and the replay after a crash).
const JOURNAL_BYTES: u64 = 256 << 20;

/// The keyspace of the id generator (not one of the store's trees).
const IDS_KEYSPACE: &str = "kv_ids";
/// Its one key: the reserved upper bound (u64 big-endian).
const IDS_KEY: &[u8] = b"reserved";
/// Ids reserved per persisted bound.
const IDS_PER_RESERVATION: u64 = 10_000;

/// A fjall database with its id generator. Cheap to clone.
#[derive(Clone)]
pub struct FjallDb {
    db: Database,
    ids: Arc<Ids>,
}

impl std::fmt::Debug for FjallDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FjallDb").finish_non_exhaustive()
    }
}

/// The id generator: the next id and the bound reserved on disk.
struct Ids {
    keyspace: Keyspace,
    /// (next id, reserved bound): ids below the bound may be handed out.
    state: Mutex<(u64, u64)>,
}

impl FjallDb {
    /// Opens (or creates) the database in `path`.
    pub(super) fn open(path: &Path) -> Result<FjallDb, OpenError> {
        let db = configured(Database::builder(path))
            .open()
            .map_err(|e| OpenError {
                locked: matches!(e, fjall::Error::Locked),
                message: e.to_string(),
            })?;
        FjallDb::with(db).map_err(|e| OpenError {
            locked: false,
            message: e.to_string(),
        })
    }

    /// A database in a fresh temporary directory, deleted when dropped.
    pub(super) fn temporary() -> Result<FjallDb, StoreError> {
        let db = configured(Database::builder(temp_path()))
            .temporary(true)
            .open()?;
        FjallDb::with(db)
    }

    fn with(db: Database) -> Result<FjallDb, StoreError> {
        let keyspace = db.keyspace(IDS_KEYSPACE, keyspace_options)?;
        let reserved = match keyspace.get(IDS_KEY)? {
            Some(v) => {
                u64::from_be_bytes(v.as_ref().try_into().map_err(|_| StoreError::Corrupt {
                    key: format!("{IDS_KEYSPACE}/reserved"),
                    message: "not a u64".into(),
                })?)
            }
            None => 0,
        };
        Ok(FjallDb {
            db,
            ids: Arc::new(Ids {
                keyspace,
                // Every id below the bound may have been handed out before.
                state: Mutex::new((reserved, reserved)),
            }),
        })
    }

    pub(super) fn open_tree(&self, name: &str) -> Result<Keyspace, StoreError> {
        Ok(self.db.keyspace(name, keyspace_options)?)
    }

    pub(super) fn apply(&self, groups: &[TreeWrites<'_>]) -> Result<(), StoreError> {
        let n = groups.iter().map(|(_, w)| w.len()).sum();
        let mut batch = fjall::OwnedWriteBatch::with_capacity(self.db.clone(), n);
        for (tree, writes) in groups {
            let super::Tree::Fjall(k) = tree else {
                return Err(StoreError::Backend(
                    "a sled tree in a fjall batch".to_string(),
                ));
            };
            for (key, value) in writes {
                match value {
                    Some(v) => batch.insert(k, key.as_slice(), v.as_ref()),
                    None => batch.remove(k, key.as_slice()),
                }
            }
        }
        Ok(batch.commit()?)
    }

    pub(super) fn flush(&self) -> Result<(), StoreError> {
        Ok(self.db.persist(PersistMode::SyncAll)?)
    }

    pub(super) fn generate_id(&self) -> Result<u64, StoreError> {
        let mut state = self.ids.state.lock().unwrap_or_else(|p| p.into_inner());
        let (next, reserved) = *state;
        if next >= reserved {
            let bound = next + IDS_PER_RESERVATION;
            self.ids.keyspace.insert(IDS_KEY, bound.to_be_bytes())?;
            self.db.persist(PersistMode::SyncAll)?;
            state.1 = bound;
        }
        state.0 = next + 1;
        Ok(next)
    }
}

/// The database's settings (see the constants).
fn configured(builder: fjall::DatabaseBuilder<Database>) -> fjall::DatabaseBuilder<Database> {
    builder
        .cache_size(CACHE_BYTES)
        .max_journaling_size(JOURNAL_BYTES)
}

/// The settings of a new keyspace (an existing one keeps those it was
/// created with).
fn keyspace_options() -> KeyspaceCreateOptions {
    KeyspaceCreateOptions::default().max_memtable_size(MEMTABLE_BYTES)
}

/// A fresh directory name under the system's temporary directory.
fn temp_path() -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!(
        "exportscreen-fjall-{}-{}-{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

/// A fjall scan as an [`Iter`].
pub(super) fn iter(it: fjall::Iter) -> Iter {
    Iter(Box::new(it.map(|guard| {
        guard
            .into_inner()
            .map(|(k, v)| (Val::Fjall(k), Val::Fjall(v)))
            .map_err(StoreError::from)
    })))
}

impl From<fjall::Error> for StoreError {
    fn from(e: fjall::Error) -> Self {
        match e {
            fjall::Error::Io(io) => StoreError::Io(io),
            other => StoreError::Backend(format!("fjall: {other}")),
        }
    }
}
