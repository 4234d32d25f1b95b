mod common;

// The work plan in Chromium, as issue 12 asks (the principal signing the letter on a phone is
// `browser_responsibility.rs`):
// - the district officer at a desk (1366 px): the compliance calendar of a month, every school
//   × obligation; a missed (red) cell leads to its evidence page, which says nothing was
//   recorded, and the school's name to the school's own calendar with what it missed;
// - on a phone (390 px, Chinese): the district's plan with its items, the printable year of
//   the calendar, a school analysis meeting recorded on the records page by the principal, the
//   school's leading group saved from its form, an entry's edit form in the security
//   register;
// - issue 11: the district officer corrects a phone spot check on the duty board on a phone:
//   the correction form fits, and the saved correction shows the revision with its reason.
// On the phone no element is wider than the screen. Screenshots go to
// `artifacts/screenshots/`.

#[path = "common/browser.rs"]
mod harness;

use axum::http::{Method, StatusCode};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use common::TestApp;
use fantoccini::{Client, Locator};
use harness::*;
use serde_json::{Value, json};

fn today() -> NaiveDate {
    safecampus::storage::risk_points::today()
}

/// Elements wider than the viewport (tag, id and class), none expected.
async fn too_wide(c: &Client) -> Vec<String> {
    let v = c
        .execute(
            "const w = document.documentElement.clientWidth; \
             return [...document.querySelectorAll('body *')].filter(e => { \
               const r = e.getBoundingClientRect(); \
               return r.width > 0 && (r.right > w + 1 || r.left < -1); }) \
               .map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 10);",
            vec![],
        )
        .await
        .expect("widths");
    serde_json::from_value(v).expect("a list")
}

/// No sideways scroll and no element wider than the phone.
async fn fits(c: &Client, what: &str) {
    let (scroll, inner) = widths(c).await;
    assert!(
        (inner - 390.0).abs() <= 20.0,
        "{what}: the viewport is {inner}px wide"
    );
    assert!(
        scroll <= inner + 1.0,
        "{what}: scrolls sideways ({scroll}px > {inner}px)"
    );
    let wide = too_wide(c).await;
    assert!(wide.is_empty(), "{what}: wider than the phone: {wide:?}");
}

async fn sign_out(c: &Client) {
    click(c, "logout").await;
    wait_for(c, Locator::Id("username")).await;
}

