//! OFAC's legacy CSV layout, shared by the SDN list (`sdn.csv`, `alt.csv`,
//! `add.csv`, `sdn_comments.csv`) and the non-SDN consolidated list
//! (`cons_prim.csv`, `cons_alt.csv`, `cons_add.csv`, `cons_comments.csv`).
//!
//! Quirks of the published files, all handled here:
//! - no header row; `-0-` (usually `-0- ` with a trailing space) means empty;
//! - CRLF line endings and a final 0x1A byte;
//! - several programs in one field, written `SDGT] [SYRIA`;
//! - remarks cut at 1,000 characters, continued in the comments file (the
//!   continuation is appended verbatim: the cut falls mid-word);
//! - weak aliases only in the remarks (`a.k.a. 'BNC'`, see [`remarks`]).
//!
//! Primary columns: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign,
//! Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks. Alias columns:
//! ent_num, alt_num, alt_type (`aka`, `fka`, `nka`), alt_name, alt_remarks.
//! Address columns: ent_num, add_num, address, city/state/postal, country,
//! add_remarks. Comment columns: ent_num, remarks continuation.
//!
//! [`remarks`]: super::remarks

use std::collections::HashMap;

use crate::model::{Address, DenialEntry, EntityKind, Identifier, ListContent, NameKind};

use super::delimited::{Reader, Record};
use super::entry::{Skipped, push_name};
use super::text::{Fallback, clean, decode, ofac_field, push_unique};
use super::{ImportError, ImportOptions, Imported, ListFormat, SourceData, pick_named, remarks};

/// The file names of one OFAC list.
#[derive(Debug)]
pub(crate) struct Layout {
    format: &'static str,
    primary: &'static str,
    alt: &'static str,
    add: &'static str,
    comments: &'static str,
}

/// The SDN list.
pub(crate) const SDN: Layout = Layout {
    format: "ofac-sdn-csv",
    primary: "sdn.csv",
    alt: "alt.csv",
    add: "add.csv",
    comments: "sdn_comments.csv",
};

/// The non-SDN consolidated list.
pub(crate) const CONS: Layout = Layout {
    format: "ofac-cons-csv",
    primary: "cons_prim.csv",
    alt: "cons_alt.csv",
    add: "cons_add.csv",
    comments: "cons_comments.csv",
};

/// Length at which OFAC cuts remarks in the primary file.
const REMARKS_LIMIT: usize = 1000;

/// An entry while its files are being read.
struct Pending {
    /// Line of the entry in the primary file.
    line: u64,
    entry: DenialEntry,
    /// Remarks as published (plus any continuation), not yet parsed.
    remarks: String,
    /// Title and vessel details, kept ahead of the remarks.
    details: Vec<String>,
}

/// `ofac-sdn-csv`.
pub(crate) struct SdnCsv;

impl ListFormat for SdnCsv {
    fn name(&self) -> &'static str {
        "ofac-sdn-csv"
    }
    fn files(&self) -> &'static str {
        "sdn.csv; optional alt.csv, add.csv, sdn_comments.csv"
    }
    fn import(&self, files: &[SourceData], _: &ImportOptions) -> Result<Imported, ImportError> {
        import(&SDN, files)
    }
}

/// `ofac-cons-csv`.
pub(crate) struct ConsCsv;

impl ListFormat for ConsCsv {
    fn name(&self) -> &'static str {
        "ofac-cons-csv"
    }
    fn files(&self) -> &'static str {
        "cons_prim.csv; optional cons_alt.csv, cons_add.csv, cons_comments.csv"
    }
    fn import(&self, files: &[SourceData], _: &ImportOptions) -> Result<Imported, ImportError> {
        import(&CONS, files)
    }
}

/// Imports one OFAC list.
pub(crate) fn import(layout: &Layout, files: &[SourceData]) -> Result<Imported, ImportError> {
    let [primary, alt, add, comments] = pick_named(
        layout.format,
        files,
        [layout.primary, layout.alt, layout.add, layout.comments],
    )?;
    let primary = primary.ok_or_else(|| ImportError::MissingFile {
        format: layout.format.to_string(),
        file: layout.primary.to_string(),
    })?;
    let mut warnings = Vec::new();

    let (mut pending, index) = read_primary(primary, &mut warnings)?;

    if let Some(file) = comments {
        read_comments(file, &index, &mut pending, &mut warnings)?;
    }
    match alt {
        Some(file) => read_aliases(file, &index, &mut pending, &mut warnings)?,
        None => warnings.push(format!(
            "{} was not sent: this version has no aliases from it (only the weak a.k.a.s \
             written in the remarks)",
            layout.alt
        )),
    }
    match add {
        Some(file) => read_addresses(file, &index, &mut pending, &mut warnings)?,
        None => warnings.push(format!(
            "{} was not sent: this version has no addresses",
            layout.add
        )),
    }

    let mut truncated = 0u64;
    let entries: Vec<DenialEntry> = pending
        .into_iter()
        .map(|p| {
            let cut = comments.is_none() && p.remarks.chars().count() == REMARKS_LIMIT;
            let (entry, partial_name) = finish(p);
            if cut || partial_name {
                truncated += 1;
            }
            entry
        })
        .collect();
    if truncated > 0 {
        let hint = if comments.is_none() {
            format!("; {} holds the rest and was not sent", layout.comments)
        } else {
            String::new()
        };
        let entries = if truncated == 1 {
            "entry has"
        } else {
            "entries have"
        };
        warnings.push(format!(
            "{}: {truncated} {entries} remarks cut at {REMARKS_LIMIT} characters{hint}; \
             names and identifiers after the cut are missing",
            layout.primary
        ));
    }
    Ok(Imported {
        content: ListContent::Denial(entries),
        warnings,
    })
}

