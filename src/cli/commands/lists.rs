//! `exportscreen lists`: the lists a running server screens against, as a
//! table (or JSON); `create-list` and `retire-list` (list hygiene).

use crate::api::pb;
use crate::cli::args::{CreateListArgs, ListKindArg, ListsArgs, RetireListArgs};
use crate::cli::client;
use crate::cli::commands::entry::request;

/// Creates an empty list to edit by hand.
///
/// # Errors
/// The server cannot be reached, or refuses (taken id, bad id).
pub async fn create(a: CreateListArgs) -> anyhow::Result<()> {
    let kind = match a.kind {
        ListKindArg::Denial => pb::ListKind::Denial,
        ListKindArg::Control => pb::ListKind::Control,
    };
    let msg = pb::CreateListRequest {
        list_id: a.list_id,
        kind: kind.into(),
        reason: a.edit.reason.clone(),
    };
    let mut c = client::lists().await?;
    let info = c
        .create_list(request(msg, &a.edit)?)
        .await
        .map_err(client::status_error)?
        .into_inner();
    println!(
        "created {} ({}), version {}",
        info.list_id, info.kind, info.version
    );
    Ok(())
}

/// Retires a list.
///
/// # Errors
/// The server cannot be reached, or refuses (unknown list, no reason,
/// stale version, already retired).
pub async fn retire(a: RetireListArgs) -> anyhow::Result<()> {
    let msg = pb::RetireListRequest {
        list_id: a.list_id,
        reason: a.edit.reason.clone(),
        expected_version: a.edit.expected_version,
    };
    let mut c = client::lists().await?;
    let info = c
        .retire_list(request(msg, &a.edit)?)
        .await
        .map_err(client::status_error)?
        .into_inner();
    println!(
        "retired {} at version {}: kept for replay, no longer screened",
        info.list_id, info.version
    );
    Ok(())
}

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
        crate::cli::json::print(&pb::ListListsResponse { lists })?;
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
        "ID",
        "KIND",
        "VERSION",
        "ENTRIES",
        "NAMES",
        "PUBLISHED",
        "IMPORTED",
        "STATE",
        "SOURCE",
    ];
    let rows: Vec<[String; 9]> = lists
        .iter()
        .map(|l| {
            let state = match (l.retired, l.official) {
                (true, _) => "retired",
                (false, true) => "official",
                (false, false) => "local",
            };
            [
                l.list_id.clone(),
                l.kind.clone(),
                l.version.to_string(),
                l.entries.to_string(),
                l.names.to_string(),
                if l.published.is_empty() {
                    "-".to_string()
                } else {
                    l.published.clone()
                },
                imported_at(l.imported_at_unix_ms),
                state.to_string(),
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
            published: "2023-12-28".into(),
            official: true,
            ..pb::ListInfo::default()
        };
        let t = table(&[l]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("ID        KIND    VERSION"), "{t}");
        let at = imported_at(1_700_000_000_000);
        assert!(
            lines[1].starts_with(&format!(
                "ofac-sdn  denial  2        13821    30912  2023-12-28  {at}  official  ofac"
            )),
            "{t}"
        );
        assert!(chrono::DateTime::parse_from_rfc3339(&at).is_ok(), "{at}");
        assert_eq!(table(&[]).lines().nth(1), Some("(no lists)"));
    }
}
