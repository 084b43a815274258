//! Edits of single entries by hand: add, update, remove. Each edit yields
//! the whole content of the next version (versions are immutable).
//!
//! Entries are cleaned as the importers clean them (names trimmed with
//! whitespace collapsed, duplicates dropped, the first name primary, empty
//! addresses and identifiers dropped). In a list whose ids are row positions
//! (the BIS DPL) an added entry takes the next row number, a removal
//! renumbers the rows after it, and an update keeps the row.

use thiserror::Error;

use crate::model::{Address, ControlEntry, DenialEntry, Identifier, ListContent, NameKind};

use super::diff::positional_ids;
use super::entry::push_name;
use super::text::{clean, clean_owned, push_unique};

/// An entry given by hand.
#[derive(Clone, Debug, PartialEq)]
pub enum NewEntry {
    /// A party, for a denial list.
    Denial(DenialEntry),
    /// An item, for a control list.
    Control(ControlEntry),
}

impl NewEntry {
    /// `denial` or `control`.
    pub fn kind(&self) -> &'static str {
        match self {
            NewEntry::Denial(_) => "denial",
            NewEntry::Control(_) => "control",
        }
    }
}

/// An edit cannot be applied. Nothing changes when this is returned.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum EditError {
    /// The entry to update or remove does not exist.
    #[error("list {list_id} has no entry {entry_id}")]
    NoSuchEntry {
        /// List id.
        list_id: String,
        /// Entry id asked for.
        entry_id: String,
    },
    /// An added entry's id is taken.
    #[error("list {list_id} already has an entry {entry_id}")]
    DuplicateId {
        /// List id.
        list_id: String,
        /// The id.
        entry_id: String,
    },
    /// The entry is unusable (no name, no id ...).
    #[error("{field}: {message}")]
    Invalid {
        /// The offending field (`entry.names` ...).
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A party given for a control list, or an item for a denial list.
    #[error("list {list_id} is a {list_kind} list; a {entry_kind} entry does not fit it")]
    WrongKind {
        /// List id.
        list_id: String,
        /// The list's kind.
        list_kind: String,
        /// The entry's kind.
        entry_kind: String,
    },
    /// No list has this id (hand edits need a list made with CreateList).
    #[error(
        "list {list_id} does not exist: create it first (CreateList with its kind, denial or control)"
    )]
    UnknownList {
        /// List id.
        list_id: String,
    },
    /// CreateList with an id that is taken.
    #[error("list {list_id} exists already")]
    ListExists {
        /// List id.
        list_id: String,
    },
    /// A hand edit of an official list (it would be lost at the next import).
    #[error(
        "list {list_id} is official ({format}): hand edits would be lost at the next import; overlay it with a local list (CreateList {list_id}-local, then AddEntry there)"
    )]
    Official {
        /// List id.
        list_id: String,
        /// Its format (or `bundled`).
        format: String,
    },
    /// A change to a retired list.
    #[error("list {list_id} is retired: it is kept for replay and no longer changes")]
    Retired {
        /// List id.
        list_id: String,
    },
    /// The list changed since the version the edit was based on.
    #[error("list {list_id} is at version {current}, not {expected}: reload it and edit again")]
    VersionConflict {
        /// List id.
        list_id: String,
        /// The version the client expected.
        expected: u64,
        /// The current version.
        current: u64,
    },
}

fn invalid(field: &str, message: impl Into<String>) -> EditError {
    EditError::Invalid {
        field: field.to_string(),
        message: message.into(),
    }
}

/// The id of entry `i` of `content`.
fn id_of(content: &ListContent, i: usize) -> &str {
    match content {
        ListContent::Denial(e) => &e[i].entry_id,
        ListContent::Control(e) => &e[i].code,
    }
}

/// Position of the entry with id `entry_id`.
pub fn position(content: &ListContent, entry_id: &str) -> Option<usize> {
    (0..content.len()).find(|&i| id_of(content, i) == entry_id)
}

