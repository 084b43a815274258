//! Risk priority: which case an officer should open first.
//!
//! The score is `band * 1000 + within`, `within` in `0..=999`, so the
//! decision band always dominates: PROHIBITED (3) above LICENSE_REQUIRED (2)
//! above REVIEW (1) (a case whose latest screening came out CLEAR is 0).
//! Within a band:
//!
//! | signal | points |
//! |---|---|
//! | strongest list match (party or item score, suppressed and "not a match" findings left out) | `400 * score` |
//! | a Category I item (complete systems, complete subsystems) | 150 |
//! | an embargoed destination (policy `destination.embargo_groups`) | 150 |
//! | each earlier denial or diversion of one of its parties ("serial proliferators"), at most 3 | 75 |
//! | each earlier confirmed match of one of its parties, at most 3 | 25 |
//!
//! The queue is ordered by score, then by age (oldest first).

use serde::{Deserialize, Serialize};

use crate::model::Decision;

/// Points for a match of score 1.0.
const MATCH_POINTS: f64 = 400.0;
/// Points for a Category I item.
const CATEGORY_I_POINTS: u32 = 150;
/// Points for an embargoed destination.
const EMBARGO_POINTS: u32 = 150;
/// Points per earlier denial or diversion.
const DENIAL_POINTS: u32 = 75;
/// Points per earlier confirmed match.
const CONFIRMED_POINTS: u32 = 25;
/// Earlier denials (and confirmations) counted at most.
const HISTORY_CAP: u32 = 3;
/// Width of a decision band.
pub const BAND: u32 = 1000;

/// Coarse priority, from the decision (for filters and tables).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CasePriority {
    /// REVIEW (or CLEAR after suppressions): a possible match or a weak signal.
    Low,
    /// LICENSE_REQUIRED: a controlled item.
    Medium,
    /// PROHIBITED: a listed receiving party or an embargo.
    High,
}

impl CasePriority {
    /// Every priority, lowest first.
    pub const ALL: [CasePriority; 3] =
        [CasePriority::Low, CasePriority::Medium, CasePriority::High];

    /// The priority a decision calls for.
    pub fn for_decision(d: Decision) -> CasePriority {
        match d {
            Decision::Clear | Decision::Review => CasePriority::Low,
            Decision::LicenseRequired => CasePriority::Medium,
            Decision::Prohibited => CasePriority::High,
        }
    }

    /// Upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            CasePriority::Low => "LOW",
            CasePriority::Medium => "MEDIUM",
            CasePriority::High => "HIGH",
        }
    }
}

/// What a case's priority rests on (kept with the case, so the order
/// explains itself).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Signals {
    /// The decision after suppressions and "not a match" marks.
    pub decision: Decision,
    /// Strongest score of a list match that still counts, in [0, 1].
    pub max_score: f64,
    /// A Category I item is among the findings that count.
    pub category_i: bool,
    /// The destination is in an embargo group.
    pub embargoed_destination: bool,
    /// Earlier denials and diversions of the shipment's parties.
    pub prior_denials: u32,
    /// Earlier confirmed matches of the shipment's parties.
    pub prior_confirmations: u32,
    /// The parties with such a history (names as sent).
    pub serial_parties: Vec<String>,
}

fn band(d: Decision) -> u32 {
    match d {
        Decision::Clear => 0,
        Decision::Review => 1,
        Decision::LicenseRequired => 2,
        Decision::Prohibited => 3,
    }
}

impl Signals {
    /// The points within the decision band, `0..BAND`.
    fn within(&self) -> u32 {
        let score = if self.max_score.is_finite() {
            self.max_score.clamp(0.0, 1.0)
        } else {
            0.0
        };
        // In [0, 400]: the cast cannot truncate.
        let mut p = (score * MATCH_POINTS).round() as u32;
        if self.category_i {
            p += CATEGORY_I_POINTS;
        }
        if self.embargoed_destination {
            p += EMBARGO_POINTS;
        }
        p += self.prior_denials.min(HISTORY_CAP) * DENIAL_POINTS;
        p += self.prior_confirmations.min(HISTORY_CAP) * CONFIRMED_POINTS;
        p.min(BAND - 1)
    }

    /// The priority score (higher first).
    pub fn score(&self) -> u32 {
        band(self.decision) * BAND + self.within()
    }

    /// The coarse priority.
    pub fn priority(&self) -> CasePriority {
        CasePriority::for_decision(self.decision)
    }

