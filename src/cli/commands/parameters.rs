//! `exportscreen parameters`: the technical parameter keys items may carry
//! (ListParameters), with their canonical unit and accepted range.

use std::fmt::Write as _;

use crate::api::pb;
use crate::cli::args::ParametersArgs;
use crate::cli::client;
use crate::engine::units::format_number;

/// Prints the keys as a table or JSON.
///
/// # Errors
/// The server cannot be reached or refuses.
pub async fn run(args: ParametersArgs) -> anyhow::Result<()> {
    let mut c = client::screening().await?;
    let r = c
        .list_parameters(pb::ListParametersRequest {})
        .await
        .map_err(client::status_error)?
        .into_inner();
    if args.json {
        let rows: Vec<serde_json::Value> = r
            .parameters
            .iter()
            .map(|p| serde_json::json!({"key": p.key, "unit": p.unit, "min": p.min, "max": p.max}))
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        print!("{}", table(&r.parameters));
    }
    Ok(())
}

/// The keys as a table: key, unit, range.
pub fn table(params: &[pb::ParameterInfo]) -> String {
    let width = params.iter().map(|p| p.key.len()).max().unwrap_or(3).max(3);
    let mut out = format!("{:<width$}  {:<9}  RANGE\n", "KEY", "UNIT");
    for p in params {
        let range = match p.max {
            Some(max) => format!("{} to {}", format_number(p.min), format_number(max)),
            None => format!(">= {}", format_number(p.min)),
        };
        let _ = writeln!(out, "{:<width$}  {:<9}  {range}", p.key, p.unit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_read_naturally() {
        let t = table(&crate::api::parameters::list_parameters().parameters);
        let line = |k: &str| {
            t.lines()
                .find(|l| l.starts_with(&format!("{k} ")))
                .unwrap()
                .to_string()
        };
        assert!(line("range_km").ends_with(">= 0"), "{t}");
        assert!(line("purity_pct").ends_with("0 to 100"), "{t}");
        assert!(line("temperature_c").ends_with(">= -273.15"), "{t}");
    }
}
