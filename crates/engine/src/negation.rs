//! The one negation list of the engine (`control-lists/negation.toml`,
//! compiled in at build time) and its scope rule, shared by every reader of
//! free text: item descriptions ("non-medical" never clears goods), figures
//! and feature words ("no numerical control") and end uses.
//!
//! **Scope.** A phrase is negated when a `before` cue precedes it in the same
//! clause with at most `max_gap` words between them, each of them
//! `transparent` ("not for military use", "not intended for medical use"), or
//! when an `after` cue follows it the same way ("re-export prohibited").
//! Callers pass the words of the clause only (a clause break or one of the
//! `clause_words` ends the scope) and compare lower-case words without
//! accents or punctuation.

/// Negation cues and the words they may reach across.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Negation {
    /// Cues before the negated phrase ("not", "no", "non", "without" ...).
    pub before: &'static [&'static str],
    /// Cues after it ("prohibited", "not permitted" ...).
    pub after: &'static [&'static str],
    /// Words a cue reaches across ("for", "intended", "any", "use" ...).
    pub transparent: &'static [&'static str],
    /// At most this many transparent words between cue and phrase.
    pub max_gap: usize,
    /// Words that end a clause, like a comma ("but", "however").
    pub clause_words: &'static [&'static str],
}

include!(concat!(env!("OUT_DIR"), "/negation_toml.rs"));

/// Where a cue of one or two words ends in `words` read from `at` outwards
/// (`step` +1 reading forwards, -1 backwards), if one starts there.
fn cue_at(cues: &[&str], words: &[&str], at: usize, forwards: bool) -> Option<usize> {
    let w = *words.get(at)?;
    for cue in cues {
        // The cue's word at `at` (its first reading forwards, its last
        // backwards) must be `w`: a cheap test of the cue's edge first.
        let edge = if forwards {
            cue.strip_prefix(w)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
        } else {
            cue.strip_suffix(w)
                .is_some_and(|rest| rest.is_empty() || rest.ends_with(' '))
        };
        if !edge {
            continue;
        }
        // The cue's words, read in place (this runs for every word checked).
        let n_parts = cue.bytes().filter(|b| *b == b' ').count() + 1;
        let fits = if forwards {
            cue.split(' ')
                .enumerate()
                .all(|(k, p)| words.get(at + k) == Some(&p))
        } else {
            // Read backwards, the cue's last word is at `at`.
            at + 1 >= n_parts
                && cue
                    .rsplit(' ')
                    .enumerate()
                    .all(|(k, p)| words.get(at - k) == Some(&p))
        };
        if fits {
            return Some(n_parts);
        }
    }
    None
}

impl Negation {
    /// True when `word` is a `before` cue of one word ("not", "non").
    pub fn is_cue(&self, word: &str) -> bool {
        self.before.contains(&word)
    }

    /// True when `word` ends a clause like a comma ("but", "however").
    pub fn is_clause_word(&self, word: &str) -> bool {
        self.clause_words.contains(&word)
    }

    /// True when the phrase starting at `words[start]` is negated by a cue
    /// before it, within `max_gap` transparent words; `also` may name more
    /// words the cue reaches across (other terms of the caller: "not for
    /// military or missile use").
    pub fn negates_before(
        &self,
        words: &[&str],
        start: usize,
        also: &dyn Fn(&str) -> bool,
    ) -> bool {
        self.cue_before(words, start, also).is_some()
    }

    /// The index of the first word of the cue that negates the phrase
    /// starting at `words[start]` from before (see [`Negation::negates_before`]).
    pub fn cue_before(
        &self,
        words: &[&str],
        start: usize,
        also: &dyn Fn(&str) -> bool,
    ) -> Option<usize> {
        let mut gap = 0;
        let mut j = start;
        while j > 0 {
            j -= 1;
            let w = words[j];
            if self.is_clause_word(w) {
                return None;
            }
            if let Some(len) = cue_at(self.before, words, j, false) {
                return Some(j + 1 - len);
            }
            if !(self.transparent.contains(&w) || also(w)) || gap == self.max_gap {
                return None;
            }
            gap += 1;
        }
        None
    }

    /// True when the phrase ending at `words[end - 1]` is negated by an
    /// `after` cue following it within `max_gap` transparent words.
    pub fn negates_after(&self, words: &[&str], end: usize, also: &dyn Fn(&str) -> bool) -> bool {
        let mut gap = 0;
        let mut j = end;
        while j < words.len() {
            let w = words[j];
            if self.is_clause_word(w) {
                return false;
            }
            if cue_at(self.after, words, j, true).is_some() {
                return true;
            }
            if !(self.transparent.contains(&w) || also(w)) || gap == self.max_gap {
                return false;
            }
            gap += 1;
            j += 1;
        }
        false
    }

    /// True when the phrase `words[start..end]` is negated either way.
    pub fn negates(&self, words: &[&str], start: usize, end: usize) -> bool {
        let none = |_: &str| false;
        self.negates_before(words, start, &none) || self.negates_after(words, end, &none)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn negated(text: &str, phrase: &str) -> bool {
        let words: Vec<&str> = text.split(' ').collect();
        let p: Vec<&str> = phrase.split(' ').collect();
        let start = (0..words.len())
            .find(|i| words[*i..].starts_with(&p))
            .expect("phrase in text");
        SHARED.negates(&words, start, start + p.len())
    }

    #[test]
    fn scope_table() {
        let cases: &[(&str, &str, bool)] = &[
            ("not for medical use", "medical", true),
            ("non medical", "medical", true),
            ("not intended for any medical use", "medical", true),
            ("without slip rings", "slip rings", true),
            ("re export prohibited", "re export", true),
            ("military use is not permitted", "military", true),
            ("medical", "medical", false),
            ("not for civil use but for medical use", "medical", false),
            ("not tested on medical devices", "medical", false),
            ("no manual", "manual", true),
            ("medical linac", "medical", false),
        ];
        for (text, phrase, want) in cases {
            assert_eq!(negated(text, phrase), *want, "{text:?} / {phrase:?}");
        }
    }

    #[test]
    fn cues_are_known_words() {
        assert!(SHARED.is_cue("not") && SHARED.is_cue("without"));
        assert!(!SHARED.is_cue("for"));
        assert!(SHARED.is_clause_word("but"));
        const { assert!(SHARED.max_gap >= 1) };
    }
}
