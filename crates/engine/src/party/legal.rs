//! Legal forms, honorifics and organisation words in party names.
//!
//! Legal forms are dropped for matching ("Co./Company, Ltd/Limited,
//! Corp/Corporation, JSC, LLC, GmbH, OOO, Sdn Bhd ..."), in any language the
//! lists use, including the spelled-out Russian forms OFAC transliterates
//! (`obshchestvo s ogranichennoy otvetstvennostyu`). A dropped legal form
//! still tells that the party is an organisation.

use std::sync::LazyLock;

use crate::word_filter::WordSet;

use super::rules::NameRules;
use super::similarity::within_one_edit;

/// Multi-word legal forms (normalised tokens), longest first within a
/// starting word is not required: the longest match at each position wins.
const PHRASES: &[&[&str]] = &[
    &["limited", "liability", "company"],
    &["limited", "liability", "partnership"],
    &["limited", "liability", "co"],
    &["limited", "liability", "corporation"],
    &["public", "limited", "company"],
    &["joint", "stock", "company"],
    &["joint", "stock"],
    &["joint", "stock", "co"],
    &["closed", "joint", "stock", "company"],
    &["open", "joint", "stock", "company"],
    &["public", "joint", "stock", "company"],
    &["private", "joint", "stock", "company"],
    &["joint", "venture"],
    &["sociedad", "anonima"],
    &["societe", "anonyme"],
    &["sociedad", "de", "responsabilidad", "limitada"],
    &["s", "de", "rl", "de", "cv"],
    &["sa", "de", "cv"],
    &["sapi", "de", "cv"],
    &["s", "de", "rl"],
    &["de", "cv"],
    &["sdn", "bhd"],
    &["pvt", "ltd"],
    &["pte", "ltd"],
    &["pty", "ltd"],
    &["co", "ltd"],
    &["gmbh", "co", "kg"],
    &["sanayi", "ve", "ticaret"],
    &["san", "ve", "tic"],
    &["ltd", "sti"],
    &["limited", "sirketi"],
    &["anonim", "sirketi"],
    &["tov", "firma"],
    &["ltd", "liability", "company"],
    &["ltd", "liability", "co"],
    &["closed", "joint", "stock", "co"],
    &["open", "joint", "stock", "co"],
    &["public", "joint", "stock", "co"],
    &["private", "joint", "stock", "co"],
    &["public", "jsc"],
    &["closed", "jsc"],
    &["open", "jsc"],
    &["private", "jsc"],
    &["fz", "llc"],
    &["fz", "co"],
    &["free", "zone", "company"],
    &["free", "zone", "establishment"],
    &["free", "zone", "enterprise"],
    &["y", "cia"],
    &["e", "hijos"],
];

/// Single-word legal forms and their common spellings.
const WORDS: &[&str] = &[
    "ab",
    "ag",
    "aktiengesellschaft",
    "aktsionernoe",
    "aktsionernoye",
    "aktsionernoi",
    "aktsionernogo",
    "aps",
    "as",
    "asa",
    "bhd",
    "bv",
    "cia",
    "compania",
    "companhia",
    "corporacion",
    "corporativo",
    "cjsc",
    "co",
    "company",
    "companies",
    "corp",
    "corporation",
    "cv",
    "dac",
    "doo",
    "ead",
    "eood",
    "est",
    "fze",
    "fzc",
    "fzco",
    "fzllc",
    "fzco",
    "gmbh",
    "inc",
    "incorporated",
    "jsc",
    "jtd",
    "kft",
    "kg",
    "kk",
    "llc",
    "llp",
    "lp",
    "ltd",
    "ltda",
    "limited",
    "limitada",
    "limitee",
    "anonim",
    "anonima",
    "anonyme",
    "nv",
    "oao",
    "oaoa",
    "obshchestvo",
    "obschestvo",
    "obshestvo",
    "ogranichennoy",
    "ogranichennoi",
    "ogranichennoj",
    "ojsc",
    "ooo",
    "otkrytoe",
    "otkrytoye",
    "otvetstvennostyu",
    "otvetstvennostiu",
    "oy",
    "oyj",
    "pao",
    "pjsc",
    "plc",
    "pllc",
    "pt",
    "pte",
    "pty",
    "pvt",
    "publichnoe",
    "publichnoye",
    "sa",
    "sae",
    "sal",
    "sarl",
    "sas",
    "sc",
    "sdn",
    "sl",
    "sp",
    "spa",
    "sro",
    "srl",
    "tbk",
    "tov",
    "zao",
    "zakrytoe",
    "zakrytoye",
    "chastnoe",
    "chastnoye",
    "unitarnoe",
    "unitarnoye",
    "predpriyatie",
    "predpriyatiye",
    "gosudarstvennoe",
    "federalnoe",
    "fgup",
    "gup",
    "mup",
    "ao",
    "tnhh",
    "sirketi",
    "ltdsti",
    "wll",
    "qsc",
    "qpsc",
    "bsc",
    "saog",
    "saoc",
    "kscc",
    "ksc",
];

