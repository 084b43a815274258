//! Item classification against a control list: which entries an item
//! description names, and whether the item is controlled, uncertain or
//! adjacent under each.
//!
//! # How an item is classified
//!
//! 1. The description is normalised (module `text`) and its figures are read with
//!    [`super::units`]: "30 l/min 10 MPa" becomes
//!    `flow_l_min = 30`, `pressure_mpa = 10`. Parameters sent with the item
//!    take precedence over the ones read from the text.
//! 2. One aho-corasick automaton holds every phrase of every entry (terms,
//!    context, exclusions), padded with spaces so only whole words match.
//!    An entry is a *candidate* when one of its terms is present (a term
//!    written `a + b` needs both phrases) and every context group has a hit
//!    (a context phrase `param:key` is satisfied by a figure for `key`). A
//!    soft exclusion present in the text also makes the entry a candidate:
//!    exclusions describe look-alikes of the entry, so naming one names the
//!    entry. Three rules then keep the goods apart from the words around
//!    them: a term lying inside a longer term of another entry names that
//!    entry only ("rocket motor" inside "rocket motor case"); a term that
//!    directly qualifies another candidate's term names the other goods
//!    ("rocket engine test stand" is a test stand, "MMH propellant tank" a
//!    tank), unless the entry's context expects that word ("carbon-carbon
//!    nozzle" stays a carbon-carbon part); and an entry named only after
//!    "for", "of", "used in" ... is the purpose of goods another candidate
//!    names ("guidance set for ballistic missiles"). An entry the declared
//!    code points to is kept by the last two rules.
//! 3. Status: a soft exclusion present and not negated ("non-medical" does
//!    not clear anything) makes the entry ADJACENT. Otherwise the rules
//!    decide: a rule whose conditions all hold makes it CONTROLLED; a rule
//!    that holds on the figures given but lacks some makes it UNCERTAIN;
//!    when every rule that could be checked fails on a given figure (rules
//!    none of whose figures are given do not count, they concern another
//!    kind of goods of the entry) it is ADJACENT; when no figure of any rule
//!    is given it is UNCERTAIN. An entry without rules is CONTROLLED when
//!    named. A hard exclusion (`!toy`) means the words name other goods: the
//!    entry is not matched at all.
//! 4. The declared code (MTCR as numbered or as `4C2b`, or a national code
//!    from the entries' cross-references, sub-paragraphs matching their base)
//!    only raises the score of entries the description names: the goods are
//!    classified, not the code. When the description says nothing usable
//!    (empty, or only generic words such as "parts", "item 3"), the entries
//!    the code points to are returned as UNCERTAIN so that a person looks.
//!    HS codes never match.
//! 5. Scores in [0, 1] grow with the anchor's specificity, context, checked
//!    thresholds and code agreement.
//!
//! A complete-system entry of Category I and its Category II twin (1.A.1 and
//! 19.A.1, say) are both reported when both apply; the Category I entry sorts
//! first through its higher score.

mod codes;
pub use codes::codes_related;
pub(crate) mod memo;
mod text;

#[cfg(test)]
mod tests;

use std::fmt::Write as _;

use crate::model::{Comparison, ControlCategory, ControlEntry, Item};

use super::EngineError;
use super::negation;
use super::units::{self, Params, Source};
use codes::{CodeAgreement, Declared, NationalCode};

/// An item's parameters, read from its description on first use: lines
/// that name no entry, or only entries without thresholds, never need them
/// (reading the figures is a third of an item's cost).
type LazyParams<F> = std::cell::LazyCell<Params, F>;
use crate::word_trie::WordTrie;
use text::Normalized;

/// How an item stands against one control-list entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ItemStatus {
    /// Named and every deciding threshold met (or the entry has none).
    Controlled,
    /// Named but a deciding figure is missing: a human must check.
    Uncertain,
    /// Named but outside the thresholds or under an exclusion: not
    /// controlled, remembered for the destination rules.
    Adjacent,
}

impl ItemStatus {
    /// `CONTROLLED`, `UNCERTAIN` or `ADJACENT`.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Controlled => "CONTROLLED",
            ItemStatus::Uncertain => "UNCERTAIN",
            ItemStatus::Adjacent => "ADJACENT",
        }
    }

    /// Strength for sorting: controlled before uncertain before adjacent.
    pub fn rank(self) -> u8 {
        match self {
            ItemStatus::Controlled => 0,
            ItemStatus::Uncertain => 1,
            ItemStatus::Adjacent => 2,
        }
    }
}

/// An item matched against one control-list entry.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemMatch {
    /// Control list id.
    pub list_id: String,
    /// Entry code exactly as numbered.
    pub code: String,
    /// Entry title.
    pub title: String,
    /// Category I or II.
    pub category: ControlCategory,
    /// Strength in [0, 1].
    pub score: f64,
    /// Controlled, uncertain or adjacent.
    pub status: ItemStatus,
    /// Terms that matched.
    pub matched_terms: Vec<String>,
    /// The words of the description that matched.
    pub matched_text: String,
    /// Thresholds checked, exclusions seen, declared code.
    pub explanation: String,
}

/// The result of classifying one item.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ItemAssessment {
    /// Controlled and uncertain matches, strongest first.
    pub matches: Vec<ItemMatch>,
    /// Adjacent matches (not controlled).
    pub adjacent: Vec<ItemMatch>,
}

/// True when `code` is an MTCR code exactly as numbered (`4.C.2.b`).
pub fn is_valid_code(code: &str) -> bool {
    codes::is_valid_code(code)
}

