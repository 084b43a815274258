//! Whole-word phrase matching over a text already split into words: a trie
//! whose edges are word ids, shared by the item matcher and the place and
//! end-use phrase sets.
//!
//! A phrase is a sequence of words; it occurs in a text where the same words
//! stand one after the other. Every occurrence of every phrase is reported
//! (overlapping ones too), which is what an Aho-Corasick overlapping search of
//! the words joined by single spaces reports when only matches from word
//! start to word end count. The trie reads each text word once through one
//! hash look-up and then follows small integer keys, instead of walking an
//! automaton byte by byte: a description touches a few table entries rather
//! than one (cold) automaton state per byte, which keeps the per-shipment
//! cache footprint small.

use rustc_hash::FxHashMap;

/// Phrases of whole words, matched against word sequences.
#[derive(Clone, Debug, Default)]
pub(crate) struct WordTrie {
    /// Every word of any phrase, and its id.
    words: FxHashMap<Box<str>, u32>,
    /// Edges: (node, word id) -> child node. The root is node 0.
    edges: FxHashMap<(u32, u32), u32>,
    /// The root's child for each word id (`NONE` for none): most text words
    /// begin no phrase, which this tells without a hash look-up.
    root: Vec<u32>,
    /// Per node, the phrases that end there (ids as given, ascending).
    ends: Vec<Vec<u32>>,
    /// The longest phrase, in words.
    longest: usize,
}

impl WordTrie {
    /// Builds the trie. Phrase `i` of `phrases` is the word sequence `i`
    /// (its id in matches); phrases may repeat (each id is reported).
    pub(crate) fn new<'a, P, W>(phrases: P) -> WordTrie
    where
        P: IntoIterator<Item = W>,
        W: IntoIterator<Item = &'a str>,
    {
        let mut t = WordTrie {
            ends: vec![Vec::new()],
            ..WordTrie::default()
        };
        for (id, phrase) in phrases.into_iter().enumerate() {
            let mut node = 0u32;
            let mut len = 0usize;
            for w in phrase {
                let next_word = t.words.len() as u32;
                let wid = *t.words.entry(w.into()).or_insert(next_word);
                let next_node = t.ends.len() as u32;
                node = *t.edges.entry((node, wid)).or_insert(next_node);
                if node == next_node {
                    t.ends.push(Vec::new());
                }
                len += 1;
            }
            if len == 0 {
                // A phrase of no word occurs nowhere.
                continue;
            }
            t.ends[node as usize].push(id as u32);
            t.longest = t.longest.max(len);
        }
        t.root = vec![NONE; t.words.len()];
        for (&(from, word), &to) in &t.edges {
            if from == 0 {
                t.root[word as usize] = to;
            }
        }
        t
    }

    /// The word ids of `words` (`None` for a word no phrase has), into `out`.
    pub(crate) fn ids_into<'a>(
        &self,
        words: impl IntoIterator<Item = &'a str>,
        out: &mut Vec<Option<u32>>,
    ) {
        out.clear();
        out.extend(words.into_iter().map(|w| self.words.get(w).copied()));
    }

    /// Every occurrence, as (phrase id, first word, last word), of the
    /// phrases in the text whose word ids are `ids` (see
    /// [`WordTrie::ids_into`]), grouped by first word in text order.
    pub(crate) fn find(&self, ids: &[Option<u32>], mut hit: impl FnMut(u32, usize, usize)) {
        for (first, id) in ids.iter().enumerate() {
            let Some(&start) = id.and_then(|w| self.root.get(w as usize)) else {
                continue;
            };
            if start == NONE {
                continue;
            }
            let mut node = start;
            let mut last = first;
            loop {
                for &p in &self.ends[node as usize] {
                    hit(p, first, last);
                }
                last += 1;
                if last - first >= self.longest {
                    break;
                }
                let Some(Some(w)) = ids.get(last) else {
                    break;
                };
                let Some(&next) = self.edges.get(&(node, *w)) else {
                    break;
                };
                node = next;
            }
        }
    }
}

