//! The token vocabulary of all listed names: ids, document frequencies and
//! weights, plus the lookup structures for fuzzy expansion (one-deletion
//! neighbours, consonant skeletons) and for split/joined words.

use rustc_hash::FxHashMap;

use super::limits::MAX_TOKEN_BYTES;
use super::similarity::{self, SHORT_TYPO_MIN_LEN, SKELETON_MIN_LEN};

/// Vocabulary of name tokens (and of adjacent-token joins).
#[derive(Debug, Default)]
pub struct Vocab {
    ids: FxHashMap<Box<str>, u32>,
    strings: Vec<Box<str>>,
    /// Number of entries (not names) whose names contain the token.
    df: Vec<u32>,
    idf: Vec<f32>,
    /// Whether the token is a join of two name tokens.
    is_join: Vec<bool>,
    /// For joins, the two tokens joined (first occurrence).
    join_parts: Vec<(u32, u32)>,
    /// Whether the token occurs as a join of two name tokens (it may also
    /// be a token of its own: `airkoryo`, `air koryo`).
    joinable: Vec<bool>,
    /// Weight of the listed tokens a token stands for: its idf, or for a
    /// join the idf of its two parts.
    cover: Vec<f32>,
    /// `cover`, for a join the largest over every pair of tokens it joins
    /// in some name ("ab"+"cd" and "abc"+"d" join alike): what the token
    /// can weigh in any name, for bounds that must hold.
    cover_max: Vec<f32>,
    /// Joins of other pairs than the first (`join_parts`): (join, a, b).
    other_splits: Vec<(u32, u32, u32)>,
    /// Whether the token is a generic word (see `legal::is_generic`).
    generic: Vec<bool>,
    /// Names containing the token (sorted, unique).
    postings: Vec<Vec<u32>>,
    /// Hash of a one-deletion variant -> token ids (tokens of TYPO_MIN_LEN+).
    deletes: FxHashMap<u64, Vec<u32>>,
    /// Consonant skeleton -> token ids (tokens of SKELETON_MIN_LEN+).
    skeletons: FxHashMap<Box<str>, Vec<u32>>,
    /// The consonant skeleton of every token, computed once at build (a
    /// query word is compared with the skeletons of many listed words):
    /// token `i`'s is `skeleton_text[skeleton_at[i]..skeleton_at[i + 1]]`.
    skeleton_text: String,
    skeleton_at: Vec<u32>,
    /// Which hashes `deletes` may hold: most query variants are in no
    /// listed token, and this answers without touching the large map.
    delete_bits: Bits,
    /// Which FNV hashes a token of `ids` may have.
    token_bits: Bits,
    /// Ids of the tokens (not joins), sorted by text: prefix look-ups.
    sorted: Vec<u32>,
    /// Words a contraction may stand for, by (first letter, last letter):
    /// the tokens of `sorted` (in its order) of 24 bytes at most and in two
    /// entries or more, under their last letter and under their last
    /// consonant (see [`Vocab::contracted`]).
    contraction_keys: FxHashMap<(u8, u8), Vec<u32>>,
    idf_unknown: f32,
}

/// A one-hash Bloom filter over 64-bit hashes: `may_hold` is false only for
/// hashes never added.
#[derive(Debug, Default)]
struct Bits {
    words: Vec<u64>,
    shift: u32,
}

impl Bits {
    /// A filter of `2^log2` bits.
    fn new(log2: u32) -> Bits {
        Bits {
            words: vec![0; 1 << log2.saturating_sub(6)],
            shift: 64 - log2,
        }
    }

    fn slot(&self, h: u64) -> (usize, u64) {
        let bit = (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize;
        (bit >> 6, 1 << (bit & 63))
    }

    fn add(&mut self, h: u64) {
        let (w, m) = self.slot(h);
        self.words[w] |= m;
    }

    fn may_hold(&self, h: u64) -> bool {
        if self.words.is_empty() {
            return true;
        }
        let (w, m) = self.slot(h);
        self.words[w] & m != 0
    }
}

/// Builder: collects tokens per name and per entry, then freezes.
#[derive(Debug, Default)]
pub struct VocabBuilder {
    v: Vocab,
    last_entry: Vec<u32>,
}

impl VocabBuilder {
    /// Interns a token; returns its id.
    pub fn intern(&mut self, token: &str, join: bool) -> u32 {
        if let Some(&id) = self.v.ids.get(token) {
            if !join {
                self.v.is_join[id as usize] = false;
            }
            return id;
        }
        let id = self.v.strings.len() as u32;
        self.v.ids.insert(token.into(), id);
        self.v.strings.push(token.into());
        self.v.df.push(0);
        self.v.is_join.push(join);
        self.v.postings.push(Vec::new());
        self.v.join_parts.push((u32::MAX, u32::MAX));
        self.v.joinable.push(false);
        self.last_entry.push(u32::MAX);
        id
    }

