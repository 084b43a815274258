//! `gazetteer.toml`: places (cities, ports, regions, free zones ...) of the
//! countries of chosen groups, and finding them in addresses.
//!
//! Rules (also documented at the top of `control-lists/gazetteer.toml`):
//!
//! - A place name counts only as whole words of the normalised address
//!   (case, accents, apostrophes and punctuation folded), not spanning a
//!   comma or other clause break; of overlapping names the leftmost-longest
//!   wins.
//! - A name directly followed by a street or building word (`Street`, `Rd`,
//!   `-ro`, `Caddesi`, `Tower` ...) or directly preceded by a street prefix
//!   (`Calle`, `Rue`, `Avenida` ...) names a street or a building, not the
//!   place: it does not count (`Teheran-ro, Seoul`, `Calle Habana`).
//! - A place marked `ambiguous` (its name or aliases are also words, first
//!   names, or places elsewhere: `Mariel`, `Santa Clara`, `Hama`, `Baniyas`)
//!   counts only when the same address also names another place of the same
//!   country by an unambiguous name, or the country itself (`Mariel,
//!   Artemisa`, `Hama, Syria`). Its `unambiguous` forms (`Puerto de Mariel`, `Tadmur`
//!   for `Palmyra`) always count.
//! - Variants are generated for every form: words joined (`Bandarabbas`),
//!   Persian ezafe `e`/`ye` dropped (`Bandar-e Anzali` -> `Bandar Anzali`),
//!   Arabic article `al`/`el` swapped. A generated variant that two places
//!   share is dropped; two places sharing an explicit form is an error.
//! - `[regions.ID]` hold the places of a sanctioned region of a country that
//!   is not embargoed as a whole (Crimea, Donetsk and Luhansk in Ukraine):
//!   their hits carry the region id, and an ambiguous place of a region is
//!   corroborated by another place of the same region or the country's name.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

use serde::Deserialize;

use super::countries::Countries;
use super::text::{NormText, PhraseSet, normalize_phrase};
use crate::EngineError;

pub(crate) const FILE: &str = "gazetteer.toml";

/// Kinds of place the gazetteer accepts.
pub const KINDS: [&str; 7] = [
    "city",
    "port",
    "region",
    "district",
    "island",
    "free_zone",
    "site",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GazetteerFile {
    groups: Vec<String>,
    context: ContextSpec,
    places: BTreeMap<String, BTreeMap<String, PlaceSpec>>,
    #[serde(default)]
    regions: BTreeMap<String, RegionSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionSpec {
    name: String,
    country: String,
    source: String,
    places: BTreeMap<String, PlaceSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContextSpec {
    street_after: Vec<String>,
    street_before: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlaceSpec {
    kind: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    ambiguous: bool,
    #[serde(default)]
    unambiguous: Vec<String>,
}

/// A table of places: its path in the file, country, region and places.
type PlaceTable<'a> = (
    String,
    &'a String,
    Option<String>,
    &'a BTreeMap<String, PlaceSpec>,
);

/// One gazetteer place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// Name as the gazetteer writes it.
    pub name: String,
    /// ISO alpha-2 code of its country.
    pub country: String,
    /// One of [`KINDS`].
    pub kind: String,
    /// Whether the bare name needs corroboration.
    pub ambiguous: bool,
    /// The `[regions.ID]` the place belongs to, if any.
    pub region: Option<String>,
}

/// A region of the gazetteer (`[regions.ID]`): a part of a country, such as
/// a sanctioned region, with its own places.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    /// Id (`crimea`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// ISO alpha-2 code of the country it is in.
    pub country: String,
    /// Where its extent was taken from.
    pub source: String,
}

#[derive(Clone, Debug, Default)]
struct Pattern {
    /// (place index, counts on its own)
    place: Option<(usize, bool)>,
    /// A name of this country (corroborates ambiguous places).
    country: Option<String>,
}

/// A place found, before conversion to the public hit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) place: usize,
    pub(crate) words: Range<usize>,
    /// Words that corroborated an ambiguous name.
    pub(crate) corroboration: Option<Range<usize>>,
}

/// Parsed and checked gazetteer with its matcher.
#[derive(Clone, Debug)]
pub(crate) struct Gazetteer {
    pub(crate) places: Vec<Place>,
    pub(crate) regions: Vec<Region>,
    patterns: Vec<Pattern>,
    set: Option<PhraseSet>,
    street_after: HashSet<String>,
    street_before: HashSet<String>,
}

fn cfg(message: String) -> EngineError {
    EngineError::Config {
        file: FILE.into(),
        message,
    }
}

