//! Connecting the client commands to a running server, with a token.
//!
//! The token comes from `--token`, else `EXPORTSCREEN_TOKEN`, else the file
//! given with `--token-file`, else `./data/admin.token` when it exists (the
//! ADMIN token a fresh server writes into its data directory). An `https://`
//! server is reached over TLS, trusting `--ca-cert` (and presenting
//! `--client-cert`/`--client-key` when the server requires mTLS). The global
//! flags are set once, by [`configure`], before any command runs.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use anyhow::Context;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};

use crate::api::auth::bootstrap::ADMIN_TOKEN_FILE;
use crate::api::pb::admin_service_client::AdminServiceClient;
use crate::api::pb::audit_service_client::AuditServiceClient;
use crate::api::pb::case_service_client::CaseServiceClient;
use crate::api::pb::list_service_client::ListServiceClient;
use crate::api::pb::screening_service_client::ScreeningServiceClient;
use crate::cli::args::DEFAULT_DATA_DIR;

/// Largest answer a client accepts.
const MAX_MESSAGE: usize = 64 << 20;
/// Environment variable holding the token.
pub const TOKEN_ENV: &str = "EXPORTSCREEN_TOKEN";

/// How the client commands authenticate and reach the server.
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    /// `--token`.
    pub token: Option<String>,
    /// `--token-file`.
    pub token_file: Option<PathBuf>,
    /// `--ca-cert`: CA of an https server.
    pub ca_cert: Option<PathBuf>,
    /// `--client-cert` and `--client-key`: identity for mTLS.
    pub client_identity: Option<(PathBuf, PathBuf)>,
}

static CREDENTIALS: OnceLock<Credentials> = OnceLock::new();

/// Sets the credentials for the rest of the process (first call wins).
pub fn configure(c: Credentials) {
    let _ = CREDENTIALS.set(c);
}

fn credentials() -> Credentials {
    CREDENTIALS.get().cloned().unwrap_or_default()
}

/// The token to send, from the sources in order (see the module
/// documentation); `None` when there is none.
///
/// # Errors
/// A token file that was named but cannot be read.
pub fn resolve_token(c: &Credentials, env: Option<String>) -> anyhow::Result<Option<String>> {
    if let Some(t) = c.token.clone().or(env).filter(|t| !t.trim().is_empty()) {
        return Ok(Some(t.trim().to_string()));
    }
    if let Some(path) = &c.token_file {
        return read_token(path).map(Some);
    }
    let default = Path::new(DEFAULT_DATA_DIR).join(ADMIN_TOKEN_FILE);
    if default.is_file() {
        return read_token(&default).map(Some);
    }
    Ok(None)
}

fn read_token(path: &Path) -> anyhow::Result<String> {
    let t = std::fs::read_to_string(path)
        .with_context(|| format!("reading the token file {}", path.display()))?;
    Ok(t.trim().to_string())
}

/// Adds `authorization: Bearer <token>` to every call (nothing without a token).
#[derive(Clone, Debug)]
pub struct BearerToken(Option<MetadataValue<Ascii>>);

impl BearerToken {
    /// A bearer for `token`.
    ///
    /// # Errors
    /// The token holds characters that cannot travel in metadata.
    pub fn new(token: Option<&str>) -> anyhow::Result<BearerToken> {
        let value = token
            .map(|t| {
                format!("Bearer {t}")
                    .parse::<MetadataValue<Ascii>>()
                    .context("the token holds characters that are not allowed in metadata")
            })
            .transpose()?;
        Ok(BearerToken(value))
    }
}

impl Interceptor for BearerToken {
    fn call(&mut self, mut req: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        if let Some(v) = &self.0 {
            req.metadata_mut().insert("authorization", v.clone());
        }
        Ok(req)
    }
}

/// A channel that sends the token with every call.
pub type AuthChannel = InterceptedService<Channel, BearerToken>;

