//! Party-name matching against every denial list.
//!
//! Build: every name and alias of every entry is normalised
//! ([`normalize`]), its tokens interned in a [`vocab::Vocab`] with
//! entry-frequency weights (so "international", "trading", "bank",
//! "mohammad" weigh little and rare tokens much), adjacent-token joins
//! indexed for split/joined words, and the order-free keys of all names
//! kept for near-exact hits. An aho-corasick automaton over distinctive
//! multi-word names finds listed names contained in a longer query.
//!
//! Search: the query is normalised the same way; each token is expanded to
//! listed tokens (exact, one typo, romanisation variant, consonant skeleton);
//! candidate names come from the postings of the rarest expansions; each
//! candidate is aligned token by token ([`score::align`]) and scored by the
//! weighted coverage of both names, then adjusted for alias strength, entity
//! type and country agreement. Every match explains which name matched,
//! which tokens paired and what raised or lowered the score.

pub(crate) mod answer_memo;
mod legal;
pub mod limits;
mod memo;
pub mod normalize;
pub mod rules;
pub mod score;
pub mod similarity;
pub mod vocab;
pub mod well_known;

#[cfg(test)]
mod tests;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::model::{DenialEntry, EntityKind, EntryName, NameKind};

use super::geo::Geo;
use normalize::{NormName, normalize_with};
use rules::NameRules;
use score::{Alignment, QJoin, QToken, align};
use similarity::token_sim_with;
use vocab::{Vocab, VocabBuilder};

/// A party to screen.
#[derive(Clone, Copy, Debug, Default)]
pub struct PartyQuery<'a> {
    /// Name as sent.
    pub name: &'a str,
    /// Country: ISO alpha-2 or a name; may be empty.
    pub country: &'a str,
    /// Address; may be empty.
    pub address: &'a str,
}

/// A denial-list entry matched by a party.
#[derive(Clone, Debug, PartialEq)]
pub struct PartyMatch {
    /// List id.
    pub list_id: String,
    /// The source's entry id.
    pub entry_id: String,
    /// Primary name of the entry.
    pub entry_name: String,
    /// The name or alias that matched.
    pub matched_name: String,
    /// Score in [0, 1].
    pub score: f64,
    /// The query equals the matched name after normalisation, in any word
    /// order (the score may still be lower: weak alias, vessel ...).
    pub near_exact: bool,
    /// Person, organisation ...
    pub entry_kind: EntityKind,
    /// Programmes of the entry.
    pub programs: Vec<String>,
    /// Token pairs (`query~listed`) that matched.
    pub matched_terms: Vec<String>,
    /// Which name matched, token pairing, what raised or lowered the score.
    pub explanation: String,
}

/// Scoring constants (one place, so that tuning is visible).
#[derive(Clone, Debug)]
struct Tuning {
    /// Weak aliases score at most this share of a strong match.
    weak_alias: f64,
    /// Vessels and aircraft are not shipment parties.
    vessel: f64,
    /// Only generic words ("international", "trading", "bank" ...) in common.
    generic_only: f64,
    /// A short name (all tokens of four letters or less, or one word of
    /// at most `short_single_len` letters) with a fuzzy pair.
    short_fuzzy: f64,
    short_single_len: usize,
    /// A query (or a listed person's name) counts as matched whole from
    /// this coverage on: the other side's missing middle names then count
    /// half.
    whole_query: f64,
    /// The same when only a patronymic of the listed name is missing.
    patronymic_query: f64,
    /// Share of its weight a listed patronymic the query leaves out counts.
    patronymic_missing: f64,
    /// An organisation's words paired run together or split, and up to a
    /// typo.
    regrouped_fuzzy: f64,
    /// A family name of a "LAST, First" person is missing (given names alone
    /// are shared by many people).
    surname_missing: f64,
    /// An organisation-looking query against a person entry.
    org_vs_person: f64,
    /// A query with a legal form against a vessel or aircraft entry.
    company_vs_craft: f64,
    /// A short weak alias (one word of at most `short_single_len` letters,
    /// or words of four letters or less only) reached through a slip (on
    /// top of `weak_alias`).
    weak_alias_slip: f64,
    /// A person's name part in the query and another in the listed name,
    /// neither matched: two people of one family, or namesakes.
    part_differs: f64,
    /// A query in Han, Kana or Hangul against a name listed in Latin
    /// letters: only the sound agrees.
    cross_script: f64,
    /// Score of a query equal to the acronym of a listed organisation name.
    acronym: f64,
    /// Query and listed name in Han, Kana or Hangul, written with other
    /// characters.
    other_characters: f64,
    /// "X bin Y" against "Y bin X".
    lineage_swapped: f64,

    /// An organisation's listed name made of common words only, the query
    /// adding a word of its own.
    descriptive_qualified: f64,
    /// An organisation's listed name names a country the query does not
    /// (a subsidiary: "Banco X Mexico" against "Banco X"), or the other way
    /// round.
    place_missing: f64,
    /// Bonus when the party's address names a city of the entry's addresses.
    address_agree: f64,
    /// Country agreement bonus / disagreement malus.
    country_agree: f64,
    country_disagree: f64,
    /// A candidate must share at least this share of the query's weight
    /// (before similarity) to be scored.
    min_query_share: f32,
    /// Postings longer than this are not used to generate candidates (the
    /// token still counts in scoring).
    max_postings: usize,
}

const TUNING: Tuning = Tuning {
    weak_alias: 0.92,
    vessel: 0.9,
    generic_only: 0.7,
    short_fuzzy: 0.9,
    short_single_len: 6,
    whole_query: 0.9,
    patronymic_query: 0.8,
    patronymic_missing: 0.8,
    regrouped_fuzzy: 0.85,
    surname_missing: 0.9,
    org_vs_person: 0.85,
    company_vs_craft: 0.85,
    weak_alias_slip: 0.9,
    part_differs: 0.87,
    cross_script: 0.85,
    acronym: 0.85,
    other_characters: 0.8,
    lineage_swapped: 0.75,
    place_missing: 0.9,
    descriptive_qualified: 0.85,
    address_agree: 0.03,
    country_agree: 0.03,
    country_disagree: 0.03,
    min_query_share: 0.55,
    max_postings: 4000,
};

#[derive(Debug)]
struct EntryRec {
    list: u16,
    entry_id: String,
    primary: String,
    kind: EntityKind,
    programs: Vec<String>,
    countries: Vec<String>,
    /// Cities of the entry's addresses, normalised (` city `).
    cities: Vec<String>,
}

#[derive(Debug)]
struct NameRec {
    entry: u32,
    kind: NameKind,
    text: String,
    tokens: Box<[u32]>,
    /// Concatenations of two of the name's tokens (in both orders) with the
    /// mask of the two tokens: "RamiMakhlouf" for "MAKHLOUF, Rami".
    joins: Box<[(u32, u64)]>,
    /// Tokens written before the comma of a person's "LAST, First" name:
    /// the family names.
    surnames: u64,
    /// Tokens written twice in a row in the listed name ("CHANG CHANG HA").
    doubled: u64,
    /// Every token has at most four letters (many Chinese and Korean names).
    short: bool,
    /// Written in Han, Kana or Hangul.
    ideographic: bool,
    /// Its Han, Kana and Hangul characters (empty for other scripts).
    cjk: Box<str>,
    /// The listed name itself carries a legal-form word ("PAO, Hua Chiang").
    org_hint: bool,
    /// The first name with the same tokens and the same kind of entry
    /// (person or not): the two align with any query alike.
    twin: u32,
}

/// Listed tokens a token may stand for, with similarity, sorted by id.
type Expansions = Box<[(u32, f32)]>;

/// Per-thread scratch space for candidate generation (one slot per name).
#[derive(Default)]
struct Scratch {
    slots: Vec<Slot>,
    /// Names with a non-zero `acc`.
    touched: Vec<u32>,
    /// One bit per name, set for the names of `touched`: long postings are
    /// checked against these bits (about 6 KB for the bundled lists, which
    /// stay in the first-level cache) before a name's 24-byte slot, mostly
    /// cold, is read.
    found: Vec<u64>,
}

/// Whether a search skips the candidate names whose bounds from candidate
/// generation say they cannot reach the threshold.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bounds {
    /// Skip them (every search).
    Skip,
    /// Align them all ([`PartyIndex::search_aligning_all`], for tests).
    AlignAll,
}

/// What candidate generation knows of one name (kept together: one cache
/// line per name touched).
#[derive(Clone, Copy, Default)]
struct Slot {
    /// Query weight shared with the name (upper bound).
    acc: f32,
    /// Name weight shared with the query (upper bound).
    accn: f32,
    /// Name weight the query's words and joins can cover at most: for each,
    /// its heaviest reading the name contains (`best` for the last one).
    most: f32,
    /// Of `most`, what the last query word or join (`mark`) adds.
    best: f32,
    /// Last query token (index + 1) counted for the name.
    mark: u16,
    /// The query tokens (bit `i`, the first 32) that some word or join of
    /// the name can pair with.
    qmask: u32,
}

/// What one reading (expansion) of a query word or join adds to the names
/// that contain it.
#[derive(Clone, Copy)]
struct Credit {
    /// Query weight times similarity.
    w: f32,
    /// Name weight times similarity (the first pair of words the reading
    /// joins).
    cover: f32,
    /// The most the reading can weigh in a name: similarity times
    /// [`Vocab::cover_max`]. The alignment may pair a less similar reading
    /// than a name's first, so `Slot::most` keeps each word's largest.
    most: f32,
    /// The query tokens the word or join stands for.
    qbits: u32,
}

impl Slot {
    /// Counts reading `c` of the word or join `stamp`: the word's first
    /// reading the name shows adds to every sum, a later one may raise
    /// `most` only.
    #[inline]
    fn credit(&mut self, stamp: u16, c: Credit) {
        if self.mark == stamp {
            if c.most > self.best {
                self.most += c.most - self.best;
                self.best = c.most;
            }
            return;
        }
        self.mark = stamp;
        self.acc += c.w;
        self.accn += c.cover;
        self.most += c.most;
        self.best = c.most;
        self.qmask |= c.qbits;
    }
}

impl Scratch {
    /// Adds weights to every name of `postings` (new names included).
    fn add_all(&mut self, postings: &[u32], stamp: u16, c: Credit) {
        for &n in postings {
            let slot = &mut self.slots[n as usize];
            if slot.acc == 0.0 && slot.mark != stamp {
                self.touched.push(n);
                self.found[n as usize >> 6] |= 1 << (n & 63);
            }
            slot.credit(stamp, c);
        }
    }

    /// Whether name `n` is in `touched`.
    #[inline]
    fn is_found(&self, n: u32) -> bool {
        self.found[n as usize >> 6] & (1 << (n & 63)) != 0
    }

    /// Adds weights to the names of `postings` already found.
    fn add_known(&mut self, postings: &[u32], stamp: u16, c: Credit) {
        if self.touched.len() * 16 < postings.len() {
            // Few names found, long postings: look each name up.
            for i in 0..self.touched.len() {
                let n = self.touched[i];
                if postings.binary_search(&n).is_ok() {
                    self.bump(n as usize, stamp, c);
                }
            }
        } else {
            for &n in postings {
                if self.is_found(n) && self.slots[n as usize].acc > 0.0 {
                    self.bump(n as usize, stamp, c);
                }
            }
        }
    }

