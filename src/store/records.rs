//! What the store keeps and hands back, whatever the backend: screenings
//! (with their case and idempotency key), case updates and pages, list
//! version records, re-screening summaries and digests, and the planners
//! the callers give to the atomic writes ([`IntakePlanner`],
//! [`CaseCommand`], [`ListChangePlanner`]). Plain data; stored as JSON,
//! fields added later carry `#[serde(default)]`.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::actions::Origin;
use crate::cases::workflow::Effects;
use crate::cases::{
    CaseCause, CaseChange, CaseRecord, CaseSummary, IntakePlan, ScreeningFacts, SuppressedFinding,
};
use crate::ids::{Actor, CaseId, EntryId, ScreeningId, SuppressionId, optional_entry};
use crate::model::{
    Decision, Finding, ListContent, ListMeta, ListVersionRef, ScreeningOutcome, Shipment,
};
use crate::store::audit::{AuditRecord, NewAudit};

/// How long a client request id identifies a screening ([`IdempotencyKey`]).
pub const IDEMPOTENCY_WINDOW_MS: i64 = 24 * 3600 * 1000;

/// A client's request id (AIP-155) for a screening: a retry with the same
/// id from the same exporter within [`IDEMPOTENCY_WINDOW_MS`] gets the
/// stored answer instead of a second screening.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdempotencyKey {
    /// The exporter the screening is recorded under (trimmed).
    pub exporter: String,
    /// The client's request id.
    pub request_id: String,
    /// sha256 of the shipment as screened: the same id with another
    /// shipment is refused, not answered with the first one's result.
    pub fingerprint: String,
}

/// A screening to record.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewScreening {
    /// The shipment as screened.
    pub shipment: Shipment,
    /// The engine's answer (decision, findings, list versions, policy),
    /// its decision recomputed without the suppressed findings.
    pub outcome: ScreeningOutcome,
    /// Engine time in microseconds.
    pub engine_micros: u64,
    /// Unix time in milliseconds.
    pub screened_at_unix_ms: i64,
    /// Who screened (the caller's principal; the audit record's actor).
    pub actor: Actor,
    /// The engine's decision before suppressions.
    pub engine_decision: Decision,
    /// Findings suppressed by earlier "not a match" judgements.
    pub suppressed: Vec<SuppressedFinding>,
    /// Facts for the case's priority.
    pub facts: ScreeningFacts,
    /// Suppressions found stale (the entry changed): id and why.
    pub invalidated: Vec<(SuppressionId, String)>,
    /// The client's request id, when it sent one.
    pub idempotency: Option<IdempotencyKey>,
}

/// A stored screening.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScreeningRecord {
    /// `scr-...`
    pub screening_id: ScreeningId,
    /// Unix time in milliseconds.
    pub screened_at_unix_ms: i64,
    /// The shipment as screened.
    pub shipment: Shipment,
    /// Decision (after suppressions), findings, list versions and policy.
    pub outcome: ScreeningOutcome,
    /// Engine time in microseconds.
    pub engine_micros: u64,
    /// The case opened or joined; `None` when CLEAR and no case was active.
    pub case_id: Option<CaseId>,
    /// The engine's decision before suppressions (`None` in records written
    /// before suppressions existed: then it is `outcome.decision`).
    #[serde(default)]
    pub engine_decision: Option<Decision>,
    /// Findings suppressed by earlier "not a match" judgements: they are
    /// in `outcome.findings` but do not count toward `outcome.decision`.
    #[serde(default)]
    pub suppressed: Vec<SuppressedFinding>,
    /// Facts for the case workflow (Category I findings, embargo, party
    /// history).
    #[serde(default)]
    pub facts: ScreeningFacts,
}

/// A recorded screening and what happened to its case.
#[derive(Clone, Debug, PartialEq)]
pub struct Recorded {
    /// The screening as stored.
    pub record: ScreeningRecord,
    /// The case it opened or joined.
    pub change: Option<CaseChange>,
    /// True when the request id named a screening recorded before: this
    /// is that screening, nothing new was written.
    pub replayed: bool,
}

/// Plans the case side of a screening inside the store's transaction:
/// given the shipment's active case as stored at that moment (if any), the
/// screening being recorded and the id a new case would get, what to write
/// (see [`crate::cases::workflow::plan_intake`]). May run more than once
/// (a backend may retry a transaction).
pub type IntakePlanner =
    Box<dyn Fn(Option<CaseRecord>, &ScreeningRecord, &CaseId) -> Option<IntakePlan> + Send + Sync>;

/// Plans a case for a list change: given the shipment's active case (if
/// any) and the new case's id.
pub type ListChangePlanner = Box<dyn Fn(Option<&CaseRecord>, &CaseId) -> IntakePlan + Send + Sync>;

/// An officer's command on a case: changes the case (given its latest
/// screening) and says what else to write; an error refuses it and nothing
/// is written. May run more than once.
pub type CaseCommand = Box<
    dyn Fn(&mut CaseRecord, Option<&ScreeningRecord>) -> Result<Effects, crate::Error>
        + Send
        + Sync,
