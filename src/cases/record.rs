//! The records of the workflow: cases (with marks, checks and history),
//! their queue summaries and filters, suppressions, party histories, and
//! what a screening records for the workflow, and cases opened by a list
//! change. Plain data, serialised by the store as JSON; fields added later
//! carry `#[serde(default)]`.
//!
//! A case record stays small whatever happens to the shipment: the
//! screenings that joined it (with the history entry of each join) are
//! kept by the store as their own records ([`CaseMember`]); the record
//! holds their count, the latest one, and the officers' actions.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::priority::{CasePriority, Signals};
use super::status::CaseStatus;
use crate::ids::{Actor, CaseId, ScreeningId, SuppressionId};
use crate::model::{Decision, Finding, FindingKind, ListVersionRef, Party};

/// A list entry a case's findings cite.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CitedEntry {
    /// List id.
    pub list_id: String,
    /// Entry id (control-list code for items).
    pub entry_id: String,
    /// Name or title of the entry.
    pub entry_name: String,
}

/// An officer's judgement of one finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// A false positive: the party is not the listed one (for a party
    /// match, later screenings of the same party suppress the finding).
    NotAMatch,
    /// A true match.
    ConfirmedMatch,
}

impl Verdict {
    /// Upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::NotAMatch => "NOT_A_MATCH",
            Verdict::ConfirmedMatch => "CONFIRMED_MATCH",
        }
    }
}

/// A mark on one finding of one of the case's screenings. The latest mark
/// of a finding counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FindingMark {
    /// The screening.
    pub screening_id: ScreeningId,
    /// Index of the finding in the screening's findings (0-based).
    pub finding_index: usize,
    /// Not a match, or confirmed.
    pub verdict: Verdict,
    /// Who judged.
    pub officer: String,
    /// Why.
    pub reason: String,
    /// Unix time in milliseconds.
    pub at_unix_ms: i64,
    /// The list cited (empty for configuration rules).
    pub list_id: String,
    /// The entry cited.
    pub entry_id: String,
    /// Its name.
    pub entry_name: String,
    /// What kind of finding it is.
    pub finding_kind: FindingKind,
    /// `party.exact`, `party.fuzzy`, `item` ... (see [`super::keys::match_kind`]).
    pub match_kind: String,
    /// The suppression a "not a match" on a party match created.
    #[serde(default)]
    pub suppression_id: Option<SuppressionId>,
    /// A confirmed match on a list whose near-exact matches are denied or
    /// need a licence (`policy.toml` `[[listing]]` consequence other than
    /// `review`): approving the case then needs a second officer.
    #[serde(default)]
    pub four_eyes: bool,
}

/// One party matched against one list entry: what a "not a match"
/// suppresses, and the key of the bulk "not a match" index.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct MatchKey {
    /// [`super::keys::party_key`] of the party.
    pub party_key: String,
    /// The list.
    pub list_id: String,
    /// The entry.
    pub entry_id: String,
}

/// The first of two approvals a four-eyes case needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingApproval {
    /// The officer who approved first.
    pub officer: String,
    /// Their reason.
    pub reason: String,
    /// When.
    pub at_unix_ms: i64,
    /// The post-shipment check they set, if any.
    #[serde(default)]
    pub check_due_unix_ms: Option<i64>,
}

/// What kind of check was recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CheckKind {
    /// An end-use certificate (or end-user statement) was received.
    EndUseCertificate,
    /// A post-shipment check found the goods as declared.
    PostShipmentVerified,
    /// A post-shipment check found the goods diverted.
    PostShipmentDiverted,
}

impl CheckKind {
    /// Upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::EndUseCertificate => "END_USE_CERTIFICATE",
            CheckKind::PostShipmentVerified => "POST_SHIPMENT_VERIFIED",
            CheckKind::PostShipmentDiverted => "POST_SHIPMENT_DIVERTED",
        }
    }
}

/// A certificate or verification result recorded on a case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseCheck {
    /// What was recorded.
    pub kind: CheckKind,
    /// Document reference (certificate number, inspection report ...).
    pub document: String,
    /// The officer's notes.
    pub notes: String,
    /// Who recorded it.
    pub officer: String,
    /// Unix time in milliseconds.
    pub at_unix_ms: i64,
}

