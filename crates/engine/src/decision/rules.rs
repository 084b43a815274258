//! The decision rules as a table of values ([`RULES`]): each has an id
//! (the name `policy.toml` `[rules] active` selects it by), a one-line
//! summary and a pure function from the screening context to findings.
//! A new rule is one value here, one [`RuleId`] variant, its policy entry
//! and its tests (`tests.rs`).
//!
//! Every finding says which rule made it (`rule`: `<rule id>:<detail>`) and
//! why, in one sentence (`reason`) and at length (`explanation`), with the
//! configuration or legal text it rests on.

use std::fmt::Write as _;

use crate::item::{ItemMatch, ItemStatus};
use crate::model::{Decision, EmbargoBasis, Finding, FindingKind, PartyRole, RuleId, Target};

use super::context::Context;
use super::listing::{self, role_label};

/// One decision rule.
pub struct Rule {
    /// Its id (and name in `policy.toml`).
    pub id: RuleId,
    /// What it decides, in one line.
    pub summary: &'static str,
    apply: fn(&Context<'_>, &mut Vec<Finding>),
}

impl Rule {
    /// Adds the rule's findings for the shipment in `ctx`.
    pub(crate) fn apply(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        (self.apply)(ctx, out)
    }
}

/// Every rule, in the order findings are made (the order of [`RuleId::ALL`]).
pub const RULES: &[Rule] = &[
    Rule {
        id: RuleId::ListedParty,
        summary: "a party matches a list entry: a possible match is REVIEW; a near-exact one takes the list's [[listing]] consequence for the party's role",
        apply: listed_party,
    },
    Rule {
        id: RuleId::PartyAddressEmbargoed,
        summary: "a party's address is in a city of an embargoed country while it declares another: REVIEW",
        apply: party_address_embargoed,
    },
    Rule {
        id: RuleId::ReceivingPartyEmbargoed,
        summary: "a receiving party declares an embargoed country the goods are not declared or destined for: REVIEW",
        apply: receiving_party_embargoed,
    },
    Rule {
        id: RuleId::ControlledItem,
        summary: "an item is controlled or may be (a deciding figure missing): LICENSE_REQUIRED",
        apply: controlled_item,
    },
    Rule {
        id: RuleId::EmbargoedDestination,
        summary: "goods go to an embargoed country (declared or ultimate destination): PROHIBITED with a controlled item, else LICENSE_REQUIRED",
        apply: embargoed_destination,
    },
    Rule {
        id: RuleId::SanctionedRegion,
        summary: "a consignee's or end user's address is in a sanctioned region: PROHIBITED with a controlled item, else LICENSE_REQUIRED",
        apply: sanctioned_region,
    },
    Rule {
        id: RuleId::Diversion,
        summary: "the goods are declared for one country and end up in another: a finding of its own, REVIEW when the ultimate destination is of concern",
        apply: diversion,
    },
    Rule {
        id: RuleId::HubAdjacentItem,
        summary: "an item just outside a control entry goes to a transshipment hub: REVIEW",
        apply: hub_adjacent_item,
    },
    Rule {
        id: RuleId::CatchAll,
        summary: "the end use names missiles, rockets or UAVs and the ultimate destination is of missile concern (D:4): LICENSE_REQUIRED for any item",
        apply: catch_all,
    },
    Rule {
        id: RuleId::EndUseRedFlags,
        summary: "red-flag terms in the stated end use: REVIEW",
        apply: end_use_red_flags,
    },
    Rule {
        id: RuleId::ForwarderAsFinalConsignee,
        summary: "a freight forwarder is the only receiving party: REVIEW",
        apply: forwarder_as_final_consignee,
    },
];

/// The rule with this id.
pub fn rule(id: RuleId) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// A finding with the fields every rule sets; the rest empty.
fn finding(kind: FindingKind, target: Target, decision: Decision, rule: String) -> Finding {
    Finding {
        kind,
        target,
        list_id: String::new(),
        entry_id: String::new(),
        entry_name: String::new(),
        score: 1.0,
        matched_text: String::new(),
        matched_terms: Vec::new(),
        reason: String::new(),
        explanation: String::new(),
        decision,
        rule,
        category: None,
    }
}

/// A finding that cites an item's control entry.
fn citing(mut f: Finding, m: &ItemMatch) -> Finding {
    f.list_id = m.list_id.clone();
    f.entry_id = m.code.clone();
    f.entry_name = m.title.clone();
    f.score = m.score;
    f.category = Some(m.category);
    f
}

fn rule_name(id: RuleId, detail: &str) -> String {
    if detail.is_empty() {
        id.as_str().to_string()
    } else {
        join(&[id.as_str(), ":", detail])
    }
}

/// The pieces as one string, allocated once at its length: findings' texts
/// are built for most shipments, and the formatter costs more than copies.
pub(super) fn join(parts: &[&str]) -> String {
    parts.concat()
}

/// [`ItemStatus::as_str`] in lower case.
fn status_lower(status: ItemStatus) -> &'static str {
    match status {
        ItemStatus::Controlled => "controlled",
        ItemStatus::Uncertain => "uncertain",
        ItemStatus::Adjacent => "adjacent",
    }
}

