//! Idempotent screenings (request ids), the screenings of a time window,
//! and the cases a list change opens for stored screenings.

use super::*;
use crate::actions::AuditAction;
use crate::cases::workflow::{Intake, plan_intake};
use crate::cases::{CaseCause, CaseFilter, CasePriority, ScreeningFacts};
use crate::store::audit::NewAudit;
use crate::store::{IDEMPOTENCY_WINDOW_MS, IdempotencyKey, NewListChangeCase, StoreError};

fn with_key(mut n: NewScreening, request_id: &str, fingerprint: &str) -> NewScreening {
    n.idempotency = Some(IdempotencyKey {
        exporter: n.shipment.exporter.trim().to_string(),
        request_id: request_id.into(),
        fingerprint: fingerprint.into(),
    });
    n
}

#[test]
fn a_request_id_answers_the_first_screening_for_a_day() {
    let s = SledStore::temporary().unwrap();
    let t0 = 1_700_000_000_000;
    let first = at(
        &s,
        with_key(new_screening("ACME", "PO-1", Decision::Review), "r-1", "fp"),
        t0,
    );
    assert!(!first.replayed);
    // A retry: the stored answer, nothing new (no screening, no audit record).
    let again = at(
        &s,
        with_key(new_screening("ACME", "PO-1", Decision::Review), "r-1", "fp"),
        t0 + 1000,
    );
    assert!(again.replayed);
    assert_eq!(again.record, first.record);
    assert_eq!(again.change, None);
    assert_eq!(audit_actions(&s), vec!["screening"]);
    assert_eq!(
        s.case(first.record.case_id.as_ref().unwrap())
            .unwrap()
            .screenings,
        1
    );
    assert_eq!(
        s.idempotent("ACME", "r-1", t0 + 1000)
            .unwrap()
            .map(|(r, fp)| (r.screening_id, fp)),
        Some((first.record.screening_id.clone(), "fp".to_string()))
    );
    // The same id from another exporter is another request.
    let other = at(
        &s,
        with_key(
            new_screening("Globex", "PO-1", Decision::Review),
            "r-1",
            "fp",
        ),
        t0 + 2000,
    );
    assert!(!other.replayed);
    // The same id with another shipment is refused, and writes nothing.
    let err = s
        .record_screening(
            {
                let mut n = with_key(
                    new_screening("ACME", "PO-2", Decision::Review),
                    "r-1",
                    "other",
                );
                n.screened_at_unix_ms = t0 + 3000;
                n
            },
            intake_planner(Actor::new("erp")),
        )
        .wait()
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::RequestIdReused { request_id, screening_id } if request_id == "r-1" && *screening_id == first.record.screening_id),
        "{err:?}"
    );
    assert_eq!(audit_actions(&s).len(), 2);
    // A day later the id starts afresh.
    let later = at(
        &s,
        with_key(
            new_screening("ACME", "PO-1", Decision::Review),
            "r-1",
            "other",
        ),
        t0 + IDEMPOTENCY_WINDOW_MS + 1,
    );
    assert!(!later.replayed);
    assert_ne!(later.record.screening_id, first.record.screening_id);
    assert_eq!(
        s.idempotent("ACME", "r-1", t0 + 1000 + IDEMPOTENCY_WINDOW_MS * 3)
            .unwrap(),
        None
    );
}

#[test]
fn two_requests_with_one_id_in_one_batch_record_once() {
    let s = SledStore::temporary().unwrap();
    let acks: Vec<_> = (0..2)
        .map(|_| {
            s.record_screening(
                with_key(new_screening("ACME", "PO-7", Decision::Clear), "dup", "fp"),
                intake_planner(Actor::new("erp")),
            )
        })
        .collect();
    let got: Vec<Recorded> = acks.into_iter().map(|a| a.wait().unwrap()).collect();
    assert_eq!(got[0].record, got[1].record);
    assert_eq!(got.iter().filter(|r| r.replayed).count(), 1);
    assert_eq!(audit_actions(&s).len(), 1);
}

#[test]
fn screenings_of_a_window_newest_first() {
    let s = SledStore::temporary().unwrap();
    for t in [100, 200, 300, 400] {
        at(&s, new_screening("A", &format!("R{t}"), Decision::Clear), t);
    }
    let got: Vec<i64> = s
        .screenings_since(200)
        .unwrap()
        .iter()
        .map(|d| d.screened_at_unix_ms)
        .collect();
    assert_eq!(got, vec![400, 300, 200]);
}

