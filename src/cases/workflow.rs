//! The workflow's decisions: a screening (or a list change) opening or
//! joining a case ([`plan_intake`], one function for both), and an
//! officer's command applied to a case ([`apply`]). Each returns what
//! changed and what the store must write in the same transaction (the
//! [`IntakePlan`]; audit records, suppressions, party histories as
//! [`Effects`]); nothing here touches storage.
//!
//! Officers' rules kept here: every command needs a reason; approving a
//! case with a confirmed match on a deny or licence list needs two
//! different officers (four-eyes, [`needs_four_eyes`]); a decided case can
//! be reopened; an OPEN case whose only open findings are one party
//! against one entry ([`sole_match`]) is closed by a "not a match" of that
//! party and entry in another case.

use std::collections::BTreeSet;

use serde_json::json;

use super::error::CaseError;
use super::facts;
use super::keys;
use super::priority::Signals;
use super::record::{
    CaseCause, CaseCheck, CaseRecord, CitedEntry, FindingMark, HistoryEntry, MatchKey,
    PendingApproval, ScreeningFacts, SuppressedFinding, Suppression, SuppressionEnd, Verdict,
};
use super::status::{CaseDecision, CaseStatus, Transition};
use crate::actions::AuditAction;
use crate::ids::{Actor, CaseId, ScreeningId, SuppressionId};
use crate::model::{Finding, ListVersionRef, Party};

/// A screening about to open or join a case.
#[derive(Clone, Copy, Debug)]
pub struct Intake<'a> {
    /// Its id.
    pub screening_id: &'a ScreeningId,
    /// Exporter (trimmed).
    pub exporter: &'a str,
    /// Shipment reference (trimmed).
    pub reference: &'a str,
    /// Who screened (the caller's principal; [`Actor::system`] for a list
    /// change).
    pub actor: &'a Actor,
    /// When.
    pub at_unix_ms: i64,
    /// The engine's findings (for a list change: those citing the new entries).
    pub findings: &'a [Finding],
    /// Findings suppressed by earlier judgements.
    pub suppressed: &'a [SuppressedFinding],
    /// Category I, embargo and party-history facts.
    pub facts: &'a ScreeningFacts,
    /// The shipment's parties (the queue shows and filters by their names).
    pub parties: &'a [Party],
    /// `None` for a screening; the list change that flags a stored
    /// screening again.
    pub cause: Option<&'a CaseCause>,
}

/// How a screening met its case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Joined {
    /// It opened a new case.
    Opened,
    /// It joined an active case.
    Joined,
    /// It answered an information request.
    Resubmitted,
}

impl Joined {
    /// `opened`, `screening` or `resubmitted` (history and audit wording).
    pub fn as_str(self) -> &'static str {
        match self {
            Joined::Opened => "opened",
            Joined::Joined => "screening",
            Joined::Resubmitted => "resubmitted",
        }
    }
}

/// What a screening does to the cases, as the store must apply it (in the
/// same transaction as the screening): the case as it will be stored, how
/// the screening met it, the history entry of the join (kept with the
/// case's [`CaseMember`](super::CaseMember) for this screening), and
/// whether the case becomes the shipment's active case in the open-case
/// index.
#[derive(Clone, Debug, PartialEq)]
pub struct IntakePlan {
    /// The case after the screening joined it.
    pub case: CaseRecord,
    /// Opened, joined, or answered an information request.
    pub joined: Joined,
    /// The join's history entry.
    pub entry: HistoryEntry,
    /// Index the case as the shipment's active case (while it is active).
    /// A screening always does; a list change only when the shipment has
    /// no active case.
    pub index_as_open: bool,
}

/// Plans the case side of a screening: open a case or join `active`, the
/// active case of the same exporter and reference (if any, as stored now);
/// `fresh_id` is the id a new case gets. A screening that leaves nothing
/// to decide (CLEAR, possibly after suppressions) opens no case and joins
/// none, with one exception: it answers an information request (the case
/// is INFO_REQUESTED), so the officer who asked sees the corrected
/// shipment.
///
/// A list change ([`Intake::cause`]) always opens a case of its own, marked
/// with its cause; it becomes the shipment's active case only when there
/// is none.
pub fn plan_intake(
    active: Option<CaseRecord>,
    fresh_id: &CaseId,
    s: &Intake<'_>,
) -> Option<IntakePlan> {
    let excluded: BTreeSet<usize> = s.suppressed.iter().map(|x| x.index).collect();
    let signals = facts::signals(s.findings, &excluded, s.facts);
    let cited = facts::cited_entries(s.findings, &excluded);
    let clear = signals.decision == crate::model::Decision::Clear;
    let active = active.filter(|c| c.status.is_active());
    if let Some(cause) = s.cause {
        let (reason, detail) = (
            format!(
                "{} version {} lists {}",
                cause.list_id,
                cause.version,
                cause.entry_ids.join(", ")
            ),
            format!("re-screening of {}", cause.screening_id),
        );
        let mut plan = open(fresh_id, s, signals, cited, reason, detail);
        plan.index_as_open = active.is_none();
        return Some(plan);
    }
    let detail = format!("{} {}", s.screening_id, signals.decision.as_str());
    match active.filter(|c| !clear || c.status == CaseStatus::InfoRequested) {
        Some(mut case) => {
            let from = case.status;
            let to = Transition::Resubmission {
                assigned: case.assignee.is_some(),
            }
            .apply(from)
            .unwrap_or(from);
            let joined = if from == CaseStatus::InfoRequested {
                Joined::Resubmitted
            } else {
                Joined::Joined
            };
            join(&mut case, s);
            case.status = to;
            set_signals(&mut case, signals);
            merge_entries(&mut case.entries, cited);
            // New evidence: a first approval no longer stands.
            case.pending_approval = None;
            case.sole_match = sole_match(&case, s.screening_id, s.findings, s.suppressed, s.facts);
            let entry = HistoryEntry {
                at_unix_ms: s.at_unix_ms,
                actor: s.actor.to_string(),
                action: joined.as_str().to_string(),
                from: Some(from),
                to,
                reason: String::new(),
                detail,
                screenings: case.screenings,
            };
            Some(IntakePlan {
                case,
                joined,
                entry,
                index_as_open: true,
            })
        }
        None if clear => None,
        None => Some(open(fresh_id, s, signals, cited, String::new(), detail)),
    }
}

/// Counts a joining screening.
fn join(case: &mut CaseRecord, s: &Intake<'_>) {
    if !s.parties.is_empty() {
        case.parties = party_names(s.parties);
    }
    case.screenings = case.screenings.saturating_add(1);
    case.latest_screening = Some(s.screening_id.clone());
    case.updated_at_unix_ms = s.at_unix_ms;
}

/// The names of a shipment's parties but the exporter, as sent (trimmed,
/// each once).
pub fn party_names(parties: &[Party]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in parties {
        let name = p.name.trim();
        if p.role != crate::model::PartyRole::Exporter
            && !name.is_empty()
            && !out.iter().any(|n| n == name)
        {
            out.push(name.to_string());
        }
    }
    out
}

