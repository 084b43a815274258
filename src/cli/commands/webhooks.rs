//! `exportscreen webhooks create|list|delete|deliveries`: webhook
//! subscriptions of a running server and their delivery log (an exporter's
//! token manages its own, an officer's or compliance's the office's).
//! Events are named as in the `X-Exportscreen-Event` header
//! (`case.decided` ...).

use anyhow::Context;

use crate::api::pb;
use crate::api::webhooks::event_type_to_pb;
use crate::cli::args::{WebhookCreateArgs, WebhooksCommand};
use crate::cli::{client, exit};
use crate::store::webhooks::EventType;

/// Runs a webhooks subcommand.
///
/// # Errors
/// Invalid arguments, the server cannot be reached, or it refuses.
pub async fn run(cmd: WebhooksCommand) -> anyhow::Result<()> {
    match cmd {
        WebhooksCommand::Create(a) => create(a).await,
        WebhooksCommand::List(a) => {
            let webhooks = client::webhooks()
                .await?
                .list_webhooks(pb::ListWebhooksRequest {})
                .await
                .map_err(client::status_error)?
                .into_inner()
                .webhooks;
            if a.json {
                crate::cli::json::print(&pb::ListWebhooksResponse { webhooks })?;
            } else {
                print!("{}", table(&webhooks));
            }
            Ok(())
        }
        WebhooksCommand::Delete(a) => {
            let gone = client::webhooks()
                .await?
                .delete_webhook(pb::DeleteWebhookRequest {
                    webhook_id: a.webhook_id,
                })
                .await
                .map_err(client::status_error)?
                .into_inner();
            println!("deleted {} ({})", gone.webhook_id, gone.url);
            Ok(())
        }
        WebhooksCommand::Deliveries(a) => {
            let deliveries = client::webhooks()
                .await?
                .list_webhook_deliveries(pb::ListWebhookDeliveriesRequest {
                    webhook_id: a.webhook_id,
                    limit: a.limit,
                })
                .await
                .map_err(client::status_error)?
                .into_inner()
                .deliveries;
            if a.json {
                crate::cli::json::print(&pb::ListWebhookDeliveriesResponse { deliveries })?;
            } else {
                print!("{}", log(&deliveries));
            }
            Ok(())
        }
    }
}

/// The event type named `name` (`case.decided`).
///
/// # Errors
/// An unknown name, listing the known ones.
pub fn event_named(name: &str) -> anyhow::Result<EventType> {
    EventType::ALL
        .iter()
        .copied()
        .find(|t| t.as_str() == name.trim())
        .with_context(|| {
            format!(
                "unknown event {name:?} ({})",
                EventType::ALL.map(EventType::as_str).join(", ")
            )
        })
}

/// The header name of an event type's proto number (`?` when unknown).
pub fn event_name(n: i32) -> &'static str {
    EventType::ALL
        .iter()
        .copied()
        .find(|t| event_type_to_pb(*t) as i32 == n)
        .map_or("?", EventType::as_str)
}

async fn create(a: WebhookCreateArgs) -> anyhow::Result<()> {
    let events = a
        .events
        .iter()
        .map(|e| event_named(e).map(|t| event_type_to_pb(t) as i32))
        .collect::<anyhow::Result<Vec<i32>>>()
        .map_err(exit::usage)?;
    let answer = client::webhooks()
        .await?
        .create_webhook(pb::CreateWebhookRequest {
            url: a.url,
            events,
            description: a.description,
            exporter: a.exporter.unwrap_or_default(),
        })
        .await
        .map_err(client::status_error)?
        .into_inner();
    if a.json {
        crate::cli::json::print(&answer)?;
    } else {
        let id = answer.webhook.map(|w| w.webhook_id).unwrap_or_default();
        eprintln!("created {id}; its signing secret is shown once, store it now:");
        println!("{}", answer.secret);
    }
    Ok(())
}

fn time(unix_ms: i64) -> String {
    if unix_ms == 0 {
        return "-".into();
    }
    chrono::DateTime::from_timestamp_millis(unix_ms).map_or_else(
        || unix_ms.to_string(),
        |t| t.format("%Y-%m-%d %H:%M:%S").to_string(),
    )
}

