//! Screenings opening and joining cases, officers' commands written with
//! their audit records, suppressions and party histories, and the queue.

use super::*;
use crate::cases::workflow::{MarkTarget, SuppressionKey};
use crate::cases::{
    CaseDecision, CaseFilter, CasePriority, CaseStatus, ChangeKind, ScreeningFacts,
    SuppressedFinding, Verdict,
};
use crate::ids::{ScreeningId, SuppressionId};
use crate::store::StoreError;
use crate::store::audit::ChainCheck;

#[test]
fn clear_screenings_open_no_case_but_are_audited() {
    let s = SledStore::temporary().unwrap();
    let r = record(&s, new_screening("ACME", "PO-1", Decision::Clear));
    assert!(r.record.screening_id.as_str().starts_with("scr-"));
    assert_eq!((r.record.case_id.clone(), r.change), (None, None));
    assert!(!r.replayed);
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
    // The list versions the decision used, as `list@version`.
    assert_eq!(
        audit[0].details["list_versions"],
        serde_json::json!(["sdn@1"])
    );
}

#[test]
fn screenings_of_one_shipment_join_its_active_case() {
    let s = SledStore::temporary().unwrap();
    let ra = at(&s, new_screening("ACME", "PO-1", Decision::Prohibited), 100);
    let rb = at(&s, new_screening(" ACME", "PO-1 ", Decision::Review), 200);
    let case_id = ra.record.case_id.clone().unwrap();
    assert!(case_id.as_str().starts_with("case-"));
    assert_eq!(rb.record.case_id, Some(case_id.clone()));
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
    assert_eq!(case.screenings, 2);
    assert_eq!(
        case.latest_screening(),
        Some(&rb.record.screening_id),
        "the latest joined last"
    );
    // The members, in joining order, each with the history of its join.
    let members = s.case_members(&case_id, 0, 10).unwrap();
    let got: Vec<(u32, &ScreeningId, &str)> = members
        .iter()
        .map(|m| (m.seq, &m.screening_id, m.entry.action.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, &ra.record.screening_id, "opened"),
            (2, &rb.record.screening_id, "screening"),
        ]
    );
    assert_eq!(
        s.case_member(&case_id, &rb.record.screening_id).unwrap(),
        Some(2)
    );
    assert_eq!(
        s.case_member(&case_id, &ScreeningId::new("scr-ffff"))
            .unwrap(),
        None
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
fn joining_a_case_costs_the_same_however_many_screenings_it_has() {
    let s = SledStore::temporary().unwrap();
    let first = at(&s, new_screening("ACME", "PO-BIG", Decision::Review), 1);
    let case_id = first.record.case_id.unwrap();
    let size = |s: &SledStore| {
        s.tree(super::super::txn::T::Cases)
            .get(case_id.as_bytes())
            .unwrap()
            .unwrap()
            .len()
    };
    let after_one = size(&s);
    // Submitted together: they join in group commits.
    let acks: Vec<_> = (0..300)
        .map(|i| {
            let mut n = new_screening("ACME", "PO-BIG", Decision::Review);
            n.screened_at_unix_ms = 2 + i;
            s.record_screening(n, intake_planner(Actor::new("erp")))
        })
        .collect();
    for a in acks {
        a.wait().unwrap();
    }
    let case = s.case(&case_id).unwrap();
    assert_eq!(case.screenings, 301);
    // The record does not grow with its screenings (only the count's digits).
    assert!(size(&s) <= after_one + 8, "{} vs {after_one}", size(&s));
    // Its screenings are read a page at a time, in order.
    let page = s.case_members(&case_id, 100, 50).unwrap();
    let seqs: Vec<u32> = page.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, (101..=150).collect::<Vec<_>>());
    assert!(s.case_members(&case_id, 301, 50).unwrap().is_empty());
    assert_eq!(s.case_members(&case_id, 290, 50).unwrap().len(), 11);
}

