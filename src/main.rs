//! The `exportscreen` binary: a thin wrapper over [`exportscreen::cli::run`]
//! that turns its result into the documented exit code
//! ([`exportscreen::cli::exit`]).

fn main() -> std::process::ExitCode {
    match exportscreen::cli::run() {
        Ok(code) => std::process::ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(exportscreen::cli::exit::code_of(&e))
        }
    }
}
