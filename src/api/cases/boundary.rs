//! The exporter boundary: what a caller with only the EXPORTER role may
//! see of its own cases and screenings. One place, applied by every answer
//! that carries case or screening data (GetCase, ListCases, WatchCases,
//! GetSuppression; ScreenShipment, ScreenShipments, GetScreening). Webhook
//! events never carry more than this (`crate::api::webhooks::encode_event`).
//!
//! An exporter sees its screenings, the case's status and decision, and the
//! questions addressed to it (RequestInfo's reason). Internal to the
//! licensing office, never shown to an exporter:
//! - who holds the case (`assignee`), its queue priority and score, and
//!   the priority signals (prior denials, serial parties ...);
//! - officers' finding marks (verdicts, reasons, names), checks and their
//!   notes, who decided (`decided_by`), a first approval waiting for a
//!   second officer (`pending_approval`);
//! - officers' reasons and details in the history (except a question to
//!   the exporter), officers' names, and history steps that did not change
//!   the status (marks, check scheduling);
//! - which suppression or case (possibly another exporter's) suppressed a
//!   finding, unless the judgement was made in the very case the screening
//!   belongs to: otherwise the finding only says it is suppressed;
//! - a suppression's officer and reason.
//!
//! Other callers (officers, auditors, admins) see everything.

use crate::api::caller::Caller;
use crate::api::pb;

/// History actions whose reason is addressed to the exporter.
const TO_EXPORTER: &[&str] = &["request_info"];
/// History actions the exporter itself caused (its screenings).
const BY_EXPORTER: &[&str] = &["opened", "screening", "resubmitted"];

/// `case` as `caller` may see it.
pub fn case(caller: &Caller, mut case: pb::Case) -> pb::Case {
    if !caller.exporter_only() {
        return case;
    }
    case.summary = case.summary.map(exporter_summary);
    case.signals = None;
    case.marks.clear();
    case.checks.clear();
    case.decided_by.clear();
    case.pending_approval = None;
    let own = case
        .summary
        .as_ref()
        .map(|s| s.case_id.clone())
        .unwrap_or_default();
    for s in &mut case.screenings {
        if let Some(result) = &mut s.result {
            strip_suppressions(result, &own);
        }
    }
    case.history = case
        .history
        .into_iter()
        .filter_map(|mut h| {
            if BY_EXPORTER.contains(&h.action.as_str()) {
                return Some(h);
            }
            if h.from == h.to && !TO_EXPORTER.contains(&h.action.as_str()) {
                return None;
            }
            h.actor.clear();
            h.detail.clear();
            if !TO_EXPORTER.contains(&h.action.as_str()) {
                h.reason.clear();
            }
            Some(h)
        })
        .collect();
    case
}

/// A screening answer as `caller` may see it: an exporter sees that a
/// finding is suppressed (and the decision had it not been), but which
/// suppression and case suppressed it only when the judgement was made in
/// the very case the screening belongs to (otherwise it may come from
/// another exporter's case).
pub fn screening(caller: &Caller, mut r: pb::ScreenShipmentResponse) -> pb::ScreenShipmentResponse {
    if caller.exporter_only() {
        let own = r.case_id.clone();
        strip_suppressions(&mut r, &own);
    }
    r
}

/// A stored screening as `caller` may see it (as [`screening`]).
pub fn get_screening(caller: &Caller, mut r: pb::GetScreeningResponse) -> pb::GetScreeningResponse {
    r.result = r.result.map(|result| screening(caller, result));
    r
}

/// Clears which suppression and case suppressed each finding, unless it
/// was judged in `own_case` (the case the screening belongs to).
fn strip_suppressions(r: &mut pb::ScreenShipmentResponse, own_case: &str) {
    for f in &mut r.findings {
        if own_case.is_empty() || f.suppressed_by_case != own_case {
            f.suppressed_by.clear();
            f.suppressed_by_case.clear();
        }
    }
}

/// A queue line as `caller` may see it.
pub fn summary(caller: &Caller, s: pb::CaseSummary) -> pb::CaseSummary {
    if caller.exporter_only() {
        exporter_summary(s)
    } else {
        s
    }
}

/// A console event as `caller` may see it.
pub fn event(caller: &Caller, mut e: pb::CaseEvent) -> pb::CaseEvent {
    if caller.exporter_only() {
        e.case = e.case.map(exporter_summary);
        if !BY_EXPORTER.contains(&e.action.as_str()) {
            e.actor.clear();
        }
    }
    e
}

/// A suppression as `caller` may see it.
pub fn suppression(caller: &Caller, mut s: pb::Suppression) -> pb::Suppression {
    if caller.exporter_only() {
        s.officer.clear();
        s.reason.clear();
    }
    s
}

