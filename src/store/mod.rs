//! Storage: lists and their versions, screenings, cases, suppressions,
//! party histories, the audit trail, access tokens and webhook
//! subscriptions with their deliveries, behind one trait,
//! [`Store`]. The rest of the crate sees only this trait and the records of
//! [`records`]; the embedded default backend is [`SledStore`] (in
//! `store/sled_store/`, over the key-value engines of [`kv`]: fjall for new
//! data directories, sled for those created before), and another backend (PostgreSQL, not built yet)
//! will implement the same trait without touching the engine, cases or API code.
//!
//! # The contract
//!
//! - **Reads** are synchronous and may wait for the disk: call them off the
//!   async workers (the service layer runs them on the blocking pool). The
//!   one exception is [`Store::token_by_hash`], which every call's access
//!   check makes on the async workers: it must answer from memory.
//! - **Writes** never block the caller: each is handed to the backend and
//!   answered by an [`Ack`], a future that resolves once the write is
//!   durable (or refused). Each write is atomic: a screening with its case,
//!   membership, audit record and idempotency key; a case command with its
//!   suppressions, histories and audit records; a list version with its
//!   audit record. An answer to a client leaves only after its write's
//!   `Ack`.
//! - **Atomic decisions** that depend on what is stored (which case a
//!   screening joins, whether an officer's command is allowed) are made
//!   inside the write by a planner the caller passes ([`IntakePlanner`],
//!   [`CaseCommand`], [`ListChangePlanner`]): the store applies the plan and
//!   never calls into the case workflow itself.
//! - **Cost per screening is independent of history**: recording a
//!   screening reads and writes a bounded number of small records whatever
//!   the size of its case (a case's screenings are their own records,
//!   [`crate::cases::CaseMember`], read a page at a time).

pub mod audit;
mod error;
pub mod kv;
pub mod records;
pub mod sled_store;
pub mod tokens;
pub mod webhooks;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::sync::oneshot;

pub use crate::cases::{CasePriority, CaseRecord, CaseStatus};
pub use error::StoreError;
pub use records::{
    CaseCommand, CasePage, CaseUpdate, CitedEntry, IDEMPOTENCY_WINDOW_MS, IdempotencyKey,
    IntakePlanner, ListChangePlanner, NewListChangeCase, NewListVersion, NewScreening,
    OutcomeDigest, Recorded, RescreenSummary, ScreeningDigest, ScreeningRecord, VersionChange,
    WriterHealth,
};
pub use sled_store::SledStore;

use crate::cases::{CaseFilter, CaseMember, ListChangeCase, MatchKey, PartyHistory, Suppression};
use crate::engine::LoadedList;
use crate::ids::{CaseId, ScreeningId, SuppressionId};
use crate::model::{ListContent, ListKind, ListMeta};
use audit::{AuditRecord, ChainCheck, NewAudit};
use tokens::{NewToken, TokenRecord};

/// The store every service shares.
pub type SharedStore = Arc<dyn Store>;

/// The answer to a write: resolves once the write is durable (`Ok`) or
/// was refused (`Err`, nothing written). Await it on the async runtime, or
/// [`Ack::wait`] for it from a blocking context.
#[must_use = "a write is acknowledged only when its Ack resolves"]
#[derive(Debug)]
pub struct Ack<T, E = StoreError> {
    state: AckState<T, E>,
}

#[derive(Debug)]
enum AckState<T, E> {
    Waiting(oneshot::Receiver<Result<T, E>>),
    Ready(Option<Result<T, E>>),
}

/// The sending half of an [`Ack`], held by the backend until the write is
/// durable; or a function the answer is handed to ([`AckSender::to`]).
/// Dropped without an answer, it answers [`StoreError::WriterStopped`].
pub struct AckSender<T, E: From<StoreError> = StoreError>(Option<Answer<T, E>>);

/// Where an [`AckSender`] delivers.
enum Answer<T, E> {
    /// To the [`Ack`] awaiting it.
    Channel(oneshot::Sender<Result<T, E>>),
    /// To a function, called once on the thread that answers.
    Call(Box<dyn FnOnce(Result<T, E>) + Send>),
}

impl<T, E: From<StoreError>> std::fmt::Debug for AckSender<T, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let to = match &self.0 {
            Some(Answer::Channel(_)) => "ack",
            Some(Answer::Call(_)) => "function",
            None => "answered",
        };
        f.debug_tuple("AckSender").field(&to).finish()
    }
}

impl<T, E: From<StoreError>> AckSender<T, E> {
    /// A sender that hands the answer to `answer` (called once, on the
    /// storage thread that answers: keep it short). For callers that pass
    /// the answer on themselves, saving the hand-off through an [`Ack`].
    pub fn to(answer: impl FnOnce(Result<T, E>) + Send + 'static) -> AckSender<T, E> {
        AckSender(Some(Answer::Call(Box::new(answer))))
    }

