//! Store tests of cases: screenings opening and joining cases, officers'
//! commands written with their audit records, suppressions and party
//! histories, and the priority queue.

use super::*;
use crate::api::status::ApiError;
use crate::cases::workflow::{Command, Ctx, MarkTarget, ScreeningView, SuppressionKey};
use crate::cases::{CaseDecision, CasePriority, ScreeningFacts, SuppressedFinding, Verdict};
use crate::model::{
    Decision, Finding, FindingKind, ListVersionRef, Party, PartyRole, ScreeningOutcome, Shipment,
};
use crate::store::audit::ChainCheck;

pub(crate) fn new_screening(exporter: &str, reference: &str, decision: Decision) -> NewScreening {
    let findings = match decision {
        Decision::Clear => vec![],
        d => vec![party_finding(d, 0.9)],
    };
    NewScreening {
        shipment: Shipment {
            reference: reference.into(),
            exporter: exporter.into(),
            parties: vec![
                Party {
                    role: PartyRole::Exporter,
                    name: exporter.into(),
                    ..Party::default()
                },
                Party {
                    role: PartyRole::Consignee,
                    name: "Zephyr Orbital".into(),
                    address: "Street 1".into(),
                    country: "IR".into(),
                },
            ],
            ..Shipment::default()
        },
        outcome: ScreeningOutcome {
            decision,
            findings,
            list_versions: vec![version(1)],
            ..ScreeningOutcome::default()
        },
        engine_micros: 12,
        screened_at_unix_ms: 1_700_000_000_000,
        actor: "erp".into(),
        engine_decision: decision,
        ..NewScreening::default()
    }
}

fn version(v: u64) -> ListVersionRef {
    ListVersionRef {
        list_id: "sdn".into(),
        version: v,
        checksum: format!("c{v}"),
    }
}

fn party_finding(decision: Decision, score: f64) -> Finding {
    Finding {
        kind: FindingKind::Party,
        target: crate::model::Target::Party(1),
        list_id: "sdn".into(),
        entry_id: "101".into(),
        entry_name: "ZEPHYR ORBITAL".into(),
        score,
        matched_text: "Zephyr Orbital".into(),
        matched_terms: vec![],
        reason: "r".into(),
        explanation: "e".into(),
        decision,
        rule: String::new(),
        category: None,
    }
}

fn at(s: &Store, n: NewScreening, t: i64) -> Recorded {
    let mut n = n;
    n.screened_at_unix_ms = t;
    s.record_screening(n).unwrap()
}

fn audit_actions(s: &Store) -> Vec<String> {
    s.audit_range(i64::MIN, i64::MAX)
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect()
}

#[test]
fn clear_screenings_open_no_case_but_are_audited() {
    let s = Store::temporary().unwrap();
    let r = s
        .record_screening(new_screening("ACME", "PO-1", Decision::Clear))
        .unwrap();
    assert!(r.record.screening_id.starts_with("scr-"));
    assert_eq!((r.record.case_id.clone(), r.change), (None, None));
    assert_eq!(s.screening(&r.record.screening_id).unwrap(), r.record);
    assert_eq!(s.open_case("ACME", "PO-1").unwrap(), None);
    let audit = s.audit_range(i64::MIN, i64::MAX).unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (
            audit[0].action.as_str(),
            audit[0].subject.as_str(),
            audit[0].actor.as_str()
        ),
        ("screening", r.record.screening_id.as_str(), "erp")
    );
    assert_eq!(audit[0].details["decision"], "CLEAR");
}

#[test]
fn screenings_of_one_shipment_join_its_active_case() {
    let s = Store::temporary().unwrap();
    let ra = at(&s, new_screening("ACME", "PO-1", Decision::Prohibited), 100);
    let rb = at(&s, new_screening(" ACME", "PO-1 ", Decision::Review), 200);
    let case_id = ra.record.case_id.clone().unwrap();
    assert!(case_id.starts_with("case-"));
    assert_eq!(rb.record.case_id.as_deref(), Some(case_id.as_str()));
    assert_eq!(ra.change.unwrap().kind, ChangeKind::Opened);
    let change = rb.change.unwrap();
    assert_eq!(
        (change.kind, change.action.as_str()),
        (ChangeKind::Updated, "screening")
    );
    // The stored screening carries its case too.
    assert_eq!(
        s.screening(&rb.record.screening_id).unwrap().case_id,
        rb.record.case_id
    );

    let case = s.case(&case_id).unwrap();
    assert_eq!(
        case.screening_ids,
        vec![
            ra.record.screening_id.clone(),
            rb.record.screening_id.clone()
        ]
    );
    assert_eq!(
        case.decision,
        Decision::Review,
        "the latest screening decides"
    );
    assert_eq!(case.priority, CasePriority::Low);
    assert_eq!(case.status, CaseStatus::Open);
    assert_eq!(
        (case.created_at_unix_ms, case.updated_at_unix_ms),
        (100, 200)
    );
    assert_eq!(s.open_case("ACME", "PO-1").unwrap(), Some(case.clone()));
    // The queue holds the case once, at its current priority.
    let page = s.list_cases(&CaseFilter::default(), None, 10).unwrap();
    assert_eq!(page.cases, vec![case.summary()]);
    let audit = s.audit_range(i64::MIN, i64::MAX).unwrap();
    assert_eq!(audit[0].details["case"], "opened");
    assert_eq!(audit[1].details["case_id"], case_id.as_str());
    assert_eq!(s.verify_audit().unwrap(), ChainCheck::Intact { records: 2 });
}

