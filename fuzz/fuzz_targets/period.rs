//! Reporting periods, days of the year and the working-day calendar file (T-IN-5); the properties are in `checks.rs`.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::period(data));
