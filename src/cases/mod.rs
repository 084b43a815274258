//! The licensing officers' case workflow, as pure logic (no I/O, no async):
//! what a case is, how its status may move, how urgent it is, when an
//! earlier "not a match" judgement suppresses a finding, and the figures
//! managers ask for. The store persists what this module decides; the API
//! feeds it requests and the engine's findings.
//!
//! - [`status`]: the status machine (OPEN -> IN_REVIEW -> APPROVED / DENIED /
//!   INFO_REQUESTED -> ... -> VERIFIED / DIVERTED).
//! - [`record`]: the case, its marks, checks and history; suppressions; the
//!   facts a screening records for the workflow.
//! - [`priority`]: the risk priority (decision band, then match strength,
//!   Category I items, embargoed destinations, serial proliferators).
//! - [`keys`]: normalised party keys and list-entry fingerprints
//!   (suppressions and party history).
//! - [`facts`]: what a screening contributes to priority and suppression
//!   (the only part that reads the engine, and only its pure accessors).
//! - [`workflow`]: screenings (and list changes) opening or joining cases
//!   as a plan ([`IntakePlan`]) the store applies atomically, and officers'
//!   commands applied to a case (with the effects the store must write).
//! - [`report`]: the queue and decision figures.
//! - [`error`]: refused commands.

pub mod error;
pub mod facts;
pub mod keys;
pub mod priority;
pub mod record;
pub mod report;
pub mod status;
pub mod workflow;

pub use error::CaseError;
pub use priority::{CasePriority, Signals};
pub use record::{
    CaseCause, CaseChange, CaseCheck, CaseFilter, CaseMember, CaseRecord, CaseSummary, ChangeKind,
    CheckKind, CitedEntry, FindingMark, HistoryEntry, ListChangeCase, MatchKey, PartyHistory,
    PendingApproval, ScreeningFacts, SuppressedFinding, Suppression, SuppressionEnd, Verdict,
};
pub use status::{CaseDecision, CaseStatus};
pub use workflow::{IntakePlan, Joined};
