//! Screenings' list versions kept by reference. Every screening under one
//! engine snapshot cites the same list versions (each list with its
//! version and content checksum: over a kilobyte of JSON, a third of a
//! CLEAR screening's record), so the sled backend keeps each distinct set
//! once in `list_sets`, under a hash of its content, and a screening's
//! value carries that key instead of the set. Reading a screening puts the
//! set back: above the backend nothing can tell. A value written before
//! this layout (plain JSON) reads as it always did.
//!
//! A screening value is either plain JSON (it begins with `{`), or
//! [`BY_REFERENCE`], the set's [`SetKey`], then the record's JSON with an
//! empty `outcome.list_versions`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use crate::store::kv::Val;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::txn::{T, Txn, decode, encode};
use crate::model::ListVersionRef;
use crate::store::{ScreeningDigest, ScreeningRecord, StoreError};

/// Bytes of a set's key (a truncated SHA-256 of its content).
const KEY_LEN: usize = 16;
/// First byte of a screening value that keeps its list versions by
/// reference (plain JSON begins with `{`).
const BY_REFERENCE: u8 = 0x01;

/// The key of a set of list versions: the first [`KEY_LEN`] bytes of the
/// SHA-256 of its list ids, versions and checksums (each length-prefixed).
type SetKey = [u8; KEY_LEN];

fn key_of(versions: &[ListVersionRef]) -> SetKey {
    let mut h = Sha256::new();
    for v in versions {
        for part in [
            v.list_id.as_bytes(),
            &v.version.to_be_bytes(),
            v.checksum.as_bytes(),
        ] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part);
        }
    }
    let digest = h.finalize();
    let mut key = [0u8; KEY_LEN];
    key.copy_from_slice(&digest[..KEY_LEN]);
    key
}

/// The sets read so far (they never change: a key names one content),
/// and the set the writer last made durable with its key: every screening
/// under one engine snapshot cites that set, so the writer compares it
/// instead of hashing and looking the set up again for each screening.
#[derive(Debug, Default)]
pub struct SetCache {
    sets: RwLock<HashMap<SetKey, Arc<Vec<ListVersionRef>>>>,
    stored: Mutex<Option<(Arc<Vec<ListVersionRef>>, SetKey)>>,
}

impl SetCache {
    /// The key of `versions` when it is the set last made durable.
    fn stored_key(&self, versions: &[ListVersionRef]) -> Option<SetKey> {
        let stored = self.stored.lock().unwrap_or_else(|p| p.into_inner());
        stored
            .as_ref()
            .filter(|(set, _)| set.as_slice() == versions)
            .map(|(_, key)| *key)
    }

    /// Remembers a set the database now holds durably under `key`.
    fn remember_stored(&self, set: Arc<Vec<ListVersionRef>>, key: SetKey) {
        *self.stored.lock().unwrap_or_else(|p| p.into_inner()) = Some((set, key));
    }

    fn get(&self, key: &SetKey) -> Option<Arc<Vec<ListVersionRef>>> {
        self.sets
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned()
    }

    fn put(&self, key: SetKey, set: Arc<Vec<ListVersionRef>>) {
        self.sets
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, set);
    }
}

/// A stored record that cites list versions.
pub trait CitesLists: DeserializeOwned {
    /// The list versions it cites.
    fn list_versions_mut(&mut self) -> &mut Vec<ListVersionRef>;
}

impl CitesLists for ScreeningRecord {
    fn list_versions_mut(&mut self) -> &mut Vec<ListVersionRef> {
        &mut self.outcome.list_versions
    }
}

impl CitesLists for ScreeningDigest {
    fn list_versions_mut(&mut self) -> &mut Vec<ListVersionRef> {
        &mut self.outcome.list_versions
    }
}

