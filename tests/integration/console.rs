//! The officer console over the real HTTP listener, driven as a browser
//! would (cookies kept, forms posted with their CSRF token): login and its
//! cookie flags, the security headers, CSRF refusals, the queue, the case
//! page with the listed entry beside the party, the actions (claim, bulk
//! "not a match", four-eyes approval by a second officer, reopen), the
//! role table deciding, the exporter boundary (no internal notes), and the
//! compliance pages (lists, versions, diff, policy, report charts), and
//! the webhooks page (each subscription's delivery log).

use bytes::Bytes;
use exportscreen::api::pb;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;

use crate::util::{TestServer, data_dir, plain_shipment, put_token};

const OLGA: &str = "es_console-olga";
const BORIS: &str = "es_console-boris";
const KESTREL: &str = "es_console-kestrel";
const GLOBEX: &str = "es_console-globex";
const CARLA: &str = "es_console-carla";
/// Close to the listed "Zephyr Orbital Propulsion Works": REVIEW.
const NAMESAKE: &str = "Zephyr Orbitale Propulsion Works";
const NOTE: &str = "INTERNAL-NOTE";

/// One HTTP answer.
struct Page {
    status: u16,
    headers: http::HeaderMap,
    body: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers
            .get(http::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(http::header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }

    /// The value of the first `name="csrf" value="..."` field.
    fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .unwrap_or_else(|| panic!("no csrf field in {}", self.body));
        let rest = &self.body[at + 19..];
        rest[..rest.find('"').unwrap()].to_string()
    }
}

/// A browser: a cookie jar and the server's address.
struct Browser {
    base: String,
    cookies: Vec<(String, String)>,
}

impl Browser {
    fn new(s: &TestServer) -> Browser {
        Browser {
            base: s.http_url.trim_start_matches("http://").to_string(),
            cookies: Vec::new(),
        }
    }

    async fn send(&mut self, method: &str, path: &str, form: Option<&[(&str, &str)]>) -> Page {
        let stream = tokio::net::TcpStream::connect(&self.base).await.unwrap();
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(conn);
        let mut req = http::Request::builder()
            .method(method)
            .uri(path)
            .header(http::header::HOST, self.base.clone());
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.header(http::header::COOKIE, jar.join("; "));
        }
        let body = match form {
            Some(f) => {
                req = req.header(
                    http::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                );
                serde_urlencoded::to_string(f).unwrap()
            }
            None => String::new(),
        };
        let resp = sender
            .send_request(req.body(Full::new(Bytes::from(body))).unwrap())
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let page = Page {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        };
        for c in page.set_cookies() {
            let first = c.split(';').next().unwrap();
            let (k, v) = first.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !v.is_empty() && !c.contains("Max-Age=0") {
                self.cookies.push((k.to_string(), v.to_string()));
            }
        }
        page
    }

    async fn get(&mut self, path: &str) -> Page {
        self.send("GET", path, None).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        self.send("POST", path, Some(form)).await
    }

    async fn login(s: &TestServer, token: &str) -> Browser {
        let mut b = Browser::new(s);
        let form = b.get("/console/login").await;
        let csrf = form.csrf();
        let r = b
            .post("/console/login", &[("csrf", &csrf), ("token", token)])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(r.location(), "/console/queue");
        b
    }

    /// Posts a case action with the session's CSRF token (read from the
    /// case page); returns the page it redirects to.
    async fn act(&mut self, case_id: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.get(&format!("/console/cases/{case_id}")).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let csrf = page.csrf();
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        let r = self
            .post(&format!("/console/cases/{case_id}/{action}"), &form)
            .await;
        assert_eq!(r.status, 303, "{action}: {}", r.body);
        let to = r.location().to_string();
        self.get(&to).await
    }
}

fn namesake(reference: &str, exporter: &str) -> pb::Shipment {
    let mut s = plain_shipment(reference);
    s.exporter = exporter.into();
    s.parties[0].name = exporter.into();
    s.parties[1] = pb::Party {
        role: pb::PartyRole::Consignee as i32,
        name: NAMESAKE.into(),
        address: "Plot 12, Free Zone".into(),
        country: "AE".into(),
    };
    s
}

