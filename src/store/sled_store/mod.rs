//! The embedded backend ([`SledStore`] implements [`Store`]; the name is
//! historical): its trees, keys, writer and readers, over the key-value
//! interface of [`crate::store::kv`], which runs on fjall (the engine of
//! new data directories) or sled (data directories created before fjall,
//! which keep opening with sled). Every engine call of the crate lives in
//! `store/kv`.
//!
//! Reads go straight to the trees (from the caller's thread: the service
//! layer runs them on the blocking pool). Writes go to the one writer
//! thread ([`writer`]), which applies them in group commits. Tokens are
//! also kept in memory, so the access check of every call never waits for
//! the disk.
//!
//! # Trees
//!
//! | tree | key | value |
//! |---|---|---|
//! | `lists` | list id | current version (u64 big-endian) |
//! | `list_versions` | list id, 0x00, version (big-endian) | [`ListMeta`] (JSON) |
//! | `list_contents` | same as `list_versions` | [`ListContent`] (JSON) |
//! | `list_changes` | same as `list_versions` | [`VersionChange`] (JSON) |
//! | `list_rescreens` | same as `list_versions` | [`RescreenSummary`] (JSON) |
//! | `list_change_cases` | screening id, 0x00, list id, 0x00, version | case id opened by re-screening |
//! | `case_causes` | case id | cause and findings of a list-change case (JSON) |
//! | `screenings` | screening id | [`ScreeningRecord`]: 0x01, its list set's key (16 bytes), then JSON without the list versions; or plain JSON (layout 2) |
//! | `list_sets` | set key (truncated SHA-256 of the set) | the list versions screenings cite (JSON) |
//! | `idempotency` | exporter, request id ([`keys::idempotency_key`]) | screening id, time, shipment fingerprint (JSON) |
//! | `idempotency_by_time` | time, idempotency key | (empty): expiry |
//! | `cases` | case id | [`CaseRecord`] (JSON) |
//! | `case_members` | case id, 0x00, seq (u32 big-endian) | [`CaseMember`] (JSON) |
//! | `screening_cases` | screening id, 0x00, case id | seq (u32 big-endian) |
//! | `open_cases` | exporter + reference ([`keys::case_index_key`]) | id of the active case |
//! | `case_queue` | status, priority, age, case id ([`keys::queue_key`]) | [`CaseSummary`](crate::cases::CaseSummary) (JSON) |
//! | `suppressions` | suppression id | [`Suppression`] (JSON) |
//! | `suppression_index` | party key, list id, entry id | id of the active suppression |
//! | `sole_match_cases` | party key, list id, entry id ([`keys::suppression_index_key`]), 0x00, case id | (empty): OPEN cases whose only open findings are that match |
//! | `party_history` | history key | [`PartyHistory`] (JSON) |
//! | `audit` | sequence number (u64 big-endian) | [`AuditRecord`] (JSON, hash-chained) |
//! | `audit_head` | `head` | last sequence number and hash |
//! | `tokens` | token id | [`TokenRecord`] (JSON) |
//! | `token_hashes` | SHA-256 of the secret | token id |
//! | `webhooks` | webhook id | [`WebhookRecord`] (JSON, with its signing secret) |
//! | `webhook_deliveries` | webhook id, 0x00, delivery id | [`DeliveryRecord`] (JSON) |
//! | `meta` | `schema` | layout version (u32 big-endian; see [`migrate`]) |
//!
//! # Durability
//!
//! Every write is one operation of a batch; a batch is one atomic batch of
//! the engine (a sled transaction, a fjall write batch: a crash never
//! leaves half a version or a screening whose case is missing) followed by
//! one synchronous flush, before any of its operations is answered.

mod audit;
mod cases;
pub mod keys;
mod list_cases;
mod list_sets;
mod lists;
mod migrate;
mod screenings;
mod tokens;
pub(crate) mod txn;
mod webhooks;
mod writer;

