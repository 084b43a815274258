//! The `exportscreen` binary: a thin wrapper over [`exportscreen::cli::run`].

fn main() -> std::process::ExitCode {
    match exportscreen::cli::run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
