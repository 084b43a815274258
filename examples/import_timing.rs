//! Times one import: `cargo run --release --example import_timing -- FORMAT DIR`
//! reads every file in DIR, imports it as FORMAT and prints entry, name and
//! address counts, the warnings and the parse time (best of 5 runs).

use std::time::{Duration, Instant};

use exportscreen::lists::{SourceData, import};
use exportscreen::model::ListContent;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(format), Some(dir)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: import_timing FORMAT DIR");
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if path.is_file() {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            files.push(SourceData {
                name,
                data: std::fs::read(&path)?,
            });
        }
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    let bytes: usize = files.iter().map(|f| f.data.len()).sum();

    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..5 {
        let start = Instant::now();
        let imported = import(&format, &files)?;
        best = best.min(start.elapsed());
        last = Some(imported);
    }
    let Some(imported) = last else {
        anyhow::bail!("no run");
    };
    match &imported.content {
        ListContent::Denial(entries) => {
            let names: usize = entries.iter().map(|e| e.names.len()).sum();
            let addresses: usize = entries.iter().map(|e| e.addresses.len()).sum();
            println!(
                "{format}: {} entries, {names} names, {addresses} addresses",
                entries.len()
            );
        }
        ListContent::Control(entries) => println!("{format}: {} control entries", entries.len()),
    }
    for w in &imported.warnings {
        println!("warning: {w}");
    }
    println!(
        "{} files, {bytes} bytes, best of 5: {:.1} ms",
        files.len(),
        best.as_secs_f64() * 1000.0
    );
    Ok(())
}
