//! Bearer tokens: generating secrets, reading the `authorization`
//! metadata, and turning a token into a [`Caller`].
//!
//! A token is `es_` followed by 64 hex digits (256 bits from the operating
//! system's random source). The store keeps its SHA-256 hash only, so a
//! copy of the database grants nothing.

use super::AuthError;
use crate::api::caller::{Caller, Role};
use crate::store::Store;
use crate::store::tokens::TokenRecord;

/// Prefix of every token secret (makes a leaked token easy to recognise).
pub const SECRET_PREFIX: &str = "es_";
/// Metadata key of the token.
pub const AUTHORIZATION: &str = "authorization";

/// A fresh token secret.
///
/// # Errors
/// The operating system's random source failed.
pub fn generate_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(format!("{SECRET_PREFIX}{}", hex::encode(bytes)))
}

/// The token in `authorization` metadata, if any: `Bearer <token>` (the
/// scheme is case-insensitive), sent exactly once.
///
/// # Errors
/// [`AuthError::Malformed`] when the value is not a bearer token,
/// [`AuthError::Ambiguous`] when there are several values.
pub fn bearer(headers: &http::HeaderMap) -> Result<Option<&str>, AuthError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let more = values.count();
    if more > 0 {
        return Err(AuthError::Ambiguous { count: more + 1 });
    }
    let value = value.to_str().map_err(|_| AuthError::Malformed)?;
    let (scheme, token) = value.split_once(' ').ok_or(AuthError::Malformed)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(AuthError::Malformed);
    }
    Ok(Some(token))
}

/// The caller a token speaks for, at `now_unix_ms`.
///
/// # Errors
/// [`AuthError::Unknown`], [`AuthError::Expired`], [`AuthError::Revoked`],
/// [`AuthError::BadRecord`], or a storage error.
pub fn authenticate(store: &Store, secret: &str, now_unix_ms: i64) -> Result<Caller, AuthError> {
    let record = store.token_by_secret(secret)?.ok_or(AuthError::Unknown)?;
    if !record.is_live(now_unix_ms) {
        // The answer does not name the token; the operator's log does.
        tracing::info!(token_id = %record.token_id, "refused a revoked or expired token");
    }
    if record.revoked_at_unix_ms.is_some() {
        return Err(AuthError::Revoked {
            token_id: record.token_id,
        });
    }
    if !record.is_live(now_unix_ms) {
        return Err(AuthError::Expired {
            token_id: record.token_id,
        });
    }
    caller_of(&record)
}

/// The caller a stored token describes.
///
/// # Errors
/// [`AuthError::BadRecord`] for a role name this build does not know.
pub fn caller_of(record: &TokenRecord) -> Result<Caller, AuthError> {
    let roles = record
        .roles
        .iter()
        .map(|r| {
            Role::parse(r).ok_or_else(|| AuthError::BadRecord {
                token_id: record.token_id.clone(),
                role: r.clone(),
            })
        })
        .collect::<Result<Vec<Role>, AuthError>>()?;
    Ok(Caller {
        principal: record.principal.clone(),
        roles,
        exporter: record.exporter.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tokens::NewToken;

    fn headers(value: Option<&str>) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        if let Some(v) = value {
            h.insert(AUTHORIZATION, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn secrets_are_long_random_and_prefixed() {
        let a = generate_secret().unwrap();
        let b = generate_secret().unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with(SECRET_PREFIX));
        assert_eq!(a.len(), SECRET_PREFIX.len() + 64);
    }

    #[test]
    fn the_bearer_header() {
        type Want = Result<Option<&'static str>, ()>;
        let table: &[(Option<&str>, Want)] = &[
            (None, Ok(None)),
            (Some("Bearer abc"), Ok(Some("abc"))),
            (Some("bearer  abc "), Ok(Some("abc"))),
            (Some("Basic abc"), Err(())),
            (Some("Bearer"), Err(())),
            (Some("Bearer "), Err(())),
            (Some("abc"), Err(())),
        ];
        let mut two = headers(Some("Bearer abc"));
        two.append(AUTHORIZATION, "Bearer def".parse().unwrap());
        assert!(matches!(
            bearer(&two),
            Err(AuthError::Ambiguous { count: 2 })
        ));
        for (value, want) in table {
            let h = headers(*value);
            let got = bearer(&h).map_err(|_| ());
            assert_eq!(&got, want, "{value:?}");
        }
    }

    #[test]
    fn authentication_outcomes() {
        let store = Store::temporary().unwrap();
        let mk = |secret: &str, roles: &[&str], expires: Option<i64>| {
            store
                .insert_token(
                    secret,
                    NewToken {
                        principal: format!("p-{secret}"),
                        roles: roles.iter().map(|r| r.to_string()).collect(),
                        exporter: Some("acme".into()),
                        expires_at_unix_ms: expires,
                        created_by: "tests".into(),
                        ..NewToken::default()
                    },
                    0,
                )
                .unwrap()
        };
        mk("good", &["EXPORTER"], None);
        mk("old", &["OFFICER"], Some(100));
        let revoked = mk("gone", &["ADMIN"], None);
        store.revoke_token(&revoked.token_id, 5).unwrap();
        mk("odd", &["WIZARD"], None);

        let c = authenticate(&store, "good", 1000).unwrap();
        assert_eq!(c.principal, "p-good");
        assert_eq!(c.roles, vec![Role::Exporter]);
        assert_eq!(c.exporter.as_deref(), Some("acme"));
        assert!(authenticate(&store, "old", 99).is_ok());
        assert!(matches!(
            authenticate(&store, "old", 100),
            Err(AuthError::Expired { .. })
        ));
        let revoked_error = authenticate(&store, "gone", 6).unwrap_err();
        assert!(matches!(revoked_error, AuthError::Revoked { .. }));
        // What the caller reads never names the token.
        assert!(!revoked_error.to_string().contains(&revoked.token_id));
        let expired_error = authenticate(&store, "old", 100).unwrap_err();
        assert!(
            !expired_error.to_string().contains("tok-"),
            "{expired_error}"
        );
        assert!(matches!(
            authenticate(&store, "nope", 6),
            Err(AuthError::Unknown)
        ));
        assert!(matches!(
            authenticate(&store, "odd", 6),
            Err(AuthError::BadRecord { .. })
        ));
    }
}
