//! Delivering webhook events: one background task (owned by the server's
//! [`Tasks`](crate::shutdown::Tasks)) hears case changes and list
//! versions, makes their events, stores one pending delivery per
//! subscription that takes each (so a restart does not lose it; the
//! changes that queued up meanwhile in one batch, one group commit), and
//! delivers them off the request path: each attempt is a signed POST made
//! on the blocking pool (ureq, with a timeout; never on the async
//! workers), recorded in the subscription's delivery log with its status,
//! error, duration and the next attempt, retried with exponential backoff
//! and jitter on a non-2xx answer or no answer, and given up after
//! [`WebhookOptions::max_attempts`].
//!
//! At least once: a delivery stays pending in the store until a 2xx is
//! recorded, and pending deliveries are resumed when the server starts, so
//! a receiver may see one twice (same `X-Exportscreen-Delivery`).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, broadcast, mpsc};
use tokio::task::JoinSet;
use tracing::{debug, info, warn};

use super::event::{self, Audience, Event, ListChanged, Subject};
use super::{Encode, Subscriptions};
use super::{sign, target};
use crate::cases::CaseChange;
use crate::ids::{CaseId, DeliveryId};
use crate::service::now_unix_ms;
use crate::shutdown::Shutdown;
use crate::store::webhooks::{DeliveryAttempt, DeliveryRecord, DeliveryState, EventType};
use crate::store::{SharedStore, StoreError};

/// How deliveries are made and retried.
#[derive(Clone, Debug)]
pub struct WebhookOptions {
    /// Attempts per delivery before it is given up (at least 1).
    pub max_attempts: u32,
    /// Wait before the second attempt; doubled each time after.
    pub first_backoff: Duration,
    /// Longest wait between two attempts.
    pub max_backoff: Duration,
    /// How long one attempt may take (connect, send, answer).
    pub timeout: Duration,
    /// Deliveries kept per subscription in its log.
    pub keep: usize,
    /// Attempts in flight at once (across subscriptions).
    pub concurrency: usize,
    /// A CA certificate (PEM) https receivers may be signed by, besides
    /// the platform's roots.
    pub ca_cert: Option<PathBuf>,
    /// Allow receivers on internal addresses (loopback, private ranges,
    /// link-local; see [`super::target`]).
    pub allow_private: bool,
}

impl Default for WebhookOptions {
    fn default() -> Self {
        WebhookOptions {
            max_attempts: 8,
            first_backoff: Duration::from_secs(10),
            max_backoff: Duration::from_secs(3600),
            timeout: Duration::from_secs(10),
            keep: 200,
            concurrency: 8,
            ca_cert: None,
            allow_private: false,
        }
    }
}

impl WebhookOptions {
    /// The wait after failed attempt `attempt` (1-based): `first_backoff`
    /// doubled per attempt, at most `max_backoff`, then a random part of
    /// it ("equal jitter": between half and all of it), so receivers that
    /// failed together are not retried together.
    pub fn backoff(&self, attempt: u32, random: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(30);
        let base = self
            .first_backoff
            .saturating_mul(1u32 << exp)
            .min(self.max_backoff);
        let half = base / 2;
        let fraction = f64::from(random) / f64::from(u32::MAX);
        half + half.mul_f64(fraction)
    }
}

/// Case changes made into events and stored together at most.
const BATCH: usize = 256;

/// The header names.
pub const SIGNATURE_HEADER: &str = "X-Exportscreen-Signature";
/// Unix seconds of the attempt (signed with the body).
pub const TIMESTAMP_HEADER: &str = "X-Exportscreen-Timestamp";
/// The event type (`case.decided` ...).
pub const EVENT_HEADER: &str = "X-Exportscreen-Event";
/// The delivery id, the same on every attempt.
pub const DELIVERY_HEADER: &str = "X-Exportscreen-Delivery";

/// What the dispatcher shares with its deliveries.
struct Shared {
    store: SharedStore,
    subscriptions: Subscriptions,
    options: WebhookOptions,
    agent: ureq::Agent,
    permits: Semaphore,
}