>;

/// A case after an officer's command.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseUpdate {
    /// The case as stored.
    pub case: CaseRecord,
    /// For consoles.
    pub change: CaseChange,
    /// The audit records written with it.
    pub audit: Vec<AuditRecord>,
}

/// One page of the queue.
#[derive(Clone, Debug, PartialEq)]
pub struct CasePage {
    /// Cases in queue order.
    pub cases: Vec<CaseSummary>,
    /// Where the next page starts (an opaque cursor of the backend), when
    /// there is one.
    pub next: Option<Vec<u8>>,
}

/// How a list version came to be, recorded with it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionChange {
    /// Import, seed, refresh, or an edit by hand.
    pub origin: Origin,
    /// The entry edited by hand (edits only).
    #[serde(default, with = "optional_entry")]
    pub entry_id: Option<EntryId>,
    /// The version this one replaced (0 for a list's first version).
    pub previous_version: u64,
    /// Entries added against the previous version.
    pub added: u32,
    /// Entries removed against the previous version.
    pub removed: u32,
    /// Entries changed against the previous version.
    pub changed: u32,
}

/// A list version to store.
#[derive(Clone, Debug)]
pub struct NewListVersion {
    /// Its metadata (`version` above every stored version of the list;
    /// kind and counts agreeing with the content).
    pub meta: ListMeta,
    /// Its entries.
    pub content: Arc<ListContent>,
    /// How it came to be (`None`: no record, as tests store lists).
    pub change: Option<VersionChange>,
    /// The audit record written with it.
    pub audit: Option<NewAudit>,
}

/// What re-screening the stored screenings after a denial-list change found.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RescreenSummary {
    /// List id.
    pub list_id: String,
    /// The new version.
    pub version: u64,
    /// Added and changed entries the screenings were checked against.
    pub entries_checked: u32,
    /// Screenings in the look-back window.
    pub screenings_checked: u64,
    /// Distinct (name, country) parties searched.
    pub parties_checked: u64,
    /// Screenings a full check confirmed (candidates of the quick pass).
    pub candidates: u64,
    /// Cases opened because of the change.
    pub case_ids: Vec<CaseId>,
    /// Screenings that gained a case.
    pub screening_ids: Vec<ScreeningId>,
    /// Look-back window in days.
    pub lookback_days: u32,
    /// Unix time in milliseconds when it finished.
    pub finished_at_unix_ms: i64,
    /// How long it took.
    pub millis: u64,
    /// Why it failed, if it did (empty on success).
    #[serde(default)]
    pub error: String,
}

/// A case to open for a list change.
pub struct NewListChangeCase {
    /// Exporter of the screened shipment.
    pub exporter: String,
    /// Its reference.
    pub reference: String,
    /// What caused it (names the screening).
    pub cause: CaseCause,
    /// Findings citing the new or changed entries.
    pub findings: Vec<Finding>,
    /// Plans the case (the workflow's [`crate::cases::workflow::plan_intake`]).
    pub plan: ListChangePlanner,
    /// The audit record written with it (`case.open`), its subject the new
    /// case.
    pub audit: NewAudit,
}

/// What re-screening needs of a stored screening.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ScreeningDigest {
    /// `scr-...`
    pub screening_id: ScreeningId,
    /// Unix time in milliseconds.
    pub screened_at_unix_ms: i64,
    /// The shipment as screened.
    pub shipment: Shipment,
    /// What the screening found.
    pub outcome: OutcomeDigest,
}

/// The parts of a stored outcome re-screening reads.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct OutcomeDigest {
    /// Entries cited.
    #[serde(default)]
    pub findings: Vec<CitedEntry>,
    /// List versions used.
    #[serde(default)]
    pub list_versions: Vec<ListVersionRef>,
}

/// An entry cited by a stored finding.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct CitedEntry {
    /// List id (empty for configuration rules).
    #[serde(default)]
    pub list_id: String,
    /// Entry id as of the version used.
    #[serde(default)]
    pub entry_id: String,
    /// The finding's decision.
    #[serde(default)]
    pub decision: Decision,
}

/// How the writer is doing, for the watchdog.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriterHealth {
    /// Writes submitted and not yet acknowledged.
    pub pending: u64,
    /// Milliseconds since the writer's last sign of life: a batch started
    /// or finished, or work handed to it while it was idle. Grows while
    /// writes wait only when the writer is stuck.
    pub idle_millis: u64,
    /// Writes acknowledged so far.
    pub completed: u64,
    /// Batches committed so far (one flush covers one or more).
    pub batches: u64,
    /// Durable flushes (fsyncs) so far.
    pub flushes: u64,
    /// Time spent in those flushes, in microseconds: with `flushes`, the
    /// disk's sync latency, which bounds how fast a fixed number of
    /// concurrent callers can be answered.
    pub flush_micros: u64,
    /// True when the last batch the writer tried to make durable failed
    /// (the disk is full, the database refuses writes): until one
    /// succeeds, writes are refused.
    pub failing: bool,
}