#[cfg(test)]
pub(crate) mod tests;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use self::txn::{T, Trees, decode};
use self::writer::Writer;
use super::audit::{AuditRecord, ChainCheck, NewAudit};
pub use super::kv::Engine;
use super::kv::{Db, Tree};
use super::tokens::{NewToken, TokenRecord};
use super::webhooks::{DeliveryRecord, WebhookRecord};
use super::{
    Ack, AckSender, CaseCommand, CasePage, CaseUpdate, IntakePlanner, NewListChangeCase,
    NewListVersion, NewScreening, Recorded, RescreenSummary, ScreeningDigest, ScreeningRecord,
    Store, StoreError, VersionChange, WriterHealth,
};
use crate::cases::{
    CaseFilter, CaseMember, CaseRecord, ListChangeCase, MatchKey, PartyHistory, Suppression,
};
use crate::engine::LoadedList;
use crate::ids::{Actor, CaseId, ScreeningId, SuppressionId, WebhookId};
use crate::model::{ListContent, ListMeta};
use tracing::info;

/// How long [`SledStore::open`] waits for a database locked by this
/// process's previous handle to be released.
const LOCK_WAIT: Duration = Duration::from_secs(3);

/// Tokens by the hash of their secret (the in-memory copy).
type TokenCache = Arc<RwLock<HashMap<[u8; 32], TokenRecord>>>;

#[derive(Debug)]
struct Inner {
    trees: Trees,
    writer: Writer,
    tokens: TokenCache,
}

/// The embedded database (fjall or sled, see the module documentation).
/// Cheap to clone (all handles share one writer).
#[derive(Clone, Debug)]
pub struct SledStore {
    inner: Arc<Inner>,
}

impl SledStore {
    /// Opens (or creates) the database in directory `path`, bringing an
    /// older layout up to date ([`migrate`]).
    ///
    /// # Errors
    /// [`StoreError::Open`] when the engine cannot open it (locked by
    /// another process, unreadable, incompatible version).
    pub fn open(path: impl AsRef<Path>) -> Result<SledStore, StoreError> {
        SledStore::open_waiting(path.as_ref(), LOCK_WAIT)
    }

    /// [`SledStore::open`], waiting at most `wait` for the file lock.
    fn open_waiting(path: &Path, wait: Duration) -> Result<SledStore, StoreError> {
        // The engine's background threads may hold the file lock for a
        // moment after the last handle of a previous open is dropped (a
        // server restarted in the same process); another process keeps it
        // for good.
        let deadline = Instant::now() + wait;
        let db = loop {
            match Db::open(path) {
                Ok(db) => break db,
                Err(e) if e.locked && Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(cause) => {
                    return Err(StoreError::Open {
                        path: path.to_path_buf(),
                        locked: cause.locked,
                        message: cause.message,
                    });
                }
            }
        };
        info!(path = %path.display(), engine = db.engine().name(), "database opened");
        SledStore::from_db(db)
    }

    /// A database in a temporary directory, deleted when the last handle
    /// is dropped (tests, dry runs).
    ///
    /// # Errors
    /// [`StoreError`] when the temporary files cannot be created.
    pub fn temporary() -> Result<SledStore, StoreError> {
        SledStore::from_db(Db::temporary()?)
    }

    /// [`SledStore::temporary`] with the given engine (tests that cover
    /// both engines).
    ///
    /// # Errors
    /// [`StoreError`] when the temporary files cannot be created.
    pub fn temporary_with(engine: Engine) -> Result<SledStore, StoreError> {
        SledStore::from_db(Db::temporary_with(engine)?)
    }

    /// The storage engine of this database.
    pub fn engine(&self) -> Engine {
        self.inner.trees.db.engine()
    }

    fn from_db(db: Db) -> Result<SledStore, StoreError> {
        let trees = Trees::open(db)?;
        migrate::migrate(&trees)?;
        let tokens = Arc::new(RwLock::new(tokens::load(&trees)?));
        let writer = Writer::start(trees.clone())?;
        Ok(SledStore {
            inner: Arc::new(Inner {
                trees,
                writer,
                tokens,
            }),
        })
    }

    fn tree(&self, t: T) -> &Tree {
        self.inner.trees.get(t)
    }

    /// A JSON value of tree `t`, `None` when absent.
    fn read<V: serde::de::DeserializeOwned>(
        &self,
        t: T,
        key: &[u8],
    ) -> Result<Option<V>, StoreError> {
        match self.tree(t).get(key)? {
            Some(v) => Ok(Some(decode(key, &v)?)),
            None => Ok(None),
        }
    }

