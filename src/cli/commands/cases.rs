//! `exportscreen cases ...`: the licensing officers' client: the queue, a
//! case with its evidence, claiming, deciding, marking findings, asking for
//! information, checks, suppressions and a live console.

use std::fmt::Write as _;

use anyhow::{Context, bail};
use serde_json::{Value, json};
use tonic::Request;

use crate::api::ACTOR_HEADER;
use crate::api::pb;
use crate::cli::args::{
    CaseIdArgs, CasesCommand, CasesListArgs, ClaimArgs, DecideArgs, MarkArgs, OfficerArgs,
    RecordCheckArgs, ReopenArgs, RequestInfoArgs, ScheduleCheckArgs, SuppressionArgs, WatchArgs,
};
use crate::cli::{client, json as cli_json};

/// Runs a `cases` subcommand.
///
/// # Errors
/// Bad arguments, an unreachable server, or a refused request (the server's
/// message says why: a status that does not allow the action, a missing
/// reason ...).
pub async fn run(cmd: CasesCommand) -> anyhow::Result<()> {
    match cmd {
        CasesCommand::List(a) => list(a).await,
        CasesCommand::Show(a) => show(a).await,
        CasesCommand::Claim(a) => claim(a).await,
        CasesCommand::Decide(a) => decide(a).await,
        CasesCommand::Mark(a) => mark(a).await,
        CasesCommand::RequestInfo(a) => request_info(a).await,
        CasesCommand::Reopen(a) => reopen(a).await,
        CasesCommand::RecordCheck(a) => record_check(a).await,
        CasesCommand::ScheduleCheck(a) => schedule_check(a).await,
        CasesCommand::Suppression(a) => suppression(a).await,
        CasesCommand::Watch(a) => watch(a).await,
    }
}

/// A request carrying the actor metadata.
pub fn request<T>(msg: T, actor: Option<&str>) -> anyhow::Result<Request<T>> {
    let mut r = Request::new(msg);
    if let Some(actor) = actor {
        let value = actor
            .parse()
            .with_context(|| format!("--actor {actor:?}: must be printable ASCII"))?;
        r.metadata_mut().insert(ACTOR_HEADER, value);
    }
    Ok(r)
}

/// A time argument as Unix milliseconds: `YYYY-MM-DD` (midnight UTC),
/// RFC 3339, or a number of milliseconds.
///
/// # Errors
/// Anything else.
pub fn parse_when(s: &str) -> anyhow::Result<i64> {
    let s = s.trim();
    if let Ok(ms) = s.parse::<i64>() {
        return Ok(ms);
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        if let Some(t) = d.and_hms_opt(0, 0, 0) {
            return Ok(t.and_utc().timestamp_millis());
        }
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_millis());
    }
    bail!("{s:?}: expected YYYY-MM-DD, an RFC 3339 time or Unix milliseconds")
}

/// Unix milliseconds as RFC 3339 in local time (empty for 0).
pub fn show_time(ms: i64) -> String {
    crate::cli::time::local(ms)
}

/// A status argument (`open`, `in-review`, `check-due` ...).
///
/// # Errors
/// An unknown name.
pub fn parse_status(s: &str) -> anyhow::Result<pb::CaseStatus> {
    let norm = s.trim().to_ascii_uppercase().replace('-', "_");
    let norm = match norm.as_str() {
        "CHECK_DUE" | "POST_SHIPMENT" => "POST_SHIPMENT_CHECK_DUE".to_string(),
        _ => norm,
    };
    pb::CaseStatus::from_str_name(&format!("CASE_STATUS_{norm}"))
        .filter(|s| *s != pb::CaseStatus::Unspecified)
        .with_context(|| {
            format!("unknown status {s:?} (open, in-review, info-requested, approved, denied, check-due, verified, diverted, closed)")
        })
}

/// A priority argument (`high`, `medium`, `low`).
///
/// # Errors
/// An unknown name.
pub fn parse_priority(s: &str) -> anyhow::Result<pb::CasePriority> {
    pb::CasePriority::from_str_name(&format!("CASE_PRIORITY_{}", s.trim().to_ascii_uppercase()))
        .filter(|p| *p != pb::CasePriority::Unspecified)
        .with_context(|| format!("unknown priority {s:?} (high, medium, low)"))
}

fn short(full: &str, prefix: &str) -> String {
    full.strip_prefix(prefix).unwrap_or(full).to_string()
}