/// Runs the dispatcher until `shutdown` fires: resumes the pending
/// deliveries, then makes and delivers events as changes arrive.
/// Deliveries in progress at shutdown stay pending in the store.
pub async fn run(
    store: SharedStore,
    subscriptions: Subscriptions,
    encode: Encode,
    options: WebhookOptions,
    mut cases: broadcast::Receiver<CaseChange>,
    mut lists: broadcast::Receiver<ListChanged>,
    mut shutdown: Shutdown,
) {
    // The platform's trust store is read from files: off the async workers.
    let made = {
        let options = options.clone();
        tokio::task::spawn_blocking(move || agent(&options)).await
    };
    let agent = match made {
        Ok(Ok(a)) => a,
        Ok(Err(e)) => {
            warn!(error = %e, "webhooks: no https trust roots; deliveries are off");
            return;
        }
        Err(e) => {
            warn!(error = %e, "webhooks: trust roots task failed; deliveries are off");
            return;
        }
    };
    let shared = Arc::new(Shared {
        store: Arc::clone(&store),
        subscriptions: Arc::clone(&subscriptions),
        permits: Semaphore::new(options.concurrency.max(1)),
        options,
        agent,
    });
    let mut running: JoinSet<()> = JoinSet::new();
    let (resume_tx, mut resume_rx) = mpsc::unbounded_channel::<DeliveryRecord>();
    {
        let store = Arc::clone(&store);
        let pending = tokio::task::spawn_blocking(move || store.pending_deliveries()).await;
        match pending {
            Ok(Ok(pending)) => {
                if !pending.is_empty() {
                    info!(
                        pending = pending.len(),
                        "webhooks: resuming pending deliveries"
                    );
                }
                for d in pending {
                    let _ = resume_tx.send(d);
                }
            }
            Ok(Err(e)) => warn!(error = %e, "webhooks: pending deliveries unreadable"),
            Err(e) => warn!(error = %e, "webhooks: reading pending deliveries failed"),
        }
    }
    loop {
        tokio::select! {
            () = shutdown.recv() => break,
            Some(d) = resume_rx.recv() => {
                running.spawn(deliver(Arc::clone(&shared), d));
            }
            change = cases.recv() => match change {
                Ok(change) if anyone(&subscriptions) => {
                    // The changes waiting behind it go in the same batch.
                    let mut changes = vec![change];
                    while changes.len() < BATCH {
                        match cases.try_recv() {
                            Ok(c) => changes.push(c),
                            Err(broadcast::error::TryRecvError::Lagged(n)) => {
                                warn!(missed = n, "webhooks: case changes missed (dispatcher too slow)");
                            }
                            Err(_) => break,
                        }
                    }
                    let events = case_events(&store, changes).await;
                    enqueue(&shared, &subscriptions, encode, events, &resume_tx).await;
                }
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    warn!(missed = n, "webhooks: case changes missed (dispatcher too slow)");
                }
                Err(broadcast::error::RecvError::Closed) => break,
            },
            change = lists.recv() => match change {
                Ok(change) if anyone(&subscriptions) => {
                    let events = list_event(change);
                    enqueue(&shared, &subscriptions, encode, events, &resume_tx).await;
                }
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    warn!(missed = n, "webhooks: list changes missed (dispatcher too slow)");
                }
                Err(broadcast::error::RecvError::Closed) => break,
            },
            Some(done) = running.join_next(), if !running.is_empty() => {
                if let Err(e) = done {
                    warn!(error = %e, "webhooks: a delivery task failed");
                }
            }
        }
    }
    running.abort_all();
    debug!("webhooks: dispatcher stopped");
}

/// True when there is a subscription at all (else no event is made).
fn anyone(subscriptions: &Subscriptions) -> bool {
    !subscriptions
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .is_empty()
}

fn agent(options: &WebhookOptions) -> Result<ureq::Agent, String> {
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(crate::service::refresh::trust_roots(
            options.ca_cert.as_deref(),
        )?)
        .build();
    Ok(ureq::Agent::config_builder()
        .timeout_global(Some(options.timeout))
        .http_status_as_error(false)
        // A redirect is not a delivery: the receiver must answer itself.
        .max_redirects(0)
        .tls_config(tls)
        .build()
        .into())
}

/// A fresh event id: `evt-` and 16 random hex digits (not from the
/// store's id generator, whose numbers case and screening ids use).
fn event_id() -> Result<String, StoreError> {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_err(|e| StoreError::Backend(format!("no random event id: {e}")))?;
    Ok(format!("evt-{}", hex::encode(b)))
}

