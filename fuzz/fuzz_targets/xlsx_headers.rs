//! The header mapper of the .xlsx imports (T-IN-5); the properties are in `checks.rs`.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::xlsx_headers(data));
