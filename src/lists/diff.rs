//! Identity of list entries across versions, and diffs between two versions.
//!
//! Most sources give each entry a stable id (SDN `ent_num`, UN `DATAID`,
//! CSL `_id`, our own `id`, control-list codes), and that id is the
//! entry's identity. The BIS Denied Persons List has none: its `entry_id`
//! is the row position of the version at hand, and rows shift whenever a
//! party is added or removed. Its entries are identified by their
//! normalised primary name and address instead ([`identity_key`]), while
//! `entry_id` stays the row number. Two rows with the same key in one
//! version get `#2`, `#3` ... appended in source order.
//!
//! [`diff`] pairs the entries of two versions by identity key and reports
//! the added, removed and changed ones, with the fields that changed. A
//! DPL entry that only moved to another row is not changed.

use std::collections::HashMap;

use crate::model::{ControlEntry, DenialEntry, ListContent};

/// True when `format` numbers its entries by row position, so that ids
/// shift between versions (the BIS DPL).
pub fn positional_ids(format: &str) -> bool {
    super::format(format).is_ok_and(|f| f.positional_ids())
}

/// The identity of a denial-list entry across versions of a list in
/// `format`: what the format says ([`super::ListFormat::identity`]: the
/// `entry_id`, or for the DPL `name|address` normalised); the `entry_id`
/// for an unknown format.
pub fn identity_key(format: &str, entry: &DenialEntry) -> String {
    match super::format(format) {
        Ok(f) => f.identity(entry),
        Err(_) => entry.entry_id.clone(),
    }
}

/// The DPL's identity: `name|address`, normalised (letters and digits
/// folded to lower-case ASCII, everything else one space).
pub(crate) fn name_address_identity(entry: &DenialEntry) -> String {
    let address = entry
        .addresses
        .iter()
        .map(|a| fold(&a.one_line()))
        .collect::<Vec<_>>()
        .join(" / ");
    format!("{}|{}", fold(entry.primary_name()), address)
}

/// Lower-case ASCII letters and digits, single spaces between words.
fn fold(text: &str) -> String {
    let ascii = deunicode::deunicode(text).to_ascii_lowercase();
    ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Identity keys of every entry of `content`, in order, made unique by
/// appending `#2`, `#3` ... to repeats.
pub fn identity_keys(format: &str, content: &ListContent) -> Vec<String> {
    let raw: Vec<String> = match content {
        ListContent::Denial(entries) => entries.iter().map(|e| identity_key(format, e)).collect(),
        ListContent::Control(entries) => entries.iter().map(|e| e.code.clone()).collect(),
    };
    let mut seen: HashMap<String, u32> = HashMap::with_capacity(raw.len());
    raw.into_iter()
        .map(|k| {
            let n = seen.entry(k.clone()).or_insert(0);
            *n += 1;
            if *n == 1 { k } else { format!("{k}#{n}") }
        })
        .collect()
}

/// An entry present in both versions whose content differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changed {
    /// Identity key.
    pub key: String,
    /// Position in the old version's entries.
    pub old: usize,
    /// Position in the new version's entries.
    pub new: usize,
    /// Names of the fields that differ (`names`, `addresses` ...).
    pub fields: Vec<&'static str>,
}

/// What changed between two versions of a list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListDiff {
    /// Positions (in the new version) of entries the old one lacks.
    pub added: Vec<usize>,
    /// Positions (in the old version) of entries the new one lacks.
    pub removed: Vec<usize>,
    /// Entries in both whose content differs.
    pub changed: Vec<Changed>,
}

impl ListDiff {
    /// True when nothing was added, removed or changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Fields of a denial entry that matter to screening: a change of only
/// other fields (programmes, remarks, identifiers ...) cannot make a party
/// match.
pub const MATCHING_FIELDS: &[&str] = &["names", "kind", "countries", "addresses"];

/// Differences between `old` (a version in `old_format`) and `new`. A list
/// whose kind changed has every entry removed and added.
pub fn diff(old_format: &str, old: &ListContent, new_format: &str, new: &ListContent) -> ListDiff {
    let old_keys = identity_keys(old_format, old);
    let new_keys = identity_keys(new_format, new);
    let same_kind = old.kind() == new.kind();
    let old_pos: HashMap<&str, usize> = old_keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let mut out = ListDiff::default();
    let mut matched = vec![false; old_keys.len()];
    let ignore_id = positional_ids(old_format) && positional_ids(new_format);
    for (n, key) in new_keys.iter().enumerate() {
        let Some(&o) = old_pos.get(key.as_str()).filter(|_| same_kind) else {
            out.added.push(n);
            continue;
        };
        matched[o] = true;
        let fields = match (old, new) {
            (ListContent::Denial(a), ListContent::Denial(b)) => {
                denial_fields(&a[o], &b[n], ignore_id)
            }
            (ListContent::Control(a), ListContent::Control(b)) => control_fields(&a[o], &b[n]),
            _ => Vec::new(),
        };
        if !fields.is_empty() {
            out.changed.push(Changed {
                key: key.clone(),
                old: o,
                new: n,
                fields,
            });
        }
    }
    out.removed = matched
        .iter()
        .enumerate()
        .filter(|(_, m)| !**m)
        .map(|(i, _)| i)
        .collect();
    out
}

/// Names of the fields in which two denial entries differ.
pub fn denial_fields(a: &DenialEntry, b: &DenialEntry, ignore_id: bool) -> Vec<&'static str> {
    let mut out = Vec::new();
    if a == b {
        return out;
    }
    let DenialEntry {
        entry_id,
        kind,
        names,
        programs,
        addresses,
        countries,
        identifiers,
        dates_of_birth,
        remarks,
        listing,
    } = a;
    let checks = [
        ("entry_id", !ignore_id && *entry_id != b.entry_id),
        ("kind", *kind != b.kind),
        ("names", *names != b.names),
        ("programs", *programs != b.programs),
        ("addresses", *addresses != b.addresses),
        ("countries", *countries != b.countries),
        ("identifiers", *identifiers != b.identifiers),
        ("dates_of_birth", *dates_of_birth != b.dates_of_birth),
        ("remarks", *remarks != b.remarks),
        ("listing", *listing != b.listing),
    ];
    out.extend(checks.iter().filter(|(_, d)| *d).map(|(f, _)| *f));
    out
}

