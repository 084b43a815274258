//! The decision policy configuration (`control-lists/policy.toml`):
//! thresholds and which country groups drive which rule.

use serde::Deserialize;

use super::EngineError;
use crate::model::PartyRole;

/// Parsed `policy.toml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Party matching thresholds.
    pub party: PartyPolicy,
    /// Destination rules.
    pub destination: DestinationPolicy,
    /// Switches for the weaker rules.
    pub rules: RulesPolicy,
}

/// `[party]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyPolicy {
    /// Matches at or above this are reported (REVIEW).
    pub review_threshold: f64,
    /// Matches at or above this are near-exact (PROHIBITED for receiving roles).
    pub near_exact_threshold: f64,
    /// Roles whose near-exact match is PROHIBITED.
    pub prohibiting_roles: Vec<PartyRole>,
    /// Default ScreenParty limit.
    pub default_limit: usize,
}

/// `[destination]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DestinationPolicy {
    /// Controlled item to these groups: PROHIBITED.
    pub embargo_groups: Vec<String>,
    /// Adjacent item to these groups: REVIEW.
    pub hub_groups: Vec<String>,
    /// Address in a city of these groups' countries while another country is declared: REVIEW.
    pub address_groups: Vec<String>,
}

/// `[rules]`
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesPolicy {
    /// Freight forwarder as the only receiving party: REVIEW.
    pub forwarder_as_final_consignee: bool,
    /// End-use red flags: REVIEW.
    pub end_use_red_flags: bool,
}

impl Policy {
    /// Parses and checks `policy.toml`.
    ///
    /// # Errors
    /// [`EngineError::Config`] when the TOML is malformed or a threshold is outside (0, 1].
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
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_policy_parses() {
        let p = Policy::from_toml(include_str!("../../../control-lists/policy.toml")).unwrap();
        assert!(p.party.review_threshold < p.party.near_exact_threshold);
        assert!(p.party.prohibiting_roles.contains(&PartyRole::EndUser));
    }

    #[test]
    fn threshold_out_of_range_is_rejected() {
        let text = include_str!("../../../control-lists/policy.toml")
            .replace("review_threshold = 0.80", "review_threshold = 1.5");
        let err = Policy::from_toml(&text).unwrap_err().to_string();
        assert!(err.contains("review_threshold"), "{err}");
    }
}