/// One step of a case's history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Unix time in milliseconds.
    pub at_unix_ms: i64,
    /// Who (officer, or the exporter's principal for screenings).
    pub actor: String,
    /// `opened`, `screening`, `resubmitted`, `claim`, `request_info`,
    /// `decide`, `mark`, `schedule_check`, `record_check`.
    pub action: String,
    /// Status before.
    pub from: Option<CaseStatus>,
    /// Status after.
    pub to: CaseStatus,
    /// The reason given.
    pub reason: String,
    /// Details (screening id, decision, finding ...).
    pub detail: String,
    /// How many screenings the case had when it happened (orders officers'
    /// actions among the joins, which the store keeps apart).
    #[serde(default)]
    pub screenings: u32,
}

/// A screening that joined a case, as the store keeps it: its position
/// (1 for the screening that opened the case), its id, and the history
/// entry of the join (`opened`, `screening`, `resubmitted`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseMember {
    /// 1, 2, 3 ... in joining order.
    pub seq: u32,
    /// The screening.
    pub screening_id: ScreeningId,
    /// What its joining did to the case.
    pub entry: HistoryEntry,
}

/// A case: the screenings of one shipment that need an officer, with what
/// officers did about them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseRecord {
    /// `case-...`
    pub case_id: CaseId,
    /// Exporter as sent with the shipment (trimmed).
    pub exporter: String,
    /// Shipment reference as sent (trimmed).
    pub reference: String,
    /// Where the case is in the workflow.
    pub status: CaseStatus,
    /// The decision of its latest screening, after suppressions and "not a
    /// match" marks.
    pub decision: Decision,
    /// Coarse priority from `decision`.
    pub priority: CasePriority,
    /// The queue order (higher first): [`Signals::score`].
    #[serde(default)]
    pub priority_score: u32,
    /// What the score rests on.
    #[serde(default)]
    pub signals: Signals,
    /// How many screenings joined it ([`CaseMember`]s, kept apart).
    #[serde(default)]
    pub screenings: u32,
    /// The screening that joined last.
    #[serde(default)]
    pub latest_screening: Option<ScreeningId>,
    /// The officer working on it.
    #[serde(default)]
    pub assignee: Option<String>,
    /// Unix time in milliseconds.
    pub created_at_unix_ms: i64,
    /// Unix time in milliseconds of the last change.
    pub updated_at_unix_ms: i64,
    /// When it was approved or denied.
    #[serde(default)]
    pub decided_at_unix_ms: Option<i64>,
    /// Who approved or denied it.
    #[serde(default)]
    pub decided_by: Option<String>,
    /// When a post-shipment check is due.
    #[serde(default)]
    pub check_due_unix_ms: Option<i64>,
    /// List entries cited by findings that count, over all its screenings.
    #[serde(default)]
    pub entries: Vec<CitedEntry>,
    /// Officers' judgements of findings.
    #[serde(default)]
    pub marks: Vec<FindingMark>,
    /// Certificates and verification results.
    #[serde(default)]
    pub checks: Vec<CaseCheck>,
    /// Officers' actions, oldest first (the joins of screenings are kept
    /// with their [`CaseMember`]s).
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
    /// The first approval of a case that needs two officers (four-eyes),
    /// until a second officer approves or the case changes.
    #[serde(default)]
    pub pending_approval: Option<PendingApproval>,
    /// Set when the only findings of the latest screening that still count
    /// are matches of one party against one list entry: a "not a match"
    /// of that party and entry in another case closes this one while it
    /// is OPEN (bulk "not a match"; the store indexes it).
    #[serde(default)]
    pub sole_match: Option<MatchKey>,
    /// The names of the latest screening's parties but the exporter.
    #[serde(default)]
    pub parties: Vec<String>,
}

impl CaseRecord {
    /// The latest screening.
    pub fn latest_screening(&self) -> Option<&ScreeningId> {
        self.latest_screening.as_ref()
    }

    /// The latest verdict on each finding of `screening_id`, by index.
    pub fn verdicts(&self, screening_id: &ScreeningId) -> BTreeMap<usize, Verdict> {
        self.marks
            .iter()
            .filter(|m| m.screening_id == *screening_id)
            .map(|m| (m.finding_index, m.verdict))
            .collect()
    }

