//! List import benchmark (release mode): how long the bundled OFAC SDN
//! files (13,821 entries with alt.csv and add.csv) take from upload to live,
//! step by step, and how long re-screening 100,000 stored screenings after
//! an SDN update takes.
//!
//! Run: `cargo bench --bench import` (`-- --quick` for fewer rounds).
//!
//! - `parse`: the importer alone (`lists::import`);
//! - `engine build`: the whole engine from every bundled list (what a list
//!   change rebuilds, off the request path);
//! - `commit`: parse + `Lists::commit` (engine build beside the diff
//!   against the previous version, one durable store write, swap);
//! - `grpc import-to-live`: an `ImportList` call to a real server on
//!   loopback, client wall time and the server's `swap_millis` (last chunk
//!   in -> new version live);
//! - `rescreen 100k`: 100,000 stored screenings of 3 parties each (invented
//!   names, a few of them newly listed), then an SDN update committed; the
//!   background re-screening's own time. The update is the bundled SDN plus
//!   the 70 entries that `tests/fixtures/list-history/sdn-2024-05-03/sdn.csv`
//!   adds; set `SDN_UPDATE=/path/to/sdn.csv` to use a whole later `sdn.csv`
//!   instead (e.g. the real 2024-05-03 file: 1,256 added, and every entry
//!   changed, since that file comes without alt.csv and add.csv).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use exportscreen::actions::Origin;
use exportscreen::api::pb;
use exportscreen::api::pb::import_list_request::Msg;
use exportscreen::api::pb::list_service_client::ListServiceClient;
use exportscreen::api::{ServerConfig, run};
use exportscreen::bundled::{self, BUNDLED};
use exportscreen::engine::Engine;
use exportscreen::engine::reference::ReferenceFiles;
use exportscreen::ids::{Actor, ListId};
use exportscreen::lists::{self, SourceData, describe_files};
use exportscreen::model::{
    Decision, DenialEntry, ListContent, Party, PartyRole, ScreeningOutcome, Shipment,
};
use exportscreen::service::{NewVersion, Options, Services, intake_planner, now_unix_ms};
use exportscreen::store::{NewScreening, SledStore, Store};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn sdn_files() -> Vec<SourceData> {
    BUNDLED
        .iter()
        .find(|b| b.list_id == "ofac-sdn")
        .map(|b| b.sources())
        .unwrap_or_default()
}

fn sdn_version(files: &[SourceData], reason: &str) -> NewVersion {
    let imported = lists::import("ofac-sdn-csv", files).unwrap_or_else(|e| panic!("{e}"));
    NewVersion {
        list_id: sdn_id(),
        format: "ofac-sdn-csv".into(),
        author: Actor::new("bench"),
        reason: reason.into(),
        files: describe_files(files),
        warnings: imported.warnings,
        content: imported.content,
        origin: Origin::Import,
        entry_id: None,
        published: String::new(),
    }
}

fn sdn_id() -> ListId {
    ListId::parse("ofac-sdn").unwrap_or_else(|e| panic!("{e}"))
}

async fn services(store: Arc<SledStore>, all: Vec<exportscreen::engine::LoadedList>) -> Services {
    Services::start(store, ReferenceFiles::embedded(), all, Options::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

fn denial(content: &ListContent) -> &[DenialEntry] {
    match content {
        ListContent::Denial(e) => e,
        ListContent::Control(_) => &[],
    }
}

/// The update: a whole later sdn.csv, or the bundled SDN with the fixture
/// slice's entries added or replacing theirs.
fn update(base: &ListContent) -> (ListContent, Vec<String>) {
    if let Ok(path) = std::env::var("SDN_UPDATE") {
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let v = sdn_version(
            &[SourceData {
                name: "sdn.csv".into(),
                data,
            }],
            "update",
        );
        let old: std::collections::HashSet<&str> =
            denial(base).iter().map(|e| e.entry_id.as_str()).collect();
        let added = denial(&v.content)
            .iter()
            .filter(|e| !old.contains(e.entry_id.as_str()))
            .map(|e| e.primary_name().to_string())
            .collect();
        return (v.content, added);
    }
    let slice = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/list-history/sdn-2024-05-03/sdn.csv");
    let data = std::fs::read(&slice).unwrap_or_else(|e| panic!("{}: {e}", slice.display()));
    let v = sdn_version(
        &[SourceData {
            name: "sdn.csv".into(),
            data,
        }],
        "slice",
    );
    // Only the added entries: the slice has no alt.csv/add.csv, so its
    // versions of known entries would lose their aliases and addresses.
    let mut entries = denial(base).to_vec();
    let mut added = Vec::new();
    for e in denial(&v.content) {
        if !entries.iter().any(|x| x.entry_id == e.entry_id) {
            added.push(e.primary_name().to_string());
            entries.push(e.clone());
        }
    }
    (ListContent::Denial(entries), added)
}

/// A small deterministic PRNG (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[(self.next() % v.len() as u64) as usize]
    }
}

