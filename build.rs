//! Rebuilds the crate when the translation catalogues or embedded data change: the catalogue
//! is compiled in by `rust_i18n::i18n!`, which cargo does not otherwise watch. Also records a
//! hash of the sources the crate is built from (`SAFECAMPUS_SOURCE_HASH`): the test harness
//! names its cached demo databases by it, so a binary built from other sources never reuses,
//! or leaves behind, a database seeded by other code.
use std::hash::Hasher;

fn main() {
    println!("cargo:rerun-if-changed=locales");
    println!("cargo:rerun-if-changed=assets/catalog");
    println!("cargo:rerun-if-changed=assets/demo");
    println!("cargo:rerun-if-changed=assets/calendar");
    println!("cargo:rerun-if-changed=src");
    let mut files = Vec::new();
    for dir in [
        "src",
        "assets/demo",
        "assets/catalog",
        "assets/calendar",
        "locales",
    ] {
        let mut stack = vec![std::path::PathBuf::from(dir)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    files.push(p);
                }
            }
        }
    }
    files.sort();
    // Two independent 64-bit hashes (no build dependency needed); collisions only cost a
    // rebuild of a test database, never a wrong answer in production.
    let mut a = std::collections::hash_map::DefaultHasher::new();
    let mut b = std::collections::hash_map::DefaultHasher::new();
    b.write_u8(0x5c);
    for f in files {
        let bytes = std::fs::read(&f).unwrap_or_default();
        for h in [&mut a, &mut b] {
            h.write(f.to_string_lossy().as_bytes());
            h.write(&bytes);
        }
    }
    println!(
        "cargo:rustc-env=SAFECAMPUS_SOURCE_HASH={:016x}{:016x}",
        a.finish(),
        b.finish()
    );
}
