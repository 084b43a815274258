//! End-use red flags: finds mentions of missiles, UAVs, military use, WMD,
//! space launch and re-export in a stated end use (`red-flags.toml`),
//! leaving out mentions that the text clearly negates.
//!
//! Terms match whole words on the normalised text (case, accents and
//! punctuation folded; see [`crate::geo`]'s text rules), leftmost-longest,
//! so a longer benign phrase (`military-grade`, `Salvation Army`) cancels the
//! term it covers.
//!
//! **Negation scope.** A term is negated when a negation cue precedes it in
//! the same clause with at most `max_gap` words between them, each of them a
//! *transparent* function word (`for`, `be`, `intended`, `any` ...) or another
//! red-flag term (coordination: `not for military or missile use`). An
//! `after` cue following the term the same way also negates it
//! (`re-export prohibited`). Punctuation (`, ; : .` ...) and clause words
//! (`but`, `however`) end the scope. So `not for civil use, for missile
//! programme` still flags `missile`: `civil` is not transparent and the comma
//! ends the clause.

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;

use super::EngineError;
use super::geo::text::{NormText, PhraseMatch, PhraseSet, normalize_phrase};

const FILE: &str = "red-flags.toml";

/// A red-flag term found in a stated end use.
#[derive(Clone, Debug, PartialEq)]
pub struct RedFlagHit {
    /// The configured term.
    pub term: String,
    /// Its category (missile, uav, military, nuclear_wmd, re_export, space_launch ...).
    pub category: String,
    /// The words of the end use that matched.
    pub matched_text: String,
}

