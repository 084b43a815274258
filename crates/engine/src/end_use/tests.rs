//! Tests of the red-flag scanner: categories, negation scope, benign end
//! uses and validation of `red-flags.toml`.

use super::*;
use crate::reference::ReferenceFiles;

fn flags() -> RedFlags {
    RedFlags::from_toml(&ReferenceFiles::embedded().red_flags).unwrap()
}

fn categories(hits: &[RedFlagHit]) -> Vec<&str> {
    let mut c: Vec<&str> = hits.iter().map(|h| h.category.as_str()).collect();
    c.dedup();
    c
}

#[test]
fn each_category_flags() {
    let cases: &[(&str, &[&str])] = &[
        ("Ballistic missile propulsion research", &["missile"]),
        (
            "Integration into a missile guidance test bench",
            &["missile"],
        ),
        ("Test stand for solid rocket motors", &["missile"]),
        ("ICBM re-entry vehicle heat shield", &["missile"]),
        ("Payload for UAVs", &["uav"]),
        ("Drone photography for real estate", &["uav"]),
        ("Unmanned aerial vehicle autopilot", &["uav"]),
        ("Loitering munition seeker", &["uav"]),
        (
            "For use by the Ministry of Defence in military aerospace projects",
            &["military"],
        ),
        ("Supply to the IRGC aerospace force", &["military"]),
        ("Navy patrol vessels", &["military"]),
        ("Army communications", &["military"]),
        (
            "Centrifuge cascade for uranium enrichment",
            &["nuclear_wmd"],
        ),
        ("Chemical weapons destruction programme", &["nuclear_wmd"]),
        ("Re-export to a customer in Iran", &["re_export"]),
        ("Goods will be reexported after testing", &["re_export"]),
        ("Onward shipment to a third country", &["re_export"]),
        ("Transshipment via Dubai", &["re_export"]),
        ("Satellite launch vehicle upper stage", &["space_launch"]),
        ("Sounding rocket experiments", &["space_launch"]),
        ("Hypersonic glide vehicle research", &["missile"]),
        ("Components for unmanned aerial platforms", &["uav"]),
        ("Air defence radar upgrade", &["military"]),
        (
            "Goods will be exported to a customer in Syria",
            &["re_export"],
        ),
        ("Missile and drone programme", &["missile", "uav"]),
        (
            "Drone for the army, also missile work and more drones",
            &["uav", "military", "missile"],
        ),
    ];
    let rf = flags();
    for (text, want) in cases {
        let hits = rf.scan(text);
        assert_eq!(&categories(&hits), want, "end use {text:?}: {hits:?}");
    }
}

