//! Cases opened by a list change: when re-screening finds that a stored
//! screening would now be flagged by an added or changed entry, a case is
//! opened for its shipment, planned by the same workflow function as every
//! case (the caller's [`ListChangePlanner`](crate::store::ListChangePlanner)),
//! and stored like every case; its cause and the findings citing the new
//! entries are kept beside it (tree `case_causes`). The `list_change_cases`
//! tree maps (screening, list, version) to the case, which makes opening
//! idempotent: re-running the re-screening of a version opens nothing twice.

use serde::{Deserialize, Serialize};

use super::cases::{add_member, write_case};
use super::txn::{T, Txn};
use super::{SledStore, audit, keys};
use crate::cases::{CaseCause, CaseRecord, ListChangeCase};
use crate::ids::{CaseId, ScreeningId};
use crate::model::Finding;
use crate::store::{NewListChangeCase, StoreError};

/// What a list-change case keeps beside its record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct Cause {
    pub cause: CaseCause,
    pub findings: Vec<Finding>,
}

/// The writer's operation: see [`crate::store::Store::open_list_change_case`].
pub(super) fn open(
    txn: &mut Txn<'_>,
    new: NewListChangeCase,
) -> Result<Option<ListChangeCase>, StoreError> {
    let NewListChangeCase {
        exporter,
        reference,
        cause,
        findings,
        plan,
        audit: mut record,
    } = new;
    let index_key = keys::change_case_key(&cause.screening_id, &cause.list_id, cause.version);
    if txn.get(T::ChangeCases, &index_key)?.is_some() {
        return Ok(None);
    }
    let case_id = CaseId::from_seq(txn.next_id()?);
    let (exporter, reference) = (exporter.trim(), reference.trim());
    let active: Option<CaseRecord> = if reference.is_empty() {
        None
    } else {
        match txn.get(T::OpenCases, &keys::case_index_key(exporter, reference))? {
            Some(id) => txn.get_json(T::Cases, &id)?,
            None => None,
        }
    };
    let planned = plan(active.as_ref(), &case_id);
    write_case(txn, None, &planned.case, planned.index_as_open)?;
    add_member(
        txn,
        &case_id,
        planned.case.screenings,
        &cause.screening_id,
        &planned.entry,
    )?;
    let kept = Cause { cause, findings };
    txn.put_json(T::CaseCauses, case_id.as_bytes(), "case cause", &kept)?;
    txn.insert(T::ChangeCases, index_key, case_id.as_bytes());
    record.subject = case_id.to_string();
    audit::append(txn, record, planned.case.created_at_unix_ms)?;
    Ok(Some(ListChangeCase {
        case: planned.case,
        cause: kept.cause,
        findings: kept.findings,
    }))
}

/// See [`crate::store::Store::list_change_case`].
pub(super) fn get(s: &SledStore, id: &CaseId) -> Result<ListChangeCase, StoreError> {
    let not_found = || StoreError::NotFound {
        what: "list-change case",
        id: id.to_string(),
    };
    let Some(kept) = s.read::<Cause>(T::CaseCauses, id.as_bytes())? else {
        return Err(not_found());
    };
    let case: CaseRecord = s.read(T::Cases, id.as_bytes())?.ok_or_else(not_found)?;
    Ok(ListChangeCase {
        case,
        cause: kept.cause,
        findings: kept.findings,
    })
}

/// See [`crate::store::Store::list_change_cases_of`].
pub(super) fn of_screening(
    s: &SledStore,
    screening: &ScreeningId,
) -> Result<Vec<(String, u64, CaseId)>, StoreError> {
    let mut prefix = screening.as_bytes().to_vec();
    prefix.push(0);
    s.tree(T::ChangeCases)
        .scan_prefix(&prefix)
        .map(|kv| {
            let (k, v) = kv?;
            let corrupt = || StoreError::Corrupt {
                key: keys::printable(&k),
                message: "malformed list-change case key".into(),
            };
            let (list_id, version) =
                keys::parse_version_key(&k[prefix.len()..]).ok_or_else(corrupt)?;
            let case_id = String::from_utf8(v.to_vec()).map_err(|_| corrupt())?;
            Ok((list_id.to_string(), version, CaseId::new(case_id)))
        })
        .collect()
}
