//! Webhook subscriptions and their deliveries as the store keeps them
//! (backend-neutral records; the sled backend keeps them in
//! `sled_store/webhooks.rs`).
//!
//! A subscription ([`WebhookRecord`]) holds its signing secret: the server
//! signs every delivery with it, so it is kept, and shown only once, in the
//! answer to its creation. A delivery ([`DeliveryRecord`]) is one event for
//! one subscription with the body as first rendered (every retry sends the
//! same bytes) and its attempts; pending ones are what a restarted server
//! delivers again.

use serde::{Deserialize, Serialize};

use crate::ids::{DeliveryId, WebhookId};

/// What a subscription may ask to be told about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    /// A case of the exporter changed status (opened, claimed, information
    /// requested, resubmitted, decided, checked).
    CaseStatusChanged,
    /// An officer asked the exporter for information (with the question).
    CaseInfoRequested,
    /// An officer approved or denied a case.
    CaseDecided,
    /// A new case of HIGH priority was opened (officers).
    CaseHighPriority,
    /// A list changed: imported, edited, created or retired (officers and
    /// compliance).
    ListChanged,
}

impl EventType {
    /// Every event type.
    pub const ALL: [EventType; 5] = [
        EventType::CaseStatusChanged,
        EventType::CaseInfoRequested,
        EventType::CaseDecided,
        EventType::CaseHighPriority,
        EventType::ListChanged,
    ];

    /// The name in the `X-Exportscreen-Event` header.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::CaseStatusChanged => "case.status_changed",
            EventType::CaseInfoRequested => "case.info_requested",
            EventType::CaseDecided => "case.decided",
            EventType::CaseHighPriority => "case.high_priority",
            EventType::ListChanged => "list.changed",
        }
    }

    /// True for the events an exporter's subscription may take (about its
    /// own cases); the others are the licensing office's.
    pub fn for_exporters(self) -> bool {
        match self {
            EventType::CaseStatusChanged
            | EventType::CaseInfoRequested
            | EventType::CaseDecided => true,
            EventType::CaseHighPriority | EventType::ListChanged => false,
        }
    }
}

/// A subscription.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookRecord {
    /// `wh-...`.
    pub webhook_id: WebhookId,
    /// Where deliveries are POSTed (http or https).
    pub url: String,
    /// The events it takes (at least one, no duplicates).
    pub events: Vec<EventType>,
    /// The exporter whose cases it follows; `None`: the licensing office's
    /// subscription (every case, lists).
    pub exporter: Option<String>,
    /// The HMAC-SHA256 key deliveries are signed with.
    pub secret: String,
    /// What it is for (free text).
    pub description: String,
    /// Who created it (principal).
    pub created_by: String,
    /// When.
    pub created_at_unix_ms: i64,
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Not yet answered with a 2xx; another attempt is due.
    Pending,
    /// A receiver answered 2xx.
    Delivered,
    /// Every attempt failed: given up.
    Failed,
}

/// One attempt to deliver.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryAttempt {
    /// 1 for the first.
    pub attempt: u32,
    /// When it started.
    pub at_unix_ms: i64,
    /// The receiver's HTTP status, `None` when there was no answer.
    pub status_code: Option<u16>,
    /// Why it failed (timeout, connection refused, a non-2xx status);
    /// empty on success.
    pub error: String,
    /// How long it took.
    pub duration_ms: u64,
    /// When the next attempt is due, `None` when there is none.
    pub next_attempt_at_unix_ms: Option<i64>,
}

/// One event for one subscription.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRecord {
    /// `dlv-...` (the `X-Exportscreen-Delivery` header).
    pub delivery_id: DeliveryId,
    /// The subscription.
    pub webhook_id: WebhookId,
    /// The event's id (the same event sent to several subscriptions keeps
    /// its id).
    pub event_id: String,
    /// The event's type.
    pub event_type: EventType,
    /// The body sent (proto3 JSON of the event).
    pub body: String,
    /// When the event happened.
    pub created_at_unix_ms: i64,
    /// Where it stands.
    pub state: DeliveryState,
    /// When the next attempt is due (pending only).
    pub next_attempt_at_unix_ms: Option<i64>,
    /// Attempts so far, oldest first.
    pub attempts: Vec<DeliveryAttempt>,
}
