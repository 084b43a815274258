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
//! - [`store`]: storage of lists, versions, screenings and cases behind the
//!   [`store::Store`] trait; sled is the embedded backend (all sled calls
//!   live in `store/sled_store`).
//! - [`service`]: the application layer (screening, lists, cases): what
//!   the service does, independent of gRPC; owns what runs where and the
//!   transaction boundary.
//! - [`api`]: tonic services, the protobuf <-> model conversions and the one
//!   place where errors become gRPC statuses; handlers check, convert, call
//!   a service, convert.
//! - [`ids`], [`actions`]: typed identities and closed vocabularies (audit
//!   actions, list version origins).
//! - [`shutdown`]: the owner of background tasks and the shutdown signal.
//! - [`http`]: the HTTP/JSON front: proto3 JSON transcoded in process onto
//!   the same tonic routes and layers, and the OpenAPI document.
//! - [`bundled`]: the official lists and control list shipped with the
//!   service (seed of a fresh data directory).
//! - [`eval`]: in-process evaluation on a case directory.
//! - [`cli`]: the command line (`serve`, `screen`, `import`, `lists`, `eval`).
//! - [`error`]: the crate's error type.
//! - [`duration`]: the one duration grammar (humantime) of flags and
//!   configuration files.

#![deny(missing_docs)]

pub mod actions;
pub mod api;
pub mod bundled;
pub mod cases;
pub mod cli;
pub mod duration;
pub mod error;
pub mod eval;
pub mod http;
pub mod ids;
pub mod lists;
pub mod service;
pub mod shutdown;
pub mod store;

pub use error::{Error, Result};
/// The pure screening engine (its own crate, `crates/engine`).
pub use exportscreen_engine as engine;
/// Domain types shared by every layer (part of the engine crate).
pub use exportscreen_engine::model;
