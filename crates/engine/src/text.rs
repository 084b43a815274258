//! The canonical text layer: what a reader sees, not how it was encoded.
//!
//! Every matcher (parties, items, places, end uses) reads text through
//! [`canonical`] first, so that characters a reader cannot see cannot hide a
//! listed name or a controlled good:
//!
//! - **Invisible characters** (Unicode's *default ignorable* code points:
//!   zero-width space, joiner and non-joiner, word joiner, soft hyphen, bidi
//!   marks and controls, variation selectors, tag characters ...) are
//!   removed: `Ma\u{200B}han Air` reads `Mahan Air`. A zero-width space
//!   stands for a word break where a reader would see one: between a lower-
//!   and an upper-case letter (`Kim\u{200B}Jong\u{200B}Un` reads
//!   `Kim Jong Un`) and in scripts written without spaces (Thai, Lao, Khmer,
//!   Myanmar, Tibetan, Han, Kana), where it is the word separator.
//! - **Blank-rendering characters** (the Hangul fillers U+3164, U+FFA0,
//!   U+115F, U+1160, the Braille blank U+2800, the Mongolian vowel separator,
//!   the musical null notehead) and every Unicode white space are the space
//!   they look like: `Islamic\u{3164}Revolutionary` reads
//!   `Islamic Revolutionary`.
//! - **Joiners real names need are kept**: a zero-width non-joiner or joiner
//!   between two letters of a script that uses them (Arabic script for
//!   Persian, Urdu and Pashto; Syriac; the Indic scripts; Mongolian) stays,
//!   so `می‌خواهم` is unchanged.
//! - **Bidi overrides are resolved** to the order a reader sees: the text
//!   between RIGHT-TO-LEFT OVERRIDE (U+202E) and its POP DIRECTIONAL
//!   FORMATTING (or the end of the line) is displayed mirrored, so
//!   `\u{202E}riA nahaM\u{202C}` reads `Mahan Air`; text in a right-to-left
//!   script forced left-to-right (U+202D) is displayed in stored order and so
//!   read backwards by a right-to-left reader, and is turned round too.
//!   Embeddings, isolates and marks change no letter's order within a word
//!   and are dropped.
//!
//! Plain ASCII text without control characters (almost every request) is
//! returned borrowed, untouched, after one scan.

use std::borrow::Cow;

use crate::model::{Item, Shipment};

/// How the canonical layer treats one character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CharClass {
    /// A visible character: kept.
    Visible,
    /// Renders as blank space: read as a space.
    Blank,
    /// Zero-width space: a word break only where a reader would see one.
    ZeroWidthSpace,
    /// Zero-width non-joiner or joiner: kept between letters of scripts that
    /// use them, removed elsewhere.
    Joiner,
    /// Any other invisible character (default ignorable, bidi mark,
    /// embedding or isolate): removed.
    Invisible,
    /// A bidi override that opens a right-to-left (U+202E) or left-to-right
    /// (U+202D) run, or closes one (U+202C).
    Override(Override),
}

/// A bidi override control.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Override {
    /// RIGHT-TO-LEFT OVERRIDE, U+202E.
    RightToLeft,
    /// LEFT-TO-RIGHT OVERRIDE, U+202D.
    LeftToRight,
    /// POP DIRECTIONAL FORMATTING, U+202C.
    Pop,
}

/// Classifies one character.
pub fn class(c: char) -> CharClass {
    let u = c as u32;
    match u {
        0x202E => CharClass::Override(Override::RightToLeft),
        0x202D => CharClass::Override(Override::LeftToRight),
        0x202C => CharClass::Override(Override::Pop),
        0x200B => CharClass::ZeroWidthSpace,
        0x200C | 0x200D => CharClass::Joiner,
        // Blank-looking: Hangul fillers, Braille blank, Mongolian vowel
        // separator, musical null notehead.
        0x115F | 0x1160 | 0x3164 | 0xFFA0 | 0x2800 | 0x180E | 0x1D159 => CharClass::Blank,
        // Line breaks stay: they end clauses and override runs.
        0x0A | 0x0D => CharClass::Visible,
        _ if c.is_whitespace() => CharClass::Blank,
        _ if is_default_ignorable(u) => CharClass::Invisible,
        // Other control characters (C0/C1) are as invisible as the above.
        _ if c.is_control() => CharClass::Blank,
        _ => CharClass::Visible,
    }
}

