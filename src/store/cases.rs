//! Cases, suppressions and party histories: recording a screening with its
//! case, officers' changes to cases, the priority queue, and the lookups the
//! screening path needs. What changes is decided by [`crate::cases`]; this
//! module writes it, always in one transaction with its audit records.
//!
//! # Trees
//!
//! | tree | key | value |
//! |---|---|---|
//! | `cases` | case id | [`CaseRecord`] (JSON) |
//! | `open_cases` | exporter + reference ([`keys::case_index_key`]) | id of the *active* case (OPEN, IN_REVIEW, INFO_REQUESTED) |
//! | `case_queue` | status, priority, age, id ([`keys::queue_key`]) | [`CaseSummary`] (JSON) |
//! | `suppressions` | suppression id | [`Suppression`] (JSON) |
//! | `suppression_index` | party key, list id, entry id ([`keys::suppression_index_key`]) | id of the active suppression |
//! | `party_history` | [`crate::cases::keys::history_key`] | [`PartyHistory`] (JSON) |
//!
//! The queue is read without decoding a single case: a page merges the
//! selected statuses' key ranges (each already in priority order) and
//! decodes only the small summaries.

use std::ops::Bound;

use serde_json::json;
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};

use super::audit::{AuditRecord, NewAudit};
use super::screenings::{NewScreening, ScreeningRecord};
use super::{Store, StoreError, decode, encode, keys};
use crate::cases::workflow::{self, Effects, Intake};
use crate::cases::{
    CaseChange, CaseFilter, CaseRecord, CaseStatus, CaseSummary, ChangeKind, PartyHistory,
    Suppression, SuppressionEnd,
};

/// Actor of changes the service makes by itself (stale suppressions).
pub const SYSTEM_ACTOR: &str = "system";

type TxResult<T, E> = Result<T, ConflictableTransactionError<E>>;

/// A recorded screening and what happened to its case.
#[derive(Clone, Debug, PartialEq)]
pub struct Recorded {
    /// The screening as stored.
    pub record: ScreeningRecord,
    /// The case it opened or joined.
    pub change: Option<CaseChange>,
}

/// A case after an officer's command.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseUpdate {
    /// The case as stored.
    pub case: CaseRecord,
    /// For consoles.
    pub change: CaseChange,
    /// The audit records written with it.
    pub audit: Vec<AuditRecord>,
}

/// One page of the queue.
#[derive(Clone, Debug, PartialEq)]
pub struct CasePage {
    /// Cases in queue order.
    pub cases: Vec<CaseSummary>,
    /// Where the next page starts (a queue position), when there is one.
    pub next: Option<Vec<u8>>,
}

fn abort<E: From<StoreError>>(e: StoreError) -> ConflictableTransactionError<E> {
    ConflictableTransactionError::Abort(E::from(e))
}

fn tx_error<E: From<StoreError>>(e: TransactionError<E>) -> E {
    match e {
        TransactionError::Abort(e) => e,
        TransactionError::Storage(e) => E::from(StoreError::from(e)),
    }
}

fn encode_tx<T: serde::Serialize, E: From<StoreError>>(
    what: &'static str,
    v: &T,
) -> TxResult<Vec<u8>, E> {
    encode(what, v).map_err(abort)
}

fn decode_tx<T: serde::de::DeserializeOwned, E: From<StoreError>>(
    k: &[u8],
    v: &[u8],
) -> TxResult<T, E> {
    decode(k, v).map_err(abort)
}

/// The queue key of a case as stored.
pub(super) fn queue_key_of(c: &CaseRecord) -> Vec<u8> {
    keys::queue_key(
        c.status.code(),
        &keys::queue_position(c.priority_score, c.created_at_unix_ms, &c.case_id),
    )
}

fn read_case<E: From<StoreError>>(cases: &TransactionalTree, id: &[u8]) -> TxResult<CaseRecord, E> {
    match cases.get(id)? {
        Some(v) => decode_tx(id, &v),
        None => Err(abort(StoreError::Corrupt {
            key: keys::printable(id),
            message: "open-case index names a missing case".into(),
        })),
    }
}

/// Writes a case with its queue entry and active-case index; `old` is the
/// stored version being replaced.
fn write_case<E: From<StoreError>>(
    cases: &TransactionalTree,
    open: &TransactionalTree,
    queue: &TransactionalTree,
    old: Option<&CaseRecord>,
    new: &CaseRecord,
) -> TxResult<(), E> {
    if let Some(o) = old {
        queue.remove(queue_key_of(o))?;
    }
    queue.insert(
        queue_key_of(new),
        encode_tx("case summary", &new.summary())?,
    )?;
    cases.insert(new.case_id.as_bytes(), encode_tx("case", new)?)?;
    if !new.reference.is_empty() {
        let ik = keys::case_index_key(&new.exporter, &new.reference);
        if new.status.is_active() {
            open.insert(ik, new.case_id.as_bytes())?;
        } else if open.get(&ik)?.as_deref() == Some(new.case_id.as_bytes()) {
            open.remove(ik)?;
        }
    }
    Ok(())
}

