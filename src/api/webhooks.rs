//! WebhookService: subscriptions and their delivery log over gRPC (and the
//! HTTP/JSON front, which transcodes every unary method), and the proto3
//! JSON body of a delivery ([`encode_event`]).
//!
//! Handlers are thin: derive whose subscriptions the caller manages
//! ([`owner_of`]: an exporter its own, officers and compliance the
//! licensing office's, ADMIN all), validate, call
//! [`crate::service::Webhooks`], convert the answer. The secret is in the
//! answer to CreateWebhook only.

use tonic::{Request, Response, Status};
use tracing::{info, instrument};

use super::caller::{Caller, Role};
use super::cases::convert::{priority_to_pb, status_to_pb};
use super::convert::{decision_to_pb, text};
use super::pb;
use super::pb::webhook_service_server::WebhookService;
use super::status::ApiError;
use super::{request_id, respond};
use crate::ids::WebhookId;
use crate::service::Services;
use crate::service::webhooks::{Audience, Event, MAX_DESCRIPTION, NewWebhook, Owner, Subject};
use crate::store::webhooks::{DeliveryRecord, DeliveryState, EventType, WebhookRecord};

/// Longest webhook id accepted.
const MAX_ID: usize = 128;

/// The gRPC webhook service.
#[derive(Clone, Debug)]
pub struct WebhookApi {
    services: Services,
}

impl WebhookApi {
    /// Serves `services`.
    pub fn new(services: Services) -> WebhookApi {
        WebhookApi { services }
    }
}

/// Whose subscriptions `caller` manages.
pub fn owner_of(caller: &Caller) -> Owner {
    if caller.has(Role::Admin) {
        return Owner::All;
    }
    if caller.exporter_only() {
        return match caller.exporter.as_deref() {
            Some(e) if !e.trim().is_empty() => Owner::Exporter(e.trim().to_string()),
            _ => Owner::Nothing,
        };
    }
    Owner::Office
}

/// The event type of its proto number.
///
/// # Errors
/// INVALID_ARGUMENT naming `field` for UNSPECIFIED or an unknown number.
pub fn event_type(n: i32, field: &str) -> Result<EventType, ApiError> {
    match pb::WebhookEventType::try_from(n) {
        Ok(pb::WebhookEventType::CaseStatusChanged) => Ok(EventType::CaseStatusChanged),
        Ok(pb::WebhookEventType::CaseInfoRequested) => Ok(EventType::CaseInfoRequested),
        Ok(pb::WebhookEventType::CaseDecided) => Ok(EventType::CaseDecided),
        Ok(pb::WebhookEventType::CaseHighPriority) => Ok(EventType::CaseHighPriority),
        Ok(pb::WebhookEventType::ListChanged) => Ok(EventType::ListChanged),
        Ok(pb::WebhookEventType::Unspecified) | Err(_) => Err(ApiError::invalid(
            field,
            format!(
                "{n} is not an event type (CASE_STATUS_CHANGED, CASE_INFO_REQUESTED, CASE_DECIDED, CASE_HIGH_PRIORITY, LIST_CHANGED)"
            ),
        )),
    }
}

/// The proto enum of an event type.
pub fn event_type_to_pb(t: EventType) -> pb::WebhookEventType {
    match t {
        EventType::CaseStatusChanged => pb::WebhookEventType::CaseStatusChanged,
        EventType::CaseInfoRequested => pb::WebhookEventType::CaseInfoRequested,
        EventType::CaseDecided => pb::WebhookEventType::CaseDecided,
        EventType::CaseHighPriority => pb::WebhookEventType::CaseHighPriority,
        EventType::ListChanged => pb::WebhookEventType::ListChanged,
    }
}

fn webhook_to_pb(h: WebhookRecord) -> pb::Webhook {
    let WebhookRecord {
        webhook_id,
        url,
        events,
        exporter,
        // Shown once, on creation only.
        secret: _,
        description,
        created_by,
        created_at_unix_ms,
    } = h;
    pb::Webhook {
        webhook_id: webhook_id.into_string(),
        url,
        events: events
            .into_iter()
            .map(|e| event_type_to_pb(e).into())
            .collect(),
        exporter: exporter.unwrap_or_default(),
        description,
        created_by,
        created_at_unix_ms,
    }
}

fn delivery_to_pb(d: DeliveryRecord) -> pb::WebhookDelivery {
    let DeliveryRecord {
        delivery_id,
        webhook_id,
        event_id,
        event_type,
        body,
        created_at_unix_ms,
        state,
        next_attempt_at_unix_ms,
        attempts,
    } = d;
    pb::WebhookDelivery {
        delivery_id: delivery_id.into_string(),
        webhook_id: webhook_id.into_string(),
        event_id,
        event_type: event_type_to_pb(event_type).into(),
        state: match state {
            DeliveryState::Pending => pb::WebhookDeliveryState::Pending,
            DeliveryState::Delivered => pb::WebhookDeliveryState::Delivered,
            DeliveryState::Failed => pb::WebhookDeliveryState::Failed,
        }
        .into(),
        created_at_unix_ms,
        next_attempt_at_unix_ms: next_attempt_at_unix_ms.unwrap_or(0),
        attempts: attempts
            .into_iter()
            .map(|a| pb::WebhookDeliveryAttempt {
                attempt: a.attempt,
                at_unix_ms: a.at_unix_ms,
                status_code: a.status_code.map_or(0, u32::from),
                error: a.error,
                duration_ms: a.duration_ms,
                next_attempt_at_unix_ms: a.next_attempt_at_unix_ms.unwrap_or(0),
            })
            .collect(),
        body,
    }
}

