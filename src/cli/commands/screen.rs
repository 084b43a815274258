//! `exportscreen screen FILE.json`: screens one shipment and prints the
//! decision and findings.

use std::io::Read;

use anyhow::Context;

use crate::api::pb;
use crate::cli::args::ScreenArgs;
use crate::cli::{client, json};

/// Screens the shipment in `args.file`.
///
/// # Errors
/// The file cannot be read or parsed, the server cannot be reached, or it
/// refuses the shipment.
pub async fn run(args: ScreenArgs) -> anyhow::Result<()> {
    let text = if args.file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("reading standard input")?;
        s
    } else {
        std::fs::read_to_string(&args.file)
            .with_context(|| format!("reading {}", args.file.display()))?
    };
    let shipment =
        json::parse_shipment(&text).with_context(|| format!("{}", args.file.display()))?;
    let mut c = client::screening(&args.server.server).await?;
    let answer = c
        .screen_shipment(pb::ScreenShipmentRequest {
            shipment: Some(shipment),
            request_id: String::new(),
        })
        .await
        .map_err(client::status_error)?
        .into_inner();
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json::response_json(&answer))?
        );
    } else {
        print!("{}", json::response_text(&answer));
    }
    Ok(())
}
