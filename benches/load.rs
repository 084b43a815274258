//! Load benchmark of the whole service (release mode): one real server
//! process (`exportscreen serve`, seeded with the bundled lists) driven over
//! gRPC on loopback, all in one run:
//!
//! 1. empty-RPC throughput: `grpc.health.v1.Health/Check` at 64 concurrent
//!    calls;
//! 2. ScreenShipment throughput and latency at 64 concurrent calls (nine in
//!    ten CLEAR, one in ten flagged, each its own shipment): calls per
//!    second, p50 and p99; and its ratio to (1);
//! 3. the same two measures again in short alternating pairs (an empty-RPC
//!    phase, then a ScreenShipment phase, `--pairs N` times, 2 s each by
//!    default, `--pair-seconds S`): the ratio of each pair and their median.
//!    The machine is shared and its neighbours' load drifts within a
//!    minute; a pair's two phases are seconds apart, so the median of the
//!    pairs moves less with that drift than the ratio of (1) and (2);
//! 4. three successive rounds that screen one flagged consignee again and
//!    again under one shipment reference, so that its case grows: calls per
//!    second per round, and the server's resident memory after each round.
//!
//! Each phase also prints the CPU time the server and the load generator
//! spent per call (from `/proc`): on a shared, noisy machine calls per
//! second move with the neighbours' load, CPU per call much less; and the
//! share of the machine's CPU left idle (`/proc/stat`): a phase that
//! leaves cores idle is bound by its concurrency, not by the CPU. The
//! screening phases also print the store's batches and durable flushes
//! (from the server's `/metrics`): writes per batch and per flush (group
//! commit at work) and the mean time of one flush, the disk's sync latency. An answer waits for
//! the flush that covers its write, so 64 callers can get at most about
//! 64 answers per one to two flush times, whatever the CPU.
//!
//! Run: `cargo bench --bench load` (`-- --quick` for shorter phases,
//! `-- --seconds N` to set a phase's length). Calls are authorised with
//! the ADMIN token (not rate-limited). The load generator runs on the same
//! machine as the server and takes part of its cores, as h2load would; to
//! keep its share small it reads of each ScreenShipment answer only the
//! decision and the screening id (a call whose decision is not the one its
//! shipment must get counts as an error) and allocates with mimalloc.
//! `EXPORTSCREEN_BIN=path` runs another build of the server (to compare two
//! builds on the same machine state); `LOAD_STREAMS=N` sets the number of
//! concurrent calls (to see how throughput and CPU per call move with
//! concurrency; the targets are read at 64).

#[path = "support/server.rs"]
mod server;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use exportscreen::api::pb;
use tonic::metadata::MetadataValue;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;

// The load generator allocates as the server does (mimalloc): it shares
// the machine's two cores with the server, so its own cost is kept low.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Concurrent calls.
const STREAMS: usize = 64;
/// HTTP/2 connections they share.
const CONNECTIONS: usize = 4;
/// A name on the bundled OFAC SDN list (PROHIBITED as consignee).
const LISTED: &str = "MAHAN AIR";

/// Resident memory of a process in MiB (Linux).
fn rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// CPU time (user + system) a process has used, in seconds (Linux; clock
/// ticks of 1/100 s, the kernel's USER_HZ).
fn cpu_seconds(pid: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            // Fields after the command name (which may hold spaces).
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let user: f64 = f.get(11)?.parse().ok()?;
            let system: f64 = f.get(12)?.parse().ok()?;
            Some((user + system) / 100.0)
        })
        .unwrap_or(f64::NAN)
}

/// The machine's CPU time as (busy, idle) clock ticks, all cores, from
/// `/proc/stat` (idle includes waiting for I/O).
fn machine_ticks() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let f: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .take(8)
        .map(|v| v.parse().ok())
        .collect::<Option<_>>()?;
    let idle = f.get(3)? + f.get(4)?;
    Some((f.iter().sum::<u64>() - idle, idle))
}

/// What one phase measured.
struct Phase {
    calls: u64,
    errors: u64,
    seconds: f64,
    latencies: Vec<Duration>,
    /// CPU seconds of the server and of this process during the phase.
    server_cpu: f64,
    client_cpu: f64,
    /// The store's writes, flushes and flush seconds during the phase.
    store: StoreTotals,
    /// Share of the machine's CPU time left idle during the phase (all
    /// cores, any process): a phase that leaves cores idle is bound by
    /// its concurrency, not by the CPU.
    idle: Option<f64>,
}