/// A new case holding the screening.
fn open(
    fresh_id: &CaseId,
    s: &Intake<'_>,
    signals: Signals,
    cited: Vec<CitedEntry>,
    reason: String,
    detail: String,
) -> IntakePlan {
    let mut case = CaseRecord {
        case_id: fresh_id.clone(),
        exporter: s.exporter.to_string(),
        reference: s.reference.to_string(),
        status: CaseStatus::Open,
        decision: signals.decision,
        priority: signals.priority(),
        priority_score: signals.score(),
        signals: Signals::default(),
        screenings: 0,
        latest_screening: None,
        assignee: None,
        created_at_unix_ms: s.at_unix_ms,
        updated_at_unix_ms: s.at_unix_ms,
        decided_at_unix_ms: None,
        decided_by: None,
        check_due_unix_ms: None,
        entries: cited,
        marks: vec![],
        checks: vec![],
        history: vec![],
        pending_approval: None,
        sole_match: None,
        parties: Vec::new(),
    };
    join(&mut case, s);
    set_signals(&mut case, signals);
    case.sole_match = if s.cause.is_some() {
        None
    } else {
        sole_match(&case, s.screening_id, s.findings, s.suppressed, s.facts)
    };
    let entry = HistoryEntry {
        at_unix_ms: s.at_unix_ms,
        actor: s.actor.to_string(),
        action: Joined::Opened.as_str().to_string(),
        from: None,
        to: CaseStatus::Open,
        reason,
        detail,
        screenings: 1,
    };
    IntakePlan {
        case,
        joined: Joined::Opened,
        entry,
        index_as_open: true,
    }
}

/// The one (party, list entry) that all findings of screening
/// `screening_id` that still count (not excluded, not CLEAR) are about, if
/// there is one: each such
/// finding is a party match with a party key (`facts.party_keys`), and
/// they share party key, list and entry. `None` when any other finding
/// counts, or none does.
pub fn sole_match(
    case: &CaseRecord,
    screening_id: &ScreeningId,
    findings: &[Finding],
    suppressed: &[SuppressedFinding],
    facts: &ScreeningFacts,
) -> Option<MatchKey> {
    let excluded = case.excluded(screening_id, suppressed);
    let mut key: Option<MatchKey> = None;
    for (i, f) in findings.iter().enumerate() {
        // Excluded findings and CLEAR ones (information only) decide nothing.
        if excluded.contains(&i) || f.decision <= crate::model::Decision::Clear {
            continue;
        }
        let party_key = facts
            .party_keys
            .iter()
            .find(|(index, _)| *index == i)
            .map(|(_, k)| k)?;
        let this = MatchKey {
            party_key: party_key.clone(),
            list_id: f.list_id.clone(),
            entry_id: f.entry_id.clone(),
        };
        match &key {
            Some(k) if *k != this => return None,
            Some(_) => {}
            None => key = Some(this),
        }
    }
    key
}

/// True when approving `case` needs a second officer: the latest verdict
/// on some finding is a confirmed match marked [`FindingMark::four_eyes`]
/// (a list whose matches `policy.toml` denies or puts under licence).
pub fn needs_four_eyes(case: &CaseRecord) -> bool {
    let mut latest: std::collections::BTreeMap<(&ScreeningId, usize), &FindingMark> =
        std::collections::BTreeMap::new();
    for m in &case.marks {
        latest.insert((&m.screening_id, m.finding_index), m);
    }
    latest
        .values()
        .any(|m| m.verdict == Verdict::ConfirmedMatch && m.four_eyes)
}

fn set_signals(case: &mut CaseRecord, signals: Signals) {
    case.decision = signals.decision;
    case.priority = signals.priority();
    case.priority_score = signals.score();
    case.signals = signals;
}

fn merge_entries(into: &mut Vec<CitedEntry>, more: Vec<CitedEntry>) {
    into.extend(more);
    into.sort();
    into.dedup_by(|a, b| a.list_id == b.list_id && a.entry_id == b.entry_id);
}

/// The identity of a party match for suppression, prepared by the caller
/// (it needs the engine and the list content).
#[derive(Clone, Debug, PartialEq)]
pub struct SuppressionKey {
    /// [`keys::party_key`] of the finding's party.
    pub party_key: String,
    /// [`keys::entry_fingerprint`] of the entry at `judged_version`.
    pub entry_fingerprint: String,
    /// The list version of the marked screening.
    pub judged_version: ListVersionRef,
    /// Id for a suppression created by this mark.
    pub new_id: SuppressionId,
}

/// A finding to mark, as the caller read it from the stored screening.
#[derive(Clone, Debug, PartialEq)]
pub struct MarkTarget {
    /// The screening.
    pub screening_id: ScreeningId,
    /// True when the screening is one of the case's (the caller looked it
    /// up: a case's screenings are kept apart from its record).
    pub in_case: bool,
    /// Index of the finding (0-based).
    pub finding_index: usize,
    /// How many findings the screening has.
    pub findings_count: usize,
    /// The finding (when the index is in range).
    pub finding: Option<Finding>,
    /// The finding's party, for party findings.
    pub party: Option<Party>,
    /// `party.exact`, `party.fuzzy`, `item` ...
    pub match_kind: String,
    /// For a party match against a list entry.
    pub key: Option<SuppressionKey>,
    /// Not a match, or confirmed.
    pub verdict: Verdict,
    /// The finding's list denies or puts under licence what matches it
    /// (`policy.toml`): a confirmed match makes approval a four-eyes
    /// decision.
    pub four_eyes_list: bool,
}

/// An officer's command.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Assign the case (to the actor, or to another officer).
    Claim {
        /// The officer who will hold it.
        assignee: String,
    },
    /// Ask the exporter for information (the reason is the question).
    RequestInfo,
    /// Approve or deny; an approval may set a post-shipment check.
    Decide {
        /// Approve or deny.
        decision: CaseDecision,
        /// When a post-shipment check is due (approvals only).
        check_due_unix_ms: Option<i64>,
    },
    /// Judge a finding.
    Mark(Box<MarkTarget>),
    /// Schedule a post-shipment check of an approved case.
    ScheduleCheck {
        /// When it is due.
        due_unix_ms: i64,
    },
    /// Record an end-use certificate or a post-shipment check's result.
    RecordCheck {
        /// What is recorded.
        kind: super::record::CheckKind,
        /// Document reference.
        document: String,
    },
    /// Reopen a decided or closed case (back to IN_REVIEW, held by the
    /// actor); the earlier decision stays in the history.
    Reopen,
    /// Close an OPEN case whose [`CaseRecord::sole_match`] is `key`: an
    /// officer judged that party and entry "not a match" in `origin`.
    CloseNotAMatch {
        /// The party and entry judged.
        key: MatchKey,
        /// The case where it was judged.
        origin: CaseId,
        /// The suppression the judgement created.
        suppression: Option<SuppressionId>,
    },
}

