//! Access control end to end: tokens, roles per method, exporter isolation,
//! revocation, expiry, rate limits, the first ADMIN token, message limits
//! and metrics, against real servers.

use std::collections::HashMap;
use std::time::Duration;

use exportscreen::api::auth::bootstrap::ADMIN_TOKEN_FILE;
use exportscreen::api::auth::rate::RateLimit;
use exportscreen::api::pb;
use exportscreen::api::pb::admin_service_client::AdminServiceClient;
use exportscreen::api::pb::list_service_client::ListServiceClient;
use exportscreen::api::pb::screening_service_client::ScreeningServiceClient;
use exportscreen::api::{ServerConfig, run_with};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tonic::Code;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;

use crate::util::{
    ADMIN_SECRET, AuthChannel, DENIAL_ID, TestServer, data_dir, plain_shipment, put_token,
};

const EXPORTER: &str = "es_test-exporter-acme";
const OTHER_EXPORTER: &str = "es_test-exporter-globex";
const OFFICER: &str = "es_test-officer";
const COMPLIANCE: &str = "es_test-compliance";
const AUDITOR: &str = "es_test-auditor";

/// A data directory with one token per role (and a second exporter).
fn dir_with_roles() -> tempfile::TempDir {
    let dir = data_dir();
    let p = dir.path();
    put_token(p, EXPORTER, "acme-erp", &["EXPORTER"], Some("ACME Corp"));
    put_token(
        p,
        OTHER_EXPORTER,
        "globex-erp",
        &["EXPORTER"],
        Some("Globex"),
    );
    put_token(p, OFFICER, "olga.officer", &["OFFICER"], None);
    put_token(p, COMPLIANCE, "carl.compliance", &["COMPLIANCE"], None);
    put_token(p, AUDITOR, "audrey.auditor", &["AUDITOR"], None);
    dir
}

fn code<T>(r: Result<tonic::Response<T>, tonic::Status>) -> Code {
    match r {
        Ok(_) => Code::Ok,
        Err(s) => s.code(),
    }
}

/// Calls `method` with a harmless request on `ch`; returns the status code.
async fn call(method: &str, ch: AuthChannel) -> Code {
    let mut s = ScreeningServiceClient::new(ch.clone());
    let mut l = ListServiceClient::new(ch.clone());
    let mut a = AdminServiceClient::new(ch);
    let party = || pb::Party {
        name: "Hokuriku Precision Devices K.K.".into(),
        ..pb::Party::default()
    };
    match method {
        "ScreenShipment" => code(
            s.screen_shipment(pb::ScreenShipmentRequest {
                shipment: Some(plain_shipment("ROLE-1")),
                ..Default::default()
            })
            .await,
        ),
        "ScreenShipments" => {
            let reqs = vec![pb::ScreenShipmentRequest {
                shipment: Some(plain_shipment("ROLE-2")),
                ..Default::default()
            }];
            match s.screen_shipments(tokio_stream::iter(reqs)).await {
                Err(st) => st.code(),
                Ok(r) => match r.into_inner().message().await {
                    Ok(_) => Code::Ok,
                    Err(st) => st.code(),
                },
            }
        }
        "ScreenParty" => code(
            s.screen_party(pb::ScreenPartyRequest {
                party: Some(party()),
                limit: 0,
            })
            .await,
        ),
        "ScreenItem" => code(
            s.screen_item(pb::ScreenItemRequest {
                item: Some(pb::Item {
                    description: "rocket stage".into(),
                    ..pb::Item::default()
                }),
            })
            .await,
        ),
        "GetScreening" => code(
            s.get_screening(pb::GetScreeningRequest {
                screening_id: "scr-ffffffffffffffff".into(),
            })
            .await,
        ),
        "ImportList" => {
            // A header naming an invalid list: refused by validation, never imported.
            let reqs = vec![pb::ImportListRequest {
                msg: Some(pb::import_list_request::Msg::Header(pb::ImportHeader {
                    list_id: "Bad_Id".into(),
                    format: "bis-dpl-tsv".into(),
                    reason: String::new(),
                    options: Default::default(),
                })),
            }];
            code(l.import_list(tokio_stream::iter(reqs)).await)
        }
        "GetList" => code(
            l.get_list(pb::GetListRequest {
                list_id: DENIAL_ID.into(),
            })
            .await,
        ),
        "ListLists" => code(l.list_lists(pb::ListListsRequest {}).await),
        "CreateToken" => code(
            // Invalid (no roles): an admin gets INVALID_ARGUMENT, nothing is created.
            a.create_token(pb::CreateTokenRequest {
                principal: "x".into(),
                ..pb::CreateTokenRequest::default()
            })
            .await,
        ),
        "ListTokens" => code(a.list_tokens(pb::ListTokensRequest {}).await),
        "RevokeToken" => code(
            a.revoke_token(pb::RevokeTokenRequest {
                token_id: "tok-nope".into(),
            })
            .await,
        ),
        "WhoAmI" => code(a.who_am_i(pb::WhoAmIRequest {}).await),
        other => panic!("no call for {other}"),
    }
}

