//! Storage (sled): lists and their versions, screenings, cases. Every sled
//! call of the crate lives in this module (STUB: to be replaced).

use thiserror::Error;

/// A storage operation failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database failed.
    #[error("storage: {0}")]
    Db(String),
}
