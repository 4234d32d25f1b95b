//! T-IN-9: no SQL is built from strings outside an allowlist. Statements are built by the query
//! builder with bound values; the few that `format!` assembles interpolate nothing a request
//! carries — a lock clause, a table or trigger name from the catalogue, a bind placeholder, a
//! partition's month, a path the operator typed. Every `format!` whose text starts with an SQL
//! keyword, outside the migrations (DDL by nature), is counted per file and must match the
//! list below exactly: a new one fails until it is reviewed and listed with its reason, and a
//! listed one that is gone fails until the list is trimmed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// (file, how many, what they interpolate).
const ALLOWED: &[(&str, usize, &str)] = &[
    (
        "src/storage/audit.rs",
        1,
        "the lock clause (FOR UPDATE on PostgreSQL)",
    ),
    ("src/storage/audit/anchor.rs", 1, "the lock clause"),
    (
        "src/storage/bulk.rs",
        4,
        "table and column names of the generator's own row sets; values are bound",
    ),
    (
        "src/storage/copy.rs",
        10,
        "table and column names read from the two databases' catalogues, an integer version",
    ),
    (
        "src/storage/data_version.rs",
        4,
        "table names read from the catalogue (trigger DDL)",
    ),
    (
        "src/storage/device_events.rs",
        2,
        "partition names and month bounds computed from dates (DDL, retention)",
    ),
    (
        "src/storage/rls.rs",
        3,
        "table and column names read from the catalogue (policy DDL), a role name checked to be a plain identifier",
    ),
    (
        "src/storage/hazards/steps.rs",
        1,
        "the backend's bind placeholder ($1 or ?)",
    ),
    (
        "src/storage/mod.rs",
        1,
        "the backup file the operator names on the command line (VACUUM INTO), quotes doubled",
    ),
    (
        "src/generate/risk.rs",
        1,
        "an org id (an integer) of the generated city",
    ),
];

const KEYWORDS: &[&str] = &[
    "SELECT ",
    "INSERT ",
    "UPDATE ",
    "DELETE ",
    "WITH ",
    "CREATE ",
    "DROP ",
    "ALTER ",
    "DO $$",
    "EXPLAIN ",
    "PRAGMA ",
    "VACUUM ",
    "ANALYZE",
    "TRUNCATE ",
    "COPY ",
    "LOCK ",
    "GRANT ",
    "REVOKE ",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The `format!` calls of `text` whose first string literal starts with an SQL keyword (line
/// numbers).
fn sql_formats(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("format!(") {
        let at = from + i;
        from = at + "format!(".len();
        let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
        if text[line_start..at].trim_start().starts_with("//") {
            continue;
        }
        let rest = text[from..].trim_start();
        let rest = rest
            .strip_prefix('r')
            .unwrap_or(rest)
            .trim_start_matches('#');
        let Some(lit) = rest.strip_prefix('"') else {
            continue;
        };
        let lit = lit.trim_start_matches([' ', '\n', '\\']);
        if KEYWORDS.iter().any(|k| lit.starts_with(k)) {
            out.push(text[..at].matches('\n').count() + 1);
        }
    }
    out
}

#[test]
fn sql_is_formatted_only_where_listed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut found: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for f in files {
        let name = f.strip_prefix(root).unwrap().to_string_lossy().to_string();
        if name.starts_with("src/storage/migration/") {
            continue;
        }
        let lines = sql_formats(&std::fs::read_to_string(&f).expect("read"));
        if !lines.is_empty() {
            found.insert(name, lines);
        }
    }
    let mut wrong = Vec::new();
    for (file, lines) in &found {
        let allowed = ALLOWED.iter().find(|a| a.0 == file).map_or(0, |a| a.1);
        if lines.len() != allowed {
            wrong.push(format!(
                "{file}: {} SQL statement(s) built by format! at lines {lines:?}, {allowed} listed",
                lines.len()
            ));
        }
    }
    for (file, n, _) in ALLOWED {
        if !found.contains_key(*file) {
            wrong.push(format!("{file}: listed with {n}, none found"));
        }
    }
    assert!(
        wrong.is_empty(),
        "review and list (or remove):\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_scanner_finds_what_it_should() {
    let text = "let a = format!(\"SELECT x FROM {t}\");\n\
                // let b = format!(\"DELETE FROM {t}\");\n\
                let c = format!(\n    \"DROP TABLE {name}\");\n\
                let d = format!(\"copy of {}\", x);\n\
                let e = format!(\"{SESSION}=1\");\n";
    assert_eq!(sql_formats(text), [1, 3]);
}
