//! exportscreen: screens proposed export shipments for dual-use and
//! missile-technology risk.
//!
//! # Layout
//!
//! The data flow is request -> engine -> findings -> decision -> case:
//!
//! - [`model`]: plain domain types shared by every layer (entries, shipments,
//!   findings, decisions).
//! - [`lists`]: importers that turn official list files (OFAC, UN, BIS,
//!   trade.gov, our own TOML) into [`model::ListContent`].
//! - [`engine`]: the pure screening engine (no I/O, no async): normalisation,
//!   indexes, matchers and the decision policy. Built from an immutable
//!   snapshot of all lists and swapped atomically when a list changes.
//! - [`cases`]: the licensing officers' case workflow as pure logic
//!   (status machine, priority, suppression keys, reports).
//! - [`store`]: sled storage of lists, versions, screenings and cases. All
//!   sled calls live here.
//! - [`api`]: tonic services, the protobuf <-> model conversions and the one
//!   place where errors become gRPC statuses.
//! - [`bundled`]: the official lists and control list shipped with the
//!   service (seed of a fresh data directory).
//! - [`eval`]: in-process evaluation on a case directory.
//! - [`cli`]: the command line (`serve`, `screen`, `import`, `lists`, `eval`).
//! - [`error`]: the crate's error type.
//! - [`duration`]: the one duration grammar (humantime) of flags and
//!   configuration files.

#![deny(missing_docs)]

pub mod api;
pub mod bundled;
pub mod cases;
pub mod cli;
pub mod duration;
pub mod error;
pub mod eval;
pub mod lists;
pub mod store;

pub use error::{Error, Result};
/// The pure screening engine (its own crate, `crates/engine`).
pub use exportscreen_engine as engine;
/// Domain types shared by every layer (part of the engine crate).
pub use exportscreen_engine::model;
