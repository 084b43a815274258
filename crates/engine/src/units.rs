//! Numbers with units in free-text item descriptions -> canonical technical
//! parameters (`flow_l_min`, `bias_stability_deg_h`, `total_impulse_ns` ...).
//!
//! ERP lines carry their figures inside the text ("servo valve 30 l/min
//! 10 MPa", "2.6 gpm at 50 bar", "0.1 deg/h", "1.5 MN.s", "99.7 % Al").
//! [`extract`] finds every number, reads the unit after it (or a keyword
//! before it: "Mach 0.2", "ABEC-7"), converts it to the canonical unit of a
//! parameter key and decides the number's role from the unit and the words
//! around it: "%" next to "hydrazine" is a concentration, "% Al" a purity;
//! "kN" with "thrust" is thrust, with "shaker" a force; "deg/h" is a gyro's
//! bias stability. A few feature words become 0/1 parameters
//! (`numerical_control`, `slip_rings`, `spherical` ...), so that control-list
//! rules can ask for them like for any other figure.
//!
//! [`Params::build`] merges the item's explicit parameters (which take
//! precedence) with the text readings and adds derived values (range from an
//! apogee, accuracy in % of range from a CEP, specific strength from a
//! tensile strength and a density).

use std::fmt::Write as _;
use std::sync::OnceLock;

use crate::negation;
use crate::word_filter::WordSet;

use aho_corasick::AhoCorasick;
use rustc_hash::FxHashMap;

use unicode_normalization::UnicodeNormalization;

/// A canonical parameter key.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamSpec {
    /// The key, with its unit in the name (`flow_l_min`).
    pub key: &'static str,
    /// The canonical unit, for explanations (`L/min`).
    pub unit: &'static str,
    /// Smallest physically meaningful value (inclusive).
    pub min: f64,
    /// Largest physically meaningful value (inclusive; infinite: no bound).
    pub max: f64,
}

impl ParamSpec {
    /// True when `value` lies in the key's range.
    pub fn admits(&self, value: f64) -> bool {
        value >= self.min && value <= self.max
    }
}

/// One unit spelling: dimension, factor to the dimension's base unit and
/// the role a figure in it has when no cue says otherwise.
#[derive(Clone, Copy, Debug)]
struct UnitDef {
    spelling: &'static str,
    dim: Dim,
    factor: f64,
    default_role: Option<&'static str>,
}

/// A feature phrase and the flag value it states.
#[derive(Clone, Copy, Debug)]
struct Feature {
    phrase: &'static str,
    key: &'static str,
    value: f64,
    /// A word right before the phrase that makes it mean something else.
    unless_before: &'static [&'static str],
    /// A word right after it that does the same.
    unless_after: &'static [&'static str],
}

/// A density assumed for fibre goods.
#[derive(Clone, Copy, Debug)]
struct FibreDensity {
    name: &'static str,
    density: f64,
    /// Parts of words that name the fibre.
    contains: &'static [&'static str],
    /// Whole words that name it.
    words: &'static [&'static str],
}

// The tables of `control-lists/units.toml`, checked and written as Rust by
// `build.rs`: `PARAMS` (every parameter key a control-list rule may use,
// with its unit and physical range: a key without a range written there is
// a magnitude, `[0, inf]`; percentages are `[0, 100]`, temperatures start at
// absolute zero, flags are 0 or 1), `LOWER_IS_BETTER`, `UNITS`, the cue
// tables, `WORDS`, the qualifiers, keywords, classes, axis words, implied
// figures, fibre densities and `FEATURES`.
include!(concat!(env!("OUT_DIR"), "/units_toml.rs"));

/// The spec of a known key.
pub fn spec(key: &str) -> Option<&'static ParamSpec> {
    // Looked up for every figure written into an explanation: a hash, not a
    // scan of some seventy keys (keys are unique: see the tests).
    static BY_KEY: OnceLock<FxHashMap<&'static str, &'static ParamSpec>> = OnceLock::new();
    BY_KEY
        .get_or_init(|| {
            let mut m = FxHashMap::default();
            for p in PARAMS {
                // The first spec of a key wins, as a scan in order would.
                m.entry(p.key).or_insert(p);
            }
            m
        })
        .get(key)
        .copied()
}

/// True when `key` is a canonical parameter key.
pub fn is_known(key: &str) -> bool {
    spec(key).is_some()
}

/// Formats `value` with the unit of `key` ("30 L/min", "0.1 deg/h").
pub fn format_value(key: &str, value: f64) -> String {
    let mut s = String::new();
    write_value(&mut s, key, value);
    s
}

/// Appends [`format_value`]'s text to `out` (no string of its own).
pub fn write_value(out: &mut String, key: &str, value: f64) {
    match spec(key).map(|s| s.unit) {
        Some("flag") => out.push_str(if value >= 0.5 { "yes" } else { "no" }),
        Some("") | None => write_number(out, value),
        Some(unit) => {
            write_number(out, value);
            out.push(' ');
            out.push_str(unit);
        }
    }
}

/// A number without trailing zeros; large and tiny values in exponent form.
pub fn format_number(value: f64) -> String {
    let mut s = String::new();
    write_number(&mut s, value);
    s
}

/// Appends [`format_number`]'s text to `out` (no string of its own).
pub fn write_number(out: &mut String, value: f64) {
    let a = value.abs();
    if a != 0.0 && !(1e-3..1e7).contains(&a) {
        let _ = write!(out, "{value:e}");
        return;
    }
    if value.fract() == 0.0 {
        // A whole number: what the trimming below leaves ("-0" is "0").
        write_integer(out, value as i64);
        return;
    }
    // The shortest form that reads back as `value` (fast) is what rounding
    // to four decimals gives whenever it has at most four: the value lies
    // within half a unit of its last place (below 1e-9 here) of that form.
    let from = out.len();
    let _ = write!(out, "{value}");
    if out[from..]
        .split_once('.')
        .is_some_and(|(_, decimals)| decimals.len() <= 4)
    {
        return;
    }
    // Rounded to four decimals, trailing zeros dropped.
    out.truncate(from);
    let _ = write!(out, "{value:.4}");
    let len = out[from..]
        .trim_end_matches('0')
        .trim_end_matches('.')
        .len();
    out.truncate(from + len);
    if &out[from..] == "-0" {
        out.truncate(from);
        out.push('0');
    }
}

/// Appends `n` in decimal, as `write!(out, "{n}")` would, without the
/// formatting machinery (whole figures are the common case).
fn write_integer(out: &mut String, n: i64) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// One parameter read from the text.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    /// Canonical key.
    pub key: &'static str,
    /// Value in the key's canonical unit.
    pub value: f64,
    /// The words of the description it was read from ("2.6 gpm").
    pub text: String,
}

/// Where a parameter value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Sent with the item.
    Explicit,
    /// Read from the description.
    Text,
    /// Computed from other values.
    Derived,
}

/// One parameter with all the values found for it.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Canonical key (explicit keys are kept as sent).
    pub key: String,
    /// Values in the canonical unit (several when the text gives a range or
    /// repeats the figure).
    pub values: Vec<f64>,
    /// Where the values came from.
    pub source: Source,
    /// The words read, or how the value was derived.
    pub text: String,
}

/// The parameters of one item: explicit ones, text readings and derived
/// values, sorted by key.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params {
    params: Vec<Param>,
}

impl Params {
    /// Merges explicit parameters (precedence) with what the text says and
    /// adds derived values.
    pub fn build(explicit: &[(String, f64)], text: &str) -> Params {
        let mut params: Vec<Param> = Vec::new();
        for (k, v) in explicit {
            if !v.is_finite() {
                continue;
            }
            match params.iter_mut().find(|p| p.key == *k) {
                Some(p) => p.values.push(*v),
                None => params.push(Param {
                    key: k.clone(),
                    values: vec![*v],
                    source: Source::Explicit,
                    text: String::new(),
                }),
            }
        }
        let readings = extract(text);
        for r in &readings {
            match params.iter_mut().find(|p| p.key == r.key) {
                Some(p) if p.source == Source::Explicit => {}
                Some(p) => {
                    if !p.values.contains(&r.value) {
                        p.values.push(r.value);
                    }
                    if !p.text.contains(&r.text) {
                        p.text.push_str(", ");
                        p.text.push_str(&r.text);
                    }
                }
                None => params.push(Param {
                    key: r.key.to_string(),
                    values: vec![r.value],
                    source: Source::Text,
                    text: r.text.clone(),
                }),
            }
        }
        let mut out = Params { params };
        out.derive(text, &readings);
        out.params.sort_by(|a, b| a.key.cmp(&b.key));
        out
    }

    /// All parameters, sorted by key.
    pub fn all(&self) -> &[Param] {
        &self.params
    }