/// Words that mark an organisation when present (besides legal forms).
const ORG_WORDS: &[&str] = &[
    "agency",
    "airlines",
    "airline",
    "airways",
    "association",
    "authority",
    "bank",
    "bureau",
    "center",
    "centre",
    "chemical",
    "chemicals",
    "commission",
    "committee",
    "construction",
    "corps",
    "council",
    "department",
    "development",
    "directorate",
    "electronics",
    "energy",
    "engineering",
    "enterprise",
    "enterprises",
    "establishment",
    "export",
    "exports",
    "factory",
    "federation",
    "firm",
    "foundation",
    "front",
    "fund",
    "government",
    "group",
    "holding",
    "holdings",
    "import",
    "imports",
    "industrial",
    "industries",
    "industry",
    "institute",
    "institution",
    "international",
    "investment",
    "investments",
    "laboratory",
    "logistics",
    "machinery",
    "manufacturing",
    "marine",
    "maritime",
    "ministry",
    "movement",
    "network",
    "office",
    "organisation",
    "organization",
    "party",
    "petroleum",
    "plant",
    "products",
    "research",
    "services",
    "shipping",
    "society",
    "solutions",
    "systems",
    "technical",
    "technologies",
    "technology",
    "trade",
    "trading",
    "transport",
    "union",
    "university",
    "works",
    "zavod",
    "kombinat",
    "brigade",
    "battalion",
    "army",
    "forces",
];

/// Words so common in organisation names that they must not carry a match
/// alone ("international", "trading", "bank", "china" ...): their weight is
/// damped whatever their frequency in the lists.
const GENERIC: &[&str] = &[
    "international",
    "intl",
    "trading",
    "trade",
    "traders",
    "group",
    "industry",
    "industries",
    "industrial",
    "bank",
    "company",
    "general",
    "national",
    "global",
    "services",
    "service",
    "technology",
    "technologies",
    "tech",
    "engineering",
    "import",
    "export",
    "development",
    "investment",
    "investments",
    "holding",
    "holdings",
    "enterprise",
    "enterprises",
    "commercial",
    "construction",
    "manufacturing",
    "products",
    "systems",
    "solutions",
    "logistics",
    "shipping",
    "transport",
    "energy",
    "electronics",
    "electronic",
    "machinery",
    "equipment",
    "materials",
    "chemical",
    "chemicals",
    "trust",
    "finance",
    "financial",
    "capital",
    "management",
    "consulting",
    "center",
    "centre",
    "institute",
    "research",
    "china",
    "chinese",
    "iran",
    "iranian",
    "korea",
    "korean",
    "russia",
    "russian",
    "syria",
    "syrian",
    "cuba",
    "cuban",
    "united",
    "new",
    "first",
    "star",
    "world",
    "east",
    "west",
    "north",
    "south",
    "middle",
    "asia",
    "asian",
    "europe",
    "european",
    "gulf",
    "overseas",
    "the",
    "of",
    "and",
    "for",
];

/// True for words that must not carry a match alone.
pub fn is_generic(t: &str) -> bool {
    GENERIC_SET.has(t)
}

/// Titles and honorifics dropped from person names.
const HONORIFICS: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mister",
    "dr",
    "prof",
    "jr",
    "sr",
    "aka",
    "fka",
    "nka",
    "president",
    "prasident",
    "sir",
    "monsieur",
    "madame",
    "mme",
    "herr",
    "frau",
    "sheikh",
    "shaikh",
    "shaykh",
];

