//! `exportscreen completions SHELL`: prints a completion script for bash,
//! zsh, fish, elvish or PowerShell (e.g. `exportscreen completions bash >
//! ~/.local/share/bash-completion/completions/exportscreen`).

use clap::CommandFactory;

use crate::cli::args::{Cli, CompletionsArgs};

/// Prints the script on standard output.
pub fn run(args: CompletionsArgs) {
    let mut cmd = Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "exportscreen", &mut std::io::stdout());
}
