//! Screenings: every screening is kept (shipment, outcome, list versions,
//! time, the suppressions that applied, the facts the case workflow uses).
//! Recording one opens or joins its case: see [`super::cases`].

use serde::{Deserialize, Serialize};

use super::{Store, StoreError, decode};
use crate::cases::{ScreeningFacts, SuppressedFinding};
use crate::model::{Decision, ScreeningOutcome, Shipment};

/// A screening to record.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewScreening {
    /// The shipment as screened.
    pub shipment: Shipment,
    /// The engine's answer (decision, findings, list versions, policy),
    /// its decision recomputed without the suppressed findings.
    pub outcome: ScreeningOutcome,
    /// Engine time in microseconds.
    pub engine_micros: u64,
    /// Unix time in milliseconds.
    pub screened_at_unix_ms: i64,
    /// Who screened (the caller's principal; the audit record's actor).
    pub actor: String,
    /// The engine's decision before suppressions.
    pub engine_decision: Decision,
    /// Findings suppressed by earlier "not a match" judgements.
    pub suppressed: Vec<SuppressedFinding>,
    /// Facts for the case's priority.
    pub facts: ScreeningFacts,
    /// Suppressions found stale (the entry changed): id and why.
    pub invalidated: Vec<(String, String)>,
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
    /// Decision (after suppressions), findings, list versions and policy.
    pub outcome: ScreeningOutcome,
    /// Engine time in microseconds.
    pub engine_micros: u64,
    /// The case opened or joined; `None` when CLEAR and no case was active.
    pub case_id: Option<String>,
    /// The engine's decision before suppressions (`None` in records written
    /// before suppressions existed: then it is `outcome.decision`).
    #[serde(default)]
    pub engine_decision: Option<Decision>,
    /// Findings suppressed by earlier "not a match" judgements: they are
    /// in `outcome.findings` but do not count toward `outcome.decision`.
    #[serde(default)]
    pub suppressed: Vec<SuppressedFinding>,
    /// Facts for the case workflow (Category I findings, embargo, party
    /// history).
    #[serde(default)]
    pub facts: ScreeningFacts,
}

impl Store {
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
}
