//! The sample shipments of `examples/shipments/` get the answers recorded
//! next to them (`answers.txt`), screened as a user would: through the
//! command line, against a fresh server seeded with the bundled lists.
//! Every sample has exactly one line there, and every line a sample.

use std::collections::BTreeMap;
use std::path::Path;

use crate::util::TestServer;

/// What `answers.txt` records for one sample: decision and targets.
#[derive(Debug, PartialEq, Eq)]
struct Answer {
    decision: String,
    targets: Vec<String>,
}

/// `answers.txt`: sample (`file` or `file:line`) -> answer.
fn recorded(dir: &Path) -> BTreeMap<String, Answer> {
    let text = std::fs::read_to_string(dir.join("answers.txt")).unwrap();
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        let sample = words.next().unwrap().to_string();
        let decision = words
            .next()
            .unwrap_or_else(|| panic!("{line}: no decision"))
            .to_string();
        let mut targets: Vec<String> = words.map(str::to_string).collect();
        targets.sort();
        let dup = out.insert(sample.clone(), Answer { decision, targets });
        assert!(dup.is_none(), "{sample} appears twice in answers.txt");
    }
    out
}

/// The answers of a `screen --json` run: one JSON document, or JSON lines.
fn answers(stdout: &str) -> Vec<Answer> {
    let docs: Vec<serde_json::Value> = match serde_json::from_str(stdout) {
        Ok(v) => vec![v],
        Err(_) => stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
    };
    docs.iter()
        .map(|d| {
            let mut targets: Vec<String> = d["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["target"].as_str().unwrap().to_string())
                .collect();
            targets.sort();
            targets.dedup();
            Answer {
                decision: d["decision"].as_str().unwrap().to_string(),
                targets,
            }
        })
        .collect()
}

#[tokio::test]
async fn every_sample_gets_its_recorded_answer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let samples = root.join("examples/shipments");
    let want = recorded(&samples);
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_seeded(dir.path()).await;

    let mut files: Vec<String> = std::fs::read_dir(&samples)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") || n.ends_with(".jsonl"))
        .collect();
    files.sort();
    assert!(files.len() >= 12, "a dozen samples: {files:?}");

    let mut got = BTreeMap::new();
    for file in &files {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_exportscreen"))
            .args(["screen", "--json"])
            .arg(samples.join(file))
            .env("EXPORTSCREEN_SERVER", &server.url)
            .env("EXPORTSCREEN_TOKEN", &server.admin_token)
            .output()
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let list = answers(&stdout);
        if file.ends_with(".jsonl") {
            for (i, a) in list.into_iter().enumerate() {
                got.insert(format!("{file}:{}", i + 1), a);
            }
        } else {
            assert_eq!(list.len(), 1, "{file}");
            got.insert(file.clone(), list.into_iter().next().unwrap());
        }
    }
    let mut wrong = Vec::new();
    for (sample, answer) in &got {
        match want.get(sample) {
            Some(w) if w == answer => {}
            Some(w) => wrong.push(format!("{sample}: recorded {w:?}, got {answer:?}")),
            None => wrong.push(format!("{sample}: no line in answers.txt (got {answer:?})")),
        }
    }
    for sample in want.keys().filter(|s| !got.contains_key(*s)) {
        wrong.push(format!("{sample}: in answers.txt, but no such sample"));
    }
    assert!(
        wrong.is_empty(),
        "examples/shipments/answers.txt:\n{}",
        wrong.join("\n")
    );
    server.stop().await;
}
