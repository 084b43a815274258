//! Invisible characters and bidi overrides cannot hide a listed name or a
//! controlled good (issue 12): the engine, built from the bundled lists,
//! screens what a reader sees. Each case is a listed name or a controlled
//! item description with characters inserted that do not change what a
//! document shows; the answer must be the answer for the plain text.

use std::sync::OnceLock;

use exportscreen::bundled;
use exportscreen::engine::Engine;
use exportscreen::engine::party::PartyQuery;
use exportscreen::engine::reference::ReferenceFiles;
use exportscreen::model::{Decision, Item, Party, PartyRole, Shipment};

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let lists = bundled::load_all(0).unwrap_or_else(|(id, e)| panic!("{id}: {e}"));
        Engine::build(&lists, &ReferenceFiles::embedded()).unwrap_or_else(|e| panic!("{e}"))
    })
}

/// Best score of `entry` (list, id) for a party name, 0 when not returned.
fn score_of(name: &str, list: &str, entry: &str) -> f64 {
    let query = PartyQuery {
        name,
        country: "",
        address: "",
    };
    engine()
        .screen_party(&query, 50)
        .iter()
        .filter(|m| m.list_id == list && m.entry_id == entry)
        .map(|m| m.score)
        .fold(0.0, f64::max)
}

/// (case, name as sent, list, entry): each must score as the plain name does.
const NAMES: &[(&str, &str, &str, &str)] = &[
    (
        "hangul filler U+3164 between words",
        "Islamic\u{3164}Revolutionary\u{3164}Guard\u{3164}Corps",
        "ofac-sdn",
        "10391",
    ),
    (
        "halfwidth hangul filler U+FFA0",
        "Islamic\u{FFA0}Revolutionary\u{FFA0}Guard\u{FFA0}Corps",
        "ofac-sdn",
        "10391",
    ),
    (
        "hangul choseong filler U+115F",
        "Islamic\u{115F}Revolutionary\u{115F}Guard\u{115F}Corps",
        "ofac-sdn",
        "10391",
    ),
    (
        "hangul filler in a person's name",
        "Kim\u{3164}Jong\u{3164}Un",
        "ofac-sdn",
        "20157",
    ),
    (
        "right-to-left override around the reversed name",
        "\u{202E}riA nahaM\u{202C}",
        "ofac-sdn",
        "12927",
    ),
    (
        "zero-width space inside a word",
        "Ma\u{200B}han Air",
        "ofac-sdn",
        "12927",
    ),
    (
        "zero-width joiner and non-joiner inside words",
        "Ma\u{200D}han A\u{200C}ir",
        "ofac-sdn",
        "12927",
    ),
    (
        "zero-width spaces at case changes",
        "Kim\u{200B}Jong\u{200B}Un",
        "ofac-sdn",
        "20157",
    ),
    (
        "soft hyphens and word joiners",
        "Islamic Revo\u{AD}lutionary Gu\u{2060}ard Corps",
        "ofac-sdn",
        "10391",
    ),
    (
        "bidi marks and isolates",
        "\u{2067}Mahan\u{200F} Air\u{2069}",
        "ofac-sdn",
        "12927",
    ),
    (
        "byte-order mark and variation selector",
        "\u{FEFF}Mahan Air\u{FE0F}",
        "ofac-sdn",
        "12927",
    ),
];

#[test]
fn invisible_characters_do_not_hide_listed_names() {
    let threshold = engine().policy().party.review_threshold;
    for (case, name, list, entry) in NAMES {
        let plain = exportscreen::engine::text::canonical(name);
        let expected = score_of(&plain, list, entry);
        assert!(
            expected >= threshold,
            "{case}: the plain name {plain:?} must match {list}:{entry} (test premise)"
        );
        let got = score_of(name, list, entry);
        assert_eq!(
            got, expected,
            "{case}: {name:?} scores {got} against {list}:{entry}, the plain name {expected}"
        );
    }
}

fn shipment_with(name: &str, item: &str, end_use: &str) -> Shipment {
    Shipment {
        reference: "T-1".into(),
        exporter: "Acme".into(),
        destination_country: "DE".into(),
        end_use: end_use.into(),
        items: vec![Item {
            description: item.into(),
            quantity: 1.0,
            ..Item::default()
        }],
        parties: vec![
            Party {
                role: PartyRole::Exporter,
                name: "Acme".into(),
                address: String::new(),
                country: "US".into(),
            },
            Party {
                role: PartyRole::Consignee,
                name: name.into(),
                address: String::new(),
                country: String::new(),
            },
        ],
    }
}

/// (case, consignee, item, end use) with invisible characters, and the same
/// plain: the decisions must be equal and not CLEAR.
const SHIPMENTS: &[(&str, &str, &str, &str)] = &[
    (
        "filler-joined consignee",
        "Islamic\u{3164}Revolutionary\u{3164}Guard\u{3164}Corps",
        "Office chairs",
        "Office furniture",
    ),
    (
        "reversed consignee under an override",
        "\u{202E}riA nahaM\u{202C}",
        "Office chairs",
        "Office furniture",
    ),
    (
        "zero-width space in a controlled good",
        "Hokuriku Precision Devices K.K.",
        "Hydra\u{200B}zine, 99 % purity, anhydrous",
        "Satellite propulsion tests",
    ),
    (
        "soft hyphen and filler in an end use",
        "Hokuriku Precision Devices K.K.",
        "Office chairs",
        "Guidance tests for bal\u{AD}listic\u{3164}missiles",
    ),
];

#[test]
fn invisible_characters_do_not_change_a_shipment_decision() {
    for (case, name, item, end_use) in SHIPMENTS {
        let canonical = |s: &str| exportscreen::engine::text::canonical(s).into_owned();
        let plain = engine().screen_shipment(&shipment_with(
            &canonical(name),
            &canonical(item),
            &canonical(end_use),
        ));
        assert_ne!(plain.decision, Decision::Clear, "{case}: test premise");
        let hidden = engine().screen_shipment(&shipment_with(name, item, end_use));
        assert_eq!(hidden.decision, plain.decision, "{case}");
        let targets = |o: &exportscreen::model::ScreeningOutcome| {
            let mut t: Vec<String> = o.findings.iter().map(|f| f.target.to_string()).collect();
            t.sort();
            t
        };
        assert_eq!(targets(&hidden), targets(&plain), "{case}");
    }
}