    /// A JSON value of tree `t`, NOT_FOUND (`what`, `id`) when absent.
    fn read_found<V: serde::de::DeserializeOwned>(
        &self,
        t: T,
        key: &[u8],
        what: &'static str,
        id: &str,
    ) -> Result<V, StoreError> {
        self.read(t, key)?.ok_or_else(|| StoreError::NotFound {
            what,
            id: id.to_string(),
        })
    }

    /// Overwrites a stored audit record as is (tests of tamper detection
    /// only; bypasses the writer).
    ///
    /// # Errors
    /// [`StoreError`] when the write fails.
    #[doc(hidden)]
    pub fn tamper_audit_for_tests(&self, rec: &AuditRecord) -> Result<(), StoreError> {
        let v = txn::encode("audit record", rec)?;
        self.tree(T::Audit).insert(&rec.seq.to_be_bytes(), &v)?;
        self.inner.trees.db.flush()?;
        Ok(())
    }

    /// Writes raw bytes under a key of a tree by name, bypassing the
    /// writer (tests of stored formats and migrations only).
    ///
    /// # Errors
    /// [`StoreError`] for an unknown tree or a failed write.
    #[doc(hidden)]
    pub fn raw_insert_for_tests(
        &self,
        tree: &str,
        key: &[u8],
        value: &[u8],
    ) -> Result<(), StoreError> {
        let (t, _) = T::ALL
            .iter()
            .find(|(_, name)| *name == tree)
            .ok_or_else(|| StoreError::Backend(format!("no tree {tree}")))?;
        self.tree(*t).insert(key, value)?;
        self.inner.trees.db.flush()?;
        Ok(())
    }

    /// Holds the writer: while the returned guard lives, the writer does
    /// not start its next batch (tests of the watchdog only).
    #[doc(hidden)]
    pub fn pause_writer_for_tests(&self) -> WriterPause {
        let (release, rx) = std::sync::mpsc::channel::<()>();
        let (started, started_rx) = std::sync::mpsc::channel::<()>();
        let ack = self.inner.writer.submit(move |_txn| {
            let _ = started.send(());
            let _ = rx.recv();
            Ok::<_, StoreError>(())
        });
        let _ = started_rx.recv_timeout(Duration::from_secs(10));
        WriterPause {
            release: Some(release),
            ack: Some(ack),
        }
    }
}

/// A paused writer ([`SledStore::pause_writer_for_tests`]); dropping it
/// releases the writer.
#[derive(Debug)]
pub struct WriterPause {
    release: Option<std::sync::mpsc::Sender<()>>,
    ack: Option<Ack<()>>,
}

impl WriterPause {
    /// Releases the writer and waits for the pausing write to commit.
    ///
    /// # Errors
    /// The commit's error.
    pub async fn resume(mut self) -> Result<(), StoreError> {
        self.release.take();
        match self.ack.take() {
            Some(ack) => ack.await,
            None => Ok(()),
        }
    }
}

impl Drop for WriterPause {
    fn drop(&mut self) {
        self.release.take();
    }
}

impl Store for SledStore {
    fn record_screening_to(
        &self,
        new: NewScreening,
        plan: IntakePlanner,
        answer: AckSender<Recorded>,
    ) {
        self.inner
            .writer
            .submit_to(move |txn| screenings::record(txn, new, &plan), answer);
    }

    fn screening(&self, id: &ScreeningId) -> Result<ScreeningRecord, StoreError> {
        screenings::stored(self, id)?.ok_or_else(|| StoreError::NotFound {
            what: "screening",
            id: id.to_string(),
        })
    }

    fn idempotent(
        &self,
        exporter: &str,
        request_id: &str,
        now_unix_ms: i64,
    ) -> Result<Option<(ScreeningRecord, String)>, StoreError> {
        screenings::idempotent(self, exporter, request_id, now_unix_ms)
    }

    fn screenings_since(&self, since_unix_ms: i64) -> Result<Vec<ScreeningDigest>, StoreError> {
        screenings::since(self, since_unix_ms)
    }

