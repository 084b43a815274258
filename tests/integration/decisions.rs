//! End-to-end decisions on the bundled lists: a real server seeded from
//! `control-lists/` exactly as `cargo run` seeds a fresh data directory,
//! called with the generated client. One server serves the whole table
//! (seeding takes a few seconds in a debug build). The table holds one case
//! per bundled list and per destination rule (policy v2: per-list
//! consequences, ultimate destination, sanctioned regions, catch-all).

use exportscreen::api::pb;
use exportscreen::api::pb::{Decision, FindingKind, PartyRole};
use tonic::Code;

use crate::util::TestServer;

fn party(role: PartyRole, name: &str, address: &str, country: &str) -> pb::Party {
    pb::Party {
        role: role as i32,
        name: name.into(),
        address: address.into(),
        country: country.into(),
    }
}

fn item(description: &str, params: &[(&str, f64)]) -> pb::Item {
    pb::Item {
        description: description.into(),
        declared_code: String::new(),
        quantity: 1.0,
        unit: "pcs".into(),
        parameters: params.iter().map(|(k, v)| ((*k).into(), *v)).collect(),
    }
}

fn exporter() -> pb::Party {
    party(
        PartyRole::Exporter,
        "Nordlicht Sensorik GmbH",
        "Am Hafen 3, 28217 Bremen",
        "DE",
    )
}

struct Case {
    name: &'static str,
    shipment: pb::Shipment,
    decision: Decision,
    /// (target, list id, entry id); empty ids: any.
    must_cite: &'static [(&'static str, &'static str, &'static str)],
}

