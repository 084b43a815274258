//! The bounds on the work one party name may cause, shared with the API
//! (which refuses a name over them with INVALID_ARGUMENT) and the importers
//! (which warn about a listed name over them).
//!
//! A *word* here is a maximal run of letters, digits and combining marks of
//! the text as a reader sees it ([`crate::text::canonical`]); everything
//! else separates. The API refuses a name over [`MAX_NAME_WORDS`] words or
//! with a word over [`MAX_WORD_CHARS`] characters; the engine itself never
//! refuses a name: a name is read with repeated words collapsed
//! ([`collapse_repeats`]) and its first [`MAX_NAME_WORDS`] words kept, and
//! a folded word longer than [`MAX_TOKEN_BYTES`] is compared exactly only
//! (no typo or variant look-ups), so any name costs bounded time and the
//! index builds in time linear in the size of the lists.

use std::fmt;

/// Most words of one party name (listed names have at most 26; the longest
/// real names about 20).
pub const MAX_NAME_WORDS: usize = 64;

/// Longest word of a party name, in characters (the longest listed word
/// has 27 letters; long compounds and unspaced scripts stay well below).
pub const MAX_WORD_CHARS: usize = 64;

/// Longest folded word (bytes of its lower-case Latin form) that gets typo
/// and variant look-ups; a longer one is compared exactly only.
pub const MAX_TOKEN_BYTES: usize = 64;

/// Most listed names scored for one query: beyond it the names sharing the
/// query's words are identical copies (a hostile list), and the first ones
/// stand for the rest.
pub const MAX_SCORED_NAMES: usize = 2_000;

/// How a name exceeds the limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitBreach {
    /// More than [`MAX_NAME_WORDS`] words.
    TooManyWords {
        /// Words in the name.
        words: usize,
    },
    /// A word longer than [`MAX_WORD_CHARS`] characters.
    WordTooLong {
        /// Characters of the longest word.
        chars: usize,
    },
}

impl fmt::Display for LimitBreach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LimitBreach::TooManyWords { words } => write!(
                f,
                "{words} words, more than the {MAX_NAME_WORDS} a name may have"
            ),
            LimitBreach::WordTooLong { chars } => write!(
                f,
                "a word of {chars} characters, longer than the {MAX_WORD_CHARS} a word may have"
            ),
        }
    }
}

/// Checks a name against the limits: `None` when within them.
pub fn check(name: &str) -> Option<LimitBreach> {
    let visible = crate::text::canonical(name);
    let mut words = 0usize;
    let mut longest = 0usize;
    for w in words_of(&visible) {
        words += 1;
        longest = longest.max(w.chars().count());
    }
    if longest > MAX_WORD_CHARS {
        Some(LimitBreach::WordTooLong { chars: longest })
    } else if words > MAX_NAME_WORDS {
        Some(LimitBreach::TooManyWords { words })
    } else {
        None
    }
}

/// The words of a name as the limits count them: maximal runs of letters,
/// digits and combining marks (any script).
pub fn words_of(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| {
        !(c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c))
    })
    .filter(|w| !w.is_empty())
}

/// Collapses repeated words: a word equal to the one before it is dropped
/// (`sergey sergey shoigu` -> `sergey shoigu`), a word already seen twice
/// is dropped, and at most [`MAX_NAME_WORDS`] words are kept.
pub fn collapse_repeats(tokens: &mut Vec<String>) {
    if tokens.len() < 2 {
        return;
    }
    let mut kept: Vec<String> = Vec::with_capacity(tokens.len().min(MAX_NAME_WORDS));
    for t in tokens.drain(..) {
        if kept.len() == MAX_NAME_WORDS {
            break;
        }
        if kept.last() == Some(&t) || kept.iter().filter(|k| **k == t).count() >= 2 {
            continue;
        }
        kept.push(t);
    }
    *tokens = kept;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_checks() {
        const CASES: &[(&str, &str, Option<LimitBreach>)] = &[
            ("ordinary", "Kestrel Avionics Trading FZE", None),
            (
                "long real word",
                "Kraftfahrzeugversicherungsgesellschaft Nord",
                None,
            ),
            ("hyphens and dots separate", "A.B.C.-D.E.F. Holdings", None),
        ];
        let mut names: Vec<&str> = CASES.iter().map(|c| c.0).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CASES.len(), "case names are unique");
        for (label, name, want) in CASES {
            assert_eq!(check(name), *want, "{label}");
        }
        let many = "zu ".repeat(MAX_NAME_WORDS + 1);
        assert_eq!(
            check(&many),
            Some(LimitBreach::TooManyWords {
                words: MAX_NAME_WORDS + 1
            })
        );
        assert_eq!(check(&"zu ".repeat(MAX_NAME_WORDS)), None);
        let long = "q".repeat(MAX_WORD_CHARS + 1);
        assert_eq!(
            check(&format!("Orbital {long}")),
            Some(LimitBreach::WordTooLong {
                chars: MAX_WORD_CHARS + 1
            })
        );
        // Characters, not bytes: 64 Cyrillic letters are 128 bytes.
        assert_eq!(check(&"ж".repeat(MAX_WORD_CHARS)), None);
        // Invisible characters do not split a word: a reader sees one word.
        let hidden = format!("{}\u{200B}{}", "q".repeat(40), "q".repeat(40));
        assert!(matches!(
            check(&hidden),
            Some(LimitBreach::WordTooLong { .. })
        ));
        assert!(check("x").is_none());
        assert!(
            LimitBreach::TooManyWords { words: 50 }
                .to_string()
                .contains("50 words")
        );
    }

    #[test]
    fn repeats_collapse() {
        const CASES: &[(&str, &[&str], &[&str])] = &[
            ("adjacent run", &["al", "al", "al", "al"], &["al"]),
            (
                "doubled given name",
                &["sergey", "sergey", "shoigu"],
                &["sergey", "shoigu"],
            ),
            (
                "particle twice apart kept",
                &["hamadi", "ben", "ali", "ben", "salah"],
                &["hamadi", "ben", "ali", "ben", "salah"],
            ),
            (
                "third occurrence dropped",
                &["el", "x", "el", "y", "el", "z"],
                &["el", "x", "el", "y", "z"],
            ),
        ];
        for (label, input, want) in CASES {
            let mut v: Vec<String> = input.iter().map(|s| s.to_string()).collect();
            collapse_repeats(&mut v);
            assert_eq!(v, *want, "{label}");
        }
        let mut many: Vec<String> = (0..200).map(|i| format!("w{i}")).collect();
        collapse_repeats(&mut many);
        assert_eq!(many.len(), MAX_NAME_WORDS);
        assert_eq!(many[0], "w0");
    }
}