    /// Answers the write (a writer gone before answering is not an error:
    /// the caller stopped waiting).
    pub fn send(mut self, result: Result<T, E>) {
        match self.0.take() {
            Some(Answer::Channel(tx)) => {
                let _ = tx.send(result);
            }
            Some(Answer::Call(f)) => f(result),
            None => {}
        }
    }
}

impl<T, E: From<StoreError>> Drop for AckSender<T, E> {
    fn drop(&mut self) {
        // A channel closes by itself (its Ack answers WriterStopped); a
        // function is told.
        if let Some(Answer::Call(f)) = self.0.take() {
            f(Err(gone()));
        }
    }
}

impl<T, E: From<StoreError>> Ack<T, E> {
    /// A pending answer and the sender that gives it.
    pub fn channel() -> (AckSender<T, E>, Ack<T, E>) {
        let (tx, rx) = oneshot::channel();
        (
            AckSender(Some(Answer::Channel(tx))),
            Ack {
                state: AckState::Waiting(rx),
            },
        )
    }

    /// An answer known at once (a write refused before it was submitted).
    pub fn ready(result: Result<T, E>) -> Ack<T, E> {
        Ack {
            state: AckState::Ready(Some(result)),
        }
    }

    /// Waits for the answer, blocking the thread: for synchronous callers
    /// (command-line tools, tests, blocking tasks). Never on an async
    /// worker in the server: `.await` it there.
    ///
    /// # Errors
    /// The write's error, or [`StoreError::WriterStopped`] when the writer
    /// went away without answering.
    pub fn wait(self) -> Result<T, E> {
        match self.state {
            AckState::Ready(r) => r.unwrap_or_else(|| Err(gone())),
            AckState::Waiting(rx) => {
                futures::executor::block_on(rx).unwrap_or_else(|_| Err(gone()))
            }
        }
    }
}

fn gone<E: From<StoreError>>() -> E {
    E::from(StoreError::WriterStopped(
        "the write was dropped without an answer".into(),
    ))
}

impl<T: Unpin, E: From<StoreError> + Unpin> Future for Ack<T, E> {
    type Output = Result<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        match &mut this.state {
            AckState::Ready(r) => Poll::Ready(r.take().unwrap_or_else(|| Err(gone()))),
            AckState::Waiting(rx) => match Pin::new(rx).poll(cx) {
                Poll::Ready(r) => Poll::Ready(r.unwrap_or_else(|_| Err(gone()))),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

/// Storage: see the module documentation for the contract.
pub trait Store: Send + Sync + std::fmt::Debug + 'static {
    // ---- screenings

    /// Records a screening with a new id, planning its case with `plan`
    /// against the shipment's active case as stored at that moment, ending
    /// the suppressions found stale, appending its audit record and
    /// keeping its request id: all in one atomic write. A request id seen
    /// within [`IDEMPOTENCY_WINDOW_MS`] answers the screening recorded then
    /// ([`Recorded::replayed`]) and writes nothing, or
    /// [`StoreError::RequestIdReused`] when that one was another shipment.
    fn record_screening(&self, new: NewScreening, plan: IntakePlanner) -> Ack<Recorded> {
        let (answer, ack) = Ack::channel();
        self.record_screening_to(new, plan, answer);
        ack
    }

    /// [`Store::record_screening`], answering through `answer` (built with
    /// [`AckSender::to`] by a caller on a worker thread that passes the
    /// answer on itself: one thread hand-off fewer per screening).
    fn record_screening_to(
        &self,
        new: NewScreening,
        plan: IntakePlanner,
        answer: AckSender<Recorded>,
    );

    /// A stored screening.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown id.
    fn screening(&self, id: &ScreeningId) -> Result<ScreeningRecord, StoreError>;

    /// The screening an exporter's request id names, if it was recorded
    /// within [`IDEMPOTENCY_WINDOW_MS`] before `now_unix_ms`, with the
    /// fingerprint of its shipment.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn idempotent(
        &self,
        exporter: &str,
        request_id: &str,
        now_unix_ms: i64,
    ) -> Result<Option<(ScreeningRecord, String)>, StoreError>;

    /// The screenings made at or after `since_unix_ms`, newest first, as
    /// digests (re-screening).
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read or a record is corrupt.
    fn screenings_since(&self, since_unix_ms: i64) -> Result<Vec<ScreeningDigest>, StoreError>;

    // ---- cases

    /// Applies an officer's command to a case in one atomic write: the
    /// case, its queue entry, suppressions, party histories and audit
    /// records (actor `actor`, time `at`).
    ///
    /// # Errors
    /// The command's refusal, [`StoreError::NotFound`] for an unknown case,
    /// or a storage failure; nothing is written then.
    fn update_case(
        &self,
        case_id: &CaseId,
        actor: &crate::ids::Actor,
        at: i64,
        command: CaseCommand,
    ) -> Ack<CaseUpdate, crate::Error>;

    /// A stored case.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown id.
    fn case(&self, id: &CaseId) -> Result<CaseRecord, StoreError>;

    /// The screenings of a case after position `after` (0: from the
    /// first), at most `limit`, in joining order.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn case_members(
        &self,
        id: &CaseId,
        after: u32,
        limit: usize,
    ) -> Result<Vec<CaseMember>, StoreError>;

