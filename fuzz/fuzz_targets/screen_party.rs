//! cargo-fuzz target: `harness::screen_party`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| exportscreen_fuzz::harness::screen_party(data));
