//! What a party's list match leads to: a possible (fuzzy) match is REVIEW
//! on any list; a near-exact match takes the consequence of the list's
//! `[[listing]]` rules in `policy.toml` for the party's role (deny,
//! licence, licence as the entry states, licence with a controlled item,
//! review), citing the rule's legal basis and the entry's own licence
//! requirement, review policy and Federal Register citations.

use std::fmt::Write as _;

use crate::model::{
    Decision, EntityKind, Finding, FindingKind, LicenseScope, ListingTerms, Party, PartyRole,
    RuleId, Target,
};
use crate::party::PartyMatch;
use crate::policy::{Consequence, ListingRule, Policy};

use super::context::Context;
use super::rules::join;

/// One listing rule's verdict for this party and entry.
struct Verdict<'a> {
    decision: Decision,
    rule: &'a ListingRule,
    /// Why, in a few words ("licence required for all items subject to the EAR").
    effect: String,
}

fn verdict<'a>(
    rule: &'a ListingRule,
    role: PartyRole,
    terms: Option<&ListingTerms>,
    any_controlled: bool,
) -> Verdict<'a> {
    let v = |decision, effect: &str| Verdict {
        decision,
        rule,
        effect: effect.to_string(),
    };
    if !rule.roles.contains(&role) {
        return v(
            Decision::Review,
            &format!(
                "review: the listing rule '{}' does not apply to the {} role",
                rule.name,
                role.as_str()
            ),
        );
    }
    match rule.consequence {
        Consequence::Deny => v(Decision::Prohibited, "no dealings allowed"),
        Consequence::Licence => v(Decision::LicenseRequired, "licence required"),
        Consequence::LicenceByEntry => match terms.map(|t| t.license_scope) {
            Some(LicenseScope::SomeItems) if any_controlled => v(
                Decision::LicenseRequired,
                "licence required: the entry's requirement covers some items and a controlled item is present",
            ),
            Some(LicenseScope::SomeItems) => v(
                Decision::Review,
                "review: the entry's licence requirement covers only some items and no item is controlled",
            ),
            Some(LicenseScope::AllItems) => v(
                Decision::LicenseRequired,
                "licence required for all items subject to the EAR",
            ),
            Some(LicenseScope::Unstated) | None => v(
                Decision::LicenseRequired,
                "licence required (the entry states no narrower requirement)",
            ),
        },
        Consequence::LicenceIfControlled if any_controlled => v(
            Decision::LicenseRequired,
            "licence required: a controlled item is present",
        ),
        Consequence::LicenceIfControlled => v(Decision::Review, "review: no item is controlled"),
        Consequence::Review => v(Decision::Review, "review"),
    }
}

/// The entry's published terms, for explanations.
fn terms_text(terms: &ListingTerms) -> String {
    let mut parts = Vec::new();
    if !terms.license_requirement.is_empty() {
        parts.push(format!(
            "licence requirement: '{}'",
            terms.license_requirement
        ));
    }
    if !terms.license_review_policy.is_empty() {
        parts.push(format!(
            "licence review policy: '{}'",
            terms.license_review_policy
        ));
    }
    if !terms.federal_register.is_empty() {
        parts.push(format!(
            "Federal Register: {}",
            terms.federal_register.join("; ")
        ));
    }
    parts.join("; ")
}

/// True when the match is near-exact for the policy: its score reaches the
/// near-exact threshold, or the name equals a vessel's or aircraft's listed
/// name (their scores are lowered for being unlikely shipment parties, but
/// the same name is the same listing). A name equal to a weak alias stays a
/// possible match.
pub(crate) fn listed(policy: &Policy, m: &PartyMatch) -> bool {
    m.score >= policy.party.near_exact_threshold
        || (m.near_exact && matches!(m.entry_kind, EntityKind::Vessel | EntityKind::Aircraft))
}

/// The finding for party `i`'s match `m`.
pub(crate) fn party_finding(ctx: &Context<'_>, i: usize, party: &Party, m: &PartyMatch) -> Finding {
    let policy: &Policy = ctx.engine.policy();
    let near_exact = listed(policy, m);
    let terms = ctx.engine.listing_terms(&m.list_id, &m.entry_id);
    // Texts joined piece by piece: this runs for every listed party.
    let alias = if m.matched_name != m.entry_name {
        join(&[", an alias of '", &m.entry_name, "'"])
    } else {
        String::new()
    };
    let who = join(&[
        role_label(party.role),
        " ",
        itoa::Buffer::new().format(i),
        " (",
        &party.name,
        ")",
    ]);
    // The entry as every reason below cites it.
    let entry = join(&[
        " ",
        &m.list_id,
        " entry ",
        &m.entry_id,
        " '",
        &m.matched_name,
        "'",
        &alias,
    ]);
    let mut explanation = m.explanation.clone();
    let (decision, rule_name, reason) = if near_exact {
        let rules = policy.listing_rules(&m.list_id, &m.programs);
        let best = rules
            .iter()
            .map(|r| verdict(r, party.role, terms, ctx.any_controlled()))
            .max_by_key(|v| v.decision);
        match best {
            Some(v) => {
                let _ = write!(
                    explanation,
                    " Policy: listing rule '{}' ({} for {}): {}",
                    v.rule.name,
                    v.rule.consequence.as_str(),
                    Policy::roles_text(&v.rule.roles),
                    v.rule.cite
                );
                if !v.rule.note.is_empty() {
                    explanation.push(' ');
                    explanation.push_str(&v.rule.note);
                }
                let effect = match terms {
                    Some(t)
                        if !t.license_review_policy.is_empty()
                            && v.decision == Decision::LicenseRequired =>
                    {
                        format!(
                            "{}; licence review policy: {}",
                            v.effect, t.license_review_policy
                        )
                    }
                    _ => v.effect.clone(),
                };
                (
                    v.decision,
                    v.rule.name.clone(),
                    join(&[
                        &who,
                        " matches exactly (after normalisation)",
                        &entry,
                        ": ",
                        &effect,
                        ".",
                    ]),
                )
            }
            // A checked policy always has a fallback rule; stay on the safe side.
            None => (
                Decision::Review,
                "fallback".to_string(),
                join(&[
                    &who,
                    " matches exactly (after normalisation)",
                    &entry,
                    ": no listing rule applies, review.",
                ]),
            ),
        }
    } else {
        let _ = write!(
            explanation,
            " A possible match (score {:.3} below the near-exact threshold {:.2}) is REVIEW whatever the list.",
            m.score, policy.party.near_exact_threshold
        );
        (
            Decision::Review,
            "possible_match".to_string(),
            join(&[&who, " possibly matches", &entry, "."]),
        )
    };
    if let Some(t) = terms {
        let text = terms_text(t);
        if !text.is_empty() {
            let _ = write!(explanation, " Entry: {text}.");
        }
    }
    Finding {
        kind: FindingKind::Party,
        target: Target::Party(i),
        list_id: m.list_id.clone(),
        entry_id: m.entry_id.clone(),
        entry_name: m.entry_name.clone(),
        score: m.score,
        matched_text: party.name.clone(),
        matched_terms: m.matched_terms.clone(),
        reason,
        explanation,
        decision,
        rule: join(&[RuleId::ListedParty.as_str(), ":", &rule_name]),
        category: None,
    }
}

/// "Consignee", "End user" ...
pub(crate) fn role_label(role: PartyRole) -> &'static str {
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
