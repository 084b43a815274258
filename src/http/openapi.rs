//! The OpenAPI 3 document of the HTTP/JSON front (`GET /openapi.json`),
//! generated from the same file descriptor set as the gRPC services:
//! one path per unary method (`POST /v1/{package.Service}/{Method}`), the
//! readable aliases, and a schema per message and enum in proto3 JSON
//! (lowerCamelCase names, 64-bit integers as strings, enums by name), with
//! the protos' comments as descriptions.

use prost::Message as _;
use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{
    DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorProto,
    FileDescriptorSet,
};
use serde_json::{Map, Value, json};

use super::routes::{ALIASES, Alias};
use super::transcode::{UNARY_METHODS, UnaryMethod};
use crate::api::pb;

/// The document, built once per process.
pub fn document() -> &'static Value {
    static DOC: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    DOC.get_or_init(build)
}

/// `#/components/schemas/NAME` for a full type name (with or without the
/// leading dot).
fn schema_ref(type_name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{}", type_name.trim_start_matches('.')) })
}

fn build() -> Value {
    let set = FileDescriptorSet::decode(pb::FILE_DESCRIPTOR_SET).unwrap_or_default();
    let mut schemas = Map::new();
    let mut comments = Comments::default();
    for file in &set.file {
        collect_file(file, &mut schemas, &mut comments);
    }
    schemas.insert("Error".into(), error_schema());

    let mut paths = Map::new();
    for m in UNARY_METHODS {
        let op = operation(m, comments.method(m), None);
        paths.insert(
            format!("/v1/{}/{}", m.service, m.method),
            json!({ "post": op }),
        );
    }
    for alias in ALIASES {
        if let Some(m) = alias.target() {
            let op = operation(m, comments.method(m), Some(alias));
            let entry = paths
                .entry(alias.openapi_path.to_string())
                .or_insert_with(|| json!({}));
            if let Value::Object(o) = entry {
                o.insert(alias.method.to_ascii_lowercase(), op);
            }
        }
    }
    paths.insert(
        "/healthz".into(),
        json!({ "get": {
            "operationId": "healthz",
            "summary": "SERVING when the engine is live (no token needed).",
            "security": [],
            "responses": {
                "200": { "description": "serving" },
                "503": { "description": "not serving" }
            }
        }}),
    );

    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "exportscreen",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Export screening: the gRPC API of package exportscreen.v1 as proto3 JSON over HTTP. Every unary method is POST /v1/{package.Service}/{Method} with the request message as the body; the same bearer tokens and roles apply. Streams (ScreenShipments, ImportList, WatchCases, ExportAudit) are gRPC only.",
        },
        "security": [{ "bearer": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": schemas,
        },
    })
}

fn operation(m: &UnaryMethod, summary: Option<&str>, alias: Option<&Alias>) -> Value {
    let service = m.service.rsplit('.').next().unwrap_or(m.service);
    let mut op = Map::new();
    let id = match alias {
        None => format!("{service}_{}", m.method),
        Some(a) => format!("{service}_{}_{}", m.method, a.method.to_ascii_lowercase()),
    };
    op.insert("operationId".into(), json!(id));
    op.insert("tags".into(), json!([service]));
    if let Some(s) = summary {
        op.insert("description".into(), json!(s));
    }
    op.insert("summary".into(), json!(format!("{service}.{}", m.method)));
    match alias {
        Some(a) if a.method == "GET" => {
            let params: Vec<Value> = a
                .path_params
                .iter()
                .map(|(name, field)| {
                    json!({ "name": name, "in": "path", "required": true,
                            "description": format!("the request's `{field}`"),
                            "schema": { "type": "string" } })
                })
                .chain(std::iter::once(json!({
                    "name": "fields", "in": "query", "required": false,
                    "description": format!("any other field of {} by its JSON or proto name (repeat a name for a repeated field)", m.request_type),
                    "style": "form", "explode": true,
                    "schema": { "type": "object", "additionalProperties": { "type": "string" } }
                })))
                .collect();
            op.insert("parameters".into(), Value::Array(params));
        }
        _ => {
            op.insert(
                "requestBody".into(),
                json!({ "required": true, "content": { "application/json": { "schema": schema_ref(m.request_type) } } }),
            );
        }
    }
    op.insert(
        "responses".into(),
        json!({
            "200": { "description": "OK", "content": { "application/json": { "schema": schema_ref(m.response_type) } } },
            "default": { "description": "the gRPC status as HTTP (400 INVALID_ARGUMENT, 401, 403, 404, 409, 429 with Retry-After, 503 ...)",
                         "content": { "application/json": { "schema": schema_ref("Error") } } }
        }),
    );
    Value::Object(op)
}

