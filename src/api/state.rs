//! Shared server state: the store, the live engine and the lists it was
//! built from.
//!
//! Readers take an `Arc<Engine>` snapshot with [`AppState::engine`] and
//! never wait. A list change ([`AppState::commit`]) is serialised by an
//! async mutex, builds the next engine on a blocking thread from the current
//! lists with the new versions swapped in, stores the versions (one
//! transaction), flushes, and only then swaps the new engine in: a failed
//! import leaves both the store and the live engine as they were.

use std::collections::BTreeMap;
use std::sync::Arc;

use arc_swap::ArcSwap;
use tokio::sync::Mutex;
use tracing::info;

use super::cases::hub::CaseHub;
use super::status::ApiError;
use crate::engine::reference::ReferenceFiles;
use crate::engine::{Engine, EngineError, LoadedList};
use crate::lists::version_checksum;
use crate::model::{ListContent, ListMeta, SourceFile};
use crate::store::Store;

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
}

/// Milliseconds since the Unix epoch.
pub fn now_unix_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The state every service shares.
#[derive(Debug)]
pub struct AppState {
    store: Store,
    engine: ArcSwap<Engine>,
    /// Current version of every list, by id. The mutex also serialises list
    /// changes.
    lists: Mutex<BTreeMap<String, LoadedList>>,
    reference: Arc<ReferenceFiles>,
    /// Case-change broadcast and entry fingerprints (case workflow).
    cases: CaseHub,
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
                Engine::build(&lists, &reference).map(|e| (e, lists))
            })
            .await
            .map_err(|e| EngineError::Build(format!("engine build task failed: {e}")))??
        };
        Ok(AppState {
            store,
            engine: ArcSwap::from_pointee(engine),
            lists: Mutex::new(
                lists
                    .into_iter()
                    .map(|l| (l.meta.list_id.clone(), l))
                    .collect(),
            ),
            reference,
            cases: CaseHub::new(),
        })
    }

    /// What the case services share (console broadcast, fingerprints).
    pub fn cases(&self) -> &CaseHub {
        &self.cases
    }

    /// The live engine (a snapshot: a list change does not affect it).
    pub fn engine(&self) -> Arc<Engine> {
        self.engine.load_full()
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
        let mut current = self.lists.lock().await;
        let now = now_unix_ms();
        let mut next = current.clone();
        let mut added = Vec::with_capacity(new.len());
        for v in new {
            if added
                .iter()
                .any(|l: &LoadedList| l.meta.list_id == v.list_id)
            {
                return Err(ApiError::Internal(format!(
                    "list {} appears twice in one commit",
                    v.list_id
                )));
            }
            self.store.check_kind(&v.list_id, v.content.kind())?;
            let NewVersion {
                list_id,
                format,
                author,
                reason,
                files,
                warnings,
                content,
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
                files,
                warnings,
                list_id,
            };
            let loaded = LoadedList {
                meta,
                content: Arc::new(content),
            };
            next.insert(loaded.meta.list_id.clone(), loaded.clone());
            added.push(loaded);
        }

        let all: Vec<LoadedList> = next.values().cloned().collect();
        let reference = Arc::clone(&self.reference);
        let engine = tokio::task::spawn_blocking(move || Engine::build(&all, &reference)).await??;

        let store = self.store.clone();
        let to_store = added.clone();
        tokio::task::spawn_blocking(move || {
            let versions: Vec<(&ListMeta, &ListContent)> = to_store
                .iter()
                .map(|l| (&l.meta, l.content.as_ref()))
                .collect();
            store.put_list_versions(&versions)
        })
        .await??;
        self.store.flush().await?;

        self.engine.store(Arc::new(engine));
        *current = next;
        for l in &added {
            info!(
                list_id = %l.meta.list_id,
                version = l.meta.version,
                entries = l.meta.entries,
                names = l.meta.names,
                author = %l.meta.author,
                "list version live"
            );
        }
        Ok(added.into_iter().map(|l| l.meta).collect())
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
