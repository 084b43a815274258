//! Integration tests: one binary (ripgrep style), real servers on
//! `127.0.0.1:0` driven through the generated gRPC clients.
//!
//! Lives in `tests/integration/` so that Cargo builds one test binary from
//! `main.rs` and its modules (every `tests/*.rs` would be a binary of its own).

mod boundary;
mod cases;
mod cli;
mod cli_exit;
mod console;
mod decisions;
mod durability;
mod examples;
mod files;
mod fuzz_regressions;
mod health;
mod history;
mod hotswap;
mod http;
mod hygiene;
mod lists;
mod load;
mod officer_actions;
mod protocol;
mod readme;
mod rescreen;
mod screening;
mod security;
mod startup;
mod tls;
mod token_guardrails;
mod util;
mod validation;
mod webhooks;
mod writepath;