/// Long legal words for which a one-letter typo is still recognised.
const FUZZY_LEGAL: &[&str] = &[
    "company",
    "corporation",
    "corporacion",
    "incorporated",
    "limited",
    "limitada",
    "sirketi",
    "aktiengesellschaft",
    "obshchestvo",
    "obschestvo",
    "otvetstvennostyu",
    "ogranichennoy",
    "aktsionernoye",
    "aktsionernoe",
    "otkrytoye",
    "zakrytoye",
    "publichnoye",
];

/// A multi-word legal form, as its normalised words.
type Phrase = &'static [&'static str];

/// A first word of [`PHRASES`] with the phrases it starts: a token is
/// compared with each distinct first word once.
type PhraseGroup = (&'static str, Vec<Phrase>);

/// Items indexed by the first and the second byte of their word: a token
/// is compared only with the words that can agree with it
/// ([`NearIndex::near`]), a handful instead of all.
struct NearIndex<T> {
    items: Vec<T>,
    /// Item numbers by the first byte of their word.
    by_first: Vec<Vec<u16>>,
    /// Item numbers by the second byte of their word.
    by_second: Vec<Vec<u16>>,
    /// The word lengths of each list of `by_first` and of `by_second`
    /// ([`len_bit`]): a list without a length one from the token's holds
    /// no word to compare, and is passed over without reading its items.
    first_lens: Vec<u64>,
    second_lens: Vec<u64>,
}

/// The list of byte `c` in `by` when it holds a word of a length in `lens`
/// (its lengths are `by_lens[c]`), else none.
fn near_list<'a>(by: &'a [Vec<u16>], by_lens: &[u64], lens: u64, c: u8) -> &'a [u16] {
    let c = usize::from(c);
    if by_lens[c] & lens != 0 { &by[c] } else { &[] }
}

/// One bit for a word length, lengths of 63 bytes or more sharing the last.
fn len_bit(len: usize) -> u64 {
    1u64 << len.min(63)
}

impl<T> NearIndex<T> {
    fn new(items: Vec<T>, word: impl Fn(&T) -> &str) -> NearIndex<T> {
        let mut by_first = vec![Vec::new(); 256];
        let mut by_second = vec![Vec::new(); 256];
        let mut first_lens = vec![0u64; 256];
        let mut second_lens = vec![0u64; 256];
        for (k, item) in (0u16..).zip(&items) {
            let b = word(item).as_bytes();
            if let Some(&c) = b.first() {
                by_first[usize::from(c)].push(k);
                first_lens[usize::from(c)] |= len_bit(b.len());
            }
            if let Some(&c) = b.get(1) {
                by_second[usize::from(c)].push(k);
                second_lens[usize::from(c)] |= len_bit(b.len());
            }
        }
        NearIndex {
            items,
            by_first,
            by_second,
            first_lens,
            second_lens,
        }
    }

    /// Every item whose word equals `token`, or is one edit from it
    /// ([`within_one_edit`]) when the token has three bytes or more (among
    /// others, some more than once, and some of a length two or more from
    /// the token's). Equal words share their first byte; a word one edit
    /// from the token shares it too, unless the edit is at the start: a
    /// changed first letter (same second bytes), the word's first letter
    /// missing (its second byte is the token's first), one more letter
    /// before the word (the token's second byte is the word's first), the
    /// first two letters swapped (both of the last two). Lists without a
    /// word of the token's length, one more or one less, are left out.
    fn near(&self, token: &str) -> impl Iterator<Item = &T> {
        let b = token.as_bytes();
        let lens = len_bit(b.len().saturating_sub(1)) | len_bit(b.len()) | len_bit(b.len() + 1);
        let first = |c: u8| near_list(&self.by_first, &self.first_lens, lens, c);
        let second = |c: u8| near_list(&self.by_second, &self.second_lens, lens, c);
        let mut lists: [&[u16]; 4] = [&[]; 4];
        if let Some(&c) = b.first() {
            lists[0] = first(c);
        }
        if b.len() >= 3 {
            lists[1] = second(b[1]);
            lists[2] = second(b[0]);
            lists[3] = first(b[1]);
        }
        lists
            .into_iter()
            .flatten()
            .map(|&k| &self.items[usize::from(k)])
    }
}

