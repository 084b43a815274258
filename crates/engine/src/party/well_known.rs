//! Well-known legitimate firms (`control-lists/well-known.toml`): a
//! competing explanation for a listed match that rests only on a slip of
//! spelling or a weak alias ("Canon Inc." is Canon, not the listed alias
//! `CANCON`; "NEC Corporation" is NEC, not the weak alias `JSC NEC`).
//!
//! The firms' names are normalised with the same rules as listed names.
//! When a party's name is equal to a firm's name after
//! normalisation (legal forms aside, any word order), its listed matches
//! by a weak alias, an acronym or a name spelt otherwise are discounted:
//! never a match by an equal strong listed name, nor one where the party's
//! country is the listed entry's and none of the firm's. A listed name that
//! adds or lacks words (a subsidiary is written so: "Deutsche Bank
//! (Schweiz)") is discounted only when the party's country is given, is
//! the firm's and is not the entry's. A name that is only near a firm's
//! ("Samsong Electronics") is no firm's: its matches stand.

use serde::Deserialize;

use super::PartyMatch;
use crate::EngineError;
use rustc_hash::FxHashMap;

use super::normalize::normalize_with;
use super::rules::NameRules;

/// The file's name, as errors and explanations cite it.
pub const FILE: &str = "well-known.toml";

/// The factor a listed match explained by a well-known firm is scored at:
/// below one, so any match short of a near-exact strong name (at most 0.99)
/// falls below the review threshold (0.80 by default).
pub(crate) const DISCOUNT: f64 = 0.80;

/// A well-known firm that discounted listed matches of a party's name.
#[derive(Clone, Debug)]
pub(crate) struct Discount {
    /// The firm's first name in the table.
    pub firm: String,
    /// The listed entries (by number in their index) discounted.
    pub entries: Vec<u32>,
}

impl Discount {
    /// `m` with its discounted `score` and the reason in its explanation.
    pub(crate) fn note(&self, mut m: PartyMatch, score: f64) -> PartyMatch {
        m.score = (score * 10_000.0).round() / 10_000.0;
        if m.explanation.ends_with('.') {
            m.explanation.pop();
        }
        m.explanation.push_str(&format!(
            "; the party's name is that of the well-known firm '{}' ({FILE}), which is not listed: the name is read as that firm's, not as this listed name (x{DISCOUNT:.2}).",
            self.firm
        ));
        m
    }
}

/// One firm of the table.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Firm {
    /// The registered or usual name first, then the short names it is
    /// written as.
    pub names: Vec<String>,
    /// ISO 3166-1 alpha-2 codes of the countries the firm is at home in.
    pub countries: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    firm: Vec<Firm>,
}

/// Reads the table: every firm needs a name and a country code of two
/// upper-case letters.
///
/// # Errors
/// [`EngineError::Config`] naming the file and the firm when it is malformed.
pub fn parse(text: &str) -> Result<Vec<Firm>, EngineError> {
    let cfg = |message: String| EngineError::Config {
        file: FILE.to_string(),
        message,
    };
    let file: File = toml::from_str(text).map_err(|e| cfg(e.to_string()))?;
    for (i, f) in file.firm.iter().enumerate() {
        let first = f.names.first().map(String::as_str).unwrap_or_default();
        if f.names.is_empty() || f.names.iter().any(|n| n.trim().is_empty()) {
            return Err(cfg(format!("firm {} ({first:?}): an empty name", i + 1)));
        }
        let code_ok = |c: &String| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase());
        if f.countries.is_empty() || !f.countries.iter().all(code_ok) {
            return Err(cfg(format!(
                "firm {} ({first:?}): countries must be ISO codes of two upper-case letters",
                i + 1
            )));
        }
    }
    Ok(file.firm)
}

/// The order-free key of each name of the rules' firms (normalised as a
/// listed name is: legal forms aside, words sorted) -> the firm's number.
/// A key two firms share is the first one's.
pub(crate) fn keys(rules: &NameRules) -> FxHashMap<Box<str>, u32> {
    let mut out = FxHashMap::default();
    for (i, f) in rules.well_known().iter().enumerate() {
        for n in &f.names {
            let nn = normalize_with(n, rules);
            if !nn.tokens.is_empty() {
                out.entry(nn.key().into()).or_insert(i as u32);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_table_reads() {
        let firms = parse(include_str!("../../../../control-lists/well-known.toml")).unwrap();
        assert!(firms.len() >= 2, "{}", firms.len());
    }

    #[test]
    fn a_malformed_table_is_rejected_naming_the_firm() {
        let err = parse("[[firm]]\nnames = [\"Acme\"]\ncountries = [\"jp\"]\n").unwrap_err();
        assert!(err.to_string().contains("firm 1 (\"Acme\")"), "{err}");
        let err = parse("[[firm]]\nnames = []\ncountries = [\"JP\"]\n").unwrap_err();
        assert!(err.to_string().contains("an empty name"), "{err}");
        assert!(parse("[[firm]]\nname = \"Acme\"\n").is_err());
    }
}
