//! The HTTP/JSON front (`serve --http-listen`): proto3 JSON over plain
//! HTTP for integrators that cannot speak gRPC.
//!
//! Nothing here decides anything: every call is transcoded
//! ([`transcode`]) into a gRPC request and sent through the very same
//! tonic routes and tower layers as the gRPC port (access control and the
//! role table, rate limit, metrics, request ids), in process; the answer
//! (or the status with its details) is transcoded back ([`error`] maps
//! the codes). Routes:
//!
//! - `POST /v1/{package.Service}/{Method}`: every unary method of the
//!   protos (the table is generated from the descriptor set);
//! - the readable aliases of [`routes`] (`POST /v1/shipments:screen` ...);
//! - `GET /openapi.json` ([`openapi`]) and `GET /healthz` (open);
//! - the officer console under `/console/` ([`console`]).
//!
//! Streaming RPCs are gRPC only.

pub mod console;
pub mod error;
pub mod openapi;
pub mod routes;
pub mod transcode;

use std::future::Future;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use prost::Message as _;
use tokio::net::TcpListener;
use tonic::Code;
use tracing::info;

use self::error::HttpError;
use self::routes::ALIASES;
use self::transcode::{GrpcService, UnaryMethod};

/// Largest JSON body accepted (a maximal shipment in JSON is larger than
/// its protobuf; the gRPC limits still apply to the transcoded message).
pub const MAX_JSON_BODY: usize = 64 << 20;

/// Bodies larger than this are parsed on the blocking pool.
const INLINE_PARSE: usize = 64 << 10;

/// The front's state: the in-process gRPC service.
#[derive(Clone)]
struct Front {
    grpc: GrpcService,
}

/// The HTTP router over `grpc` (the gRPC routes behind the access layer),
/// with the console (reading the policy in force from `engine`).
pub fn router(grpc: GrpcService, engine: Option<console::EngineSource>) -> Router {
    let console = console::router(grpc.clone(), engine);
    let mut router = Router::new()
        .route("/openapi.json", axum::routing::get(openapi_json))
        .route("/healthz", axum::routing::get(healthz))
        .route("/v1/{service}/{method}", axum::routing::post(generic));
    for alias in ALIASES {
        let Some(target) = alias.target() else {
            continue;
        };
        let route = if alias.method == "GET" {
            axum::routing::get(
                move |State(front): State<Front>, uri: http::Uri, headers: http::HeaderMap| async move {
                    match routes::get_request(alias, uri.path(), uri.query()) {
                        Ok(json) => unary(&front, target, json.into(), headers).await,
                        Err(e) => e.into_response(),
                    }
                },
            )
        } else {
            axum::routing::post(
                move |State(front): State<Front>, headers: http::HeaderMap, body: Bytes| async move {
                    unary(&front, target, body, headers).await
                },
            )
        };
        router = router.route(alias.openapi_path, route);
    }
    router
        .fallback(|method: http::Method, uri: http::Uri| async move {
            HttpError::front(
                Code::NotFound,
                format!("no route {method} {} (see /openapi.json)", uri.path()),
            )
        })
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY))
        .with_state(Front { grpc })
        .merge(console)
}

/// Serves the front on `listener` until `shutdown` completes.
///
/// # Errors
/// The listener's I/O error.
pub async fn serve(
    listener: TcpListener,
    grpc: GrpcService,
    engine: Option<console::EngineSource>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    info!(addr = ?listener.local_addr().ok(), "http/json on http://ADDR/v1 (openapi: /openapi.json, console: /console/)");
    axum::serve(listener, router(grpc, engine))
        .with_graceful_shutdown(shutdown)
        .await
}

async fn openapi_json() -> Response {
    axum::Json(openapi::document()).into_response()
}

/// `GET /healthz`: the gRPC health check of the whole server, in process.
async fn healthz(State(front): State<Front>) -> Response {
    let answer = transcode::call(
        &front.grpc,
        "/grpc.health.v1.Health/Check",
        Vec::new(),
        &http::HeaderMap::new(),
    )
    .await;
    let serving = answer
        .outcome
        .ok()
        .and_then(|b| tonic_health::pb::HealthCheckResponse::decode(b).ok());
    match serving {
        Some(r)
            if r.status
                == tonic_health::pb::health_check_response::ServingStatus::Serving as i32 =>
        {
            (
                http::StatusCode::OK,
                axum::Json(serde_json::json!({ "status": "SERVING" })),
            )
                .into_response()
        }
        _ => (
            http::StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({ "status": "NOT_SERVING" })),
        )
            .into_response(),
    }
}

/// `POST /v1/{package.Service}/{Method}`.
async fn generic(
    State(front): State<Front>,
    Path((service, method)): Path<(String, String)>,
    headers: http::HeaderMap,
    body: Bytes,
) -> Response {
    match transcode::find(&service, &method) {
        Some(m) => unary(&front, m, body, headers).await,
        None => HttpError::front(
            Code::NotFound,
            format!(
                "no unary method {service}/{method} (streaming methods are gRPC only; see /openapi.json)"
            ),
        )
        .into_response(),
    }
}

/// One unary call: JSON body -> gRPC -> JSON answer.
async fn unary(
    front: &Front,
    m: &'static UnaryMethod,
    body: Bytes,
    headers: http::HeaderMap,
) -> Response {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        Bytes::from_static(b"{}")
    } else {
        body
    };
    let decoded = if body.len() > INLINE_PARSE {
        let parse = m.request;
        let b = body.clone();
        tokio::task::spawn_blocking(move || parse(&b))
            .await
            .unwrap_or_else(|e| Err(serde::de::Error::custom(e)))
    } else {
        (m.request)(&body)
    };
    let message = match decoded {
        Ok(message) => message,
        Err(e) => {
            return HttpError::front(
                Code::InvalidArgument,
                format!(
                    "request body is not a {} in proto3 JSON: {e}",
                    m.request_type
                ),
            )
            .into_response();
        }
    };
    let answer = transcode::call(&front.grpc, m.path, message, &headers).await;
    let result = answer
        .outcome
        .and_then(|bytes| (m.response)(&bytes).map_err(|e| tonic::Status::internal(e.to_string())));
    match result {
        Ok(json) => {
            let mut response = axum::Json(json).into_response();
            if let Some(id) = answer.request_id {
                response
                    .headers_mut()
                    .insert(crate::api::REQUEST_ID_HEADER, id);
            }
            response
        }
        Err(status) => HttpError {
            status,
            request_id: answer.request_id,
        }
        .into_response(),
    }
}
