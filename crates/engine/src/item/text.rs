//! Normalisation of item descriptions and control-list phrases for matching:
//! lower case, NFKC and ASCII folding, British/American spellings unified
//! (fibre/fiber, aluminium/aluminum, -ise/-ize), plurals stemmed, words and
//! numbers split apart ("N2O4" -> "n 2 o 4", "CL-20" -> "cl 20").
//!
//! The result is one string of tokens separated by single spaces, with a
//! space at both ends, so that a phrase " a b " can only match whole words:
//! "ap" never fires inside "apple".

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

/// One token of a normalised text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    /// Byte offset of the token in [`Normalized::text`].
    pub start: usize,
    /// Byte offset of the original text where the token starts.
    pub orig_start: usize,
    /// Byte offset of the original text where the token ends.
    pub orig_end: usize,
    /// Clause number (commas, semicolons and brackets start a new clause).
    pub clause: u32,
}

/// A normalised text and its tokens.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Normalized {
    /// " tok tok tok " (just " " when there is no token).
    pub text: String,
    /// Tokens in text order.
    pub tokens: Vec<Token>,
}

impl Normalized {
    /// The normalised form of token `i`.
    pub fn token(&self, i: usize) -> &str {
        let start = self.tokens[i].start;
        let end = self.text[start..]
            .find(' ')
            .map(|e| start + e)
            .unwrap_or(self.text.len());
        &self.text[start..end]
    }

    /// The index of the token starting at byte `offset` of the text.
    pub fn token_at(&self, offset: usize) -> Option<usize> {
        self.tokens.binary_search_by(|t| t.start.cmp(&offset)).ok()
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Alpha,
    Digit,
}

/// Normalises `s` for matching.
pub(crate) fn normalize(s: &str) -> Normalized {
    // Capacities are estimates: splitting letters from digits adds spaces.
    let mut out = Normalized {
        text: String::with_capacity(s.len() + s.len() / 2 + 2),
        tokens: Vec::with_capacity(s.len() / 3 + 2),
    };
    out.text.push(' ');
    let mut cur = String::new();
    let mut cur_kind = Kind::Alpha;
    let mut cur_start = 0;
    let mut cur_end = 0;
    let mut clause = 0u32;
    // Each word goes to the text as soon as it ends.
    let flush = |cur: &mut String, start: usize, end: usize, clause: u32, out: &mut Normalized| {
        if !cur.is_empty() {
            push_word(out, cur, start, end, clause);
            cur.clear();
        }
    };
    for (at, c) in s.char_indices() {
        let end = at + c.len_utf8();
        let mut folded = [' '; 8];
        let mut n = 0;
        let mut put = |f: char| {
            if n < folded.len() {
                folded[n] = f;
                n += 1;
            }
        };
        if c.is_ascii() {
            put(c.to_ascii_lowercase());
        } else {
            match c {
                '\u{b5}' | '\u{3bc}' | '\u{39c}' => put('u'),
                '\u{b0}' | '\u{ba}' => put('°'),
                _ => {
                    for f in c.nfkc() {
                        if f.is_ascii() {
                            put(f.to_ascii_lowercase());
                        } else if let Some(d) = deunicode::deunicode_char(f) {
                            for g in d.chars() {
                                put(g.to_ascii_lowercase());
                            }
                        }
                    }
                }
            }
        }
        for &f in &folded[..n] {
            let kind = if f.is_ascii_lowercase() {
                Some(Kind::Alpha)
            } else if f.is_ascii_digit() {
                Some(Kind::Digit)
            } else {
                None
            };
            match kind {
                Some(k) => {
                    if !cur.is_empty() && k != cur_kind {
                        flush(&mut cur, cur_start, cur_end, clause, &mut out);
                    }
                    if cur.is_empty() {
                        cur_start = at;
                        cur_kind = k;
                    }
                    cur.push(f);
                    cur_end = end;
                }
                None => {
                    flush(&mut cur, cur_start, cur_end, clause, &mut out);
                    if matches!(f, ',' | ';' | '|' | '(' | ')' | '[' | ']' | '\n') {
                        clause += 1;
                    }
                }
            }
        }
    }
    flush(&mut cur, cur_start, cur_end, clause, &mut out);
    out
}

/// Appends one raw word (letters or digits) and its token.
fn push_word(out: &mut Normalized, word: &str, orig_start: usize, orig_end: usize, clause: u32) {
    let text = &mut out.text;
    let start = text.len();
    if word.as_bytes()[0].is_ascii_digit() {
        let t = word.trim_start_matches('0');
        text.push_str(if t.is_empty() { "0" } else { t });
    } else {
        push_stem(text, &canon(word));
    }
    text.push(' ');
    out.tokens.push(Token {
        start,
        orig_start,
        orig_end,
        clause,
    });
}

/// The normalised form of a phrase (" a b "), or `None` when it has no word.
pub(crate) fn normalize_phrase(s: &str) -> Option<String> {
    let n = normalize(s);
    (!n.tokens.is_empty()).then_some(n.text)
}

/// British spellings and variants -> one spelling.
fn canon(w: &str) -> Cow<'_, str> {
    let mapped = match w {
        // ERP abbreviations that name nothing else.
        "rkt" => "rocket",
        "rkts" => "rockets",
        "assy" => "assembly",
        "fibre" => "fiber",
        "fibres" => "fibers",
        "aluminium" => "aluminum",
        "sulphur" => "sulfur",
        "sulphate" => "sulfate",
        "caesium" => "cesium",
        "colour" => "color",
        "vapour" => "vapor",
        "armour" => "armor",
        "behaviour" => "behavior",
        "mould" => "mold",
        "moulds" => "molds",
        "moulded" => "molded",
        "moulding" => "molding",
        "analogue" => "analog",
        "catalogue" => "catalog",
        "programme" => "program",
        "programmes" => "programs",
        "tyre" => "tire",
        "tyres" => "tires",
        "grey" => "gray",
        "ageing" => "aging",
        "defence" => "defense",
        "licence" => "license",
        "manoeuvre" => "maneuver",
        "manoeuvring" => "maneuvering",
        "manoeuvrable" => "maneuverable",
        "aeroplane" => "airplane",
        "modelling" => "modeling",
        "modelled" => "modeled",
        "fuelled" => "fueled",
        "fuelling" => "fueling",
        "labelled" => "labeled",
        "levelling" => "leveling",
        "signalling" => "signaling",
        "travelling" => "traveling",
        "centre" => "center",
        "centres" => "centers",
        "metre" => "meter",
        "metres" => "meters",
        "litre" => "liter",
        "litres" => "liters",
        "calibre" => "caliber",
        "kilometre" => "kilometer",
        "kilometres" => "kilometers",
        "micrometre" => "micrometer",
        "millimetre" => "millimeter",
        "sceptre" => "scepter",
        "gramme" => "gram",
        "kerosine" => "kerosene",
        "draught" => "draft",
        "plough" => "plow",
        _ => "",
    };
    if !mapped.is_empty() {
        return Cow::Borrowed(mapped);
    }
    // -ise/-ize and -yse/-yze: "oxidiser", "atomised", "pyrolysed", "analyse".
    for (from, to) in [
        ("isations", "izations"),
        ("isation", "ization"),
        ("ising", "izing"),
        ("isers", "izers"),
        ("iser", "izer"),
        ("ised", "ized"),
        ("ises", "izes"),
        ("ise", "ize"),
        ("ysing", "yzing"),
        ("ysers", "yzers"),
        ("yser", "yzer"),
        ("ysed", "yzed"),
        ("yses", "yzes"),
        ("yse", "yze"),
    ] {
        if w.len() > from.len() + 2 {
            if let Some(stem) = w.strip_suffix(from) {
                return Cow::Owned(format!("{stem}{to}"));
            }
        }
    }
    Cow::Borrowed(w)
}

