//! Screens party names, one per line on standard input, against the
//! bundled lists and prints the matches with their explanations: a quick
//! way to see how a name is read.
//!
//! ```text
//! echo "Kestrel Optronics Inds." | cargo run --release --example screen_names
//! ```

use std::io::BufRead;

use anyhow::Result;
use exportscreen::bundled;
use exportscreen::engine::Engine;
use exportscreen::engine::party::PartyQuery;
use exportscreen::engine::party::normalize::normalize;
use exportscreen::engine::reference::ReferenceFiles;

fn main() -> Result<()> {
    let lists =
        bundled::load_all(0).map_err(|(id, e)| anyhow::anyhow!("bundled list {id}: {e}"))?;
    let engine = Engine::build(&lists, &ReferenceFiles::embedded())?;
    for line in std::io::stdin().lock().lines() {
        let name = line?;
        if name.trim().is_empty() {
            continue;
        }
        println!("{name}  [read as: {}]", normalize(&name).joined());
        let matches = engine.screen_party(
            &PartyQuery {
                name: &name,
                country: "",
                address: "",
            },
            3,
        );
        if matches.is_empty() {
            println!("  no match");
        }
        for m in matches {
            println!(
                "  {:.3} {}:{} {}",
                m.score, m.list_id, m.entry_id, m.explanation
            );
        }
    }
    Ok(())
}