    /// The score as a sentence: each signal and its points.
    pub fn explain(&self) -> String {
        let mut parts = vec![format!(
            "{} band {}",
            self.decision.as_str(),
            band(self.decision) * BAND
        )];
        if self.max_score > 0.0 {
            parts.push(format!(
                "strongest match {:.2} +{}",
                self.max_score,
                (self.max_score.clamp(0.0, 1.0) * MATCH_POINTS).round()
            ));
        }
        if self.category_i {
            parts.push(format!("Category I item +{CATEGORY_I_POINTS}"));
        }
        if self.embargoed_destination {
            parts.push(format!("embargoed destination +{EMBARGO_POINTS}"));
        }
        if self.prior_denials > 0 {
            parts.push(format!(
                "{} earlier denial(s) or diversion(s) of {} +{}",
                self.prior_denials,
                self.serial_parties.join(", "),
                self.prior_denials.min(HISTORY_CAP) * DENIAL_POINTS
            ));
        }
        if self.prior_confirmations > 0 {
            parts.push(format!(
                "{} earlier confirmed match(es) +{}",
                self.prior_confirmations,
                self.prior_confirmations.min(HISTORY_CAP) * CONFIRMED_POINTS
            ));
        }
        format!("{} = {}", parts.join(", "), self.score())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(decision: Decision) -> Signals {
        Signals {
            decision,
            ..Signals::default()
        }
    }

    #[test]
    fn the_decision_band_dominates_every_other_signal() {
        let strongest_review = Signals {
            max_score: 1.0,
            category_i: true,
            embargoed_destination: true,
            prior_denials: 10,
            prior_confirmations: 10,
            ..sig(Decision::Review)
        };
        let weakest_licence = sig(Decision::LicenseRequired);
        assert!(weakest_licence.score() > strongest_review.score());
        assert!(sig(Decision::Prohibited).score() > sig(Decision::LicenseRequired).score());
        assert!(sig(Decision::Review).score() > sig(Decision::Clear).score());
        assert_eq!(strongest_review.score(), 1999);
    }

    #[test]
    fn within_a_band_each_signal_raises_the_score() {
        let base = Signals {
            max_score: 0.85,
            ..sig(Decision::Review)
        };
        let raised: Vec<(&str, Signals)> = vec![
            (
                "stronger match",
                Signals {
                    max_score: 0.95,
                    ..base.clone()
                },
            ),
            (
                "category I",
                Signals {
                    category_i: true,
                    ..base.clone()
                },
            ),
            (
                "embargo",
                Signals {
                    embargoed_destination: true,
                    ..base.clone()
                },
            ),
            (
                "denied before",
                Signals {
                    prior_denials: 1,
                    ..base.clone()
                },
            ),
            (
                "confirmed before",
                Signals {
                    prior_confirmations: 1,
                    ..base.clone()
                },
            ),
        ];
        for (name, s) in raised {
            assert!(
                s.score() > base.score(),
                "{name}: {} vs {}",
                s.score(),
                base.score()
            );
        }
    }

    #[test]
    fn serial_proliferators_count_up_to_a_cap_and_denials_weigh_more() {
        let d = |n| Signals {
            prior_denials: n,
            ..sig(Decision::Review)
        };
        let c = |n| Signals {
            prior_confirmations: n,
            ..sig(Decision::Review)
        };
        assert!(d(2).score() > d(1).score());
        assert_eq!(d(3).score(), d(30).score());
        assert!(d(1).score() > c(1).score());
    }

    #[test]
    fn odd_scores_stay_in_range() {
        for s in [f64::NAN, -1.0, 7.0, f64::INFINITY] {
            let x = Signals {
                max_score: s,
                ..sig(Decision::Review)
            };
            assert!((1000..2000).contains(&x.score()), "{s}: {}", x.score());
        }
    }

    #[test]
    fn explanations_name_the_signals() {
        let s = Signals {
            max_score: 1.0,
            category_i: true,
            prior_denials: 2,
            serial_parties: vec!["Quillon Anvil".into()],
            ..sig(Decision::Prohibited)
        };
        let e = s.explain();
        for want in [
            "PROHIBITED band 3000",
            "+400",
            "Category I",
            "Quillon Anvil",
            "+150",
        ] {
            assert!(e.contains(want), "{want}: {e}");
        }
        assert!(e.ends_with(&format!("= {}", s.score())), "{e}");
    }
}
