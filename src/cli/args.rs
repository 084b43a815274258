//! Command-line arguments (clap): every flag is defined once, here; the
//! commands in `commands/` turn them into actions.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Default listen address of `serve`.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:50051";
/// Default server of the client commands.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:50051";
/// Default data directory of `serve` (relative to the working directory).
pub const DEFAULT_DATA_DIR: &str = "./data";

/// Environment variables of the global options.
pub mod env {
    /// `--server`.
    pub const SERVER: &str = "EXPORTSCREEN_SERVER";
    /// `--token`.
    pub const TOKEN: &str = "EXPORTSCREEN_TOKEN";
    /// `--token-file`.
    pub const TOKEN_FILE: &str = "EXPORTSCREEN_TOKEN_FILE";
    /// `--ca-cert`.
    pub const CA_CERT: &str = "EXPORTSCREEN_CA_CERT";
    /// `--client-cert`.
    pub const CLIENT_CERT: &str = "EXPORTSCREEN_CLIENT_CERT";
    /// `--client-key`.
    pub const CLIENT_KEY: &str = "EXPORTSCREEN_CLIENT_KEY";
}

/// exportscreen: screens proposed export shipments against MTCR-style
/// control lists and denied-party lists.
///
/// Without a subcommand it runs the gRPC service (`serve`) with the default
/// address and data directory.
#[derive(Debug, Parser)]
#[command(
    name = "exportscreen",
    version,
    about,
    long_about = None,
    after_help = EXIT_CODES_HELP
)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// How client commands authenticate and reach the server.
    #[command(flatten)]
    pub client: ClientArgs,
}

/// The exit codes, as `--help` shows them.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0   success (with --fail-on: every decision below the threshold)
  1   the server refused or failed the request, or another error
  2   usage: invalid arguments, an unreadable or malformed input file
  3   the server is unreachable, or refused the token (unauthenticated, permission denied)
  10  a screening answered without a decision (counts as failing any --fail-on)
  11  REVIEW, 12 LICENSE_REQUIRED, 13 PROHIBITED: the strongest decision, when at or above --fail-on";

