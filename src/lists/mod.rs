//! Importers: official list files as agencies publish them -> [`ListContent`].
//!
//! Each format reads a fixed set of files (see [`FORMATS`]) and returns the
//! entries plus warnings; a malformed file is rejected whole with
//! [`ImportError`] naming the file and line.
//!
//! | format | files | entry id |
//! |---|---|---|
//! | `ofac-sdn-csv` | `sdn.csv`; optional `alt.csv`, `add.csv`, `sdn_comments.csv` | `ent_num` |
//! | `ofac-cons-csv` | `cons_prim.csv`; optional `cons_alt.csv`, `cons_add.csv`, `cons_comments.csv` | `ent_num` |
//! | `un-sc-xml` | one `.xml` file (`consolidated.xml`) | `DATAID` |
//! | `bis-dpl-tsv` | one `.txt`/`.tsv` file (`dpl.txt`) | 1-based data-row position |
//! | `trade-gov-csl-csv` | one `.csv` file (`consolidated.csv`); option `sources` | `_id` |
//! | `exportscreen-toml` | one `.toml` file | `id` (denial lists) |
//! | `ecfr-744-xml` | one `.xml` file (`title-15_part-744.xml`); option `supplement` | hash of country and name |
//!
//! Every format implements [`ListFormat`] and is listed in [`REGISTRY`]
//! (see [`format`]).
//!
//! Shared rules: bytes are read as published (UTF-8 byte-order mark, CRLF and
//! a trailing 0x1A tolerated; the CSV/TSV formats read a line that is not
//! valid UTF-8 as Windows-1252 and say so in a warning; XML and TOML must be
//! UTF-8). Names are trimmed with internal whitespace collapsed; `names[0]`
//! is the primary name and no name is empty. Entries keep source order.
//! Rows of a secondary file (aliases, addresses, comments) that name an entry
//! absent from the primary file are skipped with a warning, not rejected: the
//! primary file is the list, and one stale row must not block an update.
//! File names are matched case-insensitively, without any directory part.

pub mod control_toml;
mod delimited;
pub mod diff;
pub mod edit;
mod entry;
mod error;
pub mod hygiene;
pub mod published;

mod bis_dpl;
mod csl;
mod ecfr744;
pub mod format;
mod listing;
mod native;
mod ofac;
mod remarks;
mod text;
mod un_sc;
mod xml;

pub use diff::{ListDiff, diff, identity_key, identity_keys, positional_ids};
pub use edit::{EditError, NewEntry};
pub use error::ImportError;
pub use format::{FORMATS, ImportOptions, ListFormat, REGISTRY, format};

use sha2::{Digest, Sha256};

use crate::model::{ListContent, SourceFile};

/// One uploaded file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceData {
    /// File name as sent (`sdn.csv` ...).
    pub name: String,
    /// Raw bytes, exactly as published.
    pub data: Vec<u8>,
}

/// A successfully parsed list.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    /// The entries.
    pub content: ListContent,
    /// Things the user should know (optional files missing, rows skipped ...).
    pub warnings: Vec<String>,
}

/// Parses `files` in `format`, without options.
///
/// # Errors
/// [`ImportError`] for an unknown format, a missing or unexpected file, or a
/// malformed file (with its name and line).
pub fn import(format: &str, files: &[SourceData]) -> Result<Imported, ImportError> {
    import_with(format, files, &ImportOptions::new())
}

/// Parses `files` in `format` with `options` (each format says which it reads).
///
/// # Errors
/// [`ImportError`] for an unknown format or option, a missing or unexpected
/// file, or a malformed file (with its name and line).
pub fn import_with(
    format: &str,
    files: &[SourceData],
    options: &ImportOptions,
) -> Result<Imported, ImportError> {
    let f = self::format(format)?;
    format::check_options(f, options)?;
    let mut imported = f.import(files, options)?;
    warn_over_limits(&mut imported);
    Ok(imported)
}

