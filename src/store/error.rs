//! Storage errors: typed, so that `api::status` can give each its own gRPC
//! code (a missing record is NOT_FOUND, a damaged one DATA_LOSS ...), and
//! neutral: every backend reports its failures as these variants, so a
//! new backend changes nothing above the store.
//!
//! Messages include the underlying error's text (they travel to clients
//! as status messages), so the underlying error is not also exposed as
//! `source()`: error chains print each cause once.

use std::path::PathBuf;

use thiserror::Error;

use crate::ids::ScreeningId;
use crate::model::ListKind;

/// A storage operation failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database could not be opened (missing permissions, locked by
    /// another process, written by an incompatible version ...).
    #[error("opening the database at {path}: {message}")]
    Open {
        /// Database location.
        path: PathBuf,
        /// What the backend reported.
        message: String,
        /// True when another process holds the database.
        locked: bool,
    },
    /// Reading or writing the database files failed.
    #[error("storage i/o: {0}")]
    Io(std::io::Error),
    /// The backend failed in another way (unsupported use, internal bug).
    #[error("storage: {0}")]
    Backend(String),
    /// The writer that applies every change has stopped (the server is
    /// shutting down, or it failed): nothing more can be written.
    #[error("storage writer stopped: {0}")]
    WriterStopped(String),
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
        current: ListKind,
        /// Kind of the version offered.
        new: ListKind,
    },
    /// A page token that this store did not hand out.
    #[error("not a page token from a previous answer")]
    InvalidCursor,
    /// A client request id was used before, within the idempotency window,
    /// for another shipment.
    #[error(
        "request_id {request_id:?} was used within the last 24 h for another shipment (screening {screening_id}): send a new request id with a new shipment"
    )]
    RequestIdReused {
        /// The request id.
        request_id: String,
        /// The screening it names.
        screening_id: ScreeningId,
    },
}

impl StoreError {
    /// A copy for each of several waiting writers (a failed commit fails
    /// every write of its batch): same variant and message.
    pub fn duplicate(&self) -> StoreError {
        match self {
            StoreError::Io(e) => StoreError::Io(std::io::Error::new(e.kind(), e.to_string())),
            StoreError::Encode { what, cause } => {
                StoreError::Backend(format!("encoding {what}: {cause}"))
            }
            StoreError::Open {
                path,
                message,
                locked,
            } => StoreError::Open {
                path: path.clone(),
                message: message.clone(),
                locked: *locked,
            },
            StoreError::Backend(m) => StoreError::Backend(m.clone()),
            StoreError::WriterStopped(m) => StoreError::WriterStopped(m.clone()),
            StoreError::Corrupt { key, message } => StoreError::Corrupt {
                key: key.clone(),
                message: message.clone(),
            },
            StoreError::NotFound { what, id } => StoreError::NotFound {
                what,
                id: id.clone(),
            },
            StoreError::InvalidListId { list_id } => StoreError::InvalidListId {
                list_id: list_id.clone(),
            },
            StoreError::InvalidVersion {
                list_id,
                version,
                message,
            } => StoreError::InvalidVersion {
                list_id: list_id.clone(),
                version: *version,
                message: message.clone(),
            },
            StoreError::VersionExists { list_id, version } => StoreError::VersionExists {
                list_id: list_id.clone(),
                version: *version,
            },
            StoreError::KindChanged {
                list_id,
                current,
                new,
            } => StoreError::KindChanged {
                list_id: list_id.clone(),
                current: *current,
                new: *new,
            },
            StoreError::InvalidCursor => StoreError::InvalidCursor,
            StoreError::RequestIdReused {
                request_id,
                screening_id,
            } => StoreError::RequestIdReused {
                request_id: request_id.clone(),
                screening_id: screening_id.clone(),
            },
        }
    }
}
