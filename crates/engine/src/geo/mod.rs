//! Countries, country groups and the gazetteer: resolves the country names
//! lists and exporters write to ISO codes, answers group membership, and
//! finds places of embargoed countries in free-text addresses.
//!
//! - `countries.toml` ([`countries`]): ISO alpha-2 and alpha-3 codes, names
//!   and aliases, and named groups (`embargoed`, `transshipment_hub` ...).
//!   Resolution folds case, accents, punctuation and spaces and compares whole
//!   values.
//! - `gazetteer.toml` ([`gazetteer`]): cities, ports, regions and free zones
//!   with their spellings; ambiguous names count only with corroboration.
//!
//! Both files are checked on load: an unknown code or group, a name that
//! points at two countries or places, or an unknown kind is an
//! [`EngineError::Config`] naming the file and the entry.

pub mod countries;
pub mod gazetteer;
pub(crate) mod text;

#[cfg(test)]
mod tests;

use super::EngineError;
use countries::Countries;
pub use countries::{Country, CountryGroup};
use gazetteer::Gazetteer;
pub use gazetteer::{Place, Region};
use text::NormText;

/// A place of the gazetteer found in an address.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaceHit {
    /// Place name as the gazetteer writes it (e.g. `Bandar Abbas`).
    pub place: String,
    /// ISO alpha-2 code of the country the place is in.
    pub country: String,
    /// city, port, region, district, island, free_zone, site.
    pub kind: String,
    /// The words of the address that matched.
    pub matched_text: String,
    /// For a name the gazetteer marks ambiguous: the words of the address
    /// that confirmed it (another place or the name of the same country).
    pub corroboration: Option<String>,
    /// The gazetteer region (`[regions.ID]`) the place is in, if any.
    pub region: Option<String>,
}

/// Country resolution, groups and gazetteer.
#[derive(Clone, Debug)]
pub struct Geo {
    countries: Countries,
    gazetteer: Gazetteer,
}

impl Default for Geo {
    /// No countries, groups or places (for tests of other modules).
    fn default() -> Self {
        Geo {
            countries: Countries::default(),
            gazetteer: Gazetteer::empty(),
        }
    }
}

impl Geo {
    /// Builds from `countries.toml` and `gazetteer.toml`.
    ///
    /// # Errors
    /// [`EngineError::Config`] when a file is malformed or inconsistent: bad
    /// ISO code, a name or alias shared by two countries or two places, an
    /// unknown country, group or kind.
    pub fn from_toml(countries: &str, gazetteer: &str) -> Result<Geo, EngineError> {
        let countries = Countries::from_toml(countries)?;
        let gazetteer = Gazetteer::from_toml(gazetteer, &countries)?;
        Ok(Geo {
            countries,
            gazetteer,
        })
    }

    /// ISO alpha-2 code for an ISO alpha-2 or alpha-3 code or a country name
    /// as lists write it (`Korea, North`, `Iran (Islamic Republic of)`,
    /// `U.A.E.`); `None` for anything else.
    pub fn resolve_country(&self, text: &str) -> Option<String> {
        self.countries.resolve(text).map(str::to_string)
    }

    /// True when the country (ISO alpha-2, any case) is in the named group.
    /// An unknown group has no members; see [`Geo::check_groups`].
    pub fn in_group(&self, iso: &str, group: &str) -> bool {
        let iso = iso.trim();
        self.countries
            .groups
            .get(group)
            .is_some_and(|g| g.members.iter().any(|m| m.eq_ignore_ascii_case(iso)))
    }

    /// Display name of a country (ISO alpha-2), or the code itself.
    pub fn country_name<'a>(&'a self, iso: &'a str) -> &'a str {
        self.countries
            .countries
            .get(iso)
            .map(|c| c.name.as_str())
            .unwrap_or(iso)
    }

    /// The configured country (ISO alpha-2, as written in the file).
    pub fn country(&self, iso: &str) -> Option<&Country> {
        self.countries.countries.get(iso)
    }

    /// All countries, by ISO code.
    pub fn countries(&self) -> impl Iterator<Item = &Country> {
        self.countries.countries.values()
    }

    /// A group with its resolved members.
    pub fn group(&self, name: &str) -> Option<&CountryGroup> {
        self.countries.groups.get(name)
    }

    /// All groups, by name.
    pub fn groups(&self) -> impl Iterator<Item = &CountryGroup> {
        self.countries.groups.values()
    }

    /// Checks that every group name (as `policy.toml` lists them) is defined,
    /// so that a misspelt group cannot silently switch a rule off.
    ///
    /// # Errors
    /// [`EngineError::Config`] for `policy.toml` naming the first unknown group.
    pub fn check_groups<S: AsRef<str>>(&self, names: &[S]) -> Result<(), EngineError> {
        for n in names {
            let n = n.as_ref();
            if !self.countries.groups.contains_key(n) {
                return Err(EngineError::Config {
                    file: "policy.toml".into(),
                    message: format!("unknown country group '{n}' (not defined in countries.toml)"),
                });
            }
        }
        Ok(())
    }

    /// All gazetteer places.
    pub fn places(&self) -> &[Place] {
        &self.gazetteer.places
    }

    /// A gazetteer region (`[regions.ID]`) by id.
    pub fn region(&self, id: &str) -> Option<&Region> {
        self.gazetteer.regions.iter().find(|r| r.id == id)
    }

    /// The groups (by name) a country (ISO alpha-2) belongs to, sorted.
    pub fn groups_of(&self, iso: &str) -> Vec<String> {
        self.countries
            .groups
            .values()
            .filter(|g| g.members.iter().any(|m| m.eq_ignore_ascii_case(iso.trim())))
            .map(|g| g.name.clone())
            .collect()
    }

    /// Checks that every region id (as `policy.toml` names them) is a
    /// `[regions.ID]` of the gazetteer.
    ///
    /// # Errors
    /// [`EngineError::Config`] for `policy.toml` naming the first unknown region.
    pub fn check_regions<S: AsRef<str>>(&self, ids: &[S]) -> Result<(), EngineError> {
        for id in ids {
            let id = id.as_ref();
            if self.region(id).is_none() {
                return Err(EngineError::Config {
                    file: "policy.toml".into(),
                    message: format!("unknown region '{id}' (no [regions.{id}] in gazetteer.toml)"),
                });
            }
        }
        Ok(())
    }

    /// Gazetteer places found in an address, each once, in the order they
    /// appear. Ambiguous names count only when corroborated; street and
    /// building names (`Teheran-ro`, `Calle Habana`) do not count.
    pub fn places_in(&self, address: &str) -> Vec<PlaceHit> {
        let t = NormText::new(address);
        self.gazetteer
            .find(&t)
            .into_iter()
            .map(|f| {
                let p = &self.gazetteer.places[f.place];
                PlaceHit {
                    place: p.name.clone(),
                    country: p.country.clone(),
                    kind: p.kind.clone(),
                    matched_text: t.original(address, f.words).to_string(),
                    corroboration: f.corroboration.map(|w| t.original(address, w).to_string()),
                    region: p.region.clone(),
                }
            })
            .collect()
    }
}
