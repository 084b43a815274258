//! Shared server state: the store, the live engine and the lists it was
//! built from.
//!
//! Readers take an `Arc<Engine>` snapshot with [`AppState::engine`] and
//! never wait. A list change ([`AppState::commit`]) is serialised by an
//! async mutex, builds the next engine on a blocking thread from the current
//! lists with the new versions swapped in, stores the versions (one
//! transaction), flushes, and only then swaps the new engine in: a failed
//! import leaves both the store and the live engine as they were.
//!
//! Each version is stored with a record of how it came to be (import, seed,
//! refresh or an edit by hand) and what changed against the version it
//! replaced (the diff runs beside the engine build); every change appends
//! an audit record (`list.import`, `list.entry.add|update|remove`), and a
//! denial-list change starts the re-screening of recent screenings in the
//! background ([`super::rescreen`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use arc_swap::ArcSwap;
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;
use tracing::{error, info};

use super::cases::hub::CaseHub;
use super::status::ApiError;
use crate::engine::reference::ReferenceFiles;
use crate::engine::{Engine, EngineError, LoadedList};
use crate::lists::{EditError, ListDiff, diff, version_checksum};
use crate::model::{ListContent, ListMeta, SourceFile};
use crate::store::audit::NewAudit;
use crate::store::{Store, VersionChange};

/// A list version about to be committed; the version number and time are
/// assigned by [`AppState::commit`].
#[derive(Clone, Debug)]
pub struct NewVersion {
    /// List id (already validated).
    pub list_id: String,
    /// Import format.
    pub format: String,
    /// Who imported it.
    pub author: String,
    /// Why.
    pub reason: String,
    /// Source files with sizes and checksums.
    pub files: Vec<SourceFile>,
    /// Importer warnings.
    pub warnings: Vec<String>,
    /// The entries.
    pub content: ListContent,
    /// How it came to be: `import`, `seed`, `refresh`, `entry.add` ...
    pub origin: String,
    /// The entry edited by hand (edits only).
    pub entry_id: String,
    /// Publication date the source states (`YYYY-MM-DD`), or empty.
    pub published: String,
}

/// The origin of a version that retires its list (RetireList).
pub const RETIRE_ORIGIN: &str = "retire";

/// The lists the engine screens: all but the retired ones (those stay for
/// replay, which builds its own engine from the recorded versions).
fn live<'a>(lists: impl IntoIterator<Item = &'a LoadedList>) -> Vec<LoadedList> {
    lists
        .into_iter()
        .filter(|l| !l.meta.retired)
        .cloned()
        .collect()
}

/// Milliseconds since the Unix epoch.
pub fn now_unix_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Default look-back window of re-screening after a denial-list change.
pub const DEFAULT_RESCREEN_DAYS: u32 = 90;

/// The current version of every list, by id.
pub type CurrentLists = BTreeMap<String, LoadedList>;

/// A committed version and what changed against the version it replaced.
#[derive(Clone, Debug)]
pub struct Committed {
    /// The new version.
    pub list: LoadedList,
    /// The version it replaced, if any.
    pub previous: Option<LoadedList>,
    /// Added, removed and changed entries against `previous` (everything
    /// added for a new list).
    pub diff: ListDiff,
    /// How it came to be.
    pub change: VersionChange,
}

/// The state every service shares.
#[derive(Debug)]
pub struct AppState {
    store: Store,
    engine: ArcSwap<Engine>,
    /// Current version of every list, by id. The mutex also serialises list
    /// changes.
    lists: Mutex<CurrentLists>,
    /// The same, readable without waiting for a change in progress.
    snapshot: ArcSwap<CurrentLists>,
    reference: Arc<ReferenceFiles>,
    /// Case-change broadcast and entry fingerprints (case workflow).
    cases: CaseHub,
    /// Look-back window of re-screening (0: off).
    rescreen_days: u32,
    /// Re-screening runs (serialised, awaitable).
    rescreens: Arc<super::rescreen::Runs>,
}

impl AppState {
    /// Builds the first engine from `lists` (on a blocking thread).
    ///
    /// # Errors
    /// [`EngineError`] when the configuration or a list is unusable.
    pub async fn new(
        store: Store,
        reference: ReferenceFiles,
        lists: Vec<LoadedList>,
    ) -> Result<AppState, EngineError> {
        let reference = Arc::new(reference);
        let (engine, lists) = {
            let reference = Arc::clone(&reference);
            tokio::task::spawn_blocking(move || {
                Engine::build(&live(&lists), &reference).map(|e| (e, lists))
            })
            .await
            .map_err(|e| EngineError::Build(format!("engine build task failed: {e}")))??
        };
        let current: CurrentLists = lists
            .into_iter()
            .map(|l| (l.meta.list_id.clone(), l))
            .collect();
        Ok(AppState {
            store,
            engine: ArcSwap::from_pointee(engine),
            snapshot: ArcSwap::from_pointee(current.clone()),
            lists: Mutex::new(current),
            reference,
            cases: CaseHub::new(),
            rescreen_days: DEFAULT_RESCREEN_DAYS,
            rescreens: Arc::default(),
        })
    }

