//! Protobuf <-> workflow conversions of the case and audit services, with
//! request validation (fields named by their path in the request).

use prost::Message;

use crate::api::convert::{
    decision_to_pb, get_screening_response, list_version_to_pb, party_to_pb,
};
use crate::api::pb;
use crate::api::status::ApiError;
use crate::cases::report::{AGE_BUCKETS, Report};
use crate::cases::{
    CaseChange, CaseCheck, CaseDecision, CaseFilter, CasePriority, CaseRecord, CaseStatus,
    CaseSummary, ChangeKind, CheckKind, CitedEntry, FindingMark, HistoryEntry, Suppression,
    Verdict,
};
use crate::service::CaseView;
use crate::store::audit::AuditRecord;

type Result<T> = std::result::Result<T, ApiError>;

/// A status on the wire.
pub fn status_to_pb(s: CaseStatus) -> pb::CaseStatus {
    match s {
        CaseStatus::Open => pb::CaseStatus::Open,
        CaseStatus::InReview => pb::CaseStatus::InReview,
        CaseStatus::InfoRequested => pb::CaseStatus::InfoRequested,
        CaseStatus::Approved => pb::CaseStatus::Approved,
        CaseStatus::Denied => pb::CaseStatus::Denied,
        CaseStatus::PostShipmentCheckDue => pb::CaseStatus::PostShipmentCheckDue,
        CaseStatus::Verified => pb::CaseStatus::Verified,
        CaseStatus::Diverted => pb::CaseStatus::Diverted,
        CaseStatus::Closed => pb::CaseStatus::Closed,
    }
}

/// A status from the wire (UNSPECIFIED and unknown values refused).
pub fn status(n: i32, field: &str) -> Result<CaseStatus> {
    match pb::CaseStatus::try_from(n) {
        Ok(pb::CaseStatus::Open) => Ok(CaseStatus::Open),
        Ok(pb::CaseStatus::InReview) => Ok(CaseStatus::InReview),
        Ok(pb::CaseStatus::InfoRequested) => Ok(CaseStatus::InfoRequested),
        Ok(pb::CaseStatus::Approved) => Ok(CaseStatus::Approved),
        Ok(pb::CaseStatus::Denied) => Ok(CaseStatus::Denied),
        Ok(pb::CaseStatus::PostShipmentCheckDue) => Ok(CaseStatus::PostShipmentCheckDue),
        Ok(pb::CaseStatus::Verified) => Ok(CaseStatus::Verified),
        Ok(pb::CaseStatus::Diverted) => Ok(CaseStatus::Diverted),
        Ok(pb::CaseStatus::Closed) => Ok(CaseStatus::Closed),
        Ok(pb::CaseStatus::Unspecified) | Err(_) => {
            Err(ApiError::invalid(field, format!("unknown case status {n}")))
        }
    }
}

/// A priority on the wire.
pub fn priority_to_pb(p: CasePriority) -> pb::CasePriority {
    match p {
        CasePriority::Low => pb::CasePriority::Low,
        CasePriority::Medium => pb::CasePriority::Medium,
        CasePriority::High => pb::CasePriority::High,
    }
}

/// A priority from the wire; UNSPECIFIED is `None`.
pub fn priority(n: i32, field: &str) -> Result<Option<CasePriority>> {
    match pb::CasePriority::try_from(n) {
        Ok(pb::CasePriority::Unspecified) => Ok(None),
        Ok(pb::CasePriority::Low) => Ok(Some(CasePriority::Low)),
        Ok(pb::CasePriority::Medium) => Ok(Some(CasePriority::Medium)),
        Ok(pb::CasePriority::High) => Ok(Some(CasePriority::High)),
        Err(_) => Err(ApiError::invalid(field, format!("unknown priority {n}"))),
    }
}

/// A decision from the wire (required).
pub fn case_decision(n: i32, field: &str) -> Result<CaseDecision> {
    match pb::CaseDecision::try_from(n) {
        Ok(pb::CaseDecision::Approve) => Ok(CaseDecision::Approve),
        Ok(pb::CaseDecision::Deny) => Ok(CaseDecision::Deny),
        Ok(pb::CaseDecision::Unspecified) | Err(_) => Err(ApiError::invalid(
            field,
            "required: CASE_DECISION_APPROVE or CASE_DECISION_DENY",
        )),
    }
}