/// The server's store totals, from its `/metrics` page.
#[derive(Clone, Copy, Default)]
struct StoreTotals {
    writes: f64,
    batches: f64,
    flushes: f64,
    flush_seconds: f64,
}

impl StoreTotals {
    fn since(self, before: StoreTotals) -> StoreTotals {
        StoreTotals {
            writes: self.writes - before.writes,
            batches: self.batches - before.batches,
            flushes: self.flushes - before.flushes,
            flush_seconds: self.flush_seconds - before.flush_seconds,
        }
    }

    /// "writes per batch, writes per flush, mean flush time" for a table
    /// cell.
    fn cell(self) -> String {
        if self.flushes < 1.0 || self.batches < 1.0 {
            return "- | - | -".into();
        }
        format!(
            "{:.1} | {:.1} | {:.2} ms",
            self.writes / self.batches,
            self.writes / self.flushes,
            self.flush_seconds / self.flushes * 1e3
        )
    }
}

/// Reads the store totals from the metrics endpoint at `addr` (a plain
/// HTTP/1.1 GET; zeros when it cannot be read).
async fn store_totals(addr: SocketAddr) -> StoreTotals {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let page = async {
        let mut s = tokio::net::TcpStream::connect(addr).await.ok()?;
        s.write_all(b"GET /metrics HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
            .await
            .ok()?;
        let mut body = String::new();
        s.read_to_string(&mut body).await.ok()?;
        Some(body)
    }
    .await
    .unwrap_or_default();
    let value = |name: &str| {
        page.lines()
            .find(|l| l.split(' ').next() == Some(name))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    StoreTotals {
        writes: value("exportscreen_store_writes_total"),
        batches: value("exportscreen_store_batches_total"),
        flushes: value("exportscreen_store_flushes_total"),
        flush_seconds: value("exportscreen_store_flush_seconds_total"),
    }
}

impl Phase {
    /// Server and load-generator CPU per call, in microseconds.
    fn cpu_per_call(&self) -> (f64, f64) {
        let n = self.calls.max(1) as f64;
        (self.server_cpu / n * 1e6, self.client_cpu / n * 1e6)
    }

    fn rate(&self) -> f64 {
        self.calls as f64 / self.seconds
    }

    fn pct(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let mut l = self.latencies.clone();
        l.sort();
        l[((l.len() - 1) as f64 * p).round() as usize]
    }
}

/// Concurrent calls: [`STREAMS`], or `LOAD_STREAMS` when set (to see how
/// throughput moves with concurrency; the targets are read at 64).
fn streams() -> usize {
    std::env::var("LOAD_STREAMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(STREAMS)
}

/// Runs `call` from [`streams()`] tasks for `seconds`, each call's latency
/// recorded.
async fn drive<F, Fut>(
    channels: &[Channel],
    (pid, metrics): (u32, SocketAddr),
    seconds: f64,
    call: F,
) -> Phase
where
    F: Fn(Channel, u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let call = Arc::new(call);
    let server = pid.to_string();
    let store_before = store_totals(metrics).await;
    let (server_before, client_before) = (cpu_seconds(&server), cpu_seconds("self"));
    let machine_before = machine_ticks();
    let next = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let until = started + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for i in 0..streams() {
        let ch = channels[i % channels.len()].clone();
        let (call, next, errors) = (Arc::clone(&call), Arc::clone(&next), Arc::clone(&errors));
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while Instant::now() < until {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                if call(ch.clone(), n).await {
                    lat.push(t.elapsed());
                } else {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            lat
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap_or_default());
    }
    let (server_cpu, client_cpu) = (
        cpu_seconds(&server) - server_before,
        cpu_seconds("self") - client_before,
    );
    let machine_after = machine_ticks();
    Phase {
        calls: latencies.len() as u64,
        errors: errors.load(Ordering::Relaxed),
        seconds: started.elapsed().as_secs_f64(),
        latencies,
        server_cpu,
        client_cpu,
        store: store_totals(metrics).await.since(store_before),
        idle: machine_before
            .zip(machine_after)
            .and_then(|((b0, i0), (b1, i1))| {
                let (busy, idle) = (b1.checked_sub(b0)?, i1.checked_sub(i0)?);
                (busy + idle > 0).then(|| idle as f64 / (busy + idle) as f64)
            }),
    }
}

fn party(role: pb::PartyRole, name: &str, country: &str) -> pb::Party {
    pb::Party {
        role: role as i32,
        name: name.into(),
        address: String::new(),
        country: country.into(),
    }
}

/// A shipment: office chairs to Japan; `listed` puts a listed consignee in.
fn shipment(reference: String, listed: bool) -> pb::Shipment {
    pb::Shipment {
        reference,
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
            party(
                pb::PartyRole::Consignee,
                if listed {
                    LISTED
                } else {
                    "Hokuriku Precision Devices K.K."
                },
                "JP",
            ),
        ],
        destination_country: "JP".into(),
        end_use: "Furnishing a new office floor".into(),
    }
}

/// What the load generator reads of a ScreenShipment answer: its decision
/// and screening id. Prost steps over every other field without decoding
/// it, as a client that only routes on the decision would; the server
/// still builds, encodes and sends the whole answer.
#[derive(Clone, PartialEq, prost::Message)]
struct Answer {
    #[prost(enumeration = "pb::Decision", tag = "1")]
    decision: i32,
    #[prost(string, tag = "4")]
    screening_id: String,
}

/// Screens `s`; true when the answer came back with the decision `want`
/// and a screening id (anything else counts as an error).
async fn screen(
    ch: Channel,
    token: Arc<MetadataValue<tonic::metadata::Ascii>>,
    s: pb::Shipment,
    want: pb::Decision,
) -> bool {
    let mut grpc = tonic::client::Grpc::new(ch);
    if grpc.ready().await.is_err() {
        return false;
    }
    let mut req = tonic::Request::new(pb::ScreenShipmentRequest {
        shipment: Some(s),
        ..Default::default()
    });
    req.metadata_mut()
        .insert("authorization", token.as_ref().clone());
    let path =
        http::uri::PathAndQuery::from_static("/exportscreen.v1.ScreeningService/ScreenShipment");
    let codec = tonic_prost::ProstCodec::<pb::ScreenShipmentRequest, Answer>::default();
    match grpc.unary(req, path, codec).await {
        Ok(r) => r.get_ref().decision == want as i32 && !r.get_ref().screening_id.is_empty(),
        Err(_) => false,
    }
}

/// Empty RPCs (`grpc.health.v1.Health/Check`) for `seconds`.
async fn health_phase(channels: &[Channel], target: (u32, SocketAddr), seconds: f64) -> Phase {
    drive(channels, target, seconds, |ch, _| async move {
        HealthClient::new(ch)
            .check(HealthCheckRequest {
                service: String::new(),
            })
            .await
            .is_ok()
    })
    .await
}

/// ScreenShipment for `seconds`, nine in ten CLEAR and one in ten flagged,
/// each its own shipment (references `{prefix}-{n}`).
async fn mixed_phase(
    channels: &[Channel],
    target: (u32, SocketAddr),
    seconds: f64,
    token: &Arc<MetadataValue<tonic::metadata::Ascii>>,
    prefix: &str,
) -> Phase {
    let token = Arc::clone(token);
    let prefix = prefix.to_string();
    drive(channels, target, seconds, move |ch, n| {
        screen(
            ch,
            Arc::clone(&token),
            shipment(format!("{prefix}-{n}"), n % 10 == 0),
            expected(n % 10 == 0),
        )
    })
    .await
}

/// The decision a bench shipment must get.
fn expected(listed: bool) -> pb::Decision {
    if listed {
        pb::Decision::Prohibited
    } else {
        pb::Decision::Clear
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let seconds: f64 = args
        .iter()
        .position(|a| a == "--seconds")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(if quick { 3.0 } else { 10.0 });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<f64>().ok())
    };
    let pairs = Pairs {
        count: value("--pairs").map_or(if quick { 2 } else { 5 }, |n| n.max(0.0) as usize),
        seconds: value("--pair-seconds").unwrap_or(if quick { 1.0 } else { 2.0 }),
    };
    runtime.block_on(run(seconds, pairs));
}

/// The alternating pairs of phases (measure 3 of the module documentation).
#[derive(Clone, Copy)]
struct Pairs {
    count: usize,
    seconds: f64,
}

/// The median of `v` (0 when empty).
fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

async fn run(seconds: f64, pairs: Pairs) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let metrics = SocketAddr::from(([127, 0, 0, 1], server::free_port()));
    let mut server = server::start(dir.path(), &["--metrics-listen", &metrics.to_string()]).await;
    let pid = server.child.id().unwrap_or(0);
    // Where the phases read the server's CPU time and store totals.
    let target = (pid, metrics);
    let channels: Vec<Channel> = (0..CONNECTIONS)
        .map(|_| server::channel(server.addr))
        .collect();
    let token: Arc<MetadataValue<_>> = Arc::new(
        format!("Bearer {}", server.token)
            .parse()
            .unwrap_or_else(|e| panic!("{e}")),
    );
    println!(
        "server pid {pid}, {} concurrent calls over {CONNECTIONS} connections, {seconds} s per phase",
        streams()
    );

    // Warm-up: connections, caches, the engine's first screenings.
    mixed_phase(&channels, target, 1.0, &token, "WARM").await;

    let health = health_phase(&channels, target, seconds).await;

    let screening = mixed_phase(&channels, target, seconds, &token, "MIX").await;

    println!();
    println!(
        "| phase | calls/s | p50 | p99 | errors | server CPU/call | client CPU/call | writes per batch | writes per flush | mean flush | machine idle |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let row = |name: &str, p: &Phase| {
        let (server, client) = p.cpu_per_call();
        println!(
            "| {name} | {:.0} | {:.2} ms | {:.2} ms | {} | {server:.1} us | {client:.1} us | {} | {} |",
            p.rate(),
            p.pct(0.5).as_secs_f64() * 1e3,
            p.pct(0.99).as_secs_f64() * 1e3,
            p.errors,
            p.store.cell(),
            p.idle
                .map(|i| format!("{:.0} %", i * 100.0))
                .unwrap_or_else(|| "-".into())
        );
    };
    row("empty RPC (health Check)", &health);
    row("ScreenShipment (9/10 CLEAR)", &screening);
    println!(
        "\nratio ScreenShipment / empty RPC: {:.3}",
        screening.rate() / health.rate()
    );
    let cpu = |p: &Phase| {
        let (server, client) = p.cpu_per_call();
        server + client
    };
    println!(
        "ratio of CPU per call (empty RPC / ScreenShipment, server and client): {:.3}",
        cpu(&health) / cpu(&screening)
    );

    if pairs.count > 0 {
        println!(
            "\n{} alternating pairs of {} s phases (empty RPC, then ScreenShipment):",
            pairs.count, pairs.seconds
        );
        println!("| pair | empty RPC calls/s | ScreenShipment calls/s | errors | ratio |");
        println!("|---|---|---|---|---|");
        let mut ratios = Vec::with_capacity(pairs.count);
        for pair in 1..=pairs.count {
            let h = health_phase(&channels, target, pairs.seconds).await;
            let prefix = format!("PAIR{pair}");
            let s = mixed_phase(&channels, target, pairs.seconds, &token, &prefix).await;
            let ratio = s.rate() / h.rate().max(f64::MIN_POSITIVE);
            ratios.push(ratio);
            println!(
                "| {pair} | {:.0} | {:.0} | {} | {ratio:.3} |",
                h.rate(),
                s.rate(),
                h.errors + s.errors
            );
        }
        println!("median ratio of the pairs: {:.3}", median(&mut ratios));
    }

    println!("\nthree rounds of one flagged consignee, one shipment reference (its case grows):");
    println!(
        "| round | calls/s | p99 | server CPU/call | writes per batch | writes per flush | mean flush | case screenings after | server RSS after |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let mut rates = Vec::new();
    let mut total = 0u64;
    for round in 1..=3 {
        let token = Arc::clone(&token);
        let p = drive(&channels, target, seconds, move |ch, _| {
            screen(
                ch,
                Arc::clone(&token),
                shipment("BENCH-CASE".into(), true),
                expected(true),
            )
        })
        .await;
        total += p.calls;
        rates.push(p.rate());
        println!(
            "| {round} | {:.0} | {:.2} ms | {:.1} us | {} | {} | {:.1} MiB |",
            p.rate(),
            p.pct(0.99).as_secs_f64() * 1e3,
            p.cpu_per_call().0,
            p.store.cell(),
            total,
            rss_mib(pid)
        );
    }
    println!(
        "round 3 / round 1: {:.3}",
        rates[2] / rates[0].max(f64::MIN_POSITIVE)
    );
    let _ = server.child.start_kill();
    let _ = server.child.wait().await;
    println!(
        "database on disk after the run: {:.0} MiB",
        dir_bytes(dir.path()) as f64 / (1 << 20) as f64
    );
}

/// Bytes of the files under `dir`.
fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| match e.metadata() {
                Ok(m) if m.is_dir() => dir_bytes(&e.path()),
                Ok(m) => m.len(),
                Err(_) => 0,
            })
            .sum()
    })
}
