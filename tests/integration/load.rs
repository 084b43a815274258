//! A bounded load test against the real binary: 64 concurrent callers of
//! ScreenShipment for a while (most shipments CLEAR, some flagged, and one
//! flagged consignee screened again and again under one reference, so that
//! its case keeps growing), beside a few ScreenShipments batches and a
//! health checker. It fails if any call takes longer than 10 s or fails, if
//! health stops answering SERVING, or if a screening the server
//! acknowledged is missing afterwards.
//!
//! `EXPORTSCREEN_LOAD_SECONDS` sets the load's length (default 20).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use exportscreen::api::pb;
use exportscreen::api::pb::case_service_client::CaseServiceClient;
use exportscreen::api::pb::screening_service_client::ScreeningServiceClient;
use exportscreen::api::startup::DB_DIR;
use exportscreen::ids::ScreeningId;
use exportscreen::store::{SledStore, Store};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use crate::util::{LISTED_NAME, binary_channel, data_dir, plain_shipment, spawn_binary};

/// Concurrent callers.
const CALLERS: usize = 64;
/// ScreenShipments batches, and shipments in each.
const BATCHES: usize = 3;
const BATCH: usize = 400;
/// The longest any call may take.
const CALL_LIMIT: Duration = Duration::from_secs(10);
/// The shipment reference whose case grows.
const GROWING: &str = "LOAD-GROWING-CASE";

