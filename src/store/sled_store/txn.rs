//! The trees of the database, and [`Txn`]: the view through which the
//! writer's operations read and write during one group commit.
//!
//! Only the writer thread writes, so an operation can read the database
//! directly and buffer its writes: a `Txn` reads an operation's own
//! writes first, then those of the operations before it in the same batch,
//! then the database. An operation that fails leaves nothing behind (its
//! buffer is dropped); the writes of every operation that succeeded are
//! committed together in one atomic batch of the engine ([`Db::apply`]:
//! atomic across trees), then flushed once.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use sled::IVec;

use super::keys;
use super::list_sets::SetCache;
use crate::store::StoreError;
use crate::store::kv::{Db, Tree, Val};

/// Every tree of the database. The discriminant indexes [`Trees`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum T {
    /// list id -> current version.
    Lists,
    /// list version -> metadata.
    Versions,
    /// list version -> content.
    Contents,
    /// list version -> how it came to be.
    Changes,
    /// list version -> re-screening summary.
    Rescreens,
    /// screening, list version -> case opened by the change.
    ChangeCases,
    /// case id -> cause and findings of a list-change case.
    CaseCauses,
    /// screening id -> screening (its list versions by reference: see
    /// [`super::list_sets`]).
    Screenings,
    /// set key -> list versions cited by screenings.
    ListSets,
    /// exporter, request id -> screening (idempotency).
    Idempotency,
    /// time, idempotency key -> (): expiry.
    IdempotencyByTime,
    /// case id -> case.
    Cases,
    /// case id, seq -> member (a screening of the case).
    CaseMembers,
    /// screening id, case id -> seq.
    ScreeningCases,
    /// exporter + reference -> active case id.
    OpenCases,
    /// status, priority, age, id -> case summary.
    CaseQueue,
    /// suppression id -> suppression.
    Suppressions,
    /// party key, list, entry -> active suppression id.
    SuppressionIndex,
    /// party key, list, entry, case id -> (): OPEN cases whose only open
    /// findings are that party against that entry (bulk "not a match").
    SoleMatchCases,
    /// history key -> party history.
    PartyHistory,
    /// seq -> audit record.
    Audit,
    /// `head` -> last sequence number and hash.
    AuditHead,
    /// token id -> token.
    Tokens,
    /// secret hash -> token id.
    TokenHashes,
    /// webhook id -> subscription.
    Webhooks,
    /// webhook id, delivery id -> delivery.
    WebhookDeliveries,
    /// webhook id, delivery id -> (): the deliveries still pending.
    WebhookPending,
    /// webhook id -> number of stored deliveries (u64, big-endian).
    WebhookCounts,
    /// `schema` -> layout version.
    Meta,
}

impl T {
    /// Every tree with its name in the database.
    pub const ALL: [(T, &'static str); 29] = [
        (T::Lists, "lists"),
        (T::Versions, "list_versions"),
        (T::Contents, "list_contents"),
        (T::Changes, "list_changes"),
        (T::Rescreens, "list_rescreens"),
        (T::ChangeCases, "list_change_cases"),
        (T::CaseCauses, "case_causes"),
        (T::Screenings, "screenings"),
        (T::ListSets, "list_sets"),
        (T::Idempotency, "idempotency"),
        (T::IdempotencyByTime, "idempotency_by_time"),
        (T::Cases, "cases"),
        (T::CaseMembers, "case_members"),
        (T::ScreeningCases, "screening_cases"),
        (T::OpenCases, "open_cases"),
        (T::CaseQueue, "case_queue"),
        (T::Suppressions, "suppressions"),
        (T::SuppressionIndex, "suppression_index"),
        (T::SoleMatchCases, "sole_match_cases"),
        (T::PartyHistory, "party_history"),
        (T::Audit, "audit"),
        (T::AuditHead, "audit_head"),
        (T::Tokens, "tokens"),
        (T::TokenHashes, "token_hashes"),
        (T::Webhooks, "webhooks"),
        (T::WebhookDeliveries, "webhook_deliveries"),
        (T::WebhookPending, "webhook_pending"),
        (T::WebhookCounts, "webhook_counts"),
        (T::Meta, "meta"),
    ];
}

/// The database and its trees. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Trees {
    /// The database (batches, flushes, ids).
    pub db: Db,
    trees: Vec<Tree>,
    /// The list-version sets read so far.
    pub sets: Arc<SetCache>,
}

