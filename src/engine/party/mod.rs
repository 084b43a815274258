//! Party-name matching against every denial list (STUB: to be replaced).

use crate::model::{DenialEntry, EntityKind};

/// A party to screen.
#[derive(Clone, Copy, Debug, Default)]
pub struct PartyQuery<'a> {
    /// Name as sent.
    pub name: &'a str,
    /// Country: ISO alpha-2 or a name; may be empty.
    pub country: &'a str,
    /// Address; may be empty.
    pub address: &'a str,
}

/// A denial-list entry matched by a party.
#[derive(Clone, Debug, PartialEq)]
pub struct PartyMatch {
    /// List id.
    pub list_id: String,
    /// The source's entry id.
    pub entry_id: String,
    /// Primary name of the entry.
    pub entry_name: String,
    /// The name or alias that matched.
    pub matched_name: String,
    /// Score in [0, 1].
    pub score: f64,
    /// Equal to the name after normalisation, in any word order.
    pub near_exact: bool,
    /// Person, organisation ...
    pub entry_kind: EntityKind,
    /// Programmes of the entry.
    pub programs: Vec<String>,
    /// Token pairs (`query~entry`) that matched.
    pub matched_terms: Vec<String>,
    /// Which name matched, token pairing, what raised or lowered the score.
    pub explanation: String,
}

/// Index over all names and aliases of all denial lists.
#[derive(Debug, Default)]
pub struct PartyIndex {}

impl PartyIndex {
    /// Builds the index from `(list_id, entries)` pairs.
    pub fn build(_lists: &[(&str, &[DenialEntry])]) -> PartyIndex {
        PartyIndex {}
    }

    /// Matches scoring at least `threshold`, best first, at most `limit`.
    pub fn search(&self, _q: &PartyQuery<'_>, _threshold: f64, _limit: usize) -> Vec<PartyMatch> {
        Vec::new()
    }
}
