//! `exportscreen-toml`: the project's own format for a team's internal
//! lists, one `.toml` file. A `[list]` table says what the file holds:
//! `kind = "control"` files are read by [`control_toml`]; `kind = "denial"`
//! files hold parties in `[[entry]]` tables, as below.
//!
//! ```toml
//! [list]
//! kind = "denial"                      # "denial" or "control"
//! name = "Acme internal watch list"    # optional, for people
//! description = "Parties our compliance team refuses to ship to."
//!
//! [[entry]]
//! id = "ACME-0001"                     # required, unique in the file
//! type = "organization"                # person | organization | vessel | aircraft | unknown
//! name = "ROCKET PARTS TRADING LLC"    # required: the primary name
//! aliases = ["RPT TRADING"]            # strong aliases (optional)
//! weak_aliases = ["RPT"]               # only confirm other evidence (optional)
//! former_names = ["RPT GENERAL TRADING FZE"]
//! original_script = []                 # names in a non-Latin script
//! programs = ["ACME-INTERNAL"]
//! countries = ["AE"]                   # nationality / incorporation
//! dates_of_birth = []                  # persons: as written, "1970" or "1970-05-01"
//! remarks = "Refused to sign an end-use statement, March 2024."
//! identifiers = [{ kind = "Trade License No.", value = "123456", country = "AE" }]
//!
//! [[entry.address]]                    # any number; every part optional
//! street = "Warehouse 7, Jebel Ali Free Zone"
//! city = "Dubai"
//! region = ""
//! postal_code = ""
//! country = "AE"
//! ```
//!
//! Only `id` and `name` are required; `type` defaults to `unknown`. Unknown
//! keys are errors (a typo must not silently drop data). Duplicate ids and
//! empty names or aliases are rejected with the line they are on.
//!
//! [`control_toml`]: super::control_toml

use std::collections::HashMap;

use serde::Deserialize;
use toml::Spanned;

use crate::model::{Address, DenialEntry, EntityKind, Identifier, ListContent, NameKind};

use super::entry::push_name;
use super::text::{Fallback, clean, decode, line_of_offset, push_unique};
use super::{
    ImportError, ImportOptions, Imported, ListFormat, SourceData, control_toml, pick_single,
};

const FORMAT: &str = "exportscreen-toml";

/// Just enough to read `[list] kind`, whatever else the file holds.
#[derive(Deserialize)]
struct Probe {
    list: ProbeList,
}

#[derive(Deserialize)]
struct ProbeList {
    kind: Spanned<String>,
}

/// A denial list file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DenialFile {
    #[allow(dead_code)]
    list: ListTable,
    #[serde(default)]
    entry: Vec<NativeEntry>,
}

/// The `[list]` table of a denial list.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ListTable {
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize, Clone, Copy, Default)]
#[serde(rename_all = "lowercase")]
enum Kind {
    #[serde(alias = "individual")]
    Person,
    #[serde(alias = "entity", alias = "organisation")]
    Organization,
    Vessel,
    Aircraft,
    #[default]
    Unknown,
}

impl From<Kind> for EntityKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Person => EntityKind::Person,
            Kind::Organization => EntityKind::Organization,
            Kind::Vessel => EntityKind::Vessel,
            Kind::Aircraft => EntityKind::Aircraft,
            Kind::Unknown => EntityKind::Unknown,
        }
    }
}

/// One `[[entry]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NativeEntry {
    id: Spanned<String>,
    #[serde(default, rename = "type")]
    kind: Kind,
    name: Spanned<String>,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    #[serde(default)]
    weak_aliases: Vec<Spanned<String>>,
    #[serde(default)]
    former_names: Vec<Spanned<String>>,
    #[serde(default)]
    original_script: Vec<Spanned<String>>,
    #[serde(default)]
    programs: Vec<String>,
    #[serde(default)]
    countries: Vec<String>,
    #[serde(default)]
    dates_of_birth: Vec<String>,
    #[serde(default)]
    remarks: String,
    #[serde(default)]
    identifiers: Vec<NativeIdentifier>,
    #[serde(default)]
    address: Vec<NativeAddress>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NativeIdentifier {
    kind: String,
    value: String,
    #[serde(default)]
    country: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NativeAddress {
    #[serde(default)]
    street: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    postal_code: String,
    #[serde(default)]
    country: String,
}

/// `exportscreen-toml`.
pub(crate) struct NativeToml;

impl ListFormat for NativeToml {
    fn name(&self) -> &'static str {
        FORMAT
    }
    fn files(&self) -> &'static str {
        "one .toml file"
    }
    fn import(&self, files: &[SourceData], _: &ImportOptions) -> Result<Imported, ImportError> {
        import(files)
    }
}

