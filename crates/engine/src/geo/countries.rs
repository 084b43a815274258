//! `countries.toml`: ISO codes, the names lists and exporters write, and
//! country groups; parsed and checked.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashMap;

use serde::Deserialize;

use super::text::NormText;
use crate::EngineError;

pub(crate) const FILE: &str = "countries.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CountriesFile {
    countries: BTreeMap<String, CountrySpec>,
    #[serde(default)]
    groups: BTreeMap<String, GroupSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CountrySpec {
    name: String,
    alpha3: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupSpec {
    description: String,
    source: String,
    #[serde(default)]
    members: Vec<String>,
    #[serde(default)]
    include: Vec<String>,
}

/// One country as configured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Country {
    /// ISO 3166-1 alpha-2 code.
    pub iso: String,
    /// ISO alpha-3 code, if configured.
    pub alpha3: Option<String>,
    /// English short name.
    pub name: String,
    /// Other names (as written in the file).
    pub aliases: Vec<String>,
}

/// One country group, with included groups resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountryGroup {
    /// Group name (`embargoed` ...).
    pub name: String,
    /// What the group is for.
    pub description: String,
    /// Where the membership comes from.
    pub source: String,
    /// Member alpha-2 codes, included groups' members too.
    pub members: BTreeSet<String>,
}

/// Parsed and checked `countries.toml`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Countries {
    pub(crate) countries: BTreeMap<String, Country>,
    pub(crate) groups: BTreeMap<String, CountryGroup>,
    /// Looked up for every party and destination: a cheap hash (the keys
    /// are ours, normalised from `countries.toml`).
    by_key: FxHashMap<String, String>,
}

fn cfg(message: String) -> EngineError {
    EngineError::Config {
        file: FILE.into(),
        message,
    }
}

/// Resolution key: normalised words without a leading or trailing "the",
/// concatenated (so spaces and punctuation do not matter).
pub(crate) fn country_key(s: &str) -> String {
    let t = NormText::new(s);
    let mut words: Vec<&str> = (0..t.words.len()).map(|i| t.word(i)).collect();
    if words.len() > 1 && words.first() == Some(&"the") {
        words.remove(0);
    }
    if words.len() > 1 && words.last() == Some(&"the") {
        words.pop();
    }
    words.concat()
}

fn is_code(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_uppercase())
}

impl Countries {
    pub(crate) fn from_toml(text: &str) -> Result<Countries, EngineError> {
        let file: CountriesFile = toml::from_str(text).map_err(|e| cfg(e.to_string()))?;
        let mut out = Countries::default();
        for (iso, spec) in file.countries {
            if !is_code(&iso, 2) {
                return Err(cfg(format!(
                    "country '{iso}': the key must be an ISO 3166-1 alpha-2 code (two capital letters)"
                )));
            }
            if let Some(a3) = &spec.alpha3 {
                if !is_code(a3, 3) {
                    return Err(cfg(format!(
                        "country {iso}: alpha3 '{a3}' must be three capital letters"
                    )));
                }
            }
            if spec.name.trim().is_empty() {
                return Err(cfg(format!("country {iso}: empty name")));
            }
            let forms = std::iter::once(iso.as_str())
                .chain(spec.alpha3.as_deref())
                .chain(std::iter::once(spec.name.as_str()))
                .chain(spec.aliases.iter().map(String::as_str));
            for form in forms {
                let key = country_key(form);
                if key.is_empty() {
                    return Err(cfg(format!(
                        "country {iso}: name or alias '{form}' has no letters or digits"
                    )));
                }
                match out.by_key.get(&key) {
                    Some(other) if *other != iso => {
                        return Err(cfg(format!(
                            "country {iso}: name or alias '{form}' already names country {other}"
                        )));
                    }
                    _ => {
                        out.by_key.insert(key, iso.clone());
                    }
                }
            }
            out.countries.insert(
                iso.clone(),
                Country {
                    iso,
                    alpha3: spec.alpha3,
                    name: spec.name.trim().to_string(),
                    aliases: spec.aliases,
                },
            );
        }
        for (name, g) in &file.groups {
            if g.source.trim().is_empty() {
                return Err(cfg(format!(
                    "group '{name}': `source` must say where the membership comes from"
                )));
            }
            for m in &g.members {
                if !out.countries.contains_key(m) {
                    return Err(cfg(format!("group '{name}': unknown country code '{m}'")));
                }
            }
            for inc in &g.include {
                if !file.groups.contains_key(inc) {
                    return Err(cfg(format!(
                        "group '{name}': includes unknown group '{inc}'"
                    )));
                }
            }
        }
        for name in file.groups.keys() {
            let mut members = BTreeSet::new();
            let mut path = Vec::new();
            collect_members(&file.groups, name, &mut path, &mut members)?;
            let g = &file.groups[name];
            out.groups.insert(
                name.clone(),
                CountryGroup {
                    name: name.clone(),
                    description: g.description.trim().to_string(),
                    source: g.source.trim().to_string(),
                    members,
                },
            );
        }
        Ok(out)
    }

    /// ISO code for a code, alpha-3 code, name or alias.
    pub(crate) fn resolve(&self, text: &str) -> Option<&str> {
        // One word of ASCII letters and digits (`DE`, `IRN`, `Germany`):
        // its key is the word in lower case, read without allocating.
        let mut buf = [0u8; 16];
        if !text.is_empty()
            && text.len() <= buf.len()
            && text.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            let key = &mut buf[..text.len()];
            key.copy_from_slice(text.as_bytes());
            key.make_ascii_lowercase();
            let key = std::str::from_utf8(key).ok()?;
            return self.by_key.get(key).map(String::as_str);
        }
        self.resolve_by_key(text)
    }

    /// [`Countries::resolve`] through the full key ([`country_key`]).
    pub(crate) fn resolve_by_key(&self, text: &str) -> Option<&str> {
        let key = country_key(text);
        if key.is_empty() {
            return None;
        }
        self.by_key.get(&key).map(String::as_str)
    }
}

fn collect_members(
    groups: &BTreeMap<String, GroupSpec>,
    name: &str,
    path: &mut Vec<String>,
    out: &mut BTreeSet<String>,
) -> Result<(), EngineError> {
    if path.iter().any(|p| p == name) {
        return Err(cfg(format!(
            "group '{}': include cycle {} -> {name}",
            path[0],
            path.join(" -> ")
        )));
    }
    let Some(g) = groups.get(name) else {
        return Ok(());
    };
    path.push(name.to_string());
    out.extend(g.members.iter().cloned());
    for inc in &g.include {
        collect_members(groups, inc, path, out)?;
    }
    path.pop();
    Ok(())
}
