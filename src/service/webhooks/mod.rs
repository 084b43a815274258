//! Webhooks: subscriptions (create, list, delete, the delivery log) scoped
//! to who manages them, and the background delivery of their events
//! ([`delivery`]).
//!
//! - An exporter's subscription follows that exporter's own cases (status
//!   changed, information requested, decided).
//! - A licensing office subscription (made by an officer, compliance or an
//!   admin) follows every case, new HIGH priority cases and list changes.
//!
//! Subscriptions are stored through the [`Store`](crate::store::Store) and
//! kept in memory for the dispatcher; a subscription a caller may not
//! manage is NOT_FOUND to it, exactly as if it did not exist.

pub mod delivery;
pub mod event;
pub mod sign;
pub mod target;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

pub use delivery::WebhookOptions;
pub use event::{Audience, Event, ListChanged, ListEvents, Subject};

use super::{Core, blocking, now_unix_ms};
use crate::ids::WebhookId;
use crate::store::StoreError;
use crate::store::webhooks::{DeliveryRecord, EventType, WebhookRecord};

/// The subscriptions as the dispatcher reads them.
pub type Subscriptions = Arc<RwLock<Vec<WebhookRecord>>>;

/// Renders an event for an audience as the body of a delivery (proto3
/// JSON; the API layer provides it).
pub type Encode = fn(&Event, Audience) -> Result<String, String>;

/// Longest receiver URL.
pub const MAX_URL: usize = 2048;
/// Longest description.
pub const MAX_DESCRIPTION: usize = 256;
/// Subscriptions per owner (an exporter, or the licensing office).
pub const MAX_PER_OWNER: usize = 25;
/// Deliveries listed by default, and at most.
pub const DEFAULT_DELIVERIES: usize = 50;
/// See [`DEFAULT_DELIVERIES`].
pub const MAX_DELIVERIES: usize = 500;

/// Whose subscriptions a caller manages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owner {
    /// Every subscription (an administrator).
    All,
    /// The licensing office's (officers, compliance, auditors).
    Office,
    /// One exporter's (an exporter's system).
    Exporter(String),
    /// None (an exporter token bound to no exporter).
    Nothing,
}

impl Owner {
    /// True when the caller manages `hook`.
    pub fn manages(&self, hook: &WebhookRecord) -> bool {
        match self {
            Owner::All => true,
            Owner::Office => hook.exporter.is_none(),
            Owner::Exporter(own) => hook.exporter.as_deref() == Some(own.as_str()),
            Owner::Nothing => false,
        }
    }
}

/// A new subscription as asked.
#[derive(Clone, Debug)]
pub struct NewWebhook {
    /// Receiver URL.
    pub url: String,
    /// Event types.
    pub events: Vec<EventType>,
    /// What it is for.
    pub description: String,
    /// On behalf of this exporter (administrators only).
    pub exporter: Option<String>,
    /// Who creates it.
    pub created_by: String,
}

/// The webhook service.
#[derive(Clone, Debug)]
pub struct Webhooks {
    core: Arc<Core>,
    subscriptions: Subscriptions,
    /// Receivers on internal addresses are allowed (set by [`Webhooks::start`]).
    allow_private: Arc<AtomicBool>,
}

fn invalid(field: &str, message: impl Into<String>) -> crate::Error {
    crate::Error::InvalidArgument {
        field: field.to_string(),
        message: message.into(),
    }
}

fn not_found(id: &str) -> crate::Error {
    StoreError::NotFound {
        what: "webhook",
        id: id.to_string(),
    }
    .into()
}

/// Checks a receiver URL: http or https with a host, no credentials, at
/// most [`MAX_URL`] bytes (whether its host may be internal is
/// [`target`]'s question).
///
/// # Errors
/// INVALID_ARGUMENT naming `url`.
pub fn check_url(url: &str) -> Result<(), crate::Error> {
    const FIELD: &str = "url";
    if url.is_empty() {
        return Err(invalid(
            FIELD,
            "required: the receiver's http:// or https:// URL",
        ));
    }
    if url.len() > MAX_URL {
        return Err(invalid(
            FIELD,
            format!("at most {MAX_URL} bytes, got {}", url.len()),
        ));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(FIELD, "contains a blank or control character"));
    }
    if !url.contains("://") {
        return Err(invalid(
            FIELD,
            format!("{url:?} has no scheme: use http:// or https://"),
        ));
    }
    let uri: http::Uri = url
        .parse()
        .map_err(|e| invalid(FIELD, format!("{url:?} is not a URL: {e}")))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        Some(other) => {
            return Err(invalid(
                FIELD,
                format!("scheme {other:?} is not allowed: use http or https"),
            ));
        }
        None => {
            return Err(invalid(
                FIELD,
                format!("{url:?} has no scheme: use http:// or https://"),
            ));
        }
    }
    let Some(authority) = uri.authority() else {
        return Err(invalid(FIELD, format!("{url:?} names no host")));
    };
    if authority.as_str().contains('@') {
        return Err(invalid(
            FIELD,
            "credentials in the URL are not allowed (receivers check the signature instead)",
        ));
    }
    if authority.host().is_empty() {
        return Err(invalid(FIELD, format!("{url:?} names no host")));
    }
    Ok(())
}

