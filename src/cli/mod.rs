//! Command line: one binary, `exportscreen`.
//!
//! - `serve` (the default): the gRPC service;
//! - `screen`, `import`, `lists`, `versions`, `diff`, `entry`, `replay`,
//!   `token`: clients of a running server (with a token: `--token`,
//!   `EXPORTSCREEN_TOKEN`, `--token-file`);
//! - `cases`, `audit`, `report`: the licensing officers' clients;
//! - `eval`: match-quality evaluation in-process, on the bundled lists.
//!
//! [`args`] defines the flags; [`commands`] holds one module per
//! subcommand. Errors are `anyhow` here (and only here): they end up as one
//! message on standard error.

pub mod args;
pub mod client;
pub mod commands;
pub mod json;

use clap::Parser;

use args::{Cli, Command};

/// Runs the command line.
///
/// # Errors
/// Any failure, for `main` to print.
pub fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let args::ClientArgs {
        token,
        token_file,
        ca_cert,
        client_cert,
        client_key,
    } = cli.client;
    client::configure(client::Credentials {
        token,
        token_file,
        ca_cert,
        client_identity: client_cert.zip(client_key),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match cli.command {
            None => commands::serve::run(args::ServeArgs::default()).await,
            Some(Command::Serve(a)) => commands::serve::run(a).await,
            Some(Command::Screen(a)) => commands::screen::run(a).await,
            Some(Command::Import(a)) => commands::import::run(a).await,
            Some(Command::Lists(a)) => commands::lists::run(a).await,
            Some(Command::Versions(a)) => commands::history::versions(a).await,
            Some(Command::Diff(a)) => commands::history::diff(a).await,
            Some(Command::Entry(a)) => commands::entry::run(a).await,
            Some(Command::Replay(a)) => commands::history::replay(a).await,
            Some(Command::Eval(a)) => commands::eval::run(a),
            Some(Command::Cases(c)) => commands::cases::run(c).await,
            Some(Command::Audit(c)) => commands::audit::run(c).await,
            Some(Command::Report(a)) => commands::report::run(a).await,
            Some(Command::Token(c)) => commands::token::run(c).await,
        }
    })
}
