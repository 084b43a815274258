//! Party-name normalisation: any script to lower-case Latin tokens, with
//! legal forms, honorifics and alias markers set aside.
//!
//! Steps: Unicode compatibility folding and diacritic removal; Cyrillic by
//! a BGN/PCGN-style table (as OFAC romanises), other scripts by `deunicode`;
//! apostrophes dropped inside words (`SA'D` -> `sad`), every other
//! punctuation a separator; runs of single letters joined (`L.L.C.` ->
//! `llc`, `J.P.` -> `jp`); legal-form phrases and words (`joint stock
//! company`, `Ltd`, `OOO`, `GmbH` ...) removed and remembered; honorifics
//! (`Mr`, `Dr`, `Jr`) dropped. "LAST, First" order needs no special case:
//! matching is order-free.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::legal;

/// A normalised name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NormName {
    /// Significant tokens in order (legal forms and honorifics removed).
    pub tokens: Vec<String>,
    /// Legal-form words found (normalised), e.g. `llc`, `jsc`.
    pub legal: Vec<String>,
    /// True when the name carries a legal form or an organisation word.
    pub org_hint: bool,
    /// True when the name was written in a consonantal script (Arabic,
    /// Persian, Hebrew ...): its vowels are lost and only consonant
    /// skeletons can be compared.
    pub consonantal: bool,
    /// True when the name was written in Han, Kana or Hangul: its
    /// romanisation records only the sound, and many different names share
    /// each syllable (王晨 and 汪琛 are both `wang chen`).
    pub ideographic: bool,
}

impl NormName {
    /// Tokens joined by single spaces.
    pub fn joined(&self) -> String {
        self.tokens.join(" ")
    }

    /// Order-free key: tokens sorted and joined. Two names with the same key
    /// are equal after normalisation in some word order.
    pub fn key(&self) -> String {
        let mut t: Vec<&str> = self.tokens.iter().map(String::as_str).collect();
        t.sort_unstable();
        t.join(" ")
    }
}

/// Normalises a party name.
pub fn normalize(name: &str) -> NormName {
    let (folded, consonantal) = fold(name);
    let mut raw = tokenize(&folded, consonantal);
    // Bounded work whatever the name: repeats collapsed, at most
    // `limits::MAX_NAME_TOKENS` words.
    super::limits::collapse_repeats(&mut raw);
    let (tokens, legal, org_hint) = legal::strip(raw);
    NormName {
        tokens,
        legal,
        org_hint,
        consonantal,
        ideographic: !name.is_ascii() && name.chars().any(is_cjk),
    }
}

/// Text folded and split into words (no legal-form handling), joined by
/// single spaces: for addresses and cities.
pub fn words(text: &str) -> String {
    let (folded, consonantal) = fold(text);
    tokenize(&folded, consonantal).join(" ")
}

/// Folds text to lower-case ASCII-ish Latin: diacritics removed, other
/// scripts transliterated. Returns the text and whether a consonantal
/// script (Arabic, Hebrew ...) was seen.
pub fn fold(text: &str) -> (String, bool) {
    if text.is_ascii() {
        // NFKC leaves ASCII as it is.
        return (text.to_ascii_lowercase(), false);
    }
    // What a reader sees: no invisible characters, overrides resolved.
    let visible = crate::text::canonical(text);
    let text = visible.as_ref();
    let mut out = String::with_capacity(text.len() + 8);
    let mut consonantal = false;
    for c in text.nfkc() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        if let Some(s) = cyrillic(c) {
            out.push_str(s);
            continue;
        }
        if is_apostrophe(c) {
            out.push('\'');
            continue;
        }
        if matches!(c as u32, 0x0590..=0x06FF | 0x0750..=0x077F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
        {
            consonantal = true;
        }
        // Latin with diacritics: decompose and drop the marks.
        let mut base = String::new();
        for d in c.to_lowercase().flat_map(|l| l.nfd()) {
            if !is_combining_mark(d) {
                base.push(d);
            }
        }
        if base.is_ascii() {
            out.push_str(&base);
        } else {
            let t = deunicode::deunicode_char(c).unwrap_or(" ");
            // deunicode renders Arabic 'ayn as a backtick: drop it.
            for ch in t.chars() {
                if ch == '`' || ch == '\'' {
                    out.push('\'');
                } else {
                    out.push(ch.to_ascii_lowercase());
                }
            }
            // CJK syllables come out glued ("Xi Jin" -> "XiJin"?) : separate them.
            if t.len() > 1 && t.ends_with(|ch: char| ch.is_ascii_alphabetic()) && is_cjk(c) {
                out.push(' ');
            }
        }
    }
    (out, consonantal)
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF)
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\u{2018}'
            | '\u{2019}'
            | '\u{201B}'
            | '\u{02BC}'
            | '\u{02BB}'
            | '\u{02BF}'
            | '\u{02BE}'
            | '\u{00B4}'
            | '\u{2032}'
            | '\u{0060}'
    )
}