fn aligned(rows: Vec<Vec<String>>) -> String {
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            rows.iter()
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// The subscriptions as a table.
pub fn table(webhooks: &[pb::Webhook]) -> String {
    let mut rows = vec![
        ["ID", "URL", "EVENTS", "EXPORTER", "CREATED", "BY"]
            .map(String::from)
            .to_vec(),
    ];
    for w in webhooks {
        rows.push(vec![
            w.webhook_id.clone(),
            w.url.clone(),
            w.events
                .iter()
                .map(|e| event_name(*e))
                .collect::<Vec<_>>()
                .join(","),
            if w.exporter.is_empty() {
                "(office)".into()
            } else {
                w.exporter.clone()
            },
            time(w.created_at_unix_ms),
            w.created_by.clone(),
        ]);
    }
    aligned(rows)
}

/// The delivery log: one line per attempt under its delivery.
pub fn log(deliveries: &[pb::WebhookDelivery]) -> String {
    let mut rows = vec![
        [
            "DELIVERY", "EVENT", "STATE", "ATTEMPT", "AT", "STATUS", "MS", "NEXT", "ERROR",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for d in deliveries {
        let state = match pb::WebhookDeliveryState::try_from(d.state) {
            Ok(pb::WebhookDeliveryState::Pending) => "pending",
            Ok(pb::WebhookDeliveryState::Delivered) => "delivered",
            Ok(pb::WebhookDeliveryState::Failed) => "failed",
            Ok(pb::WebhookDeliveryState::Unspecified) | Err(_) => "?",
        };
        if d.attempts.is_empty() {
            rows.push(vec![
                d.delivery_id.clone(),
                event_name(d.event_type).into(),
                state.into(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                time(d.next_attempt_at_unix_ms),
                String::new(),
            ]);
        }
        for a in &d.attempts {
            rows.push(vec![
                d.delivery_id.clone(),
                event_name(d.event_type).into(),
                state.into(),
                a.attempt.to_string(),
                time(a.at_unix_ms),
                if a.status_code == 0 {
                    "-".into()
                } else {
                    a.status_code.to_string()
                },
                a.duration_ms.to_string(),
                time(a.next_attempt_at_unix_ms),
                a.error.clone(),
            ]);
        }
    }
    aligned(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_are_the_header_names() {
        for t in EventType::ALL {
            assert_eq!(event_named(t.as_str()).unwrap(), t);
            assert_eq!(event_name(event_type_to_pb(t) as i32), t.as_str());
        }
        let e = event_named("case.closed").unwrap_err().to_string();
        assert!(
            e.contains("case.decided") && e.contains("list.changed"),
            "{e}"
        );
    }

    #[test]
    fn the_log_shows_each_attempt() {
        let d = pb::WebhookDelivery {
            delivery_id: "dlv-1".into(),
            event_type: pb::WebhookEventType::CaseDecided as i32,
            state: pb::WebhookDeliveryState::Delivered as i32,
            attempts: vec![
                pb::WebhookDeliveryAttempt {
                    attempt: 1,
                    at_unix_ms: 1_764_943_387_000,
                    status_code: 500,
                    error: "HTTP 500".into(),
                    duration_ms: 12,
                    next_attempt_at_unix_ms: 1_764_943_397_000,
                },
                pb::WebhookDeliveryAttempt {
                    attempt: 2,
                    at_unix_ms: 1_764_943_397_000,
                    status_code: 204,
                    duration_ms: 8,
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let out = log(&[d]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3, "{out}");
        assert!(lines[1].contains("case.decided") && lines[1].contains("500"));
        assert!(lines[1].contains("2025-12-05 14:03:17") && lines[1].ends_with("HTTP 500"));
        assert!(lines[2].contains("204") && lines[2].contains("delivered"));
        let t = table(&[pb::Webhook {
            webhook_id: "wh-1".into(),
            url: "https://erp.example.com/h".into(),
            events: vec![
                pb::WebhookEventType::CaseDecided as i32,
                pb::WebhookEventType::CaseStatusChanged as i32,
            ],
            ..Default::default()
        }]);
        assert!(
            t.contains("case.decided,case.status_changed") && t.contains("(office)"),
            "{t}"
        );
    }
}
