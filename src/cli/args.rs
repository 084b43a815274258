//! Command-line arguments (clap): every flag is defined once, here; the
//! commands in `commands/` turn them into actions.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Default listen address of `serve` and default server of the client commands.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:50051";
/// Default data directory of `serve` (relative to the working directory).
pub const DEFAULT_DATA_DIR: &str = "./data";

/// exportscreen: screens proposed export shipments against MTCR-style
/// control lists and denied-party lists.
///
/// Without a subcommand it runs the gRPC service (`serve`) with the default
/// address and data directory.
#[derive(Debug, Parser)]
#[command(name = "exportscreen", version, about, long_about = None)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the gRPC service (the default).
    Serve(ServeArgs),
    /// Screen a shipment (a JSON file) with a running server.
    Screen(ScreenArgs),
    /// Import list files into a running server as a new list version.
    Import(ImportArgs),
    /// Show the lists a running server screens against.
    Lists(ListsArgs),
    /// Show every version of a list: who, when, why, how, what changed,
    /// and what re-screening found.
    Versions(VersionsArgs),
    /// Show what changed between two versions of a list.
    Diff(DiffArgs),
    /// Show, add, update or remove one list entry (edits make a new version).
    Entry(EntryArgs),
    /// Screen a stored shipment again with the list versions its screening
    /// used, and say whether the decision is the same.
    Replay(ReplayArgs),
    /// Evaluate match quality in-process on a case directory
    /// (party.jsonl, item.jsonl, shipment.jsonl).
    Eval(EvalArgs),
}

/// `serve`
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// Data directory: the database (`db/`) and the editable reference
    /// configuration (`config/`). Created and seeded with the bundled lists
    /// on first start.
    #[arg(long, default_value = DEFAULT_DATA_DIR)]
    pub data_dir: PathBuf,
    /// Do not import the bundled default lists (tests and diagnostics).
    #[arg(long, hide = true)]
    pub no_seed: bool,
    /// When a denial list changes, re-check the screenings of this many
    /// past days against the added and changed entries (0: off).
    #[arg(long, default_value_t = crate::api::state::DEFAULT_RESCREEN_DAYS)]
    pub rescreen_days: u32,
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs {
            listen: DEFAULT_LISTEN
                .parse()
                .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 50051))),
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            no_seed: false,
            rescreen_days: crate::api::state::DEFAULT_RESCREEN_DAYS,
        }
    }
}

/// Where a client command finds the server.
#[derive(Debug, Args)]
pub struct ServerArgs {
    /// Server URL.
    #[arg(long, default_value = "http://127.0.0.1:50051")]
    pub server: String,
}

/// `screen`
#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// A shipment as JSON (`reference`, `exporter`, `destination_country`,
    /// `end_use`, `items[]`, `parties[]`), or an object holding it under
    /// `shipment`; `-` reads standard input.
    pub file: PathBuf,
    /// Print the full answer as JSON.
    #[arg(long)]
    pub json: bool,
    /// Server to talk to.
    #[command(flatten)]
    pub server: ServerArgs,
}

/// `import`
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// List id (`ofac-sdn`, `un-sc`, `mtcr` ...).
    #[arg(long = "list")]
    pub list_id: String,
    /// Format: ofac-sdn-csv, ofac-cons-csv, un-sc-xml, bis-dpl-tsv,
    /// trade-gov-csl-csv or exportscreen-toml.
    #[arg(long)]
    pub format: String,
    /// Why the list is imported (recorded with the version).
    #[arg(long, default_value = "")]
    pub reason: String,
    /// Who imports it (recorded as the version's author).
    #[arg(long)]
    pub actor: Option<String>,
    /// The files, sent under their base names (`sdn.csv` ...).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Server to talk to.
    #[command(flatten)]
    pub server: ServerArgs,
}

/// `lists`
#[derive(Debug, Args)]
pub struct ListsArgs {
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
    /// Server to talk to.
    #[command(flatten)]
    pub server: ServerArgs,
}

/// `versions`
#[derive(Debug, Args)]
pub struct VersionsArgs {
    /// List id.
    pub list_id: String,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
    /// Server to talk to.
    #[command(flatten)]
    pub server: ServerArgs,
}