/// Imports one `exportscreen-toml` file.
pub(crate) fn import(files: &[SourceData]) -> Result<Imported, ImportError> {
    let file = pick_single(FORMAT, files, &["toml"], "internal-list.toml")?;
    let name = file.name.as_str();
    let mut warnings = Vec::new();
    let text = decode(name, &file.data, Fallback::Reject, &mut warnings)?;
    let at = |offset: usize| line_of_offset(text.as_bytes(), offset);
    let toml_error = |e: toml::de::Error| {
        let line = e.span().map_or(0, |s| at(s.start));
        ImportError::malformed(name, line, e.message().to_string())
    };

    let probe: Probe = toml::from_str(&text).map_err(toml_error)?;
    match probe.list.kind.get_ref().as_str() {
        "control" => {
            let entries = control_toml::parse(file)?;
            if entries.is_empty() {
                return Err(ImportError::Empty {
                    file: file.name.clone(),
                });
            }
            return Ok(Imported {
                content: ListContent::Control(entries),
                warnings,
            });
        }
        "denial" => {}
        other => {
            return Err(ImportError::malformed(
                name,
                at(probe.list.kind.span().start),
                format!("[list] kind must be \"denial\" or \"control\", not \"{other}\""),
            ));
        }
    }

    let parsed: DenialFile = toml::from_str(&text).map_err(toml_error)?;
    let mut entries = Vec::with_capacity(parsed.entry.len());
    let mut ids: HashMap<String, u64> = HashMap::new();
    for e in parsed.entry {
        let id_line = at(e.id.span().start);
        let id = clean(e.id.get_ref()).into_owned();
        if id.is_empty() {
            return Err(ImportError::malformed(name, id_line, "empty entry id"));
        }
        if let Some(first) = ids.insert(id.clone(), id_line) {
            return Err(ImportError::malformed(
                name,
                id_line,
                format!("entry id \"{id}\" appears twice (first on line {first})"),
            ));
        }
        let mut entry = DenialEntry {
            entry_id: id,
            kind: e.kind.into(),
            remarks: clean(&e.remarks).into_owned(),
            ..DenialEntry::default()
        };
        let groups = [
            (std::slice::from_ref(&e.name), NameKind::Primary),
            (&e.aliases[..], NameKind::Alias),
            (&e.weak_aliases[..], NameKind::WeakAlias),
            (&e.former_names[..], NameKind::FormerName),
            (&e.original_script[..], NameKind::OriginalScript),
        ];
        for (names, kind) in groups {
            for n in names {
                if clean(n.get_ref()).is_empty() {
                    return Err(ImportError::malformed(
                        name,
                        at(n.span().start),
                        format!("empty name in entry \"{}\"", entry.entry_id),
                    ));
                }
                push_name(&mut entry, n.get_ref(), kind);
            }
        }
        for p in &e.programs {
            push_unique(&mut entry.programs, &clean(p));
        }
        for c in &e.countries {
            push_unique(&mut entry.countries, &clean(c));
        }
        for d in &e.dates_of_birth {
            push_unique(&mut entry.dates_of_birth, &clean(d));
        }
        entry.identifiers = e
            .identifiers
            .iter()
            .filter(|i| !i.value.trim().is_empty())
            .map(|i| Identifier {
                kind: clean(&i.kind).into_owned(),
                value: clean(&i.value).into_owned(),
                country: clean(&i.country).into_owned(),
            })
            .collect();
        entry.addresses = e
            .address
            .iter()
            .map(|a| Address {
                street: clean(&a.street).into_owned(),
                city: clean(&a.city).into_owned(),
                region: clean(&a.region).into_owned(),
                postal_code: clean(&a.postal_code).into_owned(),
                country: clean(&a.country).into_owned(),
            })
            .filter(|a| !a.one_line().is_empty())
            .collect();
        entries.push(entry);
    }
    if entries.is_empty() {
        return Err(ImportError::Empty {
            file: file.name.clone(),
        });
    }
    Ok(Imported {
        content: ListContent::Denial(entries),
        warnings,
    })
}