    /// The parameter `key`, if known.
    pub fn get(&self, key: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.key == key)
    }

    /// True when no parameter is known.
    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }

    fn first(&self, key: &str) -> Option<f64> {
        self.get(key).and_then(|p| p.values.first().copied())
    }

    fn add_derived(&mut self, key: &str, value: f64, how: String) {
        if value.is_finite() && self.get(key).is_none() {
            self.params.push(Param {
                key: key.to_string(),
                values: vec![value],
                source: Source::Derived,
                text: how,
            });
        }
    }

    fn derive(&mut self, text: &str, readings: &[Reading]) {
        // Apogee is not range: a sounding rocket's ground range is roughly
        // twice its apogee. When the explicit range merely repeats the
        // apogee of the text, the apogee rule applies too.
        if let Some(apogee) = readings.iter().find(|r| r.key == "apogee_km") {
            let range_from_text = readings.iter().any(|r| r.key == "range_km");
            let doubled = apogee.value * 2.0;
            let how = format!("twice the apogee '{}'", apogee.text);
            match self.params.iter_mut().find(|p| p.key == "range_km") {
                None => self.add_derived("range_km", doubled, how),
                Some(p)
                    if !range_from_text
                        && p.values.len() == 1
                        && (p.values[0] - apogee.value).abs() < 1e-9 =>
                {
                    p.values = vec![doubled];
                    p.source = Source::Derived;
                    p.text = how;
                }
                Some(_) => {}
            }
        }
        if let (Some(cep), Some(range)) = (self.first("cep_m"), self.first("range_km")) {
            if range > 0.0 {
                let pct = cep / 1000.0 / range * 100.0;
                let how = format!(
                    "CEP {} m over a {} km range",
                    format_number(cep),
                    format_number(range)
                );
                self.add_derived("accuracy_pct_range", pct, how);
            }
        }
        // A purity stated for a propellant is its concentration, and back.
        for (from, to) in [
            ("purity_pct", "concentration_pct"),
            ("concentration_pct", "purity_pct"),
        ] {
            if let (Some(v), None) = (self.first(from), self.get(to)) {
                self.add_derived(to, v, format!("same as {from}"));
            }
        }
        // The density only divides a strength or a modulus: without either
        // there is nothing to derive (and the text is not read again).
        if self.get("uts_gpa").is_none() && self.get("modulus_gpa").is_none() {
            return;
        }
        let assumed_note;
        let (density, assumed) = match self.first("density_g_cc") {
            Some(d) => (Some(d), ""),
            None => {
                let lower = text.to_lowercase();
                let words: Vec<&str> = lower
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .collect();
                let assumed = any_cue(&words, WORDS.fibre)
                    .then(|| {
                        FIBRE_DENSITIES.iter().find(|f| {
                            f.contains.iter().any(|c| lower.contains(c))
                                || words.iter().any(|w| f.words.contains(w))
                        })
                    })
                    .flatten();
                match assumed {
                    Some(f) => {
                        assumed_note = format!(
                            " (assumed {} density {} g/cm³)",
                            f.name,
                            format_number(f.density)
                        );
                        (Some(f.density), assumed_note.as_str())
                    }
                    None => (None, ""),
                }
            }
        };
        if let Some(d) = density.filter(|d| *d > 0.0) {
            let to_m = |gpa: f64| gpa * 1e9 / (d * 1000.0 * 9.80665);
            if let Some(uts) = self.first("uts_gpa") {
                let how = format!(
                    "tensile strength {} GPa / density{assumed}",
                    format_number(uts)
                );
                self.add_derived("specific_strength_m", to_m(uts), how);
            }
            if let Some(m) = self.first("modulus_gpa") {
                let how = format!("modulus {} GPa / density{assumed}", format_number(m));
                self.add_derived("specific_modulus_m", to_m(m), how);
            }
        }
    }

    /// "k1=v1 (text), k2=v2 ..." for the parameters of `source`.
    pub fn describe(&self, source: Source) -> String {
        self.describe_only(source, |_| true)
    }

    /// Like [`Params::describe`], for the keys `keep` accepts.
    pub fn describe_only(&self, source: Source, keep: impl Fn(&str) -> bool) -> String {
        let mut s = String::new();
        self.describe_into(&mut s, "", "", source, keep);
        s
    }

    /// Appends `before`, [`Params::describe_only`]'s text and `after` to
    /// `out` when that text is not empty (nothing otherwise).
    pub fn describe_into(
        &self,
        out: &mut String,
        before: &str,
        after: &str,
        source: Source,
        keep: impl Fn(&str) -> bool,
    ) {
        let mut any = false;
        for p in self
            .params
            .iter()
            .filter(|p| p.source == source && keep(&p.key))
        {
            out.push_str(if any { "; " } else { before });
            any = true;
            out.push_str(&p.key);
            out.push(' ');
            for (i, v) in p.values.iter().enumerate() {
                if i > 0 {
                    out.push('/');
                }
                write_value(out, &p.key, *v);
            }
            if !p.text.is_empty() {
                out.push_str(" ('");
                out.push_str(&p.text);
                out.push_str("')");
            }
        }
        if any {
            out.push_str(after);
        }
    }
}

// ---------------------------------------------------------------------------
// Text preparation

/// The description as lower-case ASCII-ish characters, with the original
/// byte offset and case of each.
///
/// Almost every prepared char is ASCII: one byte each in `ascii`, and the
/// few others ('°', '±', '√' ...) on the side in `wide`, so that building
/// it pushes one byte and one offset per char (runs of ASCII at once) and
/// reading a char is reading a byte.
struct Prepared<'a> {
    original: &'a str,
    /// One byte per prepared char: the char when ASCII, NUL otherwise, so
    /// that runs of word chars are `&str` slices.
    ascii: String,
    /// The prepared chars that are not ASCII: (index, char), by index.
    wide: Vec<(usize, char)>,
    /// Byte offset in `original` of each prepared char.
    orig: Vec<usize>,
    /// Indices of the upper-case chars read from a non-ASCII original char
    /// (the case of the others is that of their original ASCII byte).
    upper_wide: Vec<usize>,
}

impl<'a> Prepared<'a> {
    fn new(original: &'a str) -> Prepared<'a> {
        let mut p = Prepared {
            original,
            ascii: String::with_capacity(original.len()),
            wide: Vec::new(),
            orig: Vec::with_capacity(original.len()),
            upper_wide: Vec::new(),
        };
        let bytes = original.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let b = bytes[at];
            if b.is_ascii() {
                // Most chars: one byte, no char decoded.
                if b.is_ascii_whitespace() {
                    p.push_space(at);
                    at += 1;
                    continue;
                }
                // A run of other ASCII chars: copied and lower-cased at once.
                let start = at;
                at = bytes[at..]
                    .iter()
                    .position(|b| !b.is_ascii() || b.is_ascii_whitespace())
                    .map_or(bytes.len(), |k| at + k);
                let from = p.ascii.len();
                p.ascii.push_str(&original[start..at]);
                p.ascii[from..].make_ascii_lowercase();
                p.orig.extend(start..at);
                continue;
            }
            // `at` is a char boundary: every ASCII byte is one char.
            let Some(c) = original[at..].chars().next() else {
                break;
            };
            let up = c.is_uppercase();
            let next = at + c.len_utf8();
            match c {
                '\u{b5}' | '\u{3bc}' | '\u{39c}' => p.push('u', at, false),
                '\u{b0}' | '\u{ba}' | '\u{2da}' => p.push('°', at, false),
                '\u{b7}' | '\u{2022}' | '\u{22c5}' | '\u{2219}' => p.push('.', at, false),
                '\u{d7}' => p.push('x', at, false),
                '\u{2212}' | '\u{2013}' | '\u{2014}' | '\u{2010}' | '\u{2011}' => {
                    p.push('-', at, false)
                }
                '\u{2264}' => p.push_str("<=", at),
                '\u{2265}' => p.push_str(">=", at),
                '\u{b1}' => p.push('±', at, false),
                '\u{2033}' => p.push('"', at, false),
                '\u{2032}' => p.push('\'', at, false),
                '\u{2248}' | '\u{223c}' => p.push('~', at, false),
                '\u{2026}' => p.push_str("...", at),
                '\u{221a}' => p.push('√', at, false),
                '\u{d8}' | '\u{f8}' | '\u{2300}' => p.push_str(" dia ", at),
                '\u{2070}' | '\u{b9}' | '\u{b2}' | '\u{b3}' | '\u{2074}'..='\u{2079}' => {
                    let d = c.nfkc().next().unwrap_or('0');
                    p.push('^', at, false);
                    p.push(d, at, false);
                }
                '\u{207b}' => {
                    p.push('^', at, false);
                    p.push('-', at, false);
                }
                c if c.is_whitespace() => p.push_space(at),
                c => {
                    let folded: String = c.nfkc().collect();
                    let mut any = false;
                    for f in folded.chars() {
                        if f.is_ascii() {
                            p.push(f.to_ascii_lowercase(), at, f.is_ascii_uppercase());
                            any = true;
                        } else if let Some(s) = deunicode::deunicode_char(f) {
                            for g in s.chars() {
                                p.push(g.to_ascii_lowercase(), at, up);
                                any = true;
                            }
                        }
                    }
                    if !any {
                        p.push_space(at);
                    }
                }
            }
            at = next;
        }
        p
    }

    /// Pushes a char read from the non-ASCII original char at `at`.
    #[inline]
    fn push(&mut self, c: char, at: usize, up: bool) {
        let i = self.ascii.len();
        if c.is_ascii() {
            self.ascii.push(c);
        } else {
            self.ascii.push('\0');
            self.wide.push((i, c));
        }
        self.orig.push(at);
        if up {
            self.upper_wide.push(i);
        }
    }

    fn push_str(&mut self, s: &str, at: usize) {
        for c in s.chars() {
            if c == ' ' {
                self.push_space(at);
            } else {
                self.push(c, at, false);
            }
        }
    }

    fn push_space(&mut self, at: usize) {
        if self.ascii.as_bytes().last().is_some_and(|b| *b != b' ') {
            self.ascii.push(' ');
            self.orig.push(at);
        }
    }

    fn len(&self) -> usize {
        self.ascii.len()
    }

    /// The prepared bytes (NUL for a non-ASCII char).
    fn bytes(&self) -> &[u8] {
        self.ascii.as_bytes()
    }

    /// True when prepared char `i` is upper case in the original.
    fn upper(&self, i: usize) -> bool {
        let Some(&at) = self.orig.get(i) else {
            return false;
        };
        match self.original.as_bytes().get(at) {
            Some(b) if b.is_ascii() => b.is_ascii_uppercase(),
            _ => self.upper_wide.binary_search(&i).is_ok(),
        }
    }

    /// Prepared chars `[start, end)` as text; only for runs of ASCII chars
    /// (words), which are the same in [`Prepared::ascii`].
    fn word(&self, start: usize, end: usize) -> &str {
        &self.ascii[start..end]
    }

    fn at(&self, i: usize) -> char {
        match self.bytes().get(i) {
            Some(0) => self
                .wide
                .binary_search_by_key(&i, |w| w.0)
                .map_or('\0', |k| self.wide[k].1),
            Some(b) => char::from(*b),
            None => '\0',
        }
    }

    fn starts_with(&self, i: usize, pat: &str) -> bool {
        (i..).zip(pat.chars()).all(|(j, c)| self.at(j) == c)
    }

    /// The original text of prepared chars `[start, end)`.
    fn original_text(&self, start: usize, end: usize) -> &'a str {
        if start >= end || start >= self.len() {
            return "";
        }
        let from = self.orig[start];
        let last = self.orig[(end - 1).min(self.len() - 1)];
        let to = self.original[last..]
            .char_indices()
            .nth(1)
            .map(|(o, _)| last + o)
            .unwrap_or(self.original.len());
        self.original[from..to].trim()
    }
}

