//! Webhooks end to end: real servers on loopback deliver to loopback HTTP
//! receivers started here (tokio + hyper), which check every request's
//! signature with the secret the server returned once, and its timestamp.
//! Exporters' subscriptions hear only their own cases, a 500 is retried
//! after a backoff the delivery log shows, the licensing office hears of
//! new HIGH cases and list imports, pending deliveries survive a restart,
//! and exporters' screening answers no longer name the suppression or the
//! case behind a suppressed finding.

use std::collections::{BTreeMap, VecDeque};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use exportscreen::api::ServerConfig;
use exportscreen::api::pb;
use exportscreen::api::pb::case_service_client::CaseServiceClient;
use exportscreen::api::pb::import_list_request::Msg;
use exportscreen::api::pb::screening_service_client::ScreeningServiceClient;
use exportscreen::api::pb::webhook_service_client::WebhookServiceClient;
use exportscreen::service::webhooks::WebhookOptions;
use hmac::{Hmac, KeyInit, Mac};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use sha2::Sha256;
use tokio::net::TcpListener;
use tonic::Code;

use crate::http::request;
use crate::util::{
    AuthChannel, DENIAL_ID, LISTED_NAME, TestServer, assert_field_error, data_dir, plain_shipment,
    put_token,
};

const EXPORTER_A: &str = "es_wh-exporter-a";
const EXPORTER_B: &str = "es_wh-exporter-b";
const OFFICER: &str = "es_wh-officer";
const OFFICER_NAME: &str = "olga.officer";
const NOTE: &str = "internal note";
const QUESTION: &str = "Please send the signed end-user certificate.";
const KESTREL: &str = "Kestrel Instruments Inc.";
const GLOBEX: &str = "Globex Aerospace";

/// One request a receiver got.
#[derive(Clone, Debug)]
struct Received {
    headers: http::HeaderMap,
    body: Bytes,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no {name} header: {:?}", self.headers))
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A loopback HTTP receiver answering the scripted statuses first, then
/// `then`.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
    then: Arc<Mutex<u16>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Receiver {
    async fn start(script: &[u16], then: u16) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "http://{}/hooks/exportscreen",
            listener.local_addr().unwrap()
        );
        let got = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(
            script.iter().copied().collect::<VecDeque<u16>>(),
        ));
        let then = Arc::new(Mutex::new(then));
        let (g, s, t) = (got.clone(), script.clone(), then.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (g, s, t) = (g.clone(), s.clone(), t.clone());
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(
                        move |req: http::Request<hyper::body::Incoming>| {
                            let (g, s, t) = (g.clone(), s.clone(), t.clone());
                            async move {
                                let (parts, body) = req.into_parts();
                                let body = body.collect().await.unwrap().to_bytes();
                                assert_eq!(parts.method, http::Method::POST);
                                assert_eq!(parts.uri.path(), "/hooks/exportscreen");
                                g.lock().unwrap().push(Received {
                                    headers: parts.headers,
                                    body,
                                });
                                let code =
                                    s.lock().unwrap().pop_front().unwrap_or(*t.lock().unwrap());
                                Ok::<_, Infallible>(
                                    http::Response::builder()
                                        .status(code)
                                        .body(Full::new(Bytes::from_static(b"ok")))
                                        .unwrap(),
                                )
                            }
                        },
                    );
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Receiver {
            url,
            got,
            then,
            task,
        }
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests arrived (at most 30 s).
    async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..600 {
            let got = self.got();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "{} requests after 30 s, expected {n}: {:?}",
            self.got().len(),
            self.got()
        );
    }
}

/// Checks a request as a receiver must: the HMAC-SHA256 of
/// "<timestamp>.<body>" with the secret, a fresh timestamp, the event and
/// delivery headers; answers the body.
fn verified(secret: &str, r: &Received) -> Value {
    let timestamp = r.header("x-exportscreen-timestamp");
    let ts: i64 = timestamp.parse().unwrap();
    let now = chrono::Utc::now().timestamp();
    assert!((now - ts).abs() < 300, "stale timestamp {ts} (now {now})");
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(&r.body);
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    assert_eq!(r.header("x-exportscreen-signature"), expected, "signature");
    // With another secret it would not verify.
    let mut other = <Hmac<Sha256> as KeyInit>::new_from_slice(b"whsec_wrong").unwrap();
    other.update(timestamp.as_bytes());
    other.update(b".");
    other.update(&r.body);
    assert_ne!(
        r.header("x-exportscreen-signature"),
        format!("sha256={}", hex::encode(other.finalize().into_bytes()))
    );
    assert!(r.header("x-exportscreen-delivery").starts_with("dlv-"));
    assert_eq!(r.header("content-type"), "application/json");
    let body = r.json();
    let event = r.header("x-exportscreen-event");
    let expected_type = match event {
        "case.status_changed" => "WEBHOOK_EVENT_TYPE_CASE_STATUS_CHANGED",
        "case.info_requested" => "WEBHOOK_EVENT_TYPE_CASE_INFO_REQUESTED",
        "case.decided" => "WEBHOOK_EVENT_TYPE_CASE_DECIDED",
        "case.high_priority" => "WEBHOOK_EVENT_TYPE_CASE_HIGH_PRIORITY",
        "list.changed" => "WEBHOOK_EVENT_TYPE_LIST_CHANGED",
        other => panic!("unknown event header {other}"),
    };
    assert_eq!(body["type"], expected_type, "{body}");
    assert!(body["eventId"].as_str().unwrap().starts_with("evt-"));
    let at = chrono::DateTime::parse_from_rfc3339(body["occurredAt"].as_str().unwrap())
        .unwrap_or_else(|e| panic!("occurredAt is not RFC 3339: {e}: {body}"));
    assert!((now - at.timestamp()).abs() < 300);
    body
}

