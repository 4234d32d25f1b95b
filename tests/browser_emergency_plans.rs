mod common;

// Emergency plans and the working-day calendar in Chromium:
// - S001's safety director, on a phone (390 px, Chinese), opens the plans from the menu,
//   creates a drowning topic plan on the school's page, fills its organisation and contacts in
//   the editor, attaches nothing, and submits it for review: the plan's page shows it under
//   review, with the lifecycle and its history.
// - The district officer at a desk (1366 px): the plans roll-up — its counts, schools with
//   uncovered red and orange points first, the export link, the plan just submitted among the
//   plans the bureau decides on — then the working-day calendar page (this year's holidays and
//   make-up working days, and the editor), also in English.
// No page scrolls sideways; form controls are labelled. Screenshots go to
// `artifacts/screenshots/`.

#[path = "common/browser.rs"]
mod harness;

use chrono::Datelike;
use common::TestApp;
use fantoccini::{Client, Locator};
use harness::*;
use serde_json::json;

/// No sideways scroll at about `width`, and every form control a person fills in labelled.
async fn page_ok(c: &Client, what: &str, width: f64) {
    let (scroll, inner) = widths(c).await;
    assert!(
        (inner - width).abs() <= 20.0,
        "{what}: the viewport is {inner}px wide, not about {width}px"
    );
    assert!(
        scroll <= inner + 1.0,
        "{what}: the page scrolls sideways at {inner}px ({scroll}px wide)"
    );
    let bare = c
        .execute(
            "return [...document.querySelectorAll('main input, main select, main textarea')]\
             .filter(e => e.type !== 'hidden' && e.type !== 'submit')\
             .filter(e => !e.closest('label') && !e.getAttribute('aria-label')\
               && !(e.id && document.querySelector(`label[for='${e.id}']`)))\
             .map(e => e.outerHTML.slice(0, 120));",
            vec![],
        )
        .await
        .expect("controls");
    assert_eq!(bare, json!([]), "{what}: form controls without a label");
}

/// A button inside the viewport and at least 32 px each way.
async fn fits_a_thumb(c: &Client, css: &str) {
    let v = c
        .execute(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect(); \
             return [r.width, r.height, r.left, r.right, window.innerWidth];",
            vec![json!(css)],
        )
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    let px = |i: usize| v[i].as_f64().expect("px");
    assert!(px(1) >= 32.0 && px(0) >= 32.0, "{css} is too small to tap");
    assert!(
        px(2) >= 0.0 && px(3) <= px(4) + 1.0,
        "{css} sticks out of the screen"
    );
}

