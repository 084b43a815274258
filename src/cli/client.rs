//! Connecting the client commands to a running server, with a token.
//!
//! The server is `--server` (or `EXPORTSCREEN_SERVER`); the token comes
//! from `--token`, else `--token-file`, else `EXPORTSCREEN_TOKEN`, else
//! `EXPORTSCREEN_TOKEN_FILE` (a flag on the command line beats the
//! environment). There is no implicit token: a script run from the wrong
//! directory must not act as the ADMIN whose token a local server wrote to
//! `./data/admin.token` (pass `--token-file data/admin.token` to use it).
//! An `https://` server is reached over TLS, trusting the platform's trust
//! store and `--ca-cert` (and presenting `--client-cert`/`--client-key`
//! when the server requires mTLS). The global options are set once, by
//! [`configure`], before any command runs.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use anyhow::Context;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};

use super::args::{DEFAULT_SERVER, env};
use super::{exit, input};
use crate::api::auth::bootstrap::ADMIN_TOKEN_FILE;
use crate::api::pb::admin_service_client::AdminServiceClient;
use crate::api::pb::audit_service_client::AuditServiceClient;
use crate::api::pb::case_service_client::CaseServiceClient;
use crate::api::pb::list_service_client::ListServiceClient;
use crate::api::pb::screening_service_client::ScreeningServiceClient;

/// Largest answer a client accepts.
const MAX_MESSAGE: usize = 64 << 20;

/// Where the token comes from, after the precedence rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum TokenSource {
    /// No token.
    #[default]
    None,
    /// The token itself.
    Value(String),
    /// A file holding it (`-`: standard input).
    File(PathBuf),
}

/// How the client commands authenticate and reach the server.
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    /// `--server`.
    pub server: String,
    /// The token to send.
    pub token: TokenSource,
    /// `--ca-cert`: a CA trusted besides the platform's roots.
    pub ca_cert: Option<PathBuf>,
    /// `--client-cert` and `--client-key`: identity for mTLS.
    pub client_identity: Option<(PathBuf, PathBuf)>,
}

/// Picks the token: a flag on the command line beats the environment, and
/// a token beats a token file.
pub fn choose_token(
    token: Option<String>,
    token_from_cli: bool,
    token_file: Option<PathBuf>,
    token_file_from_cli: bool,
) -> TokenSource {
    let token = token.filter(|t| !t.trim().is_empty());
    match (token, token_file) {
        (Some(t), _) if token_from_cli => TokenSource::Value(t),
        (_, Some(f)) if token_file_from_cli => TokenSource::File(f),
        (Some(t), _) => TokenSource::Value(t),
        (None, Some(f)) => TokenSource::File(f),
        (None, None) => TokenSource::None,
    }
}

static CREDENTIALS: OnceLock<Credentials> = OnceLock::new();

/// Sets the credentials for the rest of the process (first call wins).
pub fn configure(c: Credentials) {
    let _ = CREDENTIALS.set(c);
}

fn credentials() -> Credentials {
    CREDENTIALS.get().cloned().unwrap_or_else(|| Credentials {
        server: DEFAULT_SERVER.into(),
        ..Credentials::default()
    })
}

/// The CA certificate configured with `--ca-cert`, if any (`serve` trusts
/// it for the scheduled refresh too).
pub fn ca_cert() -> Option<PathBuf> {
    credentials().ca_cert
}

/// The token to send (see the module documentation); `None` when there is
/// none.
///
/// # Errors
/// A token file that cannot be read (usage error).
pub fn resolve_token(source: &TokenSource) -> anyhow::Result<Option<String>> {
    match source {
        TokenSource::None => Ok(None),
        TokenSource::Value(t) => Ok(Some(t.trim().to_string())),
        TokenSource::File(path) => read_token(path).map(Some),
    }
}