/// Generated variants of a normalised form (the form itself excluded).
fn variants(form: &str) -> Vec<String> {
    let words: Vec<&str> = form.split(' ').collect();
    let mut bases = vec![words.clone()];
    if words.len() > 2 {
        let without: Vec<&str> = words
            .iter()
            .enumerate()
            .filter(|(i, w)| *i == 0 || *i == words.len() - 1 || !matches!(**w, "e" | "ye"))
            .map(|(_, w)| *w)
            .collect();
        if without.len() != words.len() {
            bases.push(without);
        }
    }
    if words.len() > 1 {
        let swapped = match words[0] {
            "al" => Some("el"),
            "el" => Some("al"),
            _ => None,
        };
        if let Some(sw) = swapped {
            for b in bases.clone() {
                let mut v = b.clone();
                v[0] = sw;
                bases.push(v);
            }
        }
    }
    let mut out: Vec<String> = Vec::new();
    for b in &bases {
        out.push(b.join(" "));
        if (2..=4).contains(&b.len()) {
            out.push(b.concat());
        }
    }
    out.retain(|v| v != form);
    out.sort();
    out.dedup();
    out
}

impl Gazetteer {
    /// No places.
    pub(crate) fn empty() -> Gazetteer {
        Gazetteer {
            places: Vec::new(),
            regions: Vec::new(),
            patterns: Vec::new(),
            set: None,
            street_after: HashSet::new(),
            street_before: HashSet::new(),
        }
    }

    pub(crate) fn from_toml(text: &str, countries: &Countries) -> Result<Gazetteer, EngineError> {
        let file: GazetteerFile = toml::from_str(text).map_err(|e| cfg(e.to_string()))?;
        let mut allowed: HashSet<&str> = HashSet::new();
        for g in &file.groups {
            let group = countries.groups.get(g).ok_or_else(|| {
                cfg(format!(
                    "groups: unknown country group '{g}' (not defined in countries.toml)"
                ))
            })?;
            allowed.extend(group.members.iter().map(String::as_str));
        }
        let norm_words = |list: &[String], what: &str| -> Result<HashSet<String>, EngineError> {
            list.iter()
                .map(|w| {
                    let n = normalize_phrase(w);
                    if n.is_empty() || n.contains(' ') {
                        Err(cfg(format!("context.{what}: '{w}' must be one word")))
                    } else {
                        Ok(n)
                    }
                })
                .collect()
        };
        let street_after = norm_words(&file.context.street_after, "street_after")?;
        let street_before = norm_words(&file.context.street_before, "street_before")?;

        let mut places: Vec<Place> = Vec::new();
        let mut regions: Vec<Region> = Vec::new();
        // explicit forms -> (place, strong)
        let mut explicit: HashMap<String, (usize, bool)> = HashMap::new();
        let mut generated: HashMap<String, Option<(usize, bool)>> = HashMap::new();
        // (table path, country, region, places)
        let mut tables: Vec<PlaceTable<'_>> = Vec::new();
        for (iso, table) in &file.places {
            if !countries.countries.contains_key(iso) {
                return Err(cfg(format!(
                    "places.{iso}: unknown country code '{iso}' (not in countries.toml)"
                )));
            }
            if !allowed.contains(iso.as_str()) {
                return Err(cfg(format!(
                    "places.{iso}: country {iso} is in none of the gazetteer's groups {:?}",
                    file.groups
                )));
            }
            tables.push((format!("places.{iso}"), iso, None, table));
        }
        for (rid, r) in &file.regions {
            if !countries.countries.contains_key(&r.country) {
                return Err(cfg(format!(
                    "regions.{rid}: unknown country code '{}' (not in countries.toml)",
                    r.country
                )));
            }
            if r.name.trim().is_empty() || r.source.trim().is_empty() {
                return Err(cfg(format!(
                    "regions.{rid}: name and source must not be empty"
                )));
            }
            regions.push(Region {
                id: rid.clone(),
                name: r.name.trim().to_string(),
                country: r.country.clone(),
                source: r.source.trim().to_string(),
            });
            tables.push((
                format!("regions.{rid}.places"),
                &r.country,
                Some(rid.clone()),
                &r.places,
            ));
        }
        for (path, iso, region, table) in tables {
            for (name, spec) in table {
                let id = format!("{path}.\"{name}\"");
                if !KINDS.contains(&spec.kind.as_str()) {
                    return Err(cfg(format!(
                        "{id}: unknown kind '{}' (expected one of {})",
                        spec.kind,
                        KINDS.join(", ")
                    )));
                }
                let idx = places.len();
                places.push(Place {
                    name: name.trim().to_string(),
                    country: iso.clone(),
                    kind: spec.kind.clone(),
                    ambiguous: spec.ambiguous,
                    region: region.clone(),
                });
                let plain = std::iter::once(name).chain(&spec.aliases);
                let forms = plain
                    .map(|f| (f, !spec.ambiguous))
                    .chain(spec.unambiguous.iter().map(|f| (f, true)));
                for (form, strong) in forms {
                    let n = normalize_phrase(form);
                    if n.is_empty() {
                        return Err(cfg(format!("{id}: form '{form}' has no letters or digits")));
                    }
                    match explicit.get_mut(&n) {
                        Some((other, _)) if *other != idx => {
                            let o = &places[*other];
                            return Err(cfg(format!(
                                "{id}: form '{form}' already names {}/{}",
                                o.country, o.name
                            )));
                        }
                        Some((_, s)) => *s |= strong,
                        None => {
                            explicit.insert(n.clone(), (idx, strong));
                        }
                    }
                    for v in variants(&n) {
                        match generated.get_mut(&v) {
                            Some(Some((other, s))) if *other == idx => *s |= strong,
                            Some(slot @ Some(_)) => *slot = None,
                            Some(None) => {}
                            None => {
                                generated.insert(v, Some((idx, strong)));
                            }
                        }
                    }
                }
            }
        }

        let mut by_form: BTreeMap<String, Pattern> = BTreeMap::new();
        for (form, slot) in generated {
            if let Some(p) = slot {
                by_form.entry(form).or_default().place = Some(p);
            }
        }
        for (form, p) in explicit {
            by_form.entry(form).or_default().place = Some(p);
        }
        let used: HashSet<&str> = places.iter().map(|p| p.country.as_str()).collect();
        for iso in used {
            let Some(c) = countries.countries.get(iso) else {
                continue;
            };
            for name in std::iter::once(&c.name).chain(&c.aliases) {
                let n = normalize_phrase(name);
                if n.replace(' ', "").len() >= 4 {
                    by_form.entry(n).or_default().country = Some(iso.to_string());
                }
            }
        }
        let (forms, patterns): (Vec<String>, Vec<Pattern>) = by_form.into_iter().unzip();
        let set = if forms.is_empty() {
            None
        } else {
            Some(PhraseSet::new(&forms).map_err(|e| cfg(format!("building the matcher: {e}")))?)
        };
        Ok(Gazetteer {
            places,
            regions,
            patterns,
            set,
            street_after,
            street_before,
        })
    }