/// Checks one entry: code pattern, title, terms that normalise to words,
/// context and exclusion phrases, rule parameters and national codes.
///
/// # Errors
/// A message naming the first problem.
pub fn validate_entry(e: &ControlEntry) -> Result<(), String> {
    if !codes::is_valid_code(&e.code) {
        return Err(format!(
            "code '{}' is not an MTCR code as numbered (item 1-20, group A-E, e.g. 4.C.2.b)",
            e.code
        ));
    }
    if e.title.trim().is_empty() {
        return Err("title is empty".into());
    }
    if e.terms.is_empty() {
        return Err("no terms".into());
    }
    for t in &e.terms {
        if t.trim_start().starts_with('!') {
            return Err(format!("term '{t}': '!' is for exclusions only"));
        }
        phrase_parts(t).map_err(|m| format!("term '{t}': {m}"))?;
    }
    for (g, group) in e.context.iter().enumerate() {
        if group.is_empty() {
            return Err(format!("context group {} is empty", g + 1));
        }
        for c in group {
            if let Some(partial) = c.trim_start().strip_prefix('?') {
                if partial.trim_start().starts_with("param:") {
                    return Err(format!(
                        "context '{c}': '?' marks a phrase, a figure is never partial context"
                    ));
                }
                phrase_parts(partial).map_err(|m| format!("context '{c}': {m}"))?;
                continue;
            }
            match c.strip_prefix("param:") {
                Some(key) if !units::is_known(key.trim()) => {
                    return Err(format!(
                        "context '{c}': unknown parameter key '{}'",
                        key.trim()
                    ));
                }
                Some(_) => {}
                None => {
                    phrase_parts(c).map_err(|m| format!("context '{c}': {m}"))?;
                }
            }
        }
    }
    let mut term_phrases = std::collections::HashSet::new();
    for t in &e.terms {
        term_phrases.insert(phrase_parts(t)?);
    }
    for x in &e.exclusions {
        let (_, body) = exclusion_kind(x);
        let parts = phrase_parts(body).map_err(|m| format!("exclusion '{x}': {m}"))?;
        if term_phrases.contains(&parts) {
            return Err(format!(
                "'{}' is both a term and an exclusion: a look-alike that names the entry is written '~{}'",
                body.trim(),
                body.trim()
            ));
        }
    }
    for r in &e.rules {
        if r.all.is_empty() {
            return Err(format!("rule '{}' has no condition", r.label));
        }
        for c in &r.all {
            if !units::is_known(&c.param) {
                return Err(format!(
                    "rule '{}': unknown parameter key '{}'",
                    r.label, c.param
                ));
            }
            if !c.value.is_finite() {
                return Err(format!(
                    "rule '{}': value of '{}' is not a number",
                    r.label, c.param
                ));
            }
        }
    }
    for n in &e.national_codes {
        if codes::parse_national(&n.code).is_none() {
            return Err(format!(
                "national code '{}' is not an EU/ECCN code like 7A103 or 1C111.a.1",
                n.code
            ));
        }
    }
    Ok(())
}

/// How an exclusion weighs (see [`ExclusionKind`]) and its words.
fn exclusion_kind(x: &str) -> (ExclusionKind, &str) {
    let x = x.trim();
    if let Some(b) = x.strip_prefix('!') {
        (ExclusionKind::Hard, b.trim())
    } else if let Some(b) = x.strip_prefix('~') {
        (ExclusionKind::LookAlike, b.trim())
    } else if let Some(b) = x.strip_prefix("annex:") {
        (ExclusionKind::Annex, b.trim())
    } else {
        (ExclusionKind::Soft, x)
    }
}

/// Normalised phrases of a term or exclusion (`a + b` -> two phrases).
fn phrase_parts(s: &str) -> Result<Vec<String>, String> {
    s.split(" + ")
        .map(|p| text::normalize_phrase(p).ok_or_else(|| format!("'{}' has no word", p.trim())))
        .collect()
}

// ---------------------------------------------------------------------------
// Compiled index

#[derive(Debug)]
struct Term {
    text: String,
    parts: Vec<usize>,
    tokens: usize,
    /// A look-alike (`~` exclusion): names the entry, never controls it.
    look_alike: bool,
}

/// How an exclusion weighs when the words describe the goods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ExclusionKind {
    /// `!toy`: other goods altogether; the entry is not matched.
    Hard,
    /// `hobby`: a look-alike by description; ADJACENT unless a stated
    /// figure meets a threshold of the entry (then the figures decide).
    Soft,
    /// `annex:medical`: excluded by a note of the Annex whatever the figures.
    Annex,
    /// `~hydrazine hydrate`: other goods that resemble the entry; naming them
    /// names the entry, as ADJACENT whatever the figures.
    LookAlike,
}

#[derive(Debug)]
enum ContextItem {
    Phrase(usize),
    Param(String),
    /// A phrase (`?phrase` in the list) that points to the entry's goods
    /// without saying enough ("metal powder" for a list of named metals):
    /// it stands in for its group only to make the item UNCERTAIN.
    Partial(usize),
}

#[derive(Debug)]
struct Exclusion {
    text: String,
    parts: Vec<usize>,
    kind: ExclusionKind,
}

#[derive(Debug)]
struct Compiled {
    entry: ControlEntry,
    terms: Vec<Term>,
    context: Vec<Vec<ContextItem>>,
    exclusions: Vec<Exclusion>,
    national: Vec<(NationalCode, bool)>,
    national_codes: Vec<NationalCode>,
    /// Parameter keys the rules and context use.
    param_keys: Vec<String>,
}

/// Matcher over one control list.
#[derive(Debug)]
pub struct ItemIndex {
    list_id: String,
    entries: Vec<Compiled>,
    phrases: Vec<String>,
    /// For each phrase, the (entry, term) pairs whose term has it as a part,
    /// in order.
    term_users: Vec<Vec<(u32, u32)>>,
    /// The phrases as word sequences (phrase ids are indexes of `phrases`).
    matcher: WordTrie,
}

/// The readings of `term` with another generic head noun in place of its
/// last word (`item-words.toml`, `words.heads`): for terms of one phrase
/// (no `+`) of two words or more whose last word is a head.
fn head_variants(term: &str) -> Vec<String> {
    let term = term.trim();
    if term.contains('+') {
        return Vec::new();
    }
    let Some((body, last)) = term.rsplit_once(' ') else {
        return Vec::new();
    };
    let heads = text::heads();
    let last = last.to_ascii_lowercase();
    let singular = last.strip_suffix('s').unwrap_or(&last);
    if !heads.iter().any(|h| *h == last || *h == singular) {
        return Vec::new();
    }
    heads
        .iter()
        .filter(|h| **h != last && **h != singular)
        .map(|h| format!("{body} {h}"))
        .collect()
}

/// Builder state: unique phrases.
#[derive(Default)]
struct PhraseTable {
    phrases: Vec<String>,
    ids: std::collections::HashMap<String, usize>,
}

impl PhraseTable {
    fn id(&mut self, norm: String) -> usize {
        if let Some(id) = self.ids.get(&norm) {
            return *id;
        }
        let id = self.phrases.len();
        self.ids.insert(norm.clone(), id);
        self.phrases.push(norm);
        id
    }

    fn parts(&mut self, s: &str) -> Result<Vec<usize>, String> {
        Ok(phrase_parts(s)?.into_iter().map(|p| self.id(p)).collect())
    }

    /// Words in the phrases `parts`.
    fn tokens(&self, parts: &[usize]) -> usize {
        parts
            .iter()
            .map(|p| self.phrases[*p].split_whitespace().count())
            .sum()
    }
}