fn cases() -> Vec<Case> {
    let ship =
        |dest: &str, end_use: &str, items: Vec<pb::Item>, parties: Vec<pb::Party>| pb::Shipment {
            reference: "T-1".into(),
            exporter: "Nordlicht Sensorik GmbH".into(),
            items,
            parties,
            destination_country: dest.into(),
            end_use: end_use.into(),
        };
    vec![
        Case {
            name: "NORINCO (OFAC's CMIC list, an investment ban) as end user is reviewed",
            shipment: ship(
                "TH",
                "Spare parts for a packaging line",
                vec![item("Stainless steel hex bolts M8", &[])],
                vec![
                    exporter(),
                    party(
                        PartyRole::Consignee,
                        "Siam Conveyor Systems Co., Ltd.",
                        "88 Sukhumvit Road, Bangkok",
                        "TH",
                    ),
                    party(PartyRole::EndUser, "NORINCO", "Beijing", "CN"),
                ],
            ),
            decision: Decision::Review,
            must_cite: &[("party:2", "ofac-cons", "30957")],
        },
        Case {
            name: "an Entity List university as end user needs a licence for office furniture",
            shipment: ship(
                "CN",
                "Furnishing a new laboratory building",
                vec![item("Office chairs, swivel, mesh back", &[])],
                vec![
                    exporter(),
                    party(
                        PartyRole::Consignee,
                        "Pearl River Office Supply",
                        "Guangzhou",
                        "CN",
                    ),
                    party(PartyRole::EndUser, "Tianjin University", "Tianjin", "CN"),
                ],
            ),
            decision: Decision::LicenseRequired,
            must_cite: &[("party:2", "bis-entity", "")],
        },
        Case {
            name: "an Unverified List consignee is reviewed",
            shipment: ship(
                "AM",
                "Resale to local workshops",
                vec![item("Garden hose, 25 m", &[])],
                vec![
                    exporter(),
                    party(
                        PartyRole::Consignee,
                        "Piricas Trading Company",
                        "Yerevan",
                        "AM",
                    ),
                ],
            ),
            decision: Decision::Review,
            must_cite: &[("party:1", "bis-uvl", "")],
        },
        Case {
            name: "a Military End-User List end user needs a licence for a controlled item",
            shipment: ship(
                "CN",
                "Propellant research",
                vec![item(
                    "Unsymmetrical dimethylhydrazine (UDMH), 200 l drums",
                    &[],
                )],
                vec![
                    exporter(),
                    party(
                        PartyRole::EndUser,
                        "Academy of Aerospace Solid Propulsion Technology",
                        "Xian",
                        "CN",
                    ),
                ],
            ),
            decision: Decision::LicenseRequired,
            must_cite: &[("party:1", "bis-meu", ""), ("item:0", "mtcr", "4.C.2.b")],
        },
        Case {
            name: "an INKSNA-sanctioned supplier as consignee needs a licence",
            shipment: ship(
                "CN",
                "Resale",
                vec![item("Office chairs, swivel, mesh back", &[])],
                vec![
                    exporter(),
                    party(
                        PartyRole::Consignee,
                        "Zibo Elim Trade Company, Ltd.",
                        "Zibo",
                        "CN",
                    ),
                ],
            ),
            decision: Decision::LicenseRequired,
            must_cite: &[("party:1", "state-isn", "")],
        },
        Case {
            name: "an ITAR-debarred purchaser without a controlled item is reviewed",
            shipment: ship(
                "DE",
                "Resale",
                vec![item("Office chairs, swivel, mesh back", &[])],
                vec![
                    exporter(),
                    party(
                        PartyRole::Consignee,
                        "Hansa Bueromoebel GmbH",
                        "Hamburg",
                        "DE",
                    ),
                    party(PartyRole::Purchaser, "AMA United Group", "", ""),
                ],
            ),
            decision: Decision::Review,
            must_cite: &[("party:2", "state-dtc", "")],
        },
        Case {
            name: "an SDN freight forwarder is prohibited",
            shipment: ship(
                "SG",
                "Resale",
                vec![item("Office chairs, swivel, mesh back", &[])],
                vec![
                    exporter(),
                    party(
                        PartyRole::Consignee,
                        "Lakeside Industrial Distributors",
                        "Singapore",
                        "SG",
                    ),
                    party(PartyRole::FreightForwarder, "SINA BANK", "", ""),
                ],
            ),
            decision: Decision::Prohibited,
            must_cite: &[("party:2", "ofac-sdn", "")],
        },
        Case {
            name: "plain goods through Georgia to an end user in Damascus need a licence",
            shipment: ship(
                "GE",
                "Spare parts",
                vec![item("Office chairs, swivel, mesh back", &[])],
                vec![
                    exporter(),
                    party(PartyRole::Consignee, "Kartli Logistics", "Tbilisi", "GE"),
                    party(
                        PartyRole::EndUser,
                        "Barada Workshop",
                        "Souq Street 3, Damascus",
                        "SY",
                    ),
                ],
            ),
            decision: Decision::LicenseRequired,
            must_cite: &[("destination", "", "")],
        },
        Case {
            name: "a controlled item to a consignee in Simferopol is prohibited",
            shipment: ship(
                "UA",
                "Spare parts",
                vec![item(
                    "Unsymmetrical dimethylhydrazine (UDMH), 200 l drums",
                    &[],
                )],
                vec![
                    exporter(),
                    party(
                        PartyRole::Consignee,
                        "Chernomor Supply",
                        "Kievskaya 12, Simferopol",
                        "UA",
                    ),
                ],
            ),
            decision: Decision::Prohibited,
            must_cite: &[("destination", "mtcr", ""), ("item:0", "mtcr", "")],
        },
        Case {
            name: "a UAV end use in Saudi Arabia needs a licence for plain goods (catch-all)",
            shipment: ship(
                "SA",
                "Airframe assembly for long-range UAVs",
                vec![item("Office chairs, swivel, mesh back", &[])],
                vec![
                    exporter(),
                    party(
                        PartyRole::Consignee,
                        "Najd Industrial Works",
                        "Riyadh",
                        "SA",
                    ),
                ],
            ),
            decision: Decision::LicenseRequired,
            must_cite: &[("end_use", "", "")],
        },
        Case {
            name: "UDMH in drums needs a licence under 4.C.2.b",
            shipment: ship(
                "BR",
                "Satellite station-keeping propellant for a research institute",
                vec![item(
                    "Unsymmetrical dimethylhydrazine (UDMH), 4 x 200 l steel drums",
                    &[],
                )],
                vec![
                    exporter(),
                    party(
                        PartyRole::Consignee,
                        "Instituto Paulista de Propulsao",
                        "Rua das Flores 10, Sao Jose dos Campos",
                        "BR",
                    ),
                ],
            ),
            decision: Decision::LicenseRequired,
            must_cite: &[("item:0", "mtcr", "4.C.2.b")],
        },
        Case {
            name: "office chairs to Germany are clear",
            shipment: ship(
                "DE",
                "Furnishing a new office",
                vec![item("Office chairs, swivel, mesh back", &[])],
                vec![
                    exporter(),
                    party(
                        PartyRole::Consignee,
                        "Hansa Bueromoebel GmbH",
                        "Ballindamm 1, 20095 Hamburg",
                        "DE",
                    ),
                ],
            ),
            decision: Decision::Clear,
            must_cite: &[],
        },
        Case {
            name: "a controlled item to an embargoed destination is prohibited",
            shipment: ship(
                "IR",
                "Research",
                vec![item("Solid rocket motor, total impulse 1.2 MN.s", &[])],
                vec![
                    exporter(),
                    party(
                        PartyRole::Consignee,
                        "Karun Technical Trading",
                        "Vali Asr Ave 100, Tehran",
                        "IR",
                    ),
                ],
            ),
            decision: Decision::Prohibited,
            must_cite: &[("item:0", "mtcr", ""), ("destination", "mtcr", "")],
        },
        Case {
            name: "a freight forwarder as the only receiving party is reviewed",
            shipment: ship(
                "NL",
                "Resale",
                vec![item("Printer paper, A4, 80 g", &[])],
                vec![
                    exporter(),
                    party(
                        PartyRole::FreightForwarder,
                        "Maas Cargo Forwarding B.V.",
                        "Waalhaven 5, Rotterdam",
                        "NL",
                    ),
                ],
            ),
            decision: Decision::Review,
            must_cite: &[("party:1", "", "")],
        },
        Case {
            name: "an address in an embargoed country's port declared elsewhere is reviewed",
            shipment: ship(
                "TR",
                "Resale",
                vec![item("Printer paper, A4, 80 g", &[])],
                vec![
                    exporter(),
                    party(
                        PartyRole::Consignee,
                        "Blue Anchor Supplies",
                        "Harbour Street 7, Bandar Abbas",
                        "TR",
                    ),
                ],
            ),
            decision: Decision::Review,
            must_cite: &[("party:1", "", "")],
        },
        Case {
            name: "a missile end use is reviewed",
            shipment: ship(
                "IN",
                "Tooling for a cruise missile airframe shop",
                vec![item("Printer paper, A4, 80 g", &[])],
                vec![
                    exporter(),
                    party(
                        PartyRole::Consignee,
                        "Deccan Tooling Pvt Ltd",
                        "Plot 9, Peenya, Bengaluru",
                        "IN",
                    ),
                ],
            ),
            decision: Decision::Review,
            must_cite: &[("end_use", "", "")],
        },
    ]
}