/// Ends a suppression (if it is still active); returns it when it ended now.
fn end_suppression<E: From<StoreError>>(
    sups: &TransactionalTree,
    index: &TransactionalTree,
    id: &[u8],
    end: SuppressionEnd,
) -> TxResult<Option<Suppression>, E> {
    let Some(v) = sups.get(id)? else {
        return Ok(None);
    };
    let mut s: Suppression = decode_tx(id, &v)?;
    if s.ended.is_some() {
        return Ok(None);
    }
    s.ended = Some(end);
    sups.insert(id, encode_tx("suppression", &s)?)?;
    let ik = keys::suppression_index_key(&s.party_key, &s.list_id, &s.entry_id);
    if index.get(&ik)?.as_deref() == Some(id) {
        index.remove(ik)?;
    }
    Ok(Some(s))
}

fn suppression_end_audit(s: &Suppression, action: &str) -> NewAudit {
    let end = s.ended.clone().unwrap_or(SuppressionEnd {
        at_unix_ms: 0,
        by: String::new(),
        why: String::new(),
    });
    NewAudit {
        actor: end.by,
        action: action.to_string(),
        subject: s.suppression_id.clone(),
        reason: end.why,
        details: json!({
            "case_id": s.case_id,
            "list_id": s.list_id,
            "entry_id": s.entry_id,
            "party_key": s.party_key,
        }),
    }
}

impl Store {
    /// Stores a screening with a new id, opening or joining its case (see
    /// [`workflow::intake`]), ending the suppressions found stale, and
    /// appending its audit records: all in one transaction. Call
    /// [`Store::flush`] before acknowledging it.
    ///
    /// A screening joins the active case with the same exporter and
    /// (non-blank) reference, compared after trimming; a blank reference
    /// always opens a case of its own.
    ///
    /// # Errors
    /// [`StoreError`] when the write fails; nothing is written then.
    pub fn record_screening(&self, new: NewScreening) -> Result<Recorded, StoreError> {
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
        } = new;
        let screening_id = keys::screening_id(self.next_id()?);
        // Taken whether or not a case is opened; ids only need to be unique.
        let fresh_case = keys::case_id(self.next_id()?);
        let exporter = shipment.exporter.trim().to_string();
        let reference = shipment.reference.trim().to_string();
        let index_key =
            (!reference.is_empty()).then(|| keys::case_index_key(&exporter, &reference));
        let base = ScreeningRecord {
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
        let trees = (
            &self.screenings,
            &self.cases,
            &self.open_cases,
            &self.case_queue,
            &self.suppressions,
            &self.suppression_index,
            &self.audit,
            &self.audit_head,
        );
        trees
            .transaction(|(screenings, cases, open, queue, sups, sup_index, audit, head)| {
                let active = match &index_key {
                    Some(ik) => match open.get(ik)? {
                        Some(id) => Some(read_case::<StoreError>(cases, &id)?),
                        None => None,
                    },
                    None => None,
                };
                let old = active.clone();
                let intake = Intake {
                    screening_id: &screening_id,
                    exporter: &exporter,
                    reference: &reference,
                    actor: &actor,
                    at_unix_ms: at,
                    findings: &base.outcome.findings,
                    suppressed: &base.suppressed,
                    facts: &base.facts,
                };
                let joined = workflow::intake(active, &fresh_case, &intake);
                let mut record = base.clone();
                let mut change = None;
                if let Some((case, how)) = &joined {
                    let replaced = old.as_ref().filter(|o| o.case_id == case.case_id);
                    write_case(cases, open, queue, replaced, case)?;
                    record.case_id = Some(case.case_id.clone());
                    change = Some(CaseChange {
                        kind: if replaced.is_some() {
                            ChangeKind::Updated
                        } else {
                            ChangeKind::Opened
                        },
                        action: how.as_str().to_string(),
                        actor: actor.clone(),
                        at_unix_ms: at,
                        summary: case.summary(),
                    });
                }
                for (id, why) in &invalidated {
                    let end = SuppressionEnd {
                        at_unix_ms: at,
                        by: SYSTEM_ACTOR.to_string(),
                        why: why.clone(),
                    };
                    if let Some(s) = end_suppression::<StoreError>(sups, sup_index, id.as_bytes(), end)? {
                        let mut a = suppression_end_audit(&s, "suppression.invalidate");
                        a.details["screening_id"] = json!(screening_id);
                        Store::append_audit_in::<StoreError>(audit, head, a, at)?;
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
                    "case": joined.as_ref().map(|(_, how)| how.as_str()),
                    "list_versions": record.outcome.list_versions.iter()
                        .map(|v| format!("{}@{}", v.list_id, v.version))
                        .collect::<Vec<_>>(),
                    "policy": record.outcome.policy.version,
                });
                Store::append_audit_in::<StoreError>(
                    audit,
                    head,
                    NewAudit {
                        actor: actor.clone(),
                        action: "screening".into(),
                        subject: screening_id.clone(),
                        reason: String::new(),
                        details,
                    },
                    at,
                )?;
                screenings.insert(screening_id.as_bytes(), encode_tx("screening", &record)?)?;
                Ok(Recorded { record, change })
            })
            .map_err(tx_error)
    }

