//! The data-driven rules of party-name matching, read from files an officer
//! can read and extend (`control-lists/`, a deployment's `config/`):
//!
//! - `party-words.toml`: abbreviations of organisation words (`Inds` for
//!   industries, `Mgmt` for management ...), how dotted abbreviations are
//!   read in general, vessel prefixes (`MV`, `M/T` ...), numbers written as
//!   words (`Forty-Four`, `First`);
//! - `nicknames.toml`: given names and their hypocorisms (`Ted`/Theodore);
//! - `legal-forms.toml`: the ISO 20275 entity legal forms, spelled out and
//!   abbreviated, in every language the standard lists.
//!
//! Every word is folded the way names are ([`super::normalize::words`]),
//! so the files may use any case, accents and scripts.

use std::sync::LazyLock;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Deserialize;

use super::normalize;
use crate::EngineError;
use crate::word_filter::WordFilter;

/// The name rules, ready for lookups.
#[derive(Debug, Default)]
pub struct NameRules {
    /// Similarity of a Wade-Giles syllable to its pinyin.
    pub(crate) wade_giles_sim: f32,
    /// Abbreviation -> the full words it may stand for.
    abbrev_full: FxHashMap<String, Vec<String>>,
    /// Full word -> its abbreviations.
    abbrev_forms: FxHashMap<String, Vec<String>>,
    /// Dotted abbreviations: least letters, most listed words, similarity.
    pub(crate) prefix_min: usize,
    pub(crate) prefix_max_words: usize,
    pub(crate) prefix_sim: f32,
    /// Similarity of an abbreviation to its word.
    pub(crate) abbrev_sim: f32,
    vessel_prefixes: FxHashSet<String>,
    units: FxHashMap<String, u32>,
    tens: FxHashMap<String, u32>,
    ordinals: FxHashMap<String, u32>,
    roman: FxHashMap<String, u32>,
    /// Roman numerals that are also words or name parts (`v`, `vi`, `x`,
    /// `xi`): numbers only before a legal form ("Partners V L.P.").
    roman_before_legal: FxHashMap<String, u32>,
    /// The bytes of the keys of `roman` and `roman_before_legal` (one bit
    /// each) and their greatest length: a word holding another byte, or
    /// longer, is none of them (a beginning of a word tried as a numeral
    /// stops there).
    roman_bytes: [u64; 4],
    roman_max_len: usize,
    /// The keys of `units`, `tens`, `ordinals`, `roman` and
    /// `roman_before_legal`: most words are none, told without hashing.
    numeral_filter: WordFilter,
    ordinal_suffixes: Vec<String>,
    /// Name -> nicknames and nickname -> names (both directions).
    nicknames: FxHashMap<String, Vec<String>>,
    pub(crate) nickname_sim: f32,
    /// Common English words (see `[common]` in `party-words.toml`).
    common: FxHashSet<String>,
    /// Legal forms of one word (ISO 20275 names and abbreviations).
    legal_words: FxHashSet<String>,
    /// Legal forms of several words, by their first word.
    legal_phrases: FxHashMap<String, Vec<Box<[String]>>>,
    /// The words of `legal_words` and the first words of `legal_phrases`
    /// (every word of a name is asked about both).
    legal_word_filter: WordFilter,
    legal_phrase_filter: WordFilter,
    /// Endings of patronymics (`[patronymics]`), and the least letters of
    /// a word read as one.
    patronymic_suffixes: Vec<String>,
    patronymic_min: usize,
    /// Words after which a person's name part is an ancestor's (`bin`).
    lineage_words: FxHashSet<String>,
    /// Word -> the other forms of it (`[word_forms]`).
    word_forms: FxHashMap<String, Vec<String>>,
    /// Well-known legitimate firms (`well-known.toml`), a competing
    /// explanation of matches by a slip or a weak alias.
    well_known: Vec<super::well_known::Firm>,
    pub(crate) word_form_sim: f32,
    /// Wade-Giles to pinyin (`[wade_giles]`).
    wade_giles: WadeGiles,
    /// Rewrite tables of other romanisations of Cyrillic (German, French),
    /// each sorted longest rule first, with the bytes its rules begin with.
    transcriptions: Vec<(Vec<Rewrite>, [bool; 256])>,
    /// Least letters of a word read through them.
    transcription_min: usize,
    /// Letter groups one of which a word must hold to be read through them.
    transcription_markers: Vec<String>,
    /// The first letters of the markers (bit `c - b'a'`): a word is searched
    /// for markers only where one of them stands.
    transcription_marker_firsts: u32,
    /// Short forms of two-word names ("us"), each with its two words run
    /// together as the index joins them ("unitedstates").
    short_forms: FxHashMap<String, Vec<String>>,
    pub(crate) transcription_sim: f32,
}

