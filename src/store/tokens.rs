//! Access tokens: only the SHA-256 hash of a secret is stored, with the
//! principal, roles and exporter it speaks for, its expiry and revocation.
//! A creation or revocation is durable when its write is acknowledged, and
//! a lookup sees it from the next call on (the sled backend keeps the
//! tokens in memory as well, so the lookup every call makes never waits
//! for the disk).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Prefix of token ids.
pub const TOKEN_PREFIX: &str = "tok-";

/// SHA-256 of a token secret: the only form in which it is stored. Tokens
/// carry 256 random bits, so an unsalted fast hash is enough (no dictionary
/// to guess from).
pub fn token_hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// A token to store (id and creation time are assigned).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewToken {
    /// Who the token speaks for.
    pub principal: String,
    /// Role names (`EXPORTER`, `OFFICER`, `COMPLIANCE`, `AUDITOR`, `ADMIN`).
    pub roles: Vec<String>,
    /// The exporter of an EXPORTER token.
    pub exporter: Option<String>,
    /// What it is for.
    pub description: String,
    /// Unix time in milliseconds after which it is refused; `None`: never.
    pub expires_at_unix_ms: Option<i64>,
    /// Principal that created it.
    pub created_by: String,
}

/// A stored token (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRecord {
    /// `tok-...`
    pub token_id: String,
    /// Who the token speaks for.
    pub principal: String,
    /// Role names.
    pub roles: Vec<String>,
    /// The exporter of an EXPORTER token.
    pub exporter: Option<String>,
    /// What it is for.
    pub description: String,
    /// Unix time in milliseconds.
    pub created_at_unix_ms: i64,
    /// Unix time in milliseconds after which it is refused; `None`: never.
    pub expires_at_unix_ms: Option<i64>,
    /// Unix time in milliseconds of the revocation; `None`: live.
    pub revoked_at_unix_ms: Option<i64>,
    /// Principal that created it.
    pub created_by: String,
}

impl TokenRecord {
    /// True when the token may be used at `now_unix_ms`.
    pub fn is_live(&self, now_unix_ms: i64) -> bool {
        self.revoked_at_unix_ms.is_none() && self.expires_at_unix_ms.is_none_or(|t| now_unix_ms < t)
    }
}