const A: &[&str] = &[
    "Nordic", "Alpine", "Pacific", "Sunrise", "Golden", "Blue", "Eastern", "Silver", "Royal",
    "Delta", "Summit", "Harbor", "Crystal", "Falcon", "Cedar", "Orion", "Granite", "Coastal",
    "Vertex", "Meridian", "Lakeside", "Prairie", "Kestrel", "Aurora", "Zenith", "Hokuriku",
];
const B: &[&str] = &[
    "Precision",
    "Fasteners",
    "Optics",
    "Textiles",
    "Foods",
    "Logistics",
    "Machinery",
    "Plastics",
    "Pharma",
    "Timber",
    "Instruments",
    "Ceramics",
    "Valves",
    "Pumps",
    "Paper",
    "Glass",
    "Motors",
    "Furniture",
    "Coatings",
    "Cables",
    "Bearings",
    "Filters",
    "Robotics",
    "Sensors",
];
const C: &[&str] = &[
    "GmbH", "Ltd", "Inc", "S.A.", "K.K.", "Co.", "LLC", "Pty Ltd", "AB", "Oy", "S.r.l.", "B.V.",
];
const FIRST: &[&str] = &[
    "Anna", "Lars", "Maria", "Kenji", "Olivia", "Pedro", "Sofia", "Hans", "Chloe", "Ivan", "Lucia",
    "Tomas", "Emma", "Yusuf", "Mei", "Jonas", "Clara", "Mateo", "Ingrid", "Akira",
];
const LAST: &[&str] = &[
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Schneider",
    "Costa",
    "Novak",
    "Fischer",
    "Okafor",
    "Haddad",
    "Silva",
    "Jensen",
    "Rossi",
    "Kowalski",
    "Dubois",
    "Nakamura",
    "Weber",
    "Larsen",
];

fn invented(rng: &mut Rng, i: usize) -> String {
    if i % 3 == 2 {
        format!("{} {}", rng.pick(FIRST), rng.pick(LAST))
    } else {
        format!(
            "{} {} {} {}",
            rng.pick(A),
            rng.pick(B),
            rng.pick(C),
            i % 997
        )
    }
}

