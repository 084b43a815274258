//! The key-value operations the embedded store is built on, over two
//! engines: sled 0.34 ([`sled`]) and fjall 3 ([`fjall`], an LSM tree).
//!
//! The embedded store (`store/sled_store/`: its trees, keys, `Txn`,
//! writer, list sets and readers) sees only this module: named trees ([`Tree`]) with `get`, `insert`, `remove`,
//! forward and reverse range and prefix scans ([`Iter`]); and a database
//! ([`Db`]) with an atomic write across trees ([`Db::apply`]), a durable
//! flush ([`Db::flush`]) and a monotonic id generator ([`Db::generate_id`]).
//!
//! Which engine a data directory uses is decided when it is created
//! ([`Engine::for_new`]) and read back from its files when it is opened
//! again ([`Engine::detect`]): an existing sled directory keeps opening
//! with sled.

pub mod fjall;
pub mod sled;

use std::fmt;
use std::ops::{Deref, RangeBounds};
use std::path::Path;

use crate::store::StoreError;

/// The environment variable that chooses the engine of a new data
/// directory (`sled` or `fjall`); an existing directory keeps its own.
pub const ENGINE_ENV: &str = "EXPORTSCREEN_STORE_ENGINE";

/// A storage engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// sled 0.34 (B-tree over a log-structured page cache).
    Sled,
    /// fjall 3 (LSM tree: journal, memtables, sorted tables).
    Fjall,
}

impl Engine {
    /// The engine of new data directories when [`ENGINE_ENV`] is not set.
    pub const DEFAULT: Engine = Engine::Fjall;

    /// The engine's name (as [`ENGINE_ENV`] spells it).
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sled => "sled",
            Engine::Fjall => "fjall",
        }
    }

    /// The engine for a new data directory: [`ENGINE_ENV`] when set,
    /// else [`Engine::DEFAULT`].
    ///
    /// # Errors
    /// [`StoreError::Backend`] when [`ENGINE_ENV`] names no engine.
    pub fn for_new() -> Result<Engine, StoreError> {
        match std::env::var(ENGINE_ENV) {
            Err(_) => Ok(Engine::DEFAULT),
            Ok(v) => match v.trim() {
                "sled" => Ok(Engine::Sled),
                "fjall" => Ok(Engine::Fjall),
                "" => Ok(Engine::DEFAULT),
                other => Err(StoreError::Backend(format!(
                    "{ENGINE_ENV}={other:?}: expected \"sled\" or \"fjall\""
                ))),
            },
        }
    }

    /// The engine whose files directory `path` holds, `None` when it holds
    /// no database yet (missing or empty).
    pub fn detect(path: &Path) -> Option<Engine> {
        if sled::is_sled_dir(path) {
            return Some(Engine::Sled);
        }
        match std::fs::read_dir(path) {
            Ok(mut entries) => entries.next().map(|_| Engine::Fjall),
            Err(_) => None,
        }
    }
}

/// A stored value (or key), as the engine hands it out: cheap to clone.
#[derive(Clone)]
pub enum Val {
    /// sled's shared bytes (also what the writer buffers).
    Sled(::sled::IVec),
    /// fjall's shared bytes.
    Fjall(::fjall::Slice),
}

impl Deref for Val {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Val::Sled(v) => v,
            Val::Fjall(v) => v,
        }
    }
}

impl AsRef<[u8]> for Val {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl fmt::Debug for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", &**self)
    }
}

impl PartialEq for Val {
    fn eq(&self, other: &Val) -> bool {
        **self == **other
    }
}

impl From<::sled::IVec> for Val {
    fn from(v: ::sled::IVec) -> Val {
        Val::Sled(v)
    }
}

/// A key and its value.
pub type Entry = (Val, Val);

type BoxedIter = Box<dyn DoubleEndedIterator<Item = Result<Entry, StoreError>> + Send>;

/// A scan over a tree, in key order (or reversed with `.rev()`).
pub struct Iter(BoxedIter);

impl Iter {
    /// The keys only.
    pub fn keys(self) -> impl DoubleEndedIterator<Item = Result<Val, StoreError>> + Send {
        self.0.map(|kv| kv.map(|(k, _)| k))
    }
}

impl Iterator for Iter {
    type Item = Result<Entry, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next()
    }
}

impl DoubleEndedIterator for Iter {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back()
    }
}

/// One named tree of a database.
#[derive(Clone)]
pub enum Tree {
    /// A sled tree.
    Sled(::sled::Tree),
    /// A fjall keyspace.
    Fjall(::fjall::Keyspace),
}

impl fmt::Debug for Tree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tree::Sled(t) => write!(f, "sled tree {:?}", String::from_utf8_lossy(&t.name())),
            Tree::Fjall(k) => write!(f, "fjall keyspace {:?}", k.name()),
        }
    }
}

impl Tree {
    /// The value under `key`.
    ///
    /// # Errors
    /// [`StoreError`] when the engine cannot read it.
    pub fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<Val>, StoreError> {
        let key = key.as_ref();
        match self {
            Tree::Sled(t) => Ok(t.get(key)?.map(Val::Sled)),
            Tree::Fjall(k) => Ok(k.get(key)?.map(Val::Fjall)),
        }
    }

    /// Writes `value` under `key` at once, outside any batch (migrations,
    /// tests): durable only after the next [`Db::flush`].
    ///
    /// # Errors
    /// [`StoreError`] when the engine refuses the write.
    pub fn insert(&self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        match self {
            Tree::Sled(t) => {
                t.insert(key, value)?;
            }
            Tree::Fjall(k) => k.insert(key, value)?,
        }
        Ok(())
    }

    /// Every entry, in key order.
    pub fn iter(&self) -> Iter {
        match self {
            Tree::Sled(t) => sled::iter(t.iter()),
            Tree::Fjall(k) => fjall::iter(k.iter()),
        }
    }

