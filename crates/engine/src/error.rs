//! Errors raised while building the engine (configuration or list content).

use thiserror::Error;

/// The engine could not be built.
#[derive(Debug, Error)]
pub enum EngineError {
    /// A configuration file is malformed.
    #[error("configuration file {file}: {message}")]
    Config {
        /// File name (`policy.toml` ...).
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A control-list entry is unusable (bad code, empty terms ...).
    #[error("control list {list_id}, entry {code}: {message}")]
    ControlEntry {
        /// List id.
        list_id: String,
        /// Entry code.
        code: String,
        /// What is wrong.
        message: String,
    },
    /// A matcher could not be built.
    #[error("building matcher: {0}")]
    Build(String),
}