impl ItemIndex {
    /// Builds the matcher.
    ///
    /// # Errors
    /// [`EngineError::ControlEntry`] for an unusable entry (see
    /// [`validate_entry`]), [`EngineError::Build`] when the automaton cannot
    /// be built.
    pub fn build(list_id: &str, entries: &[ControlEntry]) -> Result<ItemIndex, EngineError> {
        let bad = |e: &ControlEntry, message: String| EngineError::ControlEntry {
            list_id: list_id.to_string(),
            code: e.code.clone(),
            message,
        };
        let mut table = PhraseTable::default();
        let mut compiled = Vec::with_capacity(entries.len());
        let mut seen = std::collections::HashSet::new();
        for e in entries {
            validate_entry(e).map_err(|m| bad(e, m))?;
            if !seen.insert(e.code.clone()) {
                return Err(bad(e, "duplicate code".into()));
            }
            let mut terms = Vec::new();
            for t in &e.terms {
                let parts = table.parts(t).map_err(|m| bad(e, m))?;
                terms.push(Term {
                    text: t.trim().to_string(),
                    tokens: table.tokens(&parts),
                    parts,
                    look_alike: false,
                });
            }
            // A term of several words ending in a generic head noun reads with
            // the other heads too ("celestial navigation system" is
            // "celestial navigation equipment"), unless the entry already
            // has a term of those words.
            for v in e.terms.iter().flat_map(|t| head_variants(t)) {
                let parts = table.parts(&v).map_err(|m| bad(e, m))?;
                if terms.iter().any(|o| o.parts == parts) {
                    continue;
                }
                terms.push(Term {
                    text: v,
                    tokens: table.tokens(&parts),
                    parts,
                    look_alike: false,
                });
            }
            let mut context = Vec::new();
            for group in &e.context {
                let mut items = Vec::new();
                for c in group {
                    if let Some(partial) = c.trim_start().strip_prefix('?') {
                        let norm = text::normalize_phrase(partial)
                            .ok_or_else(|| bad(e, format!("context '{c}' has no word")))?;
                        items.push(ContextItem::Partial(table.id(norm)));
                        continue;
                    }
                    match c.strip_prefix("param:") {
                        Some(key) => items.push(ContextItem::Param(key.trim().to_string())),
                        None => {
                            let norm = text::normalize_phrase(c)
                                .ok_or_else(|| bad(e, format!("context '{c}' has no word")))?;
                            items.push(ContextItem::Phrase(table.id(norm)));
                        }
                    }
                }
                context.push(items);
            }
            let mut exclusions = Vec::new();
            for x in &e.exclusions {
                let (kind, body) = exclusion_kind(x);
                let parts = table.parts(body).map_err(|m| bad(e, m))?;
                if kind == ExclusionKind::LookAlike {
                    // Naming a look-alike names the entry.
                    terms.push(Term {
                        text: body.to_string(),
                        parts: parts.clone(),
                        tokens: table.tokens(&parts),
                        look_alike: true,
                    });
                }
                exclusions.push(Exclusion {
                    text: body.to_string(),
                    parts,
                    kind,
                });
            }
            let national: Vec<(NationalCode, bool)> = e
                .national_codes
                .iter()
                .filter_map(|n| codes::parse_national(&n.code).map(|c| (c, n.confirmed)))
                .collect();
            let national_codes = national.iter().map(|(n, _)| n.clone()).collect();
            let mut param_keys: Vec<String> = e
                .rules
                .iter()
                .flat_map(|r| r.all.iter().map(|c| c.param.clone()))
                .chain(context.iter().flatten().filter_map(|i| match i {
                    ContextItem::Param(k) => Some(k.clone()),
                    ContextItem::Phrase(_) | ContextItem::Partial(_) => None,
                }))
                .collect();
            param_keys.sort();
            param_keys.dedup();
            compiled.push(Compiled {
                param_keys,
                entry: e.clone(),
                terms,
                context,
                exclusions,
                national,
                national_codes,
            });
        }
        let mut term_users = vec![Vec::new(); table.phrases.len()];
        for (i, c) in compiled.iter().enumerate() {
            for (ti, t) in c.terms.iter().enumerate() {
                for p in &t.parts {
                    let user = (i as u32, ti as u32);
                    if term_users[*p].last() != Some(&user) {
                        term_users[*p].push(user);
                    }
                }
            }
        }
        // Phrases are " w w ": their words between the outer spaces.
        let matcher = WordTrie::new(table.phrases.iter().map(|p| inner_words(p).map(|(_, w)| w)));
        Ok(ItemIndex {
            list_id: list_id.to_string(),
            entries: compiled,
            phrases: table.phrases,
            term_users,
            matcher,
        })
    }

    /// The control list id.
    pub fn list_id(&self) -> &str {
        &self.list_id
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the list is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries, in list order.
    pub fn entries(&self) -> impl Iterator<Item = &ControlEntry> {
        self.entries.iter().map(|c| &c.entry)
    }

    /// Classifies one item.
    pub fn classify(&self, item: &Item) -> ItemAssessment {
        let norm = text::normalize(&item.description);
        let params = LazyParams::new(|| Params::build(&item.parameters, &item.description));
        let declared = Declared::parse(&item.declared_code);
        let hits = self.find(&norm);

        let (mut candidates, named) = self.candidates(&norm, &hits, &params);
        drop_subsumed(&mut candidates, &named, &norm);
        drop_named_elsewhere(&mut candidates);
        // The declared code keeps an entry the wording alone would drop
        // ("ring laser gyro IMU" declared as the gyro entry).
        let keep = |c: &Candidate<'_>| {
            declared
                .agreement(&c.compiled.entry.code, &c.compiled.national_codes)
                .is_some_and(|a| a != CodeAgreement::NationalBase)
        };
        drop_modifiers(&mut candidates, &norm, &keep);
        drop_purpose_only(&mut candidates, &norm, &keep);

        let mut out = ItemAssessment::default();
        for cand in &candidates {
            let m = self.judge(cand, &norm, &params, &declared, item);
            match m.status {
                ItemStatus::Adjacent => out.adjacent.push(m),
                _ => out.matches.push(m),
            }
        }
        if candidates.is_empty() && uninformative(&norm) {
            out.matches = self.matches_by_code(&declared, item);
        }
        let order = |a: &ItemMatch, b: &ItemMatch| {
            a.status
                .rank()
                .cmp(&b.status.rank())
                .then_with(|| b.score.total_cmp(&a.score))
                .then_with(|| a.code.cmp(&b.code))
        };
        out.matches.sort_by(order);
        out.adjacent.sort_by(order);
        out
    }

    /// Every phrase occurrence: (phrase id, first token, last token), sorted.
    fn find(&self, norm: &Normalized) -> Vec<(usize, usize, usize)> {
        // The words of " t t t " and where each starts: a phrase " p p "
        // occurs exactly where its words stand one after the other.
        let mut starts = Vec::with_capacity(norm.tokens.len() + 4);
        let mut ids = Vec::with_capacity(norm.tokens.len() + 4);
        self.matcher.ids_into(
            inner_words(&norm.text).map(|(at, w)| {
                starts.push(at);
                w
            }),
            &mut ids,
        );
        let mut hits = Vec::new();
        self.matcher.find(&ids, |p, first, last| {
            if let (Some(f), Some(l)) = (norm.token_at(starts[first]), norm.token_at(starts[last]))
            {
                hits.push((p as usize, f, l));
            }
        });
        hits.sort_unstable();
        hits
    }

