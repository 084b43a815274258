//! The one place where errors become gRPC statuses.
//!
//! Every variant of [`crate::Error`] and of the layer errors it nests
//! ([`EngineError`], [`ImportError`], [`StoreError`]) is matched by name, with
//! no wildcard, so a new variant cannot compile until someone decides its
//! code. INVALID_ARGUMENT statuses carry a `google.rpc.BadRequest` detail
//! naming the offending field (`shipment.items[2].description`,
//! `files[sdn.csv]` ...), readable with `tonic_types::StatusExt`.

#![deny(clippy::wildcard_enum_match_arm)]

use thiserror::Error;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use crate::api::auth::AuthError;
use crate::api::pb;
use crate::cases::CaseError;
use crate::engine::EngineError;
use crate::lists::{EditError, ImportError};
use crate::store::StoreError;

/// An error raised while serving a request: a library error, or one of the
/// transport-level conditions only the API knows about.
#[derive(Debug, Error)]
pub enum ApiError {
    /// An error of the library (validation, engine, import, storage).
    #[error(transparent)]
    Lib(#[from] crate::Error),
    /// A request exceeds a size limit (chunk, file or upload too large).
    #[error("{field}: {message}")]
    TooLarge {
        /// The field over the limit (`requests[3].chunk.data` ...).
        field: String,
        /// The limit and the size seen.
        message: String,
    },
    /// A blocking task failed (panicked or was cancelled): a bug.
    #[error("internal error: {0}")]
    Internal(String),
    /// The client's request stream failed (cancelled, reset, a message that
    /// does not decode); answered with the transport's own status.
    #[error("request stream: {}", .0.message())]
    Stream(Box<Status>),
    /// Access control refused the call (no or bad token, wrong role, rate
    /// limit).
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// A request message that cannot be read (not valid protobuf, a frame
    /// cut short, no message at all): the client's mistake.
    #[error("{field}: {message}")]
    Undecodable {
        /// Where (`shipment.items.description`, `requests[3]`).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The revocation would leave no live ADMIN token (nobody could manage
    /// tokens any more without an offline recovery).
    #[error(
        "the last live ADMIN token cannot be revoked: create another ADMIN token first \
         (exportscreen token create --role admin), then revoke this one"
    )]
    LastAdmin,
    /// A stream sent more messages than allowed.
    #[error("{field}: {message}")]
    TooMany {
        /// The first message over the limit (`requests[100000]`).
        field: String,
        /// The limit.
        message: String,
    },
}

impl ApiError {
    /// An INVALID_ARGUMENT naming `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::Lib(crate::Error::InvalidArgument {
            field: field.into(),
            message: message.into(),
        })
    }

    /// A NOT_FOUND.
    pub fn not_found(what: impl Into<String>) -> ApiError {
        ApiError::Lib(crate::Error::NotFound(what.into()))
    }

    /// The gRPC code this error maps to (also used to pick a log level).
    pub fn code(&self) -> Code {
        Status::from(self).code()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Lib(e.into())
    }
}

impl From<ImportError> for ApiError {
    fn from(e: ImportError) -> Self {
        ApiError::Lib(e.into())
    }
}

impl From<EditError> for ApiError {
    fn from(e: EditError) -> Self {
        ApiError::Lib(e.into())
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        ApiError::Lib(e.into())
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        ApiError::Internal(format!("background task failed: {e}"))
    }
}

impl From<ApiError> for Status {
    fn from(e: ApiError) -> Status {
        Status::from(&e)
    }
}

impl From<&ApiError> for Status {
    fn from(e: &ApiError) -> Status {
        match e {
            ApiError::Lib(e) => lib_status(e),
            ApiError::TooLarge { .. } => Status::resource_exhausted(e.to_string()),
            ApiError::Internal(m) => Status::internal(m.clone()),
            ApiError::Stream(s) => Status::new(
                transport_code(s.code(), s.message()),
                s.message().to_string(),
            ),
            ApiError::Auth(e) => auth_status(e),
            ApiError::TooMany { .. } => Status::resource_exhausted(e.to_string()),
            ApiError::Undecodable { field, message } => bad_request(field, message.clone()),
            ApiError::LastAdmin => Status::failed_precondition(e.to_string()),
        }
    }
}

