//! Brings a database written by an earlier layout up to date when it is
//! opened. The layout version is kept in `meta/schema`.
//!
//! - **1 -> 2**: a case record held every screening id (`screening_ids`)
//!   and every history entry, so it grew with each screening of the
//!   shipment; a list-change case held its cause and findings flattened
//!   into the record. Now each screening of a case is its own record
//!   (`case_members`, with the history entry of its joining, and the
//!   reverse index `screening_cases`), the case record keeps their count,
//!   the latest one and the officers' actions, and a list-change case's
//!   cause is kept in `case_causes`. Each case is converted in one
//!   transaction; a case already converted is left alone, so an
//!   interrupted migration simply runs again.
//! - **2 -> 3**: screenings written from now on keep their list versions
//!   by reference (`list_sets`, see [`super::list_sets`]); those written
//!   before stay plain JSON and read as they are, so nothing is converted.

use serde_json::{Value, json};
use tracing::info;

use super::keys;
use super::list_cases::Cause;
use super::txn::{T, Trees, encode};
use crate::cases::{CaseMember, HistoryEntry};
use crate::ids::{CaseId, ScreeningId};
use crate::store::StoreError;

/// The layout this build writes.
pub const SCHEMA: u32 = 3;

const SCHEMA_KEY: &[u8] = b"schema";

/// Joins recorded in a version-1 history.
const JOIN_ACTIONS: [&str; 3] = ["opened", "screening", "resubmitted"];

/// Migrates `trees` to [`SCHEMA`] if needed.
///
/// # Errors
/// [`StoreError`] when a record cannot be read, converted or written.
pub fn migrate(trees: &Trees) -> Result<(), StoreError> {
    let meta = trees.get(T::Meta);
    let schema = match meta.get(SCHEMA_KEY)? {
        Some(v) => u32::from_be_bytes(v.as_ref().try_into().map_err(|_| StoreError::Corrupt {
            key: "meta/schema".into(),
            message: "not a u32".into(),
        })?),
        None => 1,
    };
    if schema >= SCHEMA {
        return Ok(());
    }
    let mut converted = 0u64;
    if schema < 2 {
        for kv in trees.get(T::Cases).iter() {
            let (k, v) = kv?;
            if convert_case(trees, &k, &v)? {
                converted += 1;
            }
        }
    }
    meta.insert(SCHEMA_KEY, &SCHEMA.to_be_bytes())?;
    trees.db.flush()?;
    if converted > 0 {
        info!(cases = converted, "database layout migrated to version 2");
    }
    Ok(())
}

/// Converts one version-1 case; false when it is in the new layout already.
fn convert_case(trees: &Trees, key: &[u8], value: &[u8]) -> Result<bool, StoreError> {
    let corrupt = |message: String| StoreError::Corrupt {
        key: keys::printable(key),
        message,
    };
    let mut json: Value = serde_json::from_slice(value).map_err(|e| corrupt(e.to_string()))?;
    let Some(obj) = json.as_object_mut() else {
        return Err(corrupt("a case is not a JSON object".into()));
    };
    let Some(ids) = obj.remove("screening_ids") else {
        return Ok(false);
    };
    let ids: Vec<ScreeningId> = serde_json::from_value(ids).map_err(|e| corrupt(e.to_string()))?;
    let history: Vec<HistoryEntry> = match obj.remove("history") {
        Some(h) => serde_json::from_value(h).map_err(|e| corrupt(e.to_string()))?,
        None => Vec::new(),
    };
    let case_id = CaseId::new(String::from_utf8_lossy(key));
    // Joins in order belong to the screenings in order; what lies between
    // them is officers' work, placed after the joins before it.
    let mut members: Vec<CaseMember> = Vec::new();
    let mut officers: Vec<HistoryEntry> = Vec::new();
    for mut h in history {
        let seq = u32::try_from(members.len()).unwrap_or(u32::MAX);
        if members.len() < ids.len() && JOIN_ACTIONS.contains(&h.action.as_str()) {
            h.screenings = seq + 1;
            members.push(CaseMember {
                seq: seq + 1,
                screening_id: ids[members.len()].clone(),
                entry: h,
            });
        } else {
            h.screenings = seq;
            officers.push(h);
        }
    }
    // A screening without a recorded join (not written by any version, but
    // possible in a damaged record) still belongs to the case.
    while members.len() < ids.len() {
        let seq = u32::try_from(members.len() + 1).unwrap_or(u32::MAX);
        members.push(CaseMember {
            seq,
            screening_id: ids[members.len()].clone(),
            entry: HistoryEntry {
                at_unix_ms: obj
                    .get("updated_at_unix_ms")
                    .and_then(Value::as_i64)
                    .unwrap_or(0),
                actor: String::new(),
                action: "screening".into(),
                from: None,
                to: serde_json::from_value(obj.get("status").cloned().unwrap_or(Value::Null))
                    .map_err(|e| corrupt(e.to_string()))?,
                reason: String::new(),
                detail: "joined before the case history recorded it".into(),
                screenings: seq,
            },
        });
    }
    obj.insert("screenings".into(), json!(ids.len()));
    obj.insert("latest_screening".into(), json!(ids.last()));
    obj.insert(
        "history".into(),
        serde_json::to_value(&officers).map_err(|e| corrupt(e.to_string()))?,
    );
    let cause = match (obj.remove("cause"), obj.remove("findings")) {
        (Some(cause), findings) => Some(Cause {
            cause: serde_json::from_value(cause).map_err(|e| corrupt(e.to_string()))?,
            findings: match findings {
                Some(f) => serde_json::from_value(f).map_err(|e| corrupt(e.to_string()))?,
                None => Vec::new(),
            },
        }),
        (None, _) => None,
    };
    let case_bytes = encode("case", &json)?;
    let mut members_w = Vec::with_capacity(members.len());
    let mut screening_cases_w = Vec::with_capacity(members.len());
    for m in &members {
        members_w.push((
            keys::member_key(&case_id, m.seq),
            Some(encode("case member", m)?.into()),
        ));
        screening_cases_w.push((
            keys::screening_case_key(&m.screening_id, &case_id),
            Some(m.seq.to_be_bytes().to_vec().into()),
        ));
    }
    let mut groups = vec![
        (
            trees.get(T::Cases),
            vec![(case_id.as_bytes().to_vec(), Some(case_bytes.into()))],
        ),
        (trees.get(T::CaseMembers), members_w),
        (trees.get(T::ScreeningCases), screening_cases_w),
    ];
    if let Some(c) = &cause {
        groups.push((
            trees.get(T::CaseCauses),
            vec![(
                case_id.as_bytes().to_vec(),
                Some(encode("case cause", c)?.into()),
            )],
        ));
    }
    // One atomic batch: the case and its members, or nothing.
    trees.db.apply(&groups)?;
    Ok(true)
}
