//! Exit codes of the command line, so that scripts and pipelines can gate
//! on them:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success; with `--fail-on`, every decision below the threshold |
//! | 1 | the server refused or failed the request, or another error |
//! | 2 | usage: invalid arguments (clap), an unreadable or malformed input file |
//! | 3 | the server is unreachable, or refused the token (UNAUTHENTICATED, PERMISSION_DENIED) |
//! | 10 | a screening answered without a decision (fails any `--fail-on`) |
//! | 11, 12, 13 | REVIEW, LICENSE_REQUIRED, PROHIBITED: the strongest decision, at or above `--fail-on` |
//!
//! Commands return `anyhow` errors; an error that decides its code carries
//! a [`Coded`] (made by [`usage`], [`unreachable`], [`status_code`] ...),
//! and [`code_of`] finds it. Anything else is 1.

use tonic::Code;

use super::args::FailOn;
use crate::api::pb;

/// Success.
pub const OK: u8 = 0;
/// A refused request or another error.
pub const FAILURE: u8 = 1;
/// Invalid arguments or input files.
pub const USAGE: u8 = 2;
/// The server is unreachable or refused the token.
pub const UNREACHABLE: u8 = 3;
/// A screening without a decision.
pub const NO_DECISION: u8 = 10;
/// REVIEW at or above `--fail-on`.
pub const REVIEW: u8 = 11;
/// LICENSE_REQUIRED at or above `--fail-on`.
pub const LICENSE_REQUIRED: u8 = 12;
/// PROHIBITED at or above `--fail-on`.
pub const PROHIBITED: u8 = 13;

/// An error with the exit code it calls for.
#[derive(Debug, thiserror::Error)]
#[error("{error:#}")]
pub struct Coded {
    /// The exit code.
    pub code: u8,
    /// What happened.
    pub error: anyhow::Error,
}

fn coded(code: u8, error: anyhow::Error) -> anyhow::Error {
    anyhow::Error::new(Coded { code, error })
}

/// A usage error (exit 2).
pub fn usage(e: impl Into<anyhow::Error>) -> anyhow::Error {
    coded(USAGE, e.into())
}

/// The server cannot be reached (exit 3).
pub fn unreachable(e: impl Into<anyhow::Error>) -> anyhow::Error {
    coded(UNREACHABLE, e.into())
}

/// The exit code for a gRPC status the server answered with: 3 when the
/// token was refused or the server is unavailable, else 1.
pub fn status_code(code: Code) -> u8 {
    match code {
        Code::Unauthenticated | Code::PermissionDenied | Code::Unavailable => UNREACHABLE,
        _ => FAILURE,
    }
}

/// A gRPC status as an error with its exit code.
pub fn from_status(code: Code, e: anyhow::Error) -> anyhow::Error {
    coded(status_code(code), e)
}

/// The exit code of an error: the first [`Coded`] in its chain, else 1.
pub fn code_of(e: &anyhow::Error) -> u8 {
    e.chain()
        .find_map(|c| c.downcast_ref::<Coded>())
        .map_or(FAILURE, |c| c.code)
}

/// The exit code for the strongest `decision` (wire value) of a screening
/// or batch under `--fail-on`: 0 below the threshold, 11-13 at or above
/// it, 10 for an answer without a decision.
pub fn gate(decision: i32, fail_on: FailOn) -> u8 {
    let (code, level) = match pb::Decision::try_from(decision) {
        Ok(pb::Decision::Clear) => return OK,
        Ok(pb::Decision::Review) => (REVIEW, FailOn::Review),
        Ok(pb::Decision::LicenseRequired) => (LICENSE_REQUIRED, FailOn::License),
        Ok(pb::Decision::Prohibited) => (PROHIBITED, FailOn::Prohibited),
        Ok(pb::Decision::Unspecified) | Err(_) => return NO_DECISION,
    };
    if level >= fail_on { code } else { OK }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_against_thresholds() {
        use FailOn::{License, Prohibited, Review};
        use pb::Decision as D;
        let table = [
            (D::Clear, Review, OK),
            (D::Review, Review, REVIEW),
            (D::Review, License, OK),
            (D::LicenseRequired, Review, LICENSE_REQUIRED),
            (D::LicenseRequired, License, LICENSE_REQUIRED),
            (D::LicenseRequired, Prohibited, OK),
            (D::Prohibited, Review, PROHIBITED),
            (D::Prohibited, Prohibited, PROHIBITED),
            (D::Unspecified, Prohibited, NO_DECISION),
        ];
        for (d, f, want) in table {
            assert_eq!(gate(d as i32, f), want, "{d:?} with --fail-on {f:?}");
        }
        assert_eq!(gate(99, Review), NO_DECISION);
    }

    #[test]
    fn codes_travel_in_the_error_chain() {
        let e = usage(anyhow::anyhow!("bad file"));
        assert_eq!(code_of(&e), USAGE);
        assert_eq!(code_of(&e.context("screen")), USAGE);
        assert_eq!(code_of(&anyhow::anyhow!("plain")), FAILURE);
        let e = from_status(Code::Unauthenticated, anyhow::anyhow!("no token"));
        assert_eq!(code_of(&e), UNREACHABLE);
        let e = from_status(Code::InvalidArgument, anyhow::anyhow!("bad field"));
        assert_eq!(code_of(&e), FAILURE);
    }
}