    /// Interns the join of tokens `a` and `b` (already interned).
    pub fn intern_join(&mut self, token: &str, a: u32, b: u32) -> u32 {
        let id = self.intern(token, true);
        self.v.joinable[id as usize] = true;
        match self.v.join_parts[id as usize] {
            (u32::MAX, _) => self.v.join_parts[id as usize] = (a, b),
            first if first != (a, b) => {
                self.v.other_splits.push((id, a, b));
            }
            _ => {}
        }
        id
    }

    /// Records that entry `entry` has a name containing token `id` (for
    /// its weight).
    pub fn count(&mut self, id: u32, entry: u32) {
        let i = id as usize;
        if self.last_entry[i] != entry {
            self.last_entry[i] = entry;
            self.v.df[i] += 1;
        }
    }

    /// Records that name `name` contains token `id` (its postings).
    pub fn add(&mut self, id: u32, name: u32) {
        let i = id as usize;
        let p = &mut self.v.postings[i];
        if p.last() != Some(&name) {
            p.push(name);
        }
    }

    /// Freezes the vocabulary: weights and fuzzy lookup tables.
    pub fn finish(mut self, entries: usize) -> Vocab {
        let n = entries.max(1) as f32;
        self.v.idf = self
            .v
            .df
            .iter()
            .zip(&self.v.strings)
            .map(|(&df, s)| (1.0 + n / df.max(1) as f32).ln() * number_weight(s))
            .collect();
        self.v.idf_unknown = (1.0 + n).ln();
        self.v.generic = self
            .v
            .strings
            .iter()
            .map(|s| super::legal::is_generic(s))
            .collect();
        self.v.cover = (0..self.v.strings.len())
            .map(|i| match self.v.join_parts[i] {
                // A join stands for two listed tokens; a token that is also
                // a join may stand for either.
                (a, b) if a != u32::MAX => {
                    let pair = self.v.idf[a as usize] + self.v.idf[b as usize];
                    if self.v.is_join[i] {
                        pair
                    } else {
                        pair.max(self.v.idf[i])
                    }
                }
                _ => self.v.idf[i],
            })
            .collect();
        self.v.cover_max = self.v.cover.clone();
        for &(id, a, b) in &self.v.other_splits {
            let pair = self.v.idf[a as usize] + self.v.idf[b as usize];
            let c = &mut self.v.cover_max[id as usize];
            *c = c.max(pair);
        }
        self.v.other_splits = Vec::new();
        let mut at = Vec::with_capacity(self.v.strings.len() + 1);
        let mut text = String::new();
        for s in &self.v.strings {
            at.push(text.len() as u32);
            if s.len() <= MAX_TOKEN_BYTES + 3 {
                text.push_str(&similarity::skeleton(s));
            }
        }
        at.push(text.len() as u32);
        self.v.skeleton_text = text;
        self.v.skeleton_at = at;
        for (id, s) in self.v.strings.iter().enumerate() {
            // Joins, and words too long for typo look-ups (see
            // `limits::MAX_TOKEN_BYTES`): their deletion variants would make
            // the build quadratic in the word's length.
            if self.v.is_join[id] || s.len() > MAX_TOKEN_BYTES {
                continue;
            }
            if s.len() >= SHORT_TYPO_MIN_LEN {
                for h in deletion_hashes(s) {
                    self.v.deletes.entry(h).or_default().push(id as u32);
                }
            }
            if s.len() >= SKELETON_MIN_LEN {
                let k = similarity::skeleton(s);
                if k.len() >= 3 {
                    self.v
                        .skeletons
                        .entry(k.into())
                        .or_default()
                        .push(id as u32);
                }
            }
        }
        for list in self.v.deletes.values_mut() {
            list.sort_unstable();
            list.dedup();
        }
        self.v.delete_bits = Bits::new(22);
        for &h in self.v.deletes.keys() {
            self.v.delete_bits.add(h);
        }
        let mut sorted: Vec<u32> = (0..self.v.strings.len() as u32)
            .filter(|&i| !self.v.is_join[i as usize])
            .collect();
        sorted
            .sort_unstable_by(|&a, &b| self.v.strings[a as usize].cmp(&self.v.strings[b as usize]));
        let mut keys: FxHashMap<(u8, u8), Vec<u32>> = FxHashMap::default();
        for &i in &sorted {
            let w = self.v.strings[i as usize].as_bytes();
            let (Some(&first), Some(&end)) = (w.first(), w.last()) else {
                continue;
            };
            if w.len() > 24 || self.v.df[i as usize] < 2 {
                continue;
            }
            keys.entry((first, end)).or_default().push(i);
            if let Some(&c) = w.iter().rev().find(|c| !b"aeiouy".contains(c)) {
                if c != end {
                    keys.entry((first, c)).or_default().push(i);
                }
            }
        }
        self.v.contraction_keys = keys;
        self.v.sorted = sorted;
        self.v.token_bits = Bits::new(20);
        for s in &self.v.strings {
            self.v.token_bits.add(hash(s.as_bytes()));
        }
        self.v
    }
}

impl Vocab {
    /// Id of a token, if listed.
    pub fn id(&self, token: &str) -> Option<u32> {
        self.ids.get(token).copied()
    }