impl Webhooks {
    /// Serves from `core`; no subscriptions until [`Webhooks::load`].
    pub fn new(core: Arc<Core>) -> Webhooks {
        Webhooks {
            core,
            subscriptions: Arc::default(),
            allow_private: Arc::default(),
        }
    }

    /// Reads the stored subscriptions (the server does before serving).
    ///
    /// # Errors
    /// Storage failures.
    pub async fn load(&self) -> Result<(), crate::Error> {
        let store = Arc::clone(self.core.store());
        let stored = blocking(move || Ok(store.webhooks()?)).await?;
        *self
            .subscriptions
            .write()
            .unwrap_or_else(|p| p.into_inner()) = stored;
        Ok(())
    }

    /// The subscriptions (shared with the dispatcher).
    pub fn subscriptions(&self) -> &Subscriptions {
        &self.subscriptions
    }

    fn snapshot(&self) -> Vec<WebhookRecord> {
        self.subscriptions
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Creates a subscription for `owner` with a fresh secret; answers the
    /// record (with the secret, shown to the caller once).
    ///
    /// # Errors
    /// INVALID_ARGUMENT naming the field (`url`, `events[1]`,
    /// `exporter` ...; `url` also when the owner has [`MAX_PER_OWNER`]
    /// subscriptions already); storage failures.
    pub async fn create(
        &self,
        owner: &Owner,
        new: NewWebhook,
    ) -> Result<WebhookRecord, crate::Error> {
        let NewWebhook {
            url,
            events,
            description,
            exporter,
            created_by,
        } = new;
        check_url(&url)?;
        if !self.allow_private.load(Ordering::Relaxed) {
            let host = url
                .parse::<http::Uri>()
                .ok()
                .and_then(|u| u.host().map(str::to_string))
                .unwrap_or_default();
            if let Some(why) = target::literal_internal(&host) {
                return Err(invalid(
                    "url",
                    format!(
                        "{why}: receivers must be public addresses (serve --webhook-allow-private allows internal ones)"
                    ),
                ));
            }
        }
        if description.len() > MAX_DESCRIPTION {
            return Err(invalid(
                "description",
                format!("at most {MAX_DESCRIPTION} bytes, got {}", description.len()),
            ));
        }
        let exporter = match (owner, exporter.map(|e| e.trim().to_string())) {
            (Owner::Exporter(own), None) => Some(own.clone()),
            (Owner::Exporter(own), Some(e)) if e.is_empty() || e == *own => Some(own.clone()),
            (Owner::Exporter(_), Some(e)) => {
                return Err(invalid(
                    "exporter",
                    format!(
                        "{e:?} is not your exporter: an exporter's token subscribes for its own cases only (leave it empty)"
                    ),
                ));
            }
            (Owner::Nothing, _) => {
                return Err(invalid(
                    "exporter",
                    "this exporter token is bound to no exporter: it has no cases to follow",
                ));
            }
            (Owner::All, e) => e.filter(|e| !e.is_empty()),
            (Owner::Office, Some(e)) if !e.is_empty() => {
                return Err(invalid(
                    "exporter",
                    "only an ADMIN may subscribe on behalf of an exporter (the exporter's own token can)",
                ));
            }
            (Owner::Office, _) => None,
        };
        if events.is_empty() {
            return Err(invalid(
                "events",
                "at least one event type (CASE_STATUS_CHANGED, CASE_INFO_REQUESTED, CASE_DECIDED, CASE_HIGH_PRIORITY, LIST_CHANGED)",
            ));
        }
        let mut seen = Vec::with_capacity(events.len());
        for (i, e) in events.iter().enumerate() {
            if seen.contains(e) {
                return Err(invalid(
                    &format!("events[{i}]"),
                    format!("{} appears twice", e.as_str()),
                ));
            }
            if exporter.is_some() && !e.for_exporters() {
                return Err(invalid(
                    &format!("events[{i}]"),
                    format!(
                        "{} is for the licensing office; an exporter's subscription takes case status changed, information requested and decided",
                        e.as_str()
                    ),
                ));
            }
            seen.push(*e);
        }
        let same_owner = self
            .snapshot()
            .iter()
            .filter(|h| h.exporter == exporter)
            .count();
        if same_owner >= MAX_PER_OWNER {
            return Err(invalid(
                "url",
                format!(
                    "at most {MAX_PER_OWNER} subscriptions per exporter (and for the licensing office): delete one first"
                ),
            ));
        }
        let secret = sign::new_secret()
            .map_err(|e| crate::Error::Internal(format!("no random secret: {e}")))?;
        let store = Arc::clone(self.core.store());
        let seq = blocking(move || Ok(store.next_webhook_seq()?)).await?;
        let record = WebhookRecord {
            webhook_id: WebhookId::from_seq(seq),
            url,
            events: seen,
            exporter,
            secret,
            description,
            created_by,
            created_at_unix_ms: now_unix_ms(),
        };
        self.core.store().insert_webhook(record.clone()).await?;
        self.subscriptions
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .push(record.clone());
        Ok(record)
    }

    /// The subscriptions `owner` manages, oldest first.
    pub fn list(&self, owner: &Owner) -> Vec<WebhookRecord> {
        self.snapshot()
            .into_iter()
            .filter(|h| owner.manages(h))
            .collect()
    }

    fn managed(&self, owner: &Owner, id: &WebhookId) -> Result<WebhookRecord, crate::Error> {
        self.snapshot()
            .into_iter()
            .find(|h| h.webhook_id == *id && owner.manages(h))
            .ok_or_else(|| not_found(id.as_str()))
    }

    /// Deletes a subscription `owner` manages, with its delivery log.
    ///
    /// # Errors
    /// NOT_FOUND for one it does not manage; storage failures.
    pub async fn delete(
        &self,
        owner: &Owner,
        id: &WebhookId,
    ) -> Result<WebhookRecord, crate::Error> {
        self.managed(owner, id)?;
        let deleted = self.core.store().delete_webhook(id).await?;
        self.subscriptions
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|h| h.webhook_id != *id);
        Ok(deleted)
    }