    /// Applies an officer's command to a case in one transaction: `f`
    /// changes the case (given its latest screening) and says what else to
    /// write ([`Effects`]); the case, its queue entry, suppressions, party
    /// histories and audit records (actor `actor`) are written together.
    /// `f` may run more than once (transactions retry on conflict).
    ///
    /// # Errors
    /// `E` from `f` (the command was refused; nothing is written), or
    /// [`StoreError::NotFound`] for an unknown case, or a storage failure.
    pub fn update_case<E, F>(
        &self,
        case_id: &str,
        actor: &str,
        at: i64,
        f: F,
    ) -> Result<CaseUpdate, E>
    where
        E: From<StoreError>,
        F: Fn(&mut CaseRecord, Option<&ScreeningRecord>) -> Result<Effects, E>,
    {
        let trees = [
            &self.cases,
            &self.open_cases,
            &self.case_queue,
            &self.screenings,
            &self.suppressions,
            &self.suppression_index,
            &self.party_history,
            &self.audit,
            &self.audit_head,
        ];
        trees
            .as_slice()
            .transaction(|t| {
                let [
                    cases,
                    open,
                    queue,
                    screenings,
                    sups,
                    sup_index,
                    history,
                    audit,
                    head,
                ] = t.as_slice()
                else {
                    return Err(abort(StoreError::Corrupt {
                        key: "(transaction)".into(),
                        message: "wrong number of trees".into(),
                    }));
                };
                let mut case: CaseRecord = match cases.get(case_id.as_bytes())? {
                    Some(v) => decode_tx(case_id.as_bytes(), &v)?,
                    None => {
                        return Err(abort(StoreError::NotFound {
                            what: "case",
                            id: case_id.to_string(),
                        }));
                    }
                };
                let latest: Option<ScreeningRecord> = match case.latest_screening() {
                    Some(id) => match screenings.get(id.as_bytes())? {
                        Some(v) => Some(decode_tx(id.as_bytes(), &v)?),
                        None => None,
                    },
                    None => None,
                };
                let old = case.clone();
                let fx =
                    f(&mut case, latest.as_ref()).map_err(ConflictableTransactionError::Abort)?;
                write_case(cases, open, queue, Some(&old), &case)?;

                let mut written = Vec::new();
                let mut drafts = fx.audit.into_iter();
                // The command's own record first, then what followed from it.
                let first = drafts.next();
                let mut append = |a: NewAudit| -> TxResult<(), E> {
                    written.push(Store::append_audit_in::<E>(audit, head, a, at)?);
                    Ok(())
                };
                let as_new = |d: workflow::AuditDraft| NewAudit {
                    actor: actor.to_string(),
                    action: d.action,
                    subject: d.subject,
                    reason: d.reason,
                    details: d.details,
                };
                let action = first.as_ref().map(|d| d.action.clone()).unwrap_or_default();
                if let Some(d) = first {
                    append(as_new(d))?;
                }
                if let Some(s) = &fx.create_suppression {
                    let ik = keys::suppression_index_key(&s.party_key, &s.list_id, &s.entry_id);
                    if let Some(prev) = sup_index.get(&ik)? {
                        let end = SuppressionEnd {
                            at_unix_ms: at,
                            by: actor.to_string(),
                            why: format!("superseded by {}", s.suppression_id),
                        };
                        if let Some(p) = end_suppression::<E>(sups, sup_index, &prev, end)? {
                            append(suppression_end_audit(&p, "suppression.supersede"))?;
                        }
                    }
                    sups.insert(s.suppression_id.as_bytes(), encode_tx("suppression", s)?)?;
                    sup_index.insert(ik, s.suppression_id.as_bytes())?;
                }
                if let Some((party_key, list_id, entry_id, end)) = &fx.end_suppression {
                    let ik = keys::suppression_index_key(party_key, list_id, entry_id);
                    if let Some(id) = sup_index.get(&ik)? {
                        if let Some(p) = end_suppression::<E>(sups, sup_index, &id, end.clone())? {
                            append(suppression_end_audit(&p, "suppression.revoke"))?;
                        }
                    }
                }
                for d in drafts {
                    append(as_new(d))?;
                }
                for b in &fx.history {
                    let mut h: PartyHistory = match history.get(b.key.as_bytes())? {
                        Some(v) => decode_tx(b.key.as_bytes(), &v)?,
                        None => PartyHistory::default(),
                    };
                    h.name = b.name.clone();
                    h.denied += b.denied;
                    h.diverted += b.diverted;
                    h.confirmed += b.confirmed;
                    h.last_case = case.case_id.clone();
                    history.insert(b.key.as_bytes(), encode_tx("party history", &h)?)?;
                }
                Ok(CaseUpdate {
                    change: CaseChange {
                        kind: ChangeKind::Updated,
                        action,
                        actor: actor.to_string(),
                        at_unix_ms: at,
                        summary: case.summary(),
                    },
                    case,
                    audit: written,
                })
            })
            .map_err(tx_error)
    }

