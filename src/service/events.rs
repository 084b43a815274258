//! Case events and entry fingerprints: the broadcast of case changes to
//! officers' consoles, and a cache of list-entry fingerprints
//! (suppressions compare an entry's content across list versions).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;

use crate::cases::CaseChange;
use crate::cases::keys::entry_fingerprint;
use crate::model::ListContent;
use crate::store::{Store, StoreError};

/// Changes buffered for a slow console before it must resynchronise.
const EVENT_BUFFER: usize = 1024;
/// List versions whose fingerprints are kept.
const CACHED_VERSIONS: usize = 8;

type Fingerprints = Arc<HashMap<String, String>>;

/// Case events and fingerprints (one per server).
#[derive(Debug)]
pub struct CaseEvents {
    events: broadcast::Sender<CaseChange>,
    fingerprints: Mutex<VecDeque<((String, u64), Fingerprints)>>,
}

impl Default for CaseEvents {
    fn default() -> Self {
        CaseEvents::new()
    }
}

impl CaseEvents {
    /// No consoles yet.
    pub fn new() -> CaseEvents {
        CaseEvents {
            events: broadcast::channel(EVENT_BUFFER).0,
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

    /// The fingerprint of a denial-list entry at a list version, `None`
    /// when the version or the entry does not exist. A version's
    /// fingerprints are computed once (its content read from the store)
    /// and kept for the last few versions used. Blocking: call it off the
    /// async workers.
    ///
    /// # Errors
    /// Storage failures other than a missing version.
    pub fn fingerprint(
        &self,
        store: &dyn Store,
        list_id: &str,
        version: u64,
        entry_id: &str,
    ) -> Result<Option<String>, StoreError> {
        let key = (list_id.to_string(), version);
        if let Some(map) = self.cached(&key) {
            return Ok(map.get(entry_id).cloned());
        }
        let content = match store.list_content(list_id, version) {
            Ok(c) => c,
            Err(StoreError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let map: Fingerprints = Arc::new(match content {
            ListContent::Denial(entries) => entries
                .iter()
                .map(|e| (e.entry_id.clone(), entry_fingerprint(e)))
                .collect(),
            ListContent::Control(_) => HashMap::new(),
        });
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
    use crate::model::{DenialEntry, EntryName, ListKind, ListMeta};
    use crate::store::{NewListVersion, SledStore};

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

    fn put(store: &SledStore, version: u64, entries: Vec<DenialEntry>) {
        let content = ListContent::Denial(entries);
        let meta = ListMeta {
            list_id: "sdn".into(),
            version,
            kind: ListKind::Denial,
            entries: content.len() as u32,
            names: content.name_count() as u32,
            checksum: format!("c{version}"),
            ..ListMeta::default()
        };
        store
            .put_list_versions(vec![NewListVersion {
                meta,
                content: Arc::new(content),
                change: None,
                audit: None,
            }])
            .wait()
            .unwrap();
    }

    #[test]
    fn fingerprints_follow_entry_content_across_versions() {
        let store = SledStore::temporary().unwrap();
        put(&store, 1, vec![entry("1", "Zephyr"), entry("2", "Quillon")]);
        put(
            &store,
            2,
            vec![entry("1", "Zephyr"), entry("2", "Quillon Anvil")],
        );
        let events = CaseEvents::new();
        let fp = |v, id: &str| events.fingerprint(&store, "sdn", v, id).unwrap();
        let z1 = fp(1, "1").unwrap();
        assert_eq!(fp(2, "1"), Some(z1.clone()), "unchanged entry");
        assert_ne!(fp(2, "2"), fp(1, "2"), "edited entry");
        assert_eq!(fp(1, "9"), None, "no such entry");
        assert_eq!(fp(7, "1"), None, "no such version");
        assert_eq!(fp(1, "1"), Some(z1), "cached");
    }

    #[tokio::test]
    async fn consoles_receive_changes() {
        let events = CaseEvents::new();
        events.publish(sample_change()); // nobody listening: dropped
        let mut rx = events.subscribe();
        events.publish(sample_change());
        assert_eq!(rx.recv().await.unwrap().summary.case_id, "case-1");
    }

    fn sample_change() -> CaseChange {
        use crate::cases::{CasePriority, CaseStatus, CaseSummary, ChangeKind};
        CaseChange {
            kind: ChangeKind::Opened,
            action: "opened".into(),
            actor: crate::ids::Actor::new("erp"),
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
                parties: vec![],
            },
        }
    }
}