    /// A subscription's deliveries, newest first (`limit` 0: the default).
    ///
    /// # Errors
    /// NOT_FOUND for a subscription `owner` does not manage; INVALID_ARGUMENT
    /// for a limit over [`MAX_DELIVERIES`]; storage failures.
    pub async fn deliveries(
        &self,
        owner: &Owner,
        id: &WebhookId,
        limit: usize,
    ) -> Result<Vec<DeliveryRecord>, crate::Error> {
        if limit > MAX_DELIVERIES {
            return Err(invalid("limit", format!("at most {MAX_DELIVERIES}")));
        }
        let limit = if limit == 0 {
            DEFAULT_DELIVERIES
        } else {
            limit
        };
        self.managed(owner, id)?;
        let store = Arc::clone(self.core.store());
        let id = id.clone();
        blocking(move || Ok(store.deliveries(&id, limit)?)).await
    }

    /// Starts the dispatcher as a task of the server.
    pub fn start(&self, encode: Encode, options: WebhookOptions) {
        self.allow_private
            .store(options.allow_private, Ordering::Relaxed);
        let tasks = self.core.tasks();
        tasks.spawn(
            "webhook deliveries",
            delivery::run(
                Arc::clone(self.core.store()),
                Arc::clone(&self.subscriptions),
                encode,
                options,
                self.core.events().subscribe(),
                self.core.list_events().subscribe(),
                tasks.shutdown(),
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receiver_urls() {
        for ok in [
            "http://127.0.0.1:8080/hook",
            "https://erp.example.com/exportscreen?x=1",
            "https://[::1]:9/h",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for (bad, says) in [
            ("", "required"),
            ("ftp://example.com/x", "scheme \"ftp\""),
            ("file:///etc/passwd", "file"),
            ("example.com/hook", "no scheme"),
            ("https://user:pw@example.com/", "credentials"),
            ("http://exa mple.com/", "blank"),
            ("http:///nohost", "URL"),
        ] {
            let e = check_url(bad).unwrap_err().to_string();
            assert!(e.contains("url") && e.contains(says), "{bad}: {e}");
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL));
        assert!(
            check_url(&long)
                .unwrap_err()
                .to_string()
                .contains("at most")
        );
    }

    #[test]
    fn owners_manage_their_own() {
        let hook = |exporter: Option<&str>| WebhookRecord {
            webhook_id: WebhookId::from_seq(1),
            url: "http://x/".into(),
            events: vec![EventType::CaseDecided],
            exporter: exporter.map(str::to_string),
            secret: String::new(),
            description: String::new(),
            created_by: String::new(),
            created_at_unix_ms: 0,
        };
        let acme = Owner::Exporter("ACME".into());
        assert!(acme.manages(&hook(Some("ACME"))));
        assert!(!acme.manages(&hook(Some("Globex"))));
        assert!(!acme.manages(&hook(None)));
        assert!(Owner::Office.manages(&hook(None)));
        assert!(!Owner::Office.manages(&hook(Some("ACME"))));
        assert!(Owner::All.manages(&hook(Some("ACME"))));
        assert!(!Owner::Nothing.manages(&hook(None)));
    }
}
