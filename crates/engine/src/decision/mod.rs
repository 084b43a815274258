//! The decision: turns a shipment into findings and its decision.
//!
//! 1. [`context`]: items classified, parties matched (the best match per
//!    list), addresses read against the gazetteer, and the destination
//!    resolved once: declared and ultimate destination (the end user's
//!    country, else the consignee's, else the declared one), its country
//!    groups, the embargo that applies, a sanctioned region.
//! 2. [`rules`]: the rules in force (`policy.toml` `[rules] active`) each
//!    add findings; [`listing`] decides what a list match leads to.
//! 3. The strongest finding decides (PROHIBITED, then LICENSE_REQUIRED,
//!    REVIEW, CLEAR). The outcome carries the findings (strongest first),
//!    the destination facts and the rule behind the decision, so that
//!    nothing downstream computes them again.

mod context;
mod listing;
pub mod rules;

#[cfg(test)]
mod tests;

use crate::model::{Decision, Finding, RuleId, ScreeningOutcome, Shipment};

use super::Engine;
use context::Context;
pub use rules::{RULES, Rule};

/// Screens one shipment with `engine`.
pub fn screen(engine: &Engine, shipment: &Shipment) -> ScreeningOutcome {
    match screen_until(engine, shipment, &|| false) {
        Some(outcome) => outcome,
        None => unreachable!("a screening that is never stopped completes"),
    }
}

/// Screens one shipment with `engine`, asking `stop` before each item, each
/// party and each rule; `None` when it said stop (the caller went away).
pub fn screen_until(
    engine: &Engine,
    shipment: &Shipment,
    stop: &dyn Fn() -> bool,
) -> Option<ScreeningOutcome> {
    let ctx = Context::new_until(engine, shipment, stop)?;
    let mut made: Vec<(RuleId, Finding)> = Vec::new();
    let mut buf = Vec::new();
    for rule in RULES {
        if stop() {
            return None;
        }
        if !engine.policy().active(rule.id) {
            continue;
        }
        rule.apply(&ctx, &mut buf);
        made.extend(buf.drain(..).map(|f| (rule.id, f)));
    }
    made.sort_by(|(_, a), (_, b)| {
        b.decision
            .cmp(&a.decision)
            .then_with(|| b.score.total_cmp(&a.score))
            .then_with(|| a.target.cmp(&b.target))
    });
    let decision = made
        .first()
        .map(|(_, f)| f.decision)
        .unwrap_or(Decision::Clear);
    let rule = made
        .first()
        .filter(|(_, f)| f.decision > Decision::Clear)
        .map(|(id, _)| *id);
    Some(ScreeningOutcome {
        decision,
        findings: made.into_iter().map(|(_, f)| f).collect(),
        list_versions: engine.list_versions(),
        policy: engine.policy_ref().clone(),
        destination: ctx.destination,
        rule,
    })
}
