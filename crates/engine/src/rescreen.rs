//! Re-screening stored shipments against the entries a denial-list change
//! added or changed (not a full re-run).
//!
//! Two passes:
//!
//! 1. **Quick pass.** A small [`PartyIndex`] is built over only the added
//!    and changed entries (same normalisation and matching code as the
//!    engine), and every stored party is searched in it at a relaxed
//!    threshold ([`QUICK_MARGIN`] below the review threshold). Most parties
//!    share nothing with a few hundred new entries and are done in
//!    microseconds; each distinct (name, country) is searched once.
//! 2. **Confirmation.** A shipment with a quick-pass hit is screened again
//!    with the full new engine, exactly as `ScreenShipment` would screen it
//!    now, and only the findings citing an added or changed entry are kept.
//!
//! Why two passes: token weights are inverse entry frequencies, so scores
//! in the small index differ from those of a full screening (a token rare
//! in the small index may be common in the full lists, and the other way
//! round). Scores must not depend on which path computed them, so the small
//! index only proposes candidates and the decision always comes from the
//! full engine: a party flagged here is flagged identically by a fresh
//! screening. The relaxed threshold absorbs the weight difference; the
//! quick pass can only miss a party whose full score clears the review
//! threshold while its small-index score falls more than the margin below
//! it (the tests check the margin on real SDN entries and name variants).
//! Exact weights in the small index would need the engine to build a
//! `PartyIndex` with another index's vocabulary weights.
//!
//! A finding counts as new unless the stored screening already cited the
//! same entry (by identity key: DPL rows shift) with an equal or stronger
//! decision.

use rustc_hash::{FxHashMap, FxHashSet};

use super::Engine;
use super::party::{PartyIndex, PartyQuery};
use crate::model::{Decision, DenialEntry, Finding};

/// How far below the review threshold the quick pass searches.
pub const QUICK_MARGIN: f64 = 0.25;

/// The added and changed entries of one denial list, with their identity
/// keys (parallel to `entries`).
#[derive(Clone, Debug)]
pub struct ChangedEntries {
    /// List id.
    pub list_id: String,
    /// Added and changed entries as in the new version.
    pub entries: Vec<DenialEntry>,
    /// Their identity keys.
    pub keys: Vec<String>,
}

/// An entry a stored screening cited.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Citation {
    /// List id.
    pub list_id: String,
    /// The entry's identity key.
    pub key: String,
    /// The strongest decision a finding citing it led to.
    pub decision: Decision,
}

/// A stored screening to re-check.
#[derive(Clone, Copy, Debug)]
pub struct Stored<'a> {
    /// The shipment as screened.
    pub shipment: &'a crate::model::Shipment,
    /// Entries its findings cited.
    pub cited: &'a [Citation],
}

/// A stored screening that the change flags.
#[derive(Clone, Debug, PartialEq)]
pub struct Flagged {
    /// Index into the screenings given.
    pub index: usize,
    /// Findings of a screening with the new engine that cite added or
    /// changed entries (and were not cited before).
    pub findings: Vec<Finding>,
    /// The strongest decision among them.
    pub decision: Decision,
    /// The entries cited (list id, entry id in the new version).
    pub entries: Vec<(String, String)>,
}

/// Counts of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Distinct (name, country) pairs searched in the quick pass.
    pub parties_checked: u64,
    /// Screenings confirmed with the full engine.
    pub candidates: u64,
}

