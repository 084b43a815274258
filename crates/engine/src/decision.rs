//! The decision policy: turns item, party, destination and end-use evidence
//! into findings and the shipment's decision.
//!
//! The strongest applicable decision wins:
//! - PROHIBITED: a receiving party (consignee, end user, intermediate
//!   consignee) matches a listed name near-exactly, or a controlled item goes
//!   to a comprehensively embargoed destination;
//! - LICENSE_REQUIRED: any controlled (or uncertain) item;
//! - REVIEW: a possible (fuzzy) party match, an address in an embargoed
//!   country's city while another country is declared, an adjacent item to a
//!   transshipment hub, a red-flag end use, a freight forwarder as the only
//!   receiving party;
//! - CLEAR otherwise.
//!
//! Which groups and thresholds apply comes from `policy.toml`.

use crate::model::{Decision, Finding, FindingKind, Party, PartyRole, ScreeningOutcome, Shipment};

use super::Engine;
use super::item::{ItemMatch, ItemStatus};
use super::party::{PartyMatch, PartyQuery};

/// How many list matches are reported per party.
const MATCHES_PER_PARTY: usize = 3;

/// Screens one shipment with `engine`.
pub fn screen(engine: &Engine, shipment: &Shipment) -> ScreeningOutcome {
    let never = || false;
    match screen_until(engine, shipment, &never) {
        Some(outcome) => outcome,
        None => unreachable!("a screening that is never stopped completes"),
    }
}

/// Screens one shipment with `engine`, asking `stop` before each item and
/// each party; `None` when it said stop (the caller went away).
pub fn screen_until(
    engine: &Engine,
    shipment: &Shipment,
    stop: &dyn Fn() -> bool,
) -> Option<ScreeningOutcome> {
    let mut findings = Vec::new();
    let destination = destination_iso(engine, shipment);
    item_findings(
        engine,
        shipment,
        destination.as_deref(),
        &mut findings,
        stop,
    )?;
    for (i, party) in shipment.parties.iter().enumerate() {
        if stop() {
            return None;
        }
        party_findings(engine, i, party, destination.as_deref(), &mut findings);
    }
    forwarder_finding(engine, shipment, &mut findings);
    end_use_findings(engine, shipment, &mut findings);

    findings.sort_by(|a, b| {
        b.decision
            .cmp(&a.decision)
            .then_with(|| b.score.total_cmp(&a.score))
            .then_with(|| a.target.cmp(&b.target))
    });
    let decision = findings
        .iter()
        .map(|f| f.decision)
        .max()
        .unwrap_or(Decision::Clear);
    Some(ScreeningOutcome {
        decision,
        findings,
        list_versions: engine.list_versions(),
        policy: engine.policy_ref().clone(),
    })
}

/// The destination as an ISO code: the declared destination, else the
/// country of the end user or consignee.
fn destination_iso(engine: &Engine, s: &Shipment) -> Option<String> {
    let geo = engine.geo();
    if let Some(iso) = geo.resolve_country(&s.destination_country) {
        return Some(iso);
    }
    [PartyRole::EndUser, PartyRole::Consignee]
        .iter()
        .find_map(|role| {
            s.parties
                .iter()
                .filter(|p| p.role == *role)
                .find_map(|p| geo.resolve_country(&p.country))
        })
}

fn in_any_group(engine: &Engine, iso: &str, groups: &[String]) -> Option<String> {
    groups
        .iter()
        .find(|g| engine.geo().in_group(iso, g))
        .cloned()
}

