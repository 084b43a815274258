//! The control-list part of the project's own `exportscreen-toml` format
//! (STUB: to be replaced).

use super::{ImportError, SourceData};
use crate::model::ControlEntry;

/// Parses a control list written in `exportscreen-toml`.
///
/// # Errors
/// [`ImportError::Malformed`] naming the file and line.
pub fn parse(file: &SourceData) -> Result<Vec<ControlEntry>, ImportError> {
    Err(ImportError::malformed(
        &file.name,
        0,
        "control lists are not implemented yet",
    ))
}