    /// The token's text.
    pub fn text(&self, id: u32) -> &str {
        &self.strings[id as usize]
    }

    /// Weight (inverse document frequency over entries).
    pub fn idf(&self, id: u32) -> f32 {
        self.idf[id as usize]
    }

    /// Whether the token is a generic word ("international", "bank" ...).
    pub fn is_generic(&self, id: u32) -> bool {
        self.generic[id as usize]
    }

    /// Weight of the listed tokens `id` stands for (a join: both parts).
    pub fn cover(&self, id: u32) -> f32 {
        self.cover[id as usize]
    }

    /// The most the token can weigh in any name that contains it (a join:
    /// the heaviest pair it joins); at least [`Vocab::cover`].
    pub fn cover_max(&self, id: u32) -> f32 {
        self.cover_max[id as usize]
    }

    /// Weight given to a token no listed name contains.
    pub fn idf_unknown(&self) -> f32 {
        self.idf_unknown
    }

    /// Number of entries containing the token.
    pub fn df(&self, id: u32) -> u32 {
        self.df[id as usize]
    }

    /// Whether the token occurs as a join of two name tokens.
    pub fn is_joinable(&self, id: u32) -> bool {
        self.joinable[id as usize]
    }

    /// Whether the token is only a join of two name tokens.
    pub fn is_join(&self, id: u32) -> bool {
        self.is_join[id as usize]
    }

    /// Names containing the token.
    pub fn postings(&self, id: u32) -> &[u32] {
        &self.postings[id as usize]
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.strings.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }

    /// Listed tokens within one edit of `token` (candidates: verify).
    pub fn one_edit_candidates(&self, token: &str, out: &mut Vec<u32>) {
        if token.len() + 1 < SHORT_TYPO_MIN_LEN || token.len() > MAX_TOKEN_BYTES {
            return;
        }
        // The token itself may be a deletion variant of a listed token
        // (insertion in the query) ...
        let whole = hash(token.as_bytes());
        if self.delete_bits.may_hold(whole) {
            if let Some(l) = self.deletes.get(&whole) {
                out.extend_from_slice(l);
            }
        }
        // ... or share a deletion variant with it (substitution,
        // transposition), or a listed token may be its deletion variant.
        let b = token.as_bytes();
        // A variant is shorter than the token (at most MAX_TOKEN_BYTES).
        let mut buf = [0u8; MAX_TOKEN_BYTES];
        for (i, h) in deletion_hashes(token).enumerate() {
            if self.delete_bits.may_hold(h) {
                if let Some(l) = self.deletes.get(&h) {
                    out.extend_from_slice(l);
                }
            }
            // The variant hashes as a whole token would.
            if !self.token_bits.may_hold(h) {
                continue;
            }
            let len = b.len() - 1;
            buf[..i].copy_from_slice(&b[..i]);
            buf[i..len].copy_from_slice(&b[i + 1..]);
            if let Ok(s) = std::str::from_utf8(&buf[..len]) {
                if let Some(id) = self.id(s) {
                    out.push(id);
                }
            }
        }
    }

    /// The `keep` most frequent listed tokens (not joins) longer than
    /// `prefix` that begin with it (an abbreviation stands for a common
    /// word more often than for a rare one).
    pub fn prefixed(&self, prefix: &str, keep: usize) -> Vec<u32> {
        let text = |i: u32| &*self.strings[i as usize];
        let start = self.sorted.partition_point(|&i| text(i) < prefix);
        let mut out: Vec<u32> = self.sorted[start..]
            .iter()
            .copied()
            .take_while(|&i| text(i).starts_with(prefix))
            .filter(|&i| text(i).len() > prefix.len())
            .collect();
        out.sort_by_key(|&i| std::cmp::Reverse(self.df[i as usize]));
        out.truncate(keep);
        out.sort_unstable();
        out
    }

