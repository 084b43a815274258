//! The decision policy configuration (`control-lists/policy.toml`):
//! thresholds, what a match on each list leads to (`[[listing]]`), which
//! country groups and regions drive which rule, the catch-all, and which
//! decision rules are in force.

use serde::Deserialize;

use super::EngineError;
use crate::model::{PartyRole, RuleId};

/// Parsed `policy.toml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Party matching thresholds.
    pub party: PartyPolicy,
    /// What a near-exact match on a list leads to, per list and programme.
    pub listing: Vec<ListingRule>,
    /// Destination rules.
    pub destination: DestinationPolicy,
    /// The missile catch-all (EAR § 744.3).
    pub catch_all: CatchAllPolicy,
    /// The rules in force.
    pub rules: RulesPolicy,
}

/// `[party]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyPolicy {
    /// Matches at or above this are reported (REVIEW).
    pub review_threshold: f64,
    /// Matches at or above this are near-exact and take the list's consequence.
    pub near_exact_threshold: f64,
    /// Default ScreenParty limit.
    pub default_limit: usize,
}

/// What a near-exact match leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consequence {
    /// REVIEW.
    Review,
    /// LICENSE_REQUIRED with a controlled item in the shipment, else REVIEW.
    #[serde(alias = "license_if_controlled")]
    LicenceIfControlled,
    /// As the entry's licence requirement says: all items -> LICENSE_REQUIRED;
    /// some items -> LICENSE_REQUIRED with a controlled item, else REVIEW.
    #[serde(alias = "license_by_entry")]
    LicenceByEntry,
    /// LICENSE_REQUIRED.
    #[serde(alias = "license")]
    Licence,
    /// PROHIBITED.
    Deny,
}

impl Consequence {
    /// The name as written in `policy.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Consequence::Review => "review",
            Consequence::LicenceIfControlled => "licence_if_controlled",
            Consequence::LicenceByEntry => "licence_by_entry",
            Consequence::Licence => "licence",
            Consequence::Deny => "deny",
        }
    }
}

/// `[[listing]]`: the consequence of a near-exact match on some lists (and
/// programmes).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListingRule {
    /// Short name, shown in findings (`rule`).
    pub name: String,
    /// List ids, or `*` for any list.
    pub lists: Vec<String>,
    /// Programmes; empty: any entry of the lists.
    #[serde(default)]
    pub programs: Vec<String>,
    /// What a near-exact match leads to.
    pub consequence: Consequence,
    /// Roles the consequence applies to; other roles get REVIEW.
    pub roles: Vec<PartyRole>,
    /// Legal basis, shown in explanations.
    pub cite: String,
    /// A further note shown in explanations (the 50 % rule ...).
    #[serde(default)]
    pub note: String,
}

impl ListingRule {
    fn names_list(&self, list_id: &str) -> bool {
        self.lists.iter().any(|l| l == list_id)
    }

    fn is_wildcard(&self) -> bool {
        self.lists.iter().any(|l| l == "*")
    }

    fn shares_program(&self, programs: &[String]) -> bool {
        self.programs.iter().any(|p| {
            programs
                .iter()
                .any(|q| q.trim().eq_ignore_ascii_case(p.trim()))
        })
    }
}

/// `[destination]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DestinationPolicy {
    /// Goods to these groups (declared or ultimate destination): controlled
    /// PROHIBITED, anything else LICENSE_REQUIRED.
    pub embargo_groups: Vec<String>,
    /// Gazetteer regions treated as embargoed destinations.
    pub sanctioned_regions: Vec<String>,
    /// Adjacent item to these groups: REVIEW.
    pub hub_groups: Vec<String>,
    /// Address in a city of these groups' countries while another country is declared: REVIEW.
    pub address_groups: Vec<String>,
    /// A diversion to a country of these groups is REVIEW.
    pub diversion_review_groups: Vec<String>,
}

/// `[catch_all]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatchAllPolicy {
    /// Ultimate destinations of missile concern (Country Group D:4).
    pub groups: Vec<String>,
    /// Red-flag categories that name missiles, rockets or UAVs.
    pub end_use_categories: Vec<String>,
    /// Legal basis, shown in the finding.
    pub cite: String,
}

/// `[rules]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesPolicy {
    /// The rules in force, by name.
    pub active: Vec<RuleId>,
}

impl Policy {
    /// Parses and checks `policy.toml`.
    ///
    /// # Errors
    /// [`EngineError::Config`] when the TOML is malformed, a threshold is
    /// outside (0, 1], a listing rule is incomplete, no `*` fallback rule
    /// exists, or a rule is named twice.
    pub fn from_toml(text: &str) -> Result<Policy, EngineError> {
        let cfg = |message: String| EngineError::Config {
            file: "policy.toml".into(),
            message,
        };
        let p: Policy = toml::from_str(text).map_err(|e| cfg(e.to_string()))?;
        for (name, v) in [
            ("party.review_threshold", p.party.review_threshold),
            ("party.near_exact_threshold", p.party.near_exact_threshold),
        ] {
            if !(v > 0.0 && v <= 1.0) {
                return Err(cfg(format!("{name} must be in (0, 1], got {v}")));
            }
        }
        if p.party.near_exact_threshold < p.party.review_threshold {
            return Err(cfg(
                "party.near_exact_threshold must not be below party.review_threshold".into(),
            ));
        }
        if p.party.default_limit == 0 {
            return Err(cfg("party.default_limit must be at least 1".into()));
        }
        for (i, r) in p.listing.iter().enumerate() {
            let at = format!("listing[{i}] ({})", r.name);
            if r.name.trim().is_empty() {
                return Err(cfg(format!("listing[{i}]: name must not be empty")));
            }
            if r.lists.is_empty() || r.lists.iter().any(|l| l.trim().is_empty()) {
                return Err(cfg(format!("{at}: lists must name list ids or \"*\"")));
            }
            if r.cite.trim().is_empty() {
                return Err(cfg(format!("{at}: cite must say what the rule rests on")));
            }
            if r.programs.iter().any(|p| p.trim().is_empty()) {
                return Err(cfg(format!("{at}: an empty programme")));
            }
        }
        if !p
            .listing
            .iter()
            .any(|r| r.is_wildcard() && r.programs.is_empty())
        {
            return Err(cfg(
                "listing: no rule with lists = [\"*\"] and no programmes (the fallback for lists no rule names)"
                    .into(),
            ));
        }
        let mut seen = Vec::new();
        for r in &p.rules.active {
            if seen.contains(r) {
                return Err(cfg(format!("rules.active names {} twice", r.as_str())));
            }
            seen.push(*r);
        }
        Ok(p)
    }

