//! Cases, their screenings, suppressions and party histories: writing a
//! case with its queue entry and open-case index, a case's members, an
//! officer's command applied with its effects, the priority queue, and the
//! lookups the screening path needs. What changes is decided by the
//! caller's planner or command; this module writes it, always with its
//! audit records, in the writer's batch.
//!
//! The queue is read without decoding a single case: a page merges the
//! selected statuses' key ranges (each already in priority order) and
//! decodes only the small summaries.

use std::ops::Bound;

use serde_json::json;

use super::txn::{T, Txn, decode};
use super::{SledStore, audit, keys};
use crate::actions::AuditAction;
use crate::cases::workflow::AuditDraft;
use crate::cases::{
    CaseChange, CaseFilter, CaseMember, CaseRecord, CaseStatus, CaseSummary, ChangeKind,
    HistoryEntry, MatchKey, PartyHistory, Suppression, SuppressionEnd,
};
use crate::ids::{Actor, CaseId, ScreeningId};
use crate::store::audit::NewAudit;
use crate::store::kv;
use crate::store::{CaseCommand, CasePage, CaseUpdate, ScreeningRecord, StoreError};

/// The queue key of a case as stored.
pub(super) fn queue_key_of(c: &CaseRecord) -> Vec<u8> {
    keys::queue_key(
        c.status.code(),
        &keys::queue_position(c.priority_score, c.created_at_unix_ms, c.case_id.as_str()),
    )
}

/// The case an index names.
pub(super) fn read_case(txn: &Txn<'_>, id: &[u8]) -> Result<CaseRecord, StoreError> {
    txn.get_json(T::Cases, id)?
        .ok_or_else(|| StoreError::Corrupt {
            key: keys::printable(id),
            message: "open-case index names a missing case".into(),
        })
}

/// Writes a case with its queue entry and active-case index; `old` is the
/// stored version being replaced. An active case becomes the shipment's
/// open case when `index_as_open`; a case no longer active leaves the index.
pub(super) fn write_case(
    txn: &mut Txn<'_>,
    old: Option<&CaseRecord>,
    new: &CaseRecord,
    index_as_open: bool,
) -> Result<(), StoreError> {
    if let Some(o) = old {
        txn.remove(T::CaseQueue, queue_key_of(o));
        if let Some(k) = sole_match_index_key(o) {
            txn.remove(T::SoleMatchCases, k);
        }
    }
    if let Some(k) = sole_match_index_key(new) {
        txn.insert(T::SoleMatchCases, k, Vec::new());
    }
    txn.put_json(
        T::CaseQueue,
        queue_key_of(new),
        "case summary",
        &new.summary(),
    )?;
    txn.put_json(T::Cases, new.case_id.as_bytes(), "case", new)?;
    if !new.reference.is_empty() {
        let ik = keys::case_index_key(&new.exporter, &new.reference);
        if new.status.is_active() {
            if index_as_open {
                txn.insert(T::OpenCases, ik, new.case_id.as_bytes());
            }
        } else if txn.get(T::OpenCases, &ik)?.as_deref() == Some(new.case_id.as_bytes()) {
            txn.remove(T::OpenCases, ik);
        }
    }
    Ok(())
}

/// The bulk "not a match" index key of a case: only OPEN cases with a
/// sole match are indexed.
fn sole_match_index_key(c: &CaseRecord) -> Option<Vec<u8>> {
    let m = c
        .sole_match
        .as_ref()
        .filter(|_| c.status == CaseStatus::Open)?;
    Some(keys::sole_match_key(
        &m.party_key,
        &m.list_id,
        &m.entry_id,
        c.case_id.as_str(),
    ))
}

