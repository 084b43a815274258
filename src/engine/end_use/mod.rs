//! End-use red flags (STUB: to be replaced).

use super::EngineError;

/// A red-flag term found in a stated end use.
#[derive(Clone, Debug, PartialEq)]
pub struct RedFlagHit {
    /// The configured term.
    pub term: String,
    /// Its category (missile, uav, military, nuclear, re-export ...).
    pub category: String,
    /// The words of the end use that matched.
    pub matched_text: String,
}

/// Red-flag scanner.
#[derive(Debug, Default)]
pub struct RedFlags {}

impl RedFlags {
    /// Builds from `red-flags.toml`.
    ///
    /// # Errors
    /// [`EngineError::Config`] when the file is malformed.
    pub fn from_toml(_text: &str) -> Result<RedFlags, EngineError> {
        Ok(RedFlags {})
    }

    /// Red flags in the text (negated mentions excluded).
    pub fn scan(&self, _text: &str) -> Vec<RedFlagHit> {
        Vec::new()
    }
}