/// The groups of [`PHRASES`] by first word ([`phrase_word_eq`] holds only
/// for equal words or words one edit apart).
static PHRASE_INDEX: LazyLock<NearIndex<PhraseGroup>> = LazyLock::new(|| {
    let mut groups: Vec<PhraseGroup> = Vec::new();
    for p in PHRASES.iter().filter(|p| !p.is_empty()) {
        match groups.iter_mut().find(|(first, _)| *first == p[0]) {
            Some((_, v)) => v.push(p),
            None => groups.push((p[0], vec![p])),
        }
    }
    NearIndex::new(groups, |(first, _)| first)
});

/// [`FUZZY_LEGAL`], for the words one edit from a token.
static FUZZY_INDEX: LazyLock<NearIndex<&'static str>> =
    LazyLock::new(|| NearIndex::new(FUZZY_LEGAL.to_vec(), |w| w));

/// First bytes and greatest length of the legal words: a prefix of a token
/// can only be one of them if it starts with one of these bytes.
static WORD_STARTS: LazyLock<([bool; 256], usize)> = LazyLock::new(|| {
    let mut starts = [false; 256];
    let mut longest = 0;
    for w in WORDS {
        if let Some(&b) = w.as_bytes().first() {
            starts[usize::from(b)] = true;
        }
        longest = longest.max(w.len());
    }
    (starts, longest)
});

/// A word list as a [`WordSet`], built once.
struct LazySet(LazyLock<WordSet>);

impl LazySet {
    #[inline]
    fn has(&self, t: &str) -> bool {
        self.0.contains(t)
    }
}

macro_rules! word_set {
    ($name:ident, $words:ident) => {
        static $name: LazySet = LazySet(LazyLock::new(|| $words.iter().copied().collect()));
    };
}

word_set!(WORD_SET, WORDS);

/// Every beginning of a legal word (`c`, `co`, `com` ... `company`).
static WORD_PREFIX_SET: LazySet = LazySet(LazyLock::new(|| {
    WordSet::from_iter(
        WORDS
            .iter()
            .flat_map(|w| (1..=w.len()).filter_map(move |n| w.get(..n))),
    )
}));

/// Words of multi-word legal forms (`public`, `joint`, `liability` ...).
static PHRASE_WORD_SET: LazySet = LazySet(LazyLock::new(|| {
    WordSet::from_iter(
        PHRASES
            .iter()
            .flat_map(|p| p.iter().copied())
            .filter(|w| w.len() >= 4),
    )
}));
word_set!(ORG_SET, ORG_WORDS);
word_set!(GENERIC_SET, GENERIC);
word_set!(HONORIFIC_SET, HONORIFICS);

fn is_legal_word(t: &str) -> bool {
    if WORD_SET.has(t) {
        return true;
    }
    let b = t.as_bytes();
    // Two legal words run together: `companylimited`, `coltd`.
    let (starts, longest) = &*WORD_STARTS;
    if (5..=24).contains(&b.len()) && starts[usize::from(b[0])] && t.is_ascii() {
        for k in 2..(t.len() - 1).min(longest + 1) {
            // Longer heads start with this one: none is a legal word once
            // this one begins none.
            if !WORD_PREFIX_SET.has(&t[..k]) {
                break;
            }
            if WORD_SET.has(&t[..k]) && WORD_SET.has(&t[k..]) {
                return true;
            }
        }
    }
    // Any one typo in a long legal word (all have seven letters or more):
    // `ocmpany`, `ompany`, `orporation`.
    // (Only words that can be one edit away are compared: see
    // [`NearIndex::near`]; lengths first.)
    b.len() >= 6
        && FUZZY_INDEX
            .near(t)
            .any(|w| w.len().abs_diff(b.len()) <= 1 && within_one_edit(b, w.as_bytes()))
}