    fn update_case(
        &self,
        case_id: &CaseId,
        actor: &Actor,
        at: i64,
        command: CaseCommand,
    ) -> Ack<CaseUpdate, crate::Error> {
        let (case_id, actor) = (case_id.clone(), actor.clone());
        self.inner
            .writer
            .submit(move |txn| cases::update(txn, &case_id, &actor, at, &command))
    }

    fn case(&self, id: &CaseId) -> Result<CaseRecord, StoreError> {
        self.read_found(T::Cases, id.as_bytes(), "case", id.as_str())
    }

    fn case_members(
        &self,
        id: &CaseId,
        after: u32,
        limit: usize,
    ) -> Result<Vec<CaseMember>, StoreError> {
        cases::members(self, id, after, limit)
    }

    fn case_member(&self, id: &CaseId, screening: &ScreeningId) -> Result<Option<u32>, StoreError> {
        cases::member(self, id, screening)
    }

    fn open_case(&self, exporter: &str, reference: &str) -> Result<Option<CaseRecord>, StoreError> {
        cases::open_case(self, exporter, reference)
    }

    fn list_cases(
        &self,
        filter: &CaseFilter,
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<CasePage, StoreError> {
        cases::list(self, filter, after, limit)
    }

    fn all_cases(&self) -> Result<Vec<CaseRecord>, StoreError> {
        self.tree(T::Cases)
            .iter()
            .map(|kv| {
                let (k, v) = kv?;
                decode(&k, &v)
            })
            .collect()
    }

    fn open_case_count(&self) -> Result<u64, StoreError> {
        cases::open_count(self)
    }

    fn sole_match_cases(&self, key: &MatchKey, limit: usize) -> Result<Vec<CaseId>, StoreError> {
        cases::sole_match_cases(self, key, limit)
    }

    fn open_list_change_case(&self, new: NewListChangeCase) -> Ack<Option<ListChangeCase>> {
        self.inner
            .writer
            .submit(move |txn| list_cases::open(txn, new))
    }

    fn list_change_case(&self, id: &CaseId) -> Result<ListChangeCase, StoreError> {
        list_cases::get(self, id)
    }

    fn list_change_cases_of(
        &self,
        screening: &ScreeningId,
    ) -> Result<Vec<(String, u64, CaseId)>, StoreError> {
        list_cases::of_screening(self, screening)
    }

    fn active_suppression(
        &self,
        party_key: &str,
        list_id: &str,
        entry_id: &str,
    ) -> Result<Option<Suppression>, StoreError> {
        cases::active_suppression(self, party_key, list_id, entry_id)
    }

    fn suppression(&self, id: &SuppressionId) -> Result<Suppression, StoreError> {
        self.read_found(T::Suppressions, id.as_bytes(), "suppression", id.as_str())
    }

    fn new_suppression_id(&self) -> Result<SuppressionId, StoreError> {
        Ok(SuppressionId::from_seq(self.inner.trees.db.generate_id()?))
    }

    fn party_history(&self, key: &str) -> Result<Option<PartyHistory>, StoreError> {
        self.read(T::PartyHistory, key.as_bytes())
    }

    fn put_list_versions(&self, versions: Vec<NewListVersion>) -> Ack<()> {
        let prepared = match lists::prepare(versions) {
            Ok(p) => p,
            Err(e) => return Ack::ready(Err(e)),
        };
        self.inner
            .writer
            .submit(move |txn| lists::put(txn, prepared))
    }

    fn list_ids(&self) -> Result<Vec<String>, StoreError> {
        lists::ids(self)
    }

    fn current_version(&self, list_id: &str) -> Result<Option<u64>, StoreError> {
        lists::current_version(self, list_id)
    }

    fn latest_version(&self, list_id: &str) -> Result<u64, StoreError> {
        lists::latest_version(self, list_id)
    }

    fn list_meta(&self, list_id: &str, version: u64) -> Result<ListMeta, StoreError> {
        let key = keys::version_key(list_id, version);
        self.read_found(
            T::Versions,
            &key,
            "list version",
            &format!("{list_id}@{version}"),
        )
    }

    fn list_history(&self, list_id: &str) -> Result<Vec<ListMeta>, StoreError> {
        self.tree(T::Versions)
            .scan_prefix(keys::version_prefix(list_id))
            .map(|kv| {
                let (k, v) = kv?;
                decode(&k, &v)
            })
            .collect()
    }

    fn list_content(&self, list_id: &str, version: u64) -> Result<ListContent, StoreError> {
        let key = keys::version_key(list_id, version);
        self.read_found(
            T::Contents,
            &key,
            "list content",
            &format!("{list_id}@{version}"),
        )
    }

    fn load_current_lists(&self) -> Result<Vec<LoadedList>, StoreError> {
        lists::load_current(self)
    }

    fn version_change(
        &self,
        list_id: &str,
        version: u64,
    ) -> Result<Option<VersionChange>, StoreError> {
        self.read(T::Changes, &keys::version_key(list_id, version))
    }

    fn put_rescreen(&self, summary: RescreenSummary) -> Ack<()> {
        self.inner.writer.submit(move |txn| {
            let key = keys::version_key(&summary.list_id, summary.version);
            txn.put_json(T::Rescreens, key, "re-screening summary", &summary)
        })
    }

    fn rescreen(&self, list_id: &str, version: u64) -> Result<Option<RescreenSummary>, StoreError> {
        self.read(T::Rescreens, &keys::version_key(list_id, version))
    }

    fn append_audit(&self, new: NewAudit, at_unix_ms: i64) -> Ack<AuditRecord> {
        self.inner
            .writer
            .submit(move |txn| audit::append(txn, new, at_unix_ms))
    }

    fn audit_range(
        &self,
        from_unix_ms: i64,
        to_unix_ms: i64,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        audit::range(self, from_unix_ms, to_unix_ms)
    }

    fn verify_audit(&self) -> Result<ChainCheck, StoreError> {
        audit::verify(self)
    }

    fn insert_token(&self, hash: [u8; 32], new: NewToken, now_unix_ms: i64) -> Ack<TokenRecord> {
        let cache = Arc::clone(&self.inner.tokens);
        self.inner
            .writer
            .submit(move |txn| tokens::insert(txn, &cache, hash, new, now_unix_ms))
    }

    fn revoke_token(&self, token_id: &str, now_unix_ms: i64) -> Ack<TokenRecord> {
        let cache = Arc::clone(&self.inner.tokens);
        let token_id = token_id.to_string();
        self.inner
            .writer
            .submit(move |txn| tokens::revoke(txn, &cache, &token_id, now_unix_ms))
    }

    fn token_by_hash(&self, hash: &[u8; 32]) -> Result<Option<TokenRecord>, StoreError> {
        let cache = self.inner.tokens.read().unwrap_or_else(|p| p.into_inner());
        Ok(cache.get(hash).cloned())
    }

    fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        self.tree(T::Tokens)
            .iter()
            .map(|kv| {
                let (k, v) = kv?;
                decode(&k, &v)
            })
            .collect()
    }

