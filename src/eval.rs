//! In-process evaluation on a case directory (`party.jsonl`, `item.jsonl`,
//! `shipment.jsonl`, format in `../shared/eval/README.md`): recall, top-1
//! and false-positive rate of party matching, item recall and precision,
//! shipment decision accuracy, each by category, plus engine latency.
//!
//! The metrics are computed exactly as the external gRPC harness
//! (`eval_service.py`) computes them, so both must agree: party matches
//! count only on the lists the party cases are labelled against
//! ([`PARTY_LISTS`]). [`run`] reads a directory; [`evaluate`] scores cases
//! already in memory (what the tests use). The summary's latency is the
//! in-process engine's (`engine_p99_ms`), not the gRPC harness's RPC p99.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::Value;

use crate::engine::Engine;
use crate::engine::party::PartyQuery;
use crate::model::{Item, Party, PartyRole, Shipment};

/// Per-category tally: (hits, total).
type Tally = BTreeMap<String, (usize, usize)>;

/// The lists the party cases are labelled against; matches on other lists
/// the service carries are not scored (as in `eval_service.py`).
pub const PARTY_LISTS: [&str; 4] = ["ofac-sdn", "ofac-cons", "un-sc", "bis-dpl"];

/// Options of an evaluation run.
#[derive(Clone, Debug, Default)]
pub struct EvalOptions {
    /// How many misses to print per file.
    pub show_failures: usize,
    /// Only the first N cases of each file (0 = all).
    pub limit: usize,
}

/// The cases of one evaluation, one JSON object per case (the format of
/// `../shared/eval/README.md`).
#[derive(Clone, Debug, Default)]
pub struct Cases {
    /// `party.jsonl`.
    pub party: Vec<Value>,
    /// `item.jsonl`.
    pub item: Vec<Value>,
    /// `shipment.jsonl`.
    pub shipment: Vec<Value>,
}

/// The figures of a run. Ratios are 0 when there is nothing to divide by.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EvalSummary {
    /// Positive party cases whose expected entry is among the matches.
    pub party_recall: f64,
    /// Positive party cases whose best match is the expected entry (or an equivalent).
    pub party_top1: f64,
    /// Negative party cases with any match.
    pub party_fp: f64,
    /// Controlled items with a matching code.
    pub item_recall: f64,
    /// Flagged items that are controlled and code-matched.
    pub item_precision: f64,
    /// Shipments with the expected decision.
    pub shipment_acc: f64,
    /// Shipments with the expected decision and every must-flag target.
    pub shipment_exact: f64,
    /// Must-flag targets found, over all must-flag targets (1 when none).
    pub must_flag_recall: f64,
    /// 99th percentile of the in-process engine time per call (all Screen*
    /// calls), milliseconds. Not the RPC p99 of the gRPC harness.
    pub engine_p99_ms: f64,
}

impl std::fmt::Display for EvalSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "party_recall={:.4} party_top1={:.4} party_fp={:.4} item_recall={:.4} item_precision={:.4} shipment_acc={:.4} shipment_exact={:.4} must_flag_recall={:.4} engine_p99_ms={:.3}",
            self.party_recall,
            self.party_top1,
            self.party_fp,
            self.item_recall,
            self.item_precision,
            self.shipment_acc,
            self.shipment_exact,
            self.must_flag_recall,
            self.engine_p99_ms
        )
    }
}

/// Runs every case file in `dir` against `engine`; returns the report text
/// and the summary.
///
/// # Errors
/// A missing or malformed case file.
pub fn run(
    engine: &Engine,
    dir: &Path,
    opts: &EvalOptions,
) -> anyhow::Result<(String, EvalSummary)> {
    let cases = Cases {
        party: load(dir, "party", opts.limit)?,
        item: load(dir, "item", opts.limit)?,
        shipment: load(dir, "shipment", opts.limit)?,
    };
    evaluate(engine, &cases, opts)
}

