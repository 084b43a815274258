//! `exportscreen lists`: the lists a running server screens against, as a
//! table (or JSON).

use serde_json::json;

use crate::api::pb;
use crate::cli::args::ListsArgs;
use crate::cli::client;

/// Prints the server's lists.
///
/// # Errors
/// The server cannot be reached or fails.
pub async fn run(args: ListsArgs) -> anyhow::Result<()> {
    let mut c = client::lists().await?;
    let lists = c
        .list_lists(pb::ListListsRequest {})
        .await
        .map_err(client::status_error)?
        .into_inner()
        .lists;
    if args.json {
        let rows: Vec<_> = lists
            .iter()
            .map(|l| {
                json!({
                    "list_id": l.list_id, "kind": l.kind, "version": l.version,
                    "entries": l.entries, "names": l.names, "format": l.format,
                    "imported_at": crate::cli::time::utc(l.imported_at_unix_ms),
                    "author": l.author, "reason": l.reason, "source": l.source,
                    "checksum": l.r#ref.as_ref().map(|r| r.checksum.clone()).unwrap_or_default(),
                    "warnings": l.warnings,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        print!("{}", table(&lists));
    }
    Ok(())
}

/// Unix milliseconds as RFC 3339 in local time.
pub fn imported_at(ms: i64) -> String {
    crate::cli::time::local(ms)
}

/// The lists as an aligned text table.
pub fn table(lists: &[pb::ListInfo]) -> String {
    let header = [
        "ID", "KIND", "VERSION", "ENTRIES", "NAMES", "IMPORTED", "SOURCE",
    ];
    let rows: Vec<[String; 7]> = lists
        .iter()
        .map(|l| {
            [
                l.list_id.clone(),
                l.kind.clone(),
                l.version.to_string(),
                l.entries.to_string(),
                l.names.to_string(),
                imported_at(l.imported_at_unix_ms),
                l.source.clone(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ");
        s.truncate(s.trim_end().len());
        s.push('\n');
        s
    };
    let mut out = line(header.to_vec());
    for r in &rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    if rows.is_empty() {
        out.push_str("(no lists)\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns() {
        let l = pb::ListInfo {
            list_id: "ofac-sdn".into(),
            kind: "denial".into(),
            version: 2,
            entries: 13821,
            names: 30912,
            imported_at_unix_ms: 1_700_000_000_000,
            source: "ofac-sdn-csv: sdn.csv, alt.csv, add.csv".into(),
            ..pb::ListInfo::default()
        };
        let t = table(&[l]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("ID        KIND    VERSION"), "{t}");
        let at = imported_at(1_700_000_000_000);
        assert!(
            lines[1].starts_with(&format!(
                "ofac-sdn  denial  2        13821    30912  {at}  ofac"
            )),
            "{t}"
        );
        assert!(chrono::DateTime::parse_from_rfc3339(&at).is_ok(), "{at}");
        assert_eq!(table(&[]).lines().nth(1), Some("(no lists)"));
    }
}
