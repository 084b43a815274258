//! Engine benchmark (release mode, one thread): latency of ScreenShipment
//! for shipments of 5 items and 4 parties against all bundled lists, and of
//! single ScreenParty / ScreenItem queries; engine build time.
//!
//! Run: `cargo bench --bench engine` (add `-- --quick` for a short run,
//! `-- --hostile` for the hostile rows alone, `-- --split` for where a
//! typical shipment's time goes, `-- --slowest` for the shipments that
//! make the tail and what their parts cost, `-- --dump` to print every
//! outcome of the generated shipments, for comparing two builds, `-- --loop
//! N` to screen typical shipments for N seconds under a profiler, `--
//! --count N` to screen exactly N of them, for an instruction count under
//! callgrind); `-- --no-memo` runs any of these with every item
//! classified and every party searched afresh).
//! Prints p50 / p90 / p99 / max per operation in microseconds.
//!
//! The engine keeps each thread's recent item classifications and
//! shipment parties' matches (an exporter's item master lines and regular
//! consignees recur shipment after shipment; the bench's 25 descriptions
//! recur the same way, its 8,000 pooled party names more than the memo
//! holds): the main run prints the typical shipments both ways in one
//! run, with the memos (as the service runs) and with every item
//! classified and every party searched afresh (what a shipment never seen
//! before costs).
//!
//! Inputs are generated deterministically: listed names (primary names and
//! aliases, some with a typo, some reordered) mixed with invented company
//! and person names (drawn from a few dozen words, so that words recur
//! across queries as trade names do; the rows "unseen words" use fresh
//! words instead, each name once: the cost when nothing the engine keeps
//! per thread, such as the memo of unknown words, helps), item descriptions drawn from the control texts (EU
//! Annex I and MTCR wordings with figures, look-alikes and plain goods), and
//! varied addresses and end uses. Hostile rows (issue 12): 4 KiB names of
//! repeated or listed words, a 1,000-party shipment of them, and the index
//! built from a 10 MB hostile list.
//!
//! It runs with the service's allocator (mimalloc, see `src/main.rs`), so
//! the figures are those of the engine as the server runs it.

use std::hint::black_box;
use std::time::Instant;

use exportscreen::bundled;
use exportscreen::engine::party::PartyQuery;
use exportscreen::engine::reference::ReferenceFiles;
use exportscreen::engine::{Engine, LoadedList};
use exportscreen::model::{
    DenialEntry, EntityKind, EntryName, Item, ListContent, ListMeta, NameKind, Party, PartyRole,
    Shipment,
};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

/// Item descriptions drawn from the control texts (EU Annex I, Regulation
/// 2021/821, x1xx headings and MTCR-derived sub-items, in ERP wording with
/// figures), their look-alikes and plain goods.
const ITEMS: &[(&str, &[(&str, f64)])] = &[
    (
        "Linear accelerometer for inertial navigation, bias repeatability 800 micro g, scale factor 900 ppm",
        &[],
    ),
    (
        "Gyro, drift rate stability 0.3 deg/h (1 sigma), 1 g environment",
        &[],
    ),
    (
        "Spherical aluminium powder, particle size 45 um, Al 98.5 % by weight",
        &[],
    ),
    (
        "Metal powders of zirconium, 90 % below 60 um, 97.5 % Zr",
        &[],
    ),
    (
        "Batch mixer for mixing under vacuum 0-13 kPa, temperature-controlled chamber, 150 litres, off-centre kneading shaft",
        &[("volume_l", 150.0)],
    ),
    ("Fluid energy mill for grinding ammonium perchlorate", &[]),
    (
        "Isostatic press, max working pressure 100 MPa, 900 C, chamber cavity inside diameter 300 mm",
        &[],
    ),
    (
        "Flow-forming machine with numerical control, 3 axes coordinated for contouring",
        &[],
    ),
    (
        "Vibration test system with digital controller, 12 g rms, 20 Hz - 2 kHz, 60 kN bare table",
        &[],
    ),
    ("Motion simulator, two axes, slip rings, 500 deg/s", &[]),
    (
        "Maraging steel tube, wall 4 mm, UTS 1.8 GPa precipitation hardened",
        &[],
    ),
    (
        "Turbofan engine, max thrust 1.5 kN, SFC 0.14 kg/N/h, dry weight 80 kg",
        &[("thrust_kn", 1.5)],
    ),
    ("Liquid propellant tanks for rocket systems, titanium", &[]),
    ("Thermal batteries designed for missiles", &[]),
    (
        "Test stand for solid propellant rocket motors, 100 kN thrust capacity",
        &[],
    ),
    (
        "Receivers, GNSS, airborne, anti-jam null steering antenna",
        &[],
    ),
    (
        "Hydrazine hydrate 64 %, water treatment grade",
        &[("concentration_pct", 64.0)],
    ),
    ("Turbofan for certified business jet, 30 kN", &[]),
    ("Medical linear accelerator 10 MeV for radiotherapy", &[]),
    ("Deep groove ball bearings 6204-2Z", &[]),
    ("Office chairs, swivel, black", &[]),
    ("Laptop computers 14 inch", &[]),
    ("Garden hose 25 m", &[]),
    ("Printer paper A4, 80 g", &[]),
];

