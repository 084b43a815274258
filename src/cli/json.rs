//! JSON on the command line: shipments in (the shape of the evaluation
//! set's `shipment` objects) and answers out: `--json` prints the API's
//! proto3 JSON ([`print`], the same as the HTTP API and grpcurl), text is
//! for people (enum values without their type prefix, `PROHIBITED`).
//!
//! On input the role's prefix is optional (`CONSIGNEE`, `PARTY_ROLE_CONSIGNEE`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::{Context, bail};
use serde::Deserialize;
use serde_json::Value;

use crate::api::pb;

/// A shipment as JSON. Unknown keys are refused so a misspelt field is not
/// silently dropped.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShipmentJson {
    #[serde(default)]
    reference: String,
    #[serde(default)]
    exporter: String,
    #[serde(default)]
    items: Vec<ItemJson>,
    #[serde(default)]
    parties: Vec<PartyJson>,
    #[serde(default)]
    destination_country: String,
    #[serde(default)]
    end_use: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemJson {
    description: String,
    #[serde(default)]
    declared_code: String,
    #[serde(default)]
    quantity: f64,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    parameters: BTreeMap<String, f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PartyJson {
    #[serde(default)]
    role: String,
    name: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    country: String,
}

/// Parses a shipment: the object itself, or an object holding it under
/// `shipment` (an evaluation case).
///
/// # Errors
/// Malformed JSON, an unknown key, a missing `name`/`description`, or an
/// unknown role.
pub fn parse_shipment(text: &str) -> anyhow::Result<pb::Shipment> {
    let value: Value = serde_json::from_str(text).context("not valid JSON")?;
    let value = match value {
        Value::Object(mut o) if o.contains_key("shipment") => {
            o.remove("shipment").unwrap_or_default()
        }
        other => other,
    };
    let s: ShipmentJson = serde_json::from_value(value).context("not a shipment")?;
    let ShipmentJson {
        reference,
        exporter,
        items,
        parties,
        destination_country,
        end_use,
    } = s;
    Ok(pb::Shipment {
        reference,
        exporter,
        items: items
            .into_iter()
            .map(|i| {
                let ItemJson {
                    description,
                    declared_code,
                    quantity,
                    unit,
                    parameters,
                } = i;
                pb::Item {
                    description,
                    declared_code,
                    quantity,
                    unit,
                    parameters: parameters.into_iter().collect(),
                }
            })
            .collect(),
        parties: parties
            .into_iter()
            .enumerate()
            .map(|(n, p)| {
                let PartyJson {
                    role,
                    name,
                    address,
                    country,
                } = p;
                Ok(pb::Party {
                    role: parse_role(&role).with_context(|| format!("parties[{n}].role"))? as i32,
                    name,
                    address,
                    country,
                })
            })
            .collect::<anyhow::Result<_>>()?,
        destination_country,
        end_use,
    })
}

/// A party role by name, with or without the `PARTY_ROLE_` prefix, any case;
/// empty means unspecified.
///
/// # Errors
/// An unknown name (the message lists the known ones).
pub fn parse_role(name: &str) -> anyhow::Result<pb::PartyRole> {
    let n = name.trim().to_ascii_uppercase().replace(['-', ' '], "_");
    if n.is_empty() {
        return Ok(pb::PartyRole::Unspecified);
    }
    let full = if n.starts_with("PARTY_ROLE_") {
        n
    } else {
        format!("PARTY_ROLE_{n}")
    };
    match pb::PartyRole::from_str_name(&full) {
        Some(r) => Ok(r),
        None => bail!(
            "unknown role '{name}' (known: CONSIGNEE, END_USER, INTERMEDIATE_CONSIGNEE, FREIGHT_FORWARDER, PURCHASER, EXPORTER)"
        ),
    }
}

/// The name of an enum value without its type prefix.
fn short<'a>(full: &'a str, prefix: &str) -> &'a str {
    full.strip_prefix(prefix).unwrap_or(full)
}

/// A decision's name (`PROHIBITED`), or the number if unknown.
pub fn decision_name(n: i32) -> String {
    pb::Decision::try_from(n)
        .map(|d| short(d.as_str_name(), "DECISION_").to_string())
        .unwrap_or_else(|_| n.to_string())
}

fn kind_name(n: i32) -> String {
    pb::FindingKind::try_from(n)
        .map(|k| short(k.as_str_name(), "FINDING_KIND_").to_string())
        .unwrap_or_else(|_| n.to_string())
}

/// Prints a message as the API's proto3 JSON (pretty): the same JSON as
/// the HTTP API and grpcurl (lowerCamelCase names, enums by full name,
/// 64-bit integers as strings, defaults omitted).
///
/// # Errors
/// Writing standard output failed.
pub fn print<M: serde::Serialize>(message: &M) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(message)?);
    Ok(())
}

