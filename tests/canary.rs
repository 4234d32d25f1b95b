//! T-AC-4, the canary: a marker is written into every free-text column of every row that
//! belongs to one school of the other district (N001: its org row, people, zones, hazards,
//! inspections, plans, buses … whatever table carries its `org_id` or `school_id`), and every
//! GET route of the route table — JSON, pages, .xlsx exports (unzipped) — is called by accounts
//! outside that school's scope: a district officer of the other district, a principal and a
//! guard of its schools. The marker never appears in any answer. Routes about a school are
//! called with the caller's own school; lists are also called with `?org_id=` and
//! `?school_id=` of the canary school (which must be refused or ignored, never answered).

mod common;
use axum::http::{Method, StatusCode};
use common::TestApp;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use std::io::Read as _;

const MARKER: &str = "CNRYq7z";

/// Column names that hold free text people typed (the values a leak would show).
fn free_text(column: &str) -> bool {
    const WORDS: [&str; 18] = [
        "name",
        "title",
        "description",
        "note",
        "detail",
        "address",
        "remark",
        "content",
        "summary",
        "location",
        "reason",
        "comment",
        "measure",
        "message",
        "topic",
        "subject",
        "opinion",
        "plate",
    ];
    const NOT: [&str; 6] = ["username", "code", "hash", "path", "mime", "json"];
    WORDS.iter().any(|w| column.contains(w)) && !NOT.iter().any(|w| column.contains(w))
}

async fn rows(conn: &DatabaseConnection, sql: &str) -> Vec<sea_orm::QueryResult> {
    conn.query_all_raw(Statement::from_string(
        conn.get_database_backend(),
        sql.to_string(),
    ))
    .await
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// (table, column, is text) of every table.
async fn columns(conn: &DatabaseConnection) -> Vec<(String, String, bool)> {
    let mut out = Vec::new();
    if conn.get_database_backend() == DbBackend::Postgres {
        for r in rows(
            conn,
            "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS d \
             FROM information_schema.columns WHERE table_schema = 'public'",
        )
        .await
        {
            let d: String = r.try_get("", "d").unwrap();
            out.push((
                r.try_get("", "t").unwrap(),
                r.try_get("", "c").unwrap(),
                d == "text" || d == "character varying",
            ));
        }
    } else {
        let tables = rows(
            conn,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .await;
        for t in tables {
            let t: String = t.try_get("", "name").unwrap();
            for c in rows(conn, &format!("PRAGMA table_info({t})")).await {
                let ty: String = c.try_get("", "type").unwrap_or_default();
                let ty = ty.to_lowercase();
                out.push((
                    t.clone(),
                    c.try_get("", "name").unwrap(),
                    ty.contains("text") || ty.contains("char"),
                ));
            }
        }
    }
    out
}

/// Writes the marker into the canary school's free text; answers how many columns took it.
async fn plant(conn: &DatabaseConnection, school: i64) -> usize {
    let cols = columns(conn).await;
    let mut tables: Vec<&str> = cols.iter().map(|(t, _, _)| t.as_str()).collect();
    tables.sort();
    tables.dedup();
    let mut planted = 0;
    for t in tables {
        let has = |c: &str| cols.iter().any(|(tt, cc, _)| tt == t && cc == c);
        if !has("id") {
            continue;
        }
        let owner = if t == "orgs" {
            format!("id = {school}")
        } else if has("school_id") {
            format!("school_id = {school}")
        } else if has("org_id") {
            format!("org_id = {school}")
        } else {
            continue;
        };
        for (_, c, text) in cols.iter().filter(|(tt, _, _)| tt == t) {
            if !text || !free_text(c) {
                continue;
            }
            // Unique per row (some names are unique within a school), kept short.
            let sql = format!(
                "UPDATE {t} SET {c} = '{MARKER}' || CAST(id AS TEXT) \
                 WHERE {owner} AND {c} IS NOT NULL AND {c} <> ''"
            );
            match conn.execute_unprepared(&sql).await {
                Ok(r) if r.rows_affected() > 0 => planted += 1,
                Ok(_) => {}
                Err(e) => eprintln!("not planted in {t}.{c}: {e}"),
            }
        }
    }
    planted
}

/// The text of an answer, with .xlsx (zip) entries unpacked.
fn readable(r: &common::Resp) -> String {
    let ct = r.header("content-type");
    if ct.contains("spreadsheet") || ct.contains("zip") {
        let mut out = String::new();
        if let Ok(mut z) = zip::ZipArchive::new(std::io::Cursor::new(r.body.clone())) {
            for i in 0..z.len() {
                if let Ok(mut f) = z.by_index(i) {
                    let mut s = String::new();
                    let _ = f.read_to_string(&mut s);
                    out.push_str(&s);
                }
            }
        }
        return out;
    }
    String::from_utf8_lossy(&r.body).into_owned()
}

#[tokio::test]
async fn a_schools_marker_never_reaches_anyone_outside_its_scope() {
    let mut app = TestApp::new().await;
    let canary = app.org_id("N001").await;
    let conn = Database::connect(app.state.config().database_url.as_str())
        .await
        .unwrap();
    let planted = plant(&conn, canary).await;
    assert!(planted >= 15, "the marker went into {planted} columns");
    // Insiders see it: the check can fail.
    let t = app.login("nanguan.officer").await;
    let inside = app.get("/api/v1/schools?per_page=200", Some(&t)).await;
    assert!(
        inside.text().contains(MARKER),
        "the district sees its school"
    );
    let t = app.login("n001.principal").await;
    let inside = app.get("/api/v1/hazards?per_page=200", Some(&t)).await;
    assert!(
        inside.text().contains(MARKER),
        "the school sees its hazards"
    );

    let routes: Vec<&'static str> = app
        .routes
        .iter()
        .filter(|r| r.method == Method::GET)
        .map(|r| r.path)
        .filter(|p| !p.contains("stream") && !p.starts_with("/static"))
        .collect();
    assert!(routes.len() > 100, "{}", routes.len());
    let mut calls = 0usize;
    let mut leaks = Vec::new();
    for (user, own) in [
        ("bureau.officer", "S001"),
        ("s001.principal", "S001"),
        ("s002.guard", "S002"),
    ] {
        let t = app.login(user).await;
        let own = app.org_id(own).await;
        for path in &routes {
            let filled = if !path.contains('{') {
                Some(path.to_string())
            } else if let Some(rest) = path
                .strip_prefix("/api/v1/schools/{id}")
                .or_else(|| path.strip_prefix("/schools/{id}"))
                .filter(|rest| !rest.contains('{'))
            {
                let base = if path.starts_with("/api/") {
                    "/api/v1/schools"
                } else {
                    "/schools"
                };
                Some(format!("{base}/{own}{rest}"))
            } else {
                None
            };
            let Some(p) = filled else { continue };
            let mut tries = vec![p.clone()];
            if !path.contains('{') {
                tries.push(format!("{p}?org_id={canary}"));
                tries.push(format!("{p}?school_id={canary}"));
            }
            for uri in tries {
                let r = app.get(&uri, Some(&t)).await;
                calls += 1;
                assert!(
                    r.status.as_u16() < 500,
                    "{user} GET {uri}: {} {}",
                    r.status,
                    r.text()
                );
                if r.status == StatusCode::OK && readable(&r).contains(MARKER) {
                    leaks.push(format!("{user} GET {uri}"));
                }
            }
        }
    }
    eprintln!("{planted} columns planted, {calls} calls");
    assert!(calls > 300, "{calls} calls");
    assert!(leaks.is_empty(), "the canary leaked: {leaks:#?}");
    conn.close().await.ok();
}
