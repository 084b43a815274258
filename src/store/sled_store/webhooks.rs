//! Webhook subscriptions and deliveries in sled: `webhooks` (webhook id ->
//! subscription) and `webhook_deliveries` (webhook id, 0x00, delivery id
//! -> delivery; delivery ids grow, so a subscription's deliveries sort
//! oldest first). Each subscription keeps a bounded number of deliveries.

use super::SledStore;
use super::txn::{T, Txn, decode};
use crate::ids::WebhookId;
use crate::store::StoreError;
use crate::store::webhooks::{DeliveryRecord, DeliveryState, WebhookRecord};

fn prefix(id: &WebhookId) -> Vec<u8> {
    let mut k = id.as_bytes().to_vec();
    k.push(0);
    k
}

fn delivery_key(d: &DeliveryRecord) -> Vec<u8> {
    let mut k = prefix(&d.webhook_id);
    k.extend_from_slice(d.delivery_id.as_bytes());
    k
}

/// The writer's operation: see [`crate::store::Store::insert_webhook`].
pub(super) fn insert(txn: &mut Txn<'_>, record: &WebhookRecord) -> Result<(), StoreError> {
    txn.put_json(T::Webhooks, record.webhook_id.as_bytes(), "webhook", record)
}

/// The writer's operation: see [`crate::store::Store::delete_webhook`].
pub(super) fn delete(txn: &mut Txn<'_>, id: &WebhookId) -> Result<WebhookRecord, StoreError> {
    let record: WebhookRecord =
        txn.get_json(T::Webhooks, id.as_bytes())?
            .ok_or_else(|| StoreError::NotFound {
                what: "webhook",
                id: id.to_string(),
            })?;
    txn.remove(T::Webhooks, id.as_bytes());
    let keys: Vec<Vec<u8>> = txn
        .trees()
        .get(T::WebhookDeliveries)
        .scan_prefix(prefix(id))
        .keys()
        .map(|k| k.map(|k| k.to_vec()))
        .collect::<Result<_, _>>()?;
    for k in keys {
        txn.remove(T::WebhookDeliveries, k);
    }
    Ok(record)
}

/// The writer's operation: see [`crate::store::Store::put_delivery`].
pub(super) fn put_delivery(
    txn: &mut Txn<'_>,
    delivery: &DeliveryRecord,
    keep: usize,
) -> Result<bool, StoreError> {
    if txn
        .get(T::Webhooks, delivery.webhook_id.as_bytes())?
        .is_none()
    {
        return Ok(false);
    }
    let key = delivery_key(delivery);
    let is_new = txn.get(T::WebhookDeliveries, &key)?.is_none();
    txn.put_json(
        T::WebhookDeliveries,
        key.clone(),
        "webhook delivery",
        delivery,
    )?;
    if is_new {
        // The stored ones (oldest first), then this one.
        let stored: Vec<(Vec<u8>, DeliveryRecord)> = txn
            .trees()
            .get(T::WebhookDeliveries)
            .scan_prefix(prefix(&delivery.webhook_id))
            .map(|kv| {
                let (k, v) = kv?;
                Ok((k.to_vec(), decode(&k, &v)?))
            })
            .collect::<Result<_, StoreError>>()?;
        let mut over = (stored.len() + 1).saturating_sub(keep.max(1));
        for (k, d) in stored {
            if over == 0 {
                break;
            }
            if d.state != DeliveryState::Pending && k != key {
                txn.remove(T::WebhookDeliveries, k);
                over -= 1;
            }
        }
    }
    Ok(true)
}

/// Every subscription, oldest first (ids grow).
pub(super) fn all(store: &SledStore) -> Result<Vec<WebhookRecord>, StoreError> {
    store
        .tree(T::Webhooks)
        .iter()
        .map(|kv| {
            let (k, v) = kv?;
            decode(&k, &v)
        })
        .collect()
}

/// A subscription's deliveries, newest first.
pub(super) fn deliveries(
    store: &SledStore,
    id: &WebhookId,
    limit: usize,
) -> Result<Vec<DeliveryRecord>, StoreError> {
    store
        .tree(T::WebhookDeliveries)
        .scan_prefix(prefix(id))
        .rev()
        .take(limit)
        .map(|kv| {
            let (k, v) = kv?;
            decode(&k, &v)
        })
        .collect()
}

