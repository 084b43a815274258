//! The lists bundled with the service (embedded at build time from
//! `control-lists/`), used to seed a fresh data directory and by the
//! in-process evaluation. They go through the same importers users use.

use std::sync::Arc;

use crate::engine::LoadedList;
use crate::lists::{self, ImportError, ImportOptions, Imported, SourceData};
use crate::model::ListMeta;

/// One bundled list: id, import format and files.
#[derive(Debug)]
pub struct BundledList {
    /// List id (`mtcr`, `ofac-sdn` ...).
    pub list_id: &'static str,
    /// Import format.
    pub format: &'static str,
    /// What it is and as of when.
    pub description: &'static str,
    /// Publication date of the bundled files (`YYYY-MM-DD`, or `YYYY-MM`
    /// when the agency gave only the month; empty: unknown).
    pub published: &'static str,
    /// (file name, bytes) in import order.
    pub files: &'static [(&'static str, &'static [u8])],
    /// Import options (name, value).
    pub options: &'static [(&'static str, &'static str)],
}

macro_rules! file {
    ($name:literal, $path:literal) => {
        (
            $name,
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/control-lists/",
                $path
            )) as &[u8],
        )
    };
}

/// Author recorded for seeded versions.
pub const SEED_AUTHOR: &str = "seed";

/// Every bundled list, control list first.
pub const BUNDLED: &[BundledList] = &[
    BundledList {
        list_id: "mtcr",
        published: "2024-03-14",
        format: "exportscreen-toml",
        description: "MTCR Equipment, Software and Technology Annex (2024), bundled",
        files: &[file!("mtcr.toml", "mtcr.toml")],
        options: &[],
    },
    BundledList {
        list_id: "ofac-sdn",
        published: "2023-12-28",
        format: "ofac-sdn-csv",
        description: "OFAC Specially Designated Nationals list of 2023-12-28, bundled",
        files: &[
            file!("sdn.csv", "lists/ofac-sdn-2023-12-28/sdn.csv"),
            file!("alt.csv", "lists/ofac-sdn-2023-12-28/alt.csv"),
            file!("add.csv", "lists/ofac-sdn-2023-12-28/add.csv"),
        ],
        options: &[],
    },
    BundledList {
        list_id: "ofac-cons",
        published: "2025-12",
        format: "ofac-cons-csv",
        description: "OFAC non-SDN consolidated lists of 2025-12, bundled",
        files: &[
            file!("cons_prim.csv", "lists/ofac-cons-2025-12/cons_prim.csv"),
            file!("cons_alt.csv", "lists/ofac-cons-2025-12/cons_alt.csv"),
            file!("cons_add.csv", "lists/ofac-cons-2025-12/cons_add.csv"),
        ],
        options: &[],
    },
    BundledList {
        list_id: "un-sc",
        published: "2026-02-27",
        format: "un-sc-xml",
        description: "UN Security Council consolidated list of 2026-02-27, bundled",
        files: &[file!(
            "consolidated.xml",
            "lists/un-sc-2026-02-27/consolidated.xml"
        )],
        options: &[],
    },
    BundledList {
        list_id: "bis-dpl",
        published: "2023-11",
        format: "bis-dpl-tsv",
        description: "BIS Denied Persons List of 2023-11, bundled",
        files: &[file!("dpl.txt", "lists/bis-dpl-2023-11/dpl.txt")],
        options: &[],
    },
    BundledList {
        list_id: "bis-entity",
        format: "ecfr-744-xml",
        description: "BIS Entity List (Supplement No. 4 to 15 CFR part 744), eCFR text of 2026-07-23, bundled",
        files: &[ECFR_744],
        published: "2026-07-23",
        options: &[("supplement", "4")],
    },
    BundledList {
        list_id: "bis-uvl",
        format: "ecfr-744-xml",
        description: "BIS Unverified List (Supplement No. 6 to 15 CFR part 744), eCFR text of 2026-07-23, bundled",
        files: &[ECFR_744],
        published: "2026-07-23",
        options: &[("supplement", "6")],
    },
    BundledList {
        list_id: "bis-meu",
        format: "ecfr-744-xml",
        description: "BIS Military End-User List (Supplement No. 7 to 15 CFR part 744), eCFR text of 2026-07-23, bundled",
        files: &[ECFR_744],
        published: "2026-07-23",
        options: &[("supplement", "7")],
    },
    BundledList {
        list_id: "state-isn",
        format: "trade-gov-csl-csv",
        description: "State Department nonproliferation sanctions (ISN) from the trade.gov Consolidated Screening List of 2022-04, bundled",
        files: &[CSL_ISN_DTC],
        published: "2022-04",
        options: &[("sources", "ISN")],
    },
    BundledList {
        list_id: "state-dtc",
        format: "trade-gov-csl-csv",
        description: "State Department ITAR debarred parties (DDTC) from the trade.gov Consolidated Screening List of 2022-04, bundled",
        files: &[CSL_ISN_DTC],
        published: "2022-04",
        options: &[("sources", "DTC")],
    },
];

/// The eCFR XML of 15 CFR part 744, as published (three lists read from it).
const ECFR_744: (&str, &[u8]) = file!(
    "title-15_part-744.xml",
    "lists/bis-ecfr-744-2026-07-23/title-15_part-744.xml"
);

/// The ISN and DTC records of the trade.gov CSL of 2022-04, each as
/// published (see `control-lists/lists/SOURCES.md`).
const CSL_ISN_DTC: (&str, &[u8]) = file!(
    "consolidated.csv",
    "lists/trade-gov-csl-2022-04/consolidated-isn-dtc.csv"
);

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

    /// The import options.
    pub fn import_options(&self) -> ImportOptions {
        self.options
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    /// Parses the bundled files with the list's format and options.
    ///
    /// # Errors
    /// [`ImportError`] (a bundled file that does not parse is a build bug).
    pub fn import(&self) -> Result<Imported, ImportError> {
        lists::import_with(self.format, &self.sources(), &self.import_options())
    }

    /// The reason recorded with a seeded version.
    pub fn reason(&self) -> String {
        self.description.to_string()
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
    let files = lists::describe_files(files);
    let checksum = lists::version_checksum(&files);
    ListMeta {
        published: BUNDLED
            .iter()
            .find(|b| b.list_id == list_id)
            .map(|b| b.published.to_string())
            .unwrap_or_default(),
        retired: false,
        list_id: list_id.to_string(),
        version,
        kind: imported.content.kind(),
        format: format.to_string(),
        entries: u32::try_from(imported.content.len()).unwrap_or(u32::MAX),
        names: u32::try_from(imported.content.name_count()).unwrap_or(u32::MAX),
        imported_at_unix_ms,
        author: author.to_string(),
        reason: reason.to_string(),
        files,
        warnings: imported.warnings.clone(),
        checksum,
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
            let imported = b.import().map_err(|e| (b.list_id.to_string(), e))?;
            let reason = b.reason();
            let info = VersionInfo {
                list_id: b.list_id,
                format: b.format,
                version: 1,
                author: SEED_AUTHOR,
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
