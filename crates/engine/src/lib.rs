//! exportscreen-engine: the screening engine, pure (no I/O, no async),
//! immutable, built from a snapshot of all lists plus the reference
//! configuration, and the domain types ([`model`]) every layer shares.
//!
//! This crate depends on no async runtime, transport, protobuf or storage
//! crate: the compiler, not a grep, keeps it pure. The service crate
//! (`exportscreen`) re-exports it as `exportscreen::engine` and
//! `exportscreen::model`.
//!
//! A list change builds a new [`Engine`] off the request path; the service
//! swaps it in atomically, so screening never waits for an import.
//!
//! - [`model`]: plain domain types (entries, shipments, findings, decisions).
//! - [`party`]: name normalisation and fuzzy matching against denial lists.
//! - [`item`]: control-list classification of item descriptions.
//! - [`geo`]: countries, country groups, gazetteer.
//! - [`end_use`]: red flags in stated end uses.
//! - [`policy`]: thresholds and rule switches (`policy.toml`).
//! - [`negation`]: the one negation list every text reader shares.
//! - [`units`]: figures with units read from item descriptions.
//! - [`decision`]: combines findings into the decision.

#![deny(missing_docs)]

pub mod decision;
pub mod end_use;
mod error;
pub mod geo;
pub mod item;
mod memo;
pub mod model;
pub mod negation;
pub mod party;
pub mod policy;
pub mod reference;
pub mod rescreen;
pub mod text;
pub mod units;
mod word_filter;
mod word_trie;

// The build-time reader of the data files, tested here.
#[cfg(test)]
#[path = "../build/data.rs"]
mod build_data;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub use error::EngineError;

use crate::model::{
    Item, ListContent, ListMeta, ListVersionRef, ListingTerms, PolicyRef, ScreeningOutcome,
    Shipment,
};
use end_use::RedFlags;
use geo::Geo;
use item::{ItemAssessment, ItemIndex, ItemMatch};
use party::{PartyIndex, PartyMatch, PartyQuery};
use policy::Policy;
use reference::ReferenceFiles;

/// One list version with its content, as the engine is built from.
#[derive(Clone, Debug)]
pub struct LoadedList {
    /// Version metadata.
    pub meta: ListMeta,
    /// Entries.
    pub content: Arc<ListContent>,
}

/// The immutable screening engine.
#[derive(Debug)]
pub struct Engine {
    lists: Vec<ListMeta>,
    party: PartyIndex,
    /// Published listing terms (licence requirement, review policy, Federal
    /// Register) by list id and entry id, for the entries that have them.
    listing_terms: HashMap<String, HashMap<String, ListingTerms>>,
    items: Vec<ItemIndex>,
    geo: Geo,
    red_flags: RedFlags,
    policy: Policy,
    policy_ref: PolicyRef,
    /// A number of its own, so that a thread's memos of item
    /// classifications and party matches know which engine computed them.
    id: u64,
    /// Whether item classifications and shipment parties' matches are
    /// memoised ([`Engine::set_memo`]).
    memo: bool,
}

