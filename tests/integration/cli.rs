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