/// A phrase word agrees with a query token: equal, or one edit apart for
/// words of four letters or more (`jint stock`, `joint stoc`).
#[inline]
pub(crate) fn phrase_word_eq(word: &str, token: &str) -> bool {
    // Neither holds for lengths two apart: most pairs stop here.
    if word.len().abs_diff(token.len()) > 1 {
        return false;
    }
    word == token
        || word.len() >= 4 && token.len() >= 3 && within_one_edit(word.as_bytes(), token.as_bytes())
}

/// Legal forms that are sometimes glued to the name (`OOOKBK`).
const GLUED_PREFIXES: &[&str] = &[
    "ooo", "oao", "zao", "pao", "ojsc", "cjsc", "pjsc", "jsc", "llc", "tov",
];

/// Short legal forms written before the name.
const PREFIX_FORMS: &[&str] = &[
    "ooo", "oao", "zao", "pao", "ao", "jsc", "pjsc", "ojsc", "cjsc", "pt", "tov", "llc", "cv",
];

/// Short legal forms that no name word is written as: inside an
/// organisation's name they are its legal form wherever they stand ("Group
/// Grand Ltd General Trading" is GROUP GRAND LIMITED GENERAL TRADING, whose
/// "Limited" is dropped wherever it stands), unlike `sa` or `as` in "AJILI,
/// SA ID" or "AS AD HANI". (`co` is such a form too, unless it begins a
/// word written with a hyphen: [`CO_COMPOUNDS`].)
const MID_FORMS: &[&str] = &[
    "ltd", "llc", "inc", "plc", "jsc", "llp", "pte", "pty", "bhd", "fze", "fzc",
];

/// Words written after "co-" ("Co-operation", "Co-ordination", "Co-op"):
/// such a `co` is no legal form.
const CO_COMPOUNDS: &[&str] = &[
    "op",
    "ops",
    "operation",
    "operative",
    "operatives",
    "ordination",
    "ordinating",
    "ordinator",
    "owned",
    "owner",
    "founder",
    "production",
    "investment",
];

/// Legal forms that are sometimes glued to the end of the name (`GOLDLLC`).
const GLUED_SUFFIXES: &[&str] = &["llc", "sarl", "gmbh", "ltd", "jsc", "fze", "fzco", "ooo"];

/// [`is_legal_word`] of a word, tested on first use: `known` keeps the
/// answer for each token, so that each is tested once through [`strip`]'s
/// stages.
fn legal_word(t: &str, known: &mut Option<bool>) -> bool {
    *known.get_or_insert_with(|| is_legal_word(t))
}

/// Splits a legal form glued to a name (`oookbk` -> `ooo kbk`, `goldllc`
/// -> `gold llc`), in place: few names have one.
fn split_glued_legal(raw: &mut Vec<String>, known: &mut Vec<Option<bool>>) {
    let mut i = 0;
    while i < raw.len() {
        if legal_word(&raw[i], &mut known[i]) {
            i += 1;
            continue;
        }
        let t = &raw[i];
        if let Some(p) = GLUED_PREFIXES
            .iter()
            .find(|p| t.len() >= p.len() + 3 && t.starts_with(**p))
        {
            let rest = t[p.len()..].to_string();
            raw[i].truncate(p.len());
            known[i] = None;
            raw.insert(i + 1, rest);
            known.insert(i + 1, None);
            i += 2;
        } else if let Some(x) = GLUED_SUFFIXES
            .iter()
            .find(|x| t.len() >= x.len() + 3 && t.ends_with(**x))
        {
            let head = t.len() - x.len();
            raw[i].truncate(head);
            known[i] = None;
            raw.insert(i + 1, (*x).to_string());
            known.insert(i + 1, None);
            i += 2;
        } else {
            i += 1;
        }
    }
}

