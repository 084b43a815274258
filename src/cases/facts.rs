//! What a screening contributes to the workflow: the decision once some
//! findings no longer count, the priority signals, the entries cited, and
//! the facts the engine decided on (Category I findings, an embargoed
//! destination or sanctioned region), read from its outcome, never
//! computed a second time. Pure.

use std::collections::BTreeSet;

use super::keys;
use super::priority::Signals;
use super::record::{CitedEntry, PartyHistory, ScreeningFacts};
use crate::engine::Engine;
use crate::ids::EntryRef;
use crate::model::{
    ControlCategory, Decision, Finding, FindingKind, Party, PartyRole, ScreeningOutcome, Shipment,
};

/// The decision from the findings that still count: the strongest, CLEAR
/// when none is left.
pub fn effective_decision(findings: &[Finding], excluded: &BTreeSet<usize>) -> Decision {
    counting(findings, excluded)
        .map(|(_, f)| f.decision)
        .max()
        .unwrap_or(Decision::Clear)
}

/// The findings that count, with their indexes.
fn counting<'a>(
    findings: &'a [Finding],
    excluded: &'a BTreeSet<usize>,
) -> impl Iterator<Item = (usize, &'a Finding)> + 'a {
    findings
        .iter()
        .enumerate()
        .filter(|(i, _)| !excluded.contains(i))
}

/// The priority signals of a screening whose `excluded` findings do not count.
pub fn signals(
    findings: &[Finding],
    excluded: &BTreeSet<usize>,
    facts: &ScreeningFacts,
) -> Signals {
    let max_score = counting(findings, excluded)
        .filter(|(_, f)| !f.entry_id.is_empty() && f.decision > Decision::Clear)
        .map(|(_, f)| f.score)
        .filter(|s| s.is_finite())
        .fold(0.0, f64::max);
    Signals {
        decision: effective_decision(findings, excluded),
        max_score,
        category_i: facts.category_i.iter().any(|i| !excluded.contains(i)),
        embargoed_destination: facts.embargoed_destination,
        prior_denials: facts.prior_denials,
        prior_confirmations: facts.prior_confirmations,
        serial_parties: facts.serial_parties.clone(),
    }
}

/// The list entries cited by findings that count and lead somewhere (not
/// CLEAR), sorted, without repeats.
pub fn cited_entries(findings: &[Finding], excluded: &BTreeSet<usize>) -> Vec<CitedEntry> {
    let mut out: Vec<CitedEntry> = counting(findings, excluded)
        .filter(|(_, f)| f.decision > Decision::Clear)
        .filter_map(|(_, f)| {
            let EntryRef { list_id, entry_id } = EntryRef::of(f)?;
            Some(CitedEntry {
                list_id,
                entry_id,
                entry_name: f.entry_name.clone(),
            })
        })
        .collect();
    out.sort();
    out.dedup_by(|a, b| a.list_id == b.list_id && a.entry_id == b.entry_id);
    out
}

/// A party's country as the key uses it: the ISO code when the engine
/// knows the country, else the text as sent.
pub fn party_country(engine: &Engine, party: &Party) -> String {
    engine
        .geo()
        .resolve_country(&party.country)
        .unwrap_or_else(|| party.country.clone())
}

/// The suppression key of a party (see [`keys::party_key`]).
pub fn party_key(engine: &Engine, party: &Party) -> String {
    keys::party_key(&party.name, &party.address, &party_country(engine, party))
}

/// The parties whose history counts toward priority: all but the exporter
/// (the exporter is the one asking).
pub fn history_parties(shipment: &Shipment) -> impl Iterator<Item = &Party> {
    shipment
        .parties
        .iter()
        .filter(|p| p.role != PartyRole::Exporter && !keys::history_key(&p.name).is_empty())
}

/// The facts of a screening: Category I findings and an embargoed
/// destination (declared or ultimate, or a sanctioned region) as the
/// engine's outcome states them, the parties' history from `histories`
/// (one per party of [`history_parties`] that has one).
pub fn screening_facts(outcome: &ScreeningOutcome, histories: &[PartyHistory]) -> ScreeningFacts {
    let category_i = outcome
        .findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.kind == FindingKind::Item && f.category == Some(ControlCategory::I))
        .map(|(i, _)| i)
        .collect();
    let mut facts = ScreeningFacts {
        category_i,
        embargoed_destination: outcome.destination.embargoed(),
        ..ScreeningFacts::default()
    };
    for h in histories {
        facts.prior_denials += h.denied + h.diverted;
        facts.prior_confirmations += h.confirmed;
        if h.denied + h.diverted + h.confirmed > 0 && !facts.serial_parties.contains(&h.name) {
            facts.serial_parties.push(h.name.clone());
        }
    }
    facts
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::engine::LoadedList;
    use crate::engine::reference::ReferenceFiles;
    use crate::model::{ControlEntry, Item, ListContent, ListMeta};

    fn finding(kind: FindingKind, entry: &str, score: f64, decision: Decision) -> Finding {
        Finding {
            kind,
            target: crate::model::Target::Item(0),
            list_id: if entry.is_empty() { "" } else { "ctl" }.into(),
            entry_id: entry.into(),
            entry_name: format!("entry {entry}"),
            score,
            matched_text: String::new(),
            matched_terms: vec![],
            reason: String::new(),
            explanation: String::new(),
            decision,
            rule: String::new(),
            category: None,
        }
    }

    #[test]
    fn excluded_findings_do_not_count_toward_decision_score_or_entries() {
        let findings = vec![
            finding(FindingKind::Party, "7", 1.0, Decision::Prohibited),
            finding(FindingKind::Item, "2.A.1", 0.9, Decision::LicenseRequired),
            finding(FindingKind::EndUse, "", 1.0, Decision::Review),
            finding(FindingKind::Item, "9.A.9", 0.7, Decision::Clear),
        ];
        let none = BTreeSet::new();
        assert_eq!(effective_decision(&findings, &none), Decision::Prohibited);
        let facts = ScreeningFacts {
            category_i: vec![1],
            ..ScreeningFacts::default()
        };
        let s = signals(&findings, &none, &facts);
        assert_eq!((s.max_score, s.category_i), (1.0, true));
        assert_eq!(
            cited_entries(&findings, &none)
                .iter()
                .map(|e| e.entry_id.as_str())
                .collect::<Vec<_>>(),
            vec!["2.A.1", "7"],
            "adjacent (CLEAR) items are not cited"
        );

        let party_out = BTreeSet::from([0]);
        assert_eq!(
            effective_decision(&findings, &party_out),
            Decision::LicenseRequired
        );
        let s = signals(&findings, &party_out, &facts);
        assert_eq!(s.max_score, 0.9, "rule findings carry no match score");
        assert_eq!(s.decision, Decision::LicenseRequired);

        let all = BTreeSet::from([0, 1, 2, 3]);
        assert_eq!(effective_decision(&findings, &all), Decision::Clear);
        let s = signals(&findings, &all, &facts);
        assert!(!s.category_i);
        assert!(cited_entries(&findings, &all).is_empty());
    }

    fn engine() -> Engine {
        let entry = |code: &str, category| ControlEntry {
            code: code.into(),
            title: code.into(),
            category,
            notes: String::new(),
            terms: vec![format!("term {code}")],
            context: vec![],
            exclusions: vec![],
            rules: vec![],
            national_codes: vec![],
        };
        let content = ListContent::Control(vec![
            entry("1.A.1", ControlCategory::I),
            entry("3.A.1", ControlCategory::II),
        ]);
        let list = LoadedList {
            meta: ListMeta {
                list_id: "ctl".into(),
                version: 1,
                kind: crate::model::ListKind::Control,
                ..ListMeta::default()
            },
            content: Arc::new(content),
        };
        Engine::build(&[list], &ReferenceFiles::embedded()).unwrap()
    }

    #[test]
    fn facts_come_from_the_engine_outcome() {
        let engine = engine();
        let item = |code: &str, category| Finding {
            category,
            ..finding(FindingKind::Item, code, 1.0, Decision::LicenseRequired)
        };
        // The engine knows Category I and the ultimate destination: an Iranian
        // end user behind a Turkish consignee makes the destination embargoed
        // although the declared destination is not.
        let shipment = Shipment {
            destination_country: "TR".into(),
            items: vec![Item {
                description: "term 1.A.1".into(),
                ..Item::default()
            }],
            parties: vec![
                Party {
                    role: PartyRole::Consignee,
                    name: "Anatolia Transit".into(),
                    country: "TR".into(),
                    ..Party::default()
                },
                Party {
                    role: PartyRole::EndUser,
                    name: "Zagros Workshop".into(),
                    address: "Tehran".into(),
                    country: "IR".into(),
                },
            ],
            ..Shipment::default()
        };
        let outcome = engine.screen_shipment(&shipment);
        let f = screening_facts(&outcome, &[]);
        assert!(f.embargoed_destination);
        let cat_i: Vec<usize> = outcome
            .findings
            .iter()
            .enumerate()
            .filter(|(_, x)| x.kind == FindingKind::Item && x.entry_id == "1.A.1")
            .map(|(i, _)| i)
            .collect();
        assert_eq!(f.category_i, cat_i);
        assert!(!cat_i.is_empty());

        let table = [
            (vec![item("1.A.1", Some(ControlCategory::I))], vec![0]),
            (vec![item("3.A.1", Some(ControlCategory::II))], vec![]),
            (
                vec![item("3.A.1", None), item("1.A.1", Some(ControlCategory::I))],
                vec![1],
            ),
        ];
        for (findings, want) in table {
            let outcome = ScreeningOutcome {
                findings,
                ..ScreeningOutcome::default()
            };
            let f = screening_facts(&outcome, &[]);
            assert_eq!(f.category_i, want);
            assert!(!f.embargoed_destination);
        }
        let histories = [
            PartyHistory {
                name: "Quillon".into(),
                denied: 2,
                diverted: 1,
                ..PartyHistory::default()
            },
            PartyHistory {
                name: "Zephyr".into(),
                confirmed: 1,
                ..PartyHistory::default()
            },
        ];
        let f = screening_facts(&ScreeningOutcome::default(), &histories);
        assert_eq!((f.prior_denials, f.prior_confirmations), (3, 1));
        assert_eq!(f.serial_parties, vec!["Quillon", "Zephyr"]);
    }

    #[test]
    fn party_keys_resolve_countries_and_skip_the_exporter() {
        let engine = engine();
        let p = |name: &str, country: &str, role| Party {
            role,
            name: name.into(),
            address: "Street 1".into(),
            country: country.into(),
        };
        assert_eq!(
            party_key(&engine, &p("Acme", "Japan", PartyRole::Consignee)),
            party_key(&engine, &p("ACME", "JP", PartyRole::EndUser))
        );
        let s = Shipment {
            parties: vec![
                p("Me", "US", PartyRole::Exporter),
                p("Them", "JP", PartyRole::Consignee),
                p(" .. ", "JP", PartyRole::EndUser),
            ],
            ..Shipment::default()
        };
        let names: Vec<&str> = history_parties(&s).map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["Them"]);
    }
}
