//! Cases opened by a list change: when re-screening finds that a stored
//! screening would now be flagged by an added or changed entry, a case is
//! opened for its shipment, marked with its cause (the list version and
//! the entries) and holding the findings that cite them.
//!
//! The record is a [`CaseRecord`] with two more fields (`cause`,
//! `findings`) in the same `cases` tree, so every reader of cases sees it
//! as an ordinary open case. The `list_change_cases` tree maps (screening,
//! list, version) to the case, which makes opening idempotent: re-running
//! the re-screening of a version opens nothing twice.
//!
//! Also here: a compact read of the screenings of a time window, for the
//! re-screening (only what it needs is decoded).

use serde::{Deserialize, Serialize};
use sled::Transactional;
use sled::transaction::ConflictableTransactionError::Abort;

use super::{Store, StoreError, decode, encode, keys, tx_error};
use crate::cases::{CaseRecord, CaseStatus, CitedEntry as CasesCitedEntry, HistoryEntry, Signals};
use crate::model::{Decision, Finding, ListVersionRef, Shipment};

/// Why a case was opened without a new screening.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseCause {
    /// `list_change`.
    pub kind: String,
    /// The list that changed.
    pub list_id: String,
    /// Its new version.
    pub version: u64,
    /// The version it replaced.
    pub previous_version: u64,
    /// The added or changed entries the shipment now matches (ids in the
    /// new version).
    pub entry_ids: Vec<String>,
    /// The stored screening re-checked.
    pub screening_id: String,
}

/// A case opened by a list change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListChangeCase {
    /// The case itself, as every case.
    #[serde(flatten)]
    pub case: CaseRecord,
    /// What caused it.
    pub cause: CaseCause,
    /// The findings citing the new or changed entries.
    pub findings: Vec<Finding>,
}

/// A case to open for a list change.
#[derive(Clone, Debug, PartialEq)]
pub struct NewListChangeCase {
    /// Exporter of the screened shipment.
    pub exporter: String,
    /// Its reference.
    pub reference: String,
    /// The strongest decision of the findings.
    pub decision: Decision,
    /// What caused it (names the screening).
    pub cause: CaseCause,
    /// Findings citing the new or changed entries.
    pub findings: Vec<Finding>,
    /// Unix time in milliseconds.
    pub now_unix_ms: i64,
}

/// What re-screening needs of a stored screening.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ScreeningDigest {
    /// `scr-...`
    pub screening_id: String,
    /// Unix time in milliseconds.
    pub screened_at_unix_ms: i64,
    /// The shipment as screened.
    pub shipment: Shipment,
    /// What the screening found.
    pub outcome: OutcomeDigest,
}

/// The parts of a stored outcome re-screening reads.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct OutcomeDigest {
    /// Entries cited.
    #[serde(default)]
    pub findings: Vec<CitedEntry>,
    /// List versions used.
    #[serde(default)]
    pub list_versions: Vec<ListVersionRef>,
}

/// An entry cited by a stored finding.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct CitedEntry {
    /// List id (empty for configuration rules).
    #[serde(default)]
    pub list_id: String,
    /// Entry id as of the version used.
    #[serde(default)]
    pub entry_id: String,
    /// The finding's decision.
    #[serde(default)]
    pub decision: Decision,
}

/// `screening_id 0x00 list_id 0x00 version`.
fn change_case_key(screening_id: &str, list_id: &str, version: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(screening_id.len() + list_id.len() + 10);
    k.extend_from_slice(screening_id.as_bytes());
    k.push(0);
    k.extend_from_slice(&keys::version_key(list_id, version));
    k
}

