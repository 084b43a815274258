//! Measures the item classifier on an evaluation file: recall, precision,
//! flag rates per category, the misses and the classify time.
//!
//! ```text
//! cargo run --release --example item_eval -- /work/shared/eval/dev/item.jsonl control-lists/mtcr.toml [--verbose]
//! ```
//!
//! A returned code matches an expected one when equal or when one is a
//! dotted prefix of the other (`4.C.2` ~ `4.C.2.b`; `1.A.1` is not `1.A.10`).
//! Every CONTROLLED or UNCERTAIN match flags the item.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use exportscreen::engine::item::{ItemAssessment, ItemIndex};
use exportscreen::lists::{SourceData, control_toml};
use exportscreen::model::Item;
use serde_json::Value;

struct Case {
    id: String,
    category: String,
    item: Item,
    controlled: bool,
    codes: Vec<String>,
}

fn related(a: &str, b: &str) -> bool {
    let prefix = |x: &str, y: &str| {
        x == y || (y.len() > x.len() && y.starts_with(x) && y.as_bytes()[x.len()] == b'.')
    };
    prefix(a, b) || prefix(b, a)
}

fn read_cases(path: &str) -> Result<Vec<Case>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
    let mut out = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: Value = serde_json::from_str(line).with_context(|| format!("{path}:{}", n + 1))?;
        let q = &v["query"];
        let mut parameters: Vec<(String, f64)> = q["parameters"]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter_map(|(k, x)| {
                        let f = x
                            .as_f64()
                            .or_else(|| x.as_str().and_then(|s| s.trim().parse().ok()));
                        f.map(|f| (k.clone(), f))
                    })
                    .collect()
            })
            .unwrap_or_default();
        parameters.sort_by(|a, b| a.0.cmp(&b.0));
        let codes = v["expect"]["codes"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        out.push(Case {
            id: v["id"].as_str().unwrap_or_default().to_string(),
            category: v["category"].as_str().unwrap_or_default().to_string(),
            item: Item {
                description: q["description"].as_str().unwrap_or_default().to_string(),
                declared_code: q["declared_code"].as_str().unwrap_or_default().to_string(),
                parameters,
                ..Item::default()
            },
            controlled: v["expect"]["controlled"].as_bool().unwrap_or(false),
            codes,
        });
    }
    Ok(out)
}

fn summary(a: &ItemAssessment) -> String {
    let mut parts: Vec<String> = a
        .matches
        .iter()
        .map(|m| format!("{} {} {:.2}", m.code, m.status.as_str(), m.score))
        .collect();
    parts.extend(
        a.adjacent
            .iter()
            .map(|m| format!("{} ADJACENT {:.2}", m.code, m.score)),
    );
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(", ")
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "--verbose" || a == "-v");
    let paths: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let (Some(cases_path), Some(list_path)) = (paths.first(), paths.get(1)) else {
        bail!("usage: item_eval CASES.jsonl CONTROL-LIST.toml [--verbose]");
    };
    let data = std::fs::read(list_path.as_str()).with_context(|| format!("reading {list_path}"))?;
    let name = std::path::Path::new(list_path.as_str())
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let entries = control_toml::parse(&SourceData { name, data })?;
    let index = ItemIndex::build("mtcr", &entries)?;
    let cases = read_cases(cases_path)?;
    println!("{} entries, {} cases", index.len(), cases.len());

    let mut controlled = 0usize;
    let mut recalled = 0usize;
    let mut flagged = 0usize;
    let mut good_flags = 0usize;
    let mut per_cat: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    let mut false_flags = Vec::new();
    for c in &cases {
        let a = index.classify(&c.item);
        let flag = !a.matches.is_empty();
        let matched = a
            .matches
            .iter()
            .any(|m| c.codes.iter().any(|e| related(&m.code, e)));
        let stat = per_cat.entry(c.category.clone()).or_default();
        stat.0 += 1;
        stat.1 += usize::from(flag);
        stat.2 += usize::from(!a.adjacent.is_empty() && !flag);
        if c.controlled {
            controlled += 1;
            if matched {
                recalled += 1;
            } else {
                misses.push(format!(
                    "  {} {:?} expected {:?} got {}",
                    c.id,
                    c.item.description,
                    c.codes,
                    summary(&a)
                ));
            }
        }
        if flag {
            flagged += 1;
            if c.controlled && matched {
                good_flags += 1;
            } else {
                false_flags.push(format!(
                    "  {} [{}] {:?} got {}",
                    c.id,
                    c.category,
                    c.item.description,
                    summary(&a)
                ));
            }
        }
        if verbose {
            println!(
                "{} [{}] {:?} -> {}",
                c.id,
                c.category,
                c.item.description,
                summary(&a)
            );
            for m in a.matches.iter().chain(a.adjacent.iter()) {
                println!(
                    "    {} {}: {} | text: {:?}",
                    m.code,
                    m.status.as_str(),
                    m.explanation,
                    m.matched_text
                );
            }
        }
    }

    let pct = |n: usize, d: usize| {
        if d == 0 {
            0.0
        } else {
            100.0 * n as f64 / d as f64
        }
    };
    println!();
    println!(
        "recall    {recalled}/{controlled} = {:.1} %",
        pct(recalled, controlled)
    );
    println!(
        "precision {good_flags}/{flagged} = {:.1} %",
        pct(good_flags, flagged)
    );
    println!("flag rate per category (flagged / cases; adjacent-only matches):");
    for (cat, (n, f, adj)) in &per_cat {
        println!(
            "  {cat:<26} {f:>3}/{n:<3} = {:>5.1} %   adjacent-only {adj}",
            pct(*f, *n)
        );
    }
    println!("misses ({}):", misses.len());
    for m in &misses {
        println!("{m}");
    }
    println!("false flags ({}):", false_flags.len());
    for m in &false_flags {
        println!("{m}");
    }

    // Timing: every case, many rounds.
    let rounds = 200;
    let mut times = Vec::with_capacity(cases.len() * rounds);
    let mut sink = 0usize;
    for _ in 0..rounds {
        for c in &cases {
            let t = Instant::now();
            let a = index.classify(&c.item);
            times.push(t.elapsed().as_nanos() as f64 / 1000.0);
            sink += a.matches.len();
        }
    }
    if times.is_empty() {
        println!("classify time: no cases");
        return Ok(());
    }
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    let p99 = times[(((times.len() as f64) * 0.99) as usize).saturating_sub(1)];
    println!(
        "classify time: mean {mean:.2} us, p99 {p99:.2} us over {} calls ({sink} matches)",
        times.len()
    );
    Ok(())
}