    fn bump(&mut self, k: usize, stamp: u16, c: Credit) {
        self.slots[k].credit(stamp, c);
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Index over all names and aliases of all denial lists.
#[derive(Debug, Default)]
pub struct PartyIndex {
    lists: Vec<String>,
    entries: Vec<EntryRec>,
    names: Vec<NameRec>,
    /// Sum of each name's token weights (by name number; apart from
    /// `names` so that candidate generation reads 4 bytes per name).
    name_totals: Vec<f32>,
    /// The weight of each name's heaviest word (by name number; infinite
    /// for a name of more than 64 words, whose alignment reads the first
    /// 64 only): what a single letter can cover as an initial.
    name_most: Vec<f32>,
    /// Whether the name is a person's (by name number, like `name_totals`).
    persons: Vec<bool>,
    /// Whether the name is a person's with a patronymic (by name number).
    patronymics: Vec<bool>,
    /// Whether the token names a country (`mexico`, `iran`), by token id.
    places: Vec<bool>,
    /// Whether the token is a common English word (`research`, `target`),
    /// by token id.
    commons: Vec<bool>,
    vocab: Vocab,
    /// Order-free key -> names.
    exact: FxHashMap<Box<str>, Vec<u32>>,
    /// Distinctive multi-word names, for containment in longer queries.
    contained: Option<AhoCorasick>,
    contained_names: Vec<u32>,
    /// Names with the same tokens as an earlier name (its twin), by that name.
    twins: FxHashMap<u32, Vec<u32>>,
    /// Acronyms of organisation names of three or more words -> names.
    acronyms: FxHashMap<Box<str>, Vec<u32>>,
    /// Expansions of listed tokens, computed on first use.
    memo: Vec<std::sync::OnceLock<Expansions>>,
    /// Abbreviations, nicknames, legal forms, numbers (data files).
    rules: std::sync::Arc<NameRules>,
    /// This index's number, which tags the expansions of unknown words
    /// each thread keeps for it ([`memo`]).
    id: u64,
    /// The well-known firms of the rules by the order-free key of each of
    /// their names ([`well_known`]): the firm's number in the rules.
    well_known: FxHashMap<Box<str>, u32>,
}

impl PartyIndex {
    /// Builds the index from `(list_id, entries)` pairs with the embedded
    /// name rules; `geo` resolves the entries' countries to ISO codes.
    pub fn build(lists: &[(&str, &[DenialEntry])], geo: &Geo) -> PartyIndex {
        let f = crate::reference::ReferenceFiles::embedded();
        let rules = NameRules::from_toml(&f.party_words, &f.nicknames, &f.legal_forms)
            .and_then(|r| r.with_well_known(&f.well_known))
            .unwrap_or_default();
        PartyIndex::build_with(lists, geo, std::sync::Arc::new(rules))
    }

    /// The name rules the index was built with.
    pub fn rules(&self) -> std::sync::Arc<NameRules> {
        self.rules.clone()
    }

    /// Builds the index from `(list_id, entries)` pairs with `rules`.
    pub fn build_with(
        lists: &[(&str, &[DenialEntry])],
        geo: &Geo,
        rules: std::sync::Arc<NameRules>,
    ) -> PartyIndex {
        let mut idx = PartyIndex {
            well_known: well_known::keys(&rules),
            rules,
            id: memo::next_index_id(),
            ..PartyIndex::default()
        };
        let mut vb = VocabBuilder::default();
        let mut normed: Vec<NormName> = Vec::new();
        let mut twins: FxHashMap<(Box<[u32]>, bool, bool), u32> = FxHashMap::default();
        for (li, (list_id, entries)) in lists.iter().enumerate() {
            idx.lists.push((*list_id).to_string());
            for e in entries.iter() {
                let entry_no = idx.entries.len() as u32;
                let mut countries: Vec<String> = e
                    .countries
                    .iter()
                    .chain(e.addresses.iter().map(|a| &a.country))
                    .filter_map(|c| geo.resolve_country(c))
                    .collect();
                countries.sort();
                countries.dedup();
                let mut cities: Vec<String> = e
                    .addresses
                    .iter()
                    .map(|a| normalize::words(&a.city))
                    .filter(|c| c.len() >= 4)
                    .map(|c| format!(" {c} "))
                    .collect();
                cities.sort();
                cities.dedup();
                idx.entries.push(EntryRec {
                    list: li as u16,
                    entry_id: e.entry_id.clone(),
                    primary: e.primary_name().to_string(),
                    kind: e.kind,
                    programs: e.programs.clone(),
                    countries,
                    cities,
                });
                let mut seen: FxHashSet<String> = FxHashSet::default();
                let names = e.names.iter().flat_map(|n| {
                    slash_names(&n.name, &idx.rules)
                        .into_iter()
                        .map(move |(text, part)| {
                            let name = EntryName {
                                name: text,
                                kind: n.kind,
                            };
                            (name, part)
                        })
                });
                for (n, part) in names {
                    let n = &n;
                    let nn = normalize_with(&n.name, &idx.rules);
                    if nn.tokens.is_empty() || nn.consonantal {
                        continue;
                    }
                    if !seen.insert(format!("{:?}{}", n.kind, nn.joined())) {
                        continue;
                    }
                    let name_no = idx.names.len() as u32;
                    let tokens: Vec<u32> = nn.tokens.iter().map(|t| vb.intern(t, false)).collect();
                    // A name with the same tokens as an earlier one (of the
                    // same kind of entry) is its twin: only the first is in
                    // the postings, the others follow it.
                    // (A part of a slashed name never groups with a name
                    // as written: it is never near-exact.)
                    let twin = *twins
                        .entry((tokens.clone().into(), e.kind == EntityKind::Person, part))
                        .or_insert(name_no);
                    for &id in &tokens {
                        vb.count(id, entry_no);
                        if twin == name_no {
                            vb.add(id, name_no);
                        }
                    }
                    let joins: Vec<(u32, u64)> = if twin == name_no {
                        join_pairs(nn.tokens.len())
                            // Two words run together in the other order,
                            // not a letter with a word: "P.AD" is not "ADP".
                            .filter(|&(a, b)| {
                                a < b || (nn.tokens[a].len() > 1 && nn.tokens[b].len() > 1)
                            })
                            .map(|(a, b)| {
                                let j = format!("{}{}", nn.tokens[a], nn.tokens[b]);
                                let id = vb.intern_join(&j, tokens[a], tokens[b]);
                                vb.count(id, entry_no);
                                vb.add(id, name_no);
                                (id, (1u64 << a) | (1u64 << b))
                            })
                            .collect()
                    } else {
                        idx.twins.entry(twin).or_default().push(name_no);
                        Vec::new()
                    };
                    if twin == name_no && !part {
                        idx.exact.entry(nn.key().into()).or_default().push(name_no);
                        if e.kind == EntityKind::Organization {
                            for acr in acronyms(&nn) {
                                idx.acronyms.entry(acr.into()).or_default().push(name_no);
                            }
                        }
                    }
                    idx.names.push(NameRec {
                        twin,
                        entry: entry_no,
                        kind: n.kind,
                        text: n.name.clone(),
                        surnames: surname_mask(e.kind, &n.name, nn.tokens.len(), &idx.rules),
                        doubled: nn
                            .tokens
                            .iter()
                            .take(64)
                            .enumerate()
                            .filter(|(_, t)| nn.doubled.contains(t))
                            .fold(0, |m, (j, _)| m | 1u64 << j),
                        short: nn.tokens.iter().all(|t| t.len() <= 4),
                        ideographic: nn.ideographic,
                        cjk: nn.cjk.as_str().into(),
                        org_hint: nn.org_hint,
                        tokens: tokens.into(),
                        joins: joins.into(),
                    });
                    normed.push(nn);
                }
            }
        }
        idx.vocab = vb.finish(idx.entries.len());
        idx.name_totals = idx
            .names
            .iter()
            .map(|rec| rec.tokens.iter().map(|&t| idx.vocab.idf(t)).sum())
            .collect();
        idx.name_most = idx
            .names
            .iter()
            .map(|rec| {
                if rec.tokens.len() > 64 {
                    f32::INFINITY
                } else {
                    rec.tokens
                        .iter()
                        .map(|&t| idx.vocab.idf(t))
                        .fold(0.0, f32::max)
                }
            })
            .collect();
        idx.places = (0..idx.vocab.len() as u32)
            .map(|t| {
                let text = idx.vocab.text(t);
                text.len() >= 4 && !idx.vocab.is_join(t) && geo.resolve_country(text).is_some()
            })
            .collect();
        idx.commons = (0..idx.vocab.len() as u32)
            .map(|t| !idx.vocab.is_join(t) && idx.rules.is_common_word(idx.vocab.text(t)))
            .collect();
        idx.persons = idx
            .names
            .iter()
            .map(|rec| idx.entries[rec.entry as usize].kind == EntityKind::Person)
            .collect();
        idx.patronymics = idx
            .names
            .iter()
            .zip(&idx.persons)
            .map(|(rec, &person)| {
                person && (0..rec.tokens.len()).any(|j| idx.listed_patronymic(&rec.tokens, j))
            })
            .collect();
        idx.memo = (0..idx.vocab.len())
            .map(|_| std::sync::OnceLock::new())
            .collect();
        idx.build_contained(&normed);
        idx
    }

    /// Aho-corasick over distinctive multi-word names (` a b c `), to find
    /// listed names contained in a longer query.
    fn build_contained(&mut self, normed: &[NormName]) {
        let mut pats = Vec::new();
        for (i, nn) in normed.iter().enumerate() {
            let rec = &self.names[i];
            if rec.tokens.len() < 2 || rec.kind == NameKind::WeakAlias || rec.twin != i as u32 {
                continue;
            }
            let distinctive = rec
                .tokens
                .iter()
                .filter(|&&t| self.vocab.df(t) <= 20 && self.vocab.text(t).len() >= 4)
                .count();
            if distinctive == 0 {
                continue;
            }
            pats.push(format!(" {} ", nn.joined()));
            self.contained_names.push(i as u32);
        }
        self.contained = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&pats)
            .ok();
    }

    /// Number of indexed names.
    pub fn name_count(&self) -> usize {
        self.names.len()
    }

    /// Matches scoring at least `threshold`, best first, at most `limit`.
    pub fn search(&self, q: &PartyQuery<'_>, threshold: f64, limit: usize) -> Vec<PartyMatch> {
        self.search_with(q, threshold, limit, false, Bounds::Skip)
    }

    /// [`PartyIndex::search`] without skipping the candidate names whose
    /// bounds say they cannot reach the threshold: every candidate is
    /// aligned. Slower, and the same answer: what tests compare the
    /// bounds against.
    pub fn search_aligning_all(
        &self,
        q: &PartyQuery<'_>,
        threshold: f64,
        limit: usize,
    ) -> Vec<PartyMatch> {
        self.search_with(q, threshold, limit, false, Bounds::AlignAll)
    }

    /// [`PartyIndex::search`], then only the best match of each list (the
    /// first of its list in that order): the others are dropped before
    /// they are explained, which is the costly part of a match.
    pub fn search_best_per_list(
        &self,
        q: &PartyQuery<'_>,
        threshold: f64,
        limit: usize,
    ) -> Vec<PartyMatch> {
        self.search_with(q, threshold, limit, true, Bounds::Skip)
    }

    fn search_with(
        &self,
        q: &PartyQuery<'_>,
        threshold: f64,
        limit: usize,
        best_per_list: bool,
        bounds: Bounds,
    ) -> Vec<PartyMatch> {
        let mut nn = normalize_with(q.name, &self.rules);
        if nn.tokens.is_empty() || self.names.is_empty() {
            return Vec::new();
        }
        self.split_glued(&mut nn);
        let wade_giles = self.wade_giles(&nn);
        let qtokens = self.expand(&nn, wade_giles);
        let qjoins = self.expand_joins(&nn, wade_giles);
        let key = nn.key();
        let exact_names: &[u32] = self
            .exact
            .get(key.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);

        // Candidate names with upper bounds of their query and name
        // coverages (none for exact and contained names).
        let unbounded = |n: u32| (n, f32::INFINITY, f32::INFINITY);
        let mut cands: Vec<(u32, f32, f32)> = exact_names.iter().copied().map(unbounded).collect();
        // score = (query coverage + name coverage) / 2, plus at most the
        // country bonus: both coverages together must reach this.
        let min_sum = (2.0 * (threshold - TUNING.country_agree)) as f32;
        self.candidates(
            &qtokens,
            &qjoins,
            TUNING.min_query_share,
            min_sum,
            &mut cands,
        );
        cands.extend(self.contained_hits(&nn).into_iter().map(unbounded));
        // By name, the unbounded copy first, which the dedup keeps.
        cands.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
        cands.dedup_by_key(|c| c.0);
        if cands.len() > limits::MAX_SCORED_NAMES {
            // Only copies of the same names come in such numbers (a hostile
            // list): near-exact names first, then in list order.
            cands.sort_by_key(|c| (exact_names.binary_search(&c.0).is_err(), c.0));
            cands.truncate(limits::MAX_SCORED_NAMES);
        }

        let country = self.query_country(q.country);
        // The address is read only when a name is scored (most queries
        // score none): normalised on first use.
        let address_cell = std::cell::OnceCell::new();
        let address = || {
            address_cell
                .get_or_init(|| format!(" {} ", normalize::words(q.address)))
                .as_str()
        };
        let mut best: FxHashMap<u32, (f64, u32, Via)> = FxHashMap::default();
        // A single query word that is the acronym of a listed organisation.
        // One word that may be an acronym, beside generic words at most
        // ("PLA China").
        let mut distinctive = nn.tokens.iter().filter(|t| !legal::is_generic(t));
        if let (Some(only), None) = (distinctive.next(), distinctive.next()) {
            let heads = self
                .acronyms
                .get(only.as_str())
                .map(Vec::as_slice)
                .unwrap_or(&[]);

            let all = heads.iter().flat_map(|h| {
                std::iter::once(h).chain(self.twins.get(h).map(Vec::as_slice).unwrap_or(&[]))
            });
            for &name_no in all.take(limits::MAX_SCORED_NAMES) {
                let rec = &self.names[name_no as usize];
                let s = self.adjust(
                    TUNING.acronym,
                    name_no,
                    country.as_deref(),
                    address(),
                    &mut None,
                );
                let slot = best
                    .entry(rec.entry)
                    .or_insert((f64::MIN, name_no, Via::Acronym));
                if s > slot.0 {
                    *slot = (s, name_no, Via::Acronym);
                }
            }
        }
        // Names with the same tokens (twins) align alike: once per group;
        // at most `MAX_SCORED_NAMES` names are scored in all.
        let mut budget = limits::MAX_SCORED_NAMES;
        'heads: for &(head, q_ub, n_ub) in &cands {
            let rec = &self.names[head as usize];
            let allow_initials = self.entries[rec.entry as usize].kind == EntityKind::Person;
            let members = self.twins.get(&head).map(Vec::as_slice).unwrap_or(&[]);
            let group = || std::iter::once(&head).chain(members);
            // The bounds of candidate generation say no name of the group
            // can reach the threshold: not aligned, though each name still
            // counts in the budget, as if scored.
            if q_ub.is_finite() && bounds == Bounds::Skip {
                let base = score_bound(q_ub, n_ub, allow_initials) + CANDIDATE_MARGIN;
                let hopeless = group().all(|&name_no| {
                    let entry = &self.entries[self.names[name_no as usize].entry as usize];
                    base + bonus_bound(entry, country.as_deref()) < threshold
                });
                if hopeless {
                    for _ in group() {
                        if budget == 0 {
                            break 'heads;
                        }
                        budget -= 1;
                    }
                    continue;
                }
            }
            let a = align(
                &qtokens,
                &qjoins,
                &rec.tokens,
                &rec.joins,
                &self.vocab,
                allow_initials,
                false,
            );
            let exact = exact_names.binary_search(&head).is_ok();
            let near_exact = exact
                && !self.other_characters(&nn, head)
                && self.lineage_swapped(&nn, &rec.tokens).is_none();
            for &name_no in group() {
                if budget == 0 {
                    break 'heads;
                }
                budget -= 1;
                let rec = &self.names[name_no as usize];
                // The most the name can score with this alignment: below
                // the threshold its final score would be dropped, so it is
                // not computed (the name still counts in the budget).
                if !exact {
                    let entry = &self.entries[rec.entry as usize];
                    let person = entry.kind == EntityKind::Person;
                    let bound = score_bound(a.query_cov, a.name_cov, person)
                        + bonus_bound(entry, country.as_deref());
                    if bound + BOUND_MARGIN < threshold {
                        continue;
                    }
                }
                let s = self
                    .final_score(
                        &nn,
                        &a,
                        name_no,
                        near_exact,
                        country.as_deref(),
                        address(),
                        false,
                    )
                    .0;
                let via = Via::Tokens {
                    near_exact,
                    spelt_otherwise: a.spelt_otherwise,
                };
                let slot = best.entry(rec.entry).or_insert((f64::MIN, name_no, via));
                if s > slot.0 || (s == slot.0 && name_no < slot.1) {
                    *slot = (s, name_no, via);
                }
            }
        }
        // A party named as a well-known firm that its listed matches
        // explain only by a slip or a weak alias.
        let firm = self.well_known_discount(&key, threshold, country.as_deref(), &mut best);
        // Rank first, then explain only what is returned.
        let mut ranked: Vec<(f64, u32, Via)> = best
            .into_values()
            .filter(|(s, ..)| *s >= threshold)
            .collect();
        let key = |name_no: u32| {
            let e = &self.entries[self.names[name_no as usize].entry as usize];
            (&self.lists[e.list as usize], &e.entry_id)
        };
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| key(a.1).cmp(&key(b.1))));
        ranked.truncate(limit);
        if best_per_list {
            let mut lists: Vec<u16> = Vec::new();
            ranked.retain(|(_, name_no, _)| {
                let list = self.entries[self.names[*name_no as usize].entry as usize].list;
                let first = !lists.contains(&list);
                lists.push(list);
                first
            });
        }
        ranked
            .into_iter()
            .map(|(score, name_no, via)| {
                let m = self.explain_match(
                    &nn,
                    &qtokens,
                    &qjoins,
                    (score, name_no, via),
                    country.as_deref(),
                    address(),
                );
                match &firm {
                    Some(f) if f.entries.contains(&self.names[name_no as usize].entry) => {
                        f.note(m, score)
                    }
                    _ => m,
                }
            })
            .collect()
    }

    /// Discounts the matches of `best` that the well-known firm the
    /// party's name is explains better ([`well_known`]): when the name is
    /// equal to a firm's after normalisation, every match by a weak alias,
    /// an acronym or a listed name spelt otherwise, unless the party's
    /// country is the entry's alone; and a listed name that adds or lacks
    /// words only when the party's country is the firm's and not the
    /// entry's. The firm, when one discounted a match.
    fn well_known_discount(
        &self,
        key: &str,
        threshold: f64,
        country: Option<&str>,
        best: &mut FxHashMap<u32, (f64, u32, Via)>,
    ) -> Option<well_known::Discount> {
        // How a reported match rests on its listed name; never an equal
        // strong name.
        let basis = |&(s, name_no, via): &(f64, u32, Via)| {
            let weak = self.names[name_no as usize].kind == NameKind::WeakAlias;
            let (near_exact, slip) = match via {
                Via::Tokens {
                    near_exact,
                    spelt_otherwise,
                } => (near_exact, !near_exact && spelt_otherwise),
                Via::Acronym => (false, true),
            };
            if s < threshold || (near_exact && !weak) {
                None
            } else if weak || slip {
                Some(Basis::Slip)
            } else {
                Some(Basis::OtherWords)
            }
        };
        let worth = |b: &(f64, u32, Via)| match basis(b) {
            Some(Basis::Slip) => true,
            Some(Basis::OtherWords) => country.is_some(),
            None => false,
        };
        if !best.values().any(worth) {
            return None;
        }
        // The party's name is a firm's as the table writes it (legal forms
        // aside, in any word order): its key is one of the firms' keys.
        let &firm_no = self.well_known.get(key)?;
        let firm = self.rules.well_known().get(firm_no as usize)?;
        let homes = firm.countries.as_slice();
        let mut entries = Vec::new();
        for (&entry_no, slot) in best.iter_mut() {
            let entry = &self.entries[entry_no as usize];
            let listed_there = |c: &str| entry.countries.iter().any(|x| x == c);
            let home = |c: &str| homes.iter().any(|h| h == c);
            let discount = match basis(slot) {
                Some(Basis::Slip) => !country.is_some_and(|c| listed_there(c) && !home(c)),
                Some(Basis::OtherWords) => country
                    .is_some_and(|c| home(c) && !entry.countries.is_empty() && !listed_there(c)),
                None => false,
            };
            if discount {
                slot.0 *= well_known::DISCOUNT;
                entries.push(entry_no);
            }
        }
        (!entries.is_empty()).then(|| well_known::Discount {
            firm: firm.names.first().cloned().unwrap_or_default(),
            entries,
        })
    }

    /// The match of a ranked `(score, name, how)`, explained.
    fn explain_match(
        &self,
        nn: &NormName,
        qtokens: &[QToken<'_>],
        qjoins: &[QJoin],
        (score, name_no, via): (f64, u32, Via),
        country: Option<&str>,
        address: &str,
    ) -> PartyMatch {
        let Via::Tokens { near_exact, .. } = via else {
            return self.acronym_match(nn, name_no, score, country, address);
        };
        let rec = &self.names[self.names[name_no as usize].twin as usize];
        let allow_initials = self.entries[rec.entry as usize].kind == EntityKind::Person;
        let a = align(
            qtokens,
            qjoins,
            &rec.tokens,
            &rec.joins,
            &self.vocab,
            allow_initials,
            true,
        );
        self.to_match(nn, qtokens, name_no, &a, near_exact, country, address)
    }

    fn query_country(&self, c: &str) -> Option<String> {
        let c = c.trim();
        (!c.is_empty()).then(|| c.to_ascii_uppercase())
    }

    /// Expands each query token into listed tokens with similarities
    /// (`wade_giles`: the name reads as Wade-Giles, [`Self::wade_giles`]).
    fn expand(&self, nn: &NormName, wade_giles: bool) -> Vec<QToken<'_>> {
        let mut out = Vec::with_capacity(nn.tokens.len());
        for t in &nn.tokens {
            let exact = self.vocab.id(t);
            let dotted = nn.dotted.contains(t);
            let contracted = looks_contracted(t, nn.tokens.len()) && !self.rules.is_abbreviation(t);
            let mut exp: std::borrow::Cow<'_, [(u32, f32)]> = match exact {
                // Listed tokens: expansions are computed once per engine.
                Some(id) if !nn.consonantal => std::borrow::Cow::Borrowed(
                    self.memo[id as usize].get_or_init(|| self.expand_token(t, false).into()),
                ),
                _ => std::borrow::Cow::Owned(self.expand_token_memo(t, nn.consonantal).to_vec()),
            };
            // A word written as an abbreviation (`Man.`, `Hlds`) may stand
            // for the common listed words it abbreviates, listed itself or
            // not; a dotted word of the table too (`Mach.` is machinery in
            // the table, machine as a prefix).
            if dotted || contracted {
                let mut more = exp.to_vec();
                let before = more.len();
                if dotted {
                    self.expand_prefix(t, &mut more);
                }
                if contracted {
                    add_new(
                        &mut more,
                        self.vocab.contracted(t, 4),
                        self.rules.prefix_sim - 0.05,
                    );
                }
                if more.len() > before {
                    exp = std::borrow::Cow::Owned(more);
                }
            }
            // A name written in Wade-Giles: each syllable may stand for
            // its pinyin forms ("Hsi" / XI, "Mao" / MAO).
            if wade_giles {
                let forms = self.rules.pinyin(t);
                let ids = forms.iter().filter_map(|p| self.vocab.id(p));
                let mut all = exp.to_vec();
                if add_new(&mut all, ids, self.rules.wade_giles_sim) {
                    exp = std::borrow::Cow::Owned(all);
                }
            }
            let mut weight = match exact {
                Some(id) => self.vocab.idf(id),
                // An abbreviation nothing resolves weighs like a common word.
                None if exp.is_empty() && (dotted || contracted) => 0.5 * self.vocab.idf_unknown(),
                None => exp
                    .iter()
                    .map(|(id, _)| self.vocab.idf(*id))
                    .fold(None, |m: Option<f32>, w| Some(m.map_or(w, |m| m.max(w))))
                    .unwrap_or_else(|| self.vocab.idf_unknown() * vocab::number_weight(t)),
            };
            // A long word the lists do not know: listed words two edits
            // away too ("Trafalgura" / TRAFIGURA, "Nandela" / NADELLA). They
            // do not weigh the word when closer readings do.
            let two = (exact.is_none() && !nn.consonantal && !nn.vowelless).then(|| {
                memo::get_or_compute(self.id, memo::Kind::TwoEdits, t, || {
                    self.two_edit_neighbours(t)
                })
            });
            // (Most words have none: then nothing is copied.)
            if let Some(two) = two.filter(|two| !two.is_empty()) {
                let mut more = exp.to_vec();
                let before = more.len();
                for &(id, sim) in two.iter() {
                    if !more[..before].iter().any(|(e, _)| *e == id) {
                        more.push((id, sim));
                    }
                }
                if more.len() > before {
                    more.sort_unstable_by_key(|(id, _)| *id);
                    if before == 0 {
                        weight = more
                            .iter()
                            .map(|(id, _)| self.vocab.idf(*id))
                            .fold(0.0, f32::max);
                    }
                    exp = std::borrow::Cow::Owned(more);
                }
            }
            let joins = exp.iter().any(|&(id, _)| self.vocab.is_joinable(id));
            out.push(QToken {
                text: t.clone(),
                weight,
                exp,
                joins,
                initials: !nn.consonantal && similarity::is_initials_run(t),
            });
        }
        out
    }

    /// Listed tokens a query token may stand for: itself, one-typo
    /// neighbours, table equivalents, same-skeleton variants; sorted by id,
    /// each with its best similarity.
    fn expand_token(&self, t: &str, consonantal: bool) -> Vec<(u32, f32)> {
        let mut exp: Vec<(u32, f32)> = Vec::new();
        if let Some(id) = self.vocab.id(t) {
            exp.push((id, 1.0));
        }
        if t.len() > limits::MAX_TOKEN_BYTES {
            // Compared exactly only: typo look-ups cost its length squared.
            return exp;
        }
        let mut buf = Vec::new();
        self.vocab.one_edit_candidates(t, &mut buf);
        if t.len() <= 4 {
            // Slips in tokens too short for the deletion index.
            buf.extend(
                similarity::short_slips(t)
                    .iter()
                    .filter_map(|v| self.vocab.id(v)),
            );
        }
        for v in similarity::equivalents(t) {
            if let Some(id) = self.vocab.id(v) {
                buf.push(id);
            }
        }
        // Words of the data files: an abbreviation and its words, a name
        // and its nicknames, with their own similarities.
        let listed = |words: &[String], sim: f32, exp: &mut Vec<(u32, f32)>| {
            for w in words {
                if let Some(id) = self.vocab.id(w) {
                    exp.push((id, sim));
                }
            }
        };
        listed(self.rules.expansions(t), self.rules.abbrev_sim, &mut exp);
        listed(self.rules.abbreviations(t), self.rules.abbrev_sim, &mut exp);
        listed(self.rules.nicknames(t), self.rules.nickname_sim, &mut exp);
        listed(self.rules.word_forms(t), self.rules.word_form_sim, &mut exp);
        // A short form of two listed words run together ("us" / UNITED
        // STATES: the index joins them).
        listed(self.rules.short_forms(t), self.rules.abbrev_sim, &mut exp);
        // A Russian or Ukrainian name in German or French transcription
        // ("Selenskyj" / ZELENSKYY, "Gorbatschow" / GORBACHEV).
        let mut form = String::new();
        self.rules.each_transcription(t, &mut form, |f| {
            if let Some(id) = self.vocab.id(f) {
                exp.push((id, self.rules.transcription_sim));
            }
        });
        // The skeleton of `t`, once for every comparison below.
        let mut t_skeleton = None;
        if t.len() >= similarity::SKELETON_MIN_LEN || consonantal && t.len() >= 3 {
            let sk = similarity::skeleton(t);
            if sk.len() >= 3 {
                buf.extend(
                    self.vocab
                        .skeleton_candidates(&sk)
                        .iter()
                        .filter(|&&id| self.vocab.text(id).len().abs_diff(t.len()) <= 3),
                );
            }
            t_skeleton = Some(sk);
        }
        buf.sort_unstable();
        buf.dedup();
        for id in buf {
            let s = token_sim_with(
                t,
                self.vocab.text(id),
                consonantal,
                t_skeleton.as_deref(),
                self.vocab.skeleton_of(id),
            ) as f32;
            if s > 0.0 {
                exp.push((id, s));
            }
        }
        exp.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
        exp.dedup_by_key(|(id, _)| *id);
        exp
    }

    /// [`Self::expand_token`] of a word, kept per thread for this index
    /// ([`memo`]): a word the lists do not know is expanded once, not by
    /// every query that has it.
    fn expand_token_memo(&self, t: &str, consonantal: bool) -> memo::Exp {
        if t.len() > limits::MAX_TOKEN_BYTES {
            // Compared exactly: nothing worth keeping.
            return self.expand_token(t, consonantal).into();
        }
        let kind = if consonantal {
            memo::Kind::Consonantal
        } else {
            memo::Kind::Plain
        };
        memo::get_or_compute(self.id, kind, t, || self.expand_token(t, consonantal))
    }

    /// Listed words two edits from a long query word, with the same first
    /// letter: a letter added or dropped and another changed, or two added
    /// (`trafalgura` / trafigura, `mortars` / motors), by id. Candidates
    /// come from the deletion index: the listed words one edit from each
    /// one-letter deletion of the query word, verified by distance. The
    /// caller adds those its closer readings do not have.
    fn two_edit_neighbours(&self, t: &str) -> Vec<(u32, f32)> {
        let mut out = Vec::new();
        let b = t.as_bytes();
        if b.len() < TWO_EDIT_MIN_LEN || b.len() > limits::MAX_TOKEN_BYTES || !t.is_ascii() {
            return out;
        }
        let mut found = Vec::new();
        let mut var: Vec<u8> = Vec::with_capacity(b.len());
        for i in 0..b.len() {
            if i > 0 && b[i] == b[i - 1] {
                // The same variant as the previous deletion.
                continue;
            }
            var.clear();
            var.extend_from_slice(&b[..i]);
            var.extend_from_slice(&b[i + 1..]);
            if let Ok(v) = std::str::from_utf8(&var) {
                self.vocab.one_edit_candidates(v, &mut found);
            }
            if found.len() > TWO_EDIT_MAX_CANDIDATES {
                // A crowded neighbourhood: two edits tell nothing there.
                return out;
            }
        }
        found.sort_unstable();
        found.dedup();
        for id in found {
            let w = self.vocab.text(id).as_bytes();
            if w.first() != b.first() || w.len() + 1 < TWO_EDIT_MIN_LEN {
                continue;
            }
            if similarity::osa_distance(b, w, 2) == 2 {
                let sim = similarity::typo_sim(b.len(), w.len(), 2).max(TWO_EDIT_SIM);
                out.push((id, sim as f32));
            }
        }
        out
    }

    /// A word written with a dot (`Petrochem.`) read as the start of the
    /// listed words it begins, when there are few of them.
    fn expand_prefix(&self, t: &str, exp: &mut Vec<(u32, f32)>) {
        if t.len() < self.rules.prefix_min || !t.bytes().all(|b| b.is_ascii_alphabetic()) {
            return;
        }
        let ids = self.vocab.prefixed(t, self.rules.prefix_max_words);
        for id in ids {
            if !exp.iter().any(|(e, _)| *e == id) {
                exp.push((id, self.rules.prefix_sim));
            }
        }
        exp.sort_unstable_by_key(|(id, _)| *id);
    }

    /// True when word `j` of a listed name (`tokens`) is a patronymic
    /// (`Viktorovich`) or an Arabic name's ancestor after "bin" / "ibn".
    fn listed_patronymic(&self, tokens: &[u32], j: usize) -> bool {
        self.rules.is_patronymic(self.vocab.text(tokens[j]))
            || j > 0 && self.rules.is_lineage_word(self.vocab.text(tokens[j - 1]))
    }

    /// True when a word of the name can only be a Wade-Giles syllable
    /// ("Hsi", "Tse", "Chin"): the whole name is read as Wade-Giles.
    fn wade_giles(&self, nn: &NormName) -> bool {
        !nn.consonantal && nn.tokens.iter().any(|t| self.rules.is_wade_giles(t))
    }

    /// Words run together that the lists know apart: a query word no listed
    /// word resembles, made of a listed word and a listed word or legal
    /// form (`siemensag` -> `siemens` + `ag`, `ramimakhlouf`).
    fn split_glued(&self, nn: &mut NormName) {
        let mut i = 0;
        while i < nn.tokens.len() && nn.tokens.len() < limits::MAX_NAME_WORDS {
            let t = &nn.tokens[i];
            let n = t.len();
            if !(6..=limits::MAX_TOKEN_BYTES).contains(&n)
                || !t.is_ascii()
                || self.vocab.id(t).is_some()
            {
                i += 1;
                continue;
            }
            let legal_tail = |r: &str| legal::is_legal_form(r) || self.rules.is_legal_word(r);
            let split = (3..=n - 2).rev().find_map(|k| {
                let (l, r) = t.split_at(k);
                self.vocab.id(l)?;
                // A legal form glued to a word of four letters or more
                // ("ROSNEFTPAO"): after a shorter one the form is more
                // likely the end of a word ("Biogen" is not "Bio Gen.").
                if k >= 4 && legal_tail(r) {
                    Some((l.to_string(), None, Some(r.to_string())))
                } else if r.len() >= 3 && self.vocab.id(r).is_some() {
                    Some((l.to_string(), Some(r.to_string()), None))
                } else {
                    None
                }
            });
            let Some((l, r, form)) = split else {
                i += 1;
                continue;
            };
            if !self.expand_token_memo(t, nn.consonantal).is_empty() {
                // A typo of a listed word: not glued.
                i += 1;
                continue;
            }
            nn.tokens[i] = l;
            if let Some(r) = r {
                nn.tokens.insert(i + 1, r);
                nn.split_glued = true;
            }
            if let Some(form) = form {
                nn.legal.push(form);
                nn.org_hint = true;
            }
            i += 1;
        }
    }

    /// Joins of 2 and 3 adjacent query tokens that equal (or are one typo
    /// from) a listed token: "TEH RAN" -> tehran (`wade_giles` as for
    /// [`Self::expand`]).
    fn expand_joins(&self, nn: &NormName, wade_giles: bool) -> Vec<QJoin> {
        let mut out = Vec::new();
        let t = &nn.tokens;
        for width in 2..=3 {
            for a in 0..t.len().saturating_sub(width - 1) {
                let b = a + width - 1;
                // A single letter joins only into a listed word as it is
                // (`m akhlouf`: a word split by a blank-looking character).
                let letter = t[a..=b].iter().any(|x| x.len() < 2);
                let joined: String = t[a..=b].concat();
                let mut exp: Vec<(u32, f32)> = if width == 2 && !letter {
                    // A joined pair is a token like any other: typos,
                    // romanisation variants (`abd allah` ~ `abdullah`).
                    match self.vocab.id(&joined) {
                        Some(id) if !nn.consonantal => self.memo[id as usize]
                            .get_or_init(|| self.expand_token(&joined, false).into())
                            .to_vec(),
                        _ => self.expand_token_memo(&joined, nn.consonantal).to_vec(),
                    }
                } else {
                    self.vocab
                        .id(&joined)
                        .map(|id| vec![(id, 1.0)])
                        .unwrap_or_default()
                };
                // Two Wade-Giles syllables of one pinyin given name
                // ("Chin-ping" / JINPING, "Tse-tung" / ZEDONG).
                if width == 2 && !letter && wade_giles {
                    let pairs = self.rules.pinyin_pair(&t[a], &t[b]);
                    let ids = pairs.iter().filter_map(|p| self.vocab.id(p));
                    add_new(&mut exp, ids, self.rules.wade_giles_sim);
                }
                if !exp.is_empty() {
                    out.push(QJoin { a, b, exp });
                }
            }
        }
        out
    }

    /// Candidate names: those that can still reach the threshold.
    ///
    /// Each query token (and each joined pair of query tokens) adds its
    /// weight to every name its expansions occur in, and the weight of the
    /// listed token to the name's side: upper bounds of the two coverages.
    /// Only the rarest tokens may introduce new names (prefix filter: a name
    /// sharing none of them cannot cover `min_share` of the query). Names
    /// whose bounds cannot reach `min_sum` (query + name coverage) are
    /// dropped before the costly alignment; the others are pushed with
    /// their two bounds (the name side 1 where it is not bounded), which
    /// [`score_bound`] turns into a bound of the final score.
    fn candidates(
        &self,
        q: &[QToken<'_>],
        qjoins: &[QJoin],
        min_share: f32,
        min_sum: f32,
        out: &mut Vec<(u32, f32, f32)>,
    ) {
        let total: f32 = q.iter().map(|t| t.weight).sum();
        if total <= 0.0 {
            return;
        }
        // Single letters match only as initials (similarity 0.6), which the
        // postings do not show: credit them to every name.
        let initials: f32 = q
            .iter()
            .map(|t| {
                let (sim, _) = as_initials(t);
                sim * t.weight
            })
            .sum();
        // Tokens matching no listed token can only be covered by joins.
        let joinable: f32 = q
            .iter()
            .filter(|t| t.exp.is_empty() && t.text.len() > 1)
            .map(|t| t.weight)
            .sum();
        let need = min_share * total - initials;
        // A word that may name an organisation (five letters or more, no
        // generic or common English word, no particle such as `al`): generic
        // words qualifying its listed name may count half.
        let named = q.iter().any(|t| {
            t.text.len() >= 5
                && !legal::is_generic(&t.text)
                && !self.rules.is_common_word(&t.text)
                && vocab::number_weight(&t.text) == 1.0
        });
        // `accn` (each word's first reading) filters candidates below; it
        // is no bound when a word repeats or joins are involved, or when the
        // alignment pairs a word with another of its readings. The bounds
        // handed on for skipping hopeless names are `Slot::most` and
        // `Slot::qmask`, which hold for any query.
        let mut order: Vec<usize> = (0..q.len()).filter(|&i| !q[i].exp.is_empty()).collect();
        order.sort_by(|&a, &b| q[b].weight.total_cmp(&q[a].weight));
        // Bounds that hold whatever the query (`Slot::most`, `Slot::qmask`)
        // need each query token's bit: at most 32 tokens.
        let sure_bounds = q.len() <= 32;
        // Name words that initials may pair with, each at most the name's
        // heaviest word: one per single letter (similarity 0.6), one per
        // letter of a run ("JC" / Jean Claude, 0.8).
        let initial_words: f32 = q
            .iter()
            .map(|t| {
                let (sim, words) = as_initials(t);
                sim * words
            })
            .sum();
        SCRATCH.with(|cell| {
            let mut sc = cell.borrow_mut();
            let sc = &mut *sc;
            if sc.slots.len() < self.names.len() {
                sc.slots.resize(self.names.len(), Slot::default());
                sc.found.resize(self.names.len().div_ceil(64), 0);
            }
            // Joins first: they may always introduce names.
            for (ji, j) in qjoins.iter().enumerate() {
                let w: f32 = q[j.a..=j.b].iter().map(|t| t.weight).sum();
                let stamp = (q.len() + ji) as u16 + 1;
                let mut exp = j.exp.clone();
                exp.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                let qbits = score::span_bits(j.a, j.b) as u32;
                for &(id, sim) in &exp {
                    let c = Credit {
                        w: sim * w,
                        cover: sim * self.vocab.cover(id),
                        most: sim * self.vocab.cover_max(id),
                        qbits,
                    };
                    sc.add_all(self.vocab.postings(id), stamp, c);
                }
            }
            // Credits some names may lack: a token's reading added to the
            // names found so far only (long postings) while later tokens
            // may still find names (`touched` length, query bits, most).
            let mut lossy: Vec<(usize, u32, f32)> = Vec::new();
            // Then tokens, rarest first; once the rest of the query (plus
            // what joins might cover) cannot reach `need`, a token only adds
            // to names already found.
            let mut remaining: f32 = order.iter().map(|&i| q[i].weight).sum::<f32>() + joinable;
            for i in order {
                let may_add = remaining >= need;
                remaining -= q[i].weight;
                let w = q[i].weight;
                // A token counts once per name, however many of its
                // expansions the name contains; a repeated query token cannot
                // cover the same listed token twice.
                let stamp = i as u16 + 1;
                let repeated = q[..i].iter().any(|o| o.text == q[i].text);
                // Most similar first: the first expansion a name shows is the
                // best this token can do for it (similarity times weight).
                let mut exp: Vec<(u32, f32)> = q[i].exp.to_vec();
                exp.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                let qbits = if i < 32 { 1u32 << i } else { 0 };
                for (k, &(id, sim)) in exp.iter().enumerate() {
                    let p = self.vocab.postings(id);
                    let c = Credit {
                        w: sim * w,
                        cover: if repeated {
                            0.0
                        } else {
                            sim * self.vocab.cover(id)
                        },
                        most: sim * self.vocab.cover_max(id),
                        qbits,
                    };
                    if may_add && p.len() <= TUNING.max_postings {
                        sc.add_all(p, stamp, c);
                    } else {
                        if may_add {
                            // This reading or a later one.
                            let most = self.most_after(&exp[k..]);
                            lossy.push((sc.touched.len(), qbits, most));
                        }
                        sc.add_known(p, stamp, c);
                    }
                }
            }
            let Scratch {
                slots,
                touched,
                found,
            } = sc;
            // Of `lossy`, the credits every name from `touched[at]` on may
            // lack (a name found later than a lossy credit).
            let mut late = (0usize, 0u32, 0.0f32);
            for (at, &n) in touched.iter().enumerate() {
                let k = n as usize;
                found[k >> 6] = 0;
                let slot = std::mem::take(&mut slots[k]);
                while let Some(&(from, bits, most)) = lossy.get(late.0) {
                    if from > at {
                        break;
                    }
                    late = (late.0 + 1, late.1 | bits, late.2 + most);
                }
                if slot.acc < need {
                    continue;
                }
                let q_ub = ((slot.acc + initials) / total).min(1.0);
                // With initials the name side is unknown: test the query side only.
                let name_total = self.name_totals[k];
                let n_ub = if name_total > 0.0 && initials == 0.0 {
                    let plain = (slot.accn / name_total).min(1.0);
                    // A person's missing middle names count half when the
                    // query is matched whole.
                    // So do generic words qualifying an organisation's
                    // name when the query is matched whole.
                    if self.persons[k] && f64::from(q_ub) >= TUNING.whole_query
                        || !self.persons[k] && named && q_ub >= 0.95
                    {
                        0.5 * (1.0 + plain)
                    } else if self.patronymics[k] && f64::from(q_ub) >= TUNING.patronymic_query {
                        // A patronymic left out counts whole.
                        1.0
                    } else {
                        plain
                    }
                } else {
                    1.0
                };
                if q_ub + n_ub >= min_sum {
                    let n_side = if name_total > 0.0 && self.name_most[k].is_finite() {
                        // Each query token or join pairs with at most its
                        // heaviest reading the name contains, or as
                        // initials.
                        let most = slot.most + late.2 + initial_words * self.name_most[k];
                        (most / name_total).min(1.0)
                    } else {
                        1.0
                    };
                    let q_side = if sure_bounds {
                        // Only the query tokens some word of the name pairs
                        // with count, and single letters as initials.
                        let mut bits = slot.qmask | late.1;
                        let mut sum = initials;
                        while bits != 0 {
                            sum += q[bits.trailing_zeros() as usize].weight;
                            bits &= bits - 1;
                        }
                        q_ub.min((sum / total).min(1.0))
                    } else {
                        q_ub
                    };
                    out.push((n, q_side, n_side));
                }
            }
            touched.clear();
        });
    }

    /// The most any of `exp`'s readings can weigh in a name (similarity
    /// times [`Vocab::cover_max`]).
    fn most_after(&self, exp: &[(u32, f32)]) -> f32 {
        exp.iter()
            .map(|&(id, sim)| sim * self.vocab.cover_max(id))
            .fold(0.0, f32::max)
    }

    fn contained_hits(&self, nn: &NormName) -> Vec<u32> {
        let Some(ac) = &self.contained else {
            return Vec::new();
        };
        if nn.tokens.len() < 3 {
            return Vec::new();
        }
        let hay = format!(" {} ", nn.joined());
        ac.find_overlapping_iter(&hay)
            .map(|m| self.contained_names[m.pattern().as_usize()])
            .collect()
    }

    /// The final score of an alignment, and notes on the adjustments
    /// (written only when `explain`).
    #[allow(clippy::too_many_arguments)]
    fn final_score(
        &self,
        nn: &NormName,
        a: &Alignment,
        name_no: u32,
        near_exact: bool,
        country: Option<&str>,
        address: &str,
        explain: bool,
    ) -> (f64, Vec<String>) {
        let rec = &self.names[name_no as usize];
        let entry = &self.entries[rec.entry as usize];
        let mut notes = Vec::new();
        let mut sink = explain.then_some(&mut notes);
        let (qc, nc) = (f64::from(a.query_cov), f64::from(a.name_cov));
        // A person's middle names (neither the first nor the last listed
        // word) are often left out: when the query is matched whole, a
        // missing middle name counts half.
        let query_whole = a.query_tokens_covered as usize == nn.tokens.len().min(64);
        let name_whole = a.name_tokens_covered as usize == rec.tokens.len().min(64);
        // Whole: every query word paired, at least `whole_query` of its
        // weight, and a word of four letters or less only exactly (short
        // words need near-exact agreement: "Sergey Brin" is not "BRAUN,
        // Sergey Sergeevich").
        let short_exact = || {
            nn.tokens.iter().all(|t| {
                t.len() >= similarity::TYPO_MIN_LEN
                    || self.vocab.id(t).is_some_and(|id| rec.tokens.contains(&id))
            })
        };
        // A patronymic is left out as often as a middle name, but it does
        // not tell people apart the way a given name does: a listed
        // patronymic the query lacks counts `patronymic_missing` of its
        // weight (more than a middle name's half; less than whole, so that
        // a listed name without one ranks first), when the query gives no
        // patronymic of its own ("Sergey Lavrov" for "Sergey Viktorovich
        // LAVROV"), and lets a query with spelling variants in every word
        // ("Volodimir Zelenskiy") count as matched whole from
        // `patronymic_query` on.
        let query_patronymic = nn.tokens.iter().any(|t| self.rules.is_patronymic(t));
        // An Arabic name's ancestors after "bin" / "ibn" are its
        // patronymics ("Usama bin Ladin" for "Usama bin Muhammad ibn Awad
        // ibn Ladin").
        let patronymic_left_out =
            |j: usize| !query_patronymic && self.listed_patronymic(&rec.tokens, j);
        let only_patronymics_missing = || {
            let n = rec.tokens.len().min(64);
            let mut any = false;
            for j in (0..n).filter(|&j| a.name_mask & (1u64 << j) == 0) {
                if patronymic_left_out(j) {
                    any = true;
                } else if !similarity::is_particle(self.vocab.text(rec.tokens[j])) {
                    return false;
                }
            }
            any
        };
        let nc = if !near_exact
            && entry.kind == EntityKind::Person
            && (qc >= TUNING.whole_query
                || qc >= TUNING.patronymic_query && only_patronymics_missing())
            && query_whole
            && (qc >= 0.95 || short_exact())
            && a.query_tokens_covered >= 2
        {
            let n = rec.tokens.len().min(64);
            let idf = |j: usize| f64::from(self.vocab.idf(rec.tokens[j]));
            let total: f64 = (0..n).map(idf).sum();
            // "LAST, First Middle": the given names after the first;
            // "First Middle Last": all but the first and the last.
            let k = rec.surnames.count_ones() as usize;
            let middle_range = if k > 0 {
                k + 1..n
            } else {
                1..n.saturating_sub(1)
            };
            let missing: Vec<usize> = middle_range
                .filter(|&j| a.name_mask & (1u64 << j) == 0)
                .filter(|&j| !similarity::is_particle(self.vocab.text(rec.tokens[j])))
                .collect();
            let middle: f64 = missing
                .iter()
                .map(|&j| {
                    if patronymic_left_out(j) {
                        TUNING.patronymic_missing * idf(j)
                    } else {
                        0.5 * idf(j)
                    }
                })
                .sum();
            // Three middle names or more left out is another way of
            // naming (a family name shared with a short name), not an
            // abbreviation of the listed one.
            if total > 0.0 && missing.len() <= 2 {
                (nc + middle / total).min(1.0)
            } else {
                nc
            }
        } else {
            nc
        };
        // The other way round: a listed person's name matched whole, the
        // query giving one or two more names of the person ("UMAR PATEK
        // ABDULLAH ANSHORI" against "UMAR PATEK"): they count half.
        let extra = nn.tokens.len().min(64) - a.query_tokens_covered as usize;
        let qc = if !near_exact
            && entry.kind == EntityKind::Person
            && nc >= TUNING.whole_query
            && name_whole
            && a.name_tokens_covered >= 2
            // The listed name is the start of the query, the more names
            // follow it: "Mery Leonardo González" is not "GONZALEZ,
            // Leonardo", nor "Sergey Ivanevich Lavrov" "LAVROV, Sergey".
            && a.query_mask & 1 != 0
            && a.query_mask & a.query_mask.wrapping_add(1) == 0
            && (1..=2).contains(&extra)
        {
            (qc + 0.5 * (1.0 - qc)).min(1.0)
        } else {
            qc
        };
        // An organisation's listed name qualified by generic words or
        // numbers the query leaves out ("FABERLIC EUROPE" for
        // "Faberlic"): when the query is matched whole and its distinctive
        // word is no common English word, the words left out count half.
        let nc = if !near_exact
            && entry.kind != EntityKind::Person
            && query_whole
            && qc >= 0.95
            && !name_whole
            && self.generic_rest_only(a, &rec.tokens)
        {
            (nc + 0.5 * (1.0 - nc)).min(1.0)
        } else {
            nc
        };
        let mut s = if near_exact {
            1.0
        } else {
            (0.5 * (qc + nc)).min(0.98)
        };
        if !near_exact {
            // A single token in common is not a match for a multi-token name.
            let n_total = rec.tokens.len() as u32;
            let q_total = nn.tokens.len() as u32;
            // ... unless the rest of the listed name is generic words or
            // numbers and the word is paired as written, not up to a typo
            // ("Faberlic" against "FABERLIC EUROPE"; "Fluor" is not "THIRD
            // FLOOR").
            let rest_generic = (0..rec.tokens.len().min(64))
                .filter(|j| a.name_mask & (1u64 << j) == 0)
                .all(|j| {
                    let t = self.vocab.text(rec.tokens[j]);
                    self.vocab.is_generic(rec.tokens[j]) || vocab::number_weight(t) < 1.0
                });
            // A common English word is no distinctive pair when the rest
            // of the listed name has words ("Target" is not "TARGET
            // ELECTRONICS"; "Victory" may be "VICTORY 3" of a series).
            let rest_words = (0..rec.tokens.len().min(64))
                .filter(|j| a.name_mask & (1u64 << j) == 0)
                .any(|j| vocab::number_weight(self.vocab.text(rec.tokens[j])) == 1.0);
            let distinctive_pair = (0..rec.tokens.len().min(64))
                .filter(|j| a.name_mask & (1u64 << j) != 0)
                .any(|j| {
                    !self.vocab.is_generic(rec.tokens[j])
                        && (!rest_words || !self.commons[rec.tokens[j] as usize])
                        && self.vocab.text(rec.tokens[j]).len() >= 5
                });
            if a.name_tokens_covered <= 1
                && (n_total > 1 || a.query_tokens_covered < q_total)
                && !(rest_generic
                    && distinctive_pair
                    && a.fuzzy_links == 0
                    && a.query_tokens_covered == q_total)
            {
                s *= 0.8;
                note(&mut sink, || "only one token in common (x0.80)".to_string());
            }
            // A brand written as one word read as two listed words, one
            // distinctive and the other generic, the listed name having
            // another distinctive word the query lacks: a namesake
            // ("PetroChina" is not "PETRO CHINA PARS").
            if entry.kind != EntityKind::Person
                && (nn.split_glued || a.word_for_words)
                && a.name_tokens_covered >= 2
                && self.one_distinctive_shared(a, &rec.tokens)
            {
                s *= 0.8;
                note(&mut sink, || {
                    "a word read as two listed words shares one distinctive word with the listed name, which has another (x0.80)"
                        .to_string()
                });
            }
            // An organisation's words run together or split and misspelt
            // as well: two changes in one word make another name as often
            // as a slip ("Micron Technology" is not "MICROTECHNOLOGY").
            if entry.kind != EntityKind::Person && a.regrouped_fuzzy {
                s *= TUNING.regrouped_fuzzy;
                note(&mut sink, || {
                    format!(
                        "words run together or split and spelt otherwise as well (x{:.2})",
                        TUNING.regrouped_fuzzy
                    )
                });
            }
            // A name of one short word agreeing up to one other letter: in
            // five or six letters that is another name as often as a slip
            // ("Safran" / "SAIRAN", "Bayer" / "BAJER"; a letter dropped,
            // doubled or swapped is a slip: "Appel" / "Apple").
            let short_single = rec.tokens.len() == 1
                && nn.tokens.len() == 1
                && self.vocab.text(rec.tokens[0]).len() <= TUNING.short_single_len
                && one_substitution(&nn.tokens[0], self.vocab.text(rec.tokens[0]));
            // One long word against one listed word two edits away
            // ("Textron" / "TENRON"): a name of its own as often as a slip.
            let single_two_edits = rec.tokens.len() == 1
                && nn.tokens.len() == 1
                && similarity::osa_distance(
                    nn.tokens[0].as_bytes(),
                    self.vocab.text(rec.tokens[0]).as_bytes(),
                    1,
                ) > 1;
            if (rec.short || short_single || single_two_edits) && a.fuzzy_links > 0 {
                s *= TUNING.short_fuzzy;
                note(&mut sink, || {
                    format!(
                        "short name without exact agreement (x{:.2})",
                        TUNING.short_fuzzy
                    )
                });
            }
            // Two given names alone are shared by many people; a long chain
            // of them (Arabic "X BEN Y BEN Z") is distinctive.
            let weak_rest = rec.surnames.count_ones() >= 2 || a.name_tokens_covered <= 2;
            if rec.surnames != 0 && rec.surnames & !a.name_mask != 0 && weak_rest {
                s *= TUNING.surname_missing;
                note(&mut sink, || {
                    format!("a family name is missing (x{:.2})", TUNING.surname_missing)
                });
            }
            if entry.kind == EntityKind::Person && self.differing_part(nn, a, &rec.tokens).is_some()
            {
                s *= TUNING.part_differs;
                note(&mut sink, || {
                    let (q, n) = self.differing_part(nn, a, &rec.tokens).unwrap_or_default();
                    format!(
                        "name part '{q}' where the listed name has '{n}' (x{:.2})",
                        TUNING.part_differs
                    )
                });
            }
            if entry.kind == EntityKind::Person
                && (rec.doubled != 0 || !nn.doubled.is_empty())
                && self.differing_part(nn, a, &rec.tokens).is_none()
                && let Some((x, y)) = self.doubled_differs(nn, a, rec)
            {
                s *= TUNING.part_differs;
                note(&mut sink, || {
                    format!(
                        "'{x}' written twice in one name and once in the other, where the other has '{y}' (x{:.2})",
                        TUNING.part_differs
                    )
                });
            }
            if let Some((x, y)) = self.lineage_swapped(nn, &rec.tokens) {
                s *= TUNING.lineage_swapped;
                note(&mut sink, || {
                    format!(
                        "'{x} bin {y}' where the listed name has them the other way round: another person of the family (x{:.2})",
                        TUNING.lineage_swapped
                    )
                });
            }
            if entry.kind != EntityKind::Person {
                // The party's name is qualified by a country the listed
                // name lacks ("Korea X Institute" against "X INSTITUTE").
                let listed_place = rec.tokens.iter().any(|t| self.places[*t as usize]);
                let extra_place = nn.tokens.iter().enumerate().find(|(i, t)| {
                    *i < 64
                        && a.query_mask & (1u64 << i) == 0
                        && self.vocab.id(t).is_some_and(|id| self.places[id as usize])
                });
                if let (false, Some((_, place))) = (listed_place, extra_place) {
                    s *= TUNING.place_missing;
                    note(&mut sink, || {
                        format!(
                            "the party's name is qualified by '{place}', the listed name is not (x{:.2})",
                            TUNING.place_missing
                        )
                    });
                }
                if let Some(place) = rec.tokens.iter().enumerate().find(|(j, t)| {
                    *j < 64 && a.name_mask & (1u64 << j) == 0 && self.places[**t as usize]
                }) {
                    s *= TUNING.place_missing;
                    note(&mut sink, || {
                        format!(
                            "the listed name is qualified by '{}', the party's is not (x{:.2})",
                            self.vocab.text(*place.1),
                            TUNING.place_missing
                        )
                    });
                }
            }
            if entry.kind != EntityKind::Person {
                // A listed name made only of common words is a description
                // ("AEROSPACE RESEARCH INSTITUTE"); a party qualifying it
                // with a word of its own is another organisation of that
                // kind ("Korea Aerospace Research Institute").
                let descriptive = rec.tokens.iter().all(|&t| {
                    self.commons[t as usize]
                        || self.vocab.is_generic(t)
                        || vocab::number_weight(self.vocab.text(t)) < 1.0
                });
                // The qualifier: a word of the party's name the listed name
                // lacks, generic words aside unless they are names
                // ("Korea", "Iran": generic among listed names, no English
                // common words).
                let qualifier = nn.tokens.iter().enumerate().find(|(i, t)| {
                    *i < 64
                        && a.query_mask & (1u64 << i) == 0
                        && t.len() >= 3
                        && (!legal::is_generic(t) || !self.rules.is_common_word(t))
                        && vocab::number_weight(t) == 1.0
                });
                if let (true, Some((_, word))) = (descriptive, qualifier) {
                    s *= TUNING.descriptive_qualified;
                    note(&mut sink, || {
                        format!(
                            "the listed name is made of common words only and the party's adds '{word}': another organisation of that kind (x{:.2})",
                            TUNING.descriptive_qualified
                        )
                    });
                }
            }
            if a.generic_only {
                s *= TUNING.generic_only;
                note(&mut sink, || {
                    format!("only generic words in common (x{:.2})", TUNING.generic_only)
                });
            }
        }
        if nn.org_hint && !rec.org_hint && entry.kind == EntityKind::Person {
            s *= TUNING.org_vs_person;
            note(&mut sink, || {
                format!(
                    "organisation name against a listed person (x{:.2})",
                    TUNING.org_vs_person
                )
            });
        }
        // A weak alias is a broad or generic name (OFAC does not expect it to
        // be screened alone); a short one spelt otherwise ("ELIAS" for
        // "Elisa") is another name as often as a slip; a long one
        // ("HEVAPEIMASAZI") is still recognised through a slip.
        let short_alias = || {
            rec.short
                || (rec.tokens.len() == 1
                    && self.vocab.text(rec.tokens[0]).len() <= TUNING.short_single_len)
        };
        if rec.kind == NameKind::WeakAlias && a.fuzzy_links > 0 && short_alias() {
            s *= TUNING.weak_alias_slip;
            note(&mut sink, || {
                format!("a weak alias with a slip (x{:.2})", TUNING.weak_alias_slip)
            });
        }
        // A party written with a legal form is a company, not the ship or
        // aircraft of that name ("Dover Corporation" / the vessel DOVER).
        if !nn.legal.is_empty()
            && !rec.org_hint
            && matches!(entry.kind, EntityKind::Vessel | EntityKind::Aircraft)
        {
            s *= TUNING.company_vs_craft;
            note(&mut sink, || {
                format!(
                    "company name against a listed {} (x{:.2})",
                    entry.kind.as_str(),
                    TUNING.company_vs_craft
                )
            });
        }
        if self.other_characters(nn, name_no) {
            s *= TUNING.other_characters;
            note(&mut sink, || {
                format!(
                    "written with other characters of the same script: '{}' / '{}' (x{:.2})",
                    nn.cjk, rec.cjk, TUNING.other_characters
                )
            });
        }
        if nn.ideographic && !rec.ideographic {
            s *= TUNING.cross_script;
            note(&mut sink, || {
                format!(
                    "query in Han/Kana/Hangul against a name listed in Latin letters: only the sound agrees (x{:.2})",
                    TUNING.cross_script
                )
            });
        }
        let s = self.adjust(s, name_no, country, address, &mut sink);
        (s, notes)
    }

    /// A listed word that tells a name apart: not generic, not a number.
    fn distinctive(&self, id: u32) -> bool {
        !self.vocab.is_generic(id) && vocab::number_weight(self.vocab.text(id)) == 1.0
    }

    /// The listed words the alignment left unpaired are all generic words
    /// or numbers (no place: "Banco X México" is a subsidiary), and a paired
    /// one is distinctive and no common English word.
    fn generic_rest_only(&self, a: &Alignment, tokens: &[u32]) -> bool {
        let paired = |j: usize| j < 64 && a.name_mask & (1u64 << j) != 0;
        let rest_generic = tokens
            .iter()
            .enumerate()
            .filter(|(j, _)| !paired(*j))
            .all(|(_, &t)| !self.distinctive(t) && !self.places[t as usize]);
        let named = tokens.iter().enumerate().any(|(j, &t)| {
            paired(j)
                && self.distinctive(t)
                && !self.commons[t as usize]
                && !self.places[t as usize]
        });
        rest_generic && named
    }

    /// Exactly one paired listed word is distinctive, and an unpaired one
    /// is distinctive too (places aside on both sides: they locate, and
    /// have their own rule).
    fn one_distinctive_shared(&self, a: &Alignment, tokens: &[u32]) -> bool {
        let paired = |j: usize| j < 64 && a.name_mask & (1u64 << j) != 0;
        let shared = tokens
            .iter()
            .enumerate()
            .filter(|&(j, &t)| paired(j) && self.distinctive(t) && !self.places[t as usize])
            .count();
        let other = tokens.iter().enumerate().any(|(j, &t)| {
            j < 64
                && !paired(j)
                && self.distinctive(t)
                && !self.places[t as usize]
                && self.vocab.text(t).len() >= 3
        });
        shared == 1 && other
    }

    /// The query says "X bin Y" where the listed name says "Y bin X" (the
    /// father and the son, or two brothers' sons): the two words.
    fn lineage_swapped<'n>(&self, nn: &'n NormName, tokens: &[u32]) -> Option<(&'n str, &'n str)> {
        // Most names hold no lineage word: nothing to read.
        if !nn
            .tokens
            .iter()
            .skip(1)
            .any(|t| SON_OF.contains(&t.as_str()))
            || !tokens
                .iter()
                .skip(1)
                .any(|&t| SON_OF.contains(&self.vocab.text(t)))
        {
            return None;
        }
        let listed = lineage_pairs(tokens.iter().map(|&t| self.vocab.text(t)));
        if listed.is_empty() {
            return None;
        }
        lineage_pairs(nn.tokens.iter().map(String::as_str))
            .into_iter()
            .filter(|(a, b)| a != b)
            .find(|(a, b)| listed.iter().any(|(x, y)| x == b && y == a))
    }

    /// Both names are written in Han, Kana or Hangul, with other characters:
    /// they may sound alike, but are other names.
    fn other_characters(&self, nn: &NormName, name_no: u32) -> bool {
        let rec = &self.names[name_no as usize];
        nn.ideographic && rec.ideographic && *nn.cjk != *rec.cjk
    }

    /// A distinctive query word and a distinctive listed word that the
    /// alignment left unpaired (particles such as `al`, `bin` and words of
    /// two letters do not count).
    fn differing_part<'n>(
        &'n self,
        nn: &'n NormName,
        a: &Alignment,
        tokens: &[u32],
    ) -> Option<(&'n str, &'n str)> {
        let particle = |t: &str| t.len() < 3 || similarity::is_particle(t);
        let q = nn
            .tokens
            .iter()
            .enumerate()
            .find(|(i, t)| *i < 64 && a.query_mask & (1u64 << i) == 0 && !particle(t))?;
        let n = tokens.iter().enumerate().find(|(j, t)| {
            *j < 64 && a.name_mask & (1u64 << j) == 0 && !particle(self.vocab.text(**t))
        })?;
        Some((q.1.as_str(), self.vocab.text(*n.1)))
    }

    /// A word written twice in a row in one name and once in the other,
    /// the other having a name of its own left unpaired: the second
    /// occurrence stands where the other name has that one ("CHANG SU HA"
    /// is not "CHANG CHANG HA"; "Mohamed Mohamed" is not "Osman Mohamed").
    /// Particles, patronymics (often left out) and one-letter words do not
    /// count. Returns the doubled word and the unpaired one.
    fn doubled_differs<'n>(
        &'n self,
        nn: &'n NormName,
        a: &Alignment,
        rec: &NameRec,
    ) -> Option<(&'n str, &'n str)> {
        let plain =
            |t: &str| t.len() >= 2 && !similarity::is_particle(t) && !self.rules.is_patronymic(t);
        let n = rec.tokens.len().min(64);
        // Listed word doubled, paired once, the query's word unpaired.
        let listed_doubled = (0..n).find(|&j| {
            rec.doubled & a.name_mask & (1u64 << j) != 0
                && !nn
                    .doubled
                    .iter()
                    .any(|d| d == self.vocab.text(rec.tokens[j]))
        });
        if let Some(j) = listed_doubled {
            let q = nn.tokens.iter().take(64).enumerate().find(|(i, t)| {
                a.query_mask & (1u64 << i) == 0 && plain(t) && **t != self.vocab.text(rec.tokens[j])
            });
            if let Some((_, q)) = q {
                return Some((self.vocab.text(rec.tokens[j]), q.as_str()));
            }
        }
        // Query word doubled, paired once, a listed word unpaired (a
        // query of one word, or a particle doubled, names no other part).
        if nn.tokens.len() < 2 {
            return None;
        }
        let query_doubled = nn.tokens.iter().take(64).enumerate().find(|(i, t)| {
            a.query_mask & (1u64 << i) != 0
                && nn.doubled.contains(t)
                && plain(t)
                && !self.vocab.id(t).is_some_and(|id| {
                    (0..n).any(|j| rec.tokens[j] == id && rec.doubled & (1u64 << j) != 0)
                })
        });
        let (_, dq) = query_doubled?;
        // (A listed name holding the word twice apart pairs it twice:
        // "MOHAMED OMAR MOHAMED" for "Omar Mohamed, Mohamed".)
        let unpaired = (0..n).find(|&j| {
            a.name_mask & (1u64 << j) == 0
                && self.vocab.text(rec.tokens[j]) != dq
                && plain(self.vocab.text(rec.tokens[j]))
                && !self.listed_patronymic(&rec.tokens, j)
        })?;
        Some((dq.as_str(), self.vocab.text(rec.tokens[unpaired])))
    }

    /// Adjustments that do not depend on how the name matched: alias
    /// strength, entity type, country and address agreement.
    fn adjust(
        &self,
        mut s: f64,
        name_no: u32,
        country: Option<&str>,
        address: &str,
        sink: &mut Option<&mut Vec<String>>,
    ) -> f64 {
        let rec = &self.names[name_no as usize];
        let entry = &self.entries[rec.entry as usize];
        if rec.kind == NameKind::WeakAlias {
            s *= TUNING.weak_alias;
            note(sink, || format!("weak alias (x{:.2})", TUNING.weak_alias));
        }
        if matches!(entry.kind, EntityKind::Vessel | EntityKind::Aircraft) {
            s *= TUNING.vessel;
            note(sink, || {
                format!("{} entry (x{:.2})", entry.kind.as_str(), TUNING.vessel)
            });
        }
        if s < 1.0 {
            if let Some(c) = country.filter(|_| !entry.countries.is_empty()) {
                if entry.countries.iter().any(|x| x == c) {
                    s = (s + TUNING.country_agree).min(0.99);
                    note(sink, || {
                        format!("country {c} agrees (+{:.2})", TUNING.country_agree)
                    });
                } else {
                    s -= TUNING.country_disagree;
                    note(sink, || {
                        format!(
                            "country {c} not among the entry's ({}) (-{:.2})",
                            entry.countries.join(", "),
                            TUNING.country_disagree
                        )
                    });
                }
            }
            if let Some(city) = entry.cities.iter().find(|c| address.contains(c.as_str())) {
                s = (s + TUNING.address_agree).min(0.99);
                note(sink, || {
                    format!(
                        "address city {} agrees (+{:.2})",
                        city.trim(),
                        TUNING.address_agree
                    )
                });
            }
        }
        s.clamp(0.0, 1.0)
    }

    /// A match through an acronym of the listed name.
    fn acronym_match(
        &self,
        nn: &NormName,
        name_no: u32,
        _score: f64,
        country: Option<&str>,
        address: &str,
    ) -> PartyMatch {
        let rec = &self.names[name_no as usize];
        let entry = &self.entries[rec.entry as usize];
        let mut notes = Vec::new();
        let score = self.adjust(
            TUNING.acronym,
            name_no,
            country,
            address,
            &mut Some(&mut notes),
        );
        let mut explanation = format!(
            "'{}' is the acronym of '{}', a name of {} entry {} ({}); an acronym is a possible match only (score {:.2})",
            nn.joined().to_uppercase(),
            rec.text,
            self.lists[entry.list as usize],
            entry.entry_id,
            entry.kind.as_str(),
            TUNING.acronym
        );
        for n in notes {
            explanation.push_str("; ");
            explanation.push_str(&n);
        }
        explanation.push('.');
        PartyMatch {
            list_id: self.lists[entry.list as usize].clone(),
            entry_id: entry.entry_id.clone(),
            entry_name: entry.primary.clone(),
            matched_name: rec.text.clone(),
            score: (score * 10_000.0).round() / 10_000.0,
            near_exact: false,
            entry_kind: entry.kind,
            programs: entry.programs.clone(),
            matched_terms: vec![format!("{}~acronym", nn.joined())],
            explanation,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn to_match(
        &self,
        nn: &NormName,
        q: &[QToken<'_>],
        name_no: u32,
        a: &Alignment,
        near_exact: bool,
        country: Option<&str>,
        address: &str,
    ) -> PartyMatch {
        let rec = &self.names[name_no as usize];
        let entry = &self.entries[rec.entry as usize];
        let (score, notes) = self.final_score(nn, a, name_no, near_exact, country, address, true);
        let kind = match rec.kind {
            NameKind::Primary => "primary name",
            NameKind::Alias => "alias",
            NameKind::WeakAlias => "weak alias",
            NameKind::FormerName => "former name",
            NameKind::OriginalScript => "original-script name",
        };
        let mut explanation = format!(
            "Matched the {kind} '{}' of {} entry {} ({}): {}",
            rec.text,
            self.lists[entry.list as usize],
            entry.entry_id,
            entry.kind.as_str(),
            a.describe(q, &rec.tokens, &self.vocab)
        );
        if near_exact {
            explanation.push_str("; equal after normalisation (any word order)");
        } else {
            explanation.push_str(&format!(
                "; query coverage {:.2}, name coverage {:.2}",
                a.query_cov, a.name_cov
            ));
        }
        if !nn.legal.is_empty() {
            explanation.push_str(&format!("; legal form ignored: {}", nn.legal.join(" ")));
        }
        for n in notes {
            explanation.push_str("; ");
            explanation.push_str(&n);
        }
        explanation.push('.');
        PartyMatch {
            list_id: self.lists[entry.list as usize].clone(),
            entry_id: entry.entry_id.clone(),
            entry_name: entry.primary.clone(),
            matched_name: rec.text.clone(),
            score: (score * 10_000.0).round() / 10_000.0,
            near_exact,
            entry_kind: entry.kind,
            programs: entry.programs.clone(),
            matched_terms: a.pairs(q, &rec.tokens, &self.vocab),
            explanation,
        }
    }
}

/// Query words of this many letters or more (the listed word one letter
/// shorter at least) may be two edits from a listed word.
const TWO_EDIT_MIN_LEN: usize = 7;

/// A word with more listed words than this within two edits (counted with
/// repeats, before verification) gets none: the look-up stays bounded.
const TWO_EDIT_MAX_CANDIDATES: usize = 256;

/// Similarity of a word two edits from a listed word (below ten letters;
/// from ten on, `similarity::typo_sim`).
const TWO_EDIT_SIM: f64 = 0.8;

/// A word written without its vowels, as ERP records abbreviate (`mgmt`,
/// `trdg`, `hldgs`, `tchy`, `syss`): four to seven ASCII letters, no vowel
/// after the first letter (`y` allowed); three letters (`mrn`, `rpr`) in a
/// name of three words or more, where the other words carry the match (a
/// name of one or two such words is more often an acronym).
/// Adds to a token's expansions (`exp`) each of `ids` it does not hold yet,
/// at similarity `sim`, and keeps them in id order; true when one was added.
/// Slack for the rounding of [`score_bound`] and [`bonus_bound`] (their
/// sums are formed in another order than [`PartyIndex::final_score`]'s).
const BOUND_MARGIN: f64 = 1e-9;

/// Slack for bounds from candidate generation: its `f32` sums add the same
/// weights as the alignment's, in another order.
const CANDIDATE_MARGIN: f64 = 1e-4;

/// The most [`PartyIndex::final_score`] can make of an alignment's
/// coverages before its bonuses, when the name is not near-exact. Each
/// raise of the score is bounded under the condition it needs: a person's
/// name side gains at most `patronymic_missing` (or a half) of what it
/// lacks (middle names, patronymics left out), only from
/// `patronymic_query` on; then the query side half of what it lacks (more
/// names of the person), only from `whole_query` on; an organisation's
/// name side gains half of what it lacks (generic words left out), only
/// from a query side of 0.95 on. Every other adjustment multiplies by a
/// factor below one. The bound grows with both coverages, so upper bounds
/// of them give an upper bound.
fn score_bound(query_cov: f32, name_cov: f32, person: bool) -> f64 {
    let (qc, nc) = (f64::from(query_cov), f64::from(name_cov));
    let (q, n) = if person {
        let n = if qc >= TUNING.patronymic_query {
            let share = TUNING.patronymic_missing.max(0.5);
            nc.max((nc + share * (1.0 - nc)).min(1.0))
        } else {
            nc
        };
        let q = if n >= TUNING.whole_query {
            qc.max((qc + 0.5 * (1.0 - qc)).min(1.0))
        } else {
            qc
        };
        (q, n)
    } else {
        let n = if qc >= 0.95 {
            nc.max((nc + 0.5 * (1.0 - nc)).min(1.0))
        } else {
            nc
        };
        (qc, n)
    };
    (0.5 * (q + n)).min(0.98)
}

/// The most [`PartyIndex::adjust`] can add to a score below 1 for this
/// entry: its country bonus or malus, and the address bonus when the entry
/// has cities.
fn bonus_bound(entry: &EntryRec, country: Option<&str>) -> f64 {
    let country = match country.filter(|_| !entry.countries.is_empty()) {
        Some(c) if entry.countries.iter().any(|x| x == c) => TUNING.country_agree,
        Some(_) => -TUNING.country_disagree,
        None => 0.0,
    };
    let address = if entry.cities.is_empty() {
        0.0
    } else {
        TUNING.address_agree
    };
    country + address
}

/// A query token read as initials: its similarity and the number of name
/// words it pairs with (a single letter 0.6 and one, a run such as "jc"
/// [`similarity::INITIALS_RUN_SIM`] and one per letter; other tokens none).
fn as_initials(t: &QToken<'_>) -> (f32, f32) {
    if t.text.len() == 1 {
        (0.6, 1.0)
    } else if t.initials {
        (similarity::INITIALS_RUN_SIM, t.text.len() as f32)
    } else {
        (0.0, 0.0)
    }
}

fn add_new(exp: &mut Vec<(u32, f32)>, ids: impl IntoIterator<Item = u32>, sim: f32) -> bool {
    let before = exp.len();
    for id in ids {
        if !exp.iter().any(|(e, _)| *e == id) {
            exp.push((id, sim));
        }
    }
    exp.sort_unstable_by_key(|(id, _)| *id);
    exp.len() > before
}

fn looks_contracted(t: &str, words: usize) -> bool {
    let b = t.as_bytes();
    let min = if words >= 3 { 3 } else { 4 };
    (min..=7).contains(&b.len())
        && b.iter().all(u8::is_ascii_lowercase)
        && b[1..].iter().all(|c| !b"aeiou".contains(c))
}

/// True when `a` and `b` differ in exactly one letter at one position
/// (not a letter dropped, added or two letters swapped).
fn one_substitution(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).filter(|(x, y)| x != y).count() == 1
}

/// Adds a note when notes are wanted.
fn note(sink: &mut Option<&mut Vec<String>>, f: impl FnOnce() -> String) {
    if let Some(v) = sink {
        v.push(f());
    }
}

/// What a listed match a well-known firm may explain rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Basis {
    /// A weak alias, an acronym or a name spelt otherwise.
    Slip,
    /// A listed name that adds or lacks words (a subsidiary is written so).
    OtherWords,
}