    /// True when the rule is in force.
    pub fn active(&self, rule: RuleId) -> bool {
        self.rules.active.contains(&rule)
    }

    /// The listing rules that decide a near-exact match on an entry of
    /// `list_id` carrying `programs`: the most specific tier that has any
    /// (list and programme, list, `*` and programme, `*`). Never empty for a
    /// checked policy (the `*` fallback exists).
    pub fn listing_rules(&self, list_id: &str, programs: &[String]) -> Vec<&ListingRule> {
        let tiers: [&dyn Fn(&ListingRule) -> bool; 4] = [
            &|r| r.names_list(list_id) && r.shares_program(programs),
            &|r| r.names_list(list_id) && r.programs.is_empty(),
            &|r| r.is_wildcard() && r.shares_program(programs),
            &|r| r.is_wildcard() && r.programs.is_empty(),
        ];
        for tier in tiers {
            let rules: Vec<&ListingRule> = self.listing.iter().filter(|r| tier(r)).collect();
            if !rules.is_empty() {
                return rules;
            }
        }
        Vec::new()
    }

    /// The role set a rule names, for explanations.
    pub fn roles_text(roles: &[PartyRole]) -> String {
        roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMBEDDED: &str = include_str!("../../../control-lists/policy.toml");

    #[test]
    fn embedded_policy_parses_with_every_rule_active() {
        let p = Policy::from_toml(EMBEDDED).unwrap();
        assert!(p.party.review_threshold < p.party.near_exact_threshold);
        for rule in RuleId::ALL {
            assert!(p.active(rule), "{} not active", rule.as_str());
        }
    }

    #[test]
    fn threshold_out_of_range_is_rejected() {
        let text = EMBEDDED.replace("review_threshold = 0.80", "review_threshold = 1.5");
        let err = Policy::from_toml(&text).unwrap_err().to_string();
        assert!(err.contains("review_threshold"), "{err}");
    }

    #[test]
    fn unknown_rules_and_repeats_are_rejected() {
        let text = EMBEDDED.replace("\"catch_all\",", "\"catch_al\",");
        let err = Policy::from_toml(&text).unwrap_err().to_string();
        assert!(err.contains("catch_al"), "{err}");
        let text = EMBEDDED.replace("\"catch_all\",", "\"catch_all\", \"catch_all\",");
        let err = Policy::from_toml(&text).unwrap_err().to_string();
        assert!(err.contains("twice"), "{err}");
    }

    #[test]
    fn a_policy_without_a_fallback_listing_is_rejected() {
        let text = EMBEDDED.replace(
            "name = \"other-denial-list\"\nlists = [\"*\"]",
            "name = \"other-denial-list\"\nlists = [\"team-watch\"]",
        );
        assert_ne!(text, EMBEDDED);
        let err = Policy::from_toml(&text).unwrap_err().to_string();
        assert!(err.contains("fallback"), "{err}");
    }

    /// (list, programmes, expected rule names)
    const SELECTION: &[(&str, &[&str], &[&str])] = &[
        ("ofac-sdn", &["SDGT"], &["ofac-sdn"]),
        ("bis-entity", &[], &["bis-entity"]),
        ("ofac-cons", &["CMIC-EO13959"], &["ofac-cons"]),
        ("state-isn", &["INKSNA"], &["state-isn"]),
        (
            "state-isn",
            &["E.O. 13382", "Export-Import Bank Act"],
            &["state-isn-eo13382"],
        ),
        (
            "trade-gov-csl",
            &[
                "E.O. 13382",
                "Nonproliferation Sanctions (ISN) - State Department",
            ],
            &["state-isn-eo13382", "csl-licence"],
        ),
        (
            "trade-gov-csl",
            &["ITAR Debarred (DTC) - State Department"],
            &["csl-licence-if-controlled"],
        ),
        ("trade-gov-csl", &["CAPTA"], &["csl-review"]),
        ("team-watch", &["ns-cmic"], &["cmic"]),
        ("team-watch", &["ACME-INTERNAL"], &["other-denial-list"]),
    ];

    #[test]
    fn the_most_specific_listing_rules_apply() {
        let p = Policy::from_toml(EMBEDDED).unwrap();
        for (list, programs, want) in SELECTION {
            let programs: Vec<String> = programs.iter().map(|s| s.to_string()).collect();
            let got: Vec<&str> = p
                .listing_rules(list, &programs)
                .iter()
                .map(|r| r.name.as_str())
                .collect();
            assert_eq!(got, *want, "{list} {programs:?}");
        }
    }
}
