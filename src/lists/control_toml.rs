//! The control-list part of the project's own `exportscreen-toml` format:
//! a `[list]` table (`kind = "control"`, `id`, `title`, source and date)
//! followed by one `[[entry]]` table per control-list code.
//!
//! ```toml
//! [list]
//! kind = "control"
//! id = "mtcr"
//! title = "MTCR Equipment, Software and Technology Annex"
//!
//! [[entry]]
//! code = "4.C.2.a"
//! title = "Hydrazine"
//! category = "II"
//! notes = "Controlled above 70 % concentration."
//! terms = ["hydrazine", "N2H4", "302-01-2"]
//! context = []                      # groups: each needs one phrase present
//! exclusions = ["hydrazine free"]   # "!phrase": other goods, no match at all
//! national_codes = [{ code = "1C111", confirmed = false }]
//!
//! [[entry.rules]]                   # several rules: any one; conditions: all
//! label = "concentration"
//! all = [{ param = "concentration_pct", op = ">", value = 70 }]
//! ```
//!
//! A malformed file is rejected whole; the error names the file and the
//! line: TOML syntax, unknown fields, a code that is not an MTCR code as
//! numbered, a duplicate code, an unknown parameter key or operator, terms
//! that normalise to nothing.

use serde::Deserialize;
use toml::Spanned;

use super::{ImportError, SourceData};
use crate::engine::item::validate_entry;
use crate::engine::units;
use crate::model::{
    Comparison, Condition, ControlCategory, ControlEntry, NationalCode, ThresholdRule,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    list: Spanned<RawHeader>,
    #[serde(default)]
    entry: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    kind: Spanned<String>,
    id: String,
    title: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    annex_date: String,
    #[serde(default)]
    notes: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    code: Spanned<String>,
    title: String,
    category: Spanned<String>,
    #[serde(default)]
    notes: String,
    terms: Vec<String>,
    #[serde(default)]
    context: Vec<Vec<String>>,
    #[serde(default)]
    exclusions: Vec<String>,
    #[serde(default)]
    rules: Vec<RawRule>,
    #[serde(default)]
    national_codes: Vec<RawNational>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    #[serde(default)]
    label: String,
    all: Vec<RawCondition>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    param: Spanned<String>,
    op: Spanned<String>,
    value: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNational {
    code: String,
    #[serde(default)]
    confirmed: bool,
}

/// 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> u64 {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u64
        + 1
}

