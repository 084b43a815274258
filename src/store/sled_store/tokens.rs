//! Access tokens in sled: `tokens` (token id -> record) and `token_hashes`
//! (SHA-256 of the secret -> token id), written together by the writer,
//! and the in-memory copy every access check reads (updated once a
//! creation or revocation is durable, before it is acknowledged).

use std::collections::HashMap;

use super::TokenCache;
use super::txn::{T, Trees, Txn, decode};
use crate::store::StoreError;
use crate::store::tokens::{NewToken, TOKEN_PREFIX, TokenRecord};

/// Every stored token by the hash of its secret.
///
/// # Errors
/// [`StoreError`] when the database cannot be read or a record is corrupt.
pub(super) fn load(trees: &Trees) -> Result<HashMap<[u8; 32], TokenRecord>, StoreError> {
    let mut out = HashMap::new();
    for kv in trees.get(T::TokenHashes).iter() {
        let (hash, id) = kv?;
        let Ok(hash) = <[u8; 32]>::try_from(hash.as_ref()) else {
            return Err(StoreError::Corrupt {
                key: "token_hashes".into(),
                message: format!("a key of {} bytes, expected 32", hash.len()),
            });
        };
        let v = trees
            .get(T::Tokens)
            .get(&id)?
            .ok_or_else(|| StoreError::Corrupt {
                key: String::from_utf8_lossy(&id).into_owned(),
                message: "token hash index names a missing token".into(),
            })?;
        out.insert(hash, decode(&id, &v)?);
    }
    Ok(out)
}

/// The writer's operation: see [`crate::store::Store::insert_token`]. A
/// secret whose hash is stored already is refused as
/// [`StoreError::Corrupt`] (a reused secret).
pub(super) fn insert(
    txn: &mut Txn<'_>,
    cache: &TokenCache,
    hash: [u8; 32],
    new: NewToken,
    now_unix_ms: i64,
) -> Result<TokenRecord, StoreError> {
    if txn.get(T::TokenHashes, &hash)?.is_some() {
        return Err(StoreError::Corrupt {
            key: "token_hashes".into(),
            message: "a token with this secret exists already".into(),
        });
    }
    let NewToken {
        principal,
        roles,
        exporter,
        description,
        expires_at_unix_ms,
        created_by,
    } = new;
    let record = TokenRecord {
        token_id: format!("{TOKEN_PREFIX}{:016x}", txn.next_id()?),
        principal,
        roles,
        exporter,
        description,
        created_at_unix_ms: now_unix_ms,
        expires_at_unix_ms,
        revoked_at_unix_ms: None,
        created_by,
    };
    txn.insert(T::TokenHashes, hash.to_vec(), record.token_id.as_bytes());
    txn.put_json(T::Tokens, record.token_id.as_bytes(), "token", &record)?;
    let (cache, cached) = (TokenCache::clone(cache), record.clone());
    txn.after_commit(Box::new(move || {
        cache
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(hash, cached);
    }));
    Ok(record)
}

/// The writer's operation: see [`crate::store::Store::revoke_token`].
pub(super) fn revoke(
    txn: &mut Txn<'_>,
    cache: &TokenCache,
    token_id: &str,
    now_unix_ms: i64,
) -> Result<TokenRecord, StoreError> {
    let key = token_id.as_bytes();
    let mut rec: TokenRecord =
        txn.get_json(T::Tokens, key)?
            .ok_or_else(|| StoreError::NotFound {
                what: "token",
                id: token_id.to_string(),
            })?;
    if rec.revoked_at_unix_ms.is_none() {
        rec.revoked_at_unix_ms = Some(now_unix_ms);
        txn.put_json(T::Tokens, key, "token", &rec)?;
        let (cache, cached) = (TokenCache::clone(cache), rec.clone());
        txn.after_commit(Box::new(move || {
            let mut c = cache.write().unwrap_or_else(|p| p.into_inner());
            for r in c.values_mut() {
                if r.token_id == cached.token_id {
                    *r = cached.clone();
                }
            }
        }));
    }
    Ok(rec)
}
