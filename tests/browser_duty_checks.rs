mod common;

// The bureau's phone spot check of a school's duty phone, and its correction, in Chromium on
// a phone (390 px, Chinese): the district officer records a spot check on the duty board (the
// phone not answered), then finds it was answered after all and corrects it with the form in
// the check's row, giving the reason; the board shows the corrected result, counts the check
// as passed and keeps the replaced values in the row's history. No element of the page is
// wider than the screen, before or after, with the correction form open, and the form's
// fields take the card's value column. A screenshot goes to
// `artifacts/screenshots/`. On SQLite and PostgreSQL (`SAFECAMPUS_TEST_DB`).

#[path = "common/browser.rs"]
mod harness;

use axum::http::{Method, StatusCode};
use chrono::Duration;
use common::TestApp;
use fantoccini::{Client, Locator};
use harness::*;
use serde_json::json;

const WIDTH: f64 = 390.0;

/// The page does not scroll sideways and no element of it is wider than the viewport or
/// sticks out of it (hidden elements aside).
async fn fits(c: &Client, what: &str) {
    let (scroll, inner) = widths(c).await;
    assert!(
        (inner - WIDTH).abs() <= 20.0,
        "{what}: the viewport is {inner}px wide, not about {WIDTH}px"
    );
    assert!(
        scroll <= inner + 1.0,
        "{what}: the page scrolls sideways at {inner}px ({scroll}px wide)"
    );
    let wide = c
        .execute(
            "const w = document.documentElement.clientWidth; \
             return [...document.querySelectorAll('body *')]\
             .filter(e => { const r = e.getBoundingClientRect(); \
               return r.width > 0 && r.height > 0 && (r.width > w + 1 || r.right > w + 1 || r.left < -1); })\
             .map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' ' \
               + Math.round(e.getBoundingClientRect().width) + 'px');",
            vec![],
        )
        .await
        .expect("element widths");
    assert_eq!(wide, json!([]), "{what}: elements wider than the viewport");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bureau_corrects_a_spot_check_on_a_phone() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let officer = app.login("bureau.officer").await;
    let today = safecampus::storage::risk_points::today();
    let r = app
        .json(
            Method::POST,
            "/api/v1/duty-periods",
            Some(&officer),
            &json!({"name": "元旦假期值班抽查", "first": today - Duration::days(1),
                "last": today + Duration::days(1), "school_ids": [s001]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let period = r.json()["id"].as_i64().expect("period id");

    let h = Harness::start(&app, 390, 844).await;
    let (c, base) = (&h.c, h.base.as_str());
    sign_in(c, base, "bureau.officer").await;

    // The board offers the spot-check form; nothing is recorded yet.
    visit(
        c,
        base,
        &format!("/duty/{period}"),
        Locator::Id("spot-check-form"),
    )
    .await;
    assert_eq!(rows(c, "spot-check-list").await, 0);
    fits(c, "the duty board").await;

    // The duty phone was not answered and nobody called back.
    let f = "#spot-check-form";
    set(c, &format!("{f} select[name=school_id]"), &s001.to_string()).await;
    fill(c, &format!("{f} input[name=phone]"), "0431-88886666").await;
    tap(c, &format!("{f} input[name=answered][value='0']")).await;
    fill(c, &format!("{f} input[name=note]"), "无人接听").await;
    tap(c, &format!("{f} button[type=submit]")).await;
    let row = "#spot-check-list tbody tr:first-child";
    shows(c, row, "未接听未回电").await;
    assert_eq!(path(c).await, format!("/duty/{period}"));
    assert_eq!(rows(c, "spot-check-list").await, 1);
    shows(c, "#board-schools tbody tr:first-child", "未通过 1").await;
    let id = c
        .execute(
            "return document.querySelector('#spot-check-list details[id^=spot-correct-]')\
             .id.replace('spot-correct-', '');",
            vec![],
        )
        .await
        .expect("the check's id");
    let id = id.as_str().expect("an id").to_string();
    fits(c, "the board with the spot check").await;

    // Answered after all: the correction form in the check's row, with the reason.
    tap(c, &format!("#spot-correct-{id} summary")).await;
    let form = format!("#spot-correct-form-{id}");
    wait_for(c, Locator::Css(&format!("{form} input[name=reason]"))).await;
    fits(c, "the correction form, open").await;
    // The form takes the row's value column, not the narrow label column beside it.
    for field in ["called_back_at", "note", "reason"] {
        let css = format!("{form} input[name={field}]");
        let w = c
            .execute(
                "return document.querySelector(arguments[0]).getBoundingClientRect().width;",
                vec![json!(css)],
            )
            .await
            .expect("width")
            .as_f64()
            .expect("px");
        assert!(w >= 170.0, "{css} is {w:.0} px wide: too narrow to read");
    }
    tap(c, &format!("{form} input[name=answered][value='1']")).await;
    fill(c, &format!("{form} input[name=note]"), "值班员当即接听").await;
    fill(
        c,
        &format!("{form} input[name=reason]"),
        "登记有误：值班电话已当即接听",
    )
    .await;
    screenshot_page(c, "duty-spot-check-correct-form-390.png").await;
    tap(c, &format!("{form} button[type=submit]")).await;

    // The board shows the corrected result, passed, and the history of the correction (the
    // history is what tells the answered page from the form's: its labels say 当即接听 too).
    wait_for(c, Locator::Id(&format!("spot-history-{id}"))).await;
    assert_eq!(path(c).await, format!("/duty/{period}"));
    let chip = c
        .find(Locator::Css(&format!("{row} td .chip")))
        .await
        .expect("the result's chip");
    assert_eq!(chip.text().await.expect("text"), "当即接听");
    assert!(
        chip.attr("class")
            .await
            .expect("class")
            .unwrap_or_default()
            .contains("g-blue"),
        "a passed check"
    );
    let note = text(c, &format!("{row} td:nth-child(4)")).await;
    assert!(note.contains("值班员当即接听"), "{note}");
    shows(c, &format!("#spot-history-{id} summary"), "已更正 1").await;
    let board_row = text(c, "#board-schools tbody tr:first-child").await;
    assert!(!board_row.contains("未通过"), "{board_row}");
    tap(c, &format!("#spot-history-{id} summary")).await;
    shows(
        c,
        &format!("#spot-history-{id}"),
        "登记有误：值班电话已当即接听",
    )
    .await;
    shows(c, &format!("#spot-history-{id}"), "未接听未回电").await;
    fits(c, "the board after the correction").await;
    screenshot_page(c, "duty-spot-check-corrected-390.png").await;

    // The record as the API has it.
    let list = app
        .get(
            &format!("/api/v1/duty-periods/{period}/spot-checks"),
            Some(&officer),
        )
        .await
        .json();
    assert_eq!(list[0]["result"], "answered", "{list}");
    assert_eq!(list[0]["revisions"].as_array().map(Vec::len), Some(1));
    assert_eq!(list[0]["revisions"][0]["result"], "no_answer");
    h.finish("the_bureau_corrects_a_spot_check_on_a_phone")
        .await;
}
