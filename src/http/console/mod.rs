//! The officer console under `/console/` on the HTTP listener:
//! server-rendered HTML ([`pages`]) with committed static CSS and script
//! (`assets/`, embedded), no Node at run time.
//!
//! Nothing here decides anything either: every page and action is one or
//! more in-process gRPC calls with the logged-in user's token, through the
//! same access layer and role table as the gRPC port (an action the table
//! refuses is refused here too, and its form is not even shown), and the
//! exporter boundary of the case service decides what an exporter sees.
//!
//! Security: login exchanges a token for an HttpOnly, SameSite=Strict,
//! Path=/console session cookie (the token stays in the server-side
//! session map, [`session`]); every form carries the session's CSRF token,
//! checked on every POST (403 otherwise; the login form has its own, in a
//! short-lived cookie); every answer carries a Content-Security-Policy
//! without inline script, `X-Frame-Options: DENY`, `Referrer-Policy:
//! no-referrer`, `X-Content-Type-Options: nosniff` and `Cache-Control:
//! no-store`.

pub mod html;
pub mod pages;
pub mod session;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use prost::Message;
use tonic::Code;

use self::html::{Nav, url};
use self::pages::{Actions, CaseExtras, Listed, QueueFilter};
use self::session::{LOGIN_COOKIE, SESSION_COOKIE, Session, Sessions, same_secret};
use super::transcode::{self, GrpcService};
use crate::api::pb;

/// The Content-Security-Policy of every console answer.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                       form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

const CSS: &str = include_str!("assets/console.css");
const JS: &str = include_str!("assets/console.js");

/// Cases on one queue page (the filters are the API's: the store applies
/// them while it reads the queue index).
const QUEUE_PAGE: u32 = 200;
/// Longest form body accepted.
const MAX_FORM: usize = 64 << 10;

/// Where the console reads the policy in force (the policy page).
pub type EngineSource = Arc<dyn Fn() -> Arc<crate::engine::Engine> + Send + Sync>;

/// The console's state.
#[derive(Clone)]
pub struct Console {
    grpc: GrpcService,
    sessions: Sessions,
    engine: Option<EngineSource>,
}

/// The console's routes (to merge into the HTTP router).
pub fn router(grpc: GrpcService, engine: Option<EngineSource>) -> Router {
    let state = Console {
        grpc,
        sessions: Sessions::default(),
        engine,
    };
    Router::new()
        .route("/console", axum::routing::get(home))
        .route("/console/", axum::routing::get(home))
        .route("/console/login", axum::routing::get(login_page).post(login))
        .route("/console/logout", axum::routing::post(logout))
        .route("/console/queue", axum::routing::get(queue))
        .route("/console/cases/{id}", axum::routing::get(case_page))
        .route(
            "/console/cases/{id}/{action}",
            axum::routing::post(case_action),
        )
        .route("/console/lists", axum::routing::get(lists_page))
        .route("/console/lists/{id}", axum::routing::get(list_page))
        .route("/console/policy", axum::routing::get(policy_page))
        .route("/console/reports", axum::routing::get(reports_page))
        .route("/console/webhooks", axum::routing::get(webhooks_page))
        .route("/console/assets/console.css", axum::routing::get(css))
        .route("/console/assets/console.js", axum::routing::get(js))
        .route("/console/{*rest}", axum::routing::any(not_found))
        .layer(axum::middleware::map_response(secure))
        .with_state(state)
}

/// Adds the security headers to every console answer.
async fn secure(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    r
}

fn html_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// A cookie of the console (HttpOnly, SameSite=Strict, Path=/console).
fn cookie(name: &str, value: &str, max_age_secs: u64) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}={value}; HttpOnly; SameSite=Strict; Path=/console; Max-Age={max_age_secs}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("es_invalid=1; Path=/console; Max-Age=0"))
}

/// The value of cookie `name` in the request.
fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The user's first page: the queue, or the lists for a role without one.
fn start_page(s: &Session) -> &'static str {
    if s.may("/exportscreen.v1.CaseService/ListCases") {
        "/console/queue"
    } else {
        "/console/lists"
    }
}