    /// Sets the look-back window of re-screening after a denial-list change
    /// (0 turns re-screening off).
    pub fn with_rescreen_days(mut self, days: u32) -> AppState {
        self.rescreen_days = days;
        self
    }

    /// The look-back window of re-screening in days (0: off).
    pub fn rescreen_days(&self) -> u32 {
        self.rescreen_days
    }

    /// What the case services share (console broadcast, fingerprints).
    pub fn cases(&self) -> &CaseHub {
        &self.cases
    }

    /// The live engine (a snapshot: a list change does not affect it).
    pub fn engine(&self) -> Arc<Engine> {
        self.engine.load_full()
    }

    /// The current version of every list with its content (a snapshot).
    pub fn current_lists(&self) -> Arc<CurrentLists> {
        self.snapshot.load_full()
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The reference configuration the engine is built with.
    pub fn reference(&self) -> &ReferenceFiles {
        &self.reference
    }

    /// Makes new list versions live: numbers them, builds the next engine
    /// off the request path, writes each version atomically, flushes, and
    /// swaps the engine in. Returns the stored metadata, in input order.
    ///
    /// # Errors
    /// [`StoreError::KindChanged`](crate::store::StoreError::KindChanged)
    /// when a version would change its list's kind; [`EngineError`] when the
    /// engine cannot be built with it; storage errors. The live engine is
    /// unchanged on error.
    pub async fn commit(&self, new: Vec<NewVersion>) -> Result<Vec<ListMeta>, ApiError> {
        let committed = self.commit_changes(new).await?;
        Ok(committed.into_iter().map(|c| c.list.meta).collect())
    }

    /// [`AppState::commit`], returning what changed with each version.
    ///
    /// # Errors
    /// As [`AppState::commit`].
    pub async fn commit_changes(&self, new: Vec<NewVersion>) -> Result<Vec<Committed>, ApiError> {
        let mut current = self.lists.lock().await;
        self.commit_locked(&mut current, new).await
    }

    /// Edits one list under the change lock: `edit` gets the list's current
    /// version (`None` for a list never stored) and returns the next
    /// version's content with the entry id it concerns; it becomes a new
    /// version with the base version's format and source files plus a
    /// record of the edit.
    ///
    /// # Errors
    /// [`EditError::VersionConflict`] when `expected_version` is set and
    /// the list is at another version; the edit's own error; as
    /// [`AppState::commit`].
    pub async fn edit<F>(
        &self,
        list_id: &str,
        expected_version: u64,
        change: EditInfo,
        edit: F,
    ) -> Result<Committed, ApiError>
    where
        F: FnOnce(Option<&LoadedList>) -> Result<(ListContent, String, String), ApiError>,
    {
        let mut current = self.lists.lock().await;
        let base = current.get(list_id);
        let at = base.map_or(0, |l| l.meta.version);
        if expected_version != 0 && expected_version != at {
            return Err(EditError::VersionConflict {
                list_id: list_id.to_string(),
                expected: expected_version,
                current: at,
            }
            .into());
        }
        let (content, entry_id, format) = edit(base)?;
        let published = base.map(|b| b.meta.published.clone()).unwrap_or_default();
        let mut files = base.map(|b| b.meta.files.clone()).unwrap_or_default();
        files.push(edit_file(&change.origin, at + 1, &entry_id, &content));
        let version = NewVersion {
            list_id: list_id.to_string(),
            format,
            author: change.author,
            reason: change.reason,
            files,
            warnings: Vec::new(),
            content,
            origin: change.origin,
            entry_id,
            published,
        };
        let mut done = self.commit_locked(&mut current, vec![version]).await?;
        done.pop()
            .ok_or_else(|| ApiError::Internal("commit returned no version".into()))
    }

    async fn commit_locked(
        &self,
        current: &mut CurrentLists,
        new: Vec<NewVersion>,
    ) -> Result<Vec<Committed>, ApiError> {
        let now = now_unix_ms();
        let mut next = current.clone();
        let mut added = Vec::with_capacity(new.len());
        for v in new {
            if added
                .iter()
                .any(|(l, _, _): &(LoadedList, _, _)| l.meta.list_id == v.list_id)
            {
                return Err(ApiError::Internal(format!(
                    "list {} appears twice in one commit",
                    v.list_id
                )));
            }
            self.store.check_kind(&v.list_id, v.content.kind())?;
            crate::lists::hygiene::may_replace(
                &v.list_id,
                current.get(&v.list_id).map(|l| &l.meta),
            )?;
            let NewVersion {
                list_id,
                format,
                author,
                reason,
                files,
                warnings,
                content,
                origin,
                entry_id,
                published,
            } = v;
            let version = self.store.latest_version(&list_id)? + 1;
            let meta = ListMeta {
                version,
                kind: content.kind().to_string(),
                format,
                entries: u32::try_from(content.len()).unwrap_or(u32::MAX),
                names: u32::try_from(content.name_count()).unwrap_or(u32::MAX),
                imported_at_unix_ms: now,
                author,
                reason,
                checksum: version_checksum(&files),
                published,
                retired: origin == RETIRE_ORIGIN,
                files,
                warnings,
                list_id,
            };
            let loaded = LoadedList {
                meta,
                content: Arc::new(content),
            };
            let previous = current.get(&loaded.meta.list_id).cloned();
            next.insert(loaded.meta.list_id.clone(), loaded.clone());
            added.push((loaded, previous, (origin, entry_id)));
        }

        // The next engine and the diffs against the replaced versions, side
        // by side on blocking threads.
        let all: Vec<LoadedList> = live(next.values());
        let reference = Arc::clone(&self.reference);
        let build = tokio::task::spawn_blocking(move || Engine::build(&all, &reference));
        let pairs: Vec<(LoadedList, Option<LoadedList>)> = added
            .iter()
            .map(|(l, p, _)| (l.clone(), p.clone()))
            .collect();
        let diffs = tokio::task::spawn_blocking(move || {
            pairs
                .iter()
                .map(|(l, p)| version_diff(l, p.as_ref()))
                .collect::<Vec<ListDiff>>()
        });
        let (engine, diffs) = tokio::join!(build, diffs);
        let engine = engine??;
        let diffs = diffs?;

        let committed: Vec<Committed> = added
            .into_iter()
            .zip(diffs)
            .map(|((list, previous, (origin, entry_id)), diff)| {
                let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
                let change = VersionChange {
                    origin,
                    entry_id,
                    previous_version: previous.as_ref().map_or(0, |p| p.meta.version),
                    added: count(diff.added.len()),
                    removed: count(diff.removed.len()),
                    changed: count(diff.changed.len()),
                };
                Committed {
                    list,
                    previous,
                    diff,
                    change,
                }
            })
            .collect();

        let store = self.store.clone();
        let to_store = committed.clone();
        tokio::task::spawn_blocking(move || {
            let versions: Vec<(&ListMeta, &ListContent, Option<&VersionChange>)> = to_store
                .iter()
                .map(|c| (&c.list.meta, c.list.content.as_ref(), Some(&c.change)))
                .collect();
            store.put_list_versions_with(&versions)
        })
        .await??;
        for c in &committed {
            if let Err(e) = self.store.append_audit(audit_record(c), now) {
                error!(list_id = %c.list.meta.list_id, error = %e, "audit record of a list change failed");
            }
        }
        self.store.flush().await?;

        let engine = Arc::new(engine);
        self.engine.store(Arc::clone(&engine));
        *current = next;
        self.snapshot.store(Arc::new(current.clone()));
        for c in &committed {
            let m = &c.list.meta;
            info!(
                list_id = %m.list_id,
                version = m.version,
                entries = m.entries,
                names = m.names,
                author = %m.author,
                origin = %c.change.origin,
                added = c.change.added,
                removed = c.change.removed,
                changed = c.change.changed,
                "list version live"
            );
        }
        if self.rescreen_days > 0 {
            super::rescreen::spawn(
                self.store.clone(),
                engine,
                &committed,
                self.rescreen_days,
                Arc::clone(&self.rescreens),
            );
        }
        Ok(committed)
    }

    /// Waits until every re-screening started so far has finished
    /// (shutdown, tests).
    pub async fn rescreen_idle(&self) {
        self.rescreens.idle().await;
    }
}

/// Who edits, why, and how (`entry.add`, `entry.update`, `entry.remove`).
#[derive(Clone, Debug)]
pub struct EditInfo {
    /// Author of the new version.
    pub author: String,
    /// Why.
    pub reason: String,
    /// `entry.add`, `entry.update` or `entry.remove`.
    pub origin: String,
}

/// The pseudo source file that records an edit in a version's files, so
/// that the version checksum identifies the edited content:
/// `edit-<version>-<origin>-<entry>.json` with the sha256 of the edited
/// entry (or, for a removal, of its id).
fn edit_file(origin: &str, version: u64, entry_id: &str, content: &ListContent) -> SourceFile {
    let body = crate::lists::edit::position(content, entry_id)
        .and_then(|i| match content {
            ListContent::Denial(e) => serde_json::to_vec(&e[i]).ok(),
            ListContent::Control(e) => serde_json::to_vec(&e[i]).ok(),
        })
        .unwrap_or_else(|| entry_id.as_bytes().to_vec());
    let safe: String = entry_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    SourceFile {
        name: format!("edit-{version}-{origin}-{safe}.json"),
        bytes: body.len() as u64,
        sha256: hex::encode(Sha256::digest(&body)),
    }
}

/// Entries added, removed and changed against the replaced version.
fn version_diff(new: &LoadedList, previous: Option<&LoadedList>) -> ListDiff {
    match previous {
        Some(p) => diff(&p.meta.format, &p.content, &new.meta.format, &new.content),
        None => ListDiff {
            added: (0..new.content.len()).collect(),
            ..ListDiff::default()
        },
    }
}

/// The audit record of a list change: `list.import` for imports (seed and
/// refresh included), `list.entry.add|update|remove` for edits.
fn audit_record(c: &Committed) -> NewAudit {
    let m = &c.list.meta;
    let action = match c.change.origin.as_str() {
        o if o.starts_with("entry.") || o == "create" || o == RETIRE_ORIGIN => format!("list.{o}"),
        _ => "list.import".to_string(),
    };
    NewAudit {
        actor: m.author.clone(),
        action,
        subject: format!("{}@{}", m.list_id, m.version),
        reason: m.reason.clone(),
        details: serde_json::json!({
            "origin": c.change.origin,
            "format": m.format,
            "entry_id": c.change.entry_id,
            "previous_version": c.change.previous_version,
            "entries": m.entries,
            "names": m.names,
            "added": c.change.added,
            "removed": c.change.removed,
            "changed": c.change.changed,
            "checksum": m.checksum,
            "files": m.files.iter().map(|f| serde_json::json!({"name": f.name, "sha256": f.sha256, "bytes": f.bytes})).collect::<Vec<_>>(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lists::{SourceData, describe_files};
    use crate::model::{DenialEntry, EntryName};

    fn denial(names: &[&str]) -> ListContent {
        ListContent::Denial(
            names
                .iter()
                .enumerate()
                .map(|(i, n)| DenialEntry {
                    entry_id: i.to_string(),
                    names: vec![EntryName {
                        name: n.to_string(),
                        ..EntryName::default()
                    }],
                    ..DenialEntry::default()
                })
                .collect(),
        )
    }

    fn new_version(list_id: &str, content: ListContent) -> NewVersion {
        let files = describe_files(&[SourceData {
            name: "f.csv".into(),
            data: b"abc".to_vec(),
        }]);
        NewVersion {
            list_id: list_id.into(),
            format: "test".into(),
            author: "tester".into(),
            reason: "unit test".into(),
            files,
            warnings: vec![],
            content,
            origin: "import".into(),
            entry_id: String::new(),
            published: String::new(),
        }
    }

    #[tokio::test]
    async fn commit_numbers_versions_stores_them_and_swaps_the_engine() {
        let store = Store::temporary().unwrap();
        let state = AppState::new(store, ReferenceFiles::embedded(), vec![])
            .await
            .unwrap();
        let before = state.engine();
        assert!(before.lists().is_empty());

        let m1 = state
            .commit(vec![new_version("x", denial(&["A"]))])
            .await
            .unwrap();
        let m2 = state
            .commit(vec![new_version("x", denial(&["A", "B"]))])
            .await
            .unwrap();
        assert_eq!((m1[0].version, m2[0].version), (1, 2));
        assert_eq!(m2[0].entries, 2);
        assert_eq!(m2[0].author, "tester");

        // The old snapshot is untouched; the new engine sees version 2.
        assert!(before.lists().is_empty());
        let live = state.engine();
        assert_eq!(live.list_versions().len(), 1);
        assert_eq!(live.list_versions()[0].version, 2);
        assert_eq!(state.store().current_version("x").unwrap(), Some(2));
    }

    #[tokio::test]
    async fn a_kind_change_leaves_store_and_engine_unchanged() {
        let store = Store::temporary().unwrap();
        let state = AppState::new(store, ReferenceFiles::embedded(), vec![])
            .await
            .unwrap();
        state
            .commit(vec![new_version("x", denial(&["A"]))])
            .await
            .unwrap();
        let err = state
            .commit(vec![new_version("x", ListContent::Control(vec![]))])
            .await
            .unwrap_err();
        assert_eq!(err.code(), tonic::Code::FailedPrecondition, "{err}");
        assert_eq!(state.store().latest_version("x").unwrap(), 1);
        assert_eq!(state.engine().lists()[0].kind, "denial");
    }
}