fn read_token(path: &Path) -> anyhow::Result<String> {
    let t = input::read_text(path).context("the token file")?;
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

/// A channel to the configured server (`http://host:port` or
/// `https://host:port`) sending the configured token.
///
/// # Errors
/// A malformed URL or unreadable TLS or token files (usage, exit 2); no
/// server answering there (exit 3).
pub async fn channel() -> anyhow::Result<AuthChannel> {
    let c = credentials();
    let url = c.server.as_str();
    let token = resolve_token(&c.token)?;
    let mut endpoint = Endpoint::from_shared(url.to_string())
        .with_context(|| format!("invalid server URL {url} (expected http://host:port)"))
        .map_err(exit::usage)?
        .connect_timeout(Duration::from_secs(5));
    if url.starts_with("https://") {
        endpoint = endpoint
            .tls_config(tls_config(&c)?)
            .context("TLS configuration")
            .map_err(exit::usage)?;
    }
    let channel = endpoint
        .connect()
        .await
        .with_context(|| {
            format!(
                "cannot connect to {url}: is the server running (`exportscreen serve`)? \
                 (set --server or {})",
                env::SERVER
            )
        })
        .map_err(exit::unreachable)?;
    Ok(InterceptedService::new(
        channel,
        BearerToken::new(token.as_deref()).map_err(exit::usage)?,
    ))
}

/// TLS for an https server: the platform's trust store, plus `--ca-cert`,
/// plus the mTLS identity.
fn tls_config(c: &Credentials) -> anyhow::Result<ClientTlsConfig> {
    let mut tls = ClientTlsConfig::new().with_native_roots();
    if let Some(ca) = &c.ca_cert {
        let pem = input::read(ca).context("the CA certificate (--ca-cert)")?;
        tls = tls.ca_certificate(Certificate::from_pem(pem));
    }
    if let Some((cert, key)) = &c.client_identity {
        let cert = input::read(cert).context("the client certificate (--client-cert)")?;
        let key = input::read(key).context("the client key (--client-key)")?;
        tls = tls.identity(Identity::from_pem(cert, key));
    }
    Ok(tls)
}

/// A ScreeningService client.
///
/// # Errors
/// See [`channel`].
pub async fn screening() -> anyhow::Result<ScreeningServiceClient<AuthChannel>> {
    Ok(ScreeningServiceClient::new(channel().await?).max_decoding_message_size(MAX_MESSAGE))
}

/// A ListService client.
///
/// # Errors
/// See [`channel`].
pub async fn lists() -> anyhow::Result<ListServiceClient<AuthChannel>> {
    Ok(ListServiceClient::new(channel().await?)
        .max_decoding_message_size(MAX_MESSAGE)
        .max_encoding_message_size(MAX_MESSAGE))
}

/// A CaseService client.
///
/// # Errors
/// See [`channel`].
pub async fn cases() -> anyhow::Result<CaseServiceClient<AuthChannel>> {
    Ok(CaseServiceClient::new(channel().await?).max_decoding_message_size(MAX_MESSAGE))
}

/// An AuditService client.
///
/// # Errors
/// See [`channel`].
pub async fn audit() -> anyhow::Result<AuditServiceClient<AuthChannel>> {
    Ok(AuditServiceClient::new(channel().await?).max_decoding_message_size(MAX_MESSAGE))
}

/// An AdminService client.
///
/// # Errors
/// See [`channel`].
pub async fn admin() -> anyhow::Result<AdminServiceClient<AuthChannel>> {
    Ok(AdminServiceClient::new(channel().await?))
}

/// A webhook client over [`channel`].
///
/// # Errors
/// As [`channel`].
pub async fn webhooks()
-> anyhow::Result<crate::api::pb::webhook_service_client::WebhookServiceClient<AuthChannel>> {
    Ok(crate::api::pb::webhook_service_client::WebhookServiceClient::new(channel().await?))
}

/// A gRPC error as one line: code and message (and, for a refused token,
/// where a token comes from), with its exit code (3 for a refused token or
/// an unavailable server, else 1).
pub fn status_error(s: tonic::Status) -> anyhow::Error {
    let hint = if s.code() == tonic::Code::Unauthenticated {
        format!(
            " (send a token with --token, --token-file, {} or {}; a local server's ADMIN token is in <data-dir>/{ADMIN_TOKEN_FILE}: --token-file data/{ADMIN_TOKEN_FILE})",
            env::TOKEN,
            env::TOKEN_FILE
        )
    } else {
        String::new()
    };
    exit::from_status(
        s.code(),
        anyhow::anyhow!("{:?}: {}{hint}", s.code(), s.message()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_sources_in_order() {
        let t = || Some("t".to_string());
        let f = || Some(PathBuf::from("f"));
        let value = || TokenSource::Value("t".into());
        let file = || TokenSource::File("f".into());
        // (token, from the command line, file, from the command line, chosen)
        let table = [
            (t(), true, f(), true, value()),
            (t(), false, f(), true, file()),
            (t(), false, f(), false, value()),
            (None, false, f(), false, file()),
            (Some("  ".into()), true, f(), false, file()),
            (None, false, None, false, TokenSource::None),
        ];
        for (token, token_cli, token_file, file_cli, want) in table {
            assert_eq!(
                choose_token(token.clone(), token_cli, token_file.clone(), file_cli),
                want,
                "{token:?} {token_cli} {token_file:?} {file_cli}"
            );
        }
    }

    #[test]
    fn token_files_are_read_and_missing_ones_are_usage_errors() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("t");
        std::fs::write(&file, "from-file\n").unwrap();
        assert_eq!(
            resolve_token(&TokenSource::File(file)).unwrap().as_deref(),
            Some("from-file")
        );
        let err = resolve_token(&TokenSource::File(dir.path().join("nope"))).unwrap_err();
        assert_eq!(exit::code_of(&err), exit::USAGE);
        assert_eq!(resolve_token(&TokenSource::None).unwrap(), None);
    }
}