    /// The position of a screening in a case, `None` when it is not one of
    /// the case's.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn case_member(&self, id: &CaseId, screening: &ScreeningId) -> Result<Option<u32>, StoreError>;

    /// The active case of an exporter's shipment reference, if any.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn open_case(&self, exporter: &str, reference: &str) -> Result<Option<CaseRecord>, StoreError>;

    /// One page of the queue: cases passing `filter`, by priority (highest
    /// first) then age (oldest first), after cursor `after` (from a
    /// previous page), at most `limit` (at least 1).
    ///
    /// # Errors
    /// [`StoreError::InvalidCursor`] for a cursor this store did not hand
    /// out; read failures.
    fn list_cases(
        &self,
        filter: &CaseFilter,
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<CasePage, StoreError>;

    /// Every case, in creation order (reports).
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read or a case is corrupt.
    fn all_cases(&self) -> Result<Vec<CaseRecord>, StoreError>;

    /// OPEN cases whose only open findings are `key`'s party against its
    /// entry ([`CaseRecord::sole_match`]), at most `limit`, by case id.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn sole_match_cases(&self, key: &MatchKey, limit: usize) -> Result<Vec<CaseId>, StoreError>;

    /// Number of cases waiting for an officer (status OPEN).
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn open_case_count(&self) -> Result<u64, StoreError>;

    /// Opens a case for a stored screening a list change flags, with its
    /// audit record; `None` when the screening already has its case for
    /// this list version (re-running is harmless).
    fn open_list_change_case(&self, new: NewListChangeCase) -> Ack<Option<ListChangeCase>>;

    /// A case opened by a list change, with its cause and findings.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown id or a case with another cause.
    fn list_change_case(&self, id: &CaseId) -> Result<ListChangeCase, StoreError>;

    /// Cases that list changes opened for a screening: (list id, version,
    /// case id), in list and version order.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn list_change_cases_of(
        &self,
        screening: &ScreeningId,
    ) -> Result<Vec<(String, u64, CaseId)>, StoreError>;

    // ---- suppressions and party histories

