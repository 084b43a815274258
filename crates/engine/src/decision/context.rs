//! What the decision rules read, computed once per shipment: each item's
//! classification, each party's resolved country, list matches (the best
//! per list) and gazetteer places, and the destination facts (declared and
//! ultimate destination, its groups, embargo, sanctioned region).
//!
//! Rules never recompute any of this; the outcome carries the destination
//! facts so that the case workflow does not either.

use std::cell::OnceCell;
use std::sync::Arc;

use crate::end_use::RedFlagHit;
use crate::geo::PlaceHit;
use crate::item::ItemAssessment;
use crate::model::{
    DestinationFacts, EmbargoBasis, EmbargoFact, PartyRole, RegionFact, Shipment, UltimateBasis,
};
use crate::party::{PartyMatch, PartyQuery};

use super::super::Engine;

/// How many candidate matches are asked of the party index per party before
/// keeping the best one per list (several rows of one list may name the
/// same legal entity, e.g. an Entity List entry repeated under each country).
const CANDIDATES_PER_PARTY: usize = 12;

/// One item's classification (shared with the engine's memo).
pub(crate) type ItemFacts = Arc<ItemAssessment>;

/// One party's facts.
#[derive(Clone, Debug, Default)]
pub(crate) struct PartyFacts {
    /// The declared country as an ISO code, when known.
    pub country: Option<String>,
    /// List matches at or above the review threshold, the best one per
    /// list, best first (shared with the engine's memo).
    pub matches: Arc<Vec<PartyMatch>>,
    /// Gazetteer places in the party's address.
    pub places: Vec<PlaceHit>,
}

/// Everything the rules read.
pub(crate) struct Context<'a> {
    /// The engine (lists, policy, geography).
    pub engine: &'a Engine,
    /// The shipment.
    pub shipment: &'a Shipment,
    /// Per item, in order.
    pub items: Vec<ItemFacts>,
    /// Per party, in order.
    pub parties: Vec<PartyFacts>,
    /// Where the goods go.
    pub destination: DestinationFacts,
    /// The red flags of the stated end use, read on first use (two rules
    /// read them; the text is scanned once).
    end_use_hits: OnceCell<Vec<RedFlagHit>>,
}

impl<'a> Context<'a> {
    /// Classifies items, matches parties, resolves the destination, asking `stop` before each item and each party;
    /// `None` when it said stop (the caller went away: no more work).
    pub fn new_until(
        engine: &'a Engine,
        shipment: &'a Shipment,
        stop: &dyn Fn() -> bool,
    ) -> Option<Context<'a>> {
        let mut items = Vec::with_capacity(shipment.items.len());
        for item in &shipment.items {
            if stop() {
                return None;
            }
            items.push(engine.assess_item(item));
        }
        let mut parties = Vec::with_capacity(shipment.parties.len());
        for p in &shipment.parties {
            if stop() {
                return None;
            }
            let query = PartyQuery {
                name: &p.name,
                country: &p.country,
                address: &p.address,
            };
            parties.push(PartyFacts {
                country: engine.geo().resolve_country(&p.country),
                matches: engine.shipment_party_matches(&query, CANDIDATES_PER_PARTY),
                places: engine.geo().places_in(&p.address),
            });
        }
        let mut ctx = Context {
            engine,
            shipment,
            items,
            parties,
            destination: DestinationFacts::default(),
            end_use_hits: OnceCell::new(),
        };
        ctx.destination = destination_facts(&ctx);
        Some(ctx)
    }

    /// True when any item is controlled or may be (a deciding figure missing).
    /// The red flags of the stated end use (negated mentions excluded), as
    /// [`crate::end_use::RedFlags::scan`] reads them.
    pub fn end_use_hits(&self) -> &[RedFlagHit] {
        self.end_use_hits
            .get_or_init(|| self.engine.red_flags().scan(&self.shipment.end_use))
    }

    pub fn any_controlled(&self) -> bool {
        self.items.iter().any(|i| !i.matches.is_empty())
    }

    /// The first group of `groups` the country is in.
    pub fn group_of(&self, iso: &str, groups: &[String]) -> Option<String> {
        groups
            .iter()
            .find(|g| self.engine.geo().in_group(iso, g))
            .cloned()
    }

    /// Display name of a country.
    pub fn country_name(&self, iso: &str) -> String {
        self.engine.geo().country_name(iso).to_string()
    }
}

