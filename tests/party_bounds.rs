//! The party search skips candidate names whose bounds say they cannot reach
//! the review threshold; the bounds must never skip a name that would. Each
//! query here is screened twice against the bundled lists, once as every
//! search runs and once aligning every candidate
//! (`PartyIndex::search_aligning_all`): the answers must be equal, scores,
//! explanations and all.
//!
//! The queries are the lists' own names (a fixed sample of every list) in
//! the forms that loosen the bounds: as listed, with a space slipped one
//! letter ("RAGE, A li"), the first word cut to its initial, a run of two
//! initials for the first two words, the first two words glued, the last
//! word written twice; and names of the commonest words alone ("Abu Al",
//! "Mohamed Ali"), which make hundreds of candidates. The queries take
//! turns without a country and with one.

use std::sync::OnceLock;

use exportscreen::bundled;
use exportscreen::engine::Engine;
use exportscreen::engine::party::PartyQuery;
use exportscreen::engine::reference::ReferenceFiles;
use exportscreen::model::ListContent;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let lists = bundled::load_all(0).unwrap_or_else(|(id, e)| panic!("{id}: {e}"));
        Engine::build(&lists, &ReferenceFiles::embedded()).unwrap_or_else(|e| panic!("{e}"))
    })
}

/// Every `stride`-th name of every denial list, in list order.
fn sample_of_listed_names(stride: usize) -> Vec<String> {
    let lists = bundled::load_all(0).unwrap_or_else(|(id, e)| panic!("{id}: {e}"));
    let mut out = Vec::new();
    for list in &lists {
        let ListContent::Denial(entries) = list.content.as_ref() else {
            continue;
        };
        let names = entries.iter().flat_map(|e| e.names.iter());
        out.extend(names.step_by(stride).map(|n| n.name.clone()));
    }
    out
}

/// The forms of `name` that loosen the bounds (see the module's comment).
fn forms(name: &str) -> Vec<String> {
    let words: Vec<&str> = name.split_whitespace().collect();
    let mut out = vec![name.to_string()];
    // A space slipped one letter to the right: "RAGE, Ali" -> "RAGE,A li".
    if let Some(at) = name.find(' ') {
        let (head, tail) = name.split_at(at);
        let mut rest = tail[1..].chars();
        if let Some(first) = rest.next() {
            let mut slipped = head.to_string();
            slipped.push(first);
            slipped.push(' ');
            slipped.extend(rest);
            out.push(slipped);
        }
    }
    if words.len() >= 2 {
        let initial = |w: &str| w.chars().next().map(String::from).unwrap_or_default();
        out.push(format!("{} {}", initial(words[0]), words[1..].join(" ")));
        out.push(format!(
            "{}{} {}",
            initial(words[0]),
            initial(words[1]),
            words[2..].join(" ")
        ));
        out.push(format!("{}{} {}", words[0], words[1], words[2..].join(" ")));
        out.push(format!("{name} {}", words[words.len() - 1]));
    }
    out
}

/// Names of the commonest listed words alone.
const COMMON: &[&str] = &[
    "Abu Al",
    "Mohamed Ali",
    "Abd al Rahman",
    "Al Ali",
    "Ahmad",
    "M A Khan",
    "Ali Al Ali",
    "Trading Co Ltd",
    "GW Investment",
    "Al Muhammad Al",
];

#[test]
fn bounds_skip_no_name_that_reaches_the_threshold() {
    let engine = engine();
    let index = engine.party_index();
    let threshold = engine.policy().party.review_threshold;
    let mut queries: Vec<String> = COMMON.iter().map(|s| (*s).to_string()).collect();
    for name in sample_of_listed_names(211) {
        queries.extend(forms(&name));
    }
    let mut matched = 0;
    for (i, name) in queries.iter().enumerate() {
        let country = ["", "IR", "CN", "RU"][i % 4];
        let q = PartyQuery {
            name,
            country,
            address: "",
        };
        // The review threshold, and lower ones: more names come near them.
        for t in [threshold, 0.7, 0.6] {
            let fast = index.search(&q, t, 50);
            let all = index.search_aligning_all(&q, t, 50);
            assert_eq!(fast, all, "{name:?} (country {country:?}, threshold {t})");
            matched += usize::from(!fast.is_empty());
        }
    }
    println!("{} queries, {matched} answers with a match", queries.len());
    // The sample must exercise matching, not only misses.
    assert!(
        matched > queries.len(),
        "{matched} of {} queries matched",
        queries.len()
    );
}
