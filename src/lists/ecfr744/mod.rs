//! `ecfr-744-xml`: the eCFR XML of 15 CFR part 744 as published
//! (`title-15_part-744.xml`), one of its end-user lists per import, chosen
//! by the option `supplement`:
//!
//! | `supplement` | list | columns |
//! |---|---|---|
//! | `4` (`entity-list`) | Entity List | Country, Entity, License requirement, License review policy, Federal Register citation |
//! | `6` (`unverified-list`) | Unverified List | Country, Listed person and address, Federal Register citation |
//! | `7` (`meu-list`) | Military End-User List | Country, Entity, Federal Register citation |
//!
//! Each party becomes an entry with its country (a blank country cell
//! continues the one above), names (`names[0]` as listed, a.k.a. aliases,
//! f.k.a. former names; see [`prose`]), addresses, programme (`BIS Entity
//! List` ...), and listing terms: the licence requirement as written (with
//! footnote references `[n]`), what it covers, the licence review policy
//! and the Federal Register citations. A row whose requirement, policy and
//! citation cells are all empty continues the row above: its subordinate
//! institutions and affiliated entities become entries of their own with
//! the parent's terms (the remarks say whose), its shared addresses go to
//! the parent. `[Reserved]` rows are skipped; a row whose requirement and
//! policy cells are swapped is read the right way round, with a warning.
//!
//! The eCFR has no entry ids: an entry's id is a short hash of its country
//! and normalised name (stable while BIS does not rename the party), with
//! `-2`, `-3` ... for repeats, and that id is its identity across versions.
//! Footnotes of the table are quoted in the remarks of the entries that
//! refer to them.

mod prose;
mod table;

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::model::{Address, DenialEntry, EntityKind, ListContent, ListingTerms, NameKind};

use super::entry::push_name;
use super::listing;
use super::text::{Fallback, decode, looks_like_organization};
use super::{ImportError, ImportOptions, Imported, ListFormat, SourceData, pick_single};
use prose::{Block, collapse, plain};

const FORMAT: &str = "ecfr-744-xml";

/// One of the supplements the format reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Supplement {
    /// No. 4, the Entity List.
    Entity,
    /// No. 6, the Unverified List.
    Unverified,
    /// No. 7, the Military End-User List.
    Meu,
}

impl Supplement {
    fn parse(v: &str) -> Option<Supplement> {
        match v.trim().to_ascii_lowercase().as_str() {
            "4" | "entity-list" => Some(Supplement::Entity),
            "6" | "unverified-list" => Some(Supplement::Unverified),
            "7" | "meu-list" => Some(Supplement::Meu),
            _ => None,
        }
    }

    fn number(self) -> u8 {
        match self {
            Supplement::Entity => 4,
            Supplement::Unverified => 6,
            Supplement::Meu => 7,
        }
    }

    fn program(self) -> &'static str {
        match self {
            Supplement::Entity => "BIS Entity List",
            Supplement::Unverified => "BIS Unverified List",
            Supplement::Meu => "BIS Military End-User List",
        }
    }

    /// Cells per row.
    fn columns(self) -> usize {
        match self {
            Supplement::Entity => 5,
            Supplement::Unverified | Supplement::Meu => 3,
        }
    }
}

/// `ecfr-744-xml`.
pub(crate) struct Ecfr744Xml;

impl ListFormat for Ecfr744Xml {
    fn name(&self) -> &'static str {
        FORMAT
    }
    fn files(&self) -> &'static str {
        "one .xml file (title-15_part-744.xml, the eCFR XML of 15 CFR part 744)"
    }
    fn options(&self) -> &'static [(&'static str, &'static str)] {
        &[(
            "supplement",
            "which list to read: 4 (entity-list), 6 (unverified-list) or 7 (meu-list); required",
        )]
    }
    fn import(
        &self,
        files: &[SourceData],
        options: &ImportOptions,
    ) -> Result<Imported, ImportError> {
        let bad = |message: String| ImportError::BadOption {
            format: FORMAT.to_string(),
            option: "supplement".to_string(),
            message,
        };
        let value = options.get("supplement").ok_or_else(|| {
            bad("required: 4 (Entity List), 6 (Unverified List) or 7 (MEU List)".to_string())
        })?;
        let supplement = Supplement::parse(value).ok_or_else(|| {
            bad(format!(
                "'{value}' is not 4 (entity-list), 6 (unverified-list) or 7 (meu-list)"
            ))
        })?;
        import(files, supplement)
    }
}

/// Everything the entries of one row group share.
struct Group {
    country: String,
    terms: Option<ListingTerms>,
    footnotes: Vec<String>,
    parent: usize,
}

