//! Webhook subscriptions and deliveries in sled: `webhooks` (webhook id ->
//! subscription) and `webhook_deliveries` (webhook id, 0x00, delivery id
//! -> delivery; delivery ids grow, so a subscription's deliveries sort
//! oldest first) with `webhook_pending` (the same keys, for the deliveries
//! still pending) and `webhook_counts` (webhook id -> how many deliveries
//! are stored). Each subscription keeps a bounded number of deliveries
//! (pending ones are never dropped); the count makes a write's cost
//! independent of the log's length: trimming starts at the oldest and
//! stops as soon as the log is back within its bound.

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

/// Most keys one write looks at while trimming (each write adds one
/// delivery and may remove several, so the log returns to its bound).
const TRIM_WINDOW: usize = 64;

/// A stored delivery count.
fn count_of(id: &WebhookId, v: &[u8]) -> Result<u64, StoreError> {
    v.try_into()
        .map(u64::from_be_bytes)
        .map_err(|_| StoreError::Corrupt {
            key: format!("webhook_counts/{id}"),
            message: format!("a delivery count of {} bytes, not 8", v.len()),
        })
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
        txn.remove(T::WebhookPending, k.clone());
        txn.remove(T::WebhookDeliveries, k);
    }
    txn.remove(T::WebhookCounts, id.as_bytes());
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
    if delivery.state == DeliveryState::Pending {
        txn.insert(T::WebhookPending, key.clone(), b"".as_slice());
    } else {
        txn.remove(T::WebhookPending, key.clone());
    }
    if is_new {
        let id = delivery.webhook_id.as_bytes();
        let stored = match txn.get(T::WebhookCounts, id)? {
            Some(v) => count_of(&delivery.webhook_id, &v)?,
            None => 0,
        };
        let mut count = stored + 1;
        let mut over = count.saturating_sub(keep.max(1) as u64);
        if over > 0 {
            // The oldest first, looking at [`TRIM_WINDOW`] keys at most:
            // the scan reads committed data, so keys removed earlier in the
            // same batch are skipped again (seen through `txn.get`), and
            // pending deliveries are kept. A log left over its bound by a
            // burst (many pending at once) is trimmed by later writes.
            for k in txn
                .trees()
                .get(T::WebhookDeliveries)
                .scan_prefix(prefix(&delivery.webhook_id))
                .keys()
                .take(TRIM_WINDOW)
            {
                if over == 0 {
                    break;
                }
                let k = k?;
                if k.as_ref() == key.as_slice()
                    || txn.get(T::WebhookPending, &k)?.is_some()
                    || txn.get(T::WebhookDeliveries, &k)?.is_none()
                {
                    continue;
                }
                txn.remove(T::WebhookDeliveries, k.to_vec());
                over -= 1;
                count -= 1;
            }
        }
        txn.insert(T::WebhookCounts, id.to_vec(), count.to_be_bytes().to_vec());
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
    let deliveries = store.tree(T::WebhookDeliveries);
    let mut out = Vec::new();
    for k in store.tree(T::WebhookPending).iter().keys() {
        let k = k?;
        if let Some(v) = deliveries.get(&k)? {
            let d: DeliveryRecord = decode(&k, &v)?;
            if d.state == DeliveryState::Pending {
                out.push(d);
            }
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
