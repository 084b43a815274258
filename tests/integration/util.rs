//! Test servers and fixtures: a real server on `127.0.0.1:0` over a
//! temporary data directory pre-filled with lists built from model types
//! and an ADMIN token ([`ADMIN_SECRET`]), seeding off. Each test stops its
//! own server ([`TestServer::stop`]).
//!
//! `TestServer::channel` sends the ADMIN token with every call, so clients
//! built on it (`XClient::new(server.channel.clone())`) are authorised;
//! [`TestServer::channel_with`] gives a channel with another token and
//! [`TestServer::raw`] one without any.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use exportscreen::api::auth::bootstrap::ADMIN_TOKEN_FILE;
use exportscreen::api::pb;
use exportscreen::api::pb::list_service_client::ListServiceClient;
use exportscreen::api::pb::screening_service_client::ScreeningServiceClient;
use exportscreen::api::startup::DB_DIR;
use exportscreen::api::{ServeError, ServerConfig};
use exportscreen::model::{
    ControlCategory, ControlEntry, DenialEntry, EntityKind, EntryName, ListContent, ListMeta,
    NameKind, SourceFile,
};
use exportscreen::store::NewListVersion;
use exportscreen::store::tokens::{NewToken, token_hash};
use exportscreen::store::{SledStore, Store};
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::process::{Child, Command};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

/// The denial list every test server has.
pub const DENIAL_ID: &str = "test-denial";
/// The control list every test server has.
pub const CONTROL_ID: &str = "test-control";
/// The listed name of the test denial list's first entry.
pub const LISTED_NAME: &str = "Zephyr Orbital Propulsion Works";

/// The ADMIN token of every [`data_dir`].
pub const ADMIN_SECRET: &str = "es_test-admin-secret";

/// Adds `authorization: Bearer <token>` to every call.
#[derive(Clone)]
pub struct Bearer(MetadataValue<Ascii>);

impl Bearer {
    /// A bearer for `secret`.
    pub fn new(secret: &str) -> Bearer {
        Bearer(format!("Bearer {secret}").parse().unwrap())
    }
}

impl Interceptor for Bearer {
    fn call(&mut self, mut req: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        req.metadata_mut().insert("authorization", self.0.clone());
        Ok(req)
    }
}

/// A channel that sends a token with every call.
pub type AuthChannel = InterceptedService<Channel, Bearer>;

/// A running server.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    /// The HTTP/JSON front, `http://127.0.0.1:PORT`.
    pub http_url: String,
    /// A channel sending the ADMIN token.
    pub channel: AuthChannel,
    /// A channel sending no token.
    pub raw: Channel,
    /// The ADMIN token ([`ADMIN_SECRET`], or the one a fresh data directory got).
    pub admin_token: String,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<Result<(), ServeError>>>,
}

impl TestServer {
    /// Starts a server on `dir` with seeding off and waits until it is SERVING.
    pub async fn start(dir: &Path) -> TestServer {
        Self::start_with(dir, false).await
    }

    /// Starts a server on a fresh `dir` seeded with the bundled lists, as
    /// `cargo run` does, and waits until it is SERVING.
    pub async fn start_seeded(dir: &Path) -> TestServer {
        Self::start_with(dir, true).await
    }

    async fn start_with(dir: &Path, seed: bool) -> TestServer {
        Self::start_config(ServerConfig::new(dir).seed_defaults(seed)).await
    }