impl Store {
    /// Opens a case for a shipment a list change flags; `None` when this
    /// screening already has its case for this list version. The case is
    /// the shipment's open case from then on unless it already has one.
    /// Call [`Store::flush`] before acknowledging it.
    ///
    /// # Errors
    /// [`StoreError`] when the write fails; nothing is written then.
    pub fn open_list_change_case(
        &self,
        new: NewListChangeCase,
    ) -> Result<Option<ListChangeCase>, StoreError> {
        let index_key = change_case_key(
            &new.cause.screening_id,
            &new.cause.list_id,
            new.cause.version,
        );
        if self.change_cases.get(&index_key)?.is_some() {
            return Ok(None);
        }
        let case_id = keys::case_id(self.next_id()?);
        let exporter = new.exporter.trim().to_string();
        let reference = new.reference.trim().to_string();
        let open_key = (!reference.is_empty()).then(|| keys::case_index_key(&exporter, &reference));
        // The strongest finding citing the new entries sets the priority.
        let signals = Signals {
            decision: new.decision,
            max_score: new.findings.iter().map(|f| f.score).fold(0.0, f64::max),
            ..Signals::default()
        };
        let mut entries: Vec<CasesCitedEntry> = Vec::new();
        for f in &new.findings {
            let e = CasesCitedEntry {
                list_id: f.list_id.clone(),
                entry_id: f.entry_id.clone(),
                entry_name: f.entry_name.clone(),
            };
            if !f.list_id.is_empty() && !entries.contains(&e) {
                entries.push(e);
            }
        }
        let case = CaseRecord {
            case_id: case_id.clone(),
            exporter,
            reference,
            status: CaseStatus::Open,
            decision: new.decision,
            priority: signals.priority(),
            priority_score: signals.score(),
            signals,
            screening_ids: vec![new.cause.screening_id.clone()],
            assignee: None,
            created_at_unix_ms: new.now_unix_ms,
            updated_at_unix_ms: new.now_unix_ms,
            decided_at_unix_ms: None,
            decided_by: None,
            check_due_unix_ms: None,
            entries,
            marks: Vec::new(),
            checks: Vec::new(),
            history: vec![HistoryEntry {
                at_unix_ms: new.now_unix_ms,
                actor: "system".into(),
                action: "opened".into(),
                from: None,
                to: CaseStatus::Open,
                reason: format!(
                    "{} version {} lists {}",
                    new.cause.list_id,
                    new.cause.version,
                    new.cause.entry_ids.join(", ")
                ),
                detail: format!("re-screening of {}", new.cause.screening_id),
            }],
        };
        let record = ListChangeCase {
            case,
            cause: new.cause,
            findings: new.findings,
        };
        let bytes = encode("case", &record)?;
        let summary = encode("case summary", &record.case.summary())?;
        let opened = (
            &self.cases,
            &self.open_cases,
            &self.case_queue,
            &self.change_cases,
        )
            .transaction(|(cases, open_cases, queue, change_cases)| {
                if change_cases.get(&index_key)?.is_some() {
                    return Ok(false);
                }
                // The shipment keeps its active case if it has one.
                let has_active = match &open_key {
                    None => true,
                    Some(ok) => match open_cases.get(ok)? {
                        None => false,
                        Some(id) => match cases.get(&id)? {
                            Some(v) => {
                                let c: CaseRecord = decode(&id, &v).map_err(Abort)?;
                                c.status.is_active()
                            }
                            None => false,
                        },
                    },
                };
                // The flattened record keeps the cause and findings; the
                // queue entry makes it an ordinary case of the officers' queue.
                cases.insert(case_id.as_bytes(), bytes.as_slice())?;
                queue.insert(super::cases::queue_key_of(&record.case), summary.as_slice())?;
                if let (false, Some(ok)) = (has_active, &open_key) {
                    open_cases.insert(ok.as_slice(), case_id.as_bytes())?;
                }
                change_cases.insert(index_key.as_slice(), case_id.as_bytes())?;
                Ok(true)
            })
            .map_err(tx_error)?;
        Ok(opened.then_some(record))
    }

    /// A case opened by a list change (its cause and findings with it).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown id or a case with another
    /// cause.
    pub fn list_change_case(&self, case_id: &str) -> Result<ListChangeCase, StoreError> {
        let not_found = || StoreError::NotFound {
            what: "list-change case",
            id: case_id.to_string(),
        };
        let v = self.cases.get(case_id.as_bytes())?.ok_or_else(not_found)?;
        decode(case_id.as_bytes(), &v).map_err(|_| not_found())
    }

