//! T-IN-2: text people typed is shown as text on every page. Payloads that break out of an
//! element, an attribute and a script block are written into every free-text column of S001's
//! rows (`common::plant`: its org row, people, zones, hazards, inspections, plans, buses …),
//! then the pages are crawled as the school's principal and as its district's officer: from
//! every page route without an id (and the school's own routes), following every same-site link
//! the pages offer (detail pages included), up to a few visits per route. No page may carry a
//! payload unescaped, and the escaped payload must be seen (the check can fail).

mod common;
use axum::http::Method;
use common::TestApp;
use sea_orm::Database;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Each payload's raw form must never be in a page; its escaped form shows it was rendered.
const RAW: [&str; 4] = [
    "<script>alert(7301)</script>",
    "<img src=x onerror=alert(7302)>",
    "\"><svg onload=alert(7303)>",
    "</textarea><b>7304</b>",
];
const PAYLOAD_SQL: &str = "'<script>alert(7301)</script><img src=x onerror=alert(7302)>\
\"><svg onload=alert(7303)></textarea><b>7304</b>#' || CAST(id AS TEXT)";
/// The payload's script tag as the templates escape it (numeric entities) or as server-drawn
/// SVG does (named ones).
const ESCAPED: [&str; 2] = ["&#60;script&#62;alert(7301)", "&lt;script&gt;alert(7301)"];

/// The route pattern a path falls under (`/hazards/17` → `/hazards/{id}`).
fn pattern<'a>(patterns: &'a [&'static str], path: &str) -> Option<&'a str> {
    let segs: Vec<&str> = path.split('/').collect();
    patterns.iter().copied().find(|p| {
        let ps: Vec<&str> = p.split('/').collect();
        ps.len() == segs.len()
            && ps
                .iter()
                .zip(&segs)
                .all(|(a, b)| a == b || (a.starts_with('{') && !b.is_empty()))
    })
}

/// The same-site links of a page (`href="/…"`), without their fragment, entities decoded.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.starts_with('/') && !h.starts_with("//") && !h.starts_with("/static/"))
        .map(|h| h.split('#').next().unwrap_or(h).replace("&amp;", "&"))
        .collect()
}

#[tokio::test]
async fn typed_text_is_shown_as_text_on_every_page() {
    let mut app = TestApp::new().await;
    let school = app.org_id("S001").await;
    let conn = Database::connect(app.owner_url().as_str())
        .await
        .expect("connect");
    let planted = common::plant::plant(&conn, school, PAYLOAD_SQL).await;
    assert!(planted.len() >= 15, "planted in {planted:?}");
    conn.close().await.ok();

    let pages: Vec<&'static str> = app
        .routes
        .iter()
        .filter(|r| r.method == Method::GET)
        .map(|r| r.path)
        .filter(|p| !p.starts_with("/api/") && !p.starts_with("/static") && !p.contains("stream"))
        .collect();
    let mut found = Vec::new();
    let mut escaped_on = BTreeSet::new();
    let mut visited = 0usize;
    for user in ["s001.principal", "bureau.officer"] {
        let cookie = app.page_cookie(user).await;
        let mut queue: VecDeque<String> = pages
            .iter()
            .filter_map(|p| {
                if !p.contains('{') {
                    Some(p.to_string())
                } else {
                    p.strip_prefix("/schools/{id}")
                        .filter(|rest| !rest.contains('{'))
                        .map(|rest| format!("/schools/{school}{rest}"))
                }
            })
            .collect();
        let mut seen = BTreeSet::new();
        let mut per_route: BTreeMap<String, usize> = BTreeMap::new();
        while let Some(path) = queue.pop_front() {
            if !seen.insert(path.clone()) || path.starts_with("/lang/") {
                continue;
            }
            let bare = path.split('?').next().unwrap_or(&path);
            let Some(pat) = pattern(&pages, bare) else {
                continue;
            };
            let n = per_route.entry(pat.to_string()).or_default();
            if *n >= 3 {
                continue;
            }
            *n += 1;
            let r = app
                .request(
                    Method::GET,
                    &path,
                    None,
                    None,
                    vec![],
                    &[("cookie", &cookie)],
                )
                .await;
            visited += 1;
            if !r.header("content-type").starts_with("text/html") {
                continue;
            }
            let html = r.text();
            for raw in RAW {
                if html.contains(raw) {
                    found.push(format!("{user} {path}: {raw}"));
                }
            }
            if ESCAPED.iter().any(|e| html.contains(e)) {
                escaped_on.insert(pat.to_string());
            }
            queue.extend(links(&html));
        }
    }
    assert!(visited > 150, "{visited} pages visited");
    assert!(
        escaped_on.len() >= 10,
        "the payloads were shown (escaped) on {escaped_on:?}"
    );
    assert!(found.is_empty(), "{} unescaped: {found:#?}", found.len());
}