    /// Starts a server with `config` (its data directory as given) and waits
    /// until it is SERVING.
    pub async fn start_config(config: ServerConfig) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let http = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let http_url = format!("http://{}", http.local_addr().unwrap());
        let (tx, rx) = oneshot::channel::<()>();
        let dir = config.data_dir.clone();
        let handle = tokio::spawn(exportscreen::api::run_with_http(
            listener,
            None,
            Some(http),
            config,
            async {
                let _ = rx.await;
            },
        ));
        let raw = Endpoint::from_shared(url.clone()).unwrap().connect_lazy();
        let mut server = TestServer {
            url,
            http_url,
            channel: InterceptedService::new(raw.clone(), Bearer::new(ADMIN_SECRET)),
            raw,
            admin_token: ADMIN_SECRET.to_string(),
            stop: Some(tx),
            handle: Some(handle),
        };
        server.wait_serving().await;
        // A fresh data directory got its own ADMIN token.
        if let Ok(t) = std::fs::read_to_string(dir.join(ADMIN_TOKEN_FILE)) {
            server.admin_token = t.trim().to_string();
            server.channel = server.channel_with(&server.admin_token);
        }
        server
    }

    /// A channel sending `secret` as its token.
    pub fn channel_with(&self, secret: &str) -> AuthChannel {
        InterceptedService::new(self.raw.clone(), Bearer::new(secret))
    }

    async fn wait_serving(&mut self) {
        let mut health = HealthClient::new(self.raw.clone());
        // Seeding the bundled lists takes a few seconds in a debug build.
        for _ in 0..2400 {
            if self.handle.as_ref().is_some_and(|h| h.is_finished()) {
                let res = self.handle.take().unwrap().await.unwrap();
                panic!("server stopped during start-up: {res:?}");
            }
            let req = HealthCheckRequest {
                service: String::new(),
            };
            if let Ok(r) = health.check(req).await {
                if r.into_inner().status == ServingStatus::Serving as i32 {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("server not SERVING after 60 s");
    }

    /// A ScreeningService client (ADMIN token).
    pub fn screening(&self) -> ScreeningServiceClient<AuthChannel> {
        ScreeningServiceClient::new(self.channel.clone())
    }

    /// A ListService client (ADMIN token).
    pub fn lists(&self) -> ListServiceClient<AuthChannel> {
        ListServiceClient::new(self.channel.clone())
    }

    /// Stops the server and waits until it has released the data directory.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let handle = self.handle.take().unwrap();
        // Generous: on a loaded 2-core machine a debug build's shutdown
        // (running calls, a re-screening, the final flush) can take a while.
        let res = tokio::time::timeout(Duration::from_secs(30), handle)
            .await
            .expect("server did not stop within 30 s")
            .unwrap();
        res.expect("server returned an error");
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // A failing test still stops its server.
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// Stores a token with `secret` in the (stopped) data directory `dir`.
pub fn put_token(
    dir: &Path,
    secret: &str,
    principal: &str,
    roles: &[&str],
    exporter: Option<&str>,
) {
    let store = SledStore::open(dir.join(DB_DIR)).unwrap();
    store
        .insert_token(
            token_hash(secret),
            NewToken {
                principal: principal.into(),
                roles: roles.iter().map(|r| r.to_string()).collect(),
                exporter: exporter.map(str::to_string),
                description: "integration test".into(),
                expires_at_unix_ms: None,
                created_by: "tests".into(),
            },
            1_700_000_000_000,
        )
        .wait()
        .unwrap();
}

/// A fresh data directory pre-filled with [`denial_list`], [`control_list`]
/// and an ADMIN token ([`ADMIN_SECRET`]).
pub fn data_dir() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    put_token(dir.path(), ADMIN_SECRET, "test-admin", &["ADMIN"], None);
    let store = SledStore::open(dir.path().join(DB_DIR)).unwrap();
    for content in [denial_list(), control_list()] {
        let id = match content {
            ListContent::Denial(_) => DENIAL_ID,
            ListContent::Control(_) => CONTROL_ID,
        };
        store
            .put_list_versions(vec![NewListVersion {
                meta: meta(id, 1, &content),
                content: std::sync::Arc::new(content),
                change: None,
                audit: None,
            }])
            .wait()
            .unwrap();
    }
    dir
}

/// Metadata for a test list version.
pub fn meta(list_id: &str, version: u64, content: &ListContent) -> ListMeta {
    ListMeta {
        list_id: list_id.into(),
        version,
        kind: content.kind(),
        format: "model".into(),
        entries: content.len() as u32,
        names: content.name_count() as u32,
        imported_at_unix_ms: 1_700_000_000_000,
        author: "tests".into(),
        reason: "built from model types".into(),
        files: vec![SourceFile {
            name: format!("{list_id}.json"),
            bytes: 1,
            sha256: "00".into(),
        }],
        warnings: vec![],
        checksum: format!("checksum-{list_id}-{version}"),
        ..ListMeta::default()
    }
}

/// Two fictional listed organisations.
pub fn denial_list() -> ListContent {
    let entry = |id: &str, names: &[(&str, NameKind)]| DenialEntry {
        entry_id: id.into(),
        kind: EntityKind::Organization,
        names: names
            .iter()
            .map(|(n, k)| EntryName {
                name: n.to_string(),
                kind: *k,
            })
            .collect(),
        programs: vec!["NPWMD".into()],
        countries: vec!["Iran".into()],
        ..DenialEntry::default()
    };
    ListContent::Denial(vec![
        entry(
            "101",
            &[(LISTED_NAME, NameKind::Primary), ("ZOPW", NameKind::Alias)],
        ),
        entry(
            "102",
            &[("Quillon Anvil Heavy Industries", NameKind::Primary)],
        ),
    ])
}

/// One control-list entry.
pub fn control_list() -> ListContent {
    ListContent::Control(vec![ControlEntry {
        code: "2.A.1.a".into(),
        title: "Individual rocket stages".into(),
        category: ControlCategory::I,
        notes: String::new(),
        terms: vec!["rocket stage".into()],
        context: vec![],
        exclusions: vec![],
        rules: vec![],
        national_codes: vec![],
    }])
}

/// A harmless shipment (office furniture to Japan).
pub fn plain_shipment(reference: &str) -> pb::Shipment {
    pb::Shipment {
        reference: reference.into(),
        exporter: "Kestrel Instruments Inc.".into(),
        items: vec![pb::Item {
            description: "Office chairs, ergonomic, grey fabric".into(),
            declared_code: "9401.30".into(),
            quantity: 40.0,
            unit: "pcs".into(),
            parameters: Default::default(),
        }],
        parties: vec![
            pb::Party {
                role: pb::PartyRole::Exporter as i32,
                name: "Kestrel Instruments Inc.".into(),
                address: "1200 Technology Drive, San Jose, CA 95110".into(),
                country: "US".into(),
            },
            pb::Party {
                role: pb::PartyRole::Consignee as i32,
                name: "Hokuriku Precision Devices K.K.".into(),
                address: "3-8-1 Minato, Kanazawa".into(),
                country: "JP".into(),
            },
        ],
        destination_country: "JP".into(),
        end_use: "Furnishing a new office floor".into(),
    }
}

/// Asserts an INVALID_ARGUMENT (or `code`) whose message and BadRequest
/// detail name `field`.
pub fn assert_field_error(status: &tonic::Status, code: tonic::Code, field: &str) {
    use tonic_types::StatusExt;
    assert_eq!(status.code(), code, "{field}: {status:?}");
    assert!(
        status.message().contains(field),
        "message should name {field}: {}",
        status.message()
    );
    if code == tonic::Code::InvalidArgument {
        let br = status
            .get_details_bad_request()
            .unwrap_or_else(|| panic!("no BadRequest detail: {status:?}"));
        assert_eq!(br.field_violations[0].field, field);
    }
}

/// A free port on loopback.
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Starts `exportscreen serve --no-seed` (the real binary) on `dir` with
/// `args`, and waits until it is SERVING.
pub async fn spawn_binary(dir: &Path, args: &[&str]) -> (Child, SocketAddr) {
    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let child = Command::new(env!("CARGO_BIN_EXE_exportscreen"))
        .args(["serve", "--no-seed", "--listen", &addr.to_string()])
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let raw = Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect_lazy();
    let mut health = HealthClient::new(raw);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r = health
            .check(HealthCheckRequest {
                service: String::new(),
            })
            .await;
        if r.is_ok_and(|r| r.into_inner().status == ServingStatus::Serving as i32) {
            return (child, addr);
        }
        assert!(Instant::now() < deadline, "server not SERVING after 60 s");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A channel to a spawned server sending the ADMIN token.
pub fn binary_channel(addr: SocketAddr) -> AuthChannel {
    let raw = Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect_lazy();
    InterceptedService::new(raw, Bearer::new(ADMIN_SECRET))
}
