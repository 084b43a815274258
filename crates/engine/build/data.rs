//! The engine's word and unit tables (`control-lists/units.toml`,
//! `negation.toml`, `item-words.toml`): read, checked and written out as
//! Rust constants at build time, so that a release carries exactly what the
//! files say and a mistake in them stops `cargo build` naming the file and
//! line. Included by `build.rs` and, for its tests, by the crate.

use std::collections::{BTreeMap, HashSet};
use std::fmt::{self, Write as _};
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

/// A problem in a data file, with the line it is on.
#[derive(Debug, PartialEq, Eq)]
pub struct DataError {
    /// File name (`units.toml`).
    pub file: String,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "control-lists/{}: {}", self.file, self.message)
        } else {
            write!(
                f,
                "control-lists/{}, line {}: {}",
                self.file, self.line, self.message
            )
        }
    }
}

/// Reads one file of the tables with its errors located.
struct Source<'a> {
    file: &'a str,
    text: &'a str,
}

impl Source<'_> {
    fn line_of(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .bytes()
            .filter(|b| *b == b'\n')
            .count()
            + 1
    }

    fn err(&self, span: Range<usize>, message: impl Into<String>) -> DataError {
        DataError {
            file: self.file.to_string(),
            line: self.line_of(span.start),
            message: message.into(),
        }
    }

    fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, DataError> {
        toml::from_str(self.text).map_err(|e| DataError {
            file: self.file.to_string(),
            line: e.span().map(|s| self.line_of(s.start)).unwrap_or(0),
            message: e.message().to_string(),
        })
    }
}

/// A word or phrase of lower-case ASCII letters, digits and the unit
/// characters, single spaces between words.
fn check_phrase(
    src: &Source<'_>,
    s: &Spanned<String>,
    what: &str,
    extra: &str,
) -> Result<(), DataError> {
    let v = s.get_ref();
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || extra.contains(c);
    if v.is_empty()
        || v.starts_with(' ')
        || v.ends_with(' ')
        || v.contains("  ")
        || !v.chars().all(|c| c == ' ' || ok_char(c))
    {
        return Err(src.err(
            s.span(),
            format!("{what} '{v}': lower-case words separated by single spaces"),
        ));
    }
    Ok(())
}

fn lit(s: &str) -> String {
    format!("{s:?}")
}

fn float(v: f64) -> String {
    if v == f64::INFINITY {
        "f64::INFINITY".into()
    } else if v == f64::NEG_INFINITY {
        "f64::NEG_INFINITY".into()
    } else {
        let s = format!("{v:?}");
        if s.contains('.') || s.contains('e') {
            s
        } else {
            format!("{s}.0")
        }
    }
}

fn str_slice(words: &[Spanned<String>]) -> String {
    let mut out = String::from("&[");
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&lit(w.get_ref()));
    }
    out.push(']');
    out
}

// ---------------------------------------------------------------------------
// units.toml

/// Dimensions of units: (name in the file, variant of `units::Dim`).
const DIMS: &[(&str, &str)] = &[
    ("length", "Length"),
    ("mesh", "Mesh"),
    ("mass", "Mass"),
    ("gram", "Gram"),
    ("g_force", "GForce"),
    ("g_force_rms", "GForceRms"),
    ("force", "Force"),
    ("milli_mega_newton", "MilliMegaNewton"),
    ("impulse", "Impulse"),
    ("nano_or_impulse", "NanoOrImpulse"),
    ("pressure", "Pressure"),
    ("flow", "Flow"),
    ("time", "Time"),
    ("ang_rate", "AngRate"),
    ("ang_rate_s", "AngRateS"),
    ("random_walk", "RandomWalk"),
    ("angle", "Angle"),
    ("mrad_ambiguous", "MradAmbiguous"),
    ("rad_ambiguous", "RadAmbiguous"),
    ("micro_g", "MicroG"),
    ("milli_g", "MilliG"),
    ("ppm", "Ppm"),
    ("percent", "Percent"),
    ("density", "Density"),
    ("temp_c", "TempC"),
    ("temp_f", "TempF"),
    ("temp_k", "TempK"),
    ("energy", "Energy"),
    ("energy_density", "EnergyDensity"),
    ("power", "Power"),
    ("milli_mega_watt", "MilliMegaWatt"),
    ("rpm", "Rpm"),
    ("velocity", "Velocity"),
    ("dose", "Dose"),
    ("gravity", "Gravity"),
    ("volume", "Volume"),
    ("sfc", "Sfc"),
    ("bits", "Bits"),
    ("axes", "Axes"),
    ("frequency", "Frequency"),
    ("sound", "Sound"),
    ("hydroxyl", "Hydroxyl"),
    ("viscosity", "Viscosity"),
    ("poise_bare", "PoiseBare"),
];

