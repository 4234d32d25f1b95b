//! The layers' arrows, checked over the source: the crate is one compilation unit (see
//! ARCHITECTURE.md, "Decisions"), so the compiler does not stop a module from reaching up or
//! around a layer; this test does. Comment lines are ignored; every other line counts, so a
//! fully qualified path in an expression is caught as well as a `use`.
//!
//! - the bottom (`clock`, `i18n`) names no other module of the crate;
//! - `domain` names only the bottom and itself (no storage, web, policy, configuration);
//! - `policy` names only `domain`;
//! - `storage` names no `web`, `cli` or `demo`, and no HTTP framework;
//! - `web` never names the unscoped handle, the jobs runner, the database connection or a
//!   row type: it reaches business data only through `Ctx::db` / `Ctx::db_as`; only the gate
//!   (`web/ctx.rs`) holds the `Db`.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if d.is_file() {
            out.push(d);
            continue;
        }
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() || p.extension().is_some_and(|x| x == "rs") {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Every (file, line number, line) of code (not comments) under `rel`.
fn code_lines(rel: &str) -> Vec<(String, usize, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for f in rust_files(&root.join(rel)) {
        let text = std::fs::read_to_string(&f).expect("read");
        let name = f
            .strip_prefix(root)
            .unwrap_or(&f)
            .to_string_lossy()
            .to_string();
        for (i, line) in text.lines().enumerate() {
            let t = line.trim_start();
            if t.starts_with("//") {
                continue;
            }
            out.push((name.clone(), i + 1, line.to_string()));
        }
    }
    out
}

/// Fails with every line under `rel` that contains one of `forbidden` (except in `allowed`
/// files).
fn forbid(rel: &str, forbidden: &[&str], allowed: &[&str]) {
    let mut bad = Vec::new();
    for (file, n, line) in code_lines(rel) {
        if allowed.iter().any(|a| file.ends_with(a)) {
            continue;
        }
        for f in forbidden {
            if line.contains(f) {
                bad.push(format!("{file}:{n}: names `{f}`: {}", line.trim()));
            }
        }
    }
    assert!(bad.is_empty(), "layer violations:\n{}", bad.join("\n"));
}

/// `crate::x` paths that name a module other than `allowed`.
fn only_crate_modules(rel: &str, allowed: &[&str]) {
    let mut bad = Vec::new();
    for (file, n, line) in code_lines(rel) {
        for (i, _) in line.match_indices("crate::") {
            let rest = &line[i + "crate::".len()..];
            let module: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            // `$crate::…` in a macro names the defining crate's items, checked like any path.
            if !allowed.contains(&module.as_str()) {
                bad.push(format!(
                    "{file}:{n}: reaches `crate::{module}`: {}",
                    line.trim()
                ));
            }
        }
    }
    assert!(bad.is_empty(), "layer violations:\n{}", bad.join("\n"));
}

#[test]
fn the_bottom_names_nothing_above_it() {
    only_crate_modules("src/clock.rs", &[]);
    only_crate_modules("src/i18n.rs", &[]);
}

#[test]
fn the_domain_is_pure() {
    only_crate_modules("src/domain", &["domain", "code_enum", "i18n", "clock"]);
    forbid(
        "src/domain",
        &["axum", "tokio::", "std::fs", "std::net", "reqwest"],
        &[],
    );
}

#[test]
fn the_policy_names_only_the_domain() {
    only_crate_modules("src/policy.rs", &["domain"]);
}

#[test]
fn storage_knows_nothing_of_the_web() {
    forbid(
        "src/storage",
        &["crate::web", "crate::cli", "crate::demo", "axum::"],
        &[],
    );
}

#[test]
fn the_web_reaches_data_only_through_the_scoped_handle() {
    forbid(
        "src/web",
        &[
            "unsafe_unscoped",
            "Unscoped",
            "Operator",
            "storage::seed",
            "storage::jobs",
            ".jobs(",
            "storage::entity",
            "sea_orm::",
            "DatabaseConnection",
            "Actor::cli",
            "Actor::system",
        ],
        &[],
    );
    // Only the gate holds the database; everyone else gets `Ctx`.
    forbid(
        "src/web",
        &["storage::Db", "Db::connect"],
        &["src/web/ctx.rs"],
    );
    // A handler acts under its route's action(s); it never builds a handle itself.
    forbid("src/web", &[".scoped("], &["src/web/ctx.rs"]);
}
