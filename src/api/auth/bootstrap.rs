//! The first ADMIN token: when the store holds no token at all (a fresh
//! data directory), one is created and its secret written to
//! `<data-dir>/admin.token`, readable by the owner only (mode 0600). The
//! log says where the file is, never the secret.
//!
//! The file is written (to a scratch name, synced, then renamed) before the
//! token is stored: a crash in between leaves a file whose token is
//! unknown, and the next start, still finding no token, writes a new one.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tracing::info;

use super::token::generate_secret;
use crate::actions::AuditAction;
use crate::api::caller::Role;
use crate::ids::Actor;
use crate::service::now_unix_ms;
use crate::store::audit::NewAudit;
use crate::store::tokens::{NewToken, token_hash};
use crate::store::{Store, StoreError};

/// File name of the first ADMIN token in the data directory.
pub const ADMIN_TOKEN_FILE: &str = "admin.token";
/// Principal of the first ADMIN token.
pub const BOOTSTRAP_PRINCIPAL: &str = "admin";

/// The first token could not be created.
#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    /// The token file could not be written.
    #[error("writing the admin token to {path}: {cause}")]
    File {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        cause: io::Error,
    },
    /// The random source failed.
    #[error("random source: {0}")]
    Random(getrandom::Error),
    /// The token could not be stored.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Creates the first ADMIN token when `store` has none; returns the path of
/// the file holding it (`None` when tokens exist already). Blocking: call
/// it off the async workers.
///
/// # Errors
/// [`BootstrapError`] when the file or the store cannot be written.
pub fn ensure_admin_token(
    store: &dyn Store,
    data_dir: &Path,
) -> Result<Option<PathBuf>, BootstrapError> {
    if !store.tokens()?.is_empty() {
        return Ok(None);
    }
    let path = write_admin_token(store, data_dir, "first start: bootstrap ADMIN token")?;
    info!(
        path = %path.display(),
        "first start: an ADMIN token was created; its secret is in this file (readable by this user only)"
    );
    Ok(Some(path))
}

/// Creates a new ADMIN token and writes it to `<data_dir>/admin.token`
/// (replacing the file), recording `reason` in the audit trail; returns the
/// file's path. `exportscreen token recover` uses it when the ADMIN token
/// is lost (with the server stopped: the database is locked while it runs).
///
/// # Errors
/// [`BootstrapError`] when the file or the store cannot be written.
pub fn write_admin_token(
    store: &dyn Store,
    data_dir: &Path,
    reason: &str,
) -> Result<PathBuf, BootstrapError> {
    let secret = generate_secret().map_err(BootstrapError::Random)?;
    let path = data_dir.join(ADMIN_TOKEN_FILE);
    write_secret_file(&path, &secret).map_err(|cause| BootstrapError::File {
        path: path.clone(),
        cause,
    })?;
    let now = now_unix_ms();
    let record = store
        .insert_token(
            token_hash(&secret),
            NewToken {
                principal: BOOTSTRAP_PRINCIPAL.into(),
                roles: vec![Role::Admin.as_str().into()],
                exporter: None,
                description: format!("first ADMIN token, written to {ADMIN_TOKEN_FILE}"),
                expires_at_unix_ms: None,
                created_by: Actor::SYSTEM.into(),
            },
            now,
        )
        .wait()?;
    store
        .append_audit(
            NewAudit {
                actor: Actor::system(),
                action: AuditAction::TokenCreate,
                subject: record.token_id.clone(),
                reason: reason.into(),
                details: serde_json::json!({ "principal": BOOTSTRAP_PRINCIPAL, "roles": ["ADMIN"] }),
            },
            now,
        )
        .wait()?;
    info!(path = %path.display(), token_id = %record.token_id, "ADMIN token written");
    Ok(path)
}

/// Writes `secret` and a line feed to `path` with mode 0600, atomically.
///
/// # Errors
/// The I/O error.
pub fn write_secret_file(path: &Path, secret: &str) -> io::Result<()> {
    let scratch = path.with_extension("partial");
    // A scratch file left by a crash may carry another mode: start afresh.
    match std::fs::remove_file(&scratch) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&scratch)?;
    file.write_all(secret.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&scratch, path)?;
    if let Some(dir) = path.parent() {
        // Make the rename durable; some platforms cannot open directories.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::AuditAction;
    use crate::api::auth::token::authenticate;
    use crate::store::SledStore;

    #[test]
    fn a_fresh_store_gets_one_admin_token_in_a_private_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::temporary().unwrap();
        let path = ensure_admin_token(&store, dir.path()).unwrap().unwrap();
        assert_eq!(path, dir.path().join(ADMIN_TOKEN_FILE));
        let secret = std::fs::read_to_string(&path).unwrap();
        let caller = authenticate(&store, secret.trim(), now_unix_ms()).unwrap();
        assert_eq!(caller.roles, vec![Role::Admin]);
        assert_eq!(caller.principal, BOOTSTRAP_PRINCIPAL);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        }
        // The next start leaves everything as it is.
        assert_eq!(ensure_admin_token(&store, dir.path()).unwrap(), None);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), secret);
        assert_eq!(store.tokens().unwrap().len(), 1);
        // The creation is audited.
        let audit = store.audit_range(0, i64::MAX).unwrap();
        assert!(
            audit.iter().any(|r| r.action == AuditAction::TokenCreate),
            "{audit:?}"
        );
    }
}