/// See [`crate::store::Store::sole_match_cases`].
pub(super) fn sole_match_cases(
    s: &SledStore,
    key: &MatchKey,
    limit: usize,
) -> Result<Vec<CaseId>, StoreError> {
    let prefix = keys::sole_match_prefix(&key.party_key, &key.list_id, &key.entry_id);
    s.tree(T::SoleMatchCases)
        .scan_prefix(&prefix)
        .take(limit)
        .map(|kv| {
            let (k, _) = kv?;
            Ok(CaseId::new(&*String::from_utf8_lossy(&k[prefix.len()..])))
        })
        .collect()
}

/// Adds screening `screening_id` as member `seq` of a case, with the
/// history entry of its joining.
pub(super) fn add_member(
    txn: &mut Txn<'_>,
    case_id: &CaseId,
    seq: u32,
    screening_id: &ScreeningId,
    entry: &HistoryEntry,
) -> Result<(), StoreError> {
    let member = CaseMember {
        seq,
        screening_id: screening_id.clone(),
        entry: entry.clone(),
    };
    txn.put_json(
        T::CaseMembers,
        keys::member_key(case_id, seq),
        "case member",
        &member,
    )?;
    txn.insert(
        T::ScreeningCases,
        keys::screening_case_key(screening_id, case_id),
        seq.to_be_bytes().to_vec(),
    );
    Ok(())
}

/// Ends a suppression (if it is still active); returns it when it ended now.
pub(super) fn end_suppression(
    txn: &mut Txn<'_>,
    id: &[u8],
    end: SuppressionEnd,
) -> Result<Option<Suppression>, StoreError> {
    let Some(mut s) = txn.get_json::<Suppression>(T::Suppressions, id)? else {
        return Ok(None);
    };
    if s.ended.is_some() {
        return Ok(None);
    }
    s.ended = Some(end);
    txn.put_json(T::Suppressions, id.to_vec(), "suppression", &s)?;
    let ik = keys::suppression_index_key(&s.party_key, &s.list_id, &s.entry_id);
    if txn.get(T::SuppressionIndex, &ik)?.as_deref() == Some(id) {
        txn.remove(T::SuppressionIndex, ik);
    }
    Ok(Some(s))
}

/// The audit record of a suppression that ended.
pub(super) fn suppression_end_audit(s: &Suppression, action: AuditAction) -> NewAudit {
    let end = s.ended.clone().unwrap_or(SuppressionEnd {
        at_unix_ms: 0,
        by: Actor::default(),
        why: String::new(),
    });
    NewAudit {
        actor: end.by,
        action,
        subject: s.suppression_id.to_string(),
        reason: end.why,
        details: json!({
            "case_id": s.case_id,
            "list_id": s.list_id,
            "entry_id": s.entry_id,
            "party_key": s.party_key,
        }),
    }
}