/// A status's name without prefix.
pub fn status_name(n: i32) -> String {
    pb::CaseStatus::try_from(n)
        .map(|s| short(s.as_str_name(), "CASE_STATUS_"))
        .unwrap_or_else(|_| n.to_string())
}

/// A priority's name without prefix.
pub fn priority_name(n: i32) -> String {
    pb::CasePriority::try_from(n)
        .map(|s| short(s.as_str_name(), "CASE_PRIORITY_"))
        .unwrap_or_else(|_| n.to_string())
}

fn verdict_name(n: i32) -> String {
    pb::FindingVerdict::try_from(n)
        .map(|s| short(s.as_str_name(), "FINDING_VERDICT_"))
        .unwrap_or_else(|_| n.to_string())
}

fn check_name(n: i32) -> String {
    pb::CheckKind::try_from(n)
        .map(|s| short(s.as_str_name(), "CHECK_KIND_"))
        .unwrap_or_else(|_| n.to_string())
}

/// Age as `3d 4h`, `5h 10m` or `12m`.
pub fn age(ms: i64) -> String {
    let m = ms.max(0) / 60_000;
    let (d, h, m) = (m / 1440, (m / 60) % 24, m % 60);
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else {
        format!("{m}m")
    }
}

/// Rows as an aligned table (trailing spaces trimmed).
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ");
        s.truncate(s.trim_end().len());
        s.push('\n');
        s
    };
    let mut out = line(&header.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    for r in rows {
        out.push_str(&line(r));
    }
    out
}