fn listed_party(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for (i, party) in ctx.shipment.parties.iter().enumerate() {
        for m in ctx.parties[i].matches.iter() {
            out.push(listing::party_finding(ctx, i, party, m));
        }
    }
}

fn party_address_embargoed(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let pol = &ctx.engine.policy().destination;
    for (i, party) in ctx.shipment.parties.iter().enumerate() {
        let declared = ctx.parties[i].country.as_deref();
        let hit = ctx.parties[i].places.iter().find_map(|h| {
            let group = ctx.group_of(&h.country, &pol.address_groups)?;
            (h.region.is_none() && declared != Some(h.country.as_str())).then_some((h, group))
        });
        let Some((hit, group)) = hit else {
            continue;
        };
        let mut f = finding(
            FindingKind::Party,
            Target::Party(i),
            Decision::Review,
            rule_name(RuleId::PartyAddressEmbargoed, &group),
        );
        f.matched_text = hit.matched_text.clone();
        f.matched_terms = vec![hit.place.clone()];
        f.reason = join(&[
            "The address of party ",
            itoa::Buffer::new().format(i),
            " (",
            &party.name,
            ") is in ",
            &hit.place,
            " (",
            ctx.engine.geo().country_name(&hit.country),
            "), an embargoed country, but the party declares ",
            if party.country.trim().is_empty() {
                "no country"
            } else {
                party.country.trim()
            },
            ".",
        ]);
        f.explanation = join(&[
            "Gazetteer ",
            &hit.kind,
            " '",
            &hit.place,
            "' is in ",
            &hit.country,
            ", country group '",
            &group,
            "' (policy destination.address_groups).",
        ]);
        out.push(f);
    }
}

fn receiving_party_embargoed(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let pol = &ctx.engine.policy().destination;
    let d = &ctx.destination;
    for (i, party) in ctx.shipment.parties.iter().enumerate() {
        if !party.role.is_receiving() {
            continue;
        }
        let Some(iso) = &ctx.parties[i].country else {
            continue;
        };
        let Some(group) = ctx.group_of(iso, &pol.embargo_groups) else {
            continue;
        };
        if d.ultimate.as_ref() == Some(iso) || d.declared.as_ref() == Some(iso) {
            continue; // the embargo rule decides
        }
        let mut f = finding(
            FindingKind::Party,
            Target::Party(i),
            Decision::Review,
            rule_name(RuleId::ReceivingPartyEmbargoed, &group),
        );
        f.matched_text = party.country.clone();
        f.matched_terms = vec![iso.clone()];
        f.reason = format!(
            "Receiving party {i} ({}) is in {}, an embargoed country, while the goods are declared and destined elsewhere.",
            party.name,
            ctx.country_name(iso)
        );
        f.explanation = format!(
            "Party country {iso} is in country group '{group}' (policy destination.embargo_groups); {}.",
            d.describe()
        );
        out.push(f);
    }
}

