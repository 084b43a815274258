//! Access tokens: only the SHA-256 hash of a secret is stored, with the
//! principal, roles and exporter it speaks for, its expiry and revocation.
//!
//! | tree | key | value |
//! |---|---|---|
//! | `tokens` | token id (`tok-` + 16 hex digits) | [`TokenRecord`] (JSON) |
//! | `token_hashes` | SHA-256 of the secret (32 bytes) | token id |
//!
//! Both are written in one transaction; [`Store::flush`] makes a creation or
//! revocation durable. A lookup reads the database every time, so a
//! revocation takes effect with the next call.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sled::Transactional;
use sled::transaction::ConflictableTransactionError::Abort;

use super::{Store, StoreError, decode, encode, tx_error};

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

impl Store {
    /// Stores a token under the hash of `secret`, at time `now_unix_ms`.
    ///
    /// # Errors
    /// A secret whose hash is stored already is refused as
    /// [`StoreError::Corrupt`] (a reused secret); storage errors.
    pub fn insert_token(
        &self,
        secret: &str,
        new: NewToken,
        now_unix_ms: i64,
    ) -> Result<TokenRecord, StoreError> {
        let NewToken {
            principal,
            roles,
            exporter,
            description,
            expires_at_unix_ms,
            created_by,
        } = new;
        let record = TokenRecord {
            token_id: format!("{TOKEN_PREFIX}{:016x}", self.next_id()?),
            principal,
            roles,
            exporter,
            description,
            created_at_unix_ms: now_unix_ms,
            expires_at_unix_ms,
            revoked_at_unix_ms: None,
            created_by,
        };
        let hash = token_hash(secret);
        let value = encode("token", &record)?;
        (&self.tokens, &self.token_hashes)
            .transaction(|(tokens, hashes)| {
                if hashes.get(hash)?.is_some() {
                    return Err(Abort(StoreError::Corrupt {
                        key: "token_hashes".into(),
                        message: "a token with this secret exists already".into(),
                    }));
                }
                hashes.insert(&hash, record.token_id.as_bytes())?;
                tokens.insert(record.token_id.as_bytes(), value.clone())?;
                Ok(())
            })
            .map_err(tx_error)?;
        Ok(record)
    }

    /// The token whose secret is `secret`, live or not.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read or the record is corrupt.
    pub fn token_by_secret(&self, secret: &str) -> Result<Option<TokenRecord>, StoreError> {
        let Some(id) = self.token_hashes.get(token_hash(secret))? else {
            return Ok(None);
        };
        match self.tokens.get(&id)? {
            Some(v) => decode(&id, &v).map(Some),
            None => Err(StoreError::Corrupt {
                key: String::from_utf8_lossy(&id).into_owned(),
                message: "token hash index names a missing token".into(),
            }),
        }
    }

    /// Every token, oldest first.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read or a record is corrupt.
    pub fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        self.tokens
            .iter()
            .map(|kv| {
                let (k, v) = kv?;
                decode(&k, &v)
            })
            .collect()
    }

    /// True when no token was ever stored (a fresh data directory).
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read.
    pub fn has_tokens(&self) -> Result<bool, StoreError> {
        Ok(self.tokens.first()?.is_some())
    }

    /// Revokes a token at `now_unix_ms` (a second revocation keeps the
    /// first time). Returns the record.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown id; storage errors.
    pub fn revoke_token(
        &self,
        token_id: &str,
        now_unix_ms: i64,
    ) -> Result<TokenRecord, StoreError> {
        let key = token_id.as_bytes();
        let not_found = || StoreError::NotFound {
            what: "token",
            id: token_id.to_string(),
        };
        let updated = self.tokens.transaction(|tokens| {
            let Some(v) = tokens.get(key)? else {
                return Err(Abort(not_found()));
            };
            let mut rec: TokenRecord = decode(key, &v).map_err(Abort)?;
            if rec.revoked_at_unix_ms.is_none() {
                rec.revoked_at_unix_ms = Some(now_unix_ms);
                tokens.insert(key, encode("token", &rec).map_err(Abort)?)?;
            }
            Ok(rec)
        });
        updated.map_err(tx_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_token(principal: &str, roles: &[&str]) -> NewToken {
        NewToken {
            principal: principal.into(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            created_by: "tests".into(),
            ..NewToken::default()
        }
    }

    #[test]
    fn tokens_are_found_by_secret_and_only_the_hash_is_stored() {
        let s = Store::temporary().unwrap();
        let rec = s
            .insert_token("secret-one", new_token("ops", &["ADMIN"]), 10)
            .unwrap();
        assert!(rec.token_id.starts_with(TOKEN_PREFIX));
        assert_eq!(s.token_by_secret("secret-one").unwrap(), Some(rec.clone()));
        assert_eq!(s.token_by_secret("secret-two").unwrap(), None);
        assert_eq!(s.tokens().unwrap(), vec![rec]);
        // No stored byte sequence contains the secret.
        for tree in [&s.tokens, &s.token_hashes] {
            for kv in tree.iter() {
                let (k, v) = kv.unwrap();
                for bytes in [k.as_ref(), v.as_ref()] {
                    assert!(!bytes.windows(10).any(|w| w == b"secret-one"));
                }
            }
        }
    }

    #[test]
    fn a_reused_secret_is_refused() {
        let s = Store::temporary().unwrap();
        s.insert_token("same", new_token("a", &["ADMIN"]), 1)
            .unwrap();
        assert!(
            s.insert_token("same", new_token("b", &["ADMIN"]), 2)
                .is_err()
        );
        assert_eq!(s.tokens().unwrap().len(), 1);
    }

    #[test]
    fn revocation_and_expiry_end_a_token() {
        let s = Store::temporary().unwrap();
        assert!(!s.has_tokens().unwrap());
        let mut t = new_token("erp", &["EXPORTER"]);
        t.expires_at_unix_ms = Some(100);
        let rec = s.insert_token("x", t, 1).unwrap();
        assert!(s.has_tokens().unwrap());
        assert!(rec.is_live(99));
        assert!(!rec.is_live(100));

        let live = s
            .insert_token("y", new_token("ops", &["ADMIN"]), 1)
            .unwrap();
        assert!(live.is_live(i64::MAX));
        let revoked = s.revoke_token(&live.token_id, 50).unwrap();
        assert_eq!(revoked.revoked_at_unix_ms, Some(50));
        assert!(!s.token_by_secret("y").unwrap().unwrap().is_live(51));
        // A second revocation keeps the first time.
        let again = s.revoke_token(&live.token_id, 60).unwrap();
        assert_eq!(again.revoked_at_unix_ms, Some(50));
        assert!(matches!(
            s.revoke_token("tok-nope", 1),
            Err(StoreError::NotFound { what: "token", .. })
        ));
    }
}