/// A verdict from the wire (required).
pub fn verdict(n: i32, field: &str) -> Result<Verdict> {
    match pb::FindingVerdict::try_from(n) {
        Ok(pb::FindingVerdict::NotAMatch) => Ok(Verdict::NotAMatch),
        Ok(pb::FindingVerdict::ConfirmedMatch) => Ok(Verdict::ConfirmedMatch),
        Ok(pb::FindingVerdict::Unspecified) | Err(_) => Err(ApiError::invalid(
            field,
            "required: FINDING_VERDICT_NOT_A_MATCH or FINDING_VERDICT_CONFIRMED_MATCH",
        )),
    }
}

fn verdict_to_pb(v: Verdict) -> pb::FindingVerdict {
    match v {
        Verdict::NotAMatch => pb::FindingVerdict::NotAMatch,
        Verdict::ConfirmedMatch => pb::FindingVerdict::ConfirmedMatch,
    }
}

/// A check kind from the wire (required).
pub fn check_kind(n: i32, field: &str) -> Result<CheckKind> {
    match pb::CheckKind::try_from(n) {
        Ok(pb::CheckKind::EndUseCertificate) => Ok(CheckKind::EndUseCertificate),
        Ok(pb::CheckKind::PostShipmentVerified) => Ok(CheckKind::PostShipmentVerified),
        Ok(pb::CheckKind::PostShipmentDiverted) => Ok(CheckKind::PostShipmentDiverted),
        Ok(pb::CheckKind::Unspecified) | Err(_) => Err(ApiError::invalid(
            field,
            "required: CHECK_KIND_END_USE_CERTIFICATE, CHECK_KIND_POST_SHIPMENT_VERIFIED or CHECK_KIND_POST_SHIPMENT_DIVERTED",
        )),
    }
}

fn check_kind_to_pb(k: CheckKind) -> pb::CheckKind {
    match k {
        CheckKind::EndUseCertificate => pb::CheckKind::EndUseCertificate,
        CheckKind::PostShipmentVerified => pb::CheckKind::PostShipmentVerified,
        CheckKind::PostShipmentDiverted => pb::CheckKind::PostShipmentDiverted,
    }
}

/// `None` for 0 (an unset time).
pub fn optional_time(t: i64) -> Option<i64> {
    (t != 0).then_some(t)
}

fn cited_to_pb(e: CitedEntry) -> pb::CitedEntry {
    let CitedEntry {
        list_id,
        entry_id,
        entry_name,
    } = e;
    pb::CitedEntry {
        list_id,
        entry_id,
        entry_name,
    }
}

/// A queue summary on the wire.
pub fn summary_to_pb(s: CaseSummary) -> pb::CaseSummary {
    let CaseSummary {
        case_id,
        exporter,
        reference,
        status,
        decision,
        priority,
        priority_score,
        assignee,
        created_at_unix_ms,
        updated_at_unix_ms,
        decided_at_unix_ms,
        check_due_unix_ms,
        screenings,
        entries,
        parties,
    } = s;
    pb::CaseSummary {
        parties,
        case_id: case_id.into_string(),
        exporter,
        reference,
        status: status_to_pb(status).into(),
        decision: decision_to_pb(decision).into(),
        priority: priority_to_pb(priority).into(),
        priority_score,
        assignee: assignee.unwrap_or_default(),
        created_at_unix_ms,
        updated_at_unix_ms,
        decided_at_unix_ms: decided_at_unix_ms.unwrap_or(0),
        check_due_unix_ms: check_due_unix_ms.unwrap_or(0),
        screenings,
        entries: entries.into_iter().map(cited_to_pb).collect(),
    }
}

fn mark_to_pb(m: FindingMark) -> pb::FindingMark {
    let FindingMark {
        screening_id,
        finding_index,
        verdict,
        officer,
        reason,
        at_unix_ms,
        list_id,
        entry_id,
        entry_name,
        finding_kind: _, // implied by match_kind
        match_kind,
        suppression_id,
        four_eyes,
    } = m;
    pb::FindingMark {
        screening_id: screening_id.into_string(),
        finding_index: u32::try_from(finding_index).unwrap_or(u32::MAX),
        verdict: verdict_to_pb(verdict).into(),
        officer,
        reason,
        at_unix_ms,
        list_id,
        entry_id,
        entry_name,
        match_kind,
        suppression_id: suppression_id.map(String::from).unwrap_or_default(),
        four_eyes,
    }
}

