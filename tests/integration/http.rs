//! The HTTP/JSON front end to end: plain HTTP/1.1 requests (what curl
//! sends) against the real server, compared with the gRPC answers; the
//! error mapping (status, JSON body, Retry-After); the OpenAPI document.

use std::collections::BTreeSet;

use bytes::Bytes;
use exportscreen::api::auth::rate::RateLimit;
use exportscreen::api::{ServerConfig, pb};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use prost::Message as _;
use serde_json::{Value, json};

use crate::util::{ADMIN_SECRET, TestServer, data_dir, plain_shipment, put_token};

/// The shipment of README "Screening a shipment with grpcurl", byte for byte.
const README_SHIPMENT: &str = r#"{"shipment": {
  "reference": "PO-4711", "exporter": "Kestrel Instruments Inc.",
  "destination_country": "AE", "end_use": "Test bench for UAV flight controllers",
  "items": [{"description": "MEMS gyroscope, bias stability 0.5 deg/h", "declared_code": "7A103",
             "quantity": 20, "unit": "pcs", "parameters": {"bias_stability_deg_h": 0.5}}],
  "parties": [
    {"role": "PARTY_ROLE_EXPORTER", "name": "Kestrel Instruments Inc.", "country": "US"},
    {"role": "PARTY_ROLE_CONSIGNEE", "name": "Gulf Avionics Trading FZE",
     "address": "Jebel Ali Free Zone, Dubai", "country": "AE"}]}}
"#;

/// The same shipment built as a gRPC client would.
fn readme_shipment() -> pb::Shipment {
    pb::Shipment {
        reference: "PO-4711".into(),
        exporter: "Kestrel Instruments Inc.".into(),
        destination_country: "AE".into(),
        end_use: "Test bench for UAV flight controllers".into(),
        items: vec![pb::Item {
            description: "MEMS gyroscope, bias stability 0.5 deg/h".into(),
            declared_code: "7A103".into(),
            quantity: 20.0,
            unit: "pcs".into(),
            parameters: [("bias_stability_deg_h".to_string(), 0.5)].into(),
        }],
        parties: vec![
            pb::Party {
                role: pb::PartyRole::Exporter as i32,
                name: "Kestrel Instruments Inc.".into(),
                address: String::new(),
                country: "US".into(),
            },
            pb::Party {
                role: pb::PartyRole::Consignee as i32,
                name: "Gulf Avionics Trading FZE".into(),
                address: "Jebel Ali Free Zone, Dubai".into(),
                country: "AE".into(),
            },
        ],
    }
}

/// An HTTP answer.
pub struct Answer {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub json: Value,
}