/// Decodes a file and iterates its records, checking the field count.
fn records<'a>(
    file: &'a SourceData,
    text: &'a str,
    fields: usize,
) -> impl Iterator<Item = Result<Record<'a>, ImportError>> + 'a {
    Reader::new(&file.name, text, b',').map(move |r| {
        let r = r?;
        if r.fields.len() != fields {
            return Err(ImportError::malformed(
                &file.name,
                r.line,
                format!(
                    "expected {fields} comma-separated fields, found {}",
                    r.fields.len()
                ),
            ));
        }
        Ok(r)
    })
}

/// Parses a numeric id column (`ent_num`, `alt_num`, `add_num`).
fn number(
    file: &SourceData,
    record: &Record<'_>,
    i: usize,
    what: &str,
) -> Result<u64, ImportError> {
    let raw = record.get(i).trim();
    raw.parse().map_err(|_| {
        ImportError::malformed(
            &file.name,
            record.line,
            format!("{what} must be a number, found '{raw}'"),
        )
    })
}

/// Entries in file order, and their positions by ent_num.
type Primary = (Vec<Pending>, HashMap<u64, usize>);

fn read_primary(file: &SourceData, warnings: &mut Vec<String>) -> Result<Primary, ImportError> {
    let text = decode(&file.name, &file.data, Fallback::Windows1252, warnings)?;
    let mut pending: Vec<Pending> = Vec::new();
    let mut index: HashMap<u64, usize> = HashMap::new();
    let mut unknown_types = Skipped::default();
    for record in records(file, &text, 12) {
        let r = record?;
        let ent_num = number(file, &r, 0, "ent_num")?;
        if let Some(&first) = index.get(&ent_num) {
            return Err(ImportError::malformed(
                &file.name,
                r.line,
                format!(
                    "ent_num {ent_num} appears twice (first on line {})",
                    pending[first].line
                ),
            ));
        }
        index.insert(ent_num, pending.len());
        let name = ofac_field(r.get(1));
        if name.is_empty() {
            return Err(ImportError::malformed(
                &file.name,
                r.line,
                format!("entry {ent_num} has no name"),
            ));
        }
        let kind = match ofac_field(r.get(2)).to_ascii_lowercase().as_str() {
            "individual" => EntityKind::Person,
            "vessel" => EntityKind::Vessel,
            "aircraft" => EntityKind::Aircraft,
            "" | "entity" => EntityKind::Organization,
            _ => {
                unknown_types.add(r.line);
                EntityKind::Unknown
            }
        };
        let mut entry = DenialEntry {
            entry_id: ent_num.to_string(),
            kind,
            ..DenialEntry::default()
        };
        push_name(&mut entry, &name, NameKind::Primary);
        entry.programs = ofac_field(r.get(3))
            .split(['[', ']'])
            .map(clean)
            .filter(|p| !p.is_empty())
            .map(|p| p.into_owned())
            .collect();
        let call_sign = ofac_field(r.get(5));
        if !call_sign.is_empty() {
            entry.identifiers.push(Identifier {
                kind: "Call Sign".to_string(),
                value: call_sign.into_owned(),
                country: String::new(),
            });
        }
        push_unique(&mut entry.countries, &ofac_field(r.get(9)));
        let details = [
            (4, "Title"),
            (6, "Vessel type"),
            (7, "Tonnage"),
            (8, "GRT"),
            (10, "Vessel owner"),
        ]
        .iter()
        .filter_map(|&(i, label)| {
            let v = ofac_field(r.get(i));
            (!v.is_empty()).then(|| format!("{label}: {v}"))
        })
        .collect();
        let remarks = r.get(11);
        let remarks = if remarks.trim() == "-0-" { "" } else { remarks };
        pending.push(Pending {
            line: r.line,
            entry,
            remarks: remarks.to_string(),
            details,
        });
    }
    if pending.is_empty() {
        return Err(ImportError::Empty {
            file: file.name.clone(),
        });
    }
    unknown_types.warn(
        &file.name,
        "have an unknown SDN_Type and were given kind 'unknown'",
        warnings,
    );
    Ok((pending, index))
}

