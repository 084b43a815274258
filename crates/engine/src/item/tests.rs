//! Classifier mechanisms on small hand-made entries (the bundled MTCR
//! list is tested from the service crate, `tests/item_classification.rs`,
//! where its TOML importer lives).

use super::*;
use crate::model::{Condition, NationalCode as ModelNational, ThresholdRule};

fn item(description: &str, declared: &str, params: &[(&str, f64)]) -> Item {
    let mut parameters: Vec<(String, f64)> =
        params.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    parameters.sort_by(|a, b| a.0.cmp(&b.0));
    Item {
        description: description.into(),
        declared_code: declared.into(),
        parameters,
        ..Item::default()
    }
}

// ---------------------------------------------------------------------------
// Mechanisms on small hand-made entries

fn entry(code: &str, terms: &[&str]) -> ControlEntry {
    ControlEntry {
        code: code.into(),
        title: format!("entry {code}"),
        category: ControlCategory::II,
        notes: String::new(),
        terms: terms.iter().map(|t| t.to_string()).collect(),
        context: Vec::new(),
        exclusions: Vec::new(),
        rules: Vec::new(),
        national_codes: Vec::new(),
    }
}

fn codes_of(index: &ItemIndex, d: &str) -> (Vec<String>, Vec<String>) {
    let a = index.classify(&item(d, "", &[]));
    (
        a.matches.iter().map(|m| m.code.clone()).collect(),
        a.adjacent.iter().map(|m| m.code.clone()).collect(),
    )
}

#[test]
fn terms_match_whole_words_and_conjunctions() {
    let mut ap = entry("4.C.4.b", &["ap + micron", "ammonium perchlorate"]);
    ap.exclusions = vec!["!apple".into()];
    let index = ItemIndex::build("t", &[ap]).unwrap();
    assert_eq!(codes_of(&index, "AP, 200 micron").0, vec!["4.C.4.b"]);
    assert!(codes_of(&index, "AP grade").0.is_empty());
    assert!(
        codes_of(&index, "Apple purée, 200 micron sieve")
            .0
            .is_empty()
    );
    assert!(codes_of(&index, "Snap ring 200 micron").0.is_empty());
}

#[test]
fn context_groups_and_figures_gate_generic_terms() {
    let mut valve = entry("3.A.5", &["servo valve"]);
    valve.context = vec![vec!["propellant".into(), "param:flow_l_min".into()]];
    valve.rules = vec![ThresholdRule {
        label: "servo".into(),
        all: vec![
            Condition {
                param: "flow_l_min".into(),
                op: Comparison::Ge,
                value: 24.0,
            },
            Condition {
                param: "pressure_mpa".into(),
                op: Comparison::Ge,
                value: 7.0,
            },
        ],
    }];
    let index = ItemIndex::build("t", &[valve]).unwrap();
    assert_eq!(
        codes_of(&index, "Servo valve for a press"),
        (vec![], vec![])
    );
    assert_eq!(
        codes_of(&index, "Servo valve, propellant feed").0,
        vec!["3.A.5"]
    );
    assert_eq!(
        codes_of(&index, "Servo valve 8 gpm 1500 psi").0,
        vec!["3.A.5"]
    );
    assert_eq!(
        codes_of(&index, "Servo valve 2 gpm 1500 psi").1,
        vec!["3.A.5"]
    );
    let a = index.classify(&item("Servo valve 30 l/min", "", &[]));
    assert_eq!(a.matches[0].status, ItemStatus::Uncertain);
}

#[test]
fn soft_exclusions_make_adjacent_and_hard_ones_clear() {
    let mut drone = entry("19.A.2", &["drone"]);
    drone.context = vec![vec!["param:range_km".into()]];
    drone.exclusions = vec!["photography".into(), "!toy".into()];
    let index = ItemIndex::build("t", &[drone]).unwrap();
    assert_eq!(codes_of(&index, "Drone, 400 km range").0, vec!["19.A.2"]);
    assert_eq!(codes_of(&index, "Drone for photography").1, vec!["19.A.2"]);
    assert_eq!(
        codes_of(&index, "Toy drone, 400 km range"),
        (vec![], vec![])
    );
    assert_eq!(
        codes_of(&index, "Drone, not for photography, 400 km range").0,
        vec!["19.A.2"]
    );
}

#[test]
fn longer_terms_modifiers_and_purposes_name_other_goods() {
    let index = ItemIndex::build(
        "t",
        &[
            entry("2.A.1.c", &["rocket motor", "rocket engine"]),
            entry("3.A.3", &["rocket motor case"]),
            entry("15.B.3", &["test stand"]),
            entry("3.A.5", &["servo valve"]),
        ],
    )
    .unwrap();
    assert_eq!(
        codes_of(&index, "Rocket motor case, steel").0,
        vec!["3.A.3"]
    );
    assert_eq!(
        codes_of(&index, "Rocket engine static test stand").0,
        vec!["15.B.3"]
    );
    assert_eq!(
        codes_of(&index, "Servo valve for rocket engines").0,
        vec!["3.A.5"]
    );
    assert_eq!(codes_of(&index, "Rocket motor").0, vec!["2.A.1.c"]);
    assert_eq!(
        codes_of(&index, "Parts for rocket motors").0,
        vec!["2.A.1.c"]
    );
}