#[test]
fn other_shipments_and_blank_references_get_their_own_cases() {
    let s = Store::temporary().unwrap();
    let rows = [
        ("ACME", "PO-1"),
        ("ACME", "PO-2"),
        ("Other Co", "PO-1"),
        ("ACME", ""),
        ("ACME", "  "),
    ];
    let mut ids: Vec<String> = rows
        .iter()
        .map(|(e, r)| {
            s.record_screening(new_screening(e, r, Decision::LicenseRequired))
                .unwrap()
                .record
                .case_id
                .unwrap()
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), rows.len());
    assert_eq!(s.case(&ids[0]).unwrap().priority, CasePriority::Medium);
}

#[test]
fn unknown_ids_are_not_found() {
    let s = Store::temporary().unwrap();
    assert!(matches!(
        s.screening("scr-0000000000000001"),
        Err(StoreError::NotFound {
            what: "screening",
            ..
        })
    ));
    assert!(matches!(
        s.case("case-1"),
        Err(StoreError::NotFound { what: "case", .. })
    ));
    assert!(matches!(
        s.suppression("sup-1"),
        Err(StoreError::NotFound {
            what: "suppression",
            ..
        })
    ));
    let err = s
        .update_case::<ApiError, _>("case-1", "alice", 1, |_, _| Ok(Effects::default()))
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::NotFound, "{err}");
}

#[test]
fn ids_increase_with_time() {
    let s = Store::temporary().unwrap();
    let ids: Vec<String> = (0..5)
        .map(|_| {
            s.record_screening(new_screening("A", "R", Decision::Clear))
                .unwrap()
                .record
                .screening_id
        })
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
}

/// Runs a workflow command as the API does.
fn run(
    s: &Store,
    case_id: &str,
    actor: &str,
    t: i64,
    cmd: Command,
) -> Result<CaseUpdate, ApiError> {
    s.update_case::<ApiError, _>(case_id, actor, t, |case, latest| {
        let view = latest.map(|r| ScreeningView {
            screening_id: &r.screening_id,
            findings: &r.outcome.findings,
            suppressed: &r.suppressed,
            facts: &r.facts,
            parties: &r.shipment.parties,
        });
        let ctx = Ctx {
            actor,
            reason: "checked",
            at_unix_ms: t,
            latest: view,
        };
        Ok(crate::cases::workflow::apply(case, &cmd, &ctx).map_err(crate::Error::from)?)
    })
}

#[test]
fn commands_move_the_case_in_the_queue_and_are_audited_with_it() {
    let s = Store::temporary().unwrap();
    let r = at(&s, new_screening("ACME", "PO-1", Decision::Prohibited), 100);
    let id = r.record.case_id.unwrap();
    let claimed = run(
        &s,
        &id,
        "alice",
        200,
        Command::Claim {
            assignee: "alice".into(),
        },
    )
    .unwrap();
    assert_eq!(claimed.case.status, CaseStatus::InReview);
    assert_eq!(claimed.change.action, "case.claim");
    assert_eq!(claimed.audit.len(), 1);
    assert_eq!(claimed.audit[0].actor, "alice");
    let in_review = CaseFilter {
        statuses: vec![CaseStatus::InReview],
        ..CaseFilter::default()
    };
    assert_eq!(s.list_cases(&in_review, None, 5).unwrap().cases.len(), 1);
    let open = CaseFilter {
        statuses: vec![CaseStatus::Open],
        ..CaseFilter::default()
    };
    assert!(s.list_cases(&open, None, 5).unwrap().cases.is_empty());

    // A refused command writes nothing, not even an audit record.
    let before = audit_actions(&s);
    let err = run(&s, &id, "bob", 300, Command::RequestInfo).unwrap_err();
    assert_eq!(err.code(), tonic::Code::FailedPrecondition, "{err}");
    assert_eq!(audit_actions(&s), before);
    assert_eq!(s.case(&id).unwrap(), claimed.case);

    // A denial closes the case and marks its parties (not the exporter).
    let denied = run(
        &s,
        &id,
        "alice",
        400,
        Command::Decide {
            decision: CaseDecision::Deny,
            check_due_unix_ms: None,
        },
    )
    .unwrap();
    assert_eq!(denied.case.status, CaseStatus::Denied);
    assert_eq!(s.open_case("ACME", "PO-1").unwrap(), None);
    let h = s.party_history("zephyr orbital").unwrap().unwrap();
    assert_eq!((h.denied, h.last_case.as_str()), (1, id.as_str()));
    assert_eq!(s.party_history("acme").unwrap(), None);
    // A new screening of the same reference opens a new case.
    let again = at(&s, new_screening("ACME", "PO-1", Decision::Review), 500);
    assert_ne!(again.record.case_id.as_deref(), Some(id.as_str()));
    assert_eq!(
        audit_actions(&s),
        vec!["screening", "case.claim", "case.decide", "screening"]
    );
    assert_eq!(s.verify_audit().unwrap(), ChainCheck::Intact { records: 4 });
}