fn import(files: &[SourceData], supplement: Supplement) -> Result<Imported, ImportError> {
    let file = pick_single(FORMAT, files, &["xml"], "title-15_part-744.xml")?;
    let name = file.name.as_str();
    let mut warnings = Vec::new();
    let text = decode(name, &file.data, Fallback::Reject, &mut warnings)?;
    let t = table::read(name, &text, supplement.number())?;
    let footnotes: HashMap<String, String> = t.footnotes.iter().cloned().collect();
    let cols = supplement.columns();
    if t.header.len() != cols {
        return Err(ImportError::malformed(
            name,
            0,
            format!(
                "Supplement No. {} has {} columns, expected {cols}",
                supplement.number(),
                t.header.len()
            ),
        ));
    }
    let mut entries: Vec<DenialEntry> = Vec::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut country = String::new();
    let mut parent_name: Option<String> = None;
    let mut swapped: Vec<u64> = Vec::new();
    let mut count_notes = 0u64;
    for row in &t.rows {
        if row.cells.len() != cols {
            return Err(ImportError::malformed(
                name,
                row.line,
                format!("a row of {} cells, expected {cols}", row.cells.len()),
            ));
        }
        let cell = |i: usize| collapse(&plain(&row.cells[i]));
        let row_country = cell(0);
        if !row_country.is_empty() {
            country = row_country;
        }
        let entity_cell = &row.cells[1];
        if plain(entity_cell).trim().eq_ignore_ascii_case("[Reserved]") {
            continue;
        }
        if plain(entity_cell).trim().is_empty() {
            continue;
        }
        if country.is_empty() {
            return Err(ImportError::malformed(
                name,
                row.line,
                "the first row has no country",
            ));
        }
        let (requirement, policy, citations) = match supplement {
            Supplement::Entity => {
                let (mut req, mut pol) = (row.cells[2].clone(), row.cells[3].clone());
                let mentions_items = |s: &str| s.to_lowercase().contains("items");
                if !mentions_items(&req) && mentions_items(&pol) && !req.trim().is_empty() {
                    std::mem::swap(&mut req, &mut pol);
                    swapped.push(row.line);
                }
                (req, pol, row.cells[4].clone())
            }
            Supplement::Unverified | Supplement::Meu => {
                (String::new(), String::new(), row.cells[2].clone())
            }
        };
        let continuation = collapse(&plain(&requirement)).is_empty()
            && collapse(&plain(&policy)).is_empty()
            && collapse(&plain(&citations)).is_empty();
        if !continuation || groups.is_empty() {
            let terms = listing::terms(
                &prose::with_footnote_refs(&requirement),
                &prose::with_footnote_refs(&policy),
                &plain(&citations),
            )
            .or_else(|| Some(ListingTerms::default()));
            groups.push(Group {
                country: country.clone(),
                terms,
                footnotes: prose::footnote_refs(&requirement)
                    .into_iter()
                    .chain(prose::footnote_refs(&policy))
                    .collect(),
                parent: entries.len(),
            });
            parent_name = None;
        }
        let Some(group) = groups.last() else {
            continue;
        };
        for block in prose::blocks(entity_cell) {
            match block {
                Block::Main(text) if !continuation => {
                    let e = prose::entity(&text);
                    count_notes += notes_of_counts(&e);
                    add(
                        &mut entries,
                        group.parent,
                        entry(supplement, group, &e, None, &footnotes),
                    );
                }
                Block::Main(text) | Block::Subordinate(text) => {
                    let e = prose::entity(&text);
                    count_notes += notes_of_counts(&e);
                    let parent = parent_name.clone().or_else(|| {
                        entries
                            .get(group.parent)
                            .map(|p| p.primary_name().to_string())
                    });
                    let of = parent.map(|p| format!("Subordinate institution of {p}."));
                    add(
                        &mut entries,
                        group.parent,
                        entry(supplement, group, &e, of, &footnotes),
                    );
                }
                Block::Affiliates(text) => {
                    let parent = entries
                        .get(group.parent)
                        .map(|p| p.primary_name().to_string())
                        .unwrap_or_default();
                    for a in prose::affiliates(&text) {
                        let e = prose::entity(&a);
                        count_notes += notes_of_counts(&e);
                        let of = Some(format!("Affiliated entity of {parent}."));
                        add(
                            &mut entries,
                            group.parent,
                            entry(supplement, group, &e, of, &footnotes),
                        );
                    }
                }
                Block::Addresses(text) => {
                    let mut shared = prose::Entity::default();
                    let e = prose::entity(&format!("X, {}", plain(&text).trim()));
                    shared.addresses = e.addresses;
                    let from = group.parent;
                    for target in entries.iter_mut().skip(from) {
                        for a in &shared.addresses {
                            let address = Address {
                                street: a.clone(),
                                country: group.country.clone(),
                                ..Address::default()
                            };
                            if !target.addresses.contains(&address) {
                                target.addresses.push(address);
                            }
                        }
                    }
                }
                Block::Parent(p) => parent_name = Some(p),
            }
        }
    }
    if entries.is_empty() {
        return Err(ImportError::Empty {
            file: file.name.clone(),
        });
    }
    assign_ids(&mut entries);
    if !swapped.is_empty() {
        warnings.push(format!(
            "{name}: {} row(s) have the licence requirement and review policy cells swapped and were read the right way round (first: line {})",
            swapped.len(),
            swapped[0]
        ));
    }
    if count_notes > 0 {
        warnings.push(format!(
            "{name}: {count_notes} entr(ies) announce another number of aliases than they list (see their remarks)"
        ));
    }
    Ok(Imported {
        content: ListContent::Denial(entries),
        warnings,
    })
}