/// The queue as a table.
pub fn queue_table(cases: &[pb::CaseSummary], now: i64) -> String {
    let rows: Vec<Vec<String>> = cases
        .iter()
        .map(|c| {
            vec![
                c.case_id.clone(),
                format!("{} {}", priority_name(c.priority), c.priority_score),
                status_name(c.status),
                cli_json::decision_name(c.decision),
                c.exporter.clone(),
                c.reference.clone(),
                c.assignee.clone(),
                age(now - c.created_at_unix_ms),
                c.entries
                    .iter()
                    .map(|e| format!("{}:{}", e.list_id, e.entry_id))
                    .collect::<Vec<_>>()
                    .join(" "),
            ]
        })
        .collect();
    let mut out = table(
        &[
            "CASE",
            "PRIORITY",
            "STATUS",
            "DECISION",
            "EXPORTER",
            "REFERENCE",
            "ASSIGNEE",
            "AGE",
            "ENTRIES",
        ],
        &rows,
    );
    if rows.is_empty() {
        out.push_str("(no cases)\n");
    }
    out
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

async fn list(a: CasesListArgs) -> anyhow::Result<()> {
    let (list_id, entry_id) = match a.entry.as_deref().map(str::trim) {
        None | Some("") => (String::new(), String::new()),
        Some(e) => match e.split_once(':') {
            Some((l, id)) => (l.to_string(), id.to_string()),
            None => (String::new(), e.to_string()),
        },
    };
    let mut req = pb::ListCasesRequest {
        statuses: a
            .status
            .iter()
            .map(|s| parse_status(s).map(|s| s as i32))
            .collect::<anyhow::Result<_>>()?,
        priorities: a
            .priority
            .iter()
            .map(|s| parse_priority(s).map(|p| p as i32))
            .collect::<anyhow::Result<_>>()?,
        exporter: opt(&a.exporter),
        assignee: opt(&a.assignee),
        list_id,
        entry_id,
        created_from_unix_ms: a.from.as_deref().map(parse_when).transpose()?.unwrap_or(0),
        created_to_unix_ms: a.to.as_deref().map(parse_when).transpose()?.unwrap_or(0),
        reference: opt(&a.reference),
        party: opt(&a.party),
        query: opt(&a.search),
        decisions: Vec::new(),
        page_size: a.limit,
        page_token: opt(&a.page_token),
    };
    let mut c = client::cases().await?;
    let mut cases = Vec::new();
    let next = loop {
        let r = c
            .list_cases(request(req.clone(), a.common.actor.as_deref())?)
            .await
            .map_err(client::status_error)?
            .into_inner();
        cases.extend(r.cases);
        if a.all && !r.next_page_token.is_empty() {
            req.page_token = r.next_page_token;
        } else {
            break r.next_page_token;
        }
    };
    if a.common.json {
        cli_json::print(&pb::ListCasesResponse {
            cases,
            next_page_token: next,
        })?;
    } else {
        print!("{}", queue_table(&cases, crate::service::now_unix_ms()));
        if !next.is_empty() {
            println!("more: --page-token {next}");
        }
    }
    Ok(())
}

/// A case for people: summary, priority, each screening's findings
/// (numbered as `cases mark --finding` takes them), marks, checks, history.
pub fn case_text(c: &pb::Case) -> String {
    let mut out = String::new();
    let s = c.summary.clone().unwrap_or_default();
    let _ = writeln!(out, "case:       {}", s.case_id);
    let _ = writeln!(
        out,
        "exporter:   {} (reference {})",
        s.exporter, s.reference
    );
    let _ = writeln!(
        out,
        "status:     {}{}",
        status_name(s.status),
        if s.assignee.is_empty() {
            String::new()
        } else {
            format!(", held by {}", s.assignee)
        }
    );
    let _ = writeln!(
        out,
        "decision:   {} (priority {} {})",
        cli_json::decision_name(s.decision),
        priority_name(s.priority),
        s.priority_score
    );
    if let Some(sig) = &c.signals {
        let _ = writeln!(out, "why:        {}", sig.explanation);
    }
    let _ = writeln!(out, "opened:     {}", show_time(s.created_at_unix_ms));
    if s.decided_at_unix_ms != 0 {
        let _ = writeln!(
            out,
            "decided:    {} by {}",
            show_time(s.decided_at_unix_ms),
            c.decided_by
        );
    }
    if s.check_due_unix_ms != 0 {
        let _ = writeln!(out, "check due:  {}", show_time(s.check_due_unix_ms));
    }
    for scr in &c.screenings {
        let Some(res) = &scr.result else { continue };
        let _ = writeln!(
            out,
            "\nscreening {} at {}: {}{}",
            scr.screening_id,
            show_time(scr.screened_at_unix_ms),
            cli_json::decision_name(res.decision),
            if res.unsuppressed_decision != res.decision {
                format!(
                    " ({} before suppressions)",
                    cli_json::decision_name(res.unsuppressed_decision)
                )
            } else {
                String::new()
            }
        );
        if let Some(sh) = &scr.shipment {
            let _ = writeln!(
                out,
                "  to {}; end use: {}",
                sh.destination_country,
                sh.end_use.lines().next().unwrap_or("")
            );
            for (i, p) in sh.parties.iter().enumerate() {
                let role = pb::PartyRole::try_from(p.role)
                    .map(|r| short(r.as_str_name(), "PARTY_ROLE_"))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "  party:{i} {role} {} ({}) {}",
                    p.name,
                    p.country,
                    p.address.replace('\n', ", ")
                );
            }
            for (i, it) in sh.items.iter().enumerate() {
                let _ = writeln!(out, "  item:{i} {} [{}]", it.description, it.declared_code);
            }
        }
        for (i, f) in res.findings.iter().enumerate() {
            let verdict = c
                .marks
                .iter()
                .rfind(|m| m.screening_id == scr.screening_id && m.finding_index as usize == i)
                .map(|m| format!(" [{} by {}]", verdict_name(m.verdict), m.officer))
                .unwrap_or_default();
            let cited = if f.list_id.is_empty() {
                format!("rule {}", f.rule)
            } else {
                format!("{} {} {}", f.list_id, f.entry_id, f.entry_name)
            };
            let _ = writeln!(
                out,
                "  #{} {} {} {} (score {:.2}){}{}",
                i + 1,
                cli_json::decision_name(f.decision),
                f.target,
                cited.trim(),
                f.score,
                if f.suppressed {
                    format!(
                        " SUPPRESSED by {} ({})",
                        f.suppressed_by, f.suppressed_by_case
                    )
                } else {
                    String::new()
                },
                verdict
            );
            if !f.reason.is_empty() {
                let _ = writeln!(out, "     {}", f.reason);
            }
            if !f.explanation.is_empty() {
                let _ = writeln!(out, "     {}", f.explanation);
            }
        }
        let versions: Vec<String> = res
            .list_versions
            .iter()
            .map(|v| format!("{}@{}", v.list_id, v.version))
            .collect();
        let _ = writeln!(out, "  lists: {}", versions.join(", "));
    }
    if !c.checks.is_empty() {
        let _ = writeln!(out, "\nchecks:");
        for k in &c.checks {
            let _ = writeln!(
                out,
                "  {} {} {} by {}: {}",
                show_time(k.at_unix_ms),
                check_name(k.kind),
                k.document,
                k.officer,
                k.notes
            );
        }
    }
    let _ = writeln!(out, "\nhistory:");
    for h in &c.history {
        let _ = writeln!(
            out,
            "  {} {} {} -> {}{}{}",
            show_time(h.at_unix_ms),
            h.actor,
            h.action,
            status_name(h.to),
            if h.detail.is_empty() {
                String::new()
            } else {
                format!(" ({})", h.detail)
            },
            if h.reason.is_empty() {
                String::new()
            } else {
                format!(": {}", h.reason)
            }
        );
    }
    out
}