fn mark(
    s: &Store,
    case_id: &str,
    verdict: Verdict,
    new_id: &str,
    t: i64,
) -> Result<CaseUpdate, ApiError> {
    let case = s.case(case_id).unwrap();
    let screening = s.screening(case.latest_screening().unwrap()).unwrap();
    let finding = screening.outcome.findings[0].clone();
    run(
        s,
        case_id,
        "alice",
        t,
        Command::Mark(Box::new(MarkTarget {
            screening_id: screening.screening_id.clone(),
            finding_index: 0,
            findings_count: 1,
            finding: Some(finding),
            party: Some(screening.shipment.parties[1].clone()),
            match_kind: "party.fuzzy".into(),
            key: Some(SuppressionKey {
                party_key: "zephyr".into(),
                entry_fingerprint: "fp1".into(),
                judged_version: version(1),
                new_id: new_id.into(),
            }),
            verdict,
        })),
    )
}

#[test]
fn suppressions_are_indexed_superseded_revoked_and_invalidated() {
    let s = Store::temporary().unwrap();
    let r = at(&s, new_screening("ACME", "PO-1", Decision::Review), 100);
    let id = r.record.case_id.unwrap();
    run(
        &s,
        &id,
        "alice",
        150,
        Command::Claim {
            assignee: "alice".into(),
        },
    )
    .unwrap();

    let u = mark(&s, &id, Verdict::NotAMatch, "sup-1", 200).unwrap();
    assert_eq!(u.case.decision, Decision::Clear, "nothing left to decide");
    assert_eq!(u.case.priority_score, 0);
    let active = s
        .active_suppression("zephyr", "sdn", "101")
        .unwrap()
        .unwrap();
    assert_eq!(
        (active.suppression_id.as_str(), active.officer.as_str()),
        ("sup-1", "alice")
    );
    assert_eq!(s.active_suppression("zephyr", "sdn", "102").unwrap(), None);

    // A second judgement supersedes the first.
    mark(&s, &id, Verdict::NotAMatch, "sup-2", 300).unwrap();
    assert_eq!(
        s.active_suppression("zephyr", "sdn", "101")
            .unwrap()
            .unwrap()
            .suppression_id,
        "sup-2"
    );
    assert!(
        s.suppression("sup-1")
            .unwrap()
            .ended
            .unwrap()
            .why
            .contains("sup-2")
    );

    // A confirmed match revokes it and counts in the party's history.
    let u = mark(&s, &id, Verdict::ConfirmedMatch, "sup-3", 400).unwrap();
    assert_eq!(u.case.decision, Decision::Review);
    assert_eq!(s.active_suppression("zephyr", "sdn", "101").unwrap(), None);
    assert!(
        s.suppression("sup-3").is_err(),
        "a confirmation creates none"
    );
    assert_eq!(
        s.party_history("zephyr orbital")
            .unwrap()
            .unwrap()
            .confirmed,
        1
    );

    // A new judgement, then a screening that finds the entry changed.
    mark(&s, &id, Verdict::NotAMatch, "sup-4", 500).unwrap();
    let mut n = new_screening("Other", "X-1", Decision::Review);
    n.invalidated = vec![("sup-4".into(), "entry changed in sdn@2".into())];
    at(&s, n.clone(), 600);
    assert_eq!(s.active_suppression("zephyr", "sdn", "101").unwrap(), None);
    let ended = s.suppression("sup-4").unwrap().ended.unwrap();
    assert_eq!(
        (ended.by.as_str(), ended.why.as_str()),
        (SYSTEM_ACTOR, "entry changed in sdn@2")
    );
    // Ending it twice is a no-op (no second audit record).
    at(&s, n, 700);
    assert_eq!(
        audit_actions(&s),
        vec![
            "screening",
            "case.claim",
            "case.mark",
            "suppression.create",
            "case.mark",
            "suppression.supersede",
            "suppression.create",
            "case.mark",
            "suppression.revoke",
            "case.mark",
            "suppression.create",
            "suppression.invalidate",
            "screening",
            "screening",
        ]
    );
    assert_eq!(
        s.verify_audit().unwrap(),
        ChainCheck::Intact { records: 14 }
    );
}