/// At most this many names over the limits are named in warnings.
const LIMIT_WARNINGS: usize = 10;

/// A name over the engine's limits (`party::limits`) is kept and imported,
/// with a warning: the engine compares its first words, and its over-long
/// words exactly only, so it can never make the index slow to build.
fn warn_over_limits(imported: &mut Imported) {
    let ListContent::Denial(entries) = &imported.content else {
        return;
    };
    let mut over = 0usize;
    for e in entries {
        for n in &e.names {
            let Some(breach) = crate::engine::party::limits::check(&n.name) else {
                continue;
            };
            over += 1;
            if over <= LIMIT_WARNINGS {
                let shown: String = n.name.chars().take(60).collect();
                imported.warnings.push(format!(
                    "entry {}: name {shown:?}{} has {breach}: only its first {} words are compared, and long words only exactly",
                    e.entry_id,
                    if shown.len() < n.name.len() { "..." } else { "" },
                    crate::engine::party::limits::MAX_NAME_WORDS,
                ));
            }
        }
    }
    if over > LIMIT_WARNINGS {
        imported.warnings.push(format!(
            "{} more names over the name limits",
            over - LIMIT_WARNINGS
        ));
    }
}

/// The file name without any directory part.
fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

/// Sorts `files` into the slots named by `expected` (case-insensitive).
/// Every file must fill a slot, and no slot twice.
fn pick_named<'a, const N: usize>(
    format: &str,
    files: &'a [SourceData],
    expected: [&str; N],
) -> Result<[Option<&'a SourceData>; N], ImportError> {
    let mut slots = [None; N];
    for file in files {
        let name = base_name(&file.name);
        let Some(i) = expected.iter().position(|e| e.eq_ignore_ascii_case(name)) else {
            return Err(ImportError::UnexpectedFile {
                format: format.to_string(),
                file: file.name.clone(),
                expected: expected.join(", "),
            });
        };
        if slots[i].is_some() {
            return Err(ImportError::malformed(
                &file.name,
                0,
                format!("{} was sent twice", expected[i]),
            ));
        }
        slots[i] = Some(file);
    }
    Ok(slots)
}