/// A number for each engine built.
fn next_engine_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Engine {
    /// Builds the engine from list versions and reference files.
    ///
    /// # Errors
    /// [`EngineError`] when a configuration file or a control-list entry is unusable.
    pub fn build(lists: &[LoadedList], reference: &ReferenceFiles) -> Result<Engine, EngineError> {
        let policy = Policy::from_toml(&reference.policy)?;
        let geo = Geo::from_toml(&reference.countries, &reference.gazetteer)?;
        let d = &policy.destination;
        for groups in [
            &d.embargo_groups,
            &d.hub_groups,
            &d.address_groups,
            &d.diversion_review_groups,
            &policy.catch_all.groups,
        ] {
            geo.check_groups(groups)?;
        }
        geo.check_regions(&d.sanctioned_regions)?;
        let red_flags = RedFlags::from_toml(&reference.red_flags)?;
        red_flags.check_categories(&policy.catch_all.end_use_categories)?;
        let mut sorted: Vec<&LoadedList> = lists.iter().collect();
        sorted.sort_by(|a, b| a.meta.list_id.cmp(&b.meta.list_id));
        let mut denial = Vec::new();
        let mut items = Vec::new();
        let mut listing_terms: HashMap<String, HashMap<String, ListingTerms>> = HashMap::new();
        for l in &sorted {
            match l.content.as_ref() {
                ListContent::Denial(entries) => {
                    let terms: HashMap<String, ListingTerms> = entries
                        .iter()
                        .filter_map(|e| Some((e.entry_id.clone(), e.listing.clone()?)))
                        .collect();
                    if !terms.is_empty() {
                        listing_terms.insert(l.meta.list_id.clone(), terms);
                    }
                    denial.push((l.meta.list_id.as_str(), &entries[..]))
                }
                ListContent::Control(entries) => {
                    items.push(ItemIndex::build(&l.meta.list_id, entries)?)
                }
            }
        }
        let rules = party::rules::NameRules::from_toml(
            &reference.party_words,
            &reference.nicknames,
            &reference.legal_forms,
        )?
        .with_well_known(&reference.well_known)?;
        let party = PartyIndex::build_with(&denial, &geo, Arc::new(rules));
        let policy_ref = PolicyRef {
            version: reference.version(),
            party_review_threshold: policy.party.review_threshold,
            party_near_exact_threshold: policy.party.near_exact_threshold,
        };
        Ok(Engine {
            lists: sorted.iter().map(|l| l.meta.clone()).collect(),
            party,
            listing_terms,
            items,
            geo,
            red_flags,
            policy,
            policy_ref,
            id: next_engine_id(),
            memo: true,
        })
    }

    /// Turns the memos of item classifications and of shipment parties'
    /// matches on (the default) or off. Off, every item is classified and
    /// every party searched afresh: what a shipment never seen before
    /// costs, as the engine bench measures it.
    pub fn set_memo(&mut self, on: bool) {
        self.memo = on;
    }

    /// One item's classification against every control list: controlled
    /// and uncertain matches, and adjacent ones, in list order. An item
    /// classified before on this thread by this engine (the same
    /// description, declared code, quantity, unit and parameters) is
    /// answered from this thread's memo (`item/memo.rs`).
    pub fn assess_item(&self, item: &Item) -> Arc<ItemAssessment> {
        let compute = || {
            let mut all = ItemAssessment::default();
            for idx in &self.items {
                let a = idx.classify(item);
                all.matches.extend(a.matches);
                all.adjacent.extend(a.adjacent);
            }
            all
        };
        if self.memo {
            item::memo::get_or_compute(self.id, item, compute)
        } else {
            Arc::new(compute())
        }
    }

    /// Screens a shipment: items, parties, destination, end use. The text
    /// is read as a reader sees it ([`text::canonical`]): invisible
    /// characters and bidi overrides cannot hide a name or a good.
    pub fn screen_shipment(&self, shipment: &Shipment) -> ScreeningOutcome {
        match text::canonical_shipment(shipment) {
            Some(visible) => decision::screen(self, &visible),
            None => decision::screen(self, shipment),
        }
    }

    /// [`Engine::screen_shipment`], asking `stop` before each item and
    /// each party: `None` once it says stop (the caller went away), so a
    /// cancelled call stops costing CPU.
    pub fn screen_shipment_until(
        &self,
        shipment: &Shipment,
        stop: &dyn Fn() -> bool,
    ) -> Option<ScreeningOutcome> {
        match text::canonical_shipment(shipment) {
            Some(visible) => decision::screen_until(self, &visible, stop),
            None => decision::screen_until(self, shipment, stop),
        }
    }

    /// Party matches at or above the review threshold, best first; `limit`
    /// 0 means the policy's default.
    pub fn screen_party(&self, query: &PartyQuery<'_>, limit: usize) -> Vec<PartyMatch> {
        self.screen_party_with(query, limit, false)
    }

    /// [`Engine::screen_party`], keeping the best match of each list (the
    /// first of its list, best first): what a shipment's party reports.
    /// Only those are explained.
    pub fn screen_party_best_per_list(
        &self,
        query: &PartyQuery<'_>,
        limit: usize,
    ) -> Vec<PartyMatch> {
        self.screen_party_with(query, limit, true)
    }

    /// [`Engine::screen_party_best_per_list`] for a shipment's party: a
    /// party this engine searched before on this thread (the same name,
    /// address, country and `limit`) is answered from this thread's memo
    /// (`party/answer_memo.rs`).
    pub(crate) fn shipment_party_matches(
        &self,
        query: &PartyQuery<'_>,
        limit: usize,
    ) -> Arc<Vec<PartyMatch>> {
        let compute = || self.screen_party_with(query, limit, true);
        if self.memo {
            party::answer_memo::get_or_compute(self.id, query, limit, compute)
        } else {
            Arc::new(compute())
        }
    }

    fn screen_party_with(
        &self,
        query: &PartyQuery<'_>,
        limit: usize,
        best_per_list: bool,
    ) -> Vec<PartyMatch> {
        let limit = if limit == 0 {
            self.policy.party.default_limit
        } else {
            limit
        };
        let name = text::canonical(query.name);
        let address = text::canonical(query.address);
        let country = text::canonical(query.country);
        let iso = self.geo.resolve_country(&country).unwrap_or_default();
        let query = PartyQuery {
            name: &name,
            address: &address,
            country: &iso,
        };
        let threshold = self.policy.party.review_threshold;
        if best_per_list {
            self.party.search_best_per_list(&query, threshold, limit)
        } else {
            self.party.search(&query, threshold, limit)
        }
    }

    /// Controlled and uncertain control-list matches of one item, best first.
    pub fn screen_item(&self, item: &Item) -> Vec<ItemMatch> {
        let visible = text::canonical_item(item);
        let item = visible.as_ref().unwrap_or(item);
        let mut out: Vec<ItemMatch> = self.assess_item(item).matches.clone();
        out.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.code.cmp(&b.code))
        });
        out
    }

    /// Versions of every list the engine was built from, sorted by list id.
    pub fn list_versions(&self) -> Vec<ListVersionRef> {
        self.lists.iter().map(ListMeta::version_ref).collect()
    }

    /// Metadata of every list, sorted by list id.
    pub fn lists(&self) -> &[ListMeta] {
        &self.lists
    }

    /// The decision policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Policy version and thresholds, as recorded with each screening.
    pub fn policy_ref(&self) -> &PolicyRef {
        &self.policy_ref
    }

    /// Countries, groups and gazetteer.
    pub fn geo(&self) -> &Geo {
        &self.geo
    }

    /// The party index.
    pub fn party_index(&self) -> &PartyIndex {
        &self.party
    }

    /// The item indexes, one per control list.
    pub fn item_indexes(&self) -> &[ItemIndex] {
        &self.items
    }

    /// End-use red flags.
    pub fn red_flags(&self) -> &RedFlags {
        &self.red_flags
    }

    /// The published terms of a denial-list entry (Entity List licence
    /// requirement, review policy, Federal Register citations), if it has any.
    pub fn listing_terms(&self, list_id: &str, entry_id: &str) -> Option<&ListingTerms> {
        self.listing_terms.get(list_id)?.get(entry_id)
    }
}