/// How a candidate matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Via {
    /// Token alignment (`near_exact`: equal after normalisation;
    /// `spelt_otherwise`: a pair of words differs in spelling).
    Tokens {
        near_exact: bool,
        spelt_otherwise: bool,
    },
    /// The query is the acronym of the name.
    Acronym,
}

/// Acronym of an organisation name of four or more significant words: its
/// initials (legal forms left out, so short acronyms of common words such as
/// "ASML" for "Atlantic Ship Management LLC" are not made).
fn acronyms(nn: &NormName) -> Vec<String> {
    const SKIP: &[&str] = &["of", "the", "and", "for", "de", "del", "la", "al", "el"];
    let words: Vec<&str> = nn
        .tokens
        .iter()
        .map(String::as_str)
        .filter(|t| !SKIP.contains(t) && t.as_bytes()[0].is_ascii_alphabetic())
        .collect();
    if words.len() < 4 {
        return Vec::new();
    }
    vec![words.iter().map(|w| &w[..1]).collect()]
}

/// The names a listed name gives: itself and, when a slash separates
/// names of two words or more each ("AL-QA'IDA/ISLAMIC ARMY"), each of
/// them, as lists write alternative names (marked `true`: a part is read
/// from the punctuation, so it matches strongly but never near-exactly);
/// "A/S", "M/V" or "ASIA/PACIFIC TRADING" are one name.
fn slash_names(name: &str, rules: &NameRules) -> Vec<(String, bool)> {
    let mut out = vec![(name.to_string(), false)];
    if !name.contains('/') {
        return out;
    }
    let parts: Vec<&str> = name.split('/').map(str::trim).collect();
    if parts
        .iter()
        .all(|p| normalize_with(p, rules).tokens.len() >= 2)
    {
        out.extend(parts.iter().map(|p| (p.to_string(), true)));
    }
    out
}

