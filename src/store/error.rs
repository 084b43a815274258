//! Storage errors: typed, so that `api::status` can give each its own gRPC
//! code (a missing record is NOT_FOUND, a damaged one DATA_LOSS ...).
//!
//! Messages include the underlying error's text (they travel to clients
//! as status messages), so the underlying error is not also exposed as
//! `source()`: error chains print each cause once.

use std::path::PathBuf;

use thiserror::Error;

/// A storage operation failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database could not be opened (missing permissions, locked by
    /// another process, written by an incompatible version ...).
    #[error("opening the database at {path}: {cause}")]
    Open {
        /// Database directory.
        path: PathBuf,
        /// What sled reported.
        cause: sled::Error,
    },
    /// Reading or writing the database files failed.
    #[error("storage i/o: {0}")]
    Io(std::io::Error),
    /// The database failed in another way (unsupported use, internal bug).
    #[error("storage: {0}")]
    Db(sled::Error),
    /// A stored value could not be decoded: the database is damaged or was
    /// written by an incompatible version.
    #[error("stored value {key} is corrupt: {message}")]
    Corrupt {
        /// The key (printable form).
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A value could not be encoded.
    #[error("encoding {what}: {cause}")]
    Encode {
        /// What was being encoded.
        what: &'static str,
        /// The serializer's error.
        cause: serde_json::Error,
    },
    /// A record asked for does not exist.
    #[error("{what} {id} not found")]
    NotFound {
        /// `screening`, `case`, `list` or `list version`.
        what: &'static str,
        /// The id asked for.
        id: String,
    },
    /// A list id breaks the naming rule (`^[a-z0-9][a-z0-9-]{0,63}$`).
    #[error(
        "invalid list id '{list_id}': use 1 to 64 lower-case letters, digits and dashes, starting with a letter or digit"
    )]
    InvalidListId {
        /// The id as given.
        list_id: String,
    },
    /// A list version's metadata does not agree with its content.
    #[error("list {list_id} version {version}: {message}")]
    InvalidVersion {
        /// List id.
        list_id: String,
        /// Version number.
        version: u64,
        /// What disagrees.
        message: String,
    },
    /// The version number is already taken (two writers raced).
    #[error("list {list_id} already has a version {version}")]
    VersionExists {
        /// List id.
        list_id: String,
        /// The version number.
        version: u64,
    },
    /// A new version would change the list's kind (denial <-> control).
    #[error(
        "list {list_id} is a {current} list; a {new} list cannot replace it (import it under another list id)"
    )]
    KindChanged {
        /// List id.
        list_id: String,
        /// Kind of the current version.
        current: String,
        /// Kind of the version offered.
        new: String,
    },
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        match e {
            sled::Error::Io(io) => StoreError::Io(io),
            sled::Error::Corruption { at, .. } => StoreError::Corrupt {
                key: match at {
                    Some(ptr) => format!("at {ptr:?}"),
                    None => "(unknown location)".to_string(),
                },
                message: "sled detected corruption in the database files".to_string(),
            },
            other => StoreError::Db(other),
        }
    }
}
