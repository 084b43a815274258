//! Screenings: recording one with its case (as planned by the caller's
//! [`IntakePlanner`]), the suppressions found stale, its audit record and
//! its request id; reading them back; the screenings of a time window for
//! re-screening; and the expiry of request ids.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::cases::{add_member, end_suppression, read_case, suppression_end_audit, write_case};
use super::txn::{T, Txn};
use super::{SledStore, audit, keys, list_sets, writer};
use crate::actions::AuditAction;
use crate::cases::{CaseChange, ChangeKind, SuppressionEnd};
use crate::ids::{Actor, CaseId, ScreeningId};
use crate::model::ListVersionRef;
use crate::store::audit::NewAudit;
use crate::store::kv::Val;
use crate::store::{
    IDEMPOTENCY_WINDOW_MS, IntakePlanner, NewScreening, Recorded, ScreeningDigest, ScreeningRecord,
    StoreError,
};

/// What a request id names (tree `idempotency`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Used {
    screening_id: ScreeningId,
    at_unix_ms: i64,
    fingerprint: String,
}

/// The writer's operation: see [`crate::store::Store::record_screening`].
pub(super) fn record(
    txn: &mut Txn<'_>,
    new: NewScreening,
    plan: &IntakePlanner,
) -> Result<Recorded, StoreError> {
    let NewScreening {
        shipment,
        outcome,
        engine_micros,
        screened_at_unix_ms: at,
        actor,
        engine_decision,
        suppressed,
        facts,
        invalidated,
        idempotency,
    } = new;
    if let Some(key) = &idempotency {
        let ik = keys::idempotency_key(&key.exporter, &key.request_id);
        if let Some(used) = txn.get_json::<Used>(T::Idempotency, &ik)? {
            if used.at_unix_ms > at.saturating_sub(IDEMPOTENCY_WINDOW_MS) {
                if used.fingerprint != key.fingerprint {
                    return Err(StoreError::RequestIdReused {
                        request_id: key.request_id.clone(),
                        screening_id: used.screening_id,
                    });
                }
                let record =
                    in_batch(txn, &used.screening_id)?.ok_or_else(|| StoreError::Corrupt {
                        key: keys::printable(&ik),
                        message: format!(
                            "request id names a missing screening {}",
                            used.screening_id
                        ),
                    })?;
                return Ok(Recorded {
                    record,
                    change: None,
                    replayed: true,
                });
            }
            // Expired: the id starts afresh.
            txn.remove(
                T::IdempotencyByTime,
                keys::idempotency_time_key(used.at_unix_ms, &ik),
            );
        }
    }

    let screening_id = ScreeningId::from_seq(txn.next_id()?);
    let fresh_case = CaseId::from_seq(txn.next_id()?);
    let exporter = shipment.exporter.trim().to_string();
    let reference = shipment.reference.trim().to_string();
    let mut record = ScreeningRecord {
        screening_id: screening_id.clone(),
        screened_at_unix_ms: at,
        shipment,
        outcome,
        engine_micros,
        case_id: None,
        engine_decision: Some(engine_decision),
        suppressed,
        facts,
    };
    let active = if reference.is_empty() {
        None
    } else {
        match txn.get(T::OpenCases, &keys::case_index_key(&exporter, &reference))? {
            Some(id) => Some(read_case(txn, &id)?),
            None => None,
        }
    };
    let old = active.clone();
    let planned = plan(active, &record, &fresh_case);
    let mut change = None;
    if let Some(p) = &planned {
        let replaced = old.as_ref().filter(|o| o.case_id == p.case.case_id);
        write_case(txn, replaced, &p.case, p.index_as_open)?;
        add_member(
            txn,
            &p.case.case_id,
            p.case.screenings,
            &screening_id,
            &p.entry,
        )?;
        record.case_id = Some(p.case.case_id.clone());
        change = Some(CaseChange {
            kind: if replaced.is_some() {
                ChangeKind::Updated
            } else {
                ChangeKind::Opened
            },
            action: p.joined.as_str().to_string(),
            actor: actor.clone(),
            at_unix_ms: at,
            summary: p.case.summary(),
        });
    }
    for (id, why) in &invalidated {
        let end = SuppressionEnd {
            at_unix_ms: at,
            by: Actor::system(),
            why: why.clone(),
        };
        if let Some(s) = end_suppression(txn, id.as_bytes(), end)? {
            let mut a = suppression_end_audit(&s, AuditAction::SuppressionInvalidate);
            a.details["screening_id"] = json!(screening_id);
            audit::append(txn, a, at)?;
        }
    }
    let details = json!({
        "exporter": exporter,
        "reference": reference,
        "decision": record.outcome.decision.as_str(),
        "engine_decision": engine_decision.as_str(),
        "findings": record.outcome.findings.len(),
        "suppressed": record.suppressed.iter()
            .map(|s| json!({"finding": s.index, "suppression_id": s.suppression_id}))
            .collect::<Vec<_>>(),
        "case_id": record.case_id,
        "case": planned.as_ref().map(|p| p.joined.as_str()),
        "list_versions": record.outcome.list_versions.iter()
            .map(version_label)
            .collect::<Vec<_>>(),
        "policy": record.outcome.policy.version,
    });
    audit::append(
        txn,
        NewAudit {
            actor,
            action: AuditAction::Screening,
            subject: screening_id.to_string(),
            reason: String::new(),
            details,
        },
        at,
    )?;
    let value = list_sets::encode_screening(txn, &mut record)?;
    txn.insert(T::Screenings, screening_id.as_bytes(), value);
    if let Some(key) = idempotency {
        let ik = keys::idempotency_key(&key.exporter, &key.request_id);
        txn.insert(
            T::IdempotencyByTime,
            keys::idempotency_time_key(at, &ik),
            Vec::new(),
        );
        txn.put_json(
            T::Idempotency,
            ik,
            "request id",
            &Used {
                screening_id,
                at_unix_ms: at,
                fingerprint: key.fingerprint,
            },
        )?;
    }
    Ok(Recorded {
        record,
        change,
        replayed: false,
    })
}

