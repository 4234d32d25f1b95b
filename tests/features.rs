//! The feature registry (`web::routes::FEATURES`) against what the product really has: every
//! table of a migrated database belongs to exactly one feature, codes are unique, and every
//! menu entry leads to a page registered under the action the menu shows it for.

mod common;

use safecampus::web::routes::{FEATURES, all_audit_codes, all_notice_kinds, menu};
use std::collections::BTreeMap;

#[tokio::test]
async fn every_table_belongs_to_exactly_one_feature() {
    let app = common::TestApp::new().await;
    let tables = tables(&app.owner_url()).await;
    let mut owner: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for f in FEATURES {
        for t in f.tables {
            owner.entry(t).or_default().push(f.code);
        }
    }
    let mut problems = Vec::new();
    for t in &tables {
        match owner.get(t.as_str()).map(Vec::as_slice) {
            Some([_]) => {}
            Some(many) => problems.push(format!("{t}: claimed by {many:?}")),
            None => problems.push(format!("{t}: no feature declares it")),
        }
    }
    for t in owner.keys() {
        if !tables.iter().any(|x| x == t) {
            problems.push(format!("{t}: declared but not in the database"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// The tables of a migrated database, from its catalogue (the migrations' own table aside).
async fn tables(url: &str) -> Vec<String> {
    let c = sea_orm::Database::connect(url).await.expect("connect");
    safecampus::storage::data_version::tables(&c)
        .await
        .expect("catalogue")
        .into_iter()
        .filter(|t| t != "seaql_migrations")
        .collect()
}

#[test]
fn codes_are_unique() {
    let mut seen = std::collections::BTreeSet::new();
    for f in FEATURES {
        assert!(seen.insert(f.code), "feature code {} twice", f.code);
    }
    for (what, codes) in [("audit", all_audit_codes()), ("notice", all_notice_kinds())] {
        let mut seen = std::collections::BTreeSet::new();
        for c in &codes {
            assert!(seen.insert(c), "{what} code {c} declared twice");
        }
        assert!(!codes.is_empty(), "no {what} codes");
    }
}

#[tokio::test]
async fn every_menu_entry_is_a_registered_page_under_its_action() {
    let app = common::TestApp::new().await;
    for (href, key, action) in menu() {
        let r = app
            .routes
            .iter()
            .find(|r| r.method == axum::http::Method::GET && r.path == *href)
            .unwrap_or_else(|| panic!("menu entry {key} → {href} is not a registered page"));
        assert_eq!(
            r.action, *action,
            "menu entry {href} shows under another action"
        );
    }
}