async fn screen(s: &TestServer, shipment: pb::Shipment) -> pb::ScreenShipmentResponse {
    s.screening()
        .screen_shipment(pb::ScreenShipmentRequest {
            shipment: Some(shipment),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
}

async fn server() -> (tempfile::TempDir, TestServer) {
    let dir = data_dir();
    put_token(dir.path(), OLGA, "olga", &["OFFICER"], None);
    put_token(dir.path(), BORIS, "boris", &["OFFICER"], None);
    put_token(dir.path(), CARLA, "carla", &["COMPLIANCE"], None);
    put_token(
        dir.path(),
        KESTREL,
        "kestrel-erp",
        &["EXPORTER"],
        Some("Kestrel Instruments Inc."),
    );
    put_token(
        dir.path(),
        GLOBEX,
        "globex-erp",
        &["EXPORTER"],
        Some("Globex"),
    );
    let s = TestServer::start(dir.path()).await;
    (dir, s)
}

#[tokio::test]
async fn login_sets_a_strict_http_only_session_cookie_and_every_page_is_locked_down() {
    let (_dir, s) = server().await;
    let mut b = Browser::new(&s);
    // Not logged in: to the login page.
    let r = b.get("/console/queue").await;
    assert_eq!((r.status, r.location()), (303, "/console/login"));

    let form = b.get("/console/login").await;
    assert_eq!(form.status, 200);
    for (name, want) in [
        ("content-security-policy", "default-src 'self'"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("x-content-type-options", "nosniff"),
    ] {
        let v = form.headers.get(name).unwrap().to_str().unwrap();
        assert!(v.contains(want), "{name}: {v}");
    }
    let csp = form.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(!form.body.contains("<script>"), "no inline script");
    let csrf = form.csrf();

    // The login form's CSRF token is checked.
    let mut stranger = Browser::new(&s);
    let r = stranger
        .post("/console/login", &[("csrf", &csrf), ("token", OLGA)])
        .await;
    assert_eq!(r.status, 403, "no login cookie, no login");

    // A wrong token: refused, no session.
    let r = b
        .post("/console/login", &[("csrf", &csrf), ("token", "es_wrong")])
        .await;
    assert_eq!(r.status, 401, "{}", r.body);
    assert!(
        r.set_cookies()
            .iter()
            .all(|c| !c.starts_with("es_session="))
    );

    let form = b.get("/console/login").await;
    let csrf = form.csrf();
    let r = b
        .post("/console/login", &[("csrf", &csrf), ("token", OLGA)])
        .await;
    assert_eq!((r.status, r.location()), (303, "/console/queue"));
    let session = r
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("es_session="))
        .expect("a session cookie");
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
        assert!(session.contains(flag), "{session}");
    }
    assert!(
        !session.contains(OLGA),
        "the token never goes into the cookie"
    );
    let queue = b.get("/console/queue").await;
    assert_eq!(queue.status, 200);
    assert!(queue.body.contains("olga"), "{}", queue.body);
    assert!(
        queue.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    let js = b.get("/console/assets/console.js").await;
    assert_eq!(js.status, 200);
    assert!(js.body.contains("time[datetime]"));

    // Logout needs the CSRF token too, and ends the session.
    let r = b.post("/console/logout", &[("csrf", "forged")]).await;
    assert_eq!(r.status, 403);
    let csrf = queue.csrf();
    let r = b.post("/console/logout", &[("csrf", &csrf)]).await;
    assert_eq!((r.status, r.location()), (303, "/console/login"));
    let r = b.get("/console/queue").await;
    assert_eq!(r.status, 303, "logged out");
    s.stop().await;
}

#[tokio::test]
async fn a_post_without_the_sessions_csrf_token_changes_nothing() {
    let (_dir, s) = server().await;
    let r = screen(&s, namesake("PO-C1", "Kestrel Instruments Inc.")).await;
    let mut olga = Browser::login(&s, OLGA).await;
    for csrf in ["", "0000"] {
        let answer = olga
            .post(
                &format!("/console/cases/{}/claim", r.case_id),
                &[("csrf", csrf), ("reason", "mine")],
            )
            .await;
        assert_eq!(answer.status, 403, "{}", answer.body);
    }
    // Another session's token does not do either.
    let mut boris = Browser::login(&s, BORIS).await;
    let boris_csrf = boris.get("/console/queue").await.csrf();
    let answer = olga
        .post(
            &format!("/console/cases/{}/claim", r.case_id),
            &[("csrf", boris_csrf.as_str()), ("reason", "mine")],
        )
        .await;
    assert_eq!(answer.status, 403);
    let page = olga.get(&format!("/console/cases/{}", r.case_id)).await;
    assert!(
        page.body.contains("status-open"),
        "still OPEN: {}",
        page.body
    );
    s.stop().await;
}

#[tokio::test]
async fn officers_work_a_case_end_to_end_in_the_console() {
    let (_dir, s) = server().await;
    let top = screen(&s, namesake("PO-1", "Kestrel Instruments Inc.")).await;
    let others = [
        screen(&s, namesake("PO-2", "Kestrel Instruments Inc.")).await,
        screen(&s, namesake("PO-3", "Globex")).await,
    ];
    let mut olga = Browser::login(&s, OLGA).await;

    // The queue lists the open cases; filters narrow it.
    let queue = olga.get("/console/queue").await;
    for r in std::iter::once(&top).chain(&others) {
        assert!(queue.body.contains(&r.case_id), "{}", queue.body);
    }
    let filtered = olga.get("/console/queue?reference=PO-3").await;
    assert!(filtered.body.contains(&others[1].case_id));
    assert!(!filtered.body.contains(&top.case_id));
    let by_party = olga.get("/console/queue?party=orbitale+propulsion").await;
    assert!(by_party.body.contains(&top.case_id) && by_party.body.contains(NAMESAKE));
    let nobody = olga.get("/console/queue?party=Quillon").await;
    assert!(nobody.body.contains("No cases match"), "{}", nobody.body);
    let searched = olga.get("/console/queue?q=Globex").await;
    assert!(searched.body.contains(&others[1].case_id) && !searched.body.contains(&top.case_id));

    // The case page: the party next to the listed entry, evidence marked.
    let page = olga.get(&format!("/console/cases/{}", top.case_id)).await;
    assert!(
        page.body.contains("class=\"side-by-side\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("Party in the shipment") && page.body.contains("Listed entry"));
    assert!(page.body.contains("NPWMD"), "the entry's programmes");
    assert!(page.body.contains("test-denial version 1"));
    assert!(page.body.contains("<mark>"), "evidence highlighted");
    assert!(page.body.contains("<time datetime=\""));

    // Claim, then bulk "not a match": the other open cases close.
    let claimed = olga
        .act(
            &top.case_id,
            "claim",
            &[("reason", &format!("{NOTE}: mine"))],
        )
        .await;
    assert!(claimed.body.contains("Claimed."), "{}", claimed.body);
    let index = top
        .findings
        .iter()
        .position(|f| f.list_id == crate::util::DENIAL_ID)
        .unwrap()
        .to_string();
    let marked = olga
        .act(
            &top.case_id,
            "mark",
            &[
                ("screening_id", &top.screening_id),
                ("finding_index", &index),
                ("verdict", "NOT_A_MATCH"),
                ("close_others", "1"),
                (
                    "reason",
                    &format!("{NOTE}: registry extract, other company"),
                ),
            ],
        )
        .await;
    assert!(
        marked.body.contains("closed 2 other open case(s)"),
        "{}",
        marked.body
    );
    for r in &others {
        let p = olga.get(&format!("/console/cases/{}", r.case_id)).await;
        assert!(p.body.contains("status-closed"), "{}", p.body);
        assert!(p.body.contains("close_not_a_match"));
    }

    // A reason is required: an empty one is refused with the field named.
    let refused = olga
        .act(&top.case_id, "request-info", &[("reason", " ")])
        .await;
    assert!(refused.body.contains("reason:"), "{}", refused.body);

    s.stop().await;
}

#[tokio::test]
async fn four_eyes_and_reopen_in_the_console_and_the_exporter_sees_no_internal_notes() {
    let (_dir, s) = server().await;
    let r = screen(&s, namesake("PO-4E", "Kestrel Instruments Inc.")).await;
    let other = screen(&s, namesake("PO-G", "Globex")).await;
    let mut olga = Browser::login(&s, OLGA).await;
    olga.act(
        &r.case_id,
        "claim",
        &[("reason", &format!("{NOTE}: claim"))],
    )
    .await;
    let index = r
        .findings
        .iter()
        .position(|f| f.list_id == crate::util::DENIAL_ID)
        .unwrap()
        .to_string();
    let confirmed = olga
        .act(
            &r.case_id,
            "mark",
            &[
                ("screening_id", &r.screening_id),
                ("finding_index", &index),
                ("verdict", "CONFIRMED_MATCH"),
                ("reason", &format!("{NOTE}: same free-zone plot")),
            ],
        )
        .await;
    assert!(confirmed.body.contains("four-eyes"), "{}", confirmed.body);
    olga.act(
        &r.case_id,
        "request-info",
        &[("reason", "Which laboratory uses the goods?")],
    )
    .await;
    // (A resubmission would answer; here the officer goes on after a reply by phone.)
    olga.act(&r.case_id, "claim", &[("reason", &format!("{NOTE}: back"))])
        .await;

    let first = olga
        .act(
            &r.case_id,
            "decide",
            &[
                ("decision", "APPROVE"),
                ("reason", &format!("{NOTE}: licence covers it")),
            ],
        )
        .await;
    // INFO_REQUESTED does not allow approval: the message says so.
    assert!(first.body.contains("notice error"), "{}", first.body);

    // Deny is possible, but here: exporter resubmits to get back to review.
    screen(&s, namesake("PO-4E", "Kestrel Instruments Inc.")).await;
    let first = olga
        .act(
            &r.case_id,
            "decide",
            &[
                ("decision", "APPROVE"),
                ("reason", &format!("{NOTE}: licence covers it")),
            ],
        )
        .await;
    assert!(
        first.body.contains("a second officer must approve"),
        "{}",
        first.body
    );
    let again = olga
        .act(
            &r.case_id,
            "decide",
            &[("decision", "APPROVE"), ("reason", "again")],
        )
        .await;
    assert!(again.body.contains("four-eyes rule"), "{}", again.body);

    let mut boris = Browser::login(&s, BORIS).await;
    let page = boris.get(&format!("/console/cases/{}", r.case_id)).await;
    assert!(page.body.contains("second officer"), "{}", page.body);
    let approved = boris
        .act(
            &r.case_id,
            "decide",
            &[
                ("decision", "APPROVE"),
                ("reason", &format!("{NOTE}: agreed")),
            ],
        )
        .await;
    assert!(
        approved.body.contains("Decided: APPROVED"),
        "{}",
        approved.body
    );
    let reopened = boris
        .act(
            &r.case_id,
            "reopen",
            &[("reason", &format!("{NOTE}: licence revoked"))],
        )
        .await;
    assert!(reopened.body.contains("Reopened."), "{}", reopened.body);
    assert!(reopened.body.contains("status-in_review"));
    assert!(reopened.body.contains(">reopen<") && reopened.body.contains(">decide<"));

    // The exporter: its own cases, the question, no internal notes.
    let mut kestrel = Browser::login(&s, KESTREL).await;
    let queue = kestrel.get("/console/queue").await;
    assert!(queue.body.contains(&r.case_id), "{}", queue.body);
    assert!(
        !queue.body.contains(&other.case_id),
        "another exporter's case"
    );
    let mine = kestrel.get(&format!("/console/cases/{}", r.case_id)).await;
    assert_eq!(mine.status, 200);
    assert!(
        mine.body.contains("Which laboratory uses the goods?"),
        "{}",
        mine.body
    );
    assert!(
        !mine.body.contains(NOTE),
        "internal notes leaked: {}",
        mine.body
    );
    assert!(!mine.body.contains("olga") && !mine.body.contains("boris"));
    assert!(!mine.body.contains("<form class=\"action\""));
    let theirs = kestrel
        .get(&format!("/console/cases/{}", other.case_id))
        .await;
    assert_eq!(theirs.status, 404);
    // The role table decides: an exporter's decision is refused.
    let csrf = mine.csrf();
    let denied = kestrel
        .post(
            &format!("/console/cases/{}/decide", r.case_id),
            &[
                ("csrf", csrf.as_str()),
                ("decision", "APPROVE"),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(denied.status, 403, "{}", denied.body);
    s.stop().await;
}

#[tokio::test]
async fn compliance_pages_show_lists_diffs_policy_and_charts_to_the_roles_that_may_read_them() {
    let (_dir, s) = server().await;
    let r = screen(&s, namesake("PO-L1", "Kestrel Instruments Inc.")).await;
    let mut olga = Browser::login(&s, OLGA).await;

    let page = olga.get("/console/lists").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("href=\"/console/lists/test-denial\""),
        "{}",
        page.body
    );
    let versions = olga.get("/console/lists/test-denial").await;
    assert!(versions.body.contains("<td>1</td>"), "{}", versions.body);
    let diff = olga.get("/console/lists/test-denial?from=1&to=1").await;
    assert!(
        diff.body.contains("0 added, 0 removed, 0 changed"),
        "{}",
        diff.body
    );

    let policy = olga.get("/console/policy").await;
    assert_eq!(policy.status, 200);
    assert!(policy.body.contains("ofac-sdn") && policy.body.contains("licence_by_entry"));

    let reports = olga.get("/console/reports").await;
    assert_eq!(reports.status, 200);
    assert!(
        reports.body.contains("Cases opened per week"),
        "{}",
        reports.body
    );
    assert!(reports.body.matches("<svg").count() >= 4);
    assert!(
        reports.body.contains("<rect class=\"bar\""),
        "one case opened this week"
    );

    // Compliance starts on the lists (it has no queue), and sees no queue link.
    let mut carla = Browser::new(&s);
    let csrf = carla.get("/console/login").await.csrf();
    let r2 = carla
        .post("/console/login", &[("csrf", &csrf), ("token", CARLA)])
        .await;
    assert_eq!((r2.status, r2.location()), (303, "/console/lists"));
    let lists = carla.get("/console/lists").await;
    assert!(lists.body.contains("test-denial") && !lists.body.contains("/console/queue\""));
    assert_eq!(carla.get("/console/queue").await.status, 403);

    // An exporter has none of these: no links, and the pages refuse.
    let mut kestrel = Browser::login(&s, KESTREL).await;
    let queue = kestrel.get("/console/queue").await;
    assert!(queue.body.contains(&r.case_id));
    assert!(!queue.body.contains("/console/lists") && !queue.body.contains("/console/reports"));
    for path in ["/console/lists", "/console/policy", "/console/reports"] {
        let refused = kestrel.get(path).await;
        assert_eq!(refused.status, 403, "{path}: {}", refused.body);
    }
    s.stop().await;
}

#[tokio::test]
async fn the_webhooks_page_shows_each_subscriptions_delivery_log_to_its_managers() {
    use exportscreen::api::pb::webhook_service_client::WebhookServiceClient;
    let (_dir, s) = server().await;
    let receiver = "http://192.0.2.1:9/hooks/exportscreen";
    let created = WebhookServiceClient::new(s.channel_with(OLGA))
        .create_webhook(pb::CreateWebhookRequest {
            url: receiver.into(),
            events: vec![pb::WebhookEventType::CaseHighPriority as i32],
            description: "duty officer pager".into(),
            exporter: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let id = created.webhook.unwrap().webhook_id;

    let mut olga = Browser::login(&s, OLGA).await;
    let page = olga.get("/console/webhooks").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("href=\"/console/webhooks\""),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&id) && page.body.contains(receiver),
        "{}",
        page.body
    );
    assert!(page.body.contains("case.high_priority"), "{}", page.body);
    assert!(page.body.contains("No deliveries yet"), "{}", page.body);
    assert!(!page.body.contains(&created.secret));

    // A HIGH case: one delivery, whose first attempt fails (nobody listens
    // on TEST-NET-1); the page shows the attempt and its error.
    let mut listed = plain_shipment("PO-W1");
    listed.parties[1].name = crate::util::LISTED_NAME.into();
    screen(&s, listed).await;
    let mut hooks = WebhookServiceClient::new(s.channel_with(OLGA));
    let mut attempted = false;
    for _ in 0..300 {
        let log = hooks
            .list_webhook_deliveries(pb::ListWebhookDeliveriesRequest {
                webhook_id: id.clone(),
                limit: 0,
            })
            .await
            .unwrap()
            .into_inner()
            .deliveries;
        if log.first().is_some_and(|d| !d.attempts.is_empty()) {
            attempted = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(attempted, "no attempt recorded in 30 s");
    let page = olga.get("/console/webhooks").await;
    assert!(page.body.contains("<td>1</td>"), "{}", page.body);
    assert!(
        page.body.contains("pending") || page.body.contains("failed"),
        "{}",
        page.body
    );

    // An exporter sees its own subscriptions only (none here).
    let mut kestrel = Browser::login(&s, KESTREL).await;
    let mine = kestrel.get("/console/webhooks").await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    assert!(mine.body.contains("No subscriptions"), "{}", mine.body);
    assert!(!mine.body.contains(&id));
    s.stop().await;
}
