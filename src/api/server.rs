//! The gRPC server: start-up, the services (screening, lists, admin,
//! health, reflection v1 and v1alpha) behind the access-control layer,
//! optional TLS, the metrics endpoint, and graceful shutdown.
//!
//! [`run`] takes an already bound listener and a shutdown future, so tests
//! bind `127.0.0.1:0` and stop the server when they are done, and `serve`
//! passes SIGTERM | SIGINT. [`run_with`] also takes the metrics listener.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;
use tonic_health::ServingStatus;
use tracing::info;

use super::auth::admin::AdminApi;
use super::auth::bootstrap::{self, BootstrapError};
use super::auth::layer::{AccessControl, AccessLayer};
use super::auth::rate::RateLimit;
use super::cases::{AuditApi, CaseApi};
use super::lists::ListApi;
use super::pb;
use super::pb::admin_service_server::AdminServiceServer;
use super::pb::audit_service_server::AuditServiceServer;
use super::pb::case_service_server::CaseServiceServer;
use super::pb::list_service_server::ListServiceServer;
use super::pb::screening_service_server::ScreeningServiceServer;
use super::screening::ScreeningApi;
use super::seed::SeedError;
use super::startup;
use super::tls::{self, TlsError, TlsFiles};
use crate::engine::EngineError;
use crate::store::StoreError;

/// Largest request message of the screening service (a shipment with the
/// maximum number of items and parties).
pub const MAX_SCREENING_MESSAGE: usize = 16 << 20;
/// Largest request message of the list service: one 1 MiB chunk plus
/// framing, with room so an oversized chunk gets our own error naming it.
pub const MAX_LIST_MESSAGE: usize = 4 << 20;
/// Largest request message of the admin service.
pub const MAX_ADMIN_MESSAGE: usize = 64 << 10;

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
    /// A CA certificate (PEM) the scheduled refresh trusts besides the
    /// platform's trust store (a TLS-inspecting proxy's CA).
    pub ca_cert: Option<PathBuf>,
}

impl ServerConfig {
    /// Defaults for a data directory: seeding on.
    pub fn new(data_dir: impl Into<PathBuf>) -> ServerConfig {
        ServerConfig {
            data_dir: data_dir.into(),
            seed_defaults: true,
            rescreen_days: super::state::DEFAULT_RESCREEN_DAYS,
            tls: None,
            allow_plaintext: false,
            rate_limit: RateLimit::default(),
            ca_cert: None,
        }
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
    Refresh(#[from] super::refresh::RefreshConfigError),
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

    let refresh_config =
        super::refresh::load(&config.data_dir.join(startup::CONFIG_DIR))?.map(|mut r| {
            r.ca_cert.clone_from(&config.ca_cert);
            r
        });
    let state = Arc::new(startup::open(&config).await?);
    bootstrap::ensure_admin_token(state.store(), &config.data_dir)?;
    let access = Arc::new(AccessControl::new(state.store().clone(), config.rate_limit));
    let refreshing = refresh_config
        .map(|c| super::refresh::start(Arc::clone(&state), c))
        .unwrap_or_default();
    let engine = state.engine();
    info!(
        lists = engine.lists().len(),
        policy_version = %engine.policy_ref().version,
        "engine live"
    );
    drop(engine);

    let screening = ScreeningServiceServer::new(ScreeningApi::new(Arc::clone(&state)))
        .max_decoding_message_size(MAX_SCREENING_MESSAGE);
    let lists = ListServiceServer::new(ListApi::new(Arc::clone(&state)))
        .max_decoding_message_size(MAX_LIST_MESSAGE);
    let cases = CaseServiceServer::new(CaseApi::new(Arc::clone(&state)));
    let audit = AuditServiceServer::new(AuditApi::new(Arc::clone(&state)));
    let admin = AdminServiceServer::new(AdminApi::new(Arc::clone(&state)))
        .max_decoding_message_size(MAX_ADMIN_MESSAGE);

    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_serving::<ScreeningServiceServer<ScreeningApi>>()
        .await;
    health.set_serving::<ListServiceServer<ListApi>>().await;
    health.set_serving::<CaseServiceServer<CaseApi>>().await;
    health.set_serving::<AuditServiceServer<AuditApi>>().await;
    health.set_serving::<AdminServiceServer<AdminApi>>().await;
    health.set_service_status("", ServingStatus::Serving).await;

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

    let metrics_task = match metrics {
        Some(l) => {
            info!(addr = ?l.local_addr().ok(), "metrics on http://ADDR/metrics");
            Some(tokio::spawn(super::metrics::serve(l, Arc::clone(&state))))
        }
        None => None,
    };

    info!(
        %addr,
        tls = tls_config.is_some(),
        mtls = config.tls.as_ref().is_some_and(|t| t.client_ca.is_some()),
        data_dir = %config.data_dir.display(),
        "serving"
    );
    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    let hub_state = Arc::clone(&state);
    let signal = async move {
        shutdown.await;
        info!("shutting down: finishing running calls");
        // Console streams never end by themselves.
        hub_state.cases().close();
        for name in [
            "",
            <ScreeningServiceServer<ScreeningApi> as tonic::server::NamedService>::NAME,
            <ListServiceServer<ListApi> as tonic::server::NamedService>::NAME,
            <CaseServiceServer<CaseApi> as tonic::server::NamedService>::NAME,
            <AuditServiceServer<AuditApi> as tonic::server::NamedService>::NAME,
            <AdminServiceServer<AdminApi> as tonic::server::NamedService>::NAME,
        ] {
            health
                .set_service_status(name, ServingStatus::NotServing)
                .await;
        }
    };
    let mut builder = Server::builder();
    if let Some(tls_config) = tls_config {
        builder = builder.tls_config(tls_config)?;
    }
    let served = builder
        .layer(AccessLayer::new(access))
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(screening)
        .add_service(lists)
        .add_service(cases)
        .add_service(audit)
        .add_service(admin)
        .serve_with_incoming_shutdown(incoming, signal)
        .await;
    for task in refreshing {
        task.abort();
    }
    if let Some(task) = metrics_task {
        task.abort();
    }
    // A re-screening in progress finishes (its cases are not lost).
    state.rescreen_idle().await;
    // Everything acknowledged was flushed already; this covers the rest.
    state.store().flush().await?;
    info!("stopped");
    served.map_err(ServeError::from)
}