    /// The active suppression of a party key against a list entry, if any.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn active_suppression(
        &self,
        party_key: &str,
        list_id: &str,
        entry_id: &str,
    ) -> Result<Option<Suppression>, StoreError>;

    /// A suppression by id (active or ended).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown id.
    fn suppression(&self, id: &SuppressionId) -> Result<Suppression, StoreError>;

    /// A fresh suppression id.
    ///
    /// # Errors
    /// [`StoreError`] when the id generator fails.
    fn new_suppression_id(&self) -> Result<SuppressionId, StoreError>;

    /// What officers concluded about a party before (by history key).
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn party_history(&self, key: &str) -> Result<Option<PartyHistory>, StoreError>;

    // ---- lists

    /// Writes new versions of one or more different lists (each the new
    /// current version of its list) with their change records and audit
    /// records: all or none.
    ///
    /// # Errors
    /// [`StoreError::InvalidListId`], [`StoreError::InvalidVersion`] (the
    /// metadata disagrees with the content, the version is not new, a list
    /// appears twice), [`StoreError::VersionExists`],
    /// [`StoreError::KindChanged`], or a write failure.
    fn put_list_versions(&self, versions: Vec<NewListVersion>) -> Ack<()>;

    /// Ids of every stored list, sorted.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn list_ids(&self) -> Result<Vec<String>, StoreError>;

    /// The current version number of a list, `None` when never imported.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn current_version(&self, list_id: &str) -> Result<Option<u64>, StoreError>;

    /// The highest version number stored for a list (0 when none).
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn latest_version(&self, list_id: &str) -> Result<u64, StoreError>;

    /// Metadata of one list version.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the version does not exist.
    fn list_meta(&self, list_id: &str, version: u64) -> Result<ListMeta, StoreError>;

    /// Metadata of every version of a list, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn list_history(&self, list_id: &str) -> Result<Vec<ListMeta>, StoreError>;

    /// Content of one list version.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the version does not exist.
    fn list_content(&self, list_id: &str, version: u64) -> Result<ListContent, StoreError>;

    /// The current version of every list with its content, sorted by id.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when a current version is missing or damaged.
    fn load_current_lists(&self) -> Result<Vec<LoadedList>, StoreError>;

    /// How a version came to be; `None` when stored without a record.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn version_change(
        &self,
        list_id: &str,
        version: u64,
    ) -> Result<Option<VersionChange>, StoreError>;

    /// Records the result of the re-screening after a version.
    fn put_rescreen(&self, summary: RescreenSummary) -> Ack<()>;

    /// The re-screening record of a version, if it ran.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn rescreen(&self, list_id: &str, version: u64) -> Result<Option<RescreenSummary>, StoreError>;

    /// Fails with [`StoreError::KindChanged`] when `list_id` exists with
    /// another kind (checked again inside [`Store::put_list_versions`]).
    ///
    /// # Errors
    /// [`StoreError::KindChanged`], or a read failure.
    fn check_kind(&self, list_id: &str, kind: ListKind) -> Result<(), StoreError> {
        match self.current_version(list_id)? {
            None => Ok(()),
            Some(v) => {
                let current = self.list_meta(list_id, v)?.kind;
                if current == kind {
                    Ok(())
                } else {
                    Err(StoreError::KindChanged {
                        list_id: list_id.to_string(),
                        current,
                        new: kind,
                    })
                }
            }
        }
    }

    // ---- audit trail

    /// Appends an audit record at `at_unix_ms`.
    fn append_audit(&self, new: NewAudit, at_unix_ms: i64) -> Ack<AuditRecord>;

    /// Records with `at_unix_ms` in `[from, to)`, in sequence order.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails or a record is unreadable.
    fn audit_range(
        &self,
        from_unix_ms: i64,
        to_unix_ms: i64,
    ) -> Result<Vec<AuditRecord>, StoreError>;

    /// Checks the whole chain.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails (a tampered record is a
    /// [`ChainCheck::Broken`], not an error).
    fn verify_audit(&self) -> Result<ChainCheck, StoreError>;

    // ---- tokens

    /// Stores a token under the SHA-256 hash of its secret.
    fn insert_token(&self, hash: [u8; 32], new: NewToken, now_unix_ms: i64) -> Ack<TokenRecord>;

    /// Revokes a token (a second revocation keeps the first time).
    fn revoke_token(&self, token_id: &str, now_unix_ms: i64) -> Ack<TokenRecord>;

    /// The token whose secret hashes to `hash`, live or not. Called on the
    /// async workers for every call: answers from memory, never waits.
    ///
    /// # Errors
    /// [`StoreError`] when the record is unusable.
    fn token_by_hash(&self, hash: &[u8; 32]) -> Result<Option<TokenRecord>, StoreError>;

    /// Every token, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError>;

    // ---- webhooks

    /// Stores a new subscription.
    fn insert_webhook(&self, record: webhooks::WebhookRecord) -> Ack<()>;

    /// Deletes a subscription and its deliveries; NOT_FOUND when there is
    /// none.
    fn delete_webhook(&self, id: &crate::ids::WebhookId) -> Ack<webhooks::WebhookRecord>;

    /// Every subscription, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn webhooks(&self) -> Result<Vec<webhooks::WebhookRecord>, StoreError>;

    /// Stores a delivery (new, or with a new attempt), keeping at most
    /// `keep` deliveries of its subscription (the oldest finished ones are
    /// dropped first; pending ones are kept). Answers `false`, writing
    /// nothing, when the subscription no longer exists.
    fn put_delivery(&self, delivery: webhooks::DeliveryRecord, keep: usize) -> Ack<bool>;

    /// A subscription's deliveries, newest first, at most `limit`.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn deliveries(
        &self,
        id: &crate::ids::WebhookId,
        limit: usize,
    ) -> Result<Vec<webhooks::DeliveryRecord>, StoreError>;

    /// Every pending delivery (to resume after a restart), oldest first
    /// per subscription.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    fn pending_deliveries(&self) -> Result<Vec<webhooks::DeliveryRecord>, StoreError>;

    /// A fresh number for a webhook or delivery id (monotonic).
    ///
    /// # Errors
    /// [`StoreError`] when the generator fails.
    fn next_webhook_seq(&self) -> Result<u64, StoreError>;

    // ---- the writer

    /// How the writer is doing (the watchdog reads it every second).
    fn writer_health(&self) -> WriterHealth;

    /// Stops accepting writes, finishes those submitted and makes them
    /// durable; resolves when the writer has stopped.
    fn close(&self) -> Ack<()>;
}

/// Opens (or creates) the embedded database in directory `path`.
///
/// # Errors
/// [`StoreError::Open`] when it cannot be opened (locked by another
/// process, unreadable, incompatible version).
pub fn open(path: impl AsRef<std::path::Path>) -> Result<SledStore, StoreError> {
    SledStore::open(path)
}
