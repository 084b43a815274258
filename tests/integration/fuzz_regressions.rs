//! Replays the fuzz corpus, `tests/fixtures/fuzz/<target>/`, through the
//! same target bodies `cargo fuzz` runs (`fuzz/src/harness.rs`): the seeds
//! (`seed-*`, and the import seeds named by format) and every input that
//! once crashed a target (`crash-*`, as cargo-fuzz names its artifacts;
//! fixed since, kept so that the crash cannot come back).
//!
//! A replay that runs nothing proves nothing: every target of
//! `fuzz/Cargo.toml` must have a harness entry here and a corpus that is
//! not empty, or the test fails.

use std::path::Path;

#[allow(dead_code)]
#[path = "../../fuzz/src/harness.rs"]
mod harness;

/// A fuzz target body.
type Target = fn(&[u8]);

/// Every target with its body.
const TARGETS: &[(&str, Target)] = &[
    ("import", harness::import),
    ("normalize_name", harness::normalize_name),
    ("screen_party", harness::screen_party),
    ("units_extract", harness::units_extract),
    ("canonical_text", harness::canonical_text),
];

fn corpus_dir(target: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target)
}

/// The corpus files of `dir` (hidden files skipped), sorted.
fn corpus(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.is_file()
                && !p
                    .file_name()
                    .is_some_and(|f| f.to_string_lossy().starts_with('.'))
        })
        .collect();
    paths.sort();
    paths
}

/// Runs `target` on every corpus file of `dir`; returns how many ran.
fn replay(dir: &Path, target: Target) -> usize {
    let paths = corpus(dir);
    for path in &paths {
        let data = std::fs::read(path).unwrap();
        let outcome = std::panic::catch_unwind(|| target(&data));
        assert!(outcome.is_ok(), "{} panics", path.display());
    }
    paths.len()
}

/// The `[[bin]]` names of `fuzz/Cargo.toml`: the targets cargo fuzz runs.
fn fuzz_targets() -> Vec<String> {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/Cargo.toml"))
            .unwrap();
    let value: toml::Value = toml::from_str(&manifest).unwrap();
    let mut names: Vec<String> = value["bin"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn every_target_replays_a_corpus_that_is_not_empty() {
    let mut ours: Vec<String> = TARGETS.iter().map(|(n, _)| n.to_string()).collect();
    ours.sort();
    assert_eq!(
        fuzz_targets(),
        ours,
        "each fuzz target needs a line in TARGETS and a corpus in tests/fixtures/fuzz/<target>/"
    );
    for (name, target) in TARGETS {
        let ran = replay(&corpus_dir(name), *target);
        assert!(
            ran > 0,
            "tests/fixtures/fuzz/{name}/ is empty: the replay would prove nothing (add the seeds)"
        );
    }
}

#[test]
fn an_empty_corpus_is_noticed() {
    // The check above counts what ran: a missing or empty directory counts 0.
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(replay(empty.path(), harness::units_extract), 0);
    assert_eq!(
        replay(&empty.path().join("missing"), harness::units_extract),
        0
    );
    std::fs::write(empty.path().join(".gitattributes"), "* -text").unwrap();
    assert_eq!(replay(empty.path(), harness::units_extract), 0);
}

#[test]
fn seeds_of_each_format_import() {
    // The seeds are real list files: each must import, so the fuzzer
    // starts from inputs that reach deep into every parser.
    let dir = corpus_dir("import");
    for format in exportscreen::lists::FORMATS.iter() {
        let data = std::fs::read(dir.join(format)).unwrap();
        let (selector, rest) = data.split_first().unwrap();
        assert_eq!(
            exportscreen::lists::FORMATS[usize::from(*selector)],
            *format
        );
        let files: Vec<exportscreen::lists::SourceData> = rest
            .splitn(harness::files_of(format).len(), |b| {
                *b == harness::FILE_SEPARATOR
            })
            .zip(harness::files_of(format))
            .map(|(d, n)| exportscreen::lists::SourceData {
                name: n.to_string(),
                data: d.to_vec(),
            })
            .collect();
        let options = harness::options_of(format, *selector);
        let imported = exportscreen::lists::import_with(format, &files, &options)
            .unwrap_or_else(|e| panic!("{format}: {e}"));
        assert!(!imported.content.is_empty(), "{format}");
    }
}

#[test]
fn every_single_hidden_character_anywhere_in_a_listed_name_keeps_it_found() {
    // The canonical-text target's property, exhaustively for one insertion:
    // every listed name of the fuzz engine, every position between words
    // with every hidden character, every position inside a word with every
    // invisible one.
    // Not yet: a blank-looking character inside a word splits it where a
    // reader sees a space ("K vant"); the fuzz target keeps looking for
    // those that lose the match.
    use exportscreen::engine::text::{CharClass, class};
    let mut runs = 0;
    for (pick, name) in harness::LISTED.iter().enumerate() {
        let chars: Vec<char> = name.chars().collect();
        for at in 0..=chars.len() {
            let inside = at > 0
                && at < chars.len()
                && chars[at - 1].is_alphanumeric()
                && chars[at].is_alphanumeric();
            for c in 0..harness::HIDDEN.len() {
                if inside && class(harness::HIDDEN[c]) == CharClass::Blank {
                    continue;
                }
                let input = [pick as u8, at as u8, c as u8];
                let outcome = std::panic::catch_unwind(|| harness::canonical_text(&input));
                assert!(outcome.is_ok(), "input {input:?}");
                runs += 1;
            }
        }
    }
    assert!(runs > 1_500, "{runs} insertions tried");
}