/// Options of every client command (global: they may stand anywhere, and
/// each has an environment variable; a flag on the command line wins).
#[derive(Debug, Default, Args)]
pub struct ClientArgs {
    /// Server URL: http://host:port, or https://host:port for TLS.
    #[arg(long, global = true, env = env::SERVER, default_value = DEFAULT_SERVER)]
    pub server: String,
    /// Bearer token for the server. There is no default: a local server's
    /// ADMIN token is in <data-dir>/admin.token (--token-file data/admin.token).
    #[arg(long, global = true, env = env::TOKEN, hide_env_values = true)]
    pub token: Option<String>,
    /// File holding the bearer token (`-`: standard input).
    #[arg(long, global = true, env = env::TOKEN_FILE)]
    pub token_file: Option<PathBuf>,
    /// CA certificate (PEM) to trust besides the platform's trust store, for
    /// an https:// server (and, with `serve`, for the scheduled refresh).
    #[arg(long, global = true, env = env::CA_CERT)]
    pub ca_cert: Option<PathBuf>,
    /// Client certificate (PEM) for a server that requires mTLS.
    #[arg(long, global = true, env = env::CLIENT_CERT, requires = "client_key")]
    pub client_cert: Option<PathBuf>,
    /// Private key (PEM) of --client-cert.
    #[arg(long, global = true, env = env::CLIENT_KEY, requires = "client_cert")]
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
    /// Create an empty list to edit by hand (a team's own list, or a local
    /// overlay of an official one).
    CreateList(CreateListArgs),
    /// Retire a list: kept for replay, no longer screened or changed.
    RetireList(RetireListArgs),
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
    /// Work the case queue of a running server (licensing officers).
    #[command(subcommand)]
    Cases(CasesCommand),
    /// Verify the audit trail of a running server, or export a period of it.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Queue, decision and false-positive figures of a running server.
    Report(ReportArgs),
    /// Manage access tokens of a running server (ADMIN).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage webhook subscriptions of a running server and read their
    /// delivery log (exporters their own, officers the office's).
    #[command(subcommand)]
    Webhooks(WebhooksCommand),
    /// The technical parameter keys items may carry, with unit and range.
    Parameters(ParametersArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
}

/// `parameters`
#[derive(Debug, Args)]
pub struct ParametersArgs {
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `completions`
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// The weakest decision `--fail-on` fails on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum FailOn {
    /// REVIEW, LICENSE_REQUIRED or PROHIBITED.
    Review,
    /// LICENSE_REQUIRED or PROHIBITED.
    License,
    /// PROHIBITED.
    Prohibited,
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

/// `webhooks ...`
#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Subscribe a receiver URL to events; prints the signing secret once.
    Create(WebhookCreateArgs),
    /// The subscriptions the token manages (never their secrets).
    List(WebhookListArgs),
    /// Delete a subscription (`wh-...`) with its delivery log.
    Delete(WebhookDeleteArgs),
    /// A subscription's deliveries with every attempt, newest first.
    Deliveries(WebhookDeliveriesArgs),
}

/// `webhooks create`
#[derive(Debug, Args)]
pub struct WebhookCreateArgs {
    /// The receiver: an http:// or https:// URL.
    #[arg(long)]
    pub url: String,
    /// An event (repeatable): case.status_changed, case.info_requested,
    /// case.decided, case.high_priority, list.changed.
    #[arg(long = "event", required = true)]
    pub events: Vec<String>,
    /// What it is for.
    #[arg(long, default_value = "")]
    pub description: String,
    /// ADMIN only: subscribe on behalf of this exporter.
    #[arg(long)]
    pub exporter: Option<String>,
    /// Print the answer as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `webhooks list`
#[derive(Debug, Args)]
pub struct WebhookListArgs {
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `webhooks delete`
#[derive(Debug, Args)]
pub struct WebhookDeleteArgs {
    /// Subscription id (`wh-...`, from `webhooks list`).
    pub webhook_id: String,
}

/// `webhooks deliveries`
#[derive(Debug, Args)]
pub struct WebhookDeliveriesArgs {
    /// Subscription id (`wh-...`).
    pub webhook_id: String,
    /// At most this many deliveries (0: 50).
    #[arg(long, default_value_t = 0)]
    pub limit: u32,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
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
    /// Lifetime: a duration (90d, 12h, 30m, 1h 30m, 2weeks) or `never`.
    #[arg(long, default_value = "90d")]
    pub ttl: String,
    /// What the token is for.
    #[arg(long, default_value = "")]
    pub description: String,
    /// Print the answer as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `token list`
#[derive(Debug, Args)]
pub struct TokenListArgs {
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `token revoke`
#[derive(Debug, Args)]
pub struct TokenRevokeArgs {
    /// Token id (`tok-...`, from `token list`).
    pub token_id: String,
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
    /// When a denial list changes, re-check the screenings of this many
    /// past days against the added and changed entries (0: off).
    #[arg(long, default_value_t = crate::service::DEFAULT_RESCREEN_DAYS)]
    pub rescreen_days: u32,
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
    /// Serve the HTTP/JSON API on this address (proto3 JSON, same tokens
    /// and roles; OpenAPI at /openapi.json). Plaintext: loopback unless
    /// --allow-plaintext (and never beside TLS gRPC off loopback).
    #[arg(long)]
    pub http_listen: Option<SocketAddr>,
    /// Log format on standard error.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Calls per second per principal (ADMIN exempt); 0 = no limit.
    #[arg(long, default_value_t = 50.0)]
    pub rate_limit: f64,
    /// Calls a principal may make at once after a quiet period.
    #[arg(long, default_value_t = 100.0)]
    pub rate_burst: f64,
    /// Parties and items screened per second per principal (ADMIN exempt);
    /// 0 = no limit. A stream over it is slowed down, a call refused.
    #[arg(long, default_value_t = 2000.0)]
    pub rate_cost: f64,
    /// Parties and items a principal may screen at once after a quiet period.
    #[arg(long, default_value_t = 10_000.0)]
    pub rate_cost_burst: f64,
    /// Attempts per webhook delivery before it is given up (at least 1).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub webhook_attempts: u32,
    /// Wait before a webhook delivery's second attempt; doubled after each
    /// failure (with jitter), at most --webhook-max-backoff.
    #[arg(long, default_value = "10s", value_parser = crate::duration::parse)]
    pub webhook_backoff: std::time::Duration,
    /// Longest wait between two attempts of a webhook delivery.
    #[arg(long, default_value = "1h", value_parser = crate::duration::parse)]
    pub webhook_max_backoff: std::time::Duration,
    /// How long one webhook delivery attempt may take (connect, send, answer).
    #[arg(long, default_value = "10s", value_parser = crate::duration::parse)]
    pub webhook_timeout: std::time::Duration,
    /// Allow webhook receivers on internal addresses (loopback, private
    /// ranges, link-local): only where every token holder is trusted.
    #[arg(long)]
    pub webhook_allow_private: bool,
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs {
            listen: DEFAULT_LISTEN
                .parse()
                .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 50051))),
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            no_seed: false,
            rescreen_days: crate::service::DEFAULT_RESCREEN_DAYS,
            tls_cert: None,
            tls_key: None,
            client_ca: None,
            allow_plaintext: false,
            metrics_listen: None,
            http_listen: None,
            log_format: LogFormat::Text,
            rate_limit: 50.0,
            rate_burst: 100.0,
            rate_cost: 2000.0,
            rate_cost_burst: 10_000.0,
            webhook_attempts: 8,
            webhook_backoff: std::time::Duration::from_secs(10),
            webhook_max_backoff: std::time::Duration::from_secs(3600),
            webhook_timeout: std::time::Duration::from_secs(10),
            webhook_allow_private: false,
        }
    }
}

/// `screen`
#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// A shipment as JSON (`reference`, `exporter`, `destination_country`,
    /// `end_use`, `items[]`, `parties[]`), or an object holding it under
    /// `shipment`; or a batch: JSON lines, one shipment per line (screened
    /// in one ScreenShipments stream). `-` reads standard input.
    pub file: PathBuf,
    /// Print the full answer as JSON (a batch: one JSON object per line).
    #[arg(long)]
    pub json: bool,
    /// Exit non-zero (11 REVIEW, 12 LICENSE_REQUIRED, 13 PROHIBITED) when
    /// the strongest decision is at or above this one.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
}

