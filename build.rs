//! Rebuilds the crate when the translation catalogues or embedded data change: the catalogue
//! is compiled in by `rust_i18n::i18n!`, which cargo does not otherwise watch.
fn main() {
    println!("cargo:rerun-if-changed=locales");
    println!("cargo:rerun-if-changed=assets/catalog");
    println!("cargo:rerun-if-changed=assets/demo");
}
