//! Screenings and cases: every screening is kept (shipment, outcome, list
//! versions, time), and every non-CLEAR screening opens a case or joins the
//! open case of the same exporter and shipment reference.

use serde::{Deserialize, Serialize};
use sled::Transactional;
use sled::transaction::ConflictableTransactionError::Abort;

use super::{Store, StoreError, decode, encode, keys, tx_error};
use crate::model::{Decision, ScreeningOutcome, Shipment};

/// A screening to record.
#[derive(Clone, Debug, PartialEq)]
pub struct NewScreening {
    /// The shipment as screened.
    pub shipment: Shipment,
    /// The engine's answer (decision, findings, list versions, policy).
    pub outcome: ScreeningOutcome,
    /// Engine time in microseconds.
    pub engine_micros: u64,
    /// Unix time in milliseconds.
    pub screened_at_unix_ms: i64,
}

/// A stored screening.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScreeningRecord {
    /// `scr-...`
    pub screening_id: String,
    /// Unix time in milliseconds.
    pub screened_at_unix_ms: i64,
    /// The shipment as screened.
    pub shipment: Shipment,
    /// Decision, findings, list versions and policy.
    pub outcome: ScreeningOutcome,
    /// Engine time in microseconds.
    pub engine_micros: u64,
    /// The case opened or joined; `None` when CLEAR.
    pub case_id: Option<String>,
}

/// State of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CaseStatus {
    /// Waiting for an officer; new screenings of the same shipment join it.
    Open,
}

/// How urgently a case needs an officer, derived from its decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CasePriority {
    /// REVIEW: a possible match or a weak signal.
    Low,
    /// LICENSE_REQUIRED: a controlled item.
    Medium,
    /// PROHIBITED: a listed receiving party or an embargo.
    High,
}

impl CasePriority {
    /// The priority a decision calls for (CLEAR never opens a case).
    pub fn for_decision(d: Decision) -> CasePriority {
        match d {
            Decision::Clear | Decision::Review => CasePriority::Low,
            Decision::LicenseRequired => CasePriority::Medium,
            Decision::Prohibited => CasePriority::High,
        }
    }
}

/// A case: the screenings of one shipment that need an officer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseRecord {
    /// `case-...`
    pub case_id: String,
    /// Exporter as sent with the shipment.
    pub exporter: String,
    /// Shipment reference as sent.
    pub reference: String,
    /// Open (closing belongs to the case workflow, not yet built).
    pub status: CaseStatus,
    /// The strongest decision of its screenings.
    pub decision: Decision,
    /// Derived from `decision`.
    pub priority: CasePriority,
    /// Screenings in the order they joined.
    pub screening_ids: Vec<String>,
    /// Unix time in milliseconds.
    pub created_at_unix_ms: i64,
    /// Unix time in milliseconds of the last screening that joined.
    pub updated_at_unix_ms: i64,
}

impl Store {
    /// Stores a screening with a new id; a non-CLEAR screening joins the
    /// open case with the same exporter and (non-blank) reference, or opens
    /// one. Screening, case and index are written in one transaction. Call
    /// [`Store::flush`] before acknowledging it.
    ///
    /// Exporter and reference are compared after trimming; a screening with
    /// a blank reference always opens its own case.
    ///
    /// # Errors
    /// [`StoreError`] when the write fails; nothing is written then.
    pub fn record_screening(&self, new: NewScreening) -> Result<ScreeningRecord, StoreError> {
        let NewScreening {
            shipment,
            outcome,
            engine_micros,
            screened_at_unix_ms,
        } = new;
        let mut record = ScreeningRecord {
            screening_id: keys::screening_id(self.next_id()?),
            screened_at_unix_ms,
            shipment,
            outcome,
            engine_micros,
            case_id: None,
        };
        let skey = record.screening_id.clone().into_bytes();
        if record.outcome.decision == Decision::Clear {
            self.screenings
                .insert(&skey, encode("screening", &record)?)?;
            return Ok(record);
        }

        // Taken whether or not a new case is opened; ids only need to be unique.
        let fresh_case = keys::case_id(self.next_id()?);
        let exporter = record.shipment.exporter.trim().to_string();
        let reference = record.shipment.reference.trim().to_string();
        let index_key =
            (!reference.is_empty()).then(|| keys::case_index_key(&exporter, &reference));
        let decision = record.outcome.decision;
        let now = screened_at_unix_ms;

        let case_id = (&self.screenings, &self.cases, &self.open_cases)
            .transaction(|(screenings, cases, open_cases)| {
                let existing = match &index_key {
                    None => None,
                    Some(ik) => match open_cases.get(ik)? {
                        None => None,
                        Some(id) => match cases.get(&id)? {
                            Some(v) => Some(decode::<CaseRecord>(&id, &v).map_err(Abort)?),
                            None => {
                                return Err(Abort(StoreError::Corrupt {
                                    key: keys::printable(&id),
                                    message: "open-case index names a missing case".into(),
                                }));
                            }
                        },
                    },
                };
                let case = match existing {
                    Some(mut c) if c.status == CaseStatus::Open => {
                        c.screening_ids.push(record.screening_id.clone());
                        c.decision = c.decision.max(decision);
                        c.priority = CasePriority::for_decision(c.decision);
                        c.updated_at_unix_ms = now;
                        c
                    }
                    _ => CaseRecord {
                        case_id: fresh_case.clone(),
                        exporter: exporter.clone(),
                        reference: reference.clone(),
                        status: CaseStatus::Open,
                        decision,
                        priority: CasePriority::for_decision(decision),
                        screening_ids: vec![record.screening_id.clone()],
                        created_at_unix_ms: now,
                        updated_at_unix_ms: now,
                    },
                };
                let mut stored = record.clone();
                stored.case_id = Some(case.case_id.clone());
                cases.insert(
                    case.case_id.as_bytes(),
                    encode("case", &case).map_err(Abort)?,
                )?;
                if let Some(ik) = &index_key {
                    open_cases.insert(ik.as_slice(), case.case_id.as_bytes())?;
                }
                screenings.insert(
                    skey.as_slice(),
                    encode("screening", &stored).map_err(Abort)?,
                )?;
                Ok(case.case_id)
            })
            .map_err(tx_error)?;
        record.case_id = Some(case_id);
        Ok(record)
    }

