//! cargo-fuzz target: `harness::units_extract`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| exportscreen_fuzz::harness::units_extract(data));