    /// Cases that list changes opened for a screening: (list id, version,
    /// case id), in list and version order.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    pub fn list_change_cases_of(
        &self,
        screening_id: &str,
    ) -> Result<Vec<(String, u64, String)>, StoreError> {
        let mut prefix = screening_id.as_bytes().to_vec();
        prefix.push(0);
        self.change_cases
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
                Ok((list_id.to_string(), version, case_id))
            })
            .collect()
    }

    /// The screenings made at or after `since_unix_ms`, newest first, as
    /// digests. Screening ids grow with time, so the scan runs backwards
    /// and stops a day past the first older screening (clocks may step
    /// back a little).
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read or a record is corrupt.
    pub fn screenings_since(&self, since_unix_ms: i64) -> Result<Vec<ScreeningDigest>, StoreError> {
        const SLACK_MS: i64 = 24 * 3600 * 1000;
        let mut out = Vec::new();
        for kv in self.screenings.iter().rev() {
            let (k, v) = kv?;
            let d: ScreeningDigest = decode(&k, &v)?;
            if d.screened_at_unix_ms >= since_unix_ms {
                out.push(d);
            } else if d.screened_at_unix_ms < since_unix_ms.saturating_sub(SLACK_MS) {
                break;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::CasePriority;
    use crate::store::cases::tests::new_screening;

    fn new_case(screening_id: &str, reference: &str) -> NewListChangeCase {
        NewListChangeCase {
            exporter: "ACME".into(),
            reference: reference.into(),
            decision: Decision::Prohibited,
            cause: CaseCause {
                kind: "list_change".into(),
                list_id: "ofac-sdn".into(),
                version: 2,
                previous_version: 1,
                entry_ids: vec!["46000".into()],
                screening_id: screening_id.into(),
            },
            findings: vec![],
            now_unix_ms: 5,
        }
    }

    #[test]
    fn a_list_change_case_is_an_open_case_with_its_cause_and_opens_once() {
        let s = Store::temporary().unwrap();
        let r = s
            .record_screening(new_screening("ACME", "PO-1", Decision::Clear))
            .unwrap();
        let c = s
            .open_list_change_case(new_case(&r.record.screening_id, "PO-1"))
            .unwrap()
            .expect("opened");
        // Every reader of cases sees it.
        let plain = s.case(&c.case.case_id).unwrap();
        assert_eq!(plain.priority, CasePriority::High);
        assert_eq!(plain.screening_ids, vec![r.record.screening_id.clone()]);
        assert_eq!(s.open_case("ACME", "PO-1").unwrap(), Some(plain));
        // ... and it is in the officers' queue.
        let page = s
            .list_cases(&crate::cases::CaseFilter::default(), None, 10)
            .unwrap();
        assert!(
            page.cases.iter().any(|x| x.case_id == c.case.case_id),
            "{page:?}"
        );
        let full = s.list_change_case(&c.case.case_id).unwrap();
        assert_eq!(full.cause.entry_ids, ["46000"]);
        // Idempotent per screening and version.
        assert!(
            s.open_list_change_case(new_case(&r.record.screening_id, "PO-1"))
                .unwrap()
                .is_none()
        );
        assert_eq!(
            s.list_change_cases_of(&r.record.screening_id).unwrap(),
            vec![("ofac-sdn".to_string(), 2, c.case.case_id.clone())]
        );
        assert!(s.list_change_cases_of("scr-x").unwrap().is_empty());
    }

    #[test]
    fn an_existing_open_case_stays_the_shipments_open_case() {
        let s = Store::temporary().unwrap();
        let r = s
            .record_screening(new_screening("ACME", "PO-2", Decision::Review))
            .unwrap();
        let c = s
            .open_list_change_case(new_case(&r.record.screening_id, "PO-2"))
            .unwrap()
            .unwrap();
        assert_ne!(Some(c.case.case_id), r.record.case_id);
        assert_eq!(
            s.open_case("ACME", "PO-2").unwrap().map(|c| c.case_id),
            r.record.case_id
        );
        // An ordinary case is not a list-change case.
        let ordinary = r.record.case_id.unwrap();
        assert!(matches!(
            s.list_change_case(&ordinary),
            Err(StoreError::NotFound { .. })
        ));
    }

    #[test]
    fn screenings_of_a_window_newest_first() {
        let s = Store::temporary().unwrap();
        for t in [100, 200, 300, 400] {
            let mut n = new_screening("A", &format!("R{t}"), Decision::Clear);
            n.screened_at_unix_ms = t;
            s.record_screening(n).unwrap();
        }
        let got: Vec<i64> = s
            .screenings_since(200)
            .unwrap()
            .iter()
            .map(|d| d.screened_at_unix_ms)
            .collect();
        assert_eq!(got, vec![400, 300, 200]);
    }
}
