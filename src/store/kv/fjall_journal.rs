//! The durable half of a fjall flush, done without fjall's journal lock.
//!
//! fjall's `Database::persist(PersistMode::SyncAll)` calls `fsync` while it
//! holds the journal's writer lock, the lock every write batch takes to
//! append. The store's writer commits batch N+1 while the flusher makes
//! batch N durable; under that lock the commit waited for the whole
//! `fsync` (about half a millisecond on this disk), so commit and flush ran
//! one after the other instead of side by side.
//!
//! A flush is therefore done in two steps ([`super::fjall::FjallDb`]'s
//! `flush`): `persist(PersistMode::Buffer)` hands the journal's buffered
//! bytes to the operating system under the lock (one `write`), then
//! [`JournalSync::sync`] calls `fsync` on the journal file through a file
//! handle of its own, outside the lock. `fsync` makes every written byte
//! of the file durable, whichever handle wrote it.
//!
//! Which file: fjall names its journals `<id>.jnl` in the database
//! directory, numbered upwards, and seals one (`Writer::rotate`) by
//! `fsync`ing it before it creates the next. So once the bytes of a
//! commit are written, they are durable after an `fsync` of the newest
//! journal file that exists when it is looked for: either that file holds
//! them, or the file that held them was sealed, and synced, before the
//! newer one was created. [`JournalSync`] keeps the newest file open and
//! moves on whenever the next number exists.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::store::StoreError;

/// The suffix of fjall's journal files.
const SUFFIX: &str = ".jnl";

/// Syncs the newest journal file of one database directory.
#[derive(Debug)]
pub(super) struct JournalSync {
    dir: PathBuf,
    /// The newest journal seen: its number and an open handle.
    newest: Mutex<Option<(u64, File)>>,
}

impl JournalSync {
    pub(super) fn new(dir: &Path) -> JournalSync {
        JournalSync {
            dir: dir.to_path_buf(),
            newest: Mutex::new(None),
        }
    }

    /// Makes every byte written to the journal so far durable (see the
    /// module documentation for why the newest file is enough).
    ///
    /// # Errors
    /// [`StoreError::Backend`] when no journal file is found, or the
    /// file cannot be opened or synced.
    pub(super) fn sync(&self) -> Result<(), StoreError> {
        let mut newest = self.newest.lock().unwrap_or_else(|p| p.into_inner());
        let mut id = match newest.as_ref() {
            Some((id, _)) => *id,
            None => newest_id(&self.dir)?,
        };
        // Journals sealed since the last look: the newest one is synced.
        while self.path_of(id + 1).exists() {
            id += 1;
        }
        if newest.as_ref().is_none_or(|(held, _)| *held != id) {
            *newest = Some((id, self.open(id)?));
        }
        let Some((_, file)) = newest.as_ref() else {
            return Err(StoreError::Backend("no journal file held".into()));
        };
        file.sync_all().map_err(|e| {
            StoreError::Backend(format!("syncing {}: {e}", self.path_of(id).display()))
        })
    }

    /// The file the last [`JournalSync::sync`] synced (tests).
    #[cfg(test)]
    pub(super) fn synced_path(&self) -> Option<PathBuf> {
        let newest = self.newest.lock().unwrap_or_else(|p| p.into_inner());
        newest.as_ref().map(|(id, _)| self.path_of(*id))
    }

    fn path_of(&self, id: u64) -> PathBuf {
        self.dir.join(format!("{id}{SUFFIX}"))
    }

    fn open(&self, id: u64) -> Result<File, StoreError> {
        let path = self.path_of(id);
        // Opened for writing (never created or truncated): `fsync` needs no
        // more, and some systems refuse it on a read-only handle.
        OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(|e| StoreError::Backend(format!("opening {}: {e}", path.display())))
    }
}

/// The greatest journal number in `dir`.
fn newest_id(dir: &Path) -> Result<u64, StoreError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| StoreError::Backend(format!("reading {}: {e}", dir.display())))?;
    entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name();
            name.to_str()?.strip_suffix(SUFFIX)?.parse::<u64>().ok()
        })
        .max()
        .ok_or_else(|| StoreError::Backend(format!("no journal file in {}", dir.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(dir: &Path, name: &str) {
        std::fs::write(dir.join(name), b"x").expect("write");
    }

    #[test]
    fn the_newest_journal_is_synced_and_followed_as_new_ones_appear() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sync = JournalSync::new(dir.path());
        assert!(matches!(sync.sync(), Err(StoreError::Backend(_))));
        for name in ["2.jnl", "10.jnl", "9.jnl", "lock", "11.jnl.tmp", "x.jnl"] {
            touch(dir.path(), name);
        }
        sync.sync().expect("sync");
        assert_eq!(sync.synced_path(), Some(dir.path().join("10.jnl")));
        // Sealed and replaced twice since: the handle moves to the newest.
        touch(dir.path(), "11.jnl");
        touch(dir.path(), "12.jnl");
        sync.sync().expect("sync");
        assert_eq!(sync.synced_path(), Some(dir.path().join("12.jnl")));
        // Old journals deleted once written out: the held one stays.
        std::fs::remove_file(dir.path().join("2.jnl")).expect("remove");
        sync.sync().expect("sync");
        assert_eq!(sync.synced_path(), Some(dir.path().join("12.jnl")));
    }
}
