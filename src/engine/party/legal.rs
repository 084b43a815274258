//! Legal forms, honorifics and organisation words in party names.
//!
//! Legal forms are dropped for matching ("Co./Company, Ltd/Limited,
//! Corp/Corporation, JSC, LLC, GmbH, OOO, Sdn Bhd ..."), in any language the
//! lists use, including the spelled-out Russian forms OFAC transliterates
//! (`obshchestvo s ogranichennoy otvetstvennostyu`). A dropped legal form
//! still tells that the party is an organisation.

/// Multi-word legal forms (normalised tokens), longest first within a
/// starting word is not required: the longest match at each position wins.
const PHRASES: &[&[&str]] = &[
    &["limited", "liability", "company"],
    &["limited", "liability", "partnership"],
    &["limited", "liability", "co"],
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
];

/// Single-word legal forms and their common spellings.
const WORDS: &[&str] = &[
    "ab", "ag", "aktiengesellschaft", "aktsionernoe", "aktsionernoye", "aktsionernoi",
    "aktsionernogo", "aps", "as", "asa", "bhd", "bv", "cia", "cjsc", "co", "company", "companies",
    "corp", "corporation", "cv", "dac", "doo", "ead", "eood", "est", "fze", "fzc", "fzco",
    "fzllc", "fzco", "gmbh", "inc", "incorporated", "jsc", "jtd", "kft", "kg", "kk", "llc", "llp",
    "lp", "ltd", "ltda", "limited", "nv", "oao", "oaoa", "obshchestvo", "obschestvo",
    "obshestvo", "ogranichennoy", "ogranichennoi", "ogranichennoj", "ojsc", "ooo", "otkrytoe",
    "otkrytoye", "otvetstvennostyu", "otvetstvennostiu", "oy", "oyj", "pao", "pjsc", "plc",
    "pllc", "pt", "pte", "pty", "pvt", "publichnoe", "publichnoye", "sa", "sae", "sal", "sarl",
    "sas", "sc", "sdn", "sl", "sp", "spa", "sro", "srl", "tbk", "tov", "zao", "zakrytoe",
    "zakrytoye", "chastnoe", "chastnoye", "unitarnoe", "unitarnoye", "predpriyatie",
    "predpriyatiye", "gosudarstvennoe", "federalnoe", "fgup", "gup", "mup", "ao", "tnhh",
    "sirketi", "ltdsti", "wll", "qsc", "qpsc", "bsc", "saog", "saoc", "kscc", "ksc",
];

/// Words that mark an organisation when present (besides legal forms).
const ORG_WORDS: &[&str] = &[
    "agency", "airlines", "airline", "airways", "association", "authority", "bank", "bureau",
    "center", "centre", "chemical", "chemicals", "commission", "committee", "construction",
    "corps", "council", "department", "development", "directorate", "electronics", "energy",
    "engineering", "enterprise", "enterprises", "establishment", "export", "exports",
    "factory", "federation", "firm", "foundation", "front", "fund", "government", "group",
    "holding", "holdings", "import", "imports", "industrial", "industries", "industry",
    "institute", "institution", "international", "investment", "investments", "laboratory",
    "logistics", "machinery", "manufacturing", "marine", "maritime", "ministry", "movement",
    "network", "office", "organisation", "organization", "party", "petroleum", "plant",
    "products", "research", "services", "shipping", "society", "solutions", "systems",
    "technical", "technologies", "technology", "trade", "trading", "transport", "union",
    "university", "works", "zavod", "kombinat", "brigade", "battalion", "army", "forces",
];

/// Titles and honorifics dropped from person names.
const HONORIFICS: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mister", "dr", "prof", "jr", "sr", "aka", "fka", "nka",
];

/// Long legal words for which a one-letter typo is still recognised.
const FUZZY_LEGAL: &[&str] = &[
    "company", "corporation", "incorporated", "limited", "aktiengesellschaft", "obshchestvo",
    "obschestvo", "otvetstvennostyu", "ogranichennoy", "aktsionernoye", "aktsionernoe",
    "otkrytoye", "zakrytoye", "publichnoye",
];

fn is_legal_word(t: &str) -> bool {
    if WORDS.contains(&t) {
        return true;
    }
    t.len() >= 6 && FUZZY_LEGAL.iter().any(|w| within_one_edit(t, w))
}

/// True when `a` and `b` differ by at most one insertion, deletion or
/// substitution (no allocation).
fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (s, l) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if l.len() - s.len() > 1 {
        return false;
    }
    let mut i = 0;
    while i < s.len() && s[i] == l[i] {
        i += 1;
    }
    if i == s.len() {
        return true;
    }
    if s.len() == l.len() {
        s[i + 1..] == l[i + 1..]
    } else {
        s[i..] == l[i + 1..]
    }
}

/// True for words that mark an organisation.
pub fn is_org_word(t: &str) -> bool {
    ORG_WORDS.contains(&t)
}

/// Removes legal forms and honorifics. Returns (tokens, legal forms found,
/// organisation hint). If nothing would remain, the tokens are kept.
pub fn strip(raw: Vec<String>) -> (Vec<String>, Vec<String>, bool) {
    let mut keep = vec![true; raw.len()];
    let mut legal = Vec::new();
    // Phrases: longest match at each position.
    let mut i = 0;
    while i < raw.len() {
        let best = PHRASES
            .iter()
            .filter(|p| {
                p.len() <= raw.len() - i && p.iter().zip(&raw[i..]).all(|(a, b)| *a == b.as_str())
            })
            .map(|p| p.len())
            .max();
        if let Some(n) = best {
            for k in i..i + n {
                keep[k] = false;
            }
            legal.push(raw[i..i + n].join(" "));
            i += n;
        } else {
            i += 1;
        }
    }
    let mut org = !legal.is_empty();
    let legal_at: Vec<bool> = raw
        .iter()
        .enumerate()
        .map(|(k, t)| !keep[k] || is_legal_word(t))
        .collect();
    for (k, t) in raw.iter().enumerate() {
        if !keep[k] {
            continue;
        }
        // "obshchestvo s ogranichennoy otvetstvennostyu": the lone "s" between legal words.
        let between_legal = t == "s"
            && k > 0
            && k + 1 < raw.len()
            && legal_at[k - 1]
            && legal_at[k + 1];
        if legal_at[k] || between_legal {
            keep[k] = false;
            legal.push(t.clone());
            org = true;
        } else if HONORIFICS.contains(&t.as_str()) {
            keep[k] = false;
        } else if is_org_word(t) {
            org = true;
        }
    }
    if !keep.iter().any(|k| *k) {
        return (raw, Vec::new(), org);
    }
    let tokens = raw
        .into_iter()
        .zip(keep)
        .filter_map(|(t, k)| k.then_some(t))
        .collect();
    (tokens, legal, org)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn one_edit() {
        assert!(within_one_edit("compan", "company"));
        assert!(within_one_edit("corparation", "corporation"));
        assert!(within_one_edit("limted", "limited"));
        assert!(!within_one_edit("complex", "company"));
        assert!(within_one_edit("abc", "abc"));
    }

    #[test]
    fn phrases_and_words_are_stripped() {
        let (t, l, org) = strip(s(&["tactical", "missiles", "joint", "stock", "compan"]));
        assert_eq!(t, s(&["tactical", "missiles"]));
        assert_eq!(l, s(&["joint stock", "compan"]));
        assert!(org);
        let (t, _, _) = strip(s(&["obshchestvo", "s", "ogranichennoy", "otvetstvennostyu", "alfa"]));
        assert_eq!(t, s(&["alfa"]));
    }
}
