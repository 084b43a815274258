//! `exportscreen token create|list|revoke`: access tokens of a running
//! server (the caller's token must be an ADMIN one); `token recover`: a new
//! ADMIN token written into a stopped server's data directory.

use anyhow::{Context, bail};
use serde_json::json;

use crate::api::caller::Role;
use crate::api::pb;
use crate::cli::args::{TokenCommand, TokenCreateArgs};
use crate::cli::{client, exit};

/// Runs a token subcommand.
///
/// # Errors
/// Invalid arguments, the server cannot be reached, or it refuses.
pub async fn run(cmd: TokenCommand) -> anyhow::Result<()> {
    match cmd {
        TokenCommand::Create(a) => create(a).await,
        TokenCommand::List(a) => {
            let mut c = client::admin().await?;
            let tokens = c
                .list_tokens(pb::ListTokensRequest {})
                .await
                .map_err(client::status_error)?
                .into_inner()
                .tokens;
            if a.json {
                let rows: Vec<_> = tokens.iter().map(info_json).collect();
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                print!("{}", table(&tokens, crate::api::state::now_unix_ms()));
            }
            Ok(())
        }
        TokenCommand::Recover(a) => {
            let dir = a.data_dir;
            let db = dir.join(crate::api::startup::DB_DIR);
            if !db.is_dir() {
                bail!("{} holds no database: not a data directory", dir.display());
            }
            let path = tokio::task::spawn_blocking(move || recover(&dir, &db)).await??;
            println!("a new ADMIN token is in {}", path.display());
            Ok(())
        }
        TokenCommand::Revoke(a) => {
            let mut c = client::admin().await?;
            let info = c
                .revoke_token(pb::RevokeTokenRequest {
                    token_id: a.token_id,
                })
                .await
                .map_err(client::status_error)?
                .into_inner();
            println!("revoked {} ({})", info.token_id, info.principal);
            Ok(())
        }
    }
}

/// Writes a new ADMIN token into the stopped server's data directory.
fn recover(dir: &std::path::Path, db: &std::path::Path) -> anyhow::Result<std::path::PathBuf> {
    let store = crate::store::Store::open(db)
        .context("opening the database (is the server still running? stop it first)")?;
    Ok(crate::api::auth::bootstrap::write_admin_token(
        &store,
        dir,
        "token recover: new ADMIN token",
    )?)
}

async fn create(a: TokenCreateArgs) -> anyhow::Result<()> {
    let roles = a
        .roles
        .iter()
        .map(|r| {
            Role::parse(r)
                .map(|r| crate::api::auth::admin::role_to_pb(r) as i32)
                .with_context(|| {
                    format!("unknown role {r:?} (exporter, officer, compliance, auditor, admin)")
                })
        })
        .collect::<anyhow::Result<Vec<i32>>>()
        .map_err(exit::usage)?;
    let (ttl_seconds, no_expiry) = match parse_ttl(&a.ttl).map_err(exit::usage)? {
        Lifetime::Seconds(s) => (s, false),
        Lifetime::Never => (0, true),
    };
    let mut c = client::admin().await?;
    let answer = c
        .create_token(pb::CreateTokenRequest {
            principal: a.principal,
            roles,
            exporter: a.exporter.unwrap_or_default(),
            ttl_seconds,
            description: a.description,
            no_expiry,
        })
        .await
        .map_err(client::status_error)?
        .into_inner();
    if a.json {
        let mut v = answer.info.as_ref().map(info_json).unwrap_or_default();
        v["token"] = json!(answer.token);
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        let id = answer.info.map(|i| i.token_id).unwrap_or_default();
        eprintln!("created {id}; the token is shown once, store it now:");
        println!("{}", answer.token);
    }
    Ok(())
}

/// How long a token lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lifetime {
    /// This many seconds (at least 1).
    Seconds(u64),
    /// It never expires (asked for with the word `never`).
    Never,
}

