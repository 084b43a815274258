//! Webhook delivery benchmark (release mode): one real server process
//! (`exportscreen serve`, seeded with the bundled lists) with a licensing
//! office subscription to `case.status_changed` and `case.high_priority`,
//! a loopback receiver answering 204, and a burst of flagged screenings
//! (each its own shipment, so each opens a HIGH case: two deliveries per
//! screening) at 64 concurrent calls. Reports:
//!
//! - screenings per second during the burst (with the dispatcher working);
//! - deliveries received per second from the first screening to the last
//!   delivery, and how long after the last screening answer the last
//!   delivery arrived (the dispatcher's lag);
//! - that every delivery arrived once (no retries were needed) and the
//!   first one's signature verifies.
//!
//! Run: `cargo bench --bench webhooks` (`-- --screenings N`, default 2000).

#[path = "support/server.rs"]
mod server;

use std::collections::HashSet;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use exportscreen::api::pb;
use exportscreen::api::pb::screening_service_client::ScreeningServiceClient;
use exportscreen::api::pb::webhook_service_client::WebhookServiceClient;
use hmac::{Hmac, KeyInit, Mac};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use sha2::Sha256;
use tokio::net::TcpListener;
use tonic::metadata::MetadataValue;

/// Concurrent screening calls.
const STREAMS: usize = 64;
/// A name on the bundled OFAC SDN list (PROHIBITED as consignee: HIGH).
const LISTED: &str = "MAHAN AIR";

/// What the receiver got: delivery ids, the first request, arrival times.
#[derive(Default)]
struct Got {
    ids: Vec<String>,
    first: Option<(http::HeaderMap, Bytes)>,
    last: Option<Instant>,
}

async fn receiver() -> (String, Arc<Mutex<Got>>) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let url = format!(
        "http://{}/hook",
        listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    let got = Arc::new(Mutex::new(Got::default()));
    let g = Arc::clone(&got);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let g = Arc::clone(&g);
            tokio::spawn(async move {
                let service =
                    hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                        let g = Arc::clone(&g);
                        async move {
                            let (parts, body) = req.into_parts();
                            let body = body
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            let id = parts
                                .headers
                                .get("x-exportscreen-delivery")
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or("")
                                .to_string();
                            let mut got = g.lock().unwrap_or_else(|p| p.into_inner());
                            got.ids.push(id);
                            got.last = Some(Instant::now());
                            if got.first.is_none() {
                                got.first = Some((parts.headers, body));
                            }
                            Ok::<_, Infallible>(
                                http::Response::builder()
                                    .status(204)
                                    .body(Full::new(Bytes::new()))
                                    .unwrap_or_else(|e| panic!("{e}")),
                            )
                        }
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (url, got)
}

fn shipment(n: u64) -> pb::Shipment {
    let party = |role: pb::PartyRole, name: &str, country: &str| pb::Party {
        role: role as i32,
        name: name.into(),
        address: String::new(),
        country: country.into(),
    };
    pb::Shipment {
        reference: format!("WH-{n}"),
        exporter: "Kestrel Instruments Inc.".into(),
        items: vec![pb::Item {
            description: "Office chairs, ergonomic, grey fabric".into(),
            declared_code: "9401.30".into(),
            quantity: 40.0,
            unit: "pcs".into(),
            parameters: Default::default(),
        }],
        parties: vec![
            party(pb::PartyRole::Exporter, "Kestrel Instruments Inc.", "US"),
            party(pb::PartyRole::Consignee, LISTED, "IR"),
        ],
        destination_country: "JP".into(),
        end_use: "Office furniture".into(),
    }
}

fn main() {
    let screenings: u64 = std::env::args()
        .skip_while(|a| a != "--screenings")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    rt.block_on(run(screenings));
}

async fn run(screenings: u64) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut srv = server::start(
        dir.path(),
        &["--webhook-allow-private", "--rescreen-days", "0"],
    )
    .await;
    let raw = server::channel(srv.addr);
    let token = srv.token.clone();
    let bearer: MetadataValue<_> = format!("Bearer {token}")
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    let auth = move |mut req: tonic::Request<()>| {
        req.metadata_mut().insert("authorization", bearer.clone());
        Ok(req)
    };

    let (url, got) = receiver().await;
    let created = WebhookServiceClient::with_interceptor(raw.clone(), auth.clone())
        .create_webhook(pb::CreateWebhookRequest {
            url,
            events: vec![
                pb::WebhookEventType::CaseStatusChanged as i32,
                pb::WebhookEventType::CaseHighPriority as i32,
            ],
            description: "bench".into(),
            exporter: String::new(),
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_inner();

    let started = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..STREAMS {
        let mut client = ScreeningServiceClient::with_interceptor(raw.clone(), auth.clone());
        let next = Arc::clone(&next);
        tasks.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= screenings {
                    return;
                }
                let r = client
                    .screen_shipment(pb::ScreenShipmentRequest {
                        shipment: Some(shipment(n)),
                        ..Default::default()
                    })
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                assert!(!r.into_inner().case_id.is_empty());
            }
        }));
    }
    for t in tasks {
        t.await.unwrap_or_else(|e| panic!("{e}"));
    }
    let screened = started.elapsed();
    let screened_at = Instant::now();
    let expected = usize::try_from(screenings * 2).unwrap_or(usize::MAX);
    let wait_until = Instant::now() + Duration::from_secs(600);
    loop {
        let n = got.lock().unwrap_or_else(|p| p.into_inner()).ids.len();
        if n >= expected {
            break;
        }
        assert!(
            Instant::now() < wait_until,
            "{n} of {expected} deliveries after 600 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (ids, first, last) = {
        let g = got.lock().unwrap_or_else(|p| p.into_inner());
        (g.ids.clone(), g.first.clone(), g.last)
    };
    let last = last.unwrap_or_else(Instant::now);
    let all = last.duration_since(started);
    let lag = last.saturating_duration_since(screened_at);
    let unique: HashSet<&String> = ids.iter().collect();
    let (headers, body) = first.unwrap_or_default();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(created.secret.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    mac.update(header("x-exportscreen-timestamp").as_bytes());
    mac.update(b".");
    mac.update(&body);
    let verifies = header("x-exportscreen-signature")
        == format!("sha256={}", hex::encode(mac.finalize().into_bytes()));

    println!("webhook delivery benchmark (release, {STREAMS} concurrent screenings)");
    println!(
        "  screenings:  {screenings} flagged, each a new HIGH case, in {:.2} s = {:.0} /s",
        screened.as_secs_f64(),
        screenings as f64 / screened.as_secs_f64()
    );
    println!(
        "  deliveries:  {} received ({} distinct, expected {expected}) in {:.2} s from the first screening = {:.0} /s",
        ids.len(),
        unique.len(),
        all.as_secs_f64(),
        ids.len() as f64 / all.as_secs_f64()
    );
    println!(
        "  lag:         last delivery {:.0} ms after the last screening answer",
        lag.as_secs_f64() * 1000.0
    );
    println!("  signature:   first delivery verifies: {verifies}");
    let _ = srv.child.start_kill();
    let _ = srv.child.wait().await;
}