/// Cleans a hand-written party: trims, drops empty and repeated values,
/// makes the first name the primary one (and no other).
///
/// # Errors
/// [`EditError::Invalid`] when it has no name, or no id where ids are not
/// positional.
pub fn clean_denial(entry: DenialEntry, positional: bool) -> Result<DenialEntry, EditError> {
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
    } = entry;
    let entry_id = clean_owned(&entry_id);
    if entry_id.is_empty() && !positional {
        return Err(invalid(
            "entry.entry_id",
            "required: the entry's id in its list",
        ));
    }
    let mut out = DenialEntry {
        entry_id,
        kind,
        remarks: clean_owned(&remarks),
        ..DenialEntry::default()
    };
    for (i, n) in names.iter().enumerate() {
        let kind = match (i, n.kind) {
            (0, _) => NameKind::Primary,
            (_, NameKind::Primary) => NameKind::Alias,
            (_, k) => k,
        };
        if i == 0 && clean(&n.name).is_empty() {
            return Err(invalid(
                "entry.names[0]",
                "the primary name must not be blank",
            ));
        }
        push_name(&mut out, &n.name, kind);
    }
    if out.names.is_empty() {
        return Err(invalid(
            "entry.names",
            "required: at least the primary name",
        ));
    }
    for (from, to) in [
        (&programs, &mut out.programs),
        (&countries, &mut out.countries),
        (&dates_of_birth, &mut out.dates_of_birth),
    ] {
        for v in from {
            push_unique(to, &clean(v));
        }
    }
    out.addresses = addresses
        .iter()
        .map(|a| Address {
            street: clean_owned(&a.street),
            city: clean_owned(&a.city),
            region: clean_owned(&a.region),
            postal_code: clean_owned(&a.postal_code),
            country: clean_owned(&a.country),
        })
        .filter(|a| !a.one_line().is_empty())
        .collect();
    out.identifiers = identifiers
        .iter()
        .map(|i| Identifier {
            kind: clean_owned(&i.kind),
            value: clean_owned(&i.value),
            country: clean_owned(&i.country),
        })
        .filter(|i| !i.value.is_empty())
        .collect();
    Ok(out)
}

/// Checks a hand-written control entry (the engine checks the rest when it
/// builds).
fn clean_control(mut entry: ControlEntry) -> Result<ControlEntry, EditError> {
    entry.code = clean_owned(&entry.code);
    entry.title = clean_owned(&entry.title);
    if entry.code.is_empty() {
        return Err(invalid("entry.code", "required: the entry's code"));
    }
    entry.terms = entry
        .terms
        .iter()
        .map(|t| clean_owned(t))
        .filter(|t| !t.is_empty())
        .collect();
    if entry.terms.is_empty() {
        return Err(invalid("entry.terms", "required: at least one term"));
    }
    Ok(entry)
}

fn wrong_kind(list_id: &str, content: &ListContent, entry: &NewEntry) -> EditError {
    EditError::WrongKind {
        list_id: list_id.to_string(),
        list_kind: content.kind().to_string(),
        entry_kind: entry.kind().to_string(),
    }
}

/// Renumbers the rows of a positional list (1-based).
fn renumber(entries: &mut [DenialEntry]) {
    for (i, e) in entries.iter_mut().enumerate() {
        e.entry_id = (i + 1).to_string();
    }
}

/// `content` with `entry` appended; returns the new content and the entry's
/// id (in a positional list: the next row number, whatever was given).
///
/// # Errors
/// [`EditError`] for a wrong kind, an unusable entry or a taken id.
pub fn add(
    list_id: &str,
    format: &str,
    content: &ListContent,
    entry: NewEntry,
) -> Result<(ListContent, String), EditError> {
    let positional = positional_ids(format);
    match (content, entry) {
        (ListContent::Denial(entries), NewEntry::Denial(e)) => {
            let mut e = clean_denial(e, positional)?;
            if positional {
                e.entry_id = (entries.len() + 1).to_string();
            } else if entries.iter().any(|x| x.entry_id == e.entry_id) {
                return Err(EditError::DuplicateId {
                    list_id: list_id.to_string(),
                    entry_id: e.entry_id,
                });
            }
            let id = e.entry_id.clone();
            let mut next = entries.clone();
            next.push(e);
            Ok((ListContent::Denial(next), id))
        }
        (ListContent::Control(entries), NewEntry::Control(e)) => {
            let e = clean_control(e)?;
            if entries.iter().any(|x| x.code == e.code) {
                return Err(EditError::DuplicateId {
                    list_id: list_id.to_string(),
                    entry_id: e.code,
                });
            }
            let id = e.code.clone();
            let mut next = entries.clone();
            next.push(e);
            Ok((ListContent::Control(next), id))
        }
        (c, e) => Err(wrong_kind(list_id, c, &e)),
    }
}