impl Command {
    fn transition(&self) -> Transition {
        use super::record::CheckKind;
        match self {
            Command::Claim { .. } => Transition::Claim,
            Command::RequestInfo => Transition::RequestInfo,
            Command::Decide { decision, .. } => Transition::Decide(*decision),
            Command::Mark(_) => Transition::Mark,
            Command::ScheduleCheck { .. } => Transition::ScheduleCheck,
            Command::Reopen => Transition::Reopen,
            Command::CloseNotAMatch { .. } => Transition::CloseNotAMatch,
            Command::RecordCheck { kind, .. } => match kind {
                CheckKind::EndUseCertificate => Transition::RecordCertificate,
                CheckKind::PostShipmentVerified => {
                    Transition::RecordVerification { verified: true }
                }
                CheckKind::PostShipmentDiverted => {
                    Transition::RecordVerification { verified: false }
                }
            },
        }
    }

    /// Only the assigned officer may do it.
    fn needs_assignee(&self) -> bool {
        matches!(
            self,
            Command::RequestInfo | Command::Decide { .. } | Command::Mark(_)
        )
    }

    /// The audit action (`case.claim` ...).
    pub fn audit_action(&self) -> AuditAction {
        match self {
            Command::Claim { .. } => AuditAction::CaseClaim,
            Command::RequestInfo => AuditAction::CaseRequestInfo,
            Command::Decide { .. } => AuditAction::CaseDecide,
            Command::Mark(_) => AuditAction::CaseMark,
            Command::ScheduleCheck { .. } => AuditAction::CaseScheduleCheck,
            Command::RecordCheck { .. } => AuditAction::CaseRecordCheck,
            Command::Reopen => AuditAction::CaseReopen,
            Command::CloseNotAMatch { .. } => AuditAction::CaseCloseNotAMatch,
        }
    }
}

/// The case's latest screening, as the workflow needs it.
#[derive(Clone, Copy, Debug)]
pub struct ScreeningView<'a> {
    /// Its id.
    pub screening_id: &'a ScreeningId,
    /// Its findings.
    pub findings: &'a [Finding],
    /// Findings suppressed when it was screened.
    pub suppressed: &'a [SuppressedFinding],
    /// Its facts.
    pub facts: &'a ScreeningFacts,
    /// The shipment's parties.
    pub parties: &'a [Party],
}

/// Who acts, when, why, and on what screening.
#[derive(Clone, Copy, Debug)]
pub struct Ctx<'a> {
    /// The officer (caller principal).
    pub actor: &'a Actor,
    /// The reason given (required by the API where the workflow needs one).
    pub reason: &'a str,
    /// When.
    pub at_unix_ms: i64,
    /// The case's latest screening.
    pub latest: Option<ScreeningView<'a>>,
}

/// An audit record to append (the store adds the actor, time and chain).
#[derive(Clone, Debug, PartialEq)]
pub struct AuditDraft {
    /// `case.decide`, `suppression.create` ...
    pub action: AuditAction,
    /// Case or suppression id.
    pub subject: String,
    /// Why.
    pub reason: String,
    /// Details.
    pub details: serde_json::Value,
}

/// A change to a party's history.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryBump {
    /// [`keys::history_key`] of the party.
    pub key: String,
    /// Its name as sent.
    pub name: String,
    /// Denials to add.
    pub denied: u32,
    /// Diversions to add.
    pub diverted: u32,
    /// Confirmed matches to add.
    pub confirmed: u32,
}

/// What the store must write besides the case.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Effects {
    /// Audit records, in order.
    pub audit: Vec<AuditDraft>,
    /// A suppression to store (ending any active one on the same key).
    pub create_suppression: Option<Suppression>,
    /// End the active suppression on (party key, list, entry), if any.
    pub end_suppression: Option<(String, String, String, SuppressionEnd)>,
    /// Party-history changes.
    pub history: Vec<HistoryBump>,
}