    fn candidates<'a>(
        &'a self,
        norm: &Normalized,
        hits: &[(usize, usize, usize)],
        params: &LazyParams<impl FnOnce() -> Params>,
    ) -> (Vec<Candidate<'a>>, Vec<NamedSpan>) {
        // Phrases found, as a bit set (a cheaper test than a search of `hits`).
        let mut found = vec![0u64; self.phrases.len().div_ceil(64)];
        for h in hits {
            found[h.0 / 64] |= 1 << (h.0 % 64);
        }
        let present = |phrase: usize| found[phrase / 64] & (1 << (phrase % 64)) != 0;
        let spans = |phrase: usize| -> &[(usize, usize, usize)] {
            if !present(phrase) {
                return &[];
            }
            let from = hits.partition_point(|h| h.0 < phrase);
            let to = hits.partition_point(|h| h.0 <= phrase);
            &hits[from..to]
        };
        // The terms with at least one phrase found, by entry then term: only
        // these can be present, and their entries are the candidates.
        let mut users: Vec<(u32, u32)> = Vec::new();
        for (k, h) in hits.iter().enumerate() {
            if k == 0 || hits[k - 1].0 != h.0 {
                users.extend_from_slice(&self.term_users[h.0]);
            }
        }
        users.sort_unstable();
        users.dedup();

        let mut out = Vec::new();
        let mut named = Vec::new();
        for group in users.chunk_by(|a, b| a.0 == b.0) {
            let id = group[0].0;
            let c = &self.entries[id as usize];
            let mut anchors: Vec<AnchorHit> = Vec::new();
            for &(_, ti) in group {
                let ti = ti as usize;
                let t = &c.terms[ti];
                if !t.parts.iter().all(|p| present(*p)) {
                    continue;
                }
                let mut span_list = Vec::new();
                for p in &t.parts {
                    for h in spans(*p) {
                        span_list.push((h.1, h.2));
                    }
                }
                anchors.push(AnchorHit {
                    term: ti,
                    spans: span_list,
                    single: t.parts.len() == 1,
                });
            }
            if anchors.is_empty() {
                continue;
            }
            // Where the goods are named: every anchor's words.
            let anchor_spans: Vec<(usize, usize)> = anchors
                .iter()
                .flat_map(|a| a.spans.iter().copied())
                .collect();
            // An exclusion counts where its words describe what the goods
            // are (the goods' noun phrase, their purpose, a qualifying
            // clause), not negated, never because the word occurs elsewhere.
            let excl_hit = |x: &Exclusion| -> Option<Vec<(usize, usize)>> {
                // Most exclusions are not in the text at all: a part not
                // found has no live occurrence, so the answer is `None`
                // without a list built (the bit set says so at once).
                if !x.parts.iter().all(|p| present(*p)) {
                    return None;
                }
                let mut sp = Vec::new();
                for p in &x.parts {
                    let live: Vec<(usize, usize)> = spans(*p)
                        .iter()
                        .filter(|h| !negated(norm, h.1))
                        .map(|h| (h.1, h.2))
                        .collect();
                    if live.is_empty() {
                        return None;
                    }
                    sp.extend(live);
                }
                sp.iter()
                    .any(|s| describes_goods(norm, *s, &anchor_spans))
                    .then_some(sp)
            };
            if c.exclusions
                .iter()
                .filter(|x| x.kind == ExclusionKind::Hard)
                .any(|x| excl_hit(x).is_some())
            {
                continue;
            }
            let mut exclusions = Vec::new();
            for (xi, x) in c
                .exclusions
                .iter()
                .enumerate()
                .filter(|(_, x)| x.kind != ExclusionKind::Hard)
            {
                if let Some(sp) = excl_hit(x) {
                    exclusions.push((xi, sp));
                }
            }
            // A look-alike names the entry only where it names the goods.
            let named_by_look_alike = exclusions
                .iter()
                .any(|(xi, _)| c.exclusions[*xi].kind == ExclusionKind::LookAlike);
            anchors.retain(|a| !c.terms[a.term].look_alike || named_by_look_alike);
            if anchors.is_empty() {
                continue;
            }
            for a in anchors.iter().filter(|a| a.single) {
                named.extend(a.spans.iter().map(|s| (id as usize, *s)));
            }
            let mut context_hits: Vec<(usize, usize)> = Vec::new();
            let mut matched_context: Vec<(usize, usize)> = Vec::new();
            let mut context_words: Vec<String> = Vec::new();
            let mut partial_words: Vec<String> = Vec::new();
            let mut all_groups = true;
            // Every group met, some only by partial phrases.
            let mut all_partly = true;
            for group in &c.context {
                let mut ok = false;
                let mut partly: Option<String> = None;
                for item in group {
                    match item {
                        ContextItem::Partial(p) => {
                            if partly.is_none() && !spans(*p).is_empty() {
                                partly = Some(self.phrases[*p].trim().to_string());
                            }
                        }
                        ContextItem::Phrase(p) => {
                            let found = spans(*p);
                            if let Some(h) = found.first() {
                                if !ok {
                                    context_words.push(self.phrases[*p].trim().to_string());
                                    matched_context.push((h.1, h.2));
                                }
                                ok = true;
                                context_hits.extend(found.iter().map(|h| (h.1, h.2)));
                            }
                        }
                        ContextItem::Param(k) => {
                            if !ok && Params::get(params, k).is_some() {
                                ok = true;
                                context_words.push(format!("a figure for {k}"));
                            }
                        }
                    }
                }
                all_groups &= ok;
                all_partly &= ok || partly.is_some();
                if !ok {
                    partial_words.extend(partly);
                }
            }
            // Partial phrases stand in for the groups they meet: the goods
            // may be the entry's, the line does not say enough (the metal,
            // the use): UNCERTAIN, a person looks.
            let partly_named = !all_groups && all_partly && exclusions.is_empty();
            // Goods named by a phrase of their own ("radar altimeter", "GNSS
            // receiver") whose line says nothing of what they are for are
            // UNCERTAIN: whether they are the entry's goods (designed for
            // rockets, say) is not stated, so a person looks. A generic word
            // ("launcher"), or a stated purpose the entry does not know,
            // needs the context.
            let named_only = !all_groups
                && exclusions.is_empty()
                && !states_purpose(norm)
                && anchors.iter().any(|a| {
                    a.single && c.terms[a.term].tokens >= 2 && !c.terms[a.term].look_alike
                });
            if !all_groups && exclusions.is_empty() && !named_only && !partly_named {
                continue;
            }
            if !partly_named {
                partial_words.clear();
            }
            out.push(Candidate {
                entry: id as usize,
                compiled: c,
                anchors,
                exclusions,
                context_hits,
                matched_context,
                context_words,
                partial_words,
                context_complete: all_groups,
            });
        }
        (out, named)
    }

    fn judge(
        &self,
        cand: &Candidate<'_>,
        norm: &Normalized,
        params: &LazyParams<impl FnOnce() -> Params>,
        declared: &Declared,
        item: &Item,
    ) -> ItemMatch {
        let c = cand.compiled;
        let e = &c.entry;
        // Room for a usual explanation at once (it is written piece by piece).
        let mut explanation = String::with_capacity(384);

        // Anchors and context.
        // Terms found, leaving out those that only repeat part of a longer
        // one ("spinning lathe" inside "metal spinning lathe").
        let inside = |a: &AnchorHit| {
            a.single
                && a.spans.iter().all(|s| {
                    cand.anchors.iter().any(|b| {
                        b.single
                            && b.spans
                                .iter()
                                .any(|o| o.0 <= s.0 && s.1 <= o.1 && o.1 - o.0 > s.1 - s.0)
                    })
                })
        };
        let mut terms: Vec<String> = cand
            .anchors
            .iter()
            .filter(|a| !inside(a))
            .map(|a| c.terms[a.term].text.clone())
            .collect();
        terms.dedup();
        let _ = write!(explanation, "Named by {}", quote_list(&terms));
        if !cand.context_words.is_empty() {
            let _ = write!(
                explanation,
                " with context {}",
                quote_list(&cand.context_words)
            );
        }
        explanation.push('.');

        // Status.
        let (status, kind, rules_note) = if !cand.context_complete && cand.exclusions.is_empty() {
            let wanted: Vec<String> = c
                .context
                .iter()
                .filter(|group| {
                    !group.iter().any(|i| match i {
                        ContextItem::Phrase(p) => cand.context_hits.iter().any(|h| {
                            self.phrases[*p].trim()
                                == norm.text[norm.tokens[h.0].start..]
                                    .split(' ')
                                    .next()
                                    .unwrap_or("")
                        }),
                        ContextItem::Param(k) => Params::get(params, k).is_some(),
                        ContextItem::Partial(_) => false,
                    })
                })
                .flat_map(|group| {
                    group
                        .iter()
                        .filter_map(|i| match i {
                            ContextItem::Phrase(p) => Some(self.phrases[*p].trim().to_string()),
                            ContextItem::Param(k) => Some(format!("a figure for {k}")),
                            ContextItem::Partial(_) => None,
                        })
                        .take(4)
                })
                .collect();
            let note = if cand.partial_words.is_empty() {
                format!(
                    " The goods are named but the description does not say what they are for (the entry needs {} ...): a person checks.",
                    quote_list(&wanted)
                )
            } else {
                format!(
                    " The goods are named and {} points to the entry's goods without saying enough (the entry needs {} ...): a person checks.",
                    quote_list(&cand.partial_words),
                    quote_list(&wanted)
                )
            };
            (ItemStatus::Uncertain, VerdictKind::Unknown, note)
        } else if cand.exclusions.is_empty() {
            let v = evaluate_rules(e, params);
            (v.status, v.kind, v.note)
        } else {
            let words: Vec<String> = cand
                .exclusions
                .iter()
                .map(|(xi, _)| c.exclusions[*xi].text.clone())
                .collect();
            // A soft exclusion gives way to stated figures that meet a
            // threshold rule of the entry: the figures say what the goods
            // can do.
            let soft_only = cand
                .exclusions
                .iter()
                .all(|(xi, _)| c.exclusions[*xi].kind == ExclusionKind::Soft);
            let v = evaluate_rules(e, params);
            let outweighed = soft_only && v.kind == VerdictKind::RuleHeld;
            if outweighed {
                let note = format!(
                    "{} The words {} describe look-alikes outside the entry, but the stated figures meet its threshold: the figures decide.",
                    v.note,
                    quote_list(&words)
                );
                (v.status, v.kind, note)
            } else {
                let why = if soft_only {
                    "places the goods outside the entry"
                } else {
                    "places the goods outside the entry whatever their figures"
                };
                (
                    ItemStatus::Adjacent,
                    VerdictKind::Failed,
                    format!(" Exclusion {} {why}.", quote_list(&words)),
                )
            }
        };
        explanation.push_str(&rules_note);

        // Declared code.
        let agreement = declared.agreement(&e.code, &c.national_codes);
        if let Some(a) = agreement {
            let confirmed = c.national.iter().any(|(n, conf)| {
                *conf && matches!(declared, Declared::National(d) if codes::codes_related(&n.full, &d.full))
            });
            let how = match a {
                CodeAgreement::Mtcr => "is this entry's code".to_string(),
                CodeAgreement::National if confirmed => {
                    "cross-references this entry (confirmed)".to_string()
                }
                CodeAgreement::National => "cross-references this entry (unconfirmed)".to_string(),
                CodeAgreement::NationalBase => {
                    "shares its national base code with this entry".to_string()
                }
            };
            let _ = write!(
                explanation,
                " Declared code {} {how}.",
                item.declared_code.trim()
            );
        } else if !item.declared_code.trim().is_empty() && !matches!(declared, Declared::None) {
            let _ = write!(
                explanation,
                " Declared code {} points elsewhere; the goods were classified by their description.",
                item.declared_code.trim()
            );
        }
        // Figures read from the text or derived, for the parameters this
        // entry looks at.
        // An entry that looks at no parameter has none to show (and the
        // figures need not be read for it).
        if !c.param_keys.is_empty() {
            let relevant = |k: &str| c.param_keys.iter().any(|p| p == k);
            params.describe_into(
                &mut explanation,
                " Read from the text: ",
                ".",
                Source::Text,
                relevant,
            );
            params.describe_into(
                &mut explanation,
                " Derived: ",
                ".",
                Source::Derived,
                relevant,
            );
        }

        // Score.
        let best_tokens = cand
            .anchors
            .iter()
            .map(|a| c.terms[a.term].tokens)
            .max()
            .unwrap_or(1);
        let multi = cand.anchors.iter().any(|a| !a.single);
        let mut score: f64 = 0.45;
        score += match best_tokens {
            1 => 0.0,
            2 => 0.08,
            _ => 0.12,
        };
        if multi {
            score += 0.05;
        }
        if !c.context.is_empty() && cand.context_complete {
            score += 0.04;
        }
        score += match (status, kind) {
            (ItemStatus::Controlled, VerdictKind::RuleHeld) => 0.3,
            (ItemStatus::Controlled, _) => 0.2,
            (ItemStatus::Uncertain, VerdictKind::Partial) => 0.1,
            (ItemStatus::Uncertain, _) => 0.0,
            (ItemStatus::Adjacent, _) => -0.15,
        };
        score += match agreement {
            Some(CodeAgreement::Mtcr) => 0.15,
            Some(CodeAgreement::National) => 0.12,
            Some(CodeAgreement::NationalBase) => 0.05,
            None => 0.0,
        };
        if e.category == ControlCategory::I && status != ItemStatus::Adjacent {
            score += 0.01;
        }
        let score = (score.clamp(0.05, 1.0) * 1000.0).round() / 1000.0;

        // Matched text: anchor and context words in text order.
        let mut spans: Vec<(usize, usize)> = cand
            .anchors
            .iter()
            .flat_map(|a| a.spans.iter().copied())
            .collect();
        spans.extend(cand.matched_context.iter().copied());
        for (_, sp) in &cand.exclusions {
            spans.extend(sp.iter().copied());
        }
        let matched_text = matched_text(&item.description, norm, spans);

        ItemMatch {
            list_id: self.list_id.clone(),
            code: e.code.clone(),
            title: e.title.clone(),
            category: e.category,
            score,
            status,
            matched_terms: terms,
            matched_text,
            explanation,
        }
    }

    /// Entries a declared code points to, for a description that says nothing.
    fn matches_by_code(&self, declared: &Declared, item: &Item) -> Vec<ItemMatch> {
        let mut out = Vec::new();
        for c in &self.entries {
            let agreement = match declared {
                Declared::Mtcr(code) if *code == c.entry.code => Some(CodeAgreement::Mtcr),
                Declared::Mtcr(_) | Declared::None => None,
                Declared::National(_) => declared.agreement(&c.entry.code, &c.national_codes),
            };
            let score = match agreement {
                Some(CodeAgreement::Mtcr) => 0.4,
                Some(CodeAgreement::National) => 0.35,
                _ => continue,
            };
            out.push(ItemMatch {
                list_id: self.list_id.clone(),
                code: c.entry.code.clone(),
                title: c.entry.title.clone(),
                category: c.entry.category,
                score,
                status: ItemStatus::Uncertain,
                matched_terms: Vec::new(),
                matched_text: item.declared_code.trim().to_string(),
                explanation: format!(
                    "The description names no goods; declared code {} points to this entry, so a person must check what is shipped.",
                    item.declared_code.trim()
                ),
            });
        }
        out
    }
}