/// The navigation the user's roles allow.
fn nav(s: &Session) -> Vec<Nav> {
    let mut out = Vec::new();
    if s.may("/exportscreen.v1.CaseService/ListCases") {
        out.push(Nav {
            href: "/console/queue",
            label: if s.exporter_only() {
                "My cases"
            } else {
                "Queue"
            },
        });
    }
    if s.may("/exportscreen.v1.ListService/ListLists") {
        out.push(Nav {
            href: "/console/lists",
            label: "Lists",
        });
        out.push(Nav {
            href: "/console/policy",
            label: "Policy",
        });
    }
    if s.may("/exportscreen.v1.CaseService/GetReport") {
        out.push(Nav {
            href: "/console/reports",
            label: "Reports",
        });
    }
    if s.may("/exportscreen.v1.WebhookService/ListWebhookDeliveries") {
        out.push(Nav {
            href: "/console/webhooks",
            label: "Webhooks",
        });
    }
    out
}

fn render(s: &Session, title: &str, body: &str) -> String {
    html::page(
        title,
        Some((
            s.caller.principal.as_str(),
            s.roles_text().as_str(),
            s.csrf.as_str(),
        )),
        &nav(s),
        body,
    )
}

/// A page explaining a refusal, with the HTTP status of the gRPC code.
fn failure(s: Option<&Session>, status: &tonic::Status) -> Response {
    let http = super::error::http_status(status.code());
    let body = format!(
        "<h1>{}</h1><p class=\"notice error\">{}</p>",
        html::esc(&format!("{:?}", status.code())),
        html::esc(status.message())
    );
    let page = match s {
        Some(s) => render(s, "Error", &body),
        None => html::page("Error", None, &[], &body),
    };
    html_response(http, page)
}

impl Console {
    /// The live session of the request, if any.
    fn session(&self, headers: &HeaderMap) -> Option<Session> {
        cookie_value(headers, SESSION_COOKIE).and_then(|id| self.sessions.get(&id))
    }

    /// Calls `path` as `token`'s owner.
    async fn call<Req: Message, Resp: Message + Default>(
        &self,
        token: &str,
        path: &str,
        req: &Req,
    ) -> Result<Resp, tonic::Status> {
        let mut headers = HeaderMap::new();
        let auth = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| tonic::Status::unauthenticated("malformed token"))?;
        headers.insert(header::AUTHORIZATION, auth);
        let answer = transcode::call(&self.grpc, path, req.encode_to_vec(), &headers).await;
        let bytes = answer.outcome?;
        Resp::decode(bytes).map_err(|e| tonic::Status::internal(e.to_string()))
    }
}

/// The session, or a redirect to the login page.
macro_rules! session_or_login {
    ($console:expr, $headers:expr) => {
        match $console.session(&$headers) {
            Some(s) => s,
            None => return redirect("/console/login"),
        }
    };
}

/// Parses a form body.
fn form(body: &[u8]) -> Result<Vec<(String, String)>, Box<Response>> {
    if body.len() > MAX_FORM {
        return Err(Box::new(html_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            html::page("Error", None, &[], "<p>Form too large.</p>"),
        )));
    }
    serde_urlencoded::from_bytes(body).map_err(|e| {
        Box::new(html_response(
            StatusCode::BAD_REQUEST,
            html::page(
                "Error",
                None,
                &[],
                &format!("<p>Malformed form: {}</p>", html::esc(&e.to_string())),
            ),
        ))
    })
}

fn field<'a>(f: &'a [(String, String)], name: &str) -> &'a str {
    f.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

fn csrf_refused() -> Response {
    html_response(
        StatusCode::FORBIDDEN,
        html::page(
            "Forbidden",
            None,
            &[],
            "<h1>Forbidden</h1><p class=\"notice error\">The form's CSRF token is missing or wrong: \
             reload the page and try again.</p>",
        ),
    )
}

async fn home(State(c): State<Console>, headers: HeaderMap) -> Response {
    match c.session(&headers) {
        Some(s) => redirect(start_page(&s)),
        None => redirect("/console/login"),
    }
}

async fn login_page(State(c): State<Console>, headers: HeaderMap) -> Response {
    if let Some(s) = c.session(&headers) {
        return redirect(start_page(&s));
    }
    login_form(None, StatusCode::OK)
}

/// The login form with a fresh login CSRF token in its own cookie.
fn login_form(error: Option<&str>, status: StatusCode) -> Response {
    let Ok(csrf) = session::random_token() else {
        return failure(None, &tonic::Status::internal("no randomness"));
    };
    let mut r = html_response(
        status,
        html::page("Log in", None, &[], &pages::login(&csrf, error)),
    );
    r.headers_mut()
        .append(header::SET_COOKIE, cookie(LOGIN_COOKIE, &csrf, 600));
    r
}