/// The events of case changes, with the status before and the question
/// asked read from each case's history when the change does not say (one
/// task on the blocking pool for the batch).
async fn case_events(store: &SharedStore, changes: Vec<CaseChange>) -> Vec<Event> {
    let store = Arc::clone(store);
    let made = tokio::task::spawn_blocking(move || -> Result<Vec<Event>, StoreError> {
        let mut out = Vec::new();
        for change in changes {
            let (previous, question) = match event::known_previous(&change) {
                Some(previous) => (previous, String::new()),
                None => {
                    let case = store.case(&CaseId::new(change.summary.case_id.as_str()))?;
                    let action = event::history_action(&change);
                    // The step of this change: its action at its time (else
                    // any step at its time: an action named differently).
                    let entry = case
                        .history
                        .iter()
                        .rev()
                        .find(|h| h.action == action && h.at_unix_ms == change.at_unix_ms)
                        .or_else(|| {
                            case.history
                                .iter()
                                .rev()
                                .find(|h| h.at_unix_ms == change.at_unix_ms)
                        });
                    match entry {
                        Some(h) => (h.from, h.reason.clone()),
                        // Not found (a newer write replaced it): no status change.
                        None => (Some(change.summary.status), String::new()),
                    }
                }
            };
            for (event_type, facts) in event::case_events(&change, previous, question) {
                out.push(Event {
                    event_id: event_id()?,
                    event_type,
                    at_unix_ms: change.at_unix_ms,
                    subject: Subject::Case(facts),
                });
            }
        }
        Ok(out)
    })
    .await;
    match made {
        Ok(Ok(events)) => events,
        Ok(Err(e)) => {
            warn!(error = %e, "webhooks: case events not made");
            Vec::new()
        }
        Err(e) => {
            warn!(error = %e, "webhooks: case event task failed");
            Vec::new()
        }
    }
}

fn list_event(change: ListChanged) -> Vec<Event> {
    match event_id() {
        Ok(event_id) => vec![Event {
            event_id,
            event_type: EventType::ListChanged,
            at_unix_ms: change.at_unix_ms,
            subject: Subject::List(change),
        }],
        Err(e) => {
            warn!(error = %e, "webhooks: list event not made");
            Vec::new()
        }
    }
}

/// Stores one pending delivery per subscription that takes each event and
/// hands it to a delivery task. The writes of a batch are submitted
/// together (the store's writer commits them as a group), then awaited.
async fn enqueue(
    shared: &Arc<Shared>,
    subscriptions: &Subscriptions,
    encode: Encode,
    events: Vec<Event>,
    deliver_tx: &mpsc::UnboundedSender<DeliveryRecord>,
) {
    let mut rendered = Vec::new();
    {
        let hooks = subscriptions.read().unwrap_or_else(|p| p.into_inner());
        for event in &events {
            for hook in hooks.iter().filter(|h| event::wants(h, event)) {
                match encode(event, Audience::of(hook)) {
                    Ok(body) => rendered.push((event, hook.webhook_id.clone(), body)),
                    Err(e) => {
                        warn!(error = %e, event_id = %event.event_id, "webhooks: event not rendered");
                    }
                }
            }
        }
    }
    if rendered.is_empty() {
        return;
    }
    let store = Arc::clone(&shared.store);
    let n = rendered.len();
    let seqs = tokio::task::spawn_blocking(move || {
        (0..n)
            .map(|_| store.next_webhook_seq())
            .collect::<Result<Vec<u64>, StoreError>>()
    })
    .await;
    let seqs = match seqs {
        Ok(Ok(seqs)) => seqs,
        Ok(Err(e)) => {
            warn!(error = %e, "webhooks: no delivery ids; events dropped");
            return;
        }
        Err(e) => {
            warn!(error = %e, "webhooks: delivery id task failed; events dropped");
            return;
        }
    };
    let now = now_unix_ms();
    let records: Vec<DeliveryRecord> = rendered
        .into_iter()
        .zip(seqs)
        .map(|((event, webhook_id, body), seq)| DeliveryRecord {
            delivery_id: DeliveryId::from_seq(seq),
            webhook_id,
            event_id: event.event_id.clone(),
            event_type: event.event_type,
            body,
            created_at_unix_ms: event.at_unix_ms,
            state: DeliveryState::Pending,
            next_attempt_at_unix_ms: Some(now),
            attempts: Vec::new(),
        })
        .collect();
    let acks: Vec<_> = records
        .iter()
        .map(|r| shared.store.put_delivery(r.clone(), shared.options.keep))
        .collect();
    let stored = futures::future::join_all(acks).await;
    for (record, stored) in records.into_iter().zip(stored) {
        match stored {
            Ok(true) => {
                let _ = deliver_tx.send(record);
            }
            Ok(false) => {}
            Err(e) => {
                warn!(error = %e, webhook_id = %record.webhook_id, "webhooks: delivery not stored");
            }
        }
    }
}

/// The URL and secret of a delivery's subscription, `None` when it was
/// deleted.
fn target_of(shared: &Shared, d: &DeliveryRecord) -> Option<(String, String)> {
    shared
        .subscriptions
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .find(|h| h.webhook_id == d.webhook_id)
        .map(|h| (h.url.clone(), h.secret.clone()))
}

