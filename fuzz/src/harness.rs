//! The bodies of the fuzz targets, shared with the regression test that
//! replays the inputs the fuzzer found (`tests/fuzz_regressions.rs`
//! includes this file): each function must return, not panic, for any
//! input, and checks the invariants its code promises.

use std::sync::{Arc, OnceLock};

use exportscreen::engine::party::PartyQuery;
use exportscreen::engine::party::normalize::normalize;
use exportscreen::engine::reference::ReferenceFiles;
use exportscreen::engine::units::{self, Params};
use exportscreen::engine::{Engine, LoadedList};
use exportscreen::lists::{self, SourceData};
use exportscreen::model::{DenialEntry, EntryName, ListContent, ListMeta, NameKind};

/// Byte separating the files of one input (ASCII record separator).
pub const FILE_SEPARATOR: u8 = 0x1E;

/// The file names each format reads, in the order the input's parts fill them.
pub fn files_of(format: &str) -> &'static [&'static str] {
    match format {
        "ofac-sdn-csv" => &["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"],
        "ofac-cons-csv" => &[
            "cons_prim.csv",
            "cons_alt.csv",
            "cons_add.csv",
            "cons_comments.csv",
        ],
        "un-sc-xml" => &["consolidated.xml"],
        "bis-dpl-tsv" => &["dpl.txt"],
        "trade-gov-csl-csv" => &["consolidated.csv"],
        "ecfr-744-xml" => &["title-15_part-744.xml"],
        _ => &["internal-list.toml"],
    }
}

/// The options an input's selector byte gives a format: for `ecfr-744-xml`
/// the supplement (4, 6 or 7, from the selector's multiple of the number of
/// formats), for `trade-gov-csl-csv` a source selection on odd multiples.
pub fn options_of(format: &str, selector: u8) -> lists::ImportOptions {
    let round = usize::from(selector) / lists::FORMATS.len();
    let mut o = lists::ImportOptions::new();
    match format {
        "ecfr-744-xml" => {
            o.insert("supplement".into(), ["4", "6", "7"][round % 3].into());
        }
        "trade-gov-csl-csv" if round % 2 == 1 => {
            o.insert("sources".into(), "ISN,DTC".into());
        }
        _ => {}
    }
    o
}

/// Importers: the first byte picks the format, the rest is split into the
/// format's files at [`FILE_SEPARATOR`]. Any bytes must give a list or an
/// error naming a file, never a panic.
pub fn import(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let format = lists::FORMATS[usize::from(selector) % lists::FORMATS.len()];
    let names = files_of(format);
    let files: Vec<SourceData> = rest
        .splitn(names.len(), |b| *b == FILE_SEPARATOR)
        .zip(names)
        .map(|(part, name)| SourceData {
            name: (*name).to_string(),
            data: part.to_vec(),
        })
        .collect();
    match lists::import_with(format, &files, &options_of(format, selector)) {
        Ok(imported) => {
            // What an importer returns has names to screen against.
            if let ListContent::Denial(entries) = &imported.content {
                for e in entries {
                    assert!(!e.entry_id.is_empty(), "entry without id: {e:?}");
                }
            }
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.is_empty());
        }
    }
}

/// The party-name normaliser on any text (invalid UTF-8 replaced, as a
/// lossy reader would): tokens are non-empty and hold no whitespace, and
/// the result is deterministic.
pub fn normalize_name(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let n = normalize(&text);
    for t in &n.tokens {
        assert!(!t.is_empty(), "empty token from {text:?}");
        assert!(
            !t.chars().any(char::is_whitespace),
            "space in token {t:?} from {text:?}"
        );
    }
    assert_eq!(n, normalize(&text), "not deterministic for {text:?}");
    let _ = n.key();
}

/// The names of the fuzz engine's one list (entry id = position).
pub const LISTED: [&str; 6] = [
    "Zephyr Orbital Propulsion Works",
    "MAKHLOUF, Rami",
    "Obshchestvo s Ogranichennoy Otvetstvennostyu Kvant",
    "\u{645}\u{62d}\u{645}\u{62f} \u{631}\u{636}\u{627}",
    "KIM Jong Un",
    "Al-Qasim Trading L.L.C.",
];