async fn show(a: CaseIdArgs) -> anyhow::Result<()> {
    let mut c = client::cases().await?;
    // Every page of the case's screenings, merged.
    let mut case: Option<pb::Case> = None;
    let mut page_token = String::new();
    loop {
        let page = c
            .get_case(request(
                pb::GetCaseRequest {
                    case_id: a.case_id.clone(),
                    page_size: 0,
                    page_token: page_token.clone(),
                },
                a.common.actor.as_deref(),
            )?)
            .await
            .map_err(client::status_error)?
            .into_inner();
        page_token = page.next_page_token.clone();
        case = Some(match case {
            None => page,
            Some(mut all) => {
                all.screenings.extend(page.screenings);
                // Officers' actions come with every page; joins with theirs.
                for h in page.history {
                    if !all.history.contains(&h) {
                        all.history.push(h);
                    }
                }
                all.history.sort_by_key(|h| h.at_unix_ms);
                all
            }
        });
        if page_token.is_empty() {
            break;
        }
    }
    let case = case.unwrap_or_default();
    if a.common.json {
        cli_json::print(&case)?;
    } else {
        print!("{}", case_text(&case));
    }
    Ok(())
}

/// Prints an action's answer.
fn done(common: &OfficerArgs, r: &pb::CaseActionResponse) -> anyhow::Result<()> {
    let s = r.case.clone().unwrap_or_default();
    if common.json {
        return cli_json::print(r);
    }
    let mut line = format!(
        "{}: {} ({} {} {}){}",
        s.case_id,
        status_name(s.status),
        cli_json::decision_name(s.decision),
        priority_name(s.priority),
        s.priority_score,
        if s.assignee.is_empty() {
            String::new()
        } else {
            format!(", held by {}", s.assignee)
        }
    );
    if !r.suppression_id.is_empty() {
        let _ = write!(line, "; suppression {}", r.suppression_id);
    }
    if !r.closed_case_ids.is_empty() {
        let _ = write!(
            line,
            "; closed {} other open case(s): {}",
            r.closed_case_ids.len(),
            r.closed_case_ids.join(", ")
        );
    }
    let seqs: Vec<String> = r.audit_seqs.iter().map(|n| format!("#{n}")).collect();
    println!("{line}; audit {}", seqs.join(" "));
    Ok(())
}

async fn claim(a: ClaimArgs) -> anyhow::Result<()> {
    let mut c = client::cases().await?;
    let msg = pb::ClaimCaseRequest {
        case_id: a.case_id,
        assignee: opt(&a.to),
        reason: a.reason,
    };
    let r = c
        .claim_case(request(msg, a.common.actor.as_deref())?)
        .await
        .map_err(client::status_error)?
        .into_inner();
    done(&a.common, &r)
}

async fn decide(a: DecideArgs) -> anyhow::Result<()> {
    let mut c = client::cases().await?;
    let msg = pb::DecideCaseRequest {
        case_id: a.case_id,
        decision: if a.approve {
            pb::CaseDecision::Approve
        } else {
            pb::CaseDecision::Deny
        } as i32,
        reason: a.reason,
        post_shipment_check_due_unix_ms: a
            .check_due
            .as_deref()
            .map(parse_when)
            .transpose()?
            .unwrap_or(0),
    };
    let r = c
        .decide_case(request(msg, a.common.actor.as_deref())?)
        .await
        .map_err(client::status_error)?
        .into_inner();
    done(&a.common, &r)
}

async fn mark(a: MarkArgs) -> anyhow::Result<()> {
    let Some(index) = a.finding.checked_sub(1) else {
        bail!("--finding counts from 1, as `cases show` numbers findings");
    };
    let mut c = client::cases().await?;
    let msg = pb::MarkFindingRequest {
        case_id: a.case_id,
        screening_id: a.screening,
        finding_index: index,
        verdict: if a.not_a_match {
            pb::FindingVerdict::NotAMatch
        } else {
            pb::FindingVerdict::ConfirmedMatch
        } as i32,
        reason: a.reason,
        close_others: a.close_others,
    };
    let r = c
        .mark_finding(request(msg, a.common.actor.as_deref())?)
        .await
        .map_err(client::status_error)?
        .into_inner();
    done(&a.common, &r)
}

