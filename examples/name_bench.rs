//! Runs a labelled name-pair benchmark (OpenSanctions nomenklatura's
//! `name_bench_cases` CSV: `case_group,schema,name1,name2,is_match,...`)
//! through the engine the way a deployment would see it: every `name2`
//! becomes an entry of one internal denial list (kind from `schema`),
//! loaded beside the bundled lists; each `name1` is screened; a pair is
//! predicted a match when its own entry is returned (at or above the
//! review threshold).
//!
//! ```text
//! cargo run --release --example name_bench -- /work/shared/eval/sources/gt_nomenklatura_name_bench_cases.csv [--alone] [--verbose]
//! ```
//!
//! `--alone` builds the engine from the internal list only (no bundled
//! lists, so token weights come from the benchmark's own names);
//! `--verbose` prints every wrong answer with the best score seen (for a
//! missed pair, what it scores below the threshold); `--all` prints every
//! pair so (TP, FP, TN, FN), to see the margins of the right ones too.
//! Prints accuracy, precision, recall and F1, overall and per schema.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use exportscreen::bundled;
use exportscreen::engine::party::PartyQuery;
use exportscreen::engine::reference::ReferenceFiles;
use exportscreen::engine::{Engine, LoadedList};
use exportscreen::model::{DenialEntry, EntityKind, EntryName, ListContent, ListMeta, NameKind};

struct Pair {
    schema: String,
    name1: String,
    name2: String,
    is_match: bool,
    group: String,
}

/// Reads the CSV (quoted fields with doubled quotes, commas inside quotes).
fn read_pairs(path: &str) -> Result<Vec<Pair>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
    let mut rows = parse_csv(&text);
    if rows.is_empty() {
        bail!("{path}: empty");
    }
    let header = rows.remove(0);
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("{path}: no column {name}"))
    };
    let (cg, cs, c1, c2, cm) = (
        col("case_group")?,
        col("schema")?,
        col("name1")?,
        col("name2")?,
        col("is_match")?,
    );
    let mut out = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        if r.len() < header.len() {
            bail!("{path}: row {} has {} fields", i + 2, r.len());
        }
        out.push(Pair {
            group: r[cg].clone(),
            schema: r[cs].clone(),
            name1: r[c1].clone(),
            name2: r[c2].clone(),
            is_match: r[cm].eq_ignore_ascii_case("true"),
        });
    }
    Ok(out)
}

fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

fn kind_of(schema: &str) -> EntityKind {
    match schema {
        "Person" => EntityKind::Person,
        "Company" | "Organization" | "LegalEntity" => EntityKind::Organization,
        "Vessel" => EntityKind::Vessel,
        _ => EntityKind::Unknown,
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.iter().find(|a| !a.starts_with("--")) else {
        bail!("usage: name_bench CASES.csv [--alone] [--verbose] [--all]");
    };
    let alone = args.iter().any(|a| a == "--alone");
    let all = args.iter().any(|a| a == "--all");
    let verbose = all || args.iter().any(|a| a == "--verbose");
    let pairs = read_pairs(path)?;

    // One entry per distinct (schema, name2).
    let mut ids: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut entries = Vec::new();
    for p in &pairs {
        let key = (p.schema.clone(), p.name2.clone());
        if ids.contains_key(&key) {
            continue;
        }
        let id = format!("NB-{:04}", entries.len() + 1);
        ids.insert(key, id.clone());
        entries.push(DenialEntry {
            entry_id: id,
            kind: kind_of(&p.schema),
            names: vec![EntryName {
                name: p.name2.clone(),
                kind: NameKind::Primary,
            }],
            ..DenialEntry::default()
        });
    }
    let content = ListContent::Denial(entries);
    let meta = ListMeta {
        list_id: "name-bench".into(),
        version: 1,
        kind: content.kind(),
        entries: u32::try_from(content.len())?,
        ..ListMeta::default()
    };
    let mut lists = if alone {
        Vec::new()
    } else {
        bundled::load_all(0).map_err(|(id, e)| anyhow::anyhow!("bundled list {id}: {e}"))?
    };
    lists.push(LoadedList {
        meta,
        content: Arc::new(content),
    });
    let engine = Engine::build(&lists, &ReferenceFiles::embedded())?;

    let (mut tp, mut fp, mut tn, mut fneg) = (0usize, 0usize, 0usize, 0usize);
    let mut by_schema: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    let mut by_group: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    let mut wrong = Vec::new();
    for p in &pairs {
        let id = &ids[&(p.schema.clone(), p.name2.clone())];
        let ms = engine.screen_party(
            &PartyQuery {
                name: &p.name1,
                country: "",
                address: "",
            },
            1000,
        );
        let hit = ms
            .iter()
            .find(|m| m.list_id == "name-bench" && &m.entry_id == id);
        let predicted = hit.is_some();
        let k = match (p.is_match, predicted) {
            (true, true) => {
                tp += 1;
                0
            }
            (false, true) => {
                fp += 1;
                1
            }
            (false, false) => {
                tn += 1;
                2
            }
            (true, false) => {
                fneg += 1;
                3
            }
        };
        by_schema.entry(p.schema.clone()).or_default()[k] += 1;
        by_group.entry(p.group.clone()).or_default()[k] += 1;
        if p.is_match != predicted || all {
            let detail = match hit {
                Some(m) => format!("{:.3} {}", m.score, m.explanation),
                // Below the threshold: the best score the pair reaches.
                None => engine
                    .party_index()
                    .search(
                        &PartyQuery {
                            name: &p.name1,
                            country: "",
                            address: "",
                        },
                        0.0,
                        usize::MAX,
                    )
                    .into_iter()
                    .find(|m| m.list_id == "name-bench" && &m.entry_id == id)
                    .map_or("not returned (no candidate)".to_string(), |m| {
                        format!("not returned: {:.3} {}", m.score, m.explanation)
                    }),
            };
            wrong.push(format!(
                "{} {:<12} {:?} ~ {:?}: {detail}",
                ["TP", "FP", "TN", "FN"][k],
                p.schema,
                p.name1,
                p.name2
            ));
        }
    }
    let total = (tp + fp + tn + fneg) as f64;
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fneg).max(1) as f64;
    let f1 = 2.0 * precision * recall / (precision + recall).max(f64::MIN_POSITIVE);
    println!("pairs {}  tp {tp} fp {fp} tn {tn} fn {fneg}", pairs.len());
    println!(
        "accuracy {:.3}  precision {:.3}  recall {:.3}  f1 {:.3}",
        (tp + tn) as f64 / total,
        precision,
        recall,
        f1
    );
    for (label, table) in [("schema", &by_schema), ("case group", &by_group)] {
        println!("by {label} (tp fp tn fn):");
        for (k, v) in table {
            println!("  {k:<16} {:4} {:4} {:4} {:4}", v[0], v[1], v[2], v[3]);
        }
    }
    if verbose {
        for w in &wrong {
            println!("{w}");
        }
    }
    Ok(())
}