// Word chars and clause breaks are ASCII: they are read on the prepared
// bytes, where a char that is not ASCII is a NUL (neither).
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn is_clause_break(b: u8) -> bool {
    matches!(b, b',' | b';' | b'|' | b'\n')
}

// ---------------------------------------------------------------------------
// Units

/// Physical dimension of a unit (or the ambiguity to resolve).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dim {
    Length,
    Mass,
    /// Bare "g": gram or g-force.
    Gram,
    GForce,
    GForceRms,
    Force,
    /// "mn": milli- or mega-newton (decided by case).
    MilliMegaNewton,
    Impulse,
    /// Bare "ns": newton-second only with an impulse cue.
    NanoOrImpulse,
    Pressure,
    Flow,
    Time,
    AngRate,
    AngRateS,
    RandomWalk,
    Angle,
    /// "mrad": milliradian or megarad; "rad": radian or rad of dose.
    MradAmbiguous,
    RadAmbiguous,
    MicroG,
    /// "mg": milligram or milli-g.
    MilliG,
    Ppm,
    Percent,
    Density,
    TempC,
    TempF,
    TempK,
    Energy,
    EnergyDensity,
    Power,
    /// "mw": milli- or mega-watt.
    MilliMegaWatt,
    Rpm,
    Velocity,
    Dose,
    Gravity,
    Volume,
    Sfc,
    Bits,
    Axes,
    Frequency,
    Sound,
    Hydroxyl,
    Viscosity,
    /// Bare "P": poise only next to "viscosity".
    PoiseBare,
    Mesh,
}

/// A unit found after a number.
#[derive(Clone, Copy, Debug)]
struct UnitHit {
    dim: Dim,
    factor: f64,
    default_role: Option<&'static str>,
    start: usize,
    end: usize,
}

/// A unit spelling as chars.
struct UnitSpelling {
    chars: Vec<char>,
    /// The spelling is ASCII: compared as bytes with [`Prepared::ascii`].
    ascii: bool,
    def: &'static UnitDef,
}

/// The unit spellings by their first two chars (one-char spellings apart),
/// each bucket longest first: a figure looks at the few spellings that can
/// fit, not at every one sharing its first char (some eighty start with 'm').
#[derive(Default)]
struct UnitTable {
    pairs: FxHashMap<(char, char), Vec<UnitSpelling>>,
    singles: FxHashMap<char, Vec<UnitSpelling>>,
}

fn unit_table() -> &'static UnitTable {
    // Looked up at every figure: a cheap hash (the table is ours, not input).
    static TABLE: OnceLock<UnitTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = UnitTable::default();
        for def in UNITS {
            let chars: Vec<char> = def.spelling.chars().collect();
            // No spelling holds a NUL (what `Prepared::ascii` has for a
            // char that is not ASCII): ASCII ones compare as bytes.
            let ascii = def.spelling.bytes().all(|b| b.is_ascii() && b != 0);
            match *chars.as_slice() {
                [] => {}
                [a] => t
                    .singles
                    .entry(a)
                    .or_default()
                    .push(UnitSpelling { chars, ascii, def }),
                [a, b, ..] => {
                    t.pairs
                        .entry((a, b))
                        .or_default()
                        .push(UnitSpelling { chars, ascii, def })
                }
            }
        }
        // Longest spelling first (stable: the table's order among equals),
        // so that the first one that fits is the longest.
        for bucket in t.pairs.values_mut() {
            bucket.sort_by_key(|u| std::cmp::Reverse(u.chars.len()));
        }
        t
    })
}

/// Longest unit spelled at `i` that ends at a word boundary.
fn unit_at(p: &Prepared<'_>, i: usize) -> Option<UnitHit> {
    if i >= p.len() {
        return None;
    }
    let first = p.at(i);
    let table = unit_table();
    // Spellings of two chars or more (longest first), then those of one:
    // the order of one list of all spellings by length.
    let longer = (i + 1 < p.len())
        .then(|| table.pairs.get(&(first, p.at(i + 1))))
        .flatten()
        .map_or(&[][..], |b| b.as_slice());
    let single = table.singles.get(&first).map_or(&[][..], |b| b.as_slice());
    let rest = &p.bytes()[i..];
    for u in longer.iter().chain(single) {
        let spelled = if u.ascii {
            rest.starts_with(u.def.spelling.as_bytes())
        } else {
            i + u.chars.len() <= p.len() && (i..).zip(&u.chars).all(|(j, c)| p.at(j) == *c)
        };
        if !spelled {
            continue;
        }
        let end = i + u.chars.len();
        let next = p.at(end);
        let last = u.chars.last().copied().unwrap_or(' ');
        if next.is_ascii_alphabetic() && last.is_ascii_alphanumeric() {
            continue;
        }
        if next.is_ascii_digit() && last.is_ascii_alphabetic() && !u.chars.contains(&'/') {
            // "m3" is spelled in the table; "m2x" is not a unit.
            continue;
        }
        // Buckets hold the longest spellings first: this is the longest.
        return Some(UnitHit {
            dim: u.def.dim,
            factor: u.def.factor,
            default_role: u.def.default_role,
            start: i,
            end,
        });
    }
    None
}

// ---------------------------------------------------------------------------
// Numbers

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Qualifier {
    None,
    Less,
    Greater,
    Better,
}

#[derive(Clone, Debug)]
struct Num {
    start: usize,
    end: usize,
    value: f64,
    unit: Option<UnitHit>,
    qualifier: Qualifier,
    /// The lower end of a range ("-54 to +125 °C").
    range_lower: bool,
    range_upper: bool,
}

/// Parses a number at `i` ("20,000", "1.5", "1.1e6", "1.1 x 10^6", "-54").
fn number_at(p: &Prepared<'_>, i: usize) -> Option<(f64, usize)> {
    let mut j = i;
    let mut neg = false;
    match p.at(j) {
        '-' | '+' | '±' => {
            neg = p.at(j) == '-';
            j += 1;
        }
        _ => {}
    }
    let digits_from = j;
    // The figure is read from the prepared text `[digits_from, j)` as it
    // stands, unless it holds thousands separators (dropped) or a decimal
    // comma (read as '.').
    let mut thousands = false;
    let mut decimal_comma = false;
    while p.at(j).is_ascii_digit() {
        j += 1;
        // Thousands separators: ",ddd" not followed by another digit.
        if p.at(j) == ','
            && (1..=3).all(|k| p.at(j + k).is_ascii_digit())
            && !p.at(j + 4).is_ascii_digit()
            && j - digits_from <= 3
            && p.at(digits_from) != '0'
        {
            thousands = true;
            j += 4;
            while p.at(j) == ','
                && (1..=3).all(|k| p.at(j + k).is_ascii_digit())
                && !p.at(j + 4).is_ascii_digit()
            {
                j += 4;
            }
            break;
        }
    }
    if p.at(j) == '.' && p.at(j + 1).is_ascii_digit() {
        j += 1;
        while p.at(j).is_ascii_digit() {
            j += 1;
        }
    } else if p.at(j) == ','
        && p.at(j + 1).is_ascii_digit()
        && !p.at(j + 2).is_ascii_digit()
        && j > digits_from
    {
        // European decimal comma: "1,5 MPa".
        decimal_comma = true;
        j += 2;
    }
    if j == digits_from {
        return None;
    }
    // ASCII digits, ',' and '.': a slice of the (ASCII) prepared text.
    let digits = p.ascii.get(digits_from..j)?;
    let mut value: f64 = if thousands || decimal_comma {
        // The decimal comma is the last but one char.
        let point = digits.len() - 2;
        let text: String = digits
            .char_indices()
            .filter_map(|(k, c)| match c {
                ',' if decimal_comma && k == point => Some('.'),
                ',' => None,
                c => Some(c),
            })
            .collect();
        text.parse().ok()?
    } else {
        digits.parse().ok()?
    };
    // Exponent: "1.1e6", "1.1 x 10^6", "5x10^5", "1.1*10e6".
    if p.at(j) == 'e'
        && (p.at(j + 1).is_ascii_digit()
            || (matches!(p.at(j + 1), '-' | '+') && p.at(j + 2).is_ascii_digit()))
    {
        let (exp, k) = exponent(p, j + 1)?;
        value *= 10f64.powi(exp);
        j = k;
    } else {
        let mut k = j;
        if p.at(k) == ' ' {
            k += 1;
        }
        if matches!(p.at(k), 'x' | '*' | '.') {
            k += 1;
            if p.at(k) == ' ' {
                k += 1;
            }
            if p.starts_with(k, "10^") || p.starts_with(k, "10e") {
                if let Some((exp, end)) = exponent(p, k + 3) {
                    value *= 10f64.powi(exp);
                    j = end;
                }
            }
        }
    }
    if neg {
        value = -value;
    }
    Some((value, j))
}

fn exponent(p: &Prepared<'_>, mut j: usize) -> Option<(i32, usize)> {
    let mut s = String::new();
    if matches!(p.at(j), '-' | '+') {
        s.push(p.at(j));
        j += 1;
    }
    while p.at(j).is_ascii_digit() {
        s.push(p.at(j));
        j += 1;
    }
    let e: i32 = s.parse().ok()?;
    (e.abs() <= 30).then_some((e, j))
}

/// Up to [`Near::CAP`] words of the text, nearest first, kept inline (no
/// allocation per figure); reads as a slice.
#[derive(Clone, Copy)]
struct Near<'p> {
    words: [&'p str; Near::CAP],
    len: usize,
}

impl<'p> Near<'p> {
    /// The most words any caller asks for.
    const CAP: usize = 8;

    fn new() -> Near<'p> {
        Near {
            words: [""; Near::CAP],
            len: 0,
        }
    }

    fn push(&mut self, w: &'p str) {
        self.words[self.len] = w;
        self.len += 1;
    }
}