/// Parses a control list written in `exportscreen-toml`.
///
/// # Errors
/// [`ImportError::Malformed`] naming the file and line; [`ImportError::Empty`]
/// when the file has no entry.
pub fn parse(file: &SourceData) -> Result<Vec<ControlEntry>, ImportError> {
    let name = file.name.as_str();
    let text = std::str::from_utf8(&file.data).map_err(|e| {
        let line = line_of(
            &String::from_utf8_lossy(&file.data[..e.valid_up_to()]),
            e.valid_up_to(),
        );
        ImportError::malformed(name, line, "not UTF-8 text")
    })?;
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
        ImportError::malformed(name, line, e.message().trim().to_string())
    })?;
    let at = |offset: usize| line_of(text, offset);

    let kind = &raw.list.get_ref().kind;
    if kind.get_ref() != "control" {
        return Err(ImportError::malformed(
            name,
            at(kind.span().start),
            format!("[list] kind is '{}', expected 'control'", kind.get_ref()),
        ));
    }
    if raw.list.get_ref().id.trim().is_empty() {
        return Err(ImportError::malformed(
            name,
            at(raw.list.span().start),
            "[list] id is empty",
        ));
    }
    let _ = (&raw.list.get_ref().title, &raw.list.get_ref().source);
    let _ = (&raw.list.get_ref().annex_date, &raw.list.get_ref().notes);

    let mut out: Vec<ControlEntry> = Vec::with_capacity(raw.entry.len());
    let mut seen: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    for r in raw.entry {
        let code_line = at(r.code.span().start);
        let code = r.code.get_ref().trim().to_string();
        if let Some(first) = seen.get(&code) {
            return Err(ImportError::malformed(
                name,
                code_line,
                format!("duplicate code '{code}' (first on line {first})"),
            ));
        }
        seen.insert(code.clone(), code_line);
        let category = match r.category.get_ref().trim() {
            "I" => ControlCategory::I,
            "II" => ControlCategory::II,
            other => {
                return Err(ImportError::malformed(
                    name,
                    at(r.category.span().start),
                    format!("entry {code}: category '{other}' is neither 'I' nor 'II'"),
                ));
            }
        };
        let mut rules = Vec::with_capacity(r.rules.len());
        for rule in r.rules {
            let mut all = Vec::with_capacity(rule.all.len());
            for c in rule.all {
                let param = c.param.get_ref().trim().to_string();
                if !units::is_known(&param) {
                    return Err(ImportError::malformed(
                        name,
                        at(c.param.span().start),
                        format!("entry {code}: unknown parameter key '{param}'"),
                    ));
                }
                let op = match c.op.get_ref().trim() {
                    ">" => Comparison::Gt,
                    ">=" => Comparison::Ge,
                    "<" => Comparison::Lt,
                    "<=" => Comparison::Le,
                    other => {
                        return Err(ImportError::malformed(
                            name,
                            at(c.op.span().start),
                            format!("entry {code}: operator '{other}' is not one of >, >=, <, <="),
                        ));
                    }
                };
                all.push(Condition {
                    param,
                    op,
                    value: c.value,
                });
            }
            rules.push(ThresholdRule {
                label: rule.label,
                all,
            });
        }
        let entry = ControlEntry {
            code: code.clone(),
            title: r.title.trim().to_string(),
            category,
            notes: r.notes.trim().to_string(),
            terms: r.terms,
            context: r.context,
            exclusions: r.exclusions,
            rules,
            national_codes: r
                .national_codes
                .into_iter()
                .map(|n| NationalCode {
                    code: n.code.trim().to_string(),
                    confirmed: n.confirmed,
                })
                .collect(),
        };
        validate_entry(&entry)
            .map_err(|m| ImportError::malformed(name, code_line, format!("entry {code}: {m}")))?;
        out.push(entry);
    }
    if out.is_empty() {
        return Err(ImportError::Empty {
            file: name.to_string(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> SourceData {
        SourceData {
            name: "list.toml".into(),
            data: text.as_bytes().to_vec(),
        }
    }

    const GOOD: &str = r#"
# A small list.
[list]
kind = "control"
id = "test"
title = "Test list"
source = "unit test"
annex_date = "2024-03-14"

[[entry]]
code = "4.C.2.a"
title = "Hydrazine"
category = "II"
notes = "Above 70 %."
terms = ["hydrazine", "N2H4"]
exclusions = ["!hydrazine free"]
national_codes = [{ code = "1C111", confirmed = false }]

[[entry.rules]]
label = "concentration"
all = [{ param = "concentration_pct", op = ">", value = 70 }]

[[entry]]
code = "1.A.1"
title = "Complete rocket systems"
category = "I"
terms = ["ballistic missile"]
context = [["missile", "param:range_km"]]
national_codes = [{ code = "9A104", confirmed = true }]

[[entry.rules]]
all = [
  { param = "range_km", op = ">=", value = 300 },
  { param = "payload_kg", op = ">=", value = 500 },
]
"#;

    #[test]
    fn parses_a_good_file() {
        let entries = parse(&src(GOOD)).unwrap();
        assert_eq!(entries.len(), 2);
        let h = &entries[0];
        assert_eq!(h.code, "4.C.2.a");
        assert_eq!(h.category, ControlCategory::II);
        assert_eq!(h.terms, vec!["hydrazine", "N2H4"]);
        assert_eq!(h.rules[0].all[0].op, Comparison::Gt);
        assert_eq!(h.rules[0].all[0].value, 70.0);
        assert!(!h.national_codes[0].confirmed);
        let m = &entries[1];
        assert_eq!(m.category, ControlCategory::I);
        assert_eq!(m.rules[0].all.len(), 2);
        assert_eq!(
            m.context,
            vec![vec!["missile".to_string(), "param:range_km".to_string()]]
        );
        assert!(m.national_codes[0].confirmed);
    }

    /// Each case replaces one line of GOOD and names the expected error line.
    #[test]
    fn rejects_malformed_files_with_their_line() {
        let cases: &[(&str, &str, &str, &str)] = &[
            (
                "syntax",
                "title = \"Hydrazine\"",
                "title = \"Hydrazine",
                "title = \"Hydrazine",
            ),
            (
                "bad code",
                "code = \"4.C.2.a\"",
                "code = \"4C2a\"",
                "code = ",
            ),
            (
                "unknown param",
                "param = \"concentration_pct\"",
                "param = \"strength_pct\"",
                "param = ",
            ),
            (
                "bad op",
                "op = \">\", value = 70",
                "op = \"=>\", value = 70",
                "op = ",
            ),
            (
                "category",
                "category = \"II\"",
                "category = \"III\"",
                "category = \"I",
            ),
            (
                "unknown field",
                "notes = \"Above 70 %.\"",
                "note = \"Above 70 %.\"",
                "note = ",
            ),
            (
                "wrong kind",
                "kind = \"control\"",
                "kind = \"denial\"",
                "kind = ",
            ),
            (
                "bad national",
                "code = \"1C111\"",
                "code = \"8471.30\"",
                "code = \"4.",
            ),
            (
                "empty term",
                "terms = [\"hydrazine\", \"N2H4\"]",
                "terms = [\"hydrazine\", \" - \"]",
                "code = \"4.",
            ),
        ];
        for (name, from, to, line_needle) in cases {
            assert!(GOOD.contains(from), "{name}: fixture line missing");
            let text = GOOD.replacen(from, to, 1);
            let want = text.lines().position(|l| l.contains(line_needle)).unwrap() as u64 + 1;
            match parse(&src(&text)) {
                Err(ImportError::Malformed {
                    line,
                    file,
                    message,
                }) => {
                    assert_eq!(file, "list.toml", "{name}");
                    assert_eq!(line, want, "{name}: {message}");
                }
                other => panic!("{name}: expected Malformed, got {other:?}"),
            }
        }
    }

    #[test]
    fn rejects_duplicate_codes() {
        let text = GOOD.replacen("code = \"1.A.1\"", "code = \"4.C.2.a\"", 1);
        let err = parse(&src(&text)).unwrap_err();
        let want = text
            .lines()
            .collect::<Vec<_>>()
            .iter()
            .rposition(|l| l.contains("code = \"4.C.2.a\""))
            .unwrap() as u64
            + 1;
        match err {
            ImportError::Malformed { line, message, .. } => {
                assert_eq!(line, want);
                assert!(message.contains("duplicate"), "{message}");
            }
            other => panic!("expected Malformed, got {other:?}"),
        }
    }

    #[test]
    fn rejects_a_list_without_entries() {
        let text = GOOD.split("[[entry]]").next().unwrap();
        assert!(matches!(parse(&src(text)), Err(ImportError::Empty { .. })));
    }

    #[test]
    fn bundled_mtcr_list_parses_and_covers_the_annex() {
        let data = include_bytes!("../../control-lists/mtcr.toml");
        let entries = parse(&SourceData {
            name: "mtcr.toml".into(),
            data: data.to_vec(),
        })
        .unwrap();
        assert!(entries.len() >= 120, "only {} entries", entries.len());
        for item in (1..=20).filter(|i| ![5, 7, 8].contains(i)) {
            let prefix = format!("{item}.");
            assert!(
                entries.iter().any(|e| e.code.starts_with(&prefix)),
                "item {item} missing"
            );
        }
        for reserved in [5, 7, 8] {
            let prefix = format!("{reserved}.");
            assert!(
                !entries.iter().any(|e| e.code.starts_with(&prefix)),
                "reserved item {reserved} used"
            );
        }
        for e in &entries {
            let item: u32 = e.code.split('.').next().unwrap().parse().unwrap();
            let want = if item <= 2 {
                ControlCategory::I
            } else {
                ControlCategory::II
            };
            assert_eq!(e.category, want, "{}", e.code);
            assert!(!e.notes.is_empty(), "{} has no notes", e.code);
        }
        crate::engine::item::ItemIndex::build("mtcr", &entries).unwrap();
    }
}