/// The value of `record` in `screenings`, its list versions by reference;
/// writes the set in the batch when the database does not hold it yet.
///
/// # Errors
/// [`StoreError`] when the set cannot be read or a value encoded.
pub(super) fn encode_screening(
    txn: &mut Txn<'_>,
    record: &mut ScreeningRecord,
) -> Result<Vec<u8>, StoreError> {
    let key = match txn.trees().sets.stored_key(&record.outcome.list_versions) {
        Some(key) => key,
        None => {
            let key = key_of(&record.outcome.list_versions);
            if txn.get(T::ListSets, &key)?.is_none() {
                txn.put_json(
                    T::ListSets,
                    key.to_vec(),
                    "list versions",
                    &record.outcome.list_versions,
                )?;
            }
            // Remembered only once the batch is durable: a failed batch
            // leaves the set unwritten.
            let sets = Arc::clone(&txn.trees().sets);
            let set = Arc::new(record.outcome.list_versions.clone());
            txn.after_commit(Box::new(move || sets.remember_stored(set, key)));
            key
        }
    };
    let versions = std::mem::take(&mut record.outcome.list_versions);
    let json = encode("screening", &*record);
    record.outcome.list_versions = versions;
    let json = json?;
    let mut value = Vec::with_capacity(1 + KEY_LEN + json.len());
    value.push(BY_REFERENCE);
    value.extend_from_slice(&key);
    value.extend_from_slice(&json);
    Ok(value)
}