/// Unicode's Default_Ignorable_Code_Point property (DerivedCoreProperties,
/// Unicode 15), less the characters [`class`] handles on their own.
fn is_default_ignorable(u: u32) -> bool {
    matches!(
        u,
        0x00AD
            | 0x034F
            | 0x061C
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xFFF0..=0xFFF8
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    )
}

/// True for scripts written from right to left (Hebrew, Arabic, Syriac,
/// Thaana, NKo and their presentation forms).
fn is_rtl(c: char) -> bool {
    matches!(c as u32,
        0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF)
}

/// True for scripts written without spaces between words, where a
/// zero-width space is the word separator.
fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF      // Thai, Lao
        | 0x0F00..=0x0FFF    // Tibetan
        | 0x1000..=0x109F    // Myanmar
        | 0x1780..=0x17FF    // Khmer
        | 0x19E0..=0x19FF    // Khmer symbols
        | 0x3040..=0x30FF    // Hiragana, Katakana
        | 0x3400..=0x4DBF    // Han extension A
        | 0x4E00..=0x9FFF    // Han
        | 0xF900..=0xFAFF    // Han compatibility
        | 0x20000..=0x3134F) // Han extensions B-G
}

/// True for scripts whose words legitimately carry a zero-width
/// (non-)joiner: Arabic script (Persian, Urdu, Pashto), Syriac, the Indic
/// scripts (Devanagari to Sinhala), Mongolian.
fn uses_joiners(c: char) -> bool {
    matches!(c as u32,
        0x0600..=0x06FF | 0x0700..=0x074F | 0x0750..=0x077F | 0x08A0..=0x08FF
        | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF
        | 0x0900..=0x0DFF
        | 0x1800..=0x18AF)
}

/// True when `s` needs no work: ASCII without control characters.
fn is_plain(s: &str) -> bool {
    // Whole chunks without an early exit inside: the compiler reads 32
    // bytes at a time.
    s.as_bytes()
        .chunks(32)
        .all(|c| c.iter().fold(true, |ok, &b| ok & (0x20..0x7F).contains(&b)))
}

/// The text as a reader sees it: invisible characters removed or read as
/// the space they stand for, bidi overrides resolved (see the module
/// documentation). Borrowed when nothing changes.
pub fn canonical(s: &str) -> Cow<'_, str> {
    if is_plain(s)
        || s.chars()
            .all(|c| c == ' ' || class(c) == CharClass::Visible)
    {
        return Cow::Borrowed(s);
    }
    let chars: Vec<char> = s.chars().collect();
    let ordered = resolve_overrides(&chars);
    let mut out = String::with_capacity(s.len());
    for (i, &c) in ordered.iter().enumerate() {
        match class(c) {
            CharClass::Visible => out.push(c),
            CharClass::Blank => push_space(&mut out),
            CharClass::Invisible | CharClass::Override(_) => {}
            CharClass::ZeroWidthSpace => {
                let (before, after) = neighbours(&ordered, i);
                let word_break = match (before, after) {
                    (Some(b), Some(a)) => {
                        (b.is_lowercase() && a.is_uppercase())
                            || is_unspaced_script(b)
                            || is_unspaced_script(a)
                    }
                    _ => false,
                };
                if word_break {
                    push_space(&mut out);
                }
            }
            CharClass::Joiner => {
                let (before, after) = neighbours(&ordered, i);
                if let (Some(b), Some(a)) = (before, after)
                    && uses_joiners(b)
                    && uses_joiners(a)
                {
                    out.push(c);
                }
            }
        }
    }
    if out == s {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(out)
    }
}