/// Applies `cmd` to `case` (status, assignee, marks, checks, history,
/// priority) and returns the effects to write with it.
///
/// # Errors
/// [`CaseError`] when the status does not allow the command, the actor is
/// not the assigned officer where that matters, an approval meets a
/// PROHIBITED case, or a mark names a finding the case does not have.
pub fn apply(case: &mut CaseRecord, cmd: &Command, ctx: &Ctx<'_>) -> Result<Effects, CaseError> {
    if ctx.reason.trim().is_empty() {
        return Err(CaseError::ReasonRequired {
            case_id: case.case_id.clone(),
            action: cmd.transition().label().to_string(),
        });
    }
    let transition = cmd.transition();
    let from = case.status;
    let Some(mut to) = transition.apply(from) else {
        return Err(CaseError::InvalidTransition {
            case_id: case.case_id.clone(),
            status: from,
            action: transition.label().to_string(),
            allowed: transition.allowed_text(),
            hint: if from == CaseStatus::Open
                && transition.allowed_from().contains(&CaseStatus::InReview)
            {
                "; claim it first".into()
            } else {
                String::new()
            },
        });
    };
    // The second approval of a four-eyes case comes from another officer,
    // who need not hold the case.
    let second_approval = match (cmd, &case.pending_approval) {
        (
            Command::Decide {
                decision: CaseDecision::Approve,
                ..
            },
            Some(p),
        ) => {
            if p.officer == ctx.actor.as_str() {
                return Err(CaseError::FourEyes {
                    case_id: case.case_id.clone(),
                    officer: p.officer.clone(),
                });
            }
            true
        }
        _ => false,
    };
    if cmd.needs_assignee()
        && !second_approval
        && case.assignee.as_deref() != Some(ctx.actor.as_str())
    {
        return Err(CaseError::NotAssignee {
            case_id: case.case_id.clone(),
            assignee: case.assignee.clone().unwrap_or_else(|| "nobody".into()),
            actor: ctx.actor.to_string(),
        });
    }
    let mut fx = Effects::default();
    let mut details = json!({"from": from.as_str()});
    let mut detail = String::new();
    let mut action = cmd.audit_action();
    match cmd {
        Command::Claim { assignee } => {
            detail = match &case.assignee {
                Some(prev) if prev != assignee => format!("assigned to {assignee} (was {prev})"),
                _ => format!("assigned to {assignee}"),
            };
            details["assignee"] = json!(assignee);
            details["previous_assignee"] = json!(case.assignee);
            case.assignee = Some(assignee.clone());
        }
        Command::RequestInfo => {
            case.pending_approval = None;
        }
        Command::Decide {
            decision,
            check_due_unix_ms,
        } => {
            if *decision == CaseDecision::Approve
                && case.decision == crate::model::Decision::Prohibited
            {
                return Err(CaseError::ProhibitedApproval {
                    case_id: case.case_id.clone(),
                });
            }
            details["decision"] = json!(decision.as_str());
            details["screening_decision"] = json!(case.decision.as_str());
            details["priority_score"] = json!(case.priority_score);
            let first = case.pending_approval.take();
            if *decision == CaseDecision::Approve && first.is_none() && needs_four_eyes(case) {
                // The first of two approvals: recorded, the case waits.
                case.pending_approval = Some(PendingApproval {
                    officer: ctx.actor.to_string(),
                    reason: ctx.reason.to_string(),
                    at_unix_ms: ctx.at_unix_ms,
                    check_due_unix_ms: *check_due_unix_ms,
                });
                to = from;
                action = AuditAction::CaseApprovePending;
                details["four_eyes"] = json!("first approval; a second officer must approve");
                detail = "APPROVE (first of two officers: a confirmed match on a deny or licence list needs a second approval)".to_string();
                return Ok(finish(case, ctx, fx, action, from, to, detail, details));
            }
            case.decided_at_unix_ms = Some(ctx.at_unix_ms);
            case.decided_by = Some(ctx.actor.to_string());
            detail = decision.as_str().to_string();
            if let (CaseDecision::Approve, Some(p)) = (decision, &first) {
                details["four_eyes"] = json!({"first_officer": p.officer, "first_reason": p.reason, "first_at_unix_ms": p.at_unix_ms});
                detail = format!("APPROVE (second officer; first approval by {})", p.officer);
            }
            let check_due = check_due_unix_ms.or(first.and_then(|p| p.check_due_unix_ms));
            match decision {
                CaseDecision::Approve => {
                    if let Some(due) = check_due {
                        case.check_due_unix_ms = Some(due);
                        to = CaseStatus::PostShipmentCheckDue;
                        details["check_due_unix_ms"] = json!(due);
                        detail = format!("{detail}, post-shipment check due {due}");
                    }
                }
                CaseDecision::Deny => {
                    fx.history = party_bumps(ctx, |b| b.denied = 1);
                    details["parties"] =
                        json!(fx.history.iter().map(|b| &b.name).collect::<Vec<_>>());
                }
            }
        }
        Command::Mark(target) => {
            detail = mark(case, target, ctx, &mut fx, &mut details)?;
            // The evidence was judged again: a first approval no longer stands.
            case.pending_approval = None;
        }
        Command::Reopen => {
            details["previous_decision_by"] = json!(case.decided_by);
            details["previous_decided_at_unix_ms"] = json!(case.decided_at_unix_ms);
            detail = format!(
                "reopened from {}{}",
                from.as_str(),
                case.decided_by
                    .as_deref()
                    .map(|by| format!(" (decided by {by})"))
                    .unwrap_or_default()
            );
            case.decided_at_unix_ms = None;
            case.decided_by = None;
            case.check_due_unix_ms = None;
            case.pending_approval = None;
            case.assignee = Some(ctx.actor.to_string());
            details["assignee"] = json!(ctx.actor.as_str());
        }
        Command::CloseNotAMatch {
            key,
            origin,
            suppression,
        } => {
            if case.sole_match.as_ref() != Some(key) {
                return Err(CaseError::NotSoleMatch {
                    case_id: case.case_id.clone(),
                });
            }
            details["origin_case_id"] = json!(origin);
            details["suppression_id"] = json!(suppression);
            details["party_key"] = json!(key.party_key);
            details["list_id"] = json!(key.list_id);
            details["entry_id"] = json!(key.entry_id);
            detail = format!(
                "closed: {} {} judged \"not a match\" in {origin}",
                key.list_id, key.entry_id
            );
            case.sole_match = None;
        }
        Command::ScheduleCheck { due_unix_ms } => {
            case.check_due_unix_ms = Some(*due_unix_ms);
            details["check_due_unix_ms"] = json!(due_unix_ms);
            detail = format!("due {due_unix_ms}");
        }
        Command::RecordCheck { kind, document } => {
            case.checks.push(CaseCheck {
                kind: *kind,
                document: document.clone(),
                notes: ctx.reason.to_string(),
                officer: ctx.actor.to_string(),
                at_unix_ms: ctx.at_unix_ms,
            });
            if *kind == super::record::CheckKind::PostShipmentDiverted {
                fx.history = party_bumps(ctx, |b| b.diverted = 1);
            }
            details["kind"] = json!(kind.as_str());
            details["document"] = json!(document);
            detail = if document.is_empty() {
                kind.as_str().to_string()
            } else {
                format!("{} {document}", kind.as_str())
            };
        }
    }
    Ok(finish(case, ctx, fx, action, from, to, detail, details))
}

/// Sets the status and appends the history entry and the command's own
/// audit record (first).
#[allow(clippy::too_many_arguments)]
fn finish(
    case: &mut CaseRecord,
    ctx: &Ctx<'_>,
    mut fx: Effects,
    action: AuditAction,
    from: CaseStatus,
    to: CaseStatus,
    detail: String,
    mut details: serde_json::Value,
) -> Effects {
    details["to"] = json!(to.as_str());
    case.status = to;
    case.updated_at_unix_ms = ctx.at_unix_ms;
    case.history.push(HistoryEntry {
        at_unix_ms: ctx.at_unix_ms,
        actor: ctx.actor.to_string(),
        action: action.history_name().to_string(),
        from: Some(from),
        to,
        reason: ctx.reason.to_string(),
        detail,
        screenings: case.screenings,
    });
    fx.audit.insert(
        0,
        AuditDraft {
            action,
            subject: case.case_id.to_string(),
            reason: ctx.reason.to_string(),
            details,
        },
    );
    fx
}

/// One bump per party of the latest screening whose history counts.
fn party_bumps(ctx: &Ctx<'_>, set: impl Fn(&mut HistoryBump)) -> Vec<HistoryBump> {
    let Some(latest) = ctx.latest else {
        return Vec::new();
    };
    let shipment = crate::model::Shipment {
        parties: latest.parties.to_vec(),
        ..crate::model::Shipment::default()
    };
    let mut out: Vec<HistoryBump> = Vec::new();
    for p in facts::history_parties(&shipment) {
        let key = keys::history_key(&p.name);
        if out.iter().any(|b| b.key == key) {
            continue;
        }
        let mut b = HistoryBump {
            key,
            name: p.name.trim().to_string(),
            ..HistoryBump::default()
        };
        set(&mut b);
        out.push(b);
    }
    out
}