impl<'p> std::ops::Deref for Near<'p> {
    type Target = [&'p str];

    fn deref(&self) -> &[&'p str] {
        &self.words[..self.len]
    }
}

/// Words before `i` in the same clause, nearest first, stopping at a number.
fn words_before<'p>(p: &'p Prepared<'_>, i: usize, max: usize) -> Near<'p> {
    let max = max.min(Near::CAP);
    let mut out = Near::new();
    let bytes = p.bytes();
    let mut j = i.min(bytes.len());
    while j > 0 && out.len < max {
        j -= 1;
        let c = bytes[j];
        if is_clause_break(c) {
            break;
        }
        if !is_word_byte(c) {
            continue;
        }
        let end = j + 1;
        while j > 0 && is_word_byte(bytes[j - 1]) {
            j -= 1;
        }
        let w = p.word(j, end);
        if w.starts_with(|c: char| c.is_ascii_digit()) {
            break;
        }
        out.push(w);
    }
    out
}

/// Words after `i` in the same clause, nearest first, stopping at a number.
fn words_after<'p>(p: &'p Prepared<'_>, i: usize, max: usize) -> Near<'p> {
    let max = max.min(Near::CAP);
    let mut out = Near::new();
    let bytes = p.bytes();
    let mut j = i;
    while j < bytes.len() && out.len < max {
        let c = bytes[j];
        if is_clause_break(c) {
            break;
        }
        if !is_word_byte(c) {
            j += 1;
            continue;
        }
        let start = j;
        while j < bytes.len() && is_word_byte(bytes[j]) {
            j += 1;
        }
        let w = p.word(start, j);
        if w.starts_with(|c: char| c.is_ascii_digit()) {
            break;
        }
        out.push(w);
    }
    out
}

/// Char index where the `count`-th word before `i` (same clause) starts.
fn words_start_before(p: &Prepared<'_>, i: usize, count: usize) -> usize {
    let bytes = p.bytes();
    let mut j = i.min(bytes.len());
    let mut start = i;
    let mut seen = 0;
    while j > 0 && seen < count {
        j -= 1;
        let c = bytes[j];
        if is_clause_break(c) {
            break;
        }
        if is_word_byte(c) {
            while j > 0 && is_word_byte(bytes[j - 1]) {
                j -= 1;
            }
            start = j;
            seen += 1;
        }
    }
    start
}

/// Every word of the text (lower case, letters and digits).
fn all_words<'p>(p: &'p Prepared<'_>) -> Vec<&'p str> {
    // Words are separated by at least one char. Word chars are ASCII, the
    // same in `ascii` (one byte per prepared char), which is read instead.
    let bytes = p.ascii.as_bytes();
    let mut out = Vec::with_capacity(p.len().div_ceil(2));
    let mut j = 0;
    while j < bytes.len() {
        if !bytes[j].is_ascii_alphanumeric() {
            j += 1;
            continue;
        }
        let start = j;
        while j < bytes.len() && bytes[j].is_ascii_alphanumeric() {
            j += 1;
        }
        out.push(p.word(start, j));
    }
    out
}

fn qualifier_before(p: &Prepared<'_>, i: usize) -> Qualifier {
    let mut j = i;
    while j > 0 && p.at(j - 1) == ' ' {
        j -= 1;
    }
    if j > 0 {
        let c = p.at(j - 1);
        if c == '<' {
            return Qualifier::Less;
        }
        if c == '>' {
            return Qualifier::Greater;
        }
        if c == '=' && j > 1 {
            // "<=" and ">=" include the limit: no adjustment.
            return Qualifier::None;
        }
    }
    let w = words_before(p, i, 2);
    // (word before last, last word); words hold no space, so the pair
    // "a b" is a phrase exactly when both words are.
    let (prev, last) = match (w.get(1), w.first()) {
        (Some(a), Some(b)) => (Some(*a), *b),
        (None, Some(b)) => (None, *b),
        _ => (None, ""),
    };
    // The qualifiers ending with `last`, in the order the lists are tried.
    qualifier_table()
        .get(last)
        .and_then(|forms| {
            forms
                .iter()
                .find(|(before, _)| before.is_none() || *before == prev)
        })
        .map_or(Qualifier::None, |(_, q)| *q)
}

/// Qualifier phrases by their last word: (the word before it for a phrase
/// of two words, what it says), the less-than phrases first, then the
/// better-than and the greater-than ones (the order they are tried in).
type QualifierTable = FxHashMap<&'static str, Vec<(Option<&'static str>, Qualifier)>>;

fn qualifier_table() -> &'static QualifierTable {
    static TABLE: OnceLock<QualifierTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut m = QualifierTable::default();
        for (phrases, q) in [
            (QUALIFIER_LESS, Qualifier::Less),
            (QUALIFIER_BETTER, Qualifier::Better),
            (QUALIFIER_GREATER, Qualifier::Greater),
        ] {
            for phrase in phrases {
                let (before, last) = match phrase.split_once(' ') {
                    Some((a, b)) => (Some(a), b),
                    None => (None, *phrase),
                };
                m.entry(last).or_default().push((before, q));
            }
        }
        m
    })
}

/// Keys for which a smaller value is better (used for "better than").
fn lower_is_better(key: &str) -> bool {
    LOWER_IS_BETTER.contains(&key)
}

fn adjust(value: f64, q: Qualifier, key: &str) -> f64 {
    let eps = 1e-9 * value.abs().max(1.0);
    match q {
        Qualifier::None => value,
        Qualifier::Less => value - eps,
        Qualifier::Greater => value + eps,
        Qualifier::Better if lower_is_better(key) => value - eps,
        Qualifier::Better => value + eps,
    }
}

// ---------------------------------------------------------------------------
// Roles

/// Cue words: a word matches when equal, or when the cue ends with '*' and
/// the word starts with the rest.
fn cue_matches(word: &str, cue: &str) -> bool {
    match cue.strip_suffix('*') {
        Some(prefix) => word.starts_with(prefix),
        None => word == cue,
    }
}

