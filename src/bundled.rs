//! The lists bundled with the service (embedded at build time from
//! `control-lists/`), used to seed a fresh data directory and by the
//! in-process evaluation. They go through the same importers users use.

use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::engine::LoadedList;
use crate::lists::{self, ImportError, Imported, SourceData};
use crate::model::{ListMeta, SourceFile};

/// One bundled list: id, import format and files.
#[derive(Debug)]
pub struct BundledList {
    /// List id (`mtcr`, `ofac-sdn` ...).
    pub list_id: &'static str,
    /// Import format.
    pub format: &'static str,
    /// Where the files come from (folder under `control-lists/`).
    pub source: &'static str,
    /// (file name, bytes) in import order.
    pub files: &'static [(&'static str, &'static [u8])],
}

macro_rules! file {
    ($name:literal, $path:literal) => {
        (
            $name,
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/control-lists/", $path))
                as &[u8],
        )
    };
}

/// Every bundled list, control list first.
pub const BUNDLED: &[BundledList] = &[
    BundledList {
        list_id: "mtcr",
        format: "exportscreen-toml",
        source: "control-lists/mtcr.toml (MTCR Annex 2024 notes)",
        files: &[file!("mtcr.toml", "mtcr.toml")],
    },
    BundledList {
        list_id: "ofac-sdn",
        format: "ofac-sdn-csv",
        source: "control-lists/lists/ofac-sdn-2023-12-28",
        files: &[
            file!("sdn.csv", "lists/ofac-sdn-2023-12-28/sdn.csv"),
            file!("alt.csv", "lists/ofac-sdn-2023-12-28/alt.csv"),
            file!("add.csv", "lists/ofac-sdn-2023-12-28/add.csv"),
        ],
    },
    BundledList {
        list_id: "ofac-cons",
        format: "ofac-cons-csv",
        source: "control-lists/lists/ofac-cons-2025-12",
        files: &[
            file!("cons_prim.csv", "lists/ofac-cons-2025-12/cons_prim.csv"),
            file!("cons_alt.csv", "lists/ofac-cons-2025-12/cons_alt.csv"),
            file!("cons_add.csv", "lists/ofac-cons-2025-12/cons_add.csv"),
        ],
    },
    BundledList {
        list_id: "un-sc",
        format: "un-sc-xml",
        source: "control-lists/lists/un-sc-2026-02-27",
        files: &[file!(
            "consolidated.xml",
            "lists/un-sc-2026-02-27/consolidated.xml"
        )],
    },
    BundledList {
        list_id: "bis-dpl",
        format: "bis-dpl-tsv",
        source: "control-lists/lists/bis-dpl-2023-11",
        files: &[file!("dpl.txt", "lists/bis-dpl-2023-11/dpl.txt")],
    },
];

impl BundledList {
    /// The files as importer input.
    pub fn sources(&self) -> Vec<SourceData> {
        self.files
            .iter()
            .map(|(name, data)| SourceData {
                name: (*name).to_string(),
                data: data.to_vec(),
            })
            .collect()
    }
}

/// Who imports which list version, when and why.
#[derive(Clone, Debug)]
pub struct VersionInfo<'a> {
    /// List id.
    pub list_id: &'a str,
    /// Import format.
    pub format: &'a str,
    /// New version number.
    pub version: u64,
    /// Who imports it.
    pub author: &'a str,
    /// Why.
    pub reason: &'a str,
    /// When (unix milliseconds).
    pub imported_at_unix_ms: i64,
}

/// Metadata of a new list version: file checksums and counts.
pub fn version_meta(info: &VersionInfo<'_>, files: &[SourceData], imported: &Imported) -> ListMeta {
    let VersionInfo {
        list_id,
        format,
        version,
        author,
        reason,
        imported_at_unix_ms,
    } = *info;
    let files: Vec<SourceFile> = files
        .iter()
        .map(|f| SourceFile {
            name: f.name.clone(),
            bytes: f.data.len() as u64,
            sha256: hex::encode(Sha256::digest(&f.data)),
        })
        .collect();
    let mut h = Sha256::new();
    for f in &files {
        h.update(f.name.as_bytes());
        h.update([0]);
        h.update(f.sha256.as_bytes());
        h.update([0]);
    }
    ListMeta {
        list_id: list_id.to_string(),
        version,
        kind: imported.content.kind().to_string(),
        format: format.to_string(),
        entries: u32::try_from(imported.content.len()).unwrap_or(u32::MAX),
        names: u32::try_from(imported.content.name_count()).unwrap_or(u32::MAX),
        imported_at_unix_ms,
        author: author.to_string(),
        reason: reason.to_string(),
        files,
        warnings: imported.warnings.clone(),
        checksum: hex::encode(h.finalize()),
    }
}

/// Imports every bundled list (version 1, author `seed`).
///
/// # Errors
/// The first [`ImportError`], prefixed by nothing: the list id is in the
/// returned pair.
pub fn load_all(now_unix_ms: i64) -> Result<Vec<LoadedList>, (String, ImportError)> {
    BUNDLED
        .iter()
        .map(|b| {
            let files = b.sources();
            let imported =
                lists::import(b.format, &files).map_err(|e| (b.list_id.to_string(), e))?;
            let reason = format!("bundled default from {}", b.source);
            let info = VersionInfo {
                list_id: b.list_id,
                format: b.format,
                version: 1,
                author: "seed",
                reason: &reason,
                imported_at_unix_ms: now_unix_ms,
            };
            let meta = version_meta(&info, &files, &imported);
            Ok(LoadedList {
                meta,
                content: Arc::new(imported.content),
            })
        })
        .collect()
}
