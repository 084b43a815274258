//! cargo-fuzz target: `harness::normalize_name`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| exportscreen_fuzz::harness::normalize_name(data));
