//! `exportscreen audit verify|export`: checks the audit trail's hash chain,
//! or prints a period of it as JSON lines for an auditor.

use anyhow::bail;
use serde_json::{Value, json};

use crate::api::pb;
use crate::cli::args::AuditCommand;
use crate::cli::client;
use crate::cli::commands::cases::{parse_when, request};

/// Runs an `audit` subcommand.
///
/// # Errors
/// An unreachable server, a refused request, or (verify) a broken chain.
pub async fn run(cmd: AuditCommand) -> anyhow::Result<()> {
    match cmd {
        AuditCommand::Verify(a) => {
            let mut c = client::audit().await?;
            let r = c
                .verify_audit(request(
                    pb::VerifyAuditRequest {},
                    a.common.actor.as_deref(),
                )?)
                .await
                .map_err(client::status_error)?
                .into_inner();
            if a.common.json {
                println!(
                    "{}",
                    json!({"intact": r.intact, "records": r.records,
                           "broken_seq": r.broken_seq, "problem": r.problem})
                );
            }
            if !r.intact {
                bail!(
                    "audit trail broken at record {}: {}",
                    r.broken_seq,
                    r.problem
                );
            }
            if !a.common.json {
                println!("audit trail intact: {} records", r.records);
            }
            Ok(())
        }
        AuditCommand::Export(a) => {
            let msg = pb::ExportAuditRequest {
                from_unix_ms: a.from.as_deref().map(parse_when).transpose()?.unwrap_or(0),
                to_unix_ms: a.to.as_deref().map(parse_when).transpose()?.unwrap_or(0),
            };
            let mut c = client::audit().await?;
            let mut stream = c
                .export_audit(request(msg, a.common.actor.as_deref())?)
                .await
                .map_err(client::status_error)?
                .into_inner();
            while let Some(r) = stream.message().await.map_err(client::status_error)? {
                println!("{}", record_json(&r)?);
            }
            Ok(())
        }
    }
}

/// One record as a JSON line; `details` is the JSON object that was hashed.
///
/// # Errors
/// Details that are not JSON (a server bug).
pub fn record_json(r: &pb::AuditRecord) -> anyhow::Result<Value> {
    let details: Value = serde_json::from_str(&r.details_json)?;
    Ok(json!({
        "seq": r.seq, "at_unix_ms": r.at_unix_ms, "actor": r.actor, "action": r.action,
        "subject": r.subject, "reason": r.reason, "details": details,
        "prev_hash": r.prev_hash, "hash": r.hash,
    }))
}
