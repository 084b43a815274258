//! Word-level text normalisation and whole-word phrase matching, shared by
//! the gazetteer and the end-use red-flag scanner.
//!
//! Normalisation folds case, transliterates to ASCII (`deunicode`, so
//! diacritics go), drops apostrophes (`P'yongyang` = `Pyongyang`,
//! `d'Ivoire` = `divoire`) and turns every other non-alphanumeric character
//! into a word break. Each word remembers where it came from in the original
//! text, so a match can quote the caller's own words, and whether a clause
//! break (`, ; : . ! ? ( ) [ ] { } |` or a line break) stood before it.
//!
//! Phrases are matched word by word ([`crate::word_trie`]): a phrase occurs
//! where its words stand one after the other; matches that span a clause
//! break do not count, and of overlapping matches the leftmost-longest wins.

use std::ops::Range;

use crate::word_trie::WordTrie;

/// One normalised word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Word {
    /// Byte range in the original text.
    pub(crate) orig: Range<usize>,
    /// Byte range in [`NormText::text`].
    pub(crate) norm: Range<usize>,
    /// A clause break (comma, semicolon, full stop ...) stands before this word.
    pub(crate) clause_start: bool,
}

/// A text split into normalised words.
#[derive(Clone, Debug, Default)]
pub(crate) struct NormText {
    /// The normalised words joined by single spaces.
    pub(crate) text: String,
    /// The words, in order.
    pub(crate) words: Vec<Word>,
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{02BB}' | '`' | '\u{00B4}'
    )
}

fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        ',' | ';' | ':' | '.' | '!' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|' | '\n' | '\r'
    )
}

impl NormText {
    /// Normalises `s`.
    pub(crate) fn new(s: &str) -> NormText {
        if s.is_ascii() {
            NormText::new_ascii(s)
        } else {
            NormText::new_chars(s)
        }
    }

    /// [`NormText::new`] of an ASCII text, read byte by byte: no char is
    /// decoded or folded through a table. Addresses and end uses are mostly
    /// ASCII, and a shipment normalises one per party; the test
    /// `ascii_path_is_the_char_path` holds both paths to the same output.
    fn new_ascii(s: &str) -> NormText {
        let b = s.as_bytes();
        let mut text: Vec<u8> = Vec::with_capacity(b.len());
        let mut words: Vec<Word> = Vec::with_capacity(b.len() / 4 + 1);
        let mut pending_break = false;
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if c.is_ascii_alphanumeric() {
                // A word: its letters and digits, apostrophes inside it
                // dropped (`Xi'an` = `xian`); it ends at its last letter.
                if !text.is_empty() {
                    text.push(b' ');
                }
                let at = text.len();
                let start = i;
                let mut end = i;
                while i < b.len() {
                    let c = b[i];
                    if c.is_ascii_alphanumeric() {
                        text.push(c.to_ascii_lowercase());
                        end = i + 1;
                    } else if c != b'\'' && c != b'`' {
                        break;
                    }
                    i += 1;
                }
                words.push(Word {
                    orig: start..end,
                    norm: at..text.len(),
                    clause_start: pending_break,
                });
                pending_break = false;
                continue;
            }
            if is_clause_break(char::from(c)) {
                pending_break = true;
            }
            i += 1;
        }
        NormText {
            // Only ASCII bytes were pushed.
            text: String::from_utf8(text).unwrap_or_default(),
            words,
        }
    }

    /// [`NormText::new`] of any text, char by char.
    fn new_chars(s: &str) -> NormText {
        let mut out = NormText {
            text: String::with_capacity(s.len()),
            words: Vec::new(),
        };
        let mut current: Option<Word> = None;
        let mut pending_break = false;
        // One folded char `c` of the char `ch` at byte `i`.
        macro_rules! step {
            ($c:expr, $i:expr, $ch:expr) => {{
                let c: char = $c;
                if c == '\'' {
                    // An apostrophe folded from another char: skipped.
                } else if c.is_ascii_alphanumeric() {
                    let w = current.get_or_insert_with(|| {
                        if !out.text.is_empty() {
                            out.text.push(' ');
                        }
                        let at = out.text.len();
                        let word = Word {
                            orig: $i..$i,
                            norm: at..at,
                            clause_start: pending_break,
                        };
                        pending_break = false;
                        word
                    });
                    out.text.push(c.to_ascii_lowercase());
                    w.norm.end = out.text.len();
                    w.orig.end = $i + $ch.len_utf8();
                } else {
                    if let Some(w) = current.take() {
                        out.words.push(w);
                    }
                    if is_clause_break(c) {
                        pending_break = true;
                    }
                }
            }};
        }
        for (i, ch) in s.char_indices() {
            if is_apostrophe(ch) {
                continue;
            }
            if ch.is_ascii() {
                // Most chars: the char itself, no table.
                step!(ch, i, ch);
                continue;
            }
            for c in deunicode::deunicode_char(ch).unwrap_or(" ").chars() {
                step!(c, i, ch);
            }
        }
        if let Some(w) = current.take() {
            out.words.push(w);
        }
        out
    }

    /// The normalised form of word `i`.
    pub(crate) fn word(&self, i: usize) -> &str {
        self.words
            .get(i)
            .map(|w| &self.text[w.norm.clone()])
            .unwrap_or("")
    }

    /// The original text spanned by words `range` (empty for an empty range).
    pub(crate) fn original<'a>(&self, src: &'a str, range: Range<usize>) -> &'a str {
        match (self.words.get(range.start), range.end.checked_sub(1)) {
            (Some(first), Some(last)) if last >= range.start => self
                .words
                .get(last)
                .and_then(|l| src.get(first.orig.start..l.orig.end))
                .unwrap_or(""),
            _ => "",
        }
    }

    /// True when a clause break separates word `i` from the word before it.
    pub(crate) fn clause_start(&self, i: usize) -> bool {
        self.words.get(i).is_some_and(|w| w.clause_start)
    }
}