fn notes_of_counts(e: &prose::Entity) -> u64 {
    u64::from(e.notes.iter().any(|n| n.contains("announced")))
}

/// Adds `e` to the entries, or merges its names and addresses into an
/// entry of the same group with the same name (an affiliate block that
/// lists the parent again at other addresses).
fn add(entries: &mut Vec<DenialEntry>, from: usize, e: DenialEntry) {
    let key = fold(e.primary_name());
    let same = entries
        .iter()
        .skip(from)
        .position(|x| fold(x.primary_name()) == key && x.countries == e.countries);
    match same {
        Some(i) => {
            let target = &mut entries[from + i];
            for n in e.names.iter().skip(1) {
                push_name(target, &n.name, n.kind);
            }
            for a in e.addresses {
                if !target.addresses.contains(&a) {
                    target.addresses.push(a);
                }
            }
        }
        None => entries.push(e),
    }
}

/// One entry from a party's prose and its group.
fn entry(
    supplement: Supplement,
    group: &Group,
    e: &prose::Entity,
    of: Option<String>,
    footnotes: &HashMap<String, String>,
) -> DenialEntry {
    let mut d = DenialEntry {
        kind: if looks_like_organization(&e.name) || of.is_some() {
            EntityKind::Organization
        } else {
            EntityKind::Unknown
        },
        programs: vec![supplement.program().to_string()],
        countries: vec![group.country.clone()],
        listing: group.terms.clone(),
        ..DenialEntry::default()
    };
    let primary = if e.name.is_empty() {
        e.aliases.first().cloned().unwrap_or_default()
    } else {
        e.name.clone()
    };
    push_name(&mut d, &primary, NameKind::Primary);
    for a in &e.aliases {
        push_name(&mut d, a, NameKind::Alias);
    }
    for f in &e.former {
        push_name(&mut d, f, NameKind::FormerName);
    }
    for a in &e.addresses {
        let address = Address {
            street: a.clone(),
            country: group.country.clone(),
            ..Address::default()
        };
        if !d.addresses.contains(&address) {
            d.addresses.push(address);
        }
    }
    let mut remarks = vec![format!(
        "{} (Supplement No. {} to part 744), listed under {}.",
        supplement.program().trim_start_matches("BIS "),
        supplement.number(),
        group.country
    )];
    remarks.extend(of);
    remarks.extend(e.notes.iter().map(|n| format!("{n}.")));
    for n in &group.footnotes {
        if let Some(text) = footnotes.get(n) {
            remarks.push(format!("Footnote {n}: {text}"));
        }
    }
    if primary.starts_with("Address ") && primary[8..].chars().all(|c| c.is_ascii_digit()) {
        remarks.push(
            "An address entry: a party operating at this address is subject to the entry's licence requirement."
                .to_string(),
        );
    }
    d.remarks = remarks.join(" ");
    d
}

/// Ids: 12 hex digits of sha256(country, normalised primary name), `-2`,
/// `-3` ... for repeats in source order.
fn assign_ids(entries: &mut [DenialEntry]) {
    let mut seen: HashMap<String, u32> = HashMap::new();
    for e in entries.iter_mut() {
        let country = e.countries.first().cloned().unwrap_or_default();
        let key = format!("{}\u{1f}{}", fold(&country), fold(e.primary_name()));
        let digest = Sha256::digest(key.as_bytes());
        let base = hex::encode(&digest[..6]);
        let n = seen.entry(base.clone()).or_insert(0);
        *n += 1;
        e.entry_id = if *n == 1 { base } else { format!("{base}-{n}") };
    }
}

/// Lower-case letters and digits, single spaces.
fn fold(s: &str) -> String {
    deunicode::deunicode(s)
        .to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
