//! Command line: one binary, `exportscreen`.
//!
//! - `serve` (the default): the gRPC service;
//! - `screen`, `import`, `lists`, `versions`, `diff`, `entry`, `replay`,
//!   `token`, `parameters`: clients of a running server (server, token and
//!   TLS options are global, each with an `EXPORTSCREEN_*` variable);
//! - `cases`, `audit`, `report`: the licensing officers' clients;
//! - `eval`: match-quality evaluation in-process, on the bundled lists;
//! - `completions`: shell completion scripts.
//!
//! [`args`] defines the flags; [`commands`] holds one module per
//! subcommand; [`exit`] the exit codes; [`input`] files and standard
//! input. Errors are `anyhow` here (and only here): they end up as one
//! message on standard error and an exit code.

pub mod args;
pub mod client;
pub mod commands;
pub mod exit;
pub mod input;
pub mod json;
pub mod time;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};

use args::{Cli, Command};

/// Runs the command line; the exit code is in the error ([`exit::code_of`]),
/// or in the `Ok` for commands that gate on a decision (`screen --fail-on`).
///
/// # Errors
/// Any failure, for `main` to print.
pub fn run() -> anyhow::Result<u8> {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let from_cli = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
    let args::ClientArgs {
        server,
        token,
        token_file,
        ca_cert,
        client_cert,
        client_key,
    } = cli.client;
    let mut token =
        client::choose_token(token, from_cli("token"), token_file, from_cli("token_file"));
    if let client::TokenSource::File(path) = &token {
        // Standard input is read before the command reads any file of its
        // own, so that a second `-` is refused whatever the command.
        if input::is_stdin(path) {
            token = client::TokenSource::Value(client::resolve_token(&token)?.unwrap_or_default());
        }
    }
    client::configure(client::Credentials {
        server,
        token,
        ca_cert,
        client_identity: client_cert.zip(client_key),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let done = match cli.command {
            None => commands::serve::run(args::ServeArgs::default()).await,
            Some(Command::Serve(a)) => commands::serve::run(a).await,
            Some(Command::Screen(a)) => return commands::screen::run(a).await,
            Some(Command::Import(a)) => commands::import::run(a).await,
            Some(Command::Lists(a)) => commands::lists::run(a).await,
            Some(Command::CreateList(a)) => commands::lists::create(a).await,
            Some(Command::RetireList(a)) => commands::lists::retire(a).await,
            Some(Command::Versions(a)) => commands::history::versions(a).await,
            Some(Command::Diff(a)) => commands::history::diff(a).await,
            Some(Command::Entry(a)) => commands::entry::run(a).await,
            Some(Command::Replay(a)) => commands::history::replay(a).await,
            Some(Command::Eval(a)) => commands::eval::run(a),
            Some(Command::Cases(c)) => commands::cases::run(c).await,
            Some(Command::Audit(c)) => commands::audit::run(c).await,
            Some(Command::Report(a)) => commands::report::run(a).await,
            Some(Command::Token(c)) => commands::token::run(c).await,
            Some(Command::Webhooks(c)) => commands::webhooks::run(c).await,
            Some(Command::Parameters(a)) => commands::parameters::run(a).await,
            Some(Command::Completions(a)) => {
                commands::completions::run(a);
                Ok(())
            }
        };
        done.map(|()| exit::OK)
    })
}
