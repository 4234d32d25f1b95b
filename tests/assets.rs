//! Vendored front-end files match the checksums recorded in `assets/vendor/SOURCES`
//! (written by `scripts/vendor-assets.sh` from the pinned npm releases), each package ships
//! its licence, and no template or stylesheet loads anything from another host.

use sha2::{Digest, Sha256};
use std::path::Path;

#[test]
fn vendored_files_match_their_checksums() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/vendor");
    let sources = std::fs::read_to_string(root.join("SOURCES")).expect("SOURCES");
    let mut n = 0;
    for line in sources.lines().filter(|l| !l.trim().is_empty()) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(parts.len(), 5, "SOURCES line: {line}");
        let (pkg, version, integrity, sha, file) =
            (parts[0], parts[1], parts[2], parts[3], parts[4]);
        assert!(integrity.starts_with("sha512-"), "{pkg} integrity");
        assert!(
            !version.contains('^') && !version.contains('~'),
            "{pkg} pinned"
        );
        let bytes = std::fs::read(root.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(
            hex::encode(Sha256::digest(&bytes)),
            sha,
            "{file} differs from {pkg}@{version}"
        );
        n += 1;
    }
    assert!(n >= 4, "htmx and echarts with their licences");
    assert!(root.join("htmx/LICENSE").exists() && root.join("echarts/LICENSE").exists());
}

#[test]
fn nothing_is_loaded_from_outside() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["templates", "assets/static"] {
        let mut stack = vec![root.join(dir)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("dir").flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                // A namespace name is an identifier, never fetched (a standalone SVG file needs
                // its `xmlns`).
                let text = std::fs::read_to_string(&p)
                    .unwrap_or_default()
                    .replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
                for bad in ["http://", "https://", "//cdn", "fonts.googleapis"] {
                    assert!(!text.contains(bad), "{} refers to {bad}", p.display());
                }
            }
        }
    }
}