    /// The entries whose keys fall in `range`, in key order.
    pub fn range<K: AsRef<[u8]>, R: RangeBounds<K>>(&self, range: R) -> Iter {
        match self {
            Tree::Sled(t) => sled::iter(t.range(range)),
            Tree::Fjall(k) => fjall::iter(k.range(range)),
        }
    }

    /// The entries whose keys start with `prefix`, in key order.
    pub fn scan_prefix(&self, prefix: impl AsRef<[u8]>) -> Iter {
        match self {
            Tree::Sled(t) => sled::iter(t.scan_prefix(prefix)),
            Tree::Fjall(k) => fjall::iter(k.prefix(prefix)),
        }
    }

    /// The number of entries (a full scan on fjall: tests and reports).
    ///
    /// # Errors
    /// [`StoreError`] when the engine cannot read the tree.
    pub fn len(&self) -> Result<usize, StoreError> {
        match self {
            Tree::Sled(t) => Ok(t.len()),
            Tree::Fjall(k) => Ok(k.len()?),
        }
    }

    /// True when the tree holds nothing.
    ///
    /// # Errors
    /// [`StoreError`] when the engine cannot read the tree.
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        match self {
            Tree::Sled(t) => Ok(t.is_empty()),
            Tree::Fjall(k) => Ok(k.is_empty()?),
        }
    }
}

/// One tree's writes of an atomic batch: keys with their value, `None` to
/// remove.
pub type TreeWrites<'a> = (&'a Tree, Vec<(Vec<u8>, Option<::sled::IVec>)>);

/// A database: its trees, atomic batches, flushes and ids. Cheap to clone.
#[derive(Clone, Debug)]
pub enum Db {
    /// sled.
    Sled(::sled::Db),
    /// fjall.
    Fjall(fjall::FjallDb),
}

impl Db {
    /// Opens (or creates) the database in directory `path`: with the
    /// engine whose files it holds, or [`Engine::for_new`] when it holds
    /// none.
    ///
    /// # Errors
    /// [`OpenError`] naming whether the directory is locked by another
    /// process.
    pub fn open(path: &Path) -> Result<Db, OpenError> {
        let engine = match Engine::detect(path) {
            Some(e) => e,
            None => Engine::for_new().map_err(|e| OpenError {
                locked: false,
                message: e.to_string(),
            })?,
        };
        Db::open_with(path, engine)
    }

    /// Opens (or creates) the database in `path` with `engine`.
    ///
    /// # Errors
    /// [`OpenError`].
    pub fn open_with(path: &Path, engine: Engine) -> Result<Db, OpenError> {
        match engine {
            Engine::Sled => sled::open(path).map(Db::Sled),
            Engine::Fjall => fjall::FjallDb::open(path).map(Db::Fjall),
        }
    }

    /// A database in a temporary directory, deleted when the last handle
    /// is dropped, with the engine of new directories.
    ///
    /// # Errors
    /// [`StoreError`] when the temporary files cannot be created.
    pub fn temporary() -> Result<Db, StoreError> {
        Db::temporary_with(Engine::for_new()?)
    }

    /// [`Db::temporary`] with `engine`.
    ///
    /// # Errors
    /// [`StoreError`] when the temporary files cannot be created.
    pub fn temporary_with(engine: Engine) -> Result<Db, StoreError> {
        match engine {
            Engine::Sled => sled::temporary().map(Db::Sled),
            Engine::Fjall => fjall::FjallDb::temporary().map(Db::Fjall),
        }
    }

    /// The engine.
    pub fn engine(&self) -> Engine {
        match self {
            Db::Sled(_) => Engine::Sled,
            Db::Fjall(_) => Engine::Fjall,
        }
    }

    /// Opens (or creates) the tree `name`.
    ///
    /// # Errors
    /// [`StoreError`] when the engine cannot open it.
    pub fn open_tree(&self, name: &str) -> Result<Tree, StoreError> {
        match self {
            Db::Sled(db) => Ok(Tree::Sled(db.open_tree(name)?)),
            Db::Fjall(db) => db.open_tree(name).map(Tree::Fjall),
        }
    }

    /// Applies the writes of `groups` (trees of this database) atomically:
    /// after a crash all of them are there or none. Durable only after the
    /// next [`Db::flush`].
    ///
    /// # Errors
    /// [`StoreError`] when the engine refuses the batch; nothing is written
    /// then.
    pub fn apply(&self, groups: &[TreeWrites<'_>]) -> Result<(), StoreError> {
        match self {
            Db::Sled(_) => sled::apply(groups),
            Db::Fjall(db) => db.apply(groups),
        }
    }

    /// Makes every write applied so far durable (a synchronous flush and
    /// fsync; never sled's `flush_async`).
    ///
    /// # Errors
    /// [`StoreError`] when the disk refuses.
    pub fn flush(&self) -> Result<(), StoreError> {
        match self {
            Db::Sled(db) => {
                db.flush()?;
                Ok(())
            }
            Db::Fjall(db) => db.flush(),
        }
    }

    /// A fresh number, greater than every number handed out before, also
    /// across restarts.
    ///
    /// # Errors
    /// [`StoreError`] when the generator cannot persist its state.
    pub fn generate_id(&self) -> Result<u64, StoreError> {
        match self {
            Db::Sled(db) => Ok(db.generate_id()?),
            Db::Fjall(db) => db.generate_id(),
        }
    }
}

/// Why a database could not be opened.
#[derive(Debug)]
pub struct OpenError {
    /// Another handle (or process) holds the directory's lock.
    pub locked: bool,
    /// The engine's message.
    pub message: String,
}

#[cfg(test)]
mod tests;
