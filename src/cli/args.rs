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
    /// How client commands authenticate and reach the server.
    #[command(flatten)]
    pub client: ClientArgs,
}

/// Flags of every client command (global: they may stand anywhere).
#[derive(Debug, Default, Args)]
pub struct ClientArgs {
    /// Bearer token for the server (default: $EXPORTSCREEN_TOKEN, else
    /// --token-file, else ./data/admin.token when it exists).
    #[arg(long, global = true)]
    pub token: Option<String>,
    /// File holding the bearer token.
    #[arg(long, global = true)]
    pub token_file: Option<PathBuf>,
    /// CA certificate (PEM) to trust for an https:// server.
    #[arg(long, global = true)]
    pub ca_cert: Option<PathBuf>,
    /// Client certificate (PEM) for a server that requires mTLS.
    #[arg(long, global = true, requires = "client_key")]
    pub client_cert: Option<PathBuf>,
    /// Private key (PEM) of --client-cert.
    #[arg(long, global = true, requires = "client_cert")]
    pub client_key: Option<PathBuf>,
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
    /// Evaluate match quality in-process on a case directory
    /// (party.jsonl, item.jsonl, shipment.jsonl).
    Eval(EvalArgs),
    /// Manage access tokens of a running server (ADMIN).
    #[command(subcommand)]
    Token(TokenCommand),
}

/// `token ...`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; prints its secret once.
    Create(TokenCreateArgs),
    /// List tokens (never their secrets).
    List(TokenListArgs),
    /// Revoke a token by id (`tok-...`): refused from its next call on.
    Revoke(TokenRevokeArgs),
    /// Lost the ADMIN token? With the server stopped, write a new one to
    /// <data-dir>/admin.token (revoke the old one afterwards).
    Recover(TokenRecoverArgs),
}

/// `token recover`
#[derive(Debug, Args)]
pub struct TokenRecoverArgs {
    /// Data directory of the (stopped) server.
    #[arg(long, default_value = DEFAULT_DATA_DIR)]
    pub data_dir: PathBuf,
}

/// `token create`
#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// Who the token speaks for (recorded as the actor of changes).
    #[arg(long)]
    pub principal: String,
    /// Role: exporter, officer, compliance, auditor or admin (repeatable).
    #[arg(long = "role", required = true)]
    pub roles: Vec<String>,
    /// The exporter an exporter token is bound to.
    #[arg(long)]
    pub exporter: Option<String>,
    /// Lifetime: 90d, 12h, 30m, 45s, or `never`.
    #[arg(long, default_value = "90d")]
    pub ttl: String,
    /// What the token is for.
    #[arg(long, default_value = "")]
    pub description: String,
    /// Print the answer as JSON.
    #[arg(long)]
    pub json: bool,
    /// Server to talk to.
    #[command(flatten)]
    pub server: ServerArgs,
}

/// `token list`
#[derive(Debug, Args)]
pub struct TokenListArgs {
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
    /// Server to talk to.
    #[command(flatten)]
    pub server: ServerArgs,
}

/// `token revoke`
#[derive(Debug, Args)]
pub struct TokenRevokeArgs {
    /// Token id (`tok-...`, from `token list`).
    pub token_id: String,
    /// Server to talk to.
    #[command(flatten)]
    pub server: ServerArgs,
}

/// Log output format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line (fields, span fields, request id).
    Json,
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
    /// TLS certificate chain (PEM); with --tls-key, serve TLS.
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// CA certificate (PEM) of client certificates: every client must
    /// present one it signed (mTLS).
    #[arg(long, requires = "tls_cert")]
    pub client_ca: Option<PathBuf>,
    /// Serve plaintext on an address other than loopback (behind a
    /// TLS-terminating proxy).
    #[arg(long)]
    pub allow_plaintext: bool,
    /// Serve Prometheus metrics on this address (plain HTTP, /metrics).
    #[arg(long)]
    pub metrics_listen: Option<SocketAddr>,
    /// Log format on standard error.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Calls per second per principal (ADMIN exempt); 0 = no limit.
    #[arg(long, default_value_t = 50.0)]
    pub rate_limit: f64,
    /// Calls a principal may make at once after a quiet period.
    #[arg(long, default_value_t = 100.0)]
    pub rate_burst: f64,
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs {
            listen: DEFAULT_LISTEN
                .parse()
                .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 50051))),
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            no_seed: false,
            tls_cert: None,
            tls_key: None,
            client_ca: None,
            allow_plaintext: false,
            metrics_listen: None,
            log_format: LogFormat::Text,
            rate_limit: 50.0,
            rate_burst: 100.0,
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
    fn serve_security_flags_parse() {
        let cli = Cli::try_parse_from([
            "exportscreen",
            "serve",
            "--tls-cert",
            "c.pem",
            "--tls-key",
            "k.pem",
            "--client-ca",
            "ca.pem",
            "--metrics-listen",
            "127.0.0.1:9100",
            "--log-format",
            "json",
            "--rate-limit",
            "5",
        ])
        .unwrap();
        match cli.command {
            Some(Command::Serve(a)) => {
                assert_eq!(a.tls_cert, Some(PathBuf::from("c.pem")));
                assert_eq!(a.client_ca, Some(PathBuf::from("ca.pem")));
                assert_eq!(a.metrics_listen.unwrap().port(), 9100);
                assert_eq!(a.log_format, LogFormat::Json);
                assert_eq!(a.rate_limit, 5.0);
                assert!(!a.allow_plaintext);
            }
            other => panic!("{other:?}"),
        }
        // A certificate needs its key.
        assert!(Cli::try_parse_from(["exportscreen", "serve", "--tls-cert", "c.pem"]).is_err());
    }

    #[test]
    fn the_token_flags_are_global() {
        let cli = Cli::try_parse_from([
            "exportscreen",
            "token",
            "create",
            "--principal",
            "acme-erp",
            "--role",
            "exporter",
            "--exporter",
            "ACME",
            "--token",
            "t0k",
        ])
        .unwrap();
        assert_eq!(cli.client.token.as_deref(), Some("t0k"));
        match cli.command {
            Some(Command::Token(TokenCommand::Create(a))) => {
                assert_eq!(a.roles, vec!["exporter"]);
                assert_eq!(a.ttl, "90d");
            }
            other => panic!("{other:?}"),
        }
        let cli = Cli::try_parse_from(["exportscreen", "--token-file", "f", "lists"]).unwrap();
        assert_eq!(cli.client.token_file, Some(PathBuf::from("f")));
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
