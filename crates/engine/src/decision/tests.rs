//! Table-driven tests of every decision rule against an in-memory engine:
//! small lists of invented entries (one per list the policy names), a
//! two-entry control list, and the real configuration files of
//! `control-lists/` (policy, countries, gazetteer, red flags). Each table
//! names the shipment, the decision, the findings the rule must make
//! (rule, target, decision) and the rules that must stay silent.

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use super::rules::RULES;
use crate::model::{
    Comparison, Condition, ControlCategory, ControlEntry, Decision, DenialEntry, EntityKind,
    EntryName, Item, LicenseScope, ListContent, ListKind, ListMeta, ListingTerms, NameKind, Party,
    PartyRole, RuleId, ScreeningOutcome, Shipment, Target, ThresholdRule, UltimateBasis,
};
use crate::reference::ReferenceFiles;
use crate::{Engine, LoadedList};

use Decision::{Clear, LicenseRequired as Lic, Prohibited as Pro, Review as Rev};
use PartyRole::{
    Consignee as Con, EndUser as End, Exporter as Exp, FreightForwarder as Fwd,
    IntermediateConsignee as Int, Purchaser as Pur,
};

fn party_entry(
    id: &str,
    names: &[&str],
    programs: &[&str],
    listing: Option<ListingTerms>,
) -> DenialEntry {
    DenialEntry {
        entry_id: id.into(),
        kind: EntityKind::Organization,
        names: names
            .iter()
            .enumerate()
            .map(|(i, n)| EntryName {
                name: (*n).into(),
                kind: if i == 0 {
                    NameKind::Primary
                } else {
                    NameKind::Alias
                },
            })
            .collect(),
        programs: programs.iter().map(|p| (*p).into()).collect(),
        listing,
        ..DenialEntry::default()
    }
}

fn terms(scope: LicenseScope, requirement: &str) -> Option<ListingTerms> {
    Some(ListingTerms {
        license_requirement: requirement.into(),
        license_scope: scope,
        license_review_policy: "Presumption of denial".into(),
        federal_register: vec!["99 FR 12345, 1/2/26".into()],
    })
}

fn denial(list_id: &str, entries: Vec<DenialEntry>) -> LoadedList {
    LoadedList {
        meta: ListMeta {
            list_id: list_id.into(),
            version: 1,
            kind: ListKind::Denial,
            ..ListMeta::default()
        },
        content: Arc::new(ListContent::Denial(entries)),
    }
}

fn lists() -> Vec<LoadedList> {
    let all = LicenseScope::AllItems;
    let some = LicenseScope::SomeItems;
    let hydrazine = ControlEntry {
        code: "4.C.2.b".into(),
        title: "Hydrazine above 70 %".into(),
        category: ControlCategory::II,
        notes: String::new(),
        terms: vec!["hydrazine".into()],
        context: vec![],
        exclusions: vec![],
        rules: vec![ThresholdRule {
            label: "concentration".into(),
            all: vec![Condition {
                param: "concentration_pct".into(),
                op: Comparison::Gt,
                value: 70.0,
            }],
        }],
        national_codes: vec![],
    };
    let stage = ControlEntry {
        code: "2.A.1.a".into(),
        title: "Individual rocket stages".into(),
        category: ControlCategory::I,
        notes: String::new(),
        terms: vec!["rocket stage".into()],
        context: vec![],
        exclusions: vec![],
        rules: vec![],
        national_codes: vec![],
    };
    vec![
        LoadedList {
            meta: ListMeta {
                list_id: "mtcr".into(),
                version: 1,
                kind: ListKind::Control,
                ..ListMeta::default()
            },
            content: Arc::new(ListContent::Control(vec![hydrazine, stage])),
        },
        denial(
            "ofac-sdn",
            vec![party_entry(
                "101",
                &["ZEPHYRON ORBITALIS"],
                &["NPWMD"],
                None,
            )],
        ),
        denial(
            "un-sc",
            vec![party_entry("UN1", &["KESTRALUX DYNAMIKA"], &[], None)],
        ),
        denial(
            "bis-dpl",
            vec![party_entry("1", &["ORIONEX FRACHTWERK"], &[], None)],
        ),
        denial(
            "ofac-cons",
            vec![party_entry(
                "30957",
                &[
                    "CHINA NORTH INDUSTRIES GROUP CORPORATION LIMITED",
                    "NORINCO",
                ],
                &["CMIC-EO13959"],
                None,
            )],
        ),
        denial(
            "bis-entity",
            vec![
                party_entry(
                    "e1",
                    &["HALCYVEX PRAZISION"],
                    &["BIS Entity List"],
                    terms(
                        all,
                        "For all items subject to the EAR. (See § 744.11 of the EAR)",
                    ),
                ),
                party_entry(
                    "e2",
                    &["TRAMONTIX HANDELSHAUS"],
                    &["BIS Entity List"],
                    terms(
                        some,
                        "For items on the CCL and listed in supplement no. 7 to part 746 of the EAR",
                    ),
                ),
                // The same party is also on the SDN list above.
                party_entry(
                    "e3",
                    &["ZEPHYRON ORBITALIS"],
                    &["BIS Entity List"],
                    terms(all, "For all items subject to the EAR."),
                ),
            ],
        ),
        denial(
            "bis-uvl",
            vec![party_entry(
                "u1",
                &["MERIDOXA SPAREHUB"],
                &["BIS Unverified List"],
                Some(ListingTerms::default()),
            )],
        ),
        denial(
            "bis-meu",
            vec![party_entry(
                "m1",
                &["AVIQUORN TESTWERK"],
                &["BIS Military End-User List"],
                Some(ListingTerms::default()),
            )],
        ),
        denial(
            "state-isn",
            vec![
                party_entry("i1", &["TAMARIXON NUKLEARSUPPLY"], &["E.O. 13382"], None),
                party_entry(
                    "i2",
                    &["BIRCHOVAN RAKETENTEILE"],
                    &["Missile Sanctions laws"],
                    None,
                ),
            ],
        ),
        denial(
            "state-dtc",
            vec![party_entry("d1", &["QUILLFEDRA WAFFENHANDEL"], &[], None)],
        ),
        denial(
            "team-watch",
            vec![party_entry(
                "T1",
                &["OSPREYVALE INTERNOS"],
                &["ACME-INTERNAL"],
                None,
            )],
        ),
    ]
}

