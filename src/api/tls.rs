//! Transport security: TLS (rustls, via tonic) from PEM files, optionally
//! requiring client certificates signed by a given CA (mTLS), and the rule
//! that plaintext is served only on loopback unless explicitly allowed.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use tonic::transport::{Certificate, Identity, ServerTlsConfig};

/// PEM files of the server's TLS identity and, for mTLS, of the CA whose
/// client certificates are accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    /// Certificate chain (PEM), the server's certificate first.
    pub cert: PathBuf,
    /// Private key (PEM: PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
    /// CA certificate(s) (PEM); when set, every client must present a
    /// certificate signed by one of them.
    pub client_ca: Option<PathBuf>,
}

/// TLS cannot be set up, or plaintext is not allowed here.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A PEM file cannot be read.
    #[error("reading {what} {path}: {cause}")]
    Read {
        /// `certificate`, `private key` or `client CA`.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        cause: std::io::Error,
    },
    /// A file is not PEM of the expected kind.
    #[error("{path} holds no PEM {what}")]
    NotPem {
        /// What was expected.
        what: &'static str,
        /// The file.
        path: PathBuf,
    },
    /// Plaintext on an address other than loopback.
    #[error(
        "refusing to serve plaintext on {addr}, which is not a loopback address: give --tls-cert and --tls-key, or --allow-plaintext (behind a TLS-terminating proxy)"
    )]
    PlaintextNotLoopback {
        /// The listen address.
        addr: SocketAddr,
    },
}

fn read_pem(path: &Path, what: &'static str, marker: &str) -> Result<Vec<u8>, TlsError> {
    let data = std::fs::read(path).map_err(|cause| TlsError::Read {
        what,
        path: path.to_path_buf(),
        cause,
    })?;
    let text = String::from_utf8_lossy(&data);
    if !text.contains("-----BEGIN ") || !text.contains(marker) {
        return Err(TlsError::NotPem {
            what,
            path: path.to_path_buf(),
        });
    }
    Ok(data)
}

/// tonic's server TLS configuration from the files.
///
/// # Errors
/// [`TlsError`] when a file is missing or not PEM (the TLS library checks
/// the contents when the server starts).
pub fn server_config(files: &TlsFiles) -> Result<ServerTlsConfig, TlsError> {
    let cert = read_pem(&files.cert, "certificate", "CERTIFICATE")?;
    let key = read_pem(&files.key, "private key", "PRIVATE KEY")?;
    let mut config = ServerTlsConfig::new().identity(Identity::from_pem(cert, key));
    if let Some(ca) = &files.client_ca {
        let ca = read_pem(ca, "client CA", "CERTIFICATE")?;
        config = config.client_ca_root(Certificate::from_pem(ca));
    }
    Ok(config)
}

/// Checks the plaintext rule for a listener on `addr`.
///
/// # Errors
/// [`TlsError::PlaintextNotLoopback`] for plaintext, not allowed, off loopback.
pub fn check_plaintext(addr: SocketAddr, tls: bool, allow_plaintext: bool) -> Result<(), TlsError> {
    if tls || allow_plaintext || addr.ip().is_loopback() {
        Ok(())
    } else {
        Err(TlsError::PlaintextNotLoopback { addr })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plaintext_only_on_loopback_unless_allowed() {
        let table = [
            ("127.0.0.1:1", false, false, true),
            ("[::1]:1", false, false, true),
            ("0.0.0.0:1", false, false, false),
            ("10.1.2.3:1", false, false, false),
            ("0.0.0.0:1", true, false, true),
            ("0.0.0.0:1", false, true, true),
        ];
        for (addr, tls, allow, ok) in table {
            let addr: SocketAddr = addr.parse().unwrap();
            assert_eq!(
                check_plaintext(addr, tls, allow).is_ok(),
                ok,
                "{addr} {tls} {allow}"
            );
        }
    }

    #[test]
    fn missing_and_non_pem_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, "not a certificate").unwrap();
        let files = TlsFiles {
            cert: dir.path().join("missing.pem"),
            key: junk.clone(),
            client_ca: None,
        };
        let e = server_config(&files).unwrap_err();
        assert!(e.to_string().contains("missing.pem"), "{e}");
        let files = TlsFiles {
            cert: junk.clone(),
            ..files
        };
        let e = server_config(&files).unwrap_err();
        assert!(matches!(e, TlsError::NotPem { .. }), "{e}");
    }
}
