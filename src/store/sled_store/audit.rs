//! The audit trail in sled: records keyed by their sequence number
//! (big-endian) in `audit`, the head (last sequence and hash) under one key
//! of `audit_head`, both written in the writer's batch with the change the
//! record describes (see [`crate::store::audit`] for the chain's rules).

use super::SledStore;
use super::txn::{T, Txn};
use crate::store::StoreError;
use crate::store::audit::{
    AuditRecord, ChainCheck, Head, NewAudit, check_chain, next_record_encoded,
};

const HEAD_KEY: &[u8] = b"head";

/// Appends a record at time `at_unix_ms` in the writer's batch; returns it
/// with its sequence number and hash.
///
/// # Errors
/// [`StoreError`] when the head is unreadable or a value cannot be encoded.
pub(super) fn append(
    txn: &mut Txn<'_>,
    new: NewAudit,
    at_unix_ms: i64,
) -> Result<AuditRecord, StoreError> {
    let head: Head = txn.get_json(T::AuditHead, HEAD_KEY)?.unwrap_or_default();
    let (rec, bytes) =
        next_record_encoded(&head, new, at_unix_ms).map_err(|cause| StoreError::Encode {
            what: "audit record",
            cause,
        })?;
    txn.insert(T::Audit, rec.seq.to_be_bytes().to_vec(), bytes);
    txn.put_json(
        T::AuditHead,
        HEAD_KEY,
        "audit head",
        &Head {
            seq: rec.seq,
            hash: rec.hash.clone(),
        },
    )?;
    Ok(rec)
}

/// See [`crate::store::Store::audit_range`].
pub(super) fn range(s: &SledStore, from: i64, to: i64) -> Result<Vec<AuditRecord>, StoreError> {
    let mut out = Vec::new();
    for kv in s.tree(T::Audit).iter() {
        let (k, v) = kv?;
        let r = decode(&k, &v)?;
        if r.at_unix_ms >= from && r.at_unix_ms < to {
            out.push(r);
        }
    }
    Ok(out)
}

/// See [`crate::store::Store::verify_audit`].
pub(super) fn verify(s: &SledStore) -> Result<ChainCheck, StoreError> {
    let mut records = Vec::new();
    for kv in s.tree(T::Audit).iter() {
        let (k, v) = kv?;
        records.push(decode(&k, &v).map_err(|e| e.to_string()));
    }
    Ok(check_chain(records))
}

fn decode(k: &[u8], v: &[u8]) -> Result<AuditRecord, StoreError> {
    serde_json::from_slice(v).map_err(|e| StoreError::Corrupt {
        key: format!("audit/{}", hex::encode(k)),
        message: e.to_string(),
    })
}