/// `list@version`, as the audit record of a screening cites a list version
/// (built without the formatter: ten of them per screening, on the
/// writer's thread).
fn version_label(v: &ListVersionRef) -> String {
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(v.version);
    let mut label = String::with_capacity(v.list_id.len() + 1 + digits.len());
    label.push_str(&v.list_id);
    label.push('@');
    label.push_str(digits);
    label
}

/// A screening as the writer's batch sees it.
///
/// # Errors
/// [`StoreError`] when it cannot be read or decoded.
pub(super) fn in_batch(
    txn: &Txn<'_>,
    id: &ScreeningId,
) -> Result<Option<ScreeningRecord>, StoreError> {
    read(&txn.trees().sets, id, |t, k| txn.get(t, k))
}

/// A stored screening.
///
/// # Errors
/// [`StoreError`] when it cannot be read or decoded.
pub(super) fn stored(
    s: &SledStore,
    id: &ScreeningId,
) -> Result<Option<ScreeningRecord>, StoreError> {
    read(&s.inner.trees.sets, id, |t, k| s.tree(t).get(k))
}

/// A screening read through `get` (a tree and a key to a value).
fn read(
    sets: &list_sets::SetCache,
    id: &ScreeningId,
    get: impl Fn(T, &[u8]) -> Result<Option<Val>, StoreError>,
) -> Result<Option<ScreeningRecord>, StoreError> {
    match get(T::Screenings, id.as_bytes())? {
        Some(v) => Ok(Some(list_sets::decode_screening(
            sets,
            id.as_bytes(),
            &v,
            |set| get(T::ListSets, set),
        )?)),
        None => Ok(None),
    }
}

/// See [`crate::store::Store::idempotent`].
pub(super) fn idempotent(
    s: &SledStore,
    exporter: &str,
    request_id: &str,
    now_unix_ms: i64,
) -> Result<Option<(ScreeningRecord, String)>, StoreError> {
    let ik = keys::idempotency_key(exporter.trim(), request_id);
    let Some(used) = s.read::<Used>(T::Idempotency, &ik)? else {
        return Ok(None);
    };
    if used.at_unix_ms <= now_unix_ms.saturating_sub(IDEMPOTENCY_WINDOW_MS) {
        return Ok(None);
    }
    let record = stored(s, &used.screening_id)?.ok_or_else(|| StoreError::NotFound {
        what: "screening",
        id: used.screening_id.to_string(),
    })?;
    Ok(Some((record, used.fingerprint)))
}

/// Removes at most `limit` request ids used before the idempotency window
/// ending `now_unix_ms`; returns how many.
///
/// # Errors
/// [`StoreError`] when the database cannot be read.
pub(super) fn sweep_idempotency(
    txn: &mut Txn<'_>,
    now_unix_ms: i64,
    limit: usize,
) -> Result<usize, StoreError> {
    let bound = keys::idempotency_time_bound(now_unix_ms.saturating_sub(IDEMPOTENCY_WINDOW_MS));
    let expired = writer::keys_in(txn.trees(), T::IdempotencyByTime, &[], &bound, limit)?;
    for k in &expired {
        txn.remove(T::IdempotencyByTime, k.to_vec());
        let ik = &k[8..];
        // The id may have been used again since: keep the newer use.
        if let Some(used) = txn.get_json::<Used>(T::Idempotency, ik)? {
            if used.at_unix_ms <= now_unix_ms.saturating_sub(IDEMPOTENCY_WINDOW_MS) {
                txn.remove(T::Idempotency, ik.to_vec());
            }
        }
    }
    Ok(expired.len())
}

/// See [`crate::store::Store::screenings_since`]. Screening ids grow with
/// time, so the scan runs backwards and stops a day past the first older
/// screening (clocks may step back a little).
pub(super) fn since(s: &SledStore, since_unix_ms: i64) -> Result<Vec<ScreeningDigest>, StoreError> {
    const SLACK_MS: i64 = 24 * 3600 * 1000;
    let mut out = Vec::new();
    for kv in s.tree(T::Screenings).iter().rev() {
        let (k, v) = kv?;
        let d: ScreeningDigest = list_sets::decode_screening(&s.inner.trees.sets, &k, &v, |set| {
            s.tree(T::ListSets).get(set)
        })?;
        if d.screened_at_unix_ms >= since_unix_ms {
            out.push(d);
        } else if d.screened_at_unix_ms < since_unix_ms.saturating_sub(SLACK_MS) {
            break;
        }
    }
    Ok(out)
}
