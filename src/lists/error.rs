//! Import errors: a malformed file is rejected whole, naming the file and
//! the line that broke it.

use thiserror::Error;

/// A list could not be imported. Nothing is replaced when this is returned.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The format name is not known.
    #[error("unknown list format '{format}' (known formats: {known})")]
    UnknownFormat {
        /// The format asked for.
        format: String,
        /// Comma-separated known formats.
        known: String,
    },
    /// An import option the format does not read.
    #[error("format {format} has no option '{option}' (its options: {known})")]
    UnknownOption {
        /// Format name.
        format: String,
        /// The option sent.
        option: String,
        /// Comma-separated options of the format, or `none`.
        known: String,
    },
    /// An import option's value is not usable.
    #[error("format {format}, option {option}: {message}")]
    BadOption {
        /// Format name.
        format: String,
        /// The option.
        option: String,
        /// What is wrong.
        message: String,
    },
    /// A file the format needs was not sent.
    #[error("format {format} needs a file named {file}")]
    MissingFile {
        /// Format name.
        format: String,
        /// The missing file's name.
        file: String,
    },
    /// A file was sent that the format does not read.
    #[error("format {format} does not read a file named {file} (it reads: {expected})")]
    UnexpectedFile {
        /// Format name.
        format: String,
        /// The unexpected file's name.
        file: String,
        /// Files the format reads.
        expected: String,
    },
    /// A file is malformed.
    #[error("{file}, line {line}: {message}")]
    Malformed {
        /// File name.
        file: String,
        /// 1-based line number (0 when the whole file is at fault).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// The import yielded no entries at all.
    #[error("{file}: no entries found")]
    Empty {
        /// File name(s).
        file: String,
    },
}

impl ImportError {
    /// Shorthand for [`ImportError::Malformed`].
    pub fn malformed(file: &str, line: u64, message: impl Into<String>) -> ImportError {
        ImportError::Malformed {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
}