/// A mention of a red-flag term, negated or not.
#[derive(Clone, Debug, PartialEq)]
pub struct Mention {
    /// The term, its category and the matched words.
    pub hit: RedFlagHit,
    /// True when a negation in the same clause covers it ("not for military use").
    pub negated: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RedFlagsFile {
    negation: NegationSpec,
    #[serde(default)]
    benign: BenignSpec,
    categories: BTreeMap<String, CategorySpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NegationSpec {
    before: Vec<String>,
    after: Vec<String>,
    transparent: Vec<String>,
    max_gap: usize,
    clause_words: Vec<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BenignSpec {
    phrases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategorySpec {
    description: String,
    terms: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// Index into `RedFlags::terms`.
    Term(usize),
    Benign,
    /// A negation cue; `after` when it also negates a term before it.
    Cue {
        after: bool,
    },
}

#[derive(Clone, Debug)]
struct Term {
    text: String,
    category: String,
}

/// Red-flag scanner.
#[derive(Clone, Debug, Default)]
pub struct RedFlags {
    terms: Vec<Term>,
    categories: BTreeMap<String, String>,
    kinds: Vec<Kind>,
    set: Option<PhraseSet>,
    transparent: HashSet<String>,
    clause_words: HashSet<String>,
    max_gap: usize,
}

fn cfg(message: String) -> EngineError {
    EngineError::Config {
        file: FILE.into(),
        message,
    }
}

fn describe(k: &Kind, terms: &[Term]) -> String {
    match k {
        Kind::Term(i) => format!(
            "term '{}' of category {}",
            terms[*i].text, terms[*i].category
        ),
        Kind::Benign => "a benign phrase".into(),
        Kind::Cue { .. } => "a negation cue".into(),
    }
}

fn words(list: &[String], what: &str) -> Result<HashSet<String>, EngineError> {
    list.iter()
        .map(|w| {
            let n = normalize_phrase(w);
            if n.is_empty() || n.contains(' ') {
                Err(cfg(format!("negation.{what}: '{w}' must be one word")))
            } else {
                Ok(n)
            }
        })
        .collect()
}

impl RedFlags {
    /// Builds from `red-flags.toml`.
    ///
    /// # Errors
    /// [`EngineError::Config`] when the file is malformed, a category has no
    /// terms, a term is empty, or one phrase is configured twice with
    /// different meanings (two categories, a term and a benign phrase ...).
    pub fn from_toml(text: &str) -> Result<RedFlags, EngineError> {
        let file: RedFlagsFile = toml::from_str(text).map_err(|e| cfg(e.to_string()))?;
        if file.negation.max_gap > 10 {
            return Err(cfg(format!(
                "negation.max_gap must be at most 10, got {}",
                file.negation.max_gap
            )));
        }
        let mut out = RedFlags {
            transparent: words(&file.negation.transparent, "transparent")?,
            clause_words: words(&file.negation.clause_words, "clause_words")?,
            max_gap: file.negation.max_gap,
            ..RedFlags::default()
        };
        let mut explicit: HashMap<String, Kind> = HashMap::new();
        let mut add = |form: &str, kind: Kind, terms: &[Term], what: &str| {
            let n = normalize_phrase(form);
            if n.is_empty() {
                return Err(cfg(format!("{what}: '{form}' has no letters or digits")));
            }
            match explicit.get_mut(&n) {
                None => {
                    explicit.insert(n, kind);
                    Ok(())
                }
                Some(Kind::Cue { after }) if matches!(kind, Kind::Cue { .. }) => {
                    *after |= kind == Kind::Cue { after: true };
                    Ok(())
                }
                Some(Kind::Term(a)) if matches!(kind, Kind::Term(b) if terms[*a].category == terms[b].category) => {
                    Ok(())
                }
                Some(Kind::Benign) if kind == Kind::Benign => Ok(()),
                Some(other) => Err(cfg(format!(
                    "{what}: '{form}' is already {}",
                    describe(other, terms)
                ))),
            }
        };
        for (name, cat) in &file.categories {
            if cat.terms.is_empty() {
                return Err(cfg(format!("categories.{name}: no terms")));
            }
            out.categories
                .insert(name.clone(), cat.description.trim().to_string());
            for term in &cat.terms {
                let idx = out.terms.len();
                out.terms.push(Term {
                    text: term.clone(),
                    category: name.clone(),
                });
                add(
                    term,
                    Kind::Term(idx),
                    &out.terms,
                    &format!("categories.{name}"),
                )?;
            }
        }
        for p in &file.benign.phrases {
            add(p, Kind::Benign, &out.terms, "benign.phrases")?;
        }
        for c in &file.negation.before {
            add(c, Kind::Cue { after: false }, &out.terms, "negation.before")?;
        }
        for c in &file.negation.after {
            add(c, Kind::Cue { after: true }, &out.terms, "negation.after")?;
        }
        // Plurals of terms ("missiles", "drones"), unless configured otherwise.
        let mut plurals: HashMap<String, Option<Kind>> = HashMap::new();
        for (form, kind) in &explicit {
            if matches!(kind, Kind::Term(_)) && !form.ends_with('s') {
                let p = format!("{form}s");
                if explicit.contains_key(&p) {
                    continue;
                }
                plurals
                    .entry(p)
                    .and_modify(|k| *k = None)
                    .or_insert_with(|| Some(kind.clone()));
            }
        }
        let mut all: BTreeMap<String, Kind> = explicit.into_iter().collect();
        all.extend(plurals.into_iter().filter_map(|(f, k)| k.map(|k| (f, k))));
        let (forms, kinds): (Vec<String>, Vec<Kind>) = all.into_iter().unzip();
        out.set = if forms.is_empty() {
            None
        } else {
            Some(PhraseSet::new(&forms).map_err(|e| cfg(format!("building the matcher: {e}")))?)
        };
        out.kinds = kinds;
        Ok(out)
    }

    /// Categories and their descriptions.
    pub fn categories(&self) -> &BTreeMap<String, String> {
        &self.categories
    }

    /// Checks that every category (as `policy.toml` names them) exists, so
    /// that a misspelt category cannot switch a rule off.
    ///
    /// # Errors
    /// [`EngineError::Config`] for `policy.toml` naming the first unknown category.
    pub fn check_categories<S: AsRef<str>>(&self, names: &[S]) -> Result<(), EngineError> {
        for n in names {
            let n = n.as_ref();
            if !self.categories.contains_key(n) {
                return Err(EngineError::Config {
                    file: "policy.toml".into(),
                    message: format!(
                        "unknown red-flag category '{n}' (not in red-flags.toml: {})",
                        self.categories
                            .keys()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
        }
        Ok(())
    }

    /// Red flags in the text (negated mentions excluded), each term once,
    /// grouped by category in order of first appearance.
    pub fn scan(&self, text: &str) -> Vec<RedFlagHit> {
        self.mentions(text)
            .into_iter()
            .filter(|m| !m.negated)
            .map(|m| m.hit)
            .collect()
    }

    /// Every mention of a red-flag term, negated ones included (for
    /// explanations), each term once per negation state, grouped by category
    /// in order of first appearance.
    pub fn mentions(&self, text: &str) -> Vec<Mention> {
        let Some(set) = &self.set else {
            return Vec::new();
        };
        let t = NormText::new(text);
        let items = set.find(&t);
        let n = t.words.len();
        let mut start_of: Vec<Option<usize>> = vec![None; n];
        let mut end_of: Vec<Option<usize>> = vec![None; n];
        for (k, m) in items.iter().enumerate() {
            start_of[m.words.start] = Some(k);
            end_of[m.words.end - 1] = Some(k);
        }
        let scope = Scope {
            rf: self,
            t: &t,
            items: &items,
            start_of: &start_of,
            end_of: &end_of,
        };
        let mut out: Vec<(usize, Mention)> = Vec::new();
        for (k, m) in items.iter().enumerate() {
            let Kind::Term(ti) = self.kinds[m.phrase] else {
                continue;
            };
            let negated = scope.negated_before(k) || scope.negated_after(k);
            if out.iter().any(|(o, x)| *o == ti && x.negated == negated) {
                continue;
            }
            let term = &self.terms[ti];
            out.push((
                ti,
                Mention {
                    hit: RedFlagHit {
                        term: term.text.clone(),
                        category: term.category.clone(),
                        matched_text: t.original(text, m.words.clone()).to_string(),
                    },
                    negated,
                },
            ));
        }
        let mut order: Vec<String> = Vec::new();
        for (_, m) in &out {
            if !order.contains(&m.hit.category) {
                order.push(m.hit.category.clone());
            }
        }
        let mut mentions: Vec<Mention> = out.into_iter().map(|(_, m)| m).collect();
        mentions.sort_by_key(|m| order.iter().position(|c| *c == m.hit.category));
        mentions
    }
}

/// Negation scope walking over one scanned text.
struct Scope<'a> {
    rf: &'a RedFlags,
    t: &'a NormText,
    items: &'a [PhraseMatch],
    start_of: &'a [Option<usize>],
    end_of: &'a [Option<usize>],
}

impl Scope<'_> {
    fn kind(&self, item: usize) -> &Kind {
        &self.rf.kinds[self.items[item].phrase]
    }

    /// A cue before item `k`, through transparent words and other terms.
    fn negated_before(&self, k: usize) -> bool {
        let mut i = self.items[k].words.start;
        let mut gap = 0;
        loop {
            if i == 0 || self.t.clause_start(i) {
                return false;
            }
            let j = i - 1;
            if let Some(o) = self.end_of[j] {
                match self.kind(o) {
                    Kind::Cue { .. } => return true,
                    Kind::Term(_) => {
                        i = self.items[o].words.start;
                        gap = 0;
                        continue;
                    }
                    Kind::Benign => return false,
                }
            }
            let w = self.t.word(j);
            if self.rf.clause_words.contains(w)
                || !self.rf.transparent.contains(w)
                || gap >= self.rf.max_gap
            {
                return false;
            }
            gap += 1;
            i = j;
        }
    }

    /// An `after` cue following item `k`, through transparent words and other terms.
    fn negated_after(&self, k: usize) -> bool {
        let n = self.t.words.len();
        let mut i = self.items[k].words.end;
        let mut gap = 0;
        loop {
            if i >= n || self.t.clause_start(i) {
                return false;
            }
            if let Some(o) = self.start_of[i] {
                match self.kind(o) {
                    Kind::Cue { after } => return *after,
                    Kind::Term(_) => {
                        i = self.items[o].words.end;
                        gap = 0;
                        continue;
                    }
                    Kind::Benign => return false,
                }
            }
            let w = self.t.word(i);
            if self.rf.clause_words.contains(w)
                || !self.rf.transparent.contains(w)
                || gap >= self.rf.max_gap
            {
                return false;
            }
            gap += 1;
            i += 1;
        }
    }
}
