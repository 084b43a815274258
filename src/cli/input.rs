//! Files the command line reads: a path, or `-` for standard input
//! (wherever a file is read: shipments, list files, entries, the token
//! file, certificates). Standard input can be read once per command: a
//! second `-` is a usage error.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;

use super::exit;

/// The name that stands for standard input.
pub const STDIN: &str = "-";

static STDIN_TAKEN: AtomicBool = AtomicBool::new(false);

/// True when `path` is `-`.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == STDIN
}

/// The bytes of `path`, or of standard input for `-`.
///
/// # Errors
/// A usage error (exit 2): the file cannot be read, or standard input was
/// read already.
pub fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    if is_stdin(path) {
        if STDIN_TAKEN.swap(true, Ordering::SeqCst) {
            return Err(exit::usage(anyhow::anyhow!(
                "standard input (-) can be read only once per command"
            )));
        }
        let mut data = Vec::new();
        std::io::stdin()
            .read_to_end(&mut data)
            .context("reading standard input")
            .map_err(exit::usage)?;
        return Ok(data);
    }
    std::fs::read(path)
        .with_context(|| format!("reading {}", path.display()))
        .map_err(exit::usage)
}

/// The text of `path` (or standard input for `-`), as UTF-8.
///
/// # Errors
/// As [`read`]; also text that is not UTF-8 (usage error).
pub fn read_text(path: &Path) -> anyhow::Result<String> {
    let data = read(path)?;
    String::from_utf8(data)
        .with_context(|| format!("{}: not UTF-8 text", shown(path)))
        .map_err(exit::usage)
}

/// How a path is named in messages (`standard input` for `-`).
pub fn shown(path: &Path) -> String {
    if is_stdin(path) {
        "standard input".into()
    } else {
        path.display().to_string()
    }
}