/// A party's country: the declared one, else the country of a gazetteer
/// place in its address (only when it declares none).
fn party_country(ctx: &Context<'_>, i: usize) -> Option<(String, bool)> {
    let facts = &ctx.parties[i];
    if let Some(iso) = &facts.country {
        return Some((iso.clone(), false));
    }
    if !ctx.shipment.parties[i].country.trim().is_empty() {
        // A country was written but is not known: do not guess from the address.
        return None;
    }
    facts
        .places
        .iter()
        .find(|h| h.region.is_none())
        .map(|h| (h.country.clone(), true))
}

/// The ultimate destination (end user's country, else the consignee's,
/// else the declared destination), its groups, the embargo that applies to
/// it or to the declared destination, and a sanctioned region named in a
/// consignee's or end user's address.
fn destination_facts(ctx: &Context<'_>) -> DestinationFacts {
    let engine = ctx.engine;
    let geo = engine.geo();
    let pol = &engine.policy().destination;
    let declared = geo.resolve_country(&ctx.shipment.destination_country);

    let by_role = |role: PartyRole| {
        ctx.shipment
            .parties
            .iter()
            .enumerate()
            .filter(|(_, p)| p.role == role)
            .find_map(|(i, _)| party_country(ctx, i).map(|c| (i, c)))
    };
    let (ultimate, basis, from_address) =
        if let Some((party, (iso, addr))) = by_role(PartyRole::EndUser) {
            (Some(iso), UltimateBasis::EndUser { party }, addr)
        } else if let Some((party, (iso, addr))) = by_role(PartyRole::Consignee) {
            (Some(iso), UltimateBasis::Consignee { party }, addr)
        } else if declared.is_some() {
            (declared.clone(), UltimateBasis::Declared, false)
        } else {
            (None, UltimateBasis::Unknown, false)
        };

    let region = ctx
        .shipment
        .parties
        .iter()
        .enumerate()
        .filter(|(_, p)| matches!(p.role, PartyRole::EndUser | PartyRole::Consignee))
        .find_map(|(i, _)| {
            ctx.parties[i].places.iter().find_map(|h| {
                let id = h.region.as_ref()?;
                if !pol.sanctioned_regions.contains(id) {
                    return None;
                }
                let r = geo.region(id)?;
                Some(RegionFact {
                    id: id.clone(),
                    name: r.name.clone(),
                    country: r.country.clone(),
                    party: i,
                    place: h.place.clone(),
                    matched_text: h.matched_text.clone(),
                })
            })
        });
    // A region is where the goods end up, whatever country a party declares.
    let (ultimate, basis) = match &region {
        Some(r) if ultimate.is_none() || basis == UltimateBasis::Declared => (
            Some(r.country.clone()),
            if ctx.shipment.parties[r.party].role == PartyRole::EndUser {
                UltimateBasis::EndUser { party: r.party }
            } else {
                UltimateBasis::Consignee { party: r.party }
            },
        ),
        _ => (ultimate, basis),
    };

    let group_of = |iso: &Option<String>| {
        iso.as_ref()
            .and_then(|c| ctx.group_of(c, &pol.embargo_groups).map(|g| (c.clone(), g)))
    };
    let embargo = match (group_of(&ultimate), group_of(&declared)) {
        (Some((country, group)), _) => Some(EmbargoFact {
            country,
            group,
            basis: EmbargoBasis::Ultimate,
        }),
        (None, Some((country, group))) => Some(EmbargoFact {
            country,
            group,
            basis: EmbargoBasis::Declared,
        }),
        (None, None) => None,
    };
    DestinationFacts {
        groups: ultimate
            .as_deref()
            .map(|u| geo.groups_of(u))
            .unwrap_or_default(),
        declared,
        ultimate,
        basis,
        from_address,
        embargo,
        region,
    }
}