/// The writer's operation: see [`crate::store::Store::update_case`].
pub(super) fn update(
    txn: &mut Txn<'_>,
    case_id: &CaseId,
    actor: &Actor,
    at: i64,
    command: &CaseCommand,
) -> Result<CaseUpdate, crate::Error> {
    let mut case: CaseRecord =
        txn.get_json(T::Cases, case_id.as_bytes())?
            .ok_or_else(|| StoreError::NotFound {
                what: "case",
                id: case_id.to_string(),
            })?;
    let latest: Option<ScreeningRecord> = match case.latest_screening() {
        Some(id) => super::screenings::in_batch(txn, id)?,
        None => None,
    };
    let old = case.clone();
    let fx = command(&mut case, latest.as_ref())?;
    // A reopened case becomes the shipment's active case only when the
    // shipment has none (a later screening may have opened one).
    let index_as_open = old.status.is_active()
        || case.reference.is_empty()
        || txn
            .get(
                T::OpenCases,
                &keys::case_index_key(&case.exporter, &case.reference),
            )?
            .is_none();
    write_case(txn, Some(&old), &case, index_as_open)?;

    let mut written = Vec::new();
    let mut drafts = fx.audit.into_iter();
    let as_new = |d: AuditDraft| NewAudit {
        actor: actor.clone(),
        action: d.action,
        subject: d.subject,
        reason: d.reason,
        details: d.details,
    };
    // The command's own record first, then what followed from it.
    let first = drafts.next();
    let action = first
        .as_ref()
        .map(|d| d.action.as_str())
        .unwrap_or_default();
    if let Some(d) = first {
        written.push(audit::append(txn, as_new(d), at)?);
    }
    if let Some(s) = &fx.create_suppression {
        let ik = keys::suppression_index_key(&s.party_key, &s.list_id, &s.entry_id);
        if let Some(prev) = txn.get(T::SuppressionIndex, &ik)? {
            let end = SuppressionEnd {
                at_unix_ms: at,
                by: actor.clone(),
                why: format!("superseded by {}", s.suppression_id),
            };
            if let Some(p) = end_suppression(txn, &prev, end)? {
                written.push(audit::append(
                    txn,
                    suppression_end_audit(&p, AuditAction::SuppressionSupersede),
                    at,
                )?);
            }
        }
        txn.put_json(
            T::Suppressions,
            s.suppression_id.as_bytes(),
            "suppression",
            s,
        )?;
        txn.insert(T::SuppressionIndex, ik, s.suppression_id.as_bytes());
    }
    if let Some((party_key, list_id, entry_id, end)) = &fx.end_suppression {
        let ik = keys::suppression_index_key(party_key, list_id, entry_id);
        if let Some(id) = txn.get(T::SuppressionIndex, &ik)? {
            if let Some(p) = end_suppression(txn, &id, end.clone())? {
                written.push(audit::append(
                    txn,
                    suppression_end_audit(&p, AuditAction::SuppressionRevoke),
                    at,
                )?);
            }
        }
    }
    for d in drafts {
        written.push(audit::append(txn, as_new(d), at)?);
    }
    for b in &fx.history {
        let mut h: PartyHistory = txn
            .get_json(T::PartyHistory, b.key.as_bytes())?
            .unwrap_or_default();
        h.name = b.name.clone();
        h.denied += b.denied;
        h.diverted += b.diverted;
        h.confirmed += b.confirmed;
        h.last_case = case.case_id.clone();
        txn.put_json(T::PartyHistory, b.key.as_bytes(), "party history", &h)?;
    }
    Ok(CaseUpdate {
        change: CaseChange {
            kind: ChangeKind::Updated,
            action: action.to_string(),
            actor: actor.clone(),
            at_unix_ms: at,
            summary: case.summary(),
        },
        case,
        audit: written,
    })
}

/// See [`crate::store::Store::case_members`].
pub(super) fn members(
    s: &SledStore,
    id: &CaseId,
    after: u32,
    limit: usize,
) -> Result<Vec<CaseMember>, StoreError> {
    let Some(first) = after.checked_add(1) else {
        return Ok(Vec::new());
    };
    let lo = keys::member_key(id, first);
    let mut hi = keys::member_prefix(id);
    // The prefix ends with 0x00: the next prefix ends with 0x01.
    if let Some(last) = hi.last_mut() {
        *last = 1;
    }
    s.tree(T::CaseMembers)
        .range(lo..hi)
        .take(limit)
        .map(|kv| {
            let (k, v) = kv?;
            decode(&k, &v)
        })
        .collect()
}

/// See [`crate::store::Store::case_member`].
pub(super) fn member(
    s: &SledStore,
    id: &CaseId,
    screening: &ScreeningId,
) -> Result<Option<u32>, StoreError> {
    let key = keys::screening_case_key(screening, id);
    match s.tree(T::ScreeningCases).get(&key)? {
        None => Ok(None),
        Some(v) => {
            let b: [u8; 4] = v.as_ref().try_into().map_err(|_| StoreError::Corrupt {
                key: keys::printable(&key),
                message: "case membership is not a u32".into(),
            })?;
            Ok(Some(u32::from_be_bytes(b)))
        }
    }
}