fn new_case(screening: &Recorded, reference: &str) -> NewListChangeCase {
    let cause = CaseCause {
        kind: CaseCause::LIST_CHANGE.into(),
        list_id: "ofac-sdn".into(),
        version: 2,
        previous_version: 1,
        entry_ids: vec!["46000".into()],
        screening_id: screening.record.screening_id.clone(),
    };
    let findings = vec![{
        let mut f = party_finding(Decision::Prohibited, 1.0);
        f.list_id = "ofac-sdn".into();
        f.entry_id = "46000".into();
        f
    }];
    let (plan_cause, plan_findings) = (cause.clone(), findings.clone());
    let reference = reference.to_string();
    NewListChangeCase {
        exporter: "ACME".into(),
        reference: reference.clone(),
        cause,
        findings,
        plan: Box::new(move |active, fresh| {
            let intake = Intake {
                screening_id: &plan_cause.screening_id,
                exporter: "ACME",
                reference: &reference,
                actor: &Actor::system(),
                at_unix_ms: 5,
                findings: &plan_findings,
                suppressed: &[],
                facts: &ScreeningFacts::default(),
                parties: &[],
                cause: Some(&plan_cause),
            };
            plan_intake(active.cloned(), fresh, &intake).unwrap()
        }),
        audit: NewAudit {
            actor: Actor::system(),
            action: AuditAction::CaseOpen,
            subject: String::new(),
            reason: "ofac-sdn version 2 lists 46000".into(),
            details: serde_json::json!({}),
        },
    }
}

#[test]
fn a_list_change_case_is_an_open_case_with_its_cause_and_opens_once() {
    let s = SledStore::temporary().unwrap();
    let r = record(&s, new_screening("ACME", "PO-1", Decision::Clear));
    let c = s
        .open_list_change_case(new_case(&r, "PO-1"))
        .wait()
        .unwrap()
        .expect("opened");
    // Every reader of cases sees it.
    let plain = s.case(&c.case.case_id).unwrap();
    assert_eq!(plain.priority, CasePriority::High);
    assert_eq!(plain.screenings, 1);
    assert_eq!(plain.latest_screening(), Some(&r.record.screening_id));
    let members = s.case_members(&c.case.case_id, 0, 10).unwrap();
    assert_eq!(members[0].screening_id, r.record.screening_id);
    assert_eq!(members[0].entry.actor, "system");
    assert!(
        members[0].entry.reason.contains("46000"),
        "{:?}",
        members[0].entry
    );
    assert_eq!(s.open_case("ACME", "PO-1").unwrap(), Some(plain));
    // ... and it is in the officers' queue, with its audit record.
    let page = s.list_cases(&CaseFilter::default(), None, 10).unwrap();
    assert!(
        page.cases.iter().any(|x| x.case_id == c.case.case_id),
        "{page:?}"
    );
    let audit = s.audit_range(i64::MIN, i64::MAX).unwrap();
    let opened = audit
        .iter()
        .find(|a| a.action == AuditAction::CaseOpen)
        .unwrap();
    assert_eq!(opened.subject, c.case.case_id.as_str());
    let full = s.list_change_case(&c.case.case_id).unwrap();
    assert_eq!(full.cause.entry_ids, ["46000"]);
    assert_eq!(full.findings.len(), 1);
    // Idempotent per screening and version.
    assert!(
        s.open_list_change_case(new_case(&r, "PO-1"))
            .wait()
            .unwrap()
            .is_none()
    );
    assert_eq!(
        s.list_change_cases_of(&r.record.screening_id).unwrap(),
        vec![("ofac-sdn".to_string(), 2, c.case.case_id.clone())]
    );
    assert!(s.list_change_cases_of(&"scr-x".into()).unwrap().is_empty());
}

#[test]
fn an_existing_open_case_stays_the_shipments_open_case() {
    let s = SledStore::temporary().unwrap();
    let r = record(&s, new_screening("ACME", "PO-2", Decision::Review));
    let c = s
        .open_list_change_case(new_case(&r, "PO-2"))
        .wait()
        .unwrap()
        .unwrap();
    assert_ne!(Some(c.case.case_id.clone()), r.record.case_id);
    assert_eq!(
        s.open_case("ACME", "PO-2").unwrap().map(|c| c.case_id),
        r.record.case_id
    );
    // An ordinary case is not a list-change case.
    let ordinary = r.record.case_id.unwrap();
    assert!(matches!(
        s.list_change_case(&ordinary),
        Err(StoreError::NotFound { .. })
    ));
    // An officer's action on a list-change case keeps its cause.
    run(
        &s,
        &c.case.case_id,
        "alice",
        10,
        Command::Claim {
            assignee: "alice".into(),
        },
    )
    .unwrap();
    assert_eq!(
        s.list_change_case(&c.case.case_id).unwrap().cause.version,
        2
    );
}