/// Names of the fields in which two control entries differ.
pub fn control_fields(a: &ControlEntry, b: &ControlEntry) -> Vec<&'static str> {
    if a == b {
        return Vec::new();
    }
    let ControlEntry {
        code,
        title,
        category,
        notes,
        terms,
        context,
        exclusions,
        rules,
        national_codes,
    } = a;
    [
        ("code", *code != b.code),
        ("title", *title != b.title),
        ("category", *category != b.category),
        ("notes", *notes != b.notes),
        ("terms", *terms != b.terms),
        ("context", *context != b.context),
        ("exclusions", *exclusions != b.exclusions),
        ("rules", *rules != b.rules),
        ("national_codes", *national_codes != b.national_codes),
    ]
    .iter()
    .filter(|(_, d)| *d)
    .map(|(f, _)| *f)
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Address, EntryName, NameKind};

    fn entry(id: &str, name: &str, city: &str) -> DenialEntry {
        DenialEntry {
            entry_id: id.into(),
            names: vec![EntryName {
                name: name.into(),
                kind: NameKind::Primary,
            }],
            addresses: vec![Address {
                city: city.into(),
                ..Address::default()
            }],
            ..DenialEntry::default()
        }
    }

    #[test]
    fn dpl_keys_are_name_and_address_others_the_id() {
        let e = entry("17", "  Müller-Export  GmbH ", "Köln");
        assert_eq!(identity_key("bis-dpl-tsv", &e), "muller export gmbh|koln");
        assert_eq!(identity_key("ofac-sdn-csv", &e), "17");
        assert!(positional_ids("bis-dpl-tsv") && !positional_ids("un-sc-xml"));
    }

    #[test]
    fn repeated_keys_are_numbered() {
        let c = ListContent::Denial(vec![
            entry("1", "A", "X"),
            entry("2", "A", "X"),
            entry("3", "A", "Y"),
        ]);
        assert_eq!(
            identity_keys("bis-dpl-tsv", &c),
            ["a|x", "a|x#2", "a|y"].map(String::from)
        );
    }

    #[test]
    fn dpl_rows_that_only_moved_are_unchanged() {
        let old = ListContent::Denial(vec![
            entry("1", "Alpha", "Paris"),
            entry("2", "Beta", "Rome"),
            entry("3", "Gamma", "Oslo"),
        ]);
        // A new first row shifts every id; Gamma moves city; Beta goes.
        let new = ListContent::Denial(vec![
            entry("1", "Delta", "Bern"),
            entry("2", "Alpha", "Paris"),
            entry("3", "Gamma", "Oslo"),
        ]);
        let d = diff("bis-dpl-tsv", &old, "bis-dpl-tsv", &new);
        assert_eq!(d.added, vec![0]);
        assert_eq!(d.removed, vec![1]);
        assert!(d.changed.is_empty(), "{d:?}");
        let mut moved = new.clone();
        if let ListContent::Denial(e) = &mut moved {
            e[2].remarks = "Last update: 2024".into();
        }
        let d = diff("bis-dpl-tsv", &old, "bis-dpl-tsv", &moved);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(
            (d.changed[0].old, d.changed[0].new, &d.changed[0].fields[..]),
            (2, 2, &["remarks"][..])
        );
    }

    #[test]
    fn id_keyed_lists_report_changed_fields() {
        let old = ListContent::Denial(vec![entry("10", "Alpha", "Paris"), entry("11", "B", "")]);
        let mut changed = entry("10", "Alpha", "Lyon");
        changed.names.push(EntryName {
            name: "ALF".into(),
            kind: NameKind::Alias,
        });
        changed.programs = vec!["NPWMD".into()];
        let new = ListContent::Denial(vec![entry("12", "C", ""), changed]);
        let d = diff("ofac-sdn-csv", &old, "ofac-sdn-csv", &new);
        assert_eq!(d.added, vec![0]);
        assert_eq!(d.removed, vec![1]);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].key, "10");
        assert_eq!(d.changed[0].fields, ["names", "programs", "addresses"]);
        assert!(diff("x", &old, "x", &old).is_empty());
    }

    #[test]
    fn a_kind_change_replaces_everything() {
        let old = ListContent::Denial(vec![entry("1", "A", "")]);
        let new = ListContent::Control(vec![ControlEntry {
            code: "1".into(),
            title: "t".into(),
            category: crate::model::ControlCategory::I,
            notes: String::new(),
            terms: vec!["t".into()],
            context: vec![],
            exclusions: vec![],
            rules: vec![],
            national_codes: vec![],
        }]);
        let d = diff("a", &old, "b", &new);
        assert_eq!((d.added.len(), d.removed.len()), (1, 1));
        let mut edited = new.clone();
        if let ListContent::Control(e) = &mut edited {
            e[0].terms.push("u".into());
        }
        let d = diff("b", &new, "b", &edited);
        assert_eq!(d.changed[0].fields, ["terms"]);
    }
}
