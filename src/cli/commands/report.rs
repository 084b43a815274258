//! `exportscreen report`: the queue by priority and age, decisions per
//! officer, mean time to decision, false-positive rates and the entries hit
//! most, as tables (or JSON).

use std::fmt::Write as _;

use serde_json::json;

use crate::api::pb;
use crate::cli::args::ReportArgs;
use crate::cli::client;
use crate::cli::commands::cases::{age, parse_when, priority_name, request, table};

/// Prints the report.
///
/// # Errors
/// An unreachable server or a refused request.
pub async fn run(a: ReportArgs) -> anyhow::Result<()> {
    let msg = pb::GetReportRequest {
        from_unix_ms: a.from.as_deref().map(parse_when).transpose()?.unwrap_or(0),
        to_unix_ms: a.to.as_deref().map(parse_when).transpose()?.unwrap_or(0),
    };
    let mut c = client::cases().await?;
    let r = c
        .get_report(request(msg, a.common.actor.as_deref())?)
        .await
        .map_err(client::status_error)?
        .into_inner();
    if a.common.json {
        println!("{}", serde_json::to_string_pretty(&report_json(&r))?);
    } else {
        print!("{}", report_text(&r));
    }
    Ok(())
}

fn fp_rows(rows: &[pb::FalsePositiveRate]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|x| {
            vec![
                x.key.clone(),
                x.not_a_match.to_string(),
                x.confirmed.to_string(),
                format!("{:.1} %", x.rate * 100.0),
            ]
        })
        .collect()
}

/// The report as tables.
pub fn report_text(r: &pb::Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Open cases by priority and age");
    let rows: Vec<Vec<String>> = r
        .open_cases
        .iter()
        .map(|o| {
            vec![
                priority_name(o.priority),
                o.under_1d.to_string(),
                o.from_1d_to_3d.to_string(),
                o.from_3d_to_7d.to_string(),
                o.from_7d_to_30d.to_string(),
                o.over_30d.to_string(),
                o.total.to_string(),
            ]
        })
        .collect();
    out.push_str(&table(
        &["PRIORITY", "<1d", "1-3d", "3-7d", "7-30d", ">30d", "TOTAL"],
        &rows,
    ));
    let _ = writeln!(
        out,
        "post-shipment checks due: {} ({} overdue)",
        r.checks_due, r.checks_overdue
    );

    let _ = writeln!(out, "\nDecisions per officer");
    let rows: Vec<Vec<String>> = r
        .officers
        .iter()
        .map(|o| {
            vec![
                o.officer.clone(),
                o.approved.to_string(),
                o.denied.to_string(),
                age(o.mean_millis_to_decision),
            ]
        })
        .collect();
    out.push_str(&table(
        &["OFFICER", "APPROVED", "DENIED", "MEAN TIME TO DECISION"],
        &rows,
    ));
    let _ = writeln!(
        out,
        "all officers: {} decisions, mean time to decision {}",
        r.decided,
        age(r.mean_millis_to_decision)
    );

    let _ = writeln!(out, "\nFalse positives per list (officers' marks)");
    out.push_str(&table(
        &["LIST", "NOT A MATCH", "CONFIRMED", "FALSE-POSITIVE RATE"],
        &fp_rows(&r.per_list),
    ));
    let _ = writeln!(out, "\nFalse positives per match kind");
    out.push_str(&table(
        &[
            "MATCH KIND",
            "NOT A MATCH",
            "CONFIRMED",
            "FALSE-POSITIVE RATE",
        ],
        &fp_rows(&r.per_match_kind),
    ));

    let _ = writeln!(out, "\nTop entities hit");
    let rows: Vec<Vec<String>> = r
        .top_entities
        .iter()
        .map(|e| {
            vec![
                e.list_id.clone(),
                e.entry_id.clone(),
                e.entry_name.clone(),
                e.cases.to_string(),
            ]
        })
        .collect();
    out.push_str(&table(&["LIST", "ENTRY", "NAME", "CASES"], &rows));
    out
}

/// The report as JSON.
pub fn report_json(r: &pb::Report) -> serde_json::Value {
    let fp = |rows: &[pb::FalsePositiveRate]| {
        rows.iter()
            .map(|x| json!({"key": x.key, "not_a_match": x.not_a_match, "confirmed": x.confirmed, "rate": x.rate}))
            .collect::<Vec<_>>()
    };
    json!({
        "generated_at_unix_ms": r.generated_at_unix_ms,
        "open_cases": r.open_cases.iter().map(|o| json!({
            "priority": priority_name(o.priority), "under_1d": o.under_1d,
            "from_1d_to_3d": o.from_1d_to_3d, "from_3d_to_7d": o.from_3d_to_7d,
            "from_7d_to_30d": o.from_7d_to_30d, "over_30d": o.over_30d, "total": o.total,
        })).collect::<Vec<_>>(),
        "checks_due": r.checks_due, "checks_overdue": r.checks_overdue,
        "officers": r.officers.iter().map(|o| json!({
            "officer": o.officer, "approved": o.approved, "denied": o.denied,
            "mean_millis_to_decision": o.mean_millis_to_decision,
        })).collect::<Vec<_>>(),
        "decided": r.decided, "mean_millis_to_decision": r.mean_millis_to_decision,
        "per_list": fp(&r.per_list), "per_match_kind": fp(&r.per_match_kind),
        "top_entities": r.top_entities.iter().map(|e| json!({
            "list_id": e.list_id, "entry_id": e.entry_id, "entry_name": e.entry_name, "cases": e.cases,
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_prints_every_section() {
        let r = pb::Report {
            open_cases: vec![pb::OpenCasesRow {
                priority: pb::CasePriority::High as i32,
                under_1d: 2,
                total: 2,
                ..pb::OpenCasesRow::default()
            }],
            officers: vec![pb::OfficerDecisions {
                officer: "alice".into(),
                approved: 3,
                denied: 1,
                mean_millis_to_decision: 5_400_000,
            }],
            per_list: vec![pb::FalsePositiveRate {
                key: "ofac-sdn".into(),
                not_a_match: 3,
                confirmed: 1,
                rate: 0.75,
            }],
            top_entities: vec![pb::EntityHits {
                list_id: "un-sc".into(),
                entry_id: "6908".into(),
                entry_name: "NORINCO".into(),
                cases: 4,
            }],
            ..pb::Report::default()
        };
        let t = report_text(&r);
        for want in [
            "HIGH      2    0     0     0      0     2",
            "alice    3         1       1h 30m",
            "ofac-sdn  3            1          75.0 %",
            "un-sc  6908   NORINCO  4",
        ] {
            assert!(t.contains(want), "{want:?} in\n{t}");
        }
        assert_eq!(report_json(&r)["per_list"][0]["rate"], 0.75);
    }
}