/// Addresses of the receiving parties (street, city).
const ADDRESSES: &[&str] = &[
    "Industriestrasse 1, 70565 Stuttgart",
    "Jebel Ali Free Zone, Warehouse RA08, Dubai",
    "No. 88 Keji Road, Xi'an High-Tech Zone",
    "Sheikh Bahaei St. 12, Tehran",
    "Av. Paulista 1000, Sao Paulo",
    "10 Tuas South Ave 2, Singapore",
    "Plot 45, MIDC Bhosari, Pune",
    "Organize Sanayi Bolgesi 3. Cadde, Ankara",
];

/// Stated end uses, from plain to red-flagged.
const END_USES: &[&str] = &[
    "Production of industrial equipment",
    "Spare parts for our customer's own production line",
    "Research on satellite attitude control at a university laboratory",
    "Integration into UAV flight controllers for export",
    "Not for military use; civil aviation maintenance",
    "Resale to distributors in the region",
];

const FIRST: &[&str] = &[
    "Anna", "Lukas", "Mehmet", "Wei", "Olga", "Carlos", "Fatima", "Kenji", "Priya", "Tomas",
];
const LAST: &[&str] = &[
    "Schneider",
    "Novak",
    "Yilmaz",
    "Zhang",
    "Ivanova",
    "Garcia",
    "Haddad",
    "Sato",
    "Iyer",
    "Lindqvist",
];
const CO: &[&str] = &[
    "Precision",
    "Machinery",
    "Trading",
    "Instruments",
    "Logistics",
    "Chemicals",
    "Aero",
    "Textiles",
    "Foods",
    "Electronics",
];
const FORM: &[&str] = &[
    "GmbH",
    "Co., Ltd.",
    "LLC",
    "S.A.",
    "Pte. Ltd.",
    "A.S.",
    "Limited",
];

fn typo(s: &str, rng: &mut Rng) -> String {
    let mut b: Vec<char> = s.chars().collect();
    if b.len() > 6 {
        let i = 1 + rng.below(b.len() - 2);
        b.swap(i, i - 1);
    }
    b.into_iter().collect()
}

/// Listed names (as listed or with one transposition) and invented names.
struct Names {
    listed: Vec<String>,
    invented: Vec<String>,
}

fn party_names(lists: &[LoadedList], rng: &mut Rng, n: usize) -> Names {
    let all: Vec<&str> = lists
        .iter()
        .filter_map(|l| match l.content.as_ref() {
            ListContent::Denial(e) => Some(e),
            ListContent::Control(_) => None,
        })
        .flat_map(|e| {
            e.iter()
                .flat_map(|x| x.names.iter().map(|n| n.name.as_str()))
        })
        .collect();
    let listed = (0..n)
        .map(|i| {
            let s = *rng.pick(&all);
            if i % 2 == 0 {
                s.to_string()
            } else {
                typo(s, rng)
            }
        })
        .collect();
    let invented = (0..n)
        .map(|i| {
            if i % 2 == 0 {
                format!("{} {}", rng.pick(FIRST), rng.pick(LAST))
            } else {
                format!("{} {} {}", rng.pick(LAST), rng.pick(CO), rng.pick(FORM))
            }
        })
        .collect();
    Names { listed, invented }
}