/// Replaces `field` by its canonical form; true when it changed.
fn canonicalise_field(field: &mut String) -> bool {
    match canonical(field) {
        Cow::Borrowed(_) => false,
        Cow::Owned(visible) => {
            *field = visible;
            true
        }
    }
}

/// The item with its texts in canonical form, or `None` when they already
/// are (no copy).
pub fn canonical_item(item: &Item) -> Option<Item> {
    let plain = |s: &str| matches!(canonical(s), Cow::Borrowed(_));
    if plain(&item.description) && plain(&item.declared_code) && plain(&item.unit) {
        return None;
    }
    let mut out = item.clone();
    canonicalise_field(&mut out.description);
    canonicalise_field(&mut out.declared_code);
    canonicalise_field(&mut out.unit);
    Some(out)
}

/// The shipment with every text the engine reads in canonical form, or
/// `None` when they already are (no copy).
pub fn canonical_shipment(shipment: &Shipment) -> Option<Shipment> {
    let plain = |s: &str| is_plain(s) || matches!(canonical(s), Cow::Borrowed(_));
    let clean = plain(&shipment.destination_country)
        && plain(&shipment.end_use)
        && shipment
            .items
            .iter()
            .all(|i| plain(&i.description) && plain(&i.declared_code) && plain(&i.unit))
        && shipment
            .parties
            .iter()
            .all(|p| plain(&p.name) && plain(&p.address) && plain(&p.country));
    if clean {
        return None;
    }
    let mut out = shipment.clone();
    let mut changed = canonicalise_field(&mut out.destination_country);
    changed |= canonicalise_field(&mut out.end_use);
    for i in &mut out.items {
        changed |= canonicalise_field(&mut i.description);
        changed |= canonicalise_field(&mut i.declared_code);
        changed |= canonicalise_field(&mut i.unit);
    }
    for p in &mut out.parties {
        changed |= canonicalise_field(&mut p.name);
        changed |= canonicalise_field(&mut p.address);
        changed |= canonicalise_field(&mut p.country);
    }
    changed.then_some(out)
}

/// Appends a space unless the text already ends with one.
fn push_space(out: &mut String) {
    if !out.ends_with(' ') {
        out.push(' ');
    }
}

/// The nearest visible characters before and after position `i` (other
/// invisible characters in between are skipped).
fn neighbours(chars: &[char], i: usize) -> (Option<char>, Option<char>) {
    let visible = |c: &&char| class(**c) == CharClass::Visible;
    let before = chars[..i].iter().rev().find(visible).copied();
    let after = chars[i + 1..].iter().find(visible).copied();
    (before, after)
}

/// Reorders text containing bidi overrides into reading order (text
/// without an override is already in reading order and is returned as
/// is). The override controls stay in place (they are removed afterwards).
///
/// A small version of the Unicode bidi algorithm's reordering: each
/// character gets an embedding level (an override run's level for every
/// character in it; outside overrides 1 for right-to-left letters and for
/// neutrals between them, else 0); the display order reverses, from the
/// highest level down to 1, every run at that level or above (rule L2);
/// a reader then reads the display left to right, except runs of
/// right-to-left letters (with the neutrals between them), which are read
/// right to left. An override run ends at its POP DIRECTIONAL FORMATTING,
/// at a line break, or at the end of the text.
fn resolve_overrides(chars: &[char]) -> Vec<char> {
    let has_override = chars.iter().any(|&c| {
        matches!(
            class(c),
            CharClass::Override(Override::RightToLeft | Override::LeftToRight)
        )
    });
    if !has_override {
        return chars.to_vec();
    }
    // Levels: None outside overrides (decided below), Some(level) inside.
    let mut forced: Vec<Option<u8>> = Vec::with_capacity(chars.len());
    let mut stack: Vec<u8> = Vec::new();
    for &c in chars {
        let level = stack.last().copied();
        match class(c) {
            CharClass::Override(Override::RightToLeft) => {
                let cur = level.unwrap_or(0);
                stack.push(if cur % 2 == 0 { cur + 1 } else { cur + 2 });
            }
            CharClass::Override(Override::LeftToRight) => {
                let cur = level.unwrap_or(0);
                stack.push(if cur % 2 == 0 { cur + 2 } else { cur + 1 });
            }
            CharClass::Override(Override::Pop) => {
                stack.pop();
            }
            _ if c == '\n' || c == '\r' || c == '\u{2029}' => {
                stack.clear();
                forced.push(None);
                continue;
            }
            _ => {}
        }
        forced.push(level);
    }
    let levels = natural_levels(chars, &forced);
    // L2: reverse runs at or above each level, highest first.
    let mut order: Vec<usize> = (0..chars.len()).collect();
    let max = levels.iter().copied().max().unwrap_or(0);
    for k in (1..=max).rev() {
        let mut i = 0;
        while i < order.len() {
            if levels[order[i]] >= k {
                let start = i;
                while i < order.len() && levels[order[i]] >= k {
                    i += 1;
                }
                order[start..i].reverse();
            } else {
                i += 1;
            }
        }
    }
    let visual: Vec<char> = order.iter().map(|&i| chars[i]).collect();
    read_display(&visual)
}