impl Trees {
    /// Opens every tree of `db`.
    ///
    /// # Errors
    /// [`StoreError`] when a tree cannot be opened.
    pub fn open(db: Db) -> Result<Trees, StoreError> {
        let mut trees = Vec::with_capacity(T::ALL.len());
        for (i, (t, name)) in T::ALL.iter().enumerate() {
            debug_assert_eq!(*t as usize, i, "T::ALL is in declaration order");
            trees.push(db.open_tree(name)?);
        }
        Ok(Trees {
            db,
            trees,
            sets: Arc::default(),
        })
    }

    /// One tree.
    pub fn get(&self, t: T) -> &Tree {
        &self.trees[t as usize]
    }
}

/// Decodes a JSON value, naming the key when it is corrupt.
pub fn decode<V: DeserializeOwned>(key: &[u8], value: &[u8]) -> Result<V, StoreError> {
    serde_json::from_slice(value).map_err(|e| StoreError::Corrupt {
        key: keys::printable(key),
        message: e.to_string(),
    })
}

/// Encodes a value as JSON.
pub fn encode<V: Serialize + ?Sized>(what: &'static str, value: &V) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|cause| StoreError::Encode { what, cause })
}

type Writes = HashMap<T, HashMap<Vec<u8>, Option<IVec>>>;

/// One tree's writes of a batch: keys with their value, `None` to remove.
type TreeWrites = (T, Vec<(Vec<u8>, Option<IVec>)>);

/// Something to do once a batch is durable (update an in-memory cache).
pub type Hook = Box<dyn FnOnce() + Send>;

/// The writer's view of the database during one batch (see the module
/// documentation).
pub struct Txn<'a> {
    trees: &'a Trees,
    batch: Writes,
    op: Writes,
    op_hooks: Vec<Hook>,
    hooks: Vec<Hook>,
    bytes: usize,
}

impl<'a> Txn<'a> {
    /// An empty batch over `trees`.
    pub fn new(trees: &'a Trees) -> Txn<'a> {
        Txn {
            trees,
            batch: HashMap::new(),
            op: HashMap::new(),
            op_hooks: Vec::new(),
            hooks: Vec::new(),
            bytes: 0,
        }
    }

    /// The value under `key`, as the current operation sees it.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    pub fn get(&self, t: T, key: &[u8]) -> Result<Option<Val>, StoreError> {
        for layer in [&self.op, &self.batch] {
            if let Some(v) = layer.get(&t).and_then(|m| m.get(key)) {
                return Ok(v.clone().map(Val::Sled));
            }
        }
        self.trees.get(t).get(key)
    }

    /// A JSON value under `key`.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when it does not decode; read failures.
    pub fn get_json<V: DeserializeOwned>(&self, t: T, key: &[u8]) -> Result<Option<V>, StoreError> {
        match self.get(t, key)? {
            Some(v) => Ok(Some(decode(key, &v)?)),
            None => Ok(None),
        }
    }

    /// Writes `value` under `key`.
    pub fn insert(&mut self, t: T, key: impl Into<Vec<u8>>, value: impl Into<IVec>) {
        let value = value.into();
        self.bytes += value.len();
        self.op
            .entry(t)
            .or_default()
            .insert(key.into(), Some(value));
    }

    /// Writes a value as JSON under `key`.
    ///
    /// # Errors
    /// [`StoreError::Encode`] when it cannot be encoded.
    pub fn put_json<V: Serialize + ?Sized>(
        &mut self,
        t: T,
        key: impl Into<Vec<u8>>,
        what: &'static str,
        value: &V,
    ) -> Result<(), StoreError> {
        let bytes = encode(what, value)?;
        self.insert(t, key, bytes);
        Ok(())
    }

    /// Removes `key`.
    pub fn remove(&mut self, t: T, key: impl Into<Vec<u8>>) {
        self.op.entry(t).or_default().insert(key.into(), None);
    }