/// A word no list has and no earlier query is likely to have: three or
/// four random syllables (8,000 to 160,000 of them).
fn fresh_word(rng: &mut Rng) -> String {
    const SYLLABLES: &[&str] = &[
        "ba", "ko", "ri", "tu", "ne", "sa", "lo", "mi", "de", "ga", "vu", "pe", "zo", "hi", "ka",
        "ru", "fe", "yo", "wa", "ji",
    ];
    let mut w = String::new();
    for i in 0..3 + rng.below(2) {
        let s = *rng.pick(SYLLABLES);
        if i == 0 {
            w.push_str(&s[..1].to_ascii_uppercase());
            w.push_str(&s[1..]);
        } else {
            w.push_str(s);
        }
    }
    w
}

/// An invented name whose distinctive words are fresh: a person (two fresh
/// words) or a company (a fresh word, a common trade word, a legal form).
fn unseen_name(rng: &mut Rng) -> String {
    if rng.below(2) == 0 {
        format!("{} {}", fresh_word(rng), fresh_word(rng))
    } else {
        format!("{} {} {}", fresh_word(rng), rng.pick(CO), rng.pick(FORM))
    }
}

/// `n` shipments of 5 items and 4 parties; `listed_share` percent of the
/// parties take a name from `listed`, the others one from `invented`.
fn shipments(
    rng: &mut Rng,
    n: usize,
    listed_share: usize,
    listed: &[String],
    invented: &dyn Fn(&mut Rng) -> String,
) -> Vec<Shipment> {
    let roles = [
        PartyRole::Consignee,
        PartyRole::EndUser,
        PartyRole::IntermediateConsignee,
        PartyRole::Purchaser,
    ];
    let dests = ["DE", "AE", "CN", "IR", "BR", "SG", "IN", "TR"];
    (0..n)
        .map(|i| Shipment {
            reference: format!("B-{i}"),
            exporter: "Bench Exporter".into(),
            items: (0..5).map(|_| item(rng)).collect(),
            parties: roles
                .iter()
                .map(|r| Party {
                    role: *r,
                    name: if rng.below(100) < listed_share {
                        rng.pick(listed).clone()
                    } else {
                        invented(rng)
                    },
                    address: (*rng.pick(ADDRESSES)).to_string(),
                    country: (*rng.pick(&dests)).to_string(),
                })
                .collect(),
            destination_country: (*rng.pick(&dests)).to_string(),
            end_use: (*rng.pick(END_USES)).to_string(),
        })
        .collect()
}

fn item(rng: &mut Rng) -> Item {
    let (d, p) = rng.pick(ITEMS);
    Item {
        description: (*d).to_string(),
        declared_code: String::new(),
        quantity: 1.0,
        unit: "pcs".into(),
        parameters: p.iter().map(|(k, v)| ((*k).to_string(), *v)).collect(),
    }
}

fn pct(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((q * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)]
}

