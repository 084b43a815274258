//! `exportscreen eval DIR`: builds the engine from the bundled lists (the
//! same versions a fresh server seeds) and runs the evaluation cases of DIR
//! in-process, printing the metrics by category and a summary line.

use std::time::Instant;

use anyhow::{Context, anyhow};

use crate::bundled;
use crate::cli::args::EvalArgs;
use crate::engine::Engine;
use crate::engine::reference::ReferenceFiles;
use crate::eval::{self, EvalOptions};

/// Runs `eval`.
///
/// # Errors
/// A bundled list that does not import, or a missing or malformed case file.
pub fn run(args: EvalArgs) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let lists =
        bundled::load_all(0).map_err(|(id, e)| anyhow!("importing bundled list {id}: {e}"))?;
    let engine =
        Engine::build(&lists, &ReferenceFiles::embedded()).context("building the engine")?;
    println!(
        "lists: {} (built in {:.2} s)",
        lists
            .iter()
            .map(|l| format!(
                "{} v{} ({} entries)",
                l.meta.list_id, l.meta.version, l.meta.entries
            ))
            .collect::<Vec<_>>()
            .join(", "),
        t0.elapsed().as_secs_f64()
    );
    println!("policy: {:?}\n", engine.policy_ref());
    let opts = EvalOptions {
        show_failures: args.show_failures,
        limit: args.limit,
    };
    let (report, summary) = eval::run(&engine, &args.dir, &opts)?;
    println!("{report}\n{summary}");
    Ok(())
}