    /// A fresh number from the database's monotonic generator.
    ///
    /// # Errors
    /// [`StoreError`] when the generator fails.
    pub fn next_id(&self) -> Result<u64, StoreError> {
        self.trees.db.generate_id()
    }

    /// The database's trees, for reads the view does not cover (range
    /// scans of what earlier batches committed).
    pub fn trees(&self) -> &Trees {
        self.trees
    }

    /// Runs `hook` once the batch is durable, if the current operation
    /// succeeds.
    pub fn after_commit(&mut self, hook: Hook) {
        self.op_hooks.push(hook);
    }

    /// Ends the current operation: keeps its writes for the batch when it
    /// succeeded, drops them when it failed.
    pub fn end_op(&mut self, keep: bool) {
        let op = std::mem::take(&mut self.op);
        let hooks = std::mem::take(&mut self.op_hooks);
        if keep {
            for (t, writes) in op {
                self.batch.entry(t).or_default().extend(writes);
            }
            self.hooks.extend(hooks);
        }
    }

    /// Bytes written so far (values), a measure of the batch's size.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Commits the batch's writes in one atomic batch of the engine;
    /// returns the hooks to run once it is flushed.
    ///
    /// # Errors
    /// [`StoreError`] when the batch fails; nothing is written then.
    pub fn commit(mut self) -> Result<Vec<Hook>, StoreError> {
        self.end_op(false);
        let hooks = std::mem::take(&mut self.hooks);
        if self.batch.is_empty() {
            return Ok(hooks);
        }
        let mut groups: Vec<TreeWrites> = self
            .batch
            .drain()
            .map(|(t, writes)| (t, writes.into_iter().collect()))
            .collect();
        groups.sort_by_key(|(t, _)| *t);
        let groups: Vec<_> = groups
            .into_iter()
            .map(|(t, writes)| (self.trees.get(t), writes))
            .collect();
        self.trees.db.apply(&groups)?;
        Ok(hooks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trees() -> Trees {
        Trees::open(Db::temporary().unwrap()).unwrap()
    }

    #[test]
    fn an_operation_sees_its_own_and_earlier_writes_and_a_failed_one_leaves_nothing() {
        let t = trees();
        t.get(T::Meta).insert(b"a", b"db").unwrap();
        let mut txn = Txn::new(&t);
        assert_eq!(txn.get(T::Meta, b"a").unwrap().as_deref(), Some(&b"db"[..]));
        txn.insert(T::Meta, b"a".to_vec(), b"op1".as_slice());
        assert_eq!(
            txn.get(T::Meta, b"a").unwrap().as_deref(),
            Some(&b"op1"[..])
        );
        txn.end_op(true);
        // The next operation sees the first one's write, then fails.
        assert_eq!(
            txn.get(T::Meta, b"a").unwrap().as_deref(),
            Some(&b"op1"[..])
        );
        txn.remove(T::Meta, b"a".to_vec());
        txn.insert(T::Meta, b"b".to_vec(), b"lost".as_slice());
        assert_eq!(txn.get(T::Meta, b"a").unwrap(), None);
        txn.end_op(false);
        assert_eq!(
            txn.get(T::Meta, b"a").unwrap().as_deref(),
            Some(&b"op1"[..])
        );
        assert_eq!(txn.get(T::Meta, b"b").unwrap(), None);
        // Nothing reaches the database before the commit.
        assert_eq!(
            t.get(T::Meta).get(b"a").unwrap().as_deref(),
            Some(&b"db"[..])
        );
        txn.commit().unwrap();
        assert_eq!(
            t.get(T::Meta).get(b"a").unwrap().as_deref(),
            Some(&b"op1"[..])
        );
        assert_eq!(t.get(T::Meta).get(b"b").unwrap(), None);
    }

    #[test]
    fn hooks_run_only_for_operations_that_succeeded() {
        let t = trees();
        let mut txn = Txn::new(&t);
        txn.after_commit(Box::new(|| {}));
        txn.end_op(true);
        txn.after_commit(Box::new(|| panic!("a failed operation's hook ran")));
        txn.end_op(false);
        let hooks = txn.commit().unwrap();
        assert_eq!(hooks.len(), 1);
        for h in hooks {
            h();
        }
    }
}
