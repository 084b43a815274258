//! The README cannot drift: every shell block marked runnable (an HTML
//! comment `<!-- test -->` on the line before its ```` ```sh ```` fence)
//! runs, in the README's order, in one bash session against a server this
//! test starts as a newcomer would have it: the real binary, seeded with
//! the bundled lists, its data directory `./data` of the working
//! directory, listening where `EXPORTSCREEN_SERVER` says. `exportscreen`
//! is on `PATH`, `EXPORTSCREEN_TOKEN` holds the ADMIN token, and the
//! repository's `examples/` is there as `examples/`.
//!
//! Each command must exit 0 (a block that shows a failure writes
//! `|| echo "exit $?"`), and the lines after it that start with `#> ` are
//! its expected output: each must appear in what the command printed.

#![cfg(unix)]

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::Command;
use tonic::transport::Endpoint;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

/// The marker line before a runnable block.
const MARKER: &str = "<!-- test -->";
/// The prefix of an expected output line.
const EXPECT: &str = "#> ";

/// One command of a runnable block, with the output it must print.
#[derive(Debug, PartialEq)]
struct Step {
    /// README line of the command.
    line: usize,
    /// The command (continuation lines joined).
    command: String,
    /// Lines its output must contain.
    expect: Vec<String>,
}

/// The steps of every runnable block of `readme`, in order.
fn steps(readme: &str) -> Vec<Step> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut out: Vec<Step> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() != MARKER {
            i += 1;
            continue;
        }
        let fence = lines.get(i + 1).map(|l| l.trim()).unwrap_or_default();
        assert!(
            fence.starts_with("```sh") || fence.starts_with("```bash"),
            "README.md:{}: {MARKER} must stand right before a ```sh block",
            i + 1
        );
        i += 2;
        while i < lines.len() && !lines[i].trim_start().starts_with("```") {
            let line = lines[i];
            let trimmed = line.trim();
            if let Some(expect) = trimmed.strip_prefix(EXPECT) {
                let last = out
                    .last_mut()
                    .unwrap_or_else(|| panic!("README.md:{}: output before a command", i + 1));
                last.expect.push(expect.trim().to_string());
                i += 1;
                continue;
            }
            if trimmed.is_empty() || trimmed.starts_with('#') {
                i += 1;
                continue;
            }
            // A command, with its continuation lines; a trailing comment goes.
            let first = i + 1;
            let mut command = String::new();
            loop {
                let l = lines[i];
                match l.trim_end().strip_suffix('\\') {
                    Some(head) => {
                        command.push_str(head);
                        command.push(' ');
                        i += 1;
                    }
                    None => {
                        command.push_str(l);
                        i += 1;
                        break;
                    }
                }
            }
            out.push(Step {
                line: first,
                command: strip_comment(&command).trim().to_string(),
                expect: Vec::new(),
            });
        }
        i += 1;
    }
    out
}

/// `cmd   # comment` -> `cmd` (a `#` outside quotes after a space).
fn strip_comment(command: &str) -> &str {
    let (mut single, mut double) = (false, false);
    let mut prev = ' ';
    for (at, c) in command.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && prev.is_whitespace() => return &command[..at],
            _ => {}
        }
        prev = c;
    }
    command
}

/// Single quotes for bash.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The bash script running `steps`: each command's output is captured,
/// shown, and checked (exit status, expected lines).
fn script(steps: &[Step]) -> String {
    let mut s = String::from("set -uo pipefail\nout=$(mktemp)\n");
    for step in steps {
        let at = format!("README.md:{}", step.line);
        s.push_str(&format!(
            "echo {}\n{{ {}\n}} >\"$out\" 2>&1; status=$?\ncat \"$out\"\n\
             if [ $status -ne 0 ]; then echo {} \"exited $status\" >&2; exit 1; fi\n",
            quote(&format!("$ {}", step.command)),
            step.command,
            quote(&format!("{at}: {}:", step.command)),
        ));
        for e in &step.expect {
            s.push_str(&format!(
                "grep -qF -e {} \"$out\" || {{ echo {} >&2; exit 1; }}\n",
                quote(e),
                quote(&format!("{at}: expected {e:?} in the output")),
            ));
        }
    }
    s
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn steps_are_read_from_marked_blocks_only() {
    let readme = "intro\n```sh\nnot run\n```\n<!-- test -->\n```sh\n# a comment\n\
                  exportscreen lists   # what is there\n#> ID\nexportscreen screen \\\n    a.json\n\
                  #> decision:  CLEAR\n#> case: none\necho '# not a comment'\n```\n";
    let got = steps(readme);
    assert_eq!(
        got,
        vec![
            Step {
                line: 8,
                command: "exportscreen lists".into(),
                expect: vec!["ID".into()],
            },
            Step {
                line: 10,
                command: "exportscreen screen      a.json".into(),
                expect: vec!["decision:  CLEAR".into(), "case: none".into()],
            },
            Step {
                line: 14,
                command: "echo '# not a comment'".into(),
                expect: vec![],
            },
        ]
    );
}

#[tokio::test]
async fn the_readme_runs_as_written() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let steps = steps(&readme);
    assert!(steps.len() >= 10, "too few runnable commands: {steps:?}");

    // The newcomer's directory: ./data of the server, examples/, the binary.
    let work = tempfile::tempdir().unwrap();
    let bin = work.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_exportscreen"), bin.join("exportscreen"))
        .unwrap();
    std::os::unix::fs::symlink(root.join("examples"), work.path().join("examples")).unwrap();

    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let mut server = Command::new(env!("CARGO_BIN_EXE_exportscreen"))
        .args(["serve", "--listen", &addr.to_string(), "--data-dir", "data"])
        .current_dir(work.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let raw = Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect_lazy();
    let mut health = HealthClient::new(raw);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        assert!(server.try_wait().unwrap().is_none(), "server stopped");
        let r = health
            .check(HealthCheckRequest {
                service: String::new(),
            })
            .await;
        if r.is_ok_and(|r| r.into_inner().status == ServingStatus::Serving as i32) {
            break;
        }
        assert!(Instant::now() < deadline, "server not SERVING after 120 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let admin = std::fs::read_to_string(work.path().join("data/admin.token")).unwrap();

    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut bash = Command::new("bash");
    for (k, _) in std::env::vars() {
        if k.starts_with("EXPORTSCREEN_") {
            bash.env_remove(k);
        }
    }
    let out = bash
        .arg("-c")
        .arg(script(&steps))
        .current_dir(work.path())
        .env("PATH", path)
        .env("EXPORTSCREEN_SERVER", format!("http://{addr}"))
        .env("EXPORTSCREEN_TOKEN", admin.trim())
        .env("TZ", "UTC")
        .output()
        .await
        .unwrap();
    let _ = server.start_kill();
    let _ = server.wait().await;
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
