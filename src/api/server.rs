//! The gRPC server: start-up, the services (screening, lists, cases,
//! audit, admin, webhooks, health, reflection v1 and v1alpha) behind the
//! access-control layer, optional TLS, HTTP/2 settings, the metrics
//! endpoint, the health watchdog, and shutdown.
//!
//! [`run`] takes an already bound listener and a shutdown future, so tests
//! bind `127.0.0.1:0` and stop the server when they are done, and `serve`
//! passes SIGTERM | SIGINT. [`run_with`] also takes the metrics listener.
//!
//! Shutdown: health turns NOT_SERVING, the listener closes, running calls
//! and streams may finish, background tasks stop, the store's writer makes
//! everything durable. All of it within [`ServerConfig::shutdown_grace`]:
//! what is still running then (calls, tasks, pending writes) is named in
//! the log and abandoned ([`ServeError::Abandoned`]), so a stuck call or a
//! stuck disk never keeps the process alive.
//!
//! HTTP/2: large flow-control windows let a fast client stream a big batch
//! without its small DATA frames exhausting h2's frame budget (which would
//! end the connection with ENHANCE_YOUR_CALM "too_many_data_frames"); the
//! server reads a stream as fast as it screens it, so the windows are what
//! holds a fast client back.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio_stream::StreamExt;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;
use tonic_health::ServingStatus;
use tracing::{error, info, warn};

use super::auth::admin::AdminApi;
use super::auth::bootstrap::{self, BootstrapError};
use super::auth::layer::{AccessControl, AccessLayer};
use super::auth::rate::RateLimit;
use super::cases::{AuditApi, CaseApi};
use super::connection::Coalescing;
use super::lists::ListApi;
use super::pb;
use super::pb::admin_service_server::AdminServiceServer;
use super::pb::audit_service_server::AuditServiceServer;
use super::pb::case_service_server::CaseServiceServer;
use super::pb::list_service_server::ListServiceServer;
use super::pb::screening_service_server::ScreeningServiceServer;
use super::pb::webhook_service_server::WebhookServiceServer;
use super::screening::ScreeningApi;
use super::startup;
use super::tls::{self, TlsError, TlsFiles};
use super::watchdog;
use super::webhooks::WebhookApi;
use crate::engine::EngineError;
use crate::service::seed::SeedError;
use crate::service::webhooks::WebhookOptions;
use crate::service::{DEFAULT_RESCREEN_DAYS, refresh};
use crate::store::{SharedStore, StoreError};

/// Largest request message of the screening service (a shipment with the
/// maximum number of items and parties).
pub const MAX_SCREENING_MESSAGE: usize = 16 << 20;
/// Largest request message of the list service: one 1 MiB chunk plus
/// framing, with room so an oversized chunk gets our own error naming it.
pub const MAX_LIST_MESSAGE: usize = 4 << 20;
/// Largest request message of the admin service.
pub const MAX_ADMIN_MESSAGE: usize = 64 << 10;
/// HTTP/2 flow-control window of a connection (all its streams).
pub const CONNECTION_WINDOW: u32 = 16 << 20;
/// HTTP/2 flow-control window of one stream.
pub const STREAM_WINDOW: u32 = 4 << 20;
/// Default time shutdown may take before running work is abandoned.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(8);

/// How the server runs.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ServerConfig {
    /// Data directory: `db/` (sled) and `config/` (reference configuration).
    pub data_dir: PathBuf,
    /// Import the bundled default lists that the store does not have yet
    /// (on by default; tests that pre-fill the store turn it off).
    pub seed_defaults: bool,
    /// Look-back window in days of the re-screening after a denial-list
    /// change (default 90; 0 turns it off).
    pub rescreen_days: u32,
    /// TLS identity (and client CA for mTLS); `None`: plaintext.
    pub tls: Option<TlsFiles>,
    /// Serve plaintext on addresses other than loopback.
    pub allow_plaintext: bool,
    /// Per-principal rate limit (ADMIN exempt).
    pub rate_limit: RateLimit,
    /// A store opened by the caller (tests, another backend); `None`: the
    /// sled database in `data_dir/db`.
    pub store: Option<SharedStore>,
    /// Threads of the engine pool (0: one per core).
    pub engine_threads: usize,
    /// How long shutdown may take before running work is abandoned.
    pub shutdown_grace: Duration,
    /// How long the store's writer may make no progress while writes wait
    /// before health reports NOT_SERVING.
    pub writer_stall: Duration,
    /// A CA certificate (PEM) the scheduled refresh trusts besides the
    /// platform's trust store (a TLS-inspecting proxy's CA).
    pub ca_cert: Option<PathBuf>,
    /// How webhook deliveries are made and retried (`ca_cert` above is
    /// trusted for https receivers too).
    pub webhooks: WebhookOptions,
}