/// The role of the nearest cue word: after[0], before[0], after[1] ...
fn nearest_cue(
    before: &[&str],
    after: &[&str],
    cues: &[(&str, &'static str)],
) -> Option<&'static str> {
    let n = before.len().max(after.len());
    for d in 0..n {
        for w in [after.get(d), before.get(d)].into_iter().flatten() {
            if let Some((_, role)) = cues.iter().find(|(c, _)| cue_matches(w, c)) {
                return Some(role);
            }
        }
    }
    None
}

fn any_cue(words: &[&str], cues: &[&str]) -> bool {
    words.iter().any(|w| cues.iter().any(|c| cue_matches(w, c)))
}

/// "none" marks a number that must not be read as a parameter.
const NONE: &str = "none";

/// Reads the role of one number and returns (key, value) pairs.
fn roles(p: &Prepared<'_>, n: &Num, unit: UnitHit, global: &[&str]) -> Vec<(&'static str, f64)> {
    let before = words_before(p, n.start, 5);
    let after = words_after(p, unit.end, 4);
    let v = n.value * unit.factor;
    let upper_first = p.upper(unit.start);
    let upper_second = p.upper(unit.start + 1);
    let one = |k: &'static str, v: f64| vec![(k, v)];
    match unit.dim {
        Dim::Mesh => {
            if n.value.abs() > 0.0 {
                one("particle_size_um", 14_900.0 / n.value.abs())
            } else {
                vec![]
            }
        }
        Dim::Length => {
            let micro = unit.factor <= 1e-6;
            let long = unit.factor >= 1000.0;
            let role = nearest_cue(&before, &after, LENGTH_CUES).or(if micro {
                Some("particle_size_um")
            } else if long {
                Some("range_km")
            } else {
                None
            });
            match role {
                Some("range_km") if !micro => one("range_km", v / 1000.0),
                Some("apogee_km") if !micro => one("apogee_km", v / 1000.0),
                Some("altitude_km") if !micro => one("altitude_km", v / 1000.0),
                Some("cep_m") => one("cep_m", v),
                Some("diameter_m") if !long => one("diameter_m", v),
                Some("chamber_id_mm") if !long => one("chamber_id_mm", v * 1000.0),
                Some("thickness_mm") if !long => one("thickness_mm", v * 1000.0),
                Some("tow_width_mm") if !long => one("tow_width_mm", v * 1000.0),
                Some("test_section_mm") if !long => one("test_section_mm", v * 1000.0),
                Some("grain_size_um") if !long => one("grain_size_um", v * 1e6),
                Some("particle_size_um") if micro || unit.factor <= 0.001 => {
                    one("particle_size_um", v * 1e6)
                }
                _ => vec![],
            }
        }
        Dim::Gram => {
            let g_cue = any_cue(&before, WORDS.g_before)
                || any_cue(&after, WORDS.g_after)
                || any_cue(global, WORDS.inertial);
            if g_cue {
                g_role(&before, &after, n.value)
            } else {
                mass_role(&before, &after, n.value * 0.001)
            }
        }
        Dim::GForce => g_role(&before, &after, v),
        Dim::GForceRms => one("vibration_g_rms", v),
        Dim::Mass => {
            let r = mass_role(&before, &after, v);
            if r.is_empty() && any_cue(global, WORDS.engine) {
                // An engine's bare mass is its dry mass.
                vec![("mass_kg", v)]
            } else {
                r
            }
        }
        Dim::MilliG => {
            let inertial = any_cue(global, WORDS.accelerometer) && any_cue(&before, WORDS.bias);
            if inertial {
                one("bias_repeatability_ug", n.value * 1000.0)
            } else {
                mass_role(&before, &after, n.value * 1e-6)
            }
        }
        Dim::Force | Dim::MilliMegaNewton => {
            let v = if unit.dim == Dim::MilliMegaNewton {
                // "MN" is mega, "mN" milli; an all-capital "MN" is mega too.
                if upper_first {
                    n.value * 1000.0
                } else {
                    n.value * 0.000_001
                }
            } else {
                v
            };
            let role = nearest_cue(&before, &after, FORCE_CUES).unwrap_or_else(|| {
                if any_cue(global, WORDS.force_goods) {
                    "force_kn"
                } else {
                    "thrust_kn"
                }
            });
            one(role, v)
        }
        Dim::Impulse => one("total_impulse_ns", v),
        Dim::NanoOrImpulse => {
            if any_cue(&before, WORDS.impulse_before) || any_cue(global, WORDS.impulse) {
                one("total_impulse_ns", n.value)
            } else {
                vec![]
            }
        }
        Dim::Pressure => {
            let default = unit.default_role.unwrap_or("pressure_mpa");
            match nearest_cue(&before, &after, PRESSURE_CUES).unwrap_or(default) {
                "uts_gpa" => one("uts_gpa", v / 1000.0),
                "modulus_gpa" => one("modulus_gpa", v / 1000.0),
                "pressure_mpa" => one("pressure_mpa", v),
                _ => vec![],
            }
        }
        Dim::Flow => one("flow_l_min", v),
        Dim::Time => {
            let role = nearest_cue(&before, &after, TIME_CUES);
            match role {
                Some("response_ms") => one("response_ms", v * 1000.0),
                Some("settling_min") => one("settling_min", v / 60.0),
                Some(_) => vec![],
                None if unit.factor <= 0.001 => one("response_ms", v * 1000.0),
                None => vec![],
            }
        }
        Dim::AngRate => {
            if any_cue(&before, WORDS.random_walk_before)
                || any_cue(&after, WORDS.random_walk_after)
            {
                vec![]
            } else {
                one("bias_stability_deg_h", v)
            }
        }
        Dim::AngRateS => {
            if any_cue(&before, WORDS.drift) {
                one("bias_stability_deg_h", v * 3600.0)
            } else {
                one("rate_deg_s", v)
            }
        }
        Dim::RandomWalk => vec![],
        Dim::Angle => angle_role(&before, &after, v, unit.factor),
        Dim::MradAmbiguous => {
            let mega = if upper_first && !upper_second {
                true
            } else if !upper_first {
                false
            } else {
                any_cue(&before, WORDS.dose) || any_cue(global, WORDS.radiation)
            };
            if mega {
                one("total_dose_rad", n.value * 1e6)
            } else {
                angle_role(&before, &after, n.value * 206.264_8, 206.264_8)
            }
        }
        Dim::RadAmbiguous => {
            if any_cue(&before, WORDS.dose) || any_cue(global, WORDS.radiation) {
                one("total_dose_rad", n.value)
            } else {
                vec![]
            }
        }
        Dim::MicroG => one("bias_repeatability_ug", v),
        Dim::Ppm => {
            if any_cue(&before, WORDS.scale_factor) || any_cue(global, WORDS.inertial_sensor) {
                one("scale_factor_repeatability_ppm", v)
            } else {
                vec![]
            }
        }
        Dim::Percent => {
            if after.first().is_some_and(|w| *w == "of")
                && after.get(1).is_some_and(|w| *w == "range")
            {
                return one("accuracy_pct_range", v);
            }
            match nearest_cue(&before, &after, PERCENT_CUES) {
                Some(NONE) => vec![],
                Some(role) => one(role, v),
                None => vec![("concentration_pct", v), ("purity_pct", v)],
            }
        }
        Dim::Density => one("density_g_cc", v),
        Dim::TempC | Dim::TempF | Dim::TempK => {
            let c = match unit.dim {
                Dim::TempF => (n.value - 32.0) * 5.0 / 9.0,
                Dim::TempK => n.value - 273.15,
                _ => n.value,
            };
            if any_cue(&before, WORDS.glass_transition_before)
                || any_cue(&after, WORDS.glass_transition_after)
            {
                one("tg_c", c)
            } else if n.range_lower || (c < 0.0 && !n.range_upper) {
                one("temperature_min_c", c)
            } else {
                one("temperature_c", c)
            }
        }
        Dim::Energy => one("energy_mev", v),
        Dim::EnergyDensity => one("energy_density_mj_kg", v),
        Dim::Power => one("power_kw", v),
        Dim::MilliMegaWatt => {
            if upper_first {
                one("power_kw", n.value * 1000.0)
            } else {
                vec![]
            }
        }
        Dim::Rpm => one("speed_rpm", v),
        Dim::Velocity => one("velocity_m_s", v),
        Dim::Dose => one("total_dose_rad", v),
        Dim::Gravity => one("accuracy_mgal", v),
        Dim::Volume => {
            let mut out = vec![("volume_l", v)];
            if any_cue(global, WORDS.spray) {
                out.push(("aerosol_capacity_l", v));
            }
            out
        }
        Dim::Sfc => one("sfc_kg_n_h", v),
        Dim::Bits => one("resolution_bits", v),
        Dim::Axes => one("axes", v),
        Dim::Frequency => {
            if any_cue(&before, WORDS.bandwidth) {
                one("bandwidth_khz", v)
            } else {
                vec![]
            }
        }
        Dim::Sound => {
            if any_cue(&before, WORDS.sound) || any_cue(global, WORDS.acoustic) {
                one("sound_level_db", v)
            } else {
                vec![]
            }
        }
        Dim::Hydroxyl => one("hydroxyl_value_meq_g", v),
        Dim::Viscosity => one("viscosity_p", v),
        Dim::PoiseBare => {
            if any_cue(&before, WORDS.viscosity) {
                one("viscosity_p", v)
            } else {
                vec![]
            }
        }
    }
}

fn g_role(before: &[&str], after: &[&str], v: f64) -> Vec<(&'static str, f64)> {
    if any_cue(after, WORDS.rms_after) || any_cue(before, WORDS.rms_before) {
        vec![("vibration_g_rms", v)]
    } else if any_cue(before, WORDS.shock_before) || any_cue(after, WORDS.shock_after) {
        vec![]
    } else {
        vec![("g_rating", v)]
    }
}

fn mass_role(before: &[&str], after: &[&str], kg: f64) -> Vec<(&'static str, f64)> {
    match nearest_cue(before, after, MASS_CUES) {
        Some(role) => vec![(role, kg)],
        None => vec![],
    }
}

fn angle_role(
    before: &[&str],
    after: &[&str],
    arcsec: f64,
    factor: f64,
) -> Vec<(&'static str, f64)> {
    let near = |cues: &[&str]| any_cue(before, cues) || any_cue(after, cues);
    if near(WORDS.heading) {
        return vec![("heading_accuracy_deg", arcsec / 3600.0)];
    }
    if factor > 100.0 && factor < 300.0 {
        // milliradians: a resolution unless stated otherwise.
        if near(WORDS.pointing) {
            return vec![("accuracy_arcsec", arcsec)];
        }
        return vec![("angular_resolution_mrad", arcsec / 206.264_8)];
    }
    if near(WORDS.resolution) {
        return vec![("angular_resolution_mrad", arcsec / 206.264_8)];
    }
    if factor <= 60.0 || near(WORDS.positioning) {
        return vec![("accuracy_arcsec", arcsec)];
    }
    vec![]
}

// ---------------------------------------------------------------------------
// Keyword-first figures and feature words

/// The prepared text of up to `max` chars before `i`.
fn before_text(p: &Prepared<'_>, i: usize, max: usize) -> String {
    (i.saturating_sub(max)..i).map(|j| p.at(j)).collect()
}

/// Number after a keyword ("Mach 0.2", "ABEC-7", "dielectric constant 5.5").
fn keyword_role(p: &Prepared<'_>, n: &Num) -> Option<(&'static str, f64)> {
    let before = words_before(p, n.start, 4);
    let mut w: &[&str] = &before;
    // Skip small joining words: "dielectric constant of 5.5", "Tg approx. 190".
    while w.first().is_some_and(|x| WORDS.keyword_gap.contains(x)) {
        w = &w[1..];
    }
    let last = w.first().copied()?;
    let prev = w.get(1).copied().unwrap_or("");
    let v = n.value;
    if last == "class" && before_text(p, n.start, 16).contains("492") {
        // ISO 492 tolerance classes as ABEC classes.
        let abec = ISO492_CLASSES
            .iter()
            .find(|(class, _)| *class == v as i64)
            .map_or(1.0, |(_, abec)| *abec);
        return Some(("abec_class", abec));
    }
    let key = KEYWORDS.iter().find_map(|(phrase, key)| {
        let hit = match phrase.split_once(' ') {
            Some((a, b)) => prev == a && last == b,
            None => last == *phrase,
        };
        hit.then_some(*key)
    })?;
    if key == "hydroxyl_value_meq_g" && v > 5.0 {
        // A hydroxyl value above 5 is in mg KOH/g.
        return Some((key, v / 56.106));
    }
    Some((key, v))
}

/// One automaton over the feature phrases, padded with spaces.
fn feature_matcher() -> Option<&'static AhoCorasick> {
    static MATCHER: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    MATCHER
        .get_or_init(|| {
            // A DFA: the same matches as the default automaton, searched
            // without failure links on every item.
            aho_corasick::AhoCorasickBuilder::new()
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .build(FEATURES.iter().map(|f| format!(" {} ", f.phrase)))
                .ok()
        })
        .as_ref()
}

/// The first word of every feature phrase, or `None` when a phrase starts
/// with a space (then no word tells it apart). A feature phrase occurs in
/// " w1 w2 ... " only where its first word is one of the words: a text with
/// none of them has no feature, and the automaton need not run.
fn feature_first_words() -> Option<&'static WordSet> {
    static FIRST: OnceLock<Option<WordSet>> = OnceLock::new();
    FIRST
        .get_or_init(|| {
            FEATURES
                .iter()
                .map(|f| f.phrase.split(' ').next().filter(|w| !w.is_empty()))
                .collect::<Option<Vec<_>>>()
                .map(WordSet::from_iter)
        })
        .as_ref()
}

/// True when the feature automaton can match in the text of `words`.
fn may_have_feature(words: &[&str]) -> bool {
    feature_first_words().is_none_or(|first| words.iter().any(|w| first.contains(w)))
}

