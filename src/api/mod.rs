//! gRPC API: tonic services over the engine and the store.
//!
//! - [`server`]: [`run`] (listener + shutdown future), [`ServerConfig`].
//! - [`startup`]: data directory, reference configuration, seeding ([`seed`]).
//! - [`state`]: the shared [`AppState`](state::AppState) (store, live engine, list changes).
//! - [`cases`]: the case and audit services (officers' workflow).
//! - [`screening`], [`lists`]: the screening and list services; handlers are thin:
//!   validate and convert ([`convert`]), call the engine or the state, map
//!   errors ([`status`]).
//!
//! Every handler runs in a span with a `request_id` (the client's
//! `x-request-id` metadata, or a generated `r-<n>`); errors are logged once,
//! where the handler turns them into a status.

use std::sync::atomic::{AtomicU64, Ordering};

use tonic::{Code, Response, Status};
use tracing::{error, info, warn};

pub mod auth;
pub mod caller;
pub mod cases;
pub mod convert;
pub mod datadir;
pub mod entries;
pub mod lists;
pub mod metrics;
pub mod parameters;
pub mod protocol;
pub mod refresh;
pub mod rescreen;
pub mod screening;
pub mod seed;
pub mod server;
pub mod startup;
pub mod state;
pub mod status;
pub mod tls;
pub mod validate;

pub use server::{ServeError, ServerConfig, run, run_with};
pub use status::ApiError;

/// Generated protobuf types and service stubs of `exportscreen.v1`.
#[allow(missing_docs, clippy::all)]
pub mod pb {
    tonic::include_proto!("exportscreen.v1");

    /// Encoded file descriptor set for server reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        tonic::include_file_descriptor_set!("exportscreen_descriptor");
}

/// Metadata key a client may set to correlate its calls with the logs.
pub const REQUEST_ID_HEADER: &str = "x-request-id";
/// Metadata key naming who makes a change (recorded as a list version's author).
pub const ACTOR_HEADER: &str = "x-exportscreen-actor";

/// The request id for logs: the client's `x-request-id` if it is short and
/// printable, else `r-<n>` from a process-wide counter.
pub fn request_id<T>(req: &tonic::Request<T>) -> String {
    req.metadata()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| valid_request_id(v))
        .map(str::to_string)
        .unwrap_or_else(new_request_id)
}

/// True for a usable client request id: 1 to 64 printable ASCII characters.
pub fn valid_request_id(v: &str) -> bool {
    !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_graphic())
}

/// A fresh request id, `r-<n>` from a process-wide counter.
pub fn new_request_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("r-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Turns a handler result into the gRPC answer, logging a failure once:
/// client mistakes at `info`, conditions an operator should see at `warn`,
/// server faults at `error`.
pub fn respond<T>(result: Result<T, ApiError>) -> Result<Response<T>, Status> {
    match result {
        Ok(v) => Ok(Response::new(v)),
        Err(e) => {
            let status = Status::from(&e);
            log_status(&status);
            Err(status)
        }
    }
}

/// Logs a status at the level its code calls for.
pub fn log_status(status: &Status) {
    let code = status.code();
    let msg = status.message();
    match code {
        Code::InvalidArgument
        | Code::NotFound
        | Code::AlreadyExists
        | Code::OutOfRange
        | Code::Cancelled
        | Code::Unauthenticated
        | Code::PermissionDenied => info!(code = ?code, error = %msg, "request refused"),
        Code::FailedPrecondition | Code::ResourceExhausted | Code::Aborted => {
            warn!(code = ?code, error = %msg, "request refused")
        }
        Code::Ok
        | Code::Unknown
        | Code::DeadlineExceeded
        | Code::Unimplemented
        | Code::Internal
        | Code::Unavailable
        | Code::DataLoss => error!(code = ?code, error = %msg, "request failed"),
    }
}