fn controlled_item(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for (i, facts) in ctx.items.iter().enumerate() {
        for m in &facts.matches {
            let what = match m.status {
                ItemStatus::Controlled => "is controlled under",
                ItemStatus::Uncertain => "may be controlled under (a deciding figure is missing)",
                ItemStatus::Adjacent => "resembles, but falls outside,",
            };
            let decision = match m.status {
                ItemStatus::Controlled | ItemStatus::Uncertain => Decision::LicenseRequired,
                ItemStatus::Adjacent => Decision::Clear,
            };
            let mut f = citing(
                finding(
                    FindingKind::Item,
                    Target::Item(i),
                    decision,
                    rule_name(RuleId::ControlledItem, ""),
                ),
                m,
            );
            f.matched_text = m.matched_text.clone();
            f.matched_terms = m.matched_terms.clone();
            // "Item {i} {what} {list} {code} ({title}, Category {category})."
            let mut reason = String::with_capacity(
                what.len() + m.list_id.len() + m.code.len() + m.title.len() + 32,
            );
            let _ = write!(reason, "Item {i} ");
            for part in [what, " ", &m.list_id, " ", &m.code, " (", &m.title] {
                reason.push_str(part);
            }
            reason.push_str(", Category ");
            reason.push_str(m.category.as_str());
            reason.push_str(").");
            f.reason = reason;
            f.explanation = m.explanation.clone();
            out.push(f);
        }
    }
}

/// Findings for goods going to an embargoed place: one PROHIBITED finding
/// per controlled item, or one LICENSE_REQUIRED finding when none is.
fn embargo_findings(
    ctx: &Context<'_>,
    id: RuleId,
    detail: &str,
    place: &str,
    basis_text: &str,
    out: &mut Vec<Finding>,
) {
    let d = &ctx.destination;
    // The same for every finding below: described once.
    let described = d.describe();
    let mut any = false;
    for (i, facts) in ctx.items.iter().enumerate() {
        let Some(best) = facts.matches.first() else {
            continue;
        };
        any = true;
        let mut number = itoa::Buffer::new();
        let number = number.format(i);
        let mut f = citing(
            finding(
                FindingKind::Destination,
                Target::Destination,
                Decision::Prohibited,
                rule_name(id, detail),
            ),
            best,
        );
        f.matched_text = join(&[&ctx.shipment.items[i].description, " -> ", place]);
        f.matched_terms = vec![detail.to_string()];
        f.reason = join(&[
            "Controlled item ",
            number,
            " (",
            &best.code,
            ") is going to ",
            place,
            ", ",
            basis_text,
            ".",
        ]);
        f.explanation = join(&[
            &described,
            ". Item ",
            number,
            " is ",
            status_lower(best.status),
            " under ",
            &best.list_id,
            " ",
            &best.code,
            " (Category ",
            best.category.as_str(),
            ").",
        ]);
        out.push(f);
    }
    if !any {
        let mut f = finding(
            FindingKind::Destination,
            Target::Destination,
            Decision::LicenseRequired,
            rule_name(id, detail),
        );
        f.matched_text = place.to_string();
        f.matched_terms = vec![detail.to_string()];
        f.reason = join(&[
            "The goods are going to ",
            place,
            ", ",
            basis_text,
            ": a licence is required even for items not on the control list.",
        ]);
        f.explanation = join(&[&described, "."]);
        out.push(f);
    }
}

fn embargoed_destination(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(e) = &ctx.destination.embargo else {
        return;
    };
    let source = ctx
        .engine
        .geo()
        .group(&e.group)
        .map(|g| g.source.clone())
        .unwrap_or_default();
    let basis = match e.basis {
        EmbargoBasis::Ultimate => "the ultimate destination",
        EmbargoBasis::Declared => "the declared destination",
    };
    let before = out.len();
    embargo_findings(
        ctx,
        RuleId::EmbargoedDestination,
        &e.group,
        &format!("{} ({})", ctx.country_name(&e.country), e.country),
        &format!(
            "{basis} and a comprehensively embargoed country (country group '{}', policy destination.embargo_groups)",
            e.group
        ),
        out,
    );
    for f in &mut out[before..] {
        let _ = write!(f.explanation, " Group source: {source}");
    }
}

