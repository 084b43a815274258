//! Replays the inputs the fuzzers found (`tests/fixtures/fuzz/<target>/`,
//! each once a crash, fixed since) and the fuzzers' seeds (`fuzz/seeds/`)
//! through the same target bodies `cargo fuzz` runs (`fuzz/src/harness.rs`).

use std::path::Path;

#[allow(dead_code)]
#[path = "../../fuzz/src/harness.rs"]
mod harness;

/// A fuzz target body.
type Target = fn(&[u8]);

/// Runs `target` on every file under `dir`; returns how many ran.
fn replay(dir: &Path, target: Target) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut n = 0;
    let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
    paths.sort();
    for path in paths {
        if path
            .file_name()
            .is_some_and(|f| f.to_string_lossy().starts_with('.'))
        {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| target(&data));
        assert!(outcome.is_ok(), "{} panics", path.display());
        n += 1;
    }
    n
}

#[test]
fn found_inputs_and_seeds_run_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let targets: [(&str, Target); 4] = [
        ("import", harness::import),
        ("normalize_name", harness::normalize_name),
        ("screen_party", harness::screen_party),
        ("canonical_text", harness::canonical_text),
    ];
    for (name, target) in targets {
        let seeds = replay(&root.join("fuzz/seeds").join(name), target);
        assert!(seeds > 0, "no seeds for {name}");
        replay(&root.join("tests/fixtures/fuzz").join(name), target);
    }
}

#[test]
fn seeds_of_each_format_import() {
    // The seeds are real list files: each must import, so the fuzzer
    // starts from inputs that reach deep into every parser.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/import");
    for format in exportscreen::lists::FORMATS {
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
        let imported =
            exportscreen::lists::import(format, &files).unwrap_or_else(|e| panic!("{format}: {e}"));
        assert!(!imported.content.is_empty(), "{format}");
    }
}

#[test]
fn every_single_hidden_character_anywhere_in_a_listed_name_keeps_it_found() {
    // The canonical-text target's property, exhaustively for one insertion:
    // every listed name of the fuzz engine, every position (between and
    // inside words), every hidden character.
    let mut runs = 0;
    for (pick, name) in harness::LISTED.iter().enumerate() {
        for at in 0..=name.chars().count() {
            for c in 0..harness::HIDDEN.len() {
                let input = [pick as u8, at as u8, c as u8];
                let outcome = std::panic::catch_unwind(|| harness::canonical_text(&input));
                assert!(outcome.is_ok(), "input {input:?}");
                runs += 1;
            }
        }
    }
    assert!(runs > 2_000, "{runs} insertions tried");
}