    /// True when the words name a street or building rather than the place.
    fn street_context(&self, t: &NormText, w: &Range<usize>) -> bool {
        let after = w.end < t.words.len()
            && !t.clause_start(w.end)
            && self.street_after.contains(t.word(w.end));
        let before = w.start > 0
            && !t.clause_start(w.start)
            && self.street_before.contains(t.word(w.start - 1));
        after || before
    }

    /// Places in the (normalised) address, each once, in text order.
    pub(crate) fn find(&self, t: &NormText) -> Vec<Found> {
        let Some(set) = &self.set else {
            return Vec::new();
        };
        let mut hits: Vec<(usize, bool, Range<usize>)> = Vec::new();
        let mut country_words: Vec<(&str, Range<usize>)> = Vec::new();
        for m in set.find(t) {
            if self.street_context(t, &m.words) {
                continue;
            }
            let p = &self.patterns[m.phrase];
            if let Some(iso) = &p.country {
                country_words.push((iso.as_str(), m.words.clone()));
            }
            if let Some((idx, strong)) = p.place {
                hits.push((idx, strong, m.words));
            }
        }
        let mut out: Vec<Found> = Vec::new();
        for (idx, strong, words) in &hits {
            if out.iter().any(|f| f.place == *idx) {
                continue;
            }
            let country = self.places[*idx].country.as_str();
            let region = &self.places[*idx].region;
            let corroboration = if *strong {
                None
            } else {
                let by_place = hits
                    .iter()
                    .find(|(o, s, _)| {
                        *s && o != idx
                            && self.places[*o].country == country
                            && self.places[*o].region == *region
                    })
                    .map(|(_, _, w)| w.clone());
                let by_country = || {
                    country_words
                        .iter()
                        .find(|(iso, _)| *iso == country)
                        .map(|(_, w)| w.clone())
                };
                match by_place.or_else(by_country) {
                    Some(w) => Some(w),
                    None => continue,
                }
            };
            out.push(Found {
                place: *idx,
                words: words.clone(),
                corroboration,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::variants;

    #[test]
    fn generated_variants() {
        let cases: &[(&str, &[&str])] = &[
            ("tehran", &[]),
            ("bandar abbas", &["bandarabbas"]),
            (
                "bandar e anzali",
                &["bandar anzali", "bandaranzali", "bandareanzali"],
            ),
            ("al hasakah", &["alhasakah", "el hasakah", "elhasakah"]),
            ("zona especial de desarrollo mariel", &[]),
        ];
        for (form, want) in cases {
            assert_eq!(variants(form), *want, "form {form:?}");
        }
    }
}