/// Levels of characters outside overrides: right-to-left letters 1,
/// neutrals between two of them 1, everything else 0.
fn natural_levels(chars: &[char], forced: &[Option<u8>]) -> Vec<u8> {
    let strong_rtl = |i: usize| forced[i].is_none() && is_rtl(chars[i]);
    let strong_other = |i: usize| forced[i].is_some() || is_strong_ltr(chars[i]);
    let mut levels = vec![0u8; chars.len()];
    for i in 0..chars.len() {
        levels[i] = match forced[i] {
            Some(l) => l,
            None if is_rtl(chars[i]) => 1,
            None if is_strong_ltr(chars[i]) => 0,
            None => {
                let before = (0..i).rev().find(|&j| strong_rtl(j) || strong_other(j));
                let after = (i + 1..chars.len()).find(|&j| strong_rtl(j) || strong_other(j));
                match (before, after) {
                    (Some(b), Some(a)) if strong_rtl(b) && strong_rtl(a) => 1,
                    _ => 0,
                }
            }
        };
    }
    levels
}

/// A letter or digit of a left-to-right script.
fn is_strong_ltr(c: char) -> bool {
    c.is_alphanumeric() && !is_rtl(c)
}

/// Reading order of a display: left to right, but runs of right-to-left
/// letters (and the neutrals between them) right to left.
fn read_display(visual: &[char]) -> Vec<char> {
    let mut out = Vec::with_capacity(visual.len());
    let mut i = 0;
    while i < visual.len() {
        if is_rtl(visual[i]) {
            // The run: right-to-left letters and neutrals, up to the last
            // right-to-left letter before a left-to-right one.
            let mut end = i;
            let mut j = i;
            while j < visual.len() && !is_strong_ltr(visual[j]) {
                if is_rtl(visual[j]) {
                    end = j;
                }
                j += 1;
            }
            out.extend(visual[i..=end].iter().rev());
            i = end + 1;
        } else {
            out.push(visual[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_printable_ascii_at_any_length_and_position() {
        let bytewise = |s: &str| s.bytes().all(|b| (0x20..0x7F).contains(&b));
        for len in [0, 1, 31, 32, 33, 64, 65, 100] {
            let base = "a".repeat(len);
            assert!(is_plain(&base), "{len}");
            for at in 0..len {
                for bad in ["\t", "\u{7f}", "\u{200b}", "é"] {
                    let s = format!("{}{bad}{}", &base[..at], &base[at + 1..]);
                    assert_eq!(is_plain(&s), bytewise(&s), "{len} {at} {bad:?}");
                    assert!(!is_plain(&s));
                }
            }
        }
    }

    /// (name, input, what a reader sees)
    const CASES: &[(&str, &str, &str)] = &[
        ("plain ascii", "Mahan Air", "Mahan Air"),
        (
            "hangul filler between words",
            "Islamic\u{3164}Revolutionary\u{3164}Guard\u{3164}Corps",
            "Islamic Revolutionary Guard Corps",
        ),
        (
            "halfwidth hangul filler",
            "Kim\u{FFA0}Jong\u{FFA0}Un",
            "Kim Jong Un",
        ),
        (
            "choseong filler",
            "Kim\u{115F}Jong\u{1160}Un",
            "Kim Jong Un",
        ),
        (
            "zero-width space inside a word",
            "Ma\u{200B}han Air",
            "Mahan Air",
        ),
        (
            "zero-width space at a case change",
            "Kim\u{200B}Jong\u{200B}Un",
            "Kim Jong Un",
        ),
        (
            "zero-width space in all caps joins",
            "MA\u{200B}HAN AIR",
            "MAHAN AIR",
        ),
        ("soft hyphen", "Hydra\u{AD}zine", "Hydrazine"),
        (
            "word joiner and bom",
            "\u{FEFF}Rosoboron\u{2060}export",
            "Rosoboronexport",
        ),
        ("zwj in latin removed", "Ro\u{200D}sneft", "Rosneft"),
        ("zwnj kept in persian", "می\u{200C}خواهم", "می\u{200C}خواهم"),
        ("zwnj kept in devanagari", "क्\u{200C}ष", "क्\u{200C}ष"),
        ("zwnj between latin and persian removed", "a\u{200C}م", "aم"),
        (
            "rtl override reversed",
            "\u{202E}riA nahaM\u{202C}",
            "Mahan Air",
        ),
        (
            "rtl override without pop",
            "Sent to \u{202E}riA nahaM",
            "Sent to Mahan Air",
        ),
        (
            "rtl override ends at line break",
            "\u{202E}cba\nxyz",
            "abc\nxyz",
        ),
        (
            "ltr override on arabic reversed",
            "\u{202D}\u{0631}\u{0628}\u{0639}\u{202C}",
            "\u{0639}\u{0628}\u{0631}",
        ),
        (
            "rtl override on arabic unchanged",
            "\u{202E}\u{0639}\u{0628}\u{0631}\u{202C}",
            "\u{0639}\u{0628}\u{0631}",
        ),
        (
            "nested overrides",
            "\u{202E}c\u{202D}de\u{202C}ba\u{202C}",
            "abdec",
        ),
        (
            "embedding dropped",
            "\u{202B}Mahan Air\u{202C}",
            "Mahan Air",
        ),
        (
            "isolates and marks dropped",
            "\u{2067}Mahan\u{200F} Air\u{2069}",
            "Mahan Air",
        ),
        (
            "zwsp separates thai words",
            "\u{0E01}\u{200B}\u{0E02}",
            "\u{0E01} \u{0E02}",
        ),
        ("braille blank", "Mahan\u{2800}Air", "Mahan Air"),
        (
            "no-break and ideographic spaces",
            "Mahan\u{00A0}Air\u{3000}Co",
            "Mahan Air Co",
        ),
        ("variation selector", "Ma\u{FE0F}han", "Mahan"),
        ("tag characters", "Ma\u{E0041}han", "Mahan"),
        ("tab stays a space", "Mahan\tAir", "Mahan Air"),
        ("accents untouched", "Société Générale", "Société Générale"),
    ];

    #[test]
    fn case_names_are_unique() {
        let mut names: Vec<&str> = CASES.iter().map(|c| c.0).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }

    #[test]
    fn reads_what_a_reader_sees() {
        for (name, input, want) in CASES {
            assert_eq!(canonical(input), *want, "{name}: {input:?}");
        }
    }

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(canonical("Mahan Air"), Cow::Borrowed(_)));
        assert!(matches!(canonical("Société"), Cow::Borrowed(_)));
        assert!(matches!(canonical("Ma\u{200B}han"), Cow::Owned(_)));
    }

    #[test]
    fn canonical_is_idempotent() {
        for (name, input, _) in CASES {
            let once = canonical(input).into_owned();
            assert_eq!(canonical(&once), once, "{name}");
        }
    }
}