/// RFC 3339 UTC with milliseconds (`2026-12-05T14:03:07.123Z`).
fn rfc3339(unix_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(unix_ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The body of a delivery: the event as a [`pb::WebhookEvent`] in proto3
/// JSON, as `audience` may see it (the queue priority is the licensing
/// office's; officers' notes and names are never in an event).
///
/// # Errors
/// The message does not serialise (a bug).
pub fn encode_event(event: &Event, audience: Audience) -> Result<String, String> {
    let mut message = pb::WebhookEvent {
        event_id: event.event_id.clone(),
        r#type: event_type_to_pb(event.event_type).into(),
        occurred_at: rfc3339(event.at_unix_ms),
        case: None,
        list: None,
    };
    match &event.subject {
        Subject::Case(c) => {
            message.case = Some(pb::WebhookCaseEvent {
                case_id: c.case_id.clone(),
                status: status_to_pb(c.status).into(),
                previous_status: c
                    .previous
                    .map_or(pb::CaseStatus::Unspecified, status_to_pb)
                    .into(),
                exporter: c.exporter.clone(),
                reference: c.reference.clone(),
                decision: decision_to_pb(c.decision).into(),
                question: c.question.clone(),
                priority: match audience {
                    Audience::Office => priority_to_pb(c.priority),
                    Audience::Exporter => pb::CasePriority::Unspecified,
                }
                .into(),
            });
        }
        Subject::List(l) => {
            message.list = Some(pb::WebhookListEvent {
                list_id: l.list_id.clone(),
                version: l.version,
                origin: l.origin.as_str().to_string(),
                added: l.added,
                removed: l.removed,
                changed: l.changed,
                published: l.published.clone(),
                retired: l.retired,
            });
        }
    }
    serde_json::to_string(&message).map_err(|e| e.to_string())
}

impl WebhookApi {
    async fn create_inner(
        &self,
        caller: &Caller,
        req: pb::CreateWebhookRequest,
    ) -> Result<pb::CreateWebhookResponse, ApiError> {
        let pb::CreateWebhookRequest {
            url,
            events,
            description,
            exporter,
        } = req;
        let events = events
            .into_iter()
            .enumerate()
            .map(|(i, n)| event_type(n, &format!("events[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        let description = text(description, "description", MAX_DESCRIPTION, false)?;
        let created = self
            .services
            .webhooks
            .create(
                &owner_of(caller),
                NewWebhook {
                    url: url.trim().to_string(),
                    events,
                    description,
                    exporter: Some(exporter).filter(|e| !e.trim().is_empty()),
                    created_by: caller.principal.clone(),
                },
            )
            .await?;
        info!(webhook_id = %created.webhook_id, exporter = created.exporter.as_deref().unwrap_or(""), "webhook created");
        let secret = created.secret.clone();
        Ok(pb::CreateWebhookResponse {
            webhook: Some(webhook_to_pb(created)),
            secret,
        })
    }

    async fn delete_inner(
        &self,
        caller: &Caller,
        req: pb::DeleteWebhookRequest,
    ) -> Result<pb::Webhook, ApiError> {
        let id = text(req.webhook_id, "webhook_id", MAX_ID, true)?;
        let deleted = self
            .services
            .webhooks
            .delete(&owner_of(caller), &WebhookId::new(id))
            .await?;
        info!(webhook_id = %deleted.webhook_id, "webhook deleted");
        Ok(webhook_to_pb(deleted))
    }

    async fn deliveries_inner(
        &self,
        caller: &Caller,
        req: pb::ListWebhookDeliveriesRequest,
    ) -> Result<pb::ListWebhookDeliveriesResponse, ApiError> {
        let id = text(req.webhook_id, "webhook_id", MAX_ID, true)?;
        let limit = usize::try_from(req.limit).unwrap_or(usize::MAX);
        let deliveries = self
            .services
            .webhooks
            .deliveries(&owner_of(caller), &WebhookId::new(id), limit)
            .await?;
        Ok(pb::ListWebhookDeliveriesResponse {
            deliveries: deliveries.into_iter().map(delivery_to_pb).collect(),
        })
    }
}

#[tonic::async_trait]
impl WebhookService for WebhookApi {
    #[instrument(name = "CreateWebhook", skip_all, fields(request_id = %request_id(&req)))]
    async fn create_webhook(
        &self,
        req: Request<pb::CreateWebhookRequest>,
    ) -> Result<Response<pb::CreateWebhookResponse>, Status> {
        let caller = Caller::of(&req);
        respond(self.create_inner(&caller, req.into_inner()).await)
    }

    #[instrument(name = "ListWebhooks", skip_all, fields(request_id = %request_id(&req)))]
    async fn list_webhooks(
        &self,
        req: Request<pb::ListWebhooksRequest>,
    ) -> Result<Response<pb::ListWebhooksResponse>, Status> {
        let caller = Caller::of(&req);
        let webhooks = self
            .services
            .webhooks
            .list(&owner_of(&caller))
            .into_iter()
            .map(webhook_to_pb)
            .collect();
        Ok(Response::new(pb::ListWebhooksResponse { webhooks }))
    }

    #[instrument(name = "DeleteWebhook", skip_all, fields(request_id = %request_id(&req)))]
    async fn delete_webhook(
        &self,
        req: Request<pb::DeleteWebhookRequest>,
    ) -> Result<Response<pb::Webhook>, Status> {
        let caller = Caller::of(&req);
        respond(self.delete_inner(&caller, req.into_inner()).await)
    }

    #[instrument(name = "ListWebhookDeliveries", skip_all, fields(request_id = %request_id(&req)))]
    async fn list_webhook_deliveries(
        &self,
        req: Request<pb::ListWebhookDeliveriesRequest>,
    ) -> Result<Response<pb::ListWebhookDeliveriesResponse>, Status> {
        let caller = Caller::of(&req);
        respond(self.deliveries_inner(&caller, req.into_inner()).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::Origin;
    use crate::cases::{CasePriority, CaseStatus};
    use crate::model::Decision;
    use crate::service::webhooks::ListChanged;
    use crate::service::webhooks::event::CaseFacts;

    fn case_event() -> Event {
        Event {
            event_id: "evt-1".into(),
            event_type: EventType::CaseInfoRequested,
            at_unix_ms: 1_764_943_387_123,
            subject: Subject::Case(CaseFacts {
                case_id: "case-1".into(),
                exporter: "ACME".into(),
                reference: "PO-1".into(),
                status: CaseStatus::InfoRequested,
                previous: Some(CaseStatus::InReview),
                decision: Decision::Review,
                priority: CasePriority::High,
                question: "Send the EUC".into(),
            }),
        }
    }

    #[test]
    fn events_are_proto3_json_with_rfc3339_times() {
        let body = encode_event(&case_event(), Audience::Exporter).unwrap();
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["eventId"], "evt-1");
        assert_eq!(v["type"], "WEBHOOK_EVENT_TYPE_CASE_INFO_REQUESTED");
        assert_eq!(v["occurredAt"], "2025-12-05T14:03:07.123Z");
        assert_eq!(v["case"]["status"], "CASE_STATUS_INFO_REQUESTED");
        assert_eq!(v["case"]["previousStatus"], "CASE_STATUS_IN_REVIEW");
        assert_eq!(v["case"]["question"], "Send the EUC");
        assert!(
            v["case"].get("priority").is_none(),
            "exporters: no priority: {body}"
        );
        // It parses back as the message.
        let back: pb::WebhookEvent = serde_json::from_str(&body).unwrap();
        assert_eq!(back.case.unwrap().case_id, "case-1");

        let office = encode_event(&case_event(), Audience::Office).unwrap();
        let v: serde_json::Value = serde_json::from_str(&office).unwrap();
        assert_eq!(v["case"]["priority"], "CASE_PRIORITY_HIGH");

        let list = Event {
            event_id: "evt-2".into(),
            event_type: EventType::ListChanged,
            at_unix_ms: 0,
            subject: Subject::List(ListChanged {
                list_id: "ofac-sdn".into(),
                version: 3,
                origin: Origin::Import,
                added: 2,
                removed: 1,
                changed: 0,
                published: "2025-11-28".into(),
                retired: false,
                at_unix_ms: 0,
            }),
        };
        let v: serde_json::Value =
            serde_json::from_str(&encode_event(&list, Audience::Office).unwrap()).unwrap();
        assert_eq!(v["list"]["listId"], "ofac-sdn");
        assert_eq!(v["list"]["version"], "3");
        assert_eq!(v["list"]["origin"], "import");
        assert!(v.get("case").is_none());
    }

    #[test]
    fn owners_by_role() {
        let caller = |roles: Vec<Role>, exporter: Option<&str>| Caller {
            principal: "p".into(),
            roles,
            exporter: exporter.map(str::to_string),
        };
        assert_eq!(owner_of(&caller(vec![Role::Admin], None)), Owner::All);
        assert_eq!(owner_of(&caller(vec![Role::Officer], None)), Owner::Office);
        assert_eq!(
            owner_of(&caller(vec![Role::Compliance], None)),
            Owner::Office
        );
        assert_eq!(
            owner_of(&caller(vec![Role::Exporter], Some("ACME"))),
            Owner::Exporter("ACME".into())
        );
        assert_eq!(
            owner_of(&caller(vec![Role::Exporter], None)),
            Owner::Nothing
        );
        // An exporter that is also an officer acts as the office.
        assert_eq!(
            owner_of(&caller(vec![Role::Exporter, Role::Officer], Some("ACME"))),
            Owner::Office
        );
    }
}
