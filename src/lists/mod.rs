//! Importers: official list files as agencies publish them -> [`ListContent`].
//!
//! Each format reads a fixed set of files (see [`FORMATS`]) and returns the
//! entries plus warnings; a malformed file is rejected whole with
//! [`ImportError`] naming the file and line.

pub mod control_toml;
mod error;

pub use error::ImportError;

use crate::model::ListContent;

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

/// Format names, in the order documented.
pub const FORMATS: &[&str] = &[
    "ofac-sdn-csv",
    "ofac-cons-csv",
    "un-sc-xml",
    "bis-dpl-tsv",
    "trade-gov-csl-csv",
    "exportscreen-toml",
];

/// Parses `files` in `format`.
///
/// # Errors
/// [`ImportError`] for an unknown format, a missing or unexpected file, or a
/// malformed file (with its name and line).
pub fn import(format: &str, files: &[SourceData]) -> Result<Imported, ImportError> {
    let _ = files;
    Err(ImportError::UnknownFormat {
        format: format.to_string(),
        known: FORMATS.join(", "),
    })
}
