//! The `exportscreen` binary: a thin wrapper over [`exportscreen::cli::run`]
//! that turns its result into the documented exit code
//! ([`exportscreen::cli::exit`]). It also picks the global allocator:
//! mimalloc, because a screening allocates many small strings on several
//! threads at once and glibc's malloc took a fifth of the server's CPU
//! under load (`cargo bench --bench load`).

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    match exportscreen::cli::run() {
        Ok(code) => std::process::ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(exportscreen::cli::exit::code_of(&e))
        }
    }
}
