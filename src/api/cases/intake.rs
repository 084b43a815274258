//! The case side of a shipment screening: earlier "not a match"
//! judgements applied to the engine's findings (suppression), the decision
//! recomputed without them, the facts the case's priority needs, then the
//! screening recorded with its case and audit record, flushed, and
//! announced to consoles.
//!
//! A suppression applies when the finding's party has the same key (name,
//! address, country) and the cited entry the same content fingerprint as
//! when the officer judged it. The fingerprint is compared only when the
//! list version differs from the judged one; an entry whose content
//! changed ends the suppression for good (the officer judged other data).

use std::collections::BTreeSet;

use super::hub::CaseHub;
use crate::api::state::AppState;
use crate::api::status::ApiError;
use crate::cases::facts;
use crate::cases::keys::{self, suppressible};
use crate::cases::{PartyHistory, SuppressedFinding};
use crate::engine::Engine;
use crate::model::{ScreeningOutcome, Shipment};
use crate::store::{NewScreening, ScreeningRecord, Store};

/// What the suppression step found.
#[derive(Debug, Default)]
struct Suppressions {
    applied: Vec<SuppressedFinding>,
    invalidated: Vec<(String, String)>,
}

/// Checks every suppressible finding against the active suppressions.
async fn suppressions(
    store: &Store,
    hub: &CaseHub,
    engine: &Engine,
    shipment: &Shipment,
    outcome: &ScreeningOutcome,
) -> Result<Suppressions, ApiError> {
    let mut out = Suppressions::default();
    for (i, f) in outcome.findings.iter().enumerate() {
        if !suppressible(f) {
            continue;
        }
        let Some(party) = keys::finding_party(f, &shipment.parties) else {
            continue;
        };
        let party_key = facts::party_key(engine, party);
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
            match hub
                .fingerprint(store, &f.list_id, current.version, &f.entry_id)
                .await?
            {
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
            out.applied.push(SuppressedFinding {
                index: i,
                suppression_id: s.suppression_id,
                case_id: s.case_id,
            });
        }
    }
    Ok(out)
}

/// Records a screening the engine has answered: suppressions, decision,
/// facts, case, audit; flushes; tells consoles. Returns the stored record.
///
/// # Errors
/// Storage failures (nothing is recorded then).
pub async fn record_screening(
    state: &AppState,
    engine: &Engine,
    shipment: Shipment,
    mut outcome: ScreeningOutcome,
    engine_micros: u64,
    screened_at_unix_ms: i64,
    actor: &str,
) -> Result<ScreeningRecord, ApiError> {
    let store = state.store();
    let hub = state.cases();
    let found = suppressions(store, hub, engine, &shipment, &outcome).await?;
    let engine_decision = outcome.decision;
    let excluded: BTreeSet<usize> = found.applied.iter().map(|s| s.index).collect();
    outcome.decision = facts::effective_decision(&outcome.findings, &excluded);

    let mut histories: Vec<PartyHistory> = Vec::new();
    for p in facts::history_parties(&shipment) {
        if let Some(h) = store.party_history(&keys::history_key(&p.name))? {
            if !histories.contains(&h) {
                histories.push(h);
            }
        }
    }
    let facts = facts::screening_facts(&outcome, &histories);

    let recorded = store.record_screening(NewScreening {
        shipment,
        outcome,
        engine_micros,
        screened_at_unix_ms,
        actor: actor.to_string(),
        engine_decision,
        suppressed: found.applied,
        facts,
        invalidated: found.invalidated,
    })?;
    store.flush().await?;
    if let Some(change) = recorded.change {
        hub.publish(change);
    }
    Ok(recorded.record)
}
