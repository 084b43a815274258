//! What the case services share at run time: the broadcast of case changes
//! to officers' consoles, the signal that ends console streams at shutdown,
//! and a cache of list-entry fingerprints (suppressions compare an entry's
//! content across list versions).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use tokio::sync::{broadcast, watch};

use crate::api::status::ApiError;
use crate::cases::CaseChange;
use crate::cases::keys::entry_fingerprint;
use crate::model::ListContent;
use crate::store::{Store, StoreError};

/// Changes buffered for a slow console before it must resynchronise.
const EVENT_BUFFER: usize = 1024;
/// List versions whose fingerprints are kept.
const CACHED_VERSIONS: usize = 8;

type Fingerprints = Arc<HashMap<String, String>>;

/// Shared case state (one per server, held by the app state).
#[derive(Debug)]
pub struct CaseHub {
    events: broadcast::Sender<CaseChange>,
    closed: watch::Sender<bool>,
    fingerprints: Mutex<VecDeque<((String, u64), Fingerprints)>>,
}

impl Default for CaseHub {
    fn default() -> Self {
        CaseHub::new()
    }
}

impl CaseHub {
    /// A hub with no consoles.
    pub fn new() -> CaseHub {
        CaseHub {
            events: broadcast::channel(EVENT_BUFFER).0,
            closed: watch::channel(false).0,
            fingerprints: Mutex::new(VecDeque::new()),
        }
    }

    /// Tells every console about a change (none listening is fine).
    pub fn publish(&self, change: CaseChange) {
        let _ = self.events.send(change);
    }

    /// A console's subscription.
    pub fn subscribe(&self) -> broadcast::Receiver<CaseChange> {
        self.events.subscribe()
    }

    /// Becomes true when the server shuts down.
    pub fn closed(&self) -> watch::Receiver<bool> {
        self.closed.subscribe()
    }

    /// Ends every console stream (graceful shutdown waits for running
    /// calls, and a console stream would otherwise never end).
    pub fn close(&self) {
        self.closed.send_replace(true);
    }

    /// The fingerprint of a denial-list entry at a list version, `None`
    /// when the version or the entry does not exist. A version's
    /// fingerprints are computed once (its content is read from the store
    /// on a blocking thread) and kept for the last few versions used.
    ///
    /// # Errors
    /// Storage failures other than a missing version.
    pub async fn fingerprint(
        &self,
        store: &Store,
        list_id: &str,
        version: u64,
        entry_id: &str,
    ) -> Result<Option<String>, ApiError> {
        let key = (list_id.to_string(), version);
        if let Some(map) = self.cached(&key) {
            return Ok(map.get(entry_id).cloned());
        }
        let store = store.clone();
        let (id, v) = key.clone();
        let map =
            tokio::task::spawn_blocking(move || -> Result<Option<Fingerprints>, StoreError> {
                let content = match store.list_content(&id, v) {
                    Ok(c) => c,
                    Err(StoreError::NotFound { .. }) => return Ok(None),
                    Err(e) => return Err(e),
                };
                Ok(Some(Arc::new(match content {
                    ListContent::Denial(entries) => entries
                        .iter()
                        .map(|e| (e.entry_id.clone(), entry_fingerprint(e)))
                        .collect(),
                    ListContent::Control(_) => HashMap::new(),
                })))
            })
            .await??;
        let Some(map) = map else {
            return Ok(None);
        };
        let found = map.get(entry_id).cloned();
        if let Ok(mut cache) = self.fingerprints.lock() {
            if !cache.iter().any(|(k, _)| *k == key) {
                if cache.len() == CACHED_VERSIONS {
                    cache.pop_front();
                }
                cache.push_back((key, map));
            }
        }
        Ok(found)
    }

    fn cached(&self, key: &(String, u64)) -> Option<Fingerprints> {
        let cache = self.fingerprints.lock().ok()?;
        cache
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, m)| Arc::clone(m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DenialEntry, EntryName, ListMeta};

    fn entry(id: &str, name: &str) -> DenialEntry {
        DenialEntry {
            entry_id: id.into(),
            names: vec![EntryName {
                name: name.into(),
                ..EntryName::default()
            }],
            ..DenialEntry::default()
        }
    }

    fn put(store: &Store, version: u64, entries: Vec<DenialEntry>) {
        let content = ListContent::Denial(entries);
        let meta = ListMeta {
            list_id: "sdn".into(),
            version,
            kind: "denial".into(),
            entries: content.len() as u32,
            names: content.name_count() as u32,
            checksum: format!("c{version}"),
            ..ListMeta::default()
        };
        store.put_list_version(&meta, &content).unwrap();
    }

    #[tokio::test]
    async fn fingerprints_follow_entry_content_across_versions() {
        let store = Store::temporary().unwrap();
        put(&store, 1, vec![entry("1", "Zephyr"), entry("2", "Quillon")]);
        put(
            &store,
            2,
            vec![entry("1", "Zephyr"), entry("2", "Quillon Anvil")],
        );
        let hub = CaseHub::new();
        let fp = |v, id: &'static str| {
            let (hub, store) = (&hub, &store);
            async move { hub.fingerprint(store, "sdn", v, id).await.unwrap() }
        };
        let z1 = fp(1, "1").await.unwrap();
        assert_eq!(fp(2, "1").await, Some(z1.clone()), "unchanged entry");
        assert_ne!(fp(2, "2").await, fp(1, "2").await, "edited entry");
        assert_eq!(fp(1, "9").await, None, "no such entry");
        assert_eq!(fp(7, "1").await, None, "no such version");
        assert_eq!(fp(1, "1").await, Some(z1), "cached");
    }

    #[tokio::test]
    async fn consoles_receive_changes_and_the_close_signal() {
        let hub = CaseHub::new();
        hub.publish(sample_change()); // nobody listening: dropped
        let mut rx = hub.subscribe();
        let mut closed = hub.closed();
        hub.publish(sample_change());
        assert_eq!(rx.recv().await.unwrap().summary.case_id, "case-1");
        assert!(!*closed.borrow());
        hub.close();
        closed.changed().await.unwrap();
        assert!(*closed.borrow());
    }

    fn sample_change() -> CaseChange {
        use crate::cases::{CasePriority, CaseStatus, CaseSummary, ChangeKind};
        CaseChange {
            kind: ChangeKind::Opened,
            action: "opened".into(),
            actor: "erp".into(),
            at_unix_ms: 1,
            summary: CaseSummary {
                case_id: "case-1".into(),
                exporter: "ACME".into(),
                reference: "PO-1".into(),
                status: CaseStatus::Open,
                decision: crate::model::Decision::Review,
                priority: CasePriority::Low,
                priority_score: 1000,
                assignee: None,
                created_at_unix_ms: 1,
                updated_at_unix_ms: 1,
                decided_at_unix_ms: None,
                check_due_unix_ms: None,
                screenings: 1,
                entries: vec![],
            },
        }
    }
}
