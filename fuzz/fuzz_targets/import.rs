//! cargo-fuzz target: `harness::import`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| exportscreen_fuzz::harness::import(data));
