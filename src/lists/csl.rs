//! The trade.gov Consolidated Screening List CSV (`consolidated.csv`, or any
//! single `.csv` file): a header row (`_id,source,entity_number,type,
//! programs,name,...,alt_names,...,ids`), quoted fields that may span lines,
//! multi-valued fields separated by `;`.
//!
//! Quirks handled: the header row repeated inside the file (every row equal
//! to the header is skipped); the same `_id` on two rows (an OFAC entry on
//! two source lists, e.g. SSI and NS-MBS) becomes one entry with both
//! sources' programmes, names and addresses, with a warning. `_id` is the
//! entry id; the programmes are the `programs` values plus the `source`.
//! `type` Individual/Entity/Vessel/Aircraft maps to the kind; an empty type
//! is `organization` when the name carries a legal form, else `unknown`.
//! Addresses are one comma-joined string each: the trailing two-letter
//! country code goes to `country`, the rest to `street`. `ids` items
//! (`Passport, U00242309, TR`) are kept when their kind is an identifier
//! (not `Website`, `Target Type` ...). The `license_requirement`,
//! `license_policy` and `federal_register_notice` columns (Entity List
//! rows ...) become the entry's listing terms.
//!
//! Option `sources`: keep only the rows of some source lists, named by the
//! code in the source's parentheses (`ISN` for `Nonproliferation Sanctions
//! (ISN) - State Department`, `DTC`, `EL`, `SDN` ...) or by the whole source
//! name, comma-separated. The warnings say how many rows each kept and
//! skipped source had.

use std::collections::{BTreeMap, HashMap};

use crate::model::{Address, DenialEntry, EntityKind, Identifier, ListContent, NameKind};

use super::delimited::Reader;
use super::entry::{Skipped, push_name};
use super::listing;
use super::remarks::identifier_kind;
use super::text::{Fallback, clean, decode, looks_like_organization, push_unique, split_multi};
use super::{ImportError, ImportOptions, Imported, ListFormat, SourceData, pick_single};

const FORMAT: &str = "trade-gov-csl-csv";

/// Column positions, found by header name.
struct Columns {
    id: usize,
    source: usize,
    kind: usize,
    programs: usize,
    name: usize,
    title: usize,
    addresses: usize,
    remarks: usize,
    alt_names: usize,
    citizenships: usize,
    nationalities: usize,
    dates_of_birth: usize,
    ids: usize,
    call_sign: usize,
    vessel_flag: usize,
    federal_register_notice: usize,
    license_requirement: usize,
    license_policy: usize,
}

/// `trade-gov-csl-csv`, with the `sources` option.
pub(crate) struct CslCsv;

impl ListFormat for CslCsv {
    fn name(&self) -> &'static str {
        FORMAT
    }
    fn files(&self) -> &'static str {
        "one .csv file (consolidated.csv)"
    }
    fn options(&self) -> &'static [(&'static str, &'static str)] {
        &[(
            "sources",
            "source lists to keep, comma-separated: the code in parentheses (ISN, DTC, EL, SDN ...) or the whole source name; default all",
        )]
    }
    fn import(
        &self,
        files: &[SourceData],
        options: &ImportOptions,
    ) -> Result<Imported, ImportError> {
        let sources = match options.get("sources") {
            None => None,
            Some(v) => {
                let wanted: Vec<String> = v
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect();
                if wanted.is_empty() {
                    return Err(ImportError::BadOption {
                        format: FORMAT.to_string(),
                        option: "sources".to_string(),
                        message: "names no source (e.g. sources=ISN,DTC)".to_string(),
                    });
                }
                Some(wanted)
            }
        };
        import(files, sources.as_deref())
    }
}

/// The code of a CSL source: the text in its first parentheses
/// (`Nonproliferation Sanctions (ISN) - State Department` -> `ISN`), else
/// the whole source.
pub(crate) fn source_code(source: &str) -> &str {
    source
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map_or(source.trim(), |(code, _)| code.trim())
}