#[tokio::test]
async fn the_bundled_lists_decide_reference_shipments() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_seeded(dir.path()).await;
    let mut client = server.screening();
    for case in cases() {
        let resp = client
            .screen_shipment(pb::ScreenShipmentRequest {
                shipment: Some(case.shipment.clone()),
                ..Default::default()
            })
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", case.name))
            .into_inner();
        let summary: Vec<String> = resp
            .findings
            .iter()
            .map(|f| format!("{} {}:{} {}", f.target, f.list_id, f.entry_id, f.reason))
            .collect();
        assert_eq!(
            resp.decision, case.decision as i32,
            "{}: findings {summary:#?}",
            case.name
        );
        for (target, list, entry) in case.must_cite {
            assert!(
                resp.findings.iter().any(|f| f.target == *target
                    && (list.is_empty() || f.list_id == *list)
                    && (entry.is_empty() || f.entry_id == *entry)),
                "{}: no finding on {target} citing {list}:{entry}; findings {summary:#?}",
                case.name
            );
        }
        // Every finding explains itself and names the lists used.
        for f in &resp.findings {
            assert!(
                !f.reason.is_empty(),
                "{}: finding without reason",
                case.name
            );
            assert!(f.kind != FindingKind::Unspecified as i32);
        }
        for list in [
            "mtcr",
            "ofac-sdn",
            "bis-entity",
            "bis-uvl",
            "bis-meu",
            "state-isn",
            "state-dtc",
        ] {
            assert!(
                resp.list_versions.iter().any(|v| v.list_id == list),
                "{list}"
            );
        }
        // The answer says where the goods go.
        let d = resp.destination.as_ref().expect("destination facts");
        assert!(
            d.summary.starts_with("declared destination"),
            "{}",
            d.summary
        );
        assert_eq!(resp.rule.is_empty(), case.decision == Decision::Clear);
        assert_eq!(resp.case_id.is_empty(), case.decision == Decision::Clear);
    }

    // An Entity List finding cites the entry's licence review policy and the
    // 50 percent rule; the diversion says where the goods really go.
    let tianjin = cases()
        .into_iter()
        .find(|c| c.name.starts_with("an Entity List university"))
        .unwrap();
    let resp = client
        .screen_shipment(pb::ScreenShipmentRequest {
            shipment: Some(tianjin.shipment),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let f = resp
        .findings
        .iter()
        .find(|f| f.list_id == "bis-entity")
        .unwrap();
    assert!(f.reason.contains("Presumption of denial"), "{}", f.reason);
    assert!(f.explanation.contains("50 percent"), "{}", f.explanation);
    assert!(f.rule.starts_with("listed_party:bis-entity"), "{}", f.rule);
    let damascus = cases()
        .into_iter()
        .find(|c| c.name.contains("Damascus"))
        .unwrap();
    let resp = client
        .screen_shipment(pb::ScreenShipmentRequest {
            shipment: Some(damascus.shipment),
            request_id: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let d = resp.destination.unwrap();
    assert_eq!((d.declared.as_str(), d.ultimate.as_str()), ("GE", "SY"));
    assert_eq!(
        d.summary,
        "declared destination GE, ultimate destination SY (end user)"
    );
    assert!(
        resp.findings
            .iter()
            .any(|f| f.rule.starts_with("diversion"))
    );

    // ListLists shows the bundled lists with their counts.
    let lists = server
        .lists()
        .list_lists(pb::ListListsRequest {})
        .await
        .unwrap()
        .into_inner();
    for (id, format) in [
        ("bis-entity", "ecfr-744-xml"),
        ("bis-uvl", "ecfr-744-xml"),
        ("bis-meu", "ecfr-744-xml"),
        ("state-isn", "trade-gov-csl-csv"),
        ("state-dtc", "trade-gov-csl-csv"),
    ] {
        let l = lists
            .lists
            .iter()
            .find(|l| l.list_id == id)
            .unwrap_or_else(|| panic!("{id} not listed"));
        assert_eq!(l.format, format, "{id}");
        assert!(l.entries > 0 && l.names >= l.entries, "{id}: {l:?}");
    }

    // ScreenParty finds NORINCO's entry first; ScreenItem numbers UDMH's entry.
    let parties = client
        .screen_party(pb::ScreenPartyRequest {
            party: Some(party(PartyRole::Unspecified, "norinco", "", "")),
            limit: 0,
        })
        .await
        .unwrap()
        .into_inner();
    let top = parties.matches.first().expect("a match for NORINCO");
    assert_eq!(
        (top.list_id.as_str(), top.entry_id.as_str()),
        ("ofac-cons", "30957")
    );
    assert!(top.explanation.contains("NORINCO"), "{}", top.explanation);
    let items = client
        .screen_item(pb::ScreenItemRequest {
            item: Some(item("UDMH fuel", &[])),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        items.matches.iter().any(|m| m.entry_id == "4.C.2.b"),
        "{items:?}"
    );

    // A request without a shipment is refused with a message naming the field.
    let err = client
        .screen_shipment(pb::ScreenShipmentRequest {
            shipment: None,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("shipment"), "{}", err.message());
    server.stop().await;
}
