mod common;

// The half-month checklist on a 390 px phone in Chromium, as S001's safety director does it:
// the header folds away behind its menu button, the progress counter follows the answers,
// the chosen answer's large button shows its state (colour and the checked input), a failed
// row unfolds its multi-line note, the bar stays in view while scrolling, the index jumps to
// a zone, "mark the rest as pass" asks first naming how many rows it marks, a refused
// submission keeps every answer, the stored one shows a short result with the hazard it
// opened, and reopening the half-month says it was submitted. Tap targets are at least
// 44 px and nothing is wider than the phone. Screenshots go to `artifacts/screenshots/`.

#[path = "common/browser.rs"]
mod harness;

use common::TestApp;
use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use harness::*;
use serde_json::{Value, json};

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

async fn js_on(c: &Client, script: &str, e: &Element) -> Value {
    let arg = serde_json::to_value(e).expect("element");
    c.execute(script, vec![arg])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

async fn done(c: &Client) -> usize {
    text(c, "#ck-done").await.trim().parse().expect("a count")
}

/// Elements wider than the viewport (their tag, id and class), none expected.
async fn too_wide(c: &Client) -> Vec<String> {
    let v = js(
        c,
        "const w = document.documentElement.clientWidth; \
         return [...document.querySelectorAll('body *')].filter(e => { \
           const r = e.getBoundingClientRect(); return r.width > 0 && r.right > w + 1; }) \
           .map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 10);",
    )
    .await;
    serde_json::from_value(v).expect("list")
}

async fn fits(c: &Client, what: &str) {
    let (scroll, inner) = widths(c).await;
    assert!(
        scroll <= inner + 1.0,
        "{what} scrolls sideways ({scroll} > {inner})"
    );
    let wide = too_wide(c).await;
    assert!(wide.is_empty(), "{what}: wider than the phone: {wide:?}");
}

/// The background colour of the answer `kind` (pass / fail / na) of a row.
async fn shade(c: &Client, row: &Element, kind: &str) -> String {
    let v = js_on(
        c,
        &format!(
            "return getComputedStyle(arguments[0].querySelector('.ck-{kind} span')).backgroundColor;"
        ),
        row,
    )
    .await;
    v.as_str().expect("a colour").to_string()
}

async fn checked(c: &Client, row: &Element, kind: &str) -> bool {
    js_on(
        c,
        &format!("return arguments[0].querySelector('.ck-{kind} input').checked;"),
        row,
    )
    .await
    .as_bool()
    .expect("checked")
}

/// Taps an answer of a row, the row scrolled to the middle of the screen as a thumb does.
async fn answer(c: &Client, row: &Element, kind: &str) {
    js_on(c, "arguments[0].scrollIntoView({block: 'center'});", row).await;
    row.find(Locator::Css(&format!("label.ck-{kind}")))
        .await
        .unwrap_or_else(|e| panic!("the {kind} button: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("tap {kind}: {e}"));
}

async fn row(c: &Client, n: usize) -> Element {
    let rows = c
        .find_all(Locator::Css("fieldset.check-row"))
        .await
        .expect("rows");
    rows.into_iter().nth(n).expect("a row")
}

async fn displayed(c: &Client, css: &str) -> bool {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .is_displayed()
        .await
        .expect("displayed")
}

const GREEN: &str = "rgb(46, 125, 50)";
const RED: &str = "rgb(198, 40, 40)";
const GREY: &str = "rgb(84, 110, 122)";
const WHITE: &str = "rgb(255, 255, 255)";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_half_month_checklist_on_a_phone() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let t = app.login("s001.safety").await;
    let board = app
        .get(
            &format!("/api/v1/self-inspection-board?org_id={s001}"),
            Some(&t),
        )
        .await
        .json();
    let earlier = board["schools"][0]["inspection_id"].as_i64();
    let h = Harness::start(&app, 390, 844).await;
    let (c, base) = (&h.c, h.base.as_str());
    sign_in(c, base, "s001.safety").await;
    let form = format!("/schools/{s001}/inspections/new?kind=half_month");
    visit(c, base, &form, Locator::Id("inspection-form")).await;
    fits(c, "the checklist").await;
    screenshot(c, "checklist-1-open-390.png").await;

    // The header is folded: the menu behind its button.
    assert!(
        !displayed(c, "header.top .menu").await,
        "the menu is folded"
    );
    assert!(displayed(c, ".nav-toggle-label").await);
    c.find(Locator::Css(".nav-toggle-label"))
        .await
        .expect("menu button")
        .click()
        .await
        .expect("open the menu");
    assert!(displayed(c, "header.top .menu").await, "the menu opens");
    screenshot(c, "checklist-2-menu-390.png").await;
    c.find(Locator::Css(".nav-toggle-label"))
        .await
        .expect("menu button")
        .click()
        .await
        .expect("close the menu");
    assert!(!displayed(c, "header.top .menu").await);
    // Whether this half-month was submitted already is said.
    assert_eq!(
        c.find(Locator::Id("already-submitted")).await.is_ok(),
        earlier.is_some()
    );

    // Tap targets: the answers, the bar's buttons, the index.
    let small = js(
        c,
        "return [...document.querySelectorAll('.ck-btn span, .ck-bar button, .ck-index summary, .ck-index a, .nav-toggle-label')] \
           .map(e => e.getBoundingClientRect()).filter(r => r.width > 0 && r.height < 44).length;",
    )
    .await;
    assert_eq!(small, json!(0), "tap targets under 44 px");

    let total: usize = text(c, "#ck-total").await.trim().parse().expect("total");
    assert!(total > 20, "{total}");
    assert_eq!(done(c).await, 0);

    // Answering moves the counter; the chosen button changes colour and state.
    let first = row(c, 0).await;
    answer(c, &first, "pass").await;
    assert_eq!(done(c).await, 1);
    assert!(checked(c, &first, "pass").await);
    assert_eq!(shade(c, &first, "pass").await, GREEN);
    assert_eq!(shade(c, &first, "fail").await, WHITE);
    let second = row(c, 1).await;
    assert!(
        !js_on(
            c,
            "return arguments[0].querySelector('.ck-extra').offsetParent !== null;",
            &second
        )
        .await
        .as_bool()
        .unwrap(),
        "the note is folded until a row fails"
    );
    answer(c, &second, "fail").await;
    assert_eq!(done(c).await, 2);
    assert_eq!(shade(c, &second, "fail").await, RED);
    assert!(
        second
            .find(Locator::Css("textarea"))
            .await
            .expect("the note")
            .is_displayed()
            .await
            .expect("shown"),
        "a failed row unfolds its note"
    );
    // Changing an answer does not count twice.
    answer(c, &first, "na").await;
    assert_eq!(done(c).await, 2);
    assert_eq!(shade(c, &first, "na").await, GREY);
    assert_eq!(shade(c, &first, "pass").await, WHITE);
    assert!(!checked(c, &first, "pass").await);
    screenshot(c, "checklist-3-answered-390.png").await;

    // The bar stays in view halfway down the form.
    js(
        c,
        "window.scrollTo(0, document.documentElement.scrollHeight / 2);",
    )
    .await;
    let bar = js(
        c,
        "const r = document.getElementById('ck-bar').getBoundingClientRect(); \
         return [r.top, r.bottom, window.innerHeight];",
    )
    .await;
    let (top, bottom, inner) = (
        bar[0].as_f64().unwrap(),
        bar[1].as_f64().unwrap(),
        bar[2].as_f64().unwrap(),
    );
    assert!(
        top >= 0.0 && bottom <= inner + 1.0,
        "the bar is in view: {bar}"
    );
    screenshot(c, "checklist-4-scrolled-390.png").await;

    // The progress opens the index; an entry jumps to its zone.
    click(c, "ck-progress").await;
    let entry = wait_for(c, Locator::Css("#ck-index a[href='#g-2']")).await;
    assert!(entry.is_displayed().await.expect("shown"));
    screenshot(c, "checklist-5-index-390.png").await;
    entry.click().await.expect("jump");
    let at = js(
        c,
        "return Math.abs(document.getElementById('g-2').getBoundingClientRect().top) < 80;",
    )
    .await;
    assert_eq!(at, json!(true), "the zone is at the top");
    let zones = js(
        c,
        "return [...document.querySelectorAll('#ck-index .ck-gcount')] \
           .reduce((n, e) => n + Number(e.textContent.split('/')[0]), 0);",
    )
    .await;
    assert_eq!(zones, json!(2), "the zones' counts follow the answers");

    // "Mark the rest as pass" asks, naming how many it marks; declined, nothing happens.
    click(c, "rest-pass").await;
    let asked = c.get_alert_text().await.expect("a confirmation");
    assert!(
        asked.contains(&(total - 2).to_string()),
        "names the count {}: {asked}",
        total - 2
    );
    c.dismiss_alert().await.expect("decline");
    assert_eq!(path(c).await, format!("/schools/{s001}/inspections/new"));
    assert_eq!(done(c).await, 2);

    // Submitted with the failed row's note missing: refused, every answer kept.
    click(c, "submit-inspection").await;
    wait_for(c, Locator::Id("form-error")).await;
    fits(c, "the refused form").await;
    screenshot(c, "checklist-6-refused-390.png").await;
    assert_eq!(done(c).await, 2);
    let (first, second) = (row(c, 0).await, row(c, 1).await);
    assert!(checked(c, &first, "na").await && checked(c, &second, "fail").await);
    assert_eq!(shade(c, &second, "fail").await, RED);
    let error = second
        .find(Locator::Css(".field-error"))
        .await
        .expect("the row's error")
        .text()
        .await
        .expect("text");
    assert!(!error.is_empty(), "the error is on the row");

    // The note, then the rest as pass, confirmed: the short result with the hazard.
    second
        .find(Locator::Css("textarea"))
        .await
        .expect("the note")
        .send_keys("应急照明不亮\n二楼东侧")
        .await
        .expect("typing");
    click(c, "rest-pass").await;
    let asked = c.get_alert_text().await.expect("a confirmation");
    assert!(asked.contains(&(total - 2).to_string()), "{asked}");
    c.accept_alert().await.expect("confirm");
    wait_for(c, Locator::Id("result-summary")).await;
    fits(c, "the result").await;
    screenshot_page(c, "checklist-7-result-390.png").await;
    assert_eq!(text(c, "#result-failed").await.trim(), "1");
    let links = c
        .find_all(Locator::Css("#result-hazards a[href^='/hazards/']"))
        .await
        .expect("links");
    assert_eq!(links.len(), 1, "the opened hazard");
    assert!(c.find(Locator::Id("inspection-items")).await.is_err());
    let height = js(c, "return document.documentElement.scrollHeight;").await;
    assert!(height.as_f64().unwrap() < 2000.0, "a short page: {height}");
    let hazard = links[0].attr("href").await.expect("href").expect("a link");
    let result_path = path(c).await;

    // Reopening the half-month: said, with the way to the submitted one.
    visit(c, base, &form, Locator::Id("already-submitted")).await;
    screenshot(c, "checklist-8-reopened-390.png").await;
    click(c, "open-submitted").await;
    wait_for(c, Locator::Id("result-summary")).await;
    if earlier.is_none() {
        assert_eq!(path(c).await, result_path);
    }
    // The hazard opened by the failed row.
    visit(c, base, &hazard, Locator::Id("hazard-title")).await;
    let facts = text(c, "#hazard-facts").await;
    assert!(!facts.is_empty());
    h.finish("the_half_month_checklist_on_a_phone").await;
}