fn sanctioned_region(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(r) = &ctx.destination.region else {
        return;
    };
    let party = &ctx.shipment.parties[r.party];
    let source = ctx
        .engine
        .geo()
        .region(&r.id)
        .map(|g| g.source.clone())
        .unwrap_or_default();
    let before = out.len();
    embargo_findings(
        ctx,
        RuleId::SanctionedRegion,
        &r.id,
        &r.name,
        &format!(
            "a sanctioned region ({} {} gives '{}' in its address; policy destination.sanctioned_regions)",
            role_label(party.role),
            r.party,
            r.matched_text
        ),
        out,
    );
    for f in &mut out[before..] {
        let _ = write!(f.explanation, " Region {}: {source}", r.id);
    }
}

fn diversion(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let d = &ctx.destination;
    let (Some(declared), Some(ultimate), Some(party)) = (&d.declared, &d.ultimate, d.basis.party())
    else {
        return;
    };
    if declared == ultimate && d.region.is_none() {
        return;
    }
    if declared == ultimate {
        // Declared for the region's country; the region rule decides.
        return;
    }
    let pol = &ctx.engine.policy().destination;
    let concern = ctx
        .group_of(ultimate, &pol.diversion_review_groups)
        .or_else(|| d.region.as_ref().map(|r| r.id.clone()));
    let hub = ctx.group_of(declared, &pol.hub_groups);
    let p = &ctx.shipment.parties[party];
    let decision = if concern.is_some() {
        Decision::Review
    } else {
        Decision::Clear
    };
    let mut f = finding(
        FindingKind::Party,
        Target::Party(party),
        decision,
        rule_name(RuleId::Diversion, concern.as_deref().unwrap_or("note")),
    );
    f.matched_text = p.country.clone();
    f.matched_terms = vec![declared.clone(), ultimate.clone()];
    let geo = ctx.engine.geo();
    let through = match &hub {
        Some(h) => join(&[
            "the transshipment hub ",
            geo.country_name(declared),
            " (group '",
            h,
            "')",
        ]),
        None => join(&["the third country ", geo.country_name(declared)]),
    };
    f.reason = join(&[
        "The goods are declared for ",
        &through,
        " but the ",
        d.basis.label(),
        " (",
        &p.name,
        ") is in ",
        geo.country_name(ultimate),
        ".",
    ]);
    f.explanation = match &concern {
        Some(g) => join(&[
            &d.describe(),
            ". The ultimate destination is of concern ('",
            g,
            "', policy destination.diversion_review_groups or a sanctioned region): diversion through a third country is how controlled goods reach such destinations.",
        ]),
        None => join(&[
            &d.describe(),
            ". Shown for the officer; it does not change the decision by itself.",
        ]),
    };
    out.push(f);
}

fn hub_adjacent_item(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let pol = &ctx.engine.policy().destination;
    let d = &ctx.destination;
    let hub = [&d.declared, &d.ultimate]
        .into_iter()
        .flatten()
        .find_map(|iso| ctx.group_of(iso, &pol.hub_groups).map(|g| (iso.clone(), g)));
    let Some((iso, group)) = hub else {
        return;
    };
    let name = ctx.country_name(&iso);
    for (i, facts) in ctx.items.iter().enumerate() {
        if !facts.matches.is_empty() {
            continue;
        }
        let Some(adj) = facts.adjacent.first() else {
            continue;
        };
        let mut f = citing(
            finding(
                FindingKind::Destination,
                Target::Destination,
                Decision::Review,
                rule_name(RuleId::HubAdjacentItem, &group),
            ),
            adj,
        );
        f.matched_text = join(&[&ctx.shipment.items[i].description, " -> ", &name]);
        f.matched_terms = adj.matched_terms.clone();
        f.reason = join(&[
            "Item ",
            itoa::Buffer::new().format(i),
            " resembles control entry ",
            &adj.code,
            " but falls outside it, and goes to the transshipment hub ",
            &name,
            ".",
        ]);
        f.explanation = join(&[
            "Destination ",
            &iso,
            " is in country group '",
            &group,
            "' (policy destination.hub_groups). ",
            &adj.explanation,
        ]);
        out.push(f);
    }
}