fn error_schema() -> Value {
    json!({
        "type": "object",
        "required": ["code", "grpcCode", "message"],
        "properties": {
            "code": { "type": "string", "description": "gRPC code name, INVALID_ARGUMENT" },
            "grpcCode": { "type": "integer" },
            "message": { "type": "string" },
            "fieldViolations": { "type": "array", "items": {
                "type": "object",
                "properties": { "field": { "type": "string" }, "description": { "type": "string" } }
            }},
            "retryAfterMs": { "type": "integer", "description": "RESOURCE_EXHAUSTED: wait this long" }
        }
    })
}

/// Leading comments of services' methods, by gRPC path.
#[derive(Default)]
struct Comments {
    methods: Vec<(String, String)>,
}

impl Comments {
    fn method(&self, m: &UnaryMethod) -> Option<&str> {
        self.methods
            .iter()
            .find(|(p, _)| p == m.path)
            .map(|(_, c)| c.as_str())
    }
}

/// The leading comment at `path` in `file`'s source info.
fn comment_at(file: &FileDescriptorProto, path: &[i32]) -> Option<String> {
    let info = file.source_code_info.as_ref()?;
    info.location
        .iter()
        .find(|l| l.path == path)
        .and_then(|l| l.leading_comments.as_deref())
        .map(|c| c.trim().replace('\n', " ").replace("  ", " "))
        .filter(|c| !c.is_empty())
}

fn collect_file(
    file: &FileDescriptorProto,
    schemas: &mut Map<String, Value>,
    comments: &mut Comments,
) {
    let package = file.package();
    for (i, message) in file.message_type.iter().enumerate() {
        collect_message(file, package, message, &[4, i as i32], schemas);
    }
    for (i, e) in file.enum_type.iter().enumerate() {
        let doc = comment_at(file, &[5, i as i32]);
        schemas.insert(format!("{package}.{}", e.name()), enum_schema(e, doc));
    }
    for (s, service) in file.service.iter().enumerate() {
        for (m, method) in service.method.iter().enumerate() {
            if let Some(c) = comment_at(file, &[6, s as i32, 2, m as i32]) {
                comments.methods.push((
                    format!("/{package}.{}/{}", service.name(), method.name()),
                    c,
                ));
            }
        }
    }
}

fn collect_message(
    file: &FileDescriptorProto,
    scope: &str,
    message: &DescriptorProto,
    path: &[i32],
    schemas: &mut Map<String, Value>,
) {
    let name = format!("{scope}.{}", message.name());
    for (i, nested) in message.nested_type.iter().enumerate() {
        let mut p = path.to_vec();
        p.extend([3, i as i32]);
        collect_message(file, &name, nested, &p, schemas);
    }
    for (i, e) in message.enum_type.iter().enumerate() {
        let mut p = path.to_vec();
        p.extend([4, i as i32]);
        let doc = comment_at(file, &p);
        schemas.insert(format!("{name}.{}", e.name()), enum_schema(e, doc));
    }
    if message.options.as_ref().is_some_and(|o| o.map_entry()) {
        return; // maps are inlined as additionalProperties
    }
    let mut properties = Map::new();
    for (i, field) in message.field.iter().enumerate() {
        let mut p = path.to_vec();
        p.extend([2, i as i32]);
        let mut schema = field_schema(field, message);
        if let (Some(doc), Value::Object(o)) = (comment_at(file, &p), &mut schema) {
            if o.contains_key("$ref") {
                // OpenAPI 3.0 ignores siblings of $ref: wrap it.
                let r = o.remove("$ref").unwrap_or_default();
                o.insert("allOf".into(), json!([{ "$ref": r }]));
            }
            o.insert("description".into(), json!(doc));
        }
        properties.insert(json_name(field), schema);
    }
    let mut schema = json!({ "type": "object", "properties": properties });
    if let (Some(doc), Value::Object(o)) = (comment_at(file, path), &mut schema) {
        o.insert("description".into(), json!(doc));
    }
    schemas.insert(name, schema);
}