/// `import`
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// List id (`ofac-sdn`, `un-sc`, `mtcr` ...).
    #[arg(long = "list")]
    pub list_id: String,
    /// Format: ofac-sdn-csv, ofac-cons-csv, un-sc-xml, bis-dpl-tsv,
    /// trade-gov-csl-csv, exportscreen-toml or ecfr-744-xml.
    #[arg(long)]
    pub format: String,
    /// A format option, `NAME=VALUE` (repeatable): `supplement=4` for
    /// ecfr-744-xml, `sources=ISN,DTC` for trade-gov-csl-csv.
    #[arg(long = "option", value_name = "NAME=VALUE", value_parser = parse_option)]
    pub options: Vec<(String, String)>,
    /// Why the list is imported (recorded with the version).
    #[arg(long, default_value = "")]
    pub reason: String,
    /// Who imports it (recorded as the version's author).
    #[arg(long)]
    pub actor: Option<String>,
    /// The files, sent under their base names (`sdn.csv` ...); `-` reads
    /// standard input, sent as --stdin-name.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The file name standard input (`-`) is sent under (default: the
    /// format's main file: sdn.csv, cons_prim.csv, consolidated.xml,
    /// dpl.txt, consolidated.csv, list.toml).
    #[arg(long)]
    pub stdin_name: Option<String>,
}

