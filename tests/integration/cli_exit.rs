//! The command line as scripts use it: exit codes (0, 1 refused, 2 usage,
//! 3 unreachable or refused token, 10-13 by decision with --fail-on), the
//! EXPORTSCREEN_* environment variables and their precedence, standard
//! input as `-`, no implicit ADMIN token, completions. Table-driven, the
//! real binary against a real server.

use std::path::Path;
use std::process::Stdio;

use tokio::io::AsyncWriteExt;

use crate::util::{ADMIN_SECRET, LISTED_NAME, TestServer, data_dir, put_token};

const EXPORTER_SECRET: &str = "es_test-cli-exporter";
const OFFICER_SECRET: &str = "es_test-cli-officer";

/// One run of the binary: arguments, environment, standard input, and
/// what must come of it.
struct Run {
    what: &'static str,
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
    stdin: Option<String>,
    code: i32,
    /// Must appear in standard output (`out:`) or standard error (`err:`).
    says: &'static str,
}

async fn run(r: &Run, cwd: &Path) -> (i32, String, String) {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_exportscreen"));
    for (k, _) in std::env::vars() {
        if k.starts_with("EXPORTSCREEN_") {
            cmd.env_remove(k);
        }
    }
    cmd.args(&r.args)
        .envs(r.env.iter().map(|(k, v)| (*k, v.as_str())))
        .current_dir(cwd)
        .stdin(if r.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = &r.stdin {
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(input.as_bytes()).await.unwrap();
    }
    let out = child.wait_with_output().await.unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn shipment(consignee: &str, item: &str, end_use: &str) -> String {
    serde_json::json!({
        "reference": "CLI-EXIT", "exporter": "Kestrel Instruments Inc.",
        "destination_country": "JP", "end_use": end_use,
        "items": [{"description": item, "quantity": 1}],
        "parties": [
            {"role": "EXPORTER", "name": "Kestrel Instruments Inc.", "country": "US"},
            {"role": "CONSIGNEE", "name": consignee, "country": "JP"}
        ]
    })
    .to_string()
}

#[tokio::test]
async fn exit_codes_environment_and_standard_input() {
    let dir = data_dir();
    put_token(
        dir.path(),
        EXPORTER_SECRET,
        "kestrel-erp",
        &["EXPORTER"],
        Some("Kestrel Instruments Inc."),
    );
    put_token(dir.path(), OFFICER_SECRET, "olga", &["OFFICER"], None);
    let server = TestServer::start(dir.path()).await;
    let url = server.url.clone();

    // Samples: each decision once, a batch, broken files.
    let files = tempfile::tempdir().unwrap();
    let f = files.path();
    let write = |name: &str, text: &str| {
        std::fs::write(f.join(name), text).unwrap();
        f.join(name).to_string_lossy().into_owned()
    };
    let clear = write(
        "clear.json",
        &shipment("Hokuriku Precision Devices K.K.", "Office chairs", "Office"),
    );
    let review = write(
        "review.json",
        &shipment(
            "Hokuriku Precision Devices K.K.",
            "Office chairs",
            "Test bench for UAV flight controllers",
        ),
    );
    let licence = write(
        "licence.json",
        &shipment(
            "Hokuriku Precision Devices K.K.",
            "Second rocket stage",
            "Research",
        ),
    );
    let prohibited = write(
        "prohibited.json",
        &shipment(LISTED_NAME, "Office chairs", "Office"),
    );
    let batch = write(
        "batch.jsonl",
        &format!(
            "{}\n{}\n",
            shipment("Hokuriku Precision Devices K.K.", "Office chairs", "Office"),
            shipment(LISTED_NAME, "Office chairs", "Office")
        ),
    );
    let no_items = write(
        "no-items.json",
        r#"{"destination_country": "JP", "parties": [{"role": "CONSIGNEE", "name": "X"}]}"#,
    );
    let not_json = write("broken.json", "{\"reference\": ");
    let token_file = write("token", &format!("{ADMIN_SECRET}\n"));
    let dpl = write(
        "dpl.txt",
        "Name\tStreet_Address\tCity\tCountry\nManticore Drive Systems\t1 Way\tX\tUS\n",
    );
    let missing = f.join("missing.json").to_string_lossy().into_owned();
    // A working directory holding data/admin.token, as after `cargo run`.
    let cwd = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(cwd.path().join("data")).unwrap();
    std::fs::write(cwd.path().join("data/admin.token"), ADMIN_SECRET).unwrap();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };

    let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let env = |token: &str| {
        vec![
            ("EXPORTSCREEN_SERVER", url.clone()),
            ("EXPORTSCREEN_TOKEN", token.to_string()),
        ]
    };
    let admin = || env(ADMIN_SECRET);
    let table = vec![
        // Decisions and --fail-on.
        Run {
            what: "clear, no threshold",
            args: a(&["screen", &clear]),
            env: admin(),
            stdin: None,
            code: 0,
            says: "out:decision:  CLEAR",
        },
        Run {
            what: "clear under review",
            args: a(&["screen", &clear, "--fail-on", "review"]),
            env: admin(),
            stdin: None,
            code: 0,
            says: "",
        },
        Run {
            what: "review at review",
            args: a(&["screen", &review, "--fail-on", "review"]),
            env: admin(),
            stdin: None,
            code: 11,
            says: "err:--fail-on",
        },
        Run {
            what: "review under license",
            args: a(&["screen", &review, "--fail-on", "license"]),
            env: admin(),
            stdin: None,
            code: 0,
            says: "",
        },
        Run {
            what: "licence at review",
            args: a(&["screen", &licence, "--fail-on", "review"]),
            env: admin(),
            stdin: None,
            code: 12,
            says: "",
        },
        Run {
            what: "licence at license",
            args: a(&["screen", &licence, "--fail-on", "license"]),
            env: admin(),
            stdin: None,
            code: 12,
            says: "",
        },
        Run {
            what: "licence under prohibited",
            args: a(&["screen", &licence, "--fail-on", "prohibited"]),
            env: admin(),
            stdin: None,
            code: 0,
            says: "",
        },
        Run {
            what: "prohibited, no threshold",
            args: a(&["screen", &prohibited]),
            env: admin(),
            stdin: None,
            code: 0,
            says: "out:PROHIBITED",
        },
        Run {
            what: "prohibited at prohibited",
            args: a(&["screen", &prohibited, "--fail-on", "prohibited"]),
            env: admin(),
            stdin: None,
            code: 13,
            says: "",
        },
        Run {
            what: "a batch: the strongest decides",
            args: a(&["screen", &batch, "--fail-on", "review", "--json"]),
            env: admin(),
            stdin: None,
            code: 13,
            says: "out:\"CLEAR\"",
        },
        // Standard input.
        Run {
            what: "a shipment on standard input",
            args: a(&["screen", "-", "--fail-on", "review"]),
            env: admin(),
            stdin: Some(shipment(LISTED_NAME, "Office chairs", "Office")),
            code: 13,
            says: "",
        },
        Run {
            what: "a list file on standard input",
            args: a(&[
                "import",
                "--list",
                "cli-dpl",
                "--format",
                "bis-dpl-tsv",
                "-",
            ]),
            env: admin(),
            stdin: Some(std::fs::read_to_string(&dpl).unwrap()),
            code: 0,
            says: "out:imported cli-dpl version 1",
        },
        Run {
            what: "the token on standard input",
            args: a(&["--token-file", "-", "lists"]),
            env: vec![("EXPORTSCREEN_SERVER", url.clone())],
            stdin: Some(format!("{ADMIN_SECRET}\n")),
            code: 0,
            says: "out:test-denial",
        },
        Run {
            what: "standard input twice",
            args: a(&["--token-file", "-", "screen", "-"]),
            env: vec![("EXPORTSCREEN_SERVER", url.clone())],
            stdin: Some(String::new()),
            code: 2,
            says: "err:only once",
        },
        // Usage errors.
        Run {
            what: "a missing file",
            args: a(&["screen", &missing]),
            env: admin(),
            stdin: None,
            code: 2,
            says: "err:missing.json",
        },
        Run {
            what: "not JSON",
            args: a(&["screen", &not_json]),
            env: admin(),
            stdin: None,
            code: 2,
            says: "err:broken.json",
        },
        Run {
            what: "an unknown threshold",
            args: a(&["screen", &clear, "--fail-on", "maybe"]),
            env: admin(),
            stdin: None,
            code: 2,
            says: "err:maybe",
        },
        Run {
            what: "an invalid RUST_LOG",
            args: a(&[
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--data-dir",
                &f.join("d").to_string_lossy(),
            ]),
            env: vec![("RUST_LOG", "info,[".to_string())],
            stdin: None,
            code: 2,
            says: "err:invalid RUST_LOG",
        },
        Run {
            what: "a zero lifetime",
            args: a(&[
                "token",
                "create",
                "--principal",
                "p",
                "--role",
                "officer",
                "--ttl",
                "0s",
            ]),
            env: admin(),
            stdin: None,
            code: 2,
            says: "err:--ttl never",
        },
        // Refused by the server.
        Run {
            what: "a shipment without items",
            args: a(&["screen", &no_items]),
            env: admin(),
            stdin: None,
            code: 1,
            says: "err:shipment.items",
        },
        // Unreachable, or the token refused.
        Run {
            what: "nothing listening",
            args: a(&["screen", &clear, "--server", &closed]),
            env: admin(),
            stdin: None,
            code: 3,
            says: "err:cannot connect",
        },
        Run {
            what: "no token at all",
            args: a(&["screen", &clear]),
            env: vec![("EXPORTSCREEN_SERVER", url.clone())],
            stdin: None,
            code: 3,
            says: "err:Unauthenticated",
        },
        Run {
            what: "a role that may not",
            args: a(&["screen", &clear]),
            env: env(OFFICER_SECRET),
            stdin: None,
            code: 3,
            says: "err:PermissionDenied",
        },
        Run {
            what: "an exporter screens",
            args: a(&["screen", &clear]),
            env: env(EXPORTER_SECRET),
            stdin: None,
            code: 0,
            says: "",
        },
        // No implicit ADMIN: ./data/admin.token is there, but not used.
        Run {
            what: "no implicit admin token",
            args: a(&["lists"]),
            env: vec![("EXPORTSCREEN_SERVER", url.clone())],
            stdin: None,
            code: 3,
            says: "err:--token-file data/admin.token",
        },
        Run {
            what: "the admin token file named",
            args: a(&["lists", "--token-file", "data/admin.token"]),
            env: vec![("EXPORTSCREEN_SERVER", url.clone())],
            stdin: None,
            code: 0,
            says: "out:test-denial",
        },
        // Environment variables and precedence (a flag beats the environment).
        Run {
            what: "server and token from the environment",
            args: a(&["lists"]),
            env: admin(),
            stdin: None,
            code: 0,
            says: "out:test-denial",
        },
        Run {
            what: "a token file from the environment",
            args: a(&["lists"]),
            env: vec![
                ("EXPORTSCREEN_SERVER", url.clone()),
                ("EXPORTSCREEN_TOKEN_FILE", token_file.clone()),
            ],
            stdin: None,
            code: 0,
            says: "out:test-denial",
        },
        Run {
            what: "--token beats EXPORTSCREEN_TOKEN",
            args: a(&["lists", "--token", ADMIN_SECRET]),
            env: env("es_wrong"),
            stdin: None,
            code: 0,
            says: "",
        },
        Run {
            what: "--token-file beats EXPORTSCREEN_TOKEN",
            args: a(&["lists", "--token-file", &token_file]),
            env: env("es_wrong"),
            stdin: None,
            code: 0,
            says: "",
        },
        Run {
            what: "--server beats EXPORTSCREEN_SERVER",
            args: a(&["lists", "--server", &url]),
            env: vec![
                ("EXPORTSCREEN_SERVER", closed.clone()),
                ("EXPORTSCREEN_TOKEN", ADMIN_SECRET.to_string()),
            ],
            stdin: None,
            code: 0,
            says: "",
        },
        Run {
            what: "EXPORTSCREEN_SERVER is used",
            args: a(&["lists"]),
            env: vec![
                ("EXPORTSCREEN_SERVER", closed.clone()),
                ("EXPORTSCREEN_TOKEN", ADMIN_SECRET.to_string()),
            ],
            stdin: None,
            code: 3,
            says: "err:EXPORTSCREEN_SERVER",
        },
        Run {
            what: "a client certificate without its key",
            args: a(&["lists"]),
            env: vec![("EXPORTSCREEN_CLIENT_CERT", "c.pem".into())],
            stdin: None,
            code: 2,
            says: "err:--client-key",
        },
        // Help for the shell and the parameters.
        Run {
            what: "bash completions",
            args: a(&["completions", "bash"]),
            env: vec![],
            stdin: None,
            code: 0,
            says: "out:_exportscreen",
        },
        Run {
            what: "zsh completions",
            args: a(&["completions", "zsh"]),
            env: vec![],
            stdin: None,
            code: 0,
            says: "out:#compdef exportscreen",
        },
        Run {
            what: "fish completions",
            args: a(&["completions", "fish"]),
            env: vec![],
            stdin: None,
            code: 0,
            says: "out:complete -c exportscreen",
        },
        Run {
            what: "the parameter keys",
            args: a(&["parameters"]),
            env: admin(),
            stdin: None,
            code: 0,
            says: "out:range_km",
        },
        Run {
            what: "the exit codes in --help",
            args: a(&["--help"]),
            env: vec![],
            stdin: None,
            code: 0,
            says: "out:13 PROHIBITED",
        },
    ];
    let mut failures = Vec::new();
    for r in &table {
        let (code, out, err) = run(r, cwd.path()).await;
        let said = match r.says.split_once(':') {
            Some(("out", s)) => out.contains(s),
            Some(("err", s)) => err.contains(s),
            _ => true,
        };
        if code != r.code || !said {
            failures.push(format!(
                "{}: exit {code} (want {}), wanted {:?}\n  stdout: {out}\n  stderr: {err}",
                r.what, r.code, r.says
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    server.stop().await;
}
