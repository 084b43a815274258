//! The officers' actions added for the console, over a real server and the
//! gRPC clients: reasons required on every action, four-eyes approval of a
//! case with a confirmed match on a deny list (a second officer completes
//! it, the first cannot), reopening a decided case (the decision stays in
//! the history), and bulk "not a match" closing the other OPEN cases whose
//! only open finding is the same party against the same entry, each with
//! its own audit record, while cases with more to decide stay open.

use exportscreen::api::ACTOR_HEADER;
use exportscreen::api::pb;
use exportscreen::api::pb::audit_service_client::AuditServiceClient;
use exportscreen::api::pb::case_service_client::CaseServiceClient;
use tonic::{Code, Request};

use crate::util::{
    AuthChannel, DENIAL_ID, TestServer, assert_field_error, data_dir, plain_shipment,
};

/// Close to the listed "Zephyr Orbital Propulsion Works", not the same: a
/// possible match (REVIEW) against entry 101.
const NAMESAKE: &str = "Zephyr Orbitale Propulsion Works";

fn cases(s: &TestServer) -> CaseServiceClient<AuthChannel> {
    CaseServiceClient::new(s.channel.clone())
}

/// A request made by officer `who` (the admin token may name the actor).
fn by<T>(who: &str, msg: T) -> Request<T> {
    let mut r = Request::new(msg);
    r.metadata_mut().insert(ACTOR_HEADER, who.parse().unwrap());
    r
}

/// The namesake as consignee, shipment `reference`; `rocket` adds a
/// controlled item (a second open finding).
fn namesake(reference: &str, rocket: bool) -> pb::Shipment {
    let mut s = plain_shipment(reference);
    s.parties[1] = pb::Party {
        role: pb::PartyRole::Consignee as i32,
        name: NAMESAKE.into(),
        address: "Plot 12, Free Zone".into(),
        country: "AE".into(),
    };
    if rocket {
        s.items.push(pb::Item {
            description: "Second rocket stage, solid propellant".into(),
            declared_code: String::new(),
            quantity: 1.0,
            unit: "pcs".into(),
            parameters: Default::default(),
        });
    }
    s
}

