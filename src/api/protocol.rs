//! Protocol errors: what the transport (tonic) reports when a request
//! message cannot be read, turned into INVALID_ARGUMENT naming the field.
//!
//! tonic-prost answers a message that does not decode (invalid UTF-8 in a
//! string field, a length running past the end, a wrong wire type) with
//! INTERNAL and prost's text, `failed to decode Protobuf message:
//! Item.description: Shipment.items: ScreenShipmentRequest.shipment:
//! invalid string value: data is not UTF-8 encoded`; a gRPC frame cut
//! short is INTERNAL `Unexpected EOF decoding stream.`; a unary call
//! without a message is INTERNAL `Missing request message.`. These are the
//! client's mistakes: [`request_error`] makes them
//! [`ApiError::Undecodable`] with the field path read from prost's
//! location stack (`shipment.items.description`), prefixed inside a stream
//! with the message's index (`requests[3].shipment.items.description`).
//!
//! Unary calls fail before a handler runs, so the access-control layer
//! rewrites their answer ([`rewrite`]); stream handlers map the error of
//! the message they were reading with its index.

use tonic::{Code, Status};

use super::status::ApiError;

/// prost's prefix of a decoding error.
const DECODE_PREFIX: &str = "failed to decode Protobuf message: ";
/// tonic's message for a stream that ended inside a gRPC frame.
const TRUNCATED: &str = "Unexpected EOF decoding stream.";
/// tonic's message for a unary call whose body holds no message.
const MISSING: &str = "Missing request message.";

/// The error to answer with for a status the transport raised while
/// reading a request message at `at` (empty for a unary request,
/// `requests[3]` inside a stream). Statuses that are not protocol errors
/// (a cancelled or reset stream, an oversized message) stay the
/// transport's, as [`ApiError::Stream`].
pub fn request_error(status: Status, at: &str) -> ApiError {
    match protocol_error(status.code(), status.message(), at) {
        Some(e) => e,
        None => ApiError::Stream(Box::new(status)),
    }
}

/// For a status the transport answered a call with (`code`, `message`):
/// the error to answer with instead, when it is a protocol error.
pub fn rewrite(code: Code, message: &str) -> Option<ApiError> {
    protocol_error(code, message, "")
}

fn protocol_error(code: Code, message: &str, at: &str) -> Option<ApiError> {
    if code != Code::Internal {
        return None;
    }
    let whole = |field: &str| match (at.is_empty(), field.is_empty()) {
        (true, true) => "request".to_string(),
        (true, false) => field.to_string(),
        (false, true) => at.to_string(),
        (false, false) => format!("{at}.{field}"),
    };
    if let Some(rest) = message.strip_prefix(DECODE_PREFIX) {
        let (path, cause) = decode_location(rest);
        return Some(ApiError::Undecodable {
            field: whole(&path),
            message: format!("not a valid protobuf message: {cause}"),
        });
    }
    let cause = match message {
        TRUNCATED => "truncated message: the request ended inside a gRPC frame",
        MISSING => "no request message: the request body is empty",
        m if m.starts_with("protocol error: received message with") => m,
        _ => return None,
    };
    Some(ApiError::Undecodable {
        field: whole(""),
        message: cause.to_string(),
    })
}

/// Splits the rest of prost's message into the field path (outermost
/// first, `shipment.items.description`) and the cause. prost writes its
/// location stack innermost first, as `Message.field: ` segments.
fn decode_location(rest: &str) -> (String, &str) {
    let mut fields = Vec::new();
    let mut cause = rest;
    while let Some((segment, after)) = cause.split_once(": ") {
        let Some((message, field)) = segment.split_once('.') else {
            break;
        };
        if !is_ident(message) || !is_ident(field.trim_start_matches("r#")) {
            break;
        }
        fields.push(field.trim_start_matches("r#"));
        cause = after;
    }
    fields.reverse();
    (fields.join("."), cause)
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_and_message(e: ApiError) -> (String, String) {
        match e {
            ApiError::Undecodable { field, message } => (field, message),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn decoding_errors_name_the_field() {
        let utf8 = "failed to decode Protobuf message: Item.description: Shipment.items: \
                    ScreenShipmentRequest.shipment: invalid string value: data is not UTF-8 encoded";
        let table: &[(&str, &str, &str, &str)] = &[
            (
                utf8,
                "",
                "shipment.items.description",
                "invalid string value: data is not UTF-8 encoded",
            ),
            (
                utf8,
                "requests[3]",
                "requests[3].shipment.items.description",
                "invalid string value",
            ),
            (
                "failed to decode Protobuf message: ScreenShipmentRequest.shipment: invalid wire type: Varint (expected LengthDelimited)",
                "",
                "shipment",
                "invalid wire type: Varint (expected LengthDelimited)",
            ),
            (
                "failed to decode Protobuf message: buffer underflow",
                "",
                "request",
                "buffer underflow",
            ),
            (
                "failed to decode Protobuf message: buffer underflow",
                "requests[0]",
                "requests[0]",
                "buffer underflow",
            ),
            (TRUNCATED, "requests[7]", "requests[7]", "truncated message"),
            (MISSING, "", "request", "no request message"),
        ];
        for (message, at, field, cause) in table {
            let e = request_error(Status::internal(*message), at);
            let (f, m) = field_and_message(e);
            assert_eq!(f, *field, "{message}");
            assert!(m.contains(cause), "{m}");
            let status = Status::from(ApiError::Undecodable {
                field: f.clone(),
                message: m,
            });
            assert_eq!(status.code(), Code::InvalidArgument);
            assert!(status.message().starts_with(&format!("{f}: ")));
        }
    }

    #[test]
    fn other_statuses_stay_the_transports() {
        for s in [
            Status::cancelled("reset"),
            Status::internal("something else broke"),
            Status::out_of_range("decoded message length too large"),
        ] {
            assert!(matches!(request_error(s.clone(), ""), ApiError::Stream(_)));
            assert!(rewrite(s.code(), s.message()).is_none());
        }
    }
}
