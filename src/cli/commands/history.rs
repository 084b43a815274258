//! `exportscreen versions LIST`, `diff LIST V1 [V2]` and `replay SCREENING`:
//! a list's history and the replay of a stored screening, readable (or JSON).

use std::fmt::Write as _;

use serde_json::json;

use super::entry::entry_json;
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
        let rows: Vec<_> = versions.iter().map(version_json).collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        print!("{}", versions_text(&versions));
    }
    Ok(())
}

fn version_json(v: &pb::ListVersion) -> serde_json::Value {
    let i = v.info.clone().unwrap_or_default();
    json!({
        "version": i.version, "imported_at": crate::cli::time::utc(i.imported_at_unix_ms),
        "author": i.author, "reason": i.reason, "origin": v.origin, "entry_id": v.entry_id,
        "entries": i.entries, "names": i.names, "format": i.format,
        "previous_version": v.previous_version,
        "added": v.added, "removed": v.removed, "changed": v.changed,
        "checksum": i.r#ref.map(|r| r.checksum).unwrap_or_default(),
        "files": i.files.iter().map(|f| json!({"name": f.name, "bytes": f.bytes, "sha256": f.sha256})).collect::<Vec<_>>(),
        "warnings": i.warnings,
        "rescreen": v.rescreen.as_ref().map(|r| json!({
            "screenings_checked": r.screenings_checked, "entries_checked": r.entries_checked,
            "candidates": r.candidates, "case_ids": r.case_ids, "screening_ids": r.screening_ids,
            "lookback_days": r.lookback_days, "millis": r.millis, "error": r.error,
        })),
    })
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
    }
    // Importer warnings once per list, however many versions repeat them.
    let mut seen: Vec<(&str, Vec<u64>)> = Vec::new();
    for v in versions {
        let Some(i) = &v.info else { continue };
        for w in &i.warnings {
            match seen.iter_mut().find(|(t, _)| t == w) {
                Some((_, at)) => at.push(i.version),
                None => seen.push((w, vec![i.version])),
            }
        }
    }
    for (w, at) in &seen {
        let _ = writeln!(out, "warning ({}): {w}", occurrences(at));
    }
    out
}

/// Where a warning occurred: `v3`, `v1, v2, v4`, `v2 x5`, `5 versions
/// from v1 to v9`.
fn occurrences(versions: &[u64]) -> String {
    let mut distinct: Vec<(u64, usize)> = Vec::new();
    for v in versions {
        match distinct.last_mut() {
            Some((last, n)) if last == v => *n += 1,
            _ => distinct.push((*v, 1)),
        }
    }
    let one = |(v, n): &(u64, usize)| {
        if *n > 1 {
            format!("v{v} x{n}")
        } else {
            format!("v{v}")
        }
    };
    match distinct.as_slice() {
        [] => String::new(),
        [first, .., last] if distinct.len() > 4 => format!(
            "{} versions from v{} to v{}, {} times",
            distinct.len(),
            first.0,
            last.0,
            versions.len()
        ),
        all => all.iter().map(one).collect::<Vec<_>>().join(", "),
    }
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
        let v = json!({
            "list_id": d.list_id, "from_version": d.from_version, "to_version": d.to_version,
            "added_count": d.added_count, "removed_count": d.removed_count, "changed_count": d.changed_count,
            "added": d.added.iter().map(entry_json).collect::<Vec<_>>(),
            "removed": d.removed.iter().map(entry_json).collect::<Vec<_>>(),
            "changed": d.changed.iter().map(|c| json!({
                "identity_key": c.identity_key, "fields": c.fields,
                "before": c.before.as_ref().map(entry_json), "after": c.after.as_ref().map(entry_json),
            })).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
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
        let v = json!({
            "screening_id": r.screening_id,
            "list_versions": r.list_versions.iter().map(|v| format!("{}@{}", v.list_id, v.version)).collect::<Vec<_>>(),
            "original_decision": name(r.original_decision),
            "replayed_decision": name(r.replayed_decision),
            "same_decision": r.same_decision, "same_findings": r.same_findings,
            "differences": r.differences, "policy_changed": r.policy_changed,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
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

#[cfg(test)]
mod tests {
    use super::*;

    fn version(n: u64, warnings: &[&str]) -> pb::ListVersion {
        pb::ListVersion {
            info: Some(pb::ListInfo {
                version: n,
                imported_at_unix_ms: 1_700_000_000_000,
                warnings: warnings.iter().map(|w| w.to_string()).collect(),
                ..pb::ListInfo::default()
            }),
            ..pb::ListVersion::default()
        }
    }

    #[test]
    fn a_warning_every_version_repeats_is_shown_once_with_where() {
        let missing = "sdn_comments.csv is missing: remarks cut at 1,000 characters stay cut";
        let t = versions_text(&[
            version(1, &[missing]),
            version(2, &[missing, "row 7 skipped", "row 7 skipped"]),
            version(3, &[missing]),
        ]);
        let warnings: Vec<&str> = t.lines().filter(|l| l.starts_with("warning")).collect();
        assert_eq!(
            warnings,
            [
                format!("warning (v1, v2, v3): {missing}").as_str(),
                "warning (v2 x2): row 7 skipped",
            ],
            "{t}"
        );
        let many: Vec<pb::ListVersion> = (1..=6).map(|n| version(n, &[missing])).collect();
        let t = versions_text(&many);
        assert!(
            t.contains(&format!(
                "warning (6 versions from v1 to v6, 6 times): {missing}"
            )),
            "{t}"
        );
    }
}