/// The code for a status raised by the transport (tonic): a message over
/// the size limit is RESOURCE_EXHAUSTED (as gRPC specifies), not tonic's
/// OUT_OF_RANGE; every other code stays.
pub fn transport_code(code: Code, message: &str) -> Code {
    if code == Code::OutOfRange && message.contains("message length too large") {
        Code::ResourceExhausted
    } else {
        code
    }
}

fn auth_status(e: &AuthError) -> Status {
    let msg = e.to_string();
    match e {
        AuthError::Missing
        | AuthError::Malformed
        | AuthError::Ambiguous { .. }
        | AuthError::Unknown
        | AuthError::Expired { .. }
        | AuthError::Revoked { .. } => Status::unauthenticated(msg),
        AuthError::Forbidden { .. } => Status::permission_denied(msg),
        AuthError::RateLimited { retry_after, .. } | AuthError::CostLimited { retry_after, .. } => {
            Status::with_error_details(
                Code::ResourceExhausted,
                msg,
                ErrorDetails::with_retry_info(Some(*retry_after)),
            )
        }
        // A stored token the server cannot read: the server's fault.
        AuthError::BadRecord { .. } => Status::internal(msg),
        AuthError::Store(e) => store_status(e),
    }
}

impl From<crate::Error> for Status {
    fn from(e: crate::Error) -> Status {
        lib_status(&e)
    }
}

/// INVALID_ARGUMENT with a BadRequest field violation; the message is
/// `field: description`.
fn bad_request(field: &str, description: String) -> Status {
    Status::with_error_details(
        Code::InvalidArgument,
        format!("{field}: {description}"),
        ErrorDetails::with_bad_request_violation(field, description),
    )
}

fn lib_status(e: &crate::Error) -> Status {
    match e {
        crate::Error::Engine(e) => engine_status(e),
        crate::Error::Import(e) => import_status(e),
        crate::Error::Store(e) => store_status(e),
        crate::Error::Edit(e) => edit_status(e),
        crate::Error::InvalidArgument { field, message } => bad_request(field, message.clone()),
        crate::Error::NotFound(_) => Status::not_found(e.to_string()),
        crate::Error::Case(e) => case_status(e),
        crate::Error::Cancelled => Status::cancelled(e.to_string()),
        crate::Error::Internal(_) => Status::internal(e.to_string()),
    }
}

fn case_status(e: &CaseError) -> Status {
    let msg = e.to_string();
    match e {
        CaseError::InvalidTransition { .. }
        | CaseError::NotAssignee { .. }
        | CaseError::ProhibitedApproval { .. }
        | CaseError::FourEyes { .. }
        | CaseError::NotSoleMatch { .. } => Status::failed_precondition(msg),
        CaseError::ReasonRequired { .. } => bad_request("reason", msg),
        CaseError::ScreeningNotInCase { .. } => bad_request("screening_id", msg),
        CaseError::NoSuchFinding { .. } => bad_request("finding_index", msg),
    }
}

fn engine_status(e: &EngineError) -> Status {
    match e {
        // The server's own configuration is unusable: the operator must fix it.
        EngineError::Config { .. } => Status::failed_precondition(e.to_string()),
        // An uploaded control list has an entry the engine cannot use.
        EngineError::ControlEntry { code, .. } => {
            bad_request(&format!("entries[{code}]"), e.to_string())
        }
        EngineError::Build(_) => Status::internal(e.to_string()),
    }
}