fn check_to_pb(c: CaseCheck) -> pb::CaseCheck {
    let CaseCheck {
        kind,
        document,
        notes,
        officer,
        at_unix_ms,
    } = c;
    pb::CaseCheck {
        kind: check_kind_to_pb(kind).into(),
        document,
        notes,
        officer,
        at_unix_ms,
    }
}

fn history_to_pb(h: HistoryEntry) -> pb::CaseHistoryEntry {
    let HistoryEntry {
        at_unix_ms,
        actor,
        action,
        from,
        to,
        reason,
        detail,
        screenings: _, // orders the history
    } = h;
    pb::CaseHistoryEntry {
        at_unix_ms,
        actor,
        action,
        from: from
            .map(status_to_pb)
            .unwrap_or(pb::CaseStatus::Unspecified)
            .into(),
        to: status_to_pb(to).into(),
        reason,
        detail,
    }
}

/// A case with a page of its screenings on the wire: the screenings in
/// joining order while their encoded size stays within `max_bytes` (at
/// least one), the officers' history with the joins of those screenings
/// in the order they happened, and the token of the next page.
pub fn case_to_pb(view: CaseView, max_bytes: usize) -> pb::Case {
    let CaseView {
        case,
        members,
        next,
    } = view;
    let summary = summary_to_pb(case.summary());
    let CaseRecord {
        signals,
        marks,
        checks,
        history,
        decided_by,
        pending_approval,
        ..
    } = case;
    let explanation = signals.explain();
    let mut screenings = Vec::with_capacity(members.len());
    let mut joins: Vec<HistoryEntry> = Vec::with_capacity(members.len());
    let mut bytes = 0usize;
    let mut last_seq = None;
    let mut cut = false;
    for (member, record) in members {
        let r = get_screening_response(record);
        let len = r.encoded_len();
        if !screenings.is_empty() && bytes + len > max_bytes {
            cut = true;
            break;
        }
        bytes += len;
        last_seq = Some(member.seq);
        joins.push(member.entry);
        screenings.push(r);
    }
    let next_page_token = match (cut, next, last_seq) {
        (true, _, Some(seq)) | (false, Some(_), Some(seq)) => seq.to_string(),
        _ => String::new(),
    };
    // A join n comes before the officers' actions taken when the case had
    // n screenings.
    let mut all: Vec<((u32, u8), HistoryEntry)> = joins
        .into_iter()
        .map(|h| ((h.screenings, 0), h))
        .chain(history.into_iter().map(|h| ((h.screenings, 1), h)))
        .collect();
    all.sort_by_key(|(k, _)| *k);
    pb::Case {
        summary: Some(summary),
        signals: Some(pb::PrioritySignals {
            decision: decision_to_pb(signals.decision).into(),
            max_score: signals.max_score,
            category_i: signals.category_i,
            embargoed_destination: signals.embargoed_destination,
            prior_denials: signals.prior_denials,
            prior_confirmations: signals.prior_confirmations,
            serial_parties: signals.serial_parties,
            explanation,
        }),
        screenings,
        marks: marks.into_iter().map(mark_to_pb).collect(),
        checks: checks.into_iter().map(check_to_pb).collect(),
        history: all.into_iter().map(|(_, h)| history_to_pb(h)).collect(),
        pending_approval: pending_approval.map(|p| pb::PendingApproval {
            officer: p.officer,
            reason: p.reason,
            at_unix_ms: p.at_unix_ms,
            check_due_unix_ms: p.check_due_unix_ms.unwrap_or(0),
        }),
        decided_by: decided_by.unwrap_or_default(),
        next_page_token,
    }
}

/// A suppression on the wire.
pub fn suppression_to_pb(s: Suppression) -> pb::Suppression {
    let Suppression {
        suppression_id,
        party_key: _, // derived from `party`
        party,
        list_id,
        entry_id,
        entry_name,
        entry_fingerprint,
        judged_version,
        case_id,
        screening_id,
        finding_index,
        officer,
        reason,
        created_at_unix_ms,
        ended,
    } = s;
    pb::Suppression {
        suppression_id: suppression_id.into_string(),
        party: Some(party_to_pb(party)),
        list_id,
        entry_id,
        entry_name,
        entry_fingerprint,
        judged_version: Some(list_version_to_pb(judged_version)),
        case_id: case_id.into_string(),
        screening_id: screening_id.into_string(),
        finding_index: u32::try_from(finding_index).unwrap_or(u32::MAX),
        officer,
        reason,
        created_at_unix_ms,
        active: ended.is_none(),
        ended_at_unix_ms: ended.as_ref().map(|e| e.at_unix_ms).unwrap_or(0),
        ended_by: ended
            .as_ref()
            .map(|e| e.by.as_str().to_string())
            .unwrap_or_default(),
        ended_why: ended.map(|e| e.why).unwrap_or_default(),
    }
}