async fn login(State(c): State<Console>, headers: HeaderMap, body: Bytes) -> Response {
    let f = match form(&body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let expected = cookie_value(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same_secret(&expected, field(&f, "csrf")) {
        return csrf_refused();
    }
    let token = field(&f, "token").trim().to_string();
    if token.is_empty() {
        return login_form(Some("token: required"), StatusCode::BAD_REQUEST);
    }
    let info: pb::TokenInfo = match c
        .call(
            &token,
            "/exportscreen.v1.AdminService/WhoAmI",
            &pb::WhoAmIRequest::default(),
        )
        .await
    {
        Ok(i) => i,
        Err(e) => {
            let status = super::error::http_status(e.code());
            return login_form(Some(e.message()), status);
        }
    };
    let caller = crate::api::caller::Caller {
        principal: info.principal.clone(),
        roles: session::roles_of(&info),
        exporter: Some(info.exporter.clone()).filter(|e| !e.is_empty()),
    };
    let Ok((id, session)) = c.sessions.open(token, caller) else {
        return failure(None, &tonic::Status::internal("no randomness"));
    };
    let mut r = redirect(start_page(&session));
    let h = r.headers_mut();
    h.append(
        header::SET_COOKIE,
        cookie(SESSION_COOKIE, &id, session::SESSION_TTL.as_secs()),
    );
    h.append(header::SET_COOKIE, cookie(LOGIN_COOKIE, "", 0));
    r
}

async fn logout(State(c): State<Console>, headers: HeaderMap, body: Bytes) -> Response {
    let s = session_or_login!(c, headers);
    let f = match form(&body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    if !same_secret(&s.csrf, field(&f, "csrf")) {
        return csrf_refused();
    }
    if let Some(id) = cookie_value(&headers, SESSION_COOKIE) {
        c.sessions.close(&id);
    }
    let mut r = redirect("/console/login");
    r.headers_mut()
        .append(header::SET_COOKIE, cookie(SESSION_COOKIE, "", 0));
    r
}

fn query_pairs(q: Option<&str>) -> Vec<(String, String)> {
    serde_urlencoded::from_str(q.unwrap_or("")).unwrap_or_default()
}

async fn queue(State(c): State<Console>, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    let s = session_or_login!(c, headers);
    let pairs = query_pairs(q.as_deref());
    let get = |k: &str| field(&pairs, k).trim().to_string();
    let f = QueueFilter {
        status: get("status"),
        decision: get("decision"),
        list: get("list"),
        exporter: get("exporter"),
        reference: get("reference"),
        party: get("party"),
        q: get("q"),
    };
    let statuses: Vec<i32> = if f.status.is_empty() {
        vec![
            pb::CaseStatus::Open as i32,
            pb::CaseStatus::InReview as i32,
            pb::CaseStatus::InfoRequested as i32,
        ]
    } else {
        match pb::CaseStatus::from_str_name(&format!("CASE_STATUS_{}", f.status)) {
            Some(st) => vec![st as i32],
            None => {
                return failure(
                    Some(&s),
                    &tonic::Status::invalid_argument(format!("status: unknown {:?}", f.status)),
                );
            }
        }
    };
    let decisions = match f.decision.as_str() {
        "" => Vec::new(),
        d => match pb::Decision::from_str_name(&format!("DECISION_{d}")) {
            Some(x) => vec![x as i32],
            None => {
                return failure(
                    Some(&s),
                    &tonic::Status::invalid_argument(format!("decision: unknown {d:?}")),
                );
            }
        },
    };
    let req = pb::ListCasesRequest {
        statuses,
        decisions,
        exporter: f.exporter.clone(),
        list_id: f.list.clone(),
        reference: f.reference.clone(),
        party: f.party.clone(),
        query: f.q.clone(),
        page_size: QUEUE_PAGE,
        ..Default::default()
    };
    let page: pb::ListCasesResponse = match c
        .call(&s.token, "/exportscreen.v1.CaseService/ListCases", &req)
        .await
    {
        Ok(p) => p,
        Err(e) => return failure(Some(&s), &e),
    };
    let cases = page.cases;
    let body = format!(
        "{}{}",
        pages::notice(
            Some(field(&query_pairs(q.as_deref()), "done")),
            Some(field(&query_pairs(q.as_deref()), "error"))
        ),
        pages::queue(
            &f,
            &cases,
            s.exporter_only(),
            !page.next_page_token.is_empty()
        )
    );
    html_response(StatusCode::OK, render(&s, "Queue", &body))
}

async fn case_page(
    State(c): State<Console>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let s = session_or_login!(c, headers);
    let case: pb::Case = match c
        .call(
            &s.token,
            "/exportscreen.v1.CaseService/GetCase",
            &pb::GetCaseRequest {
                case_id: id.clone(),
                ..Default::default()
            },
        )
        .await
    {
        Ok(x) => x,
        Err(e) => return failure(Some(&s), &e),
    };
    let pairs = query_pairs(q.as_deref());
    let notice = pages::notice(Some(field(&pairs, "done")), Some(field(&pairs, "error")));
    if s.exporter_only() {
        let body = format!("{notice}{}", pages::exporter_case(&case));
        return html_response(StatusCode::OK, render(&s, &id, &body));
    }
    // The listed entry of each finding of the latest screening, at the
    // version that screening used.
    let mut listed: Vec<Option<Listed>> = Vec::new();
    if let Some(latest) = case.screenings.last() {
        let result = latest.result.clone().unwrap_or_default();
        for f in &result.findings {
            if f.entry_id.is_empty() || f.list_id.is_empty() || !f.target.starts_with("party:") {
                listed.push(None);
                continue;
            }
            if !s.may("/exportscreen.v1.ListService/GetEntry") {
                listed.push(Some(Listed::Unavailable(
                    "your role may not read list entries".into(),
                )));
                continue;
            }
            let version = result
                .list_versions
                .iter()
                .find(|v| v.list_id == f.list_id)
                .map_or(0, |v| v.version);
            let answer: Result<pb::GetEntryResponse, _> = c
                .call(
                    &s.token,
                    "/exportscreen.v1.ListService/GetEntry",
                    &pb::GetEntryRequest {
                        list_id: f.list_id.clone(),
                        version,
                        entry_id: f.entry_id.clone(),
                    },
                )
                .await;
            listed.push(Some(match answer {
                Ok(e) => Listed::Entry(Box::new(e)),
                Err(e) => Listed::Unavailable(e.message().to_string()),
            }));
        }
    }
    let may = Actions {
        mark: s.may("/exportscreen.v1.CaseService/MarkFinding"),
        claim: s.may("/exportscreen.v1.CaseService/ClaimCase"),
        request_info: s.may("/exportscreen.v1.CaseService/RequestInfo"),
        decide: s.may("/exportscreen.v1.CaseService/DecideCase"),
        reopen: s.may("/exportscreen.v1.CaseService/ReopenCase"),
        record_check: s.may("/exportscreen.v1.CaseService/RecordCheck"),
    };
    let x = CaseExtras {
        listed: &listed,
        csrf: &s.csrf,
        me: &s.caller.principal,
        may,
    };
    let body = format!("{notice}{}", pages::case(&case, &x));
    html_response(StatusCode::OK, render(&s, &id, &body))
}

/// A date (`2027-03-01`) as Unix milliseconds at midnight UTC.
fn date_ms(d: &str) -> Option<i64> {
    chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_millis())
}

async fn case_action(
    State(c): State<Console>,
    headers: HeaderMap,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let s = session_or_login!(c, headers);
    let f = match form(&body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    if !same_secret(&s.csrf, field(&f, "csrf")) {
        return csrf_refused();
    }
    let reason = field(&f, "reason").to_string();
    let back = |key: &str, text: &str| {
        redirect(&format!("/console/cases/{}?{key}={}", url(&id), url(text)))
    };
    let done: Result<(pb::CaseActionResponse, String), tonic::Status> = match action.as_str() {
        "claim" => c
            .call::<_, pb::CaseActionResponse>(
                &s.token,
                "/exportscreen.v1.CaseService/ClaimCase",
                &pb::ClaimCaseRequest {
                    case_id: id.clone(),
                    assignee: String::new(),
                    reason,
                },
            )
            .await
            .map(|r| (r, "Claimed.".to_string())),
        "request-info" => c
            .call::<_, pb::CaseActionResponse>(
                &s.token,
                "/exportscreen.v1.CaseService/RequestInfo",
                &pb::RequestInfoRequest {
                    case_id: id.clone(),
                    reason,
                },
            )
            .await
            .map(|r| (r, "Information requested.".to_string())),
        "reopen" => c
            .call::<_, pb::CaseActionResponse>(
                &s.token,
                "/exportscreen.v1.CaseService/ReopenCase",
                &pb::ReopenCaseRequest {
                    case_id: id.clone(),
                    reason,
                },
            )
            .await
            .map(|r| (r, "Reopened.".to_string())),
        "decide" => {
            let decision = match field(&f, "decision") {
                "APPROVE" => pb::CaseDecision::Approve,
                "DENY" => pb::CaseDecision::Deny,
                _ => return back("error", "decision: choose approve or deny"),
            };
            let due = match field(&f, "check_due").trim() {
                "" => 0,
                d => match date_ms(d) {
                    Some(ms) => ms,
                    None => return back("error", "check_due: not a date (YYYY-MM-DD)"),
                },
            };
            c.call::<_, pb::CaseActionResponse>(
                &s.token,
                "/exportscreen.v1.CaseService/DecideCase",
                &pb::DecideCaseRequest {
                    case_id: id.clone(),
                    decision: decision as i32,
                    reason,
                    post_shipment_check_due_unix_ms: due,
                },
            )
            .await
            .map(|r| {
                let st = r.case.as_ref().map_or(0, |x| x.status);
                let text = if decision == pb::CaseDecision::Approve
                    && st == pb::CaseStatus::InReview as i32
                {
                    "First approval recorded: a second officer must approve (four-eyes)."
                        .to_string()
                } else {
                    format!("Decided: {}.", pages::status_name(st))
                };
                (r, text)
            })
        }
        "mark" => {
            let verdict = match field(&f, "verdict") {
                "NOT_A_MATCH" => pb::FindingVerdict::NotAMatch,
                "CONFIRMED_MATCH" => pb::FindingVerdict::ConfirmedMatch,
                _ => return back("error", "verdict: choose not a match or confirmed match"),
            };
            let Ok(index) = field(&f, "finding_index").parse::<u32>() else {
                return back("error", "finding_index: not a number");
            };
            let close_others = !field(&f, "close_others").is_empty();
            c.call::<_, pb::CaseActionResponse>(
                &s.token,
                "/exportscreen.v1.CaseService/MarkFinding",
                &pb::MarkFindingRequest {
                    case_id: id.clone(),
                    screening_id: field(&f, "screening_id").to_string(),
                    finding_index: index,
                    verdict: verdict as i32,
                    reason,
                    close_others,
                },
            )
            .await
            .map(|r| {
                let mut text = format!("Finding #{} judged.", index + 1);
                if close_others {
                    text = format!(
                        "{text} Bulk not a match: closed {} other open case(s){}{}.",
                        r.closed_case_ids.len(),
                        if r.closed_case_ids.is_empty() {
                            ""
                        } else {
                            ": "
                        },
                        r.closed_case_ids.join(", ")
                    );
                }
                (r, text)
            })
        }
        "record-check" => {
            let kind = match field(&f, "kind") {
                "END_USE_CERTIFICATE" => pb::CheckKind::EndUseCertificate,
                "POST_SHIPMENT_VERIFIED" => pb::CheckKind::PostShipmentVerified,
                "POST_SHIPMENT_DIVERTED" => pb::CheckKind::PostShipmentDiverted,
                _ => return back("error", "kind: choose a kind of check"),
            };
            c.call::<_, pb::CaseActionResponse>(
                &s.token,
                "/exportscreen.v1.CaseService/RecordCheck",
                &pb::RecordCheckRequest {
                    case_id: id.clone(),
                    kind: kind as i32,
                    document: field(&f, "document").to_string(),
                    reason,
                },
            )
            .await
            .map(|r| (r, "Recorded.".to_string()))
        }
        _ => return not_found().await,
    };
    match done {
        Ok((_, text)) => back("done", &text),
        Err(e)
            if matches!(
                e.code(),
                Code::PermissionDenied | Code::Unauthenticated | Code::NotFound
            ) =>
        {
            failure(Some(&s), &e)
        }
        Err(e) => back("error", e.message()),
    }
}

async fn lists_page(State(c): State<Console>, headers: HeaderMap) -> Response {
    let s = session_or_login!(c, headers);
    match c
        .call::<_, pb::ListListsResponse>(
            &s.token,
            "/exportscreen.v1.ListService/ListLists",
            &pb::ListListsRequest::default(),
        )
        .await
    {
        Ok(l) => html_response(StatusCode::OK, render(&s, "Lists", &pages::lists(&l.lists))),
        Err(e) => failure(Some(&s), &e),
    }
}

async fn list_page(
    State(c): State<Console>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let s = session_or_login!(c, headers);
    let versions: pb::ListVersionsResponse = match c
        .call(
            &s.token,
            "/exportscreen.v1.ListService/ListVersions",
            &pb::ListVersionsRequest {
                list_id: id.clone(),
            },
        )
        .await
    {
        Ok(v) => v,
        Err(e) => return failure(Some(&s), &e),
    };
    let pairs = query_pairs(q.as_deref());
    let mut diff = None;
    if let Ok(from) = field(&pairs, "from").trim().parse::<u64>() {
        let to = field(&pairs, "to").trim().parse::<u64>().unwrap_or(0);
        match c
            .call::<_, pb::DiffVersionsResponse>(
                &s.token,
                "/exportscreen.v1.ListService/DiffVersions",
                &pb::DiffVersionsRequest {
                    list_id: id.clone(),
                    from_version: from,
                    to_version: to,
                    limit: 200,
                },
            )
            .await
        {
            Ok(d) => diff = Some(d),
            Err(e) => return failure(Some(&s), &e),
        }
    }
    let body = pages::list_versions(&id, &versions.versions, diff.as_ref());
    html_response(StatusCode::OK, render(&s, &id, &body))
}

async fn policy_page(State(c): State<Console>, headers: HeaderMap) -> Response {
    let s = session_or_login!(c, headers);
    // The same roles as the list pages read the policy.
    if !s.may("/exportscreen.v1.ListService/ListLists") {
        return failure(
            Some(&s),
            &tonic::Status::permission_denied(
                "the policy page needs a role that may read the lists",
            ),
        );
    }
    let Some(engine) = c.engine.as_ref().map(|f| f()) else {
        return failure(Some(&s), &tonic::Status::unavailable("no engine"));
    };
    let body = pages::policy(&engine.policy().listing);
    html_response(StatusCode::OK, render(&s, "Policy", &body))
}

async fn reports_page(State(c): State<Console>, headers: HeaderMap) -> Response {
    let s = session_or_login!(c, headers);
    match c
        .call::<_, pb::Report>(
            &s.token,
            "/exportscreen.v1.CaseService/GetReport",
            &pb::GetReportRequest::default(),
        )
        .await
    {
        Ok(r) => html_response(StatusCode::OK, render(&s, "Reports", &pages::report(&r))),
        Err(e) => failure(Some(&s), &e),
    }
}

/// The subscriptions the caller manages, each with its latest deliveries
/// and every attempt (read only; managed through the API or the CLI).
async fn webhooks_page(State(c): State<Console>, headers: HeaderMap) -> Response {
    let s = session_or_login!(c, headers);
    let hooks = match c
        .call::<_, pb::ListWebhooksResponse>(
            &s.token,
            "/exportscreen.v1.WebhookService/ListWebhooks",
            &pb::ListWebhooksRequest {},
        )
        .await
    {
        Ok(r) => r.webhooks,
        Err(e) => return failure(Some(&s), &e),
    };
    let mut logs = Vec::with_capacity(hooks.len());
    for h in hooks {
        let log = match c
            .call::<_, pb::ListWebhookDeliveriesResponse>(
                &s.token,
                "/exportscreen.v1.WebhookService/ListWebhookDeliveries",
                &pb::ListWebhookDeliveriesRequest {
                    webhook_id: h.webhook_id.clone(),
                    limit: 20,
                },
            )
            .await
        {
            Ok(r) => r.deliveries,
            Err(e) => return failure(Some(&s), &e),
        };
        logs.push((h, log));
    }
    html_response(
        StatusCode::OK,
        render(&s, "Webhooks", &pages::webhooks(&logs)),
    )
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

async fn css() -> Response {
    asset("text/css; charset=utf-8", CSS)
}

async fn js() -> Response {
    asset("text/javascript; charset=utf-8", JS)
}

async fn not_found() -> Response {
    html_response(
        StatusCode::NOT_FOUND,
        html::page(
            "Not found",
            None,
            &[],
            "<h1>Not found</h1><p><a href=\"/console/\">Console</a></p>",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_http_only_strict_and_scoped() {
        let c = cookie(SESSION_COOKIE, "abc", 60);
        assert_eq!(
            c.to_str().unwrap(),
            "es_session=abc; HttpOnly; SameSite=Strict; Path=/console; Max-Age=60"
        );
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; es_session=xyz"),
        );
        assert_eq!(cookie_value(&h, SESSION_COOKIE).as_deref(), Some("xyz"));
        assert_eq!(cookie_value(&h, "b"), None);
    }

    #[test]
    fn dates_are_midnight_utc() {
        assert_eq!(date_ms("2027-03-01"), Some(1_803_859_200_000));
        assert_eq!(date_ms("1 March"), None);
    }
}