fn read_comments(
    file: &SourceData,
    index: &HashMap<u64, usize>,
    pending: &mut [Pending],
    warnings: &mut Vec<String>,
) -> Result<(), ImportError> {
    let text = decode(&file.name, &file.data, Fallback::Windows1252, warnings)?;
    let mut orphans = Skipped::default();
    for record in records(file, &text, 2) {
        let r = record?;
        let ent_num = number(file, &r, 0, "ent_num")?;
        match index.get(&ent_num) {
            Some(&i) => pending[i].remarks.push_str(r.get(1)),
            None => orphans.add(r.line),
        }
    }
    orphans.warn(
        &file.name,
        "continue the remarks of an ent_num not in the primary file and were skipped",
        warnings,
    );
    Ok(())
}

fn read_aliases(
    file: &SourceData,
    index: &HashMap<u64, usize>,
    pending: &mut [Pending],
    warnings: &mut Vec<String>,
) -> Result<(), ImportError> {
    let text = decode(&file.name, &file.data, Fallback::Windows1252, warnings)?;
    let mut orphans = Skipped::default();
    let mut empty = Skipped::default();
    let mut rows = 0u64;
    for record in records(file, &text, 5) {
        let r = record?;
        rows += 1;
        let ent_num = number(file, &r, 0, "ent_num")?;
        number(file, &r, 1, "alt_num")?;
        let Some(&i) = index.get(&ent_num) else {
            orphans.add(r.line);
            continue;
        };
        let name = ofac_field(r.get(3));
        if name.is_empty() {
            empty.add(r.line);
            continue;
        }
        let alt_remarks = ofac_field(r.get(4)).to_ascii_lowercase();
        let kind = if alt_remarks.contains("weak") || alt_remarks.contains("low quality") {
            NameKind::WeakAlias
        } else {
            match ofac_field(r.get(2)).to_ascii_lowercase().as_str() {
                "fka" | "f.k.a." | "nka" | "n.k.a." => NameKind::FormerName,
                _ => NameKind::Alias,
            }
        };
        push_name(&mut pending[i].entry, &name, kind);
    }
    if rows == 0 {
        warnings.push(format!("{}: the file has no rows", file.name));
    }
    orphans.warn(
        &file.name,
        "name an ent_num not in the primary file and were skipped",
        warnings,
    );
    empty.warn(
        &file.name,
        "have an empty alt_name and were skipped",
        warnings,
    );
    Ok(())
}

fn read_addresses(
    file: &SourceData,
    index: &HashMap<u64, usize>,
    pending: &mut [Pending],
    warnings: &mut Vec<String>,
) -> Result<(), ImportError> {
    let text = decode(&file.name, &file.data, Fallback::Windows1252, warnings)?;
    let mut orphans = Skipped::default();
    let mut rows = 0u64;
    for record in records(file, &text, 6) {
        let r = record?;
        rows += 1;
        let ent_num = number(file, &r, 0, "ent_num")?;
        number(file, &r, 1, "add_num")?;
        let Some(&i) = index.get(&ent_num) else {
            orphans.add(r.line);
            continue;
        };
        let address = Address {
            street: ofac_field(r.get(2)).into_owned(),
            // OFAC writes city, state and postal code in one column.
            city: ofac_field(r.get(3)).into_owned(),
            country: ofac_field(r.get(4)).into_owned(),
            ..Address::default()
        };
        // Rows with every part `-0-` carry nothing (OFAC keeps them as
        // placeholders); they are not addresses.
        if !(address.street.is_empty() && address.city.is_empty() && address.country.is_empty()) {
            pending[i].entry.addresses.push(address);
        }
    }
    if rows == 0 {
        warnings.push(format!("{}: the file has no rows", file.name));
    }
    orphans.warn(
        &file.name,
        "name an ent_num not in the primary file and were skipped",
        warnings,
    );
    Ok(())
}

/// Reads the remarks into the entry; true when a name was cut off.
fn finish(p: Pending) -> (DenialEntry, bool) {
    let Pending {
        mut entry,
        remarks,
        details,
        ..
    } = p;
    let facts = remarks::parse(&remarks);
    for (name, kind) in &facts.names {
        push_name(&mut entry, name, *kind);
    }
    entry.dates_of_birth = facts.dates_of_birth;
    for country in &facts.countries {
        push_unique(&mut entry.countries, country);
    }
    entry.identifiers.extend(facts.identifiers);
    let remarks = clean(&remarks);
    entry.remarks = if details.is_empty() {
        remarks.into_owned()
    } else if remarks.is_empty() {
        details.join("; ")
    } else {
        format!("{}; {remarks}", details.join("; "))
    };
    (entry, facts.truncated_name)
}