async fn screen(s: &TestServer, shipment: pb::Shipment) -> pb::ScreenShipmentResponse {
    s.screening()
        .screen_shipment(pb::ScreenShipmentRequest {
            shipment: Some(shipment),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
}

async fn claim(s: &TestServer, who: &str, case_id: &str) {
    cases(s)
        .claim_case(by(
            who,
            pb::ClaimCaseRequest {
                case_id: case_id.into(),
                assignee: String::new(),
                reason: "mine".into(),
            },
        ))
        .await
        .unwrap();
}

async fn mark(
    s: &TestServer,
    who: &str,
    r: &pb::ScreenShipmentResponse,
    verdict: pb::FindingVerdict,
    close_others: bool,
) -> Result<pb::CaseActionResponse, tonic::Status> {
    let index = r
        .findings
        .iter()
        .position(|f| f.list_id == DENIAL_ID)
        .expect("a finding on the denial list") as u32;
    cases(s)
        .mark_finding(by(
            who,
            pb::MarkFindingRequest {
                case_id: r.case_id.clone(),
                screening_id: r.screening_id.clone(),
                finding_index: index,
                verdict: verdict as i32,
                reason: "registry extract: another company, other address".into(),
                close_others,
            },
        ))
        .await
        .map(tonic::Response::into_inner)
}

async fn approve(
    s: &TestServer,
    who: &str,
    case_id: &str,
) -> Result<pb::CaseActionResponse, tonic::Status> {
    cases(s)
        .decide_case(by(
            who,
            pb::DecideCaseRequest {
                case_id: case_id.into(),
                decision: pb::CaseDecision::Approve as i32,
                reason: "licence DE-2026-7 covers this consignee".into(),
                post_shipment_check_due_unix_ms: 0,
            },
        ))
        .await
        .map(tonic::Response::into_inner)
}

async fn get(s: &TestServer, case_id: &str) -> pb::Case {
    cases(s)
        .get_case(pb::GetCaseRequest {
            case_id: case_id.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
}

fn status(c: &pb::Case) -> pb::CaseStatus {
    c.summary.as_ref().unwrap().status()
}

#[tokio::test]
async fn every_officer_action_needs_a_reason() {
    let dir = data_dir();
    let s = TestServer::start(dir.path()).await;
    let r = screen(&s, namesake("PO-R1", false)).await;
    assert_eq!(r.decision(), pb::Decision::Review, "{:?}", r.findings);
    let err = cases(&s)
        .claim_case(by(
            "alice",
            pb::ClaimCaseRequest {
                case_id: r.case_id.clone(),
                assignee: String::new(),
                reason: "   ".into(),
            },
        ))
        .await
        .unwrap_err();
    assert_field_error(&err, Code::InvalidArgument, "reason");
    let err = cases(&s)
        .reopen_case(by(
            "alice",
            pb::ReopenCaseRequest {
                case_id: r.case_id.clone(),
                reason: String::new(),
            },
        ))
        .await
        .unwrap_err();
    assert_field_error(&err, Code::InvalidArgument, "reason");
    // The same over HTTP/JSON (the generic route of every unary RPC).
    let http = crate::http::request(
        &s.http_url,
        "POST",
        "/v1/exportscreen.v1.CaseService/ReopenCase",
        Some(&s.admin_token),
        Some(&format!(r#"{{"caseId": "{}", "reason": ""}}"#, r.case_id)),
    )
    .await;
    assert_eq!(http.status, 400, "{}", http.json);
    assert_eq!(
        http.json["fieldViolations"][0]["field"], "reason",
        "{}",
        http.json
    );
    assert_eq!(status(&get(&s, &r.case_id).await), pb::CaseStatus::Open);
    s.stop().await;
}

#[tokio::test]
async fn four_eyes_approval_then_reopen() {
    let dir = data_dir();
    let s = TestServer::start(dir.path()).await;
    let r = screen(&s, namesake("PO-4E", false)).await;
    assert_eq!(r.decision(), pb::Decision::Review, "{:?}", r.findings);
    claim(&s, "alice", &r.case_id).await;
    let marked = mark(&s, "alice", &r, pb::FindingVerdict::ConfirmedMatch, false)
        .await
        .unwrap();
    assert_eq!(
        marked.case.as_ref().unwrap().decision(),
        pb::Decision::Review,
        "a confirmed possible match stays approvable"
    );
    let case = get(&s, &r.case_id).await;
    assert!(case.marks[0].four_eyes, "{:?}", case.marks);

    // First approval: recorded, the case waits for a second officer.
    let first = approve(&s, "alice", &r.case_id).await.unwrap();
    assert_eq!(first.case.unwrap().status(), pb::CaseStatus::InReview);
    let case = get(&s, &r.case_id).await;
    let pending = case.pending_approval.as_ref().expect("pending approval");
    assert_eq!(pending.officer, "alice");

    // The same officer again: refused, naming the rule.
    let err = approve(&s, "alice", &r.case_id).await.unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "{err:?}");
    assert!(err.message().contains("four-eyes"), "{}", err.message());

    // A second officer completes it.
    let second = approve(&s, "bob", &r.case_id).await.unwrap();
    assert_eq!(second.case.unwrap().status(), pb::CaseStatus::Approved);
    let case = get(&s, &r.case_id).await;
    assert_eq!(case.decided_by, "bob");
    assert!(case.pending_approval.is_none());
    let actions: Vec<&str> = case.history.iter().map(|h| h.action.as_str()).collect();
    assert!(
        actions.ends_with(&["approve_pending", "decide"]),
        "{actions:?}"
    );

    // Reopen: back to IN_REVIEW, held by carol; the approval stays in history.
    let reopened = cases(&s)
        .reopen_case(by(
            "carol",
            pb::ReopenCaseRequest {
                case_id: r.case_id.clone(),
                reason: "the licence was revoked on 3 March".into(),
            },
        ))
        .await
        .unwrap()
        .into_inner();
    let summary = reopened.case.unwrap();
    assert_eq!(summary.status(), pb::CaseStatus::InReview);
    assert_eq!(summary.assignee, "carol");
    assert_eq!(summary.decided_at_unix_ms, 0);
    let case = get(&s, &r.case_id).await;
    let last = case.history.last().unwrap();
    assert_eq!(
        (last.action.as_str(), last.from(), last.to()),
        ("reopen", pb::CaseStatus::Approved, pb::CaseStatus::InReview)
    );
    assert_eq!(last.reason, "the licence was revoked on 3 March");
    assert!(
        case.history.iter().any(|h| h.action == "decide"
            && h.to() == pb::CaseStatus::Approved
            && h.actor == "bob")
    );
    // Reopening an active case is refused.
    let err = cases(&s)
        .reopen_case(by(
            "carol",
            pb::ReopenCaseRequest {
                case_id: r.case_id.clone(),
                reason: "again".into(),
            },
        ))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "{err:?}");

    // The audit trail names both approvals and the reopening.
    let mut audit = AuditServiceClient::new(s.channel.clone())
        .export_audit(pb::ExportAuditRequest::default())
        .await
        .unwrap()
        .into_inner();
    let mut seen = Vec::new();
    while let Some(rec) = audit.message().await.unwrap() {
        if rec.subject == r.case_id {
            seen.push(rec.action);
        }
    }
    for want in ["case.approve_pending", "case.decide", "case.reopen"] {
        assert!(seen.iter().any(|a| a == want), "{want} in {seen:?}");
    }
    s.stop().await;
}

#[tokio::test]
async fn bulk_not_a_match_closes_the_other_open_cases_of_that_party_and_entry() {
    let dir = data_dir();
    let s = TestServer::start(dir.path()).await;
    let origin = screen(&s, namesake("PO-B0", false)).await;
    let mut same = Vec::new();
    for i in 1..=3 {
        same.push(screen(&s, namesake(&format!("PO-B{i}"), false)).await);
    }
    // Held by an officer: not closed behind her back.
    let held = screen(&s, namesake("PO-HELD", false)).await;
    claim(&s, "dora", &held.case_id).await;
    // More to decide (a rocket stage): stays open.
    let more = screen(&s, namesake("PO-MORE", true)).await;
    assert_eq!(more.decision(), pb::Decision::LicenseRequired);

    claim(&s, "alice", &origin.case_id).await;
    // close_others is for "not a match" only.
    let err = mark(
        &s,
        "alice",
        &origin,
        pb::FindingVerdict::ConfirmedMatch,
        true,
    )
    .await
    .unwrap_err();
    assert_field_error(&err, Code::InvalidArgument, "close_others");

    let answer = mark(&s, "alice", &origin, pb::FindingVerdict::NotAMatch, true)
        .await
        .unwrap();
    assert!(!answer.suppression_id.is_empty());
    let mut closed = answer.closed_case_ids.clone();
    closed.sort();
    let mut want: Vec<String> = same.iter().map(|r| r.case_id.clone()).collect();
    want.sort();
    assert_eq!(closed, want, "exactly the other OPEN sole-match cases");

    for r in &same {
        let case = get(&s, &r.case_id).await;
        assert_eq!(status(&case), pb::CaseStatus::Closed);
        let last = case.history.last().unwrap();
        assert_eq!(last.action, "close_not_a_match");
        assert_eq!(last.actor, "alice");
        assert_eq!(
            last.reason,
            "registry extract: another company, other address"
        );
        assert!(last.detail.contains(&origin.case_id), "{}", last.detail);
    }
    assert_eq!(
        status(&get(&s, &held.case_id).await),
        pb::CaseStatus::InReview
    );
    assert_eq!(status(&get(&s, &more.case_id).await), pb::CaseStatus::Open);
    assert_eq!(
        status(&get(&s, &origin.case_id).await),
        pb::CaseStatus::InReview,
        "the originating case stays with its officer"
    );

    // Each closed case has its own audit record naming the originating case.
    let mut audit = AuditServiceClient::new(s.channel.clone())
        .export_audit(pb::ExportAuditRequest::default())
        .await
        .unwrap()
        .into_inner();
    let mut closing = Vec::new();
    while let Some(rec) = audit.message().await.unwrap() {
        if rec.action == "case.close_not_a_match" {
            let details: serde_json::Value = serde_json::from_str(&rec.details_json).unwrap();
            assert_eq!(details["origin_case_id"], origin.case_id.as_str());
            closing.push(rec.subject);
        }
    }
    closing.sort();
    assert_eq!(closing, want);

    // A second run finds nothing left to close; a closed case reopens.
    let again = mark(&s, "alice", &origin, pb::FindingVerdict::NotAMatch, true)
        .await
        .unwrap();
    assert!(
        again.closed_case_ids.is_empty(),
        "{:?}",
        again.closed_case_ids
    );
    let reopened = cases(&s)
        .reopen_case(by(
            "alice",
            pb::ReopenCaseRequest {
                case_id: same[0].case_id.clone(),
                reason: "the exporter sent a new registry extract".into(),
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(reopened.case.unwrap().status(), pb::CaseStatus::InReview);
    s.stop().await;
}
