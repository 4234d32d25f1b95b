//! T-PR-6: the data inventory (`docs/data-inventory.md`) equals the schema. For every table it
//! inventories, the columns it names are exactly the table's columns in the database
//! catalogue after the migrations (a new column cannot land undocumented, a dropped one
//! cannot linger in the document); a table whose column names say personal data (a phone, a
//! birth date, a guardian, a criminal record, persons, a password, an address …) is either
//! inventoried or listed with its reason among the reviewed tables.

mod common;
use common::TestApp;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use std::collections::{BTreeMap, BTreeSet};

type Columns = BTreeMap<String, BTreeSet<String>>;

/// The names in backticks of a cell (`a`, `b` → a, b).
fn ticked(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The rows of the markdown table under the heading that starts with `heading`: each row's
/// cells, the header and separator left out.
fn section_rows(doc: &str, heading: &str) -> Vec<Vec<String>> {
    let start = doc
        .find(&format!("\n## {heading}"))
        .unwrap_or_else(|| panic!("a section {heading}"));
    let body = &doc[start + 4..];
    let body = &body[..body.find("\n## ").unwrap_or(body.len())];
    body.lines()
        .filter(|l| l.trim_start().starts_with('|'))
        .skip(2)
        .map(|l| {
            l.trim()
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

/// The inventory: table → columns, every column named once.
fn inventory(doc: &str) -> Columns {
    let mut out = Columns::new();
    for row in section_rows(doc, "Inventory") {
        assert!(row.len() >= 9, "a row of nine cells: {row:?}");
        let tables = ticked(&row[0]);
        assert_eq!(tables.len(), 1, "one table per row: {row:?}");
        let cols = ticked(&row[1]);
        assert!(!cols.is_empty(), "columns in backticks: {row:?}");
        for cell in &row[2..] {
            assert!(!cell.is_empty(), "every cell answered: {row:?}");
        }
        let set = out.entry(tables[0].clone()).or_default();
        for c in cols {
            assert!(set.insert(c.clone()), "{}.{c} named twice", tables[0]);
        }
    }
    out
}

/// The reviewed tables (each with its reason).
fn reviewed(doc: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for row in section_rows(doc, "Reviewed") {
        assert!(
            row.len() >= 2 && row[1].len() > 10,
            "a reviewed table says why: {row:?}"
        );
        out.extend(ticked(&row[0]));
    }
    out
}

/// The catalogue of columns of a migrated database, by table.
async fn catalogue(app: &TestApp) -> Columns {
    let conn = app.raw().await;
    let backend = conn.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT c.table_name::text, c.column_name::text FROM information_schema.columns c \
             JOIN information_schema.tables t ON t.table_schema = c.table_schema \
             AND t.table_name = c.table_name \
             WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'"
        }
        _ => {
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table'"
        }
    };
    let rows = conn
        .query_all_raw(Statement::from_string(backend, sql.to_string()))
        .await
        .expect("the catalogue");
    conn.close().await.ok();
    let mut out = Columns::new();
    for r in rows {
        let t: String = r.try_get_by_index(0).unwrap();
        let c: String = r.try_get_by_index(1).unwrap();
        out.entry(t).or_default().insert(c);
    }
    out
}

/// Whether a column's name says it holds personal data.
fn personal_name(col: &str) -> bool {
    const WORDS: &[&str] = &[
        "phone", "mobile", "tel", "birth", "guardian", "criminal", "persons", "password",
        "address", "licence", "ip", "idcard", "passport",
    ];
    let words: Vec<&str> = col.split('_').collect();
    words.iter().any(|w| WORDS.contains(w))
        || words
            .windows(2)
            .any(|p| p[0] == "id" && ["card", "number", "no"].contains(&p[1]))
}

#[test]
fn the_parser_reads_the_inventory_and_the_rule_spots_personal_names() {
    let doc = "x\n## Inventory\n\n| table | columns | a | b | c | d | e | f | g |\n|---|---|---|---|---|---|---|---|---|\n\
               | `t` | `a`, `b` | x | x | x | x | x | x | x |\n| `t` | `c` | x | x | x | x | x | x | x |\n\
               \n## Reviewed tables\n\n| table | why |\n|---|---|\n| `o`, `p` | the reason is long enough |\n";
    let inv = inventory(doc);
    assert_eq!(inv["t"], ["a", "b", "c"].map(String::from).into());
    assert_eq!(reviewed(doc), ["o", "p"].map(String::from).into());
    for yes in [
        "phone",
        "legal_vp_phone",
        "birth_date",
        "guardian",
        "id_number",
        "ip",
    ] {
        assert!(personal_name(yes), "{yes}");
    }
    for no in [
        "id",
        "school_id",
        "zipper",
        "telemetry",
        "name",
        "created_at",
    ] {
        assert!(!personal_name(no), "{no}");
    }
}

#[tokio::test]
async fn the_inventory_names_every_column_of_its_tables_and_nothing_else() {
    let doc = std::fs::read_to_string("docs/data-inventory.md").expect("docs/data-inventory.md");
    let inv = inventory(&doc);
    let reviewed = reviewed(&doc);
    // A migrated database without the demo: the catalogue is the migrations' alone.
    let app = TestApp::empty(safecampus::config::Config::default()).await;
    let schema = catalogue(&app).await;
    assert!(schema.len() > 50, "the catalogue: {:?}", schema.keys());
    for must in ["bus_riders", "people", "users", "incident_reports"] {
        assert!(inv.contains_key(must), "{must} is inventoried");
    }
    let mut problems = Vec::new();
    for (table, cols) in &inv {
        let Some(actual) = schema.get(table) else {
            problems.push(format!("{table}: no such table"));
            continue;
        };
        for c in actual.difference(cols) {
            problems.push(format!(
                "{table}.{c}: in the database, not in the inventory"
            ));
        }
        for c in cols.difference(actual) {
            problems.push(format!(
                "{table}.{c}: in the inventory, not in the database"
            ));
        }
    }
    for t in &reviewed {
        if !schema.contains_key(t) {
            problems.push(format!("{t}: reviewed, but no such table"));
        }
        if inv.contains_key(t) {
            problems.push(format!("{t}: both inventoried and reviewed"));
        }
    }
    for (table, cols) in &schema {
        if inv.contains_key(table) || reviewed.contains(table) {
            continue;
        }
        for c in cols.iter().filter(|c| personal_name(c)) {
            problems.push(format!(
                "{table}.{c}: looks like personal data; inventory the table or review it"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "docs/data-inventory.md:\n{}",
        problems.join("\n")
    );
}