/// True when `source` is one of `wanted` (by code or whole name, any case).
fn selected(source: &str, wanted: &[String]) -> bool {
    wanted.iter().any(|w| {
        w.eq_ignore_ascii_case(source_code(source)) || w.eq_ignore_ascii_case(source.trim())
    })
}

/// Imports the CSL, keeping only the rows of the `sources` asked for.
pub(crate) fn import(
    files: &[SourceData],
    sources: Option<&[String]>,
) -> Result<Imported, ImportError> {
    let file = pick_single(FORMAT, files, &["csv"], "consolidated.csv")?;
    let name = file.name.as_str();
    let mut warnings = Vec::new();
    let text = decode(name, &file.data, Fallback::Windows1252, &mut warnings)?;
    let mut records = Reader::new(name, &text, b',');
    let Some(header) = records.next() else {
        return Err(ImportError::Empty {
            file: file.name.clone(),
        });
    };
    let header = header?;
    let find = |wanted: &str| {
        header
            .fields
            .iter()
            .position(|h| clean(h).eq_ignore_ascii_case(wanted))
    };
    let required = |wanted: &str| {
        find(wanted).ok_or_else(|| {
            ImportError::malformed(
                name,
                header.line,
                format!("the header row has no {wanted} column"),
            )
        })
    };
    let optional = |wanted: &str| find(wanted).unwrap_or(usize::MAX);
    let c = Columns {
        id: required("_id")?,
        name: required("name")?,
        source: optional("source"),
        kind: optional("type"),
        programs: optional("programs"),
        title: optional("title"),
        addresses: optional("addresses"),
        remarks: optional("remarks"),
        alt_names: optional("alt_names"),
        citizenships: optional("citizenships"),
        nationalities: optional("nationalities"),
        dates_of_birth: optional("dates_of_birth"),
        ids: optional("ids"),
        call_sign: optional("call_sign"),
        vessel_flag: optional("vessel_flag"),
        federal_register_notice: optional("federal_register_notice"),
        license_requirement: optional("license_requirement"),
        license_policy: optional("license_policy"),
    };
    if sources.is_some() && c.source == usize::MAX {
        return Err(ImportError::malformed(
            name,
            header.line,
            "the header row has no source column, so the sources option cannot select rows",
        ));
    }
    // source -> (kept, skipped) rows
    let mut by_source: BTreeMap<String, (u64, u64)> = BTreeMap::new();

    let mut entries: Vec<DenialEntry> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut repeated_headers = Skipped::default();
    let mut merged = Skipped::default();
    let mut unknown_types = Skipped::default();
    for record in records {
        let r = record?;
        if r.fields == header.fields {
            repeated_headers.add(r.line);
            continue;
        }
        if r.fields.len() != header.fields.len() {
            return Err(ImportError::malformed(
                name,
                r.line,
                format!(
                    "expected {} comma-separated fields as in the header, found {}",
                    header.fields.len(),
                    r.fields.len()
                ),
            ));
        }
        if let Some(wanted) = sources {
            let source = clean(r.get(c.source));
            let keep = selected(&source, wanted);
            let slot = by_source.entry(source.into_owned()).or_default();
            if keep {
                slot.0 += 1;
            } else {
                slot.1 += 1;
                continue;
            }
        }
        let id = clean(r.get(c.id));
        if id.is_empty() {
            return Err(ImportError::malformed(name, r.line, "the row has no _id"));
        }
        let primary = clean(r.get(c.name));
        if primary.is_empty() {
            return Err(ImportError::malformed(
                name,
                r.line,
                format!("entry {id} has no name"),
            ));
        }
        let kind = match clean(r.get(c.kind)).to_ascii_lowercase().as_str() {
            "individual" => EntityKind::Person,
            "entity" => EntityKind::Organization,
            "vessel" => EntityKind::Vessel,
            "aircraft" => EntityKind::Aircraft,
            "" if looks_like_organization(&primary) => EntityKind::Organization,
            "" => EntityKind::Unknown,
            _ => {
                unknown_types.add(r.line);
                EntityKind::Unknown
            }
        };
        let (entry, new) = match by_id.get(id.as_ref()) {
            Some(&i) => {
                merged.add(r.line);
                (&mut entries[i], false)
            }
            None => {
                by_id.insert(id.to_string(), entries.len());
                entries.push(DenialEntry {
                    entry_id: id.into_owned(),
                    kind,
                    ..DenialEntry::default()
                });
                let last = entries.len() - 1;
                (&mut entries[last], true)
            }
        };
        if !new && entry.kind == EntityKind::Unknown {
            entry.kind = kind;
        }
        push_name(
            entry,
            &primary,
            if new {
                NameKind::Primary
            } else {
                NameKind::Alias
            },
        );
        for alias in split_multi(r.get(c.alt_names), ';') {
            push_name(entry, &alias, NameKind::Alias);
        }
        for program in split_multi(r.get(c.programs), ';') {
            push_unique(&mut entry.programs, &program);
        }
        push_unique(&mut entry.programs, &clean(r.get(c.source)));
        for country in split_multi(r.get(c.nationalities), ';')
            .chain(split_multi(r.get(c.citizenships), ';'))
            .chain(split_multi(r.get(c.vessel_flag), ';'))
        {
            push_unique(&mut entry.countries, &country);
        }
        for dob in split_multi(r.get(c.dates_of_birth), ';') {
            push_unique(&mut entry.dates_of_birth, &dob);
        }
        for address in split_multi(r.get(c.addresses), ';').map(|a| address(&a)) {
            if !entry.addresses.contains(&address) {
                entry.addresses.push(address);
            }
        }
        let call_sign = clean(r.get(c.call_sign));
        if !call_sign.is_empty() {
            entry.identifiers.push(Identifier {
                kind: "Call Sign".to_string(),
                value: call_sign.into_owned(),
                country: String::new(),
            });
        }
        for id in split_multi(r.get(c.ids), ';').filter_map(|i| identifier(&i)) {
            if !entry.identifiers.contains(&id) {
                entry.identifiers.push(id);
            }
        }
        if entry.listing.is_none() {
            entry.listing = listing::terms(
                r.get(c.license_requirement),
                r.get(c.license_policy),
                r.get(c.federal_register_notice),
            );
        }
        let remarks = [
            (c.title, "Title: "),
            (c.remarks, ""),
            (c.federal_register_notice, "Federal Register: "),
        ]
        .iter()
        .filter_map(|&(i, label)| {
            let v = clean(r.get(i));
            (!v.is_empty()).then(|| format!("{label}{v}"))
        })
        .collect::<Vec<_>>()
        .join("; ");
        if !remarks.is_empty() && !entry.remarks.contains(&remarks) {
            if !entry.remarks.is_empty() {
                entry.remarks.push_str(" | ");
            }
            entry.remarks.push_str(&remarks);
        }
    }
    if let Some(wanted) = sources {
        let kept: Vec<String> = by_source
            .iter()
            .filter(|(_, (k, _))| *k > 0)
            .map(|(s, (k, _))| format!("{} ({k} rows)", source_code(s)))
            .collect();
        let skipped: u64 = by_source.values().map(|(_, s)| s).sum();
        warnings.push(format!(
            "{name}: sources option {}: kept {}; skipped {skipped} rows of other sources",
            wanted.join(","),
            if kept.is_empty() {
                "nothing".to_string()
            } else {
                kept.join(", ")
            }
        ));
        for w in wanted {
            if !by_source
                .keys()
                .any(|s| selected(s, std::slice::from_ref(w)))
            {
                warnings.push(format!("{name}: sources option: no row has source '{w}'"));
            }
        }
    }
    if entries.is_empty() {
        return Err(ImportError::Empty {
            file: file.name.clone(),
        });
    }
    repeated_headers.warn(
        name,
        "repeat the header row and were skipped",
        &mut warnings,
    );
    merged.warn(
        name,
        "repeat the _id of an earlier row (the same party on another source list) and were merged into it",
        &mut warnings,
    );
    unknown_types.warn(
        name,
        "have an unknown type and were given kind 'unknown'",
        &mut warnings,
    );
    Ok(Imported {
        content: ListContent::Denial(entries),
        warnings,
    })
}