/// (entry index, first and last token) of a single-phrase term found.
type NamedSpan = (usize, (usize, usize));

/// One term found in the text.
#[derive(Debug)]
struct AnchorHit {
    term: usize,
    /// Token spans (first, last) of the term's phrases.
    spans: Vec<(usize, usize)>,
    single: bool,
}

#[derive(Debug)]
struct Candidate<'a> {
    entry: usize,
    compiled: &'a Compiled,
    anchors: Vec<AnchorHit>,
    /// (exclusion index, token spans) of soft exclusions present.
    exclusions: Vec<(usize, Vec<(usize, usize)>)>,
    /// Every occurrence of every context phrase.
    context_hits: Vec<(usize, usize)>,
    /// The first hit of each context group (shown in matched text).
    matched_context: Vec<(usize, usize)>,
    context_words: Vec<String>,
    /// Partial context phrases standing in for groups the line does not
    /// meet (then the item is UNCERTAIN).
    partial_words: Vec<String>,
    context_complete: bool,
}

/// Drops candidates all of whose anchors lie strictly inside a longer
/// single-phrase term of another entry ("rocket motor" inside "rocket motor
/// case" names the case, not the motor), whether or not that other entry is
/// itself a candidate: the longer phrase says what the goods are.
fn drop_subsumed(cands: &mut Vec<Candidate<'_>>, named: &[NamedSpan], norm: &Normalized) {
    // Spans compare by the words of the description they stand for, so a
    // catalogue reading ("isostatic press" from "Presses, isostatic")
    // covers the head word it repeats.
    let sources = |s: (usize, usize)| -> Vec<u32> {
        let mut v: Vec<u32> = (s.0..=s.1).map(|i| norm.tokens[i].source).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    if cands.is_empty() {
        return;
    }
    // The words each named span stands for, worked out once (not again for
    // every candidate span compared with it).
    let named_sources: Vec<(usize, Vec<u32>)> = named
        .iter()
        .map(|(other, o)| (*other, sources(*o)))
        .collect();
    let inside = |entry: usize, s: (usize, usize)| {
        let s = sources(s);
        named_sources.iter().any(|(other, o)| {
            *other != entry && o.len() > s.len() && s.iter().all(|x| o.contains(x))
        })
    };
    cands.retain(|c| {
        let all_single = c.anchors.iter().all(|a| a.single);
        !(all_single
            && c.anchors
                .iter()
                .flat_map(|a| a.spans.iter())
                .all(|s| inside(c.entry, *s)))
    });
}

/// Drops candidates kept only because their goods are named (context
/// missing) when an entry whose context holds is named by the same words:
/// "fibre optic gyro" is a 9.A.4 gyro, not an unstated high-g 9.A.5 one.
fn drop_named_elsewhere(cands: &mut Vec<Candidate<'_>>) {
    let full: Vec<(usize, usize)> = cands
        .iter()
        .filter(|c| c.context_complete || !c.exclusions.is_empty())
        .flat_map(|c| c.anchors.iter().flat_map(|a| a.spans.iter().copied()))
        .collect();
    cands.retain(|c| {
        c.context_complete
            || !c.exclusions.is_empty()
            || !c
                .anchors
                .iter()
                .flat_map(|a| a.spans.iter())
                .all(|s| full.iter().any(|o| o.0 <= s.0 && s.1 <= o.1))
    });
}

/// Drops candidates whose every anchor directly precedes (at most one word
/// between, same clause) an anchor of another candidate: "rocket engine test
/// stand" is a test stand, "MMH propellant tank" a tank, "ring laser gyro
/// IMU" an IMU.
fn drop_modifiers(
    cands: &mut Vec<Candidate<'_>>,
    norm: &Normalized,
    keep: &dyn Fn(&Candidate<'_>) -> bool,
) {
    let heads: Vec<(usize, (usize, usize))> = cands
        .iter()
        .flat_map(|c| {
            c.anchors
                .iter()
                .flat_map(move |a| a.spans.iter().map(move |s| (c.entry, *s)))
        })
        .collect();
    let modifies = |entry: usize, s: (usize, usize)| {
        heads.iter().any(|(other, o)| {
            let gap_ok = o.0 == s.1 + 1
                || (o.0 == s.1 + 2 && {
                    let g = norm.token(s.1 + 1);
                    g.as_bytes()[0].is_ascii_alphabetic() && !text::is_link(norm.raw(s.1 + 1))
                });
            *other != entry && gap_ok && norm.tokens[o.0].clause == norm.tokens[s.1].clause
        })
    };
    // An entry whose context expects the head ("c-c" + "nozzle" for C-C
    // nozzle parts) is not a mere modifier of it.
    let expects = |c: &Candidate<'_>, s: (usize, usize)| {
        c.context_hits.iter().any(|h| h.0 > s.1 && h.0 <= s.1 + 3)
    };
    let drop: Vec<bool> = cands
        .iter()
        .map(|c| {
            !keep(c)
                && c.anchors.iter().all(|a| a.single)
                && c.anchors
                    .iter()
                    .flat_map(|a| a.spans.iter())
                    .all(|s| modifies(c.entry, *s) && !expects(c, *s))
        })
        .collect();
    if drop.iter().all(|d| *d) {
        return;
    }
    let mut i = 0;
    cands.retain(|_| {
        let keep = !drop[i];
        i += 1;
        keep
    });
}

/// True when a purpose word precedes `token` within four tokens of its clause.
fn purpose_mention(norm: &Normalized, token: usize) -> bool {
    let clause = norm.tokens[token].clause;
    (1..=4).any(|d| {
        token
            .checked_sub(d)
            .is_some_and(|j| norm.tokens[j].clause == clause && text::is_purpose(norm.raw(j)))
    })
}

/// Drops candidates named only as the purpose of other goods that another
/// candidate names ("servo valve for rocket engines" is a servo valve, not a
/// rocket engine).
fn drop_purpose_only(
    cands: &mut Vec<Candidate<'_>>,
    norm: &Normalized,
    keep: &dyn Fn(&Candidate<'_>) -> bool,
) {
    let purpose_only: Vec<bool> = cands
        .iter()
        .map(|c| {
            !keep(c)
                && c.anchors
                    .iter()
                    .all(|a| a.spans.iter().all(|s| purpose_mention(norm, s.0)))
        })
        .collect();
    if purpose_only.iter().all(|p| *p) {
        return;
    }
    let mut i = 0;
    cands.retain(|_| {
        let keep = !purpose_only[i];
        i += 1;
        keep
    });
}

/// True when the shared negation list negates the phrase starting at
/// `token` from before, in its clause ("non-medical", "not for medical use").
fn negated(norm: &Normalized, token: usize) -> bool {
    let clause = norm.tokens[token].clause;
    let mut from = token;
    while from > 0 && norm.tokens[from - 1].clause == clause {
        from -= 1;
    }
    let words: Vec<&str> = (from..=token).map(|j| norm.raw(j)).collect();
    negation::SHARED.negates_before(&words, token - from, &|_| false)
}

/// True when the words at `s` describe what the goods are: they stand in
/// the noun phrase that names the goods (the clause of an anchor, before any
/// word that introduces accessories or parties), in a purpose phrase ("for
/// hobby use"), or make up a clause of their own that qualifies the goods
/// ("consumer grade", "FAA certified"). Not when they follow "with", "incl",
/// "supplied by" ..., a secondary purpose ("also fits helicopters"), or
/// qualify another noun ("ISO 9001 certified supplier").
fn describes_goods(norm: &Normalized, s: (usize, usize), anchors: &[(usize, usize)]) -> bool {
    // A catalogue reading ("Mixers, food processing" read as "food
    // processing mixers") is the line's head with one of its qualifiers:
    // each of its words qualifies the goods.
    if s.0 >= norm.readings_from {
        return true;
    }
    let clause = norm.tokens[s.0].clause;
    let in_clause = |i: usize| norm.tokens[i].clause == clause;
    let anchor_at = |i: usize| anchors.iter().any(|a| a.0 <= i && i <= a.1);
    let secondary_before =
        |j: usize| j > 0 && in_clause(j - 1) && text::is_secondary(norm.raw(j - 1));
    // The nearest word before them that says how they relate to the goods.
    let mut j = s.0;
    while j > 0 && in_clause(j - 1) {
        j -= 1;
        if anchor_at(j) {
            return true;
        }
        let w = norm.raw(j);
        if text::is_secondary(w) {
            return false;
        }
        let used_in = j > 0 && in_clause(j - 1) && text::is_purpose(norm.raw(j - 1));
        if text::is_purpose(w) || (text::is_accessory(w) && used_in) {
            // "for hobby use" describes them; "also for" does not.
            let at = if text::is_purpose(w) { j } else { j - 1 };
            return !secondary_before(at);
        }
        if text::is_accessory(w) {
            return false;
        }
    }
    if anchors.iter().any(|a| norm.tokens[a.0].clause == clause) {
        return true;
    }
    // A clause of its own qualifies the goods unless the words qualify
    // another noun that follows them.
    let next = s.1 + 1;
    if next >= norm.len() || !in_clause(next) {
        return true;
    }
    let w = norm.raw(next);
    w.as_bytes()[0].is_ascii_digit()
        || text::is_attribute(w)
        || text::is_purpose(w)
        || text::is_link(w)
}

/// True when some clause of the description says what the goods are for
/// ("for passenger cars", "used in ...").
fn states_purpose(norm: &Normalized) -> bool {
    (0..norm.len()).any(|i| text::is_purpose(norm.raw(i)) && norm.raw(i) != "of")
}

/// True when the description has no word naming goods (only numbers and
/// generic words).
fn uninformative(norm: &Normalized) -> bool {
    (0..norm.len()).all(|i| {
        let t = norm.token(i);
        t.len() < 3 || t.as_bytes()[0].is_ascii_digit() || text::is_generic(norm.raw(i))
    })
}

fn quote_list(words: &[String]) -> String {
    let mut out = String::with_capacity(words.iter().map(|w| w.len() + 4).sum());
    for (i, w) in words.iter().enumerate() {
        if words[..i].contains(w) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push('\'');
        out.push_str(w);
        out.push('\'');
    }
    out
}

/// The original words of the token spans, in text order, joined by " … ".
fn matched_text(original: &str, norm: &Normalized, spans: Vec<(usize, usize)>) -> String {
    // The words of the description the spans stand for (a catalogue
    // reading repeats them in another order).
    let mut spans: Vec<(usize, usize)> = spans
        .into_iter()
        .filter(|(f, l)| *f < norm.len() && *l < norm.len())
        .map(|(f, l)| norm.source_span(f, l))
        .collect();
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for s in spans {
        match merged.last_mut() {
            Some(last) if s.0 <= last.1 + 1 => last.1 = last.1.max(s.1),
            _ => merged.push(s),
        }
    }
    let mut out = String::new();
    for (k, (f, l)) in merged
        .iter()
        .filter(|(f, l)| *f < norm.len() && *l < norm.len())
        .enumerate()
    {
        if k > 0 {
            out.push_str(" … ");
        }
        out.push_str(&original[norm.tokens[*f].orig_start..norm.tokens[*l].orig_end]);
    }
    out
}

/// The words of a normalised text or phrase " w w w " (between its outer
/// spaces, split at each single space) with the byte offset of each.
fn inner_words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    // " " (no word) has no inner part; "  " has one empty word.
    let inner = if text.len() >= 2 {
        text.get(1..text.len() - 1)
    } else {
        None
    };
    let mut at = 1;
    inner.into_iter().flat_map(|s| s.split(' ')).map(move |w| {
        let start = at;
        at += w.len() + 1;
        (start, w)
    })
}

// ---------------------------------------------------------------------------
// Rules

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum VerdictKind {
    /// The entry has no rules.
    NoRules,
    /// A rule holds.
    RuleHeld,
    /// A rule holds on the figures given, others are missing.
    Partial,
    /// Every checkable rule fails.
    Failed,
    /// No figure of any rule is given.
    Unknown,
}

struct Verdict {
    status: ItemStatus,
    kind: VerdictKind,
    note: String,
}

enum CondState {
    Holds(f64),
    Fails(f64),
    Missing,
}

fn check(c: &crate::model::Condition, params: &Params) -> CondState {
    match params.get(&c.param) {
        None => CondState::Missing,
        Some(p) => match p.values.iter().find(|v| c.op.holds(**v, c.value)) {
            Some(v) => CondState::Holds(*v),
            None => CondState::Fails(p.values.first().copied().unwrap_or(f64::NAN)),
        },
    }
}

fn op_text(op: Comparison) -> &'static str {
    op.as_str()
}

