//! Console sessions: a login exchanges a token for a random session id
//! kept server-side (the token never leaves the server again: the cookie
//! carries only the session id), with the caller's principal and roles, a
//! per-session CSRF token every form must echo, and an expiry.
//!
//! The map is small and its critical sections are a lookup or an insert:
//! a `std::sync::Mutex` held for microseconds, never across an await.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::api::caller::{Caller, Role};

/// How long a session lasts after login.
pub const SESSION_TTL: Duration = Duration::from_secs(8 * 3600);
/// Most sessions kept at once (the oldest expire first when full).
pub const MAX_SESSIONS: usize = 10_000;
/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "es_session";
/// Name of the login-form cookie (its CSRF token, before a session exists).
pub const LOGIN_COOKIE: &str = "es_login";

/// One logged-in browser.
#[derive(Clone, Debug)]
pub struct Session {
    /// The token the user logged in with (sent with every call the console
    /// makes for them; never to the browser).
    pub token: String,
    /// Who they are, with their roles, as the token service says.
    pub caller: Caller,
    /// The CSRF token of this session.
    pub csrf: String,
    /// When the session ends.
    pub expires: Instant,
}

impl Session {
    /// True when the role table lets this user call `path`.
    pub fn may(&self, path: &str) -> bool {
        match crate::api::auth::policy::access(path) {
            crate::api::auth::policy::Access::Open => true,
            crate::api::auth::policy::Access::Roles(roles) => {
                crate::api::auth::policy::permits(roles, &self.caller)
            }
        }
    }

    /// True for a user who is only an exporter.
    pub fn exporter_only(&self) -> bool {
        self.caller.exporter_only()
    }

    /// The user's roles as text (`OFFICER, AUDITOR`).
    pub fn roles_text(&self) -> String {
        self.caller
            .roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The sessions of the console.
#[derive(Clone, Debug, Default)]
pub struct Sessions {
    map: Arc<Mutex<HashMap<String, Session>>>,
}

/// A fresh random token: 32 bytes, hex.
///
/// # Errors
/// The system random source failed.
pub fn random_token() -> Result<String, getrandom::Error> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b)?;
    Ok(hex::encode(b))
}

impl Sessions {
    /// Opens a session for `caller` logged in with `token`; returns its id.
    ///
    /// # Errors
    /// The system random source failed.
    pub fn open(
        &self,
        token: String,
        caller: Caller,
    ) -> Result<(String, Session), getrandom::Error> {
        let id = random_token()?;
        let session = Session {
            token,
            caller,
            csrf: random_token()?,
            expires: Instant::now() + SESSION_TTL,
        };
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        map.retain(|_, s| s.expires > now);
        if map.len() >= MAX_SESSIONS {
            if let Some(oldest) = map
                .iter()
                .min_by_key(|(_, s)| s.expires)
                .map(|(k, _)| k.clone())
            {
                map.remove(&oldest);
            }
        }
        map.insert(id.clone(), session.clone());
        Ok((id, session))
    }

    /// The live session `id`, if any.
    pub fn get(&self, id: &str) -> Option<Session> {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(id) {
            Some(s) if s.expires > Instant::now() => Some(s.clone()),
            Some(_) => {
                map.remove(id);
                None
            }
            None => None,
        }
    }

    /// Ends session `id`.
    pub fn close(&self, id: &str) {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
    }
}

/// The roles of a `TokenInfo` answer.
pub fn roles_of(info: &crate::api::pb::TokenInfo) -> Vec<Role> {
    info.roles()
        .filter_map(|r| Role::parse(r.as_str_name()))
        .collect()
}

/// Compares two secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller() -> Caller {
        Caller {
            principal: "olga".into(),
            roles: vec![Role::Officer],
            exporter: None,
        }
    }

    #[test]
    fn sessions_open_find_and_close() {
        let s = Sessions::default();
        let (id, session) = s.open("es_secret".into(), caller()).unwrap();
        assert_eq!(id.len(), 64);
        assert_ne!(id, session.csrf);
        assert_eq!(s.get(&id).unwrap().caller.principal, "olga");
        assert!(s.get("nope").is_none());
        s.close(&id);
        assert!(s.get(&id).is_none());
    }

    #[test]
    fn the_role_table_decides_what_a_session_may_do() {
        let s = Sessions::default();
        let (_, officer) = s.open("t".into(), caller()).unwrap();
        assert!(officer.may("/exportscreen.v1.CaseService/DecideCase"));
        assert!(!officer.may("/exportscreen.v1.ListService/ImportList"));
        let exporter = Caller {
            principal: "acme".into(),
            roles: vec![Role::Exporter],
            exporter: Some("ACME".into()),
        };
        let (_, exporter) = s.open("t".into(), exporter).unwrap();
        assert!(exporter.exporter_only());
        assert!(exporter.may("/exportscreen.v1.CaseService/GetCase"));
        assert!(!exporter.may("/exportscreen.v1.CaseService/DecideCase"));
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
