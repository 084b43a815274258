//! `exportscreen versions LIST`, `diff LIST V1 [V2]` and `replay SCREENING`:
//! a list's history and the replay of a stored screening, readable (or JSON).

use std::fmt::Write as _;

use super::lists::imported_at;
use crate::api::pb;
use crate::cli::args::{DiffArgs, ReplayArgs, VersionsArgs};
use crate::cli::client;

/// Prints every version of a list.
///
/// # Errors
/// The server cannot be reached, or refuses (unknown list).
pub async fn versions(args: VersionsArgs) -> anyhow::Result<()> {
    let mut c = client::lists().await?;
    let versions = c
        .list_versions(pb::ListVersionsRequest {
            list_id: args.list_id.clone(),
        })
        .await
        .map_err(client::status_error)?
        .into_inner()
        .versions;
    if args.json {
        crate::cli::json::print(&pb::ListVersionsResponse { versions })?;
    } else {
        print!("{}", versions_text(&versions));
    }
    Ok(())
}

/// The versions as readable lines, oldest first.
pub fn versions_text(versions: &[pb::ListVersion]) -> String {
    let mut out = String::new();
    for v in versions {
        let i = v.info.clone().unwrap_or_default();
        let how = match (v.origin.as_str(), v.entry_id.as_str()) {
            ("", _) => "stored".to_string(),
            (o, "") => o.to_string(),
            (o, e) => format!("{o} {e}"),
        };
        let _ = writeln!(
            out,
            "v{}  {}  {}  by {}  {} entries  +{} -{} ~{}  {}",
            i.version,
            imported_at(i.imported_at_unix_ms),
            how,
            i.author,
            i.entries,
            v.added,
            v.removed,
            v.changed,
            if i.reason.is_empty() {
                String::new()
            } else {
                format!("\"{}\"", i.reason)
            }
        );
        if let Some(r) = &v.rescreen {
            if r.error.is_empty() {
                let _ = writeln!(
                    out,
                    "    re-screened {} screenings of {} days against {} entries in {} ms: {} case(s) opened{}",
                    r.screenings_checked,
                    r.lookback_days,
                    r.entries_checked,
                    r.millis,
                    r.case_ids.len(),
                    if r.case_ids.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", r.case_ids.join(", "))
                    }
                );
            } else {
                let _ = writeln!(out, "    re-screening failed: {}", r.error);
            }
        }
        for w in &i.warnings {
            let _ = writeln!(out, "    warning: {w}");
        }
    }
    out
}

/// Prints the diff between two versions.
///
/// # Errors
/// The server cannot be reached, or refuses (unknown list or version).
pub async fn diff(args: DiffArgs) -> anyhow::Result<()> {
    let mut c = client::lists().await?;
    let d = c
        .diff_versions(pb::DiffVersionsRequest {
            list_id: args.list_id.clone(),
            from_version: args.from,
            to_version: args.to,
            limit: args.limit,
        })
        .await
        .map_err(client::status_error)?
        .into_inner();
    if args.json {
        crate::cli::json::print(&d)?;
    } else {
        print!("{}", diff_text(&d));
    }
    Ok(())
}

fn label(e: &pb::ListEntry) -> String {
    let name = match &e.body {
        Some(pb::list_entry::Body::Denial(d)) => d.names.first().map(|n| n.name.clone()),
        Some(pb::list_entry::Body::ControlJson(j)) => serde_json::from_str::<serde_json::Value>(j)
            .ok()
            .and_then(|v| v["title"].as_str().map(str::to_string)),
        None => None,
    };
    format!("{}  {}", e.entry_id, name.unwrap_or_default())
}

/// The diff as readable lines.
pub fn diff_text(d: &pb::DiffVersionsResponse) -> String {
    let mut out = format!(
        "{} v{} -> v{}: {} added, {} removed, {} changed\n",
        d.list_id, d.from_version, d.to_version, d.added_count, d.removed_count, d.changed_count
    );
    for e in &d.added {
        let _ = writeln!(out, "+ {}", label(e));
    }
    for e in &d.removed {
        let _ = writeln!(out, "- {}", label(e));
    }
    for c in &d.changed {
        let after = c.after.as_ref().map(label).unwrap_or_default();
        let _ = writeln!(out, "~ {}  ({})", after, c.fields.join(", "));
    }
    let shown = d.added.len() + d.removed.len() + d.changed.len();
    let total = (d.added_count + d.removed_count + d.changed_count) as usize;
    if shown < total {
        let _ = writeln!(out, "({} more; --limit 0 shows all)", total - shown);
    }
    out
}

/// Replays a stored screening.
///
/// # Errors
/// The server cannot be reached, or refuses (unknown screening).
pub async fn replay(args: ReplayArgs) -> anyhow::Result<()> {
    let mut c = client::lists().await?;
    let r = c
        .replay_screening(pb::ReplayScreeningRequest {
            screening_id: args.screening_id.clone(),
        })
        .await
        .map_err(client::status_error)?
        .into_inner();
    let name = |d: i32| {
        pb::Decision::try_from(d)
            .map(|d| d.as_str_name().trim_start_matches("DECISION_").to_string())
            .unwrap_or_else(|_| d.to_string())
    };
    if args.json {
        return crate::cli::json::print(&r);
    }
    println!(
        "{} replayed with {}",
        r.screening_id,
        r.list_versions
            .iter()
            .map(|v| format!("{}@{}", v.list_id, v.version))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "decision: {} then, {} now ({})",
        name(r.original_decision),
        name(r.replayed_decision),
        if r.same_decision && r.same_findings {
            "the same, with the same findings"
        } else if r.same_decision {
            "the same decision, other findings"
        } else {
            "DIFFERENT"
        }
    );
    if r.policy_changed {
        println!("note: the configuration changed since; the replay used the current one");
    }
    for d in &r.differences {
        println!("  {d}");
    }
    Ok(())
}
