//! The write path under pressure, over a real server: idempotent
//! screenings (request ids), a case's screenings read a page at a time
//! under 1 MiB, a large batch streamed as fast as the client can,
//! per-shipment cost limits, deadlines, the health watchdog when the
//! store's writer stalls, and SIGTERM with a call that never ends.

use std::sync::Arc;
use std::time::{Duration, Instant};

use exportscreen::api::ServerConfig;
use exportscreen::api::auth::rate::RateLimit;
use exportscreen::api::pb;
use exportscreen::api::pb::audit_service_client::AuditServiceClient;
use exportscreen::api::pb::case_service_client::CaseServiceClient;
use exportscreen::api::startup::DB_DIR;
use exportscreen::store::SledStore;
use prost::Message;
use tonic::Code;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_types::StatusExt;

use crate::util::{
    LISTED_NAME, TestServer, binary_channel, data_dir, plain_shipment, put_token, spawn_binary,
};

fn with_id(s: pb::Shipment, request_id: &str) -> pb::ScreenShipmentRequest {
    pb::ScreenShipmentRequest {
        shipment: Some(s),
        request_id: request_id.into(),
    }
}

fn flagged(reference: &str) -> pb::Shipment {
    let mut s = plain_shipment(reference);
    s.parties[1].name = LISTED_NAME.into();
    s
}

async fn audit_count(server: &TestServer) -> u64 {
    AuditServiceClient::new(server.channel.clone())
        .verify_audit(pb::VerifyAuditRequest {})
        .await
        .unwrap()
        .into_inner()
        .records
}

