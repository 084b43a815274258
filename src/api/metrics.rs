//! Prometheus metrics, served as text on `/metrics` of a separate plain-HTTP
//! port (`serve --metrics-listen`).
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `exportscreen_requests_total` | counter | `method` (`other` for a path no service has), `code` (gRPC status name: `OK`, `PERMISSION_DENIED` ...) |
//! | `exportscreen_request_duration_seconds` | histogram | `method` (whole call, streams included) |
//! | `exportscreen_screening_engine_seconds` | histogram | (engine time of one shipment) |
//! | `exportscreen_screenings_total` | counter | `decision` |
//! | `exportscreen_findings_total` | counter | `kind` |
//! | `exportscreen_import_duration_seconds` | histogram | (ImportList calls, receive to live) |
//! | `exportscreen_list_version` | gauge | `list_id` |
//! | `exportscreen_list_entries` | gauge | `list_id` |
//! | `exportscreen_open_cases` | gauge | (the case queue) |
//! | `exportscreen_store_writes_total` | counter | (writes acknowledged durable) |
//! | `exportscreen_store_batches_total` | counter | (batches of writes committed together; with the writes, group commit at work) |
//! | `exportscreen_store_flushes_total` | counter | (durable flushes, each covering one or more batches of writes) |
//! | `exportscreen_store_flush_seconds_total` | counter | (time spent in those flushes: divided by the flushes, the disk's sync latency) |
//! | `exportscreen_store_pending_writes` | gauge | (writes waiting for their flush) |
//!
//! The registry is process-wide (handlers record without plumbing); the
//! gauges are refreshed from the live state at each scrape.

use std::convert::Infallible;
use std::sync::OnceLock;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use prometheus::{
    Counter, Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};
use tokio::net::TcpListener;
use tracing::{debug, warn};

use super::status::code_name;
use crate::model::{FindingKind, ScreeningOutcome};
use crate::service::Services;
use crate::shutdown::Shutdown;

/// Path of the ImportList method (its durations also go to the import histogram).
const IMPORT_METHOD: &str = "/exportscreen.v1.ListService/ImportList";

/// The service's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    request_seconds: HistogramVec,
    engine_seconds: Histogram,
    screenings: IntCounterVec,
    findings: IntCounterVec,
    import_seconds: Histogram,
    list_version: IntGaugeVec,
    list_entries: IntGaugeVec,
    open_cases: IntGauge,
    store_writes: IntCounter,
    store_batches: IntCounter,
    store_flushes: IntCounter,
    store_flush_seconds: Counter,
    store_pending: IntGauge,
}

/// The process-wide metrics.
pub fn global() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::new)
}

impl Metrics {
    fn new() -> Metrics {
        let registry = Registry::new();
        let latency = vec![
            0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
            2.5, 5.0, 10.0,
        ];
        let m = Metrics {
            requests: IntCounterVec::new(
                Opts::new(
                    "exportscreen_requests_total",
                    "gRPC calls by method and status",
                ),
                &["method", "code"],
            )
            .unwrap_or_else(|e| unreachable_metric(e)),
            request_seconds: HistogramVec::new(
                HistogramOpts::new(
                    "exportscreen_request_duration_seconds",
                    "gRPC call duration by method (streams: until the last message)",
                )
                .buckets(latency.clone()),
                &["method"],
            )
            .unwrap_or_else(|e| unreachable_metric(e)),
            engine_seconds: Histogram::with_opts(
                HistogramOpts::new(
                    "exportscreen_screening_engine_seconds",
                    "engine time of one shipment screening",
                )
                .buckets(latency),
            )
            .unwrap_or_else(|e| unreachable_metric(e)),
            screenings: IntCounterVec::new(
                Opts::new(
                    "exportscreen_screenings_total",
                    "shipment screenings by decision",
                ),
                &["decision"],
            )
            .unwrap_or_else(|e| unreachable_metric(e)),
            findings: IntCounterVec::new(
                Opts::new(
                    "exportscreen_findings_total",
                    "findings of shipment screenings by kind",
                ),
                &["kind"],
            )
            .unwrap_or_else(|e| unreachable_metric(e)),
            import_seconds: Histogram::with_opts(
                HistogramOpts::new(
                    "exportscreen_import_duration_seconds",
                    "list imports (ImportList calls) from first message to the version live",
                )
                .buckets(vec![
                    0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
                ]),
            )
            .unwrap_or_else(|e| unreachable_metric(e)),
            list_version: IntGaugeVec::new(
                Opts::new("exportscreen_list_version", "live version of each list"),
                &["list_id"],
            )
            .unwrap_or_else(|e| unreachable_metric(e)),
            list_entries: IntGaugeVec::new(
                Opts::new("exportscreen_list_entries", "entries of each live list"),
                &["list_id"],
            )
            .unwrap_or_else(|e| unreachable_metric(e)),
            open_cases: IntGauge::new("exportscreen_open_cases", "cases waiting for an officer")
                .unwrap_or_else(|e| unreachable_metric(e)),
            store_writes: IntCounter::new(
                "exportscreen_store_writes_total",
                "store writes acknowledged durable",
            )
            .unwrap_or_else(|e| unreachable_metric(e)),
            store_batches: IntCounter::new(
                "exportscreen_store_batches_total",
                "batches of store writes committed together",
            )
            .unwrap_or_else(|e| unreachable_metric(e)),
            store_flushes: IntCounter::new(
                "exportscreen_store_flushes_total",
                "durable flushes of the store (each covers one or more batches of writes)",
            )
            .unwrap_or_else(|e| unreachable_metric(e)),
            store_flush_seconds: Counter::new(
                "exportscreen_store_flush_seconds_total",
                "time spent in durable flushes of the store",
            )
            .unwrap_or_else(|e| unreachable_metric(e)),
            store_pending: IntGauge::new(
                "exportscreen_store_pending_writes",
                "store writes waiting for their flush",
            )
            .unwrap_or_else(|e| unreachable_metric(e)),
            registry,
        };
        let collectors: [Box<dyn prometheus::core::Collector>; 14] = [
            Box::new(m.requests.clone()),
            Box::new(m.request_seconds.clone()),
            Box::new(m.engine_seconds.clone()),
            Box::new(m.screenings.clone()),
            Box::new(m.findings.clone()),
            Box::new(m.import_seconds.clone()),
            Box::new(m.list_version.clone()),
            Box::new(m.list_entries.clone()),
            Box::new(m.open_cases.clone()),
            Box::new(m.store_writes.clone()),
            Box::new(m.store_batches.clone()),
            Box::new(m.store_flushes.clone()),
            Box::new(m.store_flush_seconds.clone()),
            Box::new(m.store_pending.clone()),
        ];
        for c in collectors {
            if let Err(e) = m.registry.register(c) {
                unreachable_metric(e);
            }
        }
        m
    }