/// `NAME=VALUE`.
fn parse_option(s: &str) -> Result<(String, String), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?}: expected NAME=VALUE"))?;
    let k = k.trim();
    if k.is_empty() {
        return Err(format!("{s:?}: the option name is empty"));
    }
    Ok((k.to_string(), v.trim().to_string()))
}

/// `lists`
#[derive(Debug, Args)]
pub struct ListsArgs {
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

/// What a list made by hand holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ListKindArg {
    /// Parties (names, aliases, addresses).
    Denial,
    /// Items (control-list entries).
    Control,
}

/// `create-list`
#[derive(Debug, Args)]
pub struct CreateListArgs {
    /// List id (lower-case letters, digits and dashes), e.g. `ofac-sdn-local`.
    pub list_id: String,
    /// What it holds.
    #[arg(long, value_enum)]
    pub kind: ListKindArg,
    /// Who and why.
    #[command(flatten)]
    pub edit: EditArgs,
}

/// `retire-list`
#[derive(Debug, Args)]
pub struct RetireListArgs {
    /// List id.
    pub list_id: String,
    /// Who, why (required), which version.
    #[command(flatten)]
    pub edit: EditArgs,
}

/// `versions`
#[derive(Debug, Args)]
pub struct VersionsArgs {
    /// List id.
    pub list_id: String,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
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
    },
    /// Add an entry written in the exportscreen-toml format (one
    /// `[[entry]]`; the `[list]` table may be left out for a party).
    Add {
        /// List id (an existing list made by hand: see create-list).
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

/// What every officer command takes: who acts, the output form.
#[derive(Debug, Args)]
pub struct OfficerArgs {
    /// Who acts (recorded in the case history and the audit trail; without
    /// access control the server takes this name, with it the token's).
    #[arg(long)]
    pub actor: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// A point in time: `YYYY-MM-DD` (midnight UTC), RFC 3339
/// (`2026-11-28T09:30:00Z`) or Unix milliseconds.
pub type When = String;

/// `cases ...`
#[derive(Debug, Subcommand)]
pub enum CasesCommand {
    /// The queue: highest priority first, then oldest.
    List(CasesListArgs),
    /// One case: shipment, findings with evidence, marks, checks, history.
    Show(CaseIdArgs),
    /// Take a case (or assign it with --to).
    Claim(ClaimArgs),
    /// Approve or deny a case you hold (a reason is required).
    Decide(DecideArgs),
    /// Judge one finding: not a match (suppressed in later screenings of the
    /// same party) or confirmed.
    Mark(MarkArgs),
    /// Ask the exporter for information (the reason is the question).
    RequestInfo(RequestInfoArgs),
    /// Reopen a decided or closed case (a reason is required).
    Reopen(ReopenArgs),
    /// Record an end-use certificate or a post-shipment check's result.
    RecordCheck(RecordCheckArgs),
    /// Schedule a post-shipment check of an approved case.
    ScheduleCheck(ScheduleCheckArgs),
    /// Show a suppression (the judgement behind a suppressed finding).
    Suppression(SuppressionArgs),
    /// Print new and changed cases as they happen (Ctrl-C stops).
    Watch(WatchArgs),
}

/// `cases list`
#[derive(Debug, Args)]
pub struct CasesListArgs {
    /// Statuses (open, in-review, info-requested, approved, denied,
    /// check-due, verified, diverted, closed; repeat or separate by commas).
    #[arg(long, value_delimiter = ',')]
    pub status: Vec<String>,
    /// Priorities (high, medium, low).
    #[arg(long, value_delimiter = ',')]
    pub priority: Vec<String>,
    /// Only this exporter's cases.
    #[arg(long)]
    pub exporter: Option<String>,
    /// Only cases held by this officer.
    #[arg(long)]
    pub assignee: Option<String>,
    /// Only cases whose reference contains this (case-insensitive).
    #[arg(long)]
    pub reference: Option<String>,
    /// Only cases with a party (or a cited listed name) containing this.
    #[arg(long)]
    pub party: Option<String>,
    /// Search case id, reference, exporter, party and listed names.
    #[arg(long)]
    pub search: Option<String>,
    /// Only cases citing this list entry: `LIST:ENTRY`, `LIST:` or `ENTRY`.
    #[arg(long)]
    pub entry: Option<String>,
    /// Created at or after.
    #[arg(long)]
    pub from: Option<When>,
    /// Created before.
    #[arg(long)]
    pub to: Option<When>,
    /// Cases per page (at most 1000).
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// Continue after a previous page.
    #[arg(long)]
    pub page_token: Option<String>,
    /// Follow every page.
    #[arg(long)]
    pub all: bool,
    /// Actor, output.
    #[command(flatten)]
    pub common: OfficerArgs,
}

/// A command on one case.
#[derive(Debug, Args)]
pub struct CaseIdArgs {
    /// The case (`case-...`).
    pub case_id: String,
    /// Actor, output.
    #[command(flatten)]
    pub common: OfficerArgs,
}

/// `cases claim`
#[derive(Debug, Args)]
pub struct ClaimArgs {
    /// The case.
    pub case_id: String,
    /// Assign to this officer instead of yourself.
    #[arg(long)]
    pub to: Option<String>,
    /// Why (required).
    #[arg(long)]
    pub reason: String,
    /// Actor, output.
    #[command(flatten)]
    pub common: OfficerArgs,
}

/// `cases decide`
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("decision").required(true).args(["approve", "deny"])))]
pub struct DecideArgs {
    /// The case.
    pub case_id: String,
    /// Approve the shipment.
    #[arg(long)]
    pub approve: bool,
    /// Deny the shipment.
    #[arg(long)]
    pub deny: bool,
    /// Why (required; recorded in the audit trail).
    #[arg(long)]
    pub reason: String,
    /// Approvals: when a post-shipment check is due.
    #[arg(long)]
    pub check_due: Option<When>,
    /// Actor, output.
    #[command(flatten)]
    pub common: OfficerArgs,
}