    /// Listed words a contraction may stand for (`mgmt` -> management,
    /// `trdg` -> trading): words of the same first letter, longer by two
    /// letters or more, holding the contraction's letters in order and
    /// ending with its last letter (or their last consonant with it); the
    /// `max` most frequent.
    pub fn contracted(&self, t: &str, max: usize) -> Vec<u32> {
        let tb = t.as_bytes();
        let (Some(&first), Some(&last)) = (tb.first(), tb.last()) else {
            return Vec::new();
        };
        // The words of that first letter ending with `last` or with `last`
        // as their last consonant, in text order (index built once).
        let words = self
            .contraction_keys
            .get(&(first, last))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let mut found: Vec<u32> = Vec::new();
        for &i in words {
            let w = self.strings[i as usize].as_bytes();
            if w.len() < tb.len() + 2 {
                continue;
            }
            let mut rest = w[1..].iter();
            if tb[1..].iter().all(|c| rest.any(|x| x == c)) {
                found.push(i);
            }
        }
        found.sort_by_key(|&i| std::cmp::Reverse(self.df[i as usize]));
        found.truncate(max);
        found.sort_unstable();
        found
    }

    /// The consonant skeleton of token `id` ([`similarity::skeleton`]),
    /// computed at build; `None` for words too long to be compared so.
    pub fn skeleton_of(&self, id: u32) -> Option<&str> {
        let i = id as usize;
        if self.strings.get(i)?.len() > MAX_TOKEN_BYTES + 3 {
            return None;
        }
        let (a, b) = (*self.skeleton_at.get(i)?, *self.skeleton_at.get(i + 1)?);
        self.skeleton_text.get(a as usize..b as usize)
    }

    /// Listed tokens with the same consonant skeleton.
    pub fn skeleton_candidates(&self, skeleton: &str) -> &[u32] {
        self.skeletons
            .get(skeleton)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// Share of its weight a number keeps: numbers tell series apart ("Fund
/// IV", "Snow Storm 2", "Brigade 44") more than they tell who; the words
/// around them carry the match.
pub const NUMBER_WEIGHT: f32 = 0.3;

/// [`NUMBER_WEIGHT`] for a token of digits only, 1 otherwise.
pub fn number_weight(token: &str) -> f32 {
    if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
        NUMBER_WEIGHT
    } else {
        1.0
    }
}

/// FNV-1a over bytes: a cheap, stable hash for deletion variants (matches
/// are verified by edit distance, so collisions only cost time).
fn hash(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in b {
        h ^= u64::from(x);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Hashes of the token with one byte deleted at each position (the hash of
/// the bytes before the deletion is carried from one position to the next:
/// half the work of hashing each variant whole, the same values).
fn deletion_hashes(token: &str) -> impl Iterator<Item = u64> + '_ {
    let b = token.as_bytes();
    let mut prefix: u64 = 0xcbf2_9ce4_8422_2325;
    (0..b.len()).map(move |i| {
        let mut h = prefix;
        for &x in &b[i + 1..] {
            h ^= u64::from(x);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        prefix ^= u64::from(b[i]);
        prefix = prefix.wrapping_mul(0x0100_0000_01b3);
        h
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deletion_hashes_are_the_hashes_of_the_variants() {
        for token in ["", "a", "ab", "abc", "company", "shahid hemmat", "ооо"] {
            let b = token.as_bytes();
            let whole: Vec<u64> = (0..b.len())
                .map(|i| {
                    let mut v = b[..i].to_vec();
                    v.extend_from_slice(&b[i + 1..]);
                    hash(&v)
                })
                .collect();
            assert_eq!(deletion_hashes(token).collect::<Vec<_>>(), whole, "{token}");
        }
    }

    #[test]
    fn skeletons_computed_at_build_are_those_of_the_words() {
        let mut b = VocabBuilder::default();
        let long = "q".repeat(MAX_TOKEN_BYTES + 4);
        let words = [
            "a",
            "ab",
            "muhammad",
            "mohamed",
            "khrushchev",
            "zhang",
            "tschaikowsky",
            "yyu",
            "cheng",
            "xiaoping",
            &long,
        ];
        for (n, w) in words.iter().enumerate() {
            let id = b.intern(w, false);
            b.count(id, n as u32);
            b.add(id, n as u32);
        }
        let v = b.finish(words.len());
        for w in words {
            let id = v.id(w).unwrap();
            let want = (w.len() <= MAX_TOKEN_BYTES + 3).then(|| similarity::skeleton(w));
            assert_eq!(v.skeleton_of(id), want.as_deref(), "{w}");
        }
    }
}