const TITLE: &str = "春华小学防溺水专项应急预案";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_safety_director_creates_a_plan_and_submits_it_on_a_phone() {
    let mut app = TestApp::new().await;
    let s001 = app.org_id("S001").await;
    let h = Harness::start(&app, 390, 844).await;
    let (c, base) = (&h.c, h.base.as_str());
    sign_in(c, base, "s001.safety").await;

    // The plans, from the menu: the school's row leads to its plans and coverage.
    tap(c, "nav.menu a[href='/emergency-plans']").await;
    wait_for(c, Locator::Id("plan-rollup")).await;
    page_ok(c, "the school's roll-up", 390.0).await;
    tap(
        c,
        &format!("#plan-rollup a[href='/schools/{s001}/emergency-plans']"),
    )
    .await;
    wait_for(c, Locator::Id("new-plan-form")).await;
    wait_for(c, Locator::Id("coverage")).await;
    page_ok(c, "the school's plans", 390.0).await;
    screenshot_page(c, "plan-1-school-390.png").await;

    // A new drowning topic plan.
    let f = "#new-plan-form";
    fill(c, &format!("{f} input[name=title]"), TITLE).await;
    set(c, &format!("{f} select[name=plan_type]"), "drowning").await;
    set(c, &format!("{f} select[name=form]"), "topic").await;
    fits_a_thumb(c, &format!("{f} button[type=submit]")).await;
    tap(c, &format!("{f} button[type=submit]")).await;
    shows(c, "#plan-status", "草稿").await;
    let plan = path(c).await;
    assert!(plan.starts_with("/emergency-plans/"), "{plan}");
    assert!(text(c, "h1").await.contains(TITLE));
    wait_for(c, Locator::Id("step-discard")).await;

    // The editor: a commander from the school's people, a contact; saved.
    let e = "#edit-form";
    wait_for(c, Locator::Css(e)).await;
    fill(c, &format!("{e} input[name=org_role]"), "总指挥").await;
    let person = c
        .execute(
            "const s = document.querySelector('#edit-form select[name=org_person]'); \
             return s.options.length > 1 ? s.options[1].value : '';",
            vec![],
        )
        .await
        .expect("people");
    let person = person.as_str().expect("a value").to_string();
    assert!(!person.is_empty(), "the school's people to pick from");
    set(c, &format!("{e} select[name=org_person]"), &person).await;
    fill(
        c,
        &format!("{e} textarea[name=org_duties]"),
        "统一指挥现场救援，决定启动响应。",
    )
    .await;
    fill(c, &format!("{e} input[name=ct_name]"), "急救中心").await;
    fill(c, &format!("{e} input[name=ct_phone]"), "120").await;
    fill(c, &format!("{e} input[name=proc_title]"), "发现落水").await;
    fill(
        c,
        &format!("{e} textarea[name=proc_steps]"),
        "1. 大声呼救，拨打 120；2. 抛投救生圈，不得盲目下水。",
    )
    .await;
    screenshot_page(c, "plan-2-editor-390.png").await;
    tap(c, &format!("{e} button[type=submit]")).await;
    shows(c, "#content-organisation", "总指挥").await;
    shows(c, "#content-contacts", "120").await;
    shows(c, "#content-procedures", "发现落水").await;
    page_ok(c, "the draft with its content", 390.0).await;

    // Submitted for review: under review, the step in the history.
    let submit = "#step-submit_review button[type=submit]";
    fits_a_thumb(c, submit).await;
    fill(
        c,
        "#step-submit_review textarea[name=note]",
        "请组织专家评审。",
    )
    .await;
    tap(c, submit).await;
    shows(c, "#plan-status", "评审中").await;
    shows(c, "#plan-flow li[aria-current=step]", "评审中").await;
    shows(c, "#history", "提交评审").await;
    assert!(
        c.find(Locator::Id("edit-form")).await.is_err(),
        "no editing under review"
    );
    assert!(c.find(Locator::Id("step-discard")).await.is_err());
    page_ok(c, "the plan under review", 390.0).await;
    screenshot_page(c, "plan-3-submitted-390.png").await;

    // The school's list has it under review.
    visit(
        c,
        base,
        &format!("/schools/{s001}/emergency-plans"),
        Locator::Id("plan-list"),
    )
    .await;
    shows(c, &format!("#plan-list tr:has(a[href='{plan}'])"), "评审中").await;

    h.finish("a_safety_director_creates_a_plan_and_submits_it_on_a_phone")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bureau_sees_the_plans_roll_up_and_the_calendar_at_a_desk() {
    let mut app = TestApp::new().await;
    let ed = app.org_id("ED").await;
    let h = Harness::start(&app, 1366, 900).await;
    let (c, base) = (&h.c, h.base.as_str());
    sign_in(c, base, "bureau.officer").await;

    // The roll-up, from the menu: counts, schools with uncovered points first, the export.
    tap(c, "nav.menu a[href='/emergency-plans']").await;
    wait_for(c, Locator::Id("plan-rollup")).await;
    shows(c, "#plan-totals", "存在未覆盖风险点的学校").await;
    let classes = c
        .execute(
            "return [...document.querySelectorAll('#plan-rollup tbody tr')]\
             .map(tr => tr.classList.contains('plan-gap'));",
            vec![],
        )
        .await
        .expect("rows");
    let gaps: Vec<bool> = classes
        .as_array()
        .expect("rows")
        .iter()
        .map(|v| v.as_bool().unwrap_or(false))
        .collect();
    let uncovered = gaps.iter().filter(|g| **g).count();
    assert!(uncovered > 0, "the demo has uncovered red points");
    assert!(
        gaps[..uncovered].iter().all(|g| *g),
        "uncovered first: {gaps:?}"
    );
    shows(
        c,
        "#count-uncovered",
        &format!("存在未覆盖风险点的学校 {uncovered}"),
    )
    .await;
    let export = c
        .find(Locator::Id("rollup-export"))
        .await
        .expect("the export link")
        .attr("href")
        .await
        .expect("href")
        .expect("an address");
    assert_eq!(
        export,
        format!("/api/v1/emergency-plans/export.xlsx?org_id={ed}")
    );
    // The export answers in the browser's session with a workbook.
    let got = c
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             fetch(arguments[0]).then(r => done([r.status, r.headers.get('content-type')]));",
            vec![json!(export)],
        )
        .await
        .expect("fetch");
    assert_eq!(got[0], json!(200));
    assert!(
        got[1]
            .as_str()
            .unwrap_or_default()
            .contains("spreadsheetml"),
        "{got}"
    );
    shows(c, "#bureau-plans", "教育局本级预案").await;
    page_ok(c, "the plans roll-up", 1366.0).await;
    screenshot_page(c, "plan-rollup-1366.png").await;

    // The working-day calendar: this year's holidays and make-up days, and the editor.
    tap(c, "#calendar-link").await;
    wait_for(c, Locator::Id("calendar-form")).await;
    let year = safecampus::storage::risk_points::today().year();
    let card = format!("#year-{year}");
    let days = shows(c, &card, &year.to_string()).await;
    assert!(days.contains("放假"), "{days}");
    assert!(
        days.contains("调休上班") || days.contains("上班"),
        "make-up working days: {days}"
    );
    shows(c, "#calendar-source", "随附").await;
    let csv = c
        .find(Locator::Css("#calendar-form textarea[name=csv]"))
        .await
        .expect("the editor")
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default();
    assert!(csv.contains(&format!("{year}-")), "the file's text");
    page_ok(c, "the calendar", 1366.0).await;
    screenshot_page(c, "calendar-1366.png").await;

    // In English.
    click(c, "lang-switch").await;
    wait_for(c, Locator::Css("html[lang='en']")).await;
    wait_for(c, Locator::Id("calendar-form")).await;
    shows(c, "h1", "Working").await;
    page_ok(c, "the calendar (en)", 1366.0).await;
    screenshot(c, "calendar-en-1366.png").await;
    visit(c, base, "/emergency-plans", Locator::Id("plan-rollup")).await;
    shows(c, "#rollup-export", "Export").await;
    page_ok(c, "the plans roll-up (en)", 1366.0).await;
    screenshot(c, "plan-rollup-en-1366.png").await;
    click(c, "lang-switch").await;
    wait_for(c, Locator::Css("html[lang='zh-CN']")).await;

    h.finish("the_bureau_sees_the_plans_roll_up_and_the_calendar_at_a_desk")
        .await;
}