/// See [`crate::store::Store::open_case`].
pub(super) fn open_case(
    s: &SledStore,
    exporter: &str,
    reference: &str,
) -> Result<Option<CaseRecord>, StoreError> {
    let key = keys::case_index_key(exporter.trim(), reference.trim());
    match s.tree(T::OpenCases).get(key)? {
        None => Ok(None),
        Some(id) => Ok(Some(s.read(T::Cases, &id)?.ok_or_else(|| {
            StoreError::Corrupt {
                key: keys::printable(&id),
                message: "open-case index names a missing case".into(),
            }
        })?)),
    }
}

/// See [`crate::store::Store::list_cases`].
pub(super) fn list(
    s: &SledStore,
    filter: &CaseFilter,
    after: Option<&[u8]>,
    limit: usize,
) -> Result<CasePage, StoreError> {
    if after.is_some_and(|p| !keys::is_queue_position(p)) {
        return Err(StoreError::InvalidCursor);
    }
    let limit = limit.max(1);
    let statuses: Vec<CaseStatus> = if filter.statuses.is_empty() {
        CaseStatus::ALL.to_vec()
    } else {
        let mut s = filter.statuses.clone();
        s.sort();
        s.dedup();
        s
    };
    // One cursor per status; each yields its cases in queue order.
    let mut cursors: Vec<(kv::Iter, Option<kv::Entry>)> = Vec::new();
    for st in statuses {
        let lo = match after {
            Some(pos) => Bound::Excluded(keys::queue_key(st.code(), pos)),
            None => Bound::Included(vec![st.code()]),
        };
        let hi = Bound::Excluded(vec![st.code() + 1]);
        let mut it = s.tree(T::CaseQueue).range::<Vec<u8>, _>((lo, hi));
        let head = it.next().transpose()?;
        cursors.push((it, head));
    }
    let mut out: Vec<CaseSummary> = Vec::new();
    let mut last_pos: Option<Vec<u8>> = None;
    loop {
        // The smallest position among the cursors' heads.
        let Some(best) = cursors
            .iter()
            .enumerate()
            .filter_map(|(i, (_, h))| h.as_ref().map(|(k, _)| (i, k)))
            .min_by(|a, b| a.1[1..].cmp(&b.1[1..]))
            .map(|(i, _)| i)
        else {
            return Ok(CasePage {
                cases: out,
                next: None,
            });
        };
        let (it, head) = &mut cursors[best];
        let Some((k, v)) = head.take() else {
            continue;
        };
        *head = it.next().transpose()?;
        let summary: CaseSummary = decode(&k, &v)?;
        if !filter.matches(&summary) {
            continue;
        }
        if out.len() == limit {
            // One more matches: there is a next page.
            return Ok(CasePage {
                cases: out,
                next: last_pos,
            });
        }
        last_pos = Some(k[1..].to_vec());
        out.push(summary);
    }
}

/// See [`crate::store::Store::open_case_count`]: counts the queue's OPEN
/// range (the queue index is keyed by status first).
pub(super) fn open_count(s: &SledStore) -> Result<u64, StoreError> {
    let mut n = 0;
    for kv in s.tree(T::CaseQueue).scan_prefix([CaseStatus::Open.code()]) {
        kv?;
        n += 1;
    }
    Ok(n)
}

/// See [`crate::store::Store::active_suppression`].
pub(super) fn active_suppression(
    s: &SledStore,
    party_key: &str,
    list_id: &str,
    entry_id: &str,
) -> Result<Option<Suppression>, StoreError> {
    let ik = keys::suppression_index_key(party_key, list_id, entry_id);
    match s.tree(T::SuppressionIndex).get(ik)? {
        None => Ok(None),
        Some(id) => match s.read(T::Suppressions, &id)? {
            Some(sup) => Ok(Some(sup)),
            None => Err(StoreError::Corrupt {
                key: keys::printable(&id),
                message: "suppression index names a missing suppression".into(),
            }),
        },
    }
}
