//! cargo-fuzz target: `harness::canonical_text` (hidden characters inserted
//! into a listed name never hide it).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| exportscreen_fuzz::harness::canonical_text(data));