/// A change as a console event.
pub fn change_to_event(c: CaseChange) -> pb::CaseEvent {
    let CaseChange {
        kind,
        action,
        actor,
        at_unix_ms,
        summary,
    } = c;
    pb::CaseEvent {
        kind: match kind {
            ChangeKind::Opened => pb::case_event::Kind::Opened,
            ChangeKind::Updated => pb::case_event::Kind::Updated,
        }
        .into(),
        action,
        actor: actor.as_str().to_string(),
        at_unix_ms,
        case: Some(summary_to_pb(summary)),
        missed: 0,
    }
}

/// The filter of a ListCases request.
///
/// # Errors
/// INVALID_ARGUMENT naming an unknown status or priority, or an empty
/// date range.
pub fn filter(req: &pb::ListCasesRequest) -> Result<CaseFilter> {
    let pb::ListCasesRequest {
        statuses,
        priorities,
        exporter,
        assignee,
        list_id,
        entry_id,
        created_from_unix_ms,
        created_to_unix_ms,
        page_size: _,
        page_token: _,
        decisions,
        reference,
        party,
        query,
    } = req;
    let decisions = decisions
        .iter()
        .enumerate()
        .map(|(i, n)| match pb::Decision::try_from(*n) {
            Ok(pb::Decision::Clear) => Ok(crate::model::Decision::Clear),
            Ok(pb::Decision::Review) => Ok(crate::model::Decision::Review),
            Ok(pb::Decision::LicenseRequired) => Ok(crate::model::Decision::LicenseRequired),
            Ok(pb::Decision::Prohibited) => Ok(crate::model::Decision::Prohibited),
            Ok(pb::Decision::Unspecified) | Err(_) => Err(ApiError::invalid(
                format!("decisions[{i}]"),
                format!("unknown decision {n}"),
            )),
        })
        .collect::<Result<Vec<_>>>()?;
    let statuses = statuses
        .iter()
        .enumerate()
        .map(|(i, n)| status(*n, &format!("statuses[{i}]")))
        .collect::<Result<Vec<_>>>()?;
    let mut prios = Vec::new();
    for (i, n) in priorities.iter().enumerate() {
        match priority(*n, &format!("priorities[{i}]"))? {
            Some(p) => prios.push(p),
            None => {
                return Err(ApiError::invalid(
                    format!("priorities[{i}]"),
                    "CASE_PRIORITY_UNSPECIFIED is not a priority",
                ));
            }
        }
    }
    let (from, to) = (
        optional_time(*created_from_unix_ms),
        optional_time(*created_to_unix_ms),
    );
    if let (Some(f), Some(t)) = (from, to) {
        if f >= t {
            return Err(ApiError::invalid(
                "created_to_unix_ms",
                format!("must be after created_from_unix_ms ({f}), got {t}"),
            ));
        }
    }
    let set = |s: &String| (!s.trim().is_empty()).then(|| s.trim().to_string());
    Ok(CaseFilter {
        statuses,
        priorities: prios,
        exporter: set(exporter),
        assignee: set(assignee),
        list_id: set(list_id),
        entry_id: set(entry_id),
        created_from_unix_ms: from,
        created_to_unix_ms: to,
        decisions,
        reference: set(reference),
        party: set(party),
        text: set(query),
    })
}

