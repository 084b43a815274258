//! The seam every list format plugs into: [`ListFormat`] (name, files,
//! options, import, identity) and the registry of formats ([`REGISTRY`]).
//!
//! A new format is one file implementing the trait (plus its tests) and
//! one line in [`REGISTRY`]; importing, refreshing, seeding, diffs and
//! re-screening find it by name.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use crate::model::DenialEntry;

use super::{ImportError, Imported, SourceData};

/// Options of one import as sent (`ImportHeader.options`, `--option k=v`).
pub type ImportOptions = BTreeMap<String, String>;

/// One list format.
pub trait ListFormat: Sync {
    /// The format's name (`ofac-sdn-csv`).
    fn name(&self) -> &'static str;

    /// The files it reads, for messages and documentation.
    fn files(&self) -> &'static str;

    /// The options it reads: (name, what it means). An import naming any
    /// other option is refused.
    fn options(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }

    /// Parses the files; a malformed file is rejected whole.
    ///
    /// # Errors
    /// [`ImportError`] naming the file and line, a missing or unexpected
    /// file, or an unusable option value.
    fn import(
        &self,
        files: &[SourceData],
        options: &ImportOptions,
    ) -> Result<Imported, ImportError>;

    /// True when entry ids are row positions that shift between versions.
    fn positional_ids(&self) -> bool {
        false
    }

    /// The identity of a denial entry across versions (its id unless the
    /// format says otherwise).
    fn identity(&self, entry: &DenialEntry) -> String {
        entry.entry_id.clone()
    }
}

/// Every format, in the order documented (new formats go at the end: the
/// fuzz target picks a format by its position).
pub static REGISTRY: &[&dyn ListFormat] = &[
    &super::ofac::SdnCsv,
    &super::ofac::ConsCsv,
    &super::un_sc::UnScXml,
    &super::bis_dpl::DplTsv,
    &super::csl::CslCsv,
    &super::native::NativeToml,
    &super::ecfr744::Ecfr744Xml,
];

/// Format names, in registry order.
pub static FORMATS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| REGISTRY.iter().map(|f| f.name()).collect());

/// The format called `name`.
///
/// # Errors
/// [`ImportError::UnknownFormat`] listing the known ones.
pub fn format(name: &str) -> Result<&'static dyn ListFormat, ImportError> {
    REGISTRY
        .iter()
        .copied()
        .find(|f| f.name() == name)
        .ok_or_else(|| ImportError::UnknownFormat {
            format: name.to_string(),
            known: FORMATS.join(", "),
        })
}

/// Refuses options the format does not read.
///
/// # Errors
/// [`ImportError::UnknownOption`] naming the option and the known ones.
pub fn check_options(format: &dyn ListFormat, options: &ImportOptions) -> Result<(), ImportError> {
    for key in options.keys() {
        if !format.options().iter().any(|(k, _)| k == key) {
            return Err(ImportError::UnknownOption {
                format: format.name().to_string(),
                option: key.clone(),
                known: if format.options().is_empty() {
                    "none".to_string()
                } else {
                    format
                        .options()
                        .iter()
                        .map(|(k, _)| *k)
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_documented() {
        let mut names: Vec<&str> = FORMATS.clone();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), REGISTRY.len());
        for f in REGISTRY {
            assert!(!f.files().is_empty(), "{}", f.name());
            for (k, what) in f.options() {
                assert!(!k.is_empty() && !what.is_empty(), "{}", f.name());
            }
        }
        // The fuzz corpus picks formats by position: the first six stay put.
        assert_eq!(
            &FORMATS[..6],
            [
                "ofac-sdn-csv",
                "ofac-cons-csv",
                "un-sc-xml",
                "bis-dpl-tsv",
                "trade-gov-csl-csv",
                "exportscreen-toml"
            ]
        );
    }

    #[test]
    fn unknown_options_are_refused_naming_the_known_ones() {
        let mut opts = ImportOptions::new();
        opts.insert("sheet".into(), "1".into());
        let err = check_options(format("ofac-sdn-csv").unwrap(), &opts).unwrap_err();
        assert!(
            matches!(&err, ImportError::UnknownOption { option, known, .. } if option == "sheet" && known == "none"),
            "{err:?}"
        );
        let err = check_options(format("trade-gov-csl-csv").unwrap(), &opts).unwrap_err();
        assert!(
            matches!(&err, ImportError::UnknownOption { known, .. } if known.contains("sources")),
            "{err:?}"
        );
    }
}