impl ServerConfig {
    /// Defaults for a data directory: seeding on.
    pub fn new(data_dir: impl Into<PathBuf>) -> ServerConfig {
        ServerConfig {
            data_dir: data_dir.into(),
            seed_defaults: true,
            rescreen_days: DEFAULT_RESCREEN_DAYS,
            tls: None,
            allow_plaintext: false,
            rate_limit: RateLimit::default(),
            store: None,
            engine_threads: 0,
            shutdown_grace: SHUTDOWN_GRACE,
            writer_stall: watchdog::WRITER_STALL,
            ca_cert: None,
            webhooks: WebhookOptions::default(),
        }
    }

    /// Sets how webhook deliveries are made and retried.
    pub fn webhooks(mut self, options: WebhookOptions) -> ServerConfig {
        self.webhooks = options;
        self
    }

    /// Serves from a store opened by the caller instead of `data_dir/db`.
    pub fn store(mut self, store: SharedStore) -> ServerConfig {
        self.store = Some(store);
        self
    }

    /// Sets the engine pool's threads (0: one per core).
    pub fn engine_threads(mut self, threads: usize) -> ServerConfig {
        self.engine_threads = threads;
        self
    }

    /// Sets how long shutdown may take.
    pub fn shutdown_grace(mut self, grace: Duration) -> ServerConfig {
        self.shutdown_grace = grace;
        self
    }

    /// Sets how long the writer may stall before health says NOT_SERVING.
    pub fn writer_stall(mut self, stall: Duration) -> ServerConfig {
        self.writer_stall = stall;
        self
    }

    /// Trusts `ca_cert` (besides the platform's roots) for the scheduled
    /// refresh's downloads.
    pub fn ca_cert(mut self, ca_cert: Option<PathBuf>) -> ServerConfig {
        self.ca_cert = ca_cert;
        self
    }

    /// Sets the re-screening look-back window in days (0: off).
    pub fn rescreen_days(mut self, days: u32) -> ServerConfig {
        self.rescreen_days = days;
        self
    }

    /// Serves TLS with these files (mTLS when a client CA is given).
    pub fn tls(mut self, files: Option<TlsFiles>) -> ServerConfig {
        self.tls = files;
        self
    }

    /// Allows plaintext on addresses other than loopback.
    pub fn allow_plaintext(mut self, on: bool) -> ServerConfig {
        self.allow_plaintext = on;
        self
    }

    /// Sets the per-principal rate limit.
    pub fn rate_limit(mut self, limit: RateLimit) -> ServerConfig {
        self.rate_limit = limit;
        self
    }

    /// Turns seeding of the bundled lists on or off.
    pub fn seed_defaults(mut self, on: bool) -> ServerConfig {
        self.seed_defaults = on;
        self
    }
}

