//! The bounds on the work one party name may cause, shared with the API
//! (which refuses a name over them with INVALID_ARGUMENT) and the importers
//! (which warn about a listed name over them).
//!
//! A *word* here is a maximal run of letters and digits of the text as a
//! reader sees it ([`crate::text::canonical`]); everything else separates.
//! The engine itself never refuses a name: a name over the limits is read
//! with repeated words collapsed ([`collapse_repeats`]), its first
//! [`MAX_NAME_TOKENS`] words kept, and words longer than
//! [`MAX_TOKEN_BYTES`] compared exactly only (no typo or variant
//! look-ups), so any name costs bounded time and the index builds in time
//! linear in the size of the lists.

use std::fmt;

/// Most words of one party name that are compared (listed names have at
/// most 26; the longest real names about 20).
pub const MAX_NAME_TOKENS: usize = 48;

/// Longest word (in bytes of its UTF-8 text) that gets typo and variant
/// look-ups (the longest listed word has 27 letters).
pub const MAX_TOKEN_BYTES: usize = 64;

/// Most listed names scored for one query: beyond it the names sharing the
/// query's words are identical copies (a hostile list), and the first ones
/// stand for the rest.
pub const MAX_SCORED_NAMES: usize = 2_000;

/// How a name exceeds the limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitBreach {
    /// More than [`MAX_NAME_TOKENS`] words.
    TooManyWords {
        /// Words in the name.
        words: usize,
    },
    /// A word longer than [`MAX_TOKEN_BYTES`] bytes.
    WordTooLong {
        /// Bytes of the longest word.
        bytes: usize,
    },
}

impl fmt::Display for LimitBreach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LimitBreach::TooManyWords { words } => write!(
                f,
                "{words} words, more than the {MAX_NAME_TOKENS} a name may have"
            ),
            LimitBreach::WordTooLong { bytes } => write!(
                f,
                "a word of {bytes} bytes, longer than the {MAX_TOKEN_BYTES} a word may have"
            ),
        }
    }
}

/// Checks a name against the limits: `None` when within them.
pub fn check(name: &str) -> Option<LimitBreach> {
    let visible = crate::text::canonical(name);
    let mut words = 0usize;
    let mut longest = 0usize;
    for w in visible
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        words += 1;
        longest = longest.max(w.len());
    }
    if longest > MAX_TOKEN_BYTES {
        Some(LimitBreach::WordTooLong { bytes: longest })
    } else if words > MAX_NAME_TOKENS {
        Some(LimitBreach::TooManyWords { words })
    } else {
        None
    }
}

/// Collapses repeated words: a word equal to the one before it is dropped
/// (`sergey sergey shoigu` -> `sergey shoigu`), a word already seen twice
/// is dropped, and at most [`MAX_NAME_TOKENS`] words are kept.
pub fn collapse_repeats(tokens: &mut Vec<String>) {
    if tokens.len() < 2 {
        return;
    }
    let mut kept: Vec<String> = Vec::with_capacity(tokens.len().min(MAX_NAME_TOKENS));
    for t in tokens.drain(..) {
        if kept.len() == MAX_NAME_TOKENS {
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
        let many = "zu ".repeat(MAX_NAME_TOKENS + 1);
        assert_eq!(
            check(&many),
            Some(LimitBreach::TooManyWords {
                words: MAX_NAME_TOKENS + 1
            })
        );
        assert_eq!(check(&"zu ".repeat(MAX_NAME_TOKENS)), None);
        let long = "q".repeat(MAX_TOKEN_BYTES + 1);
        assert_eq!(
            check(&format!("Orbital {long}")),
            Some(LimitBreach::WordTooLong {
                bytes: MAX_TOKEN_BYTES + 1
            })
        );
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
        assert_eq!(many.len(), MAX_NAME_TOKENS);
        assert_eq!(many[0], "w0");
    }
}
