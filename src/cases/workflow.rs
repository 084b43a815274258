//! The workflow's decisions: a screening (or a list change) opening or
//! joining a case ([`plan_intake`], one function for both), and an
//! officer's command applied to a case ([`apply`]). Each returns what
//! changed and what the store must write in the same transaction (the
//! [`IntakePlan`]; audit records, suppressions, party histories as
//! [`Effects`]); nothing here touches storage.

use std::collections::BTreeSet;

use serde_json::json;

use super::error::CaseError;
use super::facts;
use super::keys;
use super::priority::Signals;
use super::record::{
    CaseCause, CaseCheck, CaseRecord, CitedEntry, FindingMark, HistoryEntry, ScreeningFacts,
    SuppressedFinding, Suppression, SuppressionEnd, Verdict,
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
    case.screenings = case.screenings.saturating_add(1);
    case.latest_screening = Some(s.screening_id.clone());
    case.updated_at_unix_ms = s.at_unix_ms;
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
    };
    join(&mut case, s);
    set_signals(&mut case, signals);
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
    if cmd.needs_assignee() && case.assignee.as_deref() != Some(ctx.actor.as_str()) {
        return Err(CaseError::NotAssignee {
            case_id: case.case_id.clone(),
            assignee: case.assignee.clone().unwrap_or_else(|| "nobody".into()),
            actor: ctx.actor.to_string(),
        });
    }
    let mut fx = Effects::default();
    let mut details = json!({"from": from.as_str()});
    let mut detail = String::new();
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
        Command::RequestInfo => {}
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
            case.decided_at_unix_ms = Some(ctx.at_unix_ms);
            case.decided_by = Some(ctx.actor.to_string());
            detail = decision.as_str().to_string();
            details["decision"] = json!(decision.as_str());
            details["screening_decision"] = json!(case.decision.as_str());
            details["priority_score"] = json!(case.priority_score);
            match decision {
                CaseDecision::Approve => {
                    if let Some(due) = check_due_unix_ms {
                        case.check_due_unix_ms = Some(*due);
                        to = CaseStatus::PostShipmentCheckDue;
                        details["check_due_unix_ms"] = json!(due);
                        detail = format!("APPROVE, post-shipment check due {due}");
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
    details["to"] = json!(to.as_str());
    case.status = to;
    case.updated_at_unix_ms = ctx.at_unix_ms;
    let action = cmd.audit_action();
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
    Ok(fx)
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
    });
    // The decision follows the latest screening's findings that still count.
    if let Some(latest) = ctx.latest.filter(|l| *l.screening_id == t.screening_id) {
        let excluded = case.excluded(latest.screening_id, latest.suppressed);
        set_signals(
            case,
            facts::signals(latest.findings, &excluded, latest.facts),
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
}