/// Appends "key value op limit" (or "key op limit missing") to `out`.
fn write_cond(out: &mut String, c: &crate::model::Condition, value: Option<f64>) {
    out.push_str(&c.param);
    out.push(' ');
    if let Some(v) = value {
        // A figure stated as "above 125" or "below 5" is read a hair past
        // its number: say so, or "125 °C > 125" would read as false.
        let near = (v - c.value).abs() <= 1e-6 * c.value.abs().max(1.0);
        if near && v > c.value {
            out.push_str("more than ");
        } else if near && v < c.value {
            out.push_str("less than ");
        }
        units::write_value(out, &c.param, v);
        out.push(' ');
    }
    out.push_str(op_text(c.op));
    out.push(' ');
    units::write_number(out, c.value);
    if value.is_none() {
        out.push_str(" missing");
    }
}

/// Appends the rule's label ("'label'", or "rule" without one) to `out`.
fn write_label(out: &mut String, r: &crate::model::ThresholdRule) {
    if r.label.is_empty() {
        out.push_str("rule");
    } else {
        out.push('\'');
        out.push_str(&r.label);
        out.push('\'');
    }
}

/// Appends the conditions of `r` whose state `want` accepts, ", "-separated.
fn write_conds(
    out: &mut String,
    r: &crate::model::ThresholdRule,
    st: &[CondState],
    want: fn(&CondState) -> bool,
) {
    for (i, (c, s)) in r.all.iter().zip(st).filter(|(_, s)| want(s)).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        match s {
            CondState::Holds(v) | CondState::Fails(v) => write_cond(out, c, Some(*v)),
            CondState::Missing => write_cond(out, c, None),
        }
    }
}