#[test]
fn partial_context_makes_named_goods_uncertain() {
    // Wordings of our own: a sintering press for named metals, where
    // "metal powder" says the goods may be the entry's without saying which
    // metal.
    let mut press = entry("4.B.3.d", &["sintering press"]);
    press.context = vec![vec![
        "tungsten".into(),
        "rhenium".into(),
        "?metal powder".into(),
    ]];
    let index = ItemIndex::build("t", &[press]).unwrap();
    let full = index.classify(&item("Sintering press for tungsten parts", "", &[]));
    assert_eq!(full.matches[0].status, ItemStatus::Controlled);
    let partly = index.classify(&item("Sintering press for metal powder compacts", "", &[]));
    assert_eq!(partly.matches.len(), 1, "{partly:?}");
    assert_eq!(partly.matches[0].status, ItemStatus::Uncertain);
    let why = &partly.matches[0].explanation;
    assert!(why.contains("'metal powder'"), "{why}");
    assert!(why.contains("'tungsten'"), "{why}");
    // Neither the context nor the partial phrase: a stated purpose the
    // entry does not know.
    assert_eq!(
        codes_of(&index, "Sintering press for ceramic tiles"),
        (vec![], vec![])
    );
    // The partial phrase without a term names nothing.
    assert_eq!(
        codes_of(&index, "Metal powder, stainless, 25 kg"),
        (vec![], vec![])
    );
}

#[test]
fn build_rejects_unusable_entries() {
    let mut bad_param = entry("4.C.2.a", &["hydrazine"]);
    bad_param.rules = vec![ThresholdRule {
        label: String::new(),
        all: vec![Condition {
            param: "strength".into(),
            op: Comparison::Gt,
            value: 1.0,
        }],
    }];
    let mut bad_national = entry("4.C.2.a", &["hydrazine"]);
    bad_national.national_codes = vec![ModelNational {
        code: "8471.30".into(),
        confirmed: false,
    }];
    let mut partial_figure = entry("4.C.2.a", &["hydrazine"]);
    partial_figure.context = vec![vec!["?param:purity_pct".into()]];
    let cases: Vec<(&str, Vec<ControlEntry>)> = vec![
        ("bad code", vec![entry("4C2a", &["hydrazine"])]),
        ("partial context on a figure", vec![partial_figure]),
        ("no terms", vec![entry("4.C.2.a", &[])]),
        ("empty term", vec![entry("4.C.2.a", &["--"])]),
        ("unknown param", vec![bad_param]),
        ("bad national code", vec![bad_national]),
        (
            "duplicate",
            vec![entry("4.C.2.a", &["a"]), entry("4.C.2.a", &["b"])],
        ),
    ];
    for (name, entries) in cases {
        match ItemIndex::build("t", &entries) {
            Err(EngineError::ControlEntry { code, .. }) => assert!(code.starts_with('4'), "{name}"),
            other => panic!("{name}: expected ControlEntry error, got {other:?}"),
        }
    }
}

#[test]
fn a_term_ending_in_a_generic_head_reads_with_the_other_heads() {
    let index = ItemIndex::build(
        "t",
        &[
            entry("9.A.2", &["star navigation system"]),
            entry("9.A.1", &["flight steering unit + missile"]),
        ],
    )
    .unwrap();
    for d in [
        "Star navigation equipment",
        "Star navigation apparatus for ships",
        "Devices, star navigation",
    ] {
        assert_eq!(codes_of(&index, d).0, vec!["9.A.2"], "{d}");
    }
    // The matched term says which reading named the goods.
    let a = index.classify(&item("Star navigation equipment", "", &[]));
    assert_eq!(
        a.matches[0].matched_terms,
        vec!["star navigation equipment"]
    );
    // Terms of several parts keep their words.
    assert!(
        codes_of(&index, "Flight steering system, missile")
            .0
            .is_empty()
    );
    // A single generic word alone names nothing.
    assert!(codes_of(&index, "Navigation equipment").0.is_empty());
}

#[test]
fn an_exclusion_in_a_qualifier_of_a_catalogue_line_describes_the_goods() {
    let mut mixer = entry("4.B.3.a", &["planetary mixer"]);
    mixer.context = vec![vec!["vacuum".into()]];
    mixer.exclusions = vec!["bakery".into()];
    let index = ItemIndex::build("t", &[mixer]).unwrap();
    // "Mixers, bakery production, planetary": the bakery qualifies the
    // mixers as much as "planetary" does.
    assert_eq!(
        codes_of(&index, "Mixers, bakery production, planetary"),
        (vec![], vec!["4.B.3.a".to_string()])
    );
    // A line with a figure is no catalogue line: there the exclusion's
    // words qualify another noun ("bakery production line").
    assert_eq!(
        codes_of(
            &index,
            "Planetary mixer, 300 litres, vacuum, bakery production line nearby"
        )
        .0,
        vec!["4.B.3.a"]
    );
}

#[test]
fn a_figure_stated_as_above_a_limit_is_explained_as_such() {
    let mut hot = entry("11.A.4", &["hot module"]);
    hot.rules = vec![ThresholdRule {
        label: "operating temperature".into(),
        all: vec![Condition {
            param: "temperature_c".into(),
            op: Comparison::Gt,
            value: 125.0,
        }],
    }];
    let index = ItemIndex::build("t", &[hot]).unwrap();
    let a = index.classify(&item("Hot module, operating above 125 C", "", &[]));
    assert_eq!(a.matches[0].status, ItemStatus::Controlled);
    assert!(
        a.matches[0]
            .explanation
            .contains("temperature_c more than 125 °C > 125"),
        "{}",
        a.matches[0].explanation
    );
}
