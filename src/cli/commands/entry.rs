//! `exportscreen entry get|add|update|remove`: one list entry. Entries to
//! add or update are written in the `exportscreen-toml` format (one
//! `[[entry]]`; for a party the `[list]` table may be left out) and read by
//! the same importer as a whole file, so the rules are the same.

use anyhow::{Context, bail};
use serde_json::json;

use crate::api::entries::denial_to_pb;
use crate::api::pb;
use crate::api::{ACTOR_HEADER, pb::list_entry::Body};
use crate::cli::args::{EditArgs, EntryAction, EntryArgs};
use crate::cli::client;
use crate::lists::{self, SourceData};
use crate::model::ListContent;

/// Runs an entry command.
///
/// # Errors
/// An unreadable or invalid entry file, the server unreachable, or a
/// refusal (unknown entry, taken id, stale version ...).
pub async fn run(args: EntryArgs) -> anyhow::Result<()> {
    match args.action {
        EntryAction::Get {
            list_id,
            entry_id,
            version,
            json,
        } => {
            let mut c = client::lists().await?;
            let r = c
                .get_entry(pb::GetEntryRequest {
                    list_id,
                    version,
                    entry_id,
                })
                .await
                .map_err(client::status_error)?
                .into_inner();
            let e = r.entry.unwrap_or_default();
            if json {
                println!("{}", serde_json::to_string_pretty(&entry_json(&e))?);
            } else {
                println!("{} version {}", r.list_id, r.version);
                print!("{}", entry_text(&e));
            }
            Ok(())
        }
        EntryAction::Add {
            list_id,
            file,
            edit,
        } => {
            let entry = read_entry(&file)?;
            let req = pb::AddEntryRequest {
                list_id,
                reason: edit.reason.clone(),
                entry: Some(entry),
                expected_version: edit.expected_version,
            };
            let mut c = client::lists().await?;
            let r = c
                .add_entry(request(req, &edit)?)
                .await
                .map_err(client::status_error)?;
            report("added", r.into_inner());
            Ok(())
        }
        EntryAction::Update {
            list_id,
            entry_id,
            file,
            edit,
        } => {
            let entry = read_entry(&file)?;
            let req = pb::UpdateEntryRequest {
                list_id,
                entry_id,
                reason: edit.reason.clone(),
                entry: Some(entry),
                expected_version: edit.expected_version,
            };
            let mut c = client::lists().await?;
            let r = c
                .update_entry(request(req, &edit)?)
                .await
                .map_err(client::status_error)?;
            report("updated", r.into_inner());
            Ok(())
        }
        EntryAction::Remove {
            list_id,
            entry_id,
            edit,
        } => {
            let req = pb::RemoveEntryRequest {
                list_id,
                entry_id,
                reason: edit.reason.clone(),
                expected_version: edit.expected_version,
            };
            let mut c = client::lists().await?;
            let r = c
                .remove_entry(request(req, &edit)?)
                .await
                .map_err(client::status_error)?;
            report("removed", r.into_inner());
            Ok(())
        }
    }
}

fn request<T>(msg: T, edit: &EditArgs) -> anyhow::Result<tonic::Request<T>> {
    let mut req = tonic::Request::new(msg);
    if let Some(actor) = &edit.actor {
        let value = actor
            .parse()
            .with_context(|| format!("--actor {actor:?}: must be printable ASCII"))?;
        req.metadata_mut().insert(ACTOR_HEADER, value);
    }
    Ok(req)
}

fn report(what: &str, r: pb::EditEntryResponse) {
    println!(
        "{what} entry {} of {}: version {} is live",
        r.entry_id, r.list_id, r.version
    );
}

/// Reads one entry from an `exportscreen-toml` file.
///
/// # Errors
/// The file cannot be read, is invalid (with the line), or does not hold
/// exactly one entry.
pub fn read_entry(path: &std::path::Path) -> anyhow::Result<pb::ListEntry> {
    let text = crate::cli::input::read_text(path)?;
    parse_entry(&text, &crate::cli::input::shown(path)).map_err(crate::cli::exit::usage)
}