    /// The findings of `screening_id` that do not count: suppressed when it
    /// was screened (`suppressed`) or marked "not a match" since, unless
    /// an officer confirmed them afterwards.
    pub fn excluded(
        &self,
        screening_id: &ScreeningId,
        suppressed: &[SuppressedFinding],
    ) -> BTreeSet<usize> {
        let verdicts = self.verdicts(screening_id);
        let mut out: BTreeSet<usize> = suppressed
            .iter()
            .map(|s| s.index)
            .filter(|i| verdicts.get(i) != Some(&Verdict::ConfirmedMatch))
            .collect();
        out.extend(
            verdicts
                .iter()
                .filter(|(_, v)| **v == Verdict::NotAMatch)
                .map(|(i, _)| *i),
        );
        out
    }

    /// The queue summary.
    pub fn summary(&self) -> CaseSummary {
        CaseSummary {
            case_id: self.case_id.clone(),
            exporter: self.exporter.clone(),
            reference: self.reference.clone(),
            status: self.status,
            decision: self.decision,
            priority: self.priority,
            priority_score: self.priority_score,
            assignee: self.assignee.clone(),
            created_at_unix_ms: self.created_at_unix_ms,
            updated_at_unix_ms: self.updated_at_unix_ms,
            decided_at_unix_ms: self.decided_at_unix_ms,
            check_due_unix_ms: self.check_due_unix_ms,
            screenings: self.screenings,
            entries: self.entries.clone(),
            parties: self.parties.clone(),
        }
    }
}

/// What the queue shows of a case (kept in the priority index, so a queue
/// page decodes no full case).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseSummary {
    /// `case-...`
    pub case_id: CaseId,
    /// Exporter.
    pub exporter: String,
    /// Shipment reference.
    pub reference: String,
    /// Status.
    pub status: CaseStatus,
    /// Decision of the latest screening.
    pub decision: Decision,
    /// Coarse priority.
    pub priority: CasePriority,
    /// Queue order (higher first).
    pub priority_score: u32,
    /// The officer working on it.
    pub assignee: Option<String>,
    /// Unix time in milliseconds.
    pub created_at_unix_ms: i64,
    /// Unix time in milliseconds.
    pub updated_at_unix_ms: i64,
    /// When it was approved or denied.
    pub decided_at_unix_ms: Option<i64>,
    /// When a post-shipment check is due.
    pub check_due_unix_ms: Option<i64>,
    /// Number of screenings.
    pub screenings: u32,
    /// List entries cited.
    pub entries: Vec<CitedEntry>,
    /// The names of the latest screening's parties but the exporter.
    #[serde(default)]
    pub parties: Vec<String>,
}

/// How a case changed (for officers' consoles).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChangeKind {
    /// A screening opened it.
    Opened,
    /// A screening joined it, or an officer acted on it.
    Updated,
}

/// A new or changed case.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseChange {
    /// Opened or updated.
    pub kind: ChangeKind,
    /// What happened (`opened`, `screening`, `resubmitted`, `case.claim` ...).
    pub action: String,
    /// Who did it.
    pub actor: Actor,
    /// When.
    pub at_unix_ms: i64,
    /// The case as it is now.
    pub summary: CaseSummary,
}

/// Which cases a queue listing (or a console) wants. Empty fields do not
/// filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseFilter {
    /// Any of these statuses.
    pub statuses: Vec<CaseStatus>,
    /// Any of these priorities.
    pub priorities: Vec<CasePriority>,
    /// This exporter (compared trimmed).
    pub exporter: Option<String>,
    /// Assigned to this officer.
    pub assignee: Option<String>,
    /// Citing this list ...
    pub list_id: Option<String>,
    /// ... and (or any list, without `list_id`) this entry.
    pub entry_id: Option<String>,
    /// Created at or after (Unix ms).
    pub created_from_unix_ms: Option<i64>,
    /// Created before (Unix ms).
    pub created_to_unix_ms: Option<i64>,
    /// Any of these decisions.
    pub decisions: Vec<Decision>,
    /// The shipment reference contains this (case-insensitive).
    pub reference: Option<String>,
    /// A party's name or a cited entry's name contains this
    /// (case-insensitive).
    pub party: Option<String>,
    /// Search: the case id, reference, exporter, a party's name, or a cited
    /// entry's name or id contains this (case-insensitive).
    pub text: Option<String>,
}

