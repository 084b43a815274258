//! The readable aliases of the HTTP/JSON API (`POST /v1/shipments:screen`,
//! `GET /v1/cases/{id}` ...): each names one unary RPC; a GET alias builds
//! the request message from its path parameters and query string, typed by
//! the request message's descriptor.

use prost::Message as _;
use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{DescriptorProto, FileDescriptorSet};
use serde_json::{Map, Value};
use tonic::Code;

use super::error::HttpError;
use super::openapi::json_name;
use super::transcode::{self, UnaryMethod};
use crate::api::pb;

/// One readable route onto a unary RPC.
#[derive(Debug)]
pub struct Alias {
    /// `GET` or `POST` (POST: the body is the request message).
    pub method: &'static str,
    /// The route, `{name}` for a path parameter (axum and OpenAPI syntax).
    pub openapi_path: &'static str,
    /// Service name in our package, `ScreeningService`.
    pub service: &'static str,
    /// RPC name, `ScreenShipment`.
    pub rpc: &'static str,
    /// Path parameter -> request field (proto name).
    pub path_params: &'static [(&'static str, &'static str)],
}

impl Alias {
    /// The RPC the alias calls.
    pub fn target(&self) -> Option<&'static UnaryMethod> {
        transcode::method(self.service, self.rpc)
    }
}

/// Every alias.
pub const ALIASES: &[Alias] = &[
    Alias {
        method: "POST",
        openapi_path: "/v1/shipments:screen",
        service: "ScreeningService",
        rpc: "ScreenShipment",
        path_params: &[],
    },
    Alias {
        method: "POST",
        openapi_path: "/v1/parties:screen",
        service: "ScreeningService",
        rpc: "ScreenParty",
        path_params: &[],
    },
    Alias {
        method: "POST",
        openapi_path: "/v1/items:screen",
        service: "ScreeningService",
        rpc: "ScreenItem",
        path_params: &[],
    },
    Alias {
        method: "GET",
        openapi_path: "/v1/screenings/{id}",
        service: "ScreeningService",
        rpc: "GetScreening",
        path_params: &[("id", "screening_id")],
    },
    Alias {
        method: "GET",
        openapi_path: "/v1/cases",
        service: "CaseService",
        rpc: "ListCases",
        path_params: &[],
    },
    Alias {
        method: "GET",
        openapi_path: "/v1/cases/{id}",
        service: "CaseService",
        rpc: "GetCase",
        path_params: &[("id", "case_id")],
    },
    Alias {
        method: "GET",
        openapi_path: "/v1/lists",
        service: "ListService",
        rpc: "ListLists",
        path_params: &[],
    },
    Alias {
        method: "GET",
        openapi_path: "/v1/lists/{id}",
        service: "ListService",
        rpc: "GetList",
        path_params: &[("id", "list_id")],
    },
    Alias {
        method: "POST",
        openapi_path: "/v1/webhooks",
        service: "WebhookService",
        rpc: "CreateWebhook",
        path_params: &[],
    },
    Alias {
        method: "GET",
        openapi_path: "/v1/webhooks",
        service: "WebhookService",
        rpc: "ListWebhooks",
        path_params: &[],
    },
    Alias {
        method: "GET",
        openapi_path: "/v1/webhooks/{id}/deliveries",
        service: "WebhookService",
        rpc: "ListWebhookDeliveries",
        path_params: &[("id", "webhook_id")],
    },
];

/// The request message (as JSON) of a GET alias: path parameters from
/// `path` (the request's path), fields from `query`.
///
/// # Errors
/// INVALID_ARGUMENT naming an unknown query parameter or a bad boolean.
pub fn get_request(alias: &Alias, path: &str, query: Option<&str>) -> Result<Vec<u8>, HttpError> {
    let target = alias
        .target()
        .ok_or_else(|| HttpError::front(Code::Internal, "alias without a method"))?;
    let message = message_descriptor(target.request_type)
        .ok_or_else(|| HttpError::front(Code::Internal, "request type not in the descriptors"))?;
    let mut object = Map::new();
    let route: Vec<&str> = alias.openapi_path.split('/').collect();
    let actual: Vec<&str> = path.split('/').collect();
    for (r, a) in route.iter().zip(&actual) {
        if let Some(name) = r.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
            let field = alias
                .path_params
                .iter()
                .find(|(p, _)| *p == name)
                .map(|(_, f)| *f)
                .unwrap_or(name);
            object.insert(field.to_string(), Value::String(percent_decode(a)));
        }
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or(""))
        .map_err(|e| HttpError::front(Code::InvalidArgument, format!("query string: {e}")))?;
    for (key, raw) in pairs {
        let field = message
            .field
            .iter()
            .find(|f| f.name() == key || json_name(f) == key)
            .ok_or_else(|| {
                HttpError::front(
                    Code::InvalidArgument,
                    format!(
                        "query parameter {key}: {} has no such field",
                        target.request_type
                    ),
                )
            })?;
        let value = match field.r#type() {
            Type::Bool => match raw.as_str() {
                "true" | "1" => Value::Bool(true),
                "false" | "0" => Value::Bool(false),
                _ => {
                    return Err(HttpError::front(
                        Code::InvalidArgument,
                        format!("query parameter {key}: {raw:?} is not true or false"),
                    ));
                }
            },
            // Numbers as strings are proto3 JSON too; enums by name.
            _ => Value::String(raw),
        };
        if field.label() == Label::Repeated {
            let slot = object
                .entry(field.name().to_string())
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(a) = slot {
                a.push(value);
            }
        } else {
            object.insert(field.name().to_string(), value);
        }
    }
    serde_json::to_vec(&Value::Object(object))
        .map_err(|e| HttpError::front(Code::Internal, e.to_string()))
}

/// The descriptor of message `full_name` (`exportscreen.v1.GetCaseRequest`).
fn message_descriptor(full_name: &str) -> Option<DescriptorProto> {
    let set = FileDescriptorSet::decode(pb::FILE_DESCRIPTOR_SET).ok()?;
    set.file.into_iter().find_map(|f| {
        let package = f.package().to_string();
        f.message_type
            .into_iter()
            .find(|m| format!("{package}.{}", m.name()) == full_name)
    })
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_alias_names_a_unary_rpc() {
        for a in ALIASES {
            assert!(a.target().is_some(), "{} {}", a.method, a.openapi_path);
        }
    }

    #[test]
    fn get_requests_are_typed_by_the_descriptor() {
        let cases = ALIASES.iter().find(|a| a.rpc == "ListCases").unwrap();
        let json = get_request(
            cases,
            "/v1/cases",
            Some("statuses=CASE_STATUS_OPEN&statuses=CASE_STATUS_IN_REVIEW&exporter=acme"),
        )
        .unwrap();
        let bytes = (cases.target().unwrap().request)(&json).unwrap();
        let req = pb::ListCasesRequest::decode(bytes.as_slice()).unwrap();
        assert_eq!(req.statuses.len(), 2);
        assert_eq!(req.exporter, "acme");
        let err = get_request(cases, "/v1/cases", Some("nope=1")).unwrap_err();
        assert!(err.status.message().contains("nope"));

        let case = ALIASES.iter().find(|a| a.rpc == "GetCase").unwrap();
        let json = get_request(case, "/v1/cases/c%2D1", None).unwrap();
        let bytes = (case.target().unwrap().request)(&json).unwrap();
        assert_eq!(
            pb::GetCaseRequest::decode(bytes.as_slice())
                .unwrap()
                .case_id,
            "c-1"
        );
    }
}