fn import_status(e: &ImportError) -> Status {
    match e {
        ImportError::UnknownFormat { .. } => bad_request("header.format", e.to_string()),
        ImportError::UnknownOption { option, .. } | ImportError::BadOption { option, .. } => {
            bad_request(&format!("header.options[{option}]"), e.to_string())
        }
        ImportError::MissingFile { file, .. }
        | ImportError::UnexpectedFile { file, .. }
        | ImportError::Malformed { file, .. }
        | ImportError::Empty { file } => bad_request(&format!("files[{file}]"), e.to_string()),
    }
}

fn edit_status(e: &EditError) -> Status {
    let msg = e.to_string();
    match e {
        EditError::NoSuchEntry { .. } | EditError::UnknownList { .. } => Status::not_found(msg),
        EditError::ListExists { .. } => Status::already_exists(msg),
        EditError::Official { .. } | EditError::Retired { .. } => Status::failed_precondition(msg),
        EditError::DuplicateId { .. } => Status::already_exists(msg),
        EditError::Invalid { field, message } => bad_request(field, message.clone()),
        EditError::WrongKind { .. } => bad_request("entry", msg),
        // Optimistic concurrency: the client reloads and tries again.
        EditError::VersionConflict { .. } => Status::aborted(msg),
    }
}

fn store_status(e: &StoreError) -> Status {
    let msg = e.to_string();
    match e {
        StoreError::Open { .. } | StoreError::Io(_) | StoreError::WriterStopped(_) => {
            Status::unavailable(msg)
        }
        StoreError::Backend(_) | StoreError::Encode { .. } | StoreError::InvalidVersion { .. } => {
            Status::internal(msg)
        }
        StoreError::Corrupt { .. } => Status::data_loss(msg),
        StoreError::NotFound { .. } => Status::not_found(msg),
        StoreError::InvalidListId { .. } => bad_request("header.list_id", msg),
        StoreError::VersionExists { .. } => Status::aborted(msg),
        StoreError::KindChanged { .. } => Status::failed_precondition(msg),
        StoreError::InvalidCursor => bad_request("page_token", msg),
        // The same id cannot name two shipments.
        StoreError::RequestIdReused { .. } => Status::already_exists(msg),
    }
}

/// The name of a gRPC code as the gRPC specification writes it (`OK`,
/// `PERMISSION_DENIED` ...): metrics labels, stream error answers.
pub fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