/// No node.
const NONE: u32 = u32::MAX;

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasickBuilder, MatchKind};

    /// All (phrase, first word, last word) of an Aho-Corasick overlapping
    /// search of " w w w " for " p p ", the reference the trie replaces.
    fn reference(phrases: &[&str], text: &[&str]) -> Vec<(u32, usize, usize)> {
        let pats: Vec<String> = phrases.iter().map(|p| format!(" {p} ")).collect();
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&pats)
            .unwrap();
        let mut joined = String::from(" ");
        let mut starts = Vec::new();
        for w in text {
            starts.push(joined.len());
            joined.push_str(w);
            joined.push(' ');
        }
        let mut out: Vec<(u32, usize, usize)> = ac
            .find_overlapping_iter(&joined)
            .map(|m| {
                let first = starts.binary_search(&(m.start() + 1)).unwrap();
                let last_start = joined[..m.end() - 1].rfind(' ').unwrap() + 1;
                let last = starts.binary_search(&last_start).unwrap();
                (m.pattern().as_u32(), first, last)
            })
            .collect();
        out.sort_unstable();
        out
    }

    fn trie_hits(phrases: &[&str], text: &[&str]) -> Vec<(u32, usize, usize)> {
        let trie = WordTrie::new(phrases.iter().map(|p| p.split(' ')));
        let mut ids = Vec::new();
        trie.ids_into(text.iter().copied(), &mut ids);
        let mut out = Vec::new();
        trie.find(&ids, |p, a, b| out.push((p, a, b)));
        out.sort_unstable();
        out
    }

    #[test]
    fn finds_every_whole_word_occurrence_like_aho_corasick() {
        let phrases = [
            "gyro",
            "ring laser gyro",
            "laser gyro",
            "laser",
            "a a",
            "a",
            "rocket motor case",
            "motor",
        ];
        let texts: &[&[&str]] = &[
            &["ring", "laser", "gyro", "unit"],
            &["a", "a", "a"],
            &["gyros", "lasers", "xa", "a"],
            &["rocket", "motor", "case", "rocket", "motor"],
            &[],
        ];
        for text in texts {
            assert_eq!(
                trie_hits(&phrases, text),
                reference(&phrases, text),
                "{text:?}"
            );
        }
        assert_eq!(
            trie_hits(&phrases, &["ring", "laser", "gyro"]),
            vec![(0, 2, 2), (1, 0, 2), (2, 1, 2), (3, 1, 1)]
        );
    }

    #[test]
    fn agrees_with_aho_corasick_on_generated_texts() {
        // Small vocabulary so that phrases overlap and repeat often.
        let vocab = ["a", "b", "c", "ab", "ba", "d"];
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..300 {
            let phrases: Vec<String> = (0..1 + next(8))
                .map(|_| {
                    (0..1 + next(3))
                        .map(|_| vocab[next(vocab.len())])
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect();
            let mut phrases: Vec<&str> = phrases.iter().map(String::as_str).collect();
            phrases.sort_unstable();
            phrases.dedup();
            let text: Vec<&str> = (0..next(12)).map(|_| vocab[next(vocab.len())]).collect();
            assert_eq!(
                trie_hits(&phrases, &text),
                reference(&phrases, &text),
                "phrases {phrases:?} text {text:?}"
            );
        }
    }

    #[test]
    fn repeated_and_empty_phrases() {
        let trie = WordTrie::new([vec!["x"], vec![], vec!["x"]]);
        let mut ids = Vec::new();
        trie.ids_into(["x", "y"], &mut ids);
        let mut out = Vec::new();
        trie.find(&ids, |p, a, b| out.push((p, a, b)));
        assert_eq!(out, vec![(0, 0, 0), (2, 0, 0)]);
    }
}