/// `content` with entry `entry_id` replaced by `entry` (which keeps the id;
/// an id given in `entry` must be the same or empty).
///
/// # Errors
/// [`EditError`] for a wrong kind, an unknown id or an unusable entry.
pub fn update(
    list_id: &str,
    format: &str,
    content: &ListContent,
    entry_id: &str,
    entry: NewEntry,
) -> Result<ListContent, EditError> {
    let Some(at) = position(content, entry_id) else {
        return Err(EditError::NoSuchEntry {
            list_id: list_id.to_string(),
            entry_id: entry_id.to_string(),
        });
    };
    let id_field = |given: &str, field: &str| {
        let given = given.trim();
        if given.is_empty() || given == entry_id {
            Ok(())
        } else {
            Err(invalid(
                field,
                format!(
                    "an update keeps the id {entry_id}; remove the entry and add {given} instead"
                ),
            ))
        }
    };
    match (content, entry) {
        (ListContent::Denial(entries), NewEntry::Denial(mut e)) => {
            id_field(&e.entry_id, "entry.entry_id")?;
            e.entry_id = entry_id.to_string();
            let e = clean_denial(e, positional_ids(format))?;
            let mut next = entries.clone();
            next[at] = e;
            Ok(ListContent::Denial(next))
        }
        (ListContent::Control(entries), NewEntry::Control(mut e)) => {
            id_field(&e.code, "entry.code")?;
            e.code = entry_id.to_string();
            let e = clean_control(e)?;
            let mut next = entries.clone();
            next[at] = e;
            Ok(ListContent::Control(next))
        }
        (c, e) => Err(wrong_kind(list_id, c, &e)),
    }
}

