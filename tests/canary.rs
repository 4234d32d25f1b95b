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
use sea_orm::Database;
use std::io::Read as _;

const MARKER: &str = "CNRYq7z";

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
    let conn = Database::connect(app.owner_url().as_str()).await.unwrap();
    // Unique per row (some names are unique within a school), kept short.
    let planted = common::plant::plant(&conn, canary, &format!("'{MARKER}' || CAST(id AS TEXT)"))
        .await
        .len();
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