/// The `YYYY-MM` code of the month `n` months before this one.
fn month_before(n: u32) -> String {
    let t = today();
    let m = t.year() * 12 + t.month0() as i32 - n as i32;
    format!("{}-{:02}", m / 12, m % 12 + 1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bureau_drills_down_from_a_missed_cell_of_the_month() {
    let app = TestApp::new().await;
    let h = Harness::start(&app, 1366, 900).await;
    let (c, base) = (&h.c, h.base.as_str());
    sign_in(c, base, "bureau.officer").await;
    // The last month with a missed cell (the demo's year has a few gaps of each kind).
    let mut found = None;
    for n in 1..=6 {
        let period = month_before(n);
        visit(
            c,
            base,
            &format!("/compliance?period={period}"),
            Locator::Id("calendar-counts"),
        )
        .await;
        if c.find(Locator::Css("#calendar-grid a.chip.g-red"))
            .await
            .is_ok()
        {
            found = Some(period);
            break;
        }
    }
    let period = found.expect("a month of the demo's year with a missed cell");
    // Every school of the district is a row, every obligation of the month a column.
    let rows = rows(c, "calendar-grid").await;
    assert!(rows >= 10, "the district's schools: {rows}");
    let (scroll, inner) = widths(c).await;
    assert!(scroll <= inner + 1.0, "the calendar scrolls sideways");
    screenshot_page(c, "work-plan-1-calendar-1366.png").await;

    // The red cell: its evidence page says what is missing.
    let cell = c
        .find(Locator::Css("#calendar-grid a.chip.g-red"))
        .await
        .expect("a missed cell");
    let href = cell.attr("href").await.expect("href").expect("a link");
    assert!(href.contains("/compliance/cell?"), "{href}");
    let row_school = c
        .execute(
            "return document.querySelector('#calendar-grid a.chip.g-red')\
             .closest('tr').querySelector('td a').textContent.trim();",
            vec![],
        )
        .await
        .expect("the school")
        .as_str()
        .expect("a name")
        .to_string();
    cell.click().await.expect("open the cell");
    let heading = shows(c, "main h2 .chip.g-red", "未完成").await;
    assert!(!heading.is_empty());
    let evidence = text(c, "main section.card").await;
    assert!(evidence.contains(&row_school), "{evidence}");
    assert!(evidence.contains(&period), "the month: {evidence}");
    // Missed: fewer counted than required (`k/n`, k < n); every record counted is listed.
    let (done, required) = evidence
        .split_whitespace()
        .find_map(|w| {
            let (k, n) = w.split_once('/')?;
            Some((k.parse::<usize>().ok()?, n.parse::<usize>().ok()?))
        })
        .unwrap_or_else(|| panic!("the cell's count k/n: {evidence}"));
    assert!(done < required, "a missed cell: {evidence}");
    let listed = c
        .find_all(Locator::Css(
            "main section.card:first-of-type li:not(.empty)",
        ))
        .await
        .expect("the records")
        .len();
    assert!(listed >= done, "the records of a missed cell: {evidence}");
    if done == 0 {
        assert!(
            c.find(Locator::Css("main section.card li.empty"))
                .await
                .is_ok(),
            "a cell with nothing counted says so: {evidence}"
        );
    }
    screenshot_page(c, "work-plan-2-missed-cell-1366.png").await;

    // From the grid, the school's own calendar of the month lists what it missed.
    c.back().await.expect("back");
    wait_for(c, Locator::Id("calendar-grid")).await;
    c.execute(
        "document.querySelector('#calendar-grid a.chip.g-red')\
         .closest('tr').querySelector('td a').click();",
        vec![],
    )
    .await
    .expect("open the school");
    let missed = shows(c, "#missed", "未完成").await;
    assert!(!missed.contains("暂无"), "{missed}");
    let h1 = text(c, "main h1").await;
    assert!(h1.contains(&row_school), "{h1}");
    screenshot_page(c, "work-plan-3-school-calendar-1366.png").await;
    // A missed obligation there leads to the same evidence page.
    tap(c, "#missed a").await;
    wait_for(c, Locator::Css("main h2 .chip")).await;
    assert!(path(c).await.starts_with("/compliance/cell"));
    h.finish("the_bureau_drills_down_from_a_missed_cell_of_the_month")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_work_plan_pages_fit_a_phone() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let list = app.get("/api/v1/work-plans", Some(&officer)).await.json();
    let plan = list
        .as_array()
        .expect("plans")
        .iter()
        .find(|p| p["year"] == today().year())
        .unwrap_or_else(|| panic!("this year's plan: {list}"))["id"]
        .as_i64()
        .expect("an id");
    let s001 = app.org_id("S001").await;

    let h = Harness::start(&app, 390, 844).await;
    let (c, base) = (&h.c, h.base.as_str());
    sign_in(c, base, "bureau.officer").await;
    // The district's plan: its items, each with its obligations.
    visit(
        c,
        base,
        &format!("/work-plans/{plan}"),
        Locator::Id("item-1"),
    )
    .await;
    let items = c
        .find_all(Locator::Css("section.card[id^='item-']"))
        .await
        .expect("items")
        .len();
    assert_eq!(items, 17, "the seed's seventeen items");
    fits(c, "the plan").await;
    screenshot_page(c, "work-plan-4-plan-390.png").await;
    // The printable year of a school's calendar.
    visit(
        c,
        base,
        &format!("/compliance/print?org_id={s001}"),
        Locator::Id("year-grid"),
    )
    .await;
    fits(c, "the printable calendar").await;
    screenshot_page(c, "work-plan-5-print-390.png").await;
    sign_out(c).await;

    // The principal records the month's analysis meeting.
    sign_in(c, base, "s001.principal").await;
    visit(c, base, "/work-records", Locator::Id("meeting-form")).await;
    fits(c, "the records page").await;
    set(c, "#meeting-form select[name='kind']", "school_analysis").await;
    fill(c, "#meeting-form input[name='title']", "十二月安全分析会").await;
    fill(
        c,
        "#meeting-form textarea[name='attendees']",
        "校长、安全副校长、各年级组长",
    )
    .await;
    fill(
        c,
        "#meeting-form textarea[name='minutes']",
        "通报本月隐患整改情况。",
    )
    .await;
    fill(
        c,
        "#meeting-form textarea[name='decisions']",
        "东侧楼梯扶手本周内更换。",
    )
    .await;
    tap(c, "#meeting-form button[type='submit']").await;
    let meetings = shows(c, "#meetings", "十二月安全分析会").await;
    assert!(meetings.contains(&today().to_string()), "{meetings}");
    fits(c, "the records page with the meeting").await;
    screenshot_page(c, "work-plan-6-meeting-390.png").await;

    // The school's leading group from its form.
    visit(c, base, "/leading-groups", Locator::Id("group-form")).await;
    fits(c, "the leading-group form").await;
    screenshot_page(c, "work-plan-7-group-form-390.png").await;
    set(c, "#group-form select[name='role.0']", "leader").await;
    let person = c
        .execute(
            "const s = document.querySelector(\"#group-form select[name='person.0']\"); \
             return s.options[1].value;",
            vec![],
        )
        .await
        .expect("a person")
        .as_str()
        .expect("an id")
        .to_string();
    set(c, "#group-form select[name='person.0']", &person).await;
    fill(
        c,
        "#group-form input[name='duty.0']",
        "全面负责学校安全工作",
    )
    .await;
    tap(c, "#group-save").await;
    let card = format!("#group-{s001}");
    let saved = shows(c, &card, "全面负责学校安全工作").await;
    assert!(saved.contains("组长"), "{saved}");
    fits(c, "the saved group").await;
    screenshot_page(c, "work-plan-8-group-saved-390.png").await;

    // The security register: an entry's edit form opens in its row and fits.
    visit(
        c,
        base,
        &format!("/schools/{s001}/security-equipment"),
        Locator::Id("equipment"),
    )
    .await;
    fits(c, "the security register").await;
    tap(c, "#equipment details[id^='edit-'] > summary").await;
    wait_for(c, Locator::Css("#equipment details[open] form")).await;
    fits(c, "the register with an edit form open").await;
    screenshot_page(c, "work-plan-9-equipment-edit-390.png").await;
    h.finish("the_work_plan_pages_fit_a_phone").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spot_check_is_corrected_on_a_phone() {
    let mut app = TestApp::new().await;
    let officer = app.login("bureau.officer").await;
    let s001 = app.org_id("S001").await;
    let r = app
        .json(
            Method::POST,
            "/api/v1/duty-periods",
            Some(&officer),
            &json!({"name": "抽查更正（手机）", "first": today() - Duration::days(1),
                "last": today() + Duration::days(1), "school_ids": [s001]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().expect("a period");
    let r = app
        .json(
            Method::POST,
            &format!("/api/v1/duty-periods/{id}/spot-checks"),
            Some(&officer),
            &json!({"school_id": s001, "called_at": Utc::now() - Duration::minutes(4),
                "answered": false, "phone": "0431-88886666", "note": "无人接听"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let check: Value = r.json();
    let sid = check["id"].as_i64().expect("a check");
    assert_eq!(check["result"], "no_answer");

    let h = Harness::start(&app, 390, 844).await;
    let (c, base) = (&h.c, h.base.as_str());
    sign_in(c, base, "bureau.officer").await;
    visit(
        c,
        base,
        &format!("/duty/{id}"),
        Locator::Id("spot-check-list"),
    )
    .await;
    fits(c, "the board").await;
    // Open the correction form in the check's row: it fits the phone.
    tap(c, &format!("#spot-correct-{sid} > summary")).await;
    let form = format!("#spot-correct-form-{sid}");
    wait_for(c, Locator::Css(&form)).await;
    fits(c, "the open correction form").await;
    let size = c
        .execute(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect(); \
             return [r.left, r.right, window.innerWidth];",
            vec![json!(format!("{form} button[type='submit']"))],
        )
        .await
        .expect("the button");
    let px = |i: usize| size[i].as_f64().expect("px");
    assert!(
        px(0) >= 0.0 && px(1) <= px(2) + 1.0,
        "the submit button is off the screen"
    );
    screenshot_page(c, "spot-check-1-correct-390.png").await;
    // The officer called the wrong number: the school did answer.
    tap(c, &format!("{form} input[name='answered'][value='1']")).await;
    fill(
        c,
        &format!("{form} input[name='note']"),
        "拨错号码，重拨已接听",
    )
    .await;
    fill(
        c,
        &format!("{form} input[name='reason']"),
        "记录时拨错了号码",
    )
    .await;
    tap(c, &format!("{form} button[type='submit']")).await;
    let history = format!("#spot-history-{sid}");
    wait_for(c, Locator::Css(&history)).await;
    let summary = text(c, &format!("{history} > summary")).await;
    assert!(summary.contains('1'), "one revision: {summary}");
    tap(c, &format!("{history} > summary")).await;
    let revision = shows(c, &format!("{history} li"), "记录时拨错了号码").await;
    assert!(
        revision.contains("无人接听"),
        "the replaced values: {revision}"
    );
    let row = c
        .execute(
            "return document.getElementById(arguments[0]).closest('tr').textContent;",
            vec![json!(format!("spot-history-{sid}"))],
        )
        .await
        .expect("the row");
    let row = row.as_str().expect("text");
    assert!(
        row.contains("拨错号码，重拨已接听"),
        "the corrected note: {row}"
    );
    fits(c, "the board after the correction").await;
    screenshot_page(c, "spot-check-2-corrected-390.png").await;
    let api = app
        .get(
            &format!("/api/v1/duty-periods/{id}/spot-checks"),
            Some(&officer),
        )
        .await
        .json();
    let saved = api
        .as_array()
        .or_else(|| api["items"].as_array())
        .expect("checks")
        .iter()
        .find(|x| x["id"] == sid)
        .cloned()
        .expect("the check");
    assert_eq!(saved["result"], "answered", "{saved}");
    assert_eq!(saved["revisions"].as_array().map(Vec::len), Some(1));
    h.finish("a_spot_check_is_corrected_on_a_phone").await;
}