/// Joins adjacent tokens whose concatenation is a legal word split by a
/// space (`com pany`, `lim ited`, `obshch estvo`), in place: the tokens
/// are read forward and written at or before the one read, each moved,
/// not copied.
fn join_split_legal(raw: &mut Vec<String>, known: &mut Vec<Option<bool>>) {
    let n = raw.len();
    // One buffer for the joins tried (most are not legal words).
    let mut joined = String::new();
    let join = |buf: &mut String, a: &str, b: &str| {
        buf.clear();
        buf.push_str(a);
        buf.push_str(b);
    };
    // Tokens written so far (at most the tokens read: nothing unread is
    // overwritten).
    let mut w = 0;
    let mut i = 0;
    while i < n {
        // A legal word split anywhere, even after its first letter
        // (`o bshchestvo`: the rest looks like a misspelt legal word), or
        // whose first letter joined a run of single letters (`s o
        // granichennoy` -> `so granichennoy`).
        if i + 1 < n && !WORD_SET.has(&raw[i]) {
            join(&mut joined, &raw[i], &raw[i + 1]);
            if WORD_SET.has(&joined) {
                raw[w] = joined.clone();
                known[w] = Some(true);
                w += 1;
                i += 2;
                continue;
            }
            let t = &raw[i];
            if (2..=3).contains(&t.len()) && t.is_ascii() {
                let head = t.len() - 1;
                join(&mut joined, &t[head..], &raw[i + 1]);
                if WORD_SET.has(&joined) {
                    let mut t = std::mem::take(&mut raw[i]);
                    t.truncate(head);
                    raw[w] = t;
                    known[w] = None;
                    raw[w + 1] = joined.clone();
                    known[w + 1] = Some(true);
                    w += 2;
                    i += 2;
                    continue;
                }
            }
        }
        if i + 1 < n && !legal_word(&raw[i + 1], &mut known[i + 1]) {
            join(&mut joined, &raw[i], &raw[i + 1]);
            if joined.len() >= 6 {
                let legal = is_legal_word(&joined);
                if legal || PHRASE_WORD_SET.has(&joined) {
                    raw[w] = joined.clone();
                    known[w] = Some(legal);
                    w += 1;
                    i += 2;
                    continue;
                }
            }
        }
        // Tokens are read forward only: this one is not looked at again.
        if w != i {
            raw[w] = std::mem::take(&mut raw[i]);
            known[w] = known[i];
        }
        w += 1;
        i += 1;
    }
    raw.truncate(w);
    known.truncate(w);
}

/// True when the abbreviation table reads `t` as an organisation word that
/// is no legal form (`fdn` foundation, `ctr` centre, `assn` association;
/// not `inc`, which stands for "incorporated" only).
fn reads_as_org_word(t: &str, rules: &NameRules) -> bool {
    rules
        .expansions(t)
        .iter()
        .any(|w| !is_legal_form(w) && !is_legal_word(w) && !rules.is_legal_word(w))
}

/// True for a one-word legal form of the built-in list (`ag`, `gmbh`,
/// `llc` ...).
pub fn is_legal_form(t: &str) -> bool {
    WORD_SET.has(t)
}

/// True for words that mark an organisation.
pub fn is_org_word(t: &str) -> bool {
    ORG_SET.has(t)
}

