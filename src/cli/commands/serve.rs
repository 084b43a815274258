//! `exportscreen serve`: logs to standard error (text or JSON; colour only
//! on a terminal; an invalid `RUST_LOG` stops start-up), binds the gRPC and
//! (optionally) metrics and HTTP/JSON listeners, runs the server until
//! SIGINT or SIGTERM.

use std::io::IsTerminal;

use anyhow::Context;
use tokio::net::TcpListener;
use tracing::warn;
use tracing_subscriber::EnvFilter;

use crate::api::auth::rate::RateLimit;
use crate::api::tls::TlsFiles;
use crate::api::{self, ServerConfig};
use crate::cli::args::{LogFormat, ServeArgs};
use crate::cli::exit;
use crate::service::webhooks::WebhookOptions;

/// Runs the service.
///
/// # Errors
/// The address cannot be bound, or start-up fails (the message says why).
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    init_tracing(args.log_format, std::env::var("RUST_LOG").ok().as_deref())?;
    let usable = |x: f64| x.is_finite() && x >= 0.0;
    if ![
        args.rate_limit,
        args.rate_burst,
        args.rate_cost,
        args.rate_cost_burst,
    ]
    .into_iter()
    .all(usable)
    {
        anyhow::bail!(
            "--rate-limit, --rate-burst, --rate-cost and --rate-cost-burst must be finite numbers >= 0"
        );
    }
    // Signal handlers first: a SIGTERM from now on shuts down cleanly.
    let shutdown = shutdown_signal();
    let listener = TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let metrics = match args.metrics_listen {
        Some(addr) => Some(
            TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr} for metrics"))?,
        ),
        None => None,
    };
    let http = match args.http_listen {
        Some(addr) => Some(
            TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr} for http/json"))?,
        ),
        None => None,
    };
    let tls = match (args.tls_cert, args.tls_key) {
        (Some(cert), Some(key)) => Some(TlsFiles {
            cert,
            key,
            client_ca: args.client_ca,
        }),
        _ => None,
    };
    let config = ServerConfig::new(&args.data_dir)
        .seed_defaults(!args.no_seed)
        .rescreen_days(args.rescreen_days)
        .tls(tls)
        .allow_plaintext(args.allow_plaintext)
        .rate_limit(RateLimit {
            per_second: args.rate_limit,
            burst: args.rate_burst,
            cost_per_second: args.rate_cost,
            cost_burst: args.rate_cost_burst,
        })
        .ca_cert(crate::cli::client::ca_cert())
        .webhooks(WebhookOptions {
            max_attempts: args.webhook_attempts,
            first_backoff: args.webhook_backoff,
            max_backoff: args.webhook_max_backoff.max(args.webhook_backoff),
            timeout: args.webhook_timeout,
            allow_private: args.webhook_allow_private,
            ..WebhookOptions::default()
        });
    match api::run_with_http(listener, metrics, http, config, shutdown).await {
        Ok(()) => Ok(()),
        // Something is stuck (a call, a task, the disk): what was abandoned
        // is logged; end the process now rather than wait in destructors.
        Err(e @ api::ServeError::Abandoned { .. }) => {
            eprintln!("exportscreen: {e}");
            std::process::exit(1);
        }
        Err(e) => Err(e.into()),
    }
}

/// Logs to standard error as text or JSON lines; `RUST_LOG` (`rust_log`)
/// overrides the default `info`, and one that does not parse stops
/// start-up with a message (rather than silently logging at `info`). Text
/// is coloured only when standard error is a terminal (and `NO_COLOR` is
/// not set), so a log redirected to a file carries no escape codes. Every
/// line of a call carries its span fields (method, request id, principal).
///
/// # Errors
/// An invalid `RUST_LOG` (usage error, exit 2).
fn init_tracing(format: LogFormat, rust_log: Option<&str>) -> anyhow::Result<()> {
    let filter = log_filter(rust_log).map_err(exit::usage)?;
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr);
    // Fails only if a subscriber is already set (e.g. embedded use): keep that one.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .try_init(),
    };
    Ok(())
}

/// The log filter: `info` without `RUST_LOG`, else `RUST_LOG` parsed
/// strictly.
///
/// # Errors
/// A `RUST_LOG` that is not a valid filter, naming it.
pub fn log_filter(rust_log: Option<&str>) -> anyhow::Result<EnvFilter> {
    match rust_log.map(str::trim) {
        None | Some("") => Ok(EnvFilter::new("info")),
        Some(spec) => EnvFilter::builder().parse(spec).map_err(|e| {
            anyhow::anyhow!(
                "invalid RUST_LOG {spec:?}: {e} (e.g. RUST_LOG=info or RUST_LOG=exportscreen=debug,info)"
            )
        }),
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM. The handlers are installed
/// now, before start-up, not when the future is first polled: a SIGTERM
/// that arrives as soon as the server answers still shuts it down cleanly
/// (rather than killing it with the default action).
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let (int, term) = {
        use tokio::signal::unix::{SignalKind, signal};
        let install = |kind: SignalKind, name: &'static str| match signal(kind) {
            Ok(s) => Some(s),
            Err(e) => {
                warn!(error = %e, "cannot listen for {name}");
                None
            }
        };
        (
            install(SignalKind::interrupt(), "SIGINT"),
            install(SignalKind::terminate(), "SIGTERM"),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let wait = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = wait(int) => {},
                () = wait(term) => {},
            }
        }
        #[cfg(not(unix))]
        if let Err(e) = tokio::signal::ctrl_c().await {
            warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_log_is_parsed_strictly() {
        for ok in [
            None,
            Some(""),
            Some("debug"),
            Some("exportscreen=debug,info"),
            Some("warn,h2=off"),
        ] {
            assert!(log_filter(ok).is_ok(), "{ok:?}");
        }
        for bad in ["info,[", "exportscreen=loud", "=debug"] {
            let err = log_filter(Some(bad)).unwrap_err().to_string();
            assert!(err.contains("invalid RUST_LOG"), "{bad}: {err}");
        }
    }
}
