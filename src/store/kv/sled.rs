//! The sled 0.34 engine of [`super`]: trees are sled trees, an atomic
//! batch is one sled transaction over the trees it touches, a flush is
//! sled's synchronous `flush` (never `flush_async`, which deadlocks under
//! concurrency in 0.34), ids come from sled's own generator.

use std::path::Path;

use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use super::{Iter, OpenError, TreeWrites, Val};
use crate::store::StoreError;

/// Page cache size. List contents are decoded into memory once at start-up
/// and kept by the engine, so sled's own cache can stay small.
const CACHE_BYTES: u64 = 64 << 20;

/// True when directory `path` holds a sled database (its `conf` and `db`
/// files).
pub fn is_sled_dir(path: &Path) -> bool {
    path.join("conf").is_file() && path.join("db").is_file()
}

/// True when sled could not take the database's file lock.
fn is_lock_error(e: &sled::Error) -> bool {
    matches!(e, sled::Error::Io(io) if io.to_string().contains("could not acquire lock"))
}

/// Opens (or creates) a sled database in `path`.
pub(super) fn open(path: &Path) -> Result<sled::Db, OpenError> {
    sled::Config::new()
        .path(path)
        .cache_capacity(CACHE_BYTES)
        .open()
        .map_err(|e| OpenError {
            locked: is_lock_error(&e),
            message: e.to_string(),
        })
}

/// A sled database deleted when dropped.
pub(super) fn temporary() -> Result<sled::Db, StoreError> {
    Ok(sled::Config::new()
        .temporary(true)
        .cache_capacity(CACHE_BYTES)
        .open()?)
}

/// A sled scan as an [`Iter`].
pub(super) fn iter(it: sled::Iter) -> Iter {
    Iter(Box::new(it.map(|kv| {
        kv.map(|(k, v)| (Val::Sled(k), Val::Sled(v)))
            .map_err(StoreError::from)
    })))
}

/// One sled transaction over the trees of `groups`.
pub(super) fn apply(groups: &[TreeWrites<'_>]) -> Result<(), StoreError> {
    let trees: Vec<&sled::Tree> = groups
        .iter()
        .map(|(t, _)| match t {
            super::Tree::Sled(t) => Ok(t),
            super::Tree::Fjall(_) => Err(StoreError::Backend(
                "a fjall keyspace in a sled batch".to_string(),
            )),
        })
        .collect::<Result<_, _>>()?;
    trees
        .as_slice()
        .transaction(|txs| {
            for (tx, (_, writes)) in txs.iter().zip(groups) {
                for (k, v) in writes {
                    match v {
                        Some(v) => {
                            tx.insert(k.as_slice(), v.clone())?;
                        }
                        None => {
                            tx.remove(k.as_slice())?;
                        }
                    }
                }
            }
            Ok::<(), ConflictableTransactionError<StoreError>>(())
        })
        .map_err(|e| match e {
            TransactionError::Abort(e) => e,
            TransactionError::Storage(e) => e.into(),
        })
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        match e {
            sled::Error::Io(io) => StoreError::Io(io),
            sled::Error::Corruption { at, .. } => StoreError::Corrupt {
                key: match at {
                    Some(ptr) => format!("at {ptr:?}"),
                    None => "(unknown location)".to_string(),
                },
                message: "sled detected corruption in the database files".to_string(),
            },
            other => StoreError::Backend(other.to_string()),
        }
    }
}