fn features(words: &[&str], out: &mut Vec<Reading>) {
    let mut found: Vec<(&'static str, f64, String)> = Vec::new();
    // One string " w1 w2 ... " and the offset of each word in it.
    let mut joined = String::with_capacity(words.iter().map(|w| w.len() + 1).sum::<usize>() + 1);
    let mut starts = Vec::with_capacity(words.len());
    joined.push(' ');
    for w in words {
        starts.push(joined.len());
        joined.push_str(w);
        joined.push(' ');
    }
    let Some(matcher) = feature_matcher() else {
        return;
    };
    // Searched only when some phrase can match (no match is lost otherwise).
    let searched = may_have_feature(words)
        .then(|| matcher.find_overlapping_iter(joined.as_str()))
        .into_iter()
        .flatten();
    for m in searched {
        let f = &FEATURES[m.pattern().as_usize()];
        let n_parts = f.phrase.split(' ').count();
        let Ok(i) = starts.binary_search(&(m.start() + 1)) else {
            continue;
        };
        // "operating manual", "manual override": another meaning.
        let prev = i.checked_sub(1).map(|j| words[j]).unwrap_or("");
        let next = words.get(i + n_parts).copied().unwrap_or("");
        if f.unless_before.contains(&prev) || f.unless_after.contains(&next) {
            continue;
        }
        // "no numerical control", "non-spherical", "without slip rings".
        let negator = negation::SHARED.cue_before(words, i, &|_| false);
        let v = if negator.is_some() && f.value > 0.5 {
            0.0
        } else {
            f.value
        };
        let from = negator.unwrap_or(i);
        let said = words[from..(i + n_parts).min(words.len())].join(" ");
        found.push((f.key, v, said));
    }
    // A stated feature wins over a denial elsewhere ("CNC with manual override").
    let mut keys: Vec<&'static str> = found.iter().map(|f| f.0).collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        let pick = found
            .iter()
            .filter(|f| f.0 == key)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|f| (f.1, f.2.clone()));
        if let Some((value, said)) = pick {
            out.push(Reading {
                key,
                value,
                text: said,
            });
        }
    }
    // Figures implied by words: "room temperature" is about 20 °C.
    // (`joined` is " w1 w2 ... ".)
    let mut implied: Vec<&str> = Vec::new();
    for (phrase, key, value, text) in IMPLIED {
        // A whole-word occurrence begins with a word equal to the phrase's
        // first word: without one, the text need not be searched.
        let first = phrase.split(' ').next().unwrap_or("");
        if !first.is_empty() && !words.contains(&first) {
            continue;
        }
        if !implied.contains(key)
            && joined.match_indices(phrase).any(|(at, _)| {
                joined[..at].ends_with(' ') && joined[at + phrase.len()..].starts_with(' ')
            })
        {
            implied.push(key);
            out.push(Reading {
                key,
                value: *value,
                text: (*text).to_string(),
            });
        }
    }
    // Written axis counts: "two-axis", "three axes".
    for (i, w) in words.iter().enumerate() {
        // The cheap test first: few words are followed by an axis word.
        if !(w.ends_with("axial")
            || words
                .get(i + 1)
                .is_some_and(|x| matches!(*x, "axis" | "axes" | "axial")))
        {
            continue;
        }
        let Some(n) = AXIS_WORDS
            .iter()
            .find(|(word, _)| word == w)
            .map(|(_, n)| *n)
        else {
            continue;
        };
        let text = match words.get(i + 1) {
            Some(next) if !w.ends_with("axial") => format!("{w} {next}"),
            _ => (*w).to_string(),
        };
        out.push(Reading {
            key: "axes",
            value: n,
            text,
        });
    }
    // Bearing precision classes written as "P4", "P2".
    if any_cue(words, WORDS.bearing) {
        for w in words {
            let Some(abec) = BEARING_CLASSES
                .iter()
                .find(|(class, _)| class == w)
                .map(|(_, abec)| *abec)
            else {
                continue;
            };
            out.push(Reading {
                key: "abec_class",
                value: abec,
                text: w.to_uppercase(),
            });
        }
    }
}

// ---------------------------------------------------------------------------
// Extraction

/// Whether prepared chars `[start, end)`, without white space at either end
/// (as `str::trim`), are one of `options` (compared in place, no string
/// built).
fn trimmed_is(p: &Prepared<'_>, start: usize, end: usize, options: &[&str]) -> bool {
    let (mut from, mut to) = (start, end);
    while from < to && p.at(from).is_whitespace() {
        from += 1;
    }
    while to > from && p.at(to - 1).is_whitespace() {
        to -= 1;
    }
    let n = to - from;
    options.iter().any(|o| {
        // An option has at most as many chars as bytes: a longer span is
        // none of them (most spans between figures), and is not compared.
        o.len() >= n && o.chars().count() == n && (from..).zip(o.chars()).all(|(j, c)| p.at(j) == c)
    })
}

