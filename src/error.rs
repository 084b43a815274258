//! The crate-wide error type: one variant per layer, each carrying that
//! layer's typed error. `api::status` maps it to gRPC statuses in one place.

use thiserror::Error;

/// Crate-wide result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Any error of the library.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The engine could not be built (bad configuration or list content).
    #[error(transparent)]
    Engine(#[from] crate::engine::EngineError),
    /// A list file could not be imported.
    #[error(transparent)]
    Import(#[from] crate::lists::ImportError),
    /// A list entry could not be added, changed or removed by hand.
    #[error(transparent)]
    Edit(#[from] crate::lists::EditError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// A case command was refused (status, assignee, finding).
    #[error(transparent)]
    Case(#[from] crate::cases::CaseError),
    /// A request was invalid.
    #[error("invalid argument: {field}: {message}")]
    InvalidArgument {
        /// The offending field (`shipment.items[2].description` ...).
        field: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// Something asked for does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The call went away (cancelled by the client, or its deadline
    /// passed) before its work was done; nothing was recorded.
    #[error("cancelled before it was done")]
    Cancelled,
    /// A fault of the server (a background task failed, an invariant broke).
    #[error("internal error: {0}")]
    Internal(String),
}
