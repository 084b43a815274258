//! The benchmarks' real server: `exportscreen serve` started on a free
//! loopback port over a data directory, awaited until health says
//! SERVING, with its ADMIN token; and a channel to it. Shared by the
//! benches that drive the service over gRPC (`load`, `webhooks`).
//!
//! `EXPORTSCREEN_BIN=path` runs another build of the server (to compare two
//! builds on the same machine state).

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

/// A running server.
pub struct Server {
    /// The process (killed when dropped).
    pub child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its ADMIN token.
    pub token: String,
}

/// A free loopback port.
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    l.local_addr().unwrap_or_else(|e| panic!("{e}")).port()
}

/// Starts the server over `dir` with `args` after `serve --listen ADDR`
/// and waits (at most 300 s, the first start seeds the bundled lists)
/// until it is SERVING.
pub async fn start(dir: &Path, args: &[&str]) -> Server {
    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let bin = std::env::var_os("EXPORTSCREEN_BIN")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_exportscreen").into());
    let child = Command::new(bin)
        .args(["serve", "--listen", &addr.to_string()])
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut health = HealthClient::new(channel(addr));
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let r = health
            .check(HealthCheckRequest {
                service: String::new(),
            })
            .await;
        if r.is_ok_and(|r| r.into_inner().status == ServingStatus::Serving as i32) {
            break;
        }
        assert!(Instant::now() < deadline, "server not SERVING");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let token = std::fs::read_to_string(dir.join("admin.token"))
        .unwrap_or_else(|e| panic!("{e}"))
        .trim()
        .to_string();
    Server { child, addr, token }
}

/// A lazily connected channel to `addr`, with HTTP/2 windows large
/// enough for 64 concurrent calls on a few connections.
pub fn channel(addr: SocketAddr) -> Channel {
    Endpoint::from_shared(format!("http://{addr}"))
        .unwrap_or_else(|e| panic!("{e}"))
        .initial_connection_window_size(16 << 20)
        .initial_stream_window_size(4 << 20)
        .connect_lazy()
}