    /// Records a finished gRPC call.
    pub fn record_call(&self, method: &str, code: tonic::Code, elapsed: Duration) {
        self.requests
            .with_label_values(&[method, code_name(code)])
            .inc();
        let secs = elapsed.as_secs_f64();
        self.request_seconds
            .with_label_values(&[method])
            .observe(secs);
        if method == IMPORT_METHOD {
            self.import_seconds.observe(secs);
        }
    }

    /// Records a shipment screening.
    pub fn record_screening(&self, outcome: &ScreeningOutcome, engine_micros: u64) {
        self.engine_seconds
            .observe(Duration::from_micros(engine_micros).as_secs_f64());
        self.screenings
            .with_label_values(&[outcome.decision.as_str()])
            .inc();
        for f in &outcome.findings {
            self.findings.with_label_values(&[kind_name(f.kind)]).inc();
        }
    }

    /// Refreshes the gauges from the live state and renders every metric
    /// in the Prometheus text format (reads the store: call it off the
    /// async workers).
    pub fn render(&self, services: &Services) -> String {
        let engine = services.engine();
        for list in engine.lists() {
            self.list_version
                .with_label_values(&[&list.list_id])
                .set(i64::try_from(list.version).unwrap_or(i64::MAX));
            self.list_entries
                .with_label_values(&[&list.list_id])
                .set(i64::from(list.entries));
        }
        drop(engine);
        match services.store().open_case_count() {
            Ok(n) => self.open_cases.set(i64::try_from(n).unwrap_or(i64::MAX)),
            Err(e) => warn!(error = %e, "metrics: cannot count open cases"),
        }
        let w = services.store().writer_health();
        // The writer keeps the totals; the counters catch up to them.
        catch_up(&self.store_writes, w.completed);
        catch_up(&self.store_batches, w.batches);
        catch_up(&self.store_flushes, w.flushes);
        let flush_seconds = Duration::from_micros(w.flush_micros).as_secs_f64();
        let behind = flush_seconds - self.store_flush_seconds.get();
        if behind > 0.0 {
            self.store_flush_seconds.inc_by(behind);
        }
        self.store_pending
            .set(i64::try_from(w.pending).unwrap_or(i64::MAX));
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            warn!(error = %e, "metrics: encoding failed");
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

/// Raises `counter` to `total` (a counter never goes down).
fn catch_up(counter: &IntCounter, total: u64) {
    let now = counter.get();
    if total > now {
        counter.inc_by(total - now);
    }
}

fn kind_name(k: FindingKind) -> &'static str {
    match k {
        FindingKind::Item => "item",
        FindingKind::Party => "party",
        FindingKind::Destination => "destination",
        FindingKind::EndUse => "end_use",
    }
}

/// Metric definitions are constants: an error here is a programming error
/// caught by the first test that touches metrics.
fn unreachable_metric(e: prometheus::Error) -> ! {
    panic!("invalid metric definition: {e}")
}

/// Serves `/metrics` on `listener` (plain HTTP/1.1) until `shutdown`
/// fires. Any other path is 404.
pub async fn serve(listener: TcpListener, services: Services, mut shutdown: Shutdown) {
    loop {
        let accepted = tokio::select! {
            () = shutdown.recv() => break,
            a = listener.accept() => a,
        };
        let (stream, peer) = match accepted {
            Ok(c) => c,
            Err(e) => {
                warn!(error = %e, "metrics: accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let services = services.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req: http::Request<Incoming>| {
                let services = services.clone();
                async move {
                    let path = req.uri().path().to_string();
                    let resp = tokio::task::spawn_blocking(move || answer(&path, &services))
                        .await
                        .unwrap_or_else(|e| {
                            let mut r = http::Response::new(Full::new(bytes::Bytes::from(
                                format!("metrics failed: {e}\n"),
                            )));
                            *r.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
                            r
                        });
                    Ok::<_, Infallible>(resp)
                }
            });
            if let Err(e) = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                debug!(%peer, error = %e, "metrics connection ended");
            }
        });
    }
}

fn answer(path: &str, services: &Services) -> http::Response<Full<bytes::Bytes>> {
    let (status, content_type, body) = if path == "/metrics" {
        (
            http::StatusCode::OK,
            "text/plain; version=0.0.4",
            global().render(services),
        )
    } else {
        (
            http::StatusCode::NOT_FOUND,
            "text/plain",
            "not found: metrics are on /metrics\n".to_string(),
        )
    };
    let mut resp = http::Response::new(Full::new(bytes::Bytes::from(body)));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static(content_type),
    );
    resp
}