/// A lifetime in the one duration grammar of the project (humantime:
/// `90d`, `12h`, `30m`, `45s`, `1h 30m`, `2weeks`), or the word `never`.
///
/// # Errors
/// Anything else, and a lifetime under one second (`0s` does not mean
/// "never": that must be said).
pub fn parse_ttl(s: &str) -> anyhow::Result<Lifetime> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("never") {
        return Ok(Lifetime::Never);
    }
    let d = crate::duration::parse(s)
        .with_context(|| format!("invalid lifetime {s:?} (e.g. 90d, 12h, 30m, 45s, or never)"))?;
    match d.as_secs() {
        0 => {
            bail!("invalid lifetime {s:?}: at least 1s (a token that never expires is --ttl never)")
        }
        secs => Ok(Lifetime::Seconds(secs)),
    }
}

fn role_names(roles: &[i32]) -> Vec<&'static str> {
    roles
        .iter()
        .filter_map(|r| pb::AccessRole::try_from(*r).ok())
        .map(|r| r.as_str_name().trim_start_matches("ACCESS_ROLE_"))
        .collect()
}

fn time(ms: i64) -> String {
    if ms == 0 {
        return "-".into();
    }
    crate::cli::time::local(ms)
}

fn info_json(i: &pb::TokenInfo) -> serde_json::Value {
    json!({
        "token_id": i.token_id, "principal": i.principal, "roles": role_names(&i.roles),
        "exporter": i.exporter, "description": i.description,
        "created_at_unix_ms": i.created_at_unix_ms, "expires_at_unix_ms": i.expires_at_unix_ms,
        "revoked_at_unix_ms": i.revoked_at_unix_ms, "created_by": i.created_by,
    })
}

/// The tokens as a table, with their state at `now_unix_ms`.
pub fn table(tokens: &[pb::TokenInfo], now_unix_ms: i64) -> String {
    let mut rows = vec![[
        "ID".to_string(),
        "PRINCIPAL".into(),
        "ROLES".into(),
        "EXPORTER".into(),
        "STATE".into(),
        "EXPIRES".into(),
        "CREATED".into(),
    ]];
    for t in tokens {
        let state = if t.revoked_at_unix_ms != 0 {
            "revoked"
        } else if t.expires_at_unix_ms != 0 && t.expires_at_unix_ms <= now_unix_ms {
            "expired"
        } else {
            "live"
        };
        rows.push([
            t.token_id.clone(),
            t.principal.clone(),
            role_names(&t.roles).join(",").to_ascii_lowercase(),
            t.exporter.clone(),
            state.into(),
            if t.expires_at_unix_ms == 0 {
                "never".into()
            } else {
                time(t.expires_at_unix_ms)
            },
            time(t.created_at_unix_ms),
        ]);
    }
    let widths: Vec<usize> = (0..7)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes() {
        use Lifetime::{Never, Seconds};
        let table: &[(&str, Option<Lifetime>)] = &[
            ("90d", Some(Seconds(90 * 86_400))),
            ("12h", Some(Seconds(43_200))),
            ("30m", Some(Seconds(1_800))),
            ("45s", Some(Seconds(45))),
            ("1h 30m", Some(Seconds(5_400))),
            ("2weeks", Some(Seconds(14 * 86_400))),
            ("never", Some(Never)),
            ("NEVER", Some(Never)),
            ("0s", None),
            ("0", None),
            ("500ms", None),
            ("45", None),
            ("d", None),
            ("-5d", None),
            ("99999999999999999999d", None),
        ];
        for (s, want) in table {
            assert_eq!(parse_ttl(s).ok(), *want, "{s}");
        }
        let err = parse_ttl("0s").unwrap_err().to_string();
        assert!(err.contains("--ttl never"), "{err}");
    }

    #[test]
    fn the_table_shows_state() {
        let t = |id: &str, expires: i64, revoked: i64| pb::TokenInfo {
            token_id: id.into(),
            principal: "p".into(),
            roles: vec![pb::AccessRole::Officer as i32],
            expires_at_unix_ms: expires,
            revoked_at_unix_ms: revoked,
            ..pb::TokenInfo::default()
        };
        let out = table(&[t("tok-1", 0, 0), t("tok-2", 5, 0), t("tok-3", 0, 5)], 10);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].starts_with("ID"));
        assert!(
            lines[1].contains("live") && lines[1].contains("never") && lines[1].contains("officer")
        );
        assert!(lines[2].contains("expired"));
        assert!(lines[3].contains("revoked"));
    }
}