    /// A stored case.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown id.
    pub fn case(&self, case_id: &str) -> Result<CaseRecord, StoreError> {
        match self.cases.get(case_id.as_bytes())? {
            Some(v) => decode(case_id.as_bytes(), &v),
            None => Err(StoreError::NotFound {
                what: "case",
                id: case_id.to_string(),
            }),
        }
    }

    /// The active case of an exporter's shipment reference, if any.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    pub fn open_case(
        &self,
        exporter: &str,
        reference: &str,
    ) -> Result<Option<CaseRecord>, StoreError> {
        let key = keys::case_index_key(exporter.trim(), reference.trim());
        match self.open_cases.get(key)? {
            None => Ok(None),
            Some(id) => Ok(Some(decode(
                &id,
                &self.cases.get(&id)?.ok_or_else(|| StoreError::Corrupt {
                    key: keys::printable(&id),
                    message: "open-case index names a missing case".into(),
                })?,
            )?)),
        }
    }

    /// Every case, in id (creation) order: for reports.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read or a case is corrupt.
    pub fn all_cases(&self) -> Result<Vec<CaseRecord>, StoreError> {
        self.cases
            .iter()
            .map(|kv| {
                let (k, v) = kv?;
                decode(&k, &v)
            })
            .collect()
    }

    /// One page of the queue: cases passing `filter`, by priority (highest
    /// first) then age (oldest first), starting after queue position
    /// `after`, at most `limit` (at least 1).
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read or a summary is corrupt.
    pub fn list_cases(
        &self,
        filter: &CaseFilter,
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<CasePage, StoreError> {
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
        let mut cursors: Vec<(sled::Iter, Option<(sled::IVec, sled::IVec)>)> = Vec::new();
        for s in statuses {
            let lo = match after {
                Some(pos) => Bound::Excluded(keys::queue_key(s.code(), pos)),
                None => Bound::Included(vec![s.code()]),
            };
            let hi = Bound::Excluded(vec![s.code() + 1]);
            let mut it = self.case_queue.range::<Vec<u8>, _>((lo, hi));
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

    /// The active suppression of a party (its [`crate::cases::keys::party_key`])
    /// against a list entry, if any.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    pub fn active_suppression(
        &self,
        party_key: &str,
        list_id: &str,
        entry_id: &str,
    ) -> Result<Option<Suppression>, StoreError> {
        let ik = keys::suppression_index_key(party_key, list_id, entry_id);
        match self.suppression_index.get(ik)? {
            None => Ok(None),
            Some(id) => match self.suppressions.get(&id)? {
                Some(v) => Ok(Some(decode(&id, &v)?)),
                None => Err(StoreError::Corrupt {
                    key: keys::printable(&id),
                    message: "suppression index names a missing suppression".into(),
                }),
            },
        }
    }

    /// A suppression by id (active or ended).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown id.
    pub fn suppression(&self, suppression_id: &str) -> Result<Suppression, StoreError> {
        match self.suppressions.get(suppression_id.as_bytes())? {
            Some(v) => decode(suppression_id.as_bytes(), &v),
            None => Err(StoreError::NotFound {
                what: "suppression",
                id: suppression_id.to_string(),
            }),
        }
    }

    /// What officers concluded about a party before (by history key).
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    pub fn party_history(&self, key: &str) -> Result<Option<PartyHistory>, StoreError> {
        match self.party_history.get(key.as_bytes())? {
            None => Ok(None),
            Some(v) => Ok(Some(decode(key.as_bytes(), &v)?)),
        }
    }

    /// A fresh suppression id.
    ///
    /// # Errors
    /// [`StoreError`] when the id generator fails.
    pub fn new_suppression_id(&self) -> Result<String, StoreError> {
        Ok(keys::suppression_id(self.next_id()?))
    }
}

#[cfg(test)]
pub(crate) mod tests;