/// Delivers `d` until a 2xx, the last attempt, or the subscription's
/// deletion; every attempt is stored before the next wait.
async fn deliver(shared: Arc<Shared>, mut d: DeliveryRecord) {
    loop {
        if d.state != DeliveryState::Pending {
            return;
        }
        if let Some(due) = d.next_attempt_at_unix_ms {
            let wait = due.saturating_sub(now_unix_ms());
            if wait > 0 {
                tokio::time::sleep(Duration::from_millis(wait.unsigned_abs())).await;
            }
        }
        let Some((url, secret)) = target_of(&shared, &d) else {
            return;
        };
        let Ok(_permit) = shared.permits.acquire().await else {
            return;
        };
        let attempt = u32::try_from(d.attempts.len())
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        let at = now_unix_ms();
        let started = Instant::now();
        let outcome = post(
            &shared.agent,
            &url,
            &secret,
            &d,
            shared.options.allow_private,
        )
        .await;
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let (status_code, error) = match outcome {
            Ok(code) if (200..300).contains(&code) => (Some(code), String::new()),
            Ok(code) => (Some(code), format!("HTTP {code}")),
            Err(e) => (None, e),
        };
        let delivered = error.is_empty();
        let next = if delivered || attempt >= shared.options.max_attempts.max(1) {
            None
        } else {
            let random = {
                let mut b = [0u8; 4];
                getrandom::fill(&mut b).map_or(u32::MAX / 2, |()| u32::from_le_bytes(b))
            };
            let wait = shared.options.backoff(attempt, random);
            Some(at.saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX)))
        };
        d.attempts.push(DeliveryAttempt {
            attempt,
            at_unix_ms: at,
            status_code,
            error: error.clone(),
            duration_ms,
            next_attempt_at_unix_ms: next,
        });
        d.next_attempt_at_unix_ms = next;
        d.state = match (delivered, next) {
            (true, _) => DeliveryState::Delivered,
            (false, Some(_)) => DeliveryState::Pending,
            (false, None) => DeliveryState::Failed,
        };
        if !delivered {
            info!(
                webhook_id = %d.webhook_id,
                delivery_id = %d.delivery_id,
                attempt,
                %error,
                gave_up = next.is_none(),
                "webhook delivery failed"
            );
        }
        match shared
            .store
            .put_delivery(d.clone(), shared.options.keep)
            .await
        {
            Ok(true) => {}
            // Deleted meanwhile.
            Ok(false) => return,
            Err(e) => {
                warn!(error = %e, delivery_id = %d.delivery_id, "webhooks: attempt not recorded");
            }
        }
    }
}

/// One signed POST on the blocking pool (after checking that the host
/// resolves to no internal address, unless allowed): the receiver's
/// status, or why there was none.
async fn post(
    agent: &ureq::Agent,
    url: &str,
    secret: &str,
    d: &DeliveryRecord,
    allow_private: bool,
) -> Result<u16, String> {
    let agent = agent.clone();
    let url = url.to_string();
    let secret = secret.to_string();
    let body = d.body.clone();
    let event = d.event_type.as_str();
    let delivery = d.delivery_id.to_string();
    tokio::task::spawn_blocking(move || {
        if !allow_private {
            target::check_resolved(&url)?;
        }
        let timestamp = now_unix_ms().div_euclid(1000);
        let signature = sign::signature(&secret, timestamp, body.as_bytes());
        let response = agent
            .post(&url)
            .header("content-type", "application/json")
            .header(
                "user-agent",
                concat!("exportscreen-webhooks/", env!("CARGO_PKG_VERSION")),
            )
            .header(SIGNATURE_HEADER, &signature)
            .header(TIMESTAMP_HEADER, &timestamp.to_string())
            .header(EVENT_HEADER, event)
            .header(DELIVERY_HEADER, &delivery)
            .send(body.as_bytes())
            .map_err(|e| e.to_string())?;
        Ok(response.status().as_u16())
    })
    .await
    .map_err(|e| format!("delivery task failed: {e}"))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_equal_jitter_and_a_ceiling() {
        let o = WebhookOptions {
            first_backoff: Duration::from_secs(10),
            max_backoff: Duration::from_secs(60),
            ..WebhookOptions::default()
        };
        assert_eq!(o.backoff(1, u32::MAX), Duration::from_secs(10));
        assert_eq!(o.backoff(1, 0), Duration::from_secs(5));
        assert_eq!(o.backoff(2, u32::MAX), Duration::from_secs(20));
        assert_eq!(o.backoff(3, u32::MAX), Duration::from_secs(40));
        assert_eq!(o.backoff(4, u32::MAX), Duration::from_secs(60), "ceiling");
        assert_eq!(o.backoff(40, 0), Duration::from_secs(30));
        let mid = o.backoff(2, u32::MAX / 2);
        assert!(
            mid > Duration::from_secs(14) && mid < Duration::from_secs(16),
            "{mid:?}"
        );
    }
}
