//! Case queue benchmark (release mode, one thread): the time to list 10,000
//! open cases by priority from a sled database on disk.
//!
//! Run: `cargo bench --bench cases` (add `-- --cases N` for another size).
//!
//! Setup records N screenings (each opens a case: REVIEW, LICENSE_REQUIRED
//! or PROHIBITED, with one to three findings, scores, Category I items,
//! embargoed destinations and party histories drawn deterministically) and
//! then reports, as median / min / max over repeated runs:
//!
//! - the first page (50, the API's default) of OPEN cases by priority;
//! - all N open cases by priority, in pages of 1000 (the API's largest);
//! - all N in one store call;
//! - a filtered page (one exporter of 100) scanning the queue;
//! - for comparison, what the priority index saves: decoding every case
//!   record and sorting them by priority and age.

use std::hint::black_box;
use std::time::{Duration, Instant};

use exportscreen::cases::{CaseFilter, CaseStatus, ScreeningFacts};
use exportscreen::ids::Actor;
use exportscreen::model::{
    Decision, Finding, FindingKind, ListVersionRef, Party, PartyRole, ScreeningOutcome, Shipment,
    Target,
};
use exportscreen::service::intake_planner;
use exportscreen::store::{NewScreening, SledStore, Store};

/// A small deterministic PRNG (xorshift64*), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() % 10_000) as f64 / 10_000.0
    }
}

const EXPORTERS: usize = 100;

fn finding(rng: &mut Rng, i: usize, decision: Decision) -> Finding {
    let (kind, target, list) = match decision {
        Decision::LicenseRequired => (FindingKind::Item, Target::Item(i), "mtcr"),
        _ => (FindingKind::Party, Target::Party(1 + i % 2), "ofac-sdn"),
    };
    let entry = rng.below(5000).to_string();
    Finding {
        kind,
        target,
        list_id: list.into(),
        entry_id: entry.clone(),
        entry_name: format!("LISTED ENTITY {entry}"),
        score: 0.8 + 0.2 * rng.unit(),
        matched_text: "Some Trading Company LLC".into(),
        matched_terms: vec!["some~some".into(), "trading~trading".into()],
        reason: "Consignee 1 possibly matches ofac-sdn entry.".into(),
        explanation: "Matched 'SOME TRADING CO' (primary): tokens some~some (1.00), trading~trading (1.00); coverage 0.91/0.88.".into(),
        decision,
        rule: "party.review_threshold".into(),
        category: None,
    }
}

fn screening(rng: &mut Rng, n: usize) -> NewScreening {
    let decision = match rng.below(10) {
        0 => Decision::Prohibited,
        1..=3 => Decision::LicenseRequired,
        _ => Decision::Review,
    };
    let findings: Vec<Finding> = (0..1 + rng.below(3))
        .map(|i| finding(rng, i, decision))
        .collect();
    let exporter = format!("Exporter {:03}", n % EXPORTERS);
    let party = |role, name: String| Party {
        role,
        name,
        address: "Industrial Zone 4, Building 7".into(),
        country: "AE".into(),
    };
    NewScreening {
        shipment: Shipment {
            reference: format!("PO-{n:06}"),
            exporter: exporter.clone(),
            parties: vec![
                party(PartyRole::Exporter, exporter),
                party(
                    PartyRole::Consignee,
                    format!("Consignee {}", rng.below(3000)),
                ),
                party(PartyRole::EndUser, format!("End User {}", rng.below(3000))),
            ],
            destination_country: "AE".into(),
            end_use: "Industrial use".into(),
            ..Shipment::default()
        },
        outcome: ScreeningOutcome {
            decision,
            findings,
            list_versions: vec![ListVersionRef {
                list_id: "ofac-sdn".into(),
                version: 3,
                checksum: "0f".repeat(32),
            }],
            ..ScreeningOutcome::default()
        },
        engine_micros: 900,
        screened_at_unix_ms: 1_700_000_000_000 + n as i64 * 1000,
        actor: Actor::new("erp"),
        engine_decision: decision,
        facts: ScreeningFacts {
            category_i: if rng.below(5) == 0 { vec![0] } else { vec![] },
            embargoed_destination: rng.below(20) == 0,
            prior_denials: u32::from(rng.below(50) == 0),
            ..ScreeningFacts::default()
        },
        ..NewScreening::default()
    }
}

fn stats(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<58} median {:>8.2} ms   min {:>8.2}   max {:>8.2}   ({} runs)",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1]),
        times.len()
    );
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Vec<Duration> {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .iter()
        .position(|a| a == "--cases")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = SledStore::open(dir.path()).expect("store");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);

    let t = Instant::now();
    // Submitted at once: the writer commits them in group commits.
    let acks: Vec<_> = (0..n)
        .map(|i| {
            store.record_screening(screening(&mut rng, i), intake_planner(Actor::new("bench")))
        })
        .collect();
    for a in acks {
        a.wait().expect("record");
    }
    let setup = t.elapsed();
    println!(
        "recorded {n} flagged screenings (each with its case and audit record, durable) in {:.2} s: {:.0} µs each",
        setup.as_secs_f64(),
        setup.as_secs_f64() * 1e6 / n as f64
    );

    let open = CaseFilter {
        statuses: vec![CaseStatus::Open],
        ..CaseFilter::default()
    };
    let first = store.list_cases(&open, None, 50).expect("list");
    assert_eq!(first.cases.len(), 50.min(n));
    stats(
        "first page (50) of open cases by priority",
        time(50, || store.list_cases(&open, None, 50)),
    );

    let all_paged = || {
        let mut seen = 0;
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = store
                .list_cases(&open, after.as_deref(), 1000)
                .expect("list");
            seen += page.cases.len();
            match page.next {
                Some(p) => after = Some(p),
                None => break,
            }
        }
        assert_eq!(seen, n);
        seen
    };
    stats(
        &format!("all {n} open cases by priority, pages of 1000"),
        time(10, all_paged),
    );
    stats(
        &format!("all {n} open cases by priority, one store call"),
        time(10, || {
            store.list_cases(&open, None, n).expect("list").cases.len()
        }),
    );
    let one_exporter = CaseFilter {
        exporter: Some("Exporter 042".into()),
        ..open.clone()
    };
    stats(
        &format!(
            "first page of one exporter's cases ({} of {n})",
            n / EXPORTERS
        ),
        time(10, || {
            store
                .list_cases(&one_exporter, None, 50)
                .expect("list")
                .cases
                .len()
        }),
    );
    let naive = || {
        let mut all = store.all_cases().expect("cases");
        all.retain(|c| c.status == CaseStatus::Open);
        all.sort_by(|a, b| {
            b.priority_score
                .cmp(&a.priority_score)
                .then(a.created_at_unix_ms.cmp(&b.created_at_unix_ms))
        });
        all.len()
    };
    stats(
        &format!("without the index: decode all {n} cases and sort"),
        time(10, naive),
    );

    // The order is right: priority descending, then age.
    let listed = store.list_cases(&open, None, n).expect("list").cases;
    assert!(listed.windows(2).all(|w| {
        (
            w[0].priority_score,
            std::cmp::Reverse(w[0].created_at_unix_ms),
        ) >= (
            w[1].priority_score,
            std::cmp::Reverse(w[1].created_at_unix_ms),
        )
    }));
}