/// Records a mark; returns the history detail.
fn mark(
    case: &mut CaseRecord,
    t: &MarkTarget,
    ctx: &Ctx<'_>,
    fx: &mut Effects,
    details: &mut serde_json::Value,
) -> Result<String, CaseError> {
    if !t.in_case {
        return Err(CaseError::ScreeningNotInCase {
            case_id: case.case_id.clone(),
            screening_id: t.screening_id.clone(),
        });
    }
    let Some(finding) = t
        .finding
        .as_ref()
        .filter(|_| t.finding_index < t.findings_count)
    else {
        return Err(CaseError::NoSuchFinding {
            screening_id: t.screening_id.clone(),
            index: t.finding_index,
            count: t.findings_count,
        });
    };
    let mut suppression_id = None;
    if let (Some(key), Some(party)) = (&t.key, &t.party) {
        match t.verdict {
            Verdict::NotAMatch => {
                let s = Suppression {
                    suppression_id: key.new_id.clone(),
                    party_key: key.party_key.clone(),
                    party: party.clone(),
                    list_id: finding.list_id.clone(),
                    entry_id: finding.entry_id.clone(),
                    entry_name: finding.entry_name.clone(),
                    entry_fingerprint: key.entry_fingerprint.clone(),
                    judged_version: key.judged_version.clone(),
                    case_id: case.case_id.clone(),
                    screening_id: t.screening_id.clone(),
                    finding_index: t.finding_index,
                    officer: ctx.actor.to_string(),
                    reason: ctx.reason.to_string(),
                    created_at_unix_ms: ctx.at_unix_ms,
                    ended: None,
                };
                fx.audit.push(AuditDraft {
                    action: AuditAction::SuppressionCreate,
                    subject: s.suppression_id.to_string(),
                    reason: ctx.reason.to_string(),
                    details: json!({
                        "case_id": case.case_id,
                        "screening_id": t.screening_id,
                        "finding_index": t.finding_index,
                        "party": {"name": party.name, "address": party.address, "country": party.country},
                        "party_key": key.party_key,
                        "list_id": finding.list_id,
                        "entry_id": finding.entry_id,
                        "entry_fingerprint": key.entry_fingerprint,
                        "list_version": key.judged_version.version,
                        "list_checksum": key.judged_version.checksum,
                    }),
                });
                suppression_id = Some(s.suppression_id.clone());
                fx.create_suppression = Some(s);
            }
            Verdict::ConfirmedMatch => {
                fx.end_suppression = Some((
                    key.party_key.clone(),
                    finding.list_id.clone(),
                    finding.entry_id.clone(),
                    SuppressionEnd {
                        at_unix_ms: ctx.at_unix_ms,
                        by: ctx.actor.clone(),
                        why: format!("confirmed match in {}", case.case_id),
                    },
                ));
            }
        }
    }
    if t.verdict == Verdict::ConfirmedMatch {
        if let Some(party) = &t.party {
            let key = keys::history_key(&party.name);
            if !key.is_empty() && !finding.entry_id.is_empty() {
                fx.history.push(HistoryBump {
                    key,
                    name: party.name.trim().to_string(),
                    confirmed: 1,
                    ..HistoryBump::default()
                });
            }
        }
    }
    case.marks.push(FindingMark {
        screening_id: t.screening_id.clone(),
        finding_index: t.finding_index,
        verdict: t.verdict,
        officer: ctx.actor.to_string(),
        reason: ctx.reason.to_string(),
        at_unix_ms: ctx.at_unix_ms,
        list_id: finding.list_id.clone(),
        entry_id: finding.entry_id.clone(),
        entry_name: finding.entry_name.clone(),
        finding_kind: finding.kind,
        match_kind: t.match_kind.clone(),
        suppression_id: suppression_id.clone(),
        four_eyes: t.four_eyes_list && t.verdict == Verdict::ConfirmedMatch,
    });
    // The decision follows the latest screening's findings that still count.
    if let Some(latest) = ctx.latest.filter(|l| *l.screening_id == t.screening_id) {
        let excluded = case.excluded(latest.screening_id, latest.suppressed);
        set_signals(
            case,
            facts::signals(latest.findings, &excluded, latest.facts),
        );
        case.sole_match = sole_match(
            case,
            latest.screening_id,
            latest.findings,
            latest.suppressed,
            latest.facts,
        );
    }
    details["screening_id"] = json!(t.screening_id);
    details["finding_index"] = json!(t.finding_index);
    details["verdict"] = json!(t.verdict.as_str());
    details["list_id"] = json!(finding.list_id);
    details["entry_id"] = json!(finding.entry_id);
    details["match_kind"] = json!(t.match_kind);
    details["suppression_id"] = json!(suppression_id);
    details["case_decision"] = json!(case.decision.as_str());
    Ok(format!(
        "{}#{} {} ({} {})",
        t.screening_id,
        t.finding_index,
        t.verdict.as_str(),
        finding.list_id,
        finding.entry_id
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::record::CheckKind;
    use crate::model::{Decision, FindingKind, PartyRole};

    fn finding(
        kind: FindingKind,
        target: &str,
        entry: &str,
        decision: Decision,
        score: f64,
    ) -> Finding {
        Finding {
            kind,
            target: target.parse().expect("a finding target"),
            list_id: if entry.is_empty() { "" } else { "sdn" }.into(),
            entry_id: entry.into(),
            entry_name: format!("Entry {entry}"),
            score,
            matched_text: String::new(),
            matched_terms: vec![],
            reason: String::new(),
            explanation: String::new(),
            decision,
            rule: String::new(),
            category: None,
        }
    }

    fn findings() -> Vec<Finding> {
        vec![
            finding(
                FindingKind::Party,
                "party:1",
                "101",
                Decision::Prohibited,
                1.0,
            ),
            finding(
                FindingKind::Item,
                "item:0",
                "2.A.1",
                Decision::LicenseRequired,
                0.9,
            ),
        ]
    }

    fn parties() -> Vec<Party> {
        vec![
            Party {
                role: PartyRole::Exporter,
                name: "Kestrel".into(),
                ..Party::default()
            },
            Party {
                role: PartyRole::Consignee,
                name: "Zephyr Orbital".into(),
                address: "Street 1".into(),
                country: "IR".into(),
            },
        ]
    }

    /// Test values live as long as the test process.
    fn leak<T>(v: T) -> &'static T {
        Box::leak(Box::new(v))
    }

    fn intake_of<'a>(
        id: &str,
        findings: &'a [Finding],
        suppressed: &'a [SuppressedFinding],
        facts: &'a ScreeningFacts,
        at: i64,
    ) -> Intake<'a> {
        Intake {
            screening_id: leak(ScreeningId::new(id)),
            exporter: "ACME",
            reference: "PO-1",
            actor: leak(Actor::new("erp")),
            at_unix_ms: at,
            findings,
            suppressed,
            facts,
            parties: leak(parties()),
            cause: None,
        }
    }

    /// The planned case, how the screening met it, and the join's history
    /// entry.
    fn intake(
        active: Option<CaseRecord>,
        fresh: &str,
        s: &Intake<'_>,
    ) -> Option<(CaseRecord, Joined, HistoryEntry)> {
        plan_intake(active, &CaseId::new(fresh), s).map(|p| (p.case, p.joined, p.entry))
    }

    fn open_case() -> CaseRecord {
        let f = findings();
        let facts = ScreeningFacts::default();
        let (case, joined, entry) =
            intake(None, "case-1", &intake_of("scr-1", &f, &[], &facts, 100)).unwrap();
        assert_eq!(joined, Joined::Opened);
        assert_eq!((entry.action.as_str(), entry.screenings), ("opened", 1));
        case
    }

    fn ctx<'a>(actor: &str, latest: Option<ScreeningView<'a>>) -> Ctx<'a> {
        Ctx {
            actor: leak(Actor::new(actor)),
            reason: "because",
            at_unix_ms: 200,
            latest,
        }
    }

    #[test]
    fn a_flagged_screening_opens_a_case_and_a_clear_one_does_not() {
        let case = open_case();
        assert_eq!(case.status, CaseStatus::Open);
        assert_eq!(case.decision, Decision::Prohibited);
        assert_eq!(case.priority_score, case.signals.score());
        assert_eq!(case.entries.len(), 2);
        assert_eq!(case.screenings, 1);
        assert!(
            case.history.is_empty(),
            "the join is kept with its screening"
        );

        let facts = ScreeningFacts::default();
        assert!(intake(None, "case-2", &intake_of("scr-2", &[], &[], &facts, 1)).is_none());
        // Everything suppressed: nothing to decide, no case.
        let f = findings();
        let sup: Vec<SuppressedFinding> = (0..2)
            .map(|i| SuppressedFinding {
                index: i,
                suppression_id: "sup-1".into(),
                case_id: "case-0".into(),
            })
            .collect();
        assert!(intake(None, "case-2", &intake_of("scr-2", &f, &sup, &facts, 1)).is_none());
    }

    #[test]
    fn a_resubmission_answers_an_information_request() {
        let mut case = open_case();
        case.status = CaseStatus::InfoRequested;
        case.assignee = Some("alice".into());
        let facts = ScreeningFacts::default();
        let fewer = vec![findings().remove(1)];
        let (case, joined, entry) = intake(
            Some(case),
            "case-x",
            &intake_of("scr-2", &fewer, &[], &facts, 300),
        )
        .unwrap();
        assert_eq!(joined, Joined::Resubmitted);
        assert_eq!(case.case_id, "case-1");
        assert_eq!(case.status, CaseStatus::InReview);
        assert_eq!(case.screenings, 2);
        assert_eq!(case.latest_screening(), Some(&ScreeningId::new("scr-2")));
        assert_eq!(
            case.decision,
            Decision::LicenseRequired,
            "the latest screening decides"
        );
        assert_eq!(case.updated_at_unix_ms, 300);
        assert_eq!(
            (
                entry.action.as_str(),
                entry.from,
                entry.to,
                entry.screenings
            ),
            (
                "resubmitted",
                Some(CaseStatus::InfoRequested),
                CaseStatus::InReview,
                2
            )
        );

        // A CLEAR resubmission answers the request too; a CLEAR screening
        // does not join a case that asked for nothing.
        let mut asked = open_case();
        asked.status = CaseStatus::InfoRequested;
        let (c, joined, _) = intake(
            Some(asked),
            "case-x",
            &intake_of("scr-9", &[], &[], &facts, 350),
        )
        .unwrap();
        assert_eq!(
            (c.case_id.as_str(), joined),
            ("case-1", Joined::Resubmitted)
        );
        assert_eq!((c.status, c.decision), (CaseStatus::Open, Decision::Clear));
        assert!(
            intake(
                Some(open_case()),
                "case-x",
                &intake_of("scr-9", &[], &[], &facts, 350)
            )
            .is_none()
        );

        // A decided case is not joined: a new case opens.
        let mut decided = case.clone();
        decided.status = CaseStatus::Denied;
        let f = findings();
        let (c, joined, _) = intake(
            Some(decided),
            "case-2",
            &intake_of("scr-3", &f, &[], &facts, 400),
        )
        .unwrap();
        assert_eq!((c.case_id.as_str(), joined), ("case-2", Joined::Opened));
    }

    #[test]
    fn officers_claim_request_and_decide_in_order() {
        let mut case = open_case();
        // Deciding an unclaimed case is refused with the statuses that allow it.
        let err = apply(
            &mut case,
            &Command::Decide {
                decision: CaseDecision::Deny,
                check_due_unix_ms: None,
            },
            &ctx("alice", None),
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                CaseError::InvalidTransition {
                    status: CaseStatus::Open,
                    ..
                }
            ),
            "{err}"
        );
        assert!(
            err.to_string().contains("IN_REVIEW or INFO_REQUESTED"),
            "{err}"
        );
        assert!(err.to_string().ends_with("; claim it first"), "{err}");

        let fx = apply(
            &mut case,
            &Command::Claim {
                assignee: "alice".into(),
            },
            &ctx("alice", None),
        )
        .unwrap();
        assert_eq!(case.status, CaseStatus::InReview);
        assert_eq!(case.assignee.as_deref(), Some("alice"));
        assert_eq!(fx.audit[0].action, AuditAction::CaseClaim);

        // Someone else may not act on alice's case.
        let err = apply(&mut case, &Command::RequestInfo, &ctx("bob", None)).unwrap_err();
        assert!(matches!(err, CaseError::NotAssignee { .. }), "{err}");

        apply(&mut case, &Command::RequestInfo, &ctx("alice", None)).unwrap();
        assert_eq!(case.status, CaseStatus::InfoRequested);
        // Approval waits for the answer; a PROHIBITED case is never approved.
        let approve = Command::Decide {
            decision: CaseDecision::Approve,
            check_due_unix_ms: Some(999),
        };
        assert!(apply(&mut case, &approve, &ctx("alice", None)).is_err());
        case.status = CaseStatus::InReview;
        let err = apply(&mut case, &approve, &ctx("alice", None)).unwrap_err();
        assert!(matches!(err, CaseError::ProhibitedApproval { .. }), "{err}");

        case.decision = Decision::LicenseRequired;
        let fx = apply(&mut case, &approve, &ctx("alice", None)).unwrap();
        assert_eq!(case.status, CaseStatus::PostShipmentCheckDue);
        assert_eq!(case.check_due_unix_ms, Some(999));
        assert_eq!(case.decided_by.as_deref(), Some("alice"));
        assert_eq!(fx.audit[0].details["decision"], "APPROVE");
        assert_eq!(fx.audit[0].reason, "because");

        let fx = apply(
            &mut case,
            &Command::RecordCheck {
                kind: CheckKind::PostShipmentDiverted,
                document: "PSV-1".into(),
            },
            &ctx("carol", None),
        )
        .unwrap();
        assert_eq!(case.status, CaseStatus::Diverted);
        assert_eq!(case.checks[0].officer, "carol");
        assert!(
            fx.history.is_empty(),
            "no latest screening given, no parties"
        );
        let actions: Vec<&str> = case.history.iter().map(|h| h.action.as_str()).collect();
        assert_eq!(
            actions,
            vec!["claim", "request_info", "decide", "record_check"]
        );
        assert!(
            case.history.iter().all(|h| h.screenings == 1),
            "officers acted while the case had one screening"
        );
    }

    fn view<'a>(
        f: &'a [Finding],
        facts: &'a ScreeningFacts,
        parties: &'a [Party],
    ) -> ScreeningView<'a> {
        ScreeningView {
            screening_id: leak(ScreeningId::new("scr-1")),
            findings: f,
            suppressed: &[],
            facts,
            parties,
        }
    }

    fn target(index: usize, verdict: Verdict, f: &[Finding], parties: &[Party]) -> MarkTarget {
        MarkTarget {
            screening_id: "scr-1".into(),
            in_case: true,
            finding_index: index,
            findings_count: f.len(),
            finding: f.get(index).cloned(),
            party: f
                .get(index)
                .and_then(|x| keys::finding_party(x, parties))
                .cloned(),
            match_kind: "party.exact".into(),
            key: Some(SuppressionKey {
                party_key: "zephyr orbital\u{1f}street 1\u{1f}ir".into(),
                entry_fingerprint: "fp".into(),
                judged_version: ListVersionRef {
                    list_id: "sdn".into(),
                    version: 1,
                    checksum: "c".into(),
                },
                new_id: "sup-9".into(),
            }),
            verdict,
            four_eyes_list: true,
        }
    }

    #[test]
    fn not_a_match_suppresses_and_lowers_the_decision_confirmed_revokes() {
        let f = findings();
        let facts = ScreeningFacts::default();
        let parties = parties();
        let mut case = open_case();
        apply(
            &mut case,
            &Command::Claim {
                assignee: "alice".into(),
            },
            &ctx("alice", None),
        )
        .unwrap();

        let fx = apply(
            &mut case,
            &Command::Mark(Box::new(target(0, Verdict::NotAMatch, &f, &parties))),
            &ctx("alice", Some(view(&f, &facts, &parties))),
        )
        .unwrap();
        let s = fx.create_suppression.expect("suppression");
        assert_eq!(
            (s.suppression_id.as_str(), s.entry_id.as_str()),
            ("sup-9", "101")
        );
        assert_eq!(s.party.name, "Zephyr Orbital");
        assert_eq!(case.decision, Decision::LicenseRequired);
        assert!(case.priority_score < 3000);
        let actions: Vec<&str> = fx.audit.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(actions, vec!["case.mark", "suppression.create"]);
        assert_eq!(
            case.marks[0].suppression_id.as_ref().map(|s| s.as_str()),
            Some("sup-9")
        );

        let fx = apply(
            &mut case,
            &Command::Mark(Box::new(target(0, Verdict::ConfirmedMatch, &f, &parties))),
            &ctx("alice", Some(view(&f, &facts, &parties))),
        )
        .unwrap();
        assert!(fx.create_suppression.is_none());
        let (key, list, entry, end) = fx.end_suppression.expect("revocation");
        assert_eq!((list.as_str(), entry.as_str()), ("sdn", "101"));
        assert!(key.starts_with("zephyr orbital"));
        assert!(end.why.contains("case-1"), "{}", end.why);
        assert_eq!(fx.history.len(), 1);
        assert_eq!(
            (fx.history[0].name.as_str(), fx.history[0].confirmed),
            ("Zephyr Orbital", 1)
        );
        assert_eq!(
            case.decision,
            Decision::Prohibited,
            "the confirmed match counts again"
        );
    }

    #[test]
    fn marks_must_name_a_finding_of_the_case() {
        let f = findings();
        let parties = parties();
        let mut case = open_case();
        apply(
            &mut case,
            &Command::Claim {
                assignee: "alice".into(),
            },
            &ctx("alice", None),
        )
        .unwrap();
        let mut other = target(0, Verdict::NotAMatch, &f, &parties);
        other.screening_id = "scr-77".into();
        other.in_case = false;
        let err = apply(
            &mut case,
            &Command::Mark(Box::new(other)),
            &ctx("alice", None),
        )
        .unwrap_err();
        assert!(matches!(err, CaseError::ScreeningNotInCase { .. }), "{err}");
        let beyond = target(5, Verdict::NotAMatch, &f, &parties);
        let err = apply(
            &mut case,
            &Command::Mark(Box::new(beyond)),
            &ctx("alice", None),
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                CaseError::NoSuchFinding {
                    index: 5,
                    count: 2,
                    ..
                }
            ),
            "{err}"
        );
        assert!(case.marks.is_empty());
    }

    #[test]
    fn a_denial_marks_every_party_but_the_exporter() {
        let f = findings();
        let facts = ScreeningFacts::default();
        let mut parties = parties();
        parties.push(Party {
            role: PartyRole::EndUser,
            name: "ZEPHYR  ORBITAL".into(),
            ..Party::default()
        });
        let mut case = open_case();
        apply(
            &mut case,
            &Command::Claim {
                assignee: "alice".into(),
            },
            &ctx("alice", None),
        )
        .unwrap();
        let fx = apply(
            &mut case,
            &Command::Decide {
                decision: CaseDecision::Deny,
                check_due_unix_ms: None,
            },
            &ctx("alice", Some(view(&f, &facts, &parties))),
        )
        .unwrap();
        assert_eq!(case.status, CaseStatus::Denied);
        assert_eq!(
            fx.history.len(),
            1,
            "one party under two spellings: {:?}",
            fx.history
        );
        assert_eq!(
            (fx.history[0].key.as_str(), fx.history[0].denied),
            ("zephyr orbital", 1)
        );
    }

    fn claimed(by: &str) -> CaseRecord {
        let mut case = open_case();
        apply(
            &mut case,
            &Command::Claim {
                assignee: by.into(),
            },
            &ctx(by, None),
        )
        .unwrap();
        case
    }

    fn approve() -> Command {
        Command::Decide {
            decision: CaseDecision::Approve,
            check_due_unix_ms: None,
        }
    }

    #[test]
    fn every_officer_action_needs_a_reason() {
        let mut case = open_case();
        let mut c = ctx("alice", None);
        c.reason = "  ";
        let err = apply(
            &mut case,
            &Command::Claim {
                assignee: "alice".into(),
            },
            &c,
        )
        .unwrap_err();
        assert!(matches!(err, CaseError::ReasonRequired { .. }), "{err}");
        assert!(err.to_string().contains("a reason is required to claim it"));
        assert_eq!(case.status, CaseStatus::Open, "nothing changed");
        assert!(case.history.is_empty());
    }

    #[test]
    fn a_confirmed_match_on_a_licence_list_needs_a_second_officer() {
        let f = findings();
        let facts = ScreeningFacts::default();
        let parties = parties();
        let mut case = claimed("alice");
        apply(
            &mut case,
            &Command::Mark(Box::new(target(0, Verdict::ConfirmedMatch, &f, &parties))),
            &ctx("alice", Some(view(&f, &facts, &parties))),
        )
        .unwrap();
        assert!(case.marks[0].four_eyes);
        assert!(needs_four_eyes(&case));
        // A licence list: the case may be approved (not PROHIBITED).
        case.decision = Decision::LicenseRequired;

        let fx = apply(&mut case, &approve(), &ctx("alice", None)).unwrap();
        assert_eq!(
            case.status,
            CaseStatus::InReview,
            "waits for a second officer"
        );
        assert_eq!(fx.audit[0].action, AuditAction::CaseApprovePending);
        assert_eq!(
            case.pending_approval.as_ref().map(|p| p.officer.as_str()),
            Some("alice")
        );
        assert!(case.decided_by.is_none());

        // The same officer cannot be the second pair of eyes.
        let err = apply(&mut case, &approve(), &ctx("alice", None)).unwrap_err();
        assert!(matches!(err, CaseError::FourEyes { .. }), "{err}");
        assert!(err.to_string().contains("four-eyes rule"), "{err}");

        // Another officer (not holding the case) completes it.
        let fx = apply(&mut case, &approve(), &ctx("bob", None)).unwrap();
        assert_eq!(case.status, CaseStatus::Approved);
        assert_eq!(case.decided_by.as_deref(), Some("bob"));
        assert!(case.pending_approval.is_none());
        assert_eq!(fx.audit[0].action, AuditAction::CaseDecide);
        assert_eq!(fx.audit[0].details["four_eyes"]["first_officer"], "alice");
        let actions: Vec<&str> = case.history.iter().map(|h| h.action.as_str()).collect();
        assert_eq!(actions, vec!["claim", "mark", "approve_pending", "decide"]);
    }

    #[test]
    fn without_a_four_eyes_mark_one_approval_decides() {
        let mut case = claimed("alice");
        case.decision = Decision::LicenseRequired;
        assert!(!needs_four_eyes(&case));
        apply(&mut case, &approve(), &ctx("alice", None)).unwrap();
        assert_eq!(case.status, CaseStatus::Approved);
        // Another officer may not approve a case alice holds without a
        // pending first approval.
        let mut other = claimed("alice");
        other.decision = Decision::LicenseRequired;
        let err = apply(&mut other, &approve(), &ctx("bob", None)).unwrap_err();
        assert!(matches!(err, CaseError::NotAssignee { .. }), "{err}");
    }

    #[test]
    fn a_mark_after_a_first_approval_withdraws_it() {
        let f = findings();
        let facts = ScreeningFacts::default();
        let parties = parties();
        let mut case = claimed("alice");
        apply(
            &mut case,
            &Command::Mark(Box::new(target(0, Verdict::ConfirmedMatch, &f, &parties))),
            &ctx("alice", Some(view(&f, &facts, &parties))),
        )
        .unwrap();
        case.decision = Decision::LicenseRequired;
        apply(&mut case, &approve(), &ctx("alice", None)).unwrap();
        assert!(case.pending_approval.is_some());
        apply(
            &mut case,
            &Command::Mark(Box::new(target(1, Verdict::ConfirmedMatch, &f, &parties))),
            &ctx("alice", Some(view(&f, &facts, &parties))),
        )
        .unwrap();
        assert!(case.pending_approval.is_none());
    }

    #[test]
    fn a_decided_case_reopens_with_its_decision_kept_in_history() {
        let mut case = claimed("alice");
        case.decision = Decision::LicenseRequired;
        apply(&mut case, &approve(), &ctx("alice", None)).unwrap();
        // Only decided or closed cases reopen.
        let mut open = open_case();
        let err = apply(&mut open, &Command::Reopen, &ctx("bob", None)).unwrap_err();
        assert!(matches!(err, CaseError::InvalidTransition { .. }), "{err}");

        let mut c = ctx("bob", None);
        c.reason = "licence DE-42 was revoked";
        let fx = apply(&mut case, &Command::Reopen, &c).unwrap();
        assert_eq!(case.status, CaseStatus::InReview);
        assert_eq!(case.assignee.as_deref(), Some("bob"));
        assert!(case.decided_at_unix_ms.is_none() && case.decided_by.is_none());
        assert_eq!(fx.audit[0].action, AuditAction::CaseReopen);
        assert_eq!(fx.audit[0].reason, "licence DE-42 was revoked");
        assert_eq!(fx.audit[0].details["previous_decision_by"], "alice");
        let decide = case.history.iter().find(|h| h.action == "decide").unwrap();
        assert_eq!(
            decide.to,
            CaseStatus::Approved,
            "the decision stays in history"
        );
        let last = case.history.last().unwrap();
        assert_eq!(
            (last.action.as_str(), last.from, last.to),
            ("reopen", Some(CaseStatus::Approved), CaseStatus::InReview)
        );
        assert!(last.detail.contains("decided by alice"), "{}", last.detail);
    }

    fn party_only(entry: &str) -> Vec<Finding> {
        vec![finding(
            FindingKind::Party,
            "party:1",
            entry,
            Decision::Review,
            0.9,
        )]
    }

    fn keyed(facts: &mut ScreeningFacts, key: &str) {
        facts.party_keys = vec![(0, key.to_string())];
    }

    #[test]
    fn a_case_has_a_sole_match_only_when_one_party_and_entry_are_all_that_count() {
        let mut facts = ScreeningFacts::default();
        keyed(&mut facts, "alpha trading");
        let f = party_only("7");
        let (case, _, _) = intake(None, "case-1", &intake_of("scr-1", &f, &[], &facts, 1)).unwrap();
        assert_eq!(
            case.sole_match,
            Some(MatchKey {
                party_key: "alpha trading".into(),
                list_id: "sdn".into(),
                entry_id: "7".into(),
            })
        );
        // A CLEAR finding (information only) does not get in the way.
        let mut info = party_only("7");
        info.push(finding(
            FindingKind::Party,
            "party:1",
            "",
            Decision::Clear,
            0.0,
        ));
        let (case, _, _) =
            intake(None, "case-4", &intake_of("scr-4", &info, &[], &facts, 1)).unwrap();
        assert!(case.sole_match.is_some());
        // An item finding counts too: no sole match.
        let mut more = party_only("7");
        more.push(findings().remove(1));
        let (case, _, _) =
            intake(None, "case-2", &intake_of("scr-2", &more, &[], &facts, 1)).unwrap();
        assert_eq!(case.sole_match, None);
        // A finding without a party key (not suppressible): none either.
        let (case, _, _) = intake(
            None,
            "case-3",
            &intake_of("scr-3", &f, &[], &ScreeningFacts::default(), 1),
        )
        .unwrap();
        assert_eq!(case.sole_match, None);
    }

    #[test]
    fn a_not_a_match_elsewhere_closes_an_open_case_with_that_sole_match() {
        let mut facts = ScreeningFacts::default();
        keyed(&mut facts, "alpha trading");
        let f = party_only("7");
        let (mut case, _, _) =
            intake(None, "case-2", &intake_of("scr-2", &f, &[], &facts, 1)).unwrap();
        let key = case.sole_match.clone().unwrap();
        let close = Command::CloseNotAMatch {
            key: key.clone(),
            origin: "case-1".into(),
            suppression: Some("sup-1".into()),
        };
        // Another key is refused (the case changed since it was found).
        let other = Command::CloseNotAMatch {
            key: MatchKey {
                entry_id: "8".into(),
                ..key.clone()
            },
            origin: "case-1".into(),
            suppression: None,
        };
        let err = apply(&mut case, &other, &ctx("alice", None)).unwrap_err();
        assert!(matches!(err, CaseError::NotSoleMatch { .. }), "{err}");

        let fx = apply(&mut case, &close, &ctx("alice", None)).unwrap();
        assert_eq!(case.status, CaseStatus::Closed);
        assert_eq!(fx.audit[0].action, AuditAction::CaseCloseNotAMatch);
        assert_eq!(fx.audit[0].details["origin_case_id"], "case-1");
        assert_eq!(fx.audit[0].reason, "because");
        assert!(case.history.last().unwrap().detail.contains("case-1"));
        // Closed once: a second close is refused by the status machine.
        let err = apply(&mut case, &close, &ctx("alice", None)).unwrap_err();
        assert!(matches!(err, CaseError::InvalidTransition { .. }), "{err}");
        // A claimed (IN_REVIEW) case is not closed behind its officer's back.
        let (mut held, _, _) =
            intake(None, "case-3", &intake_of("scr-3", &f, &[], &facts, 1)).unwrap();
        apply(
            &mut held,
            &Command::Claim {
                assignee: "bob".into(),
            },
            &ctx("bob", None),
        )
        .unwrap();
        assert!(apply(&mut held, &close, &ctx("alice", None)).is_err());
    }
}