/// Wade-Giles syllables rewritten in pinyin (see `[wade_giles]` in
/// `party-words.toml`).
#[derive(Debug, Default)]
struct WadeGiles {
    /// Initial -> pinyin initials, longest initial first.
    initials: Vec<(String, Vec<String>)>,
    /// The same before a final starting with i.
    palatal: FxHashMap<String, Vec<String>>,
    finals: FxHashMap<String, String>,
    syllables: FxHashMap<String, Vec<String>>,
    only_initials: FxHashSet<String>,
    only_finals: FxHashSet<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WordsFile {
    abbreviations: std::collections::BTreeMap<String, Vec<String>>,
    prefix: PrefixSection,
    vessels: VesselSection,
    numbers: NumberSection,
    /// Absent in a configuration copied before the section existed.
    #[serde(default)]
    common: CommonSection,
    #[serde(default)]
    patronymics: PatronymicSection,
    #[serde(default)]
    wade_giles: WadeGilesSection,
    #[serde(default)]
    word_forms: WordFormSection,
    #[serde(default)]
    transcriptions: TranscriptionSection,
    #[serde(default)]
    short_forms: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PatronymicSection {
    suffixes: Vec<String>,
    min_letters: usize,
    #[serde(default)]
    lineage_words: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct WordFormSection {
    similarity: f32,
    groups: Vec<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct WadeGilesSection {
    similarity: f32,
    initials: Vec<(String, Vec<String>)>,
    palatal: Vec<(String, Vec<String>)>,
    finals: Vec<(String, String)>,
    syllables: Vec<(String, Vec<String>)>,
    only_initials: Vec<String>,
    only_finals: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CommonSection {
    words: Vec<String>,
}

/// One rewrite of a transcription table: `from` read as `to`, at the start
/// or the end of the word only when so tied (`^`, `$`).
#[derive(Clone, Debug, Default)]
struct Rewrite {
    from: String,
    to: String,
    start: bool,
    end: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TranscriptionSection {
    similarity: f32,
    min_letters: usize,
    #[serde(default)]
    markers: Vec<String>,
    system: Vec<TranscriptionSystem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TranscriptionSystem {
    name: String,
    rules: Vec<(String, String)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PrefixSection {
    min_letters: usize,
    max_words: usize,
    similarity: f32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VesselSection {
    prefixes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NumberSection {
    units: Vec<(String, u32)>,
    tens: Vec<(String, u32)>,
    ordinals: Vec<(String, u32)>,
    roman: Vec<(String, u32)>,
    roman_before_legal_form: Vec<(String, u32)>,
    ordinal_suffixes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NicknameFile {
    #[serde(rename = "match")]
    matching: NicknameMatch,
    nicknames: std::collections::BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NicknameMatch {
    similarity: f32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LegalFile {
    forms: Vec<LegalForm>,
    #[serde(rename = "use")]
    usage: LegalUse,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LegalForm {
    #[allow(dead_code)]
    elf: String,
    #[allow(dead_code)]
    country: String,
    name: String,
    #[serde(default)]
    transliterated: String,
    #[serde(default)]
    abbreviations: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LegalUse {
    name_words: Vec<String>,
}

fn cfg(file: &str, message: impl Into<String>) -> EngineError {
    EngineError::Config {
        file: file.to_string(),
        message: message.into(),
    }
}

/// One word as names are folded ("Int'l" -> `intl`); `None` when the text
/// is not a single word.
fn one_word(text: &str) -> Option<String> {
    let w = normalize::words(text);
    (!w.is_empty() && !w.contains(' ')).then_some(w)
}

/// The words of a phrase as names are folded.
fn phrase(text: &str) -> Vec<String> {
    normalize::words(text)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn similarity(file: &str, key: &str, v: f32) -> Result<f32, EngineError> {
    if (0.5..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(cfg(file, format!("{key} must be in [0.5, 1], got {v}")))
    }
}

impl NameRules {
    /// Reads the three files (`party-words.toml`, `nicknames.toml`,
    /// `legal-forms.toml`).
    ///
    /// # Errors
    /// [`EngineError::Config`] naming the file when one is malformed.
    pub fn from_toml(words: &str, nicknames: &str, legal: &str) -> Result<NameRules, EngineError> {
        const WORDS: &str = "party-words.toml";
        const NICKS: &str = "nicknames.toml";
        const LEGAL: &str = "legal-forms.toml";
        let w: WordsFile = toml::from_str(words).map_err(|e| cfg(WORDS, e.to_string()))?;
        let n: NicknameFile = toml::from_str(nicknames).map_err(|e| cfg(NICKS, e.to_string()))?;
        let l: LegalFile = toml::from_str(legal).map_err(|e| cfg(LEGAL, e.to_string()))?;
        let mut r = NameRules {
            prefix_min: w.prefix.min_letters.max(2),
            prefix_max_words: w.prefix.max_words,
            prefix_sim: similarity(WORDS, "prefix.similarity", w.prefix.similarity)?,
            abbrev_sim: 0.95,
            nickname_sim: similarity(NICKS, "match.similarity", n.matching.similarity)?,
            wade_giles_sim: if w.wade_giles.initials.is_empty() {
                0.0
            } else {
                similarity(WORDS, "wade_giles.similarity", w.wade_giles.similarity)?
            },
            patronymic_min: w.patronymics.min_letters,
            word_form_sim: if w.word_forms.groups.is_empty() {
                0.0
            } else {
                similarity(WORDS, "word_forms.similarity", w.word_forms.similarity)?
            },
            ..NameRules::default()
        };
        for (full, forms) in &w.abbreviations {
            let full = one_word(full)
                .ok_or_else(|| cfg(WORDS, format!("abbreviations: {full:?} is not one word")))?;
            for f in forms {
                let f = one_word(f).ok_or_else(|| {
                    cfg(
                        WORDS,
                        format!("abbreviations.{full}: {f:?} is not one word"),
                    )
                })?;
                if f.len() < 2 {
                    return Err(cfg(
                        WORDS,
                        format!("abbreviations.{full}: {f:?} has one letter (read as an initial)"),
                    ));
                }
                push_unique(r.abbrev_full.entry(f.clone()).or_default(), &full);
                push_unique(r.abbrev_forms.entry(full.clone()).or_default(), &f);
                // An abbreviation stands for the word in the singular and
                // the plural (`ents` is enterprises and enterprise).
                let other = match full.strip_suffix('s') {
                    Some(one) if !full.ends_with("ss") => one.to_string(),
                    _ => format!("{full}s"),
                };
                push_unique(r.abbrev_full.entry(f.clone()).or_default(), &other);
            }
        }
        for p in &w.vessels.prefixes {
            let p = one_word(p).ok_or_else(|| cfg(WORDS, format!("vessels: {p:?}")))?;
            r.vessel_prefixes.insert(p);
        }
        for (table, out) in [
            (&w.numbers.units, &mut r.units),
            (&w.numbers.tens, &mut r.tens),
            (&w.numbers.ordinals, &mut r.ordinals),
            (&w.numbers.roman, &mut r.roman),
            (
                &w.numbers.roman_before_legal_form,
                &mut r.roman_before_legal,
            ),
        ] {
            for (word, value) in table {
                let word =
                    one_word(word).ok_or_else(|| cfg(WORDS, format!("numbers: {word:?}")))?;
                out.insert(word, *value);
            }
        }
        for word in r.roman.keys().chain(r.roman_before_legal.keys()) {
            for b in word.bytes() {
                r.roman_bytes[usize::from(b >> 6)] |= 1 << (b & 63);
            }
            r.roman_max_len = r.roman_max_len.max(word.len());
        }
        for word in r
            .units
            .keys()
            .chain(r.tens.keys())
            .chain(r.ordinals.keys())
            .chain(r.roman.keys())
            .chain(r.roman_before_legal.keys())
        {
            r.numeral_filter.add(word);
        }
        r.ordinal_suffixes = w.numbers.ordinal_suffixes.clone();
        for word in &w.common.words {
            let word = one_word(word).ok_or_else(|| cfg(WORDS, format!("common: {word:?}")))?;
            r.common.insert(word);
        }
        for suffix in &w.patronymics.suffixes {
            let suffix =
                one_word(suffix).ok_or_else(|| cfg(WORDS, format!("patronymics: {suffix:?}")))?;
            r.patronymic_suffixes.push(suffix);
        }
        for word in &w.patronymics.lineage_words {
            let word = one_word(word)
                .ok_or_else(|| cfg(WORDS, format!("patronymics.lineage_words: {word:?}")))?;
            r.lineage_words.insert(word);
        }
        for group in &w.word_forms.groups {
            let forms = group
                .iter()
                .map(|f| one_word(f).ok_or_else(|| cfg(WORDS, format!("word_forms: {f:?}"))))
                .collect::<Result<Vec<_>, _>>()?;
            for f in &forms {
                for g in &forms {
                    if f != g {
                        push_unique(r.word_forms.entry(f.clone()).or_default(), g);
                    }
                }
            }
        }
        r.wade_giles = WadeGiles::read(&w.wade_giles)?;
        for (short, words) in &w.short_forms {
            let short = one_word(short)
                .ok_or_else(|| cfg(WORDS, format!("short_forms: {short:?} is not one word")))?;
            let words = phrase(words);
            let [a, b] = words.as_slice() else {
                return Err(cfg(
                    WORDS,
                    format!("short_forms.{short}: write the two words it stands for"),
                ));
            };
            push_unique(r.short_forms.entry(short).or_default(), &format!("{a}{b}"));
        }
        if !w.transcriptions.system.is_empty() {
            r.transcription_sim = similarity(
                WORDS,
                "transcriptions.similarity",
                w.transcriptions.similarity,
            )?;
            r.transcription_min = w.transcriptions.min_letters.max(2);
            for m in &w.transcriptions.markers {
                if m.is_empty() || !m.bytes().all(|b| b.is_ascii_lowercase()) {
                    return Err(cfg(
                        WORDS,
                        format!("transcriptions.markers: {m:?}: write lower-case letters a-z"),
                    ));
                }
                r.transcription_marker_firsts |= 1 << (m.as_bytes()[0] - b'a');
                r.transcription_markers.push(m.clone());
            }
        }
        for sys in &w.transcriptions.system {
            let mut table = Vec::with_capacity(sys.rules.len());
            for (from, to) in &sys.rules {
                let bad = |what: &str| {
                    cfg(
                        WORDS,
                        format!("transcriptions.{}: [{from:?}, {to:?}]: {what}", sys.name),
                    )
                };
                let start = from.starts_with('^');
                let end = from.ends_with('$');
                let core = from.trim_start_matches('^').trim_end_matches('$');
                if core.is_empty() || !core.bytes().all(|b| b.is_ascii_lowercase()) {
                    return Err(bad("write lower-case letters a-z, ^ and $ only"));
                }
                if !to.bytes().all(|b| b.is_ascii_lowercase()) {
                    return Err(bad("write the reading in lower-case letters a-z"));
                }
                table.push(Rewrite {
                    from: core.to_string(),
                    to: to.clone(),
                    start,
                    end,
                });
            }
            // The longest rule that fits wins ("tsch" before "sch" before "ch").
            table.sort_by_key(|r| std::cmp::Reverse(r.from.len()));
            let mut starts = [false; 256];
            for rule in &table {
                starts[usize::from(rule.from.as_bytes()[0])] = true;
            }
            r.transcriptions.push((table, starts));
        }
        for (name, nicks) in &n.nicknames {
            let Some(name) = one_word(name) else {
                return Err(cfg(NICKS, format!("{name:?} is not one word")));
            };
            for k in nicks {
                let Some(k) = one_word(k) else {
                    return Err(cfg(NICKS, format!("{name}: {k:?} is not one word")));
                };
                if k.len() <= 2 || name.len() <= 2 || k == name {
                    continue;
                }
                push_unique(r.nicknames.entry(name.clone()).or_default(), &k);
                push_unique(r.nicknames.entry(k).or_default(), &name);
            }
        }
        let keep: FxHashSet<String> = l
            .usage
            .name_words
            .iter()
            .filter_map(|w| one_word(w))
            .collect();
        for f in &l.forms {
            let texts = [f.name.as_str(), f.transliterated.as_str()];
            for (k, text) in texts
                .iter()
                .map(|t| (false, *t))
                .chain(f.abbreviations.iter().map(|a| (true, a.as_str())))
            {
                let words = phrase(text);
                match words.as_slice() {
                    [] => {}
                    // Two-letter abbreviations are name syllables as often
                    // ("Kim Se", "Li An"): the common ones are built in.
                    [one] if one.len() <= 2 => {}
                    [one] if keep.contains(one) || !k && one.len() < 4 => {}
                    [one] => {
                        r.legal_words.insert(one.clone());
                    }
                    // A form holding a word that says what the
                    // organisation is ("Commercial Bank") is a name.
                    words if words.iter().any(|w| keep.contains(w)) => {}
                    [first, ..] => {
                        let v = r.legal_phrases.entry(first.clone()).or_default();
                        if !v.iter().any(|p| p[..] == words[..]) {
                            v.push(words.clone().into());
                        }
                    }
                }
            }
        }
        for w in &r.legal_words {
            r.legal_word_filter.add(w);
        }
        for w in r.legal_phrases.keys() {
            r.legal_phrase_filter.add(w);
        }
        Ok(r)
    }

    /// The rules of the embedded default files.
    pub fn embedded() -> &'static NameRules {
        static RULES: LazyLock<NameRules> = LazyLock::new(|| {
            let files = crate::reference::ReferenceFiles::embedded();
            // The embedded files are tested; an empty rule set is the safe
            // fallback all the same.
            NameRules::from_toml(&files.party_words, &files.nicknames, &files.legal_forms)
                .and_then(|r| r.with_well_known(&files.well_known))
                .unwrap_or_default()
        });
        &RULES
    }

    /// These rules with the well-known firms of `text` (`well-known.toml`).
    ///
    /// # Errors
    /// [`EngineError::Config`] naming the file when it is malformed.
    pub fn with_well_known(mut self, text: &str) -> Result<NameRules, EngineError> {
        self.well_known = super::well_known::parse(text)?;
        Ok(self)
    }

    /// The well-known firms (`well-known.toml`).
    pub fn well_known(&self) -> &[super::well_known::Firm] {
        &self.well_known
    }

    /// Full words an abbreviation may stand for.
    pub fn expansions(&self, token: &str) -> &[String] {
        self.abbrev_full
            .get(token)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Abbreviations of a full word.
    pub fn abbreviations(&self, token: &str) -> &[String] {
        self.abbrev_forms
            .get(token)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// True for a common English word of the `[common]` table.
    pub fn is_common_word(&self, token: &str) -> bool {
        self.common.contains(token)
    }

    /// True when the token is an abbreviation of the table.
    pub fn is_abbreviation(&self, token: &str) -> bool {
        self.abbrev_full.contains_key(token)
    }

    /// Nicknames of a name, and names of a nickname.
    pub fn nicknames(&self, token: &str) -> &[String] {
        self.nicknames.get(token).map(Vec::as_slice).unwrap_or(&[])
    }

    /// True for a patronymic ("viktorovich", "oleksandrovych", "ivanovna").
    pub fn is_patronymic(&self, token: &str) -> bool {
        token.len() >= self.patronymic_min.max(1)
            && self
                .patronymic_suffixes
                .iter()
                .any(|s| token.ends_with(s.as_str()))
    }

    /// True for a word after which a name part is a father's or an
    /// ancestor's (`bin`, `ibn`).
    pub fn is_lineage_word(&self, token: &str) -> bool {
        self.lineage_words.contains(token)
    }

    /// The other forms of an organisation word ("agricultural" for
    /// "agriculture").
    pub fn word_forms(&self, token: &str) -> &[String] {
        self.word_forms.get(token).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The two-word names a short form stands for, run together as the
    /// index joins listed words ("us" -> "unitedstates").
    pub fn short_forms(&self, token: &str) -> &[String] {
        self.short_forms
            .get(token)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// A word read in each transcription system of the table
    /// ("selenskyj" -> "zelenskyy", "khrouchtchev" -> "khrushchev"): the
    /// forms that differ from the word, each once.
    pub fn transcriptions(&self, token: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut form = String::new();
        self.each_transcription(token, &mut form, |f| push_unique(&mut out, f));
        out
    }

    /// [`Self::transcriptions`] without allocating: each form that differs
    /// from the word is written into `form` and handed to `f` (a form may
    /// come twice).
    pub fn each_transcription(&self, token: &str, form: &mut String, mut f: impl FnMut(&str)) {
        if token.len() < self.transcription_min.max(1) || !token.is_ascii() {
            return;
        }
        let b = token.as_bytes();
        // Holds a marker: one starts at some letter (markers are a-z).
        let holds_marker = (0..b.len()).any(|i| {
            let c = b[i];
            c.is_ascii_lowercase()
                && self.transcription_marker_firsts & (1 << (c - b'a')) != 0
                && self
                    .transcription_markers
                    .iter()
                    .any(|m| b[i..].starts_with(m.as_bytes()))
        });
        if !holds_marker {
            return;
        }
        for (table, starts) in &self.transcriptions {
            // A word holding no letter a rule begins with is read as it is.
            if !b.iter().any(|&c| starts[usize::from(c)]) {
                continue;
            }
            form.clear();
            let mut i = 0;
            while i < b.len() {
                if !starts[usize::from(b[i])] {
                    form.push(char::from(b[i]));
                    i += 1;
                    continue;
                }
                let fit = table.iter().find(|r| {
                    b[i..].starts_with(r.from.as_bytes())
                        && (!r.start || i == 0)
                        && (!r.end || i + r.from.len() == b.len())
                });
                match fit {
                    Some(r) => {
                        form.push_str(&r.to);
                        i += r.from.len();
                    }
                    None => {
                        form.push(char::from(b[i]));
                        i += 1;
                    }
                }
            }
            if form != token {
                f(form);
            }
        }
    }

    /// True for a syllable that can only be Wade-Giles ("hsi", "tse",
    /// "chin"): a name holding one is read as written in Wade-Giles.
    pub fn is_wade_giles(&self, token: &str) -> bool {
        self.wade_giles.only_wade_giles(token)
    }

    /// Pinyin forms of a Wade-Giles syllable, itself left out ("hsi" -> xi,
    /// "chin" -> jin, qin, "ping" -> bing); empty for a word that is no
    /// Chinese syllable.
    pub fn pinyin(&self, token: &str) -> Vec<String> {
        let mut forms = self
            .wade_giles
            .read_syllable(token)
            .map(|(f, _)| f)
            .unwrap_or_default();
        forms.retain(|p| p != token);
        forms
    }

    /// Pinyin forms of two Wade-Giles syllables written apart, read as one
    /// given name ("chin" "ping" -> jinping, qinping ...).
    pub fn pinyin_pair(&self, a: &str, b: &str) -> Vec<String> {
        let wg = &self.wade_giles;
        let (Some((fa, _)), Some((fb, _))) = (wg.read_syllable(a), wg.read_syllable(b)) else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(fa.len() * fb.len());
        for x in &fa {
            for y in &fb {
                out.push(format!("{x}{y}"));
            }
        }
        out
    }

    /// True for a vessel prefix (`mv`, `mt` ...).
    pub fn is_vessel_prefix(&self, token: &str) -> bool {
        self.vessel_prefixes.contains(token)
    }

    /// True for a one-word legal form of the ISO 20275 list.
    pub fn is_legal_word(&self, token: &str) -> bool {
        self.legal_word_filter.may_hold(token) && self.legal_words.contains(token)
    }

    /// Length of the longest ISO 20275 legal form of several words starting
    /// at `raw[i]`. The first word may carry one more letter (an article or
    /// plural: `societatea` for `societate`); the others may differ by one
    /// edit when they have four letters or more.
    pub fn legal_phrase_at(&self, raw: &[String], i: usize) -> Option<usize> {
        let first = &raw[i];
        let mut best: Option<usize> = None;
        let shorter = first.len().checked_sub(1).and_then(|n| first.get(..n));
        for key in std::iter::once(first.as_str()).chain(shorter) {
            if !self.legal_phrase_filter.may_hold(key) {
                continue;
            }
            for p in self
                .legal_phrases
                .get(key)
                .map(Vec::as_slice)
                .unwrap_or(&[])
            {
                if p.len() <= raw.len() - i
                    && p[1..]
                        .iter()
                        .zip(&raw[i + 1..])
                        .all(|(a, b)| super::legal::phrase_word_eq(a, b))
                {
                    best = best.max(Some(p.len()));
                }
            }
        }
        best
    }

    /// Numbers written as words read as digits: `forty four` and `forty 4`
    /// -> `44`, `first` and `1st` -> `1`.
    pub fn numerals(&self, tokens: &mut Vec<String>) {
        if self.units.is_empty() && self.tens.is_empty() && self.ordinals.is_empty() {
            return;
        }
        // A word can only be read as a number when it may be a key of the
        // tables (the filter), starts with a digit (`1st`) or, last of
        // three words or more, starts with a letter of the Roman numerals
        // (`vlp`, below). Most names hold no such word: they are left as
        // they are, not rebuilt, and other words skip the look-ups.
        let n = tokens.len();
        let may_change = |i: usize, t: &str| {
            let first = t.as_bytes().first().copied();
            self.numeral_filter.may_hold(t)
                || first.is_some_and(|c| c.is_ascii_digit())
                || i >= 2
                    && i + 1 == n
                    && first.is_some_and(|c| {
                        self.roman_bytes[usize::from(c >> 6)] & (1 << (c & 63)) != 0
                    })
        };
        if !tokens.iter().enumerate().any(|(i, t)| may_change(i, t)) {
            return;
        }
        let mut out: Vec<String> = Vec::with_capacity(tokens.len());
        let mut i = 0;
        while i < tokens.len() {
            let t = &tokens[i];
            if !may_change(i, t) {
                out.push(std::mem::take(&mut tokens[i]));
                i += 1;
                continue;
            }
            if let Some(&tens) = self.tens.get(t) {
                let next = tokens.get(i + 1);
                let unit = next.and_then(|n| {
                    self.units
                        .get(n)
                        .copied()
                        .filter(|u| *u < 10)
                        .or_else(|| self.ordinals.get(n).copied().filter(|u| *u < 10))
                        .or_else(|| {
                            n.parse::<u32>()
                                .ok()
                                .filter(|u| (1..10).contains(u) && n.len() == 1)
                        })
                });
                match unit {
                    Some(u) => {
                        out.push((tens + u).to_string());
                        i += 2;
                    }
                    None => {
                        out.push(tens.to_string());
                        i += 1;
                    }
                }
                continue;
            }
            // A Roman numeral is a series number where it ends the name,
            // before a legal form at most ("Fund IV L.P.").
            // (Asked only of a word that is a Roman numeral.)
            let legal = |w: &String| super::legal::is_legal_form(w) || self.is_legal_word(w);
            let series = || i >= 2 && tokens[i + 1..].iter().all(legal);
            let before_legal = || i + 1 < tokens.len() && series();
            // A numeral run together with the legal form after it: the
            // single letters of "Partners V L.P." read as one word `vlp`.
            if i >= 2 && i + 1 == tokens.len() {
                // Longer beginnings hold the byte that ended the run: none
                // is a numeral either.
                let mut numeral_heads = (1..t.len()).take_while(|&k| {
                    let b = t.as_bytes()[k - 1];
                    k <= self.roman_max_len
                        && self.roman_bytes[usize::from(b >> 6)] & (1 << (b & 63)) != 0
                });
                if let Some((v, form)) = numeral_heads.find_map(|k| {
                    let (num, form) = t.split_at(k);
                    let v = self
                        .roman
                        .get(num)
                        .or_else(|| self.roman_before_legal.get(num))?;
                    (super::legal::is_legal_form(form) || self.is_legal_word(form))
                        .then(|| (*v, form.to_string()))
                }) {
                    out.push(v.to_string());
                    out.push(form);
                    i += 1;
                    continue;
                }
            }
            if let Some(v) = self
                .units
                .get(t)
                .or_else(|| self.ordinals.get(t))
                .or_else(|| self.roman.get(t).filter(|_| series()))
                .or_else(|| self.roman_before_legal.get(t).filter(|_| before_legal()))
            {
                out.push(v.to_string());
            } else if let Some(d) = self.ordinal_digits(t) {
                out.push(d.to_string());
            } else {
                out.push(std::mem::take(&mut tokens[i]));
            }
            i += 1;
        }
        *tokens = out;
    }

    /// `1st`, `22nd` -> the digits.
    fn ordinal_digits<'a>(&self, t: &'a str) -> Option<&'a str> {
        let split = t.find(|c: char| !c.is_ascii_digit())?;
        let (digits, suffix) = t.split_at(split);
        (!digits.is_empty() && self.ordinal_suffixes.iter().any(|s| s == suffix)).then_some(digits)
    }
}

impl WadeGiles {
    fn read(w: &WadeGilesSection) -> Result<WadeGiles, EngineError> {
        const WORDS: &str = "party-words.toml";
        let word = |t: &str| {
            if t.bytes().all(|b| b.is_ascii_lowercase()) {
                Ok(t.to_string())
            } else {
                Err(cfg(
                    WORDS,
                    format!("wade_giles: {t:?} is not lower-case ASCII letters"),
                ))
            }
        };
        let forms = |v: &[String]| v.iter().map(|t| word(t)).collect::<Result<Vec<_>, _>>();
        let mut out = WadeGiles::default();
        for (i, f) in &w.initials {
            out.initials.push((word(i)?, forms(f)?));
        }
        out.initials
            .sort_by_key(|(i, _)| std::cmp::Reverse(i.len()));
        for (i, f) in &w.palatal {
            out.palatal.insert(word(i)?, forms(f)?);
        }
        for (f, p) in &w.finals {
            out.finals.insert(word(f)?, word(p)?);
        }
        for (s, f) in &w.syllables {
            out.syllables.insert(word(s)?, forms(f)?);
        }
        for i in &w.only_initials {
            out.only_initials.insert(word(i)?);
        }
        for f in &w.only_finals {
            out.only_finals.insert(word(f)?);
        }
        Ok(out)
    }

    /// The pinyin forms of a Chinese syllable (itself among them when it
    /// is pinyin too) and
    /// whether it can only be Wade-Giles; `None` when it is no syllable
    /// of the tables.
    fn read_syllable(&self, t: &str) -> Option<(Vec<String>, bool)> {
        let (initial, fin, initials, only) = self.parse_syllable(t)?;
        let Some(fin) = fin else {
            return Some((initials.to_vec(), only));
        };
        let out: Vec<String> = if initial.is_empty() {
            vec![fin.clone()]
        } else {
            initials.iter().map(|i| format!("{i}{fin}")).collect()
        };
        Some((out, only))
    }

    /// Whether `t` can only be a Wade-Giles syllable: what
    /// [`WadeGiles::read_syllable`] tells, without writing its pinyin forms.
    fn only_wade_giles(&self, t: &str) -> bool {
        matches!(self.parse_syllable(t), Some((.., true)))
    }

    /// The parts of a syllable: its initial, its final's pinyin, the
    /// pinyin initials and whether it can only be Wade-Giles. A whole
    /// syllable of the table comes as no final, its pinyin forms in place
    /// of the initials.
    #[allow(clippy::type_complexity)]
    fn parse_syllable<'a>(
        &'a self,
        t: &'a str,
    ) -> Option<(&'a str, Option<&'a String>, &'a [String], bool)> {
        if t.is_empty() || t.len() > 6 || self.initials.is_empty() {
            return None;
        }
        if let Some(f) = self.syllables.get(t) {
            return Some((t, None, f.as_slice(), true));
        }
        let (initial, forms) = self
            .initials
            .iter()
            .find(|(i, _)| t.starts_with(i.as_str()))
            .map(|(i, f)| (i.as_str(), f.as_slice()))
            .unwrap_or(("", &[]));
        let rest = &t[initial.len()..];
        let fin = self.finals.get(rest)?;
        let palatal = rest
            .starts_with('i')
            .then(|| self.palatal.get(initial))
            .flatten();
        let only = self.only_initials.contains(initial)
            || self.only_finals.contains(rest)
            || palatal.is_some() && rest != "i";
        let initials: &[String] = palatal.map_or(forms, Vec::as_slice);
        Some((initial, Some(fin), initials, only))
    }
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> &'static NameRules {
        let r = NameRules::embedded();
        assert!(!r.abbrev_full.is_empty(), "the embedded rules load");
        r
    }

    #[test]
    fn embedded_files_parse() {
        let f = crate::reference::ReferenceFiles::embedded();
        NameRules::from_toml(&f.party_words, &f.nicknames, &f.legal_forms).unwrap();
    }

    fn v(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn numbers_read_as_digits() {
        const CASES: &[(&str, &[&str], &[&str])] = &[
            (
                "tens and unit",
                &["regiment", "sixty", "two"],
                &["regiment", "62"],
            ),
            ("tens and digit", &["unit", "seventy", "3"], &["unit", "73"]),
            (
                "tens alone",
                &["the", "eighty", "club"],
                &["the", "80", "club"],
            ),
            (
                "ordinal word",
                &["fifth", "avenue", "bank"],
                &["5", "avenue", "bank"],
            ),
            (
                "ordinal digits",
                &["22nd", "century", "fund"],
                &["22", "century", "fund"],
            ),
            (
                "unit word",
                &["seven", "seas", "shipping"],
                &["7", "seas", "shipping"],
            ),
            ("misspelt tens", &["fourty", "nine", "ltd"], &["49", "ltd"]),
            (
                "plain words kept",
                &["orbital", "works"],
                &["orbital", "works"],
            ),
            (
                "digits with letters kept",
                &["a380", "parts"],
                &["a380", "parts"],
            ),
        ];
        for (label, input, want) in CASES {
            let mut t = v(input);
            rules().numerals(&mut t);
            assert_eq!(t, v(want), "{label}");
        }
    }

    #[test]
    fn abbreviations_go_both_ways() {
        const CASES: &[(&str, &str, &str)] = &[
            ("management", "mgmt", "management"),
            ("industries", "inds", "industries"),
            ("industrial", "indl", "industrial"),
            ("international", "intl", "international"),
            ("engineering", "engg", "engineering"),
            ("shipping", "shpg", "shipping"),
        ];
        for (label, form, full) in CASES {
            assert!(
                rules().expansions(form).iter().any(|f| f == full),
                "{label}"
            );
            assert!(
                rules().abbreviations(full).iter().any(|f| f == form),
                "{label}"
            );
        }
        // The singular and the plural of the word the table names.
        assert!(rules().expansions("ents").iter().any(|f| f == "enterprise"));
        assert!(rules().expansions("bldg").iter().any(|f| f == "buildings"));
        assert!(rules().expansions("orbital").is_empty());
        // "Int'l" folds to the table's form.
        assert_eq!(one_word("Int'l").as_deref(), Some("intl"));
    }

    #[test]
    fn nicknames_go_both_ways() {
        for (name, nick) in [
            ("theodore", "ted"),
            ("william", "bill"),
            ("margaret", "peggy"),
        ] {
            assert!(rules().nicknames(name).iter().any(|n| n == nick), "{name}");
            assert!(rules().nicknames(nick).iter().any(|n| n == name), "{nick}");
        }
        // One- and two-letter nicknames are left out (particles, initials).
        assert!(rules().nicknames("al").is_empty());
    }

    #[test]
    fn wade_giles_syllables_read_as_pinyin() {
        let has = |v: Vec<String>, want: &[&str]| {
            let mut v = v;
            v.sort();
            let mut w: Vec<String> = want.iter().map(|s| s.to_string()).collect();
            w.sort();
            v == w
        };
        assert!(has(rules().pinyin("hsi"), &["xi"]));
        assert!(has(rules().pinyin("chin"), &["jin", "qin"]));
        assert!(has(rules().pinyin("tse"), &["ze", "ce"]));
        assert!(has(rules().pinyin("tung"), &["dong", "tong"]));
        assert!(has(rules().pinyin("chien"), &["jian", "qian"]));
        assert!(has(rules().pinyin("shih"), &["shi"]));
        assert!(
            rules()
                .pinyin_pair("chin", "ping")
                .contains(&"jinping".to_string())
        );
        assert!(
            rules()
                .pinyin_pair("tse", "tung")
                .contains(&"zedong".to_string())
        );
        // Only syllables pinyin cannot have mark a name as Wade-Giles.
        for wg in ["hsi", "tse", "tzu", "chin", "chien", "hsieh", "shih"] {
            assert!(rules().is_wade_giles(wg), "{wg}");
        }
        for other in ["ping", "mao", "chung", "hung", "chi", "kim", "park", "li"] {
            assert!(!rules().is_wade_giles(other), "{other}");
        }
        // A word that is no Chinese syllable has no pinyin.
        assert!(rules().pinyin("park").is_empty());
        assert!(rules().pinyin("smith").is_empty());
    }

    #[test]
    fn short_forms_stand_for_two_words() {
        let r = rules();
        assert_eq!(r.short_forms("us"), ["unitedstates".to_string()]);
        assert_eq!(r.short_forms("uk"), ["unitedkingdom".to_string()]);
        assert!(r.short_forms("usx").is_empty());
        let f = crate::reference::ReferenceFiles::embedded();
        let bad = f.party_words.replace(
            "\"uk\" = \"united kingdom\"",
            "\"uk\" = \"united great kingdom\"",
        );
        let err = NameRules::from_toml(&bad, &f.nicknames, &f.legal_forms)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("short_forms.uk"), "{err}");
    }

    #[test]
    fn cyrillic_transcriptions_are_read() {
        let r = rules();
        let forms = |w: &str| r.transcriptions(w);
        // German: w = v, sch = sh, tsch = ch, ch = kh, j = y, s- = z-.
        assert!(forms("selenskyj").contains(&"zelenskyy".to_string()));
        assert!(forms("gorbatschow").contains(&"gorbachov".to_string()));
        assert!(forms("chodorkowskij").contains(&"khodorkovskiy".to_string()));
        assert!(forms("sergej").contains(&"sergei".to_string()));
        assert!(forms("jurij").contains(&"yurii".to_string()));
        // French: ou = u, chtch = shch, -ff = -v.
        assert!(forms("khrouchtchev").contains(&"khrushchev".to_string()));
        assert!(forms("smirnoff").contains(&"smirnov".to_string()));
        // Short words and words no rule changes give nothing.
        assert!(forms("jan").is_empty());
        assert!(forms("petrov").is_empty());
        // A word without a marker of these systems is left alone.
        assert!(forms("selenski").is_empty());
    }

    #[test]
    fn patronymics_are_recognised_by_their_endings() {
        for p in [
            "viktorovich",
            "oleksandrovych",
            "ivanovna",
            "petrivna",
            "sergeyevich",
        ] {
            assert!(rules().is_patronymic(p), "{p}");
        }
        for other in ["ivanov", "lavrov", "vich", "ivanova", "zelenskyy"] {
            assert!(!rules().is_patronymic(other), "{other}");
        }
    }

    #[test]
    fn iso_legal_forms_are_read() {
        const CASES: &[(&str, &[&str], Option<usize>)] = &[
            (
                "romanian spelled out",
                &["societate", "cu", "raspundere", "limitata", "x"],
                Some(4),
            ),
            (
                "with the article",
                &["societatea", "cu", "raspundere", "limitata"],
                Some(4),
            ),
            (
                "german",
                &["gesellschaft", "mit", "beschrankter", "haftung"],
                Some(4),
            ),
            ("not a form", &["orbital", "works"], None),
        ];
        for (label, raw, want) in CASES {
            assert_eq!(rules().legal_phrase_at(&v(raw), 0), *want, "{label}");
        }
        assert!(rules().is_legal_word("aktiengesellschaft"));
        // Words that say what an organisation is stay name words.
        assert!(!rules().is_legal_word("bank"));
        assert!(!rules().is_legal_word("trust"));
        let phrase_of = |words: &[&str]| rules().legal_phrase_at(&v(words), 0);
        assert_eq!(phrase_of(&["commercial", "bank"]), None);
        assert_eq!(phrase_of(&["trust", "company"]), None);
    }

    #[test]
    fn malformed_files_are_refused_naming_the_file() {
        let f = crate::reference::ReferenceFiles::embedded();
        let err = NameRules::from_toml("[abbreviations]\nx = 1", &f.nicknames, &f.legal_forms)
            .unwrap_err();
        assert!(err.to_string().contains("party-words.toml"), "{err}");
        let bad_sim = f.nicknames.replace("similarity = 0.85", "similarity = 3.0");
        let err = NameRules::from_toml(&f.party_words, &bad_sim, &f.legal_forms).unwrap_err();
        assert!(err.to_string().contains("nicknames.toml"), "{err}");
        let one_letter = f
            .party_words
            .replace("academy = [\"acad\"]", "academy = [\"a\"]");
        assert!(NameRules::from_toml(&one_letter, &f.nicknames, &f.legal_forms).is_err());
    }
}
