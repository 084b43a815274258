//! Fuzz targets of exportscreen (see `harness`), built by `cargo fuzz`.

#[path = "harness.rs"]
pub mod harness;