fn build(reference: &ReferenceFiles) -> Engine {
    match Engine::build(&lists(), reference) {
        Ok(e) => e,
        Err(e) => panic!("test engine: {e}"),
    }
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| build(&ReferenceFiles::embedded()))
}

fn party(role: PartyRole, name: &str, address: &str, country: &str) -> Party {
    Party {
        role,
        name: name.into(),
        address: address.into(),
        country: country.into(),
    }
}

fn item(description: &str, params: &[(&str, f64)]) -> Item {
    Item {
        description: description.into(),
        quantity: 1.0,
        unit: "pcs".into(),
        parameters: params.iter().map(|(k, v)| ((*k).into(), *v)).collect(),
        ..Item::default()
    }
}

const EXPORTER: (PartyRole, &str, &str, &str) =
    (Exp, "Nordlicht Sensorik GmbH", "Am Hafen 3, Bremen", "DE");

/// A shipment: destination, end use, items, parties (the exporter first).
fn ship(
    dest: &str,
    end_use: &str,
    items: Vec<Item>,
    parties: &[(PartyRole, &str, &str, &str)],
) -> Shipment {
    Shipment {
        reference: "T-1".into(),
        exporter: EXPORTER.1.into(),
        items,
        parties: std::iter::once(&EXPORTER)
            .chain(parties)
            .map(|(r, n, a, c)| party(*r, n, a, c))
            .collect(),
        destination_country: dest.into(),
        end_use: end_use.into(),
    }
}

fn plain_goods() -> Vec<Item> {
    vec![item("Office chairs, swivel, mesh back", &[])]
}

fn controlled_goods() -> Vec<Item> {
    vec![item(
        "Anhydrous hydrazine 98.5 %",
        &[("concentration_pct", 98.5)],
    )]
}

fn adjacent_goods() -> Vec<Item> {
    vec![item(
        "Hydrazine hydrate 35 % solution",
        &[("concentration_pct", 35.0)],
    )]
}

/// A local consignee nobody lists.
fn consignee(country: &str) -> (PartyRole, &'static str, &'static str, &str) {
    (
        Con,
        "Plainfield Industrial Supplies",
        "Main Street 1",
        country,
    )
}

struct Case {
    name: &'static str,
    shipment: Shipment,
    decision: Decision,
    /// Findings the rule under test must make: (target, decision).
    must: Vec<(Target, Decision)>,
    /// The rule under test must make no finding.
    silent: bool,
}

fn case(
    name: &'static str,
    shipment: Shipment,
    decision: Decision,
    must: Vec<(Target, Decision)>,
) -> Case {
    Case {
        name,
        shipment,
        decision,
        silent: must.is_empty(),
        must,
    }
}

/// Runs a rule's table: the decision, the findings the rule made (and only
/// those: a finding the rule makes beyond `must` fails too).
fn check(rule: RuleId, cases: Vec<Case>) {
    let mut names = HashSet::new();
    for c in &cases {
        assert!(names.insert(c.name), "case name repeated: {}", c.name);
        let out = engine().screen_shipment(&c.shipment);
        let mine: Vec<(Target, Decision)> = out
            .findings
            .iter()
            .filter(|f| f.rule.split(':').next() == Some(rule.as_str()))
            .map(|f| (f.target, f.decision))
            .collect();
        assert_eq!(
            out.decision,
            c.decision,
            "{}: decision\n{}",
            c.name,
            show(&out)
        );
        if c.silent {
            assert!(
                mine.is_empty(),
                "{}: {} made {mine:?}\n{}",
                c.name,
                rule.as_str(),
                show(&out)
            );
        }
        let mut want = c.must.clone();
        want.sort();
        let mut got = mine.clone();
        got.sort();
        assert_eq!(
            got,
            want,
            "{}: findings of {}\n{}",
            c.name,
            rule.as_str(),
            show(&out)
        );
        // The outcome names the rule behind the decision.
        match out.rule {
            Some(r) => assert!(
                out.findings
                    .iter()
                    .any(|f| f.rule.starts_with(r.as_str()) && f.decision == out.decision),
                "{}: rule {r:?}",
                c.name
            ),
            None => assert_eq!(out.decision, Clear, "{}", c.name),
        }
    }
}

