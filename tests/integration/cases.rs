//! CaseService and AuditService over a real server: the officers' whole
//! workflow (claim, information request, resubmission, approval,
//! post-shipment check), the deny path and serial proliferators, cleared
//! matches staying cleared until either side changes, the console stream,
//! the queue, the report, the audit trail (and a tampered record), and the
//! officers' CLI.

use std::process::Output;
use std::time::Duration;

use crate::util::AuthChannel;
use exportscreen::api::ACTOR_HEADER;
use exportscreen::api::pb;
use exportscreen::api::pb::audit_service_client::AuditServiceClient;
use exportscreen::api::pb::case_service_client::CaseServiceClient;
use exportscreen::api::pb::import_list_request::Msg;
use exportscreen::api::startup::DB_DIR;
use exportscreen::service::now_unix_ms;
use exportscreen::store::{SledStore, Store};
use tonic::{Code, Request};

use crate::util::{CONTROL_ID, DENIAL_ID, LISTED_NAME, TestServer, data_dir, plain_shipment};

const DAY: i64 = 86_400_000;

fn cases(s: &TestServer) -> CaseServiceClient<AuthChannel> {
    CaseServiceClient::new(s.channel.clone())
}

fn audit(s: &TestServer) -> AuditServiceClient<AuthChannel> {
    AuditServiceClient::new(s.channel.clone())
}