/// A light plural stemmer; the same on both sides, so consistency matters
/// more than linguistics. Appends the stem of `w` to `out`.
fn push_stem(out: &mut String, w: &str) {
    out.push_str(stem(w).as_ref());
}

fn stem(w: &str) -> Cow<'_, str> {
    if w.len() < 4 {
        return Cow::Borrowed(w);
    }
    if w == "axes" {
        return Cow::Borrowed("axis");
    }
    if let Some(s) = w.strip_suffix("ies") {
        if w.len() > 4 {
            return Cow::Owned(format!("{s}y"));
        }
    }
    for suffix in ["sses", "xes", "ches", "shes"] {
        if w.ends_with(suffix) {
            return Cow::Borrowed(&w[..w.len() - 2]);
        }
    }
    if w.ends_with("ss") || w.ends_with("us") || w.ends_with("is") {
        return Cow::Borrowed(w);
    }
    Cow::Borrowed(w.strip_suffix('s').unwrap_or(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_table() {
        let cases: &[(&str, &str)] = &[
            ("Fibre-optic GYROS", " fiber optic gyro "),
            (
                "Aluminium powders, spherical",
                " aluminum powder spherical ",
            ),
            ("N2O4 / MON-3", " n 2 o 4 mon 3 "),
            ("Oxidiser, atomised", " oxidizer atomized "),
            ("Isostatic presses", " isostatic press "),
            ("Batteries; axes", " battery axis "),
            ("Rhône µm", " rhone um "),
            ("CAS 302-01-2", " cas 302 1 2 "),
            ("", " "),
        ];
        for (input, want) in cases {
            assert_eq!(normalize(input).text, *want, "input {input:?}");
        }
    }

    #[test]
    fn tokens_map_back_to_the_original() {
        let s = "Ring-laser gyro, drift";
        let n = normalize(s);
        assert_eq!(n.len(), 4);
        let t = &n.tokens[2];
        assert_eq!(&s[t.orig_start..t.orig_end], "gyro");
        assert_eq!(n.token(2), "gyro");
        assert!(n.tokens[3].clause > n.tokens[2].clause);
        assert_eq!(n.token_at(n.tokens[1].start), Some(1));
    }

    #[test]
    fn phrases_need_a_word() {
        assert_eq!(normalize_phrase(" - / "), None);
        assert_eq!(
            normalize_phrase("Rocket motor").as_deref(),
            Some(" rocket motor ")
        );
    }
}