/// True when `hay` contains `needle`, ignoring case.
fn contains(hay: &str, needle: &str) -> bool {
    hay.to_lowercase().contains(&needle.trim().to_lowercase())
}

impl CaseFilter {
    /// True when `s` passes every set field.
    pub fn matches(&self, s: &CaseSummary) -> bool {
        (self.statuses.is_empty() || self.statuses.contains(&s.status))
            && (self.priorities.is_empty() || self.priorities.contains(&s.priority))
            && self
                .exporter
                .as_deref()
                .is_none_or(|e| e.trim() == s.exporter)
            && self
                .assignee
                .as_deref()
                .is_none_or(|a| s.assignee.as_deref() == Some(a))
            && (self.list_id.is_none() && self.entry_id.is_none()
                || s.entries.iter().any(|e| {
                    self.list_id.as_deref().is_none_or(|l| l == e.list_id)
                        && self.entry_id.as_deref().is_none_or(|id| id == e.entry_id)
                }))
            && self
                .created_from_unix_ms
                .is_none_or(|t| s.created_at_unix_ms >= t)
            && self
                .created_to_unix_ms
                .is_none_or(|t| s.created_at_unix_ms < t)
            && (self.decisions.is_empty() || self.decisions.contains(&s.decision))
            && self
                .reference
                .as_deref()
                .is_none_or(|r| contains(&s.reference, r))
            && self.party.as_deref().is_none_or(|p| {
                s.parties.iter().any(|n| contains(n, p))
                    || s.entries.iter().any(|e| contains(&e.entry_name, p))
            })
            && self.text.as_deref().is_none_or(|q| {
                contains(s.case_id.as_str(), q)
                    || contains(&s.reference, q)
                    || contains(&s.exporter, q)
                    || s.parties.iter().any(|n| contains(n, q))
                    || s.entries
                        .iter()
                        .any(|e| contains(&e.entry_name, q) || contains(&e.entry_id, q))
            })
    }
}

/// A finding suppressed when the screening was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuppressedFinding {
    /// Index of the finding (0-based).
    pub index: usize,
    /// The suppression that applied.
    pub suppression_id: SuppressionId,
    /// The case where the officer judged the match.
    pub case_id: CaseId,
}

/// What a screening records for the workflow besides the engine's answer
/// (the inputs of [`Signals`] that need the engine or the store).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScreeningFacts {
    /// Indexes of findings citing Category I control-list entries.
    pub category_i: Vec<usize>,
    /// The destination is in an embargo group.
    pub embargoed_destination: bool,
    /// Earlier denials and diversions of its parties.
    pub prior_denials: u32,
    /// Earlier confirmed matches of its parties.
    pub prior_confirmations: u32,
    /// Parties with such a history.
    pub serial_parties: Vec<String>,
    /// The suppression key ([`super::keys::party_key`]) of the party of
    /// each suppressible party finding, by finding index (bulk "not a
    /// match" recognises cases by them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub party_keys: Vec<(usize, String)>,
}

/// An officer's "not a match" for one party (as judged: name, address,
/// country) against one list entry (as judged: its content fingerprint).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Suppression {
    /// `sup-...`
    pub suppression_id: SuppressionId,
    /// [`super::keys::party_key`] of the party.
    pub party_key: String,
    /// The party as sent when judged.
    pub party: Party,
    /// List id.
    pub list_id: String,
    /// Entry id.
    pub entry_id: String,
    /// Entry name.
    pub entry_name: String,
    /// [`super::keys::entry_fingerprint`] of the entry when judged.
    pub entry_fingerprint: String,
    /// The list version the judgement was made on.
    pub judged_version: ListVersionRef,
    /// The case where it was judged.
    pub case_id: CaseId,
    /// The screening whose finding was marked.
    pub screening_id: ScreeningId,
    /// The finding's index.
    pub finding_index: usize,
    /// Who judged.
    pub officer: String,
    /// Why.
    pub reason: String,
    /// Unix time in milliseconds.
    pub created_at_unix_ms: i64,
    /// Set when it stopped applying.
    #[serde(default)]
    pub ended: Option<SuppressionEnd>,
}