fn report(name: &str, v: &mut [f64]) {
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    println!(
        "{name:28} n={:<7} mean {mean:8.1}  p50 {:8.1}  p90 {:8.1}  p99 {:8.1}  max {:8.1}  (us)",
        v.len(),
        pct(v, 0.5),
        pct(v, 0.9),
        pct(v, 0.99),
        pct(v, 1.0)
    );
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let t0 = Instant::now();
    let lists = match bundled::load_all(0) {
        Ok(l) => l,
        Err((id, e)) => {
            eprintln!("cannot import bundled list {id}: {e}");
            std::process::exit(1);
        }
    };
    let import_s = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let mut engine = match Engine::build(&lists, &ReferenceFiles::embedded()) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("cannot build engine: {e}");
            std::process::exit(1);
        }
    };
    let build_s = t1.elapsed().as_secs_f64();
    let names: usize = lists.iter().map(|l| l.content.name_count()).sum();
    println!(
        "lists: {} ({} names); import {:.2} s; engine build {:.3} s",
        lists.len(),
        names,
        import_s,
        build_s
    );

    let memo = std::env::args().all(|a| a != "--no-memo");
    engine.set_memo(memo);
    if std::env::args().any(|a| a == "--hostile") {
        hostile(&engine, &lists, quick);
        return;
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let n_ship = if quick { 2_000 } else { 20_000 };
    let names = party_names(&lists, &mut rng, 4_000);
    let pooled = |rng: &mut Rng| rng.pick(&names.invented).clone();
    let typical = shipments(&mut rng, n_ship, 10, &names.listed, &pooled);
    let adversarial = shipments(&mut rng, n_ship, 50, &names.listed, &pooled);
    // Typical shipments whose invented parties use words no list and no
    // earlier query has (their own generator: the sets above stay as
    // they were). Read once: what a typical shipment costs when nothing
    // the engine keeps per thread (the memo of unknown words) helps.
    let mut fresh_rng = Rng(0xD1B5_4A32_D192_ED03);
    let unseen = shipments(&mut fresh_rng, n_ship / 2, 10, &names.listed, &unseen_name);
    if std::env::args().any(|a| a == "--dump") {
        for s in typical.iter().chain(&adversarial) {
            println!("{} {:?}", s.reference, engine.screen_shipment(s));
        }
        return;
    }
    if std::env::args().any(|a| a == "--slowest") {
        slowest(&engine, &typical);
        return;
    }
    if std::env::args().any(|a| a == "--split") {
        split(&engine, &typical);
        return;
    }
    if let Some(secs) = arg_value("--loop") {
        // Nothing but typical shipments, over and over: a clean run to
        // attach a profiler to.
        let until = Instant::now() + std::time::Duration::from_secs(secs);
        let mut n = 0u64;
        while Instant::now() < until {
            for s in &typical {
                black_box(engine.screen_shipment(black_box(s)));
            }
            n += typical.len() as u64;
        }
        println!("{n} typical shipments in {secs} s");
        return;
    }
    if let Some(count) = arg_value("--count") {
        // A fixed number of typical shipments, in order (round robin): the
        // same work for every build, for an instruction count under
        // callgrind (`--toggle-collect=*Engine::screen_shipment*`).
        for s in typical.iter().cycle().take(count as usize) {
            black_box(engine.screen_shipment(black_box(s)));
        }
        println!("{count} typical shipments");
        return;
    }

    let run = |engine: &Engine, label: &str, set: &[Shipment]| {
        let mut lat = Vec::with_capacity(set.len());
        for s in set {
            let t = Instant::now();
            black_box(engine.screen_shipment(black_box(s)));
            lat.push(t.elapsed().as_secs_f64() * 1e6);
        }
        report(label, &mut lat);
    };
    println!("ScreenShipment, 5 items and 4 parties each:");
    run(&engine, "  10% listed parties, 1st", &typical);
    run(&engine, "  10% listed parties, 2nd", &typical);
    run(&engine, "  50% listed parties, 1st", &adversarial);
    run(&engine, "  50% listed parties, 2nd", &adversarial);
    run(&engine, "  10% listed, unseen words", &unseen);
    if memo {
        // The same typical shipments, nothing answered from the memos.
        engine.set_memo(false);
        println!("ScreenShipment, no memo (every item and party afresh):");
        run(&engine, "  10% listed parties, 2nd", &typical);
        run(&engine, "  10% listed, unseen words", &unseen);
        engine.set_memo(true);
    }

    println!("ScreenParty (warm):");
    for (label, pool) in [
        ("  listed or one typo", &names.listed),
        ("  invented", &names.invented),
    ] {
        let mut lat = Vec::with_capacity(pool.len() * 2);
        for round in 0..if quick { 2 } else { 4 } {
            for n in pool.iter() {
                let q = PartyQuery {
                    name: n,
                    country: "",
                    address: "",
                };
                let t = Instant::now();
                black_box(engine.screen_party(black_box(&q), 0));
                if round > 0 {
                    lat.push(t.elapsed().as_secs_f64() * 1e6);
                }
            }
        }
        report(label, &mut lat);
    }
    // Invented names of words never seen before, each queried once.
    let mut lat = Vec::new();
    for _ in 0..names.invented.len() {
        let n = unseen_name(&mut fresh_rng);
        let q = PartyQuery {
            name: &n,
            country: "",
            address: "",
        };
        let t = Instant::now();
        black_box(engine.screen_party(black_box(&q), 0));
        lat.push(t.elapsed().as_secs_f64() * 1e6);
    }
    report("  invented, unseen words", &mut lat);

    let mut screen_items = |engine: &Engine, label: &str| {
        let mut lat = Vec::new();
        for _ in 0..if quick { 200 } else { 2_000 } {
            let it = item(&mut rng);
            let t = Instant::now();
            black_box(engine.screen_item(black_box(&it)));
            lat.push(t.elapsed().as_secs_f64() * 1e6);
        }
        report(label, &mut lat);
    };
    screen_items(&engine, "ScreenItem");
    if memo {
        engine.set_memo(false);
        screen_items(&engine, "ScreenItem, classified afresh");
        engine.set_memo(true);
    }

    hostile(&engine, &lists, quick);
}

