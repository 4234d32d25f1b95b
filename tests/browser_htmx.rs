mod common;

// Partial updates with htmx (issue 15), in Chromium and over plain HTTP:
// - the hazard list's filters swap the results in place (no reload: a mark set on `window`
//   survives), the address keeps the filter (hx-push-url), and that address opened anew
//   shows the same filtered list, rendered whole by the server;
// - the inbox marks one notification read, then all, in place, the header's badge with it;
// - without JavaScript the same forms work (a plain GET filter, a POST answered 303), and
//   the server answers a fragment only to `HX-Request`, the response cache keeping the
//   fragment and the page apart.
// Screenshots go to `artifacts/screenshots/`.

#[path = "common/browser.rs"]
mod harness;

use axum::http::{Method, StatusCode};
use common::TestApp;
use fantoccini::{Client, Locator};
use harness::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Runs `js` until it returns `true`.
async fn until(c: &Client, js: &str, what: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        if c.execute(js, vec![]).await.ok() == Some(json!(true)) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what} (at {:?})",
            c.current_url().await.map(|u| u.to_string())
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn js(c: &Client, js: &str) -> Value {
    c.execute(js, vec![]).await.expect(js)
}

/// Reports hazards at S001 as its staff until its principal has at least `n` unread
/// notifications.
async fn unread_for_principal(app: &mut TestApp, n: u64) -> u64 {
    let p = app.login("s001.principal").await;
    let staff = app.login("s001.staff").await;
    let s001 = app.org_id("S001").await;
    for i in 0..n {
        let unread = app.get("/api/v1/inbox?unread=true", Some(&p)).await.json()["unread"]
            .as_u64()
            .expect("unread");
        if unread >= n {
            return unread;
        }
        let r = app
            .json(
                Method::POST,
                &format!("/api/v1/schools/{s001}/hazards"),
                Some(&staff),
                &json!({"title": format!("楼梯扶手松动 {i}"), "description": "东侧楼梯",
                        "aspect": "things", "category": "校舍"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    app.get("/api/v1/inbox?unread=true", Some(&p)).await.json()["unread"]
        .as_u64()
        .expect("unread")
}

#[tokio::test]
async fn filters_and_the_inbox_update_in_place() {
    let mut app = TestApp::new().await;
    let unread = unread_for_principal(&mut app, 3).await;
    assert!(unread >= 3, "{unread}");
    let h = Harness::start(&app, 1366, 900).await;
    let (c, base) = (&h.c, h.base.as_str());

    // The hazard list: a filter changed swaps the results, the address follows.
    sign_in(c, base, "bureau.officer").await;
    visit(c, base, "/hazards", Locator::Id("hazard-results")).await;
    let total = text(c, "#hazard-total").await;
    js(c, "window.__kept = 'same page'; return true;").await;
    js(
        c,
        "const s = document.querySelector('#hazard-filters select[name=status]'); \
         s.value = 'closed'; s.dispatchEvent(new Event('change', {bubbles: true})); return true;",
    )
    .await;
    until(
        c,
        "return location.search.includes('status=closed') && \
         [...document.querySelectorAll('#hazard-list td .chip[class*=hz-st-]')] \
           .every(e => e.classList.contains('hz-st-closed')) && \
         document.querySelectorAll('#hazard-list .hz-st-closed').length > 0;",
        "the closed hazards swapped in",
    )
    .await;
    assert_eq!(
        js(c, "return window.__kept || null;").await,
        json!("same page"),
        "no reload"
    );
    let closed = text(c, "#hazard-total").await;
    assert_ne!(closed, total, "the total follows the filter");
    let ledger = c
        .find(Locator::Id("ledger-link"))
        .await
        .expect("ledger link")
        .attr("href")
        .await
        .expect("href")
        .unwrap_or_default();
    assert!(
        ledger.contains("status=closed"),
        "the links carry the filter: {ledger}"
    );
    screenshot_page(c, "htmx-1-hazards-closed.png").await;
    // Back returns to the whole list (htmx asks the server for the page it left).
    let url = c.current_url().await.expect("url").to_string();
    c.back().await.expect("back");
    until(
        c,
        &format!(
            "return !location.search.includes('status=closed') && \
             (document.getElementById('hazard-total') || {{}}).textContent === '{total}';"
        ),
        "back to the whole list",
    )
    .await;
    // The pushed address, opened anew, is the same list rendered whole by the server.
    c.goto(&url).await.expect("reload");
    wait_for(c, Locator::Id("hazard-results")).await;
    assert_eq!(js(c, "return window.__kept || null;").await, Value::Null);
    assert_eq!(text(c, "#hazard-total").await, closed);
    assert_eq!(
        js(
            c,
            "return document.querySelector('#hazard-filters select[name=status]').value;"
        )
        .await,
        json!("closed")
    );
    c.delete_all_cookies().await.expect("cookies");

    // The inbox: one read in place, then all.
    sign_in(c, base, "s001.principal").await;
    visit(c, base, "/inbox", Locator::Id("inbox-list")).await;
    js(c, "window.__kept = 'inbox'; return true;").await;
    let badge = text(c, "#inbox-badge").await;
    assert_eq!(badge, unread.to_string());
    assert!(text(c, "#inbox-unread").await.contains(&unread.to_string()));
    let first = c
        .find(Locator::Css(".inbox-mark-read"))
        .await
        .expect("a mark-read button");
    let id = first.attr("id").await.expect("id").expect("an id");
    first.click().await.expect("mark one read");
    let left = unread - 1;
    until(
        c,
        &format!(
            "const b = document.getElementById('inbox-badge'); \
             return !document.getElementById('{id}') && !!b && b.textContent.trim() === '{left}';"
        ),
        "one read, the badge one less",
    )
    .await;
    assert!(text(c, "#inbox-unread").await.contains(&left.to_string()));
    let item = id.trim_start_matches("inbox-mark-");
    assert_eq!(
        js(
            c,
            &format!("return document.getElementById('inbox-item-{item}').className;")
        )
        .await,
        json!("read")
    );
    screenshot_page(c, "htmx-2-inbox-one-read.png").await;
    click(c, "inbox-read-all").await;
    until(
        c,
        "return !document.getElementById('inbox-badge') && \
         !document.querySelector('#inbox-list li.unread') && \
         !document.getElementById('inbox-read-all');",
        "all read, no badge",
    )
    .await;
    assert!(text(c, "#inbox-unread").await.contains('0'));
    assert_eq!(js(c, "return window.__kept || null;").await, json!("inbox"));
    screenshot_page(c, "htmx-3-inbox-all-read.png").await;
    h.finish("filters_and_the_inbox_update_in_place").await;
}

async fn get(app: &TestApp, path: &str, token: &str, hx: bool) -> String {
    let h: &[(&str, &str)] = if hx { &[("hx-request", "true")] } else { &[] };
    let r = app
        .request(Method::GET, path, Some(token), None, vec![], h)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
    r.text()
}

/// The same cached route answers the fragment to htmx and the page to everyone else, in
/// either order, and the plain forms work without JavaScript.
#[tokio::test]
async fn fragments_only_to_htmx_and_kept_apart_by_the_cache() {
    let mut app = TestApp::new().await;
    let t = app.login("bureau.officer").await;
    for path in ["/hazards?status=closed", "/hazards"] {
        for round in 0..2 {
            let page = get(&app, path, &t, false).await;
            assert!(
                page.contains("<html"),
                "{path} round {round}: the whole page"
            );
            assert!(page.contains("id=\"hazard-filters\""));
            assert!(
                !page.contains("hx-swap-oob"),
                "no out-of-band parts in the page"
            );
            let part = get(&app, path, &t, true).await;
            assert!(
                !part.contains("<html"),
                "{path} round {round}: only the results"
            );
            assert!(!part.contains("id=\"hazard-filters\""));
            assert!(
                part.starts_with("<div id=\"hazard-results\""),
                "{}",
                &part[..80.min(part.len())]
            );
            assert!(part.contains("id=\"hazard-total\" hx-swap-oob=\"true\""));
            assert!(part.contains("id=\"hazard-links\" hx-swap-oob=\"true\""));
        }
    }
    // The fragment's rows are the page's.
    let page = get(&app, "/hazards?status=closed", &t, false).await;
    let part = get(&app, "/hazards?status=closed", &t, true).await;
    let rows = |h: &str| h.matches("<tr").count();
    assert_eq!(rows(&page), rows(&part));
    // A history restore gets the whole page.
    let r = app
        .request(
            Method::GET,
            "/hazards",
            Some(&t),
            None,
            vec![],
            &[
                ("hx-request", "true"),
                ("hx-history-restore-request", "true"),
            ],
        )
        .await;
    assert!(r.text().contains("<html"));

    // The inbox without JavaScript: the form answers 303 to the page it came from.
    let p = app.login("s001.principal").await;
    let html = get(&app, "/inbox", &p, false).await;
    assert!(html.contains("hx-post=\"/inbox/read\""));
    let items: Value = app.get("/api/v1/inbox", Some(&p)).await.json();
    let Some(n) = items["items"].as_array().and_then(|a| a.first()).cloned() else {
        return;
    };
    let id = n["id"].as_i64().unwrap().to_string();
    let r = app
        .form(
            "/inbox/read",
            Some(&p),
            &[
                ("id", &id),
                ("next", "/inbox?unread=true"),
                ("unread", "true"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.header("location"), "/inbox?unread=true");
    // With htmx: the body in place and the badge out of band.
    let body = serde_urlencoded::to_string([("all", "1")]).unwrap();
    let r = app
        .request(
            Method::POST,
            "/inbox/read",
            Some(&p),
            Some("application/x-www-form-urlencoded"),
            body.into_bytes(),
            &[("hx-request", "true")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let part = r.text();
    assert!(part.starts_with("<div id=\"inbox-body\""), "{part}");
    assert!(part.contains("id=\"inbox-link\" hx-swap-oob=\"true\""));
    assert!(
        !part.contains("id=\"inbox-badge\""),
        "nothing unread: no badge"
    );
    assert!(!part.contains("<html"));
}