/// The answer of a ScreenShipments request that was not screened: the
/// status a ScreenShipment call would have got, as data (the stream goes
/// on), with the offending field of an INVALID_ARGUMENT.
pub fn shipment_error(status: &Status) -> pb::ShipmentError {
    let field = status
        .get_details_bad_request()
        .and_then(|b| b.field_violations.first().map(|v| v.field.clone()))
        .unwrap_or_default();
    pb::ShipmentError {
        code: status.code() as i32,
        code_name: code_name(status.code()).to_string(),
        message: status.message().to_string(),
        field,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn violation(s: &Status) -> Option<(String, String)> {
        let br = s.get_details_bad_request()?;
        let v = br.field_violations.first()?;
        Some((v.field.clone(), v.description.clone()))
    }

    #[test]
    fn codes_per_error() {
        let table: Vec<(&str, ApiError, Code)> = vec![
            (
                "invalid",
                ApiError::invalid("shipment", "required"),
                Code::InvalidArgument,
            ),
            (
                "not found",
                ApiError::not_found("screening x"),
                Code::NotFound,
            ),
            (
                "too large",
                ApiError::TooLarge {
                    field: "requests[1].chunk.data".into(),
                    message: "at most 1 MiB".into(),
                },
                Code::ResourceExhausted,
            ),
            ("internal", ApiError::Internal("x".into()), Code::Internal),
            ("no token", AuthError::Missing.into(), Code::Unauthenticated),
            (
                "bad header",
                AuthError::Malformed.into(),
                Code::Unauthenticated,
            ),
            (
                "two headers",
                AuthError::Ambiguous { count: 2 }.into(),
                Code::Unauthenticated,
            ),
            ("last admin", ApiError::LastAdmin, Code::FailedPrecondition),
            (
                "unknown token",
                AuthError::Unknown.into(),
                Code::Unauthenticated,
            ),
            (
                "expired",
                AuthError::Expired {
                    token_id: "tok-1".into(),
                }
                .into(),
                Code::Unauthenticated,
            ),
            (
                "revoked",
                AuthError::Revoked {
                    token_id: "tok-1".into(),
                }
                .into(),
                Code::Unauthenticated,
            ),
            (
                "forbidden",
                AuthError::Forbidden {
                    principal: "p".into(),
                    method: "/m".into(),
                    allowed: "ADMIN".into(),
                }
                .into(),
                Code::PermissionDenied,
            ),
            (
                "rate",
                AuthError::RateLimited {
                    principal: "p".into(),
                    per_second: 1.0,
                    burst: 1.0,
                    retry_after: std::time::Duration::from_millis(5),
                }
                .into(),
                Code::ResourceExhausted,
            ),
            (
                "too many messages",
                ApiError::TooMany {
                    field: "requests[10]".into(),
                    message: "at most 10".into(),
                },
                Code::ResourceExhausted,
            ),
            (
                "oversized message",
                ApiError::Stream(Box::new(Status::out_of_range(
                    "Error, decoded message length too large: found 9 bytes, the limit is: 8 bytes",
                ))),
                Code::ResourceExhausted,
            ),
            (
                "undecodable message",
                ApiError::Undecodable {
                    field: "requests[2].shipment.items.description".into(),
                    message: "not a valid protobuf message: invalid string value".into(),
                },
                Code::InvalidArgument,
            ),
            (
                "stream reset",
                ApiError::Stream(Box::new(Status::cancelled("reset"))),
                Code::Cancelled,
            ),
            (
                "unknown format",
                ImportError::UnknownFormat {
                    format: "x".into(),
                    known: "y".into(),
                }
                .into(),
                Code::InvalidArgument,
            ),
            (
                "kind changed",
                StoreError::KindChanged {
                    list_id: "x".into(),
                    current: crate::model::ListKind::Denial,
                    new: crate::model::ListKind::Control,
                }
                .into(),
                Code::FailedPrecondition,
            ),
            (
                "store not found",
                StoreError::NotFound {
                    what: "screening",
                    id: "scr-1".into(),
                }
                .into(),
                Code::NotFound,
            ),
            (
                "corrupt",
                StoreError::Corrupt {
                    key: "k".into(),
                    message: "m".into(),
                }
                .into(),
                Code::DataLoss,
            ),
            (
                "io",
                StoreError::Io(std::io::Error::other("disk")).into(),
                Code::Unavailable,
            ),
            (
                "writer stopped",
                StoreError::WriterStopped("shutting down".into()).into(),
                Code::Unavailable,
            ),
            (
                "request id reused",
                StoreError::RequestIdReused {
                    request_id: "r-1".into(),
                    screening_id: crate::ids::ScreeningId::new("scr-1"),
                }
                .into(),
                Code::AlreadyExists,
            ),
            (
                "bad page token",
                StoreError::InvalidCursor.into(),
                Code::InvalidArgument,
            ),
            ("cancelled", crate::Error::Cancelled.into(), Code::Cancelled),
            (
                "internal (library)",
                crate::Error::Internal("x".into()).into(),
                Code::Internal,
            ),
            (
                "config",
                EngineError::Config {
                    file: "policy.toml".into(),
                    message: "m".into(),
                }
                .into(),
                Code::FailedPrecondition,
            ),
            (
                "invalid transition",
                crate::Error::from(CaseError::InvalidTransition {
                    case_id: crate::ids::CaseId::new("case-1"),
                    status: crate::cases::CaseStatus::Denied,
                    action: "approve it".into(),
                    allowed: "IN_REVIEW".into(),
                    hint: String::new(),
                })
                .into(),
                Code::FailedPrecondition,
            ),
            (
                "not assignee",
                crate::Error::from(CaseError::NotAssignee {
                    case_id: crate::ids::CaseId::new("case-1"),
                    assignee: "alice".into(),
                    actor: "bob".into(),
                })
                .into(),
                Code::FailedPrecondition,
            ),
            (
                "no such finding",
                crate::Error::from(CaseError::NoSuchFinding {
                    screening_id: crate::ids::ScreeningId::new("scr-1"),
                    index: 4,
                    count: 2,
                })
                .into(),
                Code::InvalidArgument,
            ),
            (
                "no such entry",
                EditError::NoSuchEntry {
                    list_id: "x".into(),
                    entry_id: "1".into(),
                }
                .into(),
                Code::NotFound,
            ),
            (
                "duplicate entry",
                EditError::DuplicateId {
                    list_id: "x".into(),
                    entry_id: "1".into(),
                }
                .into(),
                Code::AlreadyExists,
            ),
            (
                "invalid entry",
                EditError::Invalid {
                    field: "entry.names".into(),
                    message: "required".into(),
                }
                .into(),
                Code::InvalidArgument,
            ),
            (
                "entry of the wrong kind",
                EditError::WrongKind {
                    list_id: "x".into(),
                    list_kind: "denial".into(),
                    entry_kind: "control".into(),
                }
                .into(),
                Code::InvalidArgument,
            ),
            (
                "version conflict",
                EditError::VersionConflict {
                    list_id: "x".into(),
                    expected: 1,
                    current: 2,
                }
                .into(),
                Code::Aborted,
            ),
            (
                "control entry",
                EngineError::ControlEntry {
                    list_id: "mtcr".into(),
                    code: "1.A.1".into(),
                    message: "no terms".into(),
                }
                .into(),
                Code::InvalidArgument,
            ),
        ];
        for (name, err, code) in table {
            assert_eq!(Status::from(&err).code(), code, "{name}");
            assert_eq!(err.code(), code, "{name}");
        }
    }

    #[test]
    fn invalid_arguments_name_the_field_in_message_and_details() {
        let s = Status::from(ApiError::invalid(
            "shipment.items[2].description",
            "must not be blank",
        ));
        assert!(
            s.message().starts_with("shipment.items[2].description: "),
            "{}",
            s.message()
        );
        let (field, desc) = violation(&s).expect("BadRequest detail");
        assert_eq!(field, "shipment.items[2].description");
        assert_eq!(desc, "must not be blank");
    }

    #[test]
    fn import_errors_name_file_and_line() {
        let s = Status::from(ApiError::from(ImportError::malformed(
            "sdn.csv",
            12,
            "expected 12 columns",
        )));
        assert_eq!(s.code(), Code::InvalidArgument);
        assert!(s.message().contains("sdn.csv, line 12"), "{}", s.message());
        assert_eq!(violation(&s).unwrap().0, "files[sdn.csv]");
    }

    #[test]
    fn code_names_are_the_specification_s() {
        let table = [
            (Code::Ok, "OK"),
            (Code::PermissionDenied, "PERMISSION_DENIED"),
            (Code::ResourceExhausted, "RESOURCE_EXHAUSTED"),
            (Code::Unauthenticated, "UNAUTHENTICATED"),
        ];
        for (code, name) in table {
            assert_eq!(code_name(code), name);
        }
        let e = shipment_error(&Status::from(ApiError::invalid(
            "requests[3].shipment.items[0].description",
            "required: must not be blank",
        )));
        assert_eq!((e.code, e.code_name.as_str()), (3, "INVALID_ARGUMENT"));
        assert_eq!(e.field, "requests[3].shipment.items[0].description");
        assert!(
            e.message.starts_with("requests[3].shipment"),
            "{}",
            e.message
        );
    }
}
