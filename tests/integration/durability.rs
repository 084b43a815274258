//! Durability against the real binary: sustained screening load, SIGKILL
//! at a random moment, restart, and every acknowledged screening (with its
//! case) must be there; repeated over several rounds. And SIGTERM: running
//! calls finish before the process exits.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use exportscreen::api::pb;
use exportscreen::api::pb::screening_service_client::ScreeningServiceClient;
use exportscreen::api::startup::DB_DIR;
use exportscreen::store::{SledStore, Store};
use tokio::process::{Child, Command};
use tonic::transport::Endpoint;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;

use crate::util::{
    ADMIN_SECRET, LISTED_NAME, binary_channel as channel, data_dir, free_port, plain_shipment,
    spawn_binary,
};

/// Kill-and-restart rounds (`EXPORTSCREEN_CRASH_ROUNDS` for a longer run).
fn rounds() -> usize {
    std::env::var("EXPORTSCREEN_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
}
/// Concurrent clients during the load: writes arrive together, so they
/// share group commits.
const CLIENTS: usize = 64;

async fn spawn_server(dir: &Path) -> (Child, SocketAddr) {
    spawn_binary(dir, &[]).await
}

/// A shipment: every third one has a listed consignee, so it opens a case
/// (a transaction over screening, case and index).
fn shipment(client: usize, n: usize) -> pb::Shipment {
    let mut s = plain_shipment(&format!("DUR-{client}-{n}"));
    if n.is_multiple_of(3) {
        s.parties[1].name = LISTED_NAME.into();
    }
    s
}

/// An acknowledged screening: id and the case it reported.
type Acked = (String, String);

/// Screens from `CLIENTS` tasks until the server dies; returns what was
/// acknowledged.
async fn load(addr: SocketAddr, round: usize, acked: Arc<Mutex<Vec<Acked>>>) {
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        let acked = Arc::clone(&acked);
        let ch = channel(addr);
        tasks.push(tokio::spawn(async move {
            let mut c = ScreeningServiceClient::new(ch);
            for n in 0.. {
                let r = c
                    .screen_shipment(pb::ScreenShipmentRequest {
                        shipment: Some(shipment(round * 100 + client, n)),
                        ..Default::default()
                    })
                    .await;
                match r {
                    Ok(r) => {
                        let r = r.into_inner();
                        acked.lock().unwrap().push((r.screening_id, r.case_id));
                    }
                    // The server is gone.
                    Err(_) => break,
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

fn random_millis(lo: u64, hi: u64) -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    lo + u64::from_le_bytes(b) % (hi - lo)
}

#[tokio::test]
async fn acknowledged_screenings_survive_sigkill() {
    let dir = data_dir();
    let acked: Arc<Mutex<Vec<Acked>>> = Arc::new(Mutex::new(Vec::new()));
    let mut per_round = Vec::new();
    let rounds = rounds();
    for round in 0..rounds {
        let (mut child, addr) = spawn_server(dir.path()).await;
        let before = acked.lock().unwrap().len();
        let loader = tokio::spawn(load(addr, round, Arc::clone(&acked)));
        tokio::time::sleep(Duration::from_millis(random_millis(300, 1500))).await;
        child.start_kill().unwrap(); // SIGKILL
        child.wait().await.unwrap();
        tokio::time::timeout(Duration::from_secs(30), loader)
            .await
            .unwrap()
            .unwrap();
        per_round.push(acked.lock().unwrap().len() - before);

        // Restart: everything acknowledged so far is there, with its case.
        let (mut child, addr) = spawn_server(dir.path()).await;
        let mut c = ScreeningServiceClient::new(channel(addr));
        let all = acked.lock().unwrap().clone();
        let mut missing = Vec::new();
        for (id, case_id) in &all {
            match c
                .get_screening(pb::GetScreeningRequest {
                    screening_id: id.clone(),
                })
                .await
            {
                Ok(r) => {
                    let got = r.into_inner().result.unwrap().case_id;
                    assert_eq!(&got, case_id, "{id}: case");
                }
                Err(e) => missing.push(format!("{id}: {:?}", e.code())),
            }
        }
        assert!(
            missing.is_empty(),
            "round {round}: {} of {} acknowledged screenings lost: {missing:?}",
            missing.len(),
            all.len()
        );
        child.start_kill().unwrap();
        child.wait().await.unwrap();
    }
    // Load reached the server in every round, and non-CLEAR ones had cases.
    assert!(per_round.iter().all(|n| *n > 0), "{per_round:?}");
    let all = acked.lock().unwrap().clone();
    assert!(all.iter().any(|(_, case)| !case.is_empty()));
    eprintln!(
        "durability: {rounds} SIGKILL rounds, acknowledged per round {per_round:?}, {} in all, 0 lost",
        all.len()
    );

    // The directory opens cleanly in-process too, and reads back whole.
    let store = SledStore::open(dir.path().join(DB_DIR)).unwrap();
    for (id, _) in &all {
        store.screening(&id.as_str().into()).unwrap();
    }
    store.load_current_lists().unwrap();
    assert!(matches!(
        store.verify_audit().unwrap(),
        exportscreen::store::audit::ChainCheck::Intact { .. }
    ));
}

#[tokio::test]
async fn sigterm_lets_running_calls_finish() {
    let dir = data_dir();
    let (mut child, addr) = spawn_server(dir.path()).await;
    let mut c = ScreeningServiceClient::new(channel(addr));
    let (tx, rx) = tokio::sync::mpsc::channel::<pb::ScreenShipmentRequest>(4);
    let mut answers = c
        .screen_shipments(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await
        .unwrap()
        .into_inner();
    let req = |n: usize| pb::ScreenShipmentRequest {
        shipment: Some(plain_shipment(&format!("TERM-{n}"))),
        ..Default::default()
    };
    tx.send(req(0)).await.unwrap();
    let first = answers.message().await.unwrap().unwrap();

    // SIGTERM while the stream is open: the call goes on.
    let pid = child.id().unwrap().to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    tokio::time::sleep(Duration::from_millis(300)).await;
    tx.send(req(1)).await.unwrap();
    tx.send(req(2)).await.unwrap();
    drop(tx);
    let mut ids = vec![first.screening_id];
    while let Some(a) = answers.message().await.unwrap() {
        ids.push(a.screening_id);
    }
    assert_eq!(ids.len(), 3, "{ids:?}");

    // Then the process exits by itself, successfully.
    let exit = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("server did not exit after SIGTERM")
        .unwrap();
    assert!(exit.success(), "{exit:?}");
    let store = SledStore::open(dir.path().join(DB_DIR)).unwrap();
    for id in &ids {
        store.screening(&id.as_str().into()).unwrap();
    }
}

#[tokio::test]
async fn json_logs_carry_the_request_id_and_principal_on_every_line_of_a_call() {
    let dir = data_dir();
    let log = dir.path().join("server.log");
    let port = free_port();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut child = Command::new(env!("CARGO_BIN_EXE_exportscreen"))
        .args(["serve", "--no-seed", "--log-format", "json", "--listen"])
        .arg(addr.to_string())
        .arg("--data-dir")
        .arg(dir.path())
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut health = HealthClient::new(
        Endpoint::from_shared(format!("http://{addr}"))
            .unwrap()
            .connect_lazy(),
    );
    for _ in 0..2400 {
        if health
            .check(HealthCheckRequest {
                service: String::new(),
            })
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let mut req = tonic::Request::new(pb::ScreenShipmentRequest {
        shipment: Some(plain_shipment("LOG-1")),
        ..Default::default()
    });
    req.metadata_mut()
        .insert("x-request-id", "log-test-7".parse().unwrap());
    ScreeningServiceClient::new(channel(addr))
        .screen_shipment(req)
        .await
        .unwrap();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().unwrap().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    child.wait().await.unwrap();

    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let of_call: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|v| v.to_string().contains("log-test-7"))
        .collect();
    assert!(
        of_call.iter().any(|v| v["fields"]["message"] == "screened"),
        "{text}"
    );
    for v in &of_call {
        assert_eq!(v["span"]["request_id"], "log-test-7", "{v}");
        let rpc = v["spans"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["name"] == "rpc"))
            .unwrap_or_else(|| panic!("no rpc span: {v}"));
        assert_eq!(rpc["principal"], "test-admin", "{v}");
        assert_eq!(
            rpc["method"],
            "/exportscreen.v1.ScreeningService/ScreenShipment"
        );
    }
    // No line anywhere holds the token.
    assert!(!text.contains(ADMIN_SECRET));
}