/// A channel to `url` (`http://host:port` or `https://host:port`) sending
/// the configured token.
///
/// # Errors
/// A malformed URL, unreadable TLS files or token file, or no server
/// answering there.
pub async fn channel(url: &str) -> anyhow::Result<AuthChannel> {
    let c = credentials();
    let token = resolve_token(&c, std::env::var(TOKEN_ENV).ok())?;
    let mut endpoint = Endpoint::from_shared(url.to_string())
        .with_context(|| format!("invalid server URL {url} (expected http://host:port)"))?
        .connect_timeout(Duration::from_secs(5));
    if url.starts_with("https://") {
        let mut tls = ClientTlsConfig::new();
        if let Some(ca) = &c.ca_cert {
            let pem = std::fs::read(ca)
                .with_context(|| format!("reading the CA certificate {}", ca.display()))?;
            tls = tls.ca_certificate(Certificate::from_pem(pem));
        }
        if let Some((cert, key)) = &c.client_identity {
            let cert = std::fs::read(cert)
                .with_context(|| format!("reading the client certificate {}", cert.display()))?;
            let key = std::fs::read(key)
                .with_context(|| format!("reading the client key {}", key.display()))?;
            tls = tls.identity(Identity::from_pem(cert, key));
        }
        endpoint = endpoint.tls_config(tls).context("TLS configuration")?;
    }
    let channel = endpoint.connect().await.with_context(|| {
        format!("cannot connect to {url}: is the server running (`exportscreen serve`)?")
    })?;
    Ok(InterceptedService::new(
        channel,
        BearerToken::new(token.as_deref())?,
    ))
}

/// A ScreeningService client.
///
/// # Errors
/// See [`channel`].
pub async fn screening(url: &str) -> anyhow::Result<ScreeningServiceClient<AuthChannel>> {
    Ok(ScreeningServiceClient::new(channel(url).await?).max_decoding_message_size(MAX_MESSAGE))
}

/// A ListService client.
///
/// # Errors
/// See [`channel`].
pub async fn lists(url: &str) -> anyhow::Result<ListServiceClient<AuthChannel>> {
    Ok(ListServiceClient::new(channel(url).await?)
        .max_decoding_message_size(MAX_MESSAGE)
        .max_encoding_message_size(MAX_MESSAGE))
}

/// A CaseService client.
///
/// # Errors
/// See [`channel`].
pub async fn cases(url: &str) -> anyhow::Result<CaseServiceClient<AuthChannel>> {
    Ok(CaseServiceClient::new(channel(url).await?).max_decoding_message_size(MAX_MESSAGE))
}

/// An AuditService client.
///
/// # Errors
/// See [`channel`].
pub async fn audit(url: &str) -> anyhow::Result<AuditServiceClient<AuthChannel>> {
    Ok(AuditServiceClient::new(channel(url).await?).max_decoding_message_size(MAX_MESSAGE))
}

/// An AdminService client.
///
/// # Errors
/// See [`channel`].
pub async fn admin(url: &str) -> anyhow::Result<AdminServiceClient<AuthChannel>> {
    Ok(AdminServiceClient::new(channel(url).await?))
}

/// A gRPC error as one line: code and message (and, for a refused token,
/// where a token comes from).
pub fn status_error(s: tonic::Status) -> anyhow::Error {
    let hint = if s.code() == tonic::Code::Unauthenticated {
        format!(
            " (send a token with --token, {TOKEN_ENV} or --token-file; a fresh server writes its ADMIN token to <data-dir>/{ADMIN_TOKEN_FILE})"
        )
    } else {
        String::new()
    };
    anyhow::anyhow!("{:?}: {}{hint}", s.code(), s.message())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_sources_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("t");
        std::fs::write(&file, "from-file\n").unwrap();
        let flag = Credentials {
            token: Some("from-flag".into()),
            token_file: Some(file.clone()),
            ..Credentials::default()
        };
        assert_eq!(
            resolve_token(&flag, Some("from-env".into()))
                .unwrap()
                .as_deref(),
            Some("from-flag")
        );
        let env = Credentials {
            token: None,
            ..flag.clone()
        };
        assert_eq!(
            resolve_token(&env, Some("from-env".into()))
                .unwrap()
                .as_deref(),
            Some("from-env")
        );
        assert_eq!(
            resolve_token(&env, None).unwrap().as_deref(),
            Some("from-file")
        );
        let missing = Credentials {
            token_file: Some(dir.path().join("nope")),
            ..Credentials::default()
        };
        assert!(resolve_token(&missing, None).is_err());
    }
}