/// The server could not start, or failed while serving.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The data directory (or a file in it) could not be created or read.
    #[error("data directory: {path}: {cause}")]
    DataDir {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        cause: std::io::Error,
    },
    /// The data directory is not private (group- or world-writable) or
    /// cannot be made so.
    #[error(transparent)]
    Insecure(#[from] super::datadir::DataDirError),
    /// The database could not be opened or read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A reference configuration file is invalid.
    #[error(
        "invalid reference configuration in {dir} (fix the file, or delete it to use the default): {cause}"
    )]
    Config {
        /// The configuration directory.
        dir: PathBuf,
        /// The engine's message, naming the file.
        cause: EngineError,
    },
    /// The engine could not be built from the stored lists.
    #[error("building the engine from the stored lists: {0}")]
    Engine(EngineError),
    /// A bundled list could not be seeded.
    #[error(transparent)]
    Seed(#[from] SeedError),
    /// The reflection service could not be built.
    #[error("reflection service: {0}")]
    Reflection(tonic_reflection::server::Error),
    /// The transport failed (the cause is the error's `source()`).
    #[error("grpc transport failed")]
    Transport(#[from] tonic::transport::Error),
    /// A start-up task failed.
    #[error("start-up task failed: {0}")]
    Task(String),
    /// The scheduled-refresh configuration is invalid.
    #[error("invalid scheduled-refresh configuration: {0}")]
    Refresh(#[from] refresh::RefreshConfigError),
    /// Shutdown took longer than allowed: the work named was abandoned.
    #[error(
        "shutdown abandoned {calls} running call(s), {writes} pending write(s) and tasks [{}] after {grace:?}",
        tasks.join(", ")
    )]
    Abandoned {
        /// Calls still running.
        calls: usize,
        /// Writes submitted and not yet durable.
        writes: u64,
        /// Background tasks still running.
        tasks: Vec<String>,
        /// The time allowed.
        grace: Duration,
    },
    /// TLS cannot be set up, or plaintext is not allowed on the address.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The first ADMIN token could not be created.
    #[error(transparent)]
    Bootstrap(#[from] BootstrapError),
}

/// Opens the data directory and serves on `listener` until `shutdown`
/// completes; then stops accepting, lets running calls finish and flushes
/// the store.
///
/// Health (`grpc.health.v1`) reports SERVING for `""` and each service once
/// the engine is live; start-up (seeding included) happens before the first
/// connection is served.
///
/// # Errors
/// [`ServeError`] when start-up fails (with the reason) or the transport fails.
pub async fn run(
    listener: TcpListener,
    config: ServerConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServeError> {
    run_with(listener, None, config, shutdown).await
}

/// [`run`], also serving Prometheus metrics on `metrics` (plain HTTP,
/// `/metrics`) while the server runs.
///
/// # Errors
/// As [`run`]; also when TLS cannot be set up or plaintext is refused on a
/// non-loopback address.
pub async fn run_with(
    listener: TcpListener,
    metrics: Option<TcpListener>,
    config: ServerConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServeError> {
    run_with_http(listener, metrics, None, config, shutdown).await
}

/// [`run_with`], also serving the HTTP/JSON front ([`crate::http`]) on
/// `http`: the same services behind the same layer, called in process.
///
/// # Errors
/// As [`run_with`]; plaintext HTTP follows the same rule as gRPC
/// (loopback only unless allowed), and is refused when gRPC uses TLS.
pub async fn run_with_http(
    listener: TcpListener,
    metrics: Option<TcpListener>,
    http: Option<TcpListener>,
    config: ServerConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServeError> {
    let addr = listener.local_addr().map_err(|cause| ServeError::DataDir {
        path: config.data_dir.clone(),
        cause,
    })?;
    tls::check_plaintext(addr, config.tls.is_some(), config.allow_plaintext)?;
    // Before anything in it is read: a directory others may write to is refused.
    let tightened = super::datadir::secure(&config.data_dir)?;
    if tightened > 0 {
        info!(tightened, data_dir = %config.data_dir.display(), "data directory made private (0700, files 0600)");
    }
    let tls_config = config.tls.as_ref().map(tls::server_config).transpose()?;
    if let Some(l) = &http {
        let http_addr = l.local_addr().map_err(|cause| ServeError::DataDir {
            path: config.data_dir.clone(),
            cause,
        })?;
        // The HTTP front has no TLS of its own: never plaintext beside TLS.
        tls::check_plaintext(
            http_addr,
            false,
            config.allow_plaintext && tls_config.is_none(),
        )?;
    }

    let refresh_config = refresh::load(&config.data_dir.join(startup::CONFIG_DIR))?.map(|mut r| {
        r.ca_cert.clone_from(&config.ca_cert);
        r
    });
    let services = startup::open(&config).await?;
    let store = Arc::clone(services.store());
    {
        let (store, dir) = (Arc::clone(&store), config.data_dir.clone());
        tokio::task::spawn_blocking(move || bootstrap::ensure_admin_token(store.as_ref(), &dir))
            .await
            .map_err(|e| ServeError::Task(e.to_string()))??;
    }
    let access = Arc::new(AccessControl::new(Arc::clone(&store), config.rate_limit));
    let tasks = services.core().tasks();
    if let Some(c) = refresh_config {
        refresh::start(tasks, &services.lists, c);
    }
    services.webhooks.load().await.map_err(|e| match e {
        crate::Error::Store(e) => ServeError::Store(e),
        other => ServeError::Task(other.to_string()),
    })?;
    let mut webhook_options = config.webhooks.clone();
    if webhook_options.ca_cert.is_none() {
        webhook_options.ca_cert.clone_from(&config.ca_cert);
    }
    services
        .webhooks
        .start(super::webhooks::encode_event, webhook_options);
    let engine = services.engine();
    info!(
        lists = engine.lists().len(),
        policy_version = %engine.policy_ref().version,
        engine_threads = services.core().pool().threads(),
        "engine live"
    );
    drop(engine);

    let screening = ScreeningServiceServer::new(ScreeningApi::new(services.clone()))
        .max_decoding_message_size(MAX_SCREENING_MESSAGE);
    let lists = ListServiceServer::new(ListApi::new(services.clone()))
        .max_decoding_message_size(MAX_LIST_MESSAGE);
    let cases = CaseServiceServer::new(CaseApi::new(services.clone()));
    let audit = AuditServiceServer::new(AuditApi::new(services.clone()));
    let admin = AdminServiceServer::new(AdminApi::new(services.clone()))
        .max_decoding_message_size(MAX_ADMIN_MESSAGE);
    let webhooks = WebhookServiceServer::new(WebhookApi::new(services.clone()))
        .max_decoding_message_size(MAX_ADMIN_MESSAGE);

    let (health, health_service) = tonic_health::server::health_reporter();
    let names: Vec<&'static str> = vec![
        "",
        <ScreeningServiceServer<ScreeningApi> as tonic::server::NamedService>::NAME,
        <ListServiceServer<ListApi> as tonic::server::NamedService>::NAME,
        <CaseServiceServer<CaseApi> as tonic::server::NamedService>::NAME,
        <AuditServiceServer<AuditApi> as tonic::server::NamedService>::NAME,
        <AdminServiceServer<AdminApi> as tonic::server::NamedService>::NAME,
        <WebhookServiceServer<WebhookApi> as tonic::server::NamedService>::NAME,
    ];
    for name in &names {
        health
            .set_service_status(*name, ServingStatus::Serving)
            .await;
    }
    watchdog::start(
        tasks,
        Arc::clone(&store),
        health.clone(),
        names.clone(),
        config.writer_stall,
    );

    // Health's descriptors so grpcurl can call it by name; google.rpc's so
    // it can decode the BadRequest details of INVALID_ARGUMENT errors.
    let descriptors = [
        pb::FILE_DESCRIPTOR_SET,
        tonic_health::pb::FILE_DESCRIPTOR_SET,
        tonic_types::pb::FILE_DESCRIPTOR_SET,
    ];
    let reflection_v1 = descriptors
        .iter()
        .fold(tonic_reflection::server::Builder::configure(), |b, d| {
            b.register_encoded_file_descriptor_set(d)
        })
        .build_v1()
        .map_err(ServeError::Reflection)?;
    let reflection_v1alpha = descriptors
        .iter()
        .fold(tonic_reflection::server::Builder::configure(), |b, d| {
            b.register_encoded_file_descriptor_set(d)
        })
        .build_v1alpha()
        .map_err(ServeError::Reflection)?;

    if let Some(l) = metrics {
        info!(addr = ?l.local_addr().ok(), "metrics on http://ADDR/metrics");
        let (services, shutdown) = (services.clone(), tasks.shutdown());
        tasks.spawn(
            "metrics endpoint",
            super::metrics::serve(l, services, shutdown),
        );
    }

    let (http_stop, http_stopped) = tokio::sync::oneshot::channel::<()>();
    let http_task = http.map(|l| {
        let routes = tonic::service::Routes::new(health_service.clone())
            .add_service(screening.clone())
            .add_service(lists.clone())
            .add_service(cases.clone())
            .add_service(audit.clone())
            .add_service(admin.clone())
            .add_service(webhooks.clone());
        let grpc = tower::util::BoxCloneSyncService::new(tower::Layer::layer(
            &AccessLayer::new(Arc::clone(&access)),
            routes,
        ));
        let live = services.clone();
        let engine: crate::http::console::EngineSource = Arc::new(move || live.engine());
        tokio::spawn(crate::http::serve(l, grpc, Some(engine), async move {
            let _ = http_stopped.await;
        }))
    });

    info!(
        %addr,
        tls = tls_config.is_some(),
        mtls = config.tls.as_ref().is_some_and(|t| t.client_ca.is_some()),
        data_dir = %config.data_dir.display(),
        "serving"
    );
    // Each connection gathers h2's frames between flushes: an answer leaves
    // in one write (see `connection`).
    let incoming = TcpIncoming::from(listener)
        .with_nodelay(Some(true))
        .map(|accepted| accepted.map(Coalescing::new));
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let mut builder = Server::builder()
        .initial_connection_window_size(CONNECTION_WINDOW)
        .initial_stream_window_size(STREAM_WINDOW);
    if let Some(tls_config) = tls_config {
        builder = builder.tls_config(tls_config)?;
    }
    let served = builder
        .layer(AccessLayer::new(Arc::clone(&access)))
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(screening)
        .add_service(lists)
        .add_service(cases)
        .add_service(audit)
        .add_service(admin)
        .add_service(webhooks)
        .serve_with_incoming_shutdown(incoming, async {
            let _ = stop_rx.await;
        });
    tokio::pin!(served);

    let grace = config.shutdown_grace;
    let mut http_stop = Some(http_stop);
    let (result, deadline) = tokio::select! {
        r = &mut served => (r, Instant::now() + grace),
        () = shutdown => {
            let deadline = Instant::now() + grace;
            info!(grace_secs = grace.as_secs_f64(), "shutting down: finishing running calls");
            // Background tasks (consoles, refresh, metrics, watchdog) stop.
            tasks.trigger();
            for name in &names {
                health
                    .set_service_status(*name, ServingStatus::NotServing)
                    .await;
            }
            let _ = stop_tx.send(());
            if let Some(stop) = http_stop.take() {
                let _ = stop.send(());
            }
            match tokio::time::timeout_at(deadline.into(), &mut served).await {
                Ok(r) => (r, deadline),
                Err(_) => {
                    let calls = access.in_flight();
                    let writes = store.writer_health().pending;
                    let abandoned = tasks.wait(Duration::ZERO).await;
                    error!(
                        calls,
                        writes,
                        tasks = %abandoned.join(", "),
                        "shutdown took too long: running calls, pending writes and tasks are abandoned"
                    );
                    return Err(ServeError::Abandoned { calls, writes, tasks: abandoned, grace });
                }
            }
        }
    };
    // The HTTP front stops with the gRPC one.
    if let Some(stop) = http_stop.take() {
        let _ = stop.send(());
    }
    if let Some(task) = http_task {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, task).await {
            Ok(Ok(Err(e))) => warn!(error = %e, "http/json front failed"),
            Ok(_) => {}
            Err(_) => warn!("the http/json front did not stop in time"),
        }
    }
    // Everything owned stops (a re-screening in progress finishes: its
    // cases are not lost), then the writer makes everything durable.
    tasks.trigger();
    let left = deadline.saturating_duration_since(Instant::now());
    let abandoned = tasks.wait(left).await;
    let left = deadline.saturating_duration_since(Instant::now());
    let closed = tokio::time::timeout(left, store.close()).await;
    let writes = store.writer_health().pending;
    match closed {
        Ok(Ok(())) if abandoned.is_empty() => {}
        Ok(Ok(())) => {
            return Err(ServeError::Abandoned {
                calls: 0,
                writes: 0,
                tasks: abandoned,
                grace,
            });
        }
        Ok(Err(e)) => return Err(e.into()),
        Err(_) => {
            warn!(
                writes,
                "the store's writer did not finish in time: pending writes are abandoned"
            );
            return Err(ServeError::Abandoned {
                calls: 0,
                writes,
                tasks: abandoned,
                grace,
            });
        }
    }
    info!("stopped");
    result.map_err(ServeError::from)
}