#[tokio::test]
async fn a_retried_request_id_returns_the_stored_answer() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let mut c = server.screening();
    let first = c
        .screen_shipment(with_id(
            flagged("IDEM-1"),
            "9f0c6a1e-0000-4000-8000-000000000001",
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(!first.case_id.is_empty());
    let records = audit_count(&server).await;
    // The retry (after a timeout, say): the same answer, nothing new.
    let again = c
        .screen_shipment(with_id(
            flagged("IDEM-1"),
            "9f0c6a1e-0000-4000-8000-000000000001",
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(again, first);
    assert_eq!(audit_count(&server).await, records, "no second screening");
    let case = CaseServiceClient::new(server.channel.clone())
        .get_case(pb::GetCaseRequest {
            case_id: first.case_id.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        case.summary.unwrap().screenings,
        1,
        "no duplicate in the case"
    );
    // The same id with another shipment is refused.
    let err = c
        .screen_shipment(with_id(
            flagged("IDEM-2"),
            "9f0c6a1e-0000-4000-8000-000000000001",
        ))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists, "{err:?}");
    assert!(
        err.message().contains(&first.screening_id),
        "{}",
        err.message()
    );
    // Without an id, every call is a screening of its own.
    let a = c
        .screen_shipment(with_id(flagged("IDEM-1"), ""))
        .await
        .unwrap();
    assert_ne!(a.into_inner().screening_id, first.screening_id);
    // An unusable id names the field.
    let err = c
        .screen_shipment(with_id(plain_shipment("IDEM-3"), "has space"))
        .await
        .unwrap_err();
    crate::util::assert_field_error(&err, Code::InvalidArgument, "request_id");
    // In a stream too: the retried request answers what was stored.
    let mut answers = c
        .screen_shipments(tokio_stream::iter(vec![
            with_id(flagged("IDEM-1"), "9f0c6a1e-0000-4000-8000-000000000001"),
            with_id(plain_shipment("IDEM-4"), "bad id"),
        ]))
        .await
        .unwrap()
        .into_inner();
    let one = answers.message().await.unwrap().unwrap();
    assert_eq!(one.screening_id, first.screening_id);
    let two = answers.message().await.unwrap().unwrap();
    assert_eq!(two.error.unwrap().field, "requests[1].request_id");
    server.stop().await;
}

#[tokio::test]
async fn a_case_s_screenings_come_a_page_at_a_time_under_one_mebibyte() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    // Screenings with long descriptions (about 30 KB each answer).
    let big = |n: usize| {
        let mut s = flagged("PAGED-1");
        s.items = (0..20)
            .map(|i| pb::Item {
                description: format!(
                    "Office chair {n}-{i} {}",
                    "ergonomic grey fabric ".repeat(60)
                ),
                quantity: 1.0,
                ..pb::Item::default()
            })
            .collect();
        s
    };
    let mut c = server.screening();
    let reqs: Vec<_> = (0..60)
        .map(|n| pb::ScreenShipmentRequest {
            shipment: Some(big(n)),
            ..Default::default()
        })
        .collect();
    let mut answers = c
        .screen_shipments(tokio_stream::iter(reqs))
        .await
        .unwrap()
        .into_inner();
    let mut ids = Vec::new();
    while let Some(a) = answers.message().await.unwrap() {
        ids.push(a.screening_id);
    }
    let case_id = c
        .get_screening(pb::GetScreeningRequest {
            screening_id: ids[0].clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .result
        .unwrap()
        .case_id;
    let mut cases = CaseServiceClient::new(server.channel.clone());
    let mut seen = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let page = cases
            .get_case(pb::GetCaseRequest {
                case_id: case_id.clone(),
                page_size: 1000,
                page_token: token.clone(),
            })
            .await
            .unwrap()
            .into_inner();
        assert!(page.encoded_len() < 1 << 20, "{} bytes", page.encoded_len());
        assert_eq!(page.summary.as_ref().unwrap().screenings, 60);
        pages += 1;
        // Each page's history holds the joins of its screenings.
        let joins = page
            .history
            .iter()
            .filter(|h| h.action == "opened" || h.action == "screening")
            .count();
        assert_eq!(joins, page.screenings.len());
        seen.extend(page.screenings.into_iter().map(|s| s.screening_id));
        token = page.next_page_token;
        if token.is_empty() {
            break;
        }
    }
    assert!(pages > 1, "the size bound cut the pages");
    assert_eq!(seen, ids, "every screening once, in joining order");
    // A small page size is honoured too; a bad token is refused.
    let page = cases
        .get_case(pb::GetCaseRequest {
            case_id: case_id.clone(),
            page_size: 7,
            page_token: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.screenings.len(), 7);
    assert_eq!(page.next_page_token, "7");
    let err = cases
        .get_case(pb::GetCaseRequest {
            case_id,
            page_size: 0,
            page_token: "x".into(),
        })
        .await
        .unwrap_err();
    crate::util::assert_field_error(&err, Code::InvalidArgument, "page_token");
    server.stop().await;
}

#[tokio::test]
async fn a_large_batch_sent_as_fast_as_possible_is_answered_whole() {
    let dir = data_dir();
    let (mut child, addr) = spawn_binary(dir.path(), &[]).await;
    let mut c = exportscreen::api::pb::screening_service_client::ScreeningServiceClient::new(
        binary_channel(addr),
    );
    // 5,000 small messages, all queued at once: the client sends as fast
    // as flow control lets it.
    const N: usize = 5000;
    let reqs: Vec<_> = (0..N)
        .map(|i| pb::ScreenShipmentRequest {
            shipment: Some(plain_shipment(&format!("FAST-{i}"))),
            ..Default::default()
        })
        .collect();
    let mut answers = c
        .screen_shipments(tokio_stream::iter(reqs))
        .await
        .unwrap()
        .into_inner();
    let mut n = 0usize;
    while let Some(a) = answers.message().await.unwrap() {
        assert_eq!(a.index as usize, n);
        assert!(a.error.is_none(), "{a:?}");
        n += 1;
    }
    assert_eq!(n, N);
    child.start_kill().unwrap();
    child.wait().await.unwrap();
}

#[tokio::test]
async fn a_shipment_costs_its_parties_and_items() {
    let dir = data_dir();
    let exporter = "es_cost-exporter";
    put_token(
        dir.path(),
        exporter,
        "kestrel-erp",
        &["EXPORTER"],
        Some("Kestrel Instruments Inc."),
    );
    let server = TestServer::start_config(
        ServerConfig::new(dir.path())
            .seed_defaults(false)
            .rate_limit(RateLimit {
                per_second: 0.0,
                burst: 0.0,
                cost_per_second: 10.0,
                cost_burst: 30.0,
            }),
    )
    .await;
    let mut c = exportscreen::api::pb::screening_service_client::ScreeningServiceClient::new(
        server.channel_with(exporter),
    );
    // 26 parties and one item: 27 of the 30 allowed at once.
    let mut big = plain_shipment("COST-1");
    for i in 0..24 {
        big.parties.push(pb::Party {
            role: pb::PartyRole::EndUser as i32,
            name: format!("Invented Trading {i}"),
            ..pb::Party::default()
        });
    }
    c.screen_shipment(pb::ScreenShipmentRequest {
        shipment: Some(big.clone()),
        ..Default::default()
    })
    .await
    .unwrap();
    let err = c
        .screen_shipment(pb::ScreenShipmentRequest {
            shipment: Some(big),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::ResourceExhausted, "{err:?}");
    assert!(err.message().contains("costs 27"), "{}", err.message());
    let retry = err.get_details_retry_info().expect("RetryInfo");
    assert!(retry.retry_delay.unwrap() > Duration::from_secs(1));
    // A small shipment fits what is left.
    c.screen_shipment(pb::ScreenShipmentRequest {
        shipment: Some(plain_shipment("COST-2")),
        ..Default::default()
    })
    .await
    .unwrap();
    // The ADMIN is not limited.
    server
        .screening()
        .screen_shipment(pb::ScreenShipmentRequest {
            shipment: Some(plain_shipment("COST-3")),
            ..Default::default()
        })
        .await
        .unwrap();
    server.stop().await;
}

#[tokio::test]
async fn a_call_past_its_deadline_ends_and_records_nothing() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let records = audit_count(&server).await;
    // A thousand parties: more engine work than 5 ms allows.
    let mut heavy = plain_shipment("DEADLINE-1");
    heavy.parties = (0..1000)
        .map(|i| pb::Party {
            role: pb::PartyRole::EndUser as i32,
            name: format!("Invented Precision Trading Company Number {i}"),
            country: "JP".into(),
            ..pb::Party::default()
        })
        .collect();
    let mut req = tonic::Request::new(pb::ScreenShipmentRequest {
        shipment: Some(heavy),
        ..Default::default()
    });
    req.set_timeout(Duration::from_millis(5));
    let t = Instant::now();
    let err = server.screening().screen_shipment(req).await.unwrap_err();
    assert!(
        matches!(err.code(), Code::DeadlineExceeded | Code::Cancelled),
        "{err:?}"
    );
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    // The server is not busy with it: a small call answers at once.
    let t = Instant::now();
    server
        .screening()
        .screen_shipment(pb::ScreenShipmentRequest {
            shipment: Some(plain_shipment("DEADLINE-2")),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    assert_eq!(
        audit_count(&server).await,
        records + 1,
        "only the small call"
    );
    server.stop().await;
}

#[tokio::test]
async fn health_says_not_serving_while_the_writer_is_stuck() {
    let dir = data_dir();
    let store = Arc::new(SledStore::open(dir.path().join(DB_DIR)).unwrap());
    let server = TestServer::start_config(
        ServerConfig::new(dir.path())
            .seed_defaults(false)
            .store(store.clone())
            .writer_stall(Duration::from_millis(800)),
    )
    .await;
    let mut health = HealthClient::new(server.raw.clone());
    let status = |h: &mut HealthClient<tonic::transport::Channel>| {
        let mut h = h.clone();
        async move {
            h.check(HealthCheckRequest {
                service: String::new(),
            })
            .await
            .unwrap()
            .into_inner()
            .status
        }
    };
    assert_eq!(status(&mut health).await, ServingStatus::Serving as i32);
    let pause = store.pause_writer_for_tests();
    // A screening waits for the writer.
    let call = {
        let mut c = server.screening();
        tokio::spawn(async move {
            c.screen_shipment(pb::ScreenShipmentRequest {
                shipment: Some(plain_shipment("STALL-1")),
                ..Default::default()
            })
            .await
        })
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while status(&mut health).await != ServingStatus::NotServing as i32 {
        assert!(Instant::now() < deadline, "health still SERVING");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        !call.is_finished(),
        "the write is not acknowledged while stuck"
    );
    pause.resume().await.unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(10), call)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(!answer.into_inner().screening_id.is_empty());
    let deadline = Instant::now() + Duration::from_secs(10);
    while status(&mut health).await != ServingStatus::Serving as i32 {
        assert!(Instant::now() < deadline, "health not SERVING again");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.stop().await;
}

#[tokio::test]
async fn sigterm_stops_the_process_in_time_even_with_a_call_that_never_ends() {
    let dir = data_dir();
    let log = dir.path().join("server.log");
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], crate::util::free_port()));
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_exportscreen"))
        .args(["serve", "--no-seed", "--listen", &addr.to_string()])
        .arg("--data-dir")
        .arg(dir.path())
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut c = exportscreen::api::pb::screening_service_client::ScreeningServiceClient::new(
        binary_channel(addr),
    );
    let mut up = false;
    for _ in 0..2400 {
        if c.screen_shipment(pb::ScreenShipmentRequest {
            shipment: Some(plain_shipment("UP")),
            ..Default::default()
        })
        .await
        .is_ok()
        {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(up, "server did not start");
    // A stream the client never ends.
    let (tx, rx) = tokio::sync::mpsc::channel::<pb::ScreenShipmentRequest>(1);
    let _answers = c
        .screen_shipments(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await
        .unwrap();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().unwrap().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let t = Instant::now();
    let exit = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("the process did not stop within 10 s of SIGTERM")
        .unwrap();
    assert!(t.elapsed() < Duration::from_secs(10));
    assert!(!exit.success(), "abandoning a call is not a clean stop");
    drop(tx);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("abandoned"), "{text}");
    assert!(text.contains("1 running call"), "{text}");
}
