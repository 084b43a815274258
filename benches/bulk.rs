//! Bulk "not a match" benchmark (release mode): one generic false positive
//! ("Alpha Trading LLC" against one SDN entry) left in 676 OPEN cases among
//! 10,000 other open cases, in a sled database on disk; how long finding
//! those cases takes (the sole-match index, not the queue) and how long
//! closing them all takes, each case in its own durable write with its
//! history entry and audit record (the workflow's `CloseNotAMatch`, as the
//! case service submits it: all at once, committed by the writer in
//! groups).
//!
//! Run: `cargo bench --bench bulk` (add `-- --cases N --same M` for other
//! sizes). Each of the three runs uses a fresh party, so every run closes
//! M cases.

use std::time::{Duration, Instant};

use exportscreen::cases::workflow::{self, Command, Ctx};
use exportscreen::cases::{CaseStatus, MatchKey, ScreeningFacts};
use exportscreen::ids::{Actor, CaseId};
use exportscreen::model::{
    Decision, Finding, FindingKind, ListVersionRef, Party, PartyRole, ScreeningOutcome, Shipment,
    Target,
};
use exportscreen::service::intake_planner;
use exportscreen::store::{CaseCommand, NewScreening, SledStore, Store};

const ENTRY: &str = "7";
const RUNS: usize = 3;

/// A REVIEW screening of `consignee` against ofac-sdn entry `entry`; the
/// party key is what the intake records for a suppressible party finding.
fn screening(n: usize, consignee: &str, entry: &str) -> NewScreening {
    let exporter = format!("Exporter {:03}", n % 100);
    let party = |role, name: &str| Party {
        role,
        name: name.into(),
        address: "Industrial Zone 4".into(),
        country: "AE".into(),
    };
    NewScreening {
        shipment: Shipment {
            reference: format!("PO-{n:07}"),
            exporter: exporter.clone(),
            parties: vec![
                party(PartyRole::Exporter, &exporter),
                party(PartyRole::Consignee, consignee),
            ],
            destination_country: "AE".into(),
            end_use: "Industrial use".into(),
            ..Shipment::default()
        },
        outcome: ScreeningOutcome {
            decision: Decision::Review,
            findings: vec![Finding {
                kind: FindingKind::Party,
                target: Target::Party(1),
                list_id: "ofac-sdn".into(),
                entry_id: entry.into(),
                entry_name: format!("LISTED {entry}"),
                score: 0.9,
                matched_text: consignee.into(),
                matched_terms: vec![],
                reason: "possible match".into(),
                explanation: String::new(),
                decision: Decision::Review,
                rule: "listed_party:possible_match".into(),
                category: None,
            }],
            list_versions: vec![ListVersionRef {
                list_id: "ofac-sdn".into(),
                version: 1,
                checksum: "0f".repeat(32),
            }],
            ..ScreeningOutcome::default()
        },
        screened_at_unix_ms: 1_700_000_000_000 + n as i64,
        actor: Actor::new("erp"),
        engine_decision: Decision::Review,
        facts: ScreeningFacts {
            party_keys: vec![(0, key_of(consignee))],
            ..ScreeningFacts::default()
        },
        ..NewScreening::default()
    }
}

fn key_of(name: &str) -> String {
    exportscreen::cases::keys::party_key(name, "Industrial Zone 4", "AE")
}

fn record(store: &SledStore, screenings: Vec<NewScreening>) {
    let acks: Vec<_> = screenings
        .into_iter()
        .map(|s| store.record_screening(s, intake_planner(Actor::new("bench"))))
        .collect();
    for a in acks {
        a.wait().expect("record");
    }
}

fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let others = arg(&args, "--cases", 10_000);
    let same = arg(&args, "--same", 676);
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = SledStore::open(dir.path()).expect("store");

    let t = Instant::now();
    record(
        &store,
        (0..others)
            .map(|i| screening(i, &format!("Consignee {i}"), &(1000 + i % 5000).to_string()))
            .collect(),
    );
    println!(
        "setup: {others} other open cases in {:.2} s",
        t.elapsed().as_secs_f64()
    );

    let (mut lookups, mut closings) = (Vec::new(), Vec::new());
    for run in 0..RUNS {
        let name = format!("Alpha Trading {run} LLC");
        let base = others + run * same;
        record(
            &store,
            (0..same)
                .map(|i| screening(base + i, &name, ENTRY))
                .collect(),
        );
        let key = MatchKey {
            party_key: key_of(&name),
            list_id: "ofac-sdn".into(),
            entry_id: ENTRY.into(),
        };

        let t = Instant::now();
        let ids: Vec<CaseId> = store.sole_match_cases(&key, 10_000).expect("index");
        lookups.push(t.elapsed());
        assert_eq!(
            ids.len(),
            same,
            "every case of that party and entry, no other"
        );

        let t = Instant::now();
        let actor = Actor::new("olga");
        let acks: Vec<_> = ids
            .iter()
            .map(|id| {
                let cmd = Command::CloseNotAMatch {
                    key: key.clone(),
                    origin: CaseId::new("case-origin"),
                    suppression: None,
                };
                let who = actor.clone();
                let command: CaseCommand = Box::new(move |case, _| {
                    let ctx = Ctx {
                        actor: &who,
                        reason: "registry extract: another company",
                        at_unix_ms: 1_800_000_000_000,
                        latest: None,
                    };
                    Ok(workflow::apply(case, &cmd, &ctx)?)
                });
                store.update_case(id, &actor, 1_800_000_000_000, command)
            })
            .collect();
        for a in acks {
            a.wait().expect("close");
        }
        closings.push(t.elapsed());
        assert!(
            ids.iter()
                .all(|id| store.case(id).expect("case").status == CaseStatus::Closed)
        );
        assert!(
            store
                .sole_match_cases(&key, 10_000)
                .expect("index")
                .is_empty()
        );
    }
    let ms = |d: &Duration| d.as_secs_f64() * 1000.0;
    lookups.sort();
    closings.sort();
    println!(
        "find the {same} cases (sole-match index, among {} open): median {:.3} ms (min {:.3}, max {:.3}; {RUNS} runs)",
        others + same,
        ms(&lookups[RUNS / 2]),
        ms(&lookups[0]),
        ms(&lookups[RUNS - 1])
    );
    println!(
        "close the {same} cases (one durable write and audit record each): median {:.1} ms = {:.0} µs per case (min {:.1}, max {:.1} ms)",
        ms(&closings[RUNS / 2]),
        ms(&closings[RUNS / 2]) * 1000.0 / same as f64,
        ms(&closings[0]),
        ms(&closings[RUNS - 1])
    );
}