/// Why and when a suppression stopped applying.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuppressionEnd {
    /// Unix time in milliseconds.
    pub at_unix_ms: i64,
    /// Who ended it ([`Actor::system`] when the entry changed).
    pub by: Actor,
    /// `entry changed in <list>@<version>`, `confirmed match in <case>`,
    /// `superseded by <sup-id>`.
    pub why: String,
}

/// What officers concluded about a party before (by [`super::keys::history_key`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PartyHistory {
    /// The name as last seen.
    pub name: String,
    /// Cases denied with this party in them.
    pub denied: u32,
    /// Post-shipment checks that found goods for this party diverted.
    pub diverted: u32,
    /// Findings on this party confirmed as true matches.
    pub confirmed: u32,
    /// The last case that added to it.
    pub last_case: CaseId,
}

/// Why a case was opened without a new screening.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseCause {
    /// `list_change`.
    pub kind: String,
    /// The list that changed.
    pub list_id: String,
    /// Its new version.
    pub version: u64,
    /// The version it replaced.
    pub previous_version: u64,
    /// The added or changed entries the shipment now matches (ids in the
    /// new version).
    pub entry_ids: Vec<String>,
    /// The stored screening re-checked.
    pub screening_id: ScreeningId,
}

impl CaseCause {
    /// The kind of every cause so far.
    pub const LIST_CHANGE: &'static str = "list_change";
}

