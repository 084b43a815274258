//! `exportscreen screen FILE`: screens one shipment (a JSON object) or a
//! batch (JSON lines, one shipment per line, sent as one ScreenShipments
//! stream) and prints the decisions and findings. With `--fail-on`, the
//! exit code says whether the strongest decision reached the threshold
//! ([`exit::gate`]).

use anyhow::Context;

use crate::api::pb;
use crate::cli::args::ScreenArgs;
use crate::cli::{client, exit, input, json};

/// What a shipment file holds.
#[derive(Debug, PartialEq)]
pub enum Shipments {
    /// One JSON object.
    One(pb::Shipment),
    /// JSON lines, one shipment each.
    Batch(Vec<pb::Shipment>),
}

/// Parses a shipment file: one JSON value (a shipment, or an object holding
/// it under `shipment`), else JSON lines (blank lines skipped).
///
/// # Errors
/// Neither: the message names the line for a batch.
pub fn parse(text: &str) -> anyhow::Result<Shipments> {
    if serde_json::from_str::<serde_json::Value>(text).is_ok() {
        return json::parse_shipment(text).map(Shipments::One);
    }
    let mut batch = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let s = json::parse_shipment(line).with_context(|| format!("line {}", n + 1))?;
        batch.push(s);
    }
    if batch.is_empty() {
        anyhow::bail!("no shipment: the file is empty");
    }
    Ok(Shipments::Batch(batch))
}

/// Screens the shipment(s) in `args.file`; returns the exit code.
///
/// # Errors
/// The file cannot be read or parsed (exit 2), the server cannot be
/// reached (3), or it refuses a shipment (1).
pub async fn run(args: ScreenArgs) -> anyhow::Result<u8> {
    let text = input::read_text(&args.file)?;
    let shipments = parse(&text)
        .with_context(|| input::shown(&args.file))
        .map_err(exit::usage)?;
    let mut c = client::screening().await?;
    let answers = match shipments {
        Shipments::One(shipment) => {
            let answer = c
                .screen_shipment(pb::ScreenShipmentRequest {
                    shipment: Some(shipment),
                })
                .await
                .map_err(client::status_error)?
                .into_inner();
            print_answer(&answer, args.json, None)?;
            vec![answer.decision]
        }
        Shipments::Batch(batch) => {
            let requests = batch
                .into_iter()
                .map(|s| pb::ScreenShipmentRequest { shipment: Some(s) });
            let mut stream = c
                .screen_shipments(tokio_stream::iter(requests))
                .await
                .map_err(client::status_error)?
                .into_inner();
            let mut decisions = Vec::new();
            while let Some(answer) = stream.message().await.map_err(client::status_error)? {
                print_answer(&answer, args.json, Some(decisions.len()))?;
                decisions.push(answer.decision);
            }
            decisions
        }
    };
    let Some(fail_on) = args.fail_on else {
        return Ok(exit::OK);
    };
    // The strongest decision decides; an answer without one fails.
    let code = answers
        .iter()
        .map(|d| exit::gate(*d, fail_on))
        .max()
        .unwrap_or(exit::OK);
    if code != exit::OK {
        eprintln!("exportscreen: a decision at or above --fail-on: exit {code}");
    }
    Ok(code)
}

/// Prints one answer; `index` numbers the answers of a batch.
fn print_answer(
    answer: &pb::ScreenShipmentResponse,
    as_json: bool,
    index: Option<usize>,
) -> anyhow::Result<()> {
    match (as_json, index) {
        (true, None) => println!(
            "{}",
            serde_json::to_string_pretty(&json::response_json(answer))?
        ),
        (true, Some(_)) => println!("{}", serde_json::to_string(&json::response_json(answer))?),
        (false, None) => print!("{}", json::response_text(answer)),
        (false, Some(i)) => {
            if i > 0 {
                println!();
            }
            println!("# shipment {}", i + 1);
            print!("{}", json::response_text(answer));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_object_or_json_lines() {
        let one = "{\n  \"reference\": \"A\",\n  \"items\": [{\"description\": \"x\"}]\n}\n";
        assert!(matches!(parse(one).unwrap(), Shipments::One(s) if s.reference == "A"));
        let batch = "{\"reference\": \"A\"}\n\n{\"reference\": \"B\"}\n";
        match parse(batch).unwrap() {
            Shipments::Batch(b) => {
                let refs: Vec<&str> = b.iter().map(|s| s.reference.as_str()).collect();
                assert_eq!(refs, ["A", "B"]);
            }
            other => panic!("{other:?}"),
        }
        let bad = "{\"reference\": \"A\"}\n{\"referense\": \"B\"}\n";
        let err = format!("{:#}", parse(bad).unwrap_err());
        assert!(err.starts_with("line 2"), "{err}");
        assert!(parse("  \n").is_err());
    }
}
