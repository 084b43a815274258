//! gRPC status -> HTTP answer: the one table from gRPC codes to HTTP
//! statuses (exhaustive, no wildcard) and the JSON error body (code,
//! message, the BadRequest field violations, the retry delay).

use std::time::Duration;

use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::Serialize;
use tonic::{Code, Status};
use tonic_types::StatusExt;

/// The HTTP status answering gRPC `code`.
///
/// FAILED_PRECONDITION is 409 (the resource's state refuses the call;
/// 412 is about the request's own `If-*` preconditions).
pub fn http_status(code: Code) -> StatusCode {
    match code {
        Code::Ok => StatusCode::OK,
        Code::Cancelled => StatusCode::from_u16(499).unwrap_or(StatusCode::BAD_REQUEST),
        Code::Unknown => StatusCode::INTERNAL_SERVER_ERROR,
        Code::InvalidArgument => StatusCode::BAD_REQUEST,
        Code::DeadlineExceeded => StatusCode::GATEWAY_TIMEOUT,
        Code::NotFound => StatusCode::NOT_FOUND,
        Code::AlreadyExists => StatusCode::CONFLICT,
        Code::PermissionDenied => StatusCode::FORBIDDEN,
        Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
        Code::FailedPrecondition => StatusCode::CONFLICT,
        Code::Aborted => StatusCode::CONFLICT,
        Code::OutOfRange => StatusCode::BAD_REQUEST,
        Code::Unimplemented => StatusCode::NOT_IMPLEMENTED,
        Code::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Code::DataLoss => StatusCode::INTERNAL_SERVER_ERROR,
        Code::Unauthenticated => StatusCode::UNAUTHORIZED,
    }
}

/// The canonical name of a gRPC code (`INVALID_ARGUMENT`).
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

/// One invalid field (google.rpc.BadRequest.FieldViolation).
#[derive(Debug, Serialize)]
pub struct FieldViolation {
    /// The field's path, `shipment.items[2].description`.
    pub field: String,
    /// What is wrong with it.
    pub description: String,
}

/// The JSON body of every error answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// The gRPC code's name, `INVALID_ARGUMENT`.
    pub code: &'static str,
    /// The gRPC code's number.
    pub grpc_code: i32,
    /// The message, as gRPC clients get it.
    pub message: String,
    /// The invalid fields (INVALID_ARGUMENT).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub field_violations: Vec<FieldViolation>,
    /// When to retry (RESOURCE_EXHAUSTED), in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
}

/// An error answer: the status and, if known, the call's request id.
#[derive(Debug)]
pub struct HttpError {
    /// The gRPC status.
    pub status: Status,
    /// Echoed as `x-request-id`.
    pub request_id: Option<http::HeaderValue>,
}

impl HttpError {
    /// An error answered by the front itself (no gRPC call was made).
    pub fn front(code: Code, message: impl Into<String>) -> HttpError {
        HttpError {
            status: Status::new(code, message),
            request_id: None,
        }
    }

    /// The JSON body and the retry delay.
    pub fn body(&self) -> ErrorBody {
        let details = self.status.get_error_details();
        let field_violations = details
            .bad_request()
            .map(|b| {
                b.field_violations
                    .iter()
                    .map(|v| FieldViolation {
                        field: v.field.clone(),
                        description: v.description.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let retry_after_ms = details
            .retry_info()
            .and_then(|r| r.retry_delay)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        ErrorBody {
            code: code_name(self.status.code()),
            grpc_code: self.status.code() as i32,
            message: self.status.message().to_string(),
            field_violations,
            retry_after_ms,
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let body = self.body();
        let mut response = (http_status(self.status.code()), axum::Json(&body)).into_response();
        let headers = response.headers_mut();
        if let Some(ms) = body.retry_after_ms {
            // Retry-After is in whole seconds: round up, at least 1.
            let secs = Duration::from_millis(ms).as_secs_f64().ceil().max(1.0) as u64;
            headers.insert(http::header::RETRY_AFTER, http::HeaderValue::from(secs));
        }
        if let Some(id) = self.request_id {
            headers.insert(crate::api::REQUEST_ID_HEADER, id);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic_types::{ErrorDetails, StatusExt};

    #[test]
    fn grpc_codes_map_to_http_statuses() {
        let table = [
            (Code::InvalidArgument, 400),
            (Code::Unauthenticated, 401),
            (Code::PermissionDenied, 403),
            (Code::NotFound, 404),
            (Code::AlreadyExists, 409),
            (Code::Aborted, 409),
            (Code::FailedPrecondition, 409),
            (Code::ResourceExhausted, 429),
            (Code::Unimplemented, 501),
            (Code::Internal, 500),
            (Code::Unavailable, 503),
            (Code::DeadlineExceeded, 504),
        ];
        for (code, http) in table {
            assert_eq!(http_status(code).as_u16(), http, "{code:?}");
        }
    }

    #[test]
    fn bad_request_details_and_retry_info_reach_the_body() {
        let status = Status::with_error_details(
            Code::InvalidArgument,
            "invalid shipment",
            ErrorDetails::with_bad_request_violation(
                "shipment.items[2].description",
                "must not be empty",
            ),
        );
        let body = HttpError {
            status,
            request_id: None,
        }
        .body();
        assert_eq!(body.code, "INVALID_ARGUMENT");
        assert_eq!(body.field_violations.len(), 1);
        assert_eq!(
            body.field_violations[0].field,
            "shipment.items[2].description"
        );

        let limited = HttpError {
            status: Status::with_error_details(
                Code::ResourceExhausted,
                "rate limited",
                ErrorDetails::with_retry_info(Some(Duration::from_millis(1500))),
            ),
            request_id: None,
        };
        assert_eq!(limited.body().retry_after_ms, Some(1500));
        let response = limited.into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[http::header::RETRY_AFTER], "2");
    }
}
