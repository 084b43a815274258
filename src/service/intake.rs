//! The case side of a shipment screening before it is recorded: earlier
//! "not a match" judgements applied to the engine's findings
//! (suppression), the decision recomputed without them, and the facts the
//! case's priority needs (the parties' history). Synchronous storage
//! reads: runs on the engine pool with the screening.
//!
//! A suppression applies when the finding's party has the same key (name,
//! address, country) and the cited entry the same content fingerprint as
//! when the officer judged it. The fingerprint is compared only when the
//! list version differs from the judged one; an entry whose content
//! changed ends the suppression for good (the officer judged other data).

use std::collections::BTreeSet;

use super::events::CaseEvents;
use crate::cases::keys::{self, suppressible};
use crate::cases::{PartyHistory, ScreeningFacts, SuppressedFinding, facts};
use crate::engine::Engine;
use crate::ids::SuppressionId;
use crate::model::{Decision, ScreeningOutcome, Shipment};
use crate::store::{Store, StoreError};

/// What the case workflow adds to the engine's answer.
#[derive(Debug, Default)]
pub struct Intake {
    /// The engine's decision before suppressions.
    pub engine_decision: Decision,
    /// Findings suppressed by earlier judgements.
    pub suppressed: Vec<SuppressedFinding>,
    /// Suppressions found stale: id and why.
    pub invalidated: Vec<(SuppressionId, String)>,
    /// Facts for the case's priority (with the party keys of the
    /// suppressible party findings).
    pub facts: ScreeningFacts,
}

/// Applies suppressions to `outcome` (its decision becomes the decision
/// without the suppressed findings) and gathers the facts.
///
/// # Errors
/// Storage failures.
pub fn prepare(
    store: &dyn Store,
    events: &CaseEvents,
    engine: &Engine,
    shipment: &Shipment,
    outcome: &mut ScreeningOutcome,
) -> Result<Intake, StoreError> {
    let mut out = Intake {
        engine_decision: outcome.decision,
        ..Intake::default()
    };
    let mut party_keys = Vec::new();
    for (i, f) in outcome.findings.iter().enumerate() {
        if !suppressible(f) {
            continue;
        }
        let Some(party) = keys::finding_party(f, &shipment.parties) else {
            continue;
        };
        let party_key = facts::party_key(engine, party);
        party_keys.push((i, party_key.clone()));
        let Some(s) = store.active_suppression(&party_key, &f.list_id, &f.entry_id)? else {
            continue;
        };
        let Some(current) = outcome
            .list_versions
            .iter()
            .find(|v| v.list_id == f.list_id)
        else {
            continue;
        };
        let same = if *current == s.judged_version {
            true
        } else {
            match events.fingerprint(store, &f.list_id, current.version, &f.entry_id)? {
                Some(fp) if fp == s.entry_fingerprint => true,
                Some(_) => {
                    if !out
                        .invalidated
                        .iter()
                        .any(|(id, _)| *id == s.suppression_id)
                    {
                        out.invalidated.push((
                            s.suppression_id.clone(),
                            format!(
                                "entry {} changed in {}@{} (judged on version {})",
                                f.entry_id, f.list_id, current.version, s.judged_version.version
                            ),
                        ));
                    }
                    false
                }
                // The entry cannot be read: do not suppress, do not end it.
                None => false,
            }
        };
        if same {
            out.suppressed.push(SuppressedFinding {
                index: i,
                suppression_id: s.suppression_id,
                case_id: s.case_id,
            });
        }
    }
    let excluded: BTreeSet<usize> = out.suppressed.iter().map(|s| s.index).collect();
    outcome.decision = facts::effective_decision(&outcome.findings, &excluded);

    let mut histories: Vec<PartyHistory> = Vec::new();
    for p in facts::history_parties(shipment) {
        if let Some(h) = store.party_history(&keys::history_key(&p.name))? {
            if !histories.contains(&h) {
                histories.push(h);
            }
        }
    }
    out.facts = facts::screening_facts(outcome, &histories);
    out.facts.party_keys = party_keys;
    Ok(out)
}
