//! The client subcommands against a real server, through the built binary.

use std::process::Output;

use crate::util::{ADMIN_SECRET, DENIAL_ID, TestServer, data_dir};

/// Runs the binary with the test ADMIN token in `EXPORTSCREEN_TOKEN`.
async fn exportscreen(args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_exportscreen"))
        .env("EXPORTSCREEN_TOKEN", ADMIN_SECRET)
        .args(args)
        .output()
        .await
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test]
async fn lists_prints_a_table() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let out = exportscreen(&["lists", "--server", &server.url]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("ID"), "{stdout}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(DENIAL_ID) && l.contains("denial")),
        "{stdout}"
    );
    server.stop().await;
}

#[tokio::test]
async fn screen_reads_an_evaluation_case_and_prints_json() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let case = dir.path().join("case.json");
    std::fs::write(
        &case,
        r#"{"id": "x", "shipment": {"reference": "CLI-1", "exporter": "Kestrel Instruments Inc.",
            "destination_country": "JP", "end_use": "Office furniture",
            "items": [{"description": "Office chairs", "declared_code": "", "quantity": 4, "unit": "pcs", "parameters": {}}],
            "parties": [{"role": "CONSIGNEE", "name": "Hokuriku Precision Devices K.K.", "address": "", "country": "JP"}]},
           "expect": {"decision": "CLEAR", "must_flag": []}}"#,
    )
    .unwrap();
    let out = exportscreen(&[
        "screen",
        case.to_str().unwrap(),
        "--json",
        "--server",
        &server.url,
    ])
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["screening_id"].as_str().unwrap().starts_with("scr-"),
        "{v}"
    );
    assert!(v["decision"].is_string(), "{v}");
    assert!(
        v["list_versions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["list_id"] == DENIAL_ID),
        "{v}"
    );
    server.stop().await;
}

#[tokio::test]
async fn refused_imports_exit_non_zero_with_the_reason() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let file = dir.path().join("dpl.txt");
    std::fs::write(&file, "x\n").unwrap();
    let out = exportscreen(&[
        "import",
        "--list",
        "Bad_Id",
        "--format",
        "bis-dpl-tsv",
        file.to_str().unwrap(),
        "--server",
        &server.url,
    ])
    .await;
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("InvalidArgument") && stderr.contains("header.list_id"),
        "{stderr}"
    );
    server.stop().await;
}

#[tokio::test]
async fn list_history_commands_edit_show_diff_and_replay() {
    let dir = data_dir();
    let server = TestServer::start(dir.path()).await;
    let url = server.url.clone();
    let entry = dir.path().join("entry.toml");
    std::fs::write(
        &entry,
        "[[entry]]\nid = \"CLI-1\"\ntype = \"organization\"\nname = \"Manticore Drive Systems\"\naliases = [\"MDS\"]\n",
    )
    .unwrap();
    let e = entry.to_str().unwrap();
    let run = |args: Vec<&str>| {
        let mut a = args.clone();
        a.extend(["--server", url.as_str()]);
        let a: Vec<String> = a.iter().map(|s| s.to_string()).collect();
        async move {
            let a: Vec<&str> = a.iter().map(String::as_str).collect();
            let out = exportscreen(&a).await;
            assert!(out.status.success(), "{a:?}: {}", text(&out.stderr));
            text(&out.stdout)
        }
    };
    let out = run(vec![
        "entry",
        "add",
        DENIAL_ID,
        e,
        "--reason",
        "press report",
        "--actor",
        "officer-9",
    ])
    .await;
    assert!(
        out.contains("added entry CLI-1") && out.contains("version 2"),
        "{out}"
    );
    let out = run(vec!["entry", "get", DENIAL_ID, "CLI-1"]).await;
    assert!(out.contains("primary: Manticore Drive Systems"), "{out}");
    let out = run(vec![
        "entry", "remove", DENIAL_ID, "102", "--reason", "delisted",
    ])
    .await;
    assert!(out.contains("version 3"), "{out}");

    let out = run(vec!["versions", DENIAL_ID]).await;
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with('v')).collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[1].contains("entry.add CLI-1") && lines[1].contains("by officer-9"),
        "{out}"
    );
    assert!(
        lines[2].contains("entry.remove 102") && lines[2].contains("\"delisted\""),
        "{out}"
    );

    let out = run(vec!["diff", DENIAL_ID, "1", "3"]).await;
    assert!(
        out.starts_with("test-denial v1 -> v3: 1 added, 1 removed, 0 changed"),
        "{out}"
    );
    assert!(out.contains("+ CLI-1  Manticore Drive Systems"), "{out}");
    assert!(
        out.contains("- 102  Quillon Anvil Heavy Industries"),
        "{out}"
    );

    // A stale version is refused with the server's message.
    let out = exportscreen(&[
        "entry",
        "remove",
        DENIAL_ID,
        "101",
        "--expected-version",
        "1",
        "--server",
        &url,
    ])
    .await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("Aborted"),
        "{}",
        text(&out.stderr)
    );

    // Replay a screening made before the edits.
    let case = dir.path().join("ship.json");
    std::fs::write(
        &case,
        r#"{"reference": "CLI-R", "exporter": "Kestrel", "destination_country": "JP", "end_use": "",
            "items": [{"description": "Office chairs"}], "parties": [{"role": "CONSIGNEE", "name": "Manticore Drive Systems", "address": "", "country": ""}]}"#,
    )
    .unwrap();
    let out = run(vec!["screen", case.to_str().unwrap(), "--json"]).await;
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let id = v["screeningId"]
        .as_str()
        .or(v["screening_id"].as_str())
        .unwrap()
        .to_string();
    let out = run(vec!["replay", &id]).await;
    assert!(out.contains("the same, with the same findings"), "{out}");
    assert!(out.contains("test-denial@3"), "{out}");
    server.stop().await;
}