/// Cue tables: (name in the file, constant written).
const CUE_TABLES: &[(&str, &str)] = &[
    ("length", "LENGTH_CUES"),
    ("mass", "MASS_CUES"),
    ("force", "FORCE_CUES"),
    ("pressure", "PRESSURE_CUES"),
    ("time", "TIME_CUES"),
    ("percent", "PERCENT_CUES"),
];

/// Word sets units.rs reads by name.
const UNIT_WORDS: &[&str] = &[
    "engine",
    "spray",
    "inertial",
    "g_before",
    "g_after",
    "rms_before",
    "rms_after",
    "shock_before",
    "shock_after",
    "accelerometer",
    "bias",
    "force_goods",
    "impulse_before",
    "impulse",
    "random_walk_before",
    "random_walk_after",
    "drift",
    "dose",
    "radiation",
    "scale_factor",
    "inertial_sensor",
    "glass_transition_before",
    "glass_transition_after",
    "bandwidth",
    "sound",
    "acoustic",
    "viscosity",
    "heading",
    "pointing",
    "positioning",
    "resolution",
    "keyword_gap",
    "bearing",
    "fibre",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitsFile {
    param: Vec<ParamRow>,
    unit: Vec<UnitRow>,
    cue: BTreeMap<Spanned<String>, Vec<CueRow>>,
    words: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    qualifiers: Qualifiers,
    keyword: Vec<KeywordRow>,
    iso492_class: Vec<Iso492Row>,
    bearing_class: Vec<BearingRow>,
    axis_words: Vec<AxisRow>,
    implied: Vec<ImpliedRow>,
    fibre_density: Vec<FibreRow>,
    feature: Vec<FeatureRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ParamRow {
    key: Spanned<String>,
    unit: String,
    #[serde(default)]
    min: Option<f64>,
    #[serde(default)]
    max: Option<f64>,
    #[serde(default)]
    better: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitRow {
    dim: Spanned<String>,
    factor: Spanned<f64>,
    #[serde(default)]
    default_role: Option<Spanned<String>>,
    spellings: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CueRow {
    role: Spanned<String>,
    words: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Qualifiers {
    less: Vec<Spanned<String>>,
    greater: Vec<Spanned<String>>,
    better: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeywordRow {
    param: Spanned<String>,
    phrases: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Iso492Row {
    class: u32,
    abec: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BearingRow {
    word: Spanned<String>,
    abec: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AxisRow {
    axes: u32,
    words: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImpliedRow {
    param: Spanned<String>,
    value: f64,
    text: String,
    phrases: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FibreRow {
    name: String,
    density: Spanned<f64>,
    contains: Vec<Spanned<String>>,
    #[serde(default)]
    words: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FeatureRow {
    key: Spanned<String>,
    value: Spanned<f64>,
    #[serde(default)]
    unless_before: Vec<Spanned<String>>,
    #[serde(default)]
    unless_after: Vec<Spanned<String>>,
    phrases: Vec<Spanned<String>>,
}

/// Reads `units.toml` and returns the Rust code of its tables.
pub fn units(text: &str) -> Result<String, DataError> {
    let src = Source {
        file: "units.toml",
        text,
    };
    let f: UnitsFile = src.parse()?;
    let mut out = String::new();
    // Parameter keys.
    let mut keys = HashSet::new();
    let _ = writeln!(
        out,
        "/// Every parameter key (from `control-lists/units.toml`)."
    );
    let _ = writeln!(out, "pub const PARAMS: &[ParamSpec] = &[");
    let mut lower = Vec::new();
    for p in &f.param {
        let key = p.key.get_ref();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(src.err(
                p.key.span(),
                format!("parameter key '{key}': lower-case letters, digits and '_'"),
            ));
        }
        if !keys.insert(key.clone()) {
            return Err(src.err(p.key.span(), format!("parameter key '{key}' twice")));
        }
        let min = p.min.unwrap_or(0.0);
        let max = p.max.unwrap_or(f64::INFINITY);
        if min.is_nan() || max.is_nan() || min > max {
            return Err(src.err(
                p.key.span(),
                format!("parameter key '{key}': min {min} above max {max}"),
            ));
        }
        if let Some(b) = &p.better {
            if b.get_ref() != "lower" {
                return Err(src.err(b.span(), "better: only \"lower\" is known"));
            }
            lower.push(key.clone());
        }
        let _ = writeln!(
            out,
            "    ParamSpec {{ key: {}, unit: {}, min: {}, max: {} }},",
            lit(key),
            lit(&p.unit),
            float(min),
            float(max)
        );
    }
    let _ = writeln!(out, "];\n");
    let _ = writeln!(
        out,
        "/// Keys for which a smaller value is better (\"better than\").\nconst LOWER_IS_BETTER: &[&str] = &["
    );
    for k in &lower {
        let _ = writeln!(out, "    {},", lit(k));
    }
    let _ = writeln!(out, "];\n");
    let is_role = |r: &str| r == "none" || keys.contains(r);

    // Units.
    let mut spellings = HashSet::new();
    let _ = writeln!(out, "/// Unit spellings.\nconst UNITS: &[UnitDef] = &[");
    for u in &f.unit {
        let Some((_, variant)) = DIMS.iter().find(|(n, _)| *n == u.dim.get_ref()) else {
            return Err(src.err(
                u.dim.span(),
                format!("unknown dimension '{}'", u.dim.get_ref()),
            ));
        };
        let factor = *u.factor.get_ref();
        if !(factor.is_finite() && factor > 0.0) {
            return Err(src.err(u.factor.span(), "factor must be a positive number"));
        }
        let role = match &u.default_role {
            Some(r) if !keys.contains(r.get_ref().as_str()) => {
                return Err(src.err(
                    r.span(),
                    format!("default_role '{}' is not a parameter key", r.get_ref()),
                ));
            }
            Some(r) => format!("Some({})", lit(r.get_ref())),
            None => "None".into(),
        };
        if u.spellings.is_empty() {
            return Err(src.err(u.dim.span(), "a unit group needs spellings"));
        }
        for s in &u.spellings {
            check_phrase(&src, s, "spelling", "/.^%°*\"'()-√,µ")?;
            if !spellings.insert(s.get_ref().clone()) {
                return Err(src.err(s.span(), format!("spelling '{}' twice", s.get_ref())));
            }
            let _ = writeln!(
                out,
                "    UnitDef {{ spelling: {}, dim: Dim::{variant}, factor: {}, default_role: {role} }},",
                lit(s.get_ref()),
                float(factor)
            );
        }
    }
    let _ = writeln!(out, "];\n");

    // Cue tables.
    for (name, _) in f.cue.keys().map(|k| (k, ())) {
        if !CUE_TABLES.iter().any(|(n, _)| n == name.get_ref()) {
            return Err(src.err(
                name.span(),
                format!("unknown cue table '{}'", name.get_ref()),
            ));
        }
    }
    for (name, constant) in CUE_TABLES {
        let Some((_, rows)) = f.cue.iter().find(|(k, _)| k.get_ref() == name) else {
            return Err(DataError {
                file: src.file.into(),
                line: 0,
                message: format!("cue table [[cue.{name}]] is missing"),
            });
        };
        let _ = writeln!(out, "const {constant}: &[(&str, &str)] = &[");
        let mut seen = HashSet::new();
        for r in rows {
            if !is_role(r.role.get_ref()) {
                return Err(src.err(
                    r.role.span(),
                    format!("role '{}' is not a parameter key or none", r.role.get_ref()),
                ));
            }
            for w in &r.words {
                check_phrase(&src, w, "cue", "*")?;
                if !seen.insert(w.get_ref().clone()) {
                    return Err(src.err(
                        w.span(),
                        format!("cue '{}' twice in cue.{name}", w.get_ref()),
                    ));
                }
                let _ = writeln!(
                    out,
                    "    ({}, {}),",
                    lit(w.get_ref()),
                    lit(r.role.get_ref())
                );
            }
        }
        let _ = writeln!(out, "];\n");
    }

    // Word sets.
    for k in f.words.keys() {
        if !UNIT_WORDS.contains(&k.get_ref().as_str()) {
            return Err(src.err(k.span(), format!("unknown word set '{}'", k.get_ref())));
        }
    }
    let _ = writeln!(
        out,
        "/// Word sets read by name.\n#[allow(dead_code)]\nstruct Words {{"
    );
    for name in UNIT_WORDS {
        let _ = writeln!(out, "    {name}: &'static [&'static str],");
    }
    let _ = writeln!(out, "}}\n\nconst WORDS: Words = Words {{");
    for name in UNIT_WORDS {
        let Some((_, words)) = f.words.iter().find(|(k, _)| k.get_ref() == name) else {
            return Err(DataError {
                file: src.file.into(),
                line: 0,
                message: format!("word set words.{name} is missing"),
            });
        };
        for w in words {
            check_phrase(&src, w, "word", "*")?;
        }
        let _ = writeln!(out, "    {name}: {},", str_slice(words));
    }
    let _ = writeln!(out, "}};\n");

    // Qualifiers.
    for (name, list) in [
        ("QUALIFIER_LESS", &f.qualifiers.less),
        ("QUALIFIER_GREATER", &f.qualifiers.greater),
        ("QUALIFIER_BETTER", &f.qualifiers.better),
    ] {
        for q in list {
            check_phrase(&src, q, "qualifier", "")?;
            if q.get_ref().split(' ').count() > 2 {
                return Err(src.err(q.span(), "a qualifier has one or two words"));
            }
        }
        let _ = writeln!(out, "const {name}: &[&str] = {};", str_slice(list));
    }
    let _ = writeln!(out);

    // Keywords.
    let _ = writeln!(out, "const KEYWORDS: &[(&str, &str)] = &[");
    for k in &f.keyword {
        if !keys.contains(k.param.get_ref().as_str()) {
            return Err(src.err(
                k.param.span(),
                format!(
                    "keyword param '{}' is not a parameter key",
                    k.param.get_ref()
                ),
            ));
        }
        for p in &k.phrases {
            check_phrase(&src, p, "keyword", "")?;
            if p.get_ref().split(' ').count() > 2 {
                return Err(src.err(p.span(), "a keyword has one or two words"));
            }
            let _ = writeln!(
                out,
                "    ({}, {}),",
                lit(p.get_ref()),
                lit(k.param.get_ref())
            );
        }
    }
    let _ = writeln!(out, "];\n");
    let _ = writeln!(out, "const ISO492_CLASSES: &[(i64, f64)] = &[");
    for c in &f.iso492_class {
        let _ = writeln!(out, "    ({}, {}),", c.class, float(f64::from(c.abec)));
    }
    let _ = writeln!(out, "];\n");
    let _ = writeln!(out, "const BEARING_CLASSES: &[(&str, f64)] = &[");
    for c in &f.bearing_class {
        check_phrase(&src, &c.word, "bearing class", "")?;
        let _ = writeln!(
            out,
            "    ({}, {}),",
            lit(c.word.get_ref()),
            float(f64::from(c.abec))
        );
    }
    let _ = writeln!(out, "];\n");
    let _ = writeln!(out, "const AXIS_WORDS: &[(&str, f64)] = &[");
    for a in &f.axis_words {
        for w in &a.words {
            check_phrase(&src, w, "axis word", "")?;
            let _ = writeln!(
                out,
                "    ({}, {}),",
                lit(w.get_ref()),
                float(f64::from(a.axes))
            );
        }
    }
    let _ = writeln!(out, "];\n");
    let _ = writeln!(
        out,
        "/// (phrase, key, value, text).\nconst IMPLIED: &[(&str, &str, f64, &str)] = &["
    );
    for i in &f.implied {
        if !keys.contains(i.param.get_ref().as_str()) {
            return Err(src.err(
                i.param.span(),
                format!(
                    "implied param '{}' is not a parameter key",
                    i.param.get_ref()
                ),
            ));
        }
        for p in &i.phrases {
            check_phrase(&src, p, "implied phrase", "")?;
            let _ = writeln!(
                out,
                "    ({}, {}, {}, {}),",
                lit(p.get_ref()),
                lit(i.param.get_ref()),
                float(i.value),
                lit(&i.text)
            );
        }
    }
    let _ = writeln!(out, "];\n");
    let _ = writeln!(out, "const FIBRE_DENSITIES: &[FibreDensity] = &[");
    for d in &f.fibre_density {
        let v = *d.density.get_ref();
        if !(v.is_finite() && v > 0.0) {
            return Err(src.err(d.density.span(), "density must be a positive number"));
        }
        for w in d.contains.iter().chain(&d.words) {
            check_phrase(&src, w, "fibre word", "")?;
        }
        let _ = writeln!(
            out,
            "    FibreDensity {{ name: {}, density: {}, contains: {}, words: {} }},",
            lit(&d.name),
            float(v),
            str_slice(&d.contains),
            str_slice(&d.words)
        );
    }
    let _ = writeln!(out, "];\n");

    // Features.
    let _ = writeln!(out, "const FEATURES: &[Feature] = &[");
    for ft in &f.feature {
        let key = ft.key.get_ref();
        if !keys.contains(key.as_str()) {
            return Err(src.err(
                ft.key.span(),
                format!("feature key '{key}' is not a parameter key"),
            ));
        }
        let v = *ft.value.get_ref();
        if v != 0.0 && v != 1.0 {
            return Err(src.err(ft.value.span(), "a feature value is 0 or 1"));
        }
        for w in ft.unless_before.iter().chain(&ft.unless_after) {
            check_phrase(&src, w, "word", "")?;
        }
        for p in &ft.phrases {
            check_phrase(&src, p, "feature phrase", "")?;
            let _ = writeln!(
                out,
                "    Feature {{ phrase: {}, key: {}, value: {}, unless_before: {}, unless_after: {} }},",
                lit(p.get_ref()),
                lit(key),
                float(v),
                str_slice(&ft.unless_before),
                str_slice(&ft.unless_after)
            );
        }
    }
    let _ = writeln!(out, "];");
    Ok(out)
}

// ---------------------------------------------------------------------------
// negation.toml

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NegationFile {
    before: Vec<Spanned<String>>,
    after: Vec<Spanned<String>>,
    transparent: Vec<Spanned<String>>,
    max_gap: Spanned<usize>,
    clause_words: Vec<Spanned<String>>,
}

/// Reads `negation.toml` and returns the Rust code of the shared list.
pub fn negation(text: &str) -> Result<String, DataError> {
    let src = Source {
        file: "negation.toml",
        text,
    };
    let f: NegationFile = src.parse()?;
    let mut seen = HashSet::new();
    for (what, list) in [
        ("before", &f.before),
        ("after", &f.after),
        ("transparent", &f.transparent),
        ("clause_words", &f.clause_words),
    ] {
        if list.is_empty() {
            return Err(DataError {
                file: src.file.into(),
                line: 0,
                message: format!("{what} is empty"),
            });
        }
        for w in list {
            check_phrase(&src, w, what, "")?;
            if w.get_ref().split(' ').count() > 2 {
                return Err(src.err(
                    w.span(),
                    format!("{what} '{}': at most two words", w.get_ref()),
                ));
            }
            if !seen.insert(w.get_ref().clone()) {
                return Err(src.err(
                    w.span(),
                    format!(
                        "'{}' is listed twice (cues, transparent and clause words are distinct)",
                        w.get_ref()
                    ),
                ));
            }
        }
    }
    if *f.max_gap.get_ref() > 10 {
        return Err(src.err(f.max_gap.span(), "max_gap must be at most 10"));
    }
    Ok(format!(
        "/// The shared negation list (from `control-lists/negation.toml`).\n\
         pub const SHARED: Negation = Negation {{\n    before: {},\n    after: {},\n    transparent: {},\n    max_gap: {},\n    clause_words: {},\n}};\n",
        str_slice(&f.before),
        str_slice(&f.after),
        str_slice(&f.transparent),
        f.max_gap.get_ref(),
        str_slice(&f.clause_words)
    ))
}

// ---------------------------------------------------------------------------
// item-words.toml

const ITEM_WORDS: &[&str] = &[
    "links",
    "purpose",
    "secondary",
    "accessory",
    "attribute",
    "generic",
    "coordinators",
    "heads",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemWordsFile {
    spelling: BTreeMap<Spanned<String>, Spanned<String>>,
    stems: BTreeMap<Spanned<String>, Spanned<String>>,
    words: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    abbreviation: Vec<AbbreviationRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AbbreviationRow {
    short: Spanned<String>,
    long: Spanned<String>,
    #[serde(default)]
    when: Vec<Spanned<String>>,
    #[serde(default)]
    unless: Vec<Spanned<String>>,
}

fn one_word(src: &Source<'_>, s: &Spanned<String>, what: &str) -> Result<(), DataError> {
    check_phrase(src, s, what, "")?;
    if s.get_ref().contains(' ') {
        return Err(src.err(
            s.span(),
            format!("{what} '{}' must be one word", s.get_ref()),
        ));
    }
    Ok(())
}

/// Reads `item-words.toml` and returns the Rust code of its tables.
pub fn item_words(text: &str) -> Result<String, DataError> {
    let src = Source {
        file: "item-words.toml",
        text,
    };
    let f: ItemWordsFile = src.parse()?;
    let mut out = String::new();
    for (name, map) in [("SPELLING", &f.spelling), ("STEMS", &f.stems)] {
        let _ = writeln!(
            out,
            "/// Sorted by the first word.\nconst {name}: &[(&str, &str)] = &["
        );
        for (k, v) in map {
            one_word(&src, k, "word")?;
            one_word(&src, v, "word")?;
            if k.get_ref() == v.get_ref() && name == "SPELLING" {
                return Err(src.err(k.span(), format!("'{}' maps to itself", k.get_ref())));
            }
            let _ = writeln!(out, "    ({}, {}),", lit(k.get_ref()), lit(v.get_ref()));
        }
        let _ = writeln!(out, "];\n");
    }
    for k in f.words.keys() {
        if !ITEM_WORDS.contains(&k.get_ref().as_str()) {
            return Err(src.err(k.span(), format!("unknown word set '{}'", k.get_ref())));
        }
    }
    let _ = writeln!(out, "/// Word sets read by name.\nstruct Words {{");
    for name in ITEM_WORDS {
        let _ = writeln!(out, "    {name}: &'static [&'static str],");
    }
    let _ = writeln!(out, "}}\n\nconst WORDS: Words = Words {{");
    for name in ITEM_WORDS {
        let Some((_, words)) = f.words.iter().find(|(k, _)| k.get_ref() == name) else {
            return Err(DataError {
                file: src.file.into(),
                line: 0,
                message: format!("word set words.{name} is missing"),
            });
        };
        for w in words {
            one_word(&src, w, "word")?;
        }
        let _ = writeln!(out, "    {name}: {},", str_slice(words));
    }
    let _ = writeln!(out, "}};\n");
    let mut shorts = HashSet::new();
    let mut rows: Vec<&AbbreviationRow> = f.abbreviation.iter().collect();
    rows.sort_by(|a, b| a.short.get_ref().cmp(b.short.get_ref()));
    let _ = writeln!(
        out,
        "/// Sorted by the abbreviation.\nconst ABBREVIATIONS: &[Abbreviation] = &["
    );
    for a in rows {
        one_word(&src, &a.short, "abbreviation")?;
        check_phrase(&src, &a.long, "expansion", "")?;
        if !shorts.insert(a.short.get_ref().clone()) {
            return Err(src.err(
                a.short.span(),
                format!("abbreviation '{}' twice", a.short.get_ref()),
            ));
        }
        if a.long.get_ref().split(' ').count() < 2 {
            return Err(src.err(a.long.span(), "an expansion has two words or more"));
        }
        for w in a.when.iter().chain(&a.unless) {
            one_word(&src, w, "guard word")?;
        }
        let _ = writeln!(
            out,
            "    Abbreviation {{ short: {}, long: {}, when: {}, unless: {} }},",
            lit(a.short.get_ref()),
            lit(a.long.get_ref()),
            str_slice(&a.when),
            str_slice(&a.unless)
        );
    }
    let _ = writeln!(out, "];");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNITS: &str = include_str!("../../../control-lists/units.toml");
    const NEGATION: &str = include_str!("../../../control-lists/negation.toml");
    const ITEM_WORDS: &str = include_str!("../../../control-lists/item-words.toml");

    #[test]
    fn the_bundled_files_are_sound() {
        let units = units(UNITS).unwrap();
        assert!(units.contains("pub const PARAMS: &[ParamSpec]"));
        assert!(units.contains("\"flow_l_min\""));
        assert!(negation(NEGATION).unwrap().contains("pub const SHARED"));
        assert!(item_words(ITEM_WORDS).unwrap().contains("ABBREVIATIONS"));
    }

    /// Breaks one line of a bundled file and expects the error on that line.
    fn broken(file: &str, from: &str, to: &str) -> (usize, DataError) {
        let at = file.find(from).expect("text to break is in the file");
        let line = file[..at].matches('\n').count() + 1;
        let text = file.replacen(from, to, 1);
        let err = if file == UNITS {
            units(&text).unwrap_err()
        } else if file == NEGATION {
            negation(&text).unwrap_err()
        } else {
            item_words(&text).unwrap_err()
        };
        (line, err)
    }

    #[test]
    fn mistakes_name_file_and_line() {
        let cases: &[(&str, &str, &str, &str, &str)] = &[
            (
                UNITS,
                "dim = \"flow\"",
                "dim = \"flw\"",
                "units.toml",
                "unknown dimension 'flw'",
            ),
            (
                UNITS,
                "role = \"range_km\"",
                "role = \"range\"",
                "units.toml",
                "not a parameter key",
            ),
            (
                UNITS,
                "key = \"slip_rings\"\nvalue = 1",
                "key = \"slip_ring\"\nvalue = 1",
                "units.toml",
                "feature key 'slip_ring'",
            ),
            (
                UNITS,
                "factor = 0.001\nspellings = [\"mm\"",
                "factor = -1\nspellings = [\"mm\"",
                "units.toml",
                "positive",
            ),
            (UNITS, "\"lpm\"", "\"LPM\"", "units.toml", "lower-case"),
            (
                UNITS,
                "\"kms\"",
                "\"km\"",
                "units.toml",
                "spelling 'km' twice",
            ),
            (
                UNITS,
                "engine = [",
                "engines = [",
                "units.toml",
                "unknown word set 'engines'",
            ),
            (
                NEGATION,
                "\"without\",",
                "\"without\", \"not\",",
                "negation.toml",
                "'not' is listed twice",
            ),
            (
                NEGATION,
                "max_gap = 4",
                "max_gap = 40",
                "negation.toml",
                "max_gap",
            ),
            (
                ITEM_WORDS,
                "short = \"srm\"",
                "short = \"s r m\"",
                "item-words.toml",
                "must be one word",
            ),
            (
                ITEM_WORDS,
                "long = \"solid rocket motor\"",
                "long = \"motor\"",
                "item-words.toml",
                "two words or more",
            ),
            (
                ITEM_WORDS,
                "fibre = \"fiber\"",
                "fibre = \"fibre\"",
                "item-words.toml",
                "maps to itself",
            ),
        ];
        for (file, from, to, name, says) in cases {
            let (line, err) = broken(file, from, to);
            assert_eq!(err.file, *name, "{from}");
            assert!(err.message.contains(says), "{from}: {err}");
            assert_eq!(err.line, line, "{from}: {err}");
            assert!(
                err.to_string()
                    .contains(&format!("control-lists/{name}, line {line}"))
            );
        }
        // Syntax errors carry their line too.
        let (line, err) = broken(
            UNITS,
            "[[unit]]\ndim = \"length\"",
            "[[unit]\ndim = \"length\"",
        );
        assert_eq!((err.file.as_str(), err.line), ("units.toml", line), "{err}");
        // A missing table is named.
        let err = units(&UNITS.replace("[[cue.time]]", "[[cue.tyme]]")).unwrap_err();
        assert!(err.message.contains("tyme"), "{err}");
    }
}