/// Removes legal forms, and honorifics from names that are not an
/// organisation's. Returns (tokens, legal forms found, organisation hint).
/// If nothing would remain, the tokens are kept.
pub fn strip(mut raw: Vec<String>, rules: &NameRules) -> (Vec<String>, Vec<String>, bool) {
    let mut known = vec![None; raw.len()];
    join_split_legal(&mut raw, &mut known);
    split_glued_legal(&mut raw, &mut known);
    let mut keep = vec![true; raw.len()];
    let mut legal = Vec::new();
    // Phrases: longest match at each position.
    let mut i = 0;
    while i < raw.len() {
        let mut best = None;
        for (first, phrases) in PHRASE_INDEX.near(&raw[i]) {
            if !phrase_word_eq(first, &raw[i]) {
                continue;
            }
            for p in phrases {
                if p.len() <= raw.len() - i
                    && p[1..]
                        .iter()
                        .zip(&raw[i + 1..])
                        .all(|(a, b)| phrase_word_eq(a, b))
                {
                    best = best.max(Some(p.len()));
                }
            }
        }
        let best = best.max(rules.legal_phrase_at(&raw, i));
        if let Some(n) = best {
            keep[i..i + n].fill(false);
            legal.push(raw[i..i + n].join(" "));
            i += n;
        } else {
            i += 1;
        }
    }
    let mut org = !legal.is_empty();
    let mut legal_at: Vec<bool> = raw
        .iter()
        .enumerate()
        .map(|(k, t)| {
            !keep[k] || *known[k].get_or_insert_with(|| is_legal_word(t)) || rules.is_legal_word(t)
        })
        .collect();
    // Short legal forms (`sa`, `as`, `co`, `ab` ...) are name parts unless
    // they stand in the run of legal words at the end ("LAROSA SA"), or at
    // the start for the forms written first ("OOO ALFA", "PT MAJU"); "SA ID"
    // in "AJILI, SA ID" and "AS AD" in "AS AD HANI" are names.
    let edge_start = legal_at
        .iter()
        .zip(&raw)
        .take_while(|(l, t)| **l && (t.len() > 3 || PREFIX_FORMS.contains(&t.as_str())))
        .count();
    let edge_end = raw.len() - legal_at.iter().rev().take_while(|l| **l).count();
    // Inside an organisation's name, after its first word, `Ltd`, `LLC` or
    // `Co` is still its legal form (`Co` unless it begins a word written
    // with a hyphen: "Co-operation"). An organisation's name: a legal form
    // at an edge or of several words, an organisation word (or its
    // abbreviation: "Res. & Prod. Co Horst"), or a short form no name word
    // is written as. (Looked at only when such a form stands inside.)
    let mid_form = |k: usize| {
        k > 0
            && (MID_FORMS.contains(&raw[k].as_str())
                || raw[k] == "co"
                    && !raw
                        .get(k + 1)
                        .is_some_and(|n| CO_COMPOUNDS.contains(&n.as_str())))
    };
    let organisation = (0..raw.len()).any(|k| legal_at[k] && mid_form(k))
        && (!legal.is_empty()
            || edge_start > 0
            || edge_end < raw.len()
            || raw.iter().any(|t| {
                MID_FORMS.contains(&t.as_str())
                    || is_org_word(t)
                    || rules.expansions(t).iter().any(|w| is_org_word(w))
            }));
    for k in 0..raw.len() {
        let inside_org = organisation && mid_form(k);
        if keep[k]
            && legal_at[k]
            && raw[k].len() <= 3
            && k >= edge_start
            && k < edge_end
            && !inside_org
        {
            legal_at[k] = false;
        }
        // A word the abbreviation table reads as an organisation word that
        // is no legal form ("Fdn" foundation, "Ctr" centre, "Sci."
        // scientific, "Assn" association) is that word, as its full form
        // is: ISO 20275 also lists such letters as legal forms of some
        // country, but "Seafire Fdn." writes SEAFIRE FOUNDATION.
        if keep[k] && legal_at[k] && reads_as_org_word(&raw[k], rules) {
            legal_at[k] = false;
        }
    }
    let mut honorifics = Vec::new();
    for (k, t) in raw.iter().enumerate() {
        if !keep[k] {
            continue;
        }
        // "obshchestvo s ogranichennoy otvetstvennostyu": the lone "s" between legal words.
        let between_legal =
            t == "s" && k > 0 && k + 1 < raw.len() && legal_at[k - 1] && legal_at[k + 1];
        if legal_at[k] || between_legal {
            keep[k] = false;
            legal.push(t.clone());
            org = true;
        } else if HONORIFIC_SET.has(t) {
            honorifics.push(k);
        } else if is_org_word(t) {
            org = true;
        }
    }
    // A title is dropped from a person's name; in an organisation's name it
    // is part of the name ("Mister Car Wash, Inc.", "President Hotel LLC").
    if !org {
        for k in honorifics {
            keep[k] = false;
        }
    }
    if !keep.iter().any(|k| *k) {
        return (raw, Vec::new(), org);
    }
    let mut kept = keep.iter();
    raw.retain(|_| kept.next().copied().unwrap_or(true));
    (raw, legal, org)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    /// Tokens to try against the legal lists: their words, every word one
    /// edit from each (over the letters they use), and a few others.
    fn near_tokens() -> Vec<String> {
        let mut base: Vec<&str> = PHRASES.iter().flat_map(|p| p.iter().copied()).collect();
        base.extend(WORDS);
        base.extend(FUZZY_LEGAL);
        base.extend([
            "", "a", "x", "ab", "trading", "bank", "al", "jiont", "imited",
        ]);
        let letters: Vec<u8> = (b'a'..=b'z').collect();
        let mut out: Vec<String> = Vec::new();
        for w in base {
            let b = w.as_bytes();
            out.push(w.to_string());
            for i in 0..=b.len() {
                if i < b.len() {
                    out.push(format!("{}{}", &w[..i], &w[i + 1..]));
                }
                if i + 1 < b.len() {
                    let mut v = b.to_vec();
                    v.swap(i, i + 1);
                    out.push(String::from_utf8_lossy(&v).into_owned());
                }
                for &c in &letters {
                    let c = char::from(c);
                    out.push(format!("{}{c}{}", &w[..i], &w[i..]));
                    if i < b.len() {
                        out.push(format!("{}{c}{}", &w[..i], &w[i + 1..]));
                    }
                }
            }
        }
        out
    }

    #[test]
    fn phrase_index_finds_every_first_word_a_full_scan_finds() {
        let index = &*PHRASE_INDEX;
        for t in near_tokens() {
            let mut full: Vec<&str> = index
                .items
                .iter()
                .filter(|(first, _)| phrase_word_eq(first, &t))
                .map(|(first, _)| *first)
                .collect();
            let mut near: Vec<&str> = index
                .near(&t)
                .filter(|(first, _)| phrase_word_eq(first, &t))
                .map(|(first, _)| *first)
                .collect();
            full.sort_unstable();
            near.sort_unstable();
            near.dedup();
            assert_eq!(near, full, "{t:?}");
        }
    }

    #[test]
    fn fuzzy_legal_index_agrees_with_a_full_scan() {
        for t in near_tokens() {
            let b = t.as_bytes();
            let full = FUZZY_LEGAL
                .iter()
                .any(|w| w.len().abs_diff(b.len()) <= 1 && within_one_edit(b, w.as_bytes()));
            let near = FUZZY_INDEX
                .near(&t)
                .any(|w| w.len().abs_diff(b.len()) <= 1 && within_one_edit(b, w.as_bytes()));
            assert_eq!(near, full, "{t:?}");
        }
    }

    #[test]
    fn legal_words_with_one_typo_are_recognised() {
        for w in [
            "compan",
            "corparation",
            "limted",
            "croporacion",
            "sirkrti",
            "ocmpany",
            "ompany",
            "orporation",
        ] {
            assert!(is_legal_word(w), "{w}");
        }
        for w in ["complex", "limits", "cortex"] {
            assert!(!is_legal_word(w), "{w}");
        }
    }

    #[test]
    fn split_and_misspelt_legal_forms_are_stripped() {
        let cases: &[(&[&str], &[&str])] = &[
            (
                &["joint", "stock", "com", "pany", "163", "btrz"],
                &["163", "btrz"],
            ),
            (
                &["gazprombank", "jint", "stock", "company"],
                &["gazprombank"],
            ),
            (
                &["public", "joint", "stoc", "company", "gazprom"],
                &["gazprom"],
            ),
            (&["cnooc", "lim", "ited"], &["cnooc"]),
            (
                &[
                    "obshch",
                    "estvo",
                    "s",
                    "ogranichennoi",
                    "otvetstvennostyu",
                    "gazprom",
                    "flot",
                ],
                &["gazprom", "flot"],
            ),
            (
                &["aguilar", "alvarez", "y", "cia", "limitada"],
                &["aguilar", "alvarez"],
            ),
        ];
        for (input, want) in cases {
            let (t, _, _) = strip(s(input), NameRules::embedded());
            assert_eq!(t, s(want), "{input:?}");
        }
    }

    #[test]
    fn phrases_and_words_are_stripped() {
        let (t, l, org) = strip(
            s(&["tactical", "missiles", "joint", "stock", "compan"]),
            NameRules::embedded(),
        );
        assert_eq!(t, s(&["tactical", "missiles"]));
        assert_eq!(l, s(&["joint stock compan"]));
        assert!(org);
        let (t, _, _) = strip(
            s(&[
                "obshchestvo",
                "s",
                "ogranichennoy",
                "otvetstvennostyu",
                "alfa",
            ]),
            NameRules::embedded(),
        );
        assert_eq!(t, s(&["alfa"]));
    }
}