fn evaluate_rules(e: &ControlEntry, params: &LazyParams<impl FnOnce() -> Params>) -> Verdict {
    if e.rules.is_empty() {
        return Verdict {
            status: ItemStatus::Controlled,
            kind: VerdictKind::NoRules,
            note: " The entry has no threshold: named goods are controlled.".into(),
        };
    }
    let params: &Params = params;
    // Check every condition first (one flat list, rule after rule); words
    // are written only for what is reported, into the one note.
    let states: Vec<CondState> = e
        .rules
        .iter()
        .flat_map(|r| r.all.iter().map(|c| check(c, params)))
        .collect();
    let mut at = 0;
    let per_rule = e.rules.iter().map(|r| {
        let st = &states[at..at + r.all.len()];
        at += r.all.len();
        (r, st)
    });
    let holds = |s: &CondState| matches!(s, CondState::Holds(_));
    let fails = |s: &CondState| matches!(s, CondState::Fails(_));
    let missing = |s: &CondState| matches!(s, CondState::Missing);
    let per_rule: Vec<(&crate::model::ThresholdRule, &[CondState])> = per_rule.collect();
    let mut note = String::with_capacity(128);
    if let Some((r, st)) = per_rule.iter().find(|(_, st)| st.iter().all(holds)) {
        note.push_str(" Threshold ");
        write_label(&mut note, r);
        note.push_str(" holds: ");
        write_conds(&mut note, r, st, holds);
        note.push('.');
        return Verdict {
            status: ItemStatus::Controlled,
            kind: VerdictKind::RuleHeld,
            note,
        };
    }
    let mut partial = per_rule
        .iter()
        .filter(|(_, st)| !st.iter().any(fails) && st.iter().any(holds))
        .peekable();
    if partial.peek().is_some() {
        note.push_str(" Threshold ");
        for (i, (r, st)) in partial.enumerate() {
            if i > 0 {
                note.push_str("; ");
            }
            write_label(&mut note, r);
            note.push_str(" holds on ");
            write_conds(&mut note, r, st, holds);
            note.push_str(" but ");
            write_conds(&mut note, r, st, missing);
        }
        note.push_str(": a deciding figure is missing.");
        return Verdict {
            status: ItemStatus::Uncertain,
            kind: VerdictKind::Partial,
            note,
        };
    }
    let mut failed = per_rule
        .iter()
        .filter(|(_, st)| st.iter().any(fails))
        .peekable();
    if failed.peek().is_some() {
        note.push_str(" Outside the thresholds: ");
        for (i, (r, st)) in failed.enumerate() {
            if i > 0 {
                note.push_str("; ");
            }
            write_label(&mut note, r);
            note.push_str(" fails on ");
            write_conds(&mut note, r, st, fails);
        }
        note.push('.');
        return Verdict {
            status: ItemStatus::Adjacent,
            kind: VerdictKind::Failed,
            note,
        };
    }
    note.push_str(" No deciding figure given; needs ");
    for (i, r) in e.rules.iter().enumerate() {
        if i > 0 {
            note.push_str(" or ");
        }
        write_label(&mut note, r);
        note.push_str(" (");
        for (j, c) in r.all.iter().enumerate() {
            if j > 0 {
                note.push_str(", ");
            }
            note.push_str(&c.param);
            note.push(' ');
            note.push_str(op_text(c.op));
            note.push(' ');
            units::write_number(&mut note, c.value);
        }
        note.push(')');
    }
    note.push('.');
    Verdict {
        status: ItemStatus::Uncertain,
        kind: VerdictKind::Unknown,
        note,
    }
}