async fn reopen(a: ReopenArgs) -> anyhow::Result<()> {
    let mut c = client::cases().await?;
    let msg = pb::ReopenCaseRequest {
        case_id: a.case_id,
        reason: a.reason,
    };
    let r = c
        .reopen_case(request(msg, a.common.actor.as_deref())?)
        .await
        .map_err(client::status_error)?
        .into_inner();
    done(&a.common, &r)
}

async fn request_info(a: RequestInfoArgs) -> anyhow::Result<()> {
    let mut c = client::cases().await?;
    let msg = pb::RequestInfoRequest {
        case_id: a.case_id,
        reason: a.reason,
    };
    let r = c
        .request_info(request(msg, a.common.actor.as_deref())?)
        .await
        .map_err(client::status_error)?
        .into_inner();
    done(&a.common, &r)
}

/// A check kind argument.
///
/// # Errors
/// An unknown kind.
pub fn parse_check_kind(s: &str) -> anyhow::Result<pb::CheckKind> {
    Ok(match s.trim().to_ascii_lowercase().as_str() {
        "certificate" | "end-use-certificate" => pb::CheckKind::EndUseCertificate,
        "verified" => pb::CheckKind::PostShipmentVerified,
        "diverted" => pb::CheckKind::PostShipmentDiverted,
        other => bail!("unknown check kind {other:?} (certificate, verified, diverted)"),
    })
}

async fn record_check(a: RecordCheckArgs) -> anyhow::Result<()> {
    let kind = parse_check_kind(&a.kind)?;
    let mut c = client::cases().await?;
    let msg = pb::RecordCheckRequest {
        case_id: a.case_id,
        kind: kind as i32,
        document: a.document,
        reason: a.reason,
    };
    let r = c
        .record_check(request(msg, a.common.actor.as_deref())?)
        .await
        .map_err(client::status_error)?
        .into_inner();
    done(&a.common, &r)
}

async fn schedule_check(a: ScheduleCheckArgs) -> anyhow::Result<()> {
    let due = parse_when(&a.due)?;
    let mut c = client::cases().await?;
    let msg = pb::ScheduleCheckRequest {
        case_id: a.case_id,
        due_unix_ms: due,
        reason: a.reason,
    };
    let r = c
        .schedule_check(request(msg, a.common.actor.as_deref())?)
        .await
        .map_err(client::status_error)?
        .into_inner();
    done(&a.common, &r)
}

async fn suppression(a: SuppressionArgs) -> anyhow::Result<()> {
    let mut c = client::cases().await?;
    let s = c
        .get_suppression(request(
            pb::GetSuppressionRequest {
                suppression_id: a.suppression_id,
            },
            a.common.actor.as_deref(),
        )?)
        .await
        .map_err(client::status_error)?
        .into_inner();
    if a.common.json {
        return cli_json::print(&s);
    }
    let party = s.party.clone().unwrap_or_default();
    let version = s.judged_version.clone().unwrap_or_default();
    let v = json!({
        "suppression_id": s.suppression_id,
        "active": s.active,
        "party": {"name": party.name, "address": party.address, "country": party.country},
        "list_id": s.list_id, "entry_id": s.entry_id, "entry_name": s.entry_name,
        "entry_fingerprint": s.entry_fingerprint,
        "judged_version": format!("{}@{}", version.list_id, version.version),
        "case_id": s.case_id, "screening_id": s.screening_id, "finding_index": s.finding_index,
        "officer": s.officer, "reason": s.reason, "created_at": crate::cli::time::utc(s.created_at_unix_ms),
        "ended_at": crate::cli::time::utc(s.ended_at_unix_ms), "ended_by": s.ended_by, "ended_why": s.ended_why,
    });
    if let Value::Object(m) = v {
        for (k, v) in m {
            let v = match v {
                Value::String(s) => s,
                other => other.to_string(),
            };
            println!("{k:<18} {v}");
        }
    }
    Ok(())
}

/// One console event as a line.
pub fn event_line(e: &pb::CaseEvent) -> String {
    if e.kind == pb::case_event::Kind::Resync as i32 {
        return format!("resync: {} events missed; list the queue again", e.missed);
    }
    let s = e.case.clone().unwrap_or_default();
    format!(
        "{} {} {} by {}: {} {} {} {} {} {}",
        show_time(e.at_unix_ms),
        short(
            pb::case_event::Kind::try_from(e.kind)
                .map(|k| k.as_str_name())
                .unwrap_or(""),
            "KIND_"
        ),
        e.action,
        e.actor,
        s.case_id,
        status_name(s.status),
        priority_name(s.priority),
        s.priority_score,
        s.exporter,
        s.reference
    )
}

