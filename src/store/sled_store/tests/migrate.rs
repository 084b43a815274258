//! A database of the first layout (a case record holding every screening
//! id and every history entry; a list-change case's cause flattened into
//! it) opens as the current layout, with nothing lost.

use super::*;
use crate::cases::CaseStatus;
use crate::ids::ScreeningId;

/// A case as version 1 stored it: two screenings joined (the second
/// answering an information request), officers acted in between.
const V1_CASE: &str = r#"{
  "case_id": "case-0000000000000002",
  "exporter": "ACME", "reference": "PO-1", "status": "IN_REVIEW",
  "decision": "REVIEW", "priority": "LOW", "priority_score": 1335,
  "signals": {"decision": "REVIEW", "max_score": 0.84},
  "screening_ids": ["scr-0000000000000001", "scr-0000000000000005"],
  "assignee": "alice",
  "created_at_unix_ms": 100, "updated_at_unix_ms": 400,
  "entries": [{"list_id": "sdn", "entry_id": "101", "entry_name": "X"}],
  "marks": [], "checks": [],
  "history": [
    {"at_unix_ms": 100, "actor": "erp", "action": "opened", "from": null, "to": "OPEN", "reason": "", "detail": "scr-0000000000000001 REVIEW"},
    {"at_unix_ms": 200, "actor": "alice", "action": "claim", "from": "OPEN", "to": "IN_REVIEW", "reason": "", "detail": "assigned to alice"},
    {"at_unix_ms": 300, "actor": "alice", "action": "request_info", "from": "IN_REVIEW", "to": "INFO_REQUESTED", "reason": "who is the end user?", "detail": ""},
    {"at_unix_ms": 400, "actor": "erp", "action": "resubmitted", "from": "INFO_REQUESTED", "to": "IN_REVIEW", "reason": "", "detail": "scr-0000000000000005 REVIEW"}
  ]
}"#;

/// A list-change case as version 1 stored it: cause and findings flattened.
const V1_LIST_CHANGE_CASE: &str = r#"{
  "case_id": "case-0000000000000009",
  "exporter": "ACME", "reference": "PO-2", "status": "OPEN",
  "decision": "PROHIBITED", "priority": "HIGH", "priority_score": 3400,
  "screening_ids": ["scr-0000000000000003"],
  "created_at_unix_ms": 500, "updated_at_unix_ms": 500,
  "history": [
    {"at_unix_ms": 500, "actor": "system", "action": "opened", "from": null, "to": "OPEN", "reason": "ofac-sdn version 2 lists 46000", "detail": "re-screening of scr-0000000000000003"}
  ],
  "cause": {"kind": "list_change", "list_id": "ofac-sdn", "version": 2, "previous_version": 1, "entry_ids": ["46000"], "screening_id": "scr-0000000000000003"},
  "findings": []
}"#;

#[test]
fn version_1_cases_are_migrated_on_open() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = SledStore::open(dir.path()).unwrap();
        s.raw_insert_for_tests("cases", b"case-0000000000000002", V1_CASE.as_bytes())
            .unwrap();
        s.raw_insert_for_tests(
            "cases",
            b"case-0000000000000009",
            V1_LIST_CHANGE_CASE.as_bytes(),
        )
        .unwrap();
        // As a database written before the layout had a version.
        s.raw_insert_for_tests("meta", b"schema", &1u32.to_be_bytes())
            .unwrap();
    }
    let s = SledStore::open(dir.path()).unwrap();
    let id = CaseId::new("case-0000000000000002");
    let case = s.case(&id).unwrap();
    assert_eq!(case.screenings, 2);
    assert_eq!(
        case.latest_screening(),
        Some(&ScreeningId::new("scr-0000000000000005"))
    );
    assert_eq!(case.status, CaseStatus::InReview);
    // The officers' actions stay with the case, placed after the first join.
    let officers: Vec<(&str, u32)> = case
        .history
        .iter()
        .map(|h| (h.action.as_str(), h.screenings))
        .collect();
    assert_eq!(officers, vec![("claim", 1), ("request_info", 1)]);
    // The joins are the members, with their history entries.
    let members = s.case_members(&id, 0, 10).unwrap();
    let joins: Vec<(u32, &str, &str)> = members
        .iter()
        .map(|m| (m.seq, m.screening_id.as_str(), m.entry.action.as_str()))
        .collect();
    assert_eq!(
        joins,
        vec![
            (1, "scr-0000000000000001", "opened"),
            (2, "scr-0000000000000005", "resubmitted"),
        ]
    );
    assert_eq!(
        s.case_member(&id, &ScreeningId::new("scr-0000000000000005"))
            .unwrap(),
        Some(2)
    );
    // The list-change case keeps its cause beside it.
    let lc = s
        .list_change_case(&CaseId::new("case-0000000000000009"))
        .unwrap();
    assert_eq!(
        (lc.cause.list_id.as_str(), lc.cause.version),
        ("ofac-sdn", 2)
    );
    assert_eq!(lc.case.screenings, 1);
    assert!(lc.case.history.is_empty());
    // The converted case works as any other: a screening joins it.
    let mut n = new_screening("ACME", "PO-1", Decision::Review);
    n.screened_at_unix_ms = 600;
    // Index the migrated active case as the open case of its shipment, as
    // version 1 did.
    s.raw_insert_for_tests(
        "open_cases",
        &crate::store::sled_store::keys::case_index_key("ACME", "PO-1"),
        id.as_bytes(),
    )
    .unwrap();
    let r = record(&s, n);
    assert_eq!(r.record.case_id, Some(id.clone()));
    assert_eq!(s.case(&id).unwrap().screenings, 3);
    assert_eq!(s.case_members(&id, 2, 10).unwrap()[0].seq, 3);
    // Opening again changes nothing.
    drop(s);
    let s = SledStore::open(dir.path()).unwrap();
    assert_eq!(s.case(&id).unwrap().screenings, 3);
    assert_eq!(s.case_members(&id, 0, 10).unwrap().len(), 3);
}