/// `content` without entry `entry_id` (rows after it renumbered in a
/// positional list).
///
/// # Errors
/// [`EditError::NoSuchEntry`]; [`EditError::Invalid`] when it is the last
/// entry (a list is never empty: importers refuse empty files too).
pub fn remove(
    list_id: &str,
    format: &str,
    content: &ListContent,
    entry_id: &str,
) -> Result<ListContent, EditError> {
    let Some(at) = position(content, entry_id) else {
        return Err(EditError::NoSuchEntry {
            list_id: list_id.to_string(),
            entry_id: entry_id.to_string(),
        });
    };
    if content.len() == 1 {
        return Err(invalid(
            "entry_id",
            format!("{entry_id} is the only entry of {list_id}: a list cannot be empty"),
        ));
    }
    Ok(match content {
        ListContent::Denial(entries) => {
            let mut next = entries.clone();
            next.remove(at);
            if positional_ids(format) {
                renumber(&mut next);
            }
            ListContent::Denial(next)
        }
        ListContent::Control(entries) => {
            let mut next = entries.clone();
            next.remove(at);
            ListContent::Control(next)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EntryName;

    fn name(text: &str, kind: NameKind) -> EntryName {
        EntryName {
            name: text.to_string(),
            kind,
        }
    }

    fn party(id: &str, names: &[&str]) -> DenialEntry {
        DenialEntry {
            entry_id: id.into(),
            names: names.iter().map(|n| name(n, NameKind::Alias)).collect(),
            ..DenialEntry::default()
        }
    }

    fn ids(c: &ListContent) -> Vec<String> {
        (0..c.len()).map(|i| id_of(c, i).to_string()).collect()
    }

    #[test]
    fn entries_are_cleaned_like_imports() {
        let mut e = party(
            " T-1 ",
            &["  Rocket  Parts LLC", "rocket parts llc", "RPT", ""],
        );
        e.names[2].kind = NameKind::Primary;
        e.programs = vec![" X ".into(), "X".into(), String::new()];
        e.addresses = vec![
            Address::default(),
            Address {
                city: " Dubai ".into(),
                ..Address::default()
            },
        ];
        let c = clean_denial(e, false).unwrap();
        assert_eq!(c.entry_id, "T-1");
        let names: Vec<(&str, NameKind)> =
            c.names.iter().map(|n| (n.name.as_str(), n.kind)).collect();
        assert_eq!(
            names,
            [
                ("Rocket Parts LLC", NameKind::Primary),
                ("RPT", NameKind::Alias)
            ]
        );
        assert_eq!(c.programs, ["X"]);
        assert_eq!(c.addresses.len(), 1);
        assert_eq!(c.addresses[0].city, "Dubai");
    }

    #[test]
    fn unusable_entries_are_refused_naming_the_field() {
        let cases = [
            (party("", &["A"]), "entry.entry_id"),
            (party("1", &[]), "entry.names"),
            (party("1", &[" ", "B"]), "entry.names[0]"),
        ];
        for (e, field) in cases {
            match clean_denial(e, false) {
                Err(EditError::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        }
        // A positional list numbers rows itself.
        assert!(clean_denial(party("", &["A"]), true).is_ok());
    }

    #[test]
    fn add_update_remove_by_id() {
        let c = ListContent::Denial(vec![party("a", &["A"]), party("b", &["B"])]);
        let (c2, id) = add(
            "l",
            "exportscreen-toml",
            &c,
            NewEntry::Denial(party("c", &["C"])),
        )
        .unwrap();
        assert_eq!(
            (id.as_str(), ids(&c2)),
            ("c", vec!["a".into(), "b".into(), "c".into()])
        );
        let err = add(
            "l",
            "exportscreen-toml",
            &c2,
            NewEntry::Denial(party("a", &["Z"])),
        )
        .unwrap_err();
        assert!(matches!(err, EditError::DuplicateId { .. }), "{err:?}");

        let c3 = update("l", "x", &c2, "b", NewEntry::Denial(party("", &["B2"]))).unwrap();
        match &c3 {
            ListContent::Denial(e) => {
                assert_eq!((e[1].entry_id.as_str(), e[1].primary_name()), ("b", "B2"))
            }
            ListContent::Control(_) => unreachable!(),
        }
        let err = update("l", "x", &c2, "b", NewEntry::Denial(party("q", &["B2"]))).unwrap_err();
        assert!(matches!(err, EditError::Invalid { .. }), "{err:?}");
        let err = update("l", "x", &c2, "zz", NewEntry::Denial(party("", &["B2"]))).unwrap_err();
        assert!(matches!(err, EditError::NoSuchEntry { .. }), "{err:?}");

        let c4 = remove("l", "x", &c3, "a").unwrap();
        assert_eq!(ids(&c4), ["b", "c"]);
        assert!(matches!(
            remove("l", "x", &c4, "a"),
            Err(EditError::NoSuchEntry { .. })
        ));
        let one = ListContent::Denial(vec![party("a", &["A"])]);
        assert!(matches!(
            remove("l", "x", &one, "a"),
            Err(EditError::Invalid { .. })
        ));
    }

    #[test]
    fn positional_lists_number_rows() {
        let c = ListContent::Denial(vec![
            party("1", &["A"]),
            party("2", &["B"]),
            party("3", &["C"]),
        ]);
        let (c2, id) = add(
            "dpl",
            "bis-dpl-tsv",
            &c,
            NewEntry::Denial(party("", &["D"])),
        )
        .unwrap();
        assert_eq!(id, "4");
        let c3 = remove("dpl", "bis-dpl-tsv", &c2, "2").unwrap();
        assert_eq!(ids(&c3), ["1", "2", "3"]);
        match &c3 {
            ListContent::Denial(e) => assert_eq!(e[1].primary_name(), "C"),
            ListContent::Control(_) => unreachable!(),
        }
    }

    #[test]
    fn kinds_must_agree() {
        let c = ListContent::Denial(vec![party("a", &["A"])]);
        let ctl = ControlEntry {
            code: "1.A.1".into(),
            title: "t".into(),
            category: crate::model::ControlCategory::I,
            notes: String::new(),
            terms: vec!["rocket".into()],
            context: vec![],
            exclusions: vec![],
            rules: vec![],
            national_codes: vec![],
        };
        let err = add("l", "x", &c, NewEntry::Control(ctl.clone())).unwrap_err();
        assert!(matches!(err, EditError::WrongKind { .. }), "{err:?}");
        let cc = ListContent::Control(vec![ctl.clone()]);
        let mut upd = ctl;
        upd.terms = vec![" ".into()];
        let err = update("m", "x", &cc, "1.A.1", NewEntry::Control(upd)).unwrap_err();
        assert!(matches!(err, EditError::Invalid { ref field, .. } if field == "entry.terms"));
    }
}