/// The number after `flag` on the command line, if any.
fn arg_value(flag: &str) -> Option<u64> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == flag)?;
    args.get(at + 1)?.parse().ok()
}

/// The cost of each typical shipment as its least over seven passes (the
/// passes screen every shipment in turn, so each one finds the caches as
/// the others left them, but scheduling noise drops out), and the slowest
/// twenty with what each of their parties and items costs screened alone,
/// seven times in a row: which inputs make the tail.
fn slowest(engine: &Engine, set: &[Shipment]) {
    let least = |f: &dyn Fn()| {
        (0..7)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64() * 1e6
            })
            .fold(f64::MAX, f64::min)
    };
    let mut best = vec![f64::MAX; set.len()];
    for _ in 0..7 {
        for (b, s) in best.iter_mut().zip(set) {
            let t = Instant::now();
            black_box(engine.screen_shipment(black_box(s)));
            *b = b.min(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    report("  least of 7 passes", &mut best.clone());
    let mut order: Vec<usize> = (0..set.len()).collect();
    order.sort_by(|a, b| best[*b].total_cmp(&best[*a]));
    for &i in order.iter().take(20) {
        let s = &set[i];
        println!("{:8.1}  {}", best[i], s.reference);
        for p in &s.parties {
            let q = PartyQuery {
                name: &p.name,
                country: &p.country,
                address: &p.address,
            };
            let us = least(&|| {
                black_box(engine.screen_party_best_per_list(black_box(&q), 12));
            });
            println!("  {us:7.1}  party {} ({})", p.name, p.country);
        }
        for it in &s.items {
            let us = least(&|| {
                black_box(engine.screen_item(black_box(it)));
            });
            println!("  {us:7.1}  item  {}", it.description);
        }
    }
}

/// Mean (and p50 / p99) cost per typical shipment of its parts, each
/// measured alone on the same shipments (three passes, the first not
/// counted): where a shipment's time goes, and whether its four parties
/// cost what four standalone ScreenParty queries cost.
fn split(engine: &Engine, set: &[Shipment]) {
    let time = |label: &str, f: &dyn Fn(&Shipment)| {
        let mut lat = Vec::with_capacity(set.len() * 2);
        for round in 0..3 {
            for s in set {
                let t = Instant::now();
                f(black_box(s));
                if round > 0 {
                    lat.push(t.elapsed().as_secs_f64() * 1e6);
                }
            }
        }
        report(label, &mut lat);
    };
    let no_items: Vec<Shipment> = set
        .iter()
        .map(|s| Shipment {
            items: Vec::new(),
            ..s.clone()
        })
        .collect();
    let no_parties: Vec<Shipment> = set
        .iter()
        .map(|s| Shipment {
            parties: Vec::new(),
            ..s.clone()
        })
        .collect();
    println!("Split of a typical shipment (per shipment, us):");
    time("  whole shipment", &|s| {
        black_box(engine.screen_shipment(s));
    });
    let idx: std::collections::HashMap<&str, usize> = set
        .iter()
        .enumerate()
        .map(|(i, s)| (s.reference.as_str(), i))
        .collect();
    time("  shipment, 0 items", &|s| {
        black_box(engine.screen_shipment(&no_items[idx[s.reference.as_str()]]));
    });
    time("  shipment, 0 parties", &|s| {
        black_box(engine.screen_shipment(&no_parties[idx[s.reference.as_str()]]));
    });
    time("  5 items (ScreenItem)", &|s| {
        for it in &s.items {
            black_box(engine.screen_item(it));
        }
    });
    time("  4 parties, name only", &|s| {
        for p in &s.parties {
            let q = PartyQuery {
                name: &p.name,
                country: "",
                address: "",
            };
            black_box(engine.screen_party(&q, 0));
        }
    });
    time("  4 parties, +country", &|s| {
        for p in &s.parties {
            let q = PartyQuery {
                name: &p.name,
                country: &p.country,
                address: "",
            };
            black_box(engine.screen_party(&q, 0));
        }
    });
    time("  4 parties, +country+address", &|s| {
        for p in &s.parties {
            let q = PartyQuery {
                name: &p.name,
                country: &p.country,
                address: &p.address,
            };
            black_box(engine.screen_party(&q, 0));
        }
    });
    time("  4 parties, as shipment (12)", &|s| {
        for p in &s.parties {
            let q = PartyQuery {
                name: &p.name,
                country: &p.country,
                address: &p.address,
            };
            black_box(engine.screen_party(&q, 12));
        }
    });
    time("  4 addresses, places_in", &|s| {
        for p in &s.parties {
            black_box(engine.geo().places_in(&p.address));
        }
    });
    // Inside a whole shipment: `screen_shipment_until` asks before each
    // item, each party and each rule, so its calls time the phases.
    {
        let mut phases: [Vec<f64>; 4] = Default::default();
        for round in 0..3 {
            for s in set {
                let marks = std::cell::RefCell::new(Vec::with_capacity(64));
                let t = Instant::now();
                let stop = || {
                    marks.borrow_mut().push(t.elapsed().as_secs_f64() * 1e6);
                    false
                };
                black_box(engine.screen_shipment_until(s, &stop));
                let end = t.elapsed().as_secs_f64() * 1e6;
                let m = marks.borrow();
                let (ni, np) = (s.items.len(), s.parties.len());
                if round > 0 && m.len() > ni + np {
                    phases[0].push(m[0]);
                    phases[1].push(m[ni] - m[0]);
                    phases[2].push(m[ni + np] - m[ni]);
                    phases[3].push(end - m[ni + np]);
                }
            }
        }
        let [a, b, c, d] = &mut phases;
        report("  in shipment: canonical text", a);
        report("  in shipment: 5 items", b);
        report("  in shipment: 4 parties+places", c);
        report("  in shipment: destination+rules", d);
    }
    // The parties alone, timed, with the items classified between them
    // (not timed): what the item work does to the party caches.
    for (label, with_items) in [
        ("  4 parties timed, no items", false),
        ("  4 parties timed, items between", true),
    ] {
        let mut lat = Vec::with_capacity(set.len() * 2);
        for round in 0..3 {
            for s in set {
                let mut t_sum = 0.0;
                for (i, p) in s.parties.iter().enumerate() {
                    if with_items {
                        if let Some(it) = s.items.get(i) {
                            black_box(engine.screen_item(it));
                        }
                    }
                    let q = PartyQuery {
                        name: &p.name,
                        country: &p.country,
                        address: &p.address,
                    };
                    let t = Instant::now();
                    black_box(engine.screen_party(&q, 12));
                    t_sum += t.elapsed().as_secs_f64() * 1e6;
                }
                if round > 0 {
                    lat.push(t_sum);
                }
            }
        }
        report(label, &mut lat);
    }
}

/// A name of about 4 KiB made by repeating `word` (space separated).
fn repeated(word: &str) -> String {
    let mut s = String::with_capacity(4096);
    while s.len() + word.len() < 4096 {
        s.push_str(word);
        s.push(' ');
    }
    s
}

/// Hostile inputs (issue 12): 4 KiB names of repeated or listed words and
/// one 4 KiB word, alone and as a 1,000-party shipment; an index built from
/// a 10 MB hostile list, and a party sharing its repeated name.
fn hostile(engine: &Engine, lists: &[LoadedList], quick: bool) {
    let mut rng = Rng(0x51_7CC1_B727_220A);
    let words: Vec<String> = lists
        .iter()
        .filter_map(|l| match l.content.as_ref() {
            ListContent::Denial(e) => Some(e),
            ListContent::Control(_) => None,
        })
        .flat_map(|e| e.iter().flat_map(|x| x.names.iter()))
        .flat_map(|n| n.name.split_whitespace().map(str::to_string))
        .collect();
    let mixed = |rng: &mut Rng| {
        let mut s = String::new();
        while s.len() < 4000 {
            let w: &String = rng.pick(&words);
            s.push_str(w);
            s.push(' ');
        }
        s
    };
    let mut names: Vec<(&str, String)> = vec![
        ("al al al ...", repeated("al")),
        ("el el el ...", repeated("el")),
        ("muhammad muhammad ...", repeated("muhammad")),
        ("one 4 KiB word", "q".repeat(4096)),
        ("a a a ... (single letters)", repeated("a")),
        ("al x al y ...", {
            let mut s = String::new();
            let mut i = 0;
            while s.len() < 4000 {
                s.push_str(&format!("al w{i} "));
                i += 1;
            }
            s
        }),
    ];
    for i in 0..20 {
        names.push((
            if i == 0 { "listed words mixed" } else { "" },
            mixed(&mut rng),
        ));
    }
    println!("Hostile names (4 KiB each), ScreenParty:");
    let mut all = Vec::new();
    for (label, name) in &names {
        let q = PartyQuery {
            name,
            country: "",
            address: "",
        };
        let mut lat = Vec::new();
        for _ in 0..if quick { 3 } else { 20 } {
            let t = Instant::now();
            black_box(engine.screen_party(black_box(&q), 0));
            lat.push(t.elapsed().as_secs_f64() * 1e6);
        }
        all.extend_from_slice(&lat);
        if !label.is_empty() {
            report(&format!("  {label}"), &mut lat);
        }
    }
    report("  all hostile names", &mut all);
    let ship = Shipment {
        reference: "HOSTILE-1000".into(),
        exporter: "Bench Exporter".into(),
        items: vec![item(&mut rng)],
        parties: (0..1000)
            .map(|i| Party {
                role: PartyRole::Consignee,
                name: names[i % names.len()].1.clone(),
                address: String::new(),
                country: "AE".into(),
            })
            .collect(),
        destination_country: "AE".into(),
        end_use: String::new(),
    };
    let mut lat = Vec::new();
    for _ in 0..if quick { 1 } else { 3 } {
        let t = Instant::now();
        black_box(engine.screen_shipment(black_box(&ship)));
        lat.push(t.elapsed().as_secs_f64() * 1e6);
    }
    report("  1,000-party shipment", &mut lat);

    // A 10 MB hostile list: one 60 KB single-word name, 200,000 rows of
    // one repeated name, 1,000 names of 4 KiB.
    let repeated_name = "MUHAMMAD AL HASSAN GENERAL TRADING";
    let mut entries = vec![entry("H-0", &"Z".repeat(60_000))];
    for i in 0..200_000 {
        entries.push(entry(&format!("H-R{i}"), repeated_name));
    }
    for i in 0..1_000 {
        entries.push(entry(&format!("H-L{i}"), &mixed(&mut rng)));
    }
    let bytes: usize = entries.iter().map(|e| e.names[0].name.len()).sum();
    let content = ListContent::Denial(entries);
    let mut with = lists.to_vec();
    with.push(LoadedList {
        meta: ListMeta {
            list_id: "hostile".into(),
            version: 1,
            kind: content.kind(),
            entries: u32::try_from(content.len()).unwrap_or(u32::MAX),
            ..ListMeta::default()
        },
        content: std::sync::Arc::new(content),
    });
    let t = Instant::now();
    let built = match Engine::build(&with, &ReferenceFiles::embedded()) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("cannot build the hostile engine: {e}");
            std::process::exit(1);
        }
    };
    println!(
        "Index build from all lists + a hostile list of {:.1} MB: {:.2} s",
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let mut lat = Vec::new();
    for name in [
        repeated_name,
        "Muhammad Al Hassan Trading",
        "AL HASSAN GENERAL TRADING",
    ] {
        let q = PartyQuery {
            name,
            country: "",
            address: "",
        };
        for _ in 0..if quick { 3 } else { 20 } {
            let t = Instant::now();
            black_box(built.screen_party(black_box(&q), 0));
            lat.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    report("  party sharing its name", &mut lat);
}

fn entry(id: &str, name: &str) -> DenialEntry {
    DenialEntry {
        entry_id: id.into(),
        kind: EntityKind::Organization,
        names: vec![EntryName {
            name: name.into(),
            kind: NameKind::Primary,
        }],
        ..DenialEntry::default()
    }
}