/// `cases mark`
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("verdict").required(true).args(["not_a_match", "confirmed"])))]
pub struct MarkArgs {
    /// The case.
    pub case_id: String,
    /// The screening (`scr-...`, as `cases show` lists them).
    #[arg(long)]
    pub screening: String,
    /// The finding's number as `cases show` prints it (#1, #2 ...).
    #[arg(long)]
    pub finding: u32,
    /// A false positive.
    #[arg(long)]
    pub not_a_match: bool,
    /// A true match.
    #[arg(long)]
    pub confirmed: bool,
    /// With --not-a-match: also close every other OPEN case whose only
    /// open findings are this party against this entry.
    #[arg(long, requires = "not_a_match")]
    pub close_others: bool,
    /// Why (required).
    #[arg(long)]
    pub reason: String,
    /// Actor, output.
    #[command(flatten)]
    pub common: OfficerArgs,
}

/// `cases reopen`
#[derive(Debug, Args)]
pub struct ReopenArgs {
    /// The case.
    pub case_id: String,
    /// Why the decision is reopened (required).
    #[arg(long)]
    pub reason: String,
    /// Actor, output.
    #[command(flatten)]
    pub common: OfficerArgs,
}

/// `cases request-info`
#[derive(Debug, Args)]
pub struct RequestInfoArgs {
    /// The case.
    pub case_id: String,
    /// The question for the exporter (required).
    #[arg(long)]
    pub reason: String,
    /// Actor, output.
    #[command(flatten)]
    pub common: OfficerArgs,
}

/// `cases record-check`
#[derive(Debug, Args)]
pub struct RecordCheckArgs {
    /// The case.
    pub case_id: String,
    /// certificate (end-use certificate received), verified or diverted
    /// (post-shipment check result).
    #[arg(long)]
    pub kind: String,
    /// Document reference (certificate number, inspection report).
    #[arg(long, default_value = "")]
    pub document: String,
    /// What was found (required).
    #[arg(long)]
    pub reason: String,
    /// Actor, output.
    #[command(flatten)]
    pub common: OfficerArgs,
}