/// A ScreenShipment answer for people.
pub fn response_text(r: &pb::ScreenShipmentResponse) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "decision:  {}", decision_name(r.decision));
    let _ = writeln!(out, "screening: {}", r.screening_id);
    if !r.case_id.is_empty() {
        let _ = writeln!(out, "case:      {}", r.case_id);
    }
    if let Some(d) = r.destination.as_ref().filter(|d| !d.summary.is_empty()) {
        let _ = writeln!(out, "where:     {}", d.summary);
    }
    if r.findings.is_empty() {
        let _ = writeln!(out, "findings:  none");
    } else {
        let _ = writeln!(out, "findings:");
    }
    for (i, f) in r.findings.iter().enumerate() {
        let cited = match (f.list_id.is_empty(), f.rule.is_empty()) {
            (false, _) => format!("{} {} {}", f.list_id, f.entry_id, f.entry_name),
            (true, false) => format!("rule {}", f.rule),
            (true, true) => String::new(),
        };
        let _ = writeln!(
            out,
            "  {}. {} {} [{}] {} (score {:.2})",
            i + 1,
            decision_name(f.decision),
            f.target,
            kind_name(f.kind),
            cited.trim(),
            f.score
        );
        if f.suppressed && f.suppressed_by_case.is_empty() {
            // An exporter is not told where (another exporter's case).
            let _ = writeln!(
                out,
                "     SUPPRESSED (does not count): judged not a match by an officer"
            );
        } else if f.suppressed {
            let _ = writeln!(
                out,
                "     SUPPRESSED (does not count): judged not a match in {} ({})",
                f.suppressed_by_case, f.suppressed_by
            );
        }
        if !f.reason.is_empty() {
            let _ = writeln!(out, "     {}", f.reason);
        }
        if !f.explanation.is_empty() {
            let _ = writeln!(out, "     {}", f.explanation);
        }
    }
    let versions: Vec<String> = r
        .list_versions
        .iter()
        .map(|v| format!("{}@{}", v.list_id, v.version))
        .collect();
    let _ = writeln!(out, "lists:     {}", versions.join(", "));
    if let Some(p) = &r.policy {
        let _ = writeln!(
            out,
            "policy:    {} (party review >= {:.2}, near-exact >= {:.2})",
            p.version, p.party_review_threshold, p.party_near_exact_threshold
        );
    }
    let _ = writeln!(out, "engine:    {} us", r.engine_micros);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASE: &str = r#"{"id": "dev-shipment-00014", "category": "prohibited_listed_alias",
        "shipment": {"reference": "D-SO-2024161", "exporter": "Rhone Composites SAS",
        "destination_country": "JP", "end_use": "Replacement parts",
        "items": [{"description": "Dry ice pellets, 3 mm", "declared_code": "",
                   "quantity": 500, "unit": "kg", "parameters": {"diameter_m": 0.003}}],
        "parties": [{"role": "EXPORTER", "name": "Rhone Composites SAS", "address": "x", "country": "FR"},
                    {"role": "PARTY_ROLE_END_USER", "name": "NORINCO", "address": "", "country": "CN"},
                    {"name": "No Role Ltd"}]},
        "expect": {"decision": "PROHIBITED", "must_flag": ["party:1"]}}"#;

    #[test]
    fn evaluation_cases_and_bare_shipments_parse() {
        let s = parse_shipment(CASE).unwrap();
        assert_eq!(s.reference, "D-SO-2024161");
        assert_eq!(s.items[0].quantity, 500.0);
        assert_eq!(s.items[0].parameters["diameter_m"], 0.003);
        let roles: Vec<i32> = s.parties.iter().map(|p| p.role).collect();
        assert_eq!(
            roles,
            vec![
                pb::PartyRole::Exporter as i32,
                pb::PartyRole::EndUser as i32,
                pb::PartyRole::Unspecified as i32
            ]
        );
        let bare = parse_shipment(r#"{"items": [{"description": "gyro"}]}"#).unwrap();
        assert_eq!(bare.items[0].description, "gyro");
    }

    #[test]
    fn mistakes_are_refused() {
        let table = [
            (r#"{"destination": "IR"}"#, "unknown field"),
            (
                r#"{"parties": [{"role": "BUYER", "name": "x"}]}"#,
                "unknown role 'BUYER'",
            ),
            (r#"{"items": [{"quantity": 1}]}"#, "description"),
            ("{", "not valid JSON"),
        ];
        for (text, want) in table {
            let err = format!("{:#}", parse_shipment(text).unwrap_err());
            assert!(err.contains(want), "{text}: {err}");
        }
    }

    #[test]
    fn roles_parse_with_or_without_prefix() {
        let table = [
            ("consignee", pb::PartyRole::Consignee),
            ("END_USER", pb::PartyRole::EndUser),
            ("end-user", pb::PartyRole::EndUser),
            (
                "PARTY_ROLE_INTERMEDIATE_CONSIGNEE",
                pb::PartyRole::IntermediateConsignee,
            ),
            ("Freight Forwarder", pb::PartyRole::FreightForwarder),
            ("", pb::PartyRole::Unspecified),
        ];
        for (name, want) in table {
            assert_eq!(parse_role(name).unwrap(), want, "{name}");
        }
    }

    #[test]
    fn answers_render_by_name() {
        let r = pb::ScreenShipmentResponse {
            decision: pb::Decision::Prohibited as i32,
            findings: vec![pb::Finding {
                kind: pb::FindingKind::Party as i32,
                target: "party:1".into(),
                list_id: "ofac-cons".into(),
                entry_id: "30957".into(),
                entry_name: "NORINCO".into(),
                score: 1.0,
                decision: pb::Decision::Prohibited as i32,
                reason: "Party 1 is listed.".into(),
                ..pb::Finding::default()
            }],
            case_id: "case-1".into(),
            screening_id: "scr-1".into(),
            ..pb::ScreenShipmentResponse::default()
        };
        // --json is the API's proto3 JSON.
        let j = serde_json::to_value(&r).unwrap();
        assert_eq!(j["decision"], "DECISION_PROHIBITED");
        assert_eq!(j["findings"][0]["kind"], "FINDING_KIND_PARTY");
        assert_eq!(j["findings"][0]["listId"], "ofac-cons");
        assert_eq!(j["screeningId"], "scr-1");
        let t = response_text(&r);
        assert!(t.contains("decision:  PROHIBITED"), "{t}");
        assert!(
            t.contains("PROHIBITED party:1 [PARTY] ofac-cons 30957 NORINCO"),
            "{t}"
        );
        assert!(t.contains("case:      case-1"), "{t}");
    }
}