fn catch_all(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let pol = &ctx.engine.policy().catch_all;
    let Some(ultimate) = &ctx.destination.ultimate else {
        return;
    };
    let Some(group) = ctx.group_of(ultimate, &pol.groups) else {
        return;
    };
    let hits: Vec<_> = ctx
        .end_use_hits()
        .iter()
        .filter(|h| pol.end_use_categories.contains(&h.category))
        .collect();
    if hits.is_empty() {
        return;
    }
    let mut f = finding(
        FindingKind::EndUse,
        Target::EndUse,
        Decision::LicenseRequired,
        rule_name(RuleId::CatchAll, &group),
    );
    f.matched_text = hits
        .iter()
        .map(|h| h.matched_text.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    f.matched_terms = hits.iter().map(|h| h.term.clone()).collect();
    let source = ctx
        .engine
        .geo()
        .group(&group)
        .map(|g| g.source.clone())
        .unwrap_or_default();
    f.reason = format!(
        "The stated end use names {} and the ultimate destination {} ({ultimate}) is in country group '{group}': a licence is required for any item, controlled or not ({}).",
        hits.iter()
            .map(|h| format!("'{}' ({})", h.matched_text, h.category))
            .collect::<Vec<_>>()
            .join(", "),
        ctx.country_name(ultimate),
        pol.cite
    );
    f.explanation = format!(
        "{}. Catch-all categories {:?} (policy catch_all.end_use_categories), groups {:?} (catch_all.groups). Group source: {source}",
        ctx.destination.describe(),
        pol.end_use_categories,
        pol.groups
    );
    out.push(f);
}

fn end_use_red_flags(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let hits = ctx.end_use_hits();
    if hits.is_empty() {
        return;
    }
    let mut cats: Vec<&str> = hits.iter().map(|h| h.category.as_str()).collect();
    cats.dedup();
    let mut f = finding(
        FindingKind::EndUse,
        Target::EndUse,
        Decision::Review,
        rule_name(RuleId::EndUseRedFlags, &cats.join(",")),
    );
    f.matched_text = hits
        .iter()
        .map(|h| h.matched_text.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    f.matched_terms = hits.iter().map(|h| h.term.clone()).collect();
    f.reason = format!(
        "The stated end use mentions {} ({}).",
        cats.join(", "),
        hits.iter()
            .map(|h| format!("'{}'", h.matched_text))
            .collect::<Vec<_>>()
            .join(", ")
    );
    f.explanation = "Red-flag terms from red-flags.toml (rule end_use_red_flags); \
                     catch-all controls need an officer to judge the end use."
        .into();
    out.push(f);
}

fn forwarder_as_final_consignee(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let parties = &ctx.shipment.parties;
    if parties
        .iter()
        .any(|p| matches!(p.role, PartyRole::Consignee | PartyRole::EndUser))
    {
        return;
    }
    let Some((i, p)) = parties
        .iter()
        .enumerate()
        .find(|(_, p)| p.role == PartyRole::FreightForwarder)
    else {
        return;
    };
    let mut f = finding(
        FindingKind::Party,
        Target::Party(i),
        Decision::Review,
        rule_name(RuleId::ForwarderAsFinalConsignee, ""),
    );
    f.matched_text = p.name.clone();
    f.matched_terms = vec!["FREIGHT_FORWARDER".into()];
    f.reason = format!(
        "Freight forwarder {i} ({}) is the only receiving party: the final destination is unknown.",
        p.name
    );
    f.explanation = "No consignee or end user is named besides the freight forwarder \
                     (BIS red flag; rule forwarder_as_final_consignee)."
        .into();
    out.push(f);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_reads_as_the_formatter_writes_it() {
        for s in [
            ItemStatus::Controlled,
            ItemStatus::Uncertain,
            ItemStatus::Adjacent,
        ] {
            assert_eq!(status_lower(s), s.as_str().to_lowercase());
        }
        assert_eq!(join(&["a", "", "bc"]), "abc");
    }
}