/// Decodes a value of `screenings` (either layout) under `key`; `set`
/// reads a set of `list_sets` by its key (through the writer's batch when
/// the writer reads).
///
/// # Errors
/// [`StoreError::Corrupt`] when the value or its set does not decode or
/// the set is missing; read failures.
pub(super) fn decode_screening<R: CitesLists>(
    cache: &SetCache,
    key: &[u8],
    value: &[u8],
    set: impl FnOnce(&[u8]) -> Result<Option<Val>, StoreError>,
) -> Result<R, StoreError> {
    let Some((&BY_REFERENCE, rest)) = value.split_first() else {
        return decode(key, value);
    };
    let corrupt = |message: String| StoreError::Corrupt {
        key: super::keys::printable(key),
        message,
    };
    let (set_key, json) = rest
        .split_first_chunk::<KEY_LEN>()
        .ok_or_else(|| corrupt("a screening value too short for its list set key".into()))?;
    let mut record: R = decode(key, json)?;
    let versions = match cache.get(set_key) {
        Some(v) => v,
        None => {
            let bytes = set(set_key)?.ok_or_else(|| {
                corrupt(format!(
                    "the screening's list set {} is missing",
                    hex::encode(set_key)
                ))
            })?;
            let v: Arc<Vec<ListVersionRef>> = Arc::new(decode(set_key, &bytes)?);
            cache.put(*set_key, Arc::clone(&v));
            v
        }
    };
    *record.list_versions_mut() = versions.as_ref().clone();
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::ScreeningFacts;
    use crate::model::{ScreeningOutcome, Shipment};
    use crate::store::sled_store::txn::Trees;

    /// A value in the layout before this one: plain JSON.
    fn plain(r: &ScreeningRecord) -> Vec<u8> {
        serde_json::to_vec(r).unwrap()
    }

    fn trees() -> Trees {
        Trees::open(crate::store::kv::Db::temporary().unwrap()).unwrap()
    }

    fn record(versions: &[(&str, u64)]) -> ScreeningRecord {
        let mut r = ScreeningRecord {
            screening_id: "scr-1".into(),
            screened_at_unix_ms: 1,
            shipment: Shipment {
                reference: "R-1".into(),
                ..Shipment::default()
            },
            outcome: ScreeningOutcome::default(),
            engine_micros: 3,
            case_id: None,
            engine_decision: None,
            suppressed: Vec::new(),
            facts: ScreeningFacts::default(),
        };
        r.outcome.list_versions = versions
            .iter()
            .map(|(id, v)| ListVersionRef {
                list_id: (*id).into(),
                version: *v,
                checksum: format!("{id}-{v}-checksum"),
            })
            .collect();
        r
    }

    fn read<R: CitesLists>(t: &Trees, cache: &SetCache, k: &[u8], v: &[u8]) -> R {
        decode_screening(cache, k, v, |s| t.get(T::ListSets).get(s)).unwrap()
    }

    #[test]
    fn a_screening_reads_back_with_its_list_versions_and_a_set_is_stored_once() {
        let t = trees();
        let a = record(&[("ofac-sdn", 3), ("mtcr", 1)]);
        let b = record(&[("ofac-sdn", 4), ("mtcr", 1)]);
        let mut txn = Txn::new(&t);
        let mut values = Vec::new();
        for r in [&a, &a, &b] {
            let mut r = r.clone();
            values.push(encode_screening(&mut txn, &mut r).unwrap());
            // The caller's record is left as it was.
            assert!(!r.outcome.list_versions.is_empty());
        }
        txn.end_op(true);
        txn.commit().unwrap();
        assert_eq!(t.get(T::ListSets).len().unwrap(), 2, "two distinct sets");
        // The set is not repeated in the value.
        let text = String::from_utf8_lossy(&values[0]);
        assert!(!text.contains("ofac-sdn"), "{text}");
        assert!(values[0].len() < plain(&a).len());
        let cache = SetCache::default();
        for (v, want) in values.iter().zip([&a, &a, &b]) {
            let got: ScreeningRecord = read(&t, &cache, b"scr-1", v);
            assert_eq!(&got, want);
            let digest: ScreeningDigest = read(&t, &cache, b"scr-1", v);
            assert_eq!(digest.outcome.list_versions, want.outcome.list_versions);
        }
    }

    #[test]
    fn the_writer_skips_the_look_up_only_for_a_set_made_durable() {
        let t = trees();
        let a = record(&[("ofac-sdn", 3), ("mtcr", 1)]);
        // A batch that is dropped (failed) writes nothing and remembers
        // nothing: the next batch writes the set again.
        let mut txn = Txn::new(&t);
        encode_screening(&mut txn, &mut a.clone()).unwrap();
        txn.end_op(false);
        drop(txn);
        assert_eq!(t.sets.stored_key(&a.outcome.list_versions), None);
        let mut txn = Txn::new(&t);
        encode_screening(&mut txn, &mut a.clone()).unwrap();
        txn.end_op(true);
        let hooks = txn.commit().unwrap();
        assert_eq!(t.get(T::ListSets).len().unwrap(), 1);
        assert_eq!(
            t.sets.stored_key(&a.outcome.list_versions),
            None,
            "not before durable"
        );
        for h in hooks {
            h();
        }
        let key = t.sets.stored_key(&a.outcome.list_versions);
        assert_eq!(key, Some(key_of(&a.outcome.list_versions)));
        // Another set is not taken for the remembered one.
        let b = record(&[("ofac-sdn", 4), ("mtcr", 1)]);
        assert_eq!(t.sets.stored_key(&b.outcome.list_versions), None);
        let mut txn = Txn::new(&t);
        let value = encode_screening(&mut txn, &mut b.clone()).unwrap();
        txn.end_op(true);
        txn.commit().unwrap();
        assert_eq!(t.get(T::ListSets).len().unwrap(), 2);
        let got: ScreeningRecord = read(&t, &SetCache::default(), b"scr-1", &value);
        assert_eq!(got, b);
    }

    #[test]
    fn a_plain_json_value_still_reads_and_a_missing_set_is_reported() {
        let t = trees();
        let a = record(&[("un-sc", 2)]);
        let cache = SetCache::default();
        let got: ScreeningRecord = read(&t, &cache, b"scr-1", &plain(&a));
        assert_eq!(got, a);
        // A reference to a set the database lacks is corruption, named.
        let mut txn = Txn::new(&t);
        let value = encode_screening(&mut txn, &mut a.clone()).unwrap();
        drop(txn);
        let err = decode_screening::<ScreeningRecord>(&cache, b"scr-1", &value, |s| {
            t.get(T::ListSets).get(s)
        })
        .unwrap_err();
        assert!(
            matches!(&err, StoreError::Corrupt { message, .. } if message.contains("list set")),
            "{err:?}"
        );
    }
}