/// The normalised form of a phrase: its words joined by single spaces.
pub(crate) fn normalize_phrase(s: &str) -> String {
    NormText::new(s).text
}

/// A whole-word match of a phrase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PhraseMatch {
    /// Index of the phrase, as given to [`PhraseSet::new`].
    pub(crate) phrase: usize,
    /// The words matched.
    pub(crate) words: Range<usize>,
}

/// A set of normalised phrases matched whole-word, leftmost-longest.
#[derive(Clone, Debug)]
pub(crate) struct PhraseSet {
    trie: WordTrie,
}

impl PhraseSet {
    /// Builds the matcher. Phrases must already be normalised
    /// ([`normalize_phrase`]), non-empty and distinct.
    pub(crate) fn new(phrases: &[String]) -> Result<PhraseSet, String> {
        // (An empty phrase is the one word "", which no text has.)
        Ok(PhraseSet {
            trie: WordTrie::new(phrases.iter().map(|p| p.split(' '))),
        })
    }

    /// Whole-word matches in `t`, leftmost-longest, not overlapping, in text order.
    pub(crate) fn find(&self, t: &NormText) -> Vec<PhraseMatch> {
        let mut ids = Vec::with_capacity(t.words.len());
        self.trie
            .ids_into((0..t.words.len()).map(|i| t.word(i)), &mut ids);
        let mut cands: Vec<PhraseMatch> = Vec::new();
        self.trie.find(&ids, |phrase, first, last| {
            // A phrase does not span a clause break ("Masjid, Sulaiman").
            if (first + 1..=last).any(|i| t.clause_start(i)) {
                return;
            }
            cands.push(PhraseMatch {
                phrase: phrase as usize,
                words: first..last + 1,
            });
        });
        cands.sort_by(|a, b| {
            a.words
                .start
                .cmp(&b.words.start)
                .then_with(|| b.words.end.cmp(&a.words.end))
                .then_with(|| a.phrase.cmp(&b.phrase))
        });
        let mut out: Vec<PhraseMatch> = Vec::new();
        for c in cands {
            if out.last().is_none_or(|l| c.words.start >= l.words.end) {
                out.push(c);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_accents_apostrophes_and_punctuation() {
        let cases: &[(&str, &str)] = &[
            ("P'yŏngyang", "pyongyang"),
            ("Côte d’Ivoire", "cote divoire"),
            ("Deir ez-Zor", "deir ez zor"),
            ("  BANDAR-E ABBAS, Iran ", "bandar e abbas iran"),
            ("Straße 5", "strasse 5"),
            ("e\u{301}cole", "ecole"),
            ("U.A.E.", "u a e"),
            ("", ""),
            ("--,;", ""),
        ];
        for (input, want) in cases {
            assert_eq!(NormText::new(input).text, *want, "input {input:?}");
        }
    }

    /// The byte path for ASCII texts gives what the char path gives.
    #[test]
    fn ascii_path_is_the_char_path() {
        let texts = [
            "Port Road 14, Lattaquie (Syrie)",
            "  BANDAR-E ABBAS, Iran ",
            "Xi'an High-Tech Zone; No. 88 Keji Road",
            "'quoted' words`s and Jones' shop",
            "U.A.E.",
            "a''b ' ` c",
            "",
            "--,;",
            "Jebel Ali Free Zone, Warehouse RA08, Dubai\nP.O. Box 17000",
            "Mid'-word, 'lead and trail' ",
        ];
        // Every ASCII byte alone and between two letters, too.
        let mut all: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
        for c in 0u8..128 {
            let c = char::from(c);
            all.push(c.to_string());
            all.push(format!("ab{c}cd"));
            all.push(format!("{c}x {c} y{c}"));
        }
        for t in &all {
            let (a, b) = (NormText::new_ascii(t), NormText::new_chars(t));
            assert_eq!(a.text, b.text, "text of {t:?}");
            assert_eq!(a.words, b.words, "words of {t:?}");
        }
    }

    #[test]
    fn words_map_back_to_the_original_text_and_clause_breaks() {
        let src = "Port Road 14, Lattaquié (Syrie)";
        let t = NormText::new(src);
        assert_eq!(t.words.len(), 5);
        assert_eq!(t.word(3), "lattaquie");
        assert_eq!(t.original(src, 3..5), "Lattaquié (Syrie");
        assert_eq!(t.original(src, 0..2), "Port Road");
        assert_eq!(t.original(src, 2..2), "");
        let breaks: Vec<bool> = (0..5).map(|i| t.clause_start(i)).collect();
        assert_eq!(breaks, [false, false, false, true, true]);
    }

    #[test]
    fn phrases_match_whole_words_leftmost_longest() {
        let phrases: Vec<String> = ["hama", "hamadan", "ab cd", "cd", "santiago de cuba", "cuba"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let set = PhraseSet::new(&phrases).unwrap();
        let cases: &[(&str, &[&str])] = &[
            ("Hamadan", &["hamadan"]),
            ("Shamadan hama", &["hama"]),
            ("xab cd", &["cd"]),
            ("Santiago de Cuba, Cuba", &["santiago de cuba", "cuba"]),
            ("Cubana", &[]),
        ];
        for (text, want) in cases {
            let t = NormText::new(text);
            let got: Vec<&str> = set
                .find(&t)
                .iter()
                .map(|m| phrases[m.phrase].as_str())
                .collect();
            assert_eq!(&got, want, "text {text:?}");
        }
    }
}
