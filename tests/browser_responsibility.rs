mod common;

// The responsibility letter in Chromium: the bureau has issued this year's letter (through
// the API); S001's principal, on a phone (390 px, Chinese), opens the letters from the menu,
// finds the school among those who have not signed, reads the duties and signs with one
// tap: the letter shows the school as signed, by the principal, in-app. No page scrolls
// sideways. Screenshots go to `artifacts/screenshots/`.

#[path = "common/browser.rs"]
mod harness;

use axum::http::{Method, StatusCode};
use common::TestApp;
use fantoccini::Locator;
use harness::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_principal_signs_the_responsibility_letter_on_a_phone() {
    let mut app = TestApp::new().await;
    let ed = app.org_id("ED").await;
    let officer = app.login("bureau.officer").await;
    let r = app
        .json(
            Method::POST,
            "/api/v1/responsibility-letters",
            Some(&officer),
            &json!({"org_id": ed, "year": 2096, "title": "2096 年度安全目标责任书",
                "body": "一、落实安全主体责任。\n二、配齐安全工作领导小组。"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().expect("a letter");

    let h = Harness::start(&app, 390, 844).await;
    let (c, base) = (&h.c, h.base.as_str());
    sign_in(c, base, "s001.principal").await;
    c.find(Locator::Css("nav.menu a[href='/responsibility-letters']"))
        .await
        .expect("the menu entry")
        .click()
        .await
        .expect("tap");
    let card = format!("#letter-{id}");
    wait_for(c, Locator::Css(&card)).await;
    assert!(text(c, &format!("{card} .unsigned")).await.contains("春华"));
    let (scroll, inner) = widths(c).await;
    assert!(
        scroll <= inner + 1.0,
        "the letters scroll sideways at {inner}px"
    );
    screenshot_page(c, "letter-1-unsigned-390.png").await;

    let button = format!("#sign-{id}");
    let size = c
        .execute(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect(); \
             return [r.width, r.height, r.right, window.innerWidth];",
            vec![json!(button)],
        )
        .await
        .expect("the sign button");
    let px = |i: usize| size[i].as_f64().expect("px");
    assert!(
        px(0) >= 32.0 && px(1) >= 32.0,
        "the sign button is too small to tap"
    );
    assert!(
        px(2) <= px(3) + 1.0,
        "the sign button sticks out of the screen"
    );
    c.find(Locator::Css(&button))
        .await
        .expect("sign")
        .click()
        .await
        .expect("tap sign");
    let signed = format!("{card} .signed");
    wait_for(c, Locator::Css(&signed)).await;
    let t = text(c, &signed).await;
    assert!(t.contains("线上确认"), "{t}");
    assert!(c.find(Locator::Css(&button)).await.is_err(), "signed once");
    let (scroll, inner) = widths(c).await;
    assert!(scroll <= inner + 1.0, "the signed letter scrolls sideways");
    screenshot_page(c, "letter-2-signed-390.png").await;
    h.finish("a_principal_signs_the_responsibility_letter_on_a_phone")
        .await;
}