fn seconds() -> u64 {
    std::env::var("EXPORTSCREEN_LOAD_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

/// The `n`th shipment of a caller: one in ten flagged under its own
/// reference, one in ten the growing case, the rest CLEAR.
fn shipment(caller: usize, n: u64) -> pb::Shipment {
    let mut s = plain_shipment(&format!("LOAD-{caller}-{n}"));
    match n % 10 {
        0 => s.parties[1].name = LISTED_NAME.into(),
        1 => {
            s.reference = GROWING.into();
            s.parties[1].name = LISTED_NAME.into();
        }
        _ => {}
    }
    s
}

/// What the load acknowledged: screening ids, and those of the growing case.
#[derive(Default)]
struct Acked {
    all: Vec<String>,
    growing: Vec<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_callers_and_batches_are_served_in_time_and_nothing_acknowledged_is_lost() {
    let dir = data_dir();
    let (mut child, addr) = spawn_binary(dir.path(), &[]).await;
    let until = Instant::now() + Duration::from_secs(seconds());
    let acked = Arc::new(Mutex::new(Acked::default()));
    let slowest = Arc::new(AtomicU64::new(0));
    let failures: Arc<Mutex<Vec<String>>> = Arc::default();

    // Health is asked four times a second, each answer within 2 s.
    let stop_health = Arc::new(AtomicBool::new(false));
    let health = {
        let (stop, failures) = (Arc::clone(&stop_health), Arc::clone(&failures));
        tokio::spawn(async move {
            let mut h = HealthClient::new(binary_channel(addr));
            let mut checks = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let r = tokio::time::timeout(
                    Duration::from_secs(2),
                    h.check(HealthCheckRequest {
                        service: String::new(),
                    }),
                )
                .await;
                match r {
                    Ok(Ok(r)) if r.get_ref().status == ServingStatus::Serving as i32 => {}
                    other => failures
                        .lock()
                        .unwrap()
                        .push(format!("health check {checks}: {other:?}")),
                }
                checks += 1;
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            checks
        })
    };

    let mut tasks = Vec::new();
    for caller in 0..CALLERS {
        let (acked, slowest, failures) = (
            Arc::clone(&acked),
            Arc::clone(&slowest),
            Arc::clone(&failures),
        );
        tasks.push(tokio::spawn(async move {
            let mut c = ScreeningServiceClient::new(binary_channel(addr));
            let mut n = 0u64;
            while Instant::now() < until {
                let s = shipment(caller, n);
                let growing = s.reference == GROWING;
                let t = Instant::now();
                let r = tokio::time::timeout(
                    CALL_LIMIT,
                    c.screen_shipment(pb::ScreenShipmentRequest {
                        shipment: Some(s),
                        ..Default::default()
                    }),
                )
                .await;
                slowest.fetch_max(t.elapsed().as_millis() as u64, Ordering::Relaxed);
                match r {
                    Ok(Ok(r)) => {
                        let id = r.into_inner().screening_id;
                        let mut a = acked.lock().unwrap();
                        if growing {
                            a.growing.push(id.clone());
                        }
                        a.all.push(id);
                    }
                    Ok(Err(e)) => failures
                        .lock()
                        .unwrap()
                        .push(format!("caller {caller} call {n}: {e:?}")),
                    Err(_) => failures
                        .lock()
                        .unwrap()
                        .push(format!("caller {caller} call {n}: over {CALL_LIMIT:?}")),
                }
                n += 1;
            }
        }));
    }
    for b in 0..BATCHES {
        let (acked, failures) = (Arc::clone(&acked), Arc::clone(&failures));
        tasks.push(tokio::spawn(async move {
            let mut c = ScreeningServiceClient::new(binary_channel(addr));
            let reqs: Vec<pb::ScreenShipmentRequest> = (0..BATCH)
                .map(|i| pb::ScreenShipmentRequest {
                    shipment: Some(shipment(1000 + b, i as u64)),
                    ..Default::default()
                })
                .collect();
            let mut answers = match c.screen_shipments(tokio_stream::iter(reqs)).await {
                Ok(r) => r.into_inner(),
                Err(e) => {
                    failures.lock().unwrap().push(format!("batch {b}: {e:?}"));
                    return;
                }
            };
            let mut got = 0usize;
            loop {
                match tokio::time::timeout(CALL_LIMIT, answers.message()).await {
                    Ok(Ok(Some(a))) => {
                        if a.index as usize != got || a.error.is_some() {
                            failures
                                .lock()
                                .unwrap()
                                .push(format!("batch {b} answer {got}: {a:?}"));
                        }
                        if !a.screening_id.is_empty() {
                            let mut acked = acked.lock().unwrap();
                            if got % 10 == 1 {
                                acked.growing.push(a.screening_id.clone());
                            }
                            acked.all.push(a.screening_id);
                        }
                        got += 1;
                    }
                    Ok(Ok(None)) => break,
                    Ok(Err(e)) => {
                        failures.lock().unwrap().push(format!("batch {b}: {e:?}"));
                        break;
                    }
                    Err(_) => {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("batch {b}: no answer within {CALL_LIMIT:?}"));
                        break;
                    }
                }
            }
            if got != BATCH {
                failures
                    .lock()
                    .unwrap()
                    .push(format!("batch {b}: {got} of {BATCH} answered"));
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    stop_health.store(true, Ordering::Relaxed);
    let checks = health.await.unwrap();

    let failures = failures.lock().unwrap().clone();
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    eprintln!(
        "load: {} screenings acknowledged in {} s by {CALLERS} callers and {BATCHES} batches of {BATCH} ({} in the growing case); slowest call {} ms; {checks} health checks",
        acked.all.len(),
        seconds(),
        acked.growing.len(),
        slowest.load(Ordering::Relaxed)
    );
    assert!(
        failures.is_empty(),
        "{} failures: {:?}",
        failures.len(),
        &failures[..failures.len().min(10)]
    );
    assert!(checks > 0);

    // The growing case holds every acknowledged screening of its shipment.
    let first_growing = acked
        .growing
        .first()
        .expect("the growing case was screened");
    let case_id = {
        let mut c = ScreeningServiceClient::new(binary_channel(addr));
        c.get_screening(pb::GetScreeningRequest {
            screening_id: first_growing.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .result
        .unwrap()
        .case_id
    };
    let case = CaseServiceClient::new(binary_channel(addr))
        .get_case(pb::GetCaseRequest {
            case_id: case_id.clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        case.summary.unwrap().screenings as usize,
        acked.growing.len(),
        "every screening of the growing shipment joined its case"
    );

    // Stopped (SIGKILL: durability does not depend on a clean stop), every
    // acknowledged screening is in the database.
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    let store = SledStore::open(dir.path().join(DB_DIR)).unwrap();
    let missing: Vec<&String> = acked
        .all
        .iter()
        .filter(|id| store.screening(&ScreeningId::new(id.as_str())).is_err())
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged screenings missing: {:?}",
        missing.len(),
        acked.all.len(),
        &missing[..missing.len().min(10)]
    );
    assert_eq!(
        store
            .case_members(&case_id.as_str().into(), 0, usize::MAX)
            .unwrap()
            .len(),
        acked.growing.len()
    );
}