/// A report on the wire.
pub fn report_to_pb(r: Report) -> pb::Report {
    let Report {
        generated_at_unix_ms,
        period: _, // echoed by the request
        open,
        checks_due,
        checks_overdue,
        officers,
        decided,
        mean_millis_to_decision,
        per_list,
        per_match_kind,
        top_entities,
        weeks,
    } = r;
    debug_assert_eq!(AGE_BUCKETS.len(), 5);
    let fp = |rows: Vec<crate::cases::report::FalsePositiveRow>| {
        rows.into_iter()
            .map(|x| pb::FalsePositiveRate {
                key: x.key,
                not_a_match: x.not_a_match,
                confirmed: x.confirmed,
                rate: x.rate,
            })
            .collect()
    };
    pb::Report {
        generated_at_unix_ms,
        open_cases: open
            .into_iter()
            .map(|row| pb::OpenCasesRow {
                priority: priority_to_pb(row.priority).into(),
                under_1d: row.by_age[0],
                from_1d_to_3d: row.by_age[1],
                from_3d_to_7d: row.by_age[2],
                from_7d_to_30d: row.by_age[3],
                over_30d: row.by_age[4],
                total: row.total,
            })
            .collect(),
        checks_due,
        checks_overdue,
        officers: officers
            .into_iter()
            .map(|o| pb::OfficerDecisions {
                officer: o.officer,
                approved: o.approved,
                denied: o.denied,
                mean_millis_to_decision: o.mean_millis_to_decision,
            })
            .collect(),
        decided,
        mean_millis_to_decision,
        per_list: fp(per_list),
        per_match_kind: fp(per_match_kind),
        top_entities: top_entities
            .into_iter()
            .map(|e| pb::EntityHits {
                list_id: e.list_id,
                entry_id: e.entry_id,
                entry_name: e.entry_name,
                cases: e.cases,
            })
            .collect(),
        weeks: weeks
            .into_iter()
            .map(|w| pb::WeekCounts {
                week: w.week,
                opened: w.opened,
                decided: w.decided,
            })
            .collect(),
    }
}

/// An audit record on the wire (`details_json` exactly as hashed).
pub fn audit_to_pb(r: AuditRecord) -> pb::AuditRecord {
    let AuditRecord {
        seq,
        at_unix_ms,
        actor,
        action,
        subject,
        reason,
        details,
        prev_hash,
        hash,
    } = r;
    pb::AuditRecord {
        seq,
        at_unix_ms,
        actor,
        action: action.as_str().to_string(),
        subject,
        reason,
        details_json: details.to_string(),
        prev_hash,
        hash,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_and_unspecified_is_refused() {
        for s in CaseStatus::ALL {
            assert_eq!(status(status_to_pb(s) as i32, "s").unwrap(), s);
        }
        for n in [0, 99] {
            assert_eq!(
                status(n, "statuses[2]").unwrap_err().code(),
                tonic::Code::InvalidArgument
            );
        }
    }

    #[test]
    fn filters_are_read_and_checked() {
        let req = pb::ListCasesRequest {
            statuses: vec![pb::CaseStatus::Open as i32],
            priorities: vec![pb::CasePriority::High as i32],
            exporter: " ACME ".into(),
            entry_id: "101".into(),
            created_from_unix_ms: 5,
            ..pb::ListCasesRequest::default()
        };
        let f = filter(&req).unwrap();
        assert_eq!(f.statuses, vec![CaseStatus::Open]);
        assert_eq!(f.priorities, vec![CasePriority::High]);
        assert_eq!(f.exporter.as_deref(), Some("ACME"));
        assert_eq!((f.list_id, f.entry_id.as_deref()), (None, Some("101")));
        assert_eq!(
            (f.created_from_unix_ms, f.created_to_unix_ms),
            (Some(5), None)
        );

        let bad: Vec<(pb::ListCasesRequest, &str)> = vec![
            (
                pb::ListCasesRequest {
                    statuses: vec![1, 0],
                    ..pb::ListCasesRequest::default()
                },
                "statuses[1]",
            ),
            (
                pb::ListCasesRequest {
                    priorities: vec![0],
                    ..pb::ListCasesRequest::default()
                },
                "priorities[0]",
            ),
            (
                pb::ListCasesRequest {
                    created_from_unix_ms: 10,
                    created_to_unix_ms: 10,
                    ..pb::ListCasesRequest::default()
                },
                "created_to_unix_ms",
            ),
        ];
        for (req, field) in bad {
            let s = tonic::Status::from(filter(&req).unwrap_err());
            assert!(s.message().starts_with(field), "{field}: {}", s.message());
        }
    }

    #[test]
    fn audit_records_carry_the_hashed_details() {
        let details = serde_json::json!({"b": 1, "a": [true, null]});
        let pb = audit_to_pb(AuditRecord {
            seq: 3,
            at_unix_ms: 4,
            actor: "alice".into(),
            action: crate::actions::AuditAction::CaseDecide,
            subject: "case-1".into(),
            reason: "r".into(),
            details: details.clone(),
            prev_hash: "p".into(),
            hash: "h".into(),
        });
        assert_eq!(pb.details_json, details.to_string());
        let back: serde_json::Value = serde_json::from_str(&pb.details_json).unwrap();
        assert_eq!(back, details);
    }
}