/// Every pending delivery.
pub(super) fn pending(store: &SledStore) -> Result<Vec<DeliveryRecord>, StoreError> {
    let mut out = Vec::new();
    for kv in store.tree(T::WebhookDeliveries).iter() {
        let (k, v) = kv?;
        let d: DeliveryRecord = decode(&k, &v)?;
        if d.state == DeliveryState::Pending {
            out.push(d);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::DeliveryId;
    use crate::store::Store;
    use crate::store::webhooks::EventType;

    fn hook(n: u64) -> WebhookRecord {
        WebhookRecord {
            webhook_id: WebhookId::from_seq(n),
            url: "http://127.0.0.1:9/hook".into(),
            events: vec![EventType::CaseDecided],
            exporter: Some("ACME".into()),
            secret: "s".into(),
            description: String::new(),
            created_by: "p".into(),
            created_at_unix_ms: 1,
        }
    }

    fn delivery(hook: u64, n: u64, state: DeliveryState) -> DeliveryRecord {
        DeliveryRecord {
            delivery_id: DeliveryId::from_seq(n),
            webhook_id: WebhookId::from_seq(hook),
            event_id: format!("ev-{n}"),
            event_type: EventType::CaseDecided,
            body: "{}".into(),
            created_at_unix_ms: 1,
            state,
            next_attempt_at_unix_ms: None,
            attempts: vec![],
        }
    }

    #[test]
    fn deliveries_are_bounded_per_subscription_and_go_with_it() {
        let store = SledStore::temporary().unwrap();
        store.insert_webhook(hook(1)).wait().unwrap();
        store.insert_webhook(hook(2)).wait().unwrap();
        // A pending one first: never dropped to make room.
        assert!(
            store
                .put_delivery(delivery(1, 10, DeliveryState::Pending), 3)
                .wait()
                .unwrap()
        );
        for n in 11..16 {
            store
                .put_delivery(delivery(1, n, DeliveryState::Delivered), 3)
                .wait()
                .unwrap();
        }
        store
            .put_delivery(delivery(2, 20, DeliveryState::Failed), 3)
            .wait()
            .unwrap();
        let ids = |h| -> Vec<String> {
            store
                .deliveries(&WebhookId::from_seq(h), 100)
                .unwrap()
                .into_iter()
                .map(|d| d.event_id)
                .collect()
        };
        assert_eq!(ids(1), vec!["ev-15", "ev-14", "ev-10"]);
        assert_eq!(ids(2), vec!["ev-20"]);
        assert_eq!(
            store.deliveries(&WebhookId::from_seq(1), 1).unwrap().len(),
            1
        );
        let pending = store.pending_deliveries().unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].event_id, "ev-10");

        // An update of a stored delivery does not prune.
        let mut d = delivery(1, 10, DeliveryState::Delivered);
        d.attempts.push(crate::store::webhooks::DeliveryAttempt {
            attempt: 1,
            at_unix_ms: 2,
            status_code: Some(204),
            error: String::new(),
            duration_ms: 1,
            next_attempt_at_unix_ms: None,
        });
        store.put_delivery(d.clone(), 3).wait().unwrap();
        assert_eq!(ids(1).len(), 3);
        assert!(store.pending_deliveries().unwrap().is_empty());

        let gone = store
            .delete_webhook(&WebhookId::from_seq(1))
            .wait()
            .unwrap();
        assert_eq!(gone.webhook_id, WebhookId::from_seq(1));
        assert!(ids(1).is_empty());
        assert_eq!(store.webhooks().unwrap(), vec![hook(2)]);
        // A delivery of a deleted subscription is not stored.
        assert!(!store.put_delivery(d, 3).wait().unwrap());
        assert!(ids(1).is_empty());
        assert!(matches!(
            store.delete_webhook(&WebhookId::from_seq(1)).wait(),
            Err(StoreError::NotFound {
                what: "webhook",
                ..
            })
        ));
    }
}