#[tokio::test]
async fn each_role_may_call_exactly_its_methods() {
    let dir = dir_with_roles();
    let server = TestServer::start(dir.path()).await;
    let roles = [
        ("exporter", EXPORTER),
        ("officer", OFFICER),
        ("compliance", COMPLIANCE),
        ("auditor", AUDITOR),
        ("admin", ADMIN_SECRET),
    ];
    // method, roles allowed; what an allowed call answers (the request is
    // harmless: some answers are validation errors or NOT_FOUND).
    let table: &[(&str, &[&str], Code)] = &[
        ("ScreenShipment", &["exporter", "admin"], Code::Ok),
        ("ScreenShipments", &["exporter", "admin"], Code::Ok),
        (
            "ScreenParty",
            &["exporter", "officer", "compliance", "admin"],
            Code::Ok,
        ),
        (
            "ScreenItem",
            &["exporter", "officer", "compliance", "admin"],
            Code::Ok,
        ),
        (
            "GetScreening",
            &["exporter", "officer", "auditor", "admin"],
            Code::NotFound,
        ),
        (
            "ImportList",
            &["compliance", "admin"],
            Code::InvalidArgument,
        ),
        (
            "GetList",
            &["compliance", "officer", "auditor", "admin"],
            Code::Ok,
        ),
        (
            "ListLists",
            &["compliance", "officer", "auditor", "admin"],
            Code::Ok,
        ),
        ("CreateToken", &["admin"], Code::InvalidArgument),
        ("ListTokens", &["auditor", "admin"], Code::Ok),
        ("RevokeToken", &["admin"], Code::NotFound),
        (
            "WhoAmI",
            &["exporter", "officer", "compliance", "auditor", "admin"],
            Code::Ok,
        ),
    ];
    let mut failures = Vec::new();
    for (method, allowed, when_allowed) in table {
        for (role, secret) in roles {
            let want = if allowed.contains(&role) {
                *when_allowed
            } else {
                Code::PermissionDenied
            };
            let got = call(method, server.channel_with(secret)).await;
            if got != want {
                failures.push(format!("{role} on {method}: {got:?}, want {want:?}"));
            }
        }
        // Without a token, or with an unknown one: UNAUTHENTICATED.
        for secret in ["", "es_not-a-token"] {
            let ch = server.channel_with(secret);
            let got = call(method, ch).await;
            if got != Code::Unauthenticated {
                failures.push(format!("token {secret:?} on {method}: {got:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    server.stop().await;
}

#[tokio::test]
async fn health_and_reflection_need_no_token_and_errors_say_why() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let mut health = HealthClient::new(server.raw.clone());
    health
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .unwrap();
    // No metadata at all.
    let err = ScreeningServiceClient::new(server.raw.clone())
        .screen_shipment(pb::ScreenShipmentRequest {
            shipment: Some(plain_shipment("NOAUTH")),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    assert!(err.message().contains("Bearer"), "{}", err.message());
    // Another scheme.
    let mut req = tonic::Request::new(pb::WhoAmIRequest {});
    req.metadata_mut()
        .insert("authorization", "Basic dXNlcjpwdw==".parse().unwrap());
    let err = AdminServiceClient::new(server.raw.clone())
        .who_am_i(req)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    // A refused call still gets the request id back.
    let mut req = tonic::Request::new(pb::WhoAmIRequest {});
    req.metadata_mut()
        .insert("x-request-id", "trace-me-42".parse().unwrap());
    let err = AdminServiceClient::new(server.raw.clone())
        .who_am_i(req)
        .await
        .unwrap_err();
    assert_eq!(
        err.metadata()
            .get("x-request-id")
            .unwrap()
            .to_str()
            .unwrap(),
        "trace-me-42"
    );
    server.stop().await;
}

#[tokio::test]
async fn exporters_screen_under_their_own_name_and_see_only_their_screenings() {
    let dir = dir_with_roles();
    let server = TestServer::start(dir.path()).await;
    let mut acme = ScreeningServiceClient::new(server.channel_with(EXPORTER));
    let mut globex = ScreeningServiceClient::new(server.channel_with(OTHER_EXPORTER));
    let mut officer = ScreeningServiceClient::new(server.channel_with(OFFICER));

    // ACME's system claims to be Globex in the body: the token wins.
    let mut shipment = plain_shipment("ISO-1");
    shipment.exporter = "Globex".into();
    let id = acme
        .screen_shipment(pb::ScreenShipmentRequest {
            shipment: Some(shipment),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .screening_id;
    let get = |id: &str| pb::GetScreeningRequest {
        screening_id: id.into(),
    };
    let own = acme.get_screening(get(&id)).await.unwrap().into_inner();
    assert_eq!(own.shipment.unwrap().exporter, "ACME Corp");

    // Globex gets NOT_FOUND, worded exactly like an unknown id.
    let theirs = globex.get_screening(get(&id)).await.unwrap_err();
    let unknown = globex
        .get_screening(get("scr-0fffffffffffffff"))
        .await
        .unwrap_err();
    assert_eq!(theirs.code(), Code::NotFound);
    assert_eq!(
        theirs.message().replace(&id, "ID"),
        unknown.message().replace("scr-0fffffffffffffff", "ID")
    );
    // Officers and admins see every exporter's screenings.
    officer.get_screening(get(&id)).await.unwrap();
    server.screening().get_screening(get(&id)).await.unwrap();

    // An admin screens under the exporter of the body.
    let mut shipment = plain_shipment("ISO-2");
    shipment.exporter = "Initech".into();
    let id = server
        .screening()
        .screen_shipment(pb::ScreenShipmentRequest {
            shipment: Some(shipment),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .screening_id;
    let rec = officer.get_screening(get(&id)).await.unwrap().into_inner();
    assert_eq!(rec.shipment.unwrap().exporter, "Initech");
    assert_eq!(
        acme.get_screening(get(&id)).await.unwrap_err().code(),
        Code::NotFound
    );
    server.stop().await;
}

#[tokio::test]
async fn created_tokens_work_until_revoked_at_once() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let mut admin = AdminServiceClient::new(server.channel.clone());
    let created = admin
        .create_token(pb::CreateTokenRequest {
            principal: "olga.officer".into(),
            roles: vec![pb::AccessRole::Officer as i32],
            exporter: String::new(),
            ttl_seconds: 3600,
            description: "case work".into(),
            no_expiry: false,
        })
        .await
        .unwrap()
        .into_inner();
    let info = created.info.unwrap();
    assert!(created.token.starts_with("es_"));
    assert!(info.expires_at_unix_ms > info.created_at_unix_ms);

    let mut officer = AdminServiceClient::new(server.channel_with(&created.token));
    let me = officer
        .who_am_i(pb::WhoAmIRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(me.principal, "olga.officer");
    assert_eq!(me.roles, vec![pb::AccessRole::Officer as i32]);

    // The list shows the token without its secret.
    let listed = admin
        .list_tokens(pb::ListTokensRequest {})
        .await
        .unwrap()
        .into_inner()
        .tokens;
    let row = listed.iter().find(|t| t.token_id == info.token_id).unwrap();
    assert_eq!(row.created_by, "test-admin");
    assert!(!format!("{listed:?}").contains(&created.token));

    admin
        .revoke_token(pb::RevokeTokenRequest {
            token_id: info.token_id.clone(),
        })
        .await
        .unwrap();
    // The very next call is refused, on the same connection.
    let err = officer.who_am_i(pb::WhoAmIRequest {}).await.unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    assert!(err.message().contains("revoked"), "{}", err.message());

    // The revocation survives a restart.
    server.stop().await;
    let server = TestServer::start(dir.path()).await;
    let err = AdminServiceClient::new(server.channel_with(&created.token))
        .who_am_i(pb::WhoAmIRequest {})
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    server.stop().await;
}

#[tokio::test]
async fn expired_tokens_are_refused() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let created = AdminServiceClient::new(server.channel.clone())
        .create_token(pb::CreateTokenRequest {
            principal: "short".into(),
            roles: vec![pb::AccessRole::Auditor as i32],
            ttl_seconds: 1,
            ..pb::CreateTokenRequest::default()
        })
        .await
        .unwrap()
        .into_inner();
    let mut c = AdminServiceClient::new(server.channel_with(&created.token));
    c.who_am_i(pb::WhoAmIRequest {}).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let err = c.who_am_i(pb::WhoAmIRequest {}).await.unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    assert!(err.message().contains("expired"), "{}", err.message());
    server.stop().await;
}

#[tokio::test]
async fn rate_limits_apply_per_principal_and_spare_admins() {
    let dir = dir_with_roles();
    let server = TestServer::start_config(
        ServerConfig::new(dir.path())
            .seed_defaults(false)
            .rate_limit(RateLimit {
                per_second: 2.0,
                burst: 2.0,
                cost_per_second: 0.0,
                cost_burst: 0.0,
            }),
    )
    .await;
    let who = |secret: &str| {
        let mut c = AdminServiceClient::new(server.channel_with(secret));
        async move { code(c.who_am_i(pb::WhoAmIRequest {}).await) }
    };
    assert_eq!(who(OFFICER).await, Code::Ok);
    assert_eq!(who(OFFICER).await, Code::Ok);
    assert_eq!(who(OFFICER).await, Code::ResourceExhausted);
    // Another principal has its own budget; the admin has none.
    assert_eq!(who(AUDITOR).await, Code::Ok);
    for _ in 0..20 {
        assert_eq!(who(ADMIN_SECRET).await, Code::Ok);
    }
    // Messages of a stream count too, but a stream over its rate is slowed
    // down, not ended: the burst (the call and the second message) passes
    // at once, the third and fourth wait half a second each.
    let reqs: Vec<_> = (0..4)
        .map(|i| pb::ScreenShipmentRequest {
            shipment: Some(plain_shipment(&format!("RL-{i}"))),
            ..Default::default()
        })
        .collect();
    let mut answers = ScreeningServiceClient::new(server.channel_with(EXPORTER))
        .screen_shipments(tokio_stream::iter(reqs))
        .await
        .unwrap()
        .into_inner();
    let mut at = Vec::new();
    while let Some(a) = answers.message().await.unwrap() {
        assert!(a.error.is_none(), "{a:?}");
        assert!(!a.screening_id.is_empty());
        at.push((a.index, std::time::Instant::now()));
    }
    let indexes: Vec<u32> = at.iter().map(|(i, _)| *i).collect();
    assert_eq!(indexes, vec![0, 1, 2, 3]);
    let slowed = at[3].1 - at[1].1;
    assert!(slowed >= Duration::from_millis(800), "{slowed:?}");
    server.stop().await;
}

#[tokio::test]
async fn a_fresh_data_directory_gets_a_private_admin_token() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_config(ServerConfig::new(dir.path()).seed_defaults(false)).await;
    let path = dir.path().join(ADMIN_TOKEN_FILE);
    let secret = std::fs::read_to_string(&path).unwrap();
    assert!(secret.trim().starts_with("es_"));
    assert_eq!(server.admin_token, secret.trim());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    let me = AdminServiceClient::new(server.channel.clone())
        .who_am_i(pb::WhoAmIRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(me.roles, vec![pb::AccessRole::Admin as i32]);
    // A restart keeps the token (no new file, no new token).
    server.stop().await;
    let server = TestServer::start_config(ServerConfig::new(dir.path()).seed_defaults(false)).await;
    assert_eq!(std::fs::read_to_string(&path).unwrap(), secret);
    let tokens = AdminServiceClient::new(server.channel.clone())
        .list_tokens(pb::ListTokensRequest {})
        .await
        .unwrap()
        .into_inner()
        .tokens;
    assert_eq!(tokens.len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn oversized_messages_are_resource_exhausted_and_real_names_pass() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    // The admin service takes messages up to 64 KiB.
    let err = AdminServiceClient::new(server.channel.clone())
        .create_token(pb::CreateTokenRequest {
            principal: "x".into(),
            roles: vec![pb::AccessRole::Auditor as i32],
            description: "d".repeat(100 << 10),
            ..pb::CreateTokenRequest::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::ResourceExhausted, "{err:?}");

    // Zero-width (non-)joiners belong to Persian and Indic names; any
    // script is a name.
    let mut s = server.screening();
    for name in [
        "\u{645}\u{62d}\u{645}\u{62f}\u{200c}\u{631}\u{636}\u{627}", // Mohammad-Reza with ZWNJ
        "\u{915}\u{94d}\u{200d}\u{937}",                             // Devanagari with ZWJ
        "\u{5317}\u{4eac}\u{822a}\u{5929}",                          // CJK
        "\u{41e}\u{41e}\u{41e} \u{420}\u{43e}\u{433}\u{430}",        // Cyrillic
    ] {
        let r = s
            .screen_party(pb::ScreenPartyRequest {
                party: Some(pb::Party {
                    name: name.into(),
                    ..pb::Party::default()
                }),
                limit: 0,
            })
            .await;
        assert!(r.is_ok(), "{name:?}: {r:?}");
    }
    server.stop().await;
}

/// `GET path` over plain HTTP/1.0; returns status line and body.
async fn http_get(addr: std::net::SocketAddr, path: &str) -> (String, String) {
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    conn.write_all(format!("GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = String::new();
    conn.read_to_string(&mut out).await.unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_string(), body.to_string())
}

/// The value of the sample `name{labels}` in a Prometheus text page.
fn sample(page: &str, name_and_labels: &str) -> Option<f64> {
    page.lines()
        .find(|l| l.starts_with(name_and_labels))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn metrics_count_calls_screenings_and_lists() {
    let dir = dir_with_roles();
    let grpc = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let metrics = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", grpc.local_addr().unwrap());
    let maddr = metrics.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(run_with(
        grpc,
        Some(metrics),
        ServerConfig::new(dir.path()).seed_defaults(false),
        async {
            let _ = rx.await;
        },
    ));
    let raw = tonic::transport::Endpoint::from_shared(url)
        .unwrap()
        .connect_lazy();
    let mut health = HealthClient::new(raw.clone());
    for _ in 0..400 {
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
    let ch = tonic::service::interceptor::InterceptedService::new(
        raw.clone(),
        crate::util::Bearer::new(EXPORTER),
    );
    let method = "/exportscreen.v1.ScreeningService/ScreenShipment";
    let ok = format!("exportscreen_requests_total{{code=\"OK\",method=\"{method}\"}}");
    let denied = "exportscreen_requests_total{code=\"PERMISSION_DENIED\",method=\"/exportscreen.v1.ListService/ListLists\"}";
    let (_, before) = http_get(maddr, "/metrics").await;
    let ok_before = sample(&before, &ok).unwrap_or(0.0);
    let denied_before = sample(&before, denied).unwrap_or(0.0);

    let mut s = ScreeningServiceClient::new(ch.clone());
    for i in 0..3 {
        s.screen_shipment(pb::ScreenShipmentRequest {
            shipment: Some(plain_shipment(&format!("M-{i}"))),
            ..Default::default()
        })
        .await
        .unwrap();
    }
    let refused = ListServiceClient::new(ch)
        .list_lists(pb::ListListsRequest {})
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::PermissionDenied);

    let (status, page) = http_get(maddr, "/metrics").await;
    assert!(status.contains("200"), "{status}");
    assert!(sample(&page, &ok).unwrap() >= ok_before + 3.0, "{page}");
    assert!(
        sample(&page, denied).unwrap() >= denied_before + 1.0,
        "{page}"
    );
    let mut seen: HashMap<&str, bool> = HashMap::new();
    for name in [
        "exportscreen_request_duration_seconds_bucket",
        "exportscreen_screening_engine_seconds_count",
        "exportscreen_screenings_total{decision=\"CLEAR\"}",
        "exportscreen_list_version{list_id=\"test-denial\"}",
        "exportscreen_list_entries{list_id=\"test-denial\"}",
        "exportscreen_open_cases",
    ] {
        seen.insert(name, page.lines().any(|l| l.starts_with(name)));
    }
    assert!(seen.values().all(|v| *v), "{seen:?}\n{page}");
    // The screening above was written and flushed: the writer's totals
    // reach the page.
    assert!(
        sample(&page, "exportscreen_store_writes_total").unwrap() >= 1.0,
        "{page}"
    );
    assert!(
        sample(&page, "exportscreen_store_batches_total").unwrap() >= 1.0,
        "{page}"
    );
    assert!(
        sample(&page, "exportscreen_store_flushes_total").unwrap() >= 1.0,
        "{page}"
    );
    assert!(
        sample(&page, "exportscreen_store_flush_seconds_total").unwrap() > 0.0,
        "{page}"
    );
    assert!(
        sample(&page, "exportscreen_store_pending_writes").is_some(),
        "{page}"
    );
    let (status, _) = http_get(maddr, "/other").await;
    assert!(status.contains("404"), "{status}");

    let _ = tx.send(());
    tokio::time::timeout(Duration::from_secs(10), handle)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

async fn cli(args: &[&str], token: Option<&str>) -> std::process::Output {
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_exportscreen"));
    c.env_remove("EXPORTSCREEN_TOKEN")
        .current_dir(std::env::temp_dir());
    if let Some(t) = token {
        c.env("EXPORTSCREEN_TOKEN", t);
    }
    c.args(args).output().await.unwrap()
}

#[tokio::test]
async fn the_token_commands_create_list_and_revoke() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let url = server.url.as_str();
    let out = cli(
        &[
            "token",
            "create",
            "--principal",
            "acme-erp",
            "--role",
            "exporter",
            "--exporter",
            "ACME Corp",
            "--ttl",
            "30d",
            "--server",
            url,
        ],
        Some(ADMIN_SECRET),
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let secret = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(secret.starts_with("es_"), "{secret}");

    // The new token works from a file; an exporter may not list lists.
    let file = dir.path().join("acme.token");
    std::fs::write(&file, format!("{secret}\n")).unwrap();
    let out = cli(
        &[
            "lists",
            "--server",
            url,
            "--token-file",
            file.to_str().unwrap(),
        ],
        None,
    )
    .await;
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("PermissionDenied"), "{stderr}");

    // No token at all: the error says where one comes from.
    let out = cli(&["lists", "--server", url], None).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Unauthenticated") && stderr.contains("--token"),
        "{stderr}"
    );

    let out = cli(
        &["token", "list", "--json", "--server", url],
        Some(ADMIN_SECRET),
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let acme = rows["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["principal"] == "acme-erp")
        .unwrap()
        .clone();
    assert_eq!(acme["roles"], serde_json::json!(["ACCESS_ROLE_EXPORTER"]));
    assert_eq!(acme["exporter"], "ACME Corp");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&secret));

    let id = acme["tokenId"].as_str().unwrap();
    let out = cli(
        &["token", "revoke", id, "--server", url],
        Some(ADMIN_SECRET),
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cli(&["token", "list", "--server", url], Some(ADMIN_SECRET)).await;
    let table = String::from_utf8_lossy(&out.stdout);
    let line = table.lines().find(|l| l.starts_with(id)).unwrap();
    assert!(line.contains("revoked"), "{table}");
    server.stop().await;
}

#[tokio::test]
async fn a_lost_admin_token_is_recovered_offline() {
    let dir = data_dir();
    let d = dir.path().to_str().unwrap();
    let out = cli(&["token", "recover", "--data-dir", "/nonexistent/x"], None).await;
    assert!(!out.status.success());
    let out = cli(&["token", "recover", "--data-dir", d], None).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let secret = std::fs::read_to_string(dir.path().join(ADMIN_TOKEN_FILE)).unwrap();
    let server = TestServer::start(dir.path()).await;
    let me = AdminServiceClient::new(server.channel_with(secret.trim()))
        .who_am_i(pb::WhoAmIRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(me.roles, vec![pb::AccessRole::Admin as i32]);
    // While the server runs, the database is locked: recovery refuses.
    let out = cli(&["token", "recover", "--data-dir", d], None).await;
    assert!(!out.status.success());
    server.stop().await;
}
