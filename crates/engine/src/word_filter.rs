//! Word sets asked about many words that are mostly not in them: a
//! [`WordFilter`] records the lengths of the set's words by their first and
//! last byte and turns most words away before they are hashed; a
//! [`WordSet`] is a hash set of static words behind its filter. Shared by the
//! party name rules (legal forms, numerals) and the figure reader (feature
//! phrases).

use rustc_hash::FxHashSet;

/// The lengths of the words of a set by their first and by their last
/// byte (one bit each, lengths of 63 bytes or more sharing the last bit):
/// a word whose length no word of the set with its first byte, or with
/// its last, has is not in the set. Most tokens a set is asked about stop
/// here, without hashing them (names are tested against the word lists
/// many times each).
#[derive(Clone, Debug)]
pub(crate) struct WordFilter {
    by_first: [u64; 256],
    by_last: [u64; 256],
    empty: bool,
}

impl Default for WordFilter {
    fn default() -> WordFilter {
        WordFilter {
            by_first: [0; 256],
            by_last: [0; 256],
            empty: false,
        }
    }
}

impl WordFilter {
    /// Records a word of the set.
    pub(crate) fn add(&mut self, w: &str) {
        let b = w.as_bytes();
        let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
            self.empty = true;
            return;
        };
        let bit = 1u64 << b.len().min(63);
        self.by_first[usize::from(first)] |= bit;
        self.by_last[usize::from(last)] |= bit;
    }

    /// False when `t` is certainly none of the words recorded.
    #[inline]
    pub(crate) fn may_hold(&self, t: &str) -> bool {
        let b = t.as_bytes();
        let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
            return self.empty;
        };
        let bit = 1u64 << b.len().min(63);
        self.by_first[usize::from(first)] & bit != 0 && self.by_last[usize::from(last)] & bit != 0
    }
}

/// A hash set of static words behind its [`WordFilter`].
#[derive(Clone, Debug, Default)]
pub(crate) struct WordSet {
    set: FxHashSet<&'static str>,
    filter: WordFilter,
}

impl WordSet {
    /// True when `t` is a word of the set.
    #[inline]
    pub(crate) fn contains(&self, t: &str) -> bool {
        self.filter.may_hold(t) && self.set.contains(t)
    }
}

impl FromIterator<&'static str> for WordSet {
    fn from_iter<I: IntoIterator<Item = &'static str>>(words: I) -> WordSet {
        let set: FxHashSet<&'static str> = words.into_iter().collect();
        let mut filter = WordFilter::default();
        for w in &set {
            filter.add(w);
        }
        WordSet { set, filter }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The filter never turns a word of the set away, and the set answers as
    /// a plain hash set does, for the words, their neighbours in length and
    /// first or last byte, and the empty word.
    #[test]
    fn answers_as_the_plain_set() {
        let words = ["gmbh", "co", "ltd", "aktiengesellschaft", "a", "sp z o o"];
        let set: WordSet = words.iter().copied().collect();
        let mut asked: Vec<String> = vec![String::new()];
        for w in words {
            asked.push(w.to_string());
            asked.push(format!("{w}s"));
            asked.push(format!("x{w}"));
            asked.push(w[1..].to_string());
            asked.push(w[..w.len() - 1].to_string());
        }
        for t in &asked {
            assert_eq!(set.contains(t), words.contains(&t.as_str()), "{t:?}");
        }
        let with_empty: WordSet = ["", "ab"].into_iter().collect();
        assert!(with_empty.contains(""));
        assert!(!with_empty.contains("a"));
    }
}