/// Mask of the tokens before the comma of a person's "LAST, First" name
/// (`n` tokens in all; the part before the comma is normalised alone to
/// count its tokens).
fn surname_mask(kind: EntityKind, name: &str, n: usize, rules: &NameRules) -> u64 {
    if kind != EntityKind::Person {
        return 0;
    }
    let Some((last, _)) = name.split_once(',') else {
        return 0;
    };
    let k = normalize_with(last, rules).tokens.len().min(n).min(63);
    if k == n {
        return 0;
    }
    (1u64 << k) - 1
}

/// Words after which a name is a father's (`X bin Y`).
const SON_OF: &[&str] = &["bin", "ben", "ibn", "bint", "binti"];

/// The (son, father) pairs of a name: the word before a lineage word
/// (`bin`, `ibn` ...) and the first word after it that is not the article
/// (`Saif al-Din bin al-Rashid`: `din`, `rashid`).
fn lineage_pairs<'s>(words: impl Iterator<Item = &'s str>) -> Vec<(&'s str, &'s str)> {
    let words: Vec<&str> = words.collect();
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate().skip(1) {
        if !SON_OF.contains(w) {
            continue;
        }
        let father = words[i + 1..]
            .iter()
            .find(|t| !similarity::is_article(t) && !SON_OF.contains(t));
        if let Some(f) = father {
            out.push((words[i - 1], *f));
        }
    }
    out
}

/// Token pairs whose concatenation is indexed: every ordered pair for
/// names of up to five tokens (names are written in any order), adjacent
/// pairs in both orders for longer names.
fn join_pairs(n: usize) -> impl Iterator<Item = (usize, usize)> {
    let n = n.min(64);
    let all = n <= 5;
    (0..n).flat_map(move |a| {
        (0..n).filter_map(move |b| (a != b && (all || a.abs_diff(b) == 1)).then_some((a, b)))
    })
}