#[test]
fn other_shipments_and_blank_references_get_their_own_cases() {
    let s = SledStore::temporary().unwrap();
    let rows = [
        ("ACME", "PO-1"),
        ("ACME", "PO-2"),
        ("Other Co", "PO-1"),
        ("ACME", ""),
        ("ACME", "  "),
    ];
    let mut ids: Vec<CaseId> = rows
        .iter()
        .map(|(e, r)| {
            record(&s, new_screening(e, r, Decision::LicenseRequired))
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
    let s = SledStore::temporary().unwrap();
    assert!(matches!(
        s.screening(&ScreeningId::new("scr-0000000000000001")),
        Err(StoreError::NotFound {
            what: "screening",
            ..
        })
    ));
    assert!(matches!(
        s.case(&CaseId::new("case-1")),
        Err(StoreError::NotFound { what: "case", .. })
    ));
    assert!(matches!(
        s.suppression(&SuppressionId::new("sup-1")),
        Err(StoreError::NotFound {
            what: "suppression",
            ..
        })
    ));
    let err = run(&s, &CaseId::new("case-1"), "alice", 1, Command::RequestInfo).unwrap_err();
    assert!(
        matches!(
            err,
            crate::Error::Store(StoreError::NotFound { what: "case", .. })
        ),
        "{err}"
    );
    assert!(matches!(
        s.list_cases(&CaseFilter::default(), Some(b"not a cursor"), 5),
        Err(StoreError::InvalidCursor)
    ));
}

#[test]
fn ids_increase_with_time() {
    let s = SledStore::temporary().unwrap();
    let ids: Vec<ScreeningId> = (0..5)
        .map(|_| {
            record(&s, new_screening("A", "R", Decision::Clear))
                .record
                .screening_id
        })
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
}

#[test]
fn commands_move_the_case_in_the_queue_and_are_audited_with_it() {
    let s = SledStore::temporary().unwrap();
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
    assert_eq!(claimed.case.history[0].screenings, 1);
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
    assert!(matches!(err, crate::Error::Case(_)), "{err}");
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
    assert_eq!((h.denied, &h.last_case), (1, &id));
    assert_eq!(s.party_history("acme").unwrap(), None);
    // A new screening of the same reference opens a new case.
    let again = at(&s, new_screening("ACME", "PO-1", Decision::Review), 500);
    assert_ne!(again.record.case_id, Some(id));
    assert_eq!(
        audit_actions(&s),
        vec!["screening", "case.claim", "case.decide", "screening"]
    );
    assert_eq!(s.verify_audit().unwrap(), ChainCheck::Intact { records: 4 });
}

fn mark(
    s: &SledStore,
    case_id: &CaseId,
    verdict: Verdict,
    new_id: &str,
    t: i64,
) -> Result<CaseUpdate, crate::Error> {
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
            in_case: true,
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
            four_eyes_list: false,
        })),
    )
}

#[test]
fn suppressions_are_indexed_superseded_revoked_and_invalidated() {
    let s = SledStore::temporary().unwrap();
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
        s.suppression(&"sup-1".into())
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
        s.suppression(&"sup-3".into()).is_err(),
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
    let ended = s.suppression(&"sup-4".into()).unwrap().ended.unwrap();
    assert_eq!(
        (ended.by, ended.why.as_str()),
        (Actor::system(), "entry changed in sdn@2")
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
    let s = SledStore::temporary().unwrap();
    let mut n = new_screening("ACME", "PO-9", Decision::Review);
    n.outcome.decision = Decision::Clear;
    n.suppressed = vec![SuppressedFinding {
        index: 0,
        suppression_id: "sup-1".into(),
        case_id: "case-0".into(),
    }];
    let r = record(&s, n);
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
    let s = SledStore::temporary().unwrap();
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
    let expected: Vec<CaseId> = [1, 4, 2, 5, 3, 0, 6]
        .iter()
        .map(|i| ids[*i].clone())
        .collect();

    let all = s.list_cases(&CaseFilter::default(), None, 100).unwrap();
    assert_eq!(all.next, None);
    assert_eq!(
        all.cases
            .iter()
            .map(|c| c.case_id.clone())
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
    let acme: Vec<CaseId> = s
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
    let mine: Vec<CaseId> = s
        .list_cases(&f, None, 1)
        .unwrap()
        .cases
        .into_iter()
        .map(|c| c.case_id)
        .collect();
    assert_eq!(mine, vec![ids[1].clone()]);
    assert_eq!(s.all_cases().unwrap().len(), decisions.len());
}

#[test]
fn open_cases_are_counted() {
    let s = SledStore::temporary().unwrap();
    assert_eq!(s.open_case_count().unwrap(), 0);
    for (exporter, reference, decision) in [
        ("A", "1", Decision::Review),
        ("A", "1", Decision::Prohibited),
        ("A", "2", Decision::Clear),
        ("B", "1", Decision::LicenseRequired),
    ] {
        record(&s, new_screening(exporter, reference, decision));
    }
    assert_eq!(s.open_case_count().unwrap(), 2);
}
