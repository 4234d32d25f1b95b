//! The translation catalogue: both languages have the same keys, and every key the code and
//! templates use exists in both.

use safecampus::domain::Code;
use safecampus::domain::org::{OrgLevel, SchoolKind, ZoneType};
use safecampus::domain::person::Post;
use safecampus::domain::role::Role;
use safecampus::web::i18n::{LANGS, has};
use std::collections::BTreeSet;
use std::path::Path;

/// Flattens the simple nested YAML of the catalogue into dotted keys.
fn keys(file: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(file).expect("catalogue file");
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut out = BTreeSet::new();
    for line in text.lines() {
        if line.trim().is_empty()
            || line.trim_start().starts_with('#')
            || line.starts_with("_version")
        {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let (k, v) = line.trim().split_once(':').expect("key: value");
        let k = k.trim().trim_matches('"').to_string();
        while stack.last().is_some_and(|(i, _)| *i >= indent) {
            stack.pop();
        }
        let full = stack
            .iter()
            .map(|(_, k)| k.as_str())
            .chain([k.as_str()])
            .collect::<Vec<_>>()
            .join(".");
        if v.trim().is_empty() {
            stack.push((indent, k));
        } else {
            out.insert(full);
        }
    }
    out
}

/// The keys of one language over all its files (`zh-CN.yml` and topic files `<topic>.zh-CN.yml`).
fn language_keys(root: &str, lang: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut n = 0;
    for e in std::fs::read_dir(format!("{root}/locales"))
        .expect("locales")
        .flatten()
    {
        let name = e.file_name().to_string_lossy().to_string();
        if name == format!("{lang}.yml") || name.ends_with(&format!(".{lang}.yml")) {
            out.extend(keys(&e.path().to_string_lossy()));
            n += 1;
        }
    }
    assert!(n >= 2, "{lang}: expected the main file and topic files");
    out
}

fn files(dir: &Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, ext, out);
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
}

/// Every literal key in the code and templates: `t("…")`, `tr(…, "…")`, `"err.…"`, `"nav.…"` …
fn used_keys() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    files(&root.join("src"), "rs", &mut paths);
    files(&root.join("templates"), "html", &mut paths);
    let prefixes = [
        "err.",
        "nav.",
        "app.",
        "login.",
        "password.",
        "error.",
        "common.",
        "school.",
        "zone.",
        "person.",
        "transfer.",
        "admin.",
        "audit.",
        "lang.",
        "field.",
        "org.",
        "user.",
        "auth.",
        "demo.",
        "risk.",
        "catalog.",
        "catalog_field.",
        "feature.",
        "accident.",
        "file.",
        "hazard.",
        "inspection.",
        "campaign.",
        "cross.",
        "board.",
        "inbox.",
        "notice.",
        "ledger.",
        "plan.",
        "drill.",
    ];
    let audit_codes = safecampus::web::routes::all_audit_codes();
    let mut out = BTreeSet::new();
    for p in paths {
        let text = std::fs::read_to_string(&p).expect("source");
        for piece in text.split('"').skip(1).step_by(2) {
            let looks_like_key = prefixes.iter().any(|pre| piece.starts_with(pre))
                && piece
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
                && !piece.ends_with('.');
            let file_name = [".css", ".js", ".html", ".rs"]
                .iter()
                .any(|x| piece.ends_with(x));
            let audit_action = audit_codes.contains(&piece);
            if looks_like_key && !file_name && !audit_action {
                out.insert(piece.to_string());
            }
        }
    }
    out
}

#[test]
fn both_languages_have_the_same_keys() {
    let root = env!("CARGO_MANIFEST_DIR");
    let zh = language_keys(root, "zh-CN");
    let en = language_keys(root, "en");
    let only_zh: Vec<_> = zh.difference(&en).collect();
    let only_en: Vec<_> = en.difference(&zh).collect();
    assert!(
        only_zh.is_empty() && only_en.is_empty(),
        "only zh: {only_zh:?}; only en: {only_en:?}"
    );
    assert!(zh.len() > 200, "catalogue too small: {}", zh.len());
}

#[test]
fn every_used_key_is_translated() {
    let mut missing = Vec::new();
    let mut keys = used_keys();
    for k in SchoolKind::ALL.iter().map(|v| v.label_key()) {
        keys.insert(k);
    }
    keys.extend(Role::ALL.iter().map(|v| v.label_key()));
    keys.extend(Post::ALL.iter().map(|v| v.label_key()));
    keys.extend(ZoneType::ALL.iter().map(|v| v.label_key()));
    keys.extend(OrgLevel::ALL.iter().map(|v| v.label_key()));
    keys.extend(
        safecampus::domain::device::DeviceKind::ALL
            .iter()
            .map(|v| v.label_key()),
    );
    keys.extend(safecampus::domain::risk::catalogue_keys());
    keys.extend(safecampus::domain::hazard::catalogue_keys());
    keys.extend(safecampus::domain::warning::catalogue_keys());
    keys.extend(safecampus::domain::governance::catalogue_keys());
    keys.extend(safecampus::domain::security::catalogue_keys());
    keys.extend(
        safecampus::domain::reading::Reason::ALL
            .iter()
            .map(|v| v.label_key()),
    );
    keys.extend(
        safecampus::domain::reading::PAYLOAD_REASONS
            .iter()
            .map(|r| format!("ingest_reason.{r}")),
    );
    for c in safecampus::domain::catalog::COLUMNS {
        keys.insert(format!("catalog_field.{c}"));
    }
    for f in safecampus::domain::catalog::FEATURES {
        keys.insert(format!("feature.{f}"));
    }
    keys.extend(
        safecampus::web::routes::all_audit_codes()
            .iter()
            .map(|a| safecampus::storage::audit::action_key(a)),
    );
    for f in safecampus::storage::transfer::SCHOOL_FIELDS
        .iter()
        .chain(safecampus::storage::transfer::PEOPLE_FIELDS)
    {
        keys.insert(format!("field.{f}"));
    }
    keys.extend(
        safecampus::web::routes::all_notice_kinds()
            .iter()
            .map(|k| format!("inbox.kind.{k}")),
    );
    for k in &keys {
        for l in LANGS {
            if !has(*l, k) {
                missing.push(format!("{k} ({})", l.code()));
            }
        }
    }
    assert!(missing.is_empty(), "missing translations: {missing:?}");
    assert!(
        keys.len() > 150,
        "the key scan found too little: {}",
        keys.len()
    );
}