fn show(out: &ScreeningOutcome) -> String {
    out.findings
        .iter()
        .map(|f| {
            format!(
                "  {} {} {} {} {}",
                f.decision.as_str(),
                f.target,
                f.rule,
                f.entry_id,
                f.reason
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_rule_table_follows_the_rule_ids() {
    let ids: Vec<RuleId> = RULES.iter().map(|r| r.id).collect();
    assert_eq!(ids, RuleId::ALL);
    for r in RULES {
        assert!(!r.summary.is_empty());
        assert_eq!(super::rules::rule(r.id).map(|x| x.id), Some(r.id));
    }
}

#[test]
fn listed_party() {
    let p = Target::Party;
    check(
        RuleId::ListedParty,
        vec![
            case(
                "an SDN consignee is prohibited",
                ship(
                    "FR",
                    "",
                    plain_goods(),
                    &[(Con, "Zephyron Orbitalis", "", "")],
                ),
                Pro,
                vec![(p(1), Pro), (p(1), Lic)],
            ),
            case(
                "an SDN freight forwarder is prohibited too",
                ship(
                    "SG",
                    "",
                    plain_goods(),
                    &[consignee("SG"), (Fwd, "ZEPHYRON ORBITALIS", "", "")],
                ),
                Pro,
                vec![(p(2), Pro), (p(2), Lic)],
            ),
            case(
                "an SDN purchaser is prohibited",
                ship(
                    "SG",
                    "",
                    plain_goods(),
                    &[consignee("SG"), (Pur, "Zephyron Orbitalis Ltd.", "", "")],
                ),
                Pro,
                vec![(p(2), Pro), (p(2), Lic)],
            ),
            case(
                "a UN-listed end user is prohibited",
                ship(
                    "JP",
                    "",
                    plain_goods(),
                    &[consignee("JP"), (End, "Kestralux Dynamika", "", "")],
                ),
                Pro,
                vec![(p(2), Pro)],
            ),
            case(
                "a DPL intermediate consignee is prohibited",
                ship(
                    "JP",
                    "",
                    plain_goods(),
                    &[consignee("JP"), (Int, "Orionex Frachtwerk", "", "")],
                ),
                Pro,
                vec![(p(2), Pro)],
            ),
            case(
                "a listed exporter is only reviewed",
                ship(
                    "JP",
                    "",
                    plain_goods(),
                    &[consignee("JP"), (Exp, "Zephyron Orbitalis", "", "")],
                ),
                Rev,
                vec![(p(2), Rev), (p(2), Rev)],
            ),
            case(
                "a CMIC-only party is reviewed, not prohibited",
                ship(
                    "JP",
                    "",
                    plain_goods(),
                    &[consignee("JP"), (End, "NORINCO", "Beijing", "CN")],
                ),
                Rev,
                vec![(p(2), Rev)],
            ),
            case(
                "an Entity List party (all items) needs a licence without a controlled item",
                ship(
                    "AE",
                    "",
                    plain_goods(),
                    &[(End, "Halcyvex Prazision", "", "AE")],
                ),
                Lic,
                vec![(p(1), Lic)],
            ),
            case(
                "an Entity List party limited to some items is reviewed without a controlled item",
                ship(
                    "TR",
                    "",
                    plain_goods(),
                    &[(Con, "Tramontix Handelshaus", "", "TR")],
                ),
                Rev,
                vec![(p(1), Rev)],
            ),
            case(
                "an Entity List party limited to some items needs a licence with one",
                ship(
                    "TR",
                    "",
                    controlled_goods(),
                    &[(Con, "Tramontix Handelshaus", "", "TR")],
                ),
                Lic,
                vec![(p(1), Lic)],
            ),
            case(
                "an Unverified List party is reviewed",
                ship(
                    "AM",
                    "",
                    controlled_goods(),
                    &[(Con, "Meridoxa Sparehub", "", "AM")],
                ),
                Lic,
                vec![(p(1), Rev)],
            ),
            case(
                "an MEU party without a controlled item is reviewed",
                ship(
                    "CN",
                    "",
                    plain_goods(),
                    &[(End, "Aviquorn Testwerk", "", "CN")],
                ),
                Rev,
                vec![(p(1), Rev)],
            ),
            case(
                "an MEU party with a controlled item needs a licence",
                ship(
                    "CN",
                    "",
                    controlled_goods(),
                    &[(End, "Aviquorn Testwerk", "", "CN")],
                ),
                Lic,
                vec![(p(1), Lic)],
            ),
            case(
                "an E.O. 13382 ISN designation is prohibited",
                ship(
                    "CN",
                    "",
                    plain_goods(),
                    &[(End, "Tamarixon Nuklearsupply", "", "CN")],
                ),
                Pro,
                vec![(p(1), Pro)],
            ),
            case(
                "a missile-sanctions ISN designation needs a licence",
                ship(
                    "CN",
                    "",
                    plain_goods(),
                    &[(End, "Birchovan Raketenteile", "", "CN")],
                ),
                Lic,
                vec![(p(1), Lic)],
            ),
            case(
                "a DDTC-debarred party without a controlled item is reviewed",
                ship(
                    "MX",
                    "",
                    plain_goods(),
                    &[(Con, "Quillfedra Waffenhandel", "", "MX")],
                ),
                Rev,
                vec![(p(1), Rev)],
            ),
            case(
                "a list the policy does not name denies receiving parties",
                ship(
                    "MX",
                    "",
                    plain_goods(),
                    &[(Con, "Ospreyvale Internos", "", "MX")],
                ),
                Pro,
                vec![(p(1), Pro)],
            ),
            case(
                "that list only reviews a purchaser",
                ship(
                    "MX",
                    "",
                    plain_goods(),
                    &[consignee("MX"), (Pur, "Ospreyvale Internos", "", "MX")],
                ),
                Rev,
                vec![(p(2), Rev)],
            ),
            case(
                "a possible match is reviewed whatever the list",
                ship(
                    "FR",
                    "",
                    plain_goods(),
                    &[(Con, "Zephyron Orbitalys", "", "")],
                ),
                Rev,
                vec![(p(1), Rev), (p(1), Rev)],
            ),
            case(
                "an unknown party is not reported",
                ship("FR", "", plain_goods(), &[consignee("FR")]),
                Clear,
                vec![],
            ),
        ],
    );
}

#[test]
fn a_party_on_two_lists_gets_one_finding_per_list() {
    let out = engine().screen_shipment(&ship(
        "FR",
        "",
        plain_goods(),
        &[(Con, "Zephyron Orbitalis", "", "")],
    ));
    let mut lists: Vec<&str> = out
        .findings
        .iter()
        .filter(|f| f.target == Target::Party(1))
        .map(|f| f.list_id.as_str())
        .collect();
    lists.sort_unstable();
    assert_eq!(lists, ["bis-entity", "ofac-sdn"]);
    let el = out
        .findings
        .iter()
        .find(|f| f.list_id == "bis-entity")
        .map(|f| f.explanation.as_str())
        .unwrap_or("");
    for words in [
        "Presumption of denial",
        "99 FR 12345",
        "50 percent",
        "744.11",
    ] {
        assert!(el.contains(words), "{words} missing from {el}");
    }
}

#[test]
fn controlled_item() {
    check(
        RuleId::ControlledItem,
        vec![
            case(
                "a controlled item needs a licence",
                ship("FR", "", controlled_goods(), &[consignee("FR")]),
                Lic,
                vec![(Target::Item(0), Lic)],
            ),
            case(
                "an item below the threshold is not controlled",
                ship("FR", "", adjacent_goods(), &[consignee("FR")]),
                Clear,
                vec![],
            ),
            case(
                "a Category I item is cited with its category",
                ship(
                    "FR",
                    "",
                    vec![item("Solid rocket stage, second stage", &[])],
                    &[consignee("FR")],
                ),
                Lic,
                vec![(Target::Item(0), Lic)],
            ),
        ],
    );
    let out = engine().screen_shipment(&ship(
        "FR",
        "",
        vec![item("Solid rocket stage, second stage", &[])],
        &[consignee("FR")],
    ));
    assert_eq!(out.findings[0].category, Some(ControlCategory::I));
}

#[test]
fn embargoed_destination() {
    let d = Target::Destination;
    check(
        RuleId::EmbargoedDestination,
        vec![
            case(
                "a controlled item to Iran is prohibited",
                ship("IR", "", controlled_goods(), &[consignee("IR")]),
                Pro,
                vec![(d, Pro)],
            ),
            case(
                "anything else to Iran needs a licence",
                ship("IR", "", plain_goods(), &[consignee("IR")]),
                Lic,
                vec![(d, Lic)],
            ),
            case(
                "a controlled item through Turkey to an Iranian end user is prohibited",
                ship(
                    "TR",
                    "",
                    controlled_goods(),
                    &[
                        consignee("TR"),
                        (End, "Zagros Workshop", "Azadi Street 14, Tehran", "IR"),
                    ],
                ),
                Pro,
                vec![(d, Pro)],
            ),
            case(
                "plain goods through Armenia to a Syrian end user need a licence",
                ship(
                    "AM",
                    "",
                    plain_goods(),
                    &[
                        consignee("AM"),
                        (End, "Orontes Workshop", "Baghdad Street 21, Damascus", "SY"),
                    ],
                ),
                Lic,
                vec![(d, Lic)],
            ),
            case(
                "an end user with no country and an address in Havana is in Cuba",
                ship(
                    "MX",
                    "",
                    controlled_goods(),
                    &[
                        consignee("MX"),
                        (
                            End,
                            "Caribe Taller",
                            "Calle 100 No. 12, Boyeros, Havana",
                            "",
                        ),
                    ],
                ),
                Pro,
                vec![(d, Pro)],
            ),
            case(
                "declared for an embargoed country, destined elsewhere: still embargoed",
                ship("KP", "", plain_goods(), &[consignee("CN")]),
                Lic,
                vec![(d, Lic)],
            ),
            case(
                "a controlled item to France is not embargoed",
                ship("FR", "", controlled_goods(), &[consignee("FR")]),
                Lic,
                vec![],
            ),
        ],
    );
    let out = engine().screen_shipment(&ship(
        "TR",
        "",
        controlled_goods(),
        &[consignee("TR"), (End, "Zagros Workshop", "Tehran", "IR")],
    ));
    let f = out
        .findings
        .iter()
        .find(|f| f.rule.starts_with("embargoed_destination"))
        .map(|f| f.explanation.clone())
        .unwrap_or_default();
    assert!(
        f.contains("declared destination TR, ultimate destination IR (end user)"),
        "{f}"
    );
    assert_eq!(out.destination.ultimate.as_deref(), Some("IR"));
    assert_eq!(out.destination.basis, UltimateBasis::EndUser { party: 2 });
    assert!(out.destination.embargoed());
    assert!(out.destination.groups.contains(&"embargoed".to_string()));
}

#[test]
fn sanctioned_region() {
    let d = Target::Destination;
    check(
        RuleId::SanctionedRegion,
        vec![
            case(
                "a controlled item to Sevastopol is prohibited",
                ship(
                    "UA",
                    "",
                    controlled_goods(),
                    &[(
                        Con,
                        "Tavrida Marine",
                        "Lenin Street 12, Sevastopol, Crimea",
                        "UA",
                    )],
                ),
                Pro,
                vec![(d, Pro)],
            ),
            case(
                "plain goods to Donetsk need a licence",
                ship(
                    "UA",
                    "",
                    plain_goods(),
                    &[(Con, "Donbass Service", "Artema Street 40, Donetsk", "UA")],
                ),
                Lic,
                vec![(d, Lic)],
            ),
            case(
                "an end user in Luhansk declared as Russia",
                ship(
                    "RU",
                    "",
                    plain_goods(),
                    &[
                        consignee("RU"),
                        (End, "Lugansk Works", "ul. Oboronnaya 2, Lugansk", "RU"),
                    ],
                ),
                Lic,
                vec![(d, Lic)],
            ),
            case(
                "Kyiv is not a sanctioned region",
                ship(
                    "UA",
                    "",
                    controlled_goods(),
                    &[(Con, "Dnipro Tech", "Khreshchatyk 1, Kyiv", "UA")],
                ),
                Lic,
                vec![],
            ),
            case(
                "Sebastopol, California is not Crimea",
                ship(
                    "US",
                    "",
                    plain_goods(),
                    &[(
                        Con,
                        "Valley Parts",
                        "100 Main Street, Sebastopol, CA 95472",
                        "US",
                    )],
                ),
                Clear,
                vec![],
            ),
            case(
                "a purchaser's Crimean address is not where the goods go",
                ship(
                    "UA",
                    "",
                    plain_goods(),
                    &[
                        (Con, "Dnipro Tech", "Kyiv", "UA"),
                        (Pur, "Yalta Trade", "Yalta, Crimea", "UA"),
                    ],
                ),
                Clear,
                vec![],
            ),
        ],
    );
}

#[test]
fn diversion() {
    let p = Target::Party;
    check(
        RuleId::Diversion,
        vec![
            case(
                "declared for Turkey, end user in Iran: a diversion to review",
                ship(
                    "TR",
                    "",
                    plain_goods(),
                    &[consignee("TR"), (End, "Zagros Workshop", "Tehran", "IR")],
                ),
                Lic,
                vec![(p(2), Rev)],
            ),
            case(
                "declared for the UAE, end user in India: shown, not escalated",
                ship(
                    "AE",
                    "",
                    plain_goods(),
                    &[consignee("AE"), (End, "Deccan Works", "Pune", "IN")],
                ),
                Clear,
                vec![(p(2), Clear)],
            ),
            case(
                "consignee and end user in the declared country: no diversion",
                ship(
                    "DE",
                    "",
                    plain_goods(),
                    &[consignee("DE"), (End, "Rhein Werke", "Mannheim", "DE")],
                ),
                Clear,
                vec![],
            ),
        ],
    );
}

#[test]
fn catch_all() {
    let e = Target::EndUse;
    check(
        RuleId::CatchAll,
        vec![
            case(
                "a missile programme in Pakistan needs a licence for plain goods",
                ship(
                    "PK",
                    "Curing ovens for the solid rocket motor line of the national missile programme",
                    plain_goods(),
                    &[consignee("PK")],
                ),
                Lic,
                vec![(e, Lic)],
            ),
            case(
                "a UAV end use in Egypt",
                ship(
                    "EG",
                    "Assembly of reconnaissance UAVs",
                    plain_goods(),
                    &[consignee("EG")],
                ),
                Lic,
                vec![(e, Lic)],
            ),
            case(
                "through a hub to a D:4 end user",
                ship(
                    "SG",
                    "Integration into a surface-to-surface missile",
                    plain_goods(),
                    &[consignee("SG"), (End, "Margalla Works", "Islamabad", "PK")],
                ),
                Lic,
                vec![(e, Lic)],
            ),
            case(
                "the same end use in Kazakhstan is only reviewed",
                ship(
                    "KZ",
                    "Integration into a missile guidance test bench",
                    plain_goods(),
                    &[consignee("KZ")],
                ),
                Rev,
                vec![],
            ),
            case(
                "a negated missile end use in China",
                ship(
                    "CN",
                    "Not for missile or military use",
                    plain_goods(),
                    &[consignee("CN")],
                ),
                Clear,
                vec![],
            ),
            case(
                "a military end use in China is no catch-all",
                ship("CN", "For the army", plain_goods(), &[consignee("CN")]),
                Rev,
                vec![],
            ),
        ],
    );
}

#[test]
fn end_use_red_flags() {
    check(
        RuleId::EndUseRedFlags,
        vec![
            case(
                "a military end use is reviewed",
                ship(
                    "NZ",
                    "For use by the Ministry of Defence",
                    plain_goods(),
                    &[consignee("NZ")],
                ),
                Rev,
                vec![(Target::EndUse, Rev)],
            ),
            case(
                "a civil end use is clear",
                ship(
                    "NZ",
                    "Municipal water treatment",
                    plain_goods(),
                    &[consignee("NZ")],
                ),
                Clear,
                vec![],
            ),
        ],
    );
}

#[test]
fn hub_adjacent_item() {
    check(
        RuleId::HubAdjacentItem,
        vec![
            case(
                "a look-alike item to Dubai is reviewed",
                ship("AE", "", adjacent_goods(), &[consignee("AE")]),
                Rev,
                vec![(Target::Destination, Rev)],
            ),
            case(
                "the same item to France is clear",
                ship("FR", "", adjacent_goods(), &[consignee("FR")]),
                Clear,
                vec![],
            ),
            case(
                "a hub end user behind a declared third country",
                ship(
                    "OM",
                    "",
                    adjacent_goods(),
                    &[consignee("OM"), (End, "Harbour Trading", "Hong Kong", "HK")],
                ),
                Rev,
                vec![(Target::Destination, Rev)],
            ),
        ],
    );
}

#[test]
fn party_address_embargoed() {
    check(
        RuleId::PartyAddressEmbargoed,
        vec![
            case(
                "an address in Latakia for a party declaring Malaysia",
                ship(
                    "MY",
                    "",
                    plain_goods(),
                    &[(Con, "Caspian Gate Trading", "Port Road 14, Latakia", "MY")],
                ),
                Rev,
                vec![(Target::Party(1), Rev)],
            ),
            case(
                "an address in Tehran for a party declaring Iran",
                ship(
                    "IR",
                    "",
                    plain_goods(),
                    &[(Con, "Zagros Supply", "Azadi Street, Tehran", "IR")],
                ),
                Lic,
                vec![],
            ),
            case(
                "Teheran-ro in Seoul",
                ship(
                    "KR",
                    "",
                    plain_goods(),
                    &[(Con, "Hanbit Parts", "152 Teheran-ro, Seoul", "KR")],
                ),
                Clear,
                vec![],
            ),
        ],
    );
}

#[test]
fn receiving_party_embargoed() {
    check(
        RuleId::ReceivingPartyEmbargoed,
        vec![
            case(
                "an intermediate consignee in Iran on the way to Japan",
                ship(
                    "JP",
                    "",
                    plain_goods(),
                    &[
                        consignee("JP"),
                        (Int, "Bandar Logistics", "Bandar Abbas", "IR"),
                    ],
                ),
                Rev,
                vec![(Target::Party(2), Rev)],
            ),
            case(
                "an Iranian end user is the embargo rule's, not this one's",
                ship(
                    "TR",
                    "",
                    plain_goods(),
                    &[consignee("TR"), (End, "Zagros Workshop", "Tehran", "IR")],
                ),
                Lic,
                vec![],
            ),
        ],
    );
}

#[test]
fn forwarder_as_final_consignee() {
    check(
        RuleId::ForwarderAsFinalConsignee,
        vec![
            case(
                "a forwarder as the only receiving party",
                ship(
                    "EE",
                    "",
                    plain_goods(),
                    &[(Fwd, "Baltic Forwarding OU", "Tallinn", "EE")],
                ),
                Rev,
                vec![(Target::Party(1), Rev)],
            ),
            case(
                "a forwarder beside a consignee",
                ship(
                    "EE",
                    "",
                    plain_goods(),
                    &[
                        consignee("EE"),
                        (Fwd, "Baltic Forwarding OU", "Tallinn", "EE"),
                    ],
                ),
                Clear,
                vec![],
            ),
        ],
    );
}

/// Every rule can be switched off in `policy.toml`, and then makes nothing.
#[test]
fn rules_left_out_of_the_policy_make_no_findings() {
    let shipment = ship(
        "TR",
        "Integration into a surface-to-surface missile",
        vec![controlled_goods().remove(0), adjacent_goods().remove(0)],
        &[(Fwd, "Zephyron Orbitalis", "Port Road 14, Latakia", "TR")],
    );
    let full = engine().screen_shipment(&shipment);
    for rule in [
        RuleId::ListedParty,
        RuleId::ControlledItem,
        RuleId::PartyAddressEmbargoed,
        RuleId::EndUseRedFlags,
        RuleId::ForwarderAsFinalConsignee,
    ] {
        assert!(
            full.findings
                .iter()
                .any(|f| f.rule.starts_with(rule.as_str())),
            "{} made nothing in the full run",
            rule.as_str()
        );
        let mut r = ReferenceFiles::embedded();
        r.policy = r.policy.replace(&format!("  \"{}\",\n", rule.as_str()), "");
        assert_ne!(
            r.policy,
            ReferenceFiles::embedded().policy,
            "{}",
            rule.as_str()
        );
        let out = build(&r).screen_shipment(&shipment);
        assert!(
            !out.findings
                .iter()
                .any(|f| f.rule.starts_with(rule.as_str())),
            "{} still made findings",
            rule.as_str()
        );
    }
}

#[test]
fn a_partys_best_match_per_list_is_the_first_of_its_list_in_the_full_answer() {
    let names = |prefix: &str, n: usize| -> Vec<DenialEntry> {
        (0..n)
            .map(|i| {
                let suffix = ["", " TRADING", " LIMITED", " GROUP"][i % 4];
                party_entry(
                    &format!("{prefix}{i}"),
                    &[&format!("ZEPHYRON ORBITALIS{suffix}")],
                    &[],
                    None,
                )
            })
            .collect()
    };
    let mut all = lists();
    all.push(denial("list-a", names("a", 4)));
    all.push(denial("list-b", names("b", 3)));
    let e = match Engine::build(&all, &ReferenceFiles::embedded()) {
        Ok(e) => e,
        Err(e) => panic!("test engine: {e}"),
    };
    let mut dropped = 0;
    for name in [
        "Zephyron Orbitalis",
        "Zephyron Orbitalis Trading Co",
        "Zefyron Orbitalis Group",
        "Orbitalis Zephyron Ltd",
    ] {
        let q = crate::party::PartyQuery {
            name,
            country: "AE",
            address: "Jebel Ali Free Zone, Dubai",
        };
        let full = e.screen_party(&q, 12);
        let mut want: Vec<crate::party::PartyMatch> = Vec::new();
        for m in &full {
            if !want.iter().any(|o| o.list_id == m.list_id) {
                want.push(m.clone());
            }
        }
        assert!(!want.is_empty(), "{name}: {full:?}");
        dropped += full.len() - want.len();
        assert_eq!(e.screen_party_best_per_list(&q, 12), want, "{name}");
    }
    // The lists hold several matches each: some were dropped.
    assert!(dropped > 0);
}

/// The status of the hydrazine entry in an assessment.
fn hydrazine_status(a: &crate::item::ItemAssessment) -> Option<crate::item::ItemStatus> {
    a.matches
        .iter()
        .chain(&a.adjacent)
        .find(|m| m.code == "4.C.2.b")
        .map(|m| m.status)
}

#[test]
fn an_item_seen_before_is_answered_from_the_memo_and_only_that_item() {
    use crate::item::ItemStatus::{Adjacent, Controlled};
    let e = build(&ReferenceFiles::embedded());
    let weak = item("Hydrazine hydrate solution", &[("concentration_pct", 64.0)]);
    let first = e.assess_item(&weak);
    assert_eq!(hydrazine_status(&first), Some(Adjacent));
    // The same item again: the kept answer itself.
    assert!(Arc::ptr_eq(&first, &e.assess_item(&weak.clone())));
    // Any field that differs is another item, classified afresh.
    let strong = item("Hydrazine hydrate solution", &[("concentration_pct", 99.0)]);
    let s = e.assess_item(&strong);
    assert!(!Arc::ptr_eq(&first, &s));
    assert_eq!(hydrazine_status(&s), Some(Controlled));
    let coded = Item {
        declared_code: "4.C.2.b".into(),
        ..weak.clone()
    };
    assert!(!Arc::ptr_eq(&first, &e.assess_item(&coded)));
    let counted = Item {
        quantity: 2.0,
        ..weak.clone()
    };
    assert!(!Arc::ptr_eq(&first, &e.assess_item(&counted)));
    // Another engine (a list change builds one) never reads this one's
    // answers; an engine without the memo classifies every time; all agree.
    let other = build(&ReferenceFiles::embedded());
    let o = other.assess_item(&weak);
    assert!(!Arc::ptr_eq(&first, &o));
    assert_eq!(*first, *o);
    let mut cold = build(&ReferenceFiles::embedded());
    cold.set_memo(false);
    let (c1, c2) = (cold.assess_item(&weak), cold.assess_item(&weak));
    assert!(!Arc::ptr_eq(&c1, &c2));
    assert_eq!(*c1, *first);
}

#[test]
fn the_item_memo_stays_bounded_and_keeps_recent_items() {
    let e = build(&ReferenceFiles::embedded());
    let per = crate::item::memo::PER_GENERATION;
    let lot = |i: usize| item(&format!("Hydrazine drum lot {i}"), &[]);
    let mut last = None;
    for i in 0..3 * per + 7 {
        last = Some(e.assess_item(&lot(i)));
        assert!(crate::item::memo::kept(e.id) <= 2 * per);
    }
    assert!(crate::item::memo::kept(e.id) > per);
    let last = last.expect("items were assessed");
    assert!(Arc::ptr_eq(&last, &e.assess_item(&lot(3 * per + 6))));
    // An item from the previous generation is still kept and moves up.
    let older = e.assess_item(&lot(2 * per + 1));
    assert!(Arc::ptr_eq(&older, &e.assess_item(&lot(2 * per + 1))));
    // A description longer than the memo keeps is classified every time.
    let long = item(&format!("Hydrazine {}", "tank ".repeat(300)), &[]);
    assert!(!Arc::ptr_eq(&e.assess_item(&long), &e.assess_item(&long)));
}

#[test]
fn a_party_seen_before_is_answered_from_the_memo_and_only_that_party() {
    let e = build(&ReferenceFiles::embedded());
    let q = |name: &'static str, address: &'static str, country: &'static str| {
        crate::party::PartyQuery {
            name,
            address,
            country,
        }
    };
    let listed = q("Zephyron Orbitalis", "Harbour Road 1", "AE");
    let first = e.shipment_party_matches(&listed, 12);
    assert!(first.iter().any(|m| m.entry_id == "101"), "{first:?}");
    assert!(Arc::ptr_eq(&first, &e.shipment_party_matches(&listed, 12)));
    // Any field that differs is another query, searched afresh.
    for other in [
        q("Zephyron Orbitalis", "Harbour Road 2", "AE"),
        q("Zephyron Orbitalis", "Harbour Road 1", "OM"),
        q("Zephyron Orbitali", "Harbour Road 1", "AE"),
    ] {
        assert!(!Arc::ptr_eq(&first, &e.shipment_party_matches(&other, 12)));
    }
    assert!(!Arc::ptr_eq(&first, &e.shipment_party_matches(&listed, 3)));
    // Another engine never reads this one's answers; without the memo
    // every search is fresh; all agree, and with the public search.
    let other = build(&ReferenceFiles::embedded());
    let o = other.shipment_party_matches(&listed, 12);
    assert!(!Arc::ptr_eq(&first, &o));
    assert_eq!(*first, *o);
    assert_eq!(*first, e.screen_party_best_per_list(&listed, 12));
    let mut cold = build(&ReferenceFiles::embedded());
    cold.set_memo(false);
    let (c1, c2) = (
        cold.shipment_party_matches(&listed, 12),
        cold.shipment_party_matches(&listed, 12),
    );
    assert!(!Arc::ptr_eq(&c1, &c2));
    assert_eq!(*c1, *first);
    // A shipment screened with and without the memos gets the same outcome.
    let s = ship(
        "AE",
        "",
        vec![item("Hydrazine hydrate 99 %", &[])],
        &[
            EXPORTER,
            (Con, "Zephyron Orbitalis", "Harbour Road 1", "AE"),
        ],
    );
    let warm = (e.screen_shipment(&s), e.screen_shipment(&s));
    assert_eq!(warm.0, warm.1);
    assert_eq!(warm.0, cold.screen_shipment(&s));
    // The memo stays bounded.
    let per = crate::party::answer_memo::PER_GENERATION;
    for i in 0..2 * per + 5 {
        let name = format!("Quarnel Vistoria {i}");
        let p = crate::party::PartyQuery {
            name: &name,
            address: "",
            country: "",
        };
        e.shipment_party_matches(&p, 12);
        assert!(crate::party::answer_memo::kept(e.id) <= 2 * per);
    }
}