    fn insert_webhook(&self, record: WebhookRecord) -> Ack<()> {
        self.inner
            .writer
            .submit(move |txn| webhooks::insert(txn, &record))
    }

    fn delete_webhook(&self, id: &WebhookId) -> Ack<WebhookRecord> {
        let id = id.clone();
        self.inner
            .writer
            .submit(move |txn| webhooks::delete(txn, &id))
    }

    fn webhooks(&self) -> Result<Vec<WebhookRecord>, StoreError> {
        webhooks::all(self)
    }

    fn put_delivery(&self, delivery: DeliveryRecord, keep: usize) -> Ack<bool> {
        self.inner
            .writer
            .submit(move |txn| webhooks::put_delivery(txn, &delivery, keep))
    }

    fn deliveries(&self, id: &WebhookId, limit: usize) -> Result<Vec<DeliveryRecord>, StoreError> {
        webhooks::deliveries(self, id, limit)
    }

    fn pending_deliveries(&self) -> Result<Vec<DeliveryRecord>, StoreError> {
        webhooks::pending(self)
    }

    fn next_webhook_seq(&self) -> Result<u64, StoreError> {
        self.inner.trees.db.generate_id()
    }

    fn writer_health(&self) -> WriterHealth {
        self.inner.writer.health()
    }

    fn close(&self) -> Ack<()> {
        self.inner.writer.close()
    }
}
