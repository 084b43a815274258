//! The exporter boundary end to end, over gRPC and HTTP/JSON: an exporter
//! reads its case's status and the question addressed to it, never the
//! officers' internal notes, names, marks or the queue priority.

use exportscreen::api::pb;
use exportscreen::api::pb::case_service_client::CaseServiceClient;
use exportscreen::api::pb::screening_service_client::ScreeningServiceClient;

use crate::http::request;
use crate::util::{DENIAL_ID, LISTED_NAME, TestServer, data_dir, plain_shipment, put_token};

const EXPORTER: &str = "es_boundary-exporter";
const OFFICER: &str = "es_boundary-officer";
const OFFICER_NAME: &str = "olga.officer";
const NOTE: &str = "internal note";
const QUESTION: &str = "Please send the signed end-user certificate.";

#[tokio::test]
async fn exporters_see_status_and_questions_but_no_internal_notes() {
    let dir = data_dir();
    let exporter = "Kestrel Instruments Inc.";
    put_token(
        dir.path(),
        EXPORTER,
        "kestrel-erp",
        &["EXPORTER"],
        Some(exporter),
    );
    put_token(dir.path(), OFFICER, OFFICER_NAME, &["OFFICER"], None);
    let server = TestServer::start(dir.path()).await;

    let mut shipment = plain_shipment("B-1");
    shipment.parties[1].name = LISTED_NAME.into();
    let screened = ScreeningServiceClient::new(server.channel_with(EXPORTER))
        .screen_shipment(pb::ScreenShipmentRequest {
            shipment: Some(shipment),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let case_id = screened.case_id.clone();
    assert!(!case_id.is_empty());
    let finding = screened
        .findings
        .iter()
        .position(|f| f.list_id == DENIAL_ID)
        .unwrap() as u32;

    let mut officer = CaseServiceClient::new(server.channel_with(OFFICER));
    officer
        .claim_case(pb::ClaimCaseRequest {
            case_id: case_id.clone(),
            assignee: String::new(),
            reason: format!("{NOTE}: mine"),
        })
        .await
        .unwrap();
    officer
        .mark_finding(pb::MarkFindingRequest {
            case_id: case_id.clone(),
            screening_id: screened.screening_id.clone(),
            finding_index: finding,
            verdict: pb::FindingVerdict::ConfirmedMatch.into(),
            reason: format!("{NOTE}: same free-zone plot as the listed entry"),
            close_others: false,
        })
        .await
        .unwrap();
    officer
        .request_info(pb::RequestInfoRequest {
            case_id: case_id.clone(),
            reason: QUESTION.into(),
        })
        .await
        .unwrap();

    // The officer sees everything.
    let full = officer
        .get_case(pb::GetCaseRequest {
            case_id: case_id.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(format!("{full:?}").contains(NOTE));
    assert_eq!(full.summary.as_ref().unwrap().assignee, OFFICER_NAME);
    assert_eq!(full.marks.len(), 1);

    // The exporter over gRPC: status and question, nothing internal.
    let seen = CaseServiceClient::new(server.channel_with(EXPORTER))
        .get_case(pb::GetCaseRequest {
            case_id: case_id.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let text = format!("{seen:?}");
    assert!(!text.contains(NOTE), "{text}");
    assert!(!text.contains(OFFICER_NAME), "{text}");
    assert!(seen.marks.is_empty() && seen.signals.is_none());
    let summary = seen.summary.as_ref().unwrap();
    assert_eq!(summary.status, pb::CaseStatus::InfoRequested as i32);
    assert_eq!(summary.priority_score, 0);
    assert!(seen.history.iter().any(|h| h.reason == QUESTION));
    assert_eq!(seen.screenings.len(), 1);

    // The exporter over HTTP/JSON: the same boundary.
    let http = request(
        &server.http_url,
        "GET",
        &format!("/v1/cases/{case_id}"),
        Some(EXPORTER),
        None,
    )
    .await;
    assert_eq!(http.status, 200, "{}", http.json);
    let body = http.json.to_string();
    assert!(!body.contains(NOTE), "{body}");
    assert!(!body.contains(OFFICER_NAME), "{body}");
    assert!(body.contains(QUESTION), "{body}");
    assert_eq!(http.json["summary"]["status"], "CASE_STATUS_INFO_REQUESTED");
    let queue = request(&server.http_url, "GET", "/v1/cases", Some(EXPORTER), None).await;
    assert_eq!(queue.status, 200, "{}", queue.json);
    assert_eq!(queue.json["cases"][0]["caseId"], case_id.as_str());
    assert!(!queue.json.to_string().contains(OFFICER_NAME));
    // The officer's view over HTTP still has the notes.
    let officer_view = request(
        &server.http_url,
        "GET",
        &format!("/v1/cases/{case_id}"),
        Some(OFFICER),
        None,
    )
    .await;
    assert!(officer_view.json.to_string().contains(NOTE));
    server.stop().await;
}