    /// A stored screening.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown id.
    pub fn screening(&self, screening_id: &str) -> Result<ScreeningRecord, StoreError> {
        match self.screenings.get(screening_id.as_bytes())? {
            Some(v) => decode(screening_id.as_bytes(), &v),
            None => Err(StoreError::NotFound {
                what: "screening",
                id: screening_id.to_string(),
            }),
        }
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

    /// The open case of an exporter's shipment reference, if any.
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
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn new_screening(
        exporter: &str,
        reference: &str,
        decision: Decision,
    ) -> NewScreening {
        NewScreening {
            shipment: Shipment {
                reference: reference.into(),
                exporter: exporter.into(),
                ..Shipment::default()
            },
            outcome: ScreeningOutcome {
                decision,
                ..ScreeningOutcome::default()
            },
            engine_micros: 12,
            screened_at_unix_ms: 1_700_000_000_000,
        }
    }

    #[test]
    fn clear_screenings_open_no_case() {
        let s = Store::temporary().unwrap();
        let r = s
            .record_screening(new_screening("ACME", "PO-1", Decision::Clear))
            .unwrap();
        assert!(r.screening_id.starts_with("scr-"));
        assert_eq!(r.case_id, None);
        assert_eq!(s.screening(&r.screening_id).unwrap(), r);
        assert_eq!(s.open_case("ACME", "PO-1").unwrap(), None);
    }

    #[test]
    fn screenings_of_one_shipment_join_its_open_case() {
        let s = Store::temporary().unwrap();
        let mut a = new_screening("ACME", "PO-1", Decision::Review);
        a.screened_at_unix_ms = 100;
        let mut b = new_screening(" ACME", "PO-1 ", Decision::Prohibited);
        b.screened_at_unix_ms = 200;
        let ra = s.record_screening(a).unwrap();
        let rb = s.record_screening(b).unwrap();
        let case_id = ra.case_id.clone().unwrap();
        assert!(case_id.starts_with("case-"));
        assert_eq!(rb.case_id.as_deref(), Some(case_id.as_str()));
        // The stored screening carries its case too.
        assert_eq!(s.screening(&rb.screening_id).unwrap().case_id, rb.case_id);

        let case = s.case(&case_id).unwrap();
        assert_eq!(case.screening_ids, vec![ra.screening_id, rb.screening_id]);
        assert_eq!(case.decision, Decision::Prohibited);
        assert_eq!(case.priority, CasePriority::High);
        assert_eq!(case.status, CaseStatus::Open);
        assert_eq!(
            (case.created_at_unix_ms, case.updated_at_unix_ms),
            (100, 200)
        );
        assert_eq!(s.open_case("ACME", "PO-1").unwrap(), Some(case));
    }

    #[test]
    fn other_shipments_and_blank_references_get_their_own_cases() {
        let s = Store::temporary().unwrap();
        let rows = [
            ("ACME", "PO-1"),
            ("ACME", "PO-2"),
            ("Other Co", "PO-1"),
            ("ACME", ""),
            ("ACME", "  "),
        ];
        let mut ids: Vec<String> = rows
            .iter()
            .map(|(e, r)| {
                s.record_screening(new_screening(e, r, Decision::LicenseRequired))
                    .unwrap()
                    .case_id
                    .unwrap()
            })
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), rows.len());
        assert_eq!(s.case(&ids[0]).unwrap().priority, CasePriority::Medium);
    }

    #[test]
    fn priority_follows_the_decision() {
        let table = [
            (Decision::Review, CasePriority::Low),
            (Decision::LicenseRequired, CasePriority::Medium),
            (Decision::Prohibited, CasePriority::High),
        ];
        for (d, p) in table {
            assert_eq!(CasePriority::for_decision(d), p, "{d:?}");
        }
    }

    #[test]
    fn unknown_ids_are_not_found() {
        let s = Store::temporary().unwrap();
        assert!(matches!(
            s.screening("scr-0000000000000001"),
            Err(StoreError::NotFound {
                what: "screening",
                ..
            })
        ));
        assert!(matches!(
            s.case("case-1"),
            Err(StoreError::NotFound { what: "case", .. })
        ));
    }

    #[test]
    fn ids_increase_with_time() {
        let s = Store::temporary().unwrap();
        let ids: Vec<String> = (0..5)
            .map(|_| {
                s.record_screening(new_screening("A", "R", Decision::Clear))
                    .unwrap()
                    .screening_id
            })
            .collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
    }
}