/// `31 Jinrong Street, Xicheng District, Beijing, 100033, CN`: a trailing
/// two-letter code is the country, the rest the street line.
fn address(text: &str) -> Address {
    match text.rsplit_once(',') {
        Some((rest, cc))
            if cc.trim().len() == 2 && cc.trim().bytes().all(|b| b.is_ascii_uppercase()) =>
        {
            Address {
                street: clean(rest.trim_end_matches([',', ' '])).into_owned(),
                country: cc.trim().to_string(),
                ..Address::default()
            }
        }
        _ if text.len() == 2 && text.bytes().all(|b| b.is_ascii_uppercase()) => Address {
            country: text.to_string(),
            ..Address::default()
        },
        _ => Address {
            street: text.to_string(),
            ..Address::default()
        },
    }
}

/// `Passport, U00242309, TR` (kind, value, optional country, optional date).
fn identifier(item: &str) -> Option<Identifier> {
    let mut parts = item.split(", ");
    let kind = identifier_kind(parts.next()?.trim())?;
    let mut value = clean(parts.next()?).into_owned();
    let country = parts
        .next()
        .map(str::trim)
        .filter(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()))
        .unwrap_or("");
    let mut kind = kind.to_string();
    if let Some(imo) = value.strip_prefix("IMO ") {
        kind = "IMO".to_string();
        value = imo.trim().to_string();
    }
    (!value.is_empty()).then(|| Identifier {
        kind,
        value,
        country: country.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_codes_are_the_parenthesised_abbreviation() {
        let cases = [
            ("Nonproliferation Sanctions (ISN) - State Department", "ISN"),
            ("ITAR Debarred (DTC) - State Department", "DTC"),
            (
                "Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department",
                "NS-MBS List",
            ),
            ("Some list", "Some list"),
        ];
        for (source, code) in cases {
            assert_eq!(source_code(source), code, "{source}");
        }
        let wanted = [
            "isn".to_string(),
            "ITAR Debarred (DTC) - State Department".to_string(),
        ];
        assert!(selected(cases[0].0, &wanted));
        assert!(selected(cases[1].0, &wanted));
        assert!(!selected(cases[2].0, &wanted));
    }

    #[test]
    fn addresses_split_off_the_country_code() {
        let a = address("31 Jinrong Street, Xicheng District, Beijing, 100033, CN");
        assert_eq!(
            a.street,
            "31 Jinrong Street, Xicheng District, Beijing, 100033"
        );
        assert_eq!(a.country, "CN");
        assert_eq!(address("RU").country, "RU");
        let a = address("Tehran, Iran");
        assert_eq!(
            (a.street.as_str(), a.country.as_str()),
            ("Tehran, Iran", "")
        );
    }

    #[test]
    fn identifiers_keep_known_kinds_only() {
        let id = identifier("Passport, U00242309, TR").unwrap();
        assert_eq!(
            (id.kind.as_str(), id.value.as_str(), id.country.as_str()),
            ("Passport", "U00242309", "TR")
        );
        let id = identifier("C.U.R.P., AIMM67125HCHRRG06, MX, 1968").unwrap();
        assert_eq!(
            (id.value.as_str(), id.country.as_str()),
            ("AIMM67125HCHRRG06", "MX")
        );
        assert!(identifier("SWIFT/BIC, VTBRRUMM").is_some());
        assert!(identifier("Website, www.vtb.com").is_none());
        assert!(identifier("Target Type, Financial Institution").is_none());
        assert!(identifier("Passport").is_none());
    }
}
