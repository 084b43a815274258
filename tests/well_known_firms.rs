//! The well-known firms of `control-lists/well-known.toml` against the
//! bundled lists: no firm of the table is itself listed (none of its names
//! is equal to a listed name after normalisation), none of its names is
//! flagged by a slip of spelling or a weak alias, and the listed names the
//! table's firms were once read as slips of are still found as written.

use std::sync::OnceLock;

use exportscreen::bundled;
use exportscreen::engine::Engine;
use exportscreen::engine::party::well_known;
use exportscreen::engine::party::{PartyMatch, PartyQuery};
use exportscreen::engine::reference::ReferenceFiles;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let lists = bundled::load_all(0).unwrap_or_else(|(id, e)| panic!("{id}: {e}"));
        Engine::build(&lists, &ReferenceFiles::embedded()).unwrap_or_else(|e| panic!("{e}"))
    })
}

fn matches(name: &str) -> Vec<PartyMatch> {
    engine().screen_party(
        &PartyQuery {
            name,
            country: "",
            address: "",
        },
        5,
    )
}

fn show(m: &PartyMatch) -> String {
    format!(
        "{:.3} {} ({}) {:?}",
        m.score, m.matched_name, m.list_id, m.matched_terms
    )
}

/// No name of the table is equal to a listed name (the table holds no
/// listed firm), and none is flagged by a slip of spelling, a weak alias
/// or an acronym (the discount at work). What may remain are listed names
/// that add words to a firm's ("United Microelectronics Center" for
/// "United Microelectronics Corporation"): a subsidiary is written so too,
/// and those are kept for an officer (README, `well-known.toml`).
#[test]
fn no_firm_of_the_table_is_listed_or_flagged_by_a_slip() {
    let firms =
        well_known::parse(&ReferenceFiles::embedded().well_known).unwrap_or_else(|e| panic!("{e}"));
    assert!(firms.len() >= 500, "{} firms", firms.len());
    let mut wrong = Vec::new();
    let mut by_added_words = 0;
    for name in firms.iter().flat_map(|f| f.names.iter()) {
        for m in matches(name) {
            if m.near_exact || m.matched_terms.iter().any(|t| t.contains('~')) {
                wrong.push(format!("{name}: {}", show(&m)));
            } else {
                by_added_words += 1;
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert!(
        by_added_words <= 5,
        "{by_added_words} matches by added words"
    );
}

#[test]
fn the_listed_names_themselves_are_still_found() {
    // The Entity List alias one letter from "Canon" and the SDN name one
    // letter from "Inditex", as written: found; the firms: not.
    for (name, listed) in [("CANCON", "CANCON"), ("Induitex Ltda", "INDUITEX LTDA.")] {
        let m = matches(name);
        assert!(
            m.first().is_some_and(|m| m.matched_name == listed),
            "{name}: {:?}",
            m.iter().map(show).collect::<Vec<_>>()
        );
    }
    assert!(matches("Canon Inc.").is_empty());
    assert!(matches("NEC Corporation").is_empty());
    assert!(matches("Safran S.A.").is_empty());
    assert!(matches("Korea Aerospace Research Institute").is_empty());
}
