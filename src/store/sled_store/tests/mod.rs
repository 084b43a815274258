//! Tests of the sled backend through the [`Store`] trait: screenings with
//! their cases, officers' commands, the queue, list versions, list-change
//! cases, tokens, idempotency, case membership, and the migration of the
//! old layout. Helpers shared by them live here.

mod cases;
mod engines;
mod lists;
mod migrate;
mod screenings;
mod tokens;

use std::sync::Arc;

use crate::cases::workflow::{Command, Ctx, ScreeningView};
use crate::ids::{Actor, CaseId};
use crate::model::{
    Decision, Finding, FindingKind, ListVersionRef, Party, PartyRole, ScreeningOutcome, Shipment,
};
use crate::service::intake_planner;
use crate::store::{CaseUpdate, NewScreening, Recorded, SledStore, Store};

/// A screening of `exporter`'s shipment `reference`: one party finding
/// unless CLEAR.
pub(crate) fn new_screening(exporter: &str, reference: &str, decision: Decision) -> NewScreening {
    let findings = match decision {
        Decision::Clear => vec![],
        d => vec![party_finding(d, 0.9)],
    };
    NewScreening {
        shipment: Shipment {
            reference: reference.into(),
            exporter: exporter.into(),
            parties: vec![
                Party {
                    role: PartyRole::Exporter,
                    name: exporter.into(),
                    ..Party::default()
                },
                Party {
                    role: PartyRole::Consignee,
                    name: "Zephyr Orbital".into(),
                    address: "Street 1".into(),
                    country: "IR".into(),
                },
            ],
            ..Shipment::default()
        },
        outcome: ScreeningOutcome {
            decision,
            findings,
            list_versions: vec![version(1)],
            ..ScreeningOutcome::default()
        },
        engine_micros: 12,
        screened_at_unix_ms: 1_700_000_000_000,
        actor: Actor::new("erp"),
        engine_decision: decision,
        ..NewScreening::default()
    }
}

pub(crate) fn version(v: u64) -> ListVersionRef {
    ListVersionRef {
        list_id: "sdn".into(),
        version: v,
        checksum: format!("c{v}"),
    }
}

pub(crate) fn party_finding(decision: Decision, score: f64) -> Finding {
    Finding {
        kind: FindingKind::Party,
        target: crate::model::Target::Party(1),
        list_id: "sdn".into(),
        entry_id: "101".into(),
        entry_name: "ZEPHYR ORBITAL".into(),
        score,
        matched_text: "Zephyr Orbital".into(),
        matched_terms: vec![],
        reason: "r".into(),
        explanation: "e".into(),
        decision,
        rule: String::new(),
        category: None,
    }
}

/// Records `n` (as the screening service does) and waits until durable.
pub(crate) fn record(s: &SledStore, n: NewScreening) -> Recorded {
    let actor = n.actor.clone();
    s.record_screening(n, intake_planner(actor)).wait().unwrap()
}

/// Records `n` at time `t`.
pub(crate) fn at(s: &SledStore, mut n: NewScreening, t: i64) -> Recorded {
    n.screened_at_unix_ms = t;
    record(s, n)
}

pub(crate) fn audit_actions(s: &SledStore) -> Vec<String> {
    s.audit_range(i64::MIN, i64::MAX)
        .unwrap()
        .into_iter()
        .map(|r| r.action.as_str().to_string())
        .collect()
}

/// Runs a workflow command as the case service does.
pub(crate) fn run(
    s: &SledStore,
    case_id: &CaseId,
    actor: &str,
    t: i64,
    cmd: Command,
) -> Result<CaseUpdate, crate::Error> {
    let who = Actor::new(actor);
    let cmd = Arc::new(cmd);
    let ctx_actor = who.clone();
    s.update_case(
        case_id,
        &who,
        t,
        Box::new(move |case, latest| {
            let view = latest.map(|r| ScreeningView {
                screening_id: &r.screening_id,
                findings: &r.outcome.findings,
                suppressed: &r.suppressed,
                facts: &r.facts,
                parties: &r.shipment.parties,
            });
            let ctx = Ctx {
                actor: &ctx_actor,
                reason: "checked",
                at_unix_ms: t,
                latest: view,
            };
            Ok(crate::cases::workflow::apply(case, &cmd, &ctx)?)
        }),
    )
    .wait()
}

#[test]
fn reopening_a_directory_keeps_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let s = SledStore::open(dir.path()).unwrap();
        let rec = record(&s, new_screening("ACME", "PO-1", Decision::Clear));
        rec.record.screening_id
    };
    let s = SledStore::open(dir.path()).unwrap();
    assert_eq!(s.screening(&id).unwrap().shipment.reference, "PO-1");
}

#[test]
fn a_locked_database_names_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let _first = SledStore::open(dir.path()).unwrap();
    let wait = std::time::Duration::from_millis(100);
    let started = std::time::Instant::now();
    let err = SledStore::open_waiting(dir.path(), wait).unwrap_err();
    assert!(started.elapsed() >= wait, "waited for the lock first");
    assert!(
        matches!(&err, crate::store::StoreError::Open { locked: true, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(&dir.path().display().to_string()),
        "{err}"
    );
}

#[test]
fn writes_after_close_are_refused_and_earlier_ones_kept() {
    let dir = tempfile::tempdir().unwrap();
    let s = SledStore::open(dir.path()).unwrap();
    let r = record(&s, new_screening("ACME", "PO-1", Decision::Review));
    s.close().wait().unwrap();
    let late = s
        .record_screening(
            new_screening("ACME", "PO-2", Decision::Review),
            intake_planner(Actor::new("erp")),
        )
        .wait();
    assert!(
        matches!(late, Err(crate::store::StoreError::WriterStopped(_))),
        "{late:?}"
    );
    // Reads still work.
    assert!(s.screening(&r.record.screening_id).is_ok());
    let h = s.writer_health();
    assert_eq!(h.pending, 0, "{h:?}");
}