fn item_findings(
    engine: &Engine,
    s: &Shipment,
    destination: Option<&str>,
    out: &mut Vec<Finding>,
    stop: &dyn Fn() -> bool,
) -> Option<()> {
    let pol = &engine.policy().destination;
    let embargo = destination.and_then(|d| in_any_group(engine, d, &pol.embargo_groups));
    let hub = destination.and_then(|d| in_any_group(engine, d, &pol.hub_groups));
    let dest_name = destination
        .map(|d| engine.geo().country_name(d).to_string())
        .unwrap_or_default();
    for (i, item) in s.items.iter().enumerate() {
        if stop() {
            return None;
        }
        let mut matches: Vec<ItemMatch> = Vec::new();
        let mut adjacent: Vec<ItemMatch> = Vec::new();
        for idx in engine.item_indexes() {
            let a = idx.classify(item);
            matches.extend(a.matches);
            adjacent.extend(a.adjacent);
        }
        for m in &matches {
            out.push(item_finding(i, m));
        }
        if let (Some(group), Some(best)) = (&embargo, matches.first()) {
            out.push(Finding {
                kind: FindingKind::Destination,
                target: "destination".into(),
                list_id: best.list_id.clone(),
                entry_id: best.code.clone(),
                entry_name: best.title.clone(),
                score: best.score,
                matched_text: format!("{} -> {}", item.description, dest_name),
                matched_terms: vec![destination.unwrap_or_default().to_string()],
                reason: format!(
                    "Controlled item {i} ({}) is going to {dest_name}, a comprehensively embargoed destination.",
                    best.code
                ),
                explanation: format!(
                    "Destination {} is in country group '{group}' (policy destination.embargo_groups); \
                     item {i} is {} under {} {}.",
                    destination.unwrap_or_default(),
                    best.status.as_str().to_lowercase(),
                    best.list_id,
                    best.code
                ),
                decision: Decision::Prohibited,
                rule: format!("destination.embargo_groups:{group}"),
            });
        }
        if matches.is_empty() {
            if let (Some(group), Some(adj)) = (&hub, adjacent.first()) {
                out.push(Finding {
                    kind: FindingKind::Destination,
                    target: "destination".into(),
                    list_id: adj.list_id.clone(),
                    entry_id: adj.code.clone(),
                    entry_name: adj.title.clone(),
                    score: adj.score,
                    matched_text: format!("{} -> {}", item.description, dest_name),
                    matched_terms: adj.matched_terms.clone(),
                    reason: format!(
                        "Item {i} resembles control entry {} but falls outside it, and goes to the transshipment hub {dest_name}.",
                        adj.code
                    ),
                    explanation: format!(
                        "Destination {} is in country group '{group}' (policy destination.hub_groups). {}",
                        destination.unwrap_or_default(),
                        adj.explanation
                    ),
                    decision: Decision::Review,
                    rule: format!("destination.hub_groups:{group}"),
                });
            }
        }
    }
    Some(())
}

fn item_finding(i: usize, m: &ItemMatch) -> Finding {
    let what = match m.status {
        ItemStatus::Controlled => "is controlled under",
        ItemStatus::Uncertain => "may be controlled under (a deciding figure is missing)",
        ItemStatus::Adjacent => "resembles, but falls outside,",
    };
    Finding {
        kind: FindingKind::Item,
        target: format!("item:{i}"),
        list_id: m.list_id.clone(),
        entry_id: m.code.clone(),
        entry_name: m.title.clone(),
        score: m.score,
        matched_text: m.matched_text.clone(),
        matched_terms: m.matched_terms.clone(),
        reason: format!(
            "Item {i} {what} {} {} ({}, Category {}).",
            m.list_id,
            m.code,
            m.title,
            m.category.as_str()
        ),
        explanation: m.explanation.clone(),
        decision: match m.status {
            ItemStatus::Controlled | ItemStatus::Uncertain => Decision::LicenseRequired,
            ItemStatus::Adjacent => Decision::Clear,
        },
        rule: String::new(),
    }
}

fn party_findings(
    engine: &Engine,
    i: usize,
    party: &Party,
    destination: Option<&str>,
    out: &mut Vec<Finding>,
) {
    let pol = engine.policy();
    let prohibiting =
        party.role == PartyRole::Unspecified || pol.party.prohibiting_roles.contains(&party.role);
    let query = PartyQuery {
        name: &party.name,
        country: &party.country,
        address: &party.address,
    };
    let matches = engine.screen_party(&query, MATCHES_PER_PARTY);
    let near_exact = pol.party.near_exact_threshold;
    for m in &matches {
        out.push(party_match_finding(
            i,
            party,
            m,
            prohibiting && m.score >= near_exact,
        ));
    }

    // An address in a city of an embargoed country while the party declares another.
    let geo = engine.geo();
    let declared = geo.resolve_country(&party.country);
    for hit in geo.places_in(&party.address) {
        let Some(group) = in_any_group(engine, &hit.country, &pol.destination.address_groups)
        else {
            continue;
        };
        if declared.as_deref() == Some(hit.country.as_str()) {
            continue;
        }
        out.push(Finding {
            kind: FindingKind::Party,
            target: format!("party:{i}"),
            list_id: String::new(),
            entry_id: String::new(),
            entry_name: String::new(),
            score: 1.0,
            matched_text: hit.matched_text.clone(),
            matched_terms: vec![hit.place.clone()],
            reason: format!(
                "The address of party {i} ({}) is in {} ({}), an embargoed country, but the party declares {}.",
                party.name,
                hit.place,
                geo.country_name(&hit.country),
                if party.country.trim().is_empty() { "no country" } else { party.country.trim() }
            ),
            explanation: format!(
                "Gazetteer {} '{}' is in {}, country group '{group}' (policy destination.address_groups).",
                hit.kind, hit.place, hit.country
            ),
            decision: Decision::Review,
            rule: format!("destination.address_groups:{group}"),
        });
        break;
    }

    // A receiving party based in an embargoed country while the goods go elsewhere.
    if party.role.is_receiving() {
        if let Some(iso) = &declared {
            if let Some(group) = in_any_group(engine, iso, &pol.destination.embargo_groups) {
                if destination != Some(iso.as_str()) {
                    out.push(Finding {
                        kind: FindingKind::Party,
                        target: format!("party:{i}"),
                        list_id: String::new(),
                        entry_id: String::new(),
                        entry_name: String::new(),
                        score: 1.0,
                        matched_text: party.country.clone(),
                        matched_terms: vec![iso.clone()],
                        reason: format!(
                            "Receiving party {i} ({}) is in {}, an embargoed country, while the shipment declares another destination.",
                            party.name,
                            geo.country_name(iso)
                        ),
                        explanation: format!(
                            "Party country {iso} is in country group '{group}' (policy destination.embargo_groups); destination is {}.",
                            destination.unwrap_or("unknown")
                        ),
                        decision: Decision::Review,
                        rule: format!("destination.embargo_groups:{group}:party_country"),
                    });
                }
            }
        }
    }
}