/// `diff`
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// List id.
    pub list_id: String,
    /// The older version.
    pub from: u64,
    /// The newer version (0: the current one).
    #[arg(default_value_t = 0)]
    pub to: u64,
    /// At most this many entries of each kind of change (0: all).
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
    /// Server to talk to.
    #[command(flatten)]
    pub server: ServerArgs,
}

/// `entry`
#[derive(Debug, Args)]
pub struct EntryArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: EntryAction,
}

/// Who edits, why, and against which version.
#[derive(Debug, Args)]
pub struct EditArgs {
    /// Why (recorded with the new version).
    #[arg(long, default_value = "")]
    pub reason: String,
    /// Who edits (recorded as the version's author).
    #[arg(long)]
    pub actor: Option<String>,
    /// Refuse the edit unless the list is at this version.
    #[arg(long, default_value_t = 0)]
    pub expected_version: u64,
    /// Server to talk to.
    #[command(flatten)]
    pub server: ServerArgs,
}

/// `entry get|add|update|remove`
#[derive(Debug, Subcommand)]
pub enum EntryAction {
    /// Show one entry as of a version.
    Get {
        /// List id.
        list_id: String,
        /// Entry id (or identity key).
        entry_id: String,
        /// Version (0: the current one).
        #[arg(long, default_value_t = 0)]
        version: u64,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
        /// Server to talk to.
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Add an entry written in the exportscreen-toml format (one
    /// `[[entry]]`; the `[list]` table may be left out for a party).
    Add {
        /// List id (a new id starts a new list).
        list_id: String,
        /// The entry file.
        file: PathBuf,
        /// Who, why, which version.
        #[command(flatten)]
        edit: EditArgs,
    },
    /// Replace an entry with the one in FILE (exportscreen-toml).
    Update {
        /// List id.
        list_id: String,
        /// Entry id.
        entry_id: String,
        /// The entry file.
        file: PathBuf,
        /// Who, why, which version.
        #[command(flatten)]
        edit: EditArgs,
    },
    /// Remove an entry.
    Remove {
        /// List id.
        list_id: String,
        /// Entry id.
        entry_id: String,
        /// Who, why, which version.
        #[command(flatten)]
        edit: EditArgs,
    },
}

/// `replay`
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Screening id (`scr-...`).
    pub screening_id: String,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
    /// Server to talk to.
    #[command(flatten)]
    pub server: ServerArgs,
}

/// `eval`
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Directory with `party.jsonl`, `item.jsonl`, `shipment.jsonl`
    /// (e.g. `../shared/eval/dev`).
    pub dir: PathBuf,
    /// How many misses to print per case file.
    #[arg(long, default_value_t = 10)]
    pub show_failures: usize,
    /// Only the first N cases of each file (0: all).
    #[arg(long, default_value_t = 0)]
    pub limit: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn no_subcommand_means_serve_with_defaults() {
        let cli = Cli::try_parse_from(["exportscreen"]).unwrap();
        assert!(cli.command.is_none());
        let d = ServeArgs::default();
        assert_eq!(d.listen.to_string(), DEFAULT_LISTEN);
        let cli = Cli::try_parse_from(["exportscreen", "serve"]).unwrap();
        match cli.command {
            Some(Command::Serve(a)) => {
                assert_eq!(a.listen, d.listen);
                assert_eq!(a.data_dir, d.data_dir);
                assert!(!a.no_seed);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_harness_command_line_parses() {
        let cli = Cli::try_parse_from([
            "exportscreen",
            "serve",
            "--listen",
            "127.0.0.1:43210",
            "--data-dir",
            "/tmp/x",
        ])
        .unwrap();
        match cli.command {
            Some(Command::Serve(a)) => {
                assert_eq!(a.listen.port(), 43210);
                assert_eq!(a.data_dir, PathBuf::from("/tmp/x"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn import_needs_files() {
        assert!(
            Cli::try_parse_from(["exportscreen", "import", "--list", "x", "--format", "y"])
                .is_err()
        );
        let cli = Cli::try_parse_from([
            "exportscreen",
            "import",
            "--list",
            "ofac-sdn",
            "--format",
            "ofac-sdn-csv",
            "sdn.csv",
            "alt.csv",
        ])
        .unwrap();
        match cli.command {
            Some(Command::Import(a)) => {
                assert_eq!(a.files.len(), 2);
                assert_eq!(a.server.server, "http://127.0.0.1:50051");
            }
            other => panic!("{other:?}"),
        }
    }
}
