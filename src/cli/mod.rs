//! Command line (STUB: to be replaced).

/// Runs the command line.
///
/// # Errors
/// Any failure, for `main` to print.
pub fn run() -> anyhow::Result<()> {
    Ok(())
}
