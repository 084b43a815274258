//! `exportscreen serve`: logs to standard error, binds, runs the server
//! until SIGINT or SIGTERM.

use anyhow::Context;
use tokio::net::TcpListener;
use tracing::warn;
use tracing_subscriber::EnvFilter;

use crate::api::{self, ServerConfig};
use crate::cli::args::ServeArgs;

/// Runs the service.
///
/// # Errors
/// The address cannot be bound, or start-up fails (the message says why).
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    init_tracing();
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let config = ServerConfig::new(&args.data_dir)
        .seed_defaults(!args.no_seed)
        .rescreen_days(args.rescreen_days);
    api::run(listener, config, shutdown_signal()).await?;
    Ok(())
}

/// Logs to standard error; `RUST_LOG` overrides the default `info`.
fn init_tracing() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Fails only if a subscriber is already set (e.g. embedded use): keep that one.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