#[test]
fn suppressed_findings_are_recorded_and_leave_no_case_when_nothing_remains() {
    let s = Store::temporary().unwrap();
    let mut n = new_screening("ACME", "PO-9", Decision::Review);
    n.outcome.decision = Decision::Clear;
    n.suppressed = vec![SuppressedFinding {
        index: 0,
        suppression_id: "sup-1".into(),
        case_id: "case-0".into(),
    }];
    let r = s.record_screening(n).unwrap();
    assert_eq!(r.record.case_id, None);
    let stored = s.screening(&r.record.screening_id).unwrap();
    assert_eq!(stored.engine_decision, Some(Decision::Review));
    assert_eq!(stored.suppressed[0].suppression_id, "sup-1");
    let audit = s.audit_range(i64::MIN, i64::MAX).unwrap();
    assert_eq!(audit[0].details["suppressed"][0]["suppression_id"], "sup-1");
    assert_eq!(audit[0].details["engine_decision"], "REVIEW");
}

#[test]
fn the_queue_pages_by_priority_then_age_across_statuses() {
    let s = Store::temporary().unwrap();
    let decisions = [
        Decision::Review,
        Decision::Prohibited,
        Decision::LicenseRequired,
        Decision::Review,
        Decision::Prohibited,
        Decision::LicenseRequired,
        Decision::Review,
    ];
    let mut ids = Vec::new();
    for (i, d) in decisions.iter().enumerate() {
        let mut n = new_screening(
            if i % 2 == 0 { "ACME" } else { "Globex" },
            &format!("PO-{i}"),
            *d,
        );
        n.facts = ScreeningFacts {
            prior_denials: u32::from(i == 3),
            ..ScreeningFacts::default()
        };
        ids.push(at(&s, n, 1000 + i as i64).record.case_id.unwrap());
    }
    // Two cases move to IN_REVIEW: the order must not change.
    for id in [&ids[1], &ids[6]] {
        run(
            &s,
            id,
            "alice",
            5000,
            Command::Claim {
                assignee: "alice".into(),
            },
        )
        .unwrap();
    }
    let expected: Vec<&str> = [1, 4, 2, 5, 3, 0, 6]
        .iter()
        .map(|i| ids[*i].as_str())
        .collect();

    let all = s.list_cases(&CaseFilter::default(), None, 100).unwrap();
    assert_eq!(all.next, None);
    assert_eq!(
        all.cases
            .iter()
            .map(|c| c.case_id.as_str())
            .collect::<Vec<_>>(),
        expected
    );

    // Pages of 3 give the same order, and the last page has no token.
    let mut paged = Vec::new();
    let mut after: Option<Vec<u8>> = None;
    let mut pages = 0;
    loop {
        let page = s
            .list_cases(&CaseFilter::default(), after.as_deref(), 3)
            .unwrap();
        pages += 1;
        paged.extend(page.cases.into_iter().map(|c| c.case_id));
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(paged, expected);

    // Filters combine with the order.
    let f = CaseFilter {
        statuses: vec![CaseStatus::Open, CaseStatus::InReview],
        exporter: Some("ACME".into()),
        ..CaseFilter::default()
    };
    let acme: Vec<String> = s
        .list_cases(&f, None, 100)
        .unwrap()
        .cases
        .into_iter()
        .map(|c| c.case_id)
        .collect();
    assert_eq!(
        acme,
        vec![
            ids[4].clone(),
            ids[2].clone(),
            ids[0].clone(),
            ids[6].clone()
        ]
    );
    let f = CaseFilter {
        assignee: Some("alice".into()),
        ..CaseFilter::default()
    };
    let mine: Vec<String> = s
        .list_cases(&f, None, 1)
        .unwrap()
        .cases
        .into_iter()
        .map(|c| c.case_id)
        .collect();
    assert_eq!(mine, vec![ids[1].clone()]);
    assert_eq!(s.all_cases().unwrap().len(), decisions.len());
}