/// Reads every parameter the text states, in text order (feature flags last).
pub fn extract(text: &str) -> Vec<Reading> {
    let p = Prepared::new(text);
    let global = all_words(&p);
    let mut nums: Vec<Num> = Vec::new();
    // One byte per prepared char (NUL for a non-ASCII one, such as '±').
    let bytes = p.ascii.as_bytes();
    let mut i = 0;
    while i < p.len() {
        // Most chars can start no number (only a digit, a sign, a point or
        // '±' can): they are passed over on the bytes, no char read.
        let can_start = |b: &u8| matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | 0);
        if !bytes.get(i).is_none_or(can_start) {
            // Straight to the next byte that can (one tight loop).
            i = bytes[i..]
                .iter()
                .position(can_start)
                .map_or(bytes.len(), |k| i + k);
            continue;
        }
        let c = p.at(i);
        let prev = if i == 0 { ' ' } else { p.at(i - 1) };
        let starts = c.is_ascii_digit()
            || (matches!(c, '-' | '+' | '±')
                && p.at(i + 1).is_ascii_digit()
                && matches!(prev, ' ' | '(' | '[' | '=' | ':' | '~' | '/' | '<' | '>'));
        let starts =
            starts || (c == '.' && p.at(i + 1).is_ascii_digit() && !prev.is_ascii_alphanumeric());
        if !starts
            || prev.is_ascii_alphanumeric()
            || (prev == '.' && i >= 2 && p.at(i - 2).is_ascii_digit())
        {
            i += 1;
            continue;
        }
        let parsed = if c == '.' {
            // ".5 mm"
            let mut s = String::from("0.");
            let mut j = i + 1;
            while p.at(j).is_ascii_digit() {
                s.push(p.at(j));
                j += 1;
            }
            s.parse::<f64>().ok().map(|v| (v, j))
        } else {
            number_at(&p, i)
        };
        let Some((value, end)) = parsed else {
            i += 1;
            continue;
        };
        // Skip digits glued to letters ("6205-2rs" is a part number).
        let mut u = end;
        if p.at(u) == ' ' {
            u += 1;
        }
        if p.at(u) == '-' && p.at(u + 1).is_ascii_alphabetic() {
            u += 1;
        }
        let mut unit = unit_at(&p, u).or_else(|| if u != end { None } else { unit_at(&p, end) });
        if unit.is_none() {
            // "4 coordinated programmable axes".
            let after = words_after(&p, end, 3);
            if let Some(k) = after.iter().position(|w| *w == "axes" || *w == "axis") {
                if k > 0 {
                    unit = Some(UnitHit {
                        dim: Dim::Axes,
                        factor: 1.0,
                        default_role: None,
                        start: end,
                        end,
                    });
                }
            }
        }
        let qualifier = qualifier_before(&p, i);
        nums.push(Num {
            start: i,
            end,
            value,
            unit,
            qualifier,
            range_lower: false,
            range_upper: false,
        });
        i = unit.map(|u| u.end.max(end)).unwrap_or(end).max(i + 1);
    }
    // Ranges: "-54 to +125 °C", "20-2000 Hz", "between 2 and 5 mm".
    for k in 0..nums.len().saturating_sub(1) {
        let (end, next) = (nums[k].end, nums[k + 1].start);
        let unit_between = nums[k].unit.is_some_and(|u| u.end <= next);
        let connector = trimmed_is(
            &p,
            end,
            next,
            &["-", "to", "~", "...", "..", "/", "and", "up to"],
        ) || (unit_between && {
            let rest = nums[k].unit.map(|u| u.end).unwrap_or(0);
            trimmed_is(&p, rest, next, &["-", "to", "~", "..."])
        });
        if !connector {
            continue;
        }
        if nums[k].unit.is_none() && nums[k + 1].unit.is_some() {
            nums[k].unit = nums[k + 1].unit;
        }
        if nums[k].unit.map(|u| u.dim) == nums[k + 1].unit.map(|u| u.dim) && nums[k].unit.is_some()
        {
            nums[k].range_lower = true;
            nums[k + 1].range_upper = true;
        }
    }
    let mut out = Vec::new();
    for n in &nums {
        let unit_end = n.unit.map(|u| u.end).unwrap_or(n.end).max(n.end);
        let pairs = match n.unit {
            Some(unit) => roles(&p, n, unit, &global),
            None => keyword_role(&p, n).into_iter().collect(),
        };
        let pairs = if pairs.is_empty() && n.unit.is_some() {
            keyword_role(&p, n).into_iter().collect()
        } else {
            pairs
        };
        if pairs.is_empty() {
            continue;
        }
        let said = if n.unit.is_none() {
            // A keyword figure: show the keyword too ("ABEC-7", "Mach 0.2").
            p.original_text(words_start_before(&p, n.start, 2), unit_end)
        } else {
            p.original_text(n.start, unit_end)
        };
        for (key, value) in pairs {
            if key == NONE || !value.is_finite() {
                continue;
            }
            let value = adjust(value, n.qualifier, key);
            out.push(Reading {
                key,
                value,
                text: said.to_string(),
            });
        }
    }
    features(&global, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<(&'static str, f64)> {
        extract(text)
            .into_iter()
            .map(|r| (r.key, r.value))
            .collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-6 * b.abs().max(1.0)
    }

    /// (text, key, expected value): every unit family and the role words.
    const CASES: &[(&str, &str, f64)] = &[
        // flow
        ("Servo valve 30 l/min 10 MPa", "flow_l_min", 30.0),
        ("Servo valve 30 l/min 10 MPa", "pressure_mpa", 10.0),
        ("valve, 2.6 gpm at 50 bar", "flow_l_min", 9.842_070_6),
        ("valve, 2.6 gpm at 50 bar", "pressure_mpa", 5.0),
        ("pump 25 LPM", "flow_l_min", 25.0),
        ("valve 1.5 m3/h", "flow_l_min", 25.0),
        ("valve 0.5 l/s", "flow_l_min", 30.0),
        // pressure
        ("press 3000 psi", "pressure_mpa", 20.684_271),
        ("vessel 690 kPa", "pressure_mpa", 0.69),
        ("Maraging steel, UTS 2.4 GPa aged", "uts_gpa", 2.4),
        (
            "fibre tensile 5.5 GPa, modulus 290 GPa",
            "modulus_gpa",
            290.0,
        ),
        ("sheet, 250 ksi", "uts_gpa", 1.723_689_25),
        // time
        ("response 40 ms", "response_ms", 40.0),
        ("actuator response time 0.05 s", "response_ms", 50.0),
        ("gravimeter, 1 min settling", "settling_min", 1.0),
        ("gravimeter, settling time 90 s", "settling_min", 1.5),
        // angular rate
        ("FOG, bias stability 0.1 deg/h", "bias_stability_deg_h", 0.1),
        ("gyro drift 0.01°/hr", "bias_stability_deg_h", 0.01),
        ("gyro 0.003 dph", "bias_stability_deg_h", 0.003),
        ("gyro bias 0.0001 deg/s", "bias_stability_deg_h", 0.36),
        ("rate table 500 deg/s", "rate_deg_s", 500.0),
        // small accelerations and ppm
        (
            "accelerometer, bias repeatability 40 µg",
            "bias_repeatability_ug",
            40.0,
        ),
        (
            "accelerometer bias 40 ug, scale factor 80 ppm",
            "scale_factor_repeatability_ppm",
            80.0,
        ),
        (
            "accelerometer, bias 1.2 mg",
            "bias_repeatability_ug",
            1200.0,
        ),
        // g
        ("Accelerometer for airbag 50 g", "g_rating", 50.0),
        ("Benchtop centrifuge, 20,000 x g", "g_rating", 20000.0),
        ("shaker 12 g rms", "vibration_g_rms", 12.0),
        ("test at 15 grms", "vibration_g_rms", 15.0),
        // length
        ("Ammonium perchlorate 200 micron", "particle_size_um", 200.0),
        ("Al powder 30 µm", "particle_size_um", 30.0),
        ("Al powder 45 um", "particle_size_um", 45.0),
        ("Al powder -325 mesh", "particle_size_um", 45.846_153_8),
        ("graphite, 10 micron grain", "grain_size_um", 10.0),
        ("UAV 400 km range", "range_km", 400.0),
        ("missile, range 200 nmi", "range_km", 370.4),
        ("range 250 miles", "range_km", 402.336),
        ("drone 100 m range", "range_km", 0.1),
        ("motor case 0.8 m dia", "diameter_m", 0.8),
        ("electrodes, 600 mm dia", "diameter_m", 0.6),
        ("billet Ø 150 mm", "diameter_m", 0.15),
        ("HIP, 300 mm working zone", "chamber_id_mm", 300.0),
        ("maraging sheet, 3 mm thick", "thickness_mm", 3.0),
        ("winder, 12 mm tow", "tow_width_mm", 12.0),
        ("tunnel, 300 mm test section", "test_section_mm", 300.0),
        ("guidance, CEP 150 m", "cep_m", 150.0),
        // mass
        ("UAV 250 kg payload", "payload_kg", 250.0),
        ("payload 1100 lb", "payload_kg", 498.951_607),
        ("turbojet, dry mass 25 kg", "mass_kg", 25.0),
        ("payload 1.2 t", "payload_kg", 1200.0),
        // force and impulse
        ("Small turbojet engine 1.2 kN", "thrust_kn", 1.2),
        ("motor thrust 15,000 lbf", "thrust_kn", 66.723_33),
        ("Electrodynamic shaker 5 kN", "force_kn", 5.0),
        ("vibration test system 60 kN", "force_kn", 60.0),
        (
            "Solid rocket motor, total impulse 1.5 MN.s",
            "total_impulse_ns",
            1.5e6,
        ),
        ("motor 1.1e6 N·s", "total_impulse_ns", 1.1e6),
        ("motor 1.1 x 10^6 N-s", "total_impulse_ns", 1.1e6),
        ("motor 900 kN.s", "total_impulse_ns", 9e5),
        ("motor 200,000 lbf-s", "total_impulse_ns", 889_644.4),
        (
            "motor, total impulse 850000 Ns",
            "total_impulse_ns",
            850_000.0,
        ),
        // sfc
        ("SFC 0.12 kg/N/h", "sfc_kg_n_h", 0.12),
        ("SFC 1.1 lb/lbf/hr", "sfc_kg_n_h", 0.112_169_2),
        ("SFC 30 g/kN/s", "sfc_kg_n_h", 0.108),
        // percent
        ("Hydrazine hydrate 35% solution", "concentration_pct", 35.0),
        (
            "Anhydrous hydrazine, 98.5 % N2H4",
            "concentration_pct",
            98.5,
        ),
        (
            "Spherical aluminium powder, 30 micron, 99.7 % Al",
            "purity_pct",
            99.7,
        ),
        ("Boron powder, purity 95 %", "purity_pct", 95.0),
        (
            "guidance set, CEP 0.5 % of range",
            "accuracy_pct_range",
            0.5,
        ),
        // density, temperature
        ("graphite 1.85 g/cc", "density_g_cc", 1.85),
        ("graphite 1,780 kg/m3", "density_g_cc", 1.78),
        ("graphite 1.9 g/cm³", "density_g_cc", 1.9),
        ("HIP, 1400 C", "temperature_c", 1400.0),
        ("prepreg, cured Tg 190 C", "tg_c", 190.0),
        ("resin Tg 350 °F", "tg_c", 176.666_667),
        ("computer, -54 to +125 °C", "temperature_min_c", -54.0),
        ("computer, -54 to +125 °C", "temperature_c", 125.0),
        ("CIP at room temperature", "temperature_c", 20.0),
        ("Cold isostatic press, 300 MPa", "temperature_c", 20.0),
        // energy, power, speed
        ("Linear accelerator 6 MeV", "energy_mev", 6.0),
        ("accelerator 900 keV", "energy_mev", 0.9),
        ("diesel engine, 500 kW", "power_kw", 500.0),
        ("turboprop 1,200 shp", "power_kw", 894.84),
        ("arc jet, 6 MW", "power_kw", 6000.0),
        ("pump 12,000 rpm", "speed_rpm", 12000.0),
        ("receiver rated 800 m/s", "velocity_m_s", 800.0),
        ("target drone 900 km/h", "velocity_m_s", 250.0),
        ("Wind tunnel, Mach 0.2", "mach", 0.2),
        // dose, gravity, volume, misc
        ("microcircuit, total dose 1 Mrad(Si)", "total_dose_rad", 1e6),
        ("FPGA, TID 300 krad", "total_dose_rad", 3e5),
        ("IC, 5 kGy", "total_dose_rad", 5e5),
        ("gravity meter, 0.5 mGal accuracy", "accuracy_mgal", 0.5),
        ("mixer 150 L", "volume_l", 150.0),
        (
            "crop-spraying UAV, 40 L aerosol tank",
            "aerosol_capacity_l",
            40.0,
        ),
        ("spray drone, 8 gal tank", "aerosol_capacity_l", 30.283_294),
        ("16-bit ADC", "resolution_bits", 16.0),
        ("3-axis flow forming machine", "axes", 3.0),
        ("winder, 4 coordinated programmable axes", "axes", 4.0),
        ("two-axis positioning table", "axes", 2.0),
        ("flight motion simulator, triaxial", "axes", 3.0),
        ("table, accuracy 3 arc sec", "accuracy_arcsec", 3.0),
        (
            "radar, angular resolution 1 mrad",
            "angular_resolution_mrad",
            1.0,
        ),
        (
            "radome, dielectric constant 5.5",
            "dielectric_constant",
            5.5,
        ),
        (
            "HTPB, hydroxyl value 0.84 meq/g",
            "hydroxyl_value_meq_g",
            0.84,
        ),
        (
            "HTPB, hydroxyl value 47 mg KOH/g",
            "hydroxyl_value_meq_g",
            0.837_700_1,
        ),
        ("HTPB, viscosity 5000 cP", "viscosity_p", 50.0),
        ("bearings, ABEC-7", "abec_class", 7.0),
        ("bearings ISO 492 class 2", "abec_class", 9.0),
        ("spindle bearing P4", "abec_class", 7.0),
        ("fuel, 42 MJ/kg", "energy_density_mj_kg", 42.0),
        ("chamber, acoustic 145 dB", "sound_level_db", 145.0),
        (
            "controller, control bandwidth 10 kHz",
            "bandwidth_khz",
            10.0,
        ),
        ("sounding rocket, 350 km apogee", "apogee_km", 350.0),
    ];

    #[test]
    fn unit_families_and_roles() {
        let mut failures = Vec::new();
        for (text, key, want) in CASES {
            let got = read(text);
            if !got.iter().any(|(k, v)| k == key && close(*v, *want)) {
                failures.push(format!("{text:?}: wanted {key} = {want}, got {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn parameter_keys_are_unique_with_sound_ranges() {
        let mut seen = std::collections::HashSet::new();
        for p in PARAMS {
            assert!(seen.insert(p.key), "{} twice", p.key);
            assert!(p.min <= p.max && !p.min.is_nan(), "{}", p.key);
            assert!(p.admits(p.min) && p.admits(p.max.min(1e12)), "{}", p.key);
        }
        // Magnitudes may not be negative; temperatures, flags, shares have
        // their own bounds.
        let table: &[(&str, f64, bool)] = &[
            ("range_km", -1.0, false),
            ("range_km", 0.0, true),
            ("payload_kg", -0.001, false),
            ("thrust_kn", 1e9, true),
            ("temperature_c", -40.0, true),
            ("temperature_c", -300.0, false),
            ("purity_pct", 100.5, false),
            ("concentration_pct", 35.0, true),
            ("slip_rings", 2.0, false),
            ("slip_rings", 1.0, true),
        ];
        for (key, value, ok) in table {
            assert_eq!(spec(key).unwrap().admits(*value), *ok, "{key} = {value}");
        }
        // Every role of the tables is a key; "better than" keys exist.
        for key in LOWER_IS_BETTER {
            assert!(is_known(key), "{key}");
        }
    }

    #[test]
    fn case_texts_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for (text, key, _) in CASES {
            assert!(seen.insert((text, key)), "duplicate case {text:?} {key}");
        }
    }

    /// Numbers that must not become parameters.
    #[test]
    fn numbers_without_a_role_are_ignored() {
        let cases: &[(&str, &[&str])] = &[
            ("Rocket salad seeds, 500 g packs", &["mass_kg", "g_rating"]),
            (
                "Deep groove ball bearings 6205-2RS",
                &["abec_class", "particle_size_um"],
            ),
            (
                "Stainless steel ball valves DN50, PN40",
                &["pressure_mpa", "diameter_m"],
            ),
            (
                "Type K thermocouple wire, 500 m reel",
                &["range_km", "diameter_m"],
            ),
            (
                "Hydraulic hose fittings, JIC 37 degree",
                &["accuracy_arcsec", "heading_accuracy_deg"],
            ),
            (
                "Nitrogen tetroxide MON-3",
                &["concentration_pct", "purity_pct"],
            ),
            (
                "Ammonium nitrate fertiliser 34.4 % N",
                &["concentration_pct", "purity_pct"],
            ),
            ("Maraging steel 350 sheet", &["uts_gpa", "thickness_mm"]),
            ("Mixer, vacuum to 10 kPa", &["pressure_mpa"]),
            ("FOG, ARW 0.002 deg/√h", &["bias_stability_deg_h"]),
            ("Shock accelerometer, 10,000 g shock", &["g_rating"]),
        ];
        for (text, keys) in cases {
            let got = read(text);
            for k in *keys {
                assert!(
                    !got.iter().any(|(key, _)| key == k),
                    "{text:?} read {k}: {got:?}"
                );
            }
        }
    }

    #[test]
    fn qualifiers_move_the_value_across_the_limit() {
        let got = read("gyro, bias < 0.5 deg/h");
        let v = got
            .iter()
            .find(|(k, _)| *k == "bias_stability_deg_h")
            .unwrap()
            .1;
        assert!(v < 0.5 && v > 0.499);
        let got = read("hydrazine, more than 70 %");
        let v = got
            .iter()
            .find(|(k, _)| *k == "concentration_pct")
            .unwrap()
            .1;
        assert!(v > 70.0 && v < 70.001);
        let got = read("gyro, drift better than 0.5 deg/h");
        assert!(
            got.iter()
                .any(|(k, v)| *k == "bias_stability_deg_h" && *v < 0.5)
        );
        let got = read("gyro, drift ≤ 0.5 deg/h");
        assert!(
            got.iter()
                .any(|(k, v)| *k == "bias_stability_deg_h" && *v == 0.5)
        );
    }

    #[test]
    fn feature_words_become_flags() {
        let cases: &[(&str, &str, f64)] = &[
            ("3-axis flow forming machine CNC", "numerical_control", 1.0),
            (
                "Manual metal spinning lathe, no numerical control",
                "numerical_control",
                0.0,
            ),
            (
                "CNC spinning lathe, operating manual included",
                "numerical_control",
                1.0,
            ),
            ("test centrifuge with slip rings", "slip_rings", 1.0),
            ("centrifuge without slip rings", "slip_rings", 0.0),
            (
                "centrifuge with non-contact data transfer",
                "slip_rings",
                1.0,
            ),
            ("GNSS receiver, CRPA null-steering antenna", "anti_jam", 1.0),
            ("GPS receiver, SAASM", "military_code", 1.0),
            ("spherical aluminium powder", "spherical", 1.0),
            ("non-spherical aluminium powder", "spherical", 0.0),
            ("aluminium flake", "spherical", 0.0),
            ("UAV with BVLOS autopilot", "autonomous", 1.0),
            (
                "vertical mixer, vacuum, off-centre shaft",
                "off_centre_shaft",
                1.0,
            ),
        ];
        for (text, key, want) in cases {
            let got = read(text);
            assert!(
                got.iter().any(|(k, v)| k == key && v == want),
                "{text:?}: {got:?}"
            );
        }
    }

    #[test]
    fn params_merge_explicit_text_and_derived() {
        let explicit = vec![("flow_l_min".to_string(), 12.0)];
        let p = Params::build(&explicit, "servo valve 30 l/min 10 MPa");
        let flow = p.get("flow_l_min").unwrap();
        assert_eq!(
            (flow.values.as_slice(), flow.source),
            (&[12.0][..], Source::Explicit)
        );
        assert_eq!(p.get("pressure_mpa").unwrap().source, Source::Text);
        assert!(p.describe(Source::Text).contains("pressure_mpa 10 MPa"));

        // Apogee is not range: twice the apogee, also when the explicit range repeats it.
        let p = Params::build(
            &[("range_km".into(), 350.0)],
            "sounding rocket, 350 km apogee",
        );
        assert_eq!(p.get("range_km").unwrap().values, vec![700.0]);
        let p = Params::build(&[], "sounding rocket, 120 km apogee");
        assert_eq!(p.get("range_km").unwrap().values, vec![240.0]);

        // CEP over range; specific strength from a fibre's strength.
        let p = Params::build(&[], "guidance set, CEP 10 km, for 300 km range");
        assert!(close(
            p.get("accuracy_pct_range").unwrap().values[0],
            3.333_333
        ));
        let p = Params::build(
            &[],
            "carbon fibre prepreg, tensile 5.5 GPa, modulus 290 GPa",
        );
        let ss = p.get("specific_strength_m").unwrap().values[0];
        assert!((ss - 5.5e9 / (1800.0 * 9.80665)).abs() < 1.0, "{ss}");
        assert!(p.get("specific_modulus_m").unwrap().values[0] > 1.6e7);
    }

    #[test]
    fn every_rule_key_has_a_spec() {
        assert!(is_known("flow_l_min"));
        assert!(!is_known("flow"));
        assert_eq!(format_value("flow_l_min", 30.0), "30 L/min");
        assert_eq!(format_value("slip_rings", 1.0), "yes");
        assert_eq!(format_number(1.5e7), "1.5e7");
        assert_eq!(format_number(0.125), "0.125");
    }

    /// The short path of `format_number` gives what rounding to four
    /// decimals and dropping trailing zeros gives, for figures as written
    /// (a few decimals) and for computed ones (many).
    #[test]
    fn the_feature_prefilter_never_hides_a_match() {
        // Every text where the automaton finds a phrase passes the filter:
        // each phrase alone, inside other words, and in generated texts.
        let matcher = feature_matcher().expect("feature automaton");
        let mut texts: Vec<Vec<String>> = FEATURES
            .iter()
            .map(|f| {
                let mut w = vec!["the".to_string()];
                w.extend(f.phrase.split(' ').map(str::to_string));
                w.push("unit".to_string());
                w
            })
            .collect();
        let vocab: Vec<&str> = FEATURES
            .iter()
            .flat_map(|f| f.phrase.split(' '))
            .chain(["a", "x", "press", "with", "no", "non", "for"])
            .collect();
        let mut seed = 7u64;
        for _ in 0..3000 {
            let mut w = Vec::new();
            for _ in 0..(seed % 7) {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                w.push(vocab[(seed >> 33) as usize % vocab.len()].to_string());
            }
            texts.push(w);
        }
        for t in &texts {
            let words: Vec<&str> = t.iter().map(String::as_str).collect();
            let joined = format!(" {} ", words.join(" "));
            let found = matcher.find_overlapping_iter(joined.as_str()).count();
            if found > 0 {
                assert!(may_have_feature(&words), "{joined:?}");
            }
        }
    }

    #[test]
    fn write_integer_is_the_formatter_s_integer() {
        for n in (-1000..1000).chain([i64::MIN, i64::MAX, 10_000_000, -9_999_999]) {
            let mut s = String::from("x");
            write_integer(&mut s, n);
            assert_eq!(s, format!("x{n}"));
        }
    }

    #[test]
    fn units_found_as_by_a_scan_of_every_spelling() {
        // The reference: every spelling sharing the first char, longest
        // first, the first that fits at a word boundary.
        fn reference(p: &Prepared<'_>, i: usize) -> Option<(usize, usize)> {
            let chars: Vec<char> = (0..p.len()).map(|k| p.at(k)).collect();
            let rest = chars.get(i..)?;
            let mut all: Vec<(Vec<char>, usize)> = UNITS
                .iter()
                .enumerate()
                .map(|(k, u)| (u.spelling.chars().collect(), k))
                .filter(|(c, _): &(Vec<char>, usize)| c.first() == rest.first())
                .collect();
            all.sort_by_key(|(c, _)| std::cmp::Reverse(c.len()));
            for (chars, k) in all {
                if !rest.starts_with(&chars) {
                    continue;
                }
                let end = i + chars.len();
                let next = p.at(end);
                let last = chars.last().copied().unwrap_or(' ');
                if next.is_ascii_alphabetic() && last.is_ascii_alphanumeric() {
                    continue;
                }
                if next.is_ascii_digit() && last.is_ascii_alphabetic() && !chars.contains(&'/') {
                    continue;
                }
                return Some((k, end));
            }
            None
        }
        let mut texts: Vec<String> = UNITS
            .iter()
            .flat_map(|u| {
                [
                    format!("5 {}", u.spelling),
                    format!("5{} x", u.spelling),
                    format!("5 {}s", u.spelling),
                    format!("5 {}2", u.spelling),
                    format!("5 {}/h", u.spelling),
                ]
            })
            .collect();
        texts.push("12 mm, 3 MPa; 4 kN 2 m/s2 7 µm 90 °C ± 5".to_string());
        for t in &texts {
            let p = Prepared::new(t);
            for i in 0..p.len() {
                let got = unit_at(&p, i).map(|u| u.end);
                let want = reference(&p, i);
                assert_eq!(got, want.map(|(_, end)| end), "{t:?} at {i}");
                if let (Some(u), Some((k, _))) = (unit_at(&p, i), want) {
                    assert_eq!(u.factor.to_bits(), UNITS[k].factor.to_bits(), "{t:?}");
                    assert_eq!(u.dim, UNITS[k].dim, "{t:?}");
                }
            }
        }
    }

    #[test]
    fn format_number_is_four_decimals_trimmed() {
        let reference = |v: f64| {
            let s = format!("{v:.4}");
            let len = s.trim_end_matches('0').trim_end_matches('.').len();
            let t = &s[..len];
            if t == "-0" {
                "0".to_string()
            } else {
                t.to_string()
            }
        };
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut checked = 0;
        for i in 0..200_000u64 {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            let r = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
            // Decimals as written (k / 10^d), and arbitrary doubles.
            let v = if i % 2 == 0 {
                (r % 100_000_000) as f64 / 10f64.powi((r >> 40) as i32 % 7)
            } else {
                (r >> 11) as f64 / (1u64 << 53) as f64 * 10f64.powi((r >> 3) as i32 % 10 - 3)
            };
            for v in [v, -v] {
                if v != 0.0 && (1e-3..1e7).contains(&v.abs()) && v.fract() != 0.0 {
                    assert_eq!(format_number(v), reference(v), "{v:e}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 100_000, "{checked}");
        for v in [
            0.1,
            0.2 + 0.1,
            2.675,
            0.00105,
            0.00115,
            1.00005,
            9_999_999.5,
        ] {
            assert_eq!(format_number(v), reference(v), "{v:e}");
        }
    }
}