/// A request made by officer `who` (without access control the server
/// takes the actor from the metadata).
fn by<T>(who: &str, msg: T) -> Request<T> {
    let mut r = Request::new(msg);
    r.metadata_mut().insert(ACTOR_HEADER, who.parse().unwrap());
    r
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

/// A Category I item (a rocket stage) to Japan: LICENSE_REQUIRED.
fn controlled(reference: &str) -> pb::Shipment {
    let mut s = plain_shipment(reference);
    s.items[0] = pb::Item {
        description: "Second rocket stage, solid propellant".into(),
        declared_code: String::new(),
        quantity: 1.0,
        unit: "pcs".into(),
        parameters: Default::default(),
    };
    s
}

/// The listed organisation as consignee: PROHIBITED.
fn listed(reference: &str, exporter: &str) -> pb::Shipment {
    let mut s = plain_shipment(reference);
    s.exporter = exporter.into();
    s.parties[0].name = exporter.into();
    s.parties[1] = pb::Party {
        role: pb::PartyRole::Consignee as i32,
        name: LISTED_NAME.into(),
        address: "Plot 12, Free Zone".into(),
        country: String::new(),
    };
    s
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

fn summary(r: &pb::CaseActionResponse) -> pb::CaseSummary {
    r.case.clone().unwrap()
}

async fn claim(s: &TestServer, who: &str, case_id: &str) -> pb::CaseSummary {
    let r = cases(s)
        .claim_case(by(
            who,
            pb::ClaimCaseRequest {
                case_id: case_id.into(),
                reason: "taking it".into(),
                ..pb::ClaimCaseRequest::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    summary(&r)
}

async fn decide(
    s: &TestServer,
    who: &str,
    case_id: &str,
    decision: pb::CaseDecision,
    reason: &str,
    due: i64,
) -> Result<pb::CaseSummary, tonic::Status> {
    cases(s)
        .decide_case(by(
            who,
            pb::DecideCaseRequest {
                case_id: case_id.into(),
                decision: decision as i32,
                reason: reason.into(),
                post_shipment_check_due_unix_ms: due,
            },
        ))
        .await
        .map(|r| summary(&r.into_inner()))
}

async fn record_check(
    s: &TestServer,
    who: &str,
    case_id: &str,
    kind: pb::CheckKind,
    document: &str,
) -> Result<pb::CaseSummary, tonic::Status> {
    cases(s)
        .record_check(by(
            who,
            pb::RecordCheckRequest {
                case_id: case_id.into(),
                kind: kind as i32,
                document: document.into(),
                reason: "seen on site".into(),
            },
        ))
        .await
        .map(|r| summary(&r.into_inner()))
}

async fn mark(
    s: &TestServer,
    who: &str,
    case_id: &str,
    screening_id: &str,
    index: usize,
    verdict: pb::FindingVerdict,
) -> pb::CaseActionResponse {
    cases(s)
        .mark_finding(by(
            who,
            pb::MarkFindingRequest {
                case_id: case_id.into(),
                screening_id: screening_id.into(),
                finding_index: index as u32,
                verdict: verdict as i32,
                reason: "different company: other address, other registration".into(),
                close_others: false,
            },
        ))
        .await
        .unwrap()
        .into_inner()
}

fn status(s: &pb::CaseSummary) -> pb::CaseStatus {
    pb::CaseStatus::try_from(s.status).unwrap()
}

/// Asserts a refusal with `code` whose message contains every `words`.
fn refused(res: Result<impl std::fmt::Debug, tonic::Status>, code: Code, words: &[&str]) {
    let err = res.expect_err("should be refused");
    assert_eq!(err.code(), code, "{err:?}");
    for w in words {
        assert!(err.message().contains(w), "{w:?} in {:?}", err.message());
    }
}

/// Index of the finding citing the listed entry for party 1.
fn listed_finding(r: &pb::ScreenShipmentResponse) -> usize {
    r.findings
        .iter()
        .position(|f| f.target == "party:1" && f.list_id == DENIAL_ID && f.entry_id == "101")
        .unwrap_or_else(|| panic!("no finding on entry 101: {r:?}"))
}

#[tokio::test]
async fn a_case_goes_from_screening_to_verification() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let first = screen(&server, controlled("PO-100")).await;
    assert_eq!(
        first.decision,
        pb::Decision::LicenseRequired as i32,
        "{first:?}"
    );
    let id = first.case_id.clone();
    assert!(id.starts_with("case-"), "{first:?}");

    let case = get(&server, &id).await;
    let s = case.summary.clone().unwrap();
    assert_eq!(status(&s), pb::CaseStatus::Open);
    assert_eq!(s.priority, pb::CasePriority::Medium as i32);
    assert!(case.signals.as_ref().unwrap().category_i, "{case:?}");
    assert_eq!(case.screenings.len(), 1);
    assert_eq!(case.screenings[0].result.as_ref(), Some(&first));

    // Deciding needs the case in review, by its officer, with a reason.
    refused(
        decide(&server, "alice", &id, pb::CaseDecision::Approve, "ok", 0).await,
        Code::FailedPrecondition,
        &["OPEN", "claim"],
    );
    let s = claim(&server, "alice", &id).await;
    assert_eq!(
        (status(&s), s.assignee.as_str()),
        (pb::CaseStatus::InReview, "alice")
    );
    refused(
        decide(&server, "alice", &id, pb::CaseDecision::Approve, "  ", 0).await,
        Code::InvalidArgument,
        &["reason"],
    );
    let ask = |who: &str, reason: &str| {
        by(
            who,
            pb::RequestInfoRequest {
                case_id: id.clone(),
                reason: reason.into(),
            },
        )
    };
    refused(
        cases(&server)
            .request_info(ask("bob", "Who is the end user?"))
            .await,
        Code::FailedPrecondition,
        &["assigned to alice", "bob"],
    );
    let r = cases(&server)
        .request_info(ask(
            "alice",
            "Who is the end user, and what is the end use?",
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status(&summary(&r)), pb::CaseStatus::InfoRequested);
    // An approval waits for the answer.
    refused(
        decide(&server, "alice", &id, pb::CaseDecision::Approve, "ok", 0).await,
        Code::FailedPrecondition,
        &["INFO_REQUESTED", "IN_REVIEW"],
    );

    // The exporter answers by resubmitting the shipment: it joins the case.
    let mut answer = controlled("PO-100");
    answer.end_use = "Sounding rocket for the university's atmospheric research".into();
    let second = screen(&server, answer).await;
    assert_eq!(second.case_id, id);
    let case = get(&server, &id).await;
    assert_eq!(
        status(case.summary.as_ref().unwrap()),
        pb::CaseStatus::InReview
    );
    assert_eq!(case.screenings.len(), 2);

    record_check(
        &server,
        "alice",
        &id,
        pb::CheckKind::EndUseCertificate,
        "EUC-2024-17",
    )
    .await
    .unwrap();
    let due = now_unix_ms() + 30 * DAY;
    let s = decide(
        &server,
        "alice",
        &id,
        pb::CaseDecision::Approve,
        "Licence EX-42 granted",
        due,
    )
    .await
    .unwrap();
    assert_eq!(status(&s), pb::CaseStatus::PostShipmentCheckDue);
    assert_eq!(s.check_due_unix_ms, due);
    assert!(s.decided_at_unix_ms > 0);
    let s = record_check(
        &server,
        "carol",
        &id,
        pb::CheckKind::PostShipmentVerified,
        "PSV-9",
    )
    .await
    .unwrap();
    assert_eq!(status(&s), pb::CaseStatus::Verified);
    refused(
        decide(
            &server,
            "alice",
            &id,
            pb::CaseDecision::Deny,
            "changed my mind",
            0,
        )
        .await,
        Code::FailedPrecondition,
        &["VERIFIED"],
    );

    let case = get(&server, &id).await;
    let actions: Vec<&str> = case.history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(
        actions,
        vec![
            "opened",
            "claim",
            "request_info",
            "resubmitted",
            "record_check",
            "decide",
            "record_check"
        ]
    );
    assert_eq!(case.history[5].actor, "alice");
    assert_eq!(case.history[5].reason, "Licence EX-42 granted");
    assert_eq!(case.decided_by, "alice");
    let checks: Vec<(&str, &str)> = case
        .checks
        .iter()
        .map(|c| (c.document.as_str(), c.officer.as_str()))
        .collect();
    assert_eq!(checks, vec![("EUC-2024-17", "alice"), ("PSV-9", "carol")]);

    // The shipment reference is free again: a new screening opens a new case.
    let third = screen(&server, controlled("PO-100")).await;
    assert!(!third.case_id.is_empty());
    assert_ne!(third.case_id, id);
    server.stop().await;
}

#[tokio::test]
async fn a_denied_party_raises_the_priority_of_its_next_shipments() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let a = screen(&server, listed("PO-200", "Kestrel Instruments Inc.")).await;
    assert_eq!(a.decision, pb::Decision::Prohibited as i32, "{a:?}");
    let before = get(&server, &a.case_id).await.summary.unwrap();
    assert_eq!(before.priority, pb::CasePriority::High as i32);

    claim(&server, "alice", &a.case_id).await;
    refused(
        decide(
            &server,
            "alice",
            &a.case_id,
            pb::CaseDecision::Approve,
            "looks fine",
            0,
        )
        .await,
        Code::FailedPrecondition,
        &["PROHIBITED"],
    );
    refused(
        decide(
            &server,
            "alice",
            &a.case_id,
            pb::CaseDecision::Deny,
            "ok",
            DAY,
        )
        .await,
        Code::InvalidArgument,
        &["post_shipment_check_due_unix_ms"],
    );
    let s = decide(
        &server,
        "alice",
        &a.case_id,
        pb::CaseDecision::Deny,
        "Consignee is the listed entity",
        0,
    )
    .await
    .unwrap();
    assert_eq!(status(&s), pb::CaseStatus::Denied);

    // The same consignee for another exporter: a serial proliferator.
    let b = screen(&server, listed("G-7", "Globex Aerospace")).await;
    let case = get(&server, &b.case_id).await;
    let after = case.summary.clone().unwrap();
    let signals = case.signals.unwrap();
    assert_eq!(signals.prior_denials, 1, "{signals:?}");
    assert_eq!(signals.serial_parties, vec![LISTED_NAME.to_string()]);
    assert!(
        after.priority_score > before.priority_score,
        "{} > {}",
        after.priority_score,
        before.priority_score
    );
    assert!(
        signals.explanation.contains("earlier denial"),
        "{}",
        signals.explanation
    );

    let denied = cases(&server)
        .list_cases(pb::ListCasesRequest {
            statuses: vec![pb::CaseStatus::Denied as i32],
            ..pb::ListCasesRequest::default()
        })
        .await
        .unwrap()
        .into_inner();
    let ids: Vec<&str> = denied.cases.iter().map(|c| c.case_id.as_str()).collect();
    assert_eq!(ids, vec![a.case_id.as_str()]);
    server.stop().await;
}

/// The test denial list in the exportscreen-toml format; `edit_101` and
/// `edit_102` change each entry's remarks.
fn denial_toml(remarks_101: &str, remarks_102: &str) -> String {
    format!(
        r#"[list]
kind = "denial"
name = "test denial list"

[[entry]]
id = "101"
type = "organization"
name = "{LISTED_NAME}"
aliases = ["ZOPW"]
programs = ["NPWMD"]
countries = ["Iran"]
remarks = "{remarks_101}"

[[entry]]
id = "102"
type = "organization"
name = "Quillon Anvil Heavy Industries"
programs = ["NPWMD"]
countries = ["Iran"]
remarks = "{remarks_102}"
"#
    )
}

async fn import_denial(server: &TestServer, toml: String) -> u64 {
    let msgs = vec![
        pb::ImportListRequest {
            msg: Some(Msg::Header(pb::ImportHeader {
                list_id: DENIAL_ID.into(),
                format: "exportscreen-toml".into(),
                reason: "test update".into(),
                options: Default::default(),
            })),
        },
        pb::ImportListRequest {
            msg: Some(Msg::Chunk(pb::FileChunk {
                file_name: "test-denial.toml".into(),
                data: toml.into_bytes(),
            })),
        },
    ];
    server
        .lists()
        .import_list(tokio_stream::iter(msgs))
        .await
        .unwrap()
        .into_inner()
        .version
}

#[tokio::test]
async fn a_cleared_match_stays_cleared_until_the_entry_changes() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    assert_eq!(import_denial(&server, denial_toml("", "")).await, 2);

    // Listed consignee and a controlled item: PROHIBITED.
    let shipment = |reference: &str, exporter: &str| {
        let mut s = listed(reference, exporter);
        s.items = controlled("x").items;
        s
    };
    let first = screen(&server, shipment("PO-300", "Kestrel Instruments Inc.")).await;
    assert_eq!(first.decision, pb::Decision::Prohibited as i32, "{first:?}");
    let fi = listed_finding(&first);
    let case1 = first.case_id.clone();
    claim(&server, "alice", &case1).await;
    let marked = mark(
        &server,
        "alice",
        &case1,
        &first.screening_id,
        fi,
        pb::FindingVerdict::NotAMatch,
    )
    .await;
    let sup = marked.suppression_id.clone();
    assert!(sup.starts_with("sup-"), "{marked:?}");
    assert_eq!(
        summary(&marked).decision,
        pb::Decision::LicenseRequired as i32,
        "the case no longer counts the cleared match"
    );
    assert_eq!(
        marked.audit_seqs.len(),
        2,
        "case.mark and suppression.create"
    );

    // Another exporter, the same consignee: suppressed, decision lower.
    let second = screen(&server, shipment("G-1", "Globex Aerospace")).await;
    assert_eq!(
        second.decision,
        pb::Decision::LicenseRequired as i32,
        "{second:?}"
    );
    assert_eq!(
        second.unsuppressed_decision,
        pb::Decision::Prohibited as i32
    );
    let f = &second.findings[listed_finding(&second)];
    assert!(f.suppressed, "{f:?}");
    assert_eq!(
        (f.suppressed_by.as_str(), f.suppressed_by_case.as_str()),
        (sup.as_str(), case1.as_str())
    );
    assert_eq!(
        second.findings.iter().filter(|f| f.suppressed).count(),
        1,
        "only the judged finding"
    );
    // The stored screening says the same.
    let stored = server
        .screening()
        .get_screening(pb::GetScreeningRequest {
            screening_id: second.screening_id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(stored.result.as_ref(), Some(&second));
    let s = cases(&server)
        .get_suppression(pb::GetSuppressionRequest {
            suppression_id: sup.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(s.active);
    assert_eq!(
        (s.officer.as_str(), s.case_id.as_str(), s.entry_id.as_str()),
        ("alice", case1.as_str(), "101")
    );
    assert_eq!(s.judged_version.unwrap().version, 2);

    // Other party details: another party, not suppressed.
    let mut moved = shipment("G-2", "Globex Aerospace");
    moved.parties[1].address = "Warehouse 9, Port Road".into();
    let r = screen(&server, moved).await;
    assert_eq!(r.decision, pb::Decision::Prohibited as i32);
    assert!(r.findings.iter().all(|f| !f.suppressed), "{r:?}");

    // A new list version that leaves entry 101 as it was: still suppressed.
    assert_eq!(
        import_denial(&server, denial_toml("", "Renamed in 2024")).await,
        3
    );
    let r = screen(&server, shipment("G-3", "Globex Aerospace")).await;
    assert_eq!(r.decision, pb::Decision::LicenseRequired as i32, "{r:?}");
    assert!(r.findings[listed_finding(&r)].suppressed);
    assert!(
        r.list_versions
            .iter()
            .any(|v| v.list_id == DENIAL_ID && v.version == 3)
    );

    // Entry 101 edited: flagged again, and the suppression has ended.
    assert_eq!(
        import_denial(
            &server,
            denial_toml("Also operates from a Minsk free zone", "Renamed in 2024")
        )
        .await,
        4
    );
    let r = screen(&server, shipment("G-4", "Globex Aerospace")).await;
    assert_eq!(r.decision, pb::Decision::Prohibited as i32, "{r:?}");
    assert!(r.findings.iter().all(|f| !f.suppressed), "{r:?}");
    let s = cases(&server)
        .get_suppression(pb::GetSuppressionRequest {
            suppression_id: sup.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(!s.active);
    assert_eq!(s.ended_by, "system");
    assert!(
        s.ended_why.contains("changed") && s.ended_why.contains("@4"),
        "{}",
        s.ended_why
    );

    let mut records = audit(&server)
        .export_audit(pb::ExportAuditRequest::default())
        .await
        .unwrap()
        .into_inner();
    let mut actions = Vec::new();
    while let Some(r) = records.message().await.unwrap() {
        actions.push(r.action);
    }
    for want in ["case.mark", "suppression.create", "suppression.invalidate"] {
        assert!(actions.iter().any(|a| a == want), "{want} in {actions:?}");
    }
    server.stop().await;
}

async fn next(s: &mut tonic::Streaming<pb::CaseEvent>) -> pb::CaseEvent {
    tokio::time::timeout(Duration::from_secs(10), s.message())
        .await
        .expect("an event within 10 s")
        .unwrap()
        .expect("the stream is open")
}

#[tokio::test]
async fn a_console_hears_of_new_and_changed_cases() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let mut all = cases(&server)
        .watch_cases(pb::WatchCasesRequest::default())
        .await
        .unwrap()
        .into_inner();
    let mut high = cases(&server)
        .watch_cases(pb::WatchCasesRequest {
            min_priority: pb::CasePriority::High as i32,
            ..pb::WatchCasesRequest::default()
        })
        .await
        .unwrap()
        .into_inner();
    let medium = screen(&server, controlled("PO-500")).await;
    let e = next(&mut all).await;
    assert_eq!(e.kind, pb::case_event::Kind::Opened as i32);
    assert_eq!(e.case.as_ref().unwrap().case_id, medium.case_id);
    assert_eq!(e.action, "opened");

    claim(&server, "alice", &medium.case_id).await;
    let e = next(&mut all).await;
    assert_eq!(e.kind, pb::case_event::Kind::Updated as i32);
    assert_eq!(
        (e.action.as_str(), e.actor.as_str()),
        ("case.claim", "alice")
    );
    assert_eq!(e.case.unwrap().assignee, "alice");

    // The HIGH console skipped the MEDIUM case: its first event is this one.
    let prohibited = screen(&server, listed("PO-501", "Kestrel Instruments Inc.")).await;
    let e = next(&mut high).await;
    assert_eq!(e.case.unwrap().case_id, prohibited.case_id);

    // Shutting down ends the open console streams (stop() waits for it).
    server.stop().await;
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        while let Ok(Some(_)) = all.message().await {}
    })
    .await;
    assert!(ended.is_ok(), "the console stream ended");
}

#[tokio::test]
async fn the_queue_pages_by_priority_and_the_report_counts_marks_and_decisions() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(screen(&server, controlled(&format!("C-{i}"))).await.case_id);
        ids.push(
            screen(
                &server,
                listed(&format!("L-{i}"), "Kestrel Instruments Inc."),
            )
            .await
            .case_id,
        );
    }
    let mut c = cases(&server);
    let mut seen = Vec::new();
    let mut token = String::new();
    loop {
        let page = c
            .list_cases(pb::ListCasesRequest {
                page_size: 4,
                page_token: token.clone(),
                ..pb::ListCasesRequest::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert!(page.cases.len() <= 4);
        seen.extend(page.cases);
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(seen.len(), 6);
    let scores: Vec<u32> = seen.iter().map(|c| c.priority_score).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert!(
        seen[..3]
            .iter()
            .all(|c| c.priority == pb::CasePriority::High as i32)
    );
    // Equal priority: oldest first.
    assert!(
        seen[..3]
            .windows(2)
            .all(|w| w[0].created_at_unix_ms <= w[1].created_at_unix_ms)
    );

    let listed_only = c
        .list_cases(pb::ListCasesRequest {
            list_id: DENIAL_ID.into(),
            entry_id: "101".into(),
            ..pb::ListCasesRequest::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed_only.cases.len(), 3);
    for bad in [
        pb::ListCasesRequest {
            page_token: "zz".into(),
            ..pb::ListCasesRequest::default()
        },
        pb::ListCasesRequest {
            page_size: 5000,
            ..pb::ListCasesRequest::default()
        },
    ] {
        refused(c.list_cases(bad).await, Code::InvalidArgument, &[]);
    }
    refused(
        c.get_case(pb::GetCaseRequest {
            case_id: "case-00000000deadbeef".into(),
            ..Default::default()
        })
        .await,
        Code::NotFound,
        &["case-00000000deadbeef"],
    );

    // Officers judge two matches and decide two cases.
    let listed_cases: Vec<String> = listed_only
        .cases
        .iter()
        .map(|c| c.case_id.clone())
        .collect();
    for (i, id) in listed_cases.iter().take(2).enumerate() {
        claim(&server, "alice", id).await;
        let case = get(&server, id).await;
        let scr = &case.screenings[0];
        let fi = listed_finding(scr.result.as_ref().unwrap());
        let verdict = if i == 0 {
            pb::FindingVerdict::NotAMatch
        } else {
            pb::FindingVerdict::ConfirmedMatch
        };
        mark(&server, "alice", id, &scr.screening_id, fi, verdict).await;
    }
    decide(
        &server,
        "alice",
        &listed_cases[1],
        pb::CaseDecision::Deny,
        "listed consignee",
        0,
    )
    .await
    .unwrap();
    claim(&server, "bob", &ids[0]).await;
    decide(
        &server,
        "bob",
        &ids[0],
        pb::CaseDecision::Approve,
        "licence granted",
        0,
    )
    .await
    .unwrap();

    let r = c
        .get_report(pb::GetReportRequest::default())
        .await
        .unwrap()
        .into_inner();
    let open: u32 = r.open_cases.iter().map(|o| o.total).sum();
    assert_eq!(open, 4);
    let officers: Vec<(&str, u32, u32)> = r
        .officers
        .iter()
        .map(|o| (o.officer.as_str(), o.approved, o.denied))
        .collect();
    assert_eq!(officers, vec![("alice", 0, 1), ("bob", 1, 0)]);
    assert_eq!(r.decided, 2);
    let fp = r.per_list.iter().find(|x| x.key == DENIAL_ID).unwrap();
    assert_eq!((fp.not_a_match, fp.confirmed, fp.rate), (1, 1, 0.5));
    assert!(
        r.per_match_kind.iter().any(|x| x.key == "party.exact"),
        "{:?}",
        r.per_match_kind
    );
    let top: Vec<(&str, &str, u32)> = r
        .top_entities
        .iter()
        .map(|e| (e.list_id.as_str(), e.entry_id.as_str(), e.cases))
        .collect();
    assert_eq!(top, vec![(CONTROL_ID, "2.A.1.a", 3), (DENIAL_ID, "101", 3)]);
    server.stop().await;
}

async fn exportscreen(args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_exportscreen"))
        .args(args)
        .env("EXPORTSCREEN_TOKEN", crate::util::ADMIN_SECRET)
        .output()
        .await
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test]
async fn the_audit_trail_verifies_exports_and_detects_a_tampered_record() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let a = screen(&server, controlled("PO-600")).await;
    screen(&server, plain_shipment("PO-601")).await;
    claim(&server, "alice", &a.case_id).await;

    let v = audit(&server)
        .verify_audit(pb::VerifyAuditRequest {})
        .await
        .unwrap()
        .into_inner();
    assert!(v.intact, "{v:?}");
    assert_eq!(v.records, 3);
    let mut stream = audit(&server)
        .export_audit(pb::ExportAuditRequest::default())
        .await
        .unwrap()
        .into_inner();
    let mut records = Vec::new();
    while let Some(r) = stream.message().await.unwrap() {
        records.push(r);
    }
    let got: Vec<(u64, &str, &str)> = records
        .iter()
        .map(|r| (r.seq, r.action.as_str(), r.actor.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, "screening", "test-admin"),
            (2, "screening", "test-admin"),
            (3, "case.claim", "alice")
        ]
    );
    assert_eq!(records[0].subject, a.screening_id);
    assert_eq!(records[1].prev_hash, records[0].hash);
    let details: serde_json::Value = serde_json::from_str(&records[0].details_json).unwrap();
    assert_eq!(details["case_id"], a.case_id.as_str());

    // The CLI exports a period as JSON lines.
    let from = records[2].at_unix_ms.to_string();
    let out = exportscreen(&["audit", "export", "--from", &from, "--server", &server.url]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        lines
            .iter()
            .all(|l| l["at_unix_ms"].as_i64().unwrap() >= records[2].at_unix_ms)
    );
    assert_eq!(lines.last().unwrap()["action"], "case.claim");
    let out = exportscreen(&["audit", "verify", "--server", &server.url]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("intact: 3 records"),
        "{}",
        text(&out.stdout)
    );
    server.stop().await;

    // Someone rewrites history in the database while the server is down.
    {
        let store = SledStore::open(dir.path().join(DB_DIR)).unwrap();
        let mut r = store.audit_range(i64::MIN, i64::MAX).unwrap().remove(1);
        r.actor = "nobody".into();
        store.tamper_audit_for_tests(&r).unwrap();
    }
    let server = TestServer::start(dir.path()).await;
    let v = audit(&server)
        .verify_audit(pb::VerifyAuditRequest {})
        .await
        .unwrap()
        .into_inner();
    assert!(!v.intact);
    assert_eq!(v.broken_seq, 2);
    assert!(v.problem.contains("altered"), "{}", v.problem);
    let out = exportscreen(&["audit", "verify", "--server", &server.url]).await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("broken at record 2"),
        "{}",
        text(&out.stderr)
    );
    server.stop().await;
}

#[tokio::test]
async fn officers_work_a_case_from_the_command_line() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let r = screen(&server, listed("PO-700", "Kestrel Instruments Inc.")).await;
    let url = server.url.as_str();
    async fn run_ok(url: &str, mut args: Vec<&str>) -> String {
        args.extend(["--server", url]);
        let out = exportscreen(&args).await;
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    }

    let queue = run_ok(url, vec!["cases", "list", "--status", "open"]).await;
    assert!(queue.lines().next().unwrap().starts_with("CASE"), "{queue}");
    assert!(
        queue.contains(&r.case_id) && queue.contains("HIGH"),
        "{queue}"
    );

    let claimed = run_ok(
        url,
        vec![
            "cases", "claim", &r.case_id, "--actor", "alice", "--reason", "mine",
        ],
    )
    .await;
    assert!(
        claimed.contains("IN_REVIEW") && claimed.contains("held by alice"),
        "{claimed}"
    );

    let shown = run_ok(url, vec!["cases", "show", &r.case_id]).await;
    assert!(
        shown.contains(&format!("screening {}", r.screening_id)),
        "{shown}"
    );
    let number = listed_finding(&r) + 1;
    assert!(
        shown.contains(&format!("#{number} PROHIBITED party:1 {DENIAL_ID} 101")),
        "{shown}"
    );

    let finding = number.to_string();
    let marked = run_ok(
        url,
        vec![
            "cases",
            "mark",
            &r.case_id,
            "--screening",
            &r.screening_id,
            "--finding",
            &finding,
            "--not-a-match",
            "--reason",
            "other company",
            "--actor",
            "alice",
        ],
    )
    .await;
    assert!(marked.contains("suppression sup-"), "{marked}");
    let decided = run_ok(
        url,
        vec![
            "cases",
            "decide",
            &r.case_id,
            "--approve",
            "--reason",
            "no listed party left",
            "--check-due",
            "2099-01-01",
            "--actor",
            "alice",
        ],
    )
    .await;
    assert!(decided.contains("POST_SHIPMENT_CHECK_DUE"), "{decided}");

    // A refused command exits non-zero with the server's reason.
    let out = exportscreen(&[
        "cases",
        "request-info",
        &r.case_id,
        "--reason",
        "?",
        "--actor",
        "alice",
        "--server",
        url,
    ])
    .await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("FailedPrecondition"),
        "{}",
        text(&out.stderr)
    );

    let report = run_ok(url, vec!["report"]).await;
    for want in [
        "Open cases by priority and age",
        "Decisions per officer",
        "Top entities hit",
    ] {
        assert!(report.contains(want), "{want} in {report}");
    }
    // alice approved one case and denied none.
    assert!(
        report.lines().any(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            cells.first() == Some(&"alice") && cells.get(1..3) == Some(&["1", "0"][..])
        }),
        "{report}"
    );
    assert!(report.contains(&format!("{DENIAL_ID}  1")), "{report}");
    server.stop().await;
}

#[tokio::test]
async fn screenings_are_audited_under_their_actor() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let req = || pb::ScreenShipmentRequest {
        shipment: Some(controlled("PO-800")),
        ..Default::default()
    };
    let mut c = server.screening();
    let r = c
        .screen_shipment(by("kestrel-erp", req()))
        .await
        .unwrap()
        .into_inner();
    let long = "x".repeat(200);
    refused(
        c.screen_shipment(by(&long, req())).await,
        Code::InvalidArgument,
        &[ACTOR_HEADER],
    );
    let mut answers = c
        .screen_shipments(by(&long, tokio_stream::iter(vec![req()])))
        .await
        .unwrap()
        .into_inner();
    refused(
        answers.message().await,
        Code::InvalidArgument,
        &[ACTOR_HEADER],
    );

    let mut stream = audit(&server)
        .export_audit(pb::ExportAuditRequest::default())
        .await
        .unwrap()
        .into_inner();
    let mut records = Vec::new();
    while let Some(a) = stream.message().await.unwrap() {
        records.push((a.actor, a.action, a.subject));
    }
    assert_eq!(
        records,
        vec![(
            "kestrel-erp".to_string(),
            "screening".to_string(),
            r.screening_id
        )],
        "refused screenings leave no record"
    );
    let case = get(&server, &r.case_id).await;
    assert_eq!(case.history[0].actor, "kestrel-erp");
    server.stop().await;
}