/// Re-checks `screenings` against `changed` with the new `engine` (which
/// holds the new versions). Returns the flagged screenings in input order.
pub fn rescreen(
    engine: &Engine,
    changed: &[ChangedEntries],
    screenings: &[Stored<'_>],
) -> (Vec<Flagged>, Stats) {
    let mut stats = Stats::default();
    let lists: Vec<(&str, &[DenialEntry])> = changed
        .iter()
        .filter(|c| !c.entries.is_empty())
        .map(|c| (c.list_id.as_str(), &c.entries[..]))
        .collect();
    if lists.is_empty() || screenings.is_empty() {
        return (Vec::new(), stats);
    }
    let small = PartyIndex::build_with(&lists, engine.geo(), engine.party_index().rules());
    let threshold = engine.policy().party.review_threshold - QUICK_MARGIN;

    // Quick pass over distinct parties.
    let mut parties: Vec<(&str, &str)> = screenings
        .iter()
        .flat_map(|s| s.shipment.parties.iter())
        .map(|p| (p.name.as_str(), p.country.as_str()))
        .collect::<FxHashSet<_>>()
        .into_iter()
        .collect();
    parties.sort_unstable();
    stats.parties_checked = parties.len() as u64;
    let hit = |(name, country): (&str, &str)| {
        let iso = engine.geo().resolve_country(country).unwrap_or_default();
        let q = PartyQuery {
            name,
            country: &iso,
            address: "",
        };
        !small.search(&q, threshold, 1).is_empty()
    };
    let hits: FxHashSet<(&str, &str)> = parallel_filter(&parties, hit);

    // Confirmation with the full engine.
    let changed_ids: FxHashMap<(&str, &str), &str> = changed
        .iter()
        .flat_map(|c| {
            c.entries
                .iter()
                .zip(&c.keys)
                .map(move |(e, k)| ((c.list_id.as_str(), e.entry_id.as_str()), k.as_str()))
        })
        .collect();
    let candidates: Vec<usize> = (0..screenings.len())
        .filter(|&i| {
            screenings[i]
                .shipment
                .parties
                .iter()
                .any(|p| hits.contains(&(p.name.as_str(), p.country.as_str())))
        })
        .collect();
    stats.candidates = candidates.len() as u64;
    let confirm = |&i: &usize| -> Option<Flagged> {
        let s = &screenings[i];
        let outcome = engine.screen_shipment(s.shipment);
        let findings: Vec<Finding> = outcome
            .findings
            .into_iter()
            .filter(|f| f.decision > Decision::Clear)
            .filter(|f| {
                let Some(key) = changed_ids.get(&(f.list_id.as_str(), f.entry_id.as_str())) else {
                    return false;
                };
                !s.cited
                    .iter()
                    .any(|c| c.list_id == f.list_id && c.key == *key && c.decision >= f.decision)
            })
            .collect();
        let decision = findings.iter().map(|f| f.decision).max()?;
        let mut entries: Vec<(String, String)> = findings
            .iter()
            .map(|f| (f.list_id.clone(), f.entry_id.clone()))
            .collect();
        entries.sort();
        entries.dedup();
        Some(Flagged {
            index: i,
            findings,
            decision,
            entries,
        })
    };
    let mut flagged: Vec<Flagged> = parallel_map(&candidates, confirm);
    flagged.sort_by_key(|f| f.index);
    (flagged, stats)
}

/// Worker threads for a run: the machine's cores, at most 8.
fn workers(items: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.clamp(1, 8).min(items.max(1))
}

/// The items for which `f` holds, computed on several threads.
fn parallel_filter<T, F>(items: &[T], f: F) -> FxHashSet<T>
where
    T: Copy + Eq + std::hash::Hash + Send + Sync,
    F: Fn(T) -> bool + Sync,
{
    parallel_map(items, |&t| f(t).then_some(t))
        .into_iter()
        .collect()
}

/// `f` over `items` on several threads; the `Some` results, in no
/// particular order.
fn parallel_map<T, R, F>(items: &[T], f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> Option<R> + Sync,
{
    let n = workers(items.len());
    if n <= 1 {
        return items.iter().filter_map(&f).collect();
    }
    let chunk = items.len().div_ceil(n);
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().filter_map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::LoadedList;
    use crate::model::{
        EntityKind, EntryName, ListContent, ListMeta, NameKind, Party, PartyRole, Shipment,
    };
    use crate::reference::ReferenceFiles;

    fn entry(id: &str, name: &str) -> DenialEntry {
        DenialEntry {
            entry_id: id.into(),
            kind: EntityKind::Organization,
            names: vec![EntryName {
                name: name.into(),
                kind: NameKind::Primary,
            }],
            ..DenialEntry::default()
        }
    }

    fn engine(entries: Vec<DenialEntry>) -> Engine {
        let content = ListContent::Denial(entries);
        let meta = ListMeta {
            list_id: "l".into(),
            version: 2,
            kind: crate::model::ListKind::Denial,
            entries: content.len() as u32,
            names: content.name_count() as u32,
            ..ListMeta::default()
        };
        let lists = [LoadedList {
            meta,
            content: Arc::new(content),
        }];
        Engine::build(&lists, &ReferenceFiles::embedded()).unwrap()
    }

    fn shipment(name: &str) -> Shipment {
        Shipment {
            reference: name.into(),
            exporter: "ACME".into(),
            parties: vec![Party {
                role: PartyRole::Consignee,
                name: name.into(),
                address: String::new(),
                country: String::new(),
            }],
            destination_country: "DE".into(),
            ..Shipment::default()
        }
    }

    #[test]
    fn only_new_entries_flag_and_exactly_as_a_fresh_screening() {
        let old = entry("1", "Quillon Anvil Heavy Industries");
        let new = entry("2", "Zephyr Orbital Propulsion Works");
        let e = engine(vec![old.clone(), new.clone()]);
        let changed = [ChangedEntries {
            list_id: "l".into(),
            keys: vec!["2".into()],
            entries: vec![new],
        }];
        let ships = [
            shipment("Zephyr Orbital Propulsion Works LLC"),
            shipment("Quillon Anvil Heavy Industries"),
            shipment("Hokuriku Precision Devices"),
            shipment("Zephyr Orbitall Propulsion"),
        ];
        let stored: Vec<Stored<'_>> = ships
            .iter()
            .map(|s| Stored {
                shipment: s,
                cited: &[],
            })
            .collect();
        let (flagged, stats) = rescreen(&e, &changed, &stored);
        let got: Vec<usize> = flagged.iter().map(|f| f.index).collect();
        assert_eq!(got, vec![0, 3], "{flagged:?}");
        assert_eq!(stats.parties_checked, 4);
        for f in &flagged {
            let fresh = e.screen_shipment(&ships[f.index]);
            let cited: Vec<&Finding> = fresh
                .findings
                .iter()
                .filter(|x| x.entry_id == "2")
                .collect();
            assert_eq!(f.findings.iter().collect::<Vec<_>>(), cited);
            assert_eq!(f.entries, vec![("l".to_string(), "2".to_string())]);
        }
        assert_eq!(flagged[0].decision, Decision::Prohibited);
    }

    #[test]
    fn entries_already_cited_do_not_flag_again() {
        let new = entry("2", "Zephyr Orbital Propulsion Works");
        let e = engine(vec![new.clone()]);
        let changed = [ChangedEntries {
            list_id: "l".into(),
            keys: vec!["2".into()],
            entries: vec![new],
        }];
        let s = shipment("Zephyr Orbital Propulsion Works");
        let weaker = [Citation {
            list_id: "l".into(),
            key: "2".into(),
            decision: Decision::Review,
        }];
        let same = [Citation {
            decision: Decision::Prohibited,
            ..weaker[0].clone()
        }];
        let run = |cited: &[Citation]| {
            rescreen(
                &e,
                &changed,
                &[Stored {
                    shipment: &s,
                    cited,
                }],
            )
            .0
            .len()
        };
        assert_eq!(run(&weaker), 1, "a stronger decision is news");
        assert_eq!(run(&same), 0);
        assert_eq!(run(&[]), 1);
        assert!(
            rescreen(
                &e,
                &[],
                &[Stored {
                    shipment: &s,
                    cited: &[]
                }]
            )
            .0
            .is_empty()
        );
    }
}
