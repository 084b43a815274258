//! The BIS Denied Persons List (`dpl.txt`): tab-separated, a header row,
//! every field quoted, LF line endings.
//!
//! The DPL has no ids: an entry's id is its 1-based position among the data
//! rows (`"1"` is the first row after the header), so ids are stable only
//! within one file. A person listed at two addresses has two rows and so
//! two entries. Kind is `organization` when the name carries a legal form
//! (`INC`, `LTD`, `S.A.`, `AIRLINES` ...), else `unknown` (the DPL mixes
//! persons and companies without saying which). Names written
//! `PEARL (A.K.A. NEI-CHIEN CHU) LI` or `X D/B/A Y` also give their parts as
//! aliases; another parenthesis (`ASMAT (APPLIED SYSTEMS ...)`) gives the
//! name without it as an alias and its content as a weak alias. Columns are
//! found by their header name; only `Name` is required.

use crate::model::{Address, DenialEntry, EntityKind, ListContent, NameKind};

use super::delimited::Reader;
use super::diff::name_address_identity;
use super::entry::push_name;
use super::text::{Fallback, clean, decode, looks_like_organization};
use super::{ImportError, ImportOptions, Imported, ListFormat, SourceData, pick_single};

const FORMAT: &str = "bis-dpl-tsv";

/// The programme every DPL entry carries.
const PROGRAM: &str = "BIS DPL";

/// `bis-dpl-tsv`: ids are row positions; identity is name and address.
pub(crate) struct DplTsv;

impl ListFormat for DplTsv {
    fn name(&self) -> &'static str {
        FORMAT
    }
    fn files(&self) -> &'static str {
        "one .txt or .tsv file (dpl.txt)"
    }
    fn import(&self, files: &[SourceData], _: &ImportOptions) -> Result<Imported, ImportError> {
        import(files)
    }
    fn positional_ids(&self) -> bool {
        true
    }
    fn identity(&self, entry: &DenialEntry) -> String {
        name_address_identity(entry)
    }
}