async fn watch(a: WatchArgs) -> anyhow::Result<()> {
    let msg = pb::WatchCasesRequest {
        statuses: a
            .status
            .iter()
            .map(|s| parse_status(s).map(|s| s as i32))
            .collect::<anyhow::Result<_>>()?,
        assignee: opt(&a.assignee),
        min_priority: a
            .min_priority
            .as_deref()
            .map(parse_priority)
            .transpose()?
            .map(|p| p as i32)
            .unwrap_or(0),
    };
    let mut c = client::cases().await?;
    let mut stream = c
        .watch_cases(request(msg, a.common.actor.as_deref())?)
        .await
        .map_err(client::status_error)?
        .into_inner();
    eprintln!("watching cases (Ctrl-C stops)");
    let mut seen = 0u64;
    while let Some(e) = stream.message().await.map_err(client::status_error)? {
        if a.common.json {
            // One event per line (NDJSON).
            println!("{}", serde_json::to_string(&e)?);
        } else {
            println!("{}", event_line(&e));
        }
        seen += 1;
        if a.count != 0 && seen >= a.count {
            return Ok(());
        }
    }
    eprintln!("the server ended the stream (shutting down?)");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_in_three_forms() {
        assert_eq!(parse_when("1700000000000").unwrap(), 1_700_000_000_000);
        assert_eq!(parse_when("2023-11-14").unwrap(), 1_699_920_000_000);
        assert_eq!(
            parse_when("2023-11-14T22:13:20Z").unwrap(),
            1_700_000_000_000
        );
        assert!(parse_when("14/11/2023").is_err());
        let shown = show_time(1_700_000_000_000);
        let back = chrono::DateTime::parse_from_rfc3339(&shown).unwrap();
        assert_eq!(back.timestamp_millis(), 1_700_000_000_000, "{shown}");
        assert_eq!(show_time(0), "");
    }

    #[test]
    fn statuses_and_priorities_parse_by_short_name() {
        let table = [
            ("open", pb::CaseStatus::Open),
            ("in-review", pb::CaseStatus::InReview),
            ("INFO_REQUESTED", pb::CaseStatus::InfoRequested),
            ("check-due", pb::CaseStatus::PostShipmentCheckDue),
            (
                "post-shipment-check-due",
                pb::CaseStatus::PostShipmentCheckDue,
            ),
            ("diverted", pb::CaseStatus::Diverted),
            ("closed", pb::CaseStatus::Closed),
        ];
        for (s, want) in table {
            assert_eq!(parse_status(s).unwrap(), want, "{s}");
        }
        assert!(parse_status("unspecified").is_err());
        assert!(parse_status("shut").is_err());
        assert_eq!(parse_priority("High").unwrap(), pb::CasePriority::High);
        assert!(parse_priority("urgent").is_err());
        assert_eq!(
            parse_check_kind("certificate").unwrap(),
            pb::CheckKind::EndUseCertificate
        );
        assert!(parse_check_kind("lost").is_err());
    }

    #[test]
    fn the_queue_prints_as_a_table() {
        let c = pb::CaseSummary {
            case_id: "case-1".into(),
            exporter: "ACME".into(),
            reference: "PO-1".into(),
            status: pb::CaseStatus::InReview as i32,
            decision: pb::Decision::Prohibited as i32,
            priority: pb::CasePriority::High as i32,
            priority_score: 3550,
            assignee: "alice".into(),
            created_at_unix_ms: 0,
            entries: vec![pb::CitedEntry {
                list_id: "sdn".into(),
                entry_id: "101".into(),
                entry_name: "X".into(),
            }],
            ..pb::CaseSummary::default()
        };
        let t = queue_table(&[c], 2 * 86_400_000 + 3_600_000);
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines[0].starts_with("CASE    PRIORITY   STATUS"), "{t}");
        assert!(
            lines[1].starts_with("case-1  HIGH 3550  IN_REVIEW  PROHIBITED  ACME      PO-1       alice     2d 1h  sdn:101"),
            "{t}"
        );
        assert!(queue_table(&[], 0).ends_with("(no cases)\n"));
        assert_eq!(age(59_000), "0m");
        assert_eq!(age(3_660_000), "1h 1m");
    }
}