/// The one file of a single-file format, recognised by its extension.
fn pick_single<'a>(
    format: &str,
    files: &'a [SourceData],
    extensions: &[&str],
    example: &str,
) -> Result<&'a SourceData, ImportError> {
    let expected = || {
        let exts: Vec<String> = extensions.iter().map(|e| format!("*.{e}")).collect();
        format!("one {} file, e.g. {example}", exts.join(" or "))
    };
    let mut found: Option<&SourceData> = None;
    for file in files {
        let name = base_name(&file.name).to_ascii_lowercase();
        let ok = extensions
            .iter()
            .any(|e| name.strip_suffix(e).is_some_and(|s| s.ends_with('.')));
        if !ok || found.is_some() {
            return Err(ImportError::UnexpectedFile {
                format: format.to_string(),
                file: file.name.clone(),
                expected: expected(),
            });
        }
        found = Some(file);
    }
    found.ok_or_else(|| ImportError::MissingFile {
        format: format.to_string(),
        file: example.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str) -> SourceData {
        SourceData {
            name: name.to_string(),
            data: Vec::new(),
        }
    }

    #[test]
    fn unknown_format_lists_the_known_ones() {
        let err = import("ofac-xml", &[]).unwrap_err();
        match err {
            ImportError::UnknownFormat { format, known } => {
                assert_eq!(format, "ofac-xml");
                assert!(known.contains("ofac-sdn-csv") && known.contains("exportscreen-toml"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn names_over_the_engine_limits_import_with_a_warning() {
        let long_word = "Q".repeat(crate::engine::party::limits::MAX_WORD_CHARS + 1);
        let many_words = "Zu ".repeat(crate::engine::party::limits::MAX_NAME_WORDS + 1);
        let toml = format!(
            "[list]\nkind = \"denial\"\nname = \"t\"\n\n[[entry]]\nid = \"A\"\nname = \"{long_word}\"\n\n[[entry]]\nid = \"B\"\nname = \"{many_words}\"\n\n[[entry]]\nid = \"C\"\nname = \"Kestrel Orbital Works\"\n"
        );
        let imported = import(
            "exportscreen-toml",
            &[SourceData {
                name: "internal.toml".into(),
                data: toml.into_bytes(),
            }],
        )
        .unwrap();
        assert_eq!(imported.content.len(), 3, "every entry is kept");
        let limit: Vec<&String> = imported
            .warnings
            .iter()
            .filter(|w| w.contains("only its first"))
            .collect();
        assert_eq!(limit.len(), 2, "{:?}", imported.warnings);
        assert!(limit[0].starts_with("entry A:") && limit[0].contains("a word of 65 characters"));
        assert!(limit[1].starts_with("entry B:") && limit[1].contains("65 words"));
    }

    #[test]
    fn named_files_match_case_insensitively_without_directories() {
        let files = [file("downloads/SDN.CSV"), file("C:\\x\\alt.csv")];
        let [sdn, alt, add] = pick_named("f", &files, ["sdn.csv", "alt.csv", "add.csv"]).unwrap();
        assert_eq!(sdn.map(|f| f.name.as_str()), Some("downloads/SDN.CSV"));
        assert!(alt.is_some());
        assert!(add.is_none());
    }

    #[test]
    fn named_files_reject_strangers_and_twins() {
        let err = pick_named("f", &[file("sdn.xml")], ["sdn.csv"]).unwrap_err();
        assert!(matches!(err, ImportError::UnexpectedFile { ref file, .. } if file == "sdn.xml"));
        let err = pick_named("f", &[file("sdn.csv"), file("a/sdn.csv")], ["sdn.csv"]).unwrap_err();
        assert!(matches!(err, ImportError::Malformed { .. }), "{err:?}");
    }

    #[test]
    fn single_file_by_extension() {
        let one = [file("consolidated_partial.CSV")];
        assert!(pick_single("f", &one, &["csv"], "x.csv").is_ok());
        for files in [
            vec![file("a.csv"), file("b.csv")],
            vec![file("a.xml")],
            vec![file("csv")],
        ] {
            let err = pick_single("f", &files, &["csv"], "x.csv").unwrap_err();
            assert!(matches!(err, ImportError::UnexpectedFile { .. }), "{err:?}");
        }
        let err = pick_single("f", &[], &["csv"], "x.csv").unwrap_err();
        assert!(matches!(err, ImportError::MissingFile { ref file, .. } if file == "x.csv"));
    }
}

/// Sizes and sha256 of uploaded files, as recorded with a list version.
pub fn describe_files(files: &[SourceData]) -> Vec<SourceFile> {
    files
        .iter()
        .map(|f| SourceFile {
            name: f.name.clone(),
            bytes: f.data.len() as u64,
            sha256: hex::encode(Sha256::digest(&f.data)),
        })
        .collect()
}

/// sha256 over the files' names and checksums, in order, hex: identifies a
/// list version's content.
pub fn version_checksum(files: &[SourceFile]) -> String {
    let mut h = Sha256::new();
    for f in files {
        h.update(f.name.as_bytes());
        h.update([0]);
        h.update(f.sha256.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod checksum_tests {
    use super::*;

    #[test]
    fn file_checksums() {
        let files = describe_files(&[SourceData {
            name: "f.csv".into(),
            data: b"abc".to_vec(),
        }]);
        assert_eq!(files[0].bytes, 3);
        assert_eq!(
            files[0].sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let renamed = vec![SourceFile {
            name: "g.csv".into(),
            ..files[0].clone()
        }];
        assert_ne!(version_checksum(&files), version_checksum(&renamed));
        assert_eq!(version_checksum(&files), version_checksum(&files.clone()));
    }
}