/// A finding for a party match; `prohibits` when the party's role prohibits
/// and the score reaches the near-exact threshold.
fn party_match_finding(i: usize, party: &Party, m: &PartyMatch, prohibits: bool) -> Finding {
    let decision = if prohibits {
        Decision::Prohibited
    } else {
        Decision::Review
    };
    let strength = if m.near_exact {
        "matches exactly (after normalisation)"
    } else {
        "possibly matches"
    };
    Finding {
        kind: FindingKind::Party,
        target: format!("party:{i}"),
        list_id: m.list_id.clone(),
        entry_id: m.entry_id.clone(),
        entry_name: m.entry_name.clone(),
        score: m.score,
        matched_text: party.name.clone(),
        matched_terms: m.matched_terms.clone(),
        reason: format!(
            "{} {} ({}) {strength} {} entry {} '{}'{}.",
            role_label(party.role),
            i,
            party.name,
            m.list_id,
            m.entry_id,
            m.matched_name,
            if m.matched_name != m.entry_name {
                format!(", an alias of '{}'", m.entry_name)
            } else {
                String::new()
            }
        ),
        explanation: m.explanation.clone(),
        decision,
        rule: if decision == Decision::Prohibited {
            "party.near_exact_threshold".into()
        } else {
            "party.review_threshold".into()
        },
    }
}

fn role_label(role: PartyRole) -> &'static str {
    match role {
        PartyRole::Unspecified => "Party",
        PartyRole::Consignee => "Consignee",
        PartyRole::EndUser => "End user",
        PartyRole::IntermediateConsignee => "Intermediate consignee",
        PartyRole::FreightForwarder => "Freight forwarder",
        PartyRole::Purchaser => "Purchaser",
        PartyRole::Exporter => "Exporter",
    }
}

fn forwarder_finding(engine: &Engine, s: &Shipment, out: &mut Vec<Finding>) {
    if !engine.policy().rules.forwarder_as_final_consignee {
        return;
    }
    let has_final = s
        .parties
        .iter()
        .any(|p| matches!(p.role, PartyRole::Consignee | PartyRole::EndUser));
    if has_final {
        return;
    }
    if let Some((i, p)) = s
        .parties
        .iter()
        .enumerate()
        .find(|(_, p)| p.role == PartyRole::FreightForwarder)
    {
        out.push(Finding {
            kind: FindingKind::Party,
            target: format!("party:{i}"),
            list_id: String::new(),
            entry_id: String::new(),
            entry_name: String::new(),
            score: 1.0,
            matched_text: p.name.clone(),
            matched_terms: vec!["FREIGHT_FORWARDER".into()],
            reason: format!(
                "Freight forwarder {i} ({}) is the only receiving party: the final destination is unknown.",
                p.name
            ),
            explanation: "No consignee or end user is named besides the freight forwarder \
                          (BIS red flag; policy rules.forwarder_as_final_consignee)."
                .into(),
            decision: Decision::Review,
            rule: "rules.forwarder_as_final_consignee".into(),
        });
    }
}

fn end_use_findings(engine: &Engine, s: &Shipment, out: &mut Vec<Finding>) {
    if !engine.policy().rules.end_use_red_flags {
        return;
    }
    let hits = engine.red_flags().scan(&s.end_use);
    if hits.is_empty() {
        return;
    }
    let terms: Vec<String> = hits.iter().map(|h| h.term.clone()).collect();
    let cats: Vec<&str> = {
        let mut c: Vec<&str> = hits.iter().map(|h| h.category.as_str()).collect();
        c.dedup();
        c
    };
    out.push(Finding {
        kind: FindingKind::EndUse,
        target: "end_use".into(),
        list_id: String::new(),
        entry_id: String::new(),
        entry_name: String::new(),
        score: 1.0,
        matched_text: hits
            .iter()
            .map(|h| h.matched_text.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        matched_terms: terms,
        reason: format!(
            "The stated end use mentions {} ({}).",
            cats.join(", "),
            hits.iter()
                .map(|h| format!("'{}'", h.matched_text))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        explanation: "Red-flag terms from red-flags.toml (policy rules.end_use_red_flags); \
                      catch-all controls need an officer to judge the end use."
            .into(),
        decision: Decision::Review,
        rule: "rules.end_use_red_flags".into(),
    });
}
