//! Seeding a fresh data directory with the bundled default lists
//! ([`crate::bundled::BUNDLED`], embedded in the binary byte for byte as
//! published). They go through the same [`crate::lists::import`] path as a
//! user's import (author `seed`).

use std::sync::Arc;

use tracing::info;

use super::{NewVersion, Services, blocking};
use crate::actions::Origin;
use crate::bundled::{BUNDLED, BundledList, SEED_AUTHOR};
use crate::ids::{Actor, ListId};
use crate::lists::{self, describe_files};

/// A bundled list could not be seeded.
#[derive(Debug, thiserror::Error)]
#[error("seeding list {list_id} (format {format}) from the bundled files failed: {cause}")]
pub struct SeedError {
    /// List id.
    pub list_id: String,
    /// Import format.
    pub format: String,
    /// What went wrong.
    pub cause: Box<crate::Error>,
}

/// Imports every bundled list that has never been stored (a fresh data
/// directory gets all of them; a list the operator already has is left
/// alone), then makes them live with one engine build. Returns the ids
/// seeded.
///
/// # Errors
/// [`SeedError`] naming the list whose import failed; nothing is stored
/// then.
pub async fn seed_missing(services: &Services) -> Result<Vec<String>, SeedError> {
    let store = Arc::clone(services.store());
    let stored = blocking(move || {
        BUNDLED
            .iter()
            .map(|seed| Ok(store.latest_version(seed.list_id)? > 0))
            .collect::<Result<Vec<bool>, crate::Error>>()
    })
    .await
    .map_err(|source| SeedError {
        list_id: BUNDLED
            .iter()
            .map(|s| s.list_id)
            .collect::<Vec<_>>()
            .join(", "),
        format: String::new(),
        cause: Box::new(source),
    })?;
    let todo: Vec<&'static BundledList> = BUNDLED
        .iter()
        .zip(stored)
        .filter(|(_, stored)| !stored)
        .map(|(seed, _)| seed)
        .collect();
    if todo.is_empty() {
        return Ok(Vec::new());
    }

    // Parse in parallel: the lists are independent and the machine has cores to spare at start-up.
    let tasks: Vec<_> = todo
        .iter()
        .map(|&seed| tokio::task::spawn_blocking(move || parse(seed)))
        .collect();
    let mut versions = Vec::with_capacity(tasks.len());
    for (seed, task) in todo.iter().zip(tasks) {
        let v = task
            .await
            .map_err(|e| crate::Error::Internal(format!("background task failed: {e}")))
            .and_then(|r| r);
        versions.push(v.map_err(|source| SeedError {
            list_id: seed.list_id.to_string(),
            format: seed.format.to_string(),
            cause: Box::new(source),
        })?);
    }

    let ids: Vec<String> = versions.iter().map(|v| v.list_id.to_string()).collect();
    services
        .lists
        .commit(versions)
        .await
        .map_err(|source| SeedError {
            list_id: ids.join(", "),
            format: todo.iter().map(|s| s.format).collect::<Vec<_>>().join(", "),
            cause: Box::new(source),
        })?;
    info!(lists = %ids.join(", "), "seeded the bundled default lists");
    Ok(ids)
}

fn parse(seed: &BundledList) -> Result<NewVersion, crate::Error> {
    let files = seed.sources();
    let imported = seed.import()?;
    Ok(NewVersion {
        list_id: ListId::parse(seed.list_id).map_err(|e| crate::Error::Internal(e.to_string()))?,
        format: seed.format.to_string(),
        author: Actor::new(SEED_AUTHOR),
        reason: seed.reason(),
        files: describe_files(&files),
        warnings: imported.warnings,
        content: imported.content,
        origin: Origin::Seed,
        entry_id: None,
        published: match lists::published::published(seed.format, &files) {
            stated if !stated.is_empty() => stated,
            _ => seed.published.to_string(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_table_is_well_formed() {
        let mut ids: Vec<&str> = BUNDLED.iter().map(|s| s.list_id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), BUNDLED.len(), "duplicate list id");
        for s in BUNDLED {
            assert!(ListId::is_valid(s.list_id), "{}", s.list_id);
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
        let sdn = BUNDLED.iter().find(|s| s.list_id == "ofac-sdn").unwrap();
        for (name, data) in sdn.files {
            assert!(data.len() > 100_000, "{name}");
        }
        assert_eq!(sdn.files[0].1.last(), Some(&0x1a));
    }
}
