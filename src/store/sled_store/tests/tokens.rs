//! Access tokens: found by the hash of their secret (only the hash is
//! stored), refused when a secret is reused, revoked and expired; the
//! in-memory copy follows every change and a reopened store.

use super::*;
use crate::store::StoreError;
use crate::store::tokens::{NewToken, TOKEN_PREFIX, token_hash};

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
    let dir = tempfile::tempdir().unwrap();
    let s = SledStore::open(dir.path()).unwrap();
    let rec = s
        .insert_token(token_hash("secret-one"), new_token("ops", &["ADMIN"]), 10)
        .wait()
        .unwrap();
    assert!(rec.token_id.starts_with(TOKEN_PREFIX));
    assert_eq!(
        s.token_by_hash(&token_hash("secret-one")).unwrap(),
        Some(rec.clone())
    );
    assert_eq!(s.token_by_hash(&token_hash("secret-two")).unwrap(), None);
    assert_eq!(s.tokens().unwrap(), vec![rec.clone()]);
    // No stored byte sequence contains the secret.
    for t in [
        super::super::txn::T::Tokens,
        super::super::txn::T::TokenHashes,
    ] {
        for kv in s.tree(t).iter() {
            let (k, v) = kv.unwrap();
            for bytes in [k.as_ref(), v.as_ref()] {
                assert!(!bytes.windows(10).any(|w| w == b"secret-one"));
            }
        }
    }
    // A reopened store knows its tokens.
    drop(s);
    let s = SledStore::open(dir.path()).unwrap();
    assert_eq!(
        s.token_by_hash(&token_hash("secret-one")).unwrap(),
        Some(rec)
    );
}

#[test]
fn a_reused_secret_is_refused() {
    let s = SledStore::temporary().unwrap();
    s.insert_token(token_hash("same"), new_token("a", &["ADMIN"]), 1)
        .wait()
        .unwrap();
    assert!(
        s.insert_token(token_hash("same"), new_token("b", &["ADMIN"]), 2)
            .wait()
            .is_err()
    );
    assert_eq!(s.tokens().unwrap().len(), 1);
}

#[test]
fn revocation_and_expiry_end_a_token_at_once() {
    let s = SledStore::temporary().unwrap();
    assert!(s.tokens().unwrap().is_empty());
    let mut t = new_token("erp", &["EXPORTER"]);
    t.expires_at_unix_ms = Some(100);
    let rec = s.insert_token(token_hash("x"), t, 1).wait().unwrap();
    assert!(rec.is_live(99));
    assert!(!rec.is_live(100));

    let live = s
        .insert_token(token_hash("y"), new_token("ops", &["ADMIN"]), 1)
        .wait()
        .unwrap();
    assert!(live.is_live(i64::MAX));
    let revoked = s.revoke_token(&live.token_id, 50).wait().unwrap();
    assert_eq!(revoked.revoked_at_unix_ms, Some(50));
    // The lookup every call makes sees it as soon as it is acknowledged.
    assert!(
        !s.token_by_hash(&token_hash("y"))
            .unwrap()
            .unwrap()
            .is_live(51)
    );
    // A second revocation keeps the first time.
    let again = s.revoke_token(&live.token_id, 60).wait().unwrap();
    assert_eq!(again.revoked_at_unix_ms, Some(50));
    assert!(matches!(
        s.revoke_token("tok-nope", 1).wait(),
        Err(StoreError::NotFound { what: "token", .. })
    ));
}