/// Characters a reader does not see, or sees as a space, that keep the
/// reading order: zero-width space, non-joiner, joiner, word joiner, soft
/// hyphen, byte-order mark, bidi marks, embeddings, isolates and their
/// terminators, Hangul fillers, Braille blank, Mongolian vowel separator,
/// combining grapheme joiner, a variation selector, a tag character, an
/// ideographic space, a no-break space.
pub const HIDDEN: [char; 26] = [
    '\u{200B}',
    '\u{200C}',
    '\u{200D}',
    '\u{2060}',
    '\u{00AD}',
    '\u{FEFF}',
    '\u{200E}',
    '\u{200F}',
    '\u{061C}',
    '\u{202A}',
    '\u{202B}',
    '\u{202C}',
    '\u{2066}',
    '\u{2067}',
    '\u{2068}',
    '\u{2069}',
    '\u{3164}',
    '\u{FFA0}',
    '\u{115F}',
    '\u{1160}',
    '\u{2800}',
    '\u{180E}',
    '\u{034F}',
    '\u{FE0F}',
    '\u{E0041}',
    '\u{3000}',
];

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let names = LISTED;
        let entries: Vec<DenialEntry> = names
            .iter()
            .enumerate()
            .map(|(i, n)| DenialEntry {
                entry_id: i.to_string(),
                names: vec![EntryName {
                    name: (*n).to_string(),
                    kind: NameKind::Primary,
                }],
                ..DenialEntry::default()
            })
            .collect();
        let content = ListContent::Denial(entries);
        let meta = ListMeta {
            list_id: "fuzz".into(),
            version: 1,
            kind: content.kind(),
            entries: u32::try_from(content.len()).unwrap_or(0),
            ..ListMeta::default()
        };
        let list = LoadedList {
            meta,
            content: Arc::new(content),
        };
        match Engine::build(&[list], &ReferenceFiles::embedded()) {
            Ok(e) => e,
            Err(e) => panic!("fuzz engine: {e}"),
        }
    })
}

/// Party screening (normaliser, candidate search, alignment, scoring) on
/// any name: scores stay within [0, 1] and come best first.
pub fn screen_party(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (name, country) = text.split_once('\u{1F}').unwrap_or((&text, ""));
    let matches = engine().screen_party(
        &PartyQuery {
            name,
            country,
            address: "",
        },
        10,
    );
    for m in &matches {
        assert!(
            (0.0..=1.0).contains(&m.score),
            "score {} for {name:?}",
            m.score
        );
    }
    assert!(
        matches.windows(2).all(|w| w[0].score >= w[1].score),
        "not best first for {name:?}"
    );
}

/// Figures with units in item descriptions (`units::extract`, and
/// `Params::build` which merges and derives): any text gives canonical
/// keys with finite values, read from words of the text, the same way
/// every time.
pub fn units_extract(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let readings = units::extract(&text);
    for r in &readings {
        assert!(
            units::is_known(r.key),
            "unknown key {} from {text:?}",
            r.key
        );
        assert!(r.value.is_finite(), "{} = {} from {text:?}", r.key, r.value);
        assert!(
            !r.text.is_empty(),
            "{} read from no words of {text:?}",
            r.key
        );
    }
    assert_eq!(
        readings,
        units::extract(&text),
        "not deterministic for {text:?}"
    );
    let params = Params::build(&[], &text);
    for p in params.all() {
        for v in &p.values {
            assert!(v.is_finite(), "{} = {v} from {text:?}", p.key);
        }
    }
}

/// The canonical text layer under attack: a listed name (first byte) found
/// as listed, with
/// up to two hidden characters ([`HIDDEN`]) inserted between or inside its
/// words (each insertion: a byte for the position, a byte for the
/// character) is still found, at or above the review threshold.
pub fn canonical_text(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let listed = LISTED[usize::from(pick) % LISTED.len()];
    let id = (usize::from(pick) % LISTED.len()).to_string();
    let found = |name: &str| {
        engine()
            .screen_party(
                &PartyQuery {
                    name,
                    country: "",
                    address: "",
                },
                10,
            )
            .into_iter()
            .find(|m| m.entry_id == id)
    };
    // Names in a consonantal script alone are not indexed (lists carry
    // their Latin forms beside them): only a name found as listed can stay
    // found.
    if found(listed).is_none() {
        return;
    }
    let mut chars: Vec<char> = listed.chars().collect();
    for pair in rest.chunks_exact(2).take(2) {
        let at = usize::from(pair[0]) % (chars.len() + 1);
        chars.insert(at, HIDDEN[usize::from(pair[1]) % HIDDEN.len()]);
    }
    let name: String = chars.into_iter().collect();
    assert!(
        found(&name).is_some(),
        "{name:?} (listed {listed:?}) is not found"
    );
}