async fn bench_commit(rounds: usize) {
    let files = sdn_files();
    let mut parse = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let imported = lists::import("ofac-sdn-csv", &files).unwrap_or_else(|e| panic!("{e}"));
        parse.push(t.elapsed());
        std::hint::black_box(imported);
    }
    println!(
        "parse (sdn.csv + alt.csv + add.csv)   {}",
        ms(median(parse))
    );

    let all = bundled::load_all(0).unwrap_or_else(|(id, e)| panic!("{id}: {e}"));
    let reference = ReferenceFiles::embedded();
    let mut build = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let e = Engine::build(&all, &reference).unwrap_or_else(|e| panic!("{e}"));
        build.push(t.elapsed());
        std::hint::black_box(e);
    }
    println!(
        "engine build (all bundled lists)      {}",
        ms(median(build))
    );

    let store = Arc::new(SledStore::temporary().unwrap_or_else(|e| panic!("{e}")));
    let state = services(store, all).await;
    let mut commit = Vec::new();
    for i in 0..rounds {
        let t = Instant::now();
        let v = tokio::task::spawn_blocking({
            let files = files.clone();
            move || sdn_version(&files, &format!("round {i}"))
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        state
            .lists
            .commit(vec![v])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        commit.push(t.elapsed());
    }
    println!(
        "commit (parse, build, store, swap)    {}",
        ms(median(commit))
    );
}

async fn bench_grpc(rounds: usize) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let url = format!(
        "http://{}",
        listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(run(listener, ServerConfig::new(dir.path()), async {
        let _ = rx.await;
    }));
    let mut client = loop {
        // Start-up seeds the bundled lists first.
        match ListServiceClient::connect(url.clone()).await {
            Ok(c) => break c,
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    };
    let files = sdn_files();
    let mut wall = Vec::new();
    let mut swap = Vec::new();
    for i in 0..rounds {
        let mut msgs = vec![pb::ImportListRequest {
            msg: Some(Msg::Header(pb::ImportHeader {
                list_id: "ofac-sdn".into(),
                format: "ofac-sdn-csv".into(),
                reason: format!("bench round {i}"),
                options: Default::default(),
            })),
        }];
        for f in &files {
            for c in f.data.chunks(1 << 20) {
                msgs.push(pb::ImportListRequest {
                    msg: Some(Msg::Chunk(pb::FileChunk {
                        file_name: f.name.clone(),
                        data: c.to_vec(),
                    })),
                });
            }
        }
        let t = Instant::now();
        let r = loop {
            match client.import_list(tokio_stream::iter(msgs.clone())).await {
                Ok(r) => break r.into_inner(),
                // Still starting (health not yet serving): retry.
                Err(s) if s.code() == tonic::Code::Unavailable => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(s) => panic!("{s:?}"),
            }
        };
        wall.push(t.elapsed());
        swap.push(Duration::from_millis(r.swap_millis));
    }
    println!(
        "grpc import-to-live                   {} wall, {} swap_millis (median of {rounds})",
        ms(median(wall)),
        ms(median(swap))
    );
    let _ = tx.send(());
    let _ = server.await;
}

async fn bench_rescreen(screenings: usize) {
    let all = bundled::load_all(0).unwrap_or_else(|(id, e)| panic!("{id}: {e}"));
    let base = all
        .iter()
        .find(|l| l.meta.list_id == "ofac-sdn")
        .map(|l| Arc::clone(&l.content))
        .unwrap_or_else(|| panic!("no bundled SDN"));
    let (next, added) = update(&base);
    let store = Arc::new(SledStore::temporary().unwrap_or_else(|e| panic!("{e}")));
    let state = services(Arc::clone(&store), all).await;
    let versions = state.engine().list_versions();

    let t = Instant::now();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let now = now_unix_ms();
    let mut acks = Vec::with_capacity(screenings);
    let listed_every = (screenings / added.len().clamp(1, 100)).max(1);
    for i in 0..screenings {
        let consignee = if i % listed_every == 0 {
            added[(i / listed_every) % added.len()].clone()
        } else {
            invented(&mut rng, 3 * i)
        };
        let shipment = Shipment {
            reference: format!("PO-{i}"),
            exporter: "Bench Exports Inc.".into(),
            parties: vec![
                Party {
                    role: PartyRole::Exporter,
                    name: "Bench Exports Inc.".into(),
                    address: String::new(),
                    country: "US".into(),
                },
                Party {
                    role: PartyRole::Consignee,
                    name: consignee,
                    address: String::new(),
                    country: "DE".into(),
                },
                Party {
                    role: PartyRole::EndUser,
                    name: invented(&mut rng, 3 * i + 1),
                    address: String::new(),
                    country: "DE".into(),
                },
            ],
            destination_country: "DE".into(),
            ..Shipment::default()
        };
        acks.push(store.record_screening(
            NewScreening {
                shipment,
                outcome: ScreeningOutcome {
                    decision: Decision::Clear,
                    list_versions: versions.clone(),
                    ..ScreeningOutcome::default()
                },
                engine_micros: 0,
                screened_at_unix_ms: now - (i as i64 % 80) * 24 * 3600 * 1000,
                actor: Actor::new("bench"),
                engine_decision: Decision::Clear,
                ..NewScreening::default()
            },
            intake_planner(Actor::new("bench")),
        ));
    }
    // Submitted at once: the writer commits them in large batches.
    for a in acks {
        a.await.unwrap_or_else(|e| panic!("{e}"));
    }
    println!(
        "stored {screenings} screenings in {} ({} listed consignees)",
        ms(t.elapsed()),
        screenings.div_ceil(listed_every)
    );

    let files = vec![SourceData {
        name: "sdn.csv".into(),
        data: b"update".to_vec(),
    }];
    let t = Instant::now();
    let committed = state
        .lists
        .commit(vec![NewVersion {
            list_id: sdn_id(),
            format: "ofac-sdn-csv".into(),
            author: Actor::new("bench"),
            reason: "update".into(),
            files: describe_files(&files),
            warnings: vec![],
            content: next,
            origin: Origin::Import,
            entry_id: None,
            published: String::new(),
        }])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let live = t.elapsed();
    state.rescreen_idle().await;
    let c = &committed[0];
    let summary = store
        .rescreen("ofac-sdn", c.list.meta.version)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no re-screening recorded"));
    println!(
        "update live in {} (+{} -{} ~{}); rescreen {}: {} screenings, {} parties, {} entries, {} candidates, {} cases{}",
        ms(live),
        c.change.added,
        c.change.removed,
        c.change.changed,
        ms(Duration::from_millis(summary.millis)),
        summary.screenings_checked,
        summary.parties_checked,
        summary.entries_checked,
        summary.candidates,
        summary.case_ids.len(),
        if summary.error.is_empty() {
            String::new()
        } else {
            format!(" ERROR {}", summary.error)
        }
    );
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let rounds = if quick { 2 } else { 5 };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    runtime.block_on(async {
        bench_commit(rounds).await;
        bench_grpc(rounds).await;
        bench_rescreen(if quick { 20_000 } else { 100_000 }).await;
    });
}
