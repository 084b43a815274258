//! Access control: who may call what, decided in one place.
//!
//! - [`token`]: bearer tokens (`authorization: Bearer es_...`): secrets,
//!   the header, checking a token against the store.
//! - [`policy`]: the per-method role table (a method not in it is
//!   ADMIN-only) and the services open without a token (health, reflection).
//! - [`rate`]: per-principal token buckets (ADMIN exempt).
//! - [`layer`]: the tower layer in front of every service: request id,
//!   authentication, authorisation, rate limit, request metrics; it puts the
//!   [`Caller`](super::caller::Caller) into the request's extensions.
//! - [`admin`]: the AdminService (create, list, revoke tokens; WhoAmI).
//! - [`bootstrap`]: the first ADMIN token of a fresh data directory
//!   (`admin.token`, mode 0600).

pub mod admin;
pub mod bootstrap;
pub mod layer;
pub mod policy;
pub mod rate;
pub mod token;

use std::time::Duration;

use thiserror::Error;

use crate::store::StoreError;

/// A call refused by access control.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum AuthError {
    /// No `authorization` metadata.
    #[error("missing token: send metadata `authorization: Bearer <token>`")]
    Missing,
    /// The `authorization` metadata is not `Bearer <token>`.
    #[error("malformed authorization metadata: expected `Bearer <token>`")]
    Malformed,
    /// More than one `authorization` metadata value.
    #[error("{count} authorization metadata values: send exactly one")]
    Ambiguous {
        /// How many were sent.
        count: usize,
    },
    /// No such token.
    #[error("invalid token")]
    Unknown,
    /// The token has expired. The message does not name the token (its id
    /// is logged on the server).
    #[error("token expired")]
    Expired {
        /// The token's id (for the server's log only).
        token_id: String,
    },
    /// The token was revoked. The message does not name the token.
    #[error("token revoked")]
    Revoked {
        /// The token's id (for the server's log only).
        token_id: String,
    },
    /// The token's stored record names a role this build does not know.
    /// The message does not name the token.
    #[error("the token's stored record names an unknown role {role:?}")]
    BadRecord {
        /// The token's id (for the server's log only).
        token_id: String,
        /// The role as stored.
        role: String,
    },
    /// The caller's roles do not allow the method.
    #[error("{principal} may not call {method} (allowed roles: {allowed})")]
    Forbidden {
        /// The caller.
        principal: String,
        /// The method path.
        method: String,
        /// The roles that may call it.
        allowed: String,
    },
    /// The caller is over its request rate.
    #[error("rate limit of {principal} exceeded ({per_second}/s, burst {burst}); retry in {} ms", .retry_after.as_millis())]
    RateLimited {
        /// The caller.
        principal: String,
        /// Sustained requests per second allowed.
        per_second: f64,
        /// Burst allowed.
        burst: f64,
        /// When the next request would be admitted.
        retry_after: Duration,
    },
    /// The token store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
}