/// The field's proto3 JSON name (protoc fills `json_name`).
pub fn json_name(field: &FieldDescriptorProto) -> String {
    match field.json_name.as_deref() {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => lower_camel(field.name()),
    }
}

fn lower_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn enum_schema(e: &EnumDescriptorProto, doc: Option<String>) -> Value {
    let names: Vec<&str> = e.value.iter().map(|v| v.name()).collect();
    let mut schema = json!({ "type": "string", "enum": names });
    if let (Some(doc), Value::Object(o)) = (doc, &mut schema) {
        o.insert("description".into(), json!(doc));
    }
    schema
}

/// The schema of one value of `field` (`message` holds map entry types).
fn scalar_schema(field: &FieldDescriptorProto) -> Value {
    match field.r#type() {
        Type::Double => json!({ "type": "number", "format": "double" }),
        Type::Float => json!({ "type": "number", "format": "float" }),
        Type::Int64 | Type::Sint64 | Type::Sfixed64 => {
            json!({ "type": "string", "format": "int64" })
        }
        Type::Uint64 | Type::Fixed64 => json!({ "type": "string", "format": "uint64" }),
        Type::Int32 | Type::Sint32 | Type::Sfixed32 => {
            json!({ "type": "integer", "format": "int32" })
        }
        Type::Uint32 | Type::Fixed32 => {
            json!({ "type": "integer", "format": "int64", "minimum": 0 })
        }
        Type::Bool => json!({ "type": "boolean" }),
        Type::String => json!({ "type": "string" }),
        Type::Bytes => json!({ "type": "string", "format": "byte" }),
        Type::Enum | Type::Message | Type::Group => schema_ref(field.type_name()),
    }
}

fn field_schema(field: &FieldDescriptorProto, message: &DescriptorProto) -> Value {
    if field.label() == Label::Repeated && field.r#type() == Type::Message {
        // A map field's entry type is nested in the message.
        let entry_name = field.type_name().rsplit('.').next().unwrap_or_default();
        if let Some(entry) = message
            .nested_type
            .iter()
            .find(|n| n.name() == entry_name && n.options.as_ref().is_some_and(|o| o.map_entry()))
        {
            let value = entry
                .field
                .iter()
                .find(|f| f.number() == 2)
                .map(scalar_schema)
                .unwrap_or_else(|| json!({}));
            return json!({ "type": "object", "additionalProperties": value });
        }
    }
    let one = scalar_schema(field);
    if field.label() == Label::Repeated {
        json!({ "type": "array", "items": one })
    } else {
        one
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unary_rpc_has_a_path_and_every_ref_resolves() {
        let doc = document();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        for m in UNARY_METHODS {
            let path = format!("/v1/{}/{}", m.service, m.method);
            let op = &doc["paths"][&path]["post"];
            assert!(op.is_object(), "{path} missing");
            let req = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .unwrap();
            assert_eq!(req, format!("#/components/schemas/{}", m.request_type));
        }
        // Every $ref points at a schema of the document.
        fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
            match v {
                Value::Object(o) => {
                    if let Some(Value::String(r)) = o.get("$ref") {
                        out.push(r);
                    }
                    o.values().for_each(|v| refs(v, out));
                }
                Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
                _ => {}
            }
        }
        let mut all = Vec::new();
        refs(doc, &mut all);
        assert!(all.len() > 50);
        for r in all {
            let name = r.trim_start_matches("#/components/schemas/");
            assert!(
                doc["components"]["schemas"][name].is_object(),
                "dangling {r}"
            );
        }
        let party = &doc["components"]["schemas"]["exportscreen.v1.Party"]["properties"];
        assert!(party["role"].is_object());
        let roles = &doc["components"]["schemas"]["exportscreen.v1.PartyRole"]["enum"];
        assert!(
            roles
                .as_array()
                .unwrap()
                .contains(&json!("PARTY_ROLE_CONSIGNEE"))
        );
        let response = &doc["components"]["schemas"]["exportscreen.v1.GetScreeningResponse"];
        assert_eq!(
            response["properties"]["screenedAtUnixMs"]["type"], "string",
            "int64 is a string in proto3 JSON"
        );
    }
}
