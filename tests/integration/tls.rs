//! TLS and mTLS with a certificate authority made in the test (rcgen), and
//! the plaintext-only-on-loopback rule.

use std::path::Path;
use std::time::Duration;

use exportscreen::api::pb;
use exportscreen::api::pb::admin_service_client::AdminServiceClient;
use exportscreen::api::tls::TlsFiles;
use exportscreen::api::{ServeError, ServerConfig};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use tokio::net::TcpListener;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;

use crate::util::{ADMIN_SECRET, Bearer, data_dir};

/// A CA and what it signed, as PEM.
struct Pki {
    ca: String,
    server: (String, String),
    client: (String, String),
}

fn make_pki(name: &str) -> Pki {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.distinguished_name
        .push(DnType::CommonName, format!("{name} test CA"));
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(p, KeyPair::generate().unwrap()).unwrap();
    let leaf = |names: Vec<String>, usage: ExtendedKeyUsagePurpose| {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(names).unwrap();
        p.distinguished_name.push(DnType::CommonName, name);
        p.extended_key_usages = vec![usage];
        let cert = p.signed_by(&key, &ca).unwrap();
        (cert.pem(), key.serialize_pem())
    };
    Pki {
        ca: ca.pem(),
        server: leaf(
            vec!["localhost".into()],
            ExtendedKeyUsagePurpose::ServerAuth,
        ),
        client: leaf(vec!["client".into()], ExtendedKeyUsagePurpose::ClientAuth),
    }
}

/// Writes the server's files into `dir`.
fn files(dir: &Path, pki: &Pki, client_ca: bool) -> TlsFiles {
    let w = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    TlsFiles {
        cert: w("server.pem", &pki.server.0),
        key: w("server.key", &pki.server.1),
        client_ca: client_ca.then(|| w("ca.pem", &pki.ca)),
    }
}

struct TlsServer {
    addr: std::net::SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    handle: tokio::task::JoinHandle<Result<(), ServeError>>,
}

async fn start(dir: &Path, tls: TlsFiles) -> TlsServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    let config = ServerConfig::new(dir).seed_defaults(false).tls(Some(tls));
    let handle = tokio::spawn(exportscreen::api::run(listener, config, async {
        let _ = rx.await;
    }));
    TlsServer { addr, stop, handle }
}

impl TlsServer {
    async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(Duration::from_secs(10), self.handle)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
    }
}

/// Connects over TLS trusting `ca`, presenting `identity` if given; retries
/// while the server starts. The error of the last try otherwise.
async fn connect(
    addr: std::net::SocketAddr,
    ca: &str,
    identity: Option<&(String, String)>,
) -> Result<Channel, String> {
    let mut tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(ca))
        .domain_name("localhost");
    if let Some((cert, key)) = identity {
        tls = tls.identity(Identity::from_pem(cert, key));
    }
    let endpoint = Endpoint::from_shared(format!("https://{addr}"))
        .unwrap()
        .tls_config(tls)
        .unwrap()
        .connect_timeout(Duration::from_secs(5));
    let mut last = String::new();
    for _ in 0..100 {
        match endpoint.connect().await {
            Ok(ch) => {
                // The handshake may only fail on the first call (mTLS).
                let r = HealthClient::new(ch.clone())
                    .check(HealthCheckRequest {
                        service: String::new(),
                    })
                    .await;
                match r {
                    Ok(_) => return Ok(ch),
                    Err(e) => last = format!("{e:?}"),
                }
            }
            Err(e) => last = format!("{e:?}"),
        }
        if last.contains("Connection refused") {
            tokio::time::sleep(Duration::from_millis(50)).await;
        } else {
            break;
        }
    }
    Err(last)
}

async fn who_am_i(ch: Channel) -> pb::TokenInfo {
    AdminServiceClient::new(InterceptedService::new(ch, Bearer::new(ADMIN_SECRET)))
        .who_am_i(pb::WhoAmIRequest {})
        .await
        .unwrap()
        .into_inner()
}

async fn plaintext_health(addr: std::net::SocketAddr) -> bool {
    let ch = Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect_lazy();
    tokio::time::timeout(
        Duration::from_secs(5),
        HealthClient::new(ch).check(HealthCheckRequest {
            service: String::new(),
        }),
    )
    .await
    .is_ok_and(|r| r.is_ok())
}

#[tokio::test]
async fn tls_with_a_test_ca() {
    let dir = data_dir();
    let pki = make_pki("main");
    let server = start(dir.path(), files(dir.path(), &pki, false)).await;
    let ch = connect(server.addr, &pki.ca, None).await.unwrap();
    assert_eq!(who_am_i(ch).await.principal, "test-admin");
    // A client trusting another CA refuses the server; plaintext gets nothing.
    let other = make_pki("other");
    assert!(connect(server.addr, &other.ca, None).await.is_err());
    assert!(!plaintext_health(server.addr).await);
    server.stop().await;
}

#[tokio::test]
async fn mtls_requires_a_client_certificate_from_the_ca() {
    let dir = data_dir();
    let pki = make_pki("main");
    let server = start(dir.path(), files(dir.path(), &pki, true)).await;
    let ch = connect(server.addr, &pki.ca, Some(&pki.client))
        .await
        .unwrap();
    assert_eq!(who_am_i(ch).await.principal, "test-admin");
    // Without a certificate, or with one from another CA: no connection.
    let err = connect(server.addr, &pki.ca, None).await.unwrap_err();
    assert!(!err.is_empty());
    let other = make_pki("other");
    assert!(
        connect(server.addr, &pki.ca, Some(&other.client))
            .await
            .is_err()
    );
    server.stop().await;
}

#[tokio::test]
async fn plaintext_off_loopback_needs_allow_plaintext() {
    let dir = data_dir();
    let listener = TcpListener::bind("0.0.0.0:0").await.unwrap();
    let err = exportscreen::api::run(
        listener,
        ServerConfig::new(dir.path()).seed_defaults(false),
        std::future::pending(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ServeError::Tls(_)), "{err:?}");
    assert!(err.to_string().contains("--allow-plaintext"), "{err}");
    // Allowed explicitly, it serves.
    let listener = TcpListener::bind("0.0.0.0:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(exportscreen::api::run(
        listener,
        ServerConfig::new(dir.path())
            .seed_defaults(false)
            .allow_plaintext(true),
        async {
            let _ = rx.await;
        },
    ));
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut up = false;
    for _ in 0..200 {
        if plaintext_health(addr).await {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(up);
    let _ = tx.send(());
    handle.await.unwrap().unwrap();
}