/// `cases schedule-check`
#[derive(Debug, Args)]
pub struct ScheduleCheckArgs {
    /// The case.
    pub case_id: String,
    /// When the check is due.
    #[arg(long)]
    pub due: When,
    /// Why (required).
    #[arg(long)]
    pub reason: String,
    /// Actor, output.
    #[command(flatten)]
    pub common: OfficerArgs,
}

/// `cases suppression`
#[derive(Debug, Args)]
pub struct SuppressionArgs {
    /// The suppression (`sup-...`).
    pub suppression_id: String,
    /// Actor, output.
    #[command(flatten)]
    pub common: OfficerArgs,
}

/// `cases watch`
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Only cases with these statuses after the change.
    #[arg(long, value_delimiter = ',')]
    pub status: Vec<String>,
    /// Only cases held by this officer.
    #[arg(long)]
    pub assignee: Option<String>,
    /// Only cases of at least this priority (high, medium, low).
    #[arg(long)]
    pub min_priority: Option<String>,
    /// Stop after this many events (0: run until interrupted).
    #[arg(long, default_value_t = 0)]
    pub count: u64,
    /// Actor, output.
    #[command(flatten)]
    pub common: OfficerArgs,
}

/// `audit ...`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the whole hash chain; exits non-zero when it is broken.
    Verify(AuditVerifyArgs),
    /// Print a period's records as JSON lines (for an auditor).
    Export(AuditExportArgs),
}

/// `audit verify`
#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    /// Actor, output.
    #[command(flatten)]
    pub common: OfficerArgs,
}

/// `audit export`
#[derive(Debug, Args)]
pub struct AuditExportArgs {
    /// From (inclusive).
    #[arg(long)]
    pub from: Option<When>,
    /// To (exclusive).
    #[arg(long)]
    pub to: Option<When>,
    /// Actor, output.
    #[command(flatten)]
    pub common: OfficerArgs,
}

/// `report`
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Decisions, marks and cited entries from (inclusive).
    #[arg(long)]
    pub from: Option<When>,
    /// ... to (exclusive).
    #[arg(long)]
    pub to: Option<When>,
    /// Actor, output.
    #[command(flatten)]
    pub common: OfficerArgs,
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
    fn officer_commands_need_their_decision_and_reason() {
        let base = ["exportscreen", "cases", "decide", "case-1"];
        assert!(Cli::try_parse_from(base.iter().chain(&["--reason", "x"])).is_err());
        assert!(
            Cli::try_parse_from(base.iter().chain(&["--approve", "--deny", "--reason", "x"]))
                .is_err()
        );
        assert!(Cli::try_parse_from(base.iter().chain(&["--deny"])).is_err());
        let cli = Cli::try_parse_from(base.iter().chain(&[
            "--approve",
            "--reason",
            "licence 42",
            "--check-due",
            "2026-12-01",
            "--actor",
            "alice",
        ]))
        .unwrap();
        match cli.command {
            Some(Command::Cases(CasesCommand::Decide(a))) => {
                assert!(a.approve && !a.deny);
                assert_eq!(a.check_due.as_deref(), Some("2026-12-01"));
                assert_eq!(a.common.actor.as_deref(), Some("alice"));
            }
            other => panic!("{other:?}"),
        }
        let cli = Cli::try_parse_from([
            "exportscreen",
            "cases",
            "list",
            "--status",
            "open,in-review",
            "--status",
            "check-due",
        ])
        .unwrap();
        match cli.command {
            Some(Command::Cases(CasesCommand::List(a))) => {
                assert_eq!(a.status, vec!["open", "in-review", "check-due"]);
                assert_eq!(a.limit, 50);
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
                assert_eq!(cli.client.server, DEFAULT_SERVER);
            }
            other => panic!("{other:?}"),
        }
    }
}