/// Imports the DPL.
pub(crate) fn import(files: &[SourceData]) -> Result<Imported, ImportError> {
    let file = pick_single(FORMAT, files, &["txt", "tsv"], "dpl.txt")?;
    let name = file.name.as_str();
    let mut warnings = Vec::new();
    let text = decode(name, &file.data, Fallback::Windows1252, &mut warnings)?;
    let mut records = Reader::new(name, &text, b'\t');
    let Some(header) = records.next() else {
        return Err(ImportError::Empty {
            file: file.name.clone(),
        });
    };
    let header = header?;
    let column = |wanted: &str| {
        header
            .fields
            .iter()
            .position(|h| clean(h).eq_ignore_ascii_case(wanted))
    };
    let Some(name_col) = column("Name") else {
        return Err(ImportError::malformed(
            name,
            header.line,
            "the header row has no Name column",
        ));
    };
    let col = |wanted: &str| column(wanted).unwrap_or(usize::MAX);
    let (street, city, state, country, postal) = (
        col("Street_Address"),
        col("City"),
        col("State"),
        col("Country"),
        col("Postal_Code"),
    );
    let remark_columns: Vec<(usize, &str)> = [
        ("Effective_Date", "Effective"),
        ("Expiration_Date", "Expires"),
        ("Standard_Order", "Standard order"),
        ("Last_Update", "Last update"),
        ("Action", "Action"),
        ("FR_Citation", "FR citation"),
    ]
    .into_iter()
    .filter_map(|(h, label)| column(h).map(|i| (i, label)))
    .collect();

    let mut entries = Vec::new();
    for record in records {
        let r = record?;
        if r.fields.len() != header.fields.len() {
            return Err(ImportError::malformed(
                name,
                r.line,
                format!(
                    "expected {} tab-separated fields as in the header, found {}",
                    header.fields.len(),
                    r.fields.len()
                ),
            ));
        }
        let position = entries.len() + 1;
        let full_name = clean(r.get(name_col));
        if full_name.is_empty() {
            return Err(ImportError::malformed(
                name,
                r.line,
                format!("data row {position} has no name"),
            ));
        }
        let mut entry = DenialEntry {
            entry_id: position.to_string(),
            kind: if looks_like_organization(&full_name) {
                EntityKind::Organization
            } else {
                EntityKind::Unknown
            },
            programs: vec![PROGRAM.to_string()],
            ..DenialEntry::default()
        };
        push_name(&mut entry, &full_name, NameKind::Primary);
        for (alias, kind) in name_parts(&full_name) {
            push_name(&mut entry, &alias, kind);
        }
        let address = Address {
            street: clean(r.get(street)).into_owned(),
            city: clean(r.get(city)).into_owned(),
            region: clean(r.get(state)).into_owned(),
            postal_code: clean(r.get(postal)).into_owned(),
            country: clean(r.get(country)).into_owned(),
        };
        if !address.one_line().is_empty() {
            entry.addresses.push(address);
        }
        entry.remarks = remark_columns
            .iter()
            .filter_map(|&(i, label)| {
                let v = clean(r.get(i));
                (!v.is_empty()).then(|| format!("{label}: {v}"))
            })
            .collect::<Vec<_>>()
            .join("; ");
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

/// Aliases written into a DPL name.
fn name_parts(name: &str) -> Vec<(String, NameKind)> {
    let mut out = Vec::new();
    if let Some((open, close)) = name.find('(').zip(name.rfind(')')) {
        if open < close {
            let inner = name[open + 1..close].trim();
            let outside = format!("{} {}", &name[..open], &name[close + 1..]);
            out.push((outside, NameKind::Alias));
            let upper = inner.to_ascii_uppercase();
            match ["A.K.A.", "AKA", "F.K.A.", "FKA"]
                .iter()
                .find_map(|m| upper.strip_prefix(m).map(|_| m.len()))
            {
                Some(n) => {
                    let kind = if upper.starts_with('F') {
                        NameKind::FormerName
                    } else {
                        NameKind::Alias
                    };
                    out.push((inner[n..].to_string(), kind));
                }
                None => out.push((inner.to_string(), NameKind::WeakAlias)),
            }
        }
    }
    let upper = name.to_ascii_uppercase();
    if let Some(at) = upper.find(" D/B/A ") {
        out.push((name[..at].to_string(), NameKind::Alias));
        out.push((name[at + 7..].to_string(), NameKind::Alias));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_inside_names() {
        let cases: &[(&str, &[(&str, NameKind)])] = &[
            (
                "PEARL (A.K.A. NEI-CHIEN CHU) LI",
                &[
                    ("PEARL LI", NameKind::Alias),
                    ("NEI-CHIEN CHU", NameKind::Alias),
                ],
            ),
            (
                "SIBERIAN AIRLINES D/B/A S7 AIRLINES",
                &[
                    ("SIBERIAN AIRLINES", NameKind::Alias),
                    ("S7 AIRLINES", NameKind::Alias),
                ],
            ),
            (
                "ASMAT (APPLIED SYSTEMS METHODS AND TECHNOLOGY)",
                &[
                    ("ASMAT", NameKind::Alias),
                    (
                        "APPLIED SYSTEMS METHODS AND TECHNOLOGY",
                        NameKind::WeakAlias,
                    ),
                ],
            ),
            ("AARON ABRAHAM VILLA", &[]),
        ];
        for (name, want) in cases {
            let mut e = DenialEntry::default();
            push_name(&mut e, name, NameKind::Primary);
            for (alias, kind) in name_parts(name) {
                push_name(&mut e, &alias, kind);
            }
            let got: Vec<(&str, NameKind)> = e.names[1..]
                .iter()
                .map(|n| (n.name.as_str(), n.kind))
                .collect();
            assert_eq!(got, *want, "{name}");
        }
    }
}