/// Scores `cases` against `engine`; returns the report text and the summary.
///
/// # Errors
/// A case the format does not allow (an unknown role, a parameter that is
/// not a number).
pub fn evaluate(
    engine: &Engine,
    cases: &Cases,
    opts: &EvalOptions,
) -> anyhow::Result<(String, EvalSummary)> {
    let mut out = String::new();
    let party = &cases.party;
    let items = &cases.item;
    let ships = &cases.shipment;
    let mut lat_party = Vec::new();
    let mut lat_item = Vec::new();
    let mut lat_ship = Vec::new();

    // Party cases.
    let (mut pos, mut hit, mut top, mut neg, mut fp, mut alerts) = (0, 0, 0, 0, 0, 0);
    let mut cat: Tally = BTreeMap::new();
    let mut misses = Vec::new();
    for c in party {
        let q = &c["query"];
        let name = str_of(q, "name");
        let country = str_of(q, "country");
        let t0 = Instant::now();
        let ms = engine.screen_party(
            &PartyQuery {
                name,
                country,
                address: "",
            },
            0,
        );
        lat_party.push(t0.elapsed().as_secs_f64() * 1e6);
        let ms: Vec<_> = ms
            .into_iter()
            .filter(|m| PARTY_LISTS.contains(&m.list_id.as_str()))
            .collect();
        alerts += ms.len();
        let ex = &c["expect"];
        let category = str_of(c, "category").to_string();
        let slot = cat.entry(category.clone()).or_default();
        slot.1 += 1;
        if ex["match"].as_bool().unwrap_or(false) {
            pos += 1;
            let want = (str_of(ex, "list_id"), id_of(&ex["entry_id"]));
            let mut ok = vec![want.clone()];
            if let Some(eq) = ex["equivalents"].as_array() {
                ok.extend(
                    eq.iter()
                        .map(|e| (str_of(e, "list_id"), id_of(&e["entry_id"]))),
                );
            }
            let h = ms
                .iter()
                .any(|m| m.list_id == want.0 && m.entry_id == want.1);
            hit += usize::from(h);
            slot.0 += usize::from(h);
            if let Some(t) = ms.first() {
                if ok.iter().any(|(l, e)| *l == t.list_id && *e == t.entry_id) {
                    top += 1;
                }
            }
            if !h {
                misses.push(format!(
                    "{} | {category} | {name} | missed {}:{} | got {}",
                    str_of(c, "id"),
                    want.0,
                    want.1,
                    ms.iter()
                        .take(3)
                        .map(|m| format!("{}:{} {:.3}", m.list_id, m.entry_id, m.score))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        } else {
            neg += 1;
            let f = !ms.is_empty();
            fp += usize::from(f);
            slot.0 += usize::from(f);
            if f {
                misses.push(format!(
                    "{} | {category} | {name} | false positive | {}",
                    str_of(c, "id"),
                    ms.iter()
                        .take(3)
                        .map(|m| format!(
                            "{}:{} '{}' {:.3}",
                            m.list_id, m.entry_id, m.matched_name, m.score
                        ))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
    }
    let party_recall = ratio(hit, pos);
    let party_fp = ratio(fp, neg);
    let _ = writeln!(
        out,
        "== party ({} cases: {pos} positive, {neg} negative)",
        party.len()
    );
    let _ = writeln!(
        out,
        "   recall {party_recall:.4}  top-1 {:.4}  FP rate {party_fp:.4}  alerts/query {:.2} (matches on {} only)",
        ratio(top, pos),
        alerts as f64 / party.len().max(1) as f64,
        PARTY_LISTS.join(", ")
    );
    let _ = writeln!(out, "   by category (pos: recall, neg: FP rate):");
    for (k, (h, n)) in &cat {
        let kind = if k.starts_with("pos") { "recall" } else { "fp" };
        let _ = writeln!(out, "     {k:32} n={n:<5} {kind:6} {:.4}", ratio(*h, *n));
    }
    show(&mut out, &misses, opts.show_failures);

    // Item cases.
    let (mut n_ctrl, mut tp, mut flagged, mut flagged_ok, mut any_ctrl) = (0, 0, 0, 0, 0);
    let (mut n_unctrl, mut fp_unctrl) = (0, 0);
    let mut cat: Tally = BTreeMap::new();
    let mut misses = Vec::new();
    for c in items {
        let item = item_of(&c["query"])?;
        let t0 = Instant::now();
        let ms = engine.screen_item(&item);
        lat_item.push(t0.elapsed().as_secs_f64() * 1e6);
        let codes: Vec<&str> = ms.iter().map(|m| m.code.as_str()).collect();
        let ex = &c["expect"];
        let controlled = ex["controlled"].as_bool().unwrap_or(false);
        let expected: Vec<&str> = ex["codes"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let ok = controlled
            && expected
                .iter()
                .any(|e| codes.iter().any(|g| code_matches(e, g)));
        let category = str_of(c, "category").to_string();
        let slot = cat.entry(category).or_default();
        slot.1 += 1;
        if controlled {
            n_ctrl += 1;
            tp += usize::from(ok);
            any_ctrl += usize::from(!codes.is_empty());
            slot.0 += usize::from(ok);
            if !ok {
                misses.push(format!(
                    "{} | {} | expected {:?} | got {:?}",
                    str_of(c, "id"),
                    item.description,
                    expected,
                    codes
                ));
            }
        } else {
            n_unctrl += 1;
            fp_unctrl += usize::from(!codes.is_empty());
            slot.0 += usize::from(!codes.is_empty());
            if !codes.is_empty() {
                misses.push(format!(
                    "{} | {} | not controlled | got {:?}",
                    str_of(c, "id"),
                    item.description,
                    codes
                ));
            }
        }
        if !codes.is_empty() {
            flagged += 1;
            flagged_ok += usize::from(ok);
        }
    }
    let item_recall = ratio(tp, n_ctrl);
    let item_precision = ratio(flagged_ok, flagged);
    let _ = writeln!(
        out,
        "\n== item ({} cases: {n_ctrl} controlled)",
        items.len()
    );
    let _ = writeln!(
        out,
        "   recall {item_recall:.4}  precision {item_precision:.4}  flagged controlled (any code) {:.4}  flagged not-controlled {:.4}",
        ratio(any_ctrl, n_ctrl),
        ratio(fp_unctrl, n_unctrl)
    );
    for (k, (h, n)) in &cat {
        let kind = if k == "controlled" {
            "recall"
        } else {
            "flagged"
        };
        let _ = writeln!(out, "     {k:32} n={n:<5} {kind} {:.4}", ratio(*h, *n));
    }
    show(&mut out, &misses, opts.show_failures);

    // Shipment cases.
    let (mut acc, mut exact, mut need_n, mut got_n) = (0, 0, 0, 0);
    let mut confusion: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut cat: Tally = BTreeMap::new();
    let mut misses = Vec::new();
    for c in ships {
        let s = shipment_of(&c["shipment"])?;
        let t0 = Instant::now();
        let outcome = engine.screen_shipment(&s);
        lat_ship.push(t0.elapsed().as_secs_f64() * 1e6);
        let ex = &c["expect"];
        let want = str_of(ex, "decision");
        let got = outcome.decision.as_str();
        let need: Vec<&str> = ex["must_flag"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let targets: Vec<String> = outcome
            .findings
            .iter()
            .map(|f| f.target.to_string())
            .collect();
        let found = need
            .iter()
            .filter(|n| targets.iter().any(|t| t == **n))
            .count();
        let ok = want == got;
        acc += usize::from(ok);
        exact += usize::from(ok && found == need.len());
        need_n += need.len();
        got_n += found;
        *confusion
            .entry(want.to_string())
            .or_default()
            .entry(got.to_string())
            .or_default() += 1;
        let slot = cat.entry(str_of(c, "category").to_string()).or_default();
        slot.0 += usize::from(ok);
        slot.1 += 1;
        if !(ok && found == need.len()) {
            let mut t = targets.clone();
            t.sort_unstable();
            t.dedup();
            misses.push(format!(
                "{} | {} | expected {want} {need:?} | got {got} {t:?}",
                str_of(c, "id"),
                str_of(c, "category")
            ));
        }
    }
    let ship_acc = ratio(acc, ships.len());
    let ship_exact = ratio(exact, ships.len());
    let must_flag_recall = if need_n == 0 {
        1.0
    } else {
        ratio(got_n, need_n)
    };
    let _ = writeln!(out, "\n== shipment ({} cases)", ships.len());
    let _ = writeln!(
        out,
        "   decision accuracy {ship_acc:.4}  exact match {ship_exact:.4}  must-flag recall {must_flag_recall:.4}"
    );
    let _ = writeln!(
        out,
        "   confusion (expected -> got): {}",
        confusion
            .iter()
            .map(|(k, v)| format!("{k}: {v:?}"))
            .collect::<Vec<_>>()
            .join("; ")
    );
    for (k, (h, n)) in &cat {
        let _ = writeln!(out, "     {k:32} n={n:<5} acc {:.4}", ratio(*h, *n));
    }
    show(&mut out, &misses, opts.show_failures);

    let _ = writeln!(
        out,
        "\n== engine latency per call (microseconds, in-process)"
    );
    let mut all = Vec::new();
    for (name, v) in [
        ("ScreenParty", &mut lat_party),
        ("ScreenItem", &mut lat_item),
        ("ScreenShipment", &mut lat_ship),
    ] {
        all.extend_from_slice(v);
        let (mean, p50, p99) = summary(v);
        let _ = writeln!(
            out,
            "   {name:15} n={:<6} mean {mean:.1}  p50 {p50:.1}  p99 {p99:.1}",
            v.len()
        );
    }
    let (_, _, p99_all) = summary(&mut all);
    Ok((
        out,
        EvalSummary {
            party_recall,
            party_top1: ratio(top, pos),
            party_fp,
            item_recall,
            item_precision,
            shipment_acc: ship_acc,
            shipment_exact: ship_exact,
            must_flag_recall,
            engine_p99_ms: p99_all / 1000.0,
        },
    ))
}

fn load(dir: &Path, kind: &str, limit: usize) -> anyhow::Result<Vec<Value>> {
    let p = dir.join(format!("{kind}.jsonl"));
    let text = std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line)
            .with_context(|| format!("{}, line {}", p.display(), i + 1))?;
        rows.push(v);
        if limit > 0 && rows.len() >= limit {
            break;
        }
    }
    Ok(rows)
}

fn str_of<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or("")
}

fn id_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

fn item_of(v: &Value) -> anyhow::Result<Item> {
    let mut parameters: Vec<(String, f64)> = Vec::new();
    if let Some(m) = v["parameters"].as_object() {
        for (k, x) in m {
            let Some(f) = x.as_f64() else {
                bail!("parameter {k} is not a number");
            };
            parameters.push((k.clone(), f));
        }
    }
    parameters.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Item {
        description: str_of(v, "description").to_string(),
        declared_code: str_of(v, "declared_code").to_string(),
        quantity: v["quantity"].as_f64().unwrap_or(0.0),
        unit: str_of(v, "unit").to_string(),
        parameters,
    })
}

/// Parses a role name with or without the `PARTY_ROLE_` prefix.
pub fn role_of(s: &str) -> Option<PartyRole> {
    let s = s.trim().to_ascii_uppercase();
    let s = s.strip_prefix("PARTY_ROLE_").unwrap_or(&s);
    Some(match s {
        "" | "UNSPECIFIED" => PartyRole::Unspecified,
        "CONSIGNEE" => PartyRole::Consignee,
        "END_USER" => PartyRole::EndUser,
        "INTERMEDIATE_CONSIGNEE" => PartyRole::IntermediateConsignee,
        "FREIGHT_FORWARDER" => PartyRole::FreightForwarder,
        "PURCHASER" => PartyRole::Purchaser,
        "EXPORTER" => PartyRole::Exporter,
        _ => return None,
    })
}

fn shipment_of(v: &Value) -> anyhow::Result<Shipment> {
    let mut items = Vec::new();
    for it in v["items"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
        items.push(item_of(it)?);
    }
    let mut parties = Vec::new();
    for p in v["parties"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
        let role = role_of(str_of(p, "role"))
            .with_context(|| format!("unknown role {}", str_of(p, "role")))?;
        parties.push(Party {
            role,
            name: str_of(p, "name").to_string(),
            address: str_of(p, "address").to_string(),
            country: str_of(p, "country").to_string(),
        });
    }
    Ok(Shipment {
        reference: str_of(v, "reference").to_string(),
        exporter: str_of(v, "exporter").to_string(),
        items,
        parties,
        destination_country: str_of(v, "destination_country").to_string(),
        end_use: str_of(v, "end_use").to_string(),
    })
}

/// Codes match when equal or when one is a dotted prefix of the other.
pub fn code_matches(expected: &str, got: &str) -> bool {
    let (e, g) = (expected.trim(), got.trim());
    e == g || g.starts_with(&format!("{e}.")) || e.starts_with(&format!("{g}."))
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn summary(v: &mut [f64]) -> (f64, f64, f64) {
    if v.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    v.sort_by(f64::total_cmp);
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    let p = |q: f64| v[((q * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)];
    (mean, p(0.5), p(0.99))
}

fn show(out: &mut String, misses: &[String], n: usize) {
    if n == 0 || misses.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "   first {} of {} misses:",
        n.min(misses.len()),
        misses.len()
    );
    for m in misses.iter().take(n) {
        let _ = writeln!(out, "     {m}");
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::engine::LoadedList;
    use crate::engine::reference::ReferenceFiles;
    use crate::model::{
        Comparison, Condition, ControlCategory, ControlEntry, DenialEntry, EntityKind, EntryName,
        ListContent, ListMeta, NameKind, ThresholdRule,
    };

    #[test]
    fn code_matching_follows_dotted_prefixes() {
        assert!(code_matches("4.C.2", "4.C.2.b"));
        assert!(code_matches("4.C.2.b", "4.C.2"));
        assert!(code_matches("9.A.4", "9.A.4"));
        assert!(!code_matches("1.A.1", "1.A.10"));
        assert!(!code_matches("1.A.10", "1.A.1"));
    }

    #[test]
    fn roles_parse_with_or_without_prefix() {
        assert_eq!(role_of("END_USER"), Some(PartyRole::EndUser));
        assert_eq!(role_of("PARTY_ROLE_CONSIGNEE"), Some(PartyRole::Consignee));
        assert_eq!(role_of(""), Some(PartyRole::Unspecified));
        assert_eq!(role_of("BUYER"), None);
    }

    fn denial(list: &str, id: &str, name: &str) -> LoadedList {
        LoadedList {
            meta: ListMeta {
                list_id: list.into(),
                version: 1,
                kind: crate::model::ListKind::Denial,
                ..ListMeta::default()
            },
            content: Arc::new(ListContent::Denial(vec![DenialEntry {
                entry_id: id.into(),
                kind: EntityKind::Organization,
                names: vec![EntryName {
                    name: name.into(),
                    kind: NameKind::Primary,
                }],
                ..DenialEntry::default()
            }])),
        }
    }

    /// An engine with two evaluated lists, one list the party set is not
    /// labelled against, and one control entry.
    fn engine() -> Engine {
        let control = LoadedList {
            meta: ListMeta {
                list_id: "mtcr".into(),
                version: 1,
                kind: crate::model::ListKind::Control,
                ..ListMeta::default()
            },
            content: Arc::new(ListContent::Control(vec![ControlEntry {
                code: "4.C.2.b".into(),
                title: "Hydrazine".into(),
                category: ControlCategory::II,
                notes: String::new(),
                terms: vec!["hydrazine".into()],
                context: vec![],
                exclusions: vec![],
                rules: vec![ThresholdRule {
                    label: "concentration".into(),
                    all: vec![Condition {
                        param: "concentration_pct".into(),
                        op: Comparison::Gt,
                        value: 70.0,
                    }],
                }],
                national_codes: vec![],
            }])),
        };
        let lists = [
            control,
            denial("ofac-sdn", "101", "ZEPHYRON ORBITALIS"),
            denial("un-sc", "7", "KESTRALUX DYNAMIKA"),
            // Not one of the four evaluated lists: its matches do not count.
            denial("bis-entity", "e1", "HALCYVEX PRAZISION"),
        ];
        match Engine::build(&lists, &ReferenceFiles::embedded()) {
            Ok(e) => e,
            Err(e) => panic!("{e}"),
        }
    }

    fn party_case(name: &str, expect: Value) -> Value {
        json!({"id": name, "category": if expect["match"] == true { "pos_x" } else { "neg_x" },
               "query": {"name": name, "country": ""}, "expect": expect})
    }

    /// Metrics computed by hand for a small table of cases.
    #[test]
    fn metrics_of_a_hand_counted_table() {
        let pos = |list: &str, id: &str| json!({"match": true, "list_id": list, "entry_id": id});
        let cases = Cases {
            party: vec![
                // found, top-1
                party_case("Zephyron Orbitalis", pos("ofac-sdn", "101")),
                // found, top-1 (expected entry given as a number)
                party_case(
                    "Kestralux Dynamika",
                    json!({"match": true, "list_id": "un-sc", "entry_id": 7}),
                ),
                // missed: the expected entry is another one
                party_case("Kestralux Dynamika", pos("un-sc", "8")),
                // missed: nothing matches
                party_case("Quietly Unlisted Works", pos("ofac-sdn", "101")),
                // negatives: one false positive; a match on a list the set is
                // not labelled against is not one.
                party_case("Zephyron Orbitalis", json!({"match": false})),
                party_case("Halcyvex Prazision", json!({"match": false})),
                party_case("Plainfield Supplies", json!({"match": false})),
                party_case("Rivermouth Bakery", json!({"match": false})),
            ],
            item: vec![
                // controlled and found
                json!({"id": "i1", "category": "controlled", "query": {"description": "Anhydrous hydrazine", "parameters": {"concentration_pct": 98.0}}, "expect": {"controlled": true, "codes": ["4.C.2"]}}),
                // controlled, not found
                json!({"id": "i2", "category": "controlled", "query": {"description": "Gyro", "parameters": {}}, "expect": {"controlled": true, "codes": ["9.A.4"]}}),
                // not controlled, flagged (a false flag)
                json!({"id": "i3", "category": "not_controlled_plain", "query": {"description": "Hydrazine 99", "parameters": {"concentration_pct": 99.0}}, "expect": {"controlled": false}}),
                // not controlled, not flagged
                json!({"id": "i4", "category": "not_controlled_plain", "query": {"description": "Garden hose", "parameters": {}}, "expect": {"controlled": false}}),
            ],
            shipment: vec![
                // right decision, must-flag found
                json!({"id": "s1", "category": "c", "shipment": {"destination_country": "FR", "items": [{"description": "Anhydrous hydrazine", "parameters": {"concentration_pct": 98.0}}], "parties": [{"role": "CONSIGNEE", "name": "Plainfield Supplies", "country": "FR"}]}, "expect": {"decision": "LICENSE_REQUIRED", "must_flag": ["item:0"]}}),
                // right decision, one must-flag target missing
                json!({"id": "s2", "category": "c", "shipment": {"destination_country": "FR", "items": [{"description": "Anhydrous hydrazine", "parameters": {"concentration_pct": 98.0}}], "parties": [{"role": "CONSIGNEE", "name": "Plainfield Supplies", "country": "FR"}]}, "expect": {"decision": "LICENSE_REQUIRED", "must_flag": ["item:0", "party:0"]}}),
                // wrong decision
                json!({"id": "s3", "category": "c", "shipment": {"destination_country": "FR", "items": [{"description": "Garden hose"}], "parties": [{"role": "CONSIGNEE", "name": "Zephyron Orbitalis", "country": "FR"}]}, "expect": {"decision": "CLEAR", "must_flag": []}}),
                // right decision, nothing to flag
                json!({"id": "s4", "category": "c", "shipment": {"destination_country": "FR", "items": [{"description": "Garden hose"}], "parties": [{"role": "CONSIGNEE", "name": "Plainfield Supplies", "country": "FR"}]}, "expect": {"decision": "CLEAR", "must_flag": []}}),
            ],
        };
        let (report, s) = evaluate(&engine(), &cases, &EvalOptions::default()).unwrap();
        // Party: 4 positives, 2 found (1 and 2), both top-1; 4 negatives, 1 flagged.
        assert_eq!(s.party_recall, 0.5, "{report}");
        assert_eq!(s.party_top1, 0.5);
        assert_eq!(s.party_fp, 0.25);
        // Items: 2 controlled, 1 found; 2 flagged, 1 of them right.
        assert_eq!(s.item_recall, 0.5);
        assert_eq!(s.item_precision, 0.5);
        // Shipments: 3 of 4 decisions right; exact 2 of 4; must-flag 2 of 3.
        assert_eq!(s.shipment_acc, 0.75);
        assert_eq!(s.shipment_exact, 0.5);
        assert!((s.must_flag_recall - 2.0 / 3.0).abs() < 1e-12);
        assert!(s.engine_p99_ms > 0.0);
        let line = s.to_string();
        assert!(
            line.contains("party_recall=0.5000 party_top1=0.5000 party_fp=0.2500"),
            "{line}"
        );
        assert!(line.contains("engine_p99_ms="), "{line}");
        assert!(!line.contains(" p99_ms="), "{line}");
        assert!(report.contains("confusion (expected -> got)"), "{report}");
    }

    #[test]
    fn empty_files_give_zero_ratios_and_full_must_flag_recall() {
        let (_, s) = evaluate(&engine(), &Cases::default(), &EvalOptions::default()).unwrap();
        assert_eq!(
            s,
            EvalSummary {
                must_flag_recall: 1.0,
                ..EvalSummary::default()
            }
        );
    }

    #[test]
    fn malformed_cases_are_errors() {
        let bad_role = Cases {
            shipment: vec![
                json!({"id": "s", "shipment": {"parties": [{"role": "BUYER", "name": "X"}]}, "expect": {}}),
            ],
            ..Cases::default()
        };
        let err = evaluate(&engine(), &bad_role, &EvalOptions::default()).unwrap_err();
        assert!(err.to_string().contains("BUYER"), "{err}");
        let bad_param = Cases {
            item: vec![
                json!({"id": "i", "query": {"description": "x", "parameters": {"range_km": "far"}}, "expect": {}}),
            ],
            ..Cases::default()
        };
        let err = evaluate(&engine(), &bad_param, &EvalOptions::default()).unwrap_err();
        assert!(err.to_string().contains("range_km"), "{err}");
    }
}