/// One HTTP/1.1 request on a fresh connection, as curl makes it.
pub async fn request(
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Answer {
    let authority = base.trim_start_matches("http://").to_string();
    let stream = tokio::net::TcpStream::connect(&authority).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut req = http::Request::builder()
        .method(method)
        .uri(path)
        .header(http::header::HOST, authority);
    if let Some(t) = token {
        req = req.header(http::header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if body.is_some() {
        req = req.header(http::header::CONTENT_TYPE, "application/json");
    }
    let req = req
        .body(Full::new(Bytes::from(body.unwrap_or("").to_string())))
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{method} {path}: {status} not JSON ({e}): {bytes:?}"));
    Answer {
        status,
        headers,
        json,
    }
}

#[tokio::test]
async fn the_readme_shipment_over_http_gets_the_grpc_answer() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_seeded(dir.path()).await;
    let token = server.admin_token.clone();

    let http = request(
        &server.http_url,
        "POST",
        "/v1/shipments:screen",
        Some(&token),
        Some(README_SHIPMENT),
    )
    .await;
    assert_eq!(http.status, 200, "{}", http.json);
    assert!(http.headers.contains_key("x-request-id"));

    let grpc = server
        .screening()
        .screen_shipment(pb::ScreenShipmentRequest {
            shipment: Some(readme_shipment()),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_ne!(grpc.decision, pb::Decision::Clear as i32);
    // The gRPC answer in proto3 JSON: same decision, same findings.
    let grpc_json = serde_json::to_value(&grpc).unwrap();
    assert_eq!(http.json["decision"], grpc_json["decision"]);
    assert!(
        http.json["decision"]
            .as_str()
            .unwrap()
            .starts_with("DECISION_"),
        "enum by name: {}",
        http.json["decision"]
    );
    assert_eq!(http.json["findings"], grpc_json["findings"]);
    assert!(!http.json["findings"].as_array().unwrap().is_empty());
    assert_eq!(http.json["listVersions"], grpc_json["listVersions"]);
    assert_eq!(http.json["policy"], grpc_json["policy"]);
    // int64 / uint64 travel as strings.
    assert!(http.json["engineMicros"].is_string() || http.json.get("engineMicros").is_none());

    // Each call stored its own screening, once, under its own id.
    let http_id = http.json["screeningId"].as_str().unwrap().to_string();
    assert_ne!(http_id, grpc.screening_id);
    let stored = request(
        &server.http_url,
        "GET",
        &format!("/v1/screenings/{http_id}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(stored.status, 200, "{}", stored.json);
    assert_eq!(stored.json["screeningId"], json!(http_id));
    assert_eq!(stored.json["shipment"]["reference"], "PO-4711");
    assert_eq!(stored.json["result"]["findings"], http.json["findings"]);
    let via_grpc = server
        .screening()
        .get_screening(pb::GetScreeningRequest {
            screening_id: http_id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(via_grpc.shipment.unwrap(), readme_shipment());
    let by_generic_route = request(
        &server.http_url,
        "POST",
        "/v1/exportscreen.v1.ScreeningService/GetScreening",
        Some(&token),
        Some(&json!({ "screeningId": grpc.screening_id }).to_string()),
    )
    .await;
    assert_eq!(by_generic_route.status, 200);
    assert_eq!(
        by_generic_route.json["result"]["findings"],
        grpc_json["findings"]
    );

    // The case the screening opened is readable over the aliases.
    let case_id = http.json["caseId"].as_str().unwrap();
    let case = request(
        &server.http_url,
        "GET",
        &format!("/v1/cases/{case_id}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(case.status, 200, "{}", case.json);
    let cases = request(
        &server.http_url,
        "GET",
        "/v1/cases?statuses=CASE_STATUS_OPEN",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(cases.status, 200, "{}", cases.json);
    assert!(cases.json.to_string().contains(case_id));
    let lists = request(&server.http_url, "GET", "/v1/lists", Some(&token), None).await;
    assert_eq!(lists.status, 200);
    assert!(lists.json["lists"].as_array().unwrap().len() >= 2);
    server.stop().await;
}

#[tokio::test]
async fn errors_map_to_http_statuses_with_a_json_body() {
    let dir = data_dir();
    put_token(
        dir.path(),
        "es_http-exporter",
        "erp",
        &["EXPORTER"],
        Some("ACME"),
    );
    let server = TestServer::start_config(
        ServerConfig::new(dir.path())
            .seed_defaults(false)
            .rate_limit(RateLimit {
                cost_per_second: 0.0,
                cost_burst: 0.0,
                per_second: 0.1,
                burst: 3.0,
            }),
    )
    .await;
    let base = server.http_url.clone();
    let shipment = json!({ "shipment": serde_json::to_value(plain_shipment("H-1")).unwrap() });

    // No token: 401.
    let a = request(
        &base,
        "POST",
        "/v1/shipments:screen",
        None,
        Some(&shipment.to_string()),
    )
    .await;
    assert_eq!(a.status, 401);
    assert_eq!(a.json["code"], "UNAUTHENTICATED");
    assert_eq!(a.json["grpcCode"], 16);

    // Invalid field: 400 naming it, with the BadRequest violation.
    let mut bad = shipment.clone();
    bad["shipment"]["items"][0]["description"] = json!("");
    let a = request(
        &base,
        "POST",
        "/v1/shipments:screen",
        Some(ADMIN_SECRET),
        Some(&bad.to_string()),
    )
    .await;
    assert_eq!(a.status, 400, "{}", a.json);
    assert_eq!(a.json["code"], "INVALID_ARGUMENT");
    assert_eq!(
        a.json["fieldViolations"][0]["field"],
        "shipment.items[0].description"
    );

    // JSON that is not the message: 400 naming the problem.
    let a = request(
        &base,
        "POST",
        "/v1/parties:screen",
        Some(ADMIN_SECRET),
        Some(r#"{"party": {"name": "X", "role": "PARTY_ROLE_NOPE"}}"#),
    )
    .await;
    assert_eq!(a.status, 400);
    assert!(
        a.json["message"]
            .as_str()
            .unwrap()
            .contains("PARTY_ROLE_NOPE")
    );

    // Unknown ids: 404.
    let a = request(
        &base,
        "GET",
        "/v1/cases/case-0000000000009999",
        Some(ADMIN_SECRET),
        None,
    )
    .await;
    assert_eq!(a.status, 404, "{}", a.json);
    assert_eq!(a.json["code"], "NOT_FOUND");

    // The role table: an exporter may not read the lists (403).
    let a = request(&base, "GET", "/v1/lists", Some("es_http-exporter"), None).await;
    assert_eq!(a.status, 403, "{}", a.json);
    assert_eq!(a.json["code"], "PERMISSION_DENIED");

    // Streams are gRPC only; unknown routes are 404 in JSON.
    let a = request(
        &base,
        "POST",
        "/v1/exportscreen.v1.ScreeningService/ScreenShipments",
        Some(ADMIN_SECRET),
        Some("{}"),
    )
    .await;
    assert_eq!(a.status, 404);
    assert!(a.json["message"].as_str().unwrap().contains("gRPC only"));
    let a = request(&base, "GET", "/v2/nothing", None, None).await;
    assert_eq!(a.status, 404);

    // The same rate limit as gRPC (a refused role costs nothing): a burst
    // of 3 screenings, then 429 with the delay.
    let mut limited = None;
    for _ in 0..4 {
        let a = request(
            &base,
            "POST",
            "/v1/shipments:screen",
            Some("es_http-exporter"),
            Some(&shipment.to_string()),
        )
        .await;
        if a.status == 429 {
            limited = Some(a);
            break;
        }
        assert_eq!(a.status, 200, "{}", a.json);
    }
    let a = limited.expect("the rate limit applies over HTTP");
    assert_eq!(a.json["code"], "RESOURCE_EXHAUSTED");
    let retry: u64 = a.headers[http::header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    assert!(a.json["retryAfterMs"].as_u64().unwrap() > 0);
    server.stop().await;
}

#[tokio::test]
async fn openapi_document_and_healthz() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let a = request(&server.http_url, "GET", "/healthz", None, None).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json["status"], "SERVING");

    let doc = request(&server.http_url, "GET", "/openapi.json", None, None).await;
    assert_eq!(doc.status, 200);
    assert!(doc.json["openapi"].as_str().unwrap().starts_with("3."));
    // Every unary RPC of the descriptor set has its path.
    let set = prost_types::FileDescriptorSet::decode(pb::FILE_DESCRIPTOR_SET).unwrap();
    let mut unary = BTreeSet::new();
    for file in &set.file {
        for s in &file.service {
            for m in &s.method {
                if !m.client_streaming() && !m.server_streaming() {
                    unary.insert(format!("/v1/{}.{}/{}", file.package(), s.name(), m.name()));
                }
            }
        }
    }
    assert!(unary.len() >= 20, "{unary:?}");
    let paths = doc.json["paths"].as_object().unwrap();
    for p in &unary {
        assert!(paths[p]["post"]["responses"]["200"].is_object(), "{p}");
    }
    for alias in [
        "/v1/shipments:screen",
        "/v1/screenings/{id}",
        "/v1/cases/{id}",
        "/v1/lists",
    ] {
        assert!(paths.contains_key(alias), "{alias}");
    }
    server.stop().await;
}
