//! The `next=` redirect check (T-IN-5); the properties are in `checks.rs`.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::redirect_next(data));
