//! The bundled default lists a fresh data directory is seeded with, and the
//! seeding itself. The files are embedded in the binary, byte for byte as
//! published, and go through the same [`crate::lists::import`] path as a
//! user's import (author `seed`).

use tracing::info;

use super::state::{AppState, NewVersion, describe_files};
use super::status::ApiError;
use crate::lists::{self, SourceData};

/// One bundled list.
#[derive(Debug)]
pub struct SeedList {
    /// List id.
    pub list_id: &'static str,
    /// Import format.
    pub format: &'static str,
    /// What it is and as of when (recorded as the version's reason).
    pub description: &'static str,
    /// (file name as sent to the importer, content).
    pub files: &'static [(&'static str, &'static [u8])],
}

macro_rules! bundled {
    ($path:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/control-lists/",
            $path
        ))
    };
}

/// The bundled lists, in seeding order.
pub const SEEDS: &[SeedList] = &[
    SeedList {
        list_id: "mtcr",
        format: "exportscreen-toml",
        description: "MTCR Equipment, Software and Technology Annex (2024), bundled",
        files: &[("mtcr.toml", bundled!("mtcr.toml"))],
    },
    SeedList {
        list_id: "ofac-sdn",
        format: "ofac-sdn-csv",
        description: "OFAC Specially Designated Nationals list of 2023-12-28, bundled",
        files: &[
            ("sdn.csv", bundled!("lists/ofac-sdn-2023-12-28/sdn.csv")),
            ("alt.csv", bundled!("lists/ofac-sdn-2023-12-28/alt.csv")),
            ("add.csv", bundled!("lists/ofac-sdn-2023-12-28/add.csv")),
        ],
    },
    SeedList {
        list_id: "ofac-cons",
        format: "ofac-cons-csv",
        description: "OFAC non-SDN consolidated lists of 2025-12, bundled",
        files: &[
            (
                "cons_prim.csv",
                bundled!("lists/ofac-cons-2025-12/cons_prim.csv"),
            ),
            (
                "cons_alt.csv",
                bundled!("lists/ofac-cons-2025-12/cons_alt.csv"),
            ),
            (
                "cons_add.csv",
                bundled!("lists/ofac-cons-2025-12/cons_add.csv"),
            ),
        ],
    },
    SeedList {
        list_id: "un-sc",
        format: "un-sc-xml",
        description: "UN Security Council consolidated list of 2026-02-27, bundled",
        files: &[(
            "consolidated.xml",
            bundled!("lists/un-sc-2026-02-27/consolidated.xml"),
        )],
    },
    SeedList {
        list_id: "bis-dpl",
        format: "bis-dpl-tsv",
        description: "BIS Denied Persons List of 2023-11, bundled",
        files: &[("dpl.txt", bundled!("lists/bis-dpl-2023-11/dpl.txt"))],
    },
];

/// Author recorded for seeded versions.
pub const SEED_AUTHOR: &str = "seed";

/// A bundled list could not be seeded.
#[derive(Debug, thiserror::Error)]
#[error("seeding list {list_id} (format {format}) from the bundled files failed: {cause}")]
pub struct SeedError {
    /// List id.
    pub list_id: String,
    /// Import format.
    pub format: String,
    /// What went wrong.
    pub cause: Box<ApiError>,
}

/// Imports every bundled list that has never been stored (a fresh data
/// directory gets all of them; a list the operator already has is left
/// alone), then makes them live with one engine build. Returns the ids
/// seeded.
///
/// # Errors
/// [`SeedError`] naming the list whose import failed; nothing is stored
/// then.
pub async fn seed_missing(state: &AppState) -> Result<Vec<String>, SeedError> {
    let mut todo = Vec::new();
    for seed in SEEDS {
        let fail = |source: ApiError| SeedError {
            list_id: seed.list_id.to_string(),
            format: seed.format.to_string(),
            cause: Box::new(source),
        };
        if state
            .store()
            .latest_version(seed.list_id)
            .map_err(|e| fail(e.into()))?
            == 0
        {
            todo.push(seed);
        }
    }
    if todo.is_empty() {
        return Ok(Vec::new());
    }

    // Parse in parallel: the lists are independent and the machine has cores to spare at start-up.
    let tasks: Vec<_> = todo
        .iter()
        .map(|seed| {
            let seed: &'static SeedList = seed;
            tokio::task::spawn_blocking(move || parse(seed))
        })
        .collect();
    let mut versions = Vec::with_capacity(tasks.len());
    for (seed, task) in todo.iter().zip(tasks) {
        let v = task.await.map_err(ApiError::from).and_then(|r| r);
        versions.push(v.map_err(|source| SeedError {
            list_id: seed.list_id.to_string(),
            format: seed.format.to_string(),
            cause: Box::new(source),
        })?);
    }

    let ids: Vec<String> = versions.iter().map(|v| v.list_id.clone()).collect();
    state.commit(versions).await.map_err(|source| SeedError {
        list_id: ids.join(", "),
        format: todo.iter().map(|s| s.format).collect::<Vec<_>>().join(", "),
        cause: Box::new(source),
    })?;
    info!(lists = %ids.join(", "), "seeded the bundled default lists");
    Ok(ids)
}

fn parse(seed: &SeedList) -> Result<NewVersion, ApiError> {
    let files: Vec<SourceData> = seed
        .files
        .iter()
        .map(|(name, data)| SourceData {
            name: (*name).to_string(),
            data: data.to_vec(),
        })
        .collect();
    let imported = lists::import(seed.format, &files)?;
    Ok(NewVersion {
        list_id: seed.list_id.to_string(),
        format: seed.format.to_string(),
        author: SEED_AUTHOR.to_string(),
        reason: seed.description.to_string(),
        files: describe_files(&files),
        warnings: imported.warnings,
        content: imported.content,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::keys::is_valid_list_id;

    #[test]
    fn seed_table_is_well_formed() {
        let mut ids: Vec<&str> = SEEDS.iter().map(|s| s.list_id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), SEEDS.len(), "duplicate list id");
        for s in SEEDS {
            assert!(is_valid_list_id(s.list_id), "{}", s.list_id);
            assert!(
                lists::FORMATS.contains(&s.format),
                "{}: {}",
                s.list_id,
                s.format
            );
            assert!(!s.files.is_empty(), "{}", s.list_id);
        }
    }

    #[test]
    fn bundled_denial_lists_are_embedded_byte_exact() {
        // The OFAC CSVs end with the 0x1A end-of-file byte as published.
        let sdn = SEEDS.iter().find(|s| s.list_id == "ofac-sdn").unwrap();
        for (name, data) in sdn.files {
            assert!(data.len() > 100_000, "{name}");
        }
        assert_eq!(sdn.files[0].1.last(), Some(&0x1a));
    }
}
