//! Countries, country groups and the gazetteer (STUB: to be replaced).

use super::EngineError;

/// A place of the gazetteer found in an address.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaceHit {
    /// Place name as the gazetteer writes it (e.g. `Bandar Abbas`).
    pub place: String,
    /// ISO alpha-2 code of the country the place is in.
    pub country: String,
    /// city, port, region, free_zone ...
    pub kind: String,
    /// The words of the address that matched.
    pub matched_text: String,
}

/// Country resolution, groups and gazetteer.
#[derive(Debug, Default)]
pub struct Geo {}

impl Geo {
    /// Builds from `countries.toml` and `gazetteer.toml`.
    ///
    /// # Errors
    /// [`EngineError::Config`] when a file is malformed.
    pub fn from_toml(_countries: &str, _gazetteer: &str) -> Result<Geo, EngineError> {
        Ok(Geo {})
    }

    /// ISO alpha-2 code for an ISO code or a country name as lists write it.
    pub fn resolve_country(&self, text: &str) -> Option<String> {
        let t = text.trim();
        (t.len() == 2 && t.chars().all(|c| c.is_ascii_alphabetic())).then(|| t.to_ascii_uppercase())
    }

    /// True when the country (ISO alpha-2) is in the named group.
    pub fn in_group(&self, _iso: &str, _group: &str) -> bool {
        false
    }

    /// Display name of a country (ISO alpha-2), or the code itself.
    pub fn country_name<'a>(&'a self, iso: &'a str) -> &'a str {
        iso
    }

    /// Gazetteer places found in an address.
    pub fn places_in(&self, _address: &str) -> Vec<PlaceHit> {
        Vec::new()
    }
}