/// Splits folded text into tokens: letters and digits; apostrophes removed
/// inside words; everything else separates. Runs of single letters are
/// joined (`l l c` -> `llc`).
/// In a consonantal script a word-initial hamza or 'ayn (rendered as an
/// apostrophe) stands where Latin spellings write a vowel (أحمد `'hmd` ~
/// Ahmad): it becomes `a`.
fn tokenize(folded: &str, consonantal: bool) -> Vec<String> {
    let mut raw: Vec<String> = Vec::new();
    let mut cur = String::new();
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            cur.push(c);
        } else if c == '\'' || c == '`' {
            // dropped: SA'D -> sad, MY''ONG -> myong
            if consonantal && cur.is_empty() {
                cur.push('a');
            }
        } else if !cur.is_empty() {
            raw.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        raw.push(cur);
    }
    // Join runs of two or more single letters.
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i].len() == 1 && raw[i].as_bytes()[0].is_ascii_alphabetic() {
            let mut j = i;
            let mut joined = String::new();
            while j < raw.len() && raw[j].len() == 1 && raw[j].as_bytes()[0].is_ascii_alphabetic() {
                joined.push_str(&raw[j]);
                j += 1;
            }
            out.push(joined);
            i = j;
        } else {
            out.push(std::mem::take(&mut raw[i]));
            i += 1;
        }
    }
    out
}

/// BGN/PCGN-style romanisation of Cyrillic, as OFAC writes Russian names.
fn cyrillic(c: char) -> Option<&'static str> {
    let s = match c.to_lowercase().next().unwrap_or(c) {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' => "e",
        'ё' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' => "",
        'ы' => "y",
        'ь' => "",
        'э' => "e",
        'ю' => "yu",
        'я' => "ya",
        // Ukrainian, Belarusian, Serbian, Macedonian, Kazakh letters
        'є' => "ye",
        'і' => "i",
        'ї' => "yi",
        'ґ' => "g",
        'ў' => "u",
        'ђ' => "dj",
        'ј' => "j",
        'љ' => "lj",
        'њ' => "nj",
        'ћ' => "c",
        'џ' => "dz",
        'ѓ' => "gj",
        'ќ' => "kj",
        'ѕ' => "dz",
        'ә' => "a",
        'ғ' => "g",
        'қ' => "k",
        'ң' => "n",
        'ө' => "o",
        'ұ' => "u",
        'ү' => "u",
        'һ' => "h",
        _ => return None,
    };
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        normalize(s).tokens
    }

    #[test]
    fn normalisation_table() {
        let cases: &[(&str, &str)] = &[
            ("BANCO NACIONAL DE CUBA", "banco nacional de cuba"),
            ("Äbu Ahmed Ğroûp", "abu ahmed group"),
            ("SA'D BIN SA'D AL-KA'BI", "sad bin sad al kabi"),
            ("KIM TONG MY\u{2019}\u{2019}ONG", "kim tong myong"),
            ("Владимир Путин", "vladimir putin"),
            ("Ротенберг Аркадий", "rotenberg arkadiy"),
            (
                "HONG PANG ELECTRONIC INDUSTRY CO., LTD.",
                "hong pang electronic industry",
            ),
            ("Oboronnye Initsiativy o.O.O.", "oboronnye initsiativy"),
            (
                "TACTICAL MISSILES CORPORATION JOINT STOCK COMPANY",
                "tactical missiles",
            ),
            ("Mr. Rami Makhlouf", "rami makhlouf"),
            ("JR. ISMAEL GOMEZ", "ismael gomez"),
            ("J.P. MORGAN", "jp morgan"),
            ("SCUADA FORTIA, S.A. DE C.V.", "scuada fortia"),
            ("NOVATEK-KOSTROMA, OOO", "novatek kostroma"),
            ("Straße Øresund", "strasse oresund"),
        ];
        for (input, want) in cases {
            assert_eq!(normalize(input).joined(), *want, "input {input}");
        }
    }

    #[test]
    fn legal_forms_are_remembered_and_hint_an_organisation() {
        let n = normalize("Gazprom Neft JSC");
        assert_eq!(n.tokens, vec!["gazprom", "neft"]);
        assert_eq!(n.legal, vec!["jsc"]);
        assert!(n.org_hint);
        assert!(!normalize("Vladimir Putin").org_hint);
    }

    #[test]
    fn key_is_order_free() {
        assert_eq!(
            normalize("PUTIN, Vladimir Vladimirovich").key(),
            normalize("Vladimir Vladimirovich PUTIN").key()
        );
    }

    #[test]
    fn arabic_initial_hamza_reads_as_a_vowel() {
        assert_eq!(normalize("أحمد خليل").tokens, vec!["ahmd", "khlyl"]);
    }

    #[test]
    fn arabic_script_is_marked_consonantal() {
        let n = normalize("عارف علی زرداری");
        assert!(n.consonantal);
        assert_eq!(n.tokens.len(), 3);
        assert!(!normalize("Zardari").consonantal);
    }

    #[test]
    fn han_kana_and_hangul_are_marked_ideographic() {
        assert!(normalize("王晨").ideographic);
        assert!(normalize("김광수").ideographic);
        assert!(!normalize("WANG Chen").ideographic);
        assert!(!normalize("Владимир Путин").ideographic);
    }

    #[test]
    fn a_name_of_legal_words_only_keeps_them() {
        assert_eq!(toks("Company Limited"), vec!["company", "limited"]);
    }
}