fn options() -> WebhookOptions {
    WebhookOptions {
        max_attempts: 4,
        first_backoff: Duration::from_millis(400),
        max_backoff: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
        // The receivers are on loopback.
        allow_private: true,
        ..WebhookOptions::default()
    }
}

fn hooks(server: &TestServer, token: &str) -> WebhookServiceClient<AuthChannel> {
    WebhookServiceClient::new(server.channel_with(token))
}

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

async fn screen(server: &TestServer, token: &str, s: pb::Shipment) -> pb::ScreenShipmentResponse {
    ScreeningServiceClient::new(server.channel_with(token))
        .screen_shipment(pb::ScreenShipmentRequest {
            shipment: Some(s),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
}

/// Waits until every delivery of `webhook_id` is DELIVERED and there are
/// `n` of them; answers them (newest first).
async fn delivered(
    client: &mut WebhookServiceClient<AuthChannel>,
    webhook_id: &str,
    n: usize,
) -> Vec<pb::WebhookDelivery> {
    let mut last = Vec::new();
    for _ in 0..600 {
        last = client
            .list_webhook_deliveries(pb::ListWebhookDeliveriesRequest {
                webhook_id: webhook_id.into(),
                limit: 0,
            })
            .await
            .unwrap()
            .into_inner()
            .deliveries;
        if last.len() == n
            && last
                .iter()
                .all(|d| d.state == pb::WebhookDeliveryState::Delivered as i32)
        {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("deliveries of {webhook_id} not all delivered after 30 s: {last:#?}");
}

fn case_subscription(url: &str) -> pb::CreateWebhookRequest {
    pb::CreateWebhookRequest {
        url: url.into(),
        events: vec![
            pb::WebhookEventType::CaseStatusChanged as i32,
            pb::WebhookEventType::CaseInfoRequested as i32,
            pb::WebhookEventType::CaseDecided as i32,
        ],
        description: "ERP case feed".into(),
        exporter: String::new(),
    }
}

#[tokio::test]
async fn exporters_hear_only_their_own_cases_signed_and_retried_after_a_500() {
    let dir = data_dir();
    put_token(
        dir.path(),
        EXPORTER_A,
        "kestrel-erp",
        &["EXPORTER"],
        Some(KESTREL),
    );
    put_token(
        dir.path(),
        EXPORTER_B,
        "globex-erp",
        &["EXPORTER"],
        Some(GLOBEX),
    );
    put_token(dir.path(), OFFICER, OFFICER_NAME, &["OFFICER"], None);
    let server = TestServer::start_config(
        ServerConfig::new(dir.path())
            .seed_defaults(false)
            .webhooks(options()),
    )
    .await;
    // A's receiver fails the first request with a 500.
    let receiver_a = Receiver::start(&[500], 204).await;
    let receiver_b = Receiver::start(&[], 200).await;

    let created_a = hooks(&server, EXPORTER_A)
        .create_webhook(case_subscription(&receiver_a.url))
        .await
        .unwrap()
        .into_inner();
    let secret_a = created_a.secret.clone();
    assert!(
        secret_a.starts_with("whsec_") && secret_a.len() == 70,
        "{secret_a}"
    );
    let hook_a = created_a.webhook.unwrap();
    assert_eq!(hook_a.exporter, KESTREL, "bound to the token's exporter");
    let created_b = hooks(&server, EXPORTER_B)
        .create_webhook(case_subscription(&receiver_b.url))
        .await
        .unwrap()
        .into_inner();
    let (secret_b, hook_b) = (created_b.secret, created_b.webhook.unwrap());
    assert_ne!(secret_a, secret_b);

    // Each exporter lists its own only, without secrets; the other's is
    // NOT_FOUND (as if it did not exist).
    let mine = hooks(&server, EXPORTER_A)
        .list_webhooks(pb::ListWebhooksRequest {})
        .await
        .unwrap()
        .into_inner()
        .webhooks;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].webhook_id, hook_a.webhook_id);
    assert!(!format!("{mine:?}").contains(&secret_a));
    for status in [
        hooks(&server, EXPORTER_B)
            .delete_webhook(pb::DeleteWebhookRequest {
                webhook_id: hook_a.webhook_id.clone(),
            })
            .await
            .unwrap_err(),
        hooks(&server, EXPORTER_B)
            .list_webhook_deliveries(pb::ListWebhookDeliveriesRequest {
                webhook_id: hook_a.webhook_id.clone(),
                limit: 0,
            })
            .await
            .unwrap_err(),
    ] {
        assert_eq!(status.code(), Code::NotFound, "{status:?}");
    }

    // A's case: opened, claimed, information requested, resubmitted, denied.
    let screened = screen(&server, EXPORTER_A, listed("A-1", KESTREL)).await;
    let case_a = screened.case_id.clone();
    assert!(!case_a.is_empty());
    // B's own case meanwhile.
    let case_b = screen(&server, EXPORTER_B, listed("B-1", GLOBEX))
        .await
        .case_id;
    assert!(!case_b.is_empty() && case_b != case_a);

    let mut officer = CaseServiceClient::new(server.channel_with(OFFICER));
    officer
        .claim_case(pb::ClaimCaseRequest {
            case_id: case_a.clone(),
            assignee: String::new(),
            reason: format!("{NOTE}: mine"),
        })
        .await
        .unwrap();
    officer
        .request_info(pb::RequestInfoRequest {
            case_id: case_a.clone(),
            reason: QUESTION.into(),
        })
        .await
        .unwrap();
    let again = screen(&server, EXPORTER_A, listed("A-1", KESTREL)).await;
    assert_eq!(
        again.case_id, case_a,
        "the resubmission answers the question"
    );
    officer
        .decide_case(pb::DecideCaseRequest {
            case_id: case_a.clone(),
            decision: pb::CaseDecision::Deny as i32,
            reason: format!("{NOTE}: consignee is the listed entity"),
            post_shipment_check_due_unix_ms: 0,
        })
        .await
        .unwrap();

    // Seven events for A (five status changes, the question, the
    // decision), one of them delivered twice (the 500, then the retry).
    let mut client_a = hooks(&server, EXPORTER_A);
    let log = delivered(&mut client_a, &hook_a.webhook_id, 7).await;
    let got = receiver_a.wait_for(8).await;
    assert_eq!(got.len(), 8, "{got:?}");

    let mut by_delivery: BTreeMap<String, Vec<&Received>> = BTreeMap::new();
    let mut seen: Vec<(String, String, String)> = Vec::new();
    for r in &got {
        let body = verified(&secret_a, r);
        let text = body.to_string();
        assert!(
            !text.contains(NOTE),
            "an internal note in a webhook: {text}"
        );
        assert!(
            !text.contains(OFFICER_NAME),
            "an officer's name in a webhook: {text}"
        );
        let case = &body["case"];
        assert_eq!(case["caseId"], case_a.as_str(), "only A's own case: {text}");
        assert_eq!(case["exporter"], KESTREL);
        assert_eq!(case["reference"], "A-1");
        assert!(
            case.get("priority").is_none(),
            "the queue priority is internal: {text}"
        );
        by_delivery
            .entry(r.header("x-exportscreen-delivery").to_string())
            .or_default()
            .push(r);
        seen.push((
            r.header("x-exportscreen-event").to_string(),
            case["previousStatus"].as_str().unwrap_or("").to_string(),
            case["status"].as_str().unwrap_or("").to_string(),
        ));
    }
    // At least once: the retried delivery came twice with the same id and
    // the same body; receivers deduplicate with the id.
    assert_eq!(by_delivery.len(), 7);
    let twice: Vec<&Vec<&Received>> = by_delivery.values().filter(|v| v.len() == 2).collect();
    assert_eq!(twice.len(), 1, "{by_delivery:?}");
    assert_eq!(twice[0][0].body, twice[0][1].body);
    seen.sort();
    seen.dedup();
    let expected: Vec<(String, String, String)> = [
        (
            "case.decided",
            "CASE_STATUS_IN_REVIEW",
            "CASE_STATUS_DENIED",
        ),
        (
            "case.info_requested",
            "CASE_STATUS_IN_REVIEW",
            "CASE_STATUS_INFO_REQUESTED",
        ),
        ("case.status_changed", "", "CASE_STATUS_OPEN"),
        (
            "case.status_changed",
            "CASE_STATUS_INFO_REQUESTED",
            "CASE_STATUS_IN_REVIEW",
        ),
        (
            "case.status_changed",
            "CASE_STATUS_IN_REVIEW",
            "CASE_STATUS_DENIED",
        ),
        (
            "case.status_changed",
            "CASE_STATUS_IN_REVIEW",
            "CASE_STATUS_INFO_REQUESTED",
        ),
        (
            "case.status_changed",
            "CASE_STATUS_OPEN",
            "CASE_STATUS_IN_REVIEW",
        ),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(seen, expected);
    // The question addressed to the exporter is in its event.
    let asked = got
        .iter()
        .find(|r| r.header("x-exportscreen-event") == "case.info_requested")
        .unwrap()
        .json();
    assert_eq!(asked["case"]["question"], QUESTION);

    // The delivery log: the retried one has the 500 with its next attempt,
    // and the second attempt came no sooner (backoff: at least half the
    // first wait of 400 ms).
    let retried: Vec<&pb::WebhookDelivery> = log.iter().filter(|d| d.attempts.len() == 2).collect();
    assert_eq!(retried.len(), 1, "{log:#?}");
    let (first, second) = (&retried[0].attempts[0], &retried[0].attempts[1]);
    assert_eq!((first.attempt, first.status_code), (1, 500));
    assert_eq!(first.error, "HTTP 500");
    assert!(first.next_attempt_at_unix_ms > first.at_unix_ms);
    assert!(
        second.at_unix_ms >= first.next_attempt_at_unix_ms,
        "{first:?} {second:?}"
    );
    assert!(
        second.at_unix_ms - first.at_unix_ms >= 200,
        "{first:?} {second:?}"
    );
    assert_eq!(
        (
            second.attempt,
            second.status_code,
            second.next_attempt_at_unix_ms
        ),
        (2, 204, 0)
    );
    assert!(second.error.is_empty());
    assert_eq!(
        retried[0].delivery_id,
        *by_delivery.iter().find(|(_, v)| v.len() == 2).unwrap().0
    );
    assert!(
        log.iter()
            .all(|d| d.attempts.iter().any(|a| a.status_code == 204))
    );

    // B heard of its own case only, once.
    let got_b = receiver_b.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got_b = if receiver_b.got().len() > got_b.len() {
        receiver_b.got()
    } else {
        got_b
    };
    assert_eq!(got_b.len(), 1, "{got_b:?}");
    let body = verified(&secret_b, &got_b[0]);
    assert_eq!(body["case"]["caseId"], case_b.as_str());
    assert_eq!(body["case"]["exporter"], GLOBEX);
    assert_eq!(hook_b.exporter, GLOBEX);

    // The log over HTTP/JSON too (the same transcoding as every RPC).
    let http_log = request(
        &server.http_url,
        "GET",
        &format!("/v1/webhooks/{}/deliveries?limit=100", hook_a.webhook_id),
        Some(EXPORTER_A),
        None,
    )
    .await;
    assert_eq!(http_log.status, 200, "{}", http_log.json);
    assert_eq!(http_log.json["deliveries"].as_array().unwrap().len(), 7);
    let other = request(
        &server.http_url,
        "POST",
        "/v1/exportscreen.v1.WebhookService/ListWebhookDeliveries",
        Some(EXPORTER_B),
        Some(&format!(r#"{{"webhookId": "{}"}}"#, hook_a.webhook_id)),
    )
    .await;
    assert_eq!(other.status, 404, "{}", other.json);
    server.stop().await;
}

#[tokio::test]
async fn the_office_hears_of_new_high_cases_and_list_imports() {
    let dir = data_dir();
    put_token(
        dir.path(),
        EXPORTER_A,
        "kestrel-erp",
        &["EXPORTER"],
        Some(KESTREL),
    );
    put_token(dir.path(), OFFICER, OFFICER_NAME, &["OFFICER"], None);
    let server = TestServer::start_config(
        ServerConfig::new(dir.path())
            .seed_defaults(false)
            .webhooks(options()),
    )
    .await;
    let receiver = Receiver::start(&[], 200).await;

    // Created over HTTP/JSON: the secret is in this answer only.
    let created = request(
        &server.http_url,
        "POST",
        "/v1/webhooks",
        Some(OFFICER),
        Some(&format!(
            r#"{{"url": "{}", "events": ["WEBHOOK_EVENT_TYPE_CASE_HIGH_PRIORITY", "WEBHOOK_EVENT_TYPE_LIST_CHANGED"], "description": "duty officer pager"}}"#,
            receiver.url
        )),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.json);
    let secret = created.json["secret"].as_str().unwrap().to_string();
    let webhook_id = created.json["webhook"]["webhookId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(created.json["webhook"]["createdBy"], OFFICER_NAME);
    assert!(created.json["webhook"].get("exporter").is_none());
    let listed_http = request(&server.http_url, "GET", "/v1/webhooks", Some(OFFICER), None).await;
    assert_eq!(listed_http.status, 200, "{}", listed_http.json);
    // The same RPC under its generic route.
    let generic = request(
        &server.http_url,
        "POST",
        "/v1/exportscreen.v1.WebhookService/ListWebhooks",
        Some(OFFICER),
        None,
    )
    .await;
    assert_eq!(generic.json, listed_http.json);
    // Both are in the OpenAPI document.
    let openapi = request(&server.http_url, "GET", "/openapi.json", None, None).await;
    for path in [
        "/v1/webhooks",
        "/v1/webhooks/{id}/deliveries",
        "/v1/exportscreen.v1.WebhookService/CreateWebhook",
        "/v1/exportscreen.v1.WebhookService/DeleteWebhook",
    ] {
        assert!(
            openapi.json["paths"].get(path).is_some(),
            "{path} not in /openapi.json"
        );
    }
    assert!(
        openapi.json["components"]["schemas"]
            .get("exportscreen.v1.WebhookEvent")
            .is_some()
    );
    assert_eq!(
        listed_http.json["webhooks"][0]["webhookId"],
        webhook_id.as_str()
    );
    assert!(!listed_http.json.to_string().contains(&secret));
    // An exporter does not see the office's subscriptions.
    let mut exporter = hooks(&server, EXPORTER_A);
    assert!(
        exporter
            .list_webhooks(pb::ListWebhooksRequest {})
            .await
            .unwrap()
            .into_inner()
            .webhooks
            .is_empty()
    );
    let refused = exporter
        .delete_webhook(pb::DeleteWebhookRequest {
            webhook_id: webhook_id.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::NotFound);

    // A CLEAR screening opens nothing; a listed consignee opens a HIGH case.
    let clear = screen(&server, EXPORTER_A, plain_shipment("C-1")).await;
    assert!(clear.case_id.is_empty());
    let high = screen(&server, EXPORTER_A, listed("H-1", KESTREL)).await;
    assert_eq!(high.decision, pb::Decision::Prohibited as i32);
    let got = receiver.wait_for(1).await;
    let body = verified(&secret, &got[0]);
    assert_eq!(got[0].header("x-exportscreen-event"), "case.high_priority");
    assert_eq!(body["case"]["caseId"], high.case_id.as_str());
    assert_eq!(body["case"]["priority"], "CASE_PRIORITY_HIGH");
    assert_eq!(body["case"]["decision"], "DECISION_PROHIBITED");

    // A list import that lists the consignee of an earlier CLEAR shipment:
    // the re-screening opens a HIGH case for it, the office hears of both.
    let mut earlier = plain_shipment("L-1");
    earlier.parties[1].name = "Ostrava Tungsten Rotors".into();
    let earlier = screen(&server, EXPORTER_A, earlier).await;
    assert_eq!(earlier.decision, pb::Decision::Clear as i32, "{earlier:?}");
    let toml = format!(
        "[list]\nkind = \"denial\"\nname = \"test denial list\"\n\n[[entry]]\nid = \"101\"\ntype = \"organization\"\nname = \"{LISTED_NAME}\"\n\n[[entry]]\nid = \"103\"\ntype = \"organization\"\nname = \"Ostrava Tungsten Rotors\"\n"
    );
    let imported = server
        .lists()
        .import_list(tokio_stream::iter(vec![
            pb::ImportListRequest {
                msg: Some(Msg::Header(pb::ImportHeader {
                    list_id: DENIAL_ID.into(),
                    format: "exportscreen-toml".into(),
                    reason: "weekly update".into(),
                    options: Default::default(),
                })),
            },
            pb::ImportListRequest {
                msg: Some(Msg::Chunk(pb::FileChunk {
                    file_name: "test-denial.toml".into(),
                    data: toml.into_bytes(),
                })),
            },
        ]))
        .await
        .unwrap()
        .into_inner();
    let got = receiver.wait_for(3).await;
    let list = got
        .iter()
        .find(|r| r.header("x-exportscreen-event") == "list.changed")
        .unwrap_or_else(|| panic!("no list event: {got:?}"));
    let body = verified(&secret, list);
    assert_eq!(body["list"]["listId"], DENIAL_ID);
    assert_eq!(body["list"]["version"], imported.version.to_string());
    assert_eq!(body["list"]["origin"], "import");
    assert_eq!(body["list"]["added"], 1);
    assert_eq!(body["list"]["removed"], 1);
    assert!(body.get("case").is_none());
    let reopened: Vec<Value> = got
        .iter()
        .filter(|r| r.header("x-exportscreen-event") == "case.high_priority")
        .map(|r| verified(&secret, r))
        .collect();
    assert_eq!(reopened.len(), 2, "{got:?}");
    let by_change = &reopened[1]["case"];
    assert_ne!(by_change["caseId"], high.case_id.as_str());
    assert_eq!(by_change["reference"], "L-1");
    assert_eq!(by_change["priority"], "CASE_PRIORITY_HIGH");

    // Deleted: nothing more arrives, and the log is gone with it.
    let mut office = hooks(&server, OFFICER);
    office
        .delete_webhook(pb::DeleteWebhookRequest {
            webhook_id: webhook_id.clone(),
        })
        .await
        .unwrap();
    let before = receiver.got().len();
    screen(&server, EXPORTER_A, listed("H-2", KESTREL)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.got().len(), before);
    let gone = office
        .list_webhook_deliveries(pb::ListWebhookDeliveriesRequest {
            webhook_id,
            limit: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(gone.code(), Code::NotFound);
    server.stop().await;
}

#[tokio::test]
async fn subscriptions_refuse_bad_input_naming_the_field() {
    let dir = data_dir();
    put_token(
        dir.path(),
        EXPORTER_A,
        "kestrel-erp",
        &["EXPORTER"],
        Some(KESTREL),
    );
    put_token(dir.path(), OFFICER, OFFICER_NAME, &["OFFICER"], None);
    let server = TestServer::start(dir.path()).await;
    let mut exporter = hooks(&server, EXPORTER_A);
    let mut office = hooks(&server, OFFICER);
    let ok = case_subscription("https://erp.example.com/hooks");

    for (url, field) in [
        ("ftp://erp.example.com/hooks", "url"),
        ("file:///etc/passwd", "url"),
        ("erp.example.com/hooks", "url"),
        ("https://user:secret@erp.example.com/", "url"),
        ("", "url"),
        // Internal addresses (the default: not allowed).
        ("http://127.0.0.1:9/hooks", "url"),
        ("http://localhost/hooks", "url"),
        ("http://10.0.0.5/hooks", "url"),
        ("http://[::1]:8080/hooks", "url"),
        ("http://169.254.169.254/latest/meta-data", "url"),
    ] {
        let status = exporter
            .create_webhook(pb::CreateWebhookRequest {
                url: url.into(),
                ..ok.clone()
            })
            .await
            .unwrap_err();
        assert_field_error(&status, Code::InvalidArgument, field);
    }
    // Exporters take case events only.
    let status = exporter
        .create_webhook(pb::CreateWebhookRequest {
            events: vec![pb::WebhookEventType::ListChanged as i32],
            ..ok.clone()
        })
        .await
        .unwrap_err();
    assert_field_error(&status, Code::InvalidArgument, "events[0]");
    // ... for their own exporter.
    let status = exporter
        .create_webhook(pb::CreateWebhookRequest {
            exporter: GLOBEX.into(),
            ..ok.clone()
        })
        .await
        .unwrap_err();
    assert_field_error(&status, Code::InvalidArgument, "exporter");
    // An officer cannot subscribe on an exporter's behalf.
    let status = office
        .create_webhook(pb::CreateWebhookRequest {
            exporter: KESTREL.into(),
            ..ok.clone()
        })
        .await
        .unwrap_err();
    assert_field_error(&status, Code::InvalidArgument, "exporter");
    for (events, field) in [
        (vec![], "events"),
        (vec![0], "events[0]"),
        (vec![3, 3], "events[1]"),
        (vec![1, 99], "events[1]"),
    ] {
        let status = office
            .create_webhook(pb::CreateWebhookRequest {
                events,
                ..ok.clone()
            })
            .await
            .unwrap_err();
        assert_field_error(&status, Code::InvalidArgument, field);
    }
    let status = office
        .list_webhook_deliveries(pb::ListWebhookDeliveriesRequest {
            webhook_id: "wh-00000000000000ff".into(),
            limit: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    // Nothing was stored by the refusals.
    let all = hooks(&server, &server.admin_token.clone())
        .list_webhooks(pb::ListWebhooksRequest {})
        .await
        .unwrap()
        .into_inner()
        .webhooks;
    assert!(all.is_empty(), "{all:?}");
    server.stop().await;
}

#[tokio::test]
async fn pending_deliveries_survive_a_restart() {
    let dir = data_dir();
    put_token(dir.path(), OFFICER, OFFICER_NAME, &["OFFICER"], None);
    let config = || {
        ServerConfig::new(dir.path())
            .seed_defaults(false)
            .webhooks(WebhookOptions {
                max_attempts: 50,
                first_backoff: Duration::from_millis(200),
                max_backoff: Duration::from_millis(400),
                ..options()
            })
    };
    // The receiver is down (503) until after the restart.
    let receiver = Receiver::start(&[], 503).await;
    let server = TestServer::start_config(config()).await;
    let created = hooks(&server, OFFICER)
        .create_webhook(pb::CreateWebhookRequest {
            url: receiver.url.clone(),
            events: vec![pb::WebhookEventType::ListChanged as i32],
            description: String::new(),
            exporter: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let webhook_id = created.webhook.unwrap().webhook_id;
    server
        .lists()
        .create_list(pb::CreateListRequest {
            list_id: "team-watch".into(),
            kind: pb::ListKind::Denial.into(),
            reason: "our own list".into(),
        })
        .await
        .unwrap();
    let failed = receiver.wait_for(2).await;
    let id = failed[0].header("x-exportscreen-delivery").to_string();
    assert!(
        failed
            .iter()
            .all(|r| r.header("x-exportscreen-delivery") == id)
    );
    server.stop().await;

    *receiver.then.lock().unwrap() = 204;
    let before = receiver.got().len();
    let server = TestServer::start_config(config()).await;
    let log = delivered(&mut hooks(&server, OFFICER), &webhook_id, 1).await;
    assert_eq!(log[0].delivery_id, id);
    let attempts = &log[0].attempts;
    assert!(attempts.len() >= 3, "{attempts:?}");
    assert!(
        attempts[..attempts.len() - 1]
            .iter()
            .all(|a| a.status_code == 503)
    );
    assert_eq!(attempts.last().unwrap().status_code, 204);
    let got = receiver.got();
    assert!(got.len() > before);
    let last = got.last().unwrap();
    assert_eq!(
        last.header("x-exportscreen-delivery"),
        id,
        "the same delivery, resumed"
    );
    let body = verified(&created.secret, last);
    assert_eq!(body["list"]["listId"], "team-watch");
    assert_eq!(body["list"]["origin"], "create");
    server.stop().await;
}

#[tokio::test]
async fn exporters_screening_answers_do_not_name_the_suppression() {
    let dir = data_dir();
    put_token(
        dir.path(),
        EXPORTER_A,
        "kestrel-erp",
        &["EXPORTER"],
        Some(KESTREL),
    );
    put_token(
        dir.path(),
        EXPORTER_B,
        "globex-erp",
        &["EXPORTER"],
        Some(GLOBEX),
    );
    put_token(dir.path(), OFFICER, OFFICER_NAME, &["OFFICER"], None);
    let server = TestServer::start(dir.path()).await;

    // An officer judges A's match "not a match".
    let first = screen(&server, EXPORTER_A, listed("A-1", KESTREL)).await;
    let index = first
        .findings
        .iter()
        .position(|f| f.list_id == DENIAL_ID && f.target == "party:1")
        .unwrap();
    let mut officer = CaseServiceClient::new(server.channel_with(OFFICER));
    officer
        .claim_case(pb::ClaimCaseRequest {
            case_id: first.case_id.clone(),
            assignee: String::new(),
            reason: "mine".into(),
        })
        .await
        .unwrap();
    let marked = officer
        .mark_finding(pb::MarkFindingRequest {
            case_id: first.case_id.clone(),
            screening_id: first.screening_id.clone(),
            finding_index: index as u32,
            verdict: pb::FindingVerdict::NotAMatch as i32,
            reason: format!("{NOTE}: other company"),
            close_others: false,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(marked.suppression_id.starts_with("sup-"));

    // B ships to the same consignee: the finding is suppressed; B sees
    // that, not which suppression or whose case.
    let second = screen(&server, EXPORTER_B, listed("B-1", GLOBEX)).await;
    let f = second
        .findings
        .iter()
        .find(|f| f.list_id == DENIAL_ID && f.target == "party:1")
        .unwrap();
    assert!(f.suppressed, "{f:?}");
    assert!(
        f.suppressed_by.is_empty() && f.suppressed_by_case.is_empty(),
        "{f:?}"
    );
    assert!(!format!("{second:?}").contains(&first.case_id));

    let get = |token: &'static str| {
        let channel = server.channel_with(token);
        let id = second.screening_id.clone();
        async move {
            ScreeningServiceClient::new(channel)
                .get_screening(pb::GetScreeningRequest { screening_id: id })
                .await
                .unwrap()
                .into_inner()
        }
    };
    let exporter_view = get(EXPORTER_B).await;
    let text = format!("{exporter_view:?}");
    assert!(
        !text.contains(&marked.suppression_id) && !text.contains(&first.case_id),
        "{text}"
    );
    assert!(
        exporter_view
            .result
            .unwrap()
            .findings
            .iter()
            .any(|f| f.suppressed)
    );
    // The officer sees the suppression and the case behind it.
    let officer_view = get(OFFICER).await.result.unwrap();
    let f = officer_view.findings.iter().find(|f| f.suppressed).unwrap();
    assert_eq!(
        (f.suppressed_by.as_str(), f.suppressed_by_case.as_str()),
        (marked.suppression_id.as_str(), first.case_id.as_str())
    );
    // A's own resubmission answers a question: it joins the case where the
    // judgement was made, and A may see which suppression and case.
    officer
        .request_info(pb::RequestInfoRequest {
            case_id: first.case_id.clone(),
            reason: QUESTION.into(),
        })
        .await
        .unwrap();
    let own = screen(&server, EXPORTER_A, listed("A-1", KESTREL)).await;
    assert_eq!(own.case_id, first.case_id);
    let f = own.findings.iter().find(|f| f.suppressed).unwrap();
    assert_eq!(
        (f.suppressed_by.as_str(), f.suppressed_by_case.as_str()),
        (marked.suppression_id.as_str(), first.case_id.as_str())
    );
    // And over HTTP/JSON the same boundary.
    let http = request(
        &server.http_url,
        "GET",
        &format!("/v1/screenings/{}", second.screening_id),
        Some(EXPORTER_B),
        None,
    )
    .await;
    assert_eq!(http.status, 200, "{}", http.json);
    let body = http.json.to_string();
    assert!(body.contains("\"suppressed\":true"), "{body}");
    assert!(
        !body.contains("suppressedBy") && !body.contains(&first.case_id),
        "{body}"
    );
    let screened_http = request(
        &server.http_url,
        "POST",
        "/v1/shipments:screen",
        Some(EXPORTER_B),
        Some(&format!(
            r#"{{"shipment": {}}}"#,
            serde_json::to_string(&listed("B-2", GLOBEX)).unwrap()
        )),
    )
    .await;
    assert_eq!(screened_http.status, 200, "{}", screened_http.json);
    let body = screened_http.json.to_string();
    assert!(body.contains("\"suppressed\":true"), "{body}");
    assert!(!body.contains("suppressedBy"), "{body}");
    server.stop().await;
}

/// Runs the binary with `token` in `EXPORTSCREEN_TOKEN`.
async fn cli(token: &str, args: &[&str]) -> (bool, String, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_exportscreen"))
        .env_remove("EXPORTSCREEN_TOKEN_FILE")
        .env("EXPORTSCREEN_TOKEN", token)
        .args(args)
        .output()
        .await
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_command_line_manages_subscriptions_and_shows_the_log() {
    let dir = data_dir();
    put_token(dir.path(), OFFICER, OFFICER_NAME, &["OFFICER"], None);
    let server = TestServer::start_config(
        ServerConfig::new(dir.path())
            .seed_defaults(false)
            .webhooks(options()),
    )
    .await;
    let receiver = Receiver::start(&[503], 200).await;
    let url = server.url.clone();

    let (ok, stdout, stderr) = cli(
        OFFICER,
        &[
            "webhooks",
            "create",
            "--server",
            &url,
            "--url",
            &receiver.url,
            "--event",
            "list.changed",
        ],
    )
    .await;
    assert!(ok, "{stderr}");
    let secret = stdout.trim().to_string();
    assert!(secret.starts_with("whsec_"), "{stdout}");
    assert!(stderr.contains("shown once"), "{stderr}");
    let (ok, listed, stderr) = cli(OFFICER, &["webhooks", "list", "--server", &url]).await;
    assert!(ok, "{stderr}");
    let line = listed.lines().nth(1).unwrap_or_else(|| panic!("{listed}"));
    assert!(
        line.contains(&receiver.url) && line.contains("list.changed") && line.contains("(office)"),
        "{listed}"
    );
    assert!(!listed.contains(&secret));
    let id = line.split_whitespace().next().unwrap().to_string();

    // An unknown event is a usage error naming the known ones.
    let (ok, _, stderr) = cli(
        OFFICER,
        &[
            "webhooks",
            "create",
            "--server",
            &url,
            "--url",
            &receiver.url,
            "--event",
            "case.closed",
        ],
    )
    .await;
    assert!(!ok && stderr.contains("case.decided"), "{stderr}");

    server
        .lists()
        .create_list(pb::CreateListRequest {
            list_id: "team-watch".into(),
            kind: pb::ListKind::Denial.into(),
            reason: "our own list".into(),
        })
        .await
        .unwrap();
    let got = receiver.wait_for(2).await;
    verified(&secret, &got[1]);
    delivered(&mut hooks(&server, OFFICER), &id, 1).await;
    let (ok, log, stderr) = cli(OFFICER, &["webhooks", "deliveries", &id, "--server", &url]).await;
    assert!(ok, "{stderr}");
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 3, "{log}");
    assert!(
        lines[1].contains("list.changed")
            && lines[1].contains("503")
            && lines[1].ends_with("HTTP 503"),
        "{log}"
    );
    assert!(
        lines[2].contains("200") && lines[2].contains("delivered"),
        "{log}"
    );

    let (ok, stdout, stderr) = cli(OFFICER, &["webhooks", "delete", &id, "--server", &url]).await;
    assert!(ok && stdout.contains(&id), "{stderr}");
    let (ok, _, stderr) = cli(OFFICER, &["webhooks", "deliveries", &id, "--server", &url]).await;
    assert!(!ok, "{stderr}");
    assert!(stderr.to_lowercase().contains("not found"), "{stderr}");
    server.stop().await;
}