#[test]
fn hits_quote_the_text_and_name_the_term() {
    let hits = flags().scan("Final use: UAV's flight controller; then re-export.");
    let got: Vec<(&str, &str, &str)> = hits
        .iter()
        .map(|h| {
            (
                h.term.as_str(),
                h.category.as_str(),
                h.matched_text.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("UAV", "uav", "UAV's"),
            ("re-export", "re_export", "re-export")
        ]
    );
}

#[test]
fn negated_mentions_do_not_flag() {
    let cases: &[&str] = &[
        "Not for military use",
        "No military end use",
        "Non-military applications only",
        "The goods will not be re-exported",
        "Not intended for any military or missile application",
        "Not to be used in nuclear weapons",
        "Re-export prohibited",
        "Re-export is not permitted without authorisation",
        "Military use excluded",
        "Without re-export",
        "The end user is not military",
        "Civil use only; no UAV integration",
    ];
    let rf = flags();
    for text in cases {
        assert_eq!(rf.scan(text), [], "end use {text:?}");
        let m = rf.mentions(text);
        assert!(
            !m.is_empty() && m.iter().all(|m| m.negated),
            "{text:?}: {m:?}"
        );
    }
}

#[test]
fn negation_stays_in_its_clause() {
    let cases: &[(&str, &[&str])] = &[
        ("Not for civil use, for missile programme", &["missile"]),
        ("Not for civil use for missile programme", &["missile"]),
        ("Not for civil use but for missile programme", &["missile"]),
        ("No re-export. Military end user", &["military"]),
        ("Not for civil use; military", &["military"]),
        ("No civil use for military purposes", &["military"]),
        (
            "Not for military use, but re-export to a third country",
            &["re_export"],
        ),
        // Too far from the cue (more than max_gap transparent words).
        (
            "Not to be used for any of the end uses of the military",
            &["military"],
        ),
    ];
    let rf = flags();
    for (text, want) in cases {
        let hits = rf.scan(text);
        assert_eq!(&categories(&hits), want, "end use {text:?}: {hits:?}");
    }
}

#[test]
fn benign_end_uses_do_not_flag() {
    let cases: &[&str] = &[
        "Replacement parts for the customer's own production line",
        "Laboratory use at a university materials science department",
        "Resale to industrial customers in the consignee's country",
        "Civil meteorological observation network",
        "Installation in a municipal water treatment facility",
        "Military-grade connectors for commercial aircraft",
        "MIL-SPEC cable assemblies for rail vehicles",
        "Stock for an army surplus store",
        "Donation to the Salvation Army",
        "Navy blue paint for the lobby",
        "Naval architecture software for ferry design",
        "Model rocket club",
        "Ballistic nylon luggage",
        "To combat corrosion in cooling towers",
        "Fire control panels for office buildings",
        "Export packaging for resale",
        "Enrichment of iron ore",
        "Oxygen bomb calorimeter for a coal laboratory",
        "Flood defence pumps for the river authority",
        "Satellite TV reception in hotels",
        "Maintenance of a nuclear medicine imaging unit",
        "Benchtop centrifuge for a hospital laboratory",
        "",
    ];
    let rf = flags();
    for text in cases {
        assert_eq!(rf.scan(text), [], "end use {text:?}");
    }
}

#[test]
fn malformed_files_are_rejected_naming_the_entry() {
    let base = "[negation]\nbefore = [\"not\"]\nafter = [\"prohibited\"]\n\
                transparent = [\"for\"]\nmax_gap = 3\nclause_words = [\"but\"]\n";
    let cases: &[(&str, &str)] = &[
        (
            "[categories.a]\ndescription = \"x\"\nterms = []\n",
            "categories.a: no terms",
        ),
        (
            "[categories.a]\ndescription = \"x\"\nterms = [\"drone\"]\n\
             [categories.b]\ndescription = \"y\"\nterms = [\"Drone\"]\n",
            "'Drone' is already term 'drone' of category a",
        ),
        (
            "[benign]\nphrases = [\"drone\"]\n[categories.a]\ndescription = \"x\"\nterms = [\"drone\"]\n",
            "'drone' is already term",
        ),
        (
            "[categories.a]\ndescription = \"x\"\nterms = [\"not\"]\n",
            "negation.before: 'not' is already term",
        ),
        (
            "[categories.a]\ndescription = \"x\"\nterms = [\"--\"]\n",
            "'--' has no letters",
        ),
        (
            "[categories.a]\ndescription = \"x\"\nterms = [\"a\"]\nbogus = 1\n",
            "unknown field",
        ),
    ];
    for (extra, want) in cases {
        let err = RedFlags::from_toml(&format!("{base}{extra}")).unwrap_err();
        let EngineError::Config { file, message } = &err else {
            panic!("unexpected error {err:?}");
        };
        assert_eq!(file, "red-flags.toml");
        assert!(message.contains(want), "{message:?} lacks {want:?}");
    }
    let gap = base.replace("max_gap = 3", "max_gap = 11");
    let err = RedFlags::from_toml(&format!(
        "{gap}[categories.a]\ndescription = \"x\"\nterms = [\"a\"]\n"
    ));
    assert!(err.unwrap_err().to_string().contains("max_gap"));
}