fn exporter_summary(mut s: pb::CaseSummary) -> pb::CaseSummary {
    s.assignee.clear();
    s.priority = pb::CasePriority::Unspecified.into();
    s.priority_score = 0;
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::caller::Role;

    fn exporter() -> Caller {
        Caller {
            principal: "acme-erp".into(),
            roles: vec![Role::Exporter],
            exporter: Some("ACME".into()),
        }
    }

    fn full_case() -> pb::Case {
        let h = |action: &str, from: pb::CaseStatus, to: pb::CaseStatus, reason: &str| {
            pb::CaseHistoryEntry {
                at_unix_ms: 1,
                actor: if action == "opened" {
                    "acme-erp"
                } else {
                    "olga"
                }
                .into(),
                action: action.into(),
                from: from.into(),
                to: to.into(),
                reason: reason.into(),
                detail: if action == "opened" {
                    "scr-1"
                } else {
                    "internal detail"
                }
                .into(),
            }
        };
        use pb::CaseStatus::*;
        pb::Case {
            summary: Some(pb::CaseSummary {
                case_id: "case-1".into(),
                exporter: "ACME".into(),
                status: Denied.into(),
                assignee: "olga".into(),
                priority: pb::CasePriority::High.into(),
                priority_score: 3400,
                ..Default::default()
            }),
            signals: Some(pb::PrioritySignals {
                prior_denials: 2,
                explanation: "two prior denials".into(),
                ..Default::default()
            }),
            screenings: vec![pb::GetScreeningResponse {
                screening_id: "scr-1".into(),
                result: Some(pb::ScreenShipmentResponse {
                    findings: vec![pb::Finding {
                        suppressed: true,
                        suppressed_by: "sup-9".into(),
                        suppressed_by_case: "case-of-globex".into(),
                        ..Default::default()
                    }],
                    ..Default::default()
                }),
                ..Default::default()
            }],
            pending_approval: Some(pb::PendingApproval {
                officer: "olga".into(),
                reason: "internal note: first approval".into(),
                ..Default::default()
            }),
            marks: vec![pb::FindingMark {
                officer: "olga".into(),
                reason: "internal note: same DOB".into(),
                ..Default::default()
            }],
            checks: vec![pb::CaseCheck {
                notes: "internal note: site visit".into(),
                ..Default::default()
            }],
            history: vec![
                h("opened", Unspecified, Open, ""),
                h("claim", Open, InReview, "internal note: mine"),
                h("mark", InReview, InReview, "internal note: confirmed"),
                h(
                    "request_info",
                    InReview,
                    InfoRequested,
                    "Who is the end user?",
                ),
                h(
                    "decide",
                    InfoRequested,
                    Denied,
                    "internal note: diversion risk",
                ),
            ],
            decided_by: "olga".into(),
            next_page_token: String::new(),
        }
    }

    #[test]
    fn exporters_see_no_internal_notes_or_officers() {
        let seen = case(&exporter(), full_case());
        let text = format!("{seen:?}");
        for secret in ["internal", "olga", "globex", "sup-9", "3400", "two prior"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        let summary = seen.summary.as_ref().unwrap();
        assert_eq!(summary.status, pb::CaseStatus::Denied as i32);
        assert_eq!(summary.case_id, "case-1");
        assert!(seen.screenings[0].result.as_ref().unwrap().findings[0].suppressed);
        // The question to the exporter and every status change stay.
        let steps: Vec<(&str, &str)> = seen
            .history
            .iter()
            .map(|h| (h.action.as_str(), h.reason.as_str()))
            .collect();
        assert_eq!(
            steps,
            vec![
                ("opened", ""),
                ("claim", ""),
                ("request_info", "Who is the end user?"),
                ("decide", "")
            ]
        );
        assert_eq!(seen.history[0].actor, "acme-erp");
    }

    #[test]
    fn officers_see_everything() {
        let officer = Caller {
            principal: "olga".into(),
            roles: vec![Role::Officer],
            exporter: None,
        };
        assert_eq!(case(&officer, full_case()), full_case());
        let both = Caller {
            roles: vec![Role::Exporter, Role::Officer],
            ..exporter()
        };
        assert_eq!(case(&both, full_case()), full_case());
    }

    #[test]
    fn a_suppression_is_named_to_an_exporter_only_in_its_own_case() {
        let finding = |case: &str| pb::Finding {
            suppressed: true,
            suppressed_by: "sup-9".into(),
            suppressed_by_case: case.into(),
            ..Default::default()
        };
        let answer = pb::ScreenShipmentResponse {
            case_id: "case-1".into(),
            findings: vec![finding("case-1"), finding("case-of-globex")],
            ..Default::default()
        };
        let seen = screening(&exporter(), answer.clone());
        assert_eq!(seen.findings[0], finding("case-1"), "judged in this case");
        assert!(seen.findings[1].suppressed);
        assert!(seen.findings[1].suppressed_by.is_empty());
        assert!(seen.findings[1].suppressed_by_case.is_empty());
        // A CLEAR screening (no case) names none.
        let clear = pb::ScreenShipmentResponse {
            case_id: String::new(),
            ..answer.clone()
        };
        let seen = screening(&exporter(), clear);
        assert!(seen.findings.iter().all(|f| f.suppressed_by.is_empty()));
        // Stored screenings likewise; officers see everything.
        let stored = pb::GetScreeningResponse {
            result: Some(answer.clone()),
            ..Default::default()
        };
        let seen = get_screening(&exporter(), stored.clone());
        assert!(seen.result.unwrap().findings[1].suppressed_by.is_empty());
        let officer = Caller {
            roles: vec![Role::Officer],
            ..exporter()
        };
        assert_eq!(get_screening(&officer, stored.clone()), stored);
        assert_eq!(screening(&officer, answer.clone()), answer);
    }
}