/// One entry from `exportscreen-toml` text (`name` for messages).
///
/// # Errors
/// See [`read_entry`].
pub fn parse_entry(text: &str, name: &str) -> anyhow::Result<pb::ListEntry> {
    let has_list = text.lines().any(|l| l.trim() == "[list]");
    // Appended, so that line numbers in messages stay those of the file.
    let full = if has_list {
        text.to_string()
    } else {
        format!("{text}\n[list]\nkind = \"denial\"\n")
    };
    let file = SourceData {
        name: "entry.toml".into(),
        data: full.into_bytes(),
    };
    let imported =
        lists::import("exportscreen-toml", &[file]).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    if imported.content.len() != 1 {
        bail!(
            "{name}: holds {} entries; write exactly one",
            imported.content.len()
        );
    }
    Ok(match &imported.content {
        ListContent::Denial(e) => pb::ListEntry {
            entry_id: e[0].entry_id.clone(),
            identity_key: String::new(),
            body: Some(Body::Denial(denial_to_pb(&e[0]))),
        },
        ListContent::Control(e) => pb::ListEntry {
            entry_id: e[0].code.clone(),
            identity_key: String::new(),
            body: Some(Body::ControlJson(serde_json::to_string(&e[0])?)),
        },
    })
}

/// An entry as JSON.
pub fn entry_json(e: &pb::ListEntry) -> serde_json::Value {
    let body = match &e.body {
        Some(Body::Denial(d)) => json!({
            "kind": d.kind,
            "names": d.names.iter().map(|n| json!({"name": n.name, "kind": n.kind})).collect::<Vec<_>>(),
            "programs": d.programs,
            "addresses": d.addresses.iter().map(|a| json!({"street": a.street, "city": a.city, "region": a.region, "postal_code": a.postal_code, "country": a.country})).collect::<Vec<_>>(),
            "countries": d.countries,
            "identifiers": d.identifiers.iter().map(|i| json!({"kind": i.kind, "value": i.value, "country": i.country})).collect::<Vec<_>>(),
            "dates_of_birth": d.dates_of_birth,
            "remarks": d.remarks,
        }),
        Some(Body::ControlJson(j)) => serde_json::from_str(j).unwrap_or(serde_json::Value::Null),
        None => serde_json::Value::Null,
    };
    json!({"entry_id": e.entry_id, "identity_key": e.identity_key, "entry": body})
}

/// An entry as readable lines.
pub fn entry_text(e: &pb::ListEntry) -> String {
    let mut out = format!("entry {}  (identity {})\n", e.entry_id, e.identity_key);
    match &e.body {
        Some(Body::Denial(d)) => {
            out.push_str(&format!("  kind: {}\n", d.kind));
            for n in &d.names {
                out.push_str(&format!("  {}: {}\n", n.kind, n.name));
            }
            if !d.programs.is_empty() {
                out.push_str(&format!("  programs: {}\n", d.programs.join(", ")));
            }
            for a in &d.addresses {
                let parts: Vec<&str> = [&a.street, &a.city, &a.region, &a.postal_code, &a.country]
                    .iter()
                    .map(|s| s.as_str())
                    .filter(|s| !s.is_empty())
                    .collect();
                out.push_str(&format!("  address: {}\n", parts.join(", ")));
            }
            if !d.countries.is_empty() {
                out.push_str(&format!("  countries: {}\n", d.countries.join(", ")));
            }
            for i in &d.identifiers {
                out.push_str(&format!("  {}: {} {}\n", i.kind, i.value, i.country));
            }
            if !d.dates_of_birth.is_empty() {
                out.push_str(&format!("  born: {}\n", d.dates_of_birth.join(", ")));
            }
            if !d.remarks.is_empty() {
                out.push_str(&format!("  remarks: {}\n", d.remarks));
            }
        }
        Some(Body::ControlJson(j)) => {
            out.push_str(j);
            out.push('\n');
        }
        None => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_file_without_a_list_table_is_a_party() {
        let e = parse_entry(
            "[[entry]]\nid = \"ACME-7\"\ntype = \"organization\"\nname = \"Rocket Parts Trading LLC\"\naliases = [\"RPT\"]\n",
            "e.toml",
        )
        .unwrap();
        assert_eq!(e.entry_id, "ACME-7");
        let text = entry_text(&e);
        assert!(text.contains("primary: Rocket Parts Trading LLC"), "{text}");
        assert!(text.contains("alias: RPT"), "{text}");
    }

    #[test]
    fn entry_files_must_hold_exactly_one_valid_entry() {
        let two = "[[entry]]\nid = \"a\"\nname = \"A\"\n[[entry]]\nid = \"b\"\nname = \"B\"\n";
        assert!(
            parse_entry(two, "e.toml")
                .unwrap_err()
                .to_string()
                .contains("2 entries")
        );
        let bad = "[[entry]]\nid = \"a\"\nnmae = \"A\"\n";
        let err = parse_entry(bad, "e.toml").unwrap_err().to_string();
        assert!(err.starts_with("e.toml: "), "{err}");
    }
}
