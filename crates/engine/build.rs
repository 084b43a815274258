//! Reads the engine's word and unit tables from `control-lists/`
//! (`units.toml`, `negation.toml`, `item-words.toml`), checks them and
//! writes them as Rust constants into `OUT_DIR`: the data stays data an
//! officer can read, a mistake in it stops the build naming file and line.

#[path = "build/data.rs"]
mod data;

use std::path::PathBuf;

/// Reads one file's text into Rust code, or says what is wrong and where.
type Reader = fn(&str) -> Result<String, data::DataError>;

fn main() {
    // Read at run time, not with `env!`: a build script compiled in one
    // checkout must not read another checkout's tables when a target
    // directory is reused.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = PathBuf::from(manifest).join("../../control-lists");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed=build/data.rs");
    let tables: [(&str, Reader); 3] = [
        ("units.toml", data::units),
        ("negation.toml", data::negation),
        ("item-words.toml", data::item_words),
    ];
    for (file, read) in tables {
        let path = dir.join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => panic!("control-lists/{file}: {e}"),
        };
        match read(&text) {
            Ok(code) => {
                let name = file.replace(['.', '-'], "_") + ".rs";
                if let Err(e) = std::fs::write(out.join(&name), code) {
                    panic!("writing {name}: {e}");
                }
            }
            // The message names the file and line; cargo shows it as the error.
            Err(e) => panic!("{e}"),
        }
    }
}
