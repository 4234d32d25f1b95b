//! The device ingest payload (HTTP body and broker message) and its events (T-IN-5); the properties are in `checks.rs`.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::ingest_payload(data));