/// A case opened by a list change: an ordinary case (stored with the
/// others) with its cause and the findings citing the new entries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListChangeCase {
    /// The case itself, as every case.
    #[serde(flatten)]
    pub case: CaseRecord,
    /// What caused it.
    pub cause: CaseCause,
    /// The findings citing the new or changed entries.
    pub findings: Vec<Finding>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary() -> CaseSummary {
        CaseSummary {
            case_id: "case-1".into(),
            exporter: "ACME".into(),
            reference: "PO-1".into(),
            status: CaseStatus::InReview,
            decision: Decision::Review,
            priority: CasePriority::Low,
            priority_score: 1200,
            assignee: Some("alice".into()),
            created_at_unix_ms: 1000,
            updated_at_unix_ms: 1000,
            decided_at_unix_ms: None,
            check_due_unix_ms: None,
            screenings: 1,
            entries: vec![CitedEntry {
                list_id: "sdn".into(),
                entry_id: "7".into(),
                entry_name: "X".into(),
            }],
            parties: vec!["Zephyr Orbital".into()],
        }
    }

    #[test]
    fn filters_match_on_every_field() {
        let s = summary();
        let table: Vec<(&str, CaseFilter, bool)> = vec![
            ("empty", CaseFilter::default(), true),
            (
                "status",
                CaseFilter {
                    statuses: vec![CaseStatus::Open, CaseStatus::InReview],
                    ..CaseFilter::default()
                },
                true,
            ),
            (
                "other status",
                CaseFilter {
                    statuses: vec![CaseStatus::Open],
                    ..CaseFilter::default()
                },
                false,
            ),
            (
                "priority",
                CaseFilter {
                    priorities: vec![CasePriority::High],
                    ..CaseFilter::default()
                },
                false,
            ),
            (
                "exporter trimmed",
                CaseFilter {
                    exporter: Some(" ACME ".into()),
                    ..CaseFilter::default()
                },
                true,
            ),
            (
                "other exporter",
                CaseFilter {
                    exporter: Some("Globex".into()),
                    ..CaseFilter::default()
                },
                false,
            ),
            (
                "assignee",
                CaseFilter {
                    assignee: Some("bob".into()),
                    ..CaseFilter::default()
                },
                false,
            ),
            (
                "entry on its list",
                CaseFilter {
                    list_id: Some("sdn".into()),
                    entry_id: Some("7".into()),
                    ..CaseFilter::default()
                },
                true,
            ),
            (
                "entry on another list",
                CaseFilter {
                    list_id: Some("un".into()),
                    entry_id: Some("7".into()),
                    ..CaseFilter::default()
                },
                false,
            ),
            (
                "entry on any list",
                CaseFilter {
                    entry_id: Some("7".into()),
                    ..CaseFilter::default()
                },
                true,
            ),
            (
                "list only",
                CaseFilter {
                    list_id: Some("sdn".into()),
                    ..CaseFilter::default()
                },
                true,
            ),
            (
                "from (inclusive)",
                CaseFilter {
                    created_from_unix_ms: Some(1000),
                    ..CaseFilter::default()
                },
                true,
            ),
            (
                "to (exclusive)",
                CaseFilter {
                    created_to_unix_ms: Some(1000),
                    ..CaseFilter::default()
                },
                false,
            ),
            (
                "decision",
                CaseFilter {
                    decisions: vec![Decision::Review, Decision::Prohibited],
                    ..CaseFilter::default()
                },
                true,
            ),
            (
                "other decision",
                CaseFilter {
                    decisions: vec![Decision::Prohibited],
                    ..CaseFilter::default()
                },
                false,
            ),
            (
                "reference part, any case",
                CaseFilter {
                    reference: Some("po-".into()),
                    ..CaseFilter::default()
                },
                true,
            ),
            (
                "other reference",
                CaseFilter {
                    reference: Some("PO-2".into()),
                    ..CaseFilter::default()
                },
                false,
            ),
            (
                "party name",
                CaseFilter {
                    party: Some("zephyr".into()),
                    ..CaseFilter::default()
                },
                true,
            ),
            (
                "listed name",
                CaseFilter {
                    party: Some("x".into()),
                    ..CaseFilter::default()
                },
                true,
            ),
            (
                "other party",
                CaseFilter {
                    party: Some("Globex".into()),
                    ..CaseFilter::default()
                },
                false,
            ),
            (
                "search: entry id",
                CaseFilter {
                    text: Some("7".into()),
                    ..CaseFilter::default()
                },
                true,
            ),
            (
                "search: exporter",
                CaseFilter {
                    text: Some("acme".into()),
                    ..CaseFilter::default()
                },
                true,
            ),
            (
                "search: nothing",
                CaseFilter {
                    text: Some("nowhere".into()),
                    ..CaseFilter::default()
                },
                false,
            ),
        ];
        for (name, f, want) in table {
            assert_eq!(f.matches(&s), want, "{name}");
        }
    }

    fn mark(index: usize, verdict: Verdict) -> FindingMark {
        FindingMark {
            screening_id: "scr-1".into(),
            finding_index: index,
            verdict,
            officer: "alice".into(),
            reason: "r".into(),
            at_unix_ms: 1,
            list_id: "sdn".into(),
            entry_id: "7".into(),
            entry_name: "X".into(),
            finding_kind: FindingKind::Party,
            match_kind: "party.fuzzy".into(),
            suppression_id: None,
            four_eyes: false,
        }
    }

    #[test]
    fn the_latest_mark_of_a_finding_decides_whether_it_counts() {
        let case = CaseRecord {
            case_id: "case-1".into(),
            exporter: "ACME".into(),
            reference: "PO-1".into(),
            status: CaseStatus::InReview,
            decision: Decision::Review,
            priority: CasePriority::Low,
            priority_score: 0,
            signals: Signals::default(),
            screenings: 1,
            latest_screening: Some("scr-1".into()),
            assignee: None,
            created_at_unix_ms: 0,
            updated_at_unix_ms: 0,
            decided_at_unix_ms: None,
            decided_by: None,
            check_due_unix_ms: None,
            entries: vec![],
            marks: vec![
                mark(0, Verdict::NotAMatch),
                mark(1, Verdict::NotAMatch),
                mark(1, Verdict::ConfirmedMatch),
                mark(3, Verdict::ConfirmedMatch),
            ],
            checks: vec![],
            history: vec![],
            pending_approval: None,
            sole_match: None,
            parties: vec![],
        };
        let suppressed = |i: usize| SuppressedFinding {
            index: i,
            suppression_id: "sup-1".into(),
            case_id: "case-0".into(),
        };
        // 0: not a match; 1: re-marked confirmed; 2: suppressed at screening;
        // 3: suppressed but confirmed since.
        let ex = case.excluded(&"scr-1".into(), &[suppressed(2), suppressed(3)]);
        assert_eq!(ex.into_iter().collect::<Vec<_>>(), vec![0, 2]);
        assert!(case.excluded(&"scr-2".into(), &[]).is_empty());
    }
}
