mod common;

// The early warning on a phone (390 px), in Chromium: S001's principal has the warnings page
// open when a smoke detector of the school reports smoke; the red warning appears at the top of
// the list by itself (the page follows the live stream), with the open count by level. The
// principal opens it and confirms it; the safety director dispatches it (through the API) and
// the principal's page follows without a reload; the principal resolves it with a note. The
// warning ends 已处置 with its whole history, and neither page scrolls sideways; the district
// officer then finds it at a desk. Screenshots go to `artifacts/screenshots/`. Beside it, the
// step form's refusals on the page (409, 422) without a browser.

#[path = "common/browser.rs"]
mod harness;

use axum::http::{Method, StatusCode};
use common::TestApp;
use fantoccini::{Client, Locator};
use harness::*;
use serde_json::json;
use std::time::{Duration, Instant};

/// Waits until `css` matches (and, when given, its text contains `text`); answers how long it
/// took, failing after `limit`.
async fn within(c: &Client, css: &str, text: Option<&str>, limit: Duration) -> Duration {
    let start = Instant::now();
    loop {
        if let Ok(e) = c.find(Locator::Css(css)).await {
            let shown = e.text().await.unwrap_or_default();
            if text.is_none_or(|t| shown.contains(t)) {
                return start.elapsed();
            }
        }
        assert!(
            start.elapsed() < limit,
            "{css} {text:?} not shown within {limit:?} at {:?}",
            c.current_url().await.map(|u| u.to_string())
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn no_sideways_scroll(c: &Client, what: &str) {
    let (scroll, inner) = widths(c).await;
    assert!(inner <= 400.0, "viewport {inner}px wide, not a phone's");
    assert!(
        scroll <= inner + 1.0,
        "{what}: the page scrolls sideways at {inner}px ({scroll}px wide)"
    );
}

/// The height of the element at `css`, in CSS pixels.
async fn height(c: &Client, css: &str) -> f64 {
    let v = c
        .execute(
            "return document.querySelector(arguments[0]).getBoundingClientRect().height;",
            vec![json!(css)],
        )
        .await
        .expect("height");
    v.as_f64().expect("px")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warnings_a_smoke_alarm_reaches_the_principals_phone() {
    let mut app = TestApp::new().await;
    let safety = app.login("s001.safety").await;
    let safety_id = app.user_id("s001.safety").await;

    // The safety director registers a smoke detector on the third floor.
    let (_, token) = app
        .s001_device_named("smoke", "YG-3F-01", "三楼走廊感烟探测器")
        .await;

    let h = Harness::start(&app, 390, 844).await;
    let (c, base) = (&h.c, h.base.as_str());

    // The principal's warnings: none open yet, and the page is following the stream.
    sign_in(c, base, "s001.principal").await;
    visit(c, base, "/warnings", Locator::Id("warning-list")).await;
    // The demo's running bus trip of S001 keeps one orange speeding warning open; no red.
    let before = rows(c, "warning-list").await;
    assert!(before <= 1, "no open warning but the bus's: {before}");
    wait_for(c, Locator::Css("#live-indicator:not([hidden])")).await;
    assert!(text(c, "#count-red").await.ends_with('0'));

    // Smoke on the third floor.
    let sent = Instant::now();
    let report = app
        .ingest(
            &token,
            json!([{"id": "b1", "at": chrono::Utc::now().to_rfc3339(),
        "metric": "smoke", "value": 1}]),
        )
        .await;
    assert_eq!(report["accepted"], 1, "{report}");

    // The red warning is at the top of the list within about a second, without a reload.
    let top = "#warning-list tbody tr:first-child.lv-red";
    within(c, top, Some("红色"), Duration::from_millis(1500)).await;
    let took = sent.elapsed();
    println!("the warning was on the phone {took:?} after the alarm was sent");
    assert!(took <= Duration::from_millis(1500), "too slow: {took:?}");
    assert_eq!(rows(c, "warning-list").await, before + 1);
    let row = text(c, top).await;
    for want in ["Ⅰ", "春华小学", "烟雾报警", "YG-3F-01", "待确认"] {
        assert!(row.contains(want), "{want} missing from the row: {row}");
    }
    assert!(text(c, "#count-red").await.ends_with('1'), "red count");
    assert!(
        text(c, "#live-indicator").await.contains("实时"),
        "still live after the swap"
    );
    no_sideways_scroll(c, "the warnings list").await;
    screenshot_page(c, "warnings-390.png").await;

    // Open it: raised, the device named, the steps a principal may take.
    c.find(Locator::Css(&format!("{top} a.ws-open")))
        .await
        .expect("the warning's link")
        .click()
        .await
        .expect("open");
    within(c, "#warning-status", Some("待确认"), WAIT).await;
    assert!(text(c, "#device-link").await.contains("YG-3F-01"));
    assert!(
        c.find(Locator::Id("do-resolve")).await.is_err(),
        "confirm first"
    );
    assert!(
        height(c, "#do-acknowledge").await >= 40.0,
        "a button a thumb can hit"
    );
    no_sideways_scroll(c, "the warning (raised)").await;

    // Confirm.
    click(c, "do-acknowledge").await;
    within(c, "#warning-status", Some("已确认"), WAIT).await;
    assert!(path(c).await.starts_with("/warnings/"));
    for form in ["form-dispatch", "form-resolve", "form-false_alarm"] {
        assert!(c.find(Locator::Id(form)).await.is_ok(), "{form} offered");
    }
    no_sideways_scroll(c, "the warning (confirmed)").await;
    screenshot_page(c, "warning-steps-390.png").await;

    // The safety director dispatches it to himself from elsewhere: the principal's page follows.
    let id: i64 = path(c)
        .await
        .trim_start_matches("/warnings/")
        .parse()
        .expect("id");
    let moved = Instant::now();
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/warnings/{id}/actions"),
            Some(&safety),
            &json!({"action": "dispatch", "user_id": safety_id, "note": "请立即到三楼查看"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    within(
        c,
        "#warning-status",
        Some("已派单"),
        Duration::from_millis(1500),
    )
    .await;
    println!("the page followed the dispatch in {:?}", moved.elapsed());
    wait_for(c, Locator::Id("warning-assignee")).await;

    // Resolve, with what was found and done.
    let note = "三楼男卫生间有学生使用喷雾剂触发烟感，现场无明火，已复位设备并对学生进行教育。";
    type_in(c, "resolve-note", note).await;
    click(c, "do-resolve").await;
    within(c, "#warning-status", Some("已处置"), WAIT).await;
    assert!(c.find(Locator::Id("steps")).await.is_ok());
    assert!(
        c.find(Locator::Css("#steps form")).await.is_err(),
        "no step after resolving"
    );

    // The history: raised, confirmed, dispatched, resolved — who, when, the notes.
    let steps = c
        .find_all(Locator::Css("#timeline > li"))
        .await
        .expect("history");
    assert_eq!(steps.len(), 4, "raise, acknowledge, dispatch, resolve");
    let history = text(c, "#timeline").await;
    for want in [
        "报警",
        "确认",
        "派单",
        "处置完成",
        "请立即到三楼查看",
        note,
        "系统",
    ] {
        assert!(history.contains(want), "{want} missing from the history");
    }
    no_sideways_scroll(c, "the warning (resolved)").await;
    screenshot_page(c, "warning-detail-390.png").await;

    // The list's default shows open warnings: none left; all of them show it resolved.
    visit(c, base, "/warnings", Locator::Id("warning-list")).await;
    assert_eq!(rows(c, "warning-list").await, before, "nothing else open");
    visit(c, base, "/warnings?open=0", Locator::Id("warning-list")).await;
    assert!(text(c, "#warning-list tbody").await.contains("已处置"));

    // At the bureau's desk: the district officer sees the school's warning (red reaches the
    // district) among the district's schools.
    c.set_window_size(1366, 900).await.expect("window size");
    click(c, "logout").await;
    wait_for(c, Locator::Id("username")).await;
    sign_in(c, base, "bureau.officer").await;
    visit(c, base, "/warnings?open=0", Locator::Id("warning-list")).await;
    assert!(
        c.find(Locator::Id("org-filter")).await.is_ok(),
        "the bureau filters by unit"
    );
    let list = text(c, "#warning-list tbody").await;
    assert!(
        list.contains("春华小学") && list.contains("已处置"),
        "{list}"
    );
    screenshot(c, "warnings-1366.png").await;

    h.finish("warnings_a_smoke_alarm_reaches_the_principals_phone")
        .await;
}

/// The page's step form without a browser: a refused step comes back on the warning's page —
/// a missing note or a person of another school with its message (422), a step the status
/// does not allow with a clear message (409) — and a good one goes back to the page (303).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warnings_the_step_form_answers_on_the_page() {
    let mut app = TestApp::new().await;
    let principal = app.login("s001.principal").await;
    let other = app.user_id("s002.principal").await;
    let (_, token) = app
        .s001_device_named("smoke", "YG-1F-02", "一楼门厅感烟探测器")
        .await;
    app.ingest(
        &token,
        json!([{"id": "f1", "at": chrono::Utc::now().to_rfc3339(),
        "metric": "smoke", "value": 1}]),
    )
    .await;
    let list = app
        .get("/api/v1/warnings?open=true", Some(&principal))
        .await;
    let id = list.json()["items"][0]["id"].as_i64().expect("a warning");
    let act = format!("/warnings/{id}/act");

    // Resolving what nobody confirmed: 409, on the page, saying so.
    let r = app
        .form(
            &act,
            Some(&principal),
            &[("action", "resolve"), ("note", "已处理")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("id=\"form-error\""), "{}", r.text());
    assert!(r.text().contains("预警当前状态下不能进行这一操作"));
    assert!(
        r.text().contains("id=\"form-acknowledge\""),
        "the step that is possible"
    );

    // Confirm: back to the page.
    let r = app
        .form(&act, Some(&principal), &[("action", "acknowledge")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), format!("/warnings/{id}"));

    // Resolving without a note, dispatching to another school's principal: 422, with the
    // message under the form.
    let r = app
        .form(
            &act,
            Some(&principal),
            &[("action", "resolve"), ("note", " ")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("处置完成须填写处置情况"), "{}", r.text());
    let r = app
        .form(
            &act,
            Some(&principal),
            &[("action", "dispatch"), ("user_id", &other.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text().contains("处置人须是该校在用的账号"),
        "{}",
        r.text()
    );

    // Another school's principal does not find it.
    let s002 = app.login("s002.principal").await;
    let r = app.get(&format!("/warnings/{id}"), Some(&s002)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.get("/warnings?open=0", Some(&s002)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        !r.text().contains("YG-1F-02"),
        "another school's warning listed"
    );

    // A level that does not exist is refused, not ignored.
    let r = app.get("/warnings?level=purple", Some(&principal)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// The school's page (a principal's first page) shows the school's open warnings and follows
/// the live stream: a gas alarm of the school appears on it within about a second, a warning
/// of another school does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warnings_the_school_page_follows_its_own_school() {
    let mut app = TestApp::new().await;
    let (_, token) = app
        .s001_device_named("gas", "RQ-CT-09", "食堂燃气探测器")
        .await;
    let s001 = app.org_id("S001").await;
    let h = Harness::start(&app, 390, 844).await;
    let (c, base) = (&h.c, h.base.as_str());
    sign_in(c, base, "s001.principal").await;
    visit(
        c,
        base,
        &format!("/schools/{s001}"),
        Locator::Id("school-warnings"),
    )
    .await;
    wait_for(c, Locator::Css("#live-indicator:not([hidden])")).await;
    let before = text(c, "#school-warning-total").await;

    let sent = Instant::now();
    let report = app
        .ingest(
            &token,
            json!([{"id": "g1", "at": chrono::Utc::now().to_rfc3339(),
                "metric": "gas_lel_pct", "value": 60}]),
        )
        .await;
    assert_eq!(report["accepted"], 1, "{report}");
    within(
        c,
        "#school-warning-list li:first-child",
        Some("燃气"),
        Duration::from_millis(1500),
    )
    .await;
    let took = sent.elapsed();
    println!("the school page showed the warning {took:?} after the alarm");
    let after = text(c, "#school-warning-total").await;
    assert_ne!(before, after, "the count moved");
    no_sideways_scroll(c, "the school page").await;
    screenshot_page(c, "school-warnings-390.png").await;
}
